"""The Datasets page: a dataset moved to the trash can be deleted for good, and nothing of it
is shown again."""

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import routes.ui
from routes.gazetteer import load_gazetteer, place_records
from routes.schema import validate_records
from routes.store import TRASH, DatasetInfo, FileStore

ROOT = Path(__file__).resolve().parents[2]


def _records(count: int) -> pd.DataFrame:
    frame = pd.DataFrame(
        {"origin": ["Jhapa"], "destination": ["Qatar"], "count": [count], "period": ["Magh 2079"]}
    )
    return place_records(load_gazetteer(), validate_records(frame).records).records


@pytest.fixture
def store(tmp_path, monkeypatch) -> FileStore:
    monkeypatch.setattr(routes.ui, "STORE_DIR", tmp_path)
    return FileStore(tmp_path / "datasets")


def _people(app) -> str:
    return str(app.metric[0].value)


def test_a_dataset_deleted_for_good_is_gone_from_the_page_and_from_every_view(store):
    info = DatasetInfo(title="Shelter cases", organisation="Test", sensitivity="public")
    store.save(_records(777), info)
    flows = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    flows.query_params["data"] = "shelter-cases"
    flows.run()
    assert "777" in _people(flows)  # loaded, and now held in the app's caches

    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.run()
    app.switch_page("pages/datasets.py").run()
    app.button(key="datasets_delete").click().run()
    assert "Moved 'Shelter cases' (shelter-cases) to the trash" in app.success[0].value
    trashed = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    link = {"data": "shelter-cases", "version": "shelter-cases:1", "country": "Qatar"}
    trashed.query_params.update(link)
    trashed.run()
    notice = " ".join(info.value for info in trashed.info)
    assert "'Shelter cases' (shelter-cases) is in the trash; restore it" in notice
    # Said once, with the dataset (a second notice said its version was "not kept, so its
    # latest version is shown, so the default is kept"); and the address keeps the link, to
    # open again once the dataset is restored (it became the page's default data's).
    assert "version 1" not in notice
    assert {name: trashed.query_params[name] for name in link} == link
    assert app.button(key="datasets_purge").disabled  # not before the analyst confirms
    app.checkbox(key="datasets_purge_sure").check().run()
    app.button(key="datasets_purge").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert "Deleted 'shelter-cases' for good" in app.success[0].value
    assert "The trash is empty." in [caption.value for caption in app.caption]
    assert not (store.root / TRASH / "shelter-cases").exists()

    gone = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    gone.query_params["data"] = "shelter-cases"
    gone.run()
    assert not gone.exception
    assert "777" not in _people(gone)  # the link falls back to the shipped data, with a notice
    notice = " ".join(info.value for info in gone.info)
    assert "dataset 'shelter-cases' is not kept in this atlas" in notice
    assert "Shelter cases" not in notice  # a purged dataset's title is not kept anywhere
    assert store.save(_records(5), info).dataset_id == "shelter-cases-2"  # the id is retired


@pytest.mark.parametrize("sensitivity", ["public", "restricted"])
def test_the_map_pages_say_what_unplaced_rows_leave_out(store, sensitivity):
    frame = pd.DataFrame(
        {
            "origin": ["Jhapa", "Erewhon", "Morang"],
            "destination": ["Qatar", "Qatar", "Kuwait"],
            "count": [40, 23, 30],
            "period": ["Magh 2079"] * 3,
        }
    )
    records = place_records(load_gazetteer(), validate_records(frame).records).records
    store.save(records, DatasetInfo(title="Partly placed", sensitivity=sensitivity))
    for page in ("pages/flow_map.py", "pages/corridors.py"):
        app = AppTest.from_file(str(ROOT / page), default_timeout=120)
        app.query_params["data"] = "partly-placed"
        app.run()
        assert not app.exception, [e.value for e in app.exception]
        captions = " ".join(caption.value for caption in app.caption)
        expected = "23 people in rows" if sensitivity == "public" else "Some records in rows"
        assert f"{expected} whose origin or destination was left unplaced" in captions, page
        assert ("23" in captions) == (sensitivity == "public")


def _restricted_captions(store, title: str, columns: dict[str, list], page: str) -> str:
    """The captions of a map page showing a restricted dataset made of these columns (titles
    differ from test to test: the app's caches know a dataset by its id and version)."""
    records = place_records(load_gazetteer(), validate_records(pd.DataFrame(columns)).records)
    if not store.list_datasets():
        store.save(records.records, DatasetInfo(title=title, sensitivity="restricted"))
    app = AppTest.from_file(str(ROOT / page), default_timeout=120)
    app.query_params["data"] = store.list_datasets()[0].dataset_id
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return " ".join(caption.value for caption in app.caption)


