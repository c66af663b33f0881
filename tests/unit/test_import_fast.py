"""A large plain CSV goes through the import as categories; the result must be the careful one's.

The fast reader hands the pipeline text as categories (each distinct text once); proposing the
mapping, validating, placing and saving work on the distinct texts. These tests import the same
files both ways (the careful reader is forced by raising ``FAST_READ_BYTES``) and compare what an
analyst sees: the mapping, every validation error, the place report, the command's output and
the records the store gives back.
"""

from __future__ import annotations

import contextlib
import io

import pandas as pd
import pytest

import routes.__main__ as cli
import routes.io as routes_io
from routes.gazetteer import load_gazetteer
from routes.io import read_table
from routes.mapping import format_place_report, prepare_import, propose_mapping
from routes.store import FileStore

ROWS = 20_000
ORIGINS = ("Jhapa", "Kaski", "  Kavre ", "Morang", "Kathmandu", "Sunsari")
DESTINATIONS = ("Qatar", "Malaysia", "UAE", "Saudi Arabia", "Kuwait", "Erewhon")
TRANSITS = ("", "New Delhi", "Kathmandu Tribhuvan International Airport > Dubai", "Narnia")
SEXES = ("male", "female", " F ", "M")
PERIODS = ("Baisakh 2080", "Magh 2079", "2079/80", "Shrawan 2080")


def _csv(spoiled: dict[int, tuple[int, str]] | None = None) -> bytes:
    """A plain table over the fast reader's threshold; ``spoiled``: row -> (column, text)."""
    header = ["District", "Country", "Via", "Persons", "Month", "Gender", "Sector", "Note"]
    lines = [",".join(header)]
    for i in range(ROWS):
        cells = [
            ORIGINS[i % 6],
            DESTINATIONS[(i // 7) % 6] if i % 97 else DESTINATIONS[5],
            TRANSITS[i % 4] if i % 89 else TRANSITS[3],
            f'"1,{i % 900 + 100}"' if i % 13 == 0 else str(i % 9 + 1),
            PERIODS[i % 4],
            SEXES[i % 4],
            "  " if i % 5 == 0 else ("domestic work" if i % 2 else "construction"),
            f"note {i % 40}",
        ]
        for column, text in (spoiled or {}).get(i, {}).items():
            cells[column] = text
        lines.append(",".join(cells))
    data = ("\n".join(lines) + "\n").encode("utf-8")
    assert len(data) > routes_io.FAST_READ_BYTES
    return data


SPOILED = {
    11: {3: "-1"},
    1_234: {3: "many"},
    5_000: {3: "2.5"},
    7_777: {4: "soon"},
    12_345: {5: "q"},
    15_001: {0: "  "},
    19_999: {1: ""},
}


def _both_ways(monkeypatch, data: bytes):
    """The import of the same bytes through the fast reader and through the careful one."""
    gazetteer = load_gazetteer()
    results = []
    for threshold in (routes_io.FAST_READ_BYTES, 10**12):
        monkeypatch.setattr(routes_io, "FAST_READ_BYTES", threshold)
        read = read_table(data, "big.csv")
        mapping = propose_mapping(read.frame, gazetteer)
        prepared = prepare_import(read.frame, mapping, gazetteer, file_name=read.file_name)
        results.append((read, mapping, prepared))
    return results


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype(
        {name: "string" for name in frame.columns if frame[name].dtype == "category"}
    )


def test_both_readers_give_the_same_mapping_errors_and_place_report(monkeypatch):
    (fast_read, fast_mapping, fast), (careful_read, careful_mapping, careful) = _both_ways(
        monkeypatch, _csv(SPOILED)
    )
    assert (fast_read.frame.dtypes == "category").any()  # the fast reader was taken
    assert not (careful_read.frame.dtypes == "category").any()
    assert fast_mapping == careful_mapping and fast_mapping.notes == careful_mapping.notes
    assert fast.validation.errors == careful.validation.errors
    assert len(fast.validation.errors) == len(SPOILED)
    assert fast.validation.rows_rejected == careful.validation.rows_rejected == len(SPOILED)
    pd.testing.assert_frame_equal(fast.place_report(), careful.place_report())
    assert set(fast.place_report()["name"]) == {"Erewhon", "Narnia"}
    assert format_place_report(fast.placed) == format_place_report(careful.placed)
    pd.testing.assert_frame_equal(_as_text(fast.records), careful.records)


def test_rows_dropped_for_errors_leave_no_name_behind_in_the_report(monkeypatch):
    # The only row with "Lemuria" has a bad count: the name must not be reported.
    data = _csv({0: {1: "Lemuria", 3: "many"}})
    (_, _, fast), (_, _, careful) = _both_ways(monkeypatch, data)
    assert fast.validation.rows_rejected == careful.validation.rows_rejected == 1
    assert "Lemuria" not in set(fast.place_report()["name"])
    pd.testing.assert_frame_equal(fast.place_report(), careful.place_report())
    pd.testing.assert_frame_equal(_as_text(fast.records), careful.records)


def _import(monkeypatch, path, store_dir, threshold: int) -> str:
    monkeypatch.setattr(routes_io, "FAST_READ_BYTES", threshold)
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        status = cli.main(["import", str(path), "--title", "Big", "--store", str(store_dir)])
    assert status == cli.EXIT_OK
    return "\n".join(line for line in output.getvalue().splitlines() if "Saved" not in line)


@pytest.mark.parametrize("with_aliases", [False, True])
def test_the_command_prints_and_stores_the_same_either_way(monkeypatch, tmp_path, with_aliases):
    path = tmp_path / "big.csv"
    path.write_bytes(_csv())
    if with_aliases:
        monkeypatch.setattr(cli, "_aliases", lambda values, gazetteer: {"Erewhon": "country:QAT"})
    fast_output = _import(monkeypatch, path, tmp_path / "fast", routes_io.FAST_READ_BYTES)
    careful_output = _import(monkeypatch, path, tmp_path / "careful", 10**12)
    assert fast_output == careful_output
    assert "Records: 20,000 records" in fast_output
    # A new --store folder is the app's: its datasets are in its datasets/ folder.
    fast = FileStore(tmp_path / "fast" / "datasets")
    careful = FileStore(tmp_path / "careful" / "datasets")
    loaded = fast.load_records("big")
    pd.testing.assert_frame_equal(loaded, careful.load_records("big"))
    assert str(loaded["origin_id"].dtype) == "string"
