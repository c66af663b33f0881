"""Reading uploads: every format, encoding and delimiter, and every unsafe or broken file refused.

The files are in ``tests/data/good`` and ``tests/data/bad`` (see the READMEs there); the messages
of the bad files through the whole import are checked in ``test_cli.py``.
"""

from __future__ import annotations

import codecs
import io
import random
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from routes.io import (
    ChoiceNeeded,
    CrsNeeded,
    UploadError,
    UploadLimits,
    list_layers,
    list_sheets,
    read_table,
)

DATA = Path(__file__).resolve().parents[1] / "data"
GOOD = DATA / "good"
BAD = DATA / "bad"

ROUTES = pd.DataFrame(
    {
        "origin": ["Jhapa", "Kaski", "Dhanusha"],
        "destination": ["Qatar", "Malaysia", "Saudi Arabia"],
        "count": [12, 7, 30],
    }
)


def read(name: str, folder: Path = GOOD, **options):
    return read_table(folder / name, name, **options)


@pytest.mark.parametrize(
    ("name", "kind", "encoding", "delimiter"),
    [
        ("routes.csv", "csv", "UTF-8", ","),
        ("utf8_bom_semicolon.csv", "csv", "UTF-8 (with byte-order mark)", ";"),
        ("utf16_bom_tab.txt", "csv", "UTF-16 (with byte-order mark)", "\t"),
        ("routes.xlsx", "excel", None, None),
        ("routes.parquet", "parquet", None, None),
        ("zipped_csv.zip", "csv", "UTF-8", ","),
    ],
)
def test_read_table_reads_every_tabular_format_to_the_same_records(name, kind, encoding, delimiter):
    result = read(name)
    assert (result.format, result.encoding, result.delimiter) == (kind, encoding, delimiter)
    frame = result.frame.reset_index(drop=True)
    pd.testing.assert_frame_equal(
        frame[["origin", "destination"]].astype(str), ROUTES[["origin", "destination"]]
    )
    assert frame["count"].astype(int).tolist() == [12, 7, 30]
    assert frame["period"].astype(str).tolist() == ["2079/80"] * 3


def test_read_table_numbers_rows_as_the_file_does():
    assert list(read("routes.csv").frame.index) == [2, 3, 4]
    titled = read("title_row.csv")
    assert list(titled.frame.index) == [4, 5, 6]
    assert any("Row(s) 1 above the header" in note for note in titled.notes)
    assert list(read("routes.parquet").frame.index) == [1, 2, 3]


def test_read_table_detects_windows_1252_and_keeps_accents():
    result = read("cp1252_pipe.csv")
    assert result.encoding.startswith("Windows-1252")
    assert result.delimiter == "|"
    assert result.frame["destination"].tolist() == ["Côte d'Ivoire", "Türkiye"]


def test_read_table_understands_decimal_comma_and_thousands_points():
    result = read("thousands_decimal_comma.csv")
    assert result.frame["count"].tolist() == [1234, 12345, 7]
    assert result.frame["share_pct"].tolist() == [12.5, 0.75, 3.0]
    assert any("decimal comma" in note for note in result.notes)


def test_read_table_understands_indian_digit_grouping():
    assert read("indian_grouping.csv").frame["workers"].tolist() == [123456, 2345]


def test_read_table_keeps_codes_with_leading_zeros_as_text():
    result = read_table(b"code,count\n007,1\n012,2\n", "codes.csv")
    assert result.frame["code"].tolist() == ["007", "012"]


def test_read_table_reads_a_dash_in_a_number_column_as_empty():
    result = read_table(b"origin,count\nJhapa,5\nKaski,-\n", "dash.csv")
    assert result.frame["count"].isna().tolist() == [False, True]
    grouped = read_table(b'origin,count\nJhapa,"1,200"\nKaski,-\n', "dash.csv")
    # Each sentence of the note starts with a capital ("...as numbers. cells holding...").
    assert grouped.notes == (
        "Column 'count': numbers with thousands separators (1,234) read as numbers. Cells "
        "holding only a dash read as empty.",
    )


