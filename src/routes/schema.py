"""The route record: its columns, and validation whose errors name row, column and value.

One route record is a number of people (default 1) who travelled one route: an origin, a
destination, optional ordered transit places, a period and categorical attributes.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from routes.periods import (
    DEVANAGARI_DIGITS,
    PeriodError,
    day_first_of,
    parse_period,
    reading_notes,
)

# Columns an analyst supplies.
ORIGIN = "origin"
DESTINATION = "destination"
DESTINATION_CITY = "destination_city"
TRANSIT = "transit"
COUNT = "count"
PERIOD = "period"
SEX = "sex"
CHANNEL = "channel"
SECTOR = "sector"
EXPLOITATION = "exploitation"
SOURCE = "source"

# Columns the app derives.
PERIOD_START = "period_start"
PERIOD_END = "period_end"
FISCAL_YEAR = "fiscal_year"
PERIOD_LABEL = "period_label"
DATASET = "dataset"
ORIGIN_ID = "origin_id"
DESTINATION_ID = "destination_id"
TRANSIT_IDS = "transit_ids"
ORIGIN_PROVINCE = "origin_province"
DESTINATION_REGION = "destination_region"

REQUIRED_COLUMNS: tuple[str, ...] = (ORIGIN, DESTINATION)
CATEGORY_COLUMNS: tuple[str, ...] = (SEX, CHANNEL, SECTOR, EXPLOITATION, SOURCE)
OPTIONAL_COLUMNS: tuple[str, ...] = (DESTINATION_CITY, TRANSIT, COUNT, PERIOD, *CATEGORY_COLUMNS)
RECORD_COLUMNS: tuple[str, ...] = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
PERIOD_COLUMNS: tuple[str, ...] = (PERIOD_START, PERIOD_END, FISCAL_YEAR, PERIOD_LABEL)

#: Separator of transit places in one cell: ``Kathmandu > New Delhi > Dubai``.
TRANSIT_SEPARATOR = ">"
#: The destination of records whose destination the source does not give.
UNKNOWN_DESTINATION = "Unknown"
#: The channel of DoFE's permits for workers going back to a job they held abroad.
REENTRY_CHANNEL = "Re-entry"

SEX_VALUES: dict[str, str] = {
    "male": "male",
    "m": "male",
    "man": "male",
    "men": "male",
    "female": "female",
    "f": "female",
    "woman": "female",
    "women": "female",
    "other": "other",
    "third gender": "other",
    "unknown": "unknown",
    "not recorded": "unknown",
    # In Nepali, as survey forms write them.
    "पुरुष": "male",
    "महिला": "female",
    "अन्य": "other",
    # ... and in Latin letters, as case sheets write them.
    "purush": "male",
    "purus": "male",
    "mahila": "female",
    "mahilā": "female",
    "anya": "other",
    # In the other languages the app reads headers in.
    "homme": "male",
    "femme": "female",
    "hombre": "male",
    "mujer": "female",
}

#: At most this many problems are listed; the count of all of them is always given.
MAX_LISTED_ERRORS = 50
#: From this many rows, text columns are stripped in parallel threads.
_PARALLEL_ROWS = 100_000


@dataclass(frozen=True)
class RecordError:
    """One problem in one cell (or one missing column, when ``row`` is None)."""

    row: int | None
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}, column '{self.column}'" if self.row else f"column '{self.column}'"
        shown = f" (value '{self.value}')" if self.value else ""
        return f"{where}{shown}: {self.message}"


@dataclass(frozen=True)
class ValidationResult:
    """Valid records and the problems found; rows with a problem are not in ``records``.

    ``rows_rejected`` counts rows left out, so nothing leaves silently.
    """

    records: pd.DataFrame
    errors: tuple[RecordError, ...]
    rows_read: int
    rows_rejected: int
    #: Rows whose count cell was empty (or only a dash): each counts ``empty_count``.
    empty_counts: int = 0
    #: How the periods were read where the reading was the app's choice (see
    #: :func:`routes.periods.reading_notes`).
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self, file_name: str) -> str:
        if self.ok:
            return f"{file_name}: {self.rows_read} rows read, all valid."
        groups = grouped_errors(self.errors)
        listed = "\n".join(f"- {line}" for line in groups[:MAX_LISTED_ERRORS])
        more = len(groups) - MAX_LISTED_ERRORS
        tail = f"\n- ... and {more} more problems" if more > 0 else ""
        return (
            f"{file_name}: {self.rows_rejected} of {self.rows_read} rows have problems "
            f"and were not taken in. Fix them in the file and upload it again:\n{listed}{tail}"
        )


#: Rows named in one line of a grouped problem before "and N more".
_ROWS_NAMED = 5


def grouped_errors(errors: tuple[RecordError, ...] | list[RecordError]) -> list[str]:
    """The problems as lines, the same problem in the same column with the same value said once
    for all its rows ("rows 3, 5, 7, 9, 11 and 25 more, column 'sex' (value 'Homme'): ..."):
    thirty identical lines, one per row, hid the other problems."""
    groups: dict[tuple[str, str, str], list[RecordError]] = {}
    for error in errors:
        groups.setdefault((error.column, error.value, error.message), []).append(error)
    lines = []
    for (column, value, message), members in groups.items():
        rows = [error.row for error in members if error.row]
        if len(rows) <= 1:
            lines.extend(str(error) for error in members)
            continue
        named = ", ".join(str(row) for row in rows[:_ROWS_NAMED])
        more = f" and {len(rows) - _ROWS_NAMED} more" if len(rows) > _ROWS_NAMED else ""
        shown = f" (value '{value}')" if value else ""
        lines.append(f"rows {named}{more}, column '{column}'{shown}: {message}")
    return lines


def empty_records() -> pd.DataFrame:
    """A record frame with no rows and every column."""
    frame = pd.DataFrame({column: pd.Series(dtype="string") for column in RECORD_COLUMNS})
    frame[COUNT] = frame[COUNT].astype("int64")
    return frame.assign(
        **{
            PERIOD_START: pd.Series(dtype="datetime64[s]"),
            PERIOD_END: pd.Series(dtype="datetime64[s]"),
            FISCAL_YEAR: pd.Series(dtype="string"),
            PERIOD_LABEL: pd.Series(dtype="string"),
        }
    )


def validate_records(
    frame: pd.DataFrame, first_row_number: int = 2, empty_count: int = 1
) -> ValidationResult:
    """Check a table of route records and return them in the canonical shape.

    Parameters
    ----------
    frame
        One row per record, columns named as in :data:`RECORD_COLUMNS`; other columns are kept
        as extra attributes.
    first_row_number
        The row number the first data row has for the analyst; 2 for a file with a header row,
        as a spreadsheet counts.

    Returns
    -------
    ValidationResult
        The valid rows with text columns stripped, ``count`` as int64 (1 where empty), sex
        normalised, and the period columns derived; and one :class:`RecordError` per problem.
    """
    missing = [column for column in REQUIRED_COLUMNS if column not in frame.columns]
    if missing:
        errors = tuple(
            RecordError(None, column, "", f"the column is missing; name a column '{column}'.")
            for column in missing
        )
        return ValidationResult(empty_records(), errors, len(frame), len(frame))

    records, distinct = _strip_text(frame)
    records[TRANSIT], distinct[TRANSIT], transit_notes = _read_no_transit(
        records[TRANSIT], distinct[TRANSIT]
    )
    row_numbers = pd.RangeIndex(first_row_number, first_row_number + len(records))
    records.index = row_numbers
    errors: list[RecordError] = []
    errors += _check_required(records)
    counts, count_errors, empty_rows = _check_counts(
        records, given=COUNT in frame.columns, empty_count=empty_count
    )
    errors += count_errors
    records[COUNT] = counts
    sexes, sex_errors = _check_sex(records, distinct[SEX])
    errors += sex_errors
    records[SEX] = sexes
    period_frame, period_errors = _derive_periods(records, distinct[PERIOD])
    errors += period_errors
    records = pd.concat([records, period_frame], axis=1)

    bad_rows = {error.row for error in errors}
    good = ~records.index.isin(bad_rows)
    # Selecting all rows would copy every column for nothing.
    kept = compact_categories(records.loc[good]) if bad_rows else records
    # Of the rows taken in: a row left out for another problem was counted in the note on
    # empty counts kept with the dataset (a code review).
    empty_counts = int(empty_rows[good].sum()) if bad_rows else int(empty_rows.sum())
    valid = kept.reset_index(drop=True)
    valid[COUNT] = valid[COUNT].astype("int64")
    extras = [column for column in frame.columns if column not in RECORD_COLUMNS]
    valid = valid[[*RECORD_COLUMNS, *PERIOD_COLUMNS, *extras]]
    errors.sort(
        key=lambda error: (
            error.row or 0,
            RECORD_COLUMNS.index(error.column) if error.column in RECORD_COLUMNS else 99,
        )
    )
    notes = (
        reading_notes(distinct[PERIOD].uniques.tolist(), distinct[PERIOD].counts.tolist())
        if PERIOD in frame.columns
        else ()
    )
    notes = (*notes, *transit_notes)
    return ValidationResult(valid, tuple(errors), len(frame), len(bad_rows), empty_counts, notes)


def _strip_text(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, DistinctValues]]:
    """Text columns stripped, blank cells made empty; and each column's distinct values."""
    records = frame.copy()
    given = [c for c in RECORD_COLUMNS if c != COUNT and c in records.columns]
    # Categories of text stay categories: each distinct text is stripped once, and the codes
    # carry it to the rows without a million-row column being written.
    texts = [
        records[column]
        if is_text_categorical(records[column])
        else records[column].astype("string")
        for column in given
    ]
    if len(records) >= _PARALLEL_ROWS and not all(map(is_text_categorical, texts)):
        # Arrow's kernels release the GIL, so the columns are stripped side by side.
        with ThreadPoolExecutor(max_workers=max(1, min(len(texts), os.cpu_count() or 1))) as pool:
            stripped = list(pool.map(_strip_column, texts))
    else:
        stripped = [_strip_column(text) for text in texts]
    distinct: dict[str, DistinctValues] = {}
    for column, (text, values) in zip(given, stripped, strict=True):
        records[column], distinct[column] = text, values
    for column in RECORD_COLUMNS:
        if column != COUNT and column not in given:
            empty = DistinctValues(np.full(len(records), -1), pd.Series([], dtype="string"))
            records[column] = spread_text(empty.codes, [], records.index)
            distinct[column] = empty
    return records, distinct


