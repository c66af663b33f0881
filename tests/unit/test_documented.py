"""The documented routes: read as they are, placed conservatively, drawn as their own layer."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import MultiLineString

from routes.documented import (
    DOCUMENTED_COLUMNS,
    PATH_COLUMNS,
    SOURCE_COLUMNS,
    compute_documented_paths,
    documented_paths_touching,
    read_documented_routes,
)
from routes.gazetteer import load_gazetteer


@pytest.fixture(scope="module")
def gazetteer():
    return load_gazetteer()


@pytest.fixture(scope="module")
def routes() -> pd.DataFrame:
    return read_documented_routes()


@pytest.fixture(scope="module")
def paths(gazetteer, routes) -> gpd.GeoDataFrame:
    return compute_documented_paths(gazetteer, routes)


def _route(paths: pd.DataFrame, route_id: str) -> pd.Series:
    return paths.set_index("route_id").loc[route_id]


def test_read_documented_routes_keeps_all_23_routes_and_every_column(routes):
    assert len(routes) == 23
    assert list(routes.columns) == list(DOCUMENTED_COLUMNS)
    assert routes["route_id"].tolist() == [f"R{i:02d}" for i in range(1, 24)]


def test_read_documented_routes_names_the_file_and_missing_column(tmp_path):
    path = tmp_path / "routes.csv"
    path.write_text("route_id,origin\nR01,Nepal\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"routes\.csv.*destination"):
        read_documented_routes(path)


def test_compute_documented_paths_drops_no_route(paths, routes):
    assert paths["route_id"].tolist() == routes["route_id"].tolist()
    assert list(paths.columns) == list(PATH_COLUMNS)
    assert paths.crs.to_epsg() == 4326


def test_compute_documented_paths_keeps_every_source_field(paths, routes):
    for column in (*SOURCE_COLUMNS, "origin", "transit_points", "destination", "notes"):
        assert paths[column].tolist() == routes[column].tolist(), column
    assert (paths["source_title"] != "").all()
    assert paths["source_url"].str.startswith("http").all()


def test_documented_paths_carry_no_volumes(paths):
    assert "count" not in paths.columns


def test_r08_resolves_sindhupalchok_gaddachauki_new_delhi_kuwait(paths):
    route = _route(paths, "R08")
    assert route["path_names"] == "Sindhupalchok > Gaddachauki > New Delhi > Kuwait"
    assert route["place_ids"] == (
        "district:Sindhupalchok > hub:Gaddachauki > hub:New Delhi > country:KWT"
    )
    assert route["unplaced"] == ""
    assert len(route["geometry"].geoms) == 3


def test_origins_with_notes_resolve_to_nepal_airport_and_gulf(paths):
    assert _route(paths, "R02")["place_ids"].startswith("country:NPL > ")
    assert _route(paths, "R07")["place_ids"].startswith(
        "hub:Kathmandu Tribhuvan International Airport > "
    )
    assert _route(paths, "R01")["place_ids"].endswith(" > region:Gulf")


def test_listed_alternatives_form_one_stage(paths):
    assert _route(paths, "R14")["place_ids"].endswith(" > country:IRN | country:IRQ | country:OMN")
    assert _route(paths, "R11")["path_names"] == "Nepal > India > New Delhi | Lucknow > Gulf"


def test_two_sides_of_one_crossing_count_once(paths):
    assert _route(paths, "R17")["place_ids"].count("hub:Birgunj") == 1


def test_country_whose_note_names_a_hub_is_placed_at_the_hub(paths):
    assert "hub:Dhaka" in _route(paths, "R10")["place_ids"].split(" > ")


def test_routes_with_two_placed_points_have_geometry(paths):
    drawn = paths[paths["placed_points"] >= 2]
    assert len(drawn) == len(paths)
    for geometry in drawn.geometry:
        assert isinstance(geometry, MultiLineString)
        assert not geometry.is_empty
        assert geometry.is_valid


def test_unplaced_text_is_reported(paths):
    assert "tourist/visit visa" in _route(paths, "R01")["unplaced"]
    assert "Phulbari" in _route(paths, "R10")["unplaced"]
    assert "Western Nepal" in _route(paths, "R19")["unplaced"]
    assert "quake-affected districts" in _route(paths, "R21")["unplaced"]
    assert "Bhittamod" in _route(paths, "R21")["unplaced"]
    assert "(onward, not stated)" in _route(paths, "R23")["unplaced"]
    assert "third countries" in _route(paths, "R17")["unplaced"]


def test_route_with_fewer_than_two_points_stays_without_geometry(gazetteer, routes):
    route = routes.iloc[[0]].assign(
        route_id="X01", origin="Western Nepal", transit_points="", destination="(not stated)"
    )
    paths = compute_documented_paths(gazetteer, route)
    assert paths["route_id"].tolist() == ["X01"]
    assert paths.geometry.isna().all()
    assert paths["placed_points"].tolist() == [0]
    assert paths["unplaced"].iloc[0] == "Western Nepal; (not stated)"


def test_compute_documented_paths_does_not_change_its_input(gazetteer, routes):
    before = routes.copy()
    compute_documented_paths(gazetteer, routes)
    pd.testing.assert_frame_equal(routes, before)


def test_routes_touching_places_are_those_that_name_one_in_a_stage_or_an_alternative(paths):
    """All 23 routes drew when the view was narrowed to Kakarbhitta."""
    assert len(documented_paths_touching(paths, [])) == len(paths) == 23
    kakarbhitta = documented_paths_touching(paths, ["hub:Kakarbhitta"])
    assert len(kakarbhitta) == 1
    assert "hub:Kakarbhitta" in kakarbhitta["place_ids"].iloc[0]
    # Sri Lanka is listed among alternatives of one stage ("India | Sri Lanka | ...").
    lanka = documented_paths_touching(paths, ["country:LKA"])
    assert 0 < len(lanka) < 23
    assert lanka["place_ids"].str.contains("country:LKA", regex=False).all()
    assert len(documented_paths_touching(paths, ["country:LKA", "hub:Kakarbhitta"])) == (
        len(lanka) + 1
    )


def test_a_country_brings_the_routes_to_every_region_it_is_in(gazetteer, paths):
    """A focus on Qatar found none (only the country filter added the Gulf), and Nigeria never
    matched the routes to Africa."""
    from routes.documented import documented_paths_naming

    qatar = documented_paths_naming(gazetteer, paths, ["country:QAT"])
    assert 0 < len(qatar) < 23 and qatar["place_ids"].str.contains("region:Gulf").all()
    africa = documented_paths_naming(gazetteer, paths, ["country:NGA"])
    assert len(africa) == paths["place_ids"].str.contains("region:Africa").sum() > 0
    by_region = documented_paths_naming(gazetteer, paths, [], ["Gulf"])
    assert by_region["route_id"].tolist() == qatar["route_id"].tolist()
    assert len(documented_paths_naming(gazetteer, paths, ["", "hub:Kakarbhitta"])) == 1


def test_a_source_given_as_same_as_another_route_reads_as_that_routes_source():
    """Three routes' sources read 'same as R04' in the export, where a row read alone said no
    more (a helper's walkthrough)."""
    routes = read_documented_routes()
    by_id = routes.set_index("route_id")["source_title"]
    assert not by_id.str.startswith("same as").any()
    assert by_id["R05"] == by_id["R04"] and "NHRC" in by_id["R04"]


def test_a_source_given_as_the_same_report_names_it_and_keeps_its_own_link():
    """R02's source read "same parliamentary report (also access24.tv)" alone in the table and
    its export (a researcher's walkthrough)."""
    routes = read_documented_routes().set_index("route_id")
    assert not routes["source_title"].str.lower().str.startswith("same").any()
    r02 = routes.loc["R02", "source_title"]
    assert r02 == (
        f"The same parliamentary report as R01: {routes.loc['R01', 'source_title']}; also "
        "access24.tv"
    )
    assert routes.loc["R02", "source_url"].startswith("https://access24.tv/")


def test_a_same_source_naming_no_earlier_one_is_kept_as_written():
    from routes.documented import _same_source_named

    ids, titles = ["R1", "R2", "R3"], ["A press report", "same survey", "same press report"]
    assert _same_source_named(ids, titles) == [
        "A press report",
        "same survey",
        "The same press report as R1: A press report",
    ]
    # Another "same ..." row is not a source of its own; a word is matched whole.
    chain = [
        "Parliamentary report on X",
        "same parliamentary report (also a.tv)",
        "same parliamentary report",
    ]
    assert _same_source_named(ids, chain)[2] == (
        "The same parliamentary report as R1: Parliamentary report on X"
    )
    assert _same_source_named(["R1", "R2"], ["A report on surveyors", "same survey"])[1] == (
        "same survey"
    )


def test_a_place_the_source_names_by_another_word_says_the_sources_word_first(gazetteer):
    """The routes' map and table said Aizawl and Imphal where the sources say Mizoram and
    Manipur (a researcher's walkthrough); spellings and initials of a place keep its name."""
    paths = compute_documented_paths(gazetteer, read_documented_routes()).set_index("route_id")
    assert (
        paths.loc["R04", "path_names"]
        == "Kathmandu > New Delhi > Mizoram (Aizawl) > Sri Lanka > Gulf"
    )
    assert paths.loc["R23", "path_names"] == "Nepal > Manipur (Imphal)"
    assert paths.loc["R10", "path_names"] == "Pyuthan > Bangladesh (Dhaka) > Saudi Arabia"
    # "TIA", "USA", "Inarwa" and "Jamuna" are the places' own initials and spellings.
    assert "TIA (" not in paths.loc["R03", "path_names"]
    assert paths.loc["R07", "path_names"].endswith("> Ecuador > United States")
    assert (
        "Inaruwa" in paths.loc["R21", "path_names"]
        and "Inarwa (" not in paths.loc["R21", "path_names"]
    )
    assert "| Jamunaha |" in paths.loc["R21", "path_names"]
