"""The map image for reports: what the page's map draws, with its legend, sources and metadata."""

import dataclasses
import io
import json

import folium
import numpy as np
import pytest
from PIL import Image

from routes.export import DatasetCredit, build_export_metadata
from routes.filters import FilterState, filter_records
from routes.flows import compute_district_totals, compute_flows, compute_nodes
from routes.map_image import DPI, HEIGHT_IN, WIDTH_IN, map_png
from routes.maps import (
    BASEMAP_FILL,
    DISTRICT_COLOURS,
    FLOW_COLOUR,
    HIDDEN_LINE_COLOUR,
    NODE_COLOUR,
    LeafletAssets,
    MapText,
    build_district_map,
    build_flow_map,
)

ASSETS = LeafletAssets(js_url="leaflet.js", css_url="leaflet.css")
TEXT = MapText(
    title="Labour approvals, FY 2079/80",
    unit="Labour approvals",
    source_note="Department of Foreign Employment, monthly reports",
    caveats=("Permits, not departures.",),
)
CREDIT = DatasetCredit(
    title="DoFE labour approvals",
    organisation="Department of Foreign Employment",
    licence="Public government statistics",
    source_note="DoFE monthly reports",
    sensitivity="public",
)


@pytest.fixture(scope="module")
def views(gazetteer, placed_destinations, placed_districts):
    state = FilterState(fiscal_year="2079/80")
    flows = compute_flows(gazetteer, filter_records(placed_destinations, state), "national")
    districts = compute_district_totals(gazetteer, filter_records(placed_districts, state))
    return flows, compute_nodes(gazetteer, flows), districts


def _image(png: bytes) -> Image.Image:
    return Image.open(io.BytesIO(png))


def _rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])


def _over(colour: str, opacity: float, under: str = BASEMAP_FILL) -> str:
    """``colour`` drawn at ``opacity`` over ``under`` (the land, by default)."""
    mixed = np.rint(opacity * _rgb(colour) + (1 - opacity) * _rgb(under)).astype(int)
    return "#" + "".join(f"{channel:02x}" for channel in mixed)


def _share_near(image: Image.Image, colour: str, tolerance: int = 40) -> float:
    """The share of the image's pixels within ``tolerance`` of ``colour`` on each channel."""
    pixels = np.asarray(image.convert("RGB"), dtype=int)
    return float((np.abs(pixels - _rgb(colour)).max(axis=2) <= tolerance).mean())


def test_the_flow_map_image_draws_the_flows_and_destinations_and_says_its_source(gazetteer, views):
    flows, nodes, districts = views
    fmap = build_flow_map(flows, nodes, districts, gazetteer.countries, TEXT, ASSETS)
    metadata = build_export_metadata(
        "Labour approvals", ["Fiscal year (BS): 2079/80"], [CREDIT], None,
        link="http://atlas/?fy=2079%2F80",
    )  # fmt: skip
    image = _image(map_png(fmap, metadata))
    assert image.format == "PNG"
    assert image.size == (int(WIDTH_IN * DPI), int(HEIGHT_IN * DPI))
    # Flows and destination circles are drawn in their colours.
    assert _share_near(image, FLOW_COLOUR) > 0.005
    assert _share_near(image, _over(NODE_COLOUR, 0.75), 20) > 0.002
    # The file carries its title, source and metadata, as every export does.
    assert image.text["Title"] == TEXT.title
    assert image.text["Source"] == TEXT.source_note
    from routes.map_image import _notes

    notes = _notes(TEXT, dataclasses.replace(metadata, caveats=("5 of the view's 40 flows.",)))
    assert "• 5 of the view's 40 flows." in notes and "• Permits, not departures." in notes
    comment = json.loads(image.text["Comment"])
    assert comment["filters"] == ["Fiscal year (BS): 2079/80"]
    assert comment["link"] == "http://atlas/?fy=2079%2F80"
    assert comment["suppression"] is None