#: Transit cells that say there was no stop on the way (casefolded, spaces as one): read as no
#: transit. A survey's "Direct" and "-" were 25 names to place, their rows out of the corridors.
NO_TRANSIT = frozenset(
    {
        "-", "–", "—", "--", "none", "no", "nil", "n/a", "na", "not applicable", "direct",
        "directly", "direct flight", "no transit", "no stop", "no stopover", "non-stop",
        "nonstop",
    }
)  # fmt: skip
#: "Direct (TIA)", "direct via Delhi", "Direct from Kathmandu": the place is the transit.
_DIRECT_FROM = re.compile(
    r"^(?:direct(?:ly| flight)?|non-?stop)\s*"
    r"(?:\(\s*(?P<inside>[^()]+?)\s*\)|(?:via|from|through)\s+(?P<after>.+))$",
    re.IGNORECASE,
)
#: Names listed in a transit note; beyond, their number.
_NAMES_IN_NOTE = 5


def _read_no_transit(
    text: pd.Series, distinct: DistinctValues
) -> tuple[pd.Series, DistinctValues, tuple[str, ...]]:
    """Transit cells that say there was no stop (:data:`NO_TRANSIT`) made empty, and "Direct
    (TIA)" read as "TIA", on the distinct cells; with a note of each kind of change."""
    values = distinct.uniques.tolist()
    read: list[str | None] = []
    for value in values:
        direct = _DIRECT_FROM.match(value)
        if " ".join(value.casefold().split()) in NO_TRANSIT:
            read.append(None)
        elif direct:
            read.append(direct["inside"] or direct["after"].strip())
        else:
            read.append(value)
    if read == values:
        return text, distinct, ()
    rows = distinct.counts.tolist()
    none = [(value, n) for value, new, n in zip(values, read, rows, strict=True) if new is None]
    moved = [
        (f"{value}' as '{new}", n)  # quoted whole by _quoted: 'Direct (TIA)' as 'TIA'
        for value, new, n in zip(values, read, rows, strict=True)
        if new is not None and new != value
    ]
    notes = []
    if none:
        notes.append(
            f"Transit: {_quoted(none)} ({_rows(none)}) say there was no stop on the way: read "
            "as no transit."
        )
    if moved:
        notes.append(f"Transit: {_quoted(moved)} ({_rows(moved)}), the place named.")
    merged, uniques = pd.factorize(pd.Series(read, dtype="string"), use_na_sentinel=True)
    codes = np.append(merged, -1)[distinct.codes]
    uniques = pd.Series(uniques, dtype="string")
    return (
        spread_like(text, codes, uniques, text.index, name=text.name),
        DistinctValues(codes, uniques),
        tuple(notes),
    )