def test_read_table_says_nothing_of_separators_over_plain_decimals():
    """A column of fees "1.5", "2.25" was said to hold "numbers with thousands separators
    (1,234)", a note then kept with the dataset (a code review)."""
    result = read_table(b"origin,count,fee\nJhapa,5,1.5\nKaski,4,2.25\n", "fees.csv")
    assert result.frame["fee"].tolist() == [1.5, 2.25]
    assert not any("separators" in note for note in result.notes), result.notes


def test_read_table_keeps_script_tags_as_text():
    frame = read("script_tags.csv", BAD).frame
    assert frame.loc[2, "origin"] == '<script>alert("origin")</script>'
    assert frame.loc[3, "destination"] == "<img src=x onerror=alert(1)>"
    assert frame.loc[4, "origin"].startswith("=HYPERLINK(")


def test_read_table_accepts_bytes_and_paths_alike():
    from_path = read("routes.xlsx")
    from_bytes = read_table((GOOD / "routes.xlsx").read_bytes(), "routes.xlsx")
    pd.testing.assert_frame_equal(from_path.frame, from_bytes.frame)


def test_read_table_picks_the_only_sheet_with_data_and_says_so():
    result = read("routes.xlsx")
    assert result.sheet == "Routes"
    assert result.sheets == ("Routes", "Notes")
    assert any("only one with data" in note for note in result.notes)


def test_read_table_asks_which_sheet_when_several_hold_data():
    with pytest.raises(ChoiceNeeded) as caught:
        read("multiple_sheets.xlsx", BAD)
    assert caught.value.kind == "sheet"
    assert caught.value.options == ("Routes", "Routes 2023")
    assert "multiple_sheets.xlsx" in str(caught.value)
    chosen = read("multiple_sheets.xlsx", BAD, sheet="Routes 2023")
    assert chosen.sheet == "Routes 2023" and len(chosen.frame) == 3
    assert list_sheets(BAD / "multiple_sheets.xlsx", "multiple_sheets.xlsx") == (
        "Routes",
        "Routes 2023",
    )


def test_read_table_names_the_sheets_when_the_named_one_is_missing():
    with pytest.raises(UploadError, match="no sheet named 'Data'.*'Routes', 'Notes'"):
        read("routes.xlsx", sheet="Data")


def test_geometry_files_are_reprojected_to_wgs84():
    utm = read("routes_utm.gpkg")
    assert utm.crs == "EPSG:32645" and utm.frame.crs.to_epsg() == 4326
    assert isinstance(utm.frame, gpd.GeoDataFrame)
    assert utm.frame.geometry.x.round(4).tolist() == [51.53, 101.69, 46.72]
    assert utm.frame.geometry.y.round(4).tolist() == [25.29, 3.14, 24.71]
    for name in ("routes.geojson", "routes_shapefile.zip", "routes_geo.parquet"):
        result = read(name)
        assert result.has_geometry and result.frame.crs.to_epsg() == 4326, name
        assert result.frame.geometry.x.round(2).iloc[0] == 51.53, name


def test_list_layers_and_layer_choice_of_a_geopackage():
    path = BAD / "two_layers.gpkg"
    assert list_layers(path, path.name) == ("routes", "routes_2023")
    with pytest.raises(ChoiceNeeded) as caught:
        read_table(path, path.name)
    assert caught.value.kind == "layer"
    assert read_table(path, path.name, layer="routes_2023").layer == "routes_2023"
    assert list_layers(GOOD / "routes_shapefile.zip", "routes_shapefile.zip") == ("routes",)


def test_a_missing_crs_is_asked_for_and_taken_when_given():
    with pytest.raises(CrsNeeded, match=r"shapefile_without_prj\.zip.*routes\.prj"):
        read("shapefile_without_prj.zip", BAD)
    given = read("shapefile_without_prj.zip", BAD, crs="EPSG:4326")
    assert given.frame.crs.to_epsg() == 4326


def test_projected_geojson_without_crs_member_is_refused_then_read_with_its_crs():
    with pytest.raises(CrsNeeded, match="look like metres"):
        read("projected_without_crs.geojson", BAD)
    result = read("projected_without_crs.geojson", BAD, crs="EPSG:32645")
    lon, lat = result.frame.geometry.x, result.frame.geometry.y
    assert lon.between(80, 89).all() and lat.between(26, 31).all()  # in Nepal
    assert any("read as EPSG:32645" in note for note in result.notes)


