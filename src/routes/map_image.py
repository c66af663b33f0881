"""A map of :mod:`routes.maps` as a PNG image for a report: what the page draws, with its legend,
sources and caveats, and what the export says about itself.

The image is drawn from the map's own layers (their shapes, and the colours, widths and radii
each feature carries), so it shows what the page shows, suppression included: a hidden count
is a grey dashed line here too, and no count reaches the image that the page does not show.
It is drawn with matplotlib (a figure of its own, on the Agg canvas), on Web Mercator as Leaflet
draws, with no tiles.
"""

from __future__ import annotations

import html
import io
import json
import textwrap
from collections.abc import Iterable

import folium
import numpy as np
import shapely
from folium.map import FitBounds
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.markers import MarkerStyle
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path
from matplotlib.transforms import Affine2D

from routes.export import ExportMetadata, created_text
from routes.maps import (
    ARROWHEAD_HALF_WIDTH,
    BASEMAP_CREDITS,
    BASEMAP_LAYER,
    DEFAULT_BOUNDS,
    DISTRICTS_LAYER,
    DOCUMENTED_COLOUR,
    DOCUMENTED_LABEL,
    FLOW_COLOUR,
    FORMER_LAYER,
    HIDDEN_LINE_COLOUR,
    HIDDEN_LINE_WIDTH_PX,
    HIDDEN_LINES_LABEL,
    NEPAL_BOUNDS,
    NODE_COLOUR,
    PROVINCES_LAYER,
    FeatureLayer,
    LegendSpec,
    MapText,
    short_path_name,
)
from routes.synthetic import SYNTHETIC_LABEL

#: The image: 11 by 8.5 inches at 150 dots per inch (1,650 by 1,275 pixels), landscape, as a
#: report's page or slide takes it.
WIDTH_IN, HEIGHT_IN, DPI = 11.0, 8.5, 150
#: The map's least height in inches: more notes than leave it this make the image taller.
MIN_MAP_IN = 4.8
#: The origin areas' layers: on a map of the world they are drawn in an inset of Nepal (under
#: the arcs at world scale, the image's legend explained a shading no one could see: a ministry
#: analyst's walkthrough).
AREA_LAYERS = (DISTRICTS_LAYER, PROVINCES_LAYER, FORMER_LAYER)
#: The least height of the inset, in inches: with less room under the legend it is left out.
MIN_INSET_IN = 0.8
#: Wider than this (degrees of longitude), a map's origin areas go into the inset.
INSET_ABOVE_DEG = 30.0
#: A Leaflet pixel in points (a CSS pixel is 3/4 of a point).
PT_PER_PX = 0.75
FONT = "DejaVu Sans"
#: Characters per line of the title and of the notes under the map.
TITLE_WIDTH, NOTE_WIDTH = 110, 150
#: The title's colour over synthetic demonstration data.
SYNTHETIC_COLOUR = "#8a1c1c"
#: Leaflet's background, under the country outlines.
SEA_COLOUR = "#dddddd"
#: The map's share of the image's width; the legend takes the rest.
MAP_SHARE = 0.74
#: The arrowhead, tip at the origin, pointing east, half as wide as long, as on the page.
#: Matplotlib scales a marker so that its largest extent from the origin is half the marker
#: size: a head drawn at twice its length comes out at its length (it came out at half).
_ARROW = Path(
    [(0.0, 0.0), (-1.0, ARROWHEAD_HALF_WIDTH), (-1.0, -ARROWHEAD_HALF_WIDTH), (0.0, 0.0)],
    closed=True,
)


