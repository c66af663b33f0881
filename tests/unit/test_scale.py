"""Validation and placing at benchmark scale agree, row by row, with the per-value functions.

``validate_records`` and ``place_records`` work on the distinct values of each column and spread
the results to the rows by code. These tests take 200,000 generated records (bench/generate.py),
spoil a few cells on purpose, and check a sample of rows against values worked out one cell at a
time with ``parse_period``, ``resolve_place`` and ``split_transit``. Nothing here is timed.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from routes.gazetteer import (
    DESTINATION_ROLE,
    DISTRICT,
    ORIGIN_ROLE,
    PROVINCE,
    TRANSIT_ROLE,
    named_region_of,
    place_records,
    resolve_place,
    split_transit,
)
from routes.periods import parse_period
from routes.schema import (
    COUNT,
    DESTINATION,
    DESTINATION_ID,
    DESTINATION_REGION,
    FISCAL_YEAR,
    ORIGIN,
    ORIGIN_ID,
    ORIGIN_PROVINCE,
    PERIOD,
    PERIOD_END,
    PERIOD_LABEL,
    PERIOD_START,
    SEX,
    SEX_VALUES,
    TRANSIT,
    TRANSIT_IDS,
    validate_records,
)

ROWS = 200_000
SAMPLE = 400
GENERATE = Path(__file__).resolve().parents[2] / "bench" / "generate.py"

#: Cells spoiled on purpose: position -> column -> value, and the error each one must give.
BAD_CELLS: dict[int, tuple[str, str, str]] = {
    11: (COUNT, "-1", "a count cannot be negative."),
    1_234: (COUNT, "many", "not a number; write a whole number of people."),
    50_000: (COUNT, "2.5", "a count of people must be a whole number."),
    77_777: (PERIOD, "soon", "is not a period this app reads"),
    123_456: (SEX, "q", "not a sex this app knows"),
    150_001: (ORIGIN, "  ", "the cell is empty"),
    199_999: (DESTINATION, "", "the cell is empty"),
}
#: Cells that are odd but valid: position -> column -> value.
ODD_CELLS: dict[int, tuple[str, str | None]] = {
    5: (ORIGIN, "  Kavre "),
    6: (COUNT, "1,200"),
    7: (SEX, " F "),
    8: (DESTINATION, "Erewhon"),
    9: (TRANSIT, "New Delhi > Narnia"),
    10: (PERIOD, "2079/80"),
    12: (COUNT, ""),
    14: (COUNT, None),
    13: (COUNT, " 7 "),
}


@pytest.fixture(scope="module")
def generated() -> pd.DataFrame:
    spec = importlib.util.spec_from_file_location("bench_generate", GENERATE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate_table(ROWS).to_pandas()


@pytest.fixture(scope="module")
def spoiled(generated) -> pd.DataFrame:
    frame = generated.copy()
    frame[COUNT] = frame[COUNT].astype("string")  # as text, so that it can hold "many"
    for position, (column, value, _) in BAD_CELLS.items():
        frame.loc[position, column] = value
    for position, (column, value) in ODD_CELLS.items():
        frame.loc[position, column] = value
    return frame


@pytest.fixture(scope="module")
def validated(spoiled):
    return validate_records(spoiled)


@pytest.fixture(scope="module")
def placed(gazetteer, validated):
    return place_records(gazetteer, validated.records)


def _sample(frame: pd.DataFrame) -> list[int]:
    rng = np.random.default_rng(7)
    picked = set(rng.choice(len(frame), SAMPLE, replace=False).tolist()) | set(ODD_CELLS)
    return sorted(picked - set(BAD_CELLS))


def _kept_position(position: int) -> int:
    """Where a valid input row lands in the records: rows with problems are left out."""
    return position - sum(1 for bad in BAD_CELLS if bad < position)


def _arrived_parts(gazetteer, parts: list[str], destination: str | None) -> list[str]:
    """The transit places of a route without those at its end in its destination country,
    where it arrives (worked out here from the places' iso3 codes)."""
    parts = list(parts)
    places = gazetteer.places
    while (
        parts
        and destination
        and places.at[parts[-1], "kind"] == "hub"
        and f"country:{places.at[parts[-1], 'iso3']}" == destination
    ):
        parts.pop()
    return parts


def _text(value: object) -> str | None:
    if value is None or pd.isna(value):
        return None
    text = str(value).strip()
    return text or None


def test_clean_records_at_scale_are_all_valid_and_keep_every_person(gazetteer, generated):
    result = validate_records(generated)
    assert result.ok
    assert len(result.records) == ROWS
    assert result.records[COUNT].sum() == generated[COUNT].sum()
    placed = place_records(gazetteer, result.records)
    assert placed.unresolved_rows == 0
    assert placed.records[ORIGIN_ID].notna().all()
    assert placed.records[DESTINATION_ID].notna().all()
    with_transit = (generated[TRANSIT].str.len() > 0).to_numpy()
    with_ids = placed.records[TRANSIT_IDS].notna().to_numpy()
    assert not (with_ids & ~with_transit).any()
    # A route of transit places is left without any only when all of them are in its
    # destination country (it arrives there: see _arrived_parts).
    for position in (with_transit & ~with_ids).nonzero()[0][:200]:
        source = generated.iloc[position]
        parts = [resolve_place(gazetteer, p, TRANSIT_ROLE) for p in split_transit(source[TRANSIT])]
        destination = resolve_place(gazetteer, source[DESTINATION], DESTINATION_ROLE)
        assert _arrived_parts(gazetteer, parts, destination) == [], position


def test_errors_at_scale_name_each_spoiled_row_column_and_value(validated):
    found = {(error.row, error.column, error.value): error.message for error in validated.errors}
    expected = {
        (position + 2, column, _text(value) or ""): message
        for position, (column, value, message) in BAD_CELLS.items()
    }
    # Counts are reported as written; other cells as stripped.
    assert set(found) == set(expected)
    for key, message in expected.items():
        assert message in found[key]
    assert validated.rows_rejected == len(BAD_CELLS)
    assert len(validated.records) == ROWS - len(BAD_CELLS)
    rows = [error.row for error in validated.errors]
    assert rows == sorted(rows)


def test_records_at_scale_keep_the_canonical_dtypes(placed):
    records = placed.records
    assert records[COUNT].dtype == "int64"
    assert records[PERIOD_START].dtype == "datetime64[s]"
    assert records[PERIOD_END].dtype == "datetime64[s]"
    for column in (ORIGIN, DESTINATION, TRANSIT, PERIOD, SEX, FISCAL_YEAR, PERIOD_LABEL):
        assert records[column].dtype == pd.StringDtype(), column
    for column in (ORIGIN_ID, DESTINATION_ID, TRANSIT_IDS, ORIGIN_PROVINCE, DESTINATION_REGION):
        assert records[column].dtype == pd.StringDtype(), column


def test_sampled_rows_match_values_worked_out_one_cell_at_a_time(gazetteer, spoiled, placed):
    records = placed.records
    places = gazetteer.places
    for position in _sample(spoiled):
        source = spoiled.iloc[position]
        row = records.iloc[_kept_position(position)]
        where = f"input row {position}"

        count = _text(source[COUNT])
        assert row[COUNT] == (int(count.replace(",", "")) if count else 1), where
        assert row[SEX] == SEX_VALUES[_text(source[SEX]).lower()], where

        period = parse_period(_text(source[PERIOD]))
        assert row[PERIOD_START] == pd.Timestamp(period.start), where
        assert row[PERIOD_END] == pd.Timestamp(period.end), where
        assert row[PERIOD_LABEL] == period.label, where
        assert (row[FISCAL_YEAR] if pd.notna(row[FISCAL_YEAR]) else "") == period.fiscal_year

        origin = resolve_place(gazetteer, _text(source[ORIGIN]), ORIGIN_ROLE)
        assert row[ORIGIN_ID] == origin, where
        kind = places.at[origin, "kind"]
        province = {DISTRICT: places.at[origin, "province"], PROVINCE: places.at[origin, "name"]}
        assert row[ORIGIN_PROVINCE] == province.get(kind, pd.NA), where

        destination = resolve_place(gazetteer, _text(source[DESTINATION]), DESTINATION_ROLE)
        if destination is None:
            assert pd.isna(row[DESTINATION_ID]) and pd.isna(row[DESTINATION_REGION]), where
        else:
            assert row[DESTINATION_ID] == destination, where
            region = named_region_of(gazetteer, destination) or None
            assert (row[DESTINATION_REGION] if pd.notna(row[DESTINATION_REGION]) else None) == (
                region
            ), where

        parts = [
            resolve_place(gazetteer, part, TRANSIT_ROLE) for part in split_transit(source[TRANSIT])
        ]
        if None not in parts:
            # A place named twice at once is one stop (a border crossing's two sides).
            parts = [part for i, part in enumerate(parts) if not i or part != parts[i - 1]]
            parts = _arrived_parts(gazetteer, parts, destination)
        if parts and None not in parts:
            assert row[TRANSIT_IDS] == " > ".join(parts), where
        else:
            assert pd.isna(row[TRANSIT_IDS]), where


def test_place_report_at_scale_counts_the_rows_of_each_unknown_name(spoiled, placed):
    destination = placed.reports[DESTINATION_ROLE].unresolved.set_index("name")
    assert destination.loc["Erewhon", "rows"] == 1
    transit = placed.reports[TRANSIT_ROLE].unresolved.set_index("name")
    assert transit.loc["Narnia", "rows"] == 1
    assert placed.unresolved_rows == 2
    # One id per transit part of every kept record, labelled by the record's row.
    kept = placed.records[TRANSIT].dropna()
    parts = kept.str.count(">") + 1
    ids = placed.reports[TRANSIT_ROLE].ids
    assert len(ids) == parts.sum()
    assert ids.index.value_counts().sort_index().tolist() == parts.sort_index().tolist()