def test_hidden_counts_are_drawn_as_on_the_page_grey_and_at_one_width(gazetteer, views):
    """The image is drawn from the map's layers: a flow whose count is hidden is grey, as on
    the page, and the suppression notice is in the image's metadata."""
    flows, nodes, districts = views
    hidden = flows.assign(
        count=flows["count"].astype("Float64").mask(flows.index >= 0),
        count_label="hidden",
    )
    text = MapText(**{**TEXT.__dict__, "suppression_k": 10})
    # The lines' colours only: no shaded districts (drawn in an inset of Nepal, in reds).
    areas = districts.iloc[0:0]
    plain, grey = (
        _image(map_png(build_flow_map(lines, nodes, areas, gazetteer.countries, text, ASSETS)))
        for lines in (flows, hidden)
    )
    assert _share_near(plain, HIDDEN_LINE_COLOUR, 12) < _share_near(grey, HIDDEN_LINE_COLOUR, 12)
    assert _share_near(grey, FLOW_COLOUR, 12) < _share_near(plain, FLOW_COLOUR, 12) / 5
    metadata = build_export_metadata("People", [], [CREDIT], 10)
    fmap = build_flow_map(hidden, nodes, districts, gazetteer.countries, text, ASSETS)
    image = _image(map_png(fmap, metadata))
    assert metadata.suppression
    assert json.loads(image.text["Comment"])["suppression"] == metadata.suppression


def test_the_district_map_image_fits_nepal_and_shades_its_districts(gazetteer, views):
    _, _, districts = views
    fmap = build_district_map(districts, gazetteer.countries, TEXT, ASSETS)
    image = _image(map_png(fmap))
    # The darkest class, the Tarai's largest districts, is drawn large: the map is of Nepal.
    assert _share_near(image, _over(DISTRICT_COLOURS[-1], 0.85), 12) > 0.01


def test_an_image_of_synthetic_data_says_so_under_its_title(gazetteer, views):
    from routes.map_image import SYNTHETIC_COLOUR

    flows, nodes, districts = views
    fmap = build_flow_map(flows, nodes, districts, gazetteer.countries, TEXT, ASSETS)
    synthetic = dataclasses.replace(CREDIT, title="Cases (synthetic demonstration data)")
    images = [
        _image(map_png(fmap, build_export_metadata("People", [], [credit], None)))
        for credit in (CREDIT, synthetic)
    ]
    assert images[0].text["Title"] == TEXT.title
    assert images[1].text["Title"].endswith("Synthetic demonstration data: not real cases")
    # In its own colour, at the top of the image.
    tops = [image.crop((0, 0, image.size[0], 120)) for image in images]
    assert (
        _share_near(tops[0], SYNTHETIC_COLOUR, 10) == 0 < _share_near(tops[1], SYNTHETIC_COLOUR, 10)
    )


def test_a_map_not_built_by_the_atlas_has_no_image():
    with pytest.raises(ValueError, match="no legend"):
        map_png(folium.Map())


def test_an_empty_view_gives_an_image_of_the_basemap_and_its_notes(gazetteer, views):
    flows, nodes, districts = views
    fmap = build_flow_map(
        flows.iloc[0:0], nodes.iloc[0:0], districts.iloc[0:0], gazetteer.countries, TEXT, ASSETS
    )
    image = _image(map_png(fmap))
    assert _share_near(image, FLOW_COLOUR, 12) == 0
    assert image.size[0] == int(WIDTH_IN * DPI)


@pytest.mark.parametrize("angle", [0.0, -90.0, 150.0])
def test_an_arrowhead_in_the_image_is_as_long_as_on_the_page_and_half_as_wide(angle):
    """matplotlib drew the heads at half their size: they sat inside their lines."""
    from matplotlib.figure import Figure
    from shapely.geometry import Point

    from routes.map_image import PT_PER_PX, _draw_arrows

    figure = Figure(figsize=(2, 2), dpi=72)  # a point is a pixel
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_axis_off()
    axes.set_xlim(-1, 1)
    axes.set_ylim(-1, 1)
    style = {"properties": {"size": 40.0, "angle": angle, "colour": "#000000"}}
    _draw_arrows(axes, [(style, Point(0.0, 0.0))])
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=72)
    pixels = np.asarray(Image.open(buffer).convert("L")) < 128
    rows, columns = np.nonzero(pixels)
    extent = max(np.ptp(rows), np.ptp(columns)) + 1
    length = 40.0 * PT_PER_PX  # 30 points: 30 pixels here
    assert abs(extent - length) <= 3, extent
    # The tip is the point (the image's centre), the rest behind it.
    middle = pixels.shape[0] / 2
    if angle == 0.0:
        assert columns.max() <= middle + 1 and columns.min() >= middle - length - 1
    if angle == -90.0:  # north: the tip at the top, the head below it
        assert rows.min() >= middle - 1 and rows.max() <= middle + length + 1


