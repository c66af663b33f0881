"""Every page runs without exception, and the widgets (found by key) change the numbers."""

import dataclasses
import html
import io
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from routes.dofe import CHANNELS, DESTINATION_TABLE

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted(path.relative_to(ROOT).as_posix() for path in (ROOT / "pages").glob("*.py"))
TIMEOUT_S = 120
DESTINATIONS = "Labour approvals, all destinations"


def _app(**query) -> AppTest:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT_S)
    app.query_params.update(query)
    return app.run()


def _number(app, label_start) -> int:
    value = next(m for m in app.metric if m.label.startswith(label_start)).value
    return int(value.replace(",", ""))


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_without_exception(page):
    app = _app()
    app.switch_page(page).run()
    assert not app.exception, [e.value for e in app.exception]


def test_flow_page_opens_on_the_latest_fiscal_year_with_reentry():
    app = _app()
    assert not app.exception
    assert app.selectbox(key="flows_fiscal_year").value == "2079/80"
    assert app.toggle(key="flows_include_reentry").value is True
    assert _number(app, DESTINATIONS) == 656_610
    table = app.dataframe[0].value
    assert table["Destination"].head(5).tolist() == [
        "Malaysia",
        "Qatar",
        "Saudi Arabia",
        "UAE",  # as DoFE writes it: the whole name was cut beside restricted counts
        "Kuwait",
    ]


def test_new_approvals_only_drops_reentry_from_both_tables():
    app = _app()
    everything = _number(app, DESTINATIONS)
    app.toggle(key="flows_include_reentry").set_value(False).run()
    new_only = _number(app, DESTINATIONS)
    assert 0 < new_only < everything
    assert _number(app, "Labour approvals, all districts") == new_only


def test_female_fy_2079_80_equals_the_dofe_female_column():
    app = _app()
    app.multiselect(key="flows_sexes").set_value(["female"]).run()
    table = pd.read_csv(DESTINATION_TABLE)
    rows = table[(table["fiscal_year_bs"] == "2079/80") & table["category"].isin(list(CHANNELS))]
    assert _number(app, DESTINATIONS) == rows["female"].sum()
    shown = app.dataframe[0].value.set_index("Destination")["Labour approvals"]
    by_destination = rows.groupby("destination")["female"].sum()
    assert shown["Qatar"] == by_destination["Qatar"]
    assert shown["Malaysia"] == by_destination["Malaysia"]


def test_destination_filter_channel_filter_and_clear_all():
    app = _app()
    app.multiselect(key="flows_destination_countries").set_value(["country:QAT"]).run()
    chosen = "Labour approvals, chosen destinations"  # not "all destinations" under a filter
    qatar = _number(app, chosen)
    assert qatar == 111_951
    assert app.dataframe[0].value["Destination"].tolist() == ["Qatar"]
    app.multiselect(key="flows_channels").set_value(["Recruiting agency"]).run()
    agency = _number(app, chosen)
    assert 0 < agency < qatar
    app.button(key="flows_clear_all").click().run()
    assert _number(app, DESTINATIONS) == 656_610
    assert not app.exception
    # The data sources stay: they are what is looked at (clearing a survey's filters opened
    # the page's default data; a helper's walkthrough).
    app.multiselect(key="flows_datasets").set_value(["dofe", "synthetic"]).run()
    app.multiselect(key="flows_sexes").set_value(["female"]).run()
    app.button(key="flows_clear_all").click().run()
    assert app.multiselect(key="flows_datasets").value == ["dofe", "synthetic"]
    assert app.multiselect(key="flows_sexes").value == []


def test_top_n_keeps_the_largest_flows_on_the_map_and_every_destination_in_the_table():
    """The map draws the top N flows; the table beside it lists every destination, largest
    first, as the corridors' table ranks every corridor: cut to the top N destinations, it
    named places no drawn flow reached when flows start from districts (a walkthrough)."""
    app = _app()
    app.number_input(key="flows_top_n").set_value(5).run()
    table = app.dataframe[0].value
    assert len(table) > 5
    top = table["Labour approvals"].head(5).sum()
    assert top == 233_576 + 111_951 + 94_397 + 94_379 + 36_528
    assert table["Labour approvals"].sum() == _number(app, DESTINATIONS) == 656_610
    # The page says how many flows the map draws.
    assert any(c.value.startswith("5 of ") for c in app.caption)


def test_a_link_restores_the_view_and_ignores_unknown_values_with_a_notice():
    app = _app(fy="2078/79", country="country:QAT~country:ZZZ", sex="female", level="galaxy")
    assert not app.exception
    assert app.selectbox(key="flows_fiscal_year").value == "2078/79"
    assert app.multiselect(key="flows_destination_countries").value == ["country:QAT"]
    notices = " ".join(info.value for info in app.info)
    assert "country:ZZZ" in notices and "galaxy" in notices
    assert app.query_params["country"] == ["country:QAT"] or app.query_params["country"] == (
        "country:QAT"
    )


def test_corridor_page_filters_by_transit_place_and_ranks_corridors():
    app = _app()
    app.query_params.clear()  # a browser drops the flow page's query string on a page switch
    app.switch_page("pages/corridors.py").run()
    assert not app.exception
    everything = _number(app, "Cases, all corridors")
    app.multiselect(key="corridors_transit_places").set_value(["hub:New Delhi"]).run()
    via_delhi = _number(app, "Cases, chosen corridors")  # not "all" under a transit filter
    assert 0 < via_delhi < everything
    corridors = app.dataframe[0].value["Corridor"]
    assert corridors.str.contains("New Delhi").all()
    # Kathmandu's airport by its city, so that the destination after it shows in the column.
    app.multiselect(key="corridors_transit_places").set_value([]).run()
    table = app.dataframe[0].value
    assert table.columns.tolist() == ["Cases", "Corridor"]
    first = table["Corridor"].iloc[0]
    assert first.count(" > Kathmandu airport > ") == 1 and "International" not in first
    captions = " ".join(caption.value for caption in app.caption)
    assert "Airports are named by their city here" in captions
    warnings = " ".join(w.value for w in app.warning)
    assert "Synthetic demonstration data" in warnings


def test_a_link_to_an_unknown_dataset_opens_the_default_data_with_a_notice():
    app = _app(data="nonexistent")
    assert not app.exception
    assert app.multiselect(key="flows_datasets").value == ["dofe"]
    assert _number(app, DESTINATIONS) == 656_610
    assert "nonexistent" in " ".join(info.value for info in app.info)


def test_the_view_survives_a_visit_to_another_page():
    app = _app()
    app.multiselect(key="flows_sexes").set_value(["female"]).run()
    female = _number(app, DESTINATIONS)
    app.query_params.clear()
    app.switch_page("pages/datasets.py").run()
    app.switch_page("pages/flow_map.py").run()
    assert not app.exception
    assert app.multiselect(key="flows_sexes").value == ["female"]
    assert _number(app, DESTINATIONS) == female


def test_the_month_range_stays_where_the_analyst_put_it():
    app = _app()
    app.select_slider(key="flows_months_2079/80").set_value(("Shrawan 2079", "Magh 2079")).run()
    first = _number(app, DESTINATIONS)
    app.run()
    assert app.select_slider(key="flows_months_2079/80").value == ("Shrawan 2079", "Magh 2079")
    assert _number(app, DESTINATIONS) == first < 656_610


@pytest.mark.parametrize("page", ["pages/flow_map.py", "pages/corridors.py"])
def test_a_focused_page_shows_the_trend_once_for_the_focused_place(page):
    app = _app(focus="country:QAT")
    app.switch_page(page).run()
    assert not app.exception, [e.value for e in app.exception]
    trends = [caption.value for caption in app.caption if " by month" in caption.value]
    assert len(trends) == 1, trends
    assert trends[0].removesuffix(" — synthetic demonstration data").endswith("Qatar")


def test_the_places_to_focus_on_are_listed_by_name():
    app = _app()
    box = app.selectbox(key="flows_focus")
    names = [name for name in box.options if name != "— none —"]
    assert len(names) > 100
    assert names == sorted(names, key=str.casefold)
    # Districts, countries and transit places in one list, each saying which it is.
    assert {"Jhapa (district)", "Qatar (country)", "Nepal (country)"} <= set(names)


def test_the_page_says_when_the_origin_level_cannot_change_national_flows():
    """DoFE's table by destination names no district: its flows start from Nepal whatever the
    level, and the page says so rather than leave the level seeming broken."""
    app = _app(level="province")
    captions = " ".join(caption.value for caption in app.caption)
    assert "Origins grouped by province: these flows start from Nepal as a whole" in captions
    assert "DoFE's table by destination" in captions
    national = _app(level="national")
    assert "start from Nepal as a whole" not in " ".join(c.value for c in national.caption)
    synthetic = _app(data="synthetic", level="province")
    assert not synthetic.exception
    assert "start from Nepal as a whole" not in " ".join(c.value for c in synthetic.caption)
    # Combined with district data, the level does change the flows, even when the drawn top
    # ten all start from Nepal.
    mixed = _app(data="dofe~synthetic", level="province", top="10")
    assert not mixed.exception
    assert "start from Nepal as a whole" not in " ".join(c.value for c in mixed.caption)


def test_all_years_from_the_sidebar_covers_every_month_as_a_link_does():
    """Choosing "All years" kept the months of 2079/80 on the slider (656,610, not 826,816)."""
    linked = _number(_app(fy=""), DESTINATIONS)
    app = _app()
    app.selectbox(key="flows_fiscal_year").set_value("").run()
    assert not app.exception
    assert _number(app, DESTINATIONS) == linked == 826_816
    # A slider of its own: the browser kept 2079/80's handles on a slider of the same key.
    months = app.select_slider(key="flows_months_all").value
    assert months == ("Baisakh 2079", "Baisakh 2080")
    # A range chosen within a year is that year's: another year starts whole.
    app.selectbox(key="flows_fiscal_year").set_value("2079/80").run()
    app.select_slider(key="flows_months_2079/80").set_value(("Poush 2079", "Magh 2079")).run()
    part = _number(app, DESTINATIONS)
    app.selectbox(key="flows_fiscal_year").set_value("").run()
    assert _number(app, DESTINATIONS) == 826_816 > part


