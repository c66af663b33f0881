"""Which column of an uploaded table is which field of a route record, and the table as records.

:func:`propose_mapping` reads column names (in English, romanised Nepali, Nepali and a few other
languages) and contents (a column whose values are mostly districts is the origin, mostly
countries the destination) and proposes a :class:`ColumnMapping`; the analyst may change every
choice. Wide tables, whose counts are spread over columns that stand for attribute values
(DoFE's printed tables: "Recruiting Agency Male", "Recruiting Agency Female", ..., "Total"), are
recognised: each such column becomes a *component* with the attributes it stands for, and total
columns are kept apart, never added, only checked against the sum of the components they cover.

:func:`apply_mapping` turns the table into records with the schema's column names (one record
per row and component for a wide table) and reports every total that does not add up.
:func:`prepare_import` runs the whole check (mapping, validation, places) that an upload goes
through before it is kept, with every message pointing at the file's own rows and columns.
A mapping is saved as JSON (:func:`write_mapping`) for the next file of the same layout.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from routes.gazetteer import (
    COUNTRY,
    DESTINATION_ROLE,
    DISTRICT,
    FORMER_DISTRICT,
    LOOSE_TRANSIT_SPLIT,
    NEPAL_ID,
    ORIGIN_ROLE,
    PROVINCE,
    REGION,
    TRANSIT_ROLE,
    TRANSIT_SPLIT,
    Gazetteer,
    PlacedRecords,
    country_of_city_abroad,
    kind_of_id,
    load_gazetteer,
    names_place,
    place_records,
    resolve_place,
    split_transit,
)
from routes.periods import DEVANAGARI_DIGITS, PeriodError, parse_period
from routes.schema import (
    CHANNEL,
    COUNT,
    DESTINATION,
    DESTINATION_CITY,
    DESTINATION_ID,
    EXPLOITATION,
    ORIGIN,
    ORIGIN_ID,
    PERIOD,
    SECTOR,
    SEX,
    SEX_VALUES,
    SOURCE,
    TRANSIT,
    TRANSIT_IDS,
    RecordError,
    ValidationResult,
    compact_categories,
    distinct_values,
    spread_text,
    validate_records,
)

#: The record fields a column can be mapped to, in the order an analyst reads them.
FIELDS: tuple[str, ...] = (
    ORIGIN,
    DESTINATION,
    DESTINATION_CITY,
    TRANSIT,
    COUNT,
    PERIOD,
    SEX,
    CHANNEL,
    SECTOR,
    EXPLOITATION,
    SOURCE,
)
#: Fields a component of a wide table may set (its count is the cell itself).
ATTRIBUTE_FIELDS: tuple[str, ...] = tuple(name for name in FIELDS if name != COUNT)
#: What a file holds when it has no origin column: every record in this app leaves Nepal.
DEFAULT_ORIGIN = "Nepal"
#: The fields that may have a second column, read where the first is empty.
FALLBACK_FIELDS = (ORIGIN, DESTINATION)
#: A total's scope value that starts with this excludes the value: ``{"channel": "!Re-entry"}``.
EXCLUDE = "!"
MAPPING_FORMAT = 1

# Column-name synonyms per field, written as :func:`header_key` leaves them.
SYNONYMS: dict[str, tuple[str, ...]] = {
    ORIGIN: (
        "origin", "from", "district", "origin district", "district of origin", "home district",
        "place of origin", "origin place", "source district", "permanent address", "province",
        "jilla", "jillā", "जिल्ला", "उत्पत्ति", "origine", "origen", "provenance",
    ),
    DESTINATION: (
        "destination", "to", "country", "dest", "destinatio", "destination country",
        "country of destination", "country of employment", "destination place", "desh", "देश",
        "गन्तव्य", "गन्तव्य देश", "gantavya", "gantabya", "pays", "pais", "país", "destino", "land",
    ),
    DESTINATION_CITY: ("destination city", "city", "town", "city of destination", "शहर", "ville"),
    TRANSIT: (
        "transit", "via", "route", "path", "transit points", "transit route", "through",
        "transit places", "route via", "ट्रान्जिट", "बाटो",
        # Not destination cities ("town", "city"): Delhi and Raxaul were saved as cities in
        # Kuwait and Malaysia.
        "transit town", "transit towns", "transit city", "transit cities", "transit point",
        "transit place", "transit country", "transit countries",
    ),
    COUNT: (
        "count", "number", "total", "persons", "people", "n", "workers", "migrants", "no",
        "number of workers", "number of people", "number of persons", "number of migrants",
        "approvals", "labour approvals", "labor approvals", "frequency", "cases", "victims",
        "sankhya", "संख्या", "जम्मा", "nombre", "cantidad", "anzahl", "qty", "quantity",
    ),
    PERIOD: (
        "period", "date", "month", "year", "fiscal year", "fy", "time", "month bs", "year bs",
        "month ad", "year ad", "date of departure", "departure date", "reporting period",
        "miti", "मिति", "barsa", "varsha", "वर्ष", "mahina", "महिना", "आर्थिक वर्ष",
        "arthik barsa", "annee", "année", "fecha", "año", "ano", "datum", "jahr",
    ),
    SEX: ("sex", "gender", "linga", "लिङ्ग", "लिंग", "sexe", "sexo", "genre", "geschlecht"),
    CHANNEL: (
        "channel", "migration channel", "permit type", "approval type", "category", "mode",
        "route type", "regular irregular", "type of migration", "माध्यम",
    ),
    SECTOR: (
        "sector", "occupation", "industry", "job", "work", "employment sector", "profession",
        "क्षेत्र", "पेशा", "secteur",
    ),
    EXPLOITATION: (
        "exploitation", "exploitation type", "type of exploitation", "abuse", "violation",
        "trafficking type", "form of exploitation", "शोषण",
    ),
    SOURCE: (
        "source", "data source", "reported by", "reporting organisation", "reporting organization",
        "organisation", "organization", "reference", "स्रोत",
    ),
}  # fmt: skip
#: Columns that only number the rows; they are never a count.
SERIAL_NAMES = frozenset(
    {"sn", "s n", "sno", "s no", "sl no", "sr no", "serial", "serial no", "serial number",
     "क्र स", "क्रस", "id", "index", "row", "fid", "objectid"}
)  # fmt: skip

#: Words that name a number of a person or a record, never a count of people: a column so
#: named is not taken for the count because it is the only column of whole numbers.
NOT_COUNT_WORDS = frozenset(
    {"age", "ages", "year", "years", "yr", "month", "day", "date", "ward", "code", "phone",
     "mobile", "contact", "id", "serial", "height", "weight", "income",
     "salary", "wage", "wages", "fee", "fees", "cost", "amount", "duration", "days", "months",
     "उमेर", "वर्ष", "साल", "महिना", "वडा"}
)  # fmt: skip

# Words in the names of wide-table columns, and the attribute value each stands for.
CHANNEL_WORDS: dict[str, str] = {
    "recruiting agency": "Recruiting agency",
    "recruitment agency": "Recruiting agency",
    "manpower agency": "Recruiting agency",
    "manpower": "Recruiting agency",
    "institutional": "Recruiting agency",
    "agency": "Recruiting agency",
    "individual new": "Individual (new)",
    "new individual": "Individual (new)",
    "individual": "Individual (new)",
    "g2g": "Government to government (G2G)",
    "g to g": "Government to government (G2G)",
    "government to government": "Government to government (G2G)",
    "individual legalization": "Individual (legalisation)",
    "individual legalisation": "Individual (legalisation)",
    "legalization": "Individual (legalisation)",
    "legalisation": "Individual (legalisation)",
    "individual reentry": "Re-entry",
    "individual re entry": "Re-entry",
    "re entry": "Re-entry",
    "reentry": "Re-entry",
    "renewal": "Re-entry",
    "regular": "Regular",
    "irregular": "Irregular",
}
SEX_WORDS: dict[str, str] = {
    **{word: value for word, value in SEX_VALUES.items() if word not in ("unknown",)},
    "पुरुष": "male",
    "महिला": "female",
}
TOTAL_WORDS = frozenset(
    {
        "total",
        "grand total",
        "sub total",
        "subtotal",
        "sum",
        "all",
        "jamma",
        "जम्मा",
        "कुल",
        "कुल जम्मा",
        "जम्मा संख्या",
        "उप जम्मा",
    }
)
EXCLUDE_WORDS = frozenset({"without", "excluding", "excl", "except", "w o", "ex"})
# Words that say nothing about what a column counts: "No. of Male Workers" is just "male".
FILLER_WORDS = frozenset(
    {"no", "number", "of", "workers", "worker", "persons", "people", "count", "approvals",
     "approval", "labour", "labor", "and", "the", "in", "with", "migrants", "n"}
)  # fmt: skip

_NAME_EXACT = 100
_NAME_PART = 60
_CONTENT_MAX = 80
_ACCEPT = 50
_SAMPLE = 200


class MappingError(ValueError):
    """A mapping that does not fit its table, or a mapping file that cannot be read."""


@dataclass(frozen=True)
class ColumnMapping:
    """Which source column is which record field; for wide tables, what each count column means.

    Attributes
    ----------
    origin, destination, destination_city, transit, count, period, sex, channel, sector,
    exploitation, source : str or None
        The source column for each field, or None.
    components : tuple of (str, dict)
        Wide tables: each count column with the attribute values it stands for, e.g.
        ``("Recruiting Agency Male", {"channel": "Recruiting agency", "sex": "male"})``.
        Each non-empty, non-zero cell becomes one record.
    totals : tuple of (str, dict)
        Total columns, never made records; each is checked against the sum of the components
        whose attributes match its scope (``{}`` is every component; ``{"sex": "male"}`` the
        male ones; ``{"channel": "!Re-entry"}`` all but re-entry).
    constants : dict
        A value for a field that no column gives, for every record: ``{"origin": "Nepal"}``.
    fallbacks : dict
        A second column for the origin or the destination, read in the rows where the field's
        column is empty: ``{"origin": "District"}`` beside ``origin="Home town"`` (a union's
        survey filled one or the other).
    empty_count : int
        What a count cell that is empty, or holds only a dash, counts: 1 (one person, the
        record's default) or 0 (no one: a dash is a nil in Nepali statistical tables).
    notes : tuple of str
        Why :func:`propose_mapping` chose what it did; not part of the mapping's identity.
    """

    origin: str | None = None
    destination: str | None = None
    destination_city: str | None = None
    transit: str | None = None
    count: str | None = None
    period: str | None = None
    sex: str | None = None
    channel: str | None = None
    sector: str | None = None
    exploitation: str | None = None
    source: str | None = None
    components: tuple[tuple[str, dict[str, str]], ...] = ()
    totals: tuple[tuple[str, dict[str, str]], ...] = ()
    constants: dict[str, str] = field(default_factory=dict)
    fallbacks: dict[str, str] = field(default_factory=dict)
    empty_count: int = 1
    notes: tuple[str, ...] = field(default=(), compare=False)

    @property
    def is_wide(self) -> bool:
        return bool(self.components)

    def column_of(self, field_name: str) -> str | None:
        """The source column mapped to a record field."""
        return getattr(self, field_name)

    def field_columns(self) -> dict[str, str]:
        """Record field -> source column, for the fields that have one."""
        return {name: self.column_of(name) for name in FIELDS if self.column_of(name) is not None}

    def columns_used(self) -> tuple[str, ...]:
        """Every source column the mapping reads, in mapping order."""
        used = [*self.field_columns().values(), *self.fallbacks.values()]
        used += [column for column, _ in self.components]
        used += [column for column, _ in self.totals]
        return tuple(dict.fromkeys(used))

    def describe(self) -> str:
        """The mapping in a few lines for the analyst."""
        lines = [
            f"{name} <- '{column}'"
            + (f", else '{self.fallbacks[name]}'" if name in self.fallbacks else "")
            for name, column in self.field_columns().items()
        ]
        lines += [f"{name} = '{value}' (every record)" for name, value in self.constants.items()]
        if self.count and self.empty_count != 1:
            lines.append("count: an empty cell, or a dash, counts no one")
        for column, attributes in self.components:
            lines.append(f"count <- '{column}' with {_attributes_text(attributes)}")
        for column, scope in self.totals:
            covered = _attributes_text(scope) if scope else "all components"
            lines.append(f"total '{column}' checked against {covered}")
        return "\n".join(lines)


@dataclass(frozen=True)
class TotalCheck:
    """Total columns compared with the sum of their components, row by row.

    Attributes
    ----------
    checked : int
        Cells of total columns compared.
    mismatches : pandas.DataFrame
        One row per total cell that differs: ``row`` (the file's row number), ``column``,
        ``stated`` (the total in the file) and ``components`` (the sum of its components).
    problems : tuple of str
        Totals that could not be checked (a total that covers no component, text in a total).
    """

    checked: int
    mismatches: pd.DataFrame
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.mismatches.empty and not self.problems

    def summary(self, file_name: str, limit: int = 10) -> str:
        if not self.checked and not self.problems:
            return ""
        if self.ok:
            return f"{file_name}: all {self.checked} total cells equal the sum of their components."
        lines = [
            f"- row {row.row}, column '{row.column}': the file says {_number(row.stated)}, "
            f"its components add up to {_number(row.components)}"
            for row in self.mismatches.head(limit).itertuples()
        ]
        more = len(self.mismatches) - limit
        if more > 0:
            lines.append(f"- ... and {more} more")
        lines += [f"- {problem}" for problem in self.problems]
        return (
            f"{file_name}: {len(self.mismatches)} of {self.checked} total cells differ from the "
            "sum of their components (the records are built from the components; check the "
            "mapping of the columns, or the file):\n" + "\n".join(lines)
        )


class TotalRowCheck(NamedTuple):
    """A file's total rows against its other rows (:attr:`PreparedImport.total_check`)."""

    agrees: bool
    text: str


@dataclass(frozen=True)
class MappedTable:
    """A table as route records in the schema's column names.

    Attributes
    ----------
    records : pandas.DataFrame
        One row per record: the mapped fields and constants (and the shapes of a geographic
        file); the file's other columns are not kept.
    source_rows : pandas.Series
        The file's row number of each record (aligned with ``records``).
    source_columns : pandas.Series
        The file column each record's count came from (a component, the count column, or
        ``<NA>``).
    totals : TotalCheck
    mapping : ColumnMapping
    """

    records: pd.DataFrame
    source_rows: pd.Series
    source_columns: pd.Series
    totals: TotalCheck
    mapping: ColumnMapping


@dataclass(frozen=True)
class PreparedImport:
    """An upload checked from end to end and ready to be kept.

    Attributes
    ----------
    file_name : str
    mapped : MappedTable
    validation : ValidationResult
        Problems point at the file's rows and columns; ``records`` are the valid records.
    placed : PlacedRecords
        The valid records with their place ids, and the report of every name not placed.
    """

    file_name: str
    mapped: MappedTable
    validation: ValidationResult
    placed: PlacedRecords
    #: The file's rows left out as total rows (see :func:`total_rows`).
    total_rows: tuple[int, ...] = ()
    #: The count each total row states (None where it gives none), in ``total_rows``' order.
    total_counts: tuple[int | None, ...] = ()
    #: What an empty count cell counts (see :attr:`ColumnMapping.empty_count`).
    empty_count: int = 1

    @property
    def total_check(self) -> TotalRowCheck:
        """The file's grand total row (the largest total it states) against the sum of the
        records (beside rows with problems, the valid rows' sum, said as such); agreeing, with
        nothing to say, when there is nothing to compare."""
        pairs = zip(self.total_counts, self.total_rows, strict=False)  # no counts: none stated
        stated = [(count, row) for count, row in pairs if count is not None]
        if not stated:
            return TotalRowCheck(True, "")
        total, row = max(stated)
        summed = int(self.validation.records[COUNT].sum())
        if not self.validation.ok:
            # Said all the same, as far as it goes (the check went unsaid beside rows with
            # problems: an NGO's walkthrough); a warning when the valid rows alone pass it, as
            # no count is below zero (a code review).
            return TotalRowCheck(
                summed <= total,
                f"{self.file_name}: the total row (row {row}) says {total:,}; the valid rows add "
                f"up to {summed:,}. Mend the rows with problems to check it against them all.",
            )
        if len(stated) > 1 and sum(count for count, _ in stated) == summed:
            return TotalRowCheck(
                True,
                f"{self.file_name}: the total rows (subtotals) add up to {summed:,}, as the other "
                "rows do.",
            )
        if total == summed:
            return TotalRowCheck(
                True,
                f"{self.file_name}: the total row (row {row}) says {total:,}, as the other rows "
                "add up to.",
            )
        text = (
            f"{self.file_name}: the total row (row {row}) says {total:,}, but the other rows add "
            f"up to {summed:,}."
        )
        empty = self.validation.empty_counts
        if empty:
            other = summed - empty if self.empty_count == 1 else summed + empty
            reading = "no one" if self.empty_count == 1 else "one person each"
            text += (
                f" {empty:,} rows have an empty count (or a dash), read as "
                f"{'one person each' if self.empty_count == 1 else 'no one'}"
                + (
                    f"; read as {reading}, the rows add up to the total (choose so beside the "
                    "count column; on the command line, --empty-count "
                    f"{'none' if self.empty_count == 1 else 'one'})."
                    if other == total
                    else "."
                )
            )
        return TotalRowCheck(
            False, text + " Check the count column and the file before keeping it."
        )

    @property
    def unplaced_rows(self) -> int:
        """The records with a name not placed, each once however many of its names are not
        ("5 names (29 rows)" counted 27 rows: a row's transit and destination twice)."""
        return _unplaced_records(self.placed)

    def reading_notes(self, read_notes: Sequence[str] = ()) -> tuple[str, ...]:
        """How the file was read where it could be read more than one way, kept with the
        dataset (:attr:`routes.store.DatasetInfo.reading_notes`): the reader's notes
        (``read_notes``), the schema's, the total rows left out and the empty counts (a dash
        read as one person was said on upload, and nowhere after: a walkthrough)."""
        notes = [*read_notes, *self.validation.notes]
        if self.total_rows:
            notes.append(self.total_rows_note)
        if self.arrivals_note:
            notes.append(self.arrivals_note)
        if empty := self.validation.empty_counts:
            rows = f"{empty:,} row" + ("" if empty == 1 else "s")
            each = "one person each" if self.empty_count == 1 else "no one"
            notes.append(f"{rows} had no count (an empty cell or a dash), read as {each}.")
        return tuple(notes)

    @property
    def arrivals_note(self) -> str:
        """The records whose routes end at a place in their destination country, read as where
        they arrive (not as stops); empty when none do."""
        placed = self.placed
        if not placed.arrivals:
            return ""
        names = placed.arrival_names
        listed = ", ".join(names[:_MAX_ROWS_LISTED]) + (
            ", ..." if len(names) > _MAX_ROWS_LISTED else ""
        )
        one = placed.arrivals == 1
        return (
            f"{placed.arrivals:,} "
            + ("record's route ends " if one else "records' routes end ")
            + "in the destination country"
            + (f" ({listed})" if listed else "")
            + ": read as where "
            + ("it arrives" if one else "they arrive")
            + ", not as stops on the way (the route is kept as written)."
        )

    @property
    def total_rows_note(self) -> str:
        """What was left out as total rows, for the import check; empty when nothing was."""
        if not self.total_rows:
            return ""
        rows = ", ".join(str(row) for row in self.total_rows[:_MAX_ROWS_LISTED])
        more = "" if len(self.total_rows) <= _MAX_ROWS_LISTED else ", ..."
        one = len(self.total_rows) == 1
        return (
            f"{self.file_name}: {'row' if one else 'rows'} {rows}{more} "
            f"{'reads' if one else 'read'} 'Total' or 'All' where a place should be, so "
            f"{'it sums' if one else 'they sum'} other rows: left out, so that no one is "
            "counted twice."
        )

    @property
    def ok(self) -> bool:
        """True when every row is valid and there is at least one record to keep."""
        return self.validation.ok and len(self.validation.records) > 0

    @property
    def records(self) -> pd.DataFrame:
        return self.placed.records

    def place_report(self) -> pd.DataFrame:
        return place_report(self.placed)

    def renamed_report(self) -> pd.DataFrame:
        return renamed_report(self.placed)


# --- column names -----------------------------------------------------------------------------


def header_key(name: object) -> str:
    """A column name as compared with synonyms: case, accents on Latin letters, punctuation gone.

    Letters of other scripts are kept whole (``"जिल्ला"`` stays itself).
    """
    text = unicodedata.normalize("NFKD", str(name).casefold())
    kept: list[str] = []
    for char in text:
        if unicodedata.combining(char) and kept and kept[-1].isascii():
            continue
        kept.append(char)
    text = unicodedata.normalize("NFC", "".join(kept)).replace("&", " and ")
    text = re.sub(r"[\s_\-./,:;()\[\]#'\"’`*+?!%]+", " ", text)
    return text.strip()


def _tokens(key: str) -> list[str]:
    return key.split()


def _name_score(key: str, phrases: Iterable[str]) -> int:
    best = 0
    words = _tokens(key)
    for phrase in phrases:
        if key == phrase:
            return _NAME_EXACT
        parts = _tokens(phrase)
        if len(parts) and len(words) > len(parts) and _contains(words, parts) and len(phrase) > 2:
            best = max(best, _NAME_PART)
    return best


def _contains(words: list[str], parts: list[str]) -> bool:
    return any(words[i : i + len(parts)] == parts for i in range(len(words) - len(parts) + 1))


# --- proposing a mapping ----------------------------------------------------------------------


@lru_cache(maxsize=1)
def _default_gazetteer() -> Gazetteer:
    return load_gazetteer()


#: The start of a proposal's note on a required field no column was found for.
UNRECOGNISED_NOTE = "No column was recognised as the "


def propose_mapping(frame: pd.DataFrame, gazetteer: Gazetteer | None = None) -> ColumnMapping:
    """Propose which column is which record field, from names and contents.

    Parameters
    ----------
    frame
        The table as read (:func:`routes.io.read_table`).
    gazetteer
        Places for judging contents (a column of district names is an origin); the shipped
        gazetteer when None.

    Returns
    -------
    ColumnMapping
        Every choice explained in ``notes``. A wide table gets its components and totals. When no
        column is an origin but one is a destination, the origin is the constant ``"Nepal"`` (the
        country every record of this app leaves from), with a note; nothing else is invented.
    """
    gazetteer = gazetteer or _default_gazetteer()
    columns = [column for column in frame.columns if column != "geometry"]
    keys = {column: header_key(column) for column in columns}
    numeric = {column for column in columns if _is_numeric(frame[column])}
    serial = {column for column in columns if keys[column] in SERIAL_NAMES}
    components, totals = _propose_wide(frame, columns, keys, numeric - serial, gazetteer)
    notes: list[str] = []
    if components:
        notes.append(
            f"Wide table: {len(components)} count columns stand for attribute values"
            + (
                f"; {len(totals)} total column{'s are' if len(totals) > 1 else ' is'} "
                "checked, never added."
                if totals
                else "."
            )
        )
    free = [c for c in columns if c not in serial and c not in dict((*components, *totals))]
    scores = _score_columns(frame, free, keys, numeric, gazetteer)
    chosen = _assign_fields(scores, wide=bool(components), notes=notes)
    fallbacks = _prefer_filled_places(frame, scores, chosen, notes)
    if COUNT not in chosen and not components:
        _choose_only_count(frame, free, numeric, chosen, gazetteer, notes)
    if DESTINATION not in chosen and DESTINATION_CITY in chosen:
        # A file of cities only ("destination_city": Doha, Kuala Lumpur): each city counts for
        # its country and is kept as the city (the page asked for a destination column).
        chosen[DESTINATION] = chosen.pop(DESTINATION_CITY)
        notes.append(
            f"destination <- '{chosen[DESTINATION]}' (cities abroad: each counts for its "
            "country, and is kept as the city)."
        )
    constants: dict[str, str] = {}
    if ORIGIN not in chosen and DESTINATION in chosen:
        constants[ORIGIN] = DEFAULT_ORIGIN
        notes.append(
            f"No column gives the origin: every record is taken to leave from "
            f"'{DEFAULT_ORIGIN}'. If the file is about one district or province, set that instead."
        )
    for required in (ORIGIN, DESTINATION):
        if required not in chosen and required not in constants:
            notes.append(f"{UNRECOGNISED_NOTE}{required}; choose one.")
    return ColumnMapping(
        **chosen,
        components=tuple(components),
        totals=tuple(totals),
        constants=constants,
        fallbacks=fallbacks,
        notes=tuple(notes),
    )


def _prefer_filled_places(
    frame: pd.DataFrame,
    scores: list[tuple[int, str, str, str]],
    chosen: dict[str, str],
    notes: list[str],
) -> dict[str, str]:
    """An origin or destination column mostly empty gives way to a column filled in most rows
    whose values are of that field: a union's 'District', filled in 4 of 44 rows, was taken
    over its 'Home town', filled in 40, and 40 rows were refused as having no origin (a
    walkthrough). The column given way is kept as the second column (the fallbacks returned)
    for the rows only it fills."""
    fallbacks: dict[str, str] = {}
    if not len(frame):
        return fallbacks
    filled: dict[str, np.ndarray] = {}

    def share_filled(column: str) -> float:
        """The share of rows the column fills, each column judged once and only when asked."""
        if column not in filled:
            filled[column] = _filled(frame[column])
        return float(filled[column].mean())

    for field_name in (ORIGIN, DESTINATION):
        column = chosen.get(field_name)
        if column is None or share_filled(column) >= _MOSTLY_FILLED:
            continue
        others = [
            other
            for _, name, other, reason in scores
            if name == field_name
            and "values" in reason
            and other not in chosen.values()
            and share_filled(other) >= _MOSTLY_FILLED
        ]
        if not others:
            continue
        other = chosen[field_name] = others[0]
        notes[:] = [note for note in notes if not note.startswith(f"{field_name} <- ")]
        # The rows only the first column fills keep it, as the second column: said.
        only = int((filled[column] & ~filled[other]).sum())
        if only:
            fallbacks[field_name] = column
        notes.append(
            f"{field_name} <- '{other}' (its values, in {share_filled(other):.0%} of the rows; "
            f"'{column}' is filled in {share_filled(column):.0%} of them: choose it above"
            + (f", with '{other}' as its second column," if only else "")
            + " if it is the one meant)."
            + (
                f" {only} {'row gives' if only == 1 else 'rows give'} only '{column}', read "
                f"from there (the {field_name}'s second column)."
                if only
                else ""
            )
        )
    return fallbacks


#: A column filled in at least this share of its rows is "mostly filled".
_MOSTLY_FILLED = 0.5


def _filled(values: pd.Series) -> np.ndarray:
    """Which cells hold something (not empty, nor only spaces), judged once per distinct value:
    a million rows hold a few hundred names (a categorical's by its codes: factorising them
    again was a tenth of a second of a million-row import)."""
    if _is_numeric(values):
        return values.notna().to_numpy()
    distinct = distinct_values(values)
    return distinct.mask([bool(str(value).strip()) for value in distinct.uniques])


def _assign_fields(
    scores: list[tuple[int, str, str, str]], wide: bool, notes: list[str]
) -> dict[str, str]:
    """Best scores first, each field and each column at most once."""
    chosen: dict[str, str] = {}
    for score, field_name, column, reason in sorted(scores, key=lambda item: -item[0]):
        if score < _ACCEPT or field_name in chosen or column in chosen.values():
            continue
        if field_name == COUNT and wide:
            continue  # the components are the counts
        chosen[field_name] = column
        notes.append(f"{field_name} <- '{column}' ({reason}).")
    return chosen


def _choose_only_count(
    frame: pd.DataFrame,
    free: list[str],
    numeric: set[str],
    chosen: dict[str, str],
    gazetteer: Gazetteer,
    notes: list[str],
) -> None:
    """A table with one column of whole numbers and no named count: that column is the count,
    unless its name says it is something else of a person or a record (a survivor file's 'age'
    was proposed as its count, each survivor counting 15 to 40 people)."""
    counts = [
        column
        for column in free
        if column in numeric
        and column not in chosen.values()
        and not set(_tokens(header_key(column))) & NOT_COUNT_WORDS
        and not column.endswith(("_id", " id"))
        and _profile(frame[column], True, gazetteer).get(COUNT)
    ]
    if len(counts) == 1:
        chosen[COUNT] = counts[0]
        notes.append(f"count <- '{counts[0]}' (the only column of whole numbers).")


def _is_numeric(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def _score_columns(
    frame: pd.DataFrame,
    columns: list[str],
    keys: dict[str, str],
    numeric: set[str],
    gazetteer: Gazetteer,
) -> list[tuple[int, str, str, str]]:
    scores = []
    samples: dict[str, pd.Series] = {}

    def sample(column: str) -> pd.Series:
        """A column's sample, made once (its place fields may each ask for it)."""
        if column not in samples:
            samples[column] = _text_sample(_present_values(frame[column]))
        return samples[column]

    for column in columns:
        # Cities abroad are read as destinations only in a column whose name says it holds
        # places abroad ("Country of work"): the first look-up among them reads the world
        # cities file, which every column of free text would otherwise pay for.
        abroad = _name_score(keys[column], _ABROAD_NAMES) > 0
        text = None if column in numeric else sample(column)
        profile = _profile(frame[column], column in numeric, gazetteer, cities=abroad, text=text)
        for field_name in FIELDS:
            name = _name_score(keys[column], SYNONYMS[field_name])
            content = profile.get(field_name, 0)
            if field_name == COUNT and column not in numeric and name < _NAME_EXACT:
                continue  # a count column of text is named as one, or it is not one
            if field_name != COUNT and column in numeric and field_name != PERIOD:
                continue
            if (
                field_name in _PLACE_ROLES
                and name == _NAME_PART
                and not content
                and not _names_places(sample(column), _PLACE_ROLES[field_name], gazetteer)
            ):
                # A name with a place word in it, over values that name no place: "Recruited
                # through" (agencies, "self") was proposed as the transit, and its every value
                # reported as a place to fix (a union's walkthrough).
                continue
            total = name + content
            if total:
                reason = (
                    "its name" if name and not content else "its values" if not name else
                    "its name and values"
                )  # fmt: skip
                scores.append((total, field_name, column, reason))
    return scores


def _profile(
    values: pd.Series,
    numeric: bool,
    gazetteer: Gazetteer,
    cities: bool = False,
    text: pd.Series | None = None,
) -> dict[str, int]:
    """How well a column's contents fit each field, 0 to ``_CONTENT_MAX``."""
    present = _present_values(values)
    if present.empty:
        return {}
    if numeric:
        numbers = pd.to_numeric(present, errors="coerce").dropna()
        years = numbers.between(1990, 2100) | numbers.between(2040, 2095)
        if len(numbers) and years.all() and (numbers % 1 == 0).all():
            return {PERIOD: _CONTENT_MAX}
        if len(numbers) and (numbers >= 0).all() and (numbers % 1 == 0).all():
            return {COUNT: _CONTENT_MAX // 2}
        return {}
    # The column's sample, when the caller made it already (see _score_columns).
    sample = _text_sample(present) if text is None else text
    share = {
        ORIGIN: _share(sample, lambda v: _is_nepal_place(gazetteer, v)),
        DESTINATION: _share(sample, lambda v: _is_destination(gazetteer, v, cities)),
        TRANSIT: _share(sample, lambda v: TRANSIT_SPLIT.search(v) is not None),
        PERIOD: _share(sample, _is_period),
        SEX: _share(sample, lambda v: v.casefold() in SEX_WORDS),
        CHANNEL: _share(sample, lambda v: header_key(v) in CHANNEL_WORDS),
    }
    return {name: round(value * _CONTENT_MAX) for name, value in share.items() if value >= 0.5}


#: Column names that say a column holds places abroad.
_ABROAD_NAMES = (*SYNONYMS[DESTINATION], *SYNONYMS[DESTINATION_CITY], "place", "location")

#: The record fields that hold places, with the role their names are resolved in.
_PLACE_ROLES = {
    ORIGIN: ORIGIN_ROLE,
    DESTINATION: DESTINATION_ROLE,
    DESTINATION_CITY: DESTINATION_ROLE,
    TRANSIT: TRANSIT_ROLE,
}


def _text_sample(present: pd.Series) -> pd.Series:
    """The first distinct texts of a column's present values, which the content tests read."""
    return present.astype(str).str.strip().drop_duplicates().head(_SAMPLE)


def _names_places(sample: pd.Series, role: str, gazetteer: Gazetteer) -> bool:
    """Whether at least half of a column's sample (:func:`_text_sample`) names a place in a
    role; a transit cell does if any of its stops does."""

    def placed(value: str) -> bool:
        parts = [value]
        if role == TRANSIT_ROLE:
            # Routes written with dashes or commas too ("Kathmandu-Doha", "Kathmandu, Kolkata":
            # a "Travelled via" column was no longer proposed, a regression walkthrough).
            parts = list(
                dict.fromkeys(  # a part with no separator is its own one piece: looked up once
                    piece
                    for part in split_transit(value)
                    for piece in (part, *LOOSE_TRANSIT_SPLIT.split(part))
                    if piece.strip()
                )
            )
        return any(names_place(gazetteer, part, role) for part in parts)

    return len(sample) > 0 and _share(sample, placed) >= 0.5


def _present_values(values: pd.Series) -> pd.Series:
    """The values of a column that are not empty; each once, where that changes no share.

    Every test of :func:`_profile` is on each value alone, so the distinct values (first
    appearance first) give its answers. Cells of mixed types keep every cell: ``1`` and ``1.0``
    are one value but not one text.
    """
    if values.dtype == object:
        return values.dropna()
    return distinct_values(values).uniques


def _share(values: pd.Series, test) -> float:
    return float(sum(bool(test(value)) for value in values)) / max(1, len(values))


def _is_nepal_place(gazetteer: Gazetteer, value: str) -> bool:
    place = resolve_place(gazetteer, value, ORIGIN_ROLE)
    if place is None:
        return False
    return place == NEPAL_ID or gazetteer.kind_of(place) in (
        DISTRICT,
        FORMER_DISTRICT,
        PROVINCE,
    )


def _is_destination(gazetteer: Gazetteer, value: str, cities: bool = False) -> bool:
    """A country, region or hub abroad; with ``cities``, a city abroad too ("Country of work"
    holding Penang, Osaka and Hyderabad was proposed as the sector, by the word "work": a
    walkthrough)."""
    place = resolve_place(gazetteer, value, DESTINATION_ROLE)
    if place is None:
        return cities and names_place(gazetteer, value, DESTINATION_ROLE, offered=True)
    if place == NEPAL_ID:
        return False
    kind = gazetteer.kind_of(place)
    return kind in (COUNTRY, REGION) or country_of_city_abroad(gazetteer, place) is not None


def _is_period(value: str) -> bool:
    try:
        parse_period(value)
    except PeriodError:
        return False
    return True


# --- wide tables ------------------------------------------------------------------------------


def _propose_wide(
    frame: pd.DataFrame,
    columns: list[str],
    keys: dict[str, str],
    numeric: set[str],
    gazetteer: Gazetteer,
) -> tuple[list[tuple[str, dict[str, str]]], list[tuple[str, dict[str, str]]]]:
    components, totals = [], []
    for column in columns:
        if column not in numeric:
            continue
        # A period keeps its name as written ("Shrawan 2079"); other names are read as keys.
        parsed = parse_wide_name(column if _is_period(column) else keys[column], gazetteer)
        if parsed is None:
            continue
        is_total, attributes = parsed
        if is_total:
            totals.append((column, attributes))
        elif attributes:
            components.append((column, attributes))
    components, totals = _wider_periods_as_totals(components, totals)
    if len(components) < 2:
        return [], []
    return components, totals


def _wider_periods_as_totals(
    components: list[tuple[str, dict[str, str]]], totals: list[tuple[str, dict[str, str]]]
) -> tuple[list[tuple[str, dict[str, str]]], list[tuple[str, dict[str, str]]]]:
    """A period column that holds others (a fiscal year beside its months) is their total, to
    check, not more counts: as a component it counted every case twice."""
    spans = {
        column: parse_period(attributes[PERIOD])
        for column, attributes in components
        if PERIOD in attributes
    }
    wider = {
        column
        for column, span in spans.items()
        for other, inner in spans.items()
        if other != column
        and span.start <= inner.start
        and inner.end <= span.end
        and (inner.start, inner.end) != (span.start, span.end)
    }
    if not wider:
        return components, totals
    kept = [(column, attributes) for column, attributes in components if column not in wider]
    scopes = [
        (column, {key: value for key, value in attributes.items() if key != PERIOD})
        for column, attributes in components
        if column in wider
    ]
    return kept, [*totals, *scopes]


def parse_wide_name(
    name: str, gazetteer: Gazetteer | None = None
) -> tuple[bool, dict[str, str]] | None:
    """What a wide-table column name stands for: ``(is_total, attributes)``, or None.

    ``"Recruiting Agency Male"`` -> ``(False, {"channel": "Recruiting agency", "sex": "male"})``;
    ``"Total without Re-entry"`` -> ``(True, {"channel": "!Re-entry"})``; ``"District"`` ->
    None. A name left over after the known words that is a country stands for the destination.
    A name that is a period (``"Shrawan 2079"``, ``"2023-01"``) stands for that period: a table
    of months as columns.
    """
    if _is_period(str(name)):
        return False, {PERIOD: str(name).strip()}
    words = _tokens(header_key(name))
    vocabulary = _wide_vocabulary()
    longest = max(len(phrase.split()) for phrase in vocabulary)
    attributes: dict[str, str] = {}
    is_total, negate = False, False
    leftover: list[str] = []
    position = 0
    while position < len(words):
        for size in range(min(longest, len(words) - position), 0, -1):
            phrase = " ".join(words[position : position + size])
            if phrase in vocabulary:
                kind, value = vocabulary[phrase]
                break
        else:
            leftover.append(words[position])
            position += 1
            continue
        position += size
        if kind == "total":
            is_total = True
        elif kind == "exclude":
            negate = True
        elif kind != "filler":
            if kind in attributes:
                return None  # "male female" is not one thing
            attributes[kind] = f"{EXCLUDE}{value}" if negate else value
            negate = False
    if leftover:
        place = _leftover_place(" ".join(leftover), gazetteer)
        if place is None or DESTINATION in attributes:
            return None
        attributes[DESTINATION] = place
    if not is_total and not attributes:
        return None
    return is_total, attributes


@lru_cache(maxsize=1)
def _wide_vocabulary() -> dict[str, tuple[str, str]]:
    vocabulary: dict[str, tuple[str, str]] = {}
    vocabulary.update({word: ("filler", "") for word in FILLER_WORDS})
    vocabulary.update({word: (SEX, value) for word, value in SEX_WORDS.items()})
    vocabulary.update({word: (CHANNEL, value) for word, value in CHANNEL_WORDS.items()})
    vocabulary.update({word: ("total", "") for word in TOTAL_WORDS})
    vocabulary.update({word: ("exclude", "") for word in EXCLUDE_WORDS})
    return vocabulary


def _leftover_place(text: str, gazetteer: Gazetteer | None) -> str | None:
    if gazetteer is None or len(text) < 2:
        return None
    place = resolve_place(gazetteer, text, DESTINATION_ROLE)
    if place is None or place == NEPAL_ID or gazetteer.kind_of(place) != COUNTRY:
        return None
    return gazetteer.name_of(place)


# --- applying a mapping -----------------------------------------------------------------------


def validate_mapping(frame: pd.DataFrame, mapping: ColumnMapping) -> tuple[str, ...]:
    """Every reason the mapping cannot be applied to the table; empty when it can."""
    problems = []
    available = set(frame.columns)
    missing = [column for column in mapping.columns_used() if column not in available]
    if missing:
        listed = ", ".join(f"'{column}'" for column in missing)
        problems.append(f"the mapping names column(s) {listed} that the table does not have.")
    for name, column in mapping.fallbacks.items():
        if name not in FALLBACK_FIELDS:
            problems.append(
                f"only the origin and the destination can have a second column, not {name}."
            )
        elif mapping.column_of(name) is None:
            problems.append(
                f"'{column}' is the {name}'s second column, but no first one is chosen."
            )
        elif column in mapping.field_columns().values() or column in dict(
            (*mapping.components, *mapping.totals)
        ):
            taken = "its own column" if column == mapping.column_of(name) else "another field's"
            problems.append(
                f"'{column}' is the {name}'s second column and {taken}; choose another, or none."
            )
    for required in (ORIGIN, DESTINATION):
        component_sets = bool(mapping.components) and all(
            required in attributes for _, attributes in mapping.components
        )
        given = mapping.column_of(required) is not None or required in mapping.constants
        if not given and not component_sets:
            hint = (
                f", or give one value for every record ('{DEFAULT_ORIGIN}', a district)"
                if required == ORIGIN
                else ", or give one value for every record ('Unknown' if the file does not say)"
            )
            problems.append(f"no column is chosen as the {required}; choose one{hint}.")
    unknown = set(mapping.constants) - set(ATTRIBUTE_FIELDS)
    for _, attributes in (*mapping.components, *mapping.totals):
        unknown |= set(attributes) - set(ATTRIBUTE_FIELDS)
    if unknown:
        problems.append(
            f"{', '.join(sorted(unknown))} are not record fields; use "
            f"{', '.join(ATTRIBUTE_FIELDS)}."
        )
    for column, attributes in mapping.components:
        clash = [key for key in attributes if mapping.column_of(key) is not None]
        if clash:
            problems.append(
                f"component '{column}' sets {', '.join(clash)}, which column "
                f"'{mapping.column_of(clash[0])}' also gives; keep one of the two."
            )
    if mapping.count is not None and mapping.components:
        problems.append(
            f"column '{mapping.count}' is chosen as the count, and the wide-table components "
            "give counts too; keep one of the two."
        )
    return tuple(problems)


def apply_mapping(frame: pd.DataFrame, mapping: ColumnMapping) -> MappedTable:
    """Turn a table into route records with the schema's column names.

    Parameters
    ----------
    frame
        The table as read. Its index is taken as the file's row numbers (as
        :func:`routes.io.read_table` gives them); a default ``RangeIndex`` from 0 is numbered
        from 2, as a spreadsheet with a header row counts.
    mapping
        The choice of columns.

    Returns
    -------
    MappedTable
        A long table for a wide one: one record per row and non-empty, non-zero component, the
        component's attributes set, in the file's row order. Total columns are checked, not kept.

    Raises
    ------
    MappingError
        The mapping names columns the table lacks, or misses the origin or destination.
    """
    problems = validate_mapping(frame, mapping)
    if problems:
        have = ", ".join(f"'{column}'" for column in frame.columns if column != "geometry")
        raise MappingError(
            "the column mapping does not fit the table: "
            + " ".join(problems)
            + f" The table's columns are {have}."
        )
    rows = _row_numbers(frame)
    base, source_columns = _base_records(frame, mapping)
    if mapping.components:
        records, record_rows, source_columns = _melt_components(frame, mapping, base, rows)
    else:
        records, record_rows = base, rows
    totals = _check_totals(frame, mapping, rows)
    return MappedTable(
        records=records,
        source_rows=record_rows,
        source_columns=source_columns,
        totals=totals,
        mapping=mapping,
    )


def _row_numbers(frame: pd.DataFrame) -> pd.Series:
    index = frame.index
    if isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1:
        return pd.Series(range(2, 2 + len(frame)), dtype="int64")
    return pd.Series(pd.to_numeric(index, errors="coerce"), dtype="Int64").reset_index(drop=True)


def _base_records(frame: pd.DataFrame, mapping: ColumnMapping) -> tuple[pd.DataFrame, pd.Series]:
    table = frame.reset_index(drop=True)
    base = pd.DataFrame(index=table.index)
    for name in FIELDS:
        column = mapping.column_of(name)
        if column is not None:
            second = mapping.fallbacks.get(name)
            base[name] = (
                table[column] if second is None else _first_filled(table[column], table[second])
            )
        elif name in mapping.constants:
            base[name] = spread_text(
                np.zeros(len(table), dtype=np.intp), [mapping.constants[name]], table.index
            )
    # The file's other columns are not kept (the upload page says so): a survivor file's
    # names, phone numbers and case ids were saved, and offered in the records' exports. The
    # shapes of a geographic file stay.
    if "geometry" in table.columns and "geometry" not in mapping.columns_used():
        base["geometry"] = table["geometry"]
    # Every record's count comes from the count column, or from none.
    counted = np.full(len(table), 0 if mapping.count is not None else -1, dtype=np.intp)
    return base, spread_text(counted, [mapping.count], base.index)


def _first_filled(first: pd.Series, second: pd.Series) -> pd.Series:
    """Each row's cell of ``first``, or of ``second`` where ``first`` is empty; categories stay
    categories (the fast reader's million rows)."""
    held = _filled(first)
    if held.all():
        return first
    if isinstance(first.dtype, pd.CategoricalDtype) and isinstance(
        second.dtype, pd.CategoricalDtype
    ):
        categories = pd.Index(list(dict.fromkeys([*first.cat.categories, *second.cat.categories])))
        codes = np.where(
            held,
            first.cat.set_categories(categories).cat.codes.to_numpy(),
            second.cat.set_categories(categories).cat.codes.to_numpy(),
        )
        combined = pd.Categorical.from_codes(codes, categories=categories)
        return pd.Series(combined, index=first.index, name=first.name)
    return first.astype(object).where(held, second.astype(object))


def _melt_components(
    frame: pd.DataFrame, mapping: ColumnMapping, base: pd.DataFrame, rows: pd.Series
) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    table = frame.reset_index(drop=True)
    parts = []
    for order, (column, attributes) in enumerate(mapping.components):
        cells = table[column]
        keep = _is_record_cell(cells)
        part = base.loc[keep].copy()
        part[COUNT] = cells[keep].astype(object)
        for name, value in attributes.items():
            part[name] = pd.Series([value] * len(part), index=part.index, dtype="string")
        part["_row"] = rows[keep]
        part["_column"] = column
        part["_position"] = part.index
        part["_order"] = order
        parts.append(part)
    long = pd.concat(parts, ignore_index=True) if parts else base.iloc[0:0].assign(**{COUNT: []})
    if parts:
        long = long.sort_values(["_position", "_order"], kind="stable", ignore_index=True)
        record_rows = long.pop("_row").astype("Int64")
        source_columns = long.pop("_column").astype("string")
        long = long.drop(columns=["_position", "_order"])
    else:
        record_rows = pd.Series([], dtype="Int64")
        source_columns = pd.Series([], dtype="string")
    ordered = [name for name in FIELDS if name in long.columns]
    long = long[ordered + [column for column in long.columns if column not in ordered]]
    return long, record_rows, source_columns


def _is_record_cell(cells: pd.Series) -> pd.Series:
    """A cell that holds a count of people: not empty, not a dash, not zero."""
    numbers = pd.to_numeric(cells, errors="coerce")
    text = cells.astype("string").str.strip()
    empty = cells.isna() | text.isin(["", "-", "–", "—"]).fillna(True)
    return ~empty & ~(numbers == 0).fillna(False)


def _check_totals(frame: pd.DataFrame, mapping: ColumnMapping, rows: pd.Series) -> TotalCheck:
    table = frame.reset_index(drop=True)
    mismatches = []
    problems = []
    checked = 0
    values = {
        column: pd.to_numeric(table[column], errors="coerce").fillna(0)
        for column, _ in mapping.components
    }
    for column, scope in mapping.totals:
        covered = [name for name, attributes in mapping.components if _in_scope(attributes, scope)]
        if not covered:
            problems.append(f"total column '{column}' covers no component, so it is not checked.")
            continue
        stated = pd.to_numeric(table[column], errors="coerce")
        text = table[column].astype("string").str.strip()
        unreadable = stated.isna() & table[column].notna() & ~text.isin(["", "-", "–", "—"])
        if unreadable.any():
            first = int(unreadable.to_numpy().nonzero()[0][0])
            problems.append(
                f"row {rows.iloc[first]}, total column '{column}' holds "
                f"'{table[column].iloc[first]}', which is not a number."
            )
        stated = stated.where(~text.isin(["-", "–", "—"]).fillna(False), 0)
        computed = sum((values[name] for name in covered), start=pd.Series(0, index=table.index))
        present = stated.notna()
        checked += int(present.sum())
        differ = present & (stated != computed)
        for position in differ.to_numpy().nonzero()[0]:
            mismatches.append(
                {
                    "row": rows.iloc[position],
                    "column": column,
                    "stated": stated.iloc[position],
                    "components": computed.iloc[position],
                }
            )
    frame_out = pd.DataFrame(mismatches, columns=["row", "column", "stated", "components"])
    return TotalCheck(checked, frame_out, tuple(problems))


def _in_scope(attributes: Mapping[str, str], scope: Mapping[str, str]) -> bool:
    for name, value in scope.items():
        if value.startswith(EXCLUDE):
            if attributes.get(name) == value[len(EXCLUDE) :]:
                return False
        elif attributes.get(name) != value:
            return False
    return True


# --- the whole check before keeping an upload -------------------------------------------------


def prepare_import(
    frame: pd.DataFrame,
    mapping: ColumnMapping,
    gazetteer: Gazetteer,
    *,
    file_name: str,
    aliases: Mapping[str, str] | None = None,
) -> PreparedImport:
    """Map, validate and place an uploaded table; every problem names the file's row and column.

    Parameters
    ----------
    frame
        The table as read (its index holds the file's row numbers).
    mapping
        The column mapping (proposed, edited or read from a file).
    gazetteer
        The places names resolve against.
    file_name
        For messages.
    aliases
        Name -> place id chosen by the analyst for this dataset.

    Returns
    -------
    PreparedImport
        Rows with a problem are not in the records and are counted; names that did not resolve
        stay in the records, unplaced, and are in the place report.

    Raises
    ------
    MappingError
        The mapping does not fit the table.
    """
    rows_read = len(frame)
    totals = total_rows(frame, mapping)
    stated = _stated_counts(frame, totals, mapping)
    if totals:
        # Their names ("Total") go with them, not on to the names left to place.
        frame = compact_categories(frame.drop(index=list(totals)))
    try:
        mapped = apply_mapping(frame, mapping)
    except MappingError as error:
        raise MappingError(f"{file_name}: {error}") from error
    raw = validate_records(mapped.records, first_row_number=1, empty_count=mapping.empty_count)
    # The rows and columns as plain lists, read once: looked up in the Series for each error,
    # 200,000 errors (a wrong count column) took four seconds. Only made when there are errors:
    # for a clean million rows the lists alone cost a third of the step.
    where = (
        (mapped.source_rows.tolist(), mapped.source_columns.tolist()) if raw.errors else ([], [])
    )
    errors = _with_repeated_headers(
        frame, mapping, sorted(
            {_file_error(error, mapped, where) for error in raw.errors},
            key=lambda error: (error.row or 0, error.column),
        )
    )  # fmt: skip
    bad_rows = {error.row for error in errors if error.row is not None}
    records = raw.records
    if bad_rows:
        # A wide table's row gives several records: a row with one bad cell keeps none.
        bad_positions = [error.row - 1 for error in raw.errors if error.row is not None]
        kept = np.ones(len(mapped.records), dtype=bool)
        kept[bad_positions] = False
        kept_rows = mapped.source_rows[kept].reset_index(drop=True)
        records = records.loc[~kept_rows.isin(bad_rows).to_numpy()].reset_index(drop=True)
        records = compact_categories(records)
    validation = ValidationResult(
        records=records,
        errors=tuple(errors),
        rows_read=rows_read,
        rows_rejected=len(bad_rows),
        empty_counts=raw.empty_counts,
        notes=raw.notes,
    )
    placed = place_records(gazetteer, records, dict(aliases or {}))
    return PreparedImport(
        file_name, mapped, validation, placed, totals, stated, mapping.empty_count
    )


def _with_repeated_headers(
    frame: pd.DataFrame, mapping: ColumnMapping, errors: list[RecordError]
) -> list[RecordError]:
    """The errors, those of a row that repeats the table's header (two tables pasted one under
    the other) said once as that: it read as three problems of values ('Count' is not a number,
    'District' is no place, 'Sex' is no sex)."""
    used = [column for column in mapping.columns_used() if column in frame.columns]
    if len(used) < 2 or not errors:
        return errors
    # Each column's distinct cells read once (a million rows of errors would otherwise be a
    # million lookups): how many of a row's cells are its column's own name.
    same = np.zeros(len(frame), dtype=np.int64)
    for column in used:
        distinct = distinct_values(frame[column])
        named = [header_key(value) == header_key(column) for value in distinct.uniques.tolist()]
        same += np.array([*named, False], dtype=bool)[distinct.codes]
    repeated = set(frame.index[same >= 2].tolist()) & {error.row for error in errors}
    if not repeated:
        return errors
    kept = [error for error in errors if error.row not in repeated]
    said = [
        RecordError(
            row, str(used[0]), "",
            "this row repeats the table's header (as when two tables are pasted one under the "
            "other): delete it, or leave it out below.",
        )
        for row in sorted(repeated)
    ]  # fmt: skip
    return sorted([*kept, *said], key=lambda error: (error.row or 0, error.column))


def _stated_counts(
    frame: pd.DataFrame, rows: tuple[int, ...], mapping: ColumnMapping
) -> tuple[int | None, ...]:
    """The count each total row states (None where it states none): in the count column; in
    a wide table, in its grand total column ("Total", a total of no one attribute), else the
    sum of its count columns (a row "Total" of 24 women and 13 men was left out unchecked,
    while the other rows added up to 1 fewer)."""
    if not rows:
        return ()
    wide = [column for column, _ in mapping.components if column in frame.columns]
    grand = [column for column, given in mapping.totals if not given and column in frame.columns]
    if mapping.count is not None and mapping.count in frame.columns:
        columns = [mapping.count]
    elif mapping.count is None and wide:
        columns = grand[:1] or wide
    else:
        return tuple(None for _ in rows)
    stated = []
    for cells in frame.loc[list(rows), columns].itertuples(index=False, name=None):
        texts = [_cell_text(cell) for cell in cells]
        if len(texts) > 1:
            # Among a wide table's count columns an empty cell or a dash is none; a row of
            # nothing but those states no total.
            nil = [text in ("", "-", "–", "—") for text in texts]
            numbers = [0 if empty else _whole(text) for text, empty in zip(texts, nil, strict=True)]
            stated.append(None if all(nil) or None in numbers else sum(numbers))
        else:
            stated.append(_whole(texts[0]))
    return tuple(stated)


def _cell_text(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return re.sub(r"[,\s]", "", str(value)).translate(DEVANAGARI_DIGITS)


def _whole(text: str) -> int | None:
    number = pd.to_numeric(text, errors="coerce")
    return int(number) if pd.notna(number) and number % 1 == 0 else None


#: Place cells of a row that sums others: "Total", "Grand total", "All countries", "जम्मा".
_TOTAL_PLACES = TOTAL_WORDS | {
    f"all {what}" for what in ("countries", "districts", "destinations", "origins", "nepal")
}
_MAX_ROWS_LISTED = 10


def total_rows(frame: pd.DataFrame, mapping: ColumnMapping) -> tuple[int, ...]:
    """The file's rows (index labels) whose origin or destination cell names no place but a
    total ("Total", "Grand total", "All countries"): a spreadsheet's sum of the rows above it,
    which kept as a record would count its people twice. Read once per distinct cell."""
    found = np.zeros(len(frame), dtype=bool)
    for name in (ORIGIN, DESTINATION):
        column = mapping.column_of(name)
        if column is None or column not in frame.columns:
            continue
        found |= _total_cells(frame[column])
        # A total in the second column, where the first is empty, sums the rows above it too.
        second = mapping.fallbacks.get(name)
        if second in frame.columns:
            found |= _total_cells(frame[second]) & ~_filled(frame[column])
    return tuple(frame.index[found].tolist())


def _total_cells(values: pd.Series) -> np.ndarray:
    """Which cells name a total, not a place; judged once per distinct cell."""
    distinct = distinct_values(values)
    return distinct.mask([_is_total_place(value) for value in distinct.uniques.tolist()])


def _is_total_place(value: object) -> bool:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return False
    key = header_key(value)
    if key in _TOTAL_PLACES or key.startswith(("total ", "grand total ")):
        return True
    # "जम्मा (Total)", "Total / जम्मा": a total in two languages; every part a total word
    # ("Nepal (all districts)" is a place).
    parts = [header_key(part) for part in re.split(r"[()/|]", str(value)) if part.strip()]
    return len(parts) > 1 and all(part in _TOTAL_PLACES for part in parts)


def _file_error(error: RecordError, mapped: MappedTable, where: tuple[list, list]) -> RecordError:
    """A record error moved to the file's row and column (``where``: the mapped table's source
    rows and columns as lists, made once for all the errors)."""
    if error.row is None:
        return error
    rows, columns = where
    position = error.row - 1
    row = rows[position]
    row = int(row) if pd.notna(row) else None
    column = error.column
    if column == COUNT and pd.notna(columns[position]):
        column = str(columns[position])
    elif mapped.mapping.column_of(column) is not None:
        second = mapped.mapping.fallbacks.get(column)
        column = str(mapped.mapping.column_of(column)) + (f" / {second}" if second else "")
    return RecordError(row, column, error.value, error.message)


def place_report(placed: PlacedRecords) -> pd.DataFrame:
    """Every name not placed: ``role``, ``name``, ``rows``, ``suggestions`` and ``note`` (why,
    or empty), most rows first."""
    frames = [
        report.unresolved.assign(role=role)
        for role, report in placed.reports.items()
        if len(report.unresolved)
    ]
    if not frames:
        return pd.DataFrame(
            {
                "role": pd.Series(dtype="string"),
                "name": pd.Series(dtype="string"),
                "rows": pd.Series(dtype="int64"),
                "suggestions": pd.Series(dtype=object),
                "note": pd.Series(dtype="string"),
            }
        )
    columns = ["role", "name", "rows", "suggestions", "note"]
    report = pd.concat(frames, ignore_index=True).reindex(columns=columns)
    report["note"] = report["note"].astype("string").fillna("")
    order = report["role"].map({role: rank for rank, role in enumerate(placed.reports)})
    report = report.assign(_order=order).sort_values(
        ["_order", "rows"], ascending=[True, False], kind="stable", ignore_index=True
    )
    return report.drop(columns="_order")


def renamed_report(placed: PlacedRecords) -> pd.DataFrame:
    """Every name placed under another name (an alias): ``role``, ``name``, ``rows``,
    ``place_id``, ``place``, ``what``; by role, then most rows first."""
    report = pd.concat(
        [report.renamed.assign(role=role) for role, report in placed.reports.items()],
        ignore_index=True,
    )
    report["role"] = report["role"].astype("string")
    return report[["role", "name", "rows", "place_id", "place", "what"]]


def places_undivided(report: pd.DataFrame) -> bool:
    """Whether a :func:`renamed_report` places a name as an undivided district (its own name,
    "Nawalparasi", is listed for that: its records count in no current district)."""
    return any(kind_of_id(pid) == FORMER_DISTRICT for pid in report["place_id"].tolist())


def format_renamed_report(placed: PlacedRecords) -> str:
    """The names placed under another name, one line each, or "" when there are none (those
    given with ``--alias`` too: the command line says them back)."""
    report = renamed_report(placed)
    if report.empty:
        return ""
    undivided = " or as an undivided district" if places_undivided(report) else ""
    lines = [
        f"Placed under another name{undivided} ({len(report)}; check that each is the place meant):"
    ]
    for row in report.itertuples():
        rows = f"{row.rows} row" + ("" if row.rows == 1 else "s")
        lines.append(f"- {row.role} '{row.name}' ({rows}): {row.place} ({row.what})")
    return "\n".join(lines)


def format_place_report(placed: PlacedRecords) -> str:
    """The place report as text: one line per name not placed, with its closest places."""
    report = place_report(placed)
    if report.empty:
        return "Places: every origin, destination and transit name was placed."
    records = placed.records
    unplaced = _unplaced_records(placed)
    lines = [
        f"Places: {len(report)} name(s) could not be placed; {unplaced} of {len(records)} "
        "records stay in the dataset as unplaced until each name is given a place:"
    ]
    for row in report.itertuples():
        closest = ", ".join(row.suggestions) if len(row.suggestions) else "no close place"
        rows = f"{row.rows} row" + ("" if row.rows == 1 else "s")
        lines.append(f"- {row.role} '{row.name}' ({rows}): closest {closest}")
        if row.note:
            lines.append(f"  {row.note}")
    return "\n".join(lines)


def _unplaced_records(placed: PlacedRecords) -> int:
    records = placed.records
    if records.empty:
        return 0
    missing = records[ORIGIN_ID].isna() | records[DESTINATION_ID].isna()
    missing |= records[TRANSIT].notna() & records[TRANSIT_IDS].isna()
    return int(missing.sum())


# --- saving a mapping -------------------------------------------------------------------------


def mapping_to_dict(mapping: ColumnMapping) -> dict[str, Any]:
    """The mapping as plain JSON-ready data (notes left out)."""
    return {
        "format": MAPPING_FORMAT,
        "fields": mapping.field_columns(),
        "constants": dict(mapping.constants),
        "fallbacks": dict(mapping.fallbacks),
        "components": [
            {"column": column, "attributes": dict(attributes)}
            for column, attributes in mapping.components
        ],
        "totals": [{"column": column, "scope": dict(scope)} for column, scope in mapping.totals],
        "empty_count": mapping.empty_count,
    }


def mapping_from_dict(data: Mapping[str, Any], where: str = "the mapping") -> ColumnMapping:
    """Read :func:`mapping_to_dict`'s form back; :class:`MappingError` names what is wrong."""
    if not isinstance(data, Mapping) or data.get("format") != MAPPING_FORMAT:
        raise MappingError(
            f"{where} is not a column mapping of this app (format {MAPPING_FORMAT}); save the "
            "mapping again from the app or the command line."
        )
    try:
        field_map = dict(data.get("fields", {}))
        unknown = set(field_map) - set(FIELDS)
        if unknown:
            raise MappingError(
                f"{where} names fields {', '.join(sorted(unknown))}; the fields are "
                f"{', '.join(FIELDS)}."
            )
        components = tuple(
            (str(item["column"]), {str(k): str(v) for k, v in item["attributes"].items()})
            for item in data.get("components", [])
        )
        totals = tuple(
            (str(item["column"]), {str(k): str(v) for k, v in item.get("scope", {}).items()})
            for item in data.get("totals", [])
        )
        constants = {str(k): str(v) for k, v in dict(data.get("constants", {})).items()}
        fallbacks = {
            str(k): str(v) for k, v in dict(data.get("fallbacks", {})).items() if v is not None
        }
        if set(fallbacks) - set(FALLBACK_FIELDS):
            raise MappingError(
                f"{where} gives a second column for "
                f"{', '.join(sorted(set(fallbacks) - set(FALLBACK_FIELDS)))}; only the "
                f"{' and the '.join(FALLBACK_FIELDS)} can have one."
            )
        empty_count = data.get("empty_count", 1)
        if empty_count not in (0, 1):
            raise MappingError(
                f"{where} gives empty_count {empty_count!r}: an empty count cell counts 1 (one "
                "person) or 0 (no one)."
            )
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        if isinstance(error, MappingError):
            raise
        raise MappingError(f"{where} is damaged ({error!r}); save the mapping again.") from error
    return ColumnMapping(
        **{name: str(column) for name, column in field_map.items() if column is not None},
        components=components,
        totals=totals,
        constants=constants,
        fallbacks=fallbacks,
        empty_count=empty_count,
    )


def write_mapping(mapping: ColumnMapping, path: Path | str) -> Path:
    """Save a mapping as JSON for the next file of the same layout."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(mapping_to_dict(mapping), indent=2, ensure_ascii=False)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def read_mapping(path: Path | str) -> ColumnMapping:
    """Read a mapping saved by :func:`write_mapping`."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise MappingError(
            f"The mapping file {path.name} cannot be read: {error.strerror}."
        ) from error
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise MappingError(
            f"The mapping file {path.name} is not valid JSON ({error}); save the mapping again."
        ) from error
    return mapping_from_dict(data, where=f"The mapping file {path.name}")


def with_field(mapping: ColumnMapping, field_name: str, column: str | None) -> ColumnMapping:
    """A copy of the mapping with one field's column changed (None clears it)."""
    if field_name not in FIELDS:
        raise MappingError(f"'{field_name}' is not a record field; use one of {', '.join(FIELDS)}.")
    fallbacks = dict(mapping.fallbacks)
    if column is None or fallbacks.get(field_name) == column:
        fallbacks.pop(field_name, None)  # no second column without a first, nor the same twice
    return replace(mapping, **{field_name: column}, fallbacks=fallbacks)


def with_fallback(mapping: ColumnMapping, field_name: str, column: str | None) -> ColumnMapping:
    """A copy of the mapping with the origin's or destination's second column set (None
    clears it): read in the rows where the field's own column is empty."""
    if field_name not in FALLBACK_FIELDS:
        raise MappingError(f"only {' and '.join(FALLBACK_FIELDS)} can have a second column.")
    fallbacks = {name: value for name, value in mapping.fallbacks.items() if name != field_name}
    if column is not None and column != mapping.column_of(field_name):
        fallbacks[field_name] = column
    return replace(mapping, fallbacks=fallbacks)


def _attributes_text(attributes: Mapping[str, str]) -> str:
    parts = []
    for name, value in attributes.items():
        if value.startswith(EXCLUDE):
            parts.append(f"{name} not '{value[len(EXCLUDE) :]}'")
        else:
            parts.append(f"{name} '{value}'")
    return ", ".join(parts)


def _number(value: object) -> str:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)
    return f"{int(number):,}" if number.is_integer() else f"{number:,}"
