import json
import re

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from routes.filters import FilterState, filter_records
from routes.flows import compute_district_totals, compute_flows, compute_nodes
from routes.gazetteer import place_records
from routes.maps import (
    ARROWS_LAYER,
    BASEMAP_LAYER,
    DESTINATIONS_LAYER,
    DISTRICTS_LAYER,
    FLOWS_LAYER,
    FORMER_LAYER,
    HIDDEN_FILL,
    FeatureLayer,
    LeafletAssets,
    MapText,
    basemap_json,
    build_district_map,
    build_flow_map,
    flow_width_px,
)

ASSETS = LeafletAssets(js_url="../local.leaflet/leaflet.js", css_url="../local.leaflet/leaflet.css")
TEXT = MapText(
    title="Labour approvals, FY 2079/80",
    unit="Labour approvals",
    source_note="Department of Foreign Employment, monthly reports",
    caveats=("Permits, not departures.",),
)


@pytest.fixture(scope="module")
def flow_map(gazetteer, placed_destinations, placed_districts):
    state = FilterState(fiscal_year="2079/80")
    flows = compute_flows(gazetteer, filter_records(placed_destinations, state), "national")
    districts = compute_district_totals(gazetteer, filter_records(placed_districts, state))
    nodes = compute_nodes(gazetteer, flows)
    fmap = build_flow_map(flows, nodes, districts, gazetteer.countries, TEXT, ASSETS)
    return fmap, flows, fmap.get_root().render()


def _geojson_layers(fmap):
    return {
        child.layer_name: child
        for child in fmap._children.values()
        if isinstance(child, FeatureLayer)
    }


def test_map_holds_one_geojson_layer_per_kind(flow_map):
    fmap, flows, _ = flow_map
    layers = _geojson_layers(fmap)
    assert set(layers) == {
        BASEMAP_LAYER,
        DISTRICTS_LAYER,
        FORMER_LAYER,
        FLOWS_LAYER,
        ARROWS_LAYER,
        DESTINATIONS_LAYER,
    }
    assert len(layers[FLOWS_LAYER].data["features"]) == len(flows)
    assert not any(isinstance(child, folium.PolyLine) for child in fmap._children.values())
    assert len(layers[DISTRICTS_LAYER].data["features"]) == 77
    assert not any(isinstance(child, folium.GeoJson) for child in fmap._children.values())


def test_arrowheads_are_points_sized_in_pixels_by_their_lines_width(flow_map):
    """Arrowheads were triangles in kilometres: wedges wider than the Gulf when zoomed in,
    out of sight when zoomed out. They are points drawn at a size in pixels."""
    from routes.maps import arrowhead_px

    fmap, flows, rendered = flow_map
    layers = _geojson_layers(fmap)
    arrows = layers[ARROWS_LAYER]
    assert arrows.marker == "arrow" and not arrows.interactive
    heads = arrows.data["features"]
    assert len(heads) == len(flows)
    assert {head["geometry"]["type"] for head in heads} == {"Point"}
    # In the flows' order (the flow layer draws thinnest first, so it is reversed).
    widths = [f["properties"]["width"] for f in layers[FLOWS_LAYER].data["features"]][::-1]
    sizes = [head["properties"]["size"] for head in heads]
    assert sizes == [arrowhead_px(width) for width in widths]
    assert min(sizes) < max(sizes) and all(
        size > width for size, width in zip(sizes, widths, strict=True)
    )
    # Turned the way of travel, clockwise from east as drawn (north is up: negative).
    angle = dict(
        zip(flows["destination_name"], [head["properties"]["angle"] for head in heads], strict=True)
    )
    assert abs(angle["Qatar"]) > 150  # west
    assert 0 < angle["Malaysia"] < 90  # south-east
    assert -60 < angle["Japan"] < 0  # east-north-east
    assert "L.divIcon" in rendered


