"""Every export format is read back with its counts and metadata; files are safe to open."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import re
import zipfile

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
from openpyxl import load_workbook

from routes.export import (
    METADATA_JSON_NAME,
    METADATA_LAYER,
    README_NAME,
    DatasetCredit,
    build_export_metadata,
    neutralise_formula,
    outside_flows_note,
    write_bundle_zip,
    write_geojson,
    write_geopackage,
    write_map_html,
    write_records_csv,
    write_records_xlsx,
    write_table_csv,
    write_table_xlsx,
)
from routes.flows import compute_district_totals, compute_flows, compute_nodes
from routes.maps import LeafletAssets, MapText, build_flow_map
from routes.privacy import suppress_flow_view, suppression_notice

K = 10
SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://x")'
ASSETS = LeafletAssets(js_url="../local.leaflet/leaflet.js", css_url="../local.leaflet/leaflet.css")
NOW = dt.datetime(2025, 3, 1, 9, 30, tzinfo=dt.UTC)

PUBLIC = DatasetCredit(
    title="DoFE labour approvals by destination",
    organisation="Department of Foreign Employment",
    licence="Public government statistics",
    source_note="DoFE monthly reports",
    sensitivity="public",
)
RESTRICTED = DatasetCredit(
    title=f"Case routes {SCRIPT}",
    organisation="A partner organisation",
    licence="Restricted: partners only",
    source_note=f"Case files, {FORMULA}",
    sensitivity="restricted",
)


@pytest.fixture(scope="module")
def month(placed_destinations, placed_districts):
    first = placed_destinations["period_label"].dropna().iloc[0]
    return (
        placed_destinations[placed_destinations["period_label"] == first],
        placed_districts[placed_districts["period_label"] == first],
    )


@pytest.fixture(scope="module")
def restricted_view(gazetteer, month):
    """One month of flows treated as restricted data, suppressed with k = 10."""
    destinations, _ = month
    flows = compute_flows(gazetteer, destinations, level="national")
    view = suppress_flow_view(flows, compute_nodes(gazetteer, flows), K)
    assert view.applied
    return view


@pytest.fixture(scope="module")
def restricted_metadata():
    return build_export_metadata(
        "Case routes by destination",
        ["Fiscal year (BS): 2079/80"],
        [PUBLIC, RESTRICTED],
        K,
        caveats=("Synthetic demonstration data.",),
        link="http://localhost:8501/flow_map?fy=2079%2F80",
        now=NOW,
    )


@pytest.fixture(scope="module")
def public_metadata():
    return build_export_metadata("Labour approvals", [], [PUBLIC], None, now=NOW)


def _counts(series: pd.Series) -> list[float]:
    """Counts with hidden ones as NaN, for comparing what was written with what was read."""
    return pd.to_numeric(series, errors="coerce").astype(float).tolist()


def _same_counts(read: pd.Series, written: pd.Series) -> None:
    """The counts read back are those written, a restricted export's exact zeros left blank."""
    np.testing.assert_array_equal(_counts(read), [c or np.nan for c in _counts(written)])


# --- metadata -----------------------------------------------------------------------------------


def test_metadata_names_filters_datasets_time_and_suppression(restricted_metadata):
    assert restricted_metadata.created_at == "2025-03-01T09:30:00+00:00"
    assert restricted_metadata.suppression == suppression_notice(K)
    assert restricted_metadata.restricted
    assert restricted_metadata.datasets[1].licence == "Restricted: partners only"


def test_restricted_data_cannot_be_exported_without_suppression(month, restricted_view):
    with pytest.raises(ValueError, match="small-cell suppression"):
        build_export_metadata("x", [], [RESTRICTED], None)
    metadata = build_export_metadata("x", [], [RESTRICTED], K)
    records, _ = month
    with pytest.raises(ValueError, match="records cannot be exported"):
        write_records_csv(records, metadata)
    with pytest.raises(ValueError, match="records cannot be exported"):
        write_records_xlsx(records, metadata)
    raw = restricted_view.flows.drop(columns=["count_label"])
    with pytest.raises(ValueError, match="'count' was not suppressed"):
        write_table_csv(raw, metadata)
    with pytest.raises(ValueError, match="was not suppressed"):
        write_geojson(raw, metadata)