def test_a_restricted_trend_says_which_months_are_hidden_rather_than_showing_gaps(store):
    captions = _restricted_captions(
        store,
        "Monthly cases",
        {
            "origin": ["Jhapa", "Jhapa", "Morang"],
            "destination": ["Qatar", "Qatar", "Kuwait"],
            "count": [40, 30, 3],
            "period": ["Magh 2079", "Falgun 2079", "Chaitra 2079"],
        },
        "pages/flow_map.py",
    )
    assert "No bar where a month's count is hidden (restricted data)" in captions
    assert "Chaitra 2079" in captions.split("which is not a zero:")[1]


def test_the_charts_say_what_they_hold_beside_the_tables(store):
    """A restricted Sankey says how much of the corridors' total it holds."""
    columns = {
        "origin": ["Jhapa", "Jhapa", "Morang", "Kaski"],
        "destination": ["Qatar", "Qatar", "Kuwait", "Unknown"],
        "transit": ["New Delhi", None, "New Delhi", None],
        "count": [40, 30, 3, 25],
        "period": ["Magh 2079", "Falgun 2079", "Chaitra 2079", "Magh 2079"],
    }
    captions = _restricted_captions(store, "Cases and unknowns", columns, "pages/corridors.py")
    assert "left out of the diagram: it holds 40 of the 75 people on all corridors" in captions


def test_a_dataset_outside_the_fiscal_year_is_named_beside_dofe_and_units_not_merged(store):
    """An upload by calendar year, combined with DoFE's 2079/80, added nothing without a word,
    and the approvals were called people."""
    frame = pd.DataFrame(
        {"origin": ["Jhapa", "Morang"], "destination": ["Qatar"] * 2, "count": [500, 299]}
    ).assign(period="2023")
    records = place_records(load_gazetteer(), validate_records(frame).records).records
    store.save(records, DatasetInfo(title="Cases 2023", organisation="Test", sensitivity="public"))
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.query_params["data"] = "dofe~cases-2023"
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    metrics = {metric.label: metric.value for metric in app.metric}
    unit = "Combined counts"
    assert metrics[f"{unit}, all destinations"] == "656,610"
    notices = " ".join(info.value for info in app.info)
    assert "'Cases 2023' (2023) has no records in the chosen fiscal year" in notices
    app.selectbox(key="flows_fiscal_year").set_value("").run()
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics[f"{unit}, all destinations"] == f"{826_816 + 799:,}"
    assert "has no records" not in " ".join(info.value for info in app.info)
    # The year's records are named beside the chart of months, not drawn as a month.
    captions = " ".join(caption.value for caption in app.caption)
    assert "Not in this chart of months, being records of longer periods" in captions
    assert "2023: 799" in captions


def test_the_corridors_page_and_its_export_name_rows_left_out_for_an_unplaced_transit(store):
    frame = pd.DataFrame(
        {
            "origin": ["Jhapa", "Morang"],
            "destination": ["Kuwait", "Qatar"],
            "transit": ["Erewhon Transit Camp", "New Delhi"],
            "count": [152, 400],
            "period": ["Magh 2079"] * 2,
        }
    )
    records = place_records(load_gazetteer(), validate_records(frame).records).records
    store.save(records, DatasetInfo(title="Route cases", organisation="Test", sensitivity="public"))
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.run()
    app.switch_page("pages/corridors.py")
    app.query_params["data"] = "route-cases"
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["People, all corridors"] == "400"
    left_out = "152 people in rows whose transit was left unplaced are not in the corridors"
    assert any(caption.value.startswith(left_out) for caption in app.caption)
    view = routes.ui.load_view(routes.ui.FilterState(datasets=("route-cases",)), corridors=True)
    assert routes.ui.unplaced_notes(view, "People", corridors=True)[0].startswith(left_out)
    assert routes.ui.unplaced_notes(view, "People") == []


def test_the_datasets_page_shows_sensitivity_versions_and_unit_up_front(store):
    info = DatasetInfo(
        title="Hotline calls", organisation="Test", sensitivity="public", unit="Cases"
    )
    first = store.save(_records(5), info)
    store.save(_records(6), first.info, dataset_id=first.dataset_id)
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.run()
    app.switch_page("pages/datasets.py").run()
    assert not app.exception
    table = app.dataframe[0].value.set_index("Title")
    assert list(table.columns[:3]) == ["Sensitivity", "Version shown", "Counts"]
    assert table.loc["Hotline calls", "Version shown"] == "2, the latest of 2 kept"
    assert table.loc["Hotline calls", "Counts"] == "Cases"
    flows = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    flows.query_params["data"] = "hotline-calls"
    flows.run()
    assert any(metric.label == "Cases, all destinations" for metric in flows.metric)