def test_layer_data_is_valid_geojson_and_each_shape_is_encoded_once(gazetteer, flow_map):
    from routes.maps import _GEOMETRY_JSON, layer_data_json

    fmap, flows, html = flow_map
    columns = {"origin_name": list(flows["origin_name"]), "count": list(flows["count"])}
    first = layer_data_json(flows.geometry.array, columns)
    cached = {key: text for key, (_, text) in _GEOMETRY_JSON.items()}
    again = layer_data_json(
        flows.geometry.array[::-1], {key: values[::-1] for key, values in columns.items()}
    )
    # Same shapes: the text is the cached one, not a new encoding.
    assert {key: text for key, (_, text) in _GEOMETRY_JSON.items()} == cached
    data, reversed_data = json.loads(first), json.loads(again)
    assert len(data["geometries"]) == len(data["properties"]["count"]) == len(flows)
    assert data["geometries"][0] == reversed_data["geometries"][-1]
    assert data["properties"]["count"][0] == int(flows["count"].iloc[0])
    line = data["geometries"][0]["coordinates"]
    assert line[0] == [round(v, 3) for v in flows.geometry.iloc[0].coords[0]]
    # Rendered as L.geoJson layers with their tooltips, not as folium.GeoJson templates.
    assert html.count("L.geoJson(") == 6
    assert "bindTooltip" in html


def test_layer_data_cannot_close_the_script_element(gazetteer):
    frame = gpd.GeoDataFrame(
        {"label": ["</script><script>alert('x')</script>&"]},
        geometry=[shapely.Point(85.3, 27.7)],
        crs="EPSG:4326",
    )
    from routes.maps import layer_data_json

    text = layer_data_json(frame.geometry.array, {"label": list(frame["label"])})
    assert "<" not in text and ">" not in text and "'" not in text and "&" not in text
    assert json.loads(text)["properties"]["label"] == [frame["label"].iloc[0]]


def test_basemap_is_compact_and_keeps_small_destination_states(gazetteer):
    text = basemap_json(gazetteer.countries)
    assert basemap_json(gazetteer.countries) is text  # made once, then reused
    assert len(text) < 450_000
    geometries = json.loads(text)["geometries"]
    assert len(geometries) == len(gazetteer.countries)
    assert all(geometry["coordinates"] for geometry in geometries)


def test_flow_width_follows_volume(flow_map):
    fmap, flows, _ = flow_map
    features = _geojson_layers(fmap)[FLOWS_LAYER].data["features"]
    widths = {f["properties"]["route"]: f["properties"]["width"] for f in features}
    assert widths["Nepal → Malaysia"] > widths["Nepal → Qatar"] > widths["Nepal → Japan"]
    assert flow_width_px(0, 100) < flow_width_px(100, 100)


def test_map_uses_canvas_and_only_the_given_leaflet_files(flow_map):
    _, _, html = flow_map
    assert 'preferCanvas": true' in html or "preferCanvas: true" in html
    assert "../local.leaflet/leaflet.js" in html
    assert "../local.leaflet/leaflet.css" in html
    external = re.findall(r"(?:src|href)=\"(https?://[^\"]+)\"", html)
    assert external == []
    assert "cdn.jsdelivr" not in html and "cdnjs" not in html


def test_the_scale_bar_is_in_kilometres_only(flow_map):
    """The miles bar was cut by the map's edge to "1000 m" (read as metres)."""
    _, _, html = flow_map
    assert html.count("L.control.scale(") == 1
    assert "L.control.scale({imperial: false})" in html


def test_map_has_legend_source_note_and_formatted_tooltips(flow_map):
    _, _, html = flow_map
    assert "atlas-legend" in html
    assert "Labour approvals, FY 2079/80" in html
    assert "Department of Foreign Employment, monthly reports" in html
    assert "Permits, not departures." in html
    assert "233,576" in html  # Malaysia, FY 2079/80, formatted
    assert "Share of flows shown" in html


def test_place_names_are_escaped_in_the_map(gazetteer):
    records = place_records(
        gazetteer,
        pd.DataFrame(
            {"origin": ["Jhapa"], "destination": ["Qatar"], "count": [3], "transit": [pd.NA]}
        ),
    ).records
    flows = compute_flows(gazetteer, records)
    flows["origin_name"] = "<script>alert(1)</script>"
    nodes = compute_nodes(gazetteer, flows)
    districts = compute_district_totals(gazetteer, records)
    html = (
        build_flow_map(flows, nodes, districts, gazetteer.countries, TEXT, ASSETS)
        .get_root()
        .render()
    )
    assert "<script>alert(1)</script>" not in html
    # Escaped as text (&lt;script&gt;), then JSON-encoded inside the GeoJSON data.
    assert "\\u0026lt;script\\u0026gt;alert(1)" in html