def test_a_fiscal_year_the_data_covers_in_part_says_which_months():
    """DoFE's 2078/79 holds three months; the map's title read as a whole year."""
    from routes.filters import FilterState
    from routes.ui import map_text

    def title(**fields) -> str:
        state = FilterState(datasets=("dofe",), **fields)
        return map_text(state, "Labour approvals", "Labour approvals").title

    reentry = " (re-entry approvals included)"
    assert title(fiscal_year="2078/79") == (
        "Labour approvals, FY 2078/79 BS = 2021/22 AD (Baisakh 2079 to Asar 2079 only)" + reentry
    )
    assert title(fiscal_year="2079/80") == (
        "Labour approvals, FY 2079/80 BS = 2022/23 AD (Shrawan 2079 to Baisakh 2080 only)" + reentry
    )
    assert title(fiscal_year="2079/80", month_from="Poush 2079") == (
        "Labour approvals, FY 2079/80 BS = 2022/23 AD, Poush 2079 to …" + reentry
    )
    # All years, with the months they hold (the corridors page's 826,816 stood beside the
    # flow page's 656,610 for FY 2079/80 with no period said).
    every = ", all years (Baisakh 2079 to Baisakh 2080)"
    assert title() == "Labour approvals" + every + reentry
    # The map names its filters (a map of women read as one of everyone) and what it counts.
    assert title(sexes=("female",), include_reentry=False) == (
        "Labour approvals" + every + " (Sex: Female; New approvals only (re-entry excluded))"
    )
    assert title(channels=("Recruiting agency",)) == (
        "Labour approvals" + every + " (Channel: Recruiting agency)"
    )


def test_places_to_choose_are_listed_by_name():
    """Destinations came in the order of their ids: Angola, Albania, United Arab Emirates."""
    app = _app()
    for key in ("flows_destination_countries", "flows_origin_districts"):
        widget = app.multiselect(key=key)
        shown = [widget.format_func(value) for value in widget.options]
        assert len(shown) > 50 and shown == sorted(shown, key=str.casefold), key
    countries = app.multiselect(key="flows_destination_countries")
    assert [countries.format_func(value) for value in countries.options][:2] == [
        "Albania",
        "Algeria",
    ]


def test_a_link_may_name_a_destination_instead_of_its_id():
    app = _app(country="Qatar", sex="Female")
    assert not app.exception
    assert app.multiselect(key="flows_destination_countries").value == ["country:QAT"]
    assert app.multiselect(key="flows_sexes").value == ["female"]
    assert not app.info or "not in the data" not in " ".join(i.value for i in app.info)


def test_documented_routes_follow_the_places_the_corridors_are_narrowed_to():
    from routes.filters import FilterState
    from routes.ui import documented_paths_for

    app = _app()
    app.query_params.clear()
    app.switch_page("pages/corridors.py").run()
    assert any(e.label.startswith("Documented routes (23)") for e in app.expander)
    app.multiselect(key="corridors_transit_places").set_value(["hub:Kakarbhitta"]).run()
    assert not app.exception
    labels = [e.label for e in app.expander]
    assert any(label.startswith("Documented routes (1 of 23 naming") for label in labels), labels
    # A destination country brings the routes to its region, as the sources name it.
    qatar = documented_paths_for(FilterState(destination_countries=("country:QAT",)))
    assert 0 < len(qatar) < 23 and qatar["place_ids"].str.contains("region:Gulf").all()


def test_a_cleared_default_and_a_focus_are_named_on_the_page_and_in_exports():
    """ "All years" read "No filters beyond the page's defaults", and an export of a view
    focused on Qatar listed no focus (its files held Qatar only)."""
    from routes.filters import FilterState
    from routes.ui import _export_metadata

    app = _app()
    app.selectbox(key="flows_fiscal_year").set_value("").run()
    chips = [button.label for button in app.button if button.key == "flows_clear_fiscal_year"]
    assert chips and chips[0].endswith(": all")
    app.button(key="flows_clear_fiscal_year").click().run()
    assert app.selectbox(key="flows_fiscal_year").value == "2079/80"
    focused = _app(focus="country:QAT")
    assert _number(focused, "Labour approvals, focused flows") == 111_951
    state = FilterState(datasets=("dofe",), fiscal_year="2079/80", focus="country:QAT")
    filters = _export_metadata(state, "Labour approvals", "").filters
    assert "Focus: Qatar (flows into, out of or through it)" in filters
    # What the view leaves out follows DoFE's caveats in every file.
    noted = _export_metadata(state, "Labour approvals", "", ("12 people are unplaced.",))
    assert noted.caveats[-1] == "12 people are unplaced." and len(noted.caveats) > 1


def test_what_the_records_do_not_say_reads_not_recorded_not_zero():
    """DoFE's destination table names no district, its district table no destination: a
    filter on the other read "all districts 0" over 77 zeros (and exported them)."""
    from routes.ui import _tables, load_view, missing_notes

    malaysia = _app(country="country:MYS")
    metrics = {m.label: m.value for m in malaysia.metric}
    assert metrics["Labour approvals, all districts"] == "not recorded"
    assert _number(malaysia, "Labour approvals, chosen destinations") == 233_576
    madhesh = _app(province="Madhesh")
    metrics = {m.label: m.value for m in madhesh.metric}
    assert metrics["Labour approvals, all destinations"] == "not recorded"
    assert _number(madhesh, "Labour approvals, chosen districts") == 157_947
    # The exports leave the unknown tables out, and say so.
    from routes.filters import FilterState

    state = FilterState(datasets=("dofe",), fiscal_year="2079/80", top_n=200)
    view = load_view(dataclasses.replace(state, destination_countries=("country:MYS",)))
    assert "districts" not in _tables(view) and "flows" in _tables(view)
    assert "not recorded (not zero)" in missing_notes(view)[0]


def test_an_origin_and_a_destination_that_no_record_names_together_read_not_recorded():
    """DoFE counts by destination or by district, never both: Madhesh to Qatar read 0 in both
    tables, and the export held 77 districts of 0 (a helper's walkthrough)."""
    from routes.filters import FilterState
    from routes.ui import _tables, left_out_notes, load_view

    for query in ({"province": "Madhesh", "country": "Qatar"}, {"district": "Dhanusha",
                  "focus": "Qatar"}):  # fmt: skip
        app = _app(**query)
        assert not app.exception
        metrics = {m.label: m.value for m in app.metric}
        assert "not recorded" in metrics.values() and "0" not in metrics.values(), metrics
        assert "Labour approvals from Qatar" not in metrics  # a focus panel's 0, under "from"
        captions = " ".join(caption.value for caption in app.caption)
        assert "never both" in captions
    state = FilterState(datasets=("dofe",), fiscal_year="2079/80", top_n=200)
    view = load_view(
        dataclasses.replace(
            state, origin_provinces=("Madhesh",), destination_countries=("country:QAT",)
        )
    )
    assert _tables(view) == {}
    assert "never both" in left_out_notes(view, "Labour approvals")[0]
    # The synthetic cases name both: a real zero stays a number.
    crossed = load_view(
        FilterState(
            datasets=("synthetic",), origin_provinces=("Madhesh",),
            destination_countries=("country:QAT",),
        )
    )  # fmt: skip
    assert "flows" in _tables(crossed) and not left_out_notes(crossed, "Cases")


def test_a_minimum_volume_above_every_flow_says_so():
    app = _app(min="1000000")
    captions = " ".join(caption.value for caption in app.caption)
    assert "No flow reaches the minimum volume of 1,000,000" in captions
    assert "None of these records says where the workers went" not in captions


def test_undivided_nawalparasi_and_rukum_can_be_chosen_and_province_views_say_they_are_out():
    """No province holds DoFE's undivided Nawalparasi and Rukum rows (3,070 approvals in FY
    2079/80): province totals left them out unsaid, and ?district=Nawalparasi was dropped."""
    app = _app(district="Nawalparasi")
    assert app.multiselect(key="flows_origin_districts").value == ["former_district:Nawalparasi"]
    assert _number(app, "Labour approvals, chosen districts") == 2_330
    gandaki = _app(province="Gandaki")
    # Nawalparasi lies partly in Gandaki; Rukum, in Lumbini and Karnali, does not.
    [said] = [c.value for c in gandaki.caption if "no province counts" in c.value]
    assert said.startswith("Nawalparasi (undivided") and "no province counts it" in said