def test_many_notes_make_the_image_taller_not_the_map_a_strip(gazetteer, views):
    """Several datasets' caveats under the map left it a strip of a page."""
    flows, nodes, districts = views
    fmap = build_flow_map(flows, nodes, districts, gazetteer.countries, TEXT, ASSETS)
    caveats = [f"Caveat {n}: " + "what a reader of this figure must know. " * 3 for n in range(30)]
    metadata = build_export_metadata("People", [], [CREDIT], None, caveats=caveats)
    image = _image(map_png(fmap, metadata))
    assert image.size[0] == int(WIDTH_IN * DPI) and image.size[1] > int(HEIGHT_IN * DPI)
    # The map keeps its height: flows drawn over most of a band of the image's width.
    assert _share_near(image, FLOW_COLOUR) > 0.002


def test_an_image_names_its_largest_places_and_holds_them_whole(gazetteer, views):
    """A report's reader could not tell which circle was which country, nor which district was
    which; and Malta, sixth of women's destinations, lay outside the image (a helper's
    walkthrough)."""
    from routes.map_image import NAMED_PLACES, _named_places, _shaped_layers, _with_places
    from routes.maps import DEFAULT_BOUNDS

    flows, nodes, districts = views
    fmap = build_flow_map(flows, nodes, districts, gazetteer.countries, TEXT, ASSETS)
    named = _named_places(_shaped_layers(fmap))
    largest = nodes.sort_values("count_in", ascending=False)["name"].head(NAMED_PLACES).tolist()
    assert {name for name, *_ in named} == set(largest) and all(circle for *_, circle in named)
    # The Nepal map names its most counted districts at a point inside each.
    fmap = build_district_map(districts, gazetteer.countries, TEXT, ASSETS)
    named = _named_places(_shaped_layers(fmap))
    top = districts.sort_values("count", ascending=False).head(NAMED_PLACES)
    assert {name for name, *_ in named} == set(top["name"])
    outlines = dict(zip(top["name"], top.geometry, strict=True))
    import shapely

    assert all(outlines[name].contains(shapely.Point(x, y)) for name, x, y, _ in named)
    # The frame takes in the circles it names, and stays as it is for areas.
    malta = [("Malta", 14.4, 35.9, True)]
    (south, west), (north, east) = _with_places(DEFAULT_BOUNDS, malta)
    assert west <= 12.4 and (south, north, east) == (-9.0, 50.0, 138.0)
    assert _with_places(DEFAULT_BOUNDS, [("Malta", 14.4, 35.9, False)]) == DEFAULT_BOUNDS
    # Names are drawn as they read, not as the page escapes them.
    from matplotlib.figure import Figure

    from routes.map_image import _label_places

    axes = Figure().add_subplot()
    _label_places(axes, [("C&#x27;te d&#x27;Ivoire", 0.0, 0.0, True)])
    assert [text.get_text() for text in axes.texts] == ["C'te d'Ivoire"]
    # No name covers another (Nuwakot's ran over Sindhupalchok's): one written at the same
    # place moves to another side.
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    axes = Figure().add_subplot()
    axes.set_xlim(0, 10)
    axes.set_ylim(0, 10)
    _label_places(axes, [("Sindhupalchok", 5.0, 5.0, False), ("Nuwakot", 5.0, 5.0, False)])
    renderer = FigureCanvasAgg(axes.figure).get_renderer()
    boxes = [text.get_window_extent(renderer) for text in axes.texts]
    assert len(boxes) == 2 and not boxes[0].overlaps(boxes[1])