def test_district_map_is_zoomed_to_nepal(gazetteer, placed_districts):
    districts = compute_district_totals(gazetteer, placed_districts)
    fmap = build_district_map(districts, gazetteer.countries, TEXT, ASSETS)
    html = fmap.get_root().render()
    assert DISTRICTS_LAYER in _geojson_layers(fmap)
    assert "fitBounds" in html and "[[26.34" in html and "88.2" in html  # Nepal's districts


def test_an_undivided_district_not_recorded_apart_is_shaded_as_an_area_of_its_own(
    gazetteer, placed_districts
):
    """In FY 2078/79 DoFE lists undivided Nawalparasi and Rukum only: their halves were drawn
    blank as "none recorded", and the undivided counts were in no shading."""
    early = filter_records(placed_districts, FilterState(fiscal_year="2078/79"))
    districts = compute_district_totals(gazetteer, early)
    fmap = build_district_map(districts, gazetteer.countries, TEXT, ASSETS)
    layers = _geojson_layers(fmap)
    shaded = {
        f["properties"]["label"]: f["properties"] for f in layers[DISTRICTS_LAYER].data["features"]
    }
    assert "Nawalparasi East" not in shaded and "Rukum West" not in shaded
    undivided = shaded["Nawalparasi (undivided)"]
    assert (
        undivided["count_label"]
        == f"{int(early.loc[early['origin'] == 'Nawalparasi', 'count'].sum()):,}"
    )
    assert undivided["colour"] != HIDDEN_FILL
    assert len(shaded) == 77 - 4 + 2
    # Their dashed outlines stay; in FY 2079/80, with the halves named, they are not shaded.
    assert len(layers[FORMER_LAYER].data["features"]) == 2
    later = compute_district_totals(
        gazetteer, filter_records(placed_districts, FilterState(fiscal_year="2079/80"))
    )
    labels = [
        f["properties"]["label"]
        for f in _geojson_layers(build_district_map(later, gazetteer.countries, TEXT, ASSETS))[
            DISTRICTS_LAYER
        ].data["features"]
    ]
    assert "Nawalparasi East" in labels and "Nawalparasi (undivided)" not in labels


def test_legend_samples_never_go_below_the_suppression_threshold():
    from routes.maps import _legend_values

    assert min(_legend_values(30)) < 10
    assert all(value >= 10 for value in _legend_values(30, k=10))
    assert _legend_values(5, k=10) == []


def test_legend_samples_never_go_below_the_smallest_flow_drawn():
    """A report's legend read "22, 5, 1" beside flows of 7 and more: the examples stop at the
    smallest flow drawn, which is the last one."""
    from routes.maps import _legend_values

    assert _legend_values(22) == [22, 5, 1]
    assert _legend_values(22, smallest=7) == [22, 7]
    assert _legend_values(22, smallest=3) == [22, 5, 3]
    assert _legend_values(22, smallest=22) == [22]
    # Restricted data keep their threshold alone: a smallest shown count is not said.
    assert _legend_values(200, k=10, smallest=37) == [200, 50, 10]


def test_restricted_legend_classes_start_at_the_threshold(gazetteer, placed_districts):
    from dataclasses import replace

    districts = compute_district_totals(gazetteer, placed_districts)
    text = replace(TEXT, suppression_k=10)
    html = build_district_map(districts, gazetteer.countries, text, ASSETS).get_root().render()
    # The legend's HTML sits JSON-encoded in the map script.
    assert "\\u003c/span\\u003e10\\u2013" in html
    assert "\\u003c/span\\u003e1\\u2013" not in html


