"""A restricted dataset: every view says suppression applies and shows no count below k."""

import dataclasses
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import routes.ui
from routes.gazetteer import load_gazetteer, place_records
from routes.schema import validate_records
from routes.store import DatasetInfo, FileStore

ROOT = Path(__file__).resolve().parents[2]
K = 10


@pytest.fixture
def restricted_store(tmp_path, monkeypatch):
    rows = [
        ("Jhapa", "Qatar", "Kakarbhitta > New Delhi", 3),
        ("Jhapa", "Qatar", None, 40),
        ("Morang", "Qatar", None, 25),
        ("Morang", "Kuwait", "New Delhi", 2),
        ("Kaski", "Malaysia", None, 60),
        ("Kaski", "Kuwait", None, 12),
        ("Sindhupalchok", "Kuwait", "Gaddachauki > New Delhi", 1),
    ]
    frame = pd.DataFrame(rows, columns=["origin", "destination", "transit", "count"])
    frame["period"] = "Magh 2079"
    frame["sex"] = "female"
    records = place_records(load_gazetteer(), validate_records(frame).records).records
    FileStore(tmp_path / "datasets").save(
        records, DatasetInfo(title="Survivor cases", organisation="Test", sensitivity="restricted")
    )
    monkeypatch.setattr(routes.ui, "STORE_DIR", tmp_path)
    return "survivor-cases"


def _placed(frame: pd.DataFrame) -> pd.DataFrame:
    return place_records(load_gazetteer(), validate_records(frame).records).records


def _save_restricted(tmp_path, monkeypatch, frame: pd.DataFrame, title: str) -> None:
    """The records of ``frame`` saved as a restricted dataset of this title, in a store the app
    reads (its id is the title's; give each test's data a title of its own, as the app caches
    a dataset's records by id and version)."""
    FileStore(tmp_path / "datasets").save(
        _placed(frame), DatasetInfo(title=title, organisation="Test", sensitivity="restricted")
    )
    monkeypatch.setattr(routes.ui, "STORE_DIR", tmp_path)


def _two_flows(count: int) -> pd.DataFrame:
    """Placed records of two flows, Jhapa to Qatar (``count``) and Kaski to Kuwait (3 more)."""
    rows = [("Jhapa", "Qatar", None, count), ("Kaski", "Kuwait", None, count + 3)]
    frame = pd.DataFrame(rows, columns=["origin", "destination", "transit", "count"])
    frame["period"] = "Magh 2079"
    return _placed(frame)


def _privacy_file(name: str) -> pd.DataFrame:
    """One of the datasets security reviews worked small counts out of (tests/data/privacy)."""
    frame = pd.read_csv(ROOT / "tests" / "data" / "privacy" / name)
    return frame.rename(columns={"month": "period"})


def _shown_numbers(app, columns: tuple[str, ...] = ()) -> list[int]:
    """Whole numbers in the metrics and tables (only the given columns of tables, if any)."""
    numbers = []
    for frame in app.dataframe:
        for column in frame.value.columns:
            if columns and column not in columns:
                continue
            for value in frame.value[column]:
                text = str(value).replace(",", "")
                if text.isdigit():
                    numbers.append(int(text))
    for metric in app.metric:
        text = str(metric.value).replace(",", "")
        if text.isdigit():
            numbers.append(int(text))
    return numbers


@pytest.mark.parametrize("page", ["pages/flow_map.py", "pages/corridors.py"])
def test_restricted_views_show_no_count_below_k(restricted_store, page):
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.query_params["data"] = restricted_store
    app.run()
    app.switch_page(page).run()
    assert not app.exception, [e.value for e in app.exception]
    notices = " ".join(info.value for info in app.info)
    assert "counts below 10 are shown as <10" in notices
    shown = _shown_numbers(app)
    assert shown, "the view shows no numbers at all"
    assert all(number == 0 or number >= K for number in shown), shown
    counts = _shown_numbers(app, columns=("People",))
    assert counts and all(number % 5 == 0 for number in counts), counts  # rounded to 5s
    labels = " ".join(
        str(value) for frame in app.dataframe for value in frame.value.to_numpy().ravel()
    )
    assert "<10" in labels


def test_the_about_page_says_how_a_restricted_dataset_is_shown(restricted_store):
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.run()
    app.switch_page("pages/about_data.py").run()
    text = " ".join(block.value for block in app.markdown)
    assert "counts below 10 are suppressed, and the counts shown are rounded to the nearest 5" in (
        text
    )


