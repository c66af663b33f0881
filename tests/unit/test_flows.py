import pandas as pd
import pytest
from shapely.geometry import LineString, MultiLineString

from routes.filters import FilterState, filter_records
from routes.flows import (
    compute_district_totals,
    compute_flow_totals,
    compute_flows,
    compute_nodes,
    not_recorded_apart,
)
from routes.gazetteer import KATHMANDU_AIRPORT_ID, place_point, place_records
from routes.geo import compute_arc, compute_arrow_tips
from routes.privacy import suppress_flow_view


def _records(gazetteer, rows):
    frame = pd.DataFrame(rows, columns=["origin", "destination", "count"])
    frame["transit"] = pd.NA
    return place_records(gazetteer, frame).records


def test_flow_totals_equal_record_totals(gazetteer, placed_destinations):
    flows = compute_flows(gazetteer, placed_destinations, level="national")
    assert flows["count"].sum() == placed_destinations["count"].sum()
    by_destination = placed_destinations.groupby("destination_id")["count"].sum()
    for row in flows.itertuples():
        assert row.count == by_destination[row.destination_id]
    assert flows.crs.to_epsg() == 4326
    assert flows["share"].sum() == pytest.approx(1.0)


def test_latest_year_table_is_led_by_malaysia_and_the_gulf(gazetteer, placed_destinations):
    latest = filter_records(placed_destinations, FilterState(fiscal_year="2079/80"))
    flows = compute_flows(gazetteer, latest, level="national", geometry=False)
    nodes = compute_nodes(gazetteer, flows, geometry=False)
    table = suppress_flow_view(flows, nodes, None).destination_table
    assert table["destination_name"].head(5).tolist() == [
        "Malaysia",
        "Qatar",
        "Saudi Arabia",
        "United Arab Emirates",
        "Kuwait",
    ]
    assert table["count"].sum() == latest["count"].sum()


def test_national_flows_depart_from_kathmandu_airport(gazetteer, placed_destinations):
    flows = compute_flows(gazetteer, placed_destinations, level="national")
    start = place_point(gazetteer, KATHMANDU_AIRPORT_ID)
    for geometry in flows.geometry.head(10):
        line = geometry.geoms[0] if isinstance(geometry, MultiLineString) else geometry
        assert line.coords[0] == pytest.approx(start)


def test_district_flows_group_and_aggregate_to_provinces(gazetteer):
    records = _records(
        gazetteer,
        [
            ("Jhapa", "Qatar", 5),
            ("Kabhre", "Qatar", 2),
            ("Morang", "Qatar", 4),
            ("Erewhon", "Qatar", 9),
        ],
    )
    flows = compute_flows(gazetteer, records, level="district")
    assert dict(zip(flows["origin_name"], flows["count"], strict=True)) == {
        "Jhapa": 5,
        "Morang": 4,
        "Kavrepalanchok": 2,
    }
    provinces = compute_flows(gazetteer, records, level="province")
    assert dict(zip(provinces["origin_name"], provinces["count"], strict=True)) == {
        "Koshi": 9,
        "Bagmati": 2,
    }
    totals = compute_flow_totals(records, flows)
    assert (totals.records_total, totals.flows_total, totals.unplaced) == (20, 11, 9)


def test_nodes_total_what_flows_bring_in_and_out(gazetteer):
    records = _records(
        gazetteer, [("Jhapa", "Qatar", 5), ("Jhapa", "Kuwait", 3), ("Ilam", "Qatar", 1)]
    )
    nodes = compute_nodes(gazetteer, compute_flows(gazetteer, records)).set_index("name")
    assert nodes.loc["Qatar", "count_in"] == 6
    assert nodes.loc["Jhapa", "count_out"] == 8
    assert nodes.loc["Kuwait", "count_out"] == 0
    assert nodes.crs.to_epsg() == 4326


def test_district_totals_keep_every_district_and_the_undivided_ones(gazetteer, placed_districts):
    totals = compute_district_totals(gazetteer, placed_districts)
    current = totals[totals["kind"] == "district"]
    assert len(current) == 77
    former = totals[totals["kind"] == "former_district"]
    assert set(former["name"]) == {"Nawalparasi", "Rukum"}
    assert totals["count"].sum() == placed_districts["count"].sum()