def test_a_map_drawn_again_from_the_same_view_encodes_no_new_shape(gazetteer, placed_destinations):
    from routes.maps import _GEOMETRY_JSON

    records = placed_destinations.head(200)
    assert len(compute_flows(gazetteer, records, geometry=False)) > 10
    flows = compute_flows(gazetteer, records)
    nodes = compute_nodes(gazetteer, flows)
    districts = compute_district_totals(gazetteer, records)
    build_flow_map(flows, nodes, districts, gazetteer.countries, TEXT, ASSETS).get_root().render()
    remembered = len(_GEOMETRY_JSON)
    for _ in range(3):
        fmap = build_flow_map(flows, nodes, districts, gazetteer.countries, TEXT, ASSETS)
        fmap.get_root().render()
    # Arcs, outlines and arrowheads are made and encoded once, then reused.
    assert len(_GEOMETRY_JSON) == remembered


@pytest.mark.parametrize(
    ("k", "bounds", "classes"),
    [
        # Restricted: the counts shown are 10 or more and multiples of 5, so each class starts
        # at one; a class of one value reads as that value.
        (10, [10, 15, 20, 25, 35], ["10", "15", "20", "25", "30–35"]),
        (13, [15, 25], ["15", "20–25"]),  # nothing below 15 is shown for a k of 13
        (None, [5, 20, 400], ["1–5", "6–20", "21–400"]),
    ],
)
def test_district_classes_read_as_the_counts_they_hold(k, bounds, classes):
    import folium

    from routes.maps import add_legend, legend_spec

    fmap = folium.Map()
    text = MapText(title="People", unit="People", source_note="", suppression_k=k)
    add_legend(fmap, text, legend_spec(text, 0, 0, bounds))
    # The legend's HTML sits JSON-encoded in the map script.
    html = fmap.get_root().render()
    for escaped, char in (("\\u003c", "<"), ("\\u003e", ">"), ("\\u0027", "'"), ("\\u2013", "–")):
        html = html.replace(escaped, char)
    found = re.findall(r"#999'></span>([^<]+)</div>", html)
    assert found == [*classes, "none recorded"]


def test_hidden_lines_are_drawn_apart_at_one_width_and_named_in_the_legend(
    gazetteer, flow_map, placed_districts
):
    """Hidden legs were drawn at the thinnest width: the largest (about 196 people) looked like
    the smallest flow."""
    from routes.maps import FLOW_COLOUR, HIDDEN_LINE_COLOUR, HIDDEN_LINE_DASH, HIDDEN_LINE_WIDTH_PX

    _, flows, _ = flow_map
    hidden = flows["destination_name"].isin(["Malaysia", "Japan"])
    suppressed = flows.assign(
        count=flows["count"].astype("Float64").mask(hidden),
        count_label=flows["count"].map("{:,}".format).mask(hidden, "hidden"),
    )
    districts = compute_district_totals(gazetteer, placed_districts)
    nodes = compute_nodes(gazetteer, flows)
    fmap = build_flow_map(suppressed, nodes, districts, gazetteer.countries, TEXT, ASSETS)
    features = _geojson_layers(fmap)[FLOWS_LAYER].data["features"]
    by_route = {f["properties"]["route"]: f["properties"] for f in features}
    for route in ("Nepal → Malaysia", "Nepal → Japan"):
        assert by_route[route]["width"] == HIDDEN_LINE_WIDTH_PX
        assert by_route[route]["dash"] == HIDDEN_LINE_DASH
    assert by_route["Nepal → Qatar"]["dash"] is None
    assert by_route["Nepal → Qatar"]["width"] > HIDDEN_LINE_WIDTH_PX
    assert "count hidden, any size" in fmap.get_root().render()
    # Their arrowheads are grey too, in the flows' order.
    arrows = [
        f["properties"]["colour"] for f in _geojson_layers(fmap)[ARROWS_LAYER].data["features"]
    ]
    assert arrows == [HIDDEN_LINE_COLOUR if h else FLOW_COLOUR for h in hidden]