def test_districts_dofe_had_not_yet_listed_are_not_recorded_not_zero():
    """DoFE listed Nawalparasi and Rukum East and West only from Bhadra 2079: FY 2078/79 read
    "Nawalparasi East 0" under "Nawalparasi (undivided) 5,653", on screen and in the files."""
    from routes.filters import FilterState
    from routes.ui import left_out_notes, load_view

    app = _app(fy="2078/79")
    table = next(frame.value for frame in app.dataframe if "District" in frame.value.columns)
    listed = table.set_index("District")["Labour approvals"]
    assert not {"Nawalparasi East", "Nawalparasi West", "Rukum East", "Rukum West"} & set(
        listed.index
    )
    assert listed["Nawalparasi"] == 5_653
    assert table.set_index("District").at["Nawalparasi", "Province"] == "undivided"
    [said] = [c.value for c in app.caption if "not recorded apart" in c.value]
    assert said.startswith("Nawalparasi East and Nawalparasi West are not recorded apart")
    assert "undivided Nawalparasi, whose labour approvals (5,653) are shown as one area" in said
    assert "Rukum East and Rukum West are not recorded apart" in said
    # Every file says it too.
    view = load_view(FilterState(datasets=("dofe",), fiscal_year="2078/79", top_n=200))
    assert said in left_out_notes(view, "Labour approvals")
    # A Gandaki filter leaves the undivided rows out: Nawalparasi East is still not 0.
    gandaki = _app(fy="2078/79", province="Gandaki")
    table = next(frame.value for frame in gandaki.dataframe if "District" in frame.value.columns)
    assert "Nawalparasi East" not in table["District"].tolist() and len(table) == 10
    [said] = [c.value for c in gandaki.caption if "not recorded apart" in c.value]
    assert said.startswith("Nawalparasi East is not recorded apart")
    assert said.endswith(
        "which lies in two provinces and so in no province chosen: clear the province filter "
        "and choose it under Origin district."
    )
    # Chosen alone, it is not recorded, not "chosen districts 0".
    east = _app(fy="2078/79", district="Nawalparasi East")
    assert (
        next(
            m.value for m in east.metric if m.label.startswith("Labour approvals, chosen districts")
        )
        == "not recorded"
    )
    # Said beside the destinations and the districts.
    beside, said = [c.value for c in east.caption if "not recorded apart" in c.value]
    assert said.endswith("which the origin filters leave out: choose it under Origin district too.")
    assert beside == f"{said} See the district map below."
    # Nor are its destinations 0 ("all destinations 0" with an empty table, under a filter or
    # a focus on it: a walkthrough), nor its own total in the focus panel.
    assert (
        next(
            m.value for m in east.metric if m.label.startswith("Labour approvals, all destinations")
        )
        == "not recorded"
    )
    focused = _app(fy="2078/79", focus="district:Nawalparasi East")
    values = {m.label: m.value for m in focused.metric}
    assert values["Labour approvals, focused flows"] == "not recorded"
    assert values["Labour approvals from Nawalparasi East"] == "not recorded"
    # Nothing to say where no zero would have stood: under a focus on a district (which lists
    # only districts with records), or by province (the undivided districts' own note).
    for query in ({"focus": "district:Kaski"}, {"level": "province"}):
        other = _app(fy="2078/79", **query)
        assert not [c.value for c in other.caption if "not recorded apart" in c.value], query
    # From Bhadra 2079 DoFE names them: listed with their counts, and nothing said.
    later = _app(fy="2079/80")
    table = next(frame.value for frame in later.dataframe if "District" in frame.value.columns)
    listed = table.set_index("District")["Labour approvals"]
    assert listed["Nawalparasi East"] > 0 and listed["Rukum West"] > 0
    assert not [c.value for c in later.caption if "not recorded apart" in c.value]


def test_origins_grouped_by_province_are_shaded_and_listed_by_province():
    """The level changed the flows, but the origin map and table stayed by district."""
    app = _app(level="province")
    assert _number(app, "Labour approvals, all provinces") == 656_610 - 3_070
    assert any(
        "3,070 labour approvals from undivided Nawalparasi and Rukum are in no province"
        in caption.value
        for caption in app.caption
    )
    table = next(frame.value for frame in app.dataframe if "Province" in frame.value.columns)
    assert len(table) == 7
    assert table.iloc[0].tolist() == ["Madhesh", 157_947]
    assert "Origin provinces" in [header.value for header in app.subheader]


def test_origins_grouped_by_province_are_exported_by_province_too():
    """The page showed provinces, the export only districts: a report's table could not be
    made from it."""
    from routes.filters import FilterState
    from routes.ui import _downloads, _export_metadata, left_out_notes, load_view

    state = FilterState(datasets=("dofe",), fiscal_year="2079/80", top_n=200, level="province")
    view = load_view(state)
    notes = left_out_notes(view, "Labour approvals")
    assert notes == (
        "3,070 labour approvals from undivided Nawalparasi and Rukum are in no province (each "
        "lies in two).",
    )
    metadata = _export_metadata(state, "Labour approvals", "", notes)
    assert metadata.caveats[-1] == notes[0]
    focused = _export_metadata(dataclasses.replace(state, focus="province:Madhesh"), "", "")
    assert "Focus: Madhesh (records leaving from its districts)" in focused.filters
    files = {item.file_name: item for item in _downloads(view, metadata, "Labour approvals", bytes)}
    assert {"districts.csv", "provinces.csv"} <= set(files)
    text = files["provinces.csv"].make().decode("utf-8-sig")
    assert "# Title: Labour approvals by origin province" in text
    provinces = pd.read_csv(io.StringIO(text), comment="#")
    assert len(provinces) == 7 and provinces["count"].sum() == 656_610 - 3_070
    assert provinces.set_index("name").loc["Madhesh", "count"] == 157_947
    by_district = load_view(dataclasses.replace(state, level="district"))
    assert left_out_notes(by_district, "Labour approvals") == ()
    assert "provinces.csv" not in {
        item.file_name for item in _downloads(by_district, metadata, "Labour approvals", bytes)
    }


def test_a_province_can_be_focused_and_its_total_reads_as_the_focus():
    """A province could not be focused (a click on Madhesh focused the district under it) and the
    origin table read "all provinces" over the focus alone."""
    app = _app(level="province", focus="Madhesh")
    assert not app.exception
    focus = app.selectbox(key="flows_focus")
    assert focus.value == "province:Madhesh"
    assert "Madhesh (province)" in focus.options
    assert _number(app, "Labour approvals from Madhesh") == 157_947
    assert _number(app, "Labour approvals, in focus") == 157_947
    assert not any(metric.label.endswith("all provinces") for metric in app.metric)
    table = next(frame.value for frame in app.dataframe if "Province" in frame.value.columns)
    assert table.values.tolist() == [["Madhesh", 157_947]]  # no other province read 0
    # By district, the focus shades and lists Madhesh's eight districts.
    app = _app(focus="Madhesh")
    districts = next(frame.value for frame in app.dataframe if "District" in frame.value.columns)
    assert len(districts) == 8 and set(districts["Province"]) == {"Madhesh"}
    assert (districts["Labour approvals"] > 0).all()
    assert _number(app, "Labour approvals, in focus") == 157_947


def test_a_focus_keeps_the_districts_whose_people_pass_through_it():
    """A focus on a district kept that district alone: the people of others who pass through it
    (Morang to India via Jhapa) were dropped from the table "in focus" (a code review)."""
    from routes.filters import FilterState
    from routes.gazetteer import load_gazetteer, place_records
    from routes.schema import validate_records
    from routes.views import compute_view

    frame = pd.DataFrame(
        {
            "origin": ["Morang", "Jhapa", "Kaski"],
            "destination": ["India", "Qatar", "Qatar"],
            "transit": ["Jhapa", None, None],
            "count": [400, 30, 12],
            "period": ["Magh 2079"] * 3,
        }
    )
    gazetteer = load_gazetteer()
    records = place_records(gazetteer, validate_records(frame).records).records
    view = compute_view(gazetteer, records, FilterState(focus="district:Jhapa"))
    shown = dict(zip(view.districts["name"], view.districts["count"], strict=True))
    assert shown == {"Morang": 400, "Jhapa": 30}
    assert int(view.flows["count"].sum()) == 430


def test_a_dataset_placed_by_province_crosses_origins_and_destinations():
    """Records of a province to Qatar read 'not recorded' and were left out of the export under
    a province and a destination filter (a code review): only district origins counted."""
    from routes.filters import FilterState
    from routes.gazetteer import load_gazetteer, place_records
    from routes.schema import validate_records
    from routes.views import compute_view

    frame = pd.DataFrame(
        {
            "origin": ["Koshi", "Madhesh"],
            "destination": ["Qatar", "Qatar"],
            "count": [40, 60],
            "period": ["Magh 2079"] * 2,
        }
    )
    gazetteer = load_gazetteer()
    records = place_records(gazetteer, validate_records(frame).records).records
    from routes.engine import RecordTable

    assert RecordTable.from_frame(records).crossed
    state = FilterState(origin_provinces=("Madhesh",), destination_countries=("country:QAT",))
    view = compute_view(gazetteer, records, state)
    assert int(view.flows["count"].sum()) == 60


def test_beside_data_that_name_both_sides_the_silent_dataset_is_named():
    """DoFE beside the synthetic cases, Madhesh to Qatar: the figures are the cases', DoFE's
    part missing, unsaid (a code review)."""
    from routes.filters import FilterState
    from routes.ui import left_out_notes, load_view

    app = _app(province="Madhesh", country="Qatar", fy="")
    app.multiselect(key="flows_datasets").set_value(["dofe", "synthetic"]).run()
    captions = " ".join(caption.value for caption in app.caption)
    assert "DoFE labour approvals" in captions and "not recorded, not zero" in captions
    state = FilterState(
        datasets=("dofe", "synthetic"), origin_provinces=("Madhesh",),
        destination_countries=("country:QAT",), top_n=200,
    )  # fmt: skip
    notes = left_out_notes(load_view(state), "Cases")
    assert "the figures are the other datasets'" in notes[-1]
    # And every file says that the two count different things (they said "Combined counts").
    assert notes[0].startswith("The chosen datasets count different things (Cases, Labour")
    # ... and that no record is matched across them: one person in both is counted twice.
    combined = (
        "Combined data: the totals add the counts of the 2 chosen datasets. The atlas cannot "
        "tell when two of them record the same person, who is then counted once in each."
    )
    assert notes[1] == combined and combined in captions
    alone = dataclasses.replace(state, datasets=("synthetic",))
    assert not left_out_notes(load_view(alone), "Cases")


