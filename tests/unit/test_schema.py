import numpy as np
import pandas as pd
import pytest

from routes.schema import (
    COUNT,
    FISCAL_YEAR,
    PERIOD_START,
    RECORD_COLUMNS,
    SEX,
    validate_records,
)


def _frame(**columns):
    return pd.DataFrame(columns)


def test_valid_records_get_defaults_and_derived_periods():
    result = validate_records(
        _frame(
            origin=[" Jhapa ", "Kavre"],
            destination=["Qatar", "UAE"],
            count=["3", None],
            period=["2079/80", "Baisakh 2080"],
            sex=["F", "Male"],
            interviewer=["a", "b"],
        )
    )
    assert result.ok
    records = result.records
    assert records["origin"].tolist() == ["Jhapa", "Kavre"]
    assert records[COUNT].tolist() == [3, 1]
    assert records[SEX].tolist() == ["female", "male"]
    assert records[FISCAL_YEAR].tolist() == ["2079/80", "2079/80"]
    assert str(records[PERIOD_START].iloc[1].date()) == "2023-04-14"
    # Columns the schema does not know are kept as extra attributes.
    assert records["interviewer"].tolist() == ["a", "b"]
    assert list(records.columns[: len(RECORD_COLUMNS)]) == list(RECORD_COLUMNS)


def test_errors_name_row_column_and_value():
    result = validate_records(
        _frame(
            origin=["Jhapa", "", "Morang"],
            destination=["Qatar", "Kuwait", None],
            count=["2", "-1", "many"],
            period=["2079/80", "2079/80", "Magh 2079"],
        )
    )
    assert not result.ok
    assert result.rows_read == 3
    assert result.rows_rejected == 2
    assert len(result.records) == 1
    messages = [str(error) for error in result.errors]
    assert "row 3, column 'origin': the cell is empty" in messages[0]
    assert any(
        "row 3, column 'count' (value '-1'): a count cannot be negative" in m for m in messages
    )
    assert any("row 4, column 'destination'" in m and "Unknown" in m for m in messages)
    assert any("row 4, column 'count' (value 'many'): not a number" in m for m in messages)
    summary = result.summary("cases.csv")
    assert summary.startswith("cases.csv: 2 of 3 rows have problems")


def test_missing_required_column_is_reported_by_name():
    result = validate_records(_frame(origin=["Jhapa"], count=[1]))
    assert not result.ok
    assert result.errors[0].column == "destination"
    assert "the column is missing" in str(result.errors[0])
    assert result.records.empty


def test_bad_period_and_sex_are_reported_with_the_forms_understood():
    result = validate_records(
        _frame(origin=["Jhapa"], destination=["Qatar"], period=["soon"], sex=["q"])
    )
    messages = " | ".join(str(error) for error in result.errors)
    assert "column 'period' (value 'soon')" in messages
    assert "Baisakh 2080" in messages
    assert "column 'sex' (value 'q')" in messages


def test_fractional_counts_are_rejected_and_thousands_separators_read():
    result = validate_records(
        _frame(origin=["Jhapa", "Jhapa"], destination=["Qatar", "Qatar"], count=["1,200", "2.5"])
    )
    assert result.records[COUNT].tolist() == [1200]
    assert "whole number" in str(result.errors[0])


def test_validation_does_not_change_its_input():
    frame = _frame(origin=[" Jhapa "], destination=["Qatar"], count=["4"])
    before = frame.copy()
    validate_records(frame)
    pd.testing.assert_frame_equal(frame, before)


def test_distinct_values_of_categories_are_those_used_in_order_of_first_appearance():
    from routes.schema import distinct_values

    column = pd.Series(
        pd.Categorical(["a", None, "b", "a"], categories=["b", "unused", "a"]), dtype="category"
    )
    distinct = distinct_values(column)
    assert distinct.uniques.tolist() == ["a", "b"]
    assert distinct.codes.tolist() == [0, -1, 1, 0]
    assert distinct.counts.tolist() == [2, 1]