def test_documented_routes_have_their_own_legend_entry_apart_from_hidden_counts(gazetteer):
    """Both are dashed lines: the corridor legend named the hidden counts only."""
    from routes.documented import compute_documented_paths, read_documented_routes
    from routes.maps import build_corridor_map
    from routes.schema import validate_records
    from routes.views import compute_view

    records = place_records(
        gazetteer,
        validate_records(
            pd.DataFrame(
                {
                    "origin": ["Jhapa"],
                    "destination": ["Qatar"],
                    "transit": ["New Delhi"],
                    "count": [40],
                    "period": ["Magh 2079"],
                }
            )
        ).records,
    ).records
    view = compute_view(gazetteer, records, FilterState())
    documented = compute_documented_paths(gazetteer, read_documented_routes())

    def legend(paths) -> str:
        fmap = build_corridor_map(
            view.legs, view.corridor_nodes, paths, gazetteer.countries, TEXT, ASSETS
        )
        return fmap.get_root().render()

    assert "documented route, no volume" in legend(documented)
    assert "documented route, no volume" not in legend(None)


@pytest.mark.parametrize("k", [None, 10])
def test_a_corridor_place_reads_what_it_is_drawn_by(gazetteer, k):
    """Kathmandu's airport was drawn by the cases passing through it, its tooltip reading the 0
    arriving; with restricted data a place passed by a hidden count was not drawn at all."""
    from routes.maps import PLACES_LAYER, build_corridor_map
    from routes.schema import validate_records
    from routes.views import compute_view

    frame = pd.DataFrame(
        {
            "origin": ["Jhapa", "Morang", "Ilam"],
            "destination": ["Qatar", "Qatar", "Qatar"],
            "transit": ["New Delhi", "New Delhi", "Kakarbhitta"],
            "count": [40, 25, 3],
            "period": ["Magh 2079"] * 3,
        }
    )
    records = place_records(gazetteer, validate_records(frame).records).records
    view = compute_view(gazetteer, records, FilterState(), k=k)
    fmap = build_corridor_map(
        view.legs, view.corridor_nodes, None, gazetteer.countries, TEXT, ASSETS
    )
    features = _geojson_layers(fmap)[PLACES_LAYER].data["features"]
    shown = {f["properties"]["label"]: f["properties"]["count_label"] for f in features}
    if k is None:
        assert shown["New Delhi"] == "65" and shown["Kakarbhitta"] == "3" and shown["Qatar"] == "68"
    else:
        assert shown["Kakarbhitta"] in ("<10", "hidden")  # drawn, its count hidden
        assert "0" not in shown.values()
    # Its tooltip says the count is of the corridors drawn (it read "People 6" beside the
    # focus's 8, of every corridor).
    assert f"{TEXT.unit}, corridors drawn" in _unescaped(fmap)


def test_a_map_of_nepal_fits_its_areas_between_legend_and_folded_sources(
    gazetteer, placed_districts, flow_map
):
    """The source note covered the districts of the south west, and under a Madhesh filter the
    map stayed on all of Nepal (a helper's walkthrough)."""
    import re

    from routes.maps import build_district_map

    districts = compute_district_totals(gazetteer, placed_districts)
    madhesh = districts[districts["province"] == "Madhesh"]
    for frame, west, east in ((districts, 80.0, 88.3), (madhesh, 84.5, 87.2)):
        html = _unescaped(build_district_map(frame, gazetteer.countries, TEXT, ASSETS))
        assert "<details class='atlas-source'" in html and "<summary><b>Source:</b>" in html
        bounds = re.search(
            r"fitBounds\(\s*\[\[([-\d.]+),\s*([-\d.]+)\],\s*\[([-\d.]+),\s*([-\d.]+)\]\]", html
        )
        south, low_lon, north, high_lon = map(float, bounds.groups())
        assert west - 0.3 <= low_lon and high_lon <= east + 0.3, bounds.groups()
        assert "paddingBottomRight" in html
    # The flow map, whose note lies over the ocean, keeps it open, but on a narrow map (the
    # corridors' at 1366 px, a third of it under the note) it starts folded to its sources.
    html = _unescaped(flow_map[0])
    assert "<details class='atlas-source' open data-fold-below='600'" in html
    assert "folding.open = false" in html


def _unescaped(fmap) -> str:
    """A map's page with the HTML of its controls as written (the page holds it JSON-escaped)."""
    html = fmap.get_root().render()
    return html.replace("\\u003c", "<").replace("\\u003e", ">").replace("\\u0027", "'")