def test_destinations_of_chosen_origins_say_what_names_no_destination():
    """A Madhesh desk's women beside DoFE's: the destinations read 152 while the origin table
    read 2,878, DoFE's 2,726 by district (which name no destination) left out without a word,
    on screen and in every file (a helper's walkthrough)."""
    from routes.filters import FilterState
    from routes.ui import left_out_notes, load_view

    app = _app(province="Madhesh", sex="female")
    app.multiselect(key="flows_datasets").set_value(["dofe", "synthetic"]).run()
    assert not app.exception, [e.value for e in app.exception]
    state = FilterState(
        datasets=("dofe", "synthetic"), origin_provinces=("Madhesh",), sexes=("female",),
        top_n=200, fiscal_year="2079/80",
    )  # fmt: skip
    view = load_view(state)
    unknown, flows = view.totals.unknown_destination, view.totals.flows_total
    assert unknown and flows
    origins = int(view.districts["count"].sum())
    assert origins == unknown + flows  # every record of Madhesh names its district
    note = (
        f"{unknown:,} combined counts of the chosen origins are in records that name no "
        f"destination (DoFE's table by district counts approvals by origin only): the "
        f"destinations and flows count the other {flows:,}, the origin table all of them."
    )
    assert note in [caption.value for caption in app.caption]
    assert note in left_out_notes(view, "Combined counts")
    # Not said where nothing is missing: DoFE's district table counts again the permits of its
    # destination table, which come from Nepal as a whole.
    whole = load_view(dataclasses.replace(state, origin_provinces=()))
    assert not any("name no destination" in note for note in left_out_notes(whole, "Cases"))


def test_origins_by_province_read_not_recorded_where_the_data_do_not_say():
    """At province level, Madhesh to Qatar read 'all provinces 0' and 'Madhesh 0' beside the
    destinations' 'not recorded' (a code review)."""
    app = _app(level="province", province="Madhesh", country="Qatar")
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Labour approvals, chosen provinces"] == "not recorded"
    assert not any("Province" in frame.value.columns for frame in app.dataframe)


def test_origin_filters_and_an_origin_focus_list_only_their_districts():
    """Under a Madhesh filter the other 69 districts read 0 ("Achham 0"), and under a focus on
    Dhanusha "Bara 0" (12,662 approvals): on screen and in the export (a helper's walkthrough)."""
    from routes.filters import FilterState
    from routes.ui import _tables, load_view

    def district_table(app) -> pd.DataFrame:
        return next(frame.value for frame in app.dataframe if "District" in frame.value.columns)

    madhesh = district_table(_app(province="Madhesh"))
    assert len(madhesh) == 8 and madhesh["Labour approvals"].sum() == 157_947
    dhanusha = district_table(_app(focus="Dhanusha"))
    assert dhanusha[["District", "Labour approvals"]].values.tolist() == [["Dhanusha", 34_847]]
    state = FilterState(datasets=("dofe",), fiscal_year="2079/80", top_n=200)
    exported = _tables(load_view(dataclasses.replace(state, origin_provinces=("Madhesh",))))
    assert len(exported["districts"]) == 8
    # A filter on something else keeps every district: its zeros are the data's.
    women = district_table(_app(sex="female"))
    assert len(women) >= 77


def test_the_lines_file_of_the_corridors_page_holds_its_corridor_legs():
    """It held the flow page's 40 origin-to-destination flows, not the legs the map draws."""
    import json

    from routes.filters import FilterState
    from routes.ui import _downloads, _export_metadata, load_view

    state = FilterState(datasets=("synthetic",), top_n=40)
    files = {}
    for corridors in (True, False):
        view = load_view(state, corridors=corridors)
        metadata = _export_metadata(state, "Cases", "")
        made = {item.file_name: item for item in _downloads(view, metadata, "Cases", bytes)}
        files[corridors] = (view, json.loads(made["lines.geojson"].make()))
    view, lines = files[True]
    assert len(lines["features"]) == len(view.legs)
    assert {"from_name", "to_name"} <= set(lines["features"][0]["properties"])
    view, lines = files[False]
    assert len(lines["features"]) == len(view.flows)
    assert "origin_name" in lines["features"][0]["properties"]


def test_the_census_absentees_are_set_beside_the_origin_districts():
    """The shipped census table (people absent abroad, 2021) could not be seen anywhere (a
    helper's walkthrough): the flow page sets it beside the view's districts."""
    from routes.filters import FilterState
    from routes.ui import (
        _downloads,
        _export_metadata,
        census_comparison,
        census_metadata,
        load_view,
    )

    app = _app()
    expander = next(e for e in app.expander if "2021 census" in e.label)
    table = next(f.value for f in expander.dataframe)
    assert len(table) == 75  # the census layout: Nawalparasi and Rukum undivided
    assert table["Absent abroad, 2021"].sum() == 2_190_592  # the official national total
    assert table["Labour approvals"].sum() == 656_610
    kathmandu = table.set_index("District").loc["Kathmandu"]
    assert kathmandu["Absent abroad, 2021"] == 144_884 and kathmandu["Labour approvals"] == 6_428
    assert kathmandu["Per 100 absent"] == 4.4
    # Undivided in the census: the two halves and the undivided rows of DoFE, summed.
    state = FilterState(datasets=("dofe",), fiscal_year="2079/80", top_n=200)
    view = load_view(state)
    halves = view.districts[view.districts["name"].str.startswith("Nawalparasi")]["count"].sum()
    compared = census_comparison(view).table.set_index("name")
    assert compared.loc["Nawalparasi", "count"] == halves
    # Under a province filter, its districts only; with no district records, none.
    madhesh = census_comparison(
        load_view(dataclasses.replace(state, origin_provinces=("Madhesh",)))
    ).table
    assert len(madhesh) == 8 and madhesh["count"].sum() == 157_947
    # A filter that keeps half of a district the census counts whole leaves it out, and says
    # so: Nawalparasi West's 7,611 against all Nawalparasi's 72,713 absent read 10.5 per 100.
    lumbini = census_comparison(
        load_view(dataclasses.replace(state, origin_provinces=("Lumbini",)))
    )
    assert lumbini.partial == ("Nawalparasi", "Rukum")
    assert not lumbini.table["name"].isin(["Nawalparasi", "Rukum"]).any()
    base = _export_metadata(state, "Labour approvals", "http://atlas/?version=survey%3A1")
    assert (
        "Nawalparasi and Rukum are left out"
        in census_metadata(base, "Labour approvals", lumbini.partial).caveats[-1]
    )
    qatar = load_view(dataclasses.replace(state, destination_countries=("country:QAT",)))
    assert census_comparison(qatar) is None
    metadata = census_metadata(base, "Labour approvals")
    assert [credit.organisation for credit in metadata.datasets][-1].startswith(
        "National Statistics Office"
    )
    # Not cut by top N, so not said to be; its source reads as a citation, not a commit.
    assert not any(line.startswith("Top flows") for line in metadata.filters)
    assert any(line.startswith("Top flows") for line in base.filters)
    assert "@" not in metadata.datasets[-1].source_note
    assert any("India included" in caveat for caveat in metadata.caveats)
    assert metadata.link == base.link  # the page's link, its versions pinned
    # In the page's export, the zip included.
    made = _downloads(view, base, "Labour approvals", bytes, None, census_comparison(view))
    census_file = next(item for item in made if item.file_name == "census_comparison.csv")
    assert b"National Statistics Office" in census_file.make()
    # The tables workbook holds it too, its source said (a researcher found it in CSV only).
    import io

    workbook = next(item for item in made if item.file_name == "tables.xlsx")
    sheets = pd.read_excel(io.BytesIO(workbook.make()), sheet_name=None)
    assert "Census comparison" in sheets
    assert len(sheets["Census comparison"]) == len(census_comparison(view).table)
    fields = dict(zip(sheets["Metadata"]["Field"], sheets["Metadata"]["Value"], strict=True))
    assert "National Statistics Office" in fields["Sheet Census comparison source"]
    # Only the districts the view has records of (a union's ten set against 75, 65 at 0).
    kaski = load_view(dataclasses.replace(state, focus="district:Kaski"))
    assert census_comparison(kaski).table["name"].tolist() == ["Kaski"]


def test_origins_by_province_are_compared_with_the_census_by_province(gazetteer):
    """At the province level the map and table were by province, the census comparison by
    district only; summed by province, the census's undivided Nawalparasi and Rukum (each in
    two provinces) are left out on both sides, and said to be."""
    from routes.census import CENSUS_FILE, PROVINCE_CAVEAT
    from routes.filters import FilterState
    from routes.gazetteer import resolve_place
    from routes.ui import _downloads, _export_metadata, census_comparison, load_view

    app = _app(level="province")
    expander = next(e for e in app.expander if "2021 census" in e.label)
    assert "by province" in expander.label
    provinces, districts = (frame.value for frame in expander.dataframe[:2])
    assert len(provinces) == 7 and len(districts) == 75
    assert PROVINCE_CAVEAT in [caption.value for caption in expander.caption]
    # Each province: the census file's districts of that province (the undivided two in none).
    census = pd.read_csv(CENSUS_FILE)
    census["province"] = [
        gazetteer.places.loc[resolve_place(gazetteer, name, "origin"), "province"]
        for name in census["district_75"]
    ]
    expected = census.groupby("province")["absent_population_abroad"].agg(["sum", "size"])
    shown = provinces.set_index("Province")
    for province in shown.index:
        assert shown.loc[province, "Absent abroad, 2021"] == expected.loc[province, "sum"]
        assert shown.loc[province, "Districts"] == expected.loc[province, "size"]
    assert provinces["Absent abroad, 2021"].sum() == 2_190_592 - 72_713 - 13_301
    # The approvals of each province's compared districts, as the district table holds them.
    madhesh = districts[districts["Province"] == "Madhesh"]
    assert shown.loc["Madhesh", "Labour approvals"] == madhesh["Labour approvals"].sum()
    assert shown.loc["Madhesh", "Per 100 absent"] == round(
        madhesh["Labour approvals"].sum() / madhesh["Absent abroad, 2021"].sum() * 100, 1
    )
    # In the export, beside the comparison by district, with the caveat.
    state = FilterState(datasets=("dofe",), fiscal_year="2079/80", top_n=200, level="province")
    view = load_view(state)
    base = _export_metadata(state, "Labour approvals", "http://atlas/?level=province")
    made = _downloads(view, base, "Labour approvals", bytes, None, census_comparison(view))
    names = [item.file_name for item in made]
    assert "census_comparison.csv" in names
    by_province = next(i for i in made if i.file_name == "census_comparison_provinces.csv").make()
    text = by_province.decode("utf-8")
    assert "by origin province beside the 2021 census" in text
    assert "cannot be split between provinces" in text
    assert "Madhesh" in text and "Nawalparasi" not in text.split("cannot be split")[-1]
    # By district, no such file.
    district_view = load_view(dataclasses.replace(state, level="district"))
    made = _downloads(
        district_view, base, "Labour approvals", bytes, None, census_comparison(district_view)
    )
    assert "census_comparison_provinces.csv" not in [item.file_name for item in made]