def test_a_split_district_the_records_do_not_name_apart_is_not_read_as_zero(gazetteer):
    """DoFE listed Nawalparasi East and West only from Bhadra 2079: a view of FY 2078/79 read
    "Nawalparasi East 0" beside "Nawalparasi (undivided) 5,653"."""
    undivided_only = _records(gazetteer, [("Nawalparasi", "Qatar", 7), ("Jhapa", "Qatar", 5)])
    totals = compute_district_totals(gazetteer, undivided_only).set_index("name")
    assert "Nawalparasi East" not in totals.index and "Nawalparasi West" not in totals.index
    assert totals.loc["Nawalparasi", "count"] == 7
    # Rukum's records name neither it nor its halves: its halves read 0, as every district.
    assert totals.loc["Rukum West", "count"] == 0 and totals.loc["Ilam", "count"] == 0
    assert len(totals[totals["kind"] == "district"]) == 75
    # A record naming a half, even of no one, splits the district: both halves are listed.
    named = _records(gazetteer, [("Nawalparasi", "Qatar", 7), ("Nawalparasi West", "Qatar", 0)])
    named = compute_district_totals(gazetteer, named).set_index("name")
    assert named.loc["Nawalparasi West", "count"] == 0
    assert named.loc["Nawalparasi East", "count"] == 0
    # The view may say which are not recorded apart (from the records before its filters).
    kept = compute_district_totals(gazetteer, undivided_only, apart={}).set_index("name")
    assert kept.loc["Nawalparasi East", "count"] == 0


def test_not_recorded_apart_needs_people_in_the_undivided_district(gazetteer):
    east, west = "district:Nawalparasi East", "district:Nawalparasi West"
    whole = "former_district:Nawalparasi"
    assert not_recorded_apart(gazetteer, {whole: 3}) == {east: whole, west: whole}
    assert not_recorded_apart(gazetteer, {whole: 3, east: 0}) == {}
    assert not_recorded_apart(gazetteer, {whole: 3, "former_district:Rukum": 0}) == {
        east: whole,
        west: whole,
    }
    assert not_recorded_apart(gazetteer, {whole: 0}) == {}
    assert not_recorded_apart(gazetteer, {}) == {}


def test_arcs_run_end_to_end_and_arcs_sharing_an_end_stay_apart():
    kathmandu, doha, dubai = (85.32, 27.70), (51.53, 25.29), (55.30, 25.27)
    to_doha = compute_arc(kathmandu, doha)
    to_dubai = compute_arc(kathmandu, dubai)
    assert to_doha.coords[0] == pytest.approx(kathmandu)
    assert to_doha.coords[-1] == pytest.approx(doha)
    # Bent, not straight: the middle leaves the chord.
    assert to_doha.distance(LineString([kathmandu, doha]).interpolate(0.5, normalized=True)) > 0.5
    # The return arc bends to the other side.
    back = compute_arc(doha, kathmandu)
    assert (
        back.interpolate(0.5, normalized=True).distance(to_doha.interpolate(0.5, normalized=True))
        > 1.0
    )
    assert (
        to_dubai.interpolate(0.5, normalized=True).distance(
            to_doha.interpolate(0.5, normalized=True)
        )
        > 0.5
    )


def test_arcs_to_the_americas_cross_the_map_whole_not_its_edge():
    """Split at the antimeridian, the flow to the United States left Asia off the map's right
    edge and arrived as a stub at its left (a walkthrough): it is one line across the map,
    westwards, that a reader can follow from Nepal to the place."""
    for end in ((-118.24, 34.05), (-74.0, 40.7), (-79.38, 43.65)):
        arc = compute_arc((85.32, 27.70), end)
        assert isinstance(arc, LineString)
        longitudes = [x for x, _ in arc.coords]
        assert all(-180 <= x <= 180 for x in longitudes)
        assert max(abs(a - b) for a, b in zip(longitudes, longitudes[1:], strict=False)) < 30
        assert arc.coords[0] == (85.32, 27.70) and arc.coords[-1] == end
        # Bent aside as other arcs are: westwards, to the north of the straight line.
        middle = arc.interpolate(0.5, normalized=True)
        assert middle.y > (27.70 + end[1]) / 2
    # Arcs that keep to one side of the edge are geodesics as before (Kathmandu to Tokyo).
    tokyo = compute_arc((85.32, 27.70), (139.69, 35.69))
    assert max(x for x, _ in tokyo.coords) <= 139.69 + 1e-9
    # Where the way across the map is much the longer, the geodesic is split at its edge
    # (Kathmandu to Tonga was drawn 260 degrees westwards: a code review).
    for start, end in (((85.32, 27.70), (-175.2, -21.1)), ((139.69, 35.69), (-118.24, 34.05))):
        arc = compute_arc(start, end)
        assert isinstance(arc, MultiLineString) and arc.length < 130
        for part in arc.geoms:
            longitudes = [x for x, _ in part.coords]
            assert max(abs(a - b) for a, b in zip(longitudes, longitudes[1:], strict=False)) < 90


