import dataclasses

import pandas as pd
import pytest

from routes.filters import (
    FilterState,
    facet_options,
    filter_records,
    from_query,
    keep_top_flows,
    to_query,
)
from routes.gazetteer import place_records
from routes.schema import validate_records


@pytest.fixture(scope="module")
def records(gazetteer):
    frame = pd.DataFrame(
        {
            "origin": ["Jhapa", "Jhapa", "Kaski", "Kaski", "Nepal", "Achham"],
            "destination": ["Qatar", "Malaysia", "Qatar", "UAE", "Kuwait", "India"],
            "transit": ["Kakarbhitta > New Delhi", None, "TIA", "TIA > Doha", None, "Gaddachauki"],
            "count": [3, 5, 7, 11, 13, 17],
            "period": [
                "Shrawan 2079",
                "Poush 2079",
                "Baisakh 2080",
                "Asar 2079",
                "2079/80",
                "Magh 2079",
            ],
            "sex": ["female", "male", "female", "male", "female", "male"],
            "channel": ["irregular", "regular", "regular", "regular", "regular", "irregular"],
            "sector": ["domestic work", "manufacturing", None, "construction", None, "agriculture"],
            "exploitation": ["passport confiscation", None, None, "wage theft", None, None],
        }
    )
    placed = place_records(gazetteer, validate_records(frame).records).records
    return placed.assign(dataset=["a", "a", "a", "b", "b", "b"])


def _total(records, **fields):
    return int(filter_records(records, FilterState(**fields))["count"].sum())


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, 56),
        ({"datasets": ("b",)}, 41),
        ({"sexes": ("female",)}, 23),
        ({"channels": ("irregular",)}, 20),
        ({"sectors": ("domestic work", "construction")}, 14),
        ({"exploitation": ("wage theft",)}, 11),
        ({"origin_provinces": ("Koshi",)}, 8),
        ({"origin_districts": ("district:Kaski",)}, 18),
        ({"destination_regions": ("Gulf",)}, 34),
        ({"destination_countries": ("country:QAT",)}, 10),
        ({"transit_places": ("hub:Kathmandu Tribhuvan International Airport",)}, 18),
        ({"transit_places": ("hub:New Delhi", "hub:Doha")}, 14),
        ({"fiscal_year": "2079/80"}, 3 + 5 + 7 + 13 + 17),
        ({"fiscal_year": "2078/79"}, 11),
        ({"month_from": "Poush 2079"}, 5 + 7 + 17),
        ({"month_from": "Shrawan 2079", "month_to": "Poush 2079"}, 3 + 5),
    ],
)
def test_each_facet_keeps_the_matching_records(records, fields, expected):
    assert _total(records, **fields) == expected


def test_facets_combine_and_can_empty_the_view(records):
    assert _total(records, sexes=("female",), destination_countries=("country:QAT",)) == 10
    assert _total(records, sexes=("female",), channels=("irregular",), datasets=("a",)) == 3
    empty = filter_records(records, FilterState(sexes=("male",), exploitation=("wage theft",),
                                                datasets=("a",)))  # fmt: skip
    assert empty.empty
    assert list(empty.columns) == list(records.columns)


def test_reentry_switch_drops_only_the_reentry_channel(placed_destinations):
    everything = filter_records(placed_destinations, FilterState())
    new_only = filter_records(placed_destinations, FilterState(include_reentry=False))
    dropped = everything.loc[~everything.index.isin(new_only.index), "channel"]
    assert set(dropped) == {"Re-entry"}


def test_filtering_leaves_the_input_unchanged(records):
    before = records.copy()
    filter_records(records, FilterState(sexes=("female",)))
    pd.testing.assert_frame_equal(records, before)


def test_top_n_and_minimum_volume_bound_the_flows():
    flows = pd.DataFrame({"count": [50, 30, 20, 5, 1]})
    assert keep_top_flows(flows, FilterState(top_n=2))["count"].tolist() == [50, 30]
    assert keep_top_flows(flows, FilterState(min_count=20))["count"].tolist() == [50, 30, 20]
    both = keep_top_flows(flows, FilterState(top_n=10, min_count=5))
    assert both["count"].tolist() == [50, 30, 20, 5]