def test_an_unknown_crs_is_named():
    with pytest.raises(UploadError, match="'EPSG:999999' is not a coordinate reference system"):
        read("shapefile_without_prj.zip", BAD, crs="EPSG:999999")


def test_the_size_limit_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("ROUTES_MAX_UPLOAD_MB", "0.0001")
    with pytest.raises(UploadError, match=r"routes\.csv is 0\.0 MB.*ROUTES_MAX_UPLOAD_MB"):
        read("routes.csv")
    monkeypatch.setenv("ROUTES_MAX_UPLOAD_MB", "lots")
    with pytest.raises(ValueError, match="ROUTES_MAX_UPLOAD_MB='lots' is not a number"):
        read("routes.csv")


def _zip(entries: dict[str, bytes], symlink: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (0o120777) << 16
            archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


def test_the_unpacked_size_of_an_archive_is_limited_before_extraction():
    noise = random.Random(5).randbytes(3 * 1024 * 1024)  # incompressible: no ratio alarm
    data = _zip({"a.bin": noise})
    limits = UploadLimits(max_unpacked_mb=2)
    with pytest.raises(UploadError, match=r"big\.zip would unpack to 3 MB; at most 2 MB"):
        read_table(data, "big.zip", limits=limits)


def test_an_archive_with_a_symbolic_link_is_refused():
    data = _zip({"routes.csv": b"origin,destination\nJhapa,Qatar\n"}, symlink="link.csv")
    with pytest.raises(UploadError, match=r"links\.zip holds a symbolic link \('link\.csv'\)"):
        read_table(data, "links.zip")


def test_the_compression_ratio_limit_can_be_set():
    rows = "".join(f"Jhapa,Qatar,{n}\n" for n in range(70_000))
    data = _zip({"routes.csv": ("origin,destination,count\n" + rows).encode()})
    assert read_table(data, "fine.zip").frame.shape == (70_000, 3)
    with pytest.raises(UploadError, match="ratio 7 to 1; the limit is 5"):
        read_table(data, "strict.zip", limits=UploadLimits(max_compression_ratio=5))


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "a PDF document"),
        (b"PK\x03\x04" + bytes(40), "a zip archive"),
        (b"\x00\x01\x02\x03" * 100, "binary data of an unknown kind"),
    ],
)
def test_binary_data_under_a_table_name_says_what_it_looks_like(data, what):
    with pytest.raises(UploadError, match=f"table.csv is named like a text table .* {what}"):
        read_table(data, "table.csv")


def test_a_csv_of_header_and_one_row_gets_numbers_and_text_types():
    result = read_table(b"origin,count\nJhapa,5\n", "one.csv")
    assert str(result.frame["origin"].dtype) == "string"
    assert str(result.frame["count"].dtype) == "Int64"


def test_a_short_row_is_filled_and_noted():
    result = read_table(b"origin,destination,count\nJhapa,Qatar\n", "short.csv")
    assert result.frame["count"].isna().all()
    assert any("Short rows" in note for note in result.notes)


def test_upload_errors_carry_the_file_and_row():
    with pytest.raises(UploadError) as caught:
        read("ragged_row.csv", BAD)
    assert (caught.value.file_name, caught.value.row) == ("ragged_row.csv", 3)
    assert isinstance(caught.value, ValueError)


def _workbook_bytes(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_excel_years_stay_whole_numbers_and_dates_stay_dates():
    import datetime as dt

    data = _workbook_bytes(
        [
            ["origin", "destination", "year", "date"],
            ["Jhapa", "Qatar", 2022.0, dt.datetime(2022, 8, 15)],
        ]
    )
    frame = read_table(data, "dates.xlsx").frame
    assert frame.loc[2, "year"] == 2022 and str(frame["year"].dtype) == "Int64"
    assert frame.loc[2, "date"] == dt.date(2022, 8, 15)


def test_a_corrupt_workbook_gets_an_upload_error_not_a_crash():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "junk")
        archive.writestr("xl/workbook.xml", "<not xml")
    with pytest.raises(UploadError, match=r"corrupt\.xlsx could not be read \(ParseError"):
        read_table(buffer.getvalue(), "corrupt.xlsx")