def test_arrow_tip_sits_on_the_arc_near_its_end_pointing_the_way_of_travel():
    arc = compute_arc((85.32, 27.70), (51.53, 25.29))  # Kathmandu to Doha: westwards
    [(tip, angle)] = compute_arrow_tips([arc])
    assert tip.distance(arc) < 1e-9
    assert tip.distance(arc.interpolate(0.8, normalized=True)) < 3
    assert abs(angle) > 150
    # Back the other way, it points eastwards.
    [(_, back)] = compute_arrow_tips([compute_arc((51.53, 25.29), (85.32, 27.70))])
    assert abs(back) < 30


@pytest.mark.parametrize(
    ("line", "angle"),
    [
        ([(85.0, 27.0), (86.0, 27.0)], 0.0),  # east
        ([(85.0, 27.0), (85.0, 28.0)], -90.0),  # north is up the screen
        ([(85.0, 27.0), (84.0, 27.0)], 180.0),  # west
        ([(85.0, 27.0), (85.0, 26.0)], 90.0),  # south
        ([(0.0, 0.0), (1.0, 1.0)], -45.0),  # north-east near the equator
        # Far north a degree of latitude is drawn about 1 / cos(60.5°) = 2.03 times longer than
        # a degree of longitude: atan(2.03) = 63.8°.
        ([(10.0, 60.0), (11.0, 61.0)], -63.8),
        ([(179.5, 0.0), (-179.5, 0.0)], 0.0),  # eastwards over the antimeridian
    ],
)
def test_arrow_angles_are_the_way_of_travel_as_drawn_on_the_map(line, angle):
    from shapely.geometry import LineString

    [(tip, found)] = compute_arrow_tips([LineString(line)])
    assert tip.coords[0] == line[-1]  # a two-point line's tip is its end
    assert found == pytest.approx(angle, abs=0.15) or abs(found) == abs(angle) == 180.0


def test_arrow_tips_of_many_arcs_are_those_of_each_arc():
    from shapely.geometry import LineString

    arcs = [
        compute_arc((85.32, 27.70), (51.53, 25.29)),
        compute_arc((85.32, 27.70), (-118.24, 34.05)),  # across the map, westwards
        LineString([(85.0, 27.0), (86.0, 28.0)]),
        compute_arc((87.28, 26.45), (101.69, 3.14)),
    ]
    together = compute_arrow_tips(arcs)
    for arc, (tip, angle) in zip(arcs, together, strict=True):
        [(alone_tip, alone_angle)] = compute_arrow_tips([arc])
        assert tip.equals_exact(alone_tip, 1e-12) and angle == alone_angle
        assert tip.distance(arc) < 1e-9
    assert together[1][0].x < 0


def _path_records(gazetteer, rows):
    frame = pd.DataFrame(rows, columns=["origin", "transit", "destination", "count"])
    return place_records(gazetteer, frame).records


def test_corridors_and_legs_conserve_totals(gazetteer):
    from routes.flows import compute_corridor_nodes, compute_corridors, compute_legs

    records = _path_records(
        gazetteer,
        [
            ("Jhapa", "Kakarbhitta > New Delhi", "Kuwait", 4),
            ("Jhapa", "Kakarbhitta > New Delhi", "Kuwait", 1),
            ("Jhapa", "Kathmandu", "Kuwait", 6),
            ("Morang", "Kakarbhitta > New Delhi", "Qatar", 2),
            ("Morang", None, "Qatar", 3),
            ("Morang", "Erewhon", "Qatar", 7),  # unplaced transit: no path
        ],
    )
    corridors = compute_corridors(gazetteer, records)
    placed_total = 4 + 1 + 6 + 2 + 3
    assert corridors["count"].sum() == placed_total
    assert corridors["path_names"].iloc[0] == (
        "Jhapa > Kathmandu Tribhuvan International Airport > Kuwait"
    )
    top = corridors.set_index("path_names")["count"]
    assert top["Jhapa > Kakarbhitta > New Delhi > Kuwait"] == 5
    legs = compute_legs(gazetteer, corridors).set_index(["from_name", "to_name"])
    assert legs.loc[("Kakarbhitta", "New Delhi"), "count"] == 5 + 2
    assert legs.loc[("Kakarbhitta", "New Delhi"), "corridors"] == 2
    assert legs.loc[("Morang", "Qatar"), "count"] == 3
    # Every leg's volume is the sum of the corridors through it.
    for (a, b), row in legs.iterrows():
        through = corridors[corridors["path_names"].str.contains(f"{a} > {b}", regex=False)]
        assert row["count"] == through["count"].sum(), (a, b)
    nodes = compute_corridor_nodes(gazetteer, corridors).set_index("name")
    assert nodes.loc["New Delhi", "count_through"] == 7
    assert nodes.loc["Kuwait", "count_in"] == 11
    assert nodes["count_out"].sum() == nodes["count_in"].sum() == placed_total