def map_png(fmap: folium.Map, metadata: ExportMetadata | None = None) -> bytes:
    """The map as a PNG image, with its title, legend, sources, caveats and, with ``metadata``,
    the export's datasets, filters, date, suppression notice and link.

    Raises
    ------
    ValueError
        When ``fmap`` was not built by :mod:`routes.maps` (it has no legend to draw).
    """
    spec: LegendSpec | None = getattr(fmap, "atlas_legend", None)
    text: MapText | None = getattr(fmap, "atlas_text", None)
    if spec is None or text is None:
        raise ValueError("The map has no legend: only maps built by routes.maps have an image.")
    notes = _notes(text, metadata)
    title = textwrap.wrap(spec.title, TITLE_WIDTH)[:3]
    synthetic = SYNTHETIC_LABEL in spec.title.lower() or (
        metadata is not None
        and any(SYNTHETIC_LABEL in credit.title.lower() for credit in metadata.datasets)
    )
    label = f"{SYNTHETIC_LABEL.capitalize()}: not real cases"
    if synthetic and SYNTHETIC_LABEL not in spec.title.lower():
        # Under the title, where no one cutting the notes off the picture can lose it (a
        # title that says so already is only coloured).
        title.append(label)
    # Inches from the top and the bottom: the title above the map, the notes under it.
    top_in = 0.25 + 0.24 * len(title)
    bottom_in = 0.25 + 0.15 * sum(len(textwrap.wrap(note, NOTE_WIDTH)) or 1 for note in notes)
    # Taller than a page when the notes would leave the map less than MIN_MAP_IN (several
    # datasets' caveats), rather than a map squeezed to a strip.
    figure_in = max(HEIGHT_IN, top_in + MIN_MAP_IN + bottom_in)
    # A figure of its own, not pyplot's: the app draws from several sessions' threads at once.
    figure = Figure(figsize=(WIDTH_IN, figure_in), dpi=DPI)
    height = 1 - (top_in + bottom_in) / figure_in
    bottom = bottom_in / figure_in
    axes = figure.add_axes((0.02, bottom, MAP_SHARE, height))
    axes.set_axis_off()
    layers = _shaped_layers(fmap)
    (_, west), (_, east) = _bounds(fmap)
    inset = east - west > INSET_ABOVE_DEG and any(
        layer.layer_name in AREA_LAYERS for layer, _ in layers
    )
    drawn = [item for item in layers if not inset or item[0].layer_name not in AREA_LAYERS]
    for layer, shaped in drawn:
        _draw_layer(axes, layer, shaped)
    named = _named_places(drawn)
    _fit(axes, _with_places(_bounds(fmap), named))
    _label_places(axes, named)
    # The sea, and a frame, as the page's map container shows them.
    for fill, order in ((True, 0), (False, 20)):
        axes.add_patch(
            Rectangle(
                (0, 0), 1, 1, transform=axes.transAxes, fill=fill, facecolor=SEA_COLOUR,
                edgecolor="#999999", lw=0.6, zorder=order,
            )
        )  # fmt: skip
    legend = figure.add_axes((0.04 + MAP_SHARE, bottom, 0.94 - MAP_SHARE, height))
    legend_bottom = _legend(legend, spec)
    if inset and not _nepal_inset(figure, axes, layers, spec.area_heading, legend_bottom - 0.01):
        # No room for the inset: the areas on the map, under the flows, as on the page (the
        # legend listed their classes over no area drawn anywhere: a code review).
        for layer, shaped in layers:
            if layer.layer_name in AREA_LAYERS:
                _draw_layer(axes, layer, shaped)
    heading = figure.text(
        0.02, 1 - 0.22 / figure_in, "\n".join(title),
        fontsize=11, fontweight="bold", va="top", family=FONT,
    )  # fmt: skip
    if synthetic:
        heading.set_color(SYNTHETIC_COLOUR)
    figure.text(
        0.02, (bottom_in - 0.12) / figure_in, _wrapped(notes),
        fontsize=7.2, va="top", family=FONT, color="#222222", linespacing=1.35,
    )  # fmt: skip
    buffer = io.BytesIO()
    chunks = _png_metadata(text, metadata, f"{spec.title} — {label}" if synthetic else spec.title)
    figure.savefig(buffer, format="png", dpi=DPI, metadata=chunks)
    return buffer.getvalue()