def test_active_filters_name_the_chosen_dataset_by_its_title(restricted_store):
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.query_params["data"] = restricted_store
    app.run()
    labels = [button.label for button in app.button]
    assert "✕ Data source: Survivor cases" in labels
    assert not any(restricted_store in label for label in labels)


@pytest.mark.parametrize("page", ["pages/flow_map.py", "pages/corridors.py"])
def test_restricted_data_is_never_combined_with_public_data(restricted_store, page):
    """Public figures are known to everyone: a view adding them to restricted ones would give
    the restricted part away by subtraction. The public datasets are taken out, with a notice."""
    prefix = "flows" if "flow" in page else "corridors"
    app = AppTest.from_file(str(ROOT / page), default_timeout=120)
    app.query_params["data"] = f"dofe~{restricted_store}"
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.multiselect(key=f"{prefix}_datasets").value == [restricted_store]
    warning = " ".join(w.value for w in app.warning)
    assert "never combined with another dataset" in warning and "DoFE labour approvals" in warning
    # The analyst adds a public dataset again: it is taken out again.
    app.multiselect(key=f"{prefix}_datasets").set_value([restricted_store, "synthetic"]).run()
    assert app.multiselect(key=f"{prefix}_datasets").value == [restricted_store]
    assert "Synthetic demonstration cases" in " ".join(w.value for w in app.warning)
    shown = _shown_numbers(app)
    assert shown and all(number == 0 or number >= K for number in shown), shown


def test_the_district_table_lists_districts_with_people_before_hidden_ones_and_no_zeros(
    restricted_store,
):
    """A restricted view shows no count below its threshold, 0 included: the 70-odd districts
    without anyone read "0" among rows of "<10" (a helper's walkthrough)."""
    app = AppTest.from_file(str(ROOT / "pages/flow_map.py"), default_timeout=120)
    app.query_params["data"] = restricted_store
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    table = next(frame.value for frame in app.dataframe if "District" in frame.value.columns)
    labels = [str(label) for label in table.iloc[:, -1]]
    kinds = [0 if label.replace(",", "").isdigit() and label != "0" else 2 if label == "0" else 1
             for label in labels]  # fmt: skip
    assert kinds == sorted(kinds), labels[:8]
    assert 1 in kinds and 2 not in kinds, labels  # shown (if any), then hidden; no zero
    # Nor are the protected districts set beside the census.
    assert not any("2021 census" in expander.label for expander in app.expander)
    assert len(labels) == 4  # Jhapa, Morang, Kaski, Sindhupalchok: the flows' origins


def test_a_dataset_that_became_restricted_is_kept_apart_when_the_analyst_comes_back(
    tmp_path, monkeypatch
):
    """Back on a map page, the sources saved then are restored; one of them may meanwhile have
    a new version saved as restricted. The public ones must go before any figure is drawn."""

    store = FileStore(tmp_path / "datasets")
    store.save(_two_flows(40), DatasetInfo(title="Alpha", organisation="T", sensitivity="public"))
    store.save(_two_flows(50), DatasetInfo(title="Beta", organisation="T", sensitivity="public"))
    monkeypatch.setattr(routes.ui, "STORE_DIR", tmp_path)
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.query_params["data"] = "alpha~beta"
    app.run()
    app.switch_page("pages/about_data.py").run()
    restricted = DatasetInfo(title="Alpha", organisation="T", sensitivity="restricted")
    store.save(_two_flows(3), restricted, dataset_id="alpha")
    app.switch_page("pages/flow_map.py").run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.multiselect(key="flows_datasets").value == ["alpha"]
    assert "never combined with another dataset" in " ".join(w.value for w in app.warning)
    shown = _shown_numbers(app)
    assert 53 not in shown and 56 not in shown  # Beta's 50 and 53 added to Alpha's 3 and 6
    assert all(number == 0 or number >= K for number in shown), shown


def test_a_restricted_corridors_focus_panel_reads_the_corridor_tables_only(
    restricted_store, monkeypatch
):
    """The flow and corridor systems are protected apart; the corridors page's focus total is
    the corridors' own total (every corridor of a focused view passes the place), never from
    the flows' tables (marked here to tell them apart)."""
    import dataclasses

    real_load_view = routes.ui.load_view

    def marked(state, corridors=False):
        view = real_load_view(state, corridors=corridors)
        return dataclasses.replace(
            view,
            destination_table=view.destination_table.assign(count_label="999"),
            districts=view.districts.assign(count_label="999"),
        )

    monkeypatch.setattr(routes.ui, "load_view", marked)
    app = AppTest.from_file(str(ROOT / "pages/corridors.py"), default_timeout=120)
    app.query_params["data"] = restricted_store
    app.query_params["focus"] = "country:KWT"
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    metrics = {metric.label: str(metric.value) for metric in app.metric}
    total = metrics["People, chosen corridors"]  # those of the focus
    assert metrics["People on corridors through Kuwait"] == total != "hidden"
    assert "999" not in metrics.values()


