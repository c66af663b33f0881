"""The route record: its columns, and validation whose errors name row, column and value.

One route record is a number of people (default 1) who travelled one route: an origin, a
destination, optional ordered transit places, a period and categorical attributes.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from routes.periods import PeriodError, parse_period

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
}

#: At most this many problems are listed; the count of all of them is always given.
MAX_LISTED_ERRORS = 50


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

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self, file_name: str) -> str:
        if self.ok:
            return f"{file_name}: {self.rows_read} rows read, all valid."
        listed = "\n".join(f"- {error}" for error in self.errors[:MAX_LISTED_ERRORS])
        more = len(self.errors) - MAX_LISTED_ERRORS
        tail = f"\n- ... and {more} more problems" if more > 0 else ""
        return (
            f"{file_name}: {self.rows_rejected} of {self.rows_read} rows have problems "
            f"and were not taken in. Fix them in the file and upload it again:\n{listed}{tail}"
        )


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


def validate_records(frame: pd.DataFrame, first_row_number: int = 2) -> ValidationResult:
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

    records = _strip_text(frame)
    row_numbers = pd.RangeIndex(first_row_number, first_row_number + len(records))
    records.index = row_numbers
    errors: list[RecordError] = []
    errors += _check_required(records)
    counts, count_errors = _check_counts(records)
    errors += count_errors
    records[COUNT] = counts
    sexes, sex_errors = _check_sex(records)
    errors += sex_errors
    records[SEX] = sexes
    period_frame, period_errors = _derive_periods(records)
    errors += period_errors
    records = pd.concat([records, period_frame], axis=1)

    bad_rows = {error.row for error in errors}
    valid = records.loc[~records.index.isin(bad_rows)].reset_index(drop=True)
    valid[COUNT] = valid[COUNT].astype("int64")
    extras = [column for column in frame.columns if column not in RECORD_COLUMNS]
    valid = valid[[*RECORD_COLUMNS, *PERIOD_COLUMNS, *extras]]
    errors.sort(
        key=lambda error: (
            error.row or 0,
            RECORD_COLUMNS.index(error.column) if error.column in RECORD_COLUMNS else 99,
        )
    )
    return ValidationResult(valid, tuple(errors), len(frame), len(bad_rows))


def _strip_text(frame: pd.DataFrame) -> pd.DataFrame:
    records = frame.copy()
    for column in RECORD_COLUMNS:
        if column not in records.columns:
            records[column] = pd.NA
        if column == COUNT:
            continue
        text = records[column].astype("string").str.strip()
        records[column] = text.mask(text == "", pd.NA)
    return records


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


def _check_counts(records: pd.DataFrame) -> tuple[pd.Series, list[RecordError]]:
    raw = records[COUNT]
    text = raw.astype("string").str.strip().str.replace(r"[,\s]", "", regex=True)
    numbers = pd.to_numeric(text, errors="coerce")
    errors = []
    not_numeric = text.notna() & (text != "") & numbers.isna()
    for row in records.index[not_numeric]:
        errors.append(
            RecordError(
                int(row), COUNT, str(raw[row]), "not a number; write a whole number of people."
            )
        )
    negative = numbers < 0
    for row in records.index[negative.fillna(False)]:
        errors.append(RecordError(int(row), COUNT, str(raw[row]), "a count cannot be negative."))
    fractional = numbers.notna() & (numbers % 1 != 0)
    for row in records.index[fractional]:
        errors.append(
            RecordError(int(row), COUNT, str(raw[row]), "a count of people must be a whole number.")
        )
    counts = numbers.fillna(1).where(~(not_numeric | negative.fillna(False) | fractional), 0)
    return counts.astype("int64"), errors


def _check_sex(records: pd.DataFrame) -> tuple[pd.Series, list[RecordError]]:
    raw = records[SEX]
    normal = raw.str.lower().map(SEX_VALUES)
    unknown = raw.notna() & normal.isna()
    allowed = ", ".join(sorted(set(SEX_VALUES.values())))
    errors = [
        RecordError(
            int(row), SEX, str(raw[row]), f"not a sex this app knows; use one of {allowed}."
        )
        for row in records.index[unknown]
    ]
    return normal.astype("string"), errors


def _derive_periods(records: pd.DataFrame) -> tuple[pd.DataFrame, list[RecordError]]:
    raw = records[PERIOD]
    parsed: dict[str, object] = {}
    errors = []
    for value in raw.dropna().unique():
        try:
            parsed[value] = parse_period(value)
        except PeriodError as error:
            parsed[value] = error
    for row, value in raw.dropna().items():
        outcome = parsed[value]
        if isinstance(outcome, PeriodError):
            errors.append(RecordError(int(row), PERIOD, str(value), str(outcome)))

    def field(name: str):
        return raw.map(
            lambda value: getattr(parsed.get(value), name, None) if pd.notna(value) else None
        )

    periods = pd.DataFrame(
        {
            PERIOD_START: pd.to_datetime(field("start")).astype("datetime64[s]"),
            PERIOD_END: pd.to_datetime(field("end")).astype("datetime64[s]"),
            FISCAL_YEAR: field("fiscal_year").astype("string").replace("", pd.NA),
            PERIOD_LABEL: field("label").astype("string"),
        },
        index=records.index,
    )
    return periods, errors