# --- CSV and Excel ------------------------------------------------------------------------------


def test_table_csv_reads_back_with_the_suppressed_counts_and_metadata(
    restricted_view, restricted_metadata
):
    data = write_table_csv(restricted_view.flows, restricted_metadata)
    text = data.decode("utf-8-sig")
    header = [line for line in text.splitlines() if line.startswith("#")]
    assert f"# Title: {restricted_metadata.title}" in header
    assert any(suppression_notice(K).split(",")[0] in line for line in header)
    assert "# Created: 2025-03-01T09:30:00+00:00 (2025-03-01 15:15 Nepal time)" in header
    read = pd.read_csv(io.BytesIO(data), comment="#", encoding="utf-8-sig")
    assert len(read) == len(restricted_view.flows)
    assert "geometry" not in read.columns
    _same_counts(read["count"], restricted_view.flows["count"])
    assert read["count_label"].tolist() == restricted_view.flows["count_label"].tolist()
    assert "<10" in set(read["count_label"])
    # A hidden count is not in the file in any form.
    hidden = restricted_view.flows["suppressed"]
    assert read.loc[hidden.to_numpy(), "count"].isna().all()
    assert read.loc[hidden.to_numpy(), "share"].isna().all()


def test_every_table_of_a_view_reads_back(restricted_view, restricted_metadata):
    for table in (restricted_view.nodes, restricted_view.destination_table):
        read = pd.read_csv(io.BytesIO(write_table_csv(table, restricted_metadata)), comment="#")
        for column in [c for c in table.columns if c in ("count", "count_in", "count_out")]:
            _same_counts(read[column], table[column])


def test_records_csv_and_xlsx_read_back_with_their_counts(month, public_metadata):
    records, _ = month
    data = write_records_csv(records, public_metadata)
    read = pd.read_csv(io.BytesIO(data), comment="#")
    assert len(read) == len(records)
    assert read["count"].tolist() == records["count"].tolist()
    assert read["destination"].tolist() == records["destination"].astype(str).tolist()

    book = write_records_xlsx(records, public_metadata)
    sheets = pd.read_excel(io.BytesIO(book), sheet_name=None)
    assert set(sheets) == {"Data", "Metadata"}
    assert sheets["Data"]["count"].tolist() == records["count"].tolist()
    notes = dict(zip(sheets["Metadata"]["Field"], sheets["Metadata"]["Value"], strict=False))
    assert notes["Title"] == "Labour approvals"
    assert notes["Suppression"].startswith("none")
    assert "DoFE monthly reports" in notes["Dataset"]


def test_records_outside_the_flows_are_apart_and_said_so(public_metadata):
    """DoFE's district rows summed with its destination rows to twice the approvals in
    records.xlsx (116,874 for 58,437: a ministry analyst's walkthrough)."""
    records = pd.DataFrame(
        {
            "origin": ["Jhapa", "Nepal", "Morang", "Nepal"],
            "destination": [None, "Qatar", None, "Malaysia"],
            "transit": [None, None, None, None],
            "count": [5, 7, 2, 0],
            "in_flows": [False, True, False, True],
        }
    )
    note = outside_flows_note(records, "the district table", workbook=True, counted_again=True)
    assert note.startswith("2 records (7 counted) are not in the flows: the district table.")
    assert "on the sheet 'Not in flows'" in note and "(7). Never add" in note
    # Unplaced records are people of their own: they add up with the others (a code review).
    unplaced = outside_flows_note(records, "unplaced", workbook=True)
    assert "Never add" not in unplaced and "with them, the records count 14." in unplaced
    one = outside_flows_note(records.assign(in_flows=[True, True, False, True]), "unplaced")
    assert one.startswith("1 record (2 counted) is not in the flows: unplaced. It is with")
    metadata = dataclasses.replace(public_metadata, caveats=(note,))
    sheets = pd.read_excel(io.BytesIO(write_records_xlsx(records, metadata)), sheet_name=None)
    assert list(sheets) == ["Data", "Not in flows", "Metadata"]
    assert sheets["Data"]["count"].sum() == 7 and sheets["Not in flows"]["count"].sum() == 7
    assert sheets["Data"]["origin"].tolist() == ["Nepal", "Nepal"]
    # A column no record fills is left out (DoFE's records had five).
    assert "transit" not in sheets["Data"].columns
    assert note in sheets["Metadata"]["Value"].tolist()

    read = pd.read_csv(io.BytesIO(write_records_csv(records, public_metadata)), comment="#")
    assert read["in_flows"].tolist() == [True, True, False, False]  # the flows' records first
    assert "transit" not in read.columns
    csv_note = outside_flows_note(records, "the district table")
    assert "with in_flows false, last" in csv_note
    # All in the flows, or none: nothing to keep apart.
    assert outside_flows_note(records.assign(in_flows=True), "x") is None
    assert outside_flows_note(records.assign(in_flows=False), "x") is None
    whole = pd.read_excel(
        io.BytesIO(write_records_xlsx(records.assign(in_flows=True), public_metadata)),
        sheet_name=None,
    )
    assert list(whole) == ["Data", "Metadata"]