def test_restricted_views_are_set_tables_of_one_dataset_one_value_per_filter_whole_years(
    restricted_store, tmp_path
):
    """The walkthrough pinned small counts exactly by comparing many views: destinations
    {A, B, C} against {B, C}, months Asar-Magh against Asar-Poush, or the target combined with a
    restricted dataset of known counts it uploaded. A restricted view takes one dataset, one
    value per filter and whole fiscal years, whatever the link asks for."""
    rows = [("Jhapa", "Qatar", None, 10), ("Kaski", "Kuwait", None, 1)]
    frame = pd.DataFrame(rows, columns=["origin", "destination", "transit", "count"])
    frame["period"] = "Falgun 2079"
    calibration = place_records(load_gazetteer(), validate_records(frame).records).records
    FileStore(tmp_path / "datasets").save(
        calibration, DatasetInfo(title="Known", organisation="Me", sensitivity="restricted")
    )
    app = AppTest.from_file(str(ROOT / "pages/flow_map.py"), default_timeout=120)
    app.query_params.update(
        {
            "data": f"{restricted_store}~known",
            "country": "country:QAT~country:KWT",
            "district": "district:Jhapa~district:Morang",
            "fy": "2079/80",
            "from": "Magh 2079",
            "to": "Magh 2079",
        }
    )
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.multiselect(key="flows_datasets").value == [restricted_store]
    assert app.multiselect(key="flows_destination_countries").value == ["country:QAT"]
    assert app.multiselect(key="flows_origin_districts").value == ["district:Jhapa"]
    assert app.multiselect(key="flows_destination_countries").max_selections == 1
    warnings = " ".join(w.value for w in app.warning)
    assert "'Survivor cases' is restricted" in warnings and "Known" in warnings
    assert "narrowed to its first value: Origin district, Destination country" in warnings
    assert "the months widened to the whole fiscal year" in warnings
    # The census comparison is not offered, and the page says why.
    assert not any("2021 census" in e.label for e in app.expander)
    assert any("No comparison with the 2021 census" in c.value for c in app.caption)
    assert not app.get("select_slider")  # no month range, a whole fiscal year
    assert "from" not in app.query_params and "to" not in app.query_params
    # Jhapa to Qatar in all of FY 2079/80, survivor cases only: 40 + 3 people, shown rounded.
    assert app.metric[0].value == "45"


def test_restricted_pages_say_what_they_cannot_show_rather_than_zeros_or_nothing(
    restricted_store,
):
    """With origins grouped as the nation no area is protected (the table read 0 everywhere,
    with DoFE's caption); a transit focus had no figure; a Sankey of hidden corridors said none
    existed."""
    app = AppTest.from_file(str(ROOT / "pages/flow_map.py"), default_timeout=120)
    app.query_params.update({"data": restricted_store, "level": "national", "fy": ""})
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    captions = " ".join(caption.value for caption in app.caption)
    assert "the origin districts and provinces are not shown" in captions
    assert "DoFE" not in captions
    assert not any(
        "District" in frame.value.columns or "Province" in frame.value.columns
        for frame in app.dataframe
    )

    focus = AppTest.from_file(str(ROOT / "pages/flow_map.py"), default_timeout=120)
    focus.query_params.update({"data": restricted_store, "focus": "hub:New Delhi", "fy": ""})
    focus.run()
    assert not focus.exception, [e.value for e in focus.exception]
    metrics = {metric.label: str(metric.value) for metric in focus.metric}
    assert metrics["People on flows through New Delhi"] == metrics["People, focused flows"]

    # A province in focus: its people leave from it, protected as the focused flows are.
    for province, people in (("Koshi", 70), ("Bagmati", 1)):
        focus = AppTest.from_file(str(ROOT / "pages/flow_map.py"), default_timeout=120)
        focus.query_params.update(
            {"data": restricted_store, "level": "province", "focus": province, "fy": ""}
        )
        focus.run()
        assert not focus.exception, [e.value for e in focus.exception]
        metrics = {metric.label: str(metric.value) for metric in focus.metric}
        assert metrics[f"People from {province}"] == metrics["People, focused flows"]
        assert all(number >= 10 for number in _shown_numbers(focus)), province
        assert (metrics[f"People from {province}"] == str(people)) is (people >= 10)

    corridors = AppTest.from_file(str(ROOT / "pages/corridors.py"), default_timeout=120)
    corridors.query_params.update({"data": restricted_store, "focus": "country:KWT"})
    corridors.run()
    assert not corridors.exception, [e.value for e in corridors.exception]
    captions = " ".join(caption.value for caption in corridors.caption)
    assert "Every corridor's count is hidden (restricted data): no diagram." in captions