def test_one_area_with_records_is_shaded_darkest_not_palest(gazetteer, placed_districts):
    """A focus on one province left one class ("1-157,947") in the palest colour, hardly told
    from the areas without records (a helper's walkthrough); the legend says the same colour."""
    from routes.maps import DISTRICT_COLOURS, DISTRICTS_LAYER, build_district_map

    districts = compute_district_totals(gazetteer, placed_districts)
    one = districts.assign(count=np.where(districts["name"] == "Dhanusha", 34_847, 0))
    fmap = build_district_map(one, gazetteer.countries, TEXT, ASSETS)
    features = _geojson_layers(fmap)[DISTRICTS_LAYER].data["features"]
    colours = {f["properties"]["label"]: f["properties"]["colour"] for f in features}
    assert colours["Dhanusha"] == DISTRICT_COLOURS[-1]
    legend = _unescaped(fmap)
    assert f"background:{DISTRICT_COLOURS[-1]}" in legend.replace(" ", "")
    assert f"background:{DISTRICT_COLOURS[0]}" not in legend.replace(" ", "")
    # With five classes or more, the palest stays the smallest.
    many = build_district_map(districts, gazetteer.countries, TEXT, ASSETS)
    shades = {
        f["properties"]["colour"] for f in _geojson_layers(many)[DISTRICTS_LAYER].data["features"]
    }
    assert set(DISTRICT_COLOURS) <= shades


def test_a_place_whose_arrivals_are_hidden_is_drawn_by_a_shown_count_passing_it():
    """Restricted data: a place with hidden arrivals ("<10") and 50 passing was drawn at the
    smallest size (a code review); a place nothing arrives at reads what passes, hidden or not."""
    from shapely.geometry import Point

    from routes.maps import _sized_by_passing

    nodes = gpd.GeoDataFrame(
        {
            "count_in": [np.nan, 5.0, np.nan, 0.0],
            "count_through": [50.0, 0.0, np.nan, 30.0],
            "count_in_label": ["<10", "5", "0", "0"],
            "count_through_label": ["50", "0", "hidden", "30"],
        },
        geometry=[Point(0, 0)] * 4,
    )
    sized = _sized_by_passing(nodes)
    assert sized["count_in_label"].tolist() == ["50", "5", "hidden", "30"]
    assert sized["count_in"].tolist()[:2] == [50.0, 5.0] and sized["count_in"].tolist()[3] == 30.0


def test_areas_with_hidden_counts_have_a_legend_entry(gazetteer, placed_districts):
    """Restricted data: the grey districts (counts hidden) had no entry in the legend (a helper's
    walkthrough)."""
    from routes.maps import build_district_map

    districts = compute_district_totals(gazetteer, placed_districts).head(5)
    hidden = districts.assign(
        count=districts["count"].astype("Float64").mask([True, False] * 2 + [True])
    )
    assert "count hidden" in _unescaped(
        build_district_map(hidden, gazetteer.countries, TEXT, ASSETS)
    )
    assert "count hidden" not in _unescaped(
        build_district_map(districts, gazetteer.countries, TEXT, ASSETS)
    )


def test_the_district_maps_outlines_are_cut_to_nepals_part_of_the_world(gazetteer, flow_map):
    """Its outlines of the whole world were 363 KB of its 506 KB, on every filter change."""
    from routes.maps import NEPAL_BASEMAP_BOX

    fmap, _, _ = flow_map
    districts = compute_district_totals(gazetteer, pd.DataFrame(columns=["origin_id", "count"]))
    district_map = build_district_map(districts, gazetteer.countries, TEXT, ASSETS)
    world, nepal = (_geojson_layers(m)[BASEMAP_LAYER] for m in (fmap, district_map))
    assert len(nepal.data_json) < len(world.data_json) / 4
    west, south, east, north = NEPAL_BASEMAP_BOX
    coords = np.array(
        [
            xy
            for f in nepal.data["features"]
            for xy in shapely.get_coordinates(shapely.from_geojson(json.dumps(f["geometry"])))
        ]
    )
    assert coords[:, 0].min() >= west and coords[:, 0].max() <= east
    assert coords[:, 1].min() >= south and coords[:, 1].max() <= north
    # India, China and Nepal's other neighbours are there.
    assert len(nepal.data["features"]) >= 8