def test_table_xlsx_holds_the_suppressed_labels_and_the_notice(
    restricted_view, restricted_metadata
):
    sheets = pd.read_excel(
        io.BytesIO(write_table_xlsx(restricted_view.flows, restricted_metadata)),
        sheet_name=None,
    )
    _same_counts(sheets["Data"]["count"], restricted_view.flows["count"])
    assert sheets["Data"]["count_label"].tolist() == restricted_view.flows["count_label"].tolist()
    values = sheets["Metadata"]["Value"].tolist()
    assert suppression_notice(K) in values


def _hostile_records(month) -> pd.DataFrame:
    records, _ = month
    hostile = records.head(6).copy()
    hostile["note"] = [FORMULA, "+1+1", "-2", "@SUM(A1)", "\tcmd", "plain #3, quoted"]
    hostile["balance"] = [-5, -1, 0, 2, -3, 4]
    return hostile


def test_formulas_are_inert_in_csv(month, public_metadata):
    hostile = _hostile_records(month)
    data = write_records_csv(hostile.rename(columns={"note": "=cmd"}), public_metadata)
    read = pd.read_csv(io.BytesIO(data), comment="#")
    assert "'=cmd" in read.columns
    notes = read["'=cmd"].tolist()
    assert notes[:5] == ["'" + value for value in hostile["note"].head(5)]
    assert notes[5] == "plain #3, quoted"
    # Numbers stay numbers: a negative number is not text.
    assert read["balance"].tolist() == [-5, -1, 0, 2, -3, 4]
    # No line of the file (metadata included) starts a cell with a formula.
    for line in data.decode("utf-8-sig").splitlines():
        for cell in line.split(","):
            assert not cell.strip(' "').startswith("=HYPERLINK"), line


def test_formulas_are_inert_in_xlsx(month, public_metadata):
    book = load_workbook(io.BytesIO(write_records_xlsx(_hostile_records(month), public_metadata)))
    sheet = book["Data"]
    header = [cell.value for cell in sheet[1]]
    notes = [row[header.index("note")] for row in sheet.iter_rows(min_row=2)]
    assert notes[0].value == "'" + FORMULA
    assert all(cell.data_type == "s" for cell in notes)
    balances = [row[header.index("balance")].value for row in sheet.iter_rows(min_row=2)]
    assert balances == [-5, -1, 0, 2, -3, 4]
    for name in book.sheetnames:
        for row in book[name].iter_rows():
            assert not any(cell.data_type == "f" for cell in row)


def test_neutralise_formula_leaves_other_text_alone():
    assert neutralise_formula("=1+1") == "'=1+1"
    assert neutralise_formula("\rx") == "'\rx"
    assert neutralise_formula("Kathmandu > Dubai") == "Kathmandu > Dubai"


# --- GeoJSON and GeoPackage ---------------------------------------------------------------------


def test_geojson_reads_back_in_wgs84_with_metadata(restricted_view, restricted_metadata):
    data = write_geojson(restricted_view.flows, restricted_metadata)
    collection = json.loads(data)
    assert collection["type"] == "FeatureCollection"
    assert collection["metadata"]["suppression"] == suppression_notice(K)
    assert collection["metadata"]["datasets"][1]["title"] == RESTRICTED.title
    read = gpd.read_file(io.BytesIO(data))
    assert read.crs.to_epsg() == 4326
    assert len(read) == len(restricted_view.flows)
    _same_counts(read["count"], restricted_view.flows["count"])
    assert read["count_label"].tolist() == restricted_view.flows["count_label"].tolist()