def test_a_restricted_view_above_district_level_is_not_said_to_lack_district_records(
    restricted_store,
):
    """Review finding: its district table is emptied to protect it, and every export then
    said that no record names a district."""
    from routes.filters import FilterState
    from routes.ui import _layers, _tables, load_view, missing_notes

    view = load_view(FilterState(datasets=(restricted_store,), level="national"))
    assert len(view.flows) and not len(view.districts)
    assert missing_notes(view) == []
    # Nor is a districts file of column names only offered.
    assert "districts" not in _tables(view)
    # By province, the provinces are the origins, and their file is offered in its place.
    view = load_view(FilterState(datasets=(restricted_store,), level="province"))
    assert missing_notes(view) == []
    assert "districts" not in _tables(view) and "districts" not in _layers(view)
    assert set(_tables(view)["provinces"]["kind"]) == {"province"}
    assert set(_layers(view)["provinces"]["kind"]) == {"province"}


def test_restricted_data_by_province_shows_the_provinces_the_flows_leave_from(
    tmp_path, monkeypatch
):
    """Restricted data grouped by province showed no origin areas at all (only the flows'
    province margins are protected, and they were not used): the provinces are now shaded
    and listed by those margins, as the flows' own origins, each as the flow map's circle
    says it; an undivided district's flows, which start from it at this level, are said
    beside the table by their label, never summed."""
    rows = [
        ("Jhapa", "Qatar", 43),
        ("Morang", "Qatar", 25),
        ("Morang", "Kuwait", 2),
        ("Kaski", "Malaysia", 60),
        ("Sindhupalchok", "Kuwait", 1),
        ("Nawalparasi", "Kuwait", 4),
        ("Dhanusa", "Qatar", 30),
    ]
    frame = pd.DataFrame(rows, columns=["origin", "destination", "count"])
    frame["period"] = "Magh 2079"
    _save_restricted(tmp_path, monkeypatch, frame, "Cases by province")
    app = AppTest.from_file(str(ROOT / "pages/flow_map.py"), default_timeout=120)
    app.query_params.update({"data": "cases-by-province", "level": "province", "fy": ""})
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert any(header.value == "Origin provinces" for header in app.subheader)
    (table,) = [frame.value for frame in app.dataframe if "Province" in frame.value.columns]
    shown = dict(zip(table["Province"], table["People"], strict=True))
    # Bagmati's 1 reads "<10", and others are hidden, so that it cannot be worked out from
    # the total (as their flows and circles are).
    from routes.filters import FilterState

    view = routes.ui.load_view(FilterState(datasets=("cases-by-province",), level="province"))
    margins = dict(zip(view.nodes["name"], view.nodes["count_out_label"], strict=True))
    assert shown == {name: margins[name] for name in shown}
    assert set(shown) == {"Koshi", "Madhesh", "Bagmati", "Gandaki"}
    assert shown["Bagmati"] == "<10" and "hidden" in shown.values()
    assert all(label in ("hidden", "<10") or int(label) >= K for label in shown.values())
    assert "Nawalparasi" not in shown
    captions = " ".join(caption.value for caption in app.caption)
    assert "People from undivided Nawalparasi: <10; they are in no province" in captions
    assert "not shown" not in captions
    metrics = {metric.label: str(metric.value) for metric in app.metric}
    assert metrics["People, all origins"] == view.flows_total_label
    # Its map shades the provinces, and names them in its legend.
    maps = [
        c.proto.json_args
        for c in app.get("component_instance")
        if c.proto.component_name == "streamlit_folium.st_folium"
    ]
    assert len(maps) == 2 and "Origin provinces" in maps[1]
    # By district, a hidden undivided district stays in the table as "<10" (it was dropped).
    view = routes.ui.load_view(FilterState(datasets=("cases-by-province",)))
    labels = dict(zip(view.districts["name"], view.districts["count_label"], strict=True))
    assert labels["Nawalparasi"] == "<10"