def test_circles_whose_counts_are_all_hidden_have_a_legend_entry(gazetteer, flow_map):
    """A restricted corridors map drew its places with no word of them in the legend."""
    _, flows, _ = flow_map
    nodes = compute_nodes(gazetteer, flows)
    hidden = nodes.assign(
        count_in=nodes["count_in"].astype("Float64").mask(nodes["count_in"] > 0),
        count_in_label="hidden",
    )
    districts = compute_district_totals(gazetteer, pd.DataFrame(columns=["origin_id", "count"]))
    shown = build_flow_map(flows, nodes, districts, gazetteer.countries, TEXT, ASSETS)
    masked = build_flow_map(flows, hidden, districts, gazetteer.countries, TEXT, ASSETS)
    assert shown.atlas_legend.node_heading == "Destinations (circle size)"
    assert masked.atlas_legend.node_heading == "Destinations (counts hidden, drawn small)"
    # ... with the circle they are drawn as (the heading stood over no symbol: an NGO's
    # walkthrough of a restricted corridors map image).
    from routes.maps import MIN_NODE_RADIUS_PX

    assert masked.atlas_legend.nodes == ((2 * MIN_NODE_RADIUS_PX, "count hidden"),)


def test_the_legend_lists_none_recorded_only_where_an_area_has_none(gazetteer, placed_districts):
    """The province map's legend listed "none recorded" beside seven provinces that all had
    records (a helper's walkthrough)."""
    from routes.flows import compute_province_totals
    from routes.maps import build_district_map

    districts = compute_district_totals(gazetteer, placed_districts)
    provinces = compute_province_totals(gazetteer, districts)
    assert (provinces["count"] > 0).all()
    assert "none recorded" not in _unescaped(
        build_district_map(provinces, gazetteer.countries, TEXT, ASSETS)
    )
    # A district with none (as under a sex or channel filter) keeps the entry.
    some = districts.assign(count=districts["count"].where(districts.index != 0, 0))
    fmap = build_district_map(some, gazetteer.countries, TEXT, ASSETS)
    assert "none recorded" in _unescaped(fmap)


def test_the_first_view_takes_in_the_largest_destinations(gazetteer, flow_map):
    """Croatia, Malta and Poland, among the largest destinations of women, lay outside the
    first view, which showed the Gulf to East Asia only (a newcomer's walkthrough)."""
    from routes.maps import DEFAULT_BOUNDS, FIRST_VIEW_DESTINATIONS, _first_view

    _, flows, _ = flow_map
    nodes = compute_nodes(gazetteer, flows)
    (south, west), (north, east) = _first_view(nodes)
    largest = nodes[nodes["count_in"] > 0].nlargest(FIRST_VIEW_DESTINATIONS, "count_in")
    for point in largest.geometry:
        assert south <= point.y <= north and west <= point.x <= east
    # No wider than the largest need, Nepal included.
    assert west >= min(largest.geometry.x.min(), 80.0) - 3
    assert east <= max(largest.geometry.x.max(), 88.3) + 3
    assert _first_view(nodes.iloc[0:0]) == DEFAULT_BOUNDS
    # Destinations whose counts are hidden (restricted data) are drawn, and taken in too.
    europe = nodes[nodes["place_id"].isin(["country:POL", "country:HRV", "country:MLT"])]
    hidden = europe.assign(count_in=europe["count_in"].astype("Float64").mask(europe.index >= 0))
    (_, h_west), _ = _first_view(hidden)
    assert h_west < 20
    # A view of the Gulf opens on Nepal and the Gulf, not on half the world.
    gulf = nodes[nodes["place_id"].isin(["country:QAT", "country:SAU", "country:ARE"])]
    (g_south, g_west), (g_north, g_east) = _first_view(gulf)
    assert g_west > 30 and g_east < 95 and g_south > 10 and g_north < 40
    # ... and the map is fitted to it.
    fmap, _, _ = flow_map
    fits = [child for child in fmap._children.values() if type(child).__name__ == "_FitBounds"]
    assert [tuple(map(tuple, fit.bounds)) for fit in fits] == [((south, west), (north, east))]
    # With room for the largest circle around it: the United States' and Canada's were cut in
    # half at the left edge (a walkthrough).
    from routes.maps import MAX_NODE_RADIUS_PX

    assert min(fits[0].options["padding"]) >= MAX_NODE_RADIUS_PX