def _nepal_inset(figure, axes, layers, heading: str, top: float) -> bool:
    """Nepal's origin areas in a box under the legend (whose last row is at ``top``, a share
    of the figure's height), at the right of a map of the world, headed by what the legend
    calls them (over the map's lower left, it covered destinations in Africa: a code review).
    Smaller where the legend leaves less room (it covered the legend's last class); none, and
    False returned, where it leaves too little."""
    box = axes.get_position()
    left = box.x1 + 0.02
    width = 0.98 - left
    width_in, figure_height_in = width * figure.get_size_inches()[0], figure.get_size_inches()[1]
    (south, west), (north, east) = NEPAL_BOUNDS
    y = _mercator(np.array([0.0, 0.0]), np.array([south, north]))[1]
    # Nepal's shape, with room for the heading under it, wrapped to the inset's width (a long
    # unit was cut: a code review).
    lines = textwrap.wrap(heading or "Origin areas", max(20, int(width_in * 72 / 3.9)))
    shape = (y[1] - y[0]) / (east - west) * 1.12
    height_in = min(width_in * shape + 0.12 + 0.11 * len(lines), (top - box.y0) * figure_height_in)
    if height_in < MIN_INSET_IN:
        return False
    width = min(width, (height_in - 0.12 - 0.11 * len(lines)) / shape / figure.get_size_inches()[0])
    inset = figure.add_axes((left, box.y0, width, height_in / figure_height_in), zorder=5)
    inset.set_axis_off()
    for layer, shaped in layers:
        if layer.layer_name == BASEMAP_LAYER or layer.layer_name in AREA_LAYERS:
            _draw_layer(inset, layer, shaped)
    _fit(inset, ((south - 0.5 - 0.4 * len(lines), west), (north, east)))
    for fill, order in ((True, 0), (False, 20)):
        inset.add_patch(
            Rectangle(
                (0, 0), 1, 1, transform=inset.transAxes, fill=fill, facecolor="#ffffff",
                edgecolor="#666666", lw=0.6, zorder=order,
            )
        )  # fmt: skip
    inset.text(
        0.03, 0.03, "\n".join(lines), transform=inset.transAxes,
        fontsize=6.5, fontweight="bold", family=FONT, va="bottom", zorder=21,
    )  # fmt: skip
    return True


def _notes(text: MapText, metadata: ExportMetadata | None) -> list[str]:
    """What the image says under the map: the map's sources and caveats, and with the export's
    metadata its caveats too (what the view leaves out, mixed units, a focus the districts do
    not follow), as every other file of the export says them."""
    caveats = [*text.caveats, *(metadata.caveats if metadata is not None else ())]
    notes = [f"Source: {text.source_note}"]
    notes += [f"• {caveat}" for caveat in dict.fromkeys(caveats)]
    if metadata is not None:
        notes += [
            f"Data: {credit.title}; {credit.organisation}; licence: {credit.licence}; "
            f"sensitivity: {credit.sensitivity}."
            for credit in metadata.datasets
        ]
        notes.append("Filters: " + ("; ".join(metadata.filters) or "none (all records)"))
        if metadata.suppression:
            notes.append(metadata.suppression)
        made = f"Made {created_text(metadata.created_at)}"
        notes.append(made + (f". This view: {metadata.link}" if metadata.link else "."))
    notes.append(BASEMAP_CREDITS)
    return notes


def _wrapped(notes: Iterable[str]) -> str:
    return "\n".join("\n".join(textwrap.wrap(note, NOTE_WIDTH)) for note in notes)


def _png_metadata(text: MapText, metadata: ExportMetadata | None, title: str) -> dict[str, str]:
    """Text chunks of the PNG: its title and sources travel with the file."""
    chunks = {
        "Title": title,
        "Source": text.source_note,
        "Software": "Nepal Migration Routes Atlas",
    }
    if metadata is not None:
        chunks["Creation Time"] = metadata.created_at
        chunks["Comment"] = json.dumps(
            {
                "filters": list(metadata.filters),
                "link": metadata.link,
                "suppression": metadata.suppression,
            },
            ensure_ascii=False,
        )
    return chunks


def _layers(fmap: folium.Map) -> list[FeatureLayer]:
    return [child for child in fmap._children.values() if isinstance(child, FeatureLayer)]


def _bounds(fmap: folium.Map) -> tuple[tuple[float, float], tuple[float, float]]:
    """The map's first view: its FitBounds, as ((south, west), (north, east))."""
    for child in fmap._children.values():
        if isinstance(child, FitBounds):
            return tuple(map(tuple, child.bounds))  # type: ignore[return-value]
    return DEFAULT_BOUNDS


#: How many places an image names: the largest circles, or the most shaded areas.
NAMED_PLACES = 10