def test_map_images_are_offered_for_the_maps_the_page_draws(restricted_store):
    """A report takes an image, not an HTML page: each map drawn is offered as a PNG, and a
    restricted view whose origins are the nation, which draws no origin map, offers none of
    it. The image is drawn from the map's layers, whose counts are already suppressed."""
    import io

    from PIL import Image

    from routes.filters import FilterState
    from routes.ui import _export_metadata, flow_map, load_view, map_image, map_text

    def labels(**query) -> list[str]:
        app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        app.query_params.update(query)
        app.run()
        assert not app.exception, [e.value for e in app.exception]
        return [button.proto.label for button in app.get("download_button")]

    public = labels()
    assert {"Map image (PNG)", "Origin district map image (PNG)"} <= set(public)
    assert "Origin province map image (PNG)" in labels(level="province")
    restricted = labels(data=restricted_store, level="national")
    assert "Map image (PNG)" in restricted
    assert not any(label.startswith("Origin") for label in restricted)
    assert "Origin province map image (PNG)" in labels(data=restricted_store, level="province")
    assert "Origin district map image (PNG)" in labels(data=restricted_store)
    # The restricted view's image says that its counts are suppressed.
    state = FilterState(datasets=(restricted_store,))
    view = load_view(state)
    metadata = _export_metadata(state, "People", "http://atlas/")
    image = Image.open(
        io.BytesIO(map_image(flow_map(view, map_text(state, "People", "People")), metadata))
    )
    assert "10" in image.text["Comment"] and "suppress" in image.text["Comment"].lower()


def test_the_records_export_carries_no_column_outside_the_record_schema(tmp_path, monkeypatch):
    """A dataset saved with a survivor file's other columns (as uploads kept them until they
    were dropped) offered its names and phone numbers in records.csv and records.xlsx."""
    from routes.filters import FilterState
    from routes.ui import _downloads, _export_metadata, load_view

    frame = pd.DataFrame(
        {
            "origin": ["Jhapa", "Kaski"],
            "destination": ["Qatar", "Kuwait"],
            "count": [1, 1],
            "Survivor name": ["Sita Example", "Gita Example"],
            "Phone": ["9800000001", "9800000002"],
        }
    )
    records = place_records(load_gazetteer(), validate_records(frame).records).records
    assert "Survivor name" in records.columns  # as an old store holds them
    FileStore(tmp_path / "datasets").save(
        records, DatasetInfo(title="Old public cases", organisation="Test", sensitivity="public")
    )
    monkeypatch.setattr(routes.ui, "STORE_DIR", tmp_path)
    state = FilterState(datasets=("old-public-cases",))
    view = load_view(state)
    metadata = _export_metadata(state, "People", "http://atlas/")
    made = {item.file_name: item for item in _downloads(view, metadata, "People", bytes)}
    text = made["records.csv"].make().decode("utf-8-sig")
    assert "Sita Example" not in text and "9800000001" not in text
    assert "Jhapa" in text
    import io

    sheets = pd.read_excel(io.BytesIO(made["records.xlsx"].make()), sheet_name=None)
    cells = " ".join(sheet.astype(str).to_string() for sheet in sheets.values())
    assert "Sita Example" not in cells and "9800000001" not in cells and "Jhapa" in cells


def test_a_month_chart_of_hidden_counts_and_zeros_is_not_drawn(tmp_path, monkeypatch):
    """A focus on a district of a few cases drew a chart of zeros on an axis reading 0.000000
    (its months with cases being hidden), which said nothing of them. (Its 15 cases, shown as
    "15", are more than its months: under "<10" the months are left out altogether.)"""
    rows = [
        ("Dolakha", "Kuwait", 8, "Shrawan 2079"),
        ("Dolakha", "Kuwait", 7, "Kartik 2079"),
        ("Kaski", "Qatar", 60, "Magh 2079"),
        ("Kaski", "Qatar", 50, "Shrawan 2079"),
        ("Jhapa", "Qatar", 45, "Kartik 2079"),
    ]
    frame = pd.DataFrame(rows, columns=["origin", "destination", "count", "period"])
    records = place_records(load_gazetteer(), validate_records(frame).records).records
    FileStore(tmp_path / "datasets").save(
        records, DatasetInfo(title="Few cases", organisation="Test", sensitivity="restricted")
    )
    monkeypatch.setattr(routes.ui, "STORE_DIR", tmp_path)
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.query_params.update({"data": "few-cases", "focus": "district:Dolakha"})
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    captions = " ".join(c.value for c in app.caption)
    assert "No chart: the months with records have their counts hidden" in captions
    assert not app.get("arrow_vega_lite_chart")