EVERY_PART = FilterState(
    datasets=("dofe", "synthetic"),
    fiscal_year="2079/80",
    month_from="Shrawan 2079",
    month_to="Poush 2079",
    sexes=("female",),
    channels=("irregular", "regular"),
    sectors=("domestic work",),
    exploitation=("wage theft",),
    sources=("Maiti Nepal",),
    origin_provinces=("Koshi",),
    origin_districts=("district:Jhapa",),
    destination_regions=("Gulf",),
    destination_countries=("country:QAT",),
    transit_places=("hub:New Delhi",),
    include_reentry=False,
    top_n=25,
    min_count=10,
    level="province",
    focus="country:QAT",
    tiles=True,
    documented=False,
    versions=("survey-2079:2",),
)


def test_every_part_of_the_view_survives_the_url_round_trip():
    query = to_query(EVERY_PART)
    assert len(query) == len(dataclasses.fields(FilterState))
    reading = from_query(query, allowed={})
    assert reading.state == EVERY_PART
    assert reading.notices == ()


def test_default_state_has_an_empty_query():
    assert to_query(FilterState()) == {}
    assert from_query({}, allowed={}).state == FilterState()


def test_unknown_and_invalid_values_are_ignored_with_a_notice(records):
    allowed = facet_options(records)
    reading = from_query(
        {
            "country": "country:QAT~country:XXX",
            "level": "galaxy",
            "top": "-3",
            "reentry": "maybe",
            "fy": "1999/00",
            "colour": "red",
            "sex": "female",
        },
        allowed,
        base=FilterState(level="national"),
    )
    assert reading.state.destination_countries == ("country:QAT",)
    assert reading.state.level == "national"  # the base value stays
    assert reading.state.top_n == 0
    assert reading.state.include_reentry is True
    assert reading.state.fiscal_year == ""
    assert reading.state.sexes == ("female",)
    text = " ".join(reading.notices)
    for fragment in ("country:XXX", "galaxy", "-3", "maybe", "1999/00", "colour"):
        assert fragment in text, fragment
    assert len(reading.notices) == 6


def test_facet_options_list_what_the_data_has(records):
    options = facet_options(records)
    assert options["sexes"] == ["female", "male"]
    assert "hub:New Delhi" in options["transit_places"]
    assert "country:QAT" in options["focus"] and "district:Jhapa" in options["focus"]
    assert options["fiscal_year"] == ["2079/80", "2078/79"]
    assert options["month_from"][0] == "Asar 2079"


def test_describe_names_places_and_lists_only_active_filters():
    state = FilterState(destination_countries=("country:QAT",), include_reentry=False, top_n=5)
    lines = state.describe({"country:QAT": "Qatar"})
    assert lines == [
        "Destination country: Qatar",
        "New approvals only (re-entry excluded)",
        "Top flows: 5",
    ]
    assert FilterState(level="province", focus="x").describe() == []


def test_a_link_whose_values_are_all_unknown_keeps_the_default():
    base = FilterState(datasets=("dofe",))
    reading = from_query({"data": "nonexistent"}, {"datasets": ["dofe", "synthetic"]}, base)
    assert reading.state.datasets == ("dofe",)
    assert any("nonexistent" in notice for notice in reading.notices)


def test_a_link_value_that_is_missing_is_explained_by_the_page_when_it_can():
    allowed = {"datasets": ["dofe"], "fiscal_year": ["2079/80"]}
    why = {"datasets": lambda item: f"'{item}' is in the trash"}
    query = {"data": "dofe~cases", "fy": "2090/91"}
    reading = from_query(query, allowed, FilterState(), missing=why)
    assert reading.state.datasets == ("dofe",)
    assert reading.notices[0] == "Data source: 'cases' is in the trash; ignored."
    assert "'2090/91' is not in the data" in reading.notices[1]  # no reason given: the default


def test_a_restricted_state_keeps_one_value_per_filter_and_whole_fiscal_years():
    from routes.filters import restricted_state

    state = FilterState(
        datasets=("cases",),
        fiscal_year="2079/80",
        month_from="Asar 2079",
        month_to="Magh 2079",
        destination_countries=("country:QAT", "country:KWT"),
        sexes=("female",),
        sectors=("domestic work", "construction"),
        focus="district:Morang",
        top_n=40,
    )
    narrowed, labels = restricted_state(state)
    assert narrowed == dataclasses.replace(
        state,
        month_from="",
        month_to="",
        destination_countries=("country:QAT",),
        sectors=("domestic work",),
    )
    assert labels == ("Sector", "Destination country", "Months")
    assert restricted_state(narrowed) == (narrowed, ())