def test_the_documented_routes_drawn_on_the_corridors_map_are_exported_with_their_sources():
    """They were drawn on the map and in no file but the map's (a helper's walkthrough)."""
    import sqlite3
    import tempfile

    from routes.filters import FilterState
    from routes.ui import _downloads, _export_metadata, documented_paths_for, load_view

    state = FilterState(datasets=("synthetic",), top_n=40, documented=True)
    view = load_view(state, corridors=True)
    documented = documented_paths_for(state)
    metadata = _export_metadata(state, "Cases by corridor", "")
    files = {
        item.file_name: item for item in _downloads(view, metadata, "Cases", bytes, documented)
    }
    routes = pd.read_csv(
        io.StringIO(files["documented_routes.csv"].make().decode("utf-8-sig")), comment="#"
    )
    assert len(routes) == len(documented) == 23 and routes["source_title"].notna().all()
    # And a sheet of the tables workbook (the corridors' workbook lacked them: a walkthrough).
    sheets = pd.read_excel(io.BytesIO(files["tables.xlsx"].make()), sheet_name=None)
    assert len(sheets["Documented routes"]) == 23
    with tempfile.NamedTemporaryFile(suffix=".gpkg") as handle:
        handle.write(files["view.gpkg"].make())
        handle.flush()
        with sqlite3.connect(handle.name) as db:
            tables = {row[0] for row in db.execute("SELECT table_name FROM gpkg_contents")}
    assert "documented_routes" in tables and "corridor_legs" in tables
    without = {item.file_name for item in _downloads(view, metadata, "Cases", bytes)}
    assert "documented_routes.csv" not in without


def test_the_documented_routes_are_credited_to_their_own_sources_in_files_and_on_the_map():
    """documented_routes.csv was headed "Dataset: Synthetic demonstration cases", with the
    synthetic cases' note and "Top flows: 40"; the corridors map and its image credited the
    synthetic cases alone (a ministry analyst's walkthrough)."""
    from routes.filters import FilterState
    from routes.ui import (
        DOCUMENTED_SOURCE_NOTE,
        _downloads,
        _export_metadata,
        corridor_map,
        documented_paths_for,
        load_view,
        map_text,
        with_documented,
    )

    state = FilterState(
        datasets=("synthetic",), top_n=40, documented=True, sexes=("female",),
        destination_regions=("Gulf",),
    )  # fmt: skip
    view = load_view(state, corridors=True)
    metadata = _export_metadata(state, "Cases by corridor", "")
    files = {
        item.file_name: item
        for item in _downloads(view, metadata, "Cases", bytes, documented_paths_for(state))
    }
    header = [
        line
        for line in files["documented_routes.csv"].make().decode("utf-8-sig").splitlines()
        if line.startswith("# ") and not line.startswith("# Column")
    ]
    datasets = [line for line in header if line.startswith("# Dataset:")]
    assert len(datasets) == 1 and "Routes documented in public reports" in datasets[0]
    assert not any("ynthetic" in line for line in header)
    # Only the filters that choose the routes: a region does, sex and top N do not.
    assert [line for line in header if line.startswith("# Filter")] == [
        "# Filter: Destination region: Gulf"
    ]
    # Every column of it is described (3 of its 14 were).
    from routes.export import COLUMN_MEANINGS

    columns = pd.read_csv(
        io.StringIO(files["documented_routes.csv"].make().decode("utf-8-sig")), comment="#"
    ).columns
    assert set(columns) <= set(COLUMN_MEANINGS)
    credited = with_documented(metadata)
    titles = [credit.title for credit in credited.datasets]
    assert titles[-1] == "Routes documented in public reports" and len(titles) == 2
    html = corridor_map(view, state, map_text(state, "Cases", "Cases")).get_root().render()
    assert DOCUMENTED_SOURCE_NOTE.split(" (")[0] in html
    hidden = dataclasses.replace(state, documented=False)
    html = corridor_map(view, hidden, map_text(hidden, "Cases", "Cases")).get_root().render()
    assert DOCUMENTED_SOURCE_NOTE.split(" (")[0] not in html


def test_a_whole_month_range_stays_whole_when_another_dataset_widens_the_months(
    tmp_path, monkeypatch
):
    """A union's three months, then DoFE added: the slider kept Shrawan to Ashoj, a filter
    nobody set (212,784 where the year had 667,246; a helper's walkthrough). A range the
    analyst narrowed stays narrowed."""
    import routes.ui
    from routes.gazetteer import load_gazetteer, place_records
    from routes.schema import validate_records
    from routes.store import DatasetInfo, FileStore

    months = ["Shrawan 2079", "Bhadra 2079", "Ashoj 2079"]
    frame = pd.DataFrame(
        {"origin": "Jhapa", "destination": "Qatar", "count": [10, 20, 30], "period": months}
    )
    records = place_records(load_gazetteer(), validate_records(frame).records).records
    FileStore(tmp_path / "datasets").save(
        records, DatasetInfo(title="Union months", organisation="Union", sensitivity="public")
    )
    monkeypatch.setattr(routes.ui, "STORE_DIR", tmp_path)

    def total(app) -> int:
        metric = next(m for m in app.metric if m.label.endswith("all destinations"))
        return int(metric.value.replace(",", ""))

    app = _app(data="union-months")
    assert total(app) == 60
    app.multiselect(key="flows_datasets").set_value(["union-months", "dofe"]).run()
    assert not app.exception
    assert app.session_state["flows_month_from"] == app.session_state["flows_month_to"] == ""
    assert total(app) == 656_610 + 60
    # Narrowed by the analyst, then another dataset: the range is kept.
    app.select_slider(key="flows_months_2079/80").set_range("Shrawan 2079", "Bhadra 2079").run()
    narrowed = total(app)
    app.multiselect(key="flows_datasets").set_value(["dofe"]).run()
    app.multiselect(key="flows_datasets").set_value(["dofe", "union-months"]).run()
    assert app.session_state["flows_month_to"] == "Bhadra 2079"
    assert total(app) == narrowed


def test_the_map_of_origins_is_not_titled_with_the_flows_top_n_and_links_have_a_path():
    """The origin map's legend said "Top flows: 200", which does not cut it; an exported link
    read "http://host:8501?province=..." (a helper's walkthrough)."""
    from unittest import mock

    from routes.filters import FilterState
    from routes.ui import map_text, view_link

    state = FilterState(datasets=("dofe",), fiscal_year="2079/80", top_n=200)
    assert "Top flows" not in map_text(state, "Labour approvals", "x", flow_cuts=()).title
    assert "Top flows: 200" in map_text(state, "Labour approvals", "x").title
    with mock.patch("routes.ui.st.context") as context:
        context.url = "http://host:8501"
        link = view_link(dataclasses.replace(state, origin_provinces=("Madhesh",)))
    assert link.startswith("http://host:8501/?")


def test_the_data_sources_chosen_on_one_map_page_open_the_other(tmp_path, monkeypatch):
    """A union's survey on the flow map became the synthetic cases on the corridors page (a
    helper's walkthrough); the flow page's own default, DoFE (no routes), is not carried."""
    import routes.ui
    from routes.gazetteer import load_gazetteer, place_records
    from routes.schema import validate_records
    from routes.store import DatasetInfo, FileStore

    frame = pd.DataFrame(
        {
            "origin": ["Jhapa", "Morang"],
            "destination": ["Qatar", "Kuwait"],
            "transit": ["Kakarbhitta > Siliguri", "New Delhi"],
            "count": [12, 30],
            "period": ["Magh 2079", "Magh 2079"],
        }
    )
    records = place_records(load_gazetteer(), validate_records(frame).records).records
    FileStore(tmp_path / "datasets").save(
        records, DatasetInfo(title="Union routes", organisation="Union", sensitivity="public")
    )
    monkeypatch.setattr(routes.ui, "STORE_DIR", tmp_path)
    app = _app(data="union-routes")
    app.query_params.clear()  # a browser drops the page's query string on a page switch
    app.switch_page("pages/corridors.py").run()
    assert not app.exception
    assert app.multiselect(key="corridors_datasets").value == ["union-routes"]
    assert _number(app, "People, all corridors") == 42
    fresh = _app()
    fresh.query_params.clear()
    fresh.switch_page("pages/corridors.py").run()
    assert fresh.multiselect(key="corridors_datasets").value == ["synthetic"]


def test_the_tables_beside_the_maps_fit_their_numbers_and_name_their_columns_on_hover():
    """At 1280 px the destination table cut its share to "35." and its count's header to
    "Labour appro": the share has a width that holds "35.6%", and each number column says its
    whole name when pointed at."""
    import json

    from routes.ui import SHARE_WIDTH_PX

    app = _app()
    destinations, districts = (json.loads(frame.proto.columns) for frame in app.dataframe[:2])
    assert destinations["Share"]["width"] == SHARE_WIDTH_PX >= 60
    assert "Share of the total" in destinations["Share"]["help"]
    assert destinations["Labour approvals"]["help"] == "Labour approvals"
    assert districts["Labour approvals"]["help"] == "Labour approvals"
    # ... and is headed by what fits: "Labour appro" was still cut at 1280 and 1440 px.
    assert destinations["Labour approvals"]["label"] == "Approvals"
    assert districts["Labour approvals"]["label"] == "Approvals"