def test_geopackage_holds_named_layers_and_a_metadata_table(
    restricted_view, restricted_metadata, tmp_path
):
    layers = {"flows": restricted_view.flows, "nodes": restricted_view.nodes}
    path = tmp_path / "view.gpkg"
    path.write_bytes(write_geopackage(layers, restricted_metadata))
    listed = dict(pyogrio.list_layers(path))
    assert set(listed) == {"flows", "nodes", METADATA_LAYER}
    assert listed[METADATA_LAYER] is None
    for name, frame in layers.items():
        read = gpd.read_file(path, layer=name)
        assert read.crs.to_epsg() == 4326
        assert len(read) == len(frame)
        for column in ("count", "count_in", "count_out"):
            if column in frame.columns:
                _same_counts(read[column], frame[column])
    notes = pyogrio.read_dataframe(path, layer=METADATA_LAYER)
    fields = dict(zip(notes["field"], notes["value"], strict=False))
    assert fields["Title"] == restricted_metadata.title
    assert fields["Suppression"] == suppression_notice(K)


def test_geopackage_refuses_bad_layer_names(restricted_view, restricted_metadata):
    with pytest.raises(ValueError, match="cannot name a GeoPackage layer"):
        write_geopackage({"flow lines": restricted_view.flows}, restricted_metadata)
    with pytest.raises(ValueError, match="cannot name a GeoPackage layer"):
        write_geopackage({"metadata": restricted_view.flows}, restricted_metadata)


# --- HTML map -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_map(gazetteer, month):
    """A map whose first destination is called like a script tag."""
    destinations, districts = month
    flows = compute_flows(gazetteer, destinations, level="national")
    flows = flows.assign(destination_name=[SCRIPT, *flows["destination_name"].iloc[1:]])
    nodes = compute_nodes(gazetteer, flows)
    nodes = nodes.assign(
        name=np.where(nodes["place_id"] == flows["destination_id"].iloc[0], SCRIPT, nodes["name"])
    )
    text = MapText(
        title=f"Approvals {SCRIPT}",
        unit="Labour approvals",
        source_note=f"DoFE {SCRIPT}",
        caveats=(SCRIPT,),
    )
    fmap = build_flow_map(
        flows,
        nodes,
        compute_district_totals(gazetteer, districts),
        gazetteer.countries,
        text,
        ASSETS,
    )
    return flows, fmap


def test_map_html_opens_offline_with_leaflet_inlined(hostile_map, restricted_metadata):
    flows, fmap = hostile_map
    page = write_map_html(fmap, restricted_metadata).decode("utf-8")
    assert not re.search(r"<script[^>]*\bsrc=", page, re.I)
    assert not re.search(r"<link[^>]*\bhref=", page, re.I)
    # Nothing is fetched: no remote image, no tiles (Leaflet's own "leafletjs.com" credit is a
    # link a reader may click, not a request).
    assert not re.search(r"""<img[^>]*\bsrc\s*=\s*["']?(?:https?:)?//""", page, re.I)
    assert "L.tileLayer(" not in page
    assert "local.leaflet" not in page
    assert "leaflet-container" in page  # Leaflet's stylesheet, inlined
    assert "L.version" in page or "Leaflet" in page  # Leaflet's script, inlined
    assert "images/layers.png" not in page and "data:image/png;base64," in page
    # It draws: every flow is a feature of the flows layer.
    layers = _layer_data(page)
    drawn = next(layer for layer in layers if "route" in layer["properties"])
    assert len(drawn["geometries"]) == len(drawn["properties"]["route"]) == len(flows)
    labels = set(drawn["properties"]["count_label"])
    for label in flows["count"].head(5).map(lambda value: f"{int(value):,}"):
        assert label in labels