MONTHS = (
    "Shrawan", "Bhadra", "Ashoj", "Kartik", "Mangsir", "Poush", "Magh", "Falgun", "Chaitra",
    "Baisakh", "Jestha", "Asar",
)  # fmt: skip


def test_months_that_would_pin_a_count_beside_the_view_totals_are_not_shown(tmp_path, monkeypatch):
    """A security review: the months were protected on their own against their sum, which the
    flows show too. Nine months of "<10" under the flows' total of "<10" are 1 each; a single
    month of "<10" bounded the flows' hidden total, and so nine districts of "<10" under it;
    twelve months of "<10" under a total of "10" (10 to 12) are 1 each."""
    from routes.filters import FilterState
    from routes.ui import _tables, load_view

    def month(index: int) -> str:
        return f"{MONTHS[index]} {2080 if index < 9 else 2081}"

    rows = [("Kathmandu", "Oman", month(i)) for i in range(9)]
    districts = ("Jhapa", "Morang", "Sunsari", "Ilam", "Kaski", "Dang", "Banke", "Bara", "Parsa")
    rows += [(district, "Kuwait", month(6)) for district in districts]
    rows += [("Kathmandu", "Lebanon", month(i)) for i in range(12)]
    rows += [("Sindhupalchok", "Qatar", month(i % 12)) for i in range(120)]
    frame = pd.DataFrame(rows, columns=["origin", "destination", "period"]).assign(count=1)
    _save_restricted(tmp_path, monkeypatch, frame, "Sparse cases")

    def view(focus: str, corridors: bool = False):
        state = FilterState(datasets=("sparse-cases",), focus=focus, fiscal_year="2080/81")
        return load_view(state, corridors=corridors)

    for focus in ("country:OMN", "country:KWT", "country:LBN"):
        for corridors in (False, True):
            withheld = view(focus, corridors)
            assert withheld.months_withheld and not len(withheld.trend), focus
            assert "months" not in _tables(withheld), focus
            notes = routes.ui.left_out_notes(withheld, "People", corridors=corridors)
            assert any(note.startswith("The months are not given.") for note in notes)
    # Decided from the total as shown, not from the months: eight months of "<10" under "<10"
    # are left out as nine are (leaving out only the nine said there were nine, a code review).
    from routes.views import compute_view

    eight = frame[frame["destination"] == "Oman"].head(8)
    placed = place_records(load_gazetteer(), validate_records(eight).records).records
    state = FilterState(fiscal_year="2080/81")
    assert compute_view(load_gazetteer(), placed, state, k=10).months_withheld
    # Qatar's 120 cases, 10 a month, show their months.
    qatar = view("country:QAT")
    assert not qatar.months_withheld and len(qatar.trend) == 12
    app = AppTest.from_file(str(ROOT / "pages/flow_map.py"), default_timeout=120)
    app.query_params.update({"data": "sparse-cases", "focus": "Oman", "fy": "2080/81"})
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    captions = " ".join(c.value for c in app.caption)
    assert "People by month, Oman: not shown." in captions
    assert "Shrawan 2080" not in captions


@pytest.mark.parametrize(
    ("file_name", "channel"),
    [("twelve_corridors_of_one.csv", "irregular"), ("one_unplaced_transit.csv", "a")],
)
def test_a_corridors_pages_months_never_pin_its_corridors_or_what_they_leave_out(
    file_name, channel
):
    """A security review: on the Corridors page the months were set beside the flows' total,
    which that page does not show, not the corridors' (twelve corridors of "<10" under months
    of "10" were 1 each); and where some records' transit was left unplaced, the months and
    the corridors' total, each rounded, left one such record ("Some records")."""
    from routes.filters import FilterState
    from routes.views import compute_view

    records = _placed(_privacy_file(file_name))
    state = FilterState(fiscal_year="2080/81", channels=(channel,))
    view = compute_view(load_gazetteer(), records, state, k=K, corridors=True)
    assert view.months_withheld and not len(view.trend)
    # The flows page of the same records: its own total stands beside the months.
    flows = compute_view(load_gazetteer(), records, state, k=K, corridors=False)
    assert flows.months_withheld or flows.flows_total_label not in ("<10", "hidden")


