"""``python -m routes``: bad files refused with their message and the store untouched, good ones
kept, the DoFE wide table imported with totals that equal its Total column."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import routes.__main__ as cli
from routes.schema import CHANNEL, COUNT, DESTINATION, ORIGIN, SEX
from routes.store import DatasetInfo, FileStore

DATA = Path(__file__).resolve().parents[1] / "data"
BAD = DATA / "bad"
GOOD = DATA / "good"
SRC = Path(__file__).resolve().parents[2] / "src"

#: What the message of each bad file must say, besides the file's name.
EXPECTED: dict[str, tuple[str, ...]] = {
    "empty.csv": ("is empty (0 bytes)",),
    "blank_lines.csv": ("has no content: only blank lines",),
    "header_only.csv": ("has a header row (row 1) but no rows of data",),
    "utf16_no_bom.csv": ("looks like UTF-16 text", "without the byte-order mark", "as UTF-8"),
    "invalid_bytes.csv": ("row 3: the byte 0x81 is neither UTF-8 nor Windows-1252",),
    "mixed_encodings.csv": ("row 3: the file mixes encodings", "as UTF-8"),
    "mixed_delimiters.csv": ("row 3: the file mixes delimiters", "by commas, but row 3 by semi"),
    "ragged_row.csv": ("row 3: the row has 6 values but the header (row 1) names 5 columns",),
    "unclosed_quote.csv": ("row 2: the row cannot be read", "must close it"),
    "negative_counts.csv": ("row 3, column 'count' (value '-7'): a count cannot be negative",),
    "non_numeric_counts.csv": ("row 3, column 'persons' (value 'twelve'): not a number",),
    "fractional_counts.csv": ("row 3, column 'count'", "must be a whole number"),
    "garbage_period.csv": (
        "row 3, column 'date' (value 'sometime soon')",
        "not a period this app reads",
    ),
    "unknown_sex.csv": ("row 3, column 'sex' (value 'x'): not a sex this app knows",),
    "missing_destination_column.csv": (
        "no column is chosen as the destination",
        "The table's columns are 'origin', 'count'",
    ),
    "all_rows_invalid.csv": (
        "3 of 3 rows have problems",
        "rows 2, 3, 4, column 'destination': the cell is empty",
    ),
    "duplicate_columns.csv": ("row 1: columns 2 and 4 are both named 'destination'",),
    "too_many_columns.csv": ("has 1500 columns; at most 1000 are read", "ROUTES_MAX_COLUMNS"),
    "png_named.csv": ("is named like a text table", "looks like a PNG image"),
    "text_named.xlsx": ("named like an Excel workbook (.xlsx)", "text file", "rename it to .csv"),
    "old_excel.xls": ("old Excel 97-2003 format", "save it as an Excel Workbook (.xlsx)"),
    "html_named.xls": ("is a web page (HTML) named like an Excel file", "(.xlsx)"),
    "multiple_sheets.xlsx": ("has 2 sheets with data ('Routes', 'Routes 2023')", "--sheet"),
    "empty_sheet.xlsx": ("(sheet 'Data') has no content: every cell is empty",),
    "truncated.parquet": ("is an incomplete Parquet file: its end is missing",),
    "text_named.parquet": ("is named like a Parquet file", "looks like a text file"),
    "unknown_extension.dat": ("files ending in '.dat' are not read here", "Upload a CSV"),
    "zip_bomb.zip": ("would unpack to 20 MB", "ratio", "the limit is 250", "not opened"),
    "zip_traversal.zip": ("points outside the archive ('../../evil.csv')", "not opened"),
    "zip_absolute_path.zip": ("an absolute path ('/tmp/evil.csv')", "not opened"),
    "zip_too_many_entries.zip": ("holds 1001 files; at most 1000 are accepted",),
    "not_a_zip.zip": ("is named like a zip archive", "looks like a text file"),
    "shapefile_without_dbf.zip": ("holds routes.shp but not routes.dbf (the attribute table)",),
    "shapefile_without_prj.zip": (
        "does not say which coordinate reference system",
        "routes.prj",
        "--crs",
    ),
    "invalid_geometry.geojson": ("has 1 invalid geometry (row 2: Self-intersection",),
    "projected_without_crs.geojson": ("x = 612,000", "look like metres", "--crs"),
    "broken.geojson": ("cannot be read as GeoJSON",),
    "two_layers.gpkg": ("has 2 layers with data ('routes', 'routes_2023')", "--layer"),
    "text_named.gpkg": ("is named like a GeoPackage", "looks like a text file"),
}
#: Bad-looking files that must import.
ACCEPTED = ("script_tags.csv",)


@pytest.fixture(autouse=True)
def shared_gazetteer(monkeypatch, gazetteer):
    """The CLI loads the gazetteer on every run; the tests share the session's copy."""
    monkeypatch.setattr(cli, "load_gazetteer", lambda: gazetteer)


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("seed") / "store"
    records = pd.DataFrame({ORIGIN: ["Jhapa"], DESTINATION: ["Qatar"], COUNT: [1]})
    FileStore(root).save(records, DatasetInfo(title="Existing"))
    return root