@pytest.mark.parametrize("level", ["district", "province"])
def test_a_world_map_image_draws_the_origin_districts_in_an_inset_of_nepal(gazetteer, views, level):
    """Under the arcs at world scale the districts were a blur at Nepal, beside a legend of
    their classes (a ministry analyst's walkthrough): they are drawn in an inset, large. So are
    the provinces, at the province level (their layer is named for them)."""
    from routes.flows import compute_province_totals

    flows, nodes, districts = views
    if level == "province":
        districts = compute_province_totals(gazetteer, districts)
    with_areas = build_flow_map(flows, nodes, districts, gazetteer.countries, TEXT, ASSETS)
    without = build_flow_map(flows, nodes, districts.iloc[0:0], gazetteer.countries, TEXT, ASSETS)
    classes = [colour for colour, label in with_areas.atlas_legend.areas if label[0].isdigit()]
    darkest = classes[-1]
    shaded, bare = (_image(map_png(fmap)) for fmap in (with_areas, without))
    # Under the legend, at the right of the map (over the map's lower left it covered
    # destinations in Africa): districts in their reds there, not without.
    width, height = shaded.size
    corner = (int(width * 0.78), int(height * 0.68), int(width * 0.99), int(height * 0.88))
    # (Drawn at 85% opacity, as on the page: near their class colour.)
    inset, none = (_share_near(image.crop(corner), darkest, 45) for image in (shaded, bare))
    # (Of 7 provinces, one or two are in the darkest class.)
    assert inset > (0.02 if level == "district" else 0.005) and inset > 5 * none, (inset, none)


def test_the_shading_legend_names_its_unit_and_starts_at_the_smallest_count(gazetteer, views):
    """Headed "Origin districts" only, its first class "1–29,094" beside provinces of 25,466
    and more (a ministry analyst's walkthrough)."""
    from routes.maps import build_district_map

    _, _, districts = views
    fmap = build_district_map(districts, gazetteer.countries, TEXT, ASSETS)
    spec = fmap.atlas_legend
    assert spec.area_heading == f"Origin districts ({TEXT.unit})"
    # Of the shaded areas: an undivided district's outline is not shaded (one of 3 made the
    # legend read "3–2,661": a code review).
    former = districts["kind"] == "former_district"
    assert former.any()
    districts = districts.assign(count=districts["count"].mask(former, 3))
    shaded = districts[districts["kind"] == "district"]
    smallest = int(shaded.loc[shaded["count"] > 0, "count"].min())
    assert smallest > 3
    assert spec.areas[0][1].startswith(f"{smallest:,}–")
    unfocused = build_district_map(districts, gazetteer.countries, TEXT, ASSETS, focused=False)
    assert unfocused.atlas_legend.area_heading == f"Origin districts ({TEXT.unit}, not focused)"


def test_the_inset_keeps_below_the_legend_or_is_left_out(gazetteer, views):
    """It covered the legend's last class under a title of two lines (a regression
    walkthrough): it takes the room under the legend's last row, and none if too little."""
    from matplotlib.figure import Figure

    from routes.map_image import MIN_INSET_IN, _nepal_inset, _shaped_layers

    flows, nodes, districts = views
    layers = _shaped_layers(
        build_flow_map(flows, nodes, districts, gazetteer.countries, TEXT, ASSETS)
    )
    figure = Figure(figsize=(11, 8.5))
    axes = figure.add_axes((0.02, 0.1, 0.74, 0.8))
    top = 0.1 + 1.0 / 8.5  # an inch of room under the legend
    _nepal_inset(figure, axes, layers, "Origin districts", top=top)
    (inset,) = figure.axes[1:]
    assert inset.get_position().y1 <= top + 1e-9
    cramped = Figure(figsize=(11, 8.5))
    axes = cramped.add_axes((0.02, 0.1, 0.74, 0.8))
    assert not _nepal_inset(cramped, axes, layers, "Origin districts", 0.1 + MIN_INSET_IN / 17)
    assert len(cramped.axes) == 1
    # Left out, the areas are drawn on the map instead (the legend listed their classes over
    # no area drawn anywhere: a code review).
    from unittest import mock

    import routes.map_image
    from routes.maps import DISTRICTS_LAYER

    fmap = build_flow_map(flows, nodes, districts, gazetteer.countries, TEXT, ASSETS)
    long = dataclasses.replace(fmap.atlas_legend, lines=fmap.atlas_legend.lines * 7)
    fmap.atlas_legend = long
    drawn = []
    real = routes.map_image._draw_layer

    def recorded(axes, layer, shaped):
        drawn.append((id(axes), layer.layer_name))
        return real(axes, layer, shaped)

    with mock.patch.object(routes.map_image, "_draw_layer", recorded):
        map_png(fmap)
    main = drawn[0][0]  # the basemap, first on the map
    assert (main, DISTRICTS_LAYER) in drawn
    assert {axes for axes, _ in drawn} == {main}  # no inset
