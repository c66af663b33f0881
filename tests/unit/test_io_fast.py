"""Large plain tables take Arrow's reader; it must read exactly what the careful reader reads."""

import codecs

import pandas as pd
import pytest

import routes.io as routes_io
from routes.io import read_table


def _table_bytes(rows: int, delimiter: str = ",") -> bytes:
    lines = [delimiter.join(["District", "Country", "Via", "Persons", "Month", "Note"])]
    for i in range(rows):
        via = "" if i % 3 else '"Kakarbhitta > New Delhi"'
        persons = f'"1,{i % 1000:03d}"' if delimiter == "," and i % 7 == 0 else str(i % 9)
        note = '"<script>alert(1)</script>"' if i % 11 == 0 else "  "
        lines.append(delimiter.join(["Jhapa", "Qatar", via, persons, "Magh 2079", note]))
    return ("\n".join(lines) + "\n").encode("utf-8")


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """The fast reader's categoricals as the careful reader's text columns."""
    return frame.astype(
        {name: "string" for name in frame.columns if frame[name].dtype == "category"}
    )


def _careful(monkeypatch, source, file_name: str = "big.csv"):
    with monkeypatch.context() as patched:
        patched.setattr(routes_io, "FAST_READ_BYTES", 10**12)
        return read_table(source, file_name)


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_fast_and_careful_readers_agree(monkeypatch, delimiter):
    data = _table_bytes(40_000, delimiter)
    assert len(data) > routes_io.FAST_READ_BYTES
    fast = read_table(data, "big.csv")
    careful = _careful(monkeypatch, data)
    pd.testing.assert_frame_equal(_as_text(fast.frame), careful.frame, check_index_type=False)
    assert fast.notes == careful.notes
    assert fast.delimiter == careful.delimiter == delimiter
    assert fast.encoding == careful.encoding
    assert list(fast.frame.index[:2]) == [2, 3]


def test_blocks_with_their_own_texts_read_as_the_careful_reader_reads_them(monkeypatch):
    """Arrow reads a large file in blocks, each with a dictionary of its own texts; the
    reader makes them one. In small blocks, texts first met in a later block, a blank seen
    in one block only and 200 distinct names (past the smallest codes) read as the careful
    reader reads them."""
    lines = ["District,Country,Note,Persons"]
    for i in range(50_000):
        late = i > 40_000
        note = "  " if late and i % 5 == 0 else ("" if i % 3 else f"note {i % 4}")
        country = f"Country {i % 200}" if late else "Qatar"
        lines.append(f"District {i % 7},{country},{note},{i % 9}")
    data = ("\n".join(lines) + "\n").encode("utf-8")
    assert len(data) > routes_io.FAST_READ_BYTES
    with monkeypatch.context() as patched:
        patched.setattr(routes_io, "_ARROW_BLOCK_BYTES", 64 * 1024)
        fast = read_table(data, "big.csv")
    careful = _careful(monkeypatch, data)
    assert fast.frame["Country"].dtype == "category"
    pd.testing.assert_frame_equal(_as_text(fast.frame), careful.frame, check_index_type=False)
    assert list(fast.frame["Country"].cat.categories[:2]) == ["Qatar", "Country 1"]
    assert fast.frame["Country"].nunique() == 201