@pytest.fixture
def store_root(seed_store, tmp_path) -> Path:
    root = tmp_path / "store"
    shutil.copytree(seed_store, root)
    return root


def snapshot(root: Path) -> dict[str, str]:
    """Every file of the store with a digest of its bytes."""
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = cli.main([str(arg) for arg in argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_bad_file_is_refused_with_its_message_and_the_store_is_unchanged(
    capsys, store_root, name
):
    catalogue = (store_root / "catalogue.json").read_bytes()
    before = snapshot(store_root)
    status, _, err = run(capsys, "import", BAD / name, "--store", store_root)
    assert status == 1
    message = " ".join(err.split())
    assert message.startswith("error: ")
    assert name in message
    for expected in EXPECTED[name]:
        assert expected in message, f"{name}: {expected!r} not in {message!r}"
    assert (store_root / "catalogue.json").read_bytes() == catalogue
    assert snapshot(store_root) == before


def test_every_bad_file_is_documented_and_tested():
    files = {path.name for path in BAD.iterdir() if path.name != "README.md"}
    readme = (BAD / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([^`]+)` \|", readme, flags=re.MULTILINE))
    assert documented == files
    assert set(EXPECTED) | set(ACCEPTED) == files
    assert len(EXPECTED) >= 25


def test_script_tags_are_kept_as_text_and_imported(capsys, store_root):
    status, out, _ = run(capsys, "import", BAD / "script_tags.csv", "--store", store_root)
    assert status == 0
    assert "origin '<script>alert(\"origin\")</script>' (1 row)" in out
    store = FileStore(store_root)
    (dataset,) = [m for m in store.list_datasets() if m.dataset_id == "script-tags"]
    records = store.load_records(dataset.dataset_id)
    assert records[ORIGIN].tolist()[0] == '<script>alert("origin")</script>'
    assert records[DESTINATION].tolist()[1] == "<img src=x onerror=alert(1)>"
    assert records[ORIGIN].tolist()[2] == '=HYPERLINK("http://example.invalid")'


def test_the_dofe_wide_table_imports_with_totals_equal_to_its_total_column(tmp_path):
    """Through a real ``python -m routes`` process, as an analyst would run it."""
    store_root = tmp_path / "store"
    wide = pd.read_csv(GOOD / "dofe_wide_baisakh_2080.csv")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "routes",
            "import",
            str(GOOD / "dofe_wide_baisakh_2080.csv"),
            "--set",
            "period=Baisakh 2080",
            "--title",
            "DoFE labour approvals, Baisakh 2080",
            "--organisation",
            "Department of Foreign Employment",
            "--store",
            str(store_root),
        ],
        env={**os.environ, "PYTHONPATH": str(SRC)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "all 704 total cells equal the sum of their components" in result.stdout
    assert "every origin, destination and transit name was placed" in result.stdout
    store = FileStore(store_root / "datasets")  # a new folder is the app's (ROUTES_STORE_DIR)
    (dataset,) = store.list_datasets()
    records = store.load_records(dataset.dataset_id)
    assert records[COUNT].sum() == wide["Total"].sum() == 54457
    assert records.groupby(SEX)[COUNT].sum().to_dict() == {
        "female": wide["Total Female"].sum(),
        "male": wide["Total Male"].sum(),
    }
    assert set(records[CHANNEL]) <= {
        "Recruiting agency",
        "Individual (new)",
        "Government to government (G2G)",
        "Individual (legalisation)",
        "Re-entry",
    }
    assert set(records[ORIGIN]) == {"Nepal"}
    assert set(records["period_label"]) == {"Baisakh 2080"}
    assert dataset.mapping["constants"] == {"origin": "Nepal", "period": "Baisakh 2080"}
    assert dataset.organisation == "Department of Foreign Employment"


def test_a_mapping_is_saved_and_reused_for_the_next_file(capsys, store_root, tmp_path):
    mapping = tmp_path / "dofe.json"
    status, out, _ = run(
        capsys,
        "import",
        GOOD / "dofe_wide_baisakh_2080.csv",
        "--save-mapping",
        mapping,
        "--dry-run",
        "--store",
        store_root,
    )
    assert status == 0 and "Dry run: nothing was saved." in out
    assert "dofe" not in {m.dataset_id[:4] for m in FileStore(store_root).list_datasets()}
    wide = pd.read_csv(GOOD / "dofe_wide_baisakh_2080.csv")
    next_file = tmp_path / "next_month.csv"
    wide.head(10).to_csv(next_file, index=False)
    status, out, _ = run(capsys, "import", next_file, "--mapping", mapping, "--store", store_root)
    assert status == 0
    records = FileStore(store_root).load_records("next-month")
    assert records[COUNT].sum() == wide.head(10)["Total"].sum()


def test_an_alias_places_a_name_and_is_kept_with_the_dataset(capsys, store_root, tmp_path):
    path = tmp_path / "survey.csv"
    path.write_text("origin,destination,count\nJhappa,Qatar,2\nKaski,Qatarr,1\n", "utf-8")
    status, out, _ = run(capsys, "import", path, "--dry-run", "--store", store_root)
    assert "origin 'Jhappa' (1 row): closest Jhapa" in out
    assert "destination 'Qatarr' (1 row): closest Qatar" in out
    status, out, _ = run(
        capsys,
        "import",
        path,
        "--alias",
        "Jhappa=Jhapa",
        "--alias",
        "Qatarr=country:QAT",
        "--sensitivity",
        "restricted",
        "--store",
        store_root,
    )
    assert status == 0 and "every origin, destination and transit name was placed" in out
    # The names placed under another name are listed for the analyst to check.
    assert "Placed under another name (2;" in out
    assert "- origin 'Jhappa' (1 row): Jhapa" in out
    assert "- destination 'Qatarr' (1 row): Qatar" in out
    saved = FileStore(store_root).load_metadata("survey")
    assert saved.aliases == {"Jhappa": "district:Jhapa", "Qatarr": "country:QAT"}
    assert saved.sensitivity == "restricted"
    status, _, err = run(capsys, "import", path, "--alias", "Jhappa=Erewhon", "--store", store_root)
    assert status == 1 and "'Erewhon' is not a place in the gazetteer" in err


def test_a_geometry_file_with_a_given_crs_is_kept_with_its_geometry(capsys, store_root):
    status, out, _ = run(
        capsys,
        "import",
        BAD / "projected_without_crs.geojson",
        "--crs",
        "EPSG:32645",
        "--store",
        store_root,
    )
    assert status == 0, out
    records = FileStore(store_root).load_records("projected-without-crs")
    assert records.crs.to_epsg() == 4326
    assert records.geometry.x.between(80, 89).all()


def test_datasets_lists_the_store_and_the_trash(capsys, store_root):
    status, out, _ = run(capsys, "datasets", "--store", store_root)
    assert status == 0
    assert "1 dataset(s)" in out and "- existing v1: Existing [public] 1 records" in out
    assert run(capsys, "delete", "existing", "--store", store_root)[0] == 0
    assert "holds no datasets" in run(capsys, "datasets", "--store", store_root)[1]
    assert "- existing v1" in run(capsys, "datasets", "--trash", "--store", store_root)[1]
    assert run(capsys, "restore", "existing", "--store", store_root)[0] == 0
    assert "- existing v1" in run(capsys, "datasets", "--store", store_root)[1]
    status, _, err = run(capsys, "restore", "existing", "--store", store_root)
    assert status == 1 and "no dataset 'existing' in the trash" in err


def test_the_folder_the_app_was_given_is_read_as_its_datasets_folder(capsys, store_root):
    """The app keeps its datasets in ROUTES_STORE_DIR/datasets; the same folder given to --store
    listed "no datasets" (a helper's walkthrough)."""
    app_folder = store_root.parent / "app"
    shutil.copytree(store_root, app_folder / "datasets")
    status, out, _ = run(capsys, "datasets", "--store", app_folder)
    assert status == 0 and "- existing v1: Existing" in out
    assert str(app_folder / "datasets") in out
    # A datasets folder itself is read as before.
    assert "- existing v1" in run(capsys, "datasets", "--store", store_root)[1]
    # A new folder is the app's: what is imported there, the app started with it finds, and
    # the folder reads the same before and after the app made its datasets/ folder.
    fresh = store_root.parent / "fresh"
    status, out, _ = run(
        capsys, "import", GOOD / "routes.csv", "--title", "Fresh", "--store", fresh
    )
    assert status == 0 and str(fresh / "datasets") in out
    assert not (fresh / "catalogue.json").exists()
    assert "- fresh v1" in run(capsys, "datasets", "--store", fresh)[1]


def test_purge_deletes_a_dataset_in_the_trash_for_good(capsys, store_root):
    status, _, err = run(capsys, "purge", "existing", "--store", store_root)
    assert status == 1 and "move it there first" in err  # not in the trash
    assert run(capsys, "delete", "existing", "--store", store_root)[0] == 0
    status, out, _ = run(capsys, "purge", "existing", "--store", store_root)
    assert status == 0 and "Deleted existing for good" in out
    assert "existing" not in run(capsys, "datasets", "--trash", "--store", store_root)[1]
    assert not (Path(store_root) / ".trash" / "existing").exists()


def test_command_failures_exit_non_zero_with_a_message(capsys, store_root, monkeypatch):
    status, _, err = run(capsys, "import", "nowhere.csv", "--store", store_root)
    assert status == 1 and "nowhere.csv: there is no such file" in err
    status, _, err = run(
        capsys, "import", GOOD / "routes.csv", "--set", "colour=red", "--store", store_root
    )
    assert status == 1 and "'colour' is not a record field" in err
    # One origin for every record replaces the proposed origin column and its second one (a
    # code review: the second column stayed, and the import was refused).
    survey = Path(store_root).parent / "survey.csv"
    survey.write_text(
        "Home town,District,Country,Persons\n"
        + "Itahari,,Qatar,3\nButwal,,Qatar,2\nPokhara,,Qatar,1\n,Kaski,Qatar,2\n",
        encoding="utf-8",
    )
    status, out, err = run(
        capsys, "import", survey, "--set", "origin=Jhapa", "--dry-run", "--store", store_root
    )
    assert status == 0, err
    assert "Records: 4 records of 8 people." in out
    monkeypatch.setenv("ROUTES_MAX_UPLOAD_MB", "0.00001")
    status, _, err = run(capsys, "import", GOOD / "routes.csv", "--store", store_root)
    assert status == 1 and "the largest upload allowed is 1e-05 MB" in err
    with pytest.raises(SystemExit) as usage:
        cli.main(["import"])
    assert usage.value.code == 2


@pytest.mark.parametrize("name", sorted(p.name for p in GOOD.iterdir() if p.suffix != ".md"))
def test_every_good_file_imports(capsys, store_root, name):
    status, out, err = run(capsys, "import", GOOD / name, "--dry-run", "--store", store_root)
    assert status == 0, err
    assert "Records:" in out


def test_the_generator_writes_the_committed_files(tmp_path):
    spec = importlib.util.spec_from_file_location("make_bad_files", DATA / "make_bad_files.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    written = module.main(tmp_path)
    names = {path.relative_to(tmp_path).as_posix() for path in written}
    committed = {
        path.relative_to(DATA).as_posix()
        for folder in (BAD, GOOD)
        for path in folder.iterdir()
        if path.name != "README.md"
    }
    assert names == committed
    # Files written by GDAL, pyarrow or openpyxl carry those libraries' versions; the rest must
    # be byte-for-byte what is committed.
    library_written = (".gpkg", ".parquet", ".xlsx")
    for name in sorted(names):
        if name.endswith(library_written) or "shapefile" in name:
            continue
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name


def test_an_import_can_lock_restricted_data_and_its_next_version_stays_locked(
    capsys, store_root, monkeypatch
):
    from routes.store import phrase_opens

    phrases = iter(["juniper kettle harbour", "juniper kettle harbour"])
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt: next(phrases))
    good = GOOD / "routes.csv"
    common = ("--store", store_root, "--sensitivity", "restricted", "--title", "Shelter")
    status, out, err = run(capsys, "import", good, *common, "--lock")
    assert status == 0, err
    saved = FileStore(store_root).load_metadata("shelter")
    assert phrase_opens(saved.access_key, "juniper kettle harbour")
    assert "[restricted, locked]" in run(capsys, "datasets", "--store", store_root)[1]
    assert run(capsys, "import", good, *common, "--dataset", "shelter")[0] == 0
    assert FileStore(store_root).load_metadata("shelter").access_key == saved.access_key
    before = snapshot(store_root)
    phrases = iter(["juniper kettle harbour", "another phrase here"])
    status, _, err = run(capsys, "import", good, *common[:-2], "--title", "Other", "--lock")
    assert status == 1 and "The two access phrases differ" in err and "Nothing was saved" in err
    phrases = iter(["juniper kettle harbour"] * 2)
    status, _, err = run(capsys, "import", good, "--store", store_root, "--lock")
    assert status == 1 and "An access phrase locks restricted data" in err
    # Nor can a next version lock a dataset that was saved open (its owner's).
    phrases = iter(["juniper kettle harbour"] * 2)
    status, _, err = run(capsys, "import", good, "--store", store_root, "--dataset", "existing",
                         "--lock")  # fmt: skip
    assert status == 1 and "locked when it is first saved" in err
    assert snapshot(store_root) == before


def test_a_next_version_keeps_what_is_not_given_and_stays_restricted_unless_made_public(
    capsys, store_root
):
    """`import --dataset` saved a restricted dataset's next version as public, titled after the
    file, without a word."""
    good = GOOD / "routes.csv"
    first = ("--store", store_root, "--title", "Shelter", "--sensitivity", "restricted")
    assert run(capsys, "import", good, *first, "--organisation", "Shelter NGO")[0] == 0
    before = snapshot(store_root)
    status, _, err = run(capsys, "import", good, "--store", store_root, "--dataset", "shelter",
                         "--sensitivity", "public")  # fmt: skip
    assert status == 1 and "Add --make-public" in err
    assert snapshot(store_root) == before
    assert run(capsys, "import", good, "--store", store_root, "--dataset", "shelter")[0] == 0
    second = FileStore(store_root).load_metadata("shelter")
    assert (second.version, second.title, second.sensitivity, second.organisation) == (
        2, "Shelter", "restricted", "Shelter NGO"
    )  # fmt: skip
    status, _, _ = run(capsys, "import", good, "--store", store_root, "--dataset", "shelter",
                       "--sensitivity", "public", "--make-public")  # fmt: skip
    assert status == 0 and FileStore(store_root).load_metadata("shelter").sensitivity == "public"


def test_an_import_says_what_a_count_is_and_its_next_version_keeps_it(capsys, store_root):
    good = GOOD / "routes.csv"
    args = ("--store", store_root, "--title", "Hotline")
    assert run(capsys, "import", good, *args, "--unit", "Cases")[0] == 0
    assert FileStore(store_root).load_metadata("hotline").unit == "Cases"
    assert run(capsys, "import", good, *args, "--dataset", "hotline")[0] == 0
    assert FileStore(store_root).load_metadata("hotline").unit == "Cases"
    assert FileStore(store_root).load_metadata("existing").unit == "People"


def test_empty_counts_are_read_as_asked_and_checked_against_the_total_row(
    capsys, store_root, tmp_path
):
    survey = tmp_path / "union_survey.csv"
    survey.write_text(
        "District,Country,Workers,Date\n"
        "Jhapa,Qatar,4,2079-04-12\n"
        "Morang,Malaysia,-,2079-04-20\n"
        "Kaski,Kuwait,,2079-05-02\n"
        "Total,,4,\n",
        encoding="utf-8",
    )
    status, out, _ = run(capsys, "import", survey, "--dry-run", "--store", store_root)
    assert status == 0  # BS dates crashed the import with an OverflowError
    assert "2 rows have no count (an empty cell or a dash), read as one person each" in out
    assert "warning: union_survey.csv: the total row (row 5) says 4, but the other rows" in out
    assert "--empty-count none" in out
    status, out, _ = run(capsys, "import", survey, "--empty-count", "none", "--store", store_root)
    assert status == 0 and "the total row (row 5) says 4, as the other rows add up to" in out
    records = FileStore(store_root).load_records("union-survey")
    assert int(records[COUNT].sum()) == 4
    assert FileStore(store_root).load_metadata("union-survey").mapping["empty_count"] == 0


def test_records_dated_after_today_are_kept_and_said(capsys, store_root, tmp_path):
    """'Shrawan 2090' (2033 AD), a typo for 2080, was taken without a word (an NGO's
    walkthrough)."""
    import datetime as dt

    from routes.schema import PERIOD_LABEL, PERIOD_START, future_periods_note

    path = tmp_path / "typo_year.csv"
    path.write_text(
        # Shrawan 2100 (2043 AD), the last BS year the app reads: after today until then.
        "origin,destination,count,period\nJhapa,Qatar,3,Shrawan 2100\n"
        "Morang,Qatar,2,Shrawan 2080\nKaski,Kuwait,1,Shrawan 2100\n",
        encoding="utf-8",
    )
    status, out, err = run(capsys, "import", path, "--store", store_root)
    assert status == 0
    assert (
        "warning: typo_year.csv: 2 rows dated after today ('Shrawan 2100'). Check the year"
        in out + err
    )
    records = pd.DataFrame(
        {PERIOD_START: pd.to_datetime(["2022-07-17", "2033-07-16"]), PERIOD_LABEL: ["a", "b"]}
    )
    assert future_periods_note(records, "f.csv", dt.date(2026, 11, 28)).startswith(
        "f.csv: 1 row dated after today ('b')."
    )
    assert future_periods_note(records, "f.csv", dt.date(2040, 1, 1)) is None


def test_how_the_file_was_read_is_kept_with_the_dataset_and_said_with_its_source(
    capsys, store_root, tmp_path
):
    """A dash read as one person was said on upload, and nowhere after: the exports' figures
    rested on it without a word (a walkthrough)."""
    from routes.datasets import dataset_from_metadata

    path = tmp_path / "survey.csv"
    path.write_text(
        "origin,destination,transit,count\nJhapa,Qatar,Direct,-\nKaski,Qatar,Delhi,१२\n", "utf-8"
    )
    status, _, _ = run(capsys, "import", path, "--store", store_root)
    assert status == 0
    saved = FileStore(store_root).load_metadata("survey")
    caveats = dataset_from_metadata(saved).caveats
    assert (
        "Read from survey.csv: 1 row had no count (an empty cell or a dash), read as one "
        "person each." in caveats
    )
    assert any("Devanagari digits" in caveat for caveat in caveats)
    assert any("'Direct' (1 row) say there was no stop" in caveat for caveat in caveats)
    # Restricted data: fixed sentences, with nothing of the file's rows, cells or numbers (a
    # note line below the table, a total row, a date read as BS were quoted: a code review).
    path.write_text(
        "origin,destination,transit,count,period\nJhapa,Qatar,Direct,-,2080-04-01\n"
        "Kaski,Qatar,Delhi,१२,2080-04-02\nTotal,,,13,\n\nNote: 6 survivors; 1 from Humla\n",
        "utf-8",
    )
    status, _, _ = run(
        capsys, "import", path, "--store", store_root, "--title", "Cases",
        "--sensitivity", "restricted",
    )  # fmt: skip
    assert status == 0
    public = dataset_from_metadata(FileStore(store_root).load_metadata("survey")).caveats
    restricted = dataset_from_metadata(FileStore(store_root).load_metadata("cases")).caveats
    assert (
        "Read from survey.csv: Some rows had no count (an empty cell or a dash): read as one "
        "person each." in restricted
    )
    assert (
        "Read from survey.csv: Rows that give totals were left out, so that no one is "
        "counted twice." in restricted
    )
    said = " ".join(restricted)
    assert not any(text in said for text in ("Humla", "survivors", "2080-04", "row 4", "1 row"))
    assert not any(character.isdigit() for character in said.replace("survey.csv", ""))
    # A note the file's own name began with is said with it once.
    assert not any("survey.csv: survey.csv" in caveat for caveat in public)