def test_a_narrow_column_names_the_united_arab_emirates_as_uae():
    """A corridor to the UAE was cut to "... > United Arab" at 1280 px (walkthroughs)."""
    from routes.maps import short_path_name

    assert (
        short_path_name(
            "Dhanusha > Kathmandu Tribhuvan International Airport > United Arab Emirates"
        )
        == "Dhanusha > Kathmandu airport > UAE"
    )
    assert short_path_name("Qatar") == "Qatar"


def test_districts_no_record_names_are_drawn_pale_and_said_so(gazetteer):
    """A survey's other districts are drawn, pale, as not in these data: left out of the
    table, they must not vanish from the map nor read as "none recorded" (0)."""
    from routes.maps import NOT_COVERED_FILL, NOT_COVERED_LABEL

    outlines = compute_district_totals(gazetteer, pd.DataFrame({"origin_id": [], "count": []}))
    named = outlines[outlines["name"].isin(["Jhapa", "Kaski"])].assign(count=[5, 4])
    others = outlines[~outlines["name"].isin(["Jhapa", "Kaski"])]
    fmap = build_district_map(named, gazetteer.countries, TEXT, ASSETS, not_covered=others)
    features = _geojson_layers(fmap)[DISTRICTS_LAYER].data["features"]
    shaded = {f["properties"]["label"]: f["properties"] for f in features}
    assert len(shaded) == 77
    assert shaded["Humla"]["count_label"] == NOT_COVERED_LABEL
    assert shaded["Humla"]["colour"] == NOT_COVERED_FILL
    assert shaded["Jhapa"]["count_label"] == "5" and shaded["Jhapa"]["colour"] != NOT_COVERED_FILL
    html = fmap.get_root().render()
    # The legend's swatch for them; none for "none recorded", which no district is.
    assert f"background:{NOT_COVERED_FILL}" in html and "none recorded" not in html


def test_the_palest_class_is_told_apart_from_the_areas_without_a_shown_count():
    """The palest class (cream, #fef0d9) was hardly told from "not in these data" (#ececec) on
    a survey's map (an analyst's walkthrough): each class colour stands apart from the fills of
    areas with no count shown, by a distance an eye sees at a glance on a screen."""
    from routes.maps import (
        BASEMAP_FILL,
        DISTRICT_COLOURS,
        HIDDEN_FILL,
        NO_DATA_FILL,
        NOT_COVERED_FILL,
    )

    def rgb(colour: str) -> np.ndarray:
        return np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)

    for shaded in DISTRICT_COLOURS:
        for plain in (NOT_COVERED_FILL, NO_DATA_FILL, HIDDEN_FILL, BASEMAP_FILL):
            assert np.linalg.norm(rgb(shaded) - rgb(plain)) > 60, (shaded, plain)


def test_a_province_map_with_no_province_listed_says_provinces(gazetteer):
    """At the province level, a view whose records name no district (a filter leaves none, or
    every record is national) drew its provinces pale under "Origin districts" and "District"
    on hover (a code review)."""
    from routes.flows import origin_outlines
    from routes.maps import PROVINCES_LAYER, FeatureLayer

    provinces = origin_outlines(gazetteer, "province")
    provinces = provinces[provinces["kind"] == "province"]
    none_listed = compute_district_totals(gazetteer, pd.DataFrame({"origin_id": [], "count": []}))
    fmap = build_district_map(
        none_listed.head(0), gazetteer.countries, TEXT, ASSETS, not_covered=provinces
    )
    layer = next(
        child
        for child in fmap._children.values()
        if isinstance(child, FeatureLayer) and child.layer_name == PROVINCES_LAYER
    )
    assert ("label", "Province") in [tuple(row) for row in layer.tooltip]
    assert "Origin provinces" in fmap.get_root().render()
    assert "Origin districts" not in fmap.get_root().render()