def _named_places(
    layers: list[tuple[FeatureLayer, list[tuple[dict, object]]]],
) -> list[tuple[str, float, float, bool]]:
    """The places an image names, as (name, lon, lat, is_circle): a report's reader could not
    tell which circle was which country, nor which district Sarlahi was (a helper's
    walkthrough). The largest circles of a map that draws circles (destinations, corridor
    places); else its most counted areas (the map of origins), whose counts are shown."""
    circles = [
        (feature["properties"]["label"], float(feature["properties"].get("radius") or 0), shape)
        for layer, shaped in layers
        if layer.marker != "arrow"
        for feature, shape in shaped
        if shape.geom_type == "Point" and feature["properties"].get("label")
    ]
    if circles:
        largest = sorted(circles, key=lambda item: -item[1])[:NAMED_PLACES]
        return [(name, shape.x, shape.y, True) for name, _, shape in largest]
    areas = []
    for _, shaped in layers:
        for feature, shape in shaped:
            label = str(feature["properties"].get("count_label") or "").replace(",", "")
            name = feature["properties"].get("label")
            if name and label.isdigit() and int(label) > 0 and "Polygon" in shape.geom_type:
                areas.append((name, int(label), shape.representative_point()))
    largest = sorted(areas, key=lambda item: -item[1])[:NAMED_PLACES]
    return [(name, point.x, point.y, False) for name, _, point in largest]


def _shaped_layers(fmap: folium.Map) -> list[tuple[FeatureLayer, list[tuple[dict, object]]]]:
    """Each layer with its features and their shapes, read from GeoJSON once (for drawing and
    for naming places alike)."""
    shaped = []
    for layer in _layers(fmap):
        features = layer.data["features"]
        shapes = shapely.from_geojson([json.dumps(feature["geometry"]) for feature in features])
        shaped.append((layer, list(zip(features, shapes, strict=True))))
    return shaped


def _with_places(bounds, named: list[tuple[str, float, float, bool]]):
    """The map's first view, widened to hold the places it names: Malta, sixth of women's
    destinations, lay outside the page's first view of the world (its arc ran off the edge)."""
    (south, west), (north, east) = bounds
    for _, lon, lat, circle in named:
        if circle:
            south, north = min(south, lat - 2), max(north, lat + 2)
            west, east = min(west, lon - 2), max(east, lon + 2)
    return (south, west), (north, east)


#: Where a name may stand from its place, in points, tried in turn: right and above, then
#: right and below, left, above, below (for an area, at its point first).
_CIRCLE_PLACINGS = (((5, 3), "left", "bottom"), ((5, -3), "left", "top"),
                    ((-5, 3), "right", "bottom"), ((0, 6), "center", "bottom"),
                    ((0, -6), "center", "top"))  # fmt: skip
_AREA_PLACINGS = (((0, 0), "center", "center"), ((0, 7), "center", "bottom"),
                  ((0, -7), "center", "top"))  # fmt: skip


def _label_places(axes, named: list[tuple[str, float, float, bool]]) -> None:
    """Each place's name beside it, largest first; a name that would cover one already written
    moves to another side, or is left out (Nuwakot's ran over Sindhupalchok's)."""
    from matplotlib import patheffects
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(axes.figure).get_renderer()
    halo = [patheffects.withStroke(linewidth=2.2, foreground="white")]
    written = []
    for name, lon, lat, circle in named:
        x, y = _mercator(np.array([lon]), np.array([lat]))
        for offset, ha, va in _CIRCLE_PLACINGS if circle else _AREA_PLACINGS:
            label = axes.annotate(
                # The layers hold names escaped for the page ("Côte d&#x27;Ivoire").
                short_path_name(html.unescape(str(name))), (x[0], y[0]),
                xytext=offset, textcoords="offset points", ha=ha, va=va,
                fontsize=6.5, family=FONT, color="#1a1a1a", path_effects=halo, zorder=6,
            )  # fmt: skip
            box = label.get_window_extent(renderer)
            if not any(box.overlaps(other) for other in written):
                written.append(box)
                break
            label.remove()


def _mercator(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lat = np.clip(lat, -85.0, 85.0)
    return lon, np.degrees(np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)))


def _projected(geometry):
    return shapely.transform(geometry, lambda xy: np.column_stack(_mercator(xy[:, 0], xy[:, 1])))