def test_a_corridors_pages_exports_carry_no_flows_margin_of_an_undivided_district():
    """A security review: at province level the Corridors page's files said "People from
    undivided Nawalparasi: <10" (the flows' margin), which with its nine corridors of "<10"
    made each 1. The flow page keeps the note, beside its own tables."""
    from routes.filters import FilterState
    from routes.ui import left_out_notes
    from routes.views import compute_view

    records = _placed(_privacy_file("nine_undivided_corridors.csv"))
    state = FilterState(fiscal_year="2080/81", level="province")
    corridors = compute_view(load_gazetteer(), records, state, k=K, corridors=True)
    assert not any("undivided" in note for note in left_out_notes(corridors, "People", True))
    flows = compute_view(load_gazetteer(), records, state, k=K, corridors=False)
    assert any("undivided Nawalparasi" in note for note in left_out_notes(flows, "People"))


def test_a_corridors_focus_on_a_place_no_corridor_reaches_gives_no_flows_figure(
    tmp_path, monkeypatch
):
    """A security review: the panel of a place no corridor reached fell back to the flows'
    figures ("People to Qatar: <10"), which bounded the records whose transit was unplaced."""
    _save_restricted(
        tmp_path, monkeypatch, _privacy_file("no_corridor_to_qatar.csv"), "Unplaced to Qatar"
    )
    app = AppTest.from_file(str(ROOT / "pages/corridors.py"), default_timeout=120)
    app.query_params.update({"data": "unplaced-to-qatar", "focus": "Qatar", "fy": "2080/81"})
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    labels = [metric.label for metric in app.metric]
    assert not any(label.startswith("People to Qatar") for label in labels), labels
    assert "No corridor of this view passes Qatar." in [c.value for c in app.caption]


def test_select_all_beside_public_data_adds_the_public_datasets_only(tmp_path, monkeypatch):
    """ "Select all" under Data sources swapped DoFE and nine others for the first restricted
    dataset (an NGO network's walkthrough): several added at once, the restricted ones are not
    added, with a notice; one restricted dataset chosen still opens on its own."""

    store = FileStore(tmp_path / "datasets")
    store.save(_two_flows(40), DatasetInfo(title="Gamma", organisation="T", sensitivity="public"))
    store.save(_two_flows(50), DatasetInfo(title="Delta", organisation="T", sensitivity="public"))
    secret = DatasetInfo(title="Hidden cases", organisation="T", sensitivity="restricted")
    store.save(_two_flows(3), secret)
    monkeypatch.setattr(routes.ui, "STORE_DIR", tmp_path)
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.query_params["data"] = "gamma"
    app.run()
    sources = app.multiselect(key="flows_datasets")
    sources.set_value(["gamma", "delta", "hidden-cases"]).run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.multiselect(key="flows_datasets").value == ["gamma", "delta"]
    warning = " ".join(w.value for w in app.warning)
    assert "these were not added: Hidden cases" in warning
    # One restricted dataset added is opened on its own, as before.
    app.multiselect(key="flows_datasets").set_value(["gamma", "hidden-cases"]).run()
    assert app.multiselect(key="flows_datasets").value == ["hidden-cases"]
    # "Select all" from it: the public ones (it did nothing: a regression walkthrough).
    app.multiselect(key="flows_datasets").set_value(["hidden-cases", "gamma", "delta"]).run()
    assert app.multiselect(key="flows_datasets").value == ["gamma", "delta"]
    # The one on screen was taken out, not "not added" (a code review).
    warning = " ".join(w.value for w in app.warning)
    assert "these were taken out: Hidden cases" in warning and "not added" not in warning


