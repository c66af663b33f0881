"""Large plain tables take Arrow's reader; it must read exactly what the careful reader reads."""

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


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_fast_and_careful_readers_agree(monkeypatch, delimiter):
    data = _table_bytes(40_000, delimiter)
    assert len(data) > routes_io.FAST_READ_BYTES
    fast = read_table(data, "big.csv")
    monkeypatch.setattr(routes_io, "FAST_READ_BYTES", 10**12)
    careful = read_table(data, "big.csv")
    pd.testing.assert_frame_equal(fast.frame, careful.frame, check_index_type=False)
    assert fast.notes == careful.notes
    assert fast.delimiter == careful.delimiter == delimiter
    assert list(fast.frame.index[:2]) == [2, 3]


def test_a_large_table_with_a_line_break_in_a_cell_takes_the_careful_reader():
    data = _table_bytes(40_000) + b'Jhapa,Qatar,"Kakarbhitta\nNew Delhi",4,Magh 2079,x\n'
    result = read_table(data, "big.csv")
    assert result.frame.index[-1] == 40_002  # the careful reader numbers the row by its line
    assert "\n" in result.frame["Via"].iloc[-1]