def test_an_uploaded_datasets_source_is_said_once_beside_the_map(store):
    """It read "Shelter cases. Shelter cases: Test, uploaded (version 1)" (a helper's
    walkthrough)."""
    info = DatasetInfo(title="Shelter cases", organisation="Test", sensitivity="public")
    store.save(_records(20), info)
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.query_params["data"] = "shelter-cases"
    app.run()
    notes = [m.value for m in app.markdown if m.value.startswith("**Shelter cases**")]
    assert notes == ["**Shelter cases**: Test, uploaded (version 1). Licence: licence not given."]


def _public_captions(store, frame: pd.DataFrame, title: str, page: str) -> list[str]:
    """The captions of a page (all years) showing a public dataset of these records, saved
    under this title (each test's own: the app caches a dataset by its id and version)."""
    records = place_records(load_gazetteer(), validate_records(frame).records).records
    metadata = store.save(records, DatasetInfo(title=title, organisation="Test"))
    app = AppTest.from_file(str(ROOT / page), default_timeout=120)
    app.query_params.update({"data": metadata.dataset_id, "fy": ""})
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return [caption.value for caption in app.caption]


def test_a_trend_of_years_is_titled_by_period_not_by_month(store):
    """An upload by fiscal year drew its years under "People by month" (a helper's walkthrough)."""
    frame = pd.DataFrame(
        {
            "origin": ["Jhapa", "Kaski"],
            "destination": ["Qatar", "Kuwait"],
            "count": [30, 40],
            "period": ["2079/80", "2080/81"],
        }
    )
    captions = _public_captions(store, frame, "Yearly survey", "app.py")
    assert "People by period" in captions and "People by month" not in captions


def test_the_datasets_table_says_each_datasets_records_and_day_saved(store):
    """An analyst could not tell how large a dataset was, nor when it was saved (a helper's
    walkthrough); a restricted one's number of records is shown as its counts are."""
    store.save(_records(20), DatasetInfo(title="Shelter cases", organisation="Test"))
    few = pd.concat([_records(1)] * 7, ignore_index=True)
    store.save(few, DatasetInfo(title="Few cases", organisation="Test", sensitivity="restricted"))
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.run()
    app.switch_page("pages/datasets.py").run()
    assert not app.exception, [e.value for e in app.exception]
    (table,) = [frame.value for frame in app.dataframe if "Records" in frame.value.columns]
    rows = table.set_index("Title")
    assert rows.loc["Shelter cases", "Records"] == "1"
    assert rows.loc["Few cases", "Records"] == "<10"  # 7 records
    saved = store.load_metadata("shelter-cases").created_at[:10]
    assert rows.loc["Shelter cases", "Saved"] == saved
    assert rows.loc["DoFE labour approvals, Baisakh 2079 – Baisakh 2080", "Saved"] == "shipped"
    # The shipped data's records too (the column stood empty beside them).
    from routes.ui import load_record_table

    dofe = rows.loc["DoFE labour approvals, Baisakh 2079 – Baisakh 2080", "Records"]
    assert dofe == f"{load_record_table(('dofe',)).num_rows:,}" and dofe != "0"
    # Said under the table, not only in the column's help (22 records read 20: a walkthrough).
    captions = " ".join(caption.value for caption in app.caption)
    assert "A restricted dataset's records are given as its counts are shown" in captions


def test_a_link_to_a_trashed_dataset_opens_it_once_restored_in_the_same_session(store):
    """Restored on the Datasets page, the dataset stayed "in the trash" on the map page until a
    reload (a helper's walkthrough); a link naming another dataset as well shows that one with
    its filters meanwhile."""
    info = DatasetInfo(title="Refuge cases", organisation="Test", sensitivity="public")
    store.save(_records(777), info)
    store.delete("refuge-cases")
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.query_params.update({"data": "refuge-cases", "country": "Qatar"})
    app.run()
    assert "777" not in _people(app)
    assert any("is in the trash" in info.value for info in app.info)
    store.restore("refuge-cases")
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert "777" in _people(app)
    assert not any("is in the trash" in info.value for info in app.info)
    assert app.multiselect(key="flows_destination_countries").value == ["country:QAT"]

    store.delete("refuge-cases")
    both = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    both.query_params.update({"data": "refuge-cases~dofe", "country": "Qatar"})
    both.run()
    assert both.multiselect(key="flows_datasets").value == ["dofe"]
    assert both.multiselect(key="flows_destination_countries").value == ["country:QAT"]