def _fit(axes, bounds) -> None:
    """Show the bounds whole, widened to the axes' shape (Leaflet fits the same way)."""
    (south, west), (north, east) = bounds
    (x0, x1), (y0, y1) = (west, east), _mercator(np.array([0.0, 0.0]), np.array([south, north]))[1]
    # A margin, as the page keeps between the areas and the map's edge.
    margin = 0.03 * max(x1 - x0, y1 - y0)
    x0, x1, y0, y1 = x0 - margin, x1 + margin, y0 - margin, y1 + margin
    box = axes.get_position()
    width_in, height_in = axes.figure.get_size_inches()
    ratio = (box.height * height_in) / (box.width * width_in)
    width, height = x1 - x0, y1 - y0
    if height / width < ratio:
        middle, height = (y0 + y1) / 2, width * ratio
        y0, y1 = middle - height / 2, middle + height / 2
    else:
        middle, width = (x0 + x1) / 2, height / ratio
        x0, x1 = middle - width / 2, middle + width / 2
    axes.set_xlim(x0, x1)
    axes.set_ylim(y0, y1)


def _features(layer: FeatureLayer, shaped: list[tuple[dict, object]]) -> list[tuple[dict, object]]:
    """Each feature's style (the layer's, with the properties it reads) and shape."""
    out = []
    for feature, shape in shaped:
        properties = feature["properties"]
        style = dict(layer.style)
        for option, name in layer.style_properties.items():
            style[option] = properties.get(name)
        style["properties"] = properties
        out.append((style, shape))
    return out


def _draw_layer(axes, layer: FeatureLayer, shaped: list[tuple[dict, object]]) -> None:
    features = _features(layer, shaped)
    if not features:
        return
    if layer.marker == "arrow":
        _draw_arrows(axes, features)
        return
    polygons = [(s, g) for s, g in features if g.geom_type in ("Polygon", "MultiPolygon")]
    lines = [(s, g) for s, g in features if "LineString" in g.geom_type]
    points = [(s, g) for s, g in features if g.geom_type == "Point"]
    _draw_polygons(axes, polygons)
    _draw_lines(axes, lines)
    _draw_points(axes, points)


def _colour(style: dict, key: str, default: str) -> str:
    value = style.get(key)
    return value if isinstance(value, str) and value else default


def _draw_polygons(axes, features) -> None:
    patches, faces, edges, widths, dashed = [], [], [], [], []
    for style, shape in features:
        path = _polygon_path(_projected(shape))
        if path is None:
            continue
        patches.append(PathPatch(path))
        filled = style.get("fill", True) is not False
        opacity = float(style.get("fillOpacity", 0.2))
        face = to_rgba(_colour(style, "fillColor", _colour(style, "color", "#3388ff")), opacity)
        faces.append(face if filled else (0, 0, 0, 0))
        edges.append(_colour(style, "color", "#3388ff"))
        widths.append(float(style.get("weight", 1)) * PT_PER_PX)
        dashed.append(bool(style.get("dashArray")))
    if not patches:
        return
    collection = PatchCollection(
        patches, facecolors=faces, edgecolors=edges, linewidths=widths,
        linestyles=["--" if dash else "-" for dash in dashed], zorder=1,
    )  # fmt: skip
    axes.add_collection(collection)


def _polygon_path(shape) -> Path | None:
    """A matplotlib path of a (multi)polygon, holes included."""
    polygons = getattr(shape, "geoms", [shape])
    vertices, codes = [], []
    for polygon in polygons:
        for ring in (polygon.exterior, *polygon.interiors):
            coords = np.asarray(ring.coords)
            if len(coords) < 3:
                continue
            vertices.append(coords)
            codes.append([Path.MOVETO] + [Path.LINETO] * (len(coords) - 2) + [Path.CLOSEPOLY])
    if not vertices:
        return None
    return Path(np.concatenate(vertices), np.concatenate(codes))


def _draw_lines(axes, features) -> None:
    for style, shape in features:
        parts = getattr(shape, "geoms", [shape])
        segments = [np.asarray(_projected(part).coords) for part in parts]
        dash = style.get("dashArray")
        collection = LineCollection(
            segments,
            colors=_colour(style, "color", FLOW_COLOUR),
            linewidths=float(style.get("weight") or 1) * PT_PER_PX,
            alpha=float(style.get("opacity", 1.0)),
            linestyles=_dashes(dash) if dash else "solid",
            capstyle="round",
            zorder=2,
        )
        axes.add_collection(collection)


def _dashes(dash: str):
    """A Leaflet dash array ("5 6", in pixels) as matplotlib's (offset, (on, off)) in points."""
    lengths = [float(part) * PT_PER_PX for part in str(dash).replace(",", " ").split()]
    return (0, tuple(lengths or [4.0, 4.0]))