def _quoted(named: list[tuple[str, int]]) -> str:
    names = [f"'{name}'" for name, _ in named[:_NAMES_IN_NOTE]]
    if len(named) > _NAMES_IN_NOTE:
        names.append(f"{len(named) - _NAMES_IN_NOTE} more")
    return and_list(names)


def and_list(names: Sequence[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _rows(named: list[tuple[str, int]]) -> str:
    total = sum(n for _, n in named)
    return f"{total:,} row" + ("" if total == 1 else "s")


def _strip_column(text: pd.Series) -> tuple[pd.Series, DistinctValues]:
    # Stripping the distinct values, not the rows, and keeping the column as it is when no value
    # changes, spares writing a new million-row column for each of ten columns.
    distinct = distinct_values(text)
    stripped = distinct.uniques.str.strip()
    blank = (stripped == "").to_numpy(dtype=bool, na_value=False)
    if not blank.any() and _same_texts(stripped, distinct.uniques):
        return text, distinct
    merged, uniques = pd.factorize(stripped.mask(blank, pd.NA), use_na_sentinel=True)
    codes = np.append(merged, -1)[distinct.codes]
    uniques = pd.Series(uniques, dtype="string")
    stripped_text = spread_like(text, codes, uniques, text.index, name=text.name)
    return stripped_text, DistinctValues(codes, uniques)


def _same_texts(left: pd.Series, right: pd.Series) -> bool:
    """Whether two aligned text columns hold the same values, none of them empty."""
    same = left.reset_index(drop=True) == right.reset_index(drop=True)
    return len(left) == len(right) and bool(same.notna().all()) and bool(same.all())


def _check_required(records: pd.DataFrame) -> list[RecordError]:
    errors = []
    for column in REQUIRED_COLUMNS:
        for row in records.index[records[column].isna()]:
            hint = (
                f"write '{UNKNOWN_DESTINATION}' if the destination is not known."
                if column == DESTINATION
                else "give the district, province, or 'Nepal' the people left from."
            )
            errors.append(RecordError(int(row), column, "", f"the cell is empty; {hint}"))
    return errors


#: Digits grouped by thousands with commas: 1,200 and 12,345,678, or as Nepal and India write
#: them, 1,00,000 and 12,34,567 (the upload's reader tells number columns by it too).
GROUPED_THOUSANDS = r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d{1,2}(?:,\d{2})+,\d{3})(?:\.\d+)?"


def _check_counts(
    records: pd.DataFrame, given: bool = True, empty_count: int = 1
) -> tuple[pd.Series, list[RecordError], np.ndarray]:
    """Counts read once per distinct cell value, then spread to the rows by code; and which
    rows had an empty count cell (each counts ``empty_count``)."""
    if not given:
        ones = pd.Series(np.ones(len(records), dtype="int64"), index=records.index)
        return ones, [], np.zeros(len(records), dtype=bool)
    raw = records[COUNT]
    # Object cells are turned into text first, as before: 1, 1.0 and True hash alike but read
    # differently ("True" is not a number).
    distinct = distinct_values(raw.astype("string") if raw.dtype == object else raw)
    spaced = (
        distinct.uniques.astype("string")
        .str.replace(r"\s", "", regex=True)
        .str.translate(DEVANAGARI_DIGITS)  # ७ is 7
    )
    # A comma is a thousands separator only where it groups thousands (1,200; 1,00,000 as
    # Nepal writes a lakh): "1,2" was read as 12 without a word.
    misplaced = (
        spaced.str.contains(",", regex=False)
        & spaced.str.fullmatch(r"[+-]?[\d,]+(?:\.\d+)?")  # numbers only ("N/A, pending" is not)
        & ~spaced.str.fullmatch(GROUPED_THOUSANDS)
    ).fillna(False)
    text = spaced.str.replace(",", "", regex=False).mask(misplaced, "")
    numbers = pd.to_numeric(text, errors="coerce")
    not_numeric = text.notna() & (text != "") & numbers.isna()
    negative = (numbers < 0).fillna(False)
    fractional = numbers.notna() & (numbers % 1 != 0)
    # A missing flag (infinity gives one) marks no error, as a row mask would, and a count of 0.
    empty = ((text == "") & ~misplaced).fillna(True).to_numpy(dtype=bool)
    values = numbers.fillna(empty_count).where(
        ~(not_numeric | negative | fractional | misplaced), 0
    )
    values = values.astype("int64").to_numpy()
    # An empty cell (code -1) takes the last entry.
    counts = np.append(values, empty_count)[distinct.codes]
    empty_rows = np.append(empty, True)[distinct.codes]
    errors = []
    for flags, message in (
        (not_numeric, "not a number; write a whole number of people."),
        (negative, "a count cannot be negative."),
        (fractional, "a count of people must be a whole number."),
        (
            misplaced,
            "the comma in it does not separate thousands (1,200 or 1,00,000): write the count "
            "without it, or with the thousands it marks.",
        ),
    ):
        for position in distinct.rows_where(np.asarray(flags.fillna(False), dtype=bool)):
            errors.append(
                RecordError(int(records.index[position]), COUNT, str(raw.iloc[position]), message)
            )
    return pd.Series(counts, index=records.index, dtype="int64"), errors, empty_rows


def _check_sex(
    records: pd.DataFrame, distinct: DistinctValues
) -> tuple[pd.Series, list[RecordError]]:
    normal = distinct.uniques.str.strip().str.lower().map(SEX_VALUES).astype("string")
    unknown = normal.isna().to_numpy(bool)
    allowed = ", ".join(sorted(set(SEX_VALUES.values())))
    errors = [
        RecordError(
            int(records.index[position]),
            SEX,
            str(distinct.uniques.iloc[distinct.codes[position]]),
            f"not a sex this app knows; use one of {allowed}.",
        )
        for position in distinct.rows_where(unknown)
    ]
    if _same_texts(normal, distinct.uniques):
        return records[SEX], errors  # already normal: "male", "female"
    return spread_like(records[SEX], distinct.codes, normal, records.index, name=SEX), errors


def _derive_periods(
    records: pd.DataFrame, distinct: DistinctValues
) -> tuple[pd.DataFrame, list[RecordError]]:
    """Each distinct period is parsed once; its dates, fiscal year and label go to its rows."""
    parsed: list[object] = []
    # 28/08/2022 shows that the column writes its day first, and so reads 03/04/2022 too.
    day_first = day_first_of(distinct.uniques)
    for value in distinct.uniques:
        try:
            parsed.append(parse_period(value, day_first))
        except PeriodError as error:
            parsed.append(error)
    failed = np.array([isinstance(outcome, PeriodError) for outcome in parsed], dtype=bool)
    errors = [
        RecordError(
            int(records.index[position]),
            PERIOD,
            str(distinct.uniques.iloc[distinct.codes[position]]),
            str(parsed[distinct.codes[position]]),
        )
        for position in distinct.rows_where(failed)
    ]

    def field(name: str) -> pd.Series:
        return pd.Series([getattr(outcome, name, None) for outcome in parsed], dtype=object)

    def dates(name: str) -> pd.Series:
        days = pd.to_datetime(field(name)).astype("datetime64[s]").to_numpy()
        # Empty cells (code -1) take the last entry: no date.
        days = np.append(days, np.datetime64("NaT", "s"))
        return pd.Series(days[distinct.codes], index=records.index)

    labels = field("label").astype("string")
    if _same_texts(labels, distinct.uniques):
        period_labels = records[PERIOD]  # periods written as their labels
    else:
        period_labels = spread_like(records[PERIOD], distinct.codes, labels, records.index)
    fiscal_years = field("fiscal_year").astype("string").replace("", pd.NA)
    periods = pd.DataFrame(
        {
            PERIOD_START: dates("start"),
            PERIOD_END: dates("end"),
            FISCAL_YEAR: spread_like(records[PERIOD], distinct.codes, fiscal_years, records.index),
            PERIOD_LABEL: period_labels,
        },
        index=records.index,
    )
    return periods, errors


# --- columns as distinct values and codes --------------------------------------------------


@dataclass(frozen=True)
class DistinctValues:
    """A column as its distinct values, in order of first appearance, and one code per row.

    Work done once per distinct value and spread to the rows by code keeps a million-row column
    as cheap as its few hundred distinct cells.

    Attributes
    ----------
    codes : numpy.ndarray
        Per row, the position of its value in ``uniques``; ``-1`` for an empty cell.
    uniques : pandas.Series
        The distinct non-empty values, in the column's dtype, first appearance first.
    """

    codes: np.ndarray
    uniques: pd.Series

    @property
    def counts(self) -> np.ndarray:
        """How many rows carry each distinct value."""
        # Shifted by one so that empty cells (-1) fall in a first bin that is dropped.
        shifted = np.bincount(self.codes + 1, minlength=len(self.uniques) + 1)
        return shifted[1:].astype("int64")

    def mask(self, flags: Sequence[bool] | np.ndarray) -> np.ndarray:
        """Per row, whether its distinct value is flagged (one flag per value of ``uniques``);
        an empty cell never is."""
        return np.append(np.asarray(flags, dtype=bool), False)[self.codes]

    def rows_where(self, flags: np.ndarray) -> np.ndarray:
        """Positions, in row order, of the rows whose distinct value is flagged."""
        if not len(flags) or not flags.any():
            return np.empty(0, dtype=np.intp)
        return np.flatnonzero(self.mask(flags))


def distinct_values(column: pd.Series) -> DistinctValues:
    """The distinct values of a column and each row's code (see :class:`DistinctValues`).

    Arrow-backed text is dictionary-encoded by Arrow; anything else goes through
    :func:`pandas.factorize`. Either way values keep their order of first appearance.
    """
    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return _distinct_categories(column)
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        chunked = column.array.__arrow_array__()
        if not isinstance(chunked, pa.ChunkedArray):
            chunked = pa.chunked_array([chunked])
        # Encoded chunk by chunk (concatenating a large column first would copy it); the chunks
        # share one dictionary once unified.
        encoded = pc.dictionary_encode(chunked).unify_dictionaries()
        if encoded.num_chunks == 0:
            return DistinctValues(np.empty(0, np.int32), pd.Series([], dtype="string"))
        indices = pa.chunked_array([chunk.indices for chunk in encoded.chunks])
        codes = indices.fill_null(-1).to_numpy()
        dictionary = encoded.chunk(0).dictionary
        uniques = pd.Series(pd.arrays.ArrowStringArray(dictionary), copy=False)
        return DistinctValues(codes, uniques)
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    return DistinctValues(np.asarray(codes, dtype=np.intp), pd.Series(uniques, copy=False))


def _distinct_categories(column: pd.Series) -> DistinctValues:
    """The categories a column uses, in order of first appearance, from its codes alone."""
    codes = column.cat.codes.to_numpy()
    categories = column.cat.categories
    if _in_first_appearance_order(codes, len(categories)):
        # The codes stay as narrow as pandas keeps them: widening each of twenty million-row
        # columns cost a tenth of an import, and numpy indexes with any integer width.
        return DistinctValues(codes, pd.Series(categories, copy=False))
    # Factorising the small integer codes orders them by first appearance; -1 (empty) is one of
    # them here, and is taken out.
    positions, seen = pd.factorize(codes)
    used = seen >= 0
    uniques = pd.Series(categories[seen[used]], copy=False)
    rank = np.where(used, np.cumsum(used) - 1, -1)
    return DistinctValues(rank[positions], uniques)


def _in_first_appearance_order(codes: np.ndarray, categories: int) -> bool:
    """Whether every category is used and each is first used after the one before it.

    So it is when the running maximum of the codes never grows by more than one and ends at the
    last category (as the categories of the fast reader and of :func:`spread_categories` are).
    Once the maximum reaches the last category nothing after it can break the order, so the codes
    are checked in growing blocks from the start: a column whose categories all turn up in its
    first rows costs a few thousand of them, not a pass over a million.
    """
    if not len(codes):
        return categories == 0
    last = categories - 1
    peak, start, size = -1, 0, _FIRST_BLOCK_ROWS
    while start < len(codes):
        # Wide integers: int8 codes of 127 categories would overflow at ``highest + 1``.
        block = codes[start : start + size].astype(np.int64)
        highest = np.maximum.accumulate(np.maximum(block, peak))
        before = np.concatenate(([peak], highest[:-1]))
        if (highest > before + 1).any():
            return False
        peak = int(highest[-1])
        if peak == last:
            return True
        start, size = start + size, size * 4
    return peak == last


#: The first block of codes :func:`_in_first_appearance_order` looks at.
_FIRST_BLOCK_ROWS = 4096


def is_text_categorical(column: pd.Series) -> bool:
    """Whether a column is categories of text (as the fast reader gives large tables)."""
    dtype = column.dtype
    return isinstance(dtype, pd.CategoricalDtype) and pd.api.types.is_string_dtype(
        dtype.categories.dtype
    )


def spread_categories(
    codes: np.ndarray,
    texts: Sequence[str | None] | pd.Series,
    index: pd.Index,
    name: str | None = None,
) -> pd.Series:
    """:func:`spread_text` as categories: ``texts[code]`` per row, each distinct text once.

    The categories are the texts the codes use, in order of first appearance when ``codes``
    uses every text and the texts come in that order (as :func:`distinct_values` gives them), so
    that the column's distinct values read the same as those of the text column.
    """
    merged, categories = pd.factorize(pd.Series(_texts(texts), dtype="string"))
    positions = np.append(merged, -1)[codes]
    column = pd.Categorical.from_codes(
        positions, categories=pd.Index(categories, dtype="string"), validate=False
    )
    return pd.Series(column, index=index, name=name, copy=False)


def spread_like(
    like: pd.Series,
    codes: np.ndarray,
    texts: Sequence[str | None] | pd.Series,
    index: pd.Index,
    name: str | None = None,
) -> pd.Series:
    """:func:`spread_categories` when ``like`` is categories of text, else :func:`spread_text`."""
    spread = spread_categories if is_text_categorical(like) else spread_text
    return spread(codes, texts, index, name=name)


def compact_categories(frame: pd.DataFrame) -> pd.DataFrame:
    """Categories of text cut to those their rows use, in order of first appearance.

    After rows are dropped, a category may be left without rows or come first for a row that is
    gone; compacted, the column's categories are again its distinct values.
    """
    changes = {}
    for column in frame.columns:
        if is_text_categorical(frame[column]):
            distinct = distinct_values(frame[column])
            if (
                len(distinct.uniques) != len(frame[column].cat.categories)
                or not (distinct.codes == frame[column].cat.codes.to_numpy()).all()
            ):
                changes[column] = spread_categories(
                    distinct.codes, distinct.uniques, frame.index, name=column
                )
    return frame.assign(**changes) if changes else frame


def spread_text(
    codes: np.ndarray,
    texts: Sequence[str | None] | pd.Series,
    index: pd.Index,
    name: str | None = None,
) -> pd.Series:
    """A ``"string"`` column holding ``texts[code]`` per row; code -1, or a missing text, is empty.

    Parameters
    ----------
    codes
        Per row, a position in ``texts``, or -1.
    texts
        The text of each code: a list, or a ``"string"`` Series (kept in Arrow when it is one).
    index, name
        Of the column returned.
    """
    positions = np.where(codes < 0, len(texts), codes)
    if pd.StringDtype().storage != "pyarrow":
        table = np.array([*_texts(texts), None], dtype=object)
        return pd.Series(table[positions], index=index, name=name, dtype="string")
    table = _arrow_texts(texts)
    if table.null_count == len(table):
        array = pa.nulls(len(positions), pa.large_string())
    else:
        array = table.take(positions)
    return pd.Series(pd.arrays.ArrowStringArray(array), index=index, name=name, copy=False)


def _arrow_texts(texts: Sequence[str | None] | pd.Series) -> pa.Array:
    """The texts as one Arrow large_string array, with an empty entry last (for code -1)."""
    dtype = getattr(texts, "dtype", None)
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        chunked = texts.array.__arrow_array__()
        chunks = chunked.chunks if isinstance(chunked, pa.ChunkedArray) else [chunked]
        parts = [chunk.cast(pa.large_string()) for chunk in chunks]
        return pa.concat_arrays([*parts, pa.nulls(1, pa.large_string())])
    return pa.array([*_texts(texts), None], type=pa.large_string())


def _texts(values: Sequence[object] | pd.Series) -> list[str | None]:
    return [None if pd.isna(value) else str(value) for value in values]


def value_label(value: str) -> str:
    """A record value as the app shows it: "Female", "Domestic work" (the data's own case
    otherwise: "Recruiting agency", "UAE-based")."""
    return value[:1].upper() + value[1:]


def future_periods_note(records: pd.DataFrame, file_name: str, today: dt.date) -> str | None:
    """Says which periods of a file start after ``today``: kept as read, but most likely a
    slip of the year ("Shrawan 2090", 2033 AD, was taken without a word: an NGO's walkthrough).
    """
    if PERIOD_START not in records.columns or PERIOD_LABEL not in records.columns:
        return None
    starts = pd.to_datetime(records[PERIOD_START], errors="coerce")
    later = records.loc[(starts > pd.Timestamp(today)).to_numpy(dtype=bool), PERIOD_LABEL]
    if not len(later):
        return None
    counts = later.astype(str).value_counts()

    def rows_of(number: int) -> str:
        return f"{number:,} row{'' if number == 1 else 's'}"

    if len(counts) == 1:
        shown = f"'{counts.index[0]}'"
    else:
        shown = "; ".join(f"'{label}', {rows_of(n)}" for label, n in counts.head(5).items())
        extra = len(counts) - 5
        shown += f"; and {extra} more period{'' if extra == 1 else 's'}" if extra > 0 else ""
    return (
        f"{file_name}: {rows_of(len(later))} dated after today ({shown}). Check the year (a typo "
        "such as 2090 for 2080, or a BS date given as AD); the rows are kept as read."
    )