def test_a_count_column_is_headed_by_the_last_word_of_its_unit():
    from routes.ui import count_header

    assert count_header("Labour approvals") == "Approvals"
    assert count_header("Combined counts") == "Counts"
    assert count_header("People") == "People"
    assert count_header("cases") == "Cases"
    assert count_header("Returnees interviewed") == "Count"  # no plural noun last
    assert count_header("Workers surveyed") == "Count"
    assert count_header("Migrants (2079)") == "Count"
    assert count_header("Interviews") == "Count"  # too long to fit
    assert count_header("") == "Count"


def test_a_destination_focus_says_in_every_export_that_the_origin_districts_are_not_focused():
    """A helper's walkthrough: with Kuwait in focus every file was headed "Focus: Kuwait", but
    districts.csv, provinces.csv, the census comparison and the maps' shading counted every
    destination (DoFE's district table does not say where workers went)."""
    from routes.filters import FilterState
    from routes.ui import (
        _downloads,
        _export_metadata,
        census_comparison,
        flow_map,
        left_out_notes,
        load_view,
        map_text,
        origin_map,
    )

    state = FilterState(
        datasets=("dofe",), fiscal_year="2079/80", top_n=200, focus="country:KWT", level="province"
    )
    view = load_view(state)
    assert not view.districts_focused
    notes = left_out_notes(view, "Labour approvals")
    base = _export_metadata(state, "Labour approvals", "http://atlas/", notes)
    made = {
        item.file_name: item.make().decode("utf-8-sig")
        for item in _downloads(view, base, "Labour approvals", bytes, None, census_comparison(view))
        if item.file_name.endswith(".csv")
    }
    for name in ("districts.csv", "provinces.csv", "census_comparison.csv"):
        assert "Focus: Kuwait" not in made[name], name
        assert "not focused on Kuwait" in made[name], name
    # The files that are focused keep their focus, and say what is not.
    assert "Focus: Kuwait" in made["destinations.csv"]
    assert "not focused on Kuwait" in made["destinations.csv"]
    # The map's legend says so of its shading.
    text = map_text(state, "Labour approvals", "Labour approvals")
    unfocused = "(Labour approvals, not focused)"
    assert flow_map(view, text).atlas_legend.area_heading == f"Origin districts {unfocused}"
    assert origin_map(view, text).atlas_legend.area_heading == f"Origin provinces {unfocused}"
    # The province table says so beside it too, as the district table does.
    app = _app(level="province", focus="country:KWT")
    said = [c.value for c in app.caption if c.value.startswith("The district data do not say")]
    assert len(said) == 2  # beside the table, and in the census comparison
    # A district focus is followed by the districts: nothing to say.
    district = load_view(dataclasses.replace(state, focus="district:Jhapa"))
    assert not any("not focused" in note for note in left_out_notes(district, "Labour approvals"))


def test_the_census_comparison_says_when_the_views_filters_narrow_one_side_only():
    """Women's 58,437 approvals were set against the 2,190,592 absent of both sexes, with
    nothing said, on screen or in the file."""
    app = _app(sex="female")
    expander = next(e for e in app.expander if "2021 census" in e.label)
    warnings = " ".join(w.value for w in expander.warning)
    assert "filters on sex narrow its counts only" in warnings
    assert "of both sexes" in warnings
    plain = next(e for e in _app().expander if "2021 census" in e.label)
    assert not any("narrow its counts only" in w.value for w in plain.warning)
    from routes.filters import FilterState
    from routes.ui import _export_metadata, census_comparison, census_metadata, load_view

    state = FilterState(datasets=("dofe",), fiscal_year="2079/80", sexes=("female",))
    view = load_view(state)
    comparison = census_comparison(view)
    metadata = census_metadata(
        _export_metadata(state, "Labour approvals", ""), "Labour approvals", view=view
    )
    assert any("filters on sex narrow" in caveat for caveat in metadata.caveats)
    assert comparison.table["count"].sum() == 58_437


def test_an_undivided_district_alone_is_not_compared_with_the_census_as_nought_against_nought():
    """Nawalparasi's undivided rows alone read '0' approvals against '0' absent, with an empty
    table and an export of its header only."""
    app = _app(district="Nawalparasi")
    expander = next(e for e in app.expander if "2021 census" in e.label)
    assert "Nothing is left to compare" in " ".join(info.value for info in expander.info)
    assert not expander.metric and not expander.dataframe
    labels = [button.proto.label for button in app.get("download_button")]
    assert "Census comparison (CSV)" not in labels and "Comparison (CSV)" not in labels


@pytest.mark.parametrize(
    ("query", "key", "expected"),
    [
        ({"country": "UAE"}, "flows_destination_countries", ["country:ARE"]),
        ({"district": "Kavre"}, "flows_origin_districts", ["district:Kavrepalanchok"]),
        ({"district": "Dhanusa"}, "flows_origin_districts", ["district:Dhanusha"]),
        ({"province": "Province 1"}, "flows_origin_provinces", ["Koshi"]),
    ],
)
def test_a_link_may_spell_a_place_as_the_gazetteer_knows_it(query, key, expected, gazetteer):
    """'?country=UAE' and '?district=Kavre' were 'not in the data', though the gazetteer knows
    both spellings (the census file itself spells Dhanusha 'Dhanusa')."""
    app = _app(**query)
    assert not any("not in the data" in w.value for w in [*app.warning, *app.info])
    value = app.session_state[key]
    assert list(value) == expected, value
    assert all(pid in gazetteer.places.index for pid in expected if ":" in pid)


def test_an_export_cut_to_the_top_flows_says_how_many_of_the_views_flows_it_holds():
    """'Filter: Top flows: 5' was all the files said, the destinations summing to 43,707 of the
    view's 58,437 (the page says '5 of 80 flows shown')."""
    from routes.filters import FilterState
    from routes.ui import left_out_notes, load_view

    state = FilterState(datasets=("dofe",), fiscal_year="2079/80", sexes=("female",), top_n=5)
    view = load_view(state)
    notes = [note for note in left_out_notes(view, "Labour approvals") if "top N" in note]
    assert notes == [
        f"5 of the view's {view.flows_before_top} flows are on the map and in the flows and "
        "lines (top N / minimum volume): the rest are left out of them, and counted in the "
        "totals, the destinations, the nodes' totals, the districts and the months."
    ]
    assert view.flows_before_top > 5
    # The destinations are all there, as the note says (cut to the top 5 destinations, the
    # table beside the map named places no drawn flow reached: a walkthrough).
    assert len(view.destination_table) == view.flows_before_top
    assert int(view.destination_table["count"].sum()) == view.totals.flows_total
    whole = load_view(dataclasses.replace(state, top_n=0))
    assert not any("top N" in note for note in left_out_notes(whole, "Labour approvals"))


def test_top_n_is_named_only_where_it_leaves_flows_out():
    """ "Top flows: 200" headed every map and file of all 80 destinations, nothing cut (a
    ministry analyst's walkthrough); the corridors page did not say it drew 40 of them."""
    from routes.filters import FilterState
    from routes.ui import flows_cut, load_view, map_text

    state = FilterState(datasets=("dofe",), fiscal_year="2079/80", top_n=200)
    view = load_view(state)
    assert not flows_cut(view) and len(view.flows) == view.flows_before_top
    assert flows_cut(load_view(dataclasses.replace(state, top_n=5)))
    app = _app()
    app.run()
    titles = [str(c.proto) for c in app.get("component_instance")]
    assert titles and not any("Top flows" in title for title in titles)

    # A minimum volume that leaves 11 flows: it alone is named, as counts read ("5000",
    # and "Top flows: 200" beside it: a regression walkthrough).
    minimum = load_view(dataclasses.replace(state, min_count=5000))
    assert flows_cut(minimum) == ("min_count",) and len(minimum.flows) < 200
    title = map_text(minimum.state, "Labour approvals", "x", flow_cuts=flows_cut(minimum)).title
    assert "Minimum volume: 5,000" in title and "Top flows" not in title
    assert flows_cut(load_view(dataclasses.replace(state, top_n=5))) == ("top_n",)
    corridors = load_view(FilterState(datasets=("synthetic",), top_n=40), corridors=True)
    assert flows_cut(corridors, corridors=True) and corridors.corridors_drawn == 40
    app.switch_page("pages/corridors.py").run()
    captions = [c.value for c in app.caption]
    listed = (
        "the table ranks them all"
        if len(corridors.corridors) <= 100
        else "the table lists the largest 100"  # it said "ranks them all" of 3,753 (a review)
    )
    assert (
        f"The map draws the largest 40 of {len(corridors.corridors):,} corridors (top N / "
        f"minimum volume); {listed}." in captions
    )


def test_the_corridors_charts_and_maps_of_synthetic_data_say_so_in_their_own_titles():
    """The Sankey's caption read 'Cases: origin province → first transit place → destination':
    cut from the page into a report, it read as real data."""
    from routes.filters import FilterState
    from routes.ui import map_text

    app = _app()
    app.switch_page("pages/corridors.py").run()
    captions = [c.value for c in app.caption]
    sankey = next(c for c in captions if "first transit place" in c)
    assert "synthetic demonstration data" in sankey
    assert (
        "synthetic demonstration data"
        in map_text(FilterState(datasets=("synthetic",)), "Cases", "Cases per corridor leg").title
    )
    assert "synthetic" not in map_text(FilterState(datasets=("dofe",)), "A", "A").title
    # The month chart's title on the flow page, with the synthetic cases beside DoFE.
    mixed = _app(data="dofe~synthetic")
    assert any(
        "by month" in c.value and "synthetic demonstration data" in c.value for c in mixed.caption
    )
    # ... said to include them, not to be them: DoFE's 656,610 approvals are real.
    assert any(
        "by month" in c.value and c.value.endswith(" — includes synthetic demonstration data")
        for c in mixed.caption
    )
    assert any(
        c.endswith("destination (top destinations) — synthetic demonstration data")
        or c.endswith(" — synthetic demonstration data")
        for c in captions
    )