@pytest.mark.parametrize("categories", [126, 127, 128, 32_766, 32_767])
def test_distinct_values_of_categories_at_the_top_of_their_code_width(categories):
    """The codes keep pandas' width (int8 to 127 categories, then int16): counts, row lookups and
    validation must not wrap around at the top of it."""
    from routes.schema import distinct_values, validate_records

    names = [f"place {number}" for number in range(categories)]
    values = [*names, names[-1], None, names[-1]]
    column = pd.Series(pd.Categorical(values, categories=names))
    distinct = distinct_values(column)
    assert distinct.uniques.tolist() == names
    assert distinct.counts[-1] == 3 and distinct.counts[:-1].tolist() == [1] * (categories - 1)
    last = np.zeros(categories, dtype=bool)
    last[-1] = True
    assert distinct.rows_where(last).tolist() == [categories - 1, categories, categories + 2]
    frame = pd.DataFrame({"origin": column.fillna(names[0]), "destination": column})
    result = validate_records(frame)
    assert result.records["destination"].iloc[-1] == names[-1]
    assert [error.row for error in result.errors] == [categories + 3]  # the empty destination


@pytest.mark.parametrize(
    "values",
    [["a", "b", "a", None, "c"], [None, None, "a"], ["b", "a"], ["a", "c"], [None], []],
)
def test_distinct_values_of_categories_agree_with_those_of_text(values):
    from routes.schema import distinct_values

    text = pd.Series(values, dtype="string")
    for categories in (["a", "b", "c"], ["c", "b", "a"]):
        used = [c for c in categories if c in values]
        for kept in (categories, used):
            column = pd.Series(pd.Categorical(values, categories=kept))
            as_categories, as_text = distinct_values(column), distinct_values(text)
            assert as_categories.uniques.tolist() == as_text.uniques.tolist()
            assert as_categories.codes.tolist() == as_text.codes.tolist()


def _whole_column_order(codes, categories):
    """The check on every row at once, as it was before it looked at blocks."""
    if not len(codes):
        return categories == 0
    highest = np.maximum.accumulate(codes.astype(np.int64))
    return bool(
        highest[0] <= 0
        and highest[-1] == categories - 1
        and (highest[1:] <= highest[:-1] + 1).all()
    )