def test_place_breakdown_and_trend_follow_the_focused_place(gazetteer, placed_destinations):
    from routes.flows import compute_place_breakdown, compute_place_trend

    by_sex = compute_place_breakdown(placed_destinations, "country:QAT", "sex").set_index("sex")
    qatar = placed_destinations[placed_destinations["destination_id"] == "country:QAT"]
    assert by_sex["count"].sum() == qatar["count"].sum()
    assert by_sex.loc["female", "count"] == qatar.loc[qatar["sex"] == "female", "count"].sum()
    trend = compute_place_trend(placed_destinations, "country:QAT")
    assert len(trend) == 13
    assert trend["count"].sum() == qatar["count"].sum()
    assert list(trend["month"].iloc[[0, -1]]) == ["Baisakh 2079", "Baisakh 2080"]


def test_find_place_at_prefers_nodes_then_districts(gazetteer, placed_destinations):
    from routes.flows import find_place_at

    flows = compute_flows(gazetteer, placed_destinations, level="national")
    nodes = compute_nodes(gazetteer, flows)
    districts = compute_district_totals(gazetteer, placed_destinations)
    qatar = gazetteer.places.loc["country:QAT"]
    assert find_place_at(nodes, districts, qatar["lon"] + 0.1, qatar["lat"]) == "country:QAT"
    jhapa = gazetteer.places.loc["district:Jhapa"]
    assert find_place_at(nodes.iloc[0:0], districts, jhapa["lon"], jhapa["lat"]) == (
        "district:Jhapa"
    )
    assert find_place_at(nodes.iloc[0:0], districts, -30.0, -40.0) is None


def test_a_click_on_a_map_of_provinces_points_at_the_province(gazetteer, placed_districts):
    """At province level a click on Madhesh's shading focused the district under it."""
    from routes.flows import compute_province_totals, find_place_at

    districts = compute_district_totals(gazetteer, placed_districts)
    provinces = compute_province_totals(gazetteer, districts)
    dhanusha = gazetteer.places.loc["district:Dhanusha"]
    no_nodes = provinces.iloc[0:0]
    assert find_place_at(no_nodes, provinces, dhanusha["lon"], dhanusha["lat"]) == (
        "province:Madhesh"
    )
    assert find_place_at(no_nodes, districts, dhanusha["lon"], dhanusha["lat"]) == (
        "district:Dhanusha"
    )
    # Undivided Nawalparasi lies over Nawalparasi East and West: the current district answers.
    assert (districts["kind"] == "former_district").any()
    west = gazetteer.places.loc["district:Nawalparasi West"]
    assert find_place_at(no_nodes, districts, west["lon"], west["lat"]) == (
        "district:Nawalparasi West"
    )


def test_flows_of_equal_size_keep_one_order_whatever_order_the_totals_come_in(gazetteer):
    pairs = pd.DataFrame(
        {
            "origin_id": ["district:Morang", "district:Jhapa", "district:Ilam", "district:Jhapa"],
            "destination_id": ["country:QAT", "country:QAT", "country:QAT", "country:MYS"],
            "count": [5, 5, 5, 9],
        }
    )
    forward = compute_flows(gazetteer, pairs, geometry=False)
    backward = compute_flows(gazetteer, pairs.iloc[::-1], geometry=False)
    order = ["district:Jhapa", "district:Ilam", "district:Jhapa", "district:Morang"]
    assert forward["origin_id"].tolist() == backward["origin_id"].tolist() == order


def test_distances_of_many_pairs_are_the_geodesic_lengths():
    from routes.geo import WGS84, compute_distances_km

    starts = [(85.36, 27.70), (87.28, 26.45), (0.0, 0.0)]
    ends = [(51.57, 25.27), (101.71, 2.75), (0.0, 0.0)]
    got = compute_distances_km(starts, ends)
    for (lon1, lat1), (lon2, lat2), km in zip(starts, ends, got, strict=True):
        assert km == pytest.approx(WGS84.inv(lon1, lat1, lon2, lat2)[2] / 1000)
    assert 3000 < got[0] < 3400 and got[2] == 0  # Kathmandu to Doha is about 3,200 km
    assert len(compute_distances_km([], [])) == 0


def test_a_trend_of_months_and_years_keeps_the_years_apart():
    """DoFE's months beside an upload by year drew "2023" as one more bar among the months."""
    from routes.flows import split_trend

    trend = pd.DataFrame(
        {
            "month": ["Poush 2079", "2023", "Magh 2079", "FY 2079/80"],
            "count": [5, 7, 3, 9],
            "count_label": ["5", "7", "3", "9"],
        }
    )
    months, apart = split_trend(trend)
    assert months["month"].tolist() == ["Poush 2079", "Magh 2079"]
    assert apart["month"].tolist() == ["2023", "FY 2079/80"]
    for whole in (trend.iloc[[0, 2]], trend.iloc[[1, 3]]):  # one kind: kept whole
        kept, none = split_trend(whole)
        assert kept.equals(whole) and none.empty