def test_the_about_page_lists_the_census_and_the_documented_routes_with_their_sources():
    """Only DoFE and the synthetic cases had cards; the census, shown beside the districts,
    and the documented routes were in the developers' provenance notes only."""
    app = _app()
    app.switch_page("pages/about_data.py").run()
    assert not app.exception
    text = " ".join(m.value for m in app.markdown)
    assert "Census 2021: people absent abroad, by district" in text
    assert "National Statistics Office" in text and "2,190,592 persons" in text
    assert "Routes documented in public reports" in text and "23 routes" in text
    assert "(20 sources" in text  # by address: four rows share another's


@pytest.mark.parametrize(
    ("province", "named"),
    [("Koshi", []), ("Lumbini", ["Nawalparasi", "Rukum"]), ("Karnali", ["Rukum"])],
)
def test_a_province_filter_names_only_the_undivided_districts_that_lie_partly_in_it(
    province, named
):
    """A Koshi filter was told that Nawalparasi and Rukum each lie in two provinces."""
    app = _app(province=province)
    said = [c.value for c in app.caption if "in two provinces, so no province" in c.value]
    if not named:
        assert said == []
    else:
        assert len(said) == 1 and said[0].startswith(" and ".join(named))


def test_documented_routes_naming_none_of_the_chosen_places_say_so_not_an_empty_table():
    from routes.filters import FilterState
    from routes.ui import documented_paths_for

    assert documented_paths_for(FilterState(destination_countries=("country:JPN",))).empty
    app = _app(country="Japan")
    app.switch_page("pages/corridors.py").run()
    assert not app.exception
    expander = next(e for e in app.expander if e.label.startswith("Documented routes"))
    assert "0 of 23" in expander.label
    assert any("None of the 23 documented routes" in c.value for c in expander.caption)
    assert not expander.dataframe


def test_the_sankey_names_an_airport_by_its_city_rather_than_cutting_its_name():
    """'Kathmandu Tribhuvan In…' was the busiest node of the corridors' diagram."""
    import json

    app = _app()
    app.switch_page("pages/corridors.py").run()
    [chart] = [c for c in app.get("plotly_chart")]
    figure = json.loads(chart.proto.spec)
    node = figure["data"][0]["node"]
    assert "Kathmandu airport" in node["label"]
    assert not any("Tribhuvan" in label for label in node["label"])
    assert any("Tribhuvan" in name for name in node["customdata"])  # its tooltip says it whole


def test_a_transit_focus_says_the_diagram_shows_each_corridors_first_transit_place():
    """New Delhi in focus, and no New Delhi in the diagram headed 'transit' (a helper's
    walkthrough)."""
    app = AppTest.from_file(str(ROOT / "pages/corridors.py"), default_timeout=TIMEOUT_S)
    app.query_params["focus"] = "hub:New Delhi"
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    headings = [m.value for m in app.markdown if m.value.startswith("####")]
    assert "#### Origin province → first transit place → destination" in headings
    captions = " ".join(c.value for c in app.caption)
    assert "Every corridor here passes New Delhi; the diagram shows each one's first" in captions


def test_a_view_whose_records_say_no_destination_draws_no_empty_world_map():
    """Under a province filter DoFE's records name no destination: an empty world map, titled
    with the filters, stood beside 'not recorded'."""
    app = _app(province="Madhesh")
    said = " ".join(info.value for info in app.info)
    assert "No flow to draw" in said and "on the map below" in said

    def maps(app) -> int:
        return sum(
            e.proto.component_name == "streamlit_folium.st_folium"
            for e in app.get("component_instance")
        )

    assert maps(app) == 1 and maps(_app()) == 2  # the origin map only
    # Nor does the export offer it: only the origin map's image.
    labels = [button.proto.label for button in app.get("download_button")]
    assert "Map image (PNG)" not in labels and "Map (HTML, works offline)" not in labels
    assert "Origin district map image (PNG)" in labels


def test_a_fiscal_year_that_counts_part_of_a_dataset_says_which_periods_it_leaves_out():
    """The page's fiscal year counted part of a desk's dataset (its newest month) without a word
    (a helper's walkthrough); DoFE's earlier months under the default year are not said, as
    choosing a year means leaving out the others before it."""
    notices = " ".join(info.value for info in _app(fy="2078/79").info)
    assert (
        "'DoFE labour approvals, Baisakh 2079 – Baisakh 2080' (Shrawan 2079 to Baisakh 2080): its "
        "records of these periods are not within FY 2078/79 (a later year, or a month or year "
        "that spans two fiscal years), and this view does not count them." in notices
    )
    assert "not within FY" not in " ".join(info.value for info in _app().info)


def test_the_upload_page_offers_a_template_and_says_what_each_column_holds():
    from routes.mapping import FIELDS as MAPPING_FIELDS
    from routes.ui import UPLOAD_TEMPLATE

    app = _app()
    app.switch_page("pages/upload.py").run()
    assert not app.exception
    guide = app.table[0].value.reset_index()
    assert {"origin", "destination", "transit", "count", "period"} <= set(guide["Column"])
    assert set(guide["Column"]) <= set(MAPPING_FIELDS)
    template = [d for d in app.get("download_button") if d.proto.label == "Template (CSV)"]
    assert len(template) == 1
    header = UPLOAD_TEMPLATE.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header == guide["Column"].tolist()


def test_a_chart_of_nepali_and_ad_months_says_they_overlap_on_screen_and_in_files():
    """A pooled file's chart alternated "Shrawan 2079, August 2022, Bhadra 2079..." and its
    months.csv called them all Nepali months (an NGO's walkthrough)."""
    from routes.filters import FilterState
    from routes.flows import mixed_calendars
    from routes.gazetteer import load_gazetteer, place_records
    from routes.schema import validate_records
    from routes.ui import MIXED_CALENDARS_NOTE, left_out_notes
    from routes.views import compute_view

    frame = pd.DataFrame(
        {
            "origin": ["Jhapa", "Morang", "Kaski"],
            "destination": ["Qatar", "Kuwait", "Qatar"],
            "count": [12, 15, 11],
            "period": ["Shrawan 2079", "August 2022", "Bhadra 2079"],
        }
    )
    gazetteer = load_gazetteer()
    records = place_records(gazetteer, validate_records(frame).records).records
    view = compute_view(gazetteer, records, FilterState())
    assert mixed_calendars(view.trend)
    assert MIXED_CALENDARS_NOTE in left_out_notes(view, "People")
    nepali = compute_view(gazetteer, records.iloc[[0, 2]], FilterState())
    assert not mixed_calendars(nepali.trend)
    assert MIXED_CALENDARS_NOTE not in left_out_notes(nepali, "People")


def test_a_pooled_files_record_sources_are_a_filter(tmp_path, monkeypatch):
    """A network's pooled file kept each record's organisation as its source, and no page could
    narrow by it (an NGO network's walkthrough); DoFE's twenty monthly tables are not offered."""
    import routes.ui
    from routes.gazetteer import load_gazetteer, place_records
    from routes.schema import validate_records
    from routes.store import DatasetInfo, FileStore

    frame = pd.DataFrame(
        {
            "origin": ["Jhapa", "Morang", "Kaski"],
            "destination": ["Qatar", "Kuwait", "Qatar"],
            "count": [12, 30, 20],
            "period": ["Magh 2079"] * 3,
            "source": ["Maiti Nepal", "Shakti Samuha", "Maiti Nepal"],
        }
    )
    records = place_records(load_gazetteer(), validate_records(frame).records).records
    FileStore(tmp_path / "datasets").save(
        records, DatasetInfo(title="Pooled network cases", organisation="Network")
    )
    monkeypatch.setattr(routes.ui, "STORE_DIR", tmp_path)
    app = _app(data="pooled-network-cases", fy="")
    assert not app.exception
    assert _number(app, "People, all destinations") == 62
    sources = app.multiselect(key="flows_sources")
    assert sources.options == ["Maiti Nepal", "Shakti Samuha"]
    assert sources.label == "Record source (all when empty)"
    sources.set_value(["Maiti Nepal"]).run()
    assert _number(app, "People, all destinations") == 32
    assert any(b.label == "✕ Record source: Maiti Nepal" for b in app.button)
    dofe = _app()
    assert not any(m.key == "flows_sources" for m in dofe.multiselect)


def test_record_values_read_capitalised_in_filters_chips_and_titles():
    """'Sex: female' and 'irregular' beside 'Recruiting agency' (a newcomer's walkthrough)."""
    from routes.ui import value_label

    app = _app()
    sexes = app.multiselect(key="flows_sexes")
    assert "Female" in sexes.options and "female" not in sexes.options
    sexes.set_value(["female"]).run()
    assert any(button.label == "✕ Sex: Female" for button in app.button)
    assert value_label("domestic work") == "Domestic work"
    assert value_label("UAE-based") == "UAE-based" and value_label("") == ""


def test_the_documented_routes_table_gives_each_route_as_its_source_does_beside_its_places():
    """'Path as placed' read Aizawl where the source names Mizoram, as if the source named it
    (a ministry analyst's walkthrough)."""
    app = _app()
    app.switch_page("pages/corridors.py").run()
    table = next(
        frame.value for frame in app.dataframe if "As the source gives it" in frame.value.columns
    )
    r04 = table.set_index("Route").loc["R04"]
    assert "Mizoram" in r04["As the source gives it"] and "Aizawl" in r04["Path as placed"]


def test_values_that_would_read_alike_keep_their_own_case():
    """A pooled file's 'irregular' and 'Irregular' were two options both reading 'Irregular'
    (a code review)."""
    from routes.ui import _value_labels

    labels = _value_labels({"channels": ["irregular", "Irregular", "regular"]}, "channels")
    assert labels == {"irregular": "irregular", "Irregular": "Irregular", "regular": "Regular"}


def test_the_first_page_says_what_the_app_is():
    """A phone hides the sidebar, the only place that named the app (a newcomer's walkthrough)."""
    from routes.ui import APP_INTRO, SIDEBAR_FOLDS_BELOW_PX

    (intro,) = [e.proto.body for e in _app().get("html") if "atlas-intro" in e.proto.body]
    assert html.escape(APP_INTRO) in intro
    # Shown where the sidebar folds away only (on a laptop it pushed the map down).
    assert f"@media (max-width: {SIDEBAR_FOLDS_BELOW_PX}px)" in intro and "display: none" in intro