def test_the_fast_reader_keeps_each_distinct_text_once(tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(_table_bytes(40_000))
    frame = read_table(path, path.name).frame
    assert frame["District"].dtype == "category"
    assert list(frame["Via"].cat.categories) == ["Kakarbhitta > New Delhi"]
    # Blank cells are empty, not a category of their own; the text of the others is kept.
    assert frame["Note"].isna().sum() == 40_000 - len(range(0, 40_000, 11))
    assert str(frame["Persons"].dtype) == "Int64"


def test_a_file_on_disk_and_its_bytes_read_alike(tmp_path):
    data = _table_bytes(40_000)
    path = tmp_path / "big.csv"
    path.write_bytes(data)
    from_disk, from_bytes = read_table(path, path.name), read_table(data, path.name)
    pd.testing.assert_frame_equal(from_disk.frame, from_bytes.frame)
    assert from_disk.notes == from_bytes.notes


def test_a_byte_order_mark_is_named_by_both_readers(monkeypatch):
    data = codecs.BOM_UTF8 + _table_bytes(40_000)
    fast, careful = read_table(data, "big.csv"), _careful(monkeypatch, data)
    assert fast.encoding == careful.encoding == "UTF-8 (with byte-order mark)"
    assert list(fast.frame.columns) == list(careful.frame.columns)


@pytest.mark.parametrize(
    "change",
    [
        # A row of empty cells is skipped by the careful reader, with a note.
        lambda data: data.replace(b"\nJhapa", b"\n,,,,,\nJhapa", 1),
        # A blank line likewise.
        lambda data: data.replace(b"\nJhapa", b"\n\nJhapa", 1),
        # A header cell without a name at the end, and no data under it.
        lambda data: data.replace(b"Note\n", b"Note,\n", 1),
        # A short row is filled with empty cells.
        lambda data: data.replace(b"Magh 2079,  \n", b"Magh 2079\n", 1),
        # Windows-1252 text.
        lambda data: data.replace(b"Qatar", "Qatar é".encode("cp1252"), 1),
        # Windows-1252 only on the last row, far beyond the start the fast reader checks.
        lambda data: data[:-60] + data[-60:].replace(b"Qatar", "Qatar é".encode("cp1252")),
    ],
    ids=["empty-cells-row", "blank-line", "unnamed-column", "short-row", "cp1252", "cp1252-late"],
)
def test_tables_that_are_not_plain_read_as_the_careful_reader_reads_them(monkeypatch, change):
    data = change(_table_bytes(40_000))
    fast, careful = read_table(data, "big.csv"), _careful(monkeypatch, data)
    pd.testing.assert_frame_equal(fast.frame, careful.frame)
    assert fast.notes == careful.notes


def test_a_large_table_with_a_line_break_in_a_cell_takes_the_careful_reader():
    data = _table_bytes(40_000) + b'Jhapa,Qatar,"Kakarbhitta\nNew Delhi",4,Magh 2079,x\n'
    result = read_table(data, "big.csv")
    assert result.frame.index[-1] == 40_002  # the careful reader numbers the row by its line
    assert "\n" in result.frame["Via"].iloc[-1]


@pytest.mark.parametrize(
    "ending",
    [b"\n", b"\n\n\n", b"\r\n\r\n", b",,,,,\n,,,,,\n", b",,,,,\n\n"],
    ids=["blank-line", "blank-lines", "crlf-blank-lines", "empty-cell-rows", "both"],
)
def test_a_large_table_that_ends_in_blank_lines_keeps_the_fast_reader(
    monkeypatch, tmp_path, ending
):
    data = _table_bytes(40_000) + ending
    path = tmp_path / "big.csv"
    path.write_bytes(data)
    careful = _careful(monkeypatch, data)
    for source in (data, path):
        fast = read_table(source, "big.csv")
        # Arrow read it (categoricals), and it holds what the careful reader holds.
        assert fast.frame["District"].dtype == "category"
        pd.testing.assert_frame_equal(_as_text(fast.frame), careful.frame, check_index_type=False)
        assert fast.notes == careful.notes


def test_counts_with_dashes_and_blank_cells_read_as_the_careful_reader_reads_them(monkeypatch):
    """Whole numbers are spread to the rows by their codes; a dash and a blank cell are empty
    counts, the others keep their values, as the careful reader reads them."""
    lines = ["District,Country,Persons"]
    for i in range(80_000):
        persons = ("-", "", '"1,200"', str(i % 13), " 7 ")[i % 5]
        lines.append(f"Jhapa,Qatar,{persons}")
    data = ("\n".join(lines) + "\n").encode("utf-8")
    assert len(data) > routes_io.FAST_READ_BYTES
    fast = read_table(data, "big.csv")
    careful = _careful(monkeypatch, data)
    pd.testing.assert_frame_equal(_as_text(fast.frame), careful.frame, check_index_type=False)
    assert str(fast.frame["Persons"].dtype) == "Int64"
    assert fast.frame["Persons"].head(5).tolist() == [pd.NA, pd.NA, 1200, 3, 7]
    assert fast.notes == careful.notes