def test_restricted_data_offer_no_record_source_filter_and_no_month_span(tmp_path, monkeypatch):
    """A source may be one record's free text (a name), and each source one more view to set
    beside the others; a title's "all years (Shrawan 2080 to Ashoj 2080)" named the months a
    view withheld (reviews of this session's filter and titles)."""
    from routes.filters import FilterState
    from routes.ui import map_text

    rows = [("Jhapa", "Qatar", 30, "Shrawan 2080", "Org A"), ("Kaski", "Kuwait", 25, "Ashoj 2080",
            "Sita's case file")]  # fmt: skip
    frame = pd.DataFrame(rows, columns=["origin", "destination", "count", "period", "source"])
    _save_restricted(tmp_path, monkeypatch, frame, "Sourced survivor cases")
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.query_params["data"] = "sourced-survivor-cases"
    app.query_params["source"] = "Org A"
    app.query_params["fy"] = ""
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert not any(m.key == "flows_sources" for m in app.multiselect)
    assert not any("Sita" in str(m.options) for m in app.multiselect)
    state = FilterState(datasets=("sourced-survivor-cases",))
    # All years is said (a union's files said no period at all), but not the months; in the
    # files' filters too, as a year is (a regression walkthrough).
    title = map_text(state, "People", "People").title
    assert ", all years" in title and "Shrawan" not in title and "Ashoj" not in title
    from routes.ui import _export_metadata

    assert "Fiscal year (BS): all years" in _export_metadata(state, "People", "").filters
    year = dataclasses.replace(state, fiscal_year="2080/81")
    assert "Fiscal year (BS): all years" not in _export_metadata(year, "People", "").filters
    # Nor the months a fiscal year holds ("Magh 2079 only" over one month gave its count).
    year = map_text(dataclasses.replace(state, fiscal_year="2080/81"), "People", "People").title
    assert "FY 2080/81 BS = 2023/24 AD" in year and "only" not in year and "Shrawan" not in year


def test_the_tables_workbook_holds_every_table_as_its_csv_does_suppressed(restricted_store):
    """A report's tables came as CSVs only, whose lines of metadata split at their commas in a
    spreadsheet (a union's walkthrough): one workbook holds them all, each sheet protected as
    its CSV is, no count below 10 shown, with the metadata on a sheet of its own."""
    import io

    from routes.filters import FilterState
    from routes.ui import _downloads, _export_metadata, load_view

    state = FilterState(datasets=(restricted_store,))
    view = load_view(state)
    metadata = _export_metadata(state, "People", "http://atlas/")
    made = {item.file_name: item for item in _downloads(view, metadata, "People", bytes)}
    sheets = pd.read_excel(io.BytesIO(made["tables.xlsx"].make()), sheet_name=None)
    tables = [name.removesuffix(".csv") for name in made if name.endswith(".csv")]
    assert list(sheets) == [*(name.capitalize() for name in tables), "Metadata"]
    for name in tables:
        csv = pd.read_csv(io.BytesIO(made[f"{name}.csv"].make()), comment="#")
        sheet = sheets[name.capitalize()]
        assert list(sheet.columns) == list(csv.columns), name
        pd.testing.assert_frame_equal(sheet, csv, check_dtype=False, obj=name)
        for column in (c for c in sheet.columns if c == "count"):
            shown = sheet[column].dropna()
            assert (shown >= 10).all(), (name, shown.tolist())
    fields = dict(zip(sheets["Metadata"]["Field"], sheets["Metadata"]["Value"], strict=False))
    assert "suppress" in fields["Suppression"].lower()
    assert fields["Sheet Flows"].startswith("People")


def test_a_country_both_passed_through_and_arrived_at_in_small_numbers_draws(tmp_path, monkeypatch):
    """Stops abroad placed at their countries (Gorakhpur as India) made a place whose arrivals
    and passings were both hidden; the restricted corridors page fell over on comparing the two
    (a privacy review)."""
    rows = [
        ("Jhapa", "Malaysia", "Kathmandu > Gorakhpur", 3),
        ("Morang", "India", None, 2),
        ("Kaski", "Qatar", None, 60),
        ("Jhapa", "Qatar", "Kathmandu", 40),
    ]
    frame = pd.DataFrame(rows, columns=["origin", "destination", "transit", "count"])
    frame["period"] = "Magh 2079"
    _save_restricted(tmp_path, monkeypatch, frame, "Stops abroad")
    for page in ("pages/corridors.py", "app.py"):
        app = AppTest.from_file(str(ROOT / page), default_timeout=120)
        app.query_params.update({"data": "stops-abroad", "fy": ""})
        app.run()
        assert not app.exception, [e.value for e in app.exception]
    # India is drawn, its counts hidden; no count below 10 is shown for any place.
    from routes.filters import FilterState
    from routes.maps import _sized_by_passing
    from routes.ui import load_view

    nodes = load_view(FilterState(datasets=("stops-abroad",)), corridors=True).corridor_nodes
    drawn = _sized_by_passing(nodes).set_index("place_id")
    assert "country:IND" in drawn.index
    assert drawn.loc["country:IND", "count_in_label"] in ("<10", "hidden")
    shown = drawn["count_in"].dropna()
    assert ((shown == 0) | (shown >= 10)).all(), shown.tolist()