@pytest.mark.parametrize("rows", [1, 4095, 4096, 4097, 20_481, 100_000])
def test_first_appearance_order_agrees_with_the_whole_column_check(rows):
    from routes.schema import _in_first_appearance_order

    zeros = np.zeros(rows - 1, np.int8)
    cases = [
        np.append(zeros, 1),  # a category first used in the last row, past every block boundary
        np.append(zeros, 2),  # ... skipping one
        np.append(np.full(rows - 1, -1, np.int8), 0),  # empty cells until the last row
        np.sort(np.random.default_rng(rows).integers(-1, 4, rows)).astype(np.int8),
        np.repeat(np.arange(127, dtype=np.int8), -(-rows // 127))[:rows],  # int8 at its top
    ]
    for codes in cases:
        # A categorical's codes are below its number of categories.
        for categories in range(int(codes.max()) + 1, int(codes.max()) + 3):
            expected = _whole_column_order(codes, categories)
            assert _in_first_appearance_order(codes, categories) is expected, (codes, categories)


def test_sex_and_periods_written_in_nepali_are_read():
    """पुरुष/महिला and Nepali month names were refused row by row (2,269 of 4,063 rows)."""
    result = validate_records(
        _frame(
            origin=["Jhapa", "Kaski", "Morang"],
            destination=["Qatar", "Qatar", "Kuwait"],
            sex=["पुरुष", "महिला", "अन्य"],
            period=["साउन २०७९", "2079-05-12", "भदौ 2079"],
        )
    )
    assert result.ok, result.errors
    assert result.records[SEX].tolist() == ["male", "female", "other"]
    assert result.records["period_label"].tolist() == ["Shrawan 2079", "2022-08-28", "Bhadra 2079"]
    # In Latin letters too, as case sheets write them ("Mahila" was refused).
    latin = validate_records(
        _frame(origin=["Jhapa"] * 3, destination=["Qatar"] * 3, sex=["Mahila", "Purush", "Anya"])
    )
    assert latin.ok, latin.errors
    assert latin.records[SEX].tolist() == ["female", "male", "other"]


def test_a_period_column_written_day_first_reads_every_date_so():
    result = validate_records(
        _frame(
            origin=["Jhapa", "Kaski"],
            destination=["Qatar", "Qatar"],
            period=["03/04/2022", "28/08/2022"],
        )
    )
    assert result.ok, result.errors
    assert [str(day.date()) for day in result.records[PERIOD_START]] == [
        "2022-04-03",
        "2022-08-28",
    ]
    alone = validate_records(_frame(origin=["Jhapa"], destination=["Qatar"], period=["03/04/2022"]))
    assert "write the dates year first" in alone.errors[0].message


def test_empty_counts_count_one_person_each_or_no_one_as_chosen_and_are_counted():
    frame = _frame(origin=["Jhapa"] * 3, destination=["Qatar"] * 3, count=["4", None, " "])
    assert validate_records(frame).records[COUNT].tolist() == [4, 1, 1]
    none = validate_records(frame, empty_count=0)
    assert none.records[COUNT].tolist() == [4, 0, 0]
    assert none.empty_counts == 2
    assert validate_records(frame.drop(columns="count")).empty_counts == 0
    # Only the rows taken in: one with no count and no destination is left out, and is not
    # among the empty counts the dataset's note gives (it said 2 of a dataset holding 1).
    dropped = _frame(origin=["Jhapa"] * 3, destination=["Qatar", "", "Qatar"], count=frame["count"])
    result = validate_records(dropped)
    assert result.rows_rejected == 1 and result.empty_counts == 1


def test_a_comma_that_does_not_group_thousands_is_not_dropped_from_a_count():
    """'1,2' beside a cell reading 'two' was saved as 12 people, without a word (a helper's
    walkthrough); 1,200 and Nepal's 1,00,000 stay thousands."""
    frame = pd.DataFrame(
        {
            "origin": ["Jhapa"] * 5,
            "destination": ["Qatar"] * 5,
            "count": ["1,2", "1,200", "1,00,000", "two", "12,34,567"],
        }
    )
    result = validate_records(frame)
    by_value = {error.value: error.message for error in result.errors}
    assert "does not separate thousands" in by_value["1,2"]
    assert "not a number" in by_value["two"]
    assert set(by_value) == {"1,2", "two"}
    kept = result.records["count"].tolist()
    assert 1_200 in kept and 100_000 in kept and 1_234_567 in kept and 12 not in kept


def test_the_same_problem_in_many_rows_is_said_once_with_its_rows():
    """Thirty identical lines, one per row of a sex written in French, hid the other problems."""
    frame = pd.DataFrame(
        {
            "origin": ["Jhapa"] * 9,
            "destination": ["Qatar"] * 8 + [""],
            "sex": ["Homme?"] * 8 + ["female"],
        }
    )
    result = validate_records(frame)
    summary = result.summary("cases.csv")
    lines = [line for line in summary.splitlines() if line.startswith("- ")]
    assert lines[0] == (
        "- rows 2, 3, 4, 5, 6 and 3 more, column 'sex' (value 'Homme?'): "
        + next(e.message for e in result.errors if e.column == "sex")
    )
    assert lines[1].startswith("- row 10, column 'destination'")
    assert len(lines) == 2


def test_transit_cells_saying_there_was_no_stop_are_no_transit_and_direct_names_its_place():
    """A survey's "Direct", "None" and "-" were names to place (closest: Indonesia), their rows
    out of the corridors; "Direct (TIA)" names the airport."""
    frame = pd.DataFrame(
        {
            "origin": ["Jhapa"] * 6,
            "destination": ["Qatar"] * 6,
            "transit": ["Direct (TIA)", "Direct", " none ", "-", "Delhi", "direct via Kolkata"],
            "count": [1, 2, 3, 4, 5, 6],
        }
    )
    result = validate_records(frame)
    assert result.records["transit"].tolist() == ["TIA", pd.NA, pd.NA, pd.NA, "Delhi", "Kolkata"]
    none_note, moved_note = result.notes
    assert none_note.startswith("Transit: 'Direct', 'none' and '-' (3 rows) say there was no stop")
    assert "'Direct (TIA)' as 'TIA' and 'direct via Kolkata' as 'Kolkata' (2 rows)" in moved_note
    # A file without such cells is read as it is, with no note.
    plain = validate_records(frame.assign(transit=["Delhi"] * 6))
    assert plain.notes == () and plain.records["transit"].eq("Delhi").all()