def _layer_data(page: str) -> list[dict]:
    """Every map layer's data in a page (geometries and properties, see routes.maps)."""
    decoder = json.JSONDecoder()
    starts = [match.start() for match in re.finditer(r'\{"geometries":', page)]
    return [decoder.raw_decode(page, start)[0] for start in starts]


def test_map_html_shows_dataset_strings_as_text_not_markup(hostile_map, restricted_metadata):
    _, fmap = hostile_map
    page = write_map_html(fmap, restricted_metadata).decode("utf-8")
    assert SCRIPT not in page
    assert "alert(1)" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page or (
        "\\u0026lt;script\\u0026gt;alert(1)" in page
    )
    # The export's own metadata: machine-readable and escaped, and readable in the page.
    match = re.search(
        r'<script type="application/json" id="atlas-export-metadata">(.*?)</script>', page, re.S
    )
    assert match is not None
    embedded = json.loads(match.group(1))
    assert embedded["datasets"][1]["title"] == RESTRICTED.title
    assert embedded["suppression"] == suppression_notice(K)
    assert html_escaped(RESTRICTED.title) in page
    assert "About this export" in page


def test_map_html_refuses_online_tiles(gazetteer, month):
    destinations, districts = month
    flows = compute_flows(gazetteer, destinations, level="national").head(3)
    fmap = build_flow_map(
        flows,
        compute_nodes(gazetteer, flows),
        compute_district_totals(gazetteer, districts),
        gazetteer.countries.head(3),
        MapText(title="t", unit="u", source_note="s"),
        ASSETS,
        tiles=True,
    )
    with pytest.raises(ValueError, match="tiles=False"):
        write_map_html(fmap)


def html_escaped(text: str) -> str:
    import html

    return html.escape(text)


# --- zip ----------------------------------------------------------------------------------------


def test_bundle_zip_holds_the_files_a_readme_and_metadata(restricted_view, restricted_metadata):
    files = {
        "flows.csv": write_table_csv(restricted_view.flows, restricted_metadata),
        "flows.geojson": write_geojson(restricted_view.flows, restricted_metadata),
    }
    archive = zipfile.ZipFile(io.BytesIO(write_bundle_zip(files, restricted_metadata)))
    assert set(archive.namelist()) == {README_NAME, METADATA_JSON_NAME, *files}
    for name, data in files.items():
        assert archive.read(name) == data
    readme = archive.read(README_NAME).decode("utf-8")
    assert restricted_metadata.title in readme
    assert suppression_notice(K) in readme
    assert "Restricted: partners only" in readme
    assert "Fiscal year (BS): 2079/80" in readme
    manifest = json.loads(archive.read(METADATA_JSON_NAME))
    assert manifest["created_at"] == "2025-03-01T09:30:00+00:00"
    assert manifest["suppression_applied"] is True
    assert manifest["files"] == sorted(files)
    read = pd.read_csv(io.BytesIO(archive.read("flows.csv")), comment="#")
    _same_counts(read["count"], restricted_view.flows["count"])
    # The columns of its CSV files in words, and no others.
    columns = readme.split("## Columns of the CSV files")[1]
    assert "- `count_label`: the count as shown on screen" in columns
    assert "`in_flows`" not in columns  # a column of the records, not of this bundle


def test_each_csv_says_what_its_columns_hold(restricted_view, restricted_metadata):
    """A reader had only names such as count_label, suppressed or place_id to go by."""
    text = write_table_csv(restricted_view.flows, restricted_metadata).decode("utf-8-sig")
    header = [line for line in text.splitlines() if line.startswith("# Column ")]
    described = [line.split(":")[0].removeprefix("# Column ") for line in header]
    read = pd.read_csv(io.StringIO(text), comment="#")
    assert described == [column for column in read.columns if column in described]
    assert {"count", "count_label", "suppressed", "origin_id", "distance_km"} <= set(described)
    # Distances to the tenth of a kilometre, not to the femtometre.
    assert (read["distance_km"] == read["distance_km"].round(1)).all()
    # Every column of the places' file too (its four label and flag columns were not).
    nodes = write_table_csv(restricted_view.nodes, restricted_metadata).decode("utf-8-sig")
    read = pd.read_csv(io.StringIO(nodes), comment="#")
    described = {line.split(":")[0].removeprefix("# Column ") for line in nodes.splitlines()}
    assert set(read.columns) <= described