def test_a_title_of_all_years_gives_the_months_of_the_view_not_of_its_datasets(
    tmp_path, monkeypatch
):
    """A source of three months was titled with its dataset's months, to a typo's Shrawan 2090
    (a regression walkthrough)."""
    import routes.ui
    from routes.filters import FilterState
    from routes.gazetteer import load_gazetteer, place_records
    from routes.schema import validate_records
    from routes.store import DatasetInfo, FileStore
    from routes.ui import load_view, map_text

    frame = pd.DataFrame(
        {
            "origin": ["Jhapa", "Morang", "Kaski"],
            "destination": ["Qatar", "Kuwait", "Qatar"],
            "count": [12, 30, 20],
            "period": ["Shrawan 2079", "Ashoj 2079", "Falgun 2079"],
            "source": ["Pourakhi", "Pourakhi", "Shakti Samuha"],
        }
    )
    records = place_records(load_gazetteer(), validate_records(frame).records).records
    FileStore(tmp_path / "datasets").save(
        records, DatasetInfo(title="Two sources months", organisation="Network")
    )
    monkeypatch.setattr(routes.ui, "STORE_DIR", tmp_path)
    whole = FilterState(datasets=("two-sources-months",))
    assert ", all years (Shrawan 2079 to Falgun 2079)" in map_text(whole, "x", "x").title
    one = dataclasses.replace(whole, sources=("Pourakhi",))
    title = map_text(one, "x", "x", view=load_view(one)).title
    assert ", all years (Shrawan 2079 to Ashoj 2079)" in title
    # ... and a fiscal year's months, as the view has them (a code review).
    year = dataclasses.replace(one, fiscal_year="2079/80")
    title = map_text(year, "x", "x", view=load_view(year)).title
    assert "(Shrawan 2079 to Ashoj 2079 only)" in title


def test_the_corridors_map_opens_on_nepal_and_its_corridors_destinations():
    """A corridors view of Europe opened on the Gulf to East Asia (a code review)."""
    from routes.filters import FilterState
    from routes.maps import DEFAULT_BOUNDS, _first_view
    from routes.ui import corridor_map, load_view, map_text

    state = FilterState(datasets=("synthetic",), top_n=40)
    view = load_view(state, corridors=True)
    fmap = corridor_map(view, state, map_text(state, "Cases", "Cases"))
    fits = [child for child in fmap._children.values() if type(child).__name__ == "_FitBounds"]
    expected = _first_view(view.corridor_nodes)
    assert [tuple(map(tuple, fit.bounds)) for fit in fits] == [expected]
    assert expected != DEFAULT_BOUNDS


def test_the_focus_panel_breakdowns_read_their_values_as_the_filters_do():
    """The focus's sex table read "female"/"male" beside chips reading "Female" (a regression
    walkthrough)."""
    app = _app(focus="country:QAT")
    tables = [t.value for t in app.dataframe if "Sex" in t.value.columns]
    assert len(tables) == 1
    assert set(tables[0]["Sex"]) == {"Female", "Male"}


def test_a_surveys_districts_are_those_it_names_and_the_others_read_not_recorded(
    tmp_path, monkeypatch
):
    """A union's survey of three districts listed the other 74 as 0, on the page and in its
    districts file; a filter on one of them read "all destinations 0"."""
    import routes.ui
    from routes.filters import FilterState
    from routes.gazetteer import load_gazetteer, place_records
    from routes.schema import validate_records
    from routes.store import DatasetInfo, FileStore
    from routes.ui import _tables, left_out_notes, load_view

    frame = pd.DataFrame(
        {
            "origin": ["Jhapa", "Kaski", "Morang"],
            "destination": ["Qatar", "Malaysia", "Kuwait"],
            "count": [50, 40, 30],
            "period": "Magh 2079",
        }
    )
    records = place_records(load_gazetteer(), validate_records(frame).records).records
    FileStore(tmp_path / "datasets").save(
        records, DatasetInfo(title="Union survey", organisation="Union", sensitivity="public")
    )
    monkeypatch.setattr(routes.ui, "STORE_DIR", tmp_path)
    app = _app(data="union-survey")
    assert not app.exception
    districts = next(frame.value for frame in app.dataframe if "District" in frame.value)
    assert sorted(districts["District"]) == ["Jhapa", "Kaski", "Morang"]
    captions = " ".join(caption.value for caption in app.caption)
    assert "No record of these data names 74 of the districts" in captions
    # By province: the provinces of the districts it names, and the same note.
    app = _app(data="union-survey", level="province")
    assert not app.exception
    provinces = next(frame.value for frame in app.dataframe if "Province" in frame.value)
    assert sorted(provinces["Province"]) == ["Gandaki", "Koshi"]
    captions = " ".join(caption.value for caption in app.caption)
    assert "Each province counts only the districts the data name" in captions
    # The districts file holds the three; its notes name every district left out.
    view = load_view(FilterState(datasets=("union-survey",)))
    assert len(_tables(view)["districts"]) == 3
    [note] = [n for n in left_out_notes(view, "Cases") if n.startswith("No record")]
    assert "Humla" in note and "Achham" in note and "Jhapa" not in note


def test_the_provinces_an_undivided_district_lies_in_are_not_drawn_as_not_in_the_data():
    """A survey naming only Jhapa and undivided Nawalparasi: by province, Gandaki and Lumbini
    were drawn pale as "not in these data", beside the note that Nawalparasi's people are in no
    province (a walkthrough)."""
    from routes.filters import FilterState
    from routes.gazetteer import load_gazetteer, place_records
    from routes.schema import validate_records
    from routes.ui import left_out_notes, not_covered_areas
    from routes.views import compute_view

    gazetteer = load_gazetteer()
    frame = pd.DataFrame(
        {"origin": ["Jhapa", "Nawalparasi"], "destination": "Qatar", "count": [5, 22]}
    )
    records = place_records(gazetteer, validate_records(frame).records).records
    view = compute_view(gazetteer, records, FilterState(level="province"))
    pale = set(not_covered_areas(view, provinces=True)["name"])
    assert {"Gandaki", "Lumbini", "Koshi"}.isdisjoint(pale)
    assert pale == {"Madhesh", "Bagmati", "Karnali", "Sudurpashchim"}
    # Every file says which districts are left out, the corridors' files too.
    for corridors in (False, True):
        notes = left_out_notes(view, "People", corridors=corridors)
        assert any(note.startswith("No record of these data names") for note in notes)


def test_chosen_districts_the_data_never_name_read_not_recorded_not_zero():
    """A state choosing only districts a survey never names (a link, or a filter kept from a
    combined view) read "chosen districts 0" beside "not counted 0" (a code review)."""

    def page():
        import pandas as pd

        from routes.filters import FilterState
        from routes.gazetteer import load_gazetteer, place_records
        from routes.schema import validate_records
        from routes.ui import show_district_table
        from routes.views import compute_view

        gazetteer = load_gazetteer()
        frame = pd.DataFrame({"origin": ["Jhapa"], "destination": "Qatar", "count": [5]})
        records = place_records(gazetteer, validate_records(frame).records).records
        state = FilterState(origin_districts=("district:Humla",))
        show_district_table(compute_view(gazetteer, records, state), "People")

    app = AppTest.from_function(page, default_timeout=TIMEOUT_S).run()
    assert not app.exception, [e.value for e in app.exception]
    assert [m.value for m in app.metric] == ["not recorded"]
    assert any("No record of these data names Humla" in c.value for c in app.caption)


def test_the_destinations_layer_holds_the_places_flows_arrive_at_not_their_origins():
    """The GeoPackage's "destinations" layer held the drawn flows' origin districts too, each a
    destination of 0 (a walkthrough)."""
    from routes.filters import FilterState
    from routes.ui import _layers, load_view

    view = load_view(FilterState(datasets=("synthetic",), top_n=50))
    assert (view.nodes["kind"] == "district").any()  # the drawn flows' places hold origins
    destinations = _layers(view)["destinations"]
    assert len(destinations) and (destinations["count_in"] > 0).all()
    assert not (destinations["kind"] == "district").any()
    drawn = set(view.flows["destination_id"])
    assert set(destinations["place_id"]) == drawn


def test_a_channel_chosen_stays_chosen_when_a_dataset_spells_it_otherwise(tmp_path, monkeypatch):
    """One value in any capitals across datasets, spelt as most records spell it: a channel
    chosen as "irregular" became "Irregular" once a dataset writing it so was added, and the
    choice was dropped unsaid, the view counting every channel (a code review)."""
    import routes.ui
    from routes.gazetteer import load_gazetteer, place_records
    from routes.schema import validate_records
    from routes.store import DatasetInfo, FileStore

    store = FileStore(tmp_path / "datasets")
    for title, channel, rows in (("Small union", "irregular", 3), ("Big union", "Irregular", 5)):
        frame = pd.DataFrame(
            {
                "origin": "Jhapa",
                "destination": "Qatar",
                "count": 10,
                "period": "Magh 2079",
                "channel": [channel] * rows + ["regular"] * 2,
            }
        )
        records = place_records(load_gazetteer(), validate_records(frame).records).records
        store.save(records, DatasetInfo(title=title, organisation="Union", sensitivity="public"))
    monkeypatch.setattr(routes.ui, "STORE_DIR", tmp_path)

    app = _app(data="small-union")
    app.multiselect(key="flows_channels").set_value(["irregular"]).run()
    assert _number(app, "People, all destinations") == 30
    app.multiselect(key="flows_datasets").set_value(["small-union", "big-union"]).run()
    assert not app.exception
    assert len(app.multiselect(key="flows_channels").options) == 2  # irregular, regular
    assert app.multiselect(key="flows_channels").value == ["Irregular"]
    assert _number(app, "People, all destinations") == 80