def _draw_points(axes, features) -> None:
    if not features:
        return
    xs, ys = _mercator(
        np.array([shape.x for _, shape in features]), np.array([shape.y for _, shape in features])
    )
    radii = np.array([float(style["properties"].get("radius") or 4) for style, _ in features])
    axes.scatter(
        xs, ys, s=(2 * radii * PT_PER_PX) ** 2,
        c=[_colour(style, "fillColor", NODE_COLOUR) for style, _ in features],
        alpha=float(features[0][0].get("fillOpacity", 0.75)),
        edgecolors=[_colour(style, "color", "#ffffff") for style, _ in features],
        linewidths=0.6, zorder=4,
    )  # fmt: skip


def _draw_arrows(axes, features) -> None:
    for style, shape in features:
        properties = style["properties"]
        x, y = _mercator(np.array([shape.x]), np.array([shape.y]))
        # Clockwise from east on the screen is counter-clockwise here, y pointing up.
        marker = MarkerStyle(_ARROW, transform=Affine2D().rotate_deg(-float(properties["angle"])))
        size = 2 * float(properties["size"]) * PT_PER_PX
        axes.plot(
            x, y, marker=marker, markersize=size, color=properties["colour"], alpha=0.8,
            markeredgewidth=0, linestyle="none", zorder=3,
        )  # fmt: skip


def _legend(axes, spec: LegendSpec) -> float:
    """The legend's rows, down the panel at the map's right; its units are points. Returns
    where its last row ends, as a share of the figure's height."""
    box = axes.get_position()
    width_in, height_in = axes.figure.get_size_inches()
    width_pt, height_pt = box.width * width_in * 72, box.height * height_in * 72
    axes.set_xlim(0, width_pt)
    axes.set_ylim(0, height_pt)
    axes.set_axis_off()
    y = height_pt - 4
    font = {"family": FONT, "fontsize": 7.5, "va": "center"}
    swatch, gap = 34.0, 8.0

    def row(height: float) -> float:
        nonlocal y
        middle = y - height / 2
        y -= height + 3
        return middle

    def heading(text: str) -> None:
        nonlocal y
        y -= 4
        for line in textwrap.wrap(text, 34):
            axes.text(0, row(10), line, fontweight="bold", **font)

    if spec.line_heading:
        heading(spec.line_heading)
    for width, label in spec.lines:
        middle = row(max(10.0, width * PT_PER_PX))
        axes.plot([0, swatch], [middle] * 2, color=FLOW_COLOUR, alpha=0.7,
                  linewidth=width * PT_PER_PX, solid_capstyle="butt")  # fmt: skip
        axes.text(swatch + gap, middle, label, **font)
    if spec.hidden_lines:
        middle = row(10)
        axes.plot([0, swatch], [middle] * 2, color=HIDDEN_LINE_COLOUR, linestyle="--",
                  linewidth=HIDDEN_LINE_WIDTH_PX * PT_PER_PX)  # fmt: skip
        axes.text(swatch + gap, middle, HIDDEN_LINES_LABEL, **font)
    if spec.documented:
        middle = row(10)
        axes.plot([0, swatch], [middle] * 2, color=DOCUMENTED_COLOUR, linestyle="--", lw=1.5)
        axes.text(swatch + gap, middle, DOCUMENTED_LABEL, **font)
    if spec.node_heading:
        heading(spec.node_heading)
    for diameter, label in spec.nodes:
        size = diameter * PT_PER_PX
        middle = row(max(10.0, size))
        axes.scatter([swatch / 2], [middle], s=size**2, color=NODE_COLOUR, alpha=0.75,
                     edgecolors="#ffffff", linewidths=0.6)  # fmt: skip
        axes.text(swatch + gap, middle, label, **font)
    if spec.area_heading:
        heading(spec.area_heading)
    for colour, label in spec.areas:
        middle = row(10)
        axes.add_patch(
            Rectangle(
                (swatch / 2 - 7, middle - 5),
                14,
                10,
                facecolor=colour,
                edgecolor="#999999",
                linewidth=0.6,
            )
        )
        axes.text(swatch + gap, middle, label, **font)
    return box.y0 + box.height * max(y, 0.0) / height_pt


__all__ = ["map_png"]