def test_data_without_the_pages_fiscal_year_open_on_all_years_as_their_default(store):
    """An upload with no periods opened with "Fiscal year (BS): all" among the active filters
    and "fy=" in its address, as if the analyst had chosen it (a helper's walkthrough)."""
    frame = pd.DataFrame({"origin": ["Jhapa"], "destination": ["Qatar"], "count": [12]})
    records = place_records(load_gazetteer(), validate_records(frame).records).records
    store.save(records, DatasetInfo(title="City flows", organisation="Union"))
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.query_params["data"] = "city-flows"
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert "fy" not in app.query_params
    chips = [button.label for button in app.button]
    assert not any("Fiscal year" in label for label in chips), chips
    assert "12" in _people(app)


def test_the_corridors_months_say_they_count_the_rows_the_corridors_leave_out(store):
    """'People, all corridors 25' stood over months of 37, the 12 in rows whose transit was
    left unplaced counted in the months alone, unsaid (a regression walkthrough)."""
    frame = pd.DataFrame(
        {
            "origin": ["Jhapa", "Morang"],
            "destination": ["Qatar", "Kuwait"],
            "transit": ["Kathmandu > Erewhon", "Kathmandu"],
            "count": [12, 25],
            "period": ["Shrawan 2079", "Bhadra 2079"],
        }
    )
    captions = _public_captions(store, frame, "Unplaced transit months", "pages/corridors.py")
    assert (
        "The months count every record of the view, the 12 people in rows whose transit was "
        "left unplaced included; the corridors leave them out." in captions
    )


def test_origin_areas_say_which_datasets_name_none_of_them_in_the_view(store):
    """A union's survey beside DoFE, women in Malaysia: "Combined counts, all districts 79"
    stood under destinations of 8,105, DoFE's women named by no district, and unsaid (a
    union's walkthrough). The districts now say so, and the view's exports with them."""
    frame = pd.DataFrame(
        {
            "origin": ["Sunsari", "Kaski"],
            "destination": ["Malaysia"] * 2,
            "count": [40, 39],
            "sex": ["female"] * 2,
        }
    )
    records = place_records(load_gazetteer(), validate_records(frame).records).records
    store.save(
        records, DatasetInfo(title="Union survey", organisation="Test", sensitivity="public")
    )
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.query_params.update(
        {"data": "dofe~union-survey", "fy": "", "sex": "female", "country": "MYS"}
    )
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["Combined counts, all districts"] == "79"
    note = (
        "DoFE labour approvals, Baisakh 2079 – Baisakh 2080: no record of it in this view names "
        "an origin district or "
        "province, so the origin areas count the other datasets alone (its origins are not "
        "recorded here, not zero), and their total is less than the destinations'."
    )
    captions = [caption.value for caption in app.caption]
    assert note in captions
    # Without the destination filter DoFE's district table counts in the districts.
    app.multiselect(key="flows_destination_countries").set_value([]).run()
    assert note not in [caption.value for caption in app.caption]


def test_a_focused_country_lists_the_cities_its_arrivals_went_to(store):
    """A union's cities (Shah Alam, Kuala Lumpur) were kept with the records and shown nowhere;
    a record that only passes through the country is not one of its cities'."""
    frame = pd.DataFrame(
        {
            "origin": ["Jhapa", "Morang", "Ilam", "Kaski"],
            "destination": ["Shah Alam", "Kuala Lumpur", "Malaysia", "Japan"],
            "transit": ["", "", "", "Kuala Lumpur"],
            "destination_city": [None, None, None, "Osaka"],
            "count": [40, 25, 50, 7],
        }
    )
    records = place_records(load_gazetteer(), validate_records(frame).records).records
    store.save(
        records, DatasetInfo(title="Union cities", organisation="Test", sensitivity="public")
    )
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.query_params.update({"data": "union-cities", "fy": "", "focus": "country:MYS"})
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    tables = [t.value for t in app.dataframe if "Destination city" in t.value.columns]
    assert len(tables) == 1
    shown = dict(zip(tables[0]["Destination city"], tables[0]["People"], strict=True))
    assert shown == {"Shah Alam": "40", "Kuala Lumpur": "25", "Not recorded": "50"}
    # The records' cities first, "not recorded" last, whatever its count.
    assert list(shown)[-1] == "Not recorded"