def test_a_workbook_says_what_its_columns_hold(public_metadata):
    """records.xlsx had no word on in_flows, and its DoFE rows summed to twice the approvals
    (a helper's walkthrough); each CSV said what its columns hold."""
    from openpyxl import load_workbook

    records = pd.DataFrame({"count": [3], "in_flows": [True], "unit": ["Labour approvals"]})
    book = load_workbook(io.BytesIO(write_records_xlsx(records, public_metadata)))
    notes = {row[0]: row[1] for row in book["Metadata"].iter_rows(values_only=True)}
    assert notes["Column in_flows"].startswith("true where the flows count the record")
    assert "Column count" in notes and "Column unit" in notes
    # Every column a records file holds is described (origin, sex... were not).
    from routes.export import COLUMN_MEANINGS
    from routes.ui import _EXPORTED_RECORD_COLUMNS

    assert set(_EXPORTED_RECORD_COLUMNS) <= set(COLUMN_MEANINGS)


def test_bundle_zip_refuses_paths_that_leave_it(restricted_metadata):
    for name in ("../flows.csv", "/etc/passwd", README_NAME, "a\\b.csv"):
        with pytest.raises(ValueError, match="cannot name a file"):
            write_bundle_zip({name: b"x"}, restricted_metadata)


def test_a_restricted_export_holds_no_zero_and_no_small_structural_number(
    restricted_view, restricted_metadata, public_metadata
):
    """A restricted view's nodes.csv read count_in 0 for origins, and legs.csv held the number
    of corridors through each leg (1, 4, 5...), numbers below the threshold that read as counts
    (a helper's walkthrough). Public exports keep both."""
    nodes = restricted_view.nodes
    assert (nodes["count_in"] == 0).any()
    read = pd.read_csv(io.BytesIO(write_table_csv(nodes, restricted_metadata)), comment="#")
    for column in ("count_in", "count_out"):
        assert not (read[column] == 0).any() and not (read[f"{column}_label"] == "0").any()
    legs = pd.DataFrame({"count": [40], "count_label": ["40"], "corridors": [1]})
    read = pd.read_csv(io.BytesIO(write_table_csv(legs, restricted_metadata)), comment="#")
    assert "corridors" not in read.columns
    public = pd.read_csv(io.BytesIO(write_table_csv(legs, public_metadata)), comment="#")
    assert public["corridors"].tolist() == [1]


def test_the_bundle_readme_points_a_spreadsheet_user_to_the_tables_workbook(public_metadata):
    """A CSV's metadata lines split at their commas in a spreadsheet: the zip's README says
    which file to open there, when the export has it."""
    from routes.export import TABLES_WORKBOOK

    def readme(files: dict[str, bytes]) -> str:
        archive = zipfile.ZipFile(io.BytesIO(write_bundle_zip(files, public_metadata)))
        return archive.read("README.md").decode("utf-8")

    assert f"open `{TABLES_WORKBOOK}`" in readme({"flows.csv": b"a\n1\n", TABLES_WORKBOOK: b"x"})
    assert TABLES_WORKBOOK not in readme({"flows.csv": b"a\n1\n"})


def test_the_tables_workbook_says_a_sheets_own_filters_where_they_differ(public_metadata):
    """The months' CSV is cut by no top N, and says so; the workbook's one Metadata sheet gave
    the view's filters for every sheet (a code review)."""
    import dataclasses

    from routes.export import write_tables_xlsx

    view = dataclasses.replace(public_metadata, filters=("Top flows: 5", "Sex: Female"))
    months = dataclasses.replace(view, title="People by month", filters=("Sex: Female",))
    table = pd.DataFrame({"name": ["Qatar"], "count": [12]})
    book = write_tables_xlsx({"flows": (table, view), "months": (table, months)}, view)
    sheets = pd.read_excel(io.BytesIO(book), sheet_name=None)
    fields = dict(zip(sheets["Metadata"]["Field"], sheets["Metadata"]["Value"], strict=True))
    assert fields["Sheet Months filters"] == "Sex: Female"
    assert "Sheet Flows filters" not in fields
    assert list(sheets) == ["Flows", "Months", "Metadata"]