def test_a_field_cleared_against_the_page_default_survives_the_link():
    page_default = FilterState(datasets=("dofe",), fiscal_year="2079/80", top_n=40)
    cleared = FilterState(datasets=("dofe",), fiscal_year="", top_n=0)
    query = to_query(cleared, page_default)
    assert query == {"fy": "", "top": "0"}
    assert from_query(query, {}, base=page_default).state == cleared
    assert to_query(page_default, page_default) == {}


def test_months_by_fiscal_year_lists_each_years_months_in_order(placed_destinations):
    from routes.filters import months_by_fiscal_year

    months = months_by_fiscal_year(placed_destinations)
    assert months["2079/80"][0] == "Shrawan 2079" and months["2079/80"][-1] == "Baisakh 2080"
    assert len(months["2079/80"]) == 10 and len(months["2078/79"]) == 3
    assert months[""] == months["2078/79"] + months["2079/80"]


def test_a_link_may_name_places_and_values_in_any_case(records):
    """?country=Qatar read "'Qatar' is not in the data", and sex=Female was refused."""
    allowed = facet_options(records)
    names = {"country:QAT": "Qatar", "hub:New Delhi": "New Delhi", "district:Jhapa": "Jhapa"}
    query = {
        "country": "Qatar~country:KWT",
        "sex": "Female",
        "level": "Province",
        "transit": "new delhi",
    }
    reading = from_query(query, allowed, names=names)
    assert reading.state.destination_countries == ("country:QAT", "country:KWT")
    assert reading.state.sexes == ("female",)
    assert reading.state.level == "province"
    assert reading.state.transit_places == ("hub:New Delhi",)
    assert reading.notices == ()


def test_a_link_value_all_unknown_gives_one_notice_not_two(records):
    reading = from_query({"country": "Erewhon"}, facet_options(records))
    assert reading.state.destination_countries == ()
    assert len(reading.notices) == 1 and "'Erewhon'" in reading.notices[0]
    # Said once, as one sentence ("..., so the default is kept; ignored." read as two).
    assert reading.notices[0] == (
        "Destination country: the link's value 'Erewhon' is not in the data; the page's "
        "default is shown instead."
    )


def test_export_file_names_carry_the_data_but_no_restricted_dataset_id():
    """A day's restricted and public exports overwrote each other; a restricted dataset's id
    (its first title, kept after a rename) is not put in a file name that a list of attachments
    shows (a privacy review)."""
    from routes.export import export_file_stem

    moment = "2026-11-28T19:32:10+00:00"
    public = FilterState(datasets=("dofe", "union-survey"))
    assert (
        export_file_stem("flows", public.datasets, moment)
        == "atlas-flows-dofe-union-survey-2026-11-28T193210"
    )
    shelter = FilterState(datasets=("survivor-cases-rolpa-shelter",))
    named = export_file_stem("corridors", shelter.datasets, moment, restricted=True)
    assert named == "atlas-corridors-restricted-2026-11-28T193210"


def test_an_export_link_names_its_data_and_year_not_the_page_defaults():
    """The default view's files linked to the page's bare address, which reopens whatever the
    defaults become when newer reports are added (a researcher's walkthrough)."""
    from routes.filters import export_link_base, to_query

    default = FilterState(datasets=("dofe",), fiscal_year="2079/80")
    assert to_query(default, export_link_base(default, default)) == {
        "data": "dofe",
        "fy": "2079/80",
    }
    all_years = dataclasses.replace(default, fiscal_year="")
    assert to_query(all_years, export_link_base(all_years, default)) == {"data": "dofe", "fy": ""}
    # Other defaults stay unsaid.
    assert "top" not in to_query(default, export_link_base(default, default))
    # All years is written even where the page's default is all years (the corridors page's):
    # a link must not follow a default that may change.
    corridors = FilterState(datasets=("synthetic",))
    assert to_query(corridors, export_link_base(corridors, corridors))["fy"] == ""


@pytest.mark.parametrize("dtype", ["string[pyarrow]", "string", "category", object])
def test_a_filter_on_a_column_left_all_empty_keeps_no_record(dtype):
    """A sector column of Arrow text all empty mapped to Arrow nulls, among which no sector
    could be looked up: the filter raised instead of keeping nothing (a property test)."""
    frame = pd.DataFrame(
        {
            "sector": pd.Series([None, None], dtype=dtype),
            "channel": pd.Series([None, "Re-entry"], dtype=dtype),
        }
    )
    assert filter_records(frame, FilterState(sectors=("domestic work",))).empty
    assert len(filter_records(frame, FilterState(include_reentry=False))) == 1
    assert len(filter_records(frame, FilterState(channels=("re-entry",)))) == 1