def test_an_excel_sep_line_sets_the_delimiter():
    result = read_table(b"sep=;\norigin;destination;count\nJhapa;Qatar;1,5\n", "sep.csv")
    assert result.delimiter == ";"
    assert list(result.frame.columns) == ["origin", "destination", "count"]
    assert list(result.frame.index) == [3]


def test_a_heading_over_the_column_names_and_notes_below_the_table_are_skipped_and_said():
    """A union's workbook with "Origin" and "Respondent" over its columns was refused with
    advice on quoting CSV values; the notes under its table became rows with problems."""
    data = _workbook_bytes(
        [
            ["Returnee survey 2079/80", None, None, None],
            [None, "Origin", None, "Respondent"],
            ["S.N.", "District", "Country", "Sex"],
            [1, "Jhapa", "Qatar", "M"],
            [2, "Kaski", "Kuwait", "F"],
            [None, None, None, None],
            ["Note: '-' means the respondent did not remember.", None, None, None],
            ["Source: field survey, 14 districts.", None, None, None],
        ]
    )
    result = read_table(data, "survey.xlsx")
    assert list(result.frame.columns) == ["S.N.", "District", "Country", "Sex"]
    assert result.frame.index.tolist() == [4, 5]
    assert "Row(s) 1, 2 above the header (a title, note or heading) were skipped." in result.notes
    assert (
        "Row(s) 7, 8 below the table (a note or source) were skipped: “Note: '-' means the "
        "respondent did not remember.”; “Source: field survey, 14 districts.”."
    ) in result.notes


def test_a_workbook_row_wider_than_its_header_says_to_name_the_columns_not_to_quote():
    data = _workbook_bytes([["origin", "destination"], ["Jhapa", "Qatar", "extra"]])
    with pytest.raises(UploadError, match="Give every column of the table a name") as caught:
        read_table(data, "wide.xlsx")
    assert "quotes" not in str(caught.value)


def test_a_last_record_with_one_cell_filled_is_a_record_not_a_note():
    """Review finding: a survey's trailing 'Kaski,,' rows were dropped as notes."""
    text = "District,Sex,Sector\nJhapa,F,care\nMorang,M,farm\nKaski,,\nBajura,,\n"
    frame = read_table(text.encode("utf-8"), "survey.csv").frame
    assert frame["District"].tolist() == ["Jhapa", "Morang", "Kaski", "Bajura"]


def test_a_source_line_split_by_its_own_comma_is_a_note_not_a_record():
    """An unquoted 'Source: NGO returnee survey 2080, draft' became a record from 'Source: NGO
    returnee survey 2080' to 'draft', one person (a helper's walkthrough)."""
    text = (
        "origin,destination,count\nDhanusha,Qatar,12\nSiraha,Malaysia,7\n"
        "Source: NGO returnee survey 2080, draft\n"
    )
    result = read_table(text.encode("utf-8"), "survey.csv")
    assert result.frame["origin"].tolist() == ["Dhanusha", "Siraha"]
    assert any("“Source: NGO returnee survey 2080, draft”" in note for note in result.notes)
    # Ending in a year, as a source often does (a code review).
    for source in ("Source: DoFE approvals, 2079/80", "Source: field survey, 2023"):
        frame = read_table(
            f"origin,destination,count\nSiraha,Qatar,7\n{source}\n".encode(), "s.csv"
        )
        assert frame.frame["origin"].tolist() == ["Siraha"], source
    # A last record that names places, or fills every column, stays a record.
    for last in ("Jhapa,Kuwait,3", "Note,Qatar,4", "Source: Jhapa,Kuwait,3"):
        frame = read_table(f"origin,destination,count\nSiraha,Qatar,7\n{last}\n".encode(), "s.csv")
        assert len(frame.frame) == 2, last


def test_a_text_table_named_xls_is_read_and_an_html_one_gets_its_own_advice():
    """Both were refused as 'the old Excel 97-2003 format' (a helper's walkthrough): many
    systems export tab-separated text, or an HTML table, under an .xls name."""
    read = read_table(GOOD / "text_named.xls", "text_named.xls")
    assert len(read.frame) == len(read_table(GOOD / "routes.csv", "routes.csv").frame)
    assert "read as text" in read.notes[0]
    with pytest.raises(UploadError, match="web page \\(HTML\\) named like an Excel file"):
        read_table(BAD / "html_named.xls", "html_named.xls")
    with pytest.raises(UploadError, match="old Excel 97-2003 format"):
        read_table(BAD / "old_excel.xls", "old_excel.xls")


def test_a_thousands_comma_beside_a_stray_comma_is_read_cell_by_cell(gazetteer):
    """'1,200' and '1,2' in one column were both read as 1.2 (a decimal comma), the good row
    refused with a value the file does not hold."""
    from routes.mapping import prepare_import, propose_mapping

    data = b'origin,destination,count\nJhapa,Qatar,"1,200"\nKaski,Kuwait,"1,2"\nDang,Qatar,3\n'
    read = read_table(data, "cases.csv")
    mapping = propose_mapping(read.frame, gazetteer)
    prepared = prepare_import(read.frame, mapping, gazetteer, file_name="cases.csv")
    [error] = prepared.validation.errors
    assert (error.row, error.value) == (3, "1,2")
    assert "does not separate thousands" in error.message
    assert prepared.records["count"].tolist() == [1_200, 3]


def test_an_excel_2003_xml_or_a_utf16_web_page_named_xls_gets_its_own_advice():
    page = "<html><body><table><tr><td>origin</td><td>count</td></tr></table></body></html>"
    with pytest.raises(UploadError, match="web page \\(HTML\\)"):
        read_table(codecs.BOM_UTF16_LE + page.encode("utf-16-le"), "export.xls")
    workbook = (
        b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">'
        b"</Workbook>"
    )
    with pytest.raises(UploadError, match="Excel 2003 XML spreadsheet"):
        read_table(workbook, "export.xls")


def test_western_and_nepali_thousands_are_read_as_numbers_by_the_reader():
    """The reader's own grouping took 1,234,567 for no number (the schema's took it for one)."""
    data = b'origin,destination,count\nJhapa,Qatar,"1,234,567"\nKaski,Kuwait,"12,34,567"\n'
    assert read_table(data, "counts.csv").frame["count"].tolist() == [1_234_567, 1_234_567]


def test_counts_in_devanagari_digits_are_read_and_other_scripts_digits_are_named(gazetteer):
    """'१२' (12) was read as an empty count, one person each, under a note that said the cell
    was empty or a dash: 12 people counted as 1. Digits of a script the reader cannot read are
    left as text for the schema to name, not read as empty."""
    from routes.mapping import prepare_import, propose_mapping

    data = "origin,destination,count\nJhapa,Qatar,१२\nKaski,Kuwait,५\nDang,Qatar,3\n"
    read = read_table(data.encode("utf-8"), "counts.csv")
    assert read.frame["count"].tolist() == [12, 5, 3]
    assert read.notes == ("Column 'count': numbers in Devanagari digits (१२) read as numbers.",)
    arabic = "origin,destination,count\nJhapa,Qatar,١٢\nKaski,Kuwait,5\n".encode()
    read = read_table(arabic, "counts.csv")
    mapping = propose_mapping(read.frame, gazetteer)
    prepared = prepare_import(read.frame, mapping, gazetteer, file_name="counts.csv")
    [error] = prepared.validation.errors
    assert (error.row, error.value) == (2, "١٢")
    assert prepared.validation.empty_counts == 0


def test_numbers_grouped_by_thin_or_figure_spaces_are_read_as_numbers():
    """ASCII digits only, but the spaces that group thousands are any of them (a thin space's
    12 345 was left as text by the faster check)."""
    data = "origin,count\nJhapa,12\u2009345\nKaski,1\u2007200\nDang,7\n".encode()
    assert read_table(data, "x.csv").frame["count"].tolist() == [12_345, 1_200, 7]
