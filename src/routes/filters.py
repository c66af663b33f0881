"""The view state (datasets, filters, level, focus, layers) as a frozen dataclass, the records it
keeps, and its round trip through a page URL's query string.

Every facet is a tuple of values ("all" when empty). A URL is read against the values the data
actually has: an unknown or invalid value is dropped with a notice, never an exception, so a link
shared between colleagues with different data still opens.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from routes.flows import LEVELS
from routes.gazetteer import province_id
from routes.periods import MONTH_SPAN_DAYS, bs_month_holding, parse_period
from routes.schema import (
    CHANNEL,
    DATASET,
    DESTINATION_ID,
    DESTINATION_REGION,
    EXPLOITATION,
    FISCAL_YEAR,
    ORIGIN_ID,
    ORIGIN_PROVINCE,
    PERIOD_END,
    PERIOD_LABEL,
    PERIOD_START,
    REENTRY_CHANNEL,
    SECTOR,
    SEX,
    SOURCE,
    TRANSIT_IDS,
)

MAX_TOP_N = 500

#: Facet field -> record column it filters, for the plain "value is one of" facets.
VALUE_FACETS: dict[str, str] = {
    "datasets": DATASET,
    "sexes": SEX,
    "channels": CHANNEL,
    "sectors": SECTOR,
    "exploitation": EXPLOITATION,
    "sources": SOURCE,
    "origin_provinces": ORIGIN_PROVINCE,
    "origin_districts": ORIGIN_ID,
    "destination_regions": DESTINATION_REGION,
    "destination_countries": DESTINATION_ID,
}

#: How each facet reads to an analyst.
FACET_LABELS: dict[str, str] = {
    "datasets": "Data source",
    "fiscal_year": "Fiscal year (BS)",
    "month_from": "From",
    "month_to": "To",
    "sexes": "Sex",
    "channels": "Channel",
    "sectors": "Sector",
    "exploitation": "Exploitation",
    "sources": "Record source",
    "origin_provinces": "Origin province",
    "origin_districts": "Origin district",
    "destination_regions": "Destination region",
    "destination_countries": "Destination country",
    "transit_places": "Transit place",
    "include_reentry": "Re-entry",
    "top_n": "Top flows",
    "min_count": "Minimum volume",
    "level": "Origins by",
    "focus": "Focus",
    "tiles": "Online tiles",
    "documented": "Documented routes",
    "versions": "Dataset version",
}

#: Short URL parameter names.
QUERY_NAMES: dict[str, str] = {
    "datasets": "data",
    "fiscal_year": "fy",
    "month_from": "from",
    "month_to": "to",
    "sexes": "sex",
    "channels": "channel",
    "sectors": "sector",
    "exploitation": "exploitation",
    "sources": "source",
    "origin_provinces": "province",
    "origin_districts": "district",
    "destination_regions": "region",
    "destination_countries": "country",
    "transit_places": "transit",
    "include_reentry": "reentry",
    "top_n": "top",
    "min_count": "min",
    "level": "level",
    "focus": "focus",
    "tiles": "tiles",
    "documented": "documented",
    "versions": "version",
}
LIST_SEPARATOR = "~"


@dataclass(frozen=True)
class FilterState:
    """Everything that decides what a view shows. Empty tuples and strings mean "all".

    Attributes
    ----------
    datasets
        Dataset ids to combine.
    fiscal_year
        One BS fiscal year (``"2079/80"``), or ``""`` for all.
    month_from, month_to
        Period labels (``"Shrawan 2079"``) bounding the months kept, both included.
    sexes, channels, sectors, exploitation, sources
        Values of those record columns (``sources``: the records' own source column, such as
        the organisation of each record in a pooled file).
    origin_provinces, origin_districts
        Province names; district place ids (``district:Jhapa``).
    destination_regions, destination_countries
        Region names (``Gulf``); country place ids (``country:QAT``).
    transit_places
        Hub or country place ids a record must pass through (any of them).
    include_reentry
        False keeps new approvals only (drops DoFE's re-entry channel).
    top_n, min_count
        Keep the N largest flows (0: all) and flows of at least this volume.
    level
        Origins at ``district``, ``province`` or ``national`` level.
    focus
        The place id the view is focused on, or ``""``.
    tiles, documented
        Map layers: online tiles; the documented-routes layer.
    versions
        Stored datasets shown at a version of their own rather than their latest, as
        ``"<dataset id>:<version>"`` (see :func:`version_pin`): a link made for a report reopens
        the figures it was made with after the dataset gets a new version.
    """

    datasets: tuple[str, ...] = ()
    fiscal_year: str = ""
    month_from: str = ""
    month_to: str = ""
    sexes: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    exploitation: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    origin_provinces: tuple[str, ...] = ()
    origin_districts: tuple[str, ...] = ()
    destination_regions: tuple[str, ...] = ()
    destination_countries: tuple[str, ...] = ()
    transit_places: tuple[str, ...] = ()
    include_reentry: bool = True
    top_n: int = 0
    min_count: int = 0
    level: str = "district"
    focus: str = ""
    tiles: bool = False
    documented: bool = True
    versions: tuple[str, ...] = ()

    def pinned(self) -> dict[str, int]:
        """Dataset id -> the version this state shows it at, for the datasets it pins."""
        pins = {}
        for pin in self.versions:
            dataset_id, _, version = pin.rpartition(":")
            if dataset_id and version.isdigit():
                pins[dataset_id] = int(version)
        return pins

    def active(self) -> list[str]:
        """Names of the filter fields that narrow the records (not layers, level or focus)."""
        default = FilterState()
        narrowing = (*VALUE_FACETS, "fiscal_year", "month_from", "month_to", "transit_places")
        names = [name for name in narrowing if getattr(self, name) != getattr(default, name)]
        names += [
            name
            for name in ("include_reentry", "top_n", "min_count")
            if getattr(self, name) != getattr(default, name)
        ]
        return names

    def describe(self, names: Mapping[str, str] | None = None) -> list[str]:
        """One line per active filter, for the screen and for export metadata.

        ``names`` turns place ids into place names where given.
        """
        names = names or {}
        lines = []
        for field in self.active():
            value = getattr(self, field)
            if field == "include_reentry":
                lines.append("New approvals only (re-entry excluded)")
                continue
            if isinstance(value, tuple):
                shown = ", ".join(names.get(item, item) for item in value)
            elif isinstance(value, int) and not isinstance(value, bool):
                shown = f"{value:,}"  # "Minimum volume: 5,000", as every count reads
            else:
                shown = names.get(str(value), str(value))
            lines.append(f"{FACET_LABELS[field]}: {shown}")
        return lines


#: Columns of words a person wrote, where "Irregular" and "irregular" are one value (see
#: :func:`spelling_key`).
SPELLED_COLUMNS = (CHANNEL, SECTOR, EXPLOITATION)


def spelling_key(value: object) -> str:
    """What two spellings of one value share: "Irregular", "irregular" and "IRREGULAR ", or
    "Domestic  work" and "domestic work" (see :data:`SPELLED_COLUMNS`)."""
    return " ".join(str(value).split()).casefold()


def filter_records(records: pd.DataFrame, state: FilterState) -> pd.DataFrame:
    """The records a filter state keeps; the input is not changed. Values of
    :data:`SPELLED_COLUMNS` match in any capitals, as the engine's table has them as one.

    Top N and minimum volume apply to flows, not records: see :func:`keep_top_flows`.
    """
    keep = pd.Series(True, index=records.index)
    for field, column in VALUE_FACETS.items():
        values = getattr(state, field)
        if values and column in records.columns:
            if column in SPELLED_COLUMNS:
                keep &= _spelled_as(records[column], values)
            else:
                keep &= records[column].isin(values).fillna(False)
    if state.fiscal_year:
        keep &= (records[FISCAL_YEAR] == state.fiscal_year).fillna(False)
    if state.month_from or state.month_to:
        keep &= _within_months(records, state.month_from, state.month_to)
    if state.transit_places:
        transit = records[TRANSIT_IDS].fillna("")
        passes = pd.Series(False, index=records.index)
        for place_id in state.transit_places:
            passes |= transit.str.contains(place_id, regex=False)
        keep &= passes
    if not state.include_reentry:
        keep &= ~_spelled_as(records[CHANNEL], (REENTRY_CHANNEL,))
    return records.loc[keep]


def _spelled_as(column: pd.Series, values) -> np.ndarray:
    """Which cells hold one of ``values`` in any spelling (see :func:`spelling_key`), worked out
    once per distinct cell (a column of Arrow strings all empty mapped to Arrow nulls, which
    no text could be looked up among: a property test)."""
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    wanted = {spelling_key(value) for value in values}
    hit = np.array([spelling_key(unique) in wanted for unique in uniques], dtype=bool)
    return np.append(hit, False)[codes]


def _within_months(records: pd.DataFrame, month_from: str, month_to: str) -> pd.Series:
    """Records whose period lies within [start of month_from, end of month_to]."""
    keep = pd.Series(True, index=records.index)
    if month_from:
        start = pd.Timestamp(parse_period(month_from).start)
        keep &= (records[PERIOD_START] >= start).fillna(False)
    if month_to:
        end = pd.Timestamp(parse_period(month_to).end)
        keep &= (records[PERIOD_END] <= end).fillna(False)
    return keep


#: Filters that take one value at a time in a view of restricted data (see
#: :func:`restricted_state`).
ONE_VALUE_FACETS = (
    "sexes",
    "channels",
    "sectors",
    "exploitation",
    "sources",
    "origin_provinces",
    "origin_districts",
    "destination_regions",
    "destination_countries",
    "transit_places",
)


def restricted_state(state: FilterState) -> tuple[FilterState, tuple[str, ...]]:
    """The state a view of restricted data may take, and the filters it narrowed.

    Restricted views are set tables: each filter takes one value or all of them, and the months
    are a whole fiscal year or all years. With any set of destinations and any month range, the
    totals of many views compared (each rounded and suppressed on its own) pinned small counts
    down exactly: {A, B, C} against {B, C}, or Asar-Magh against Asar-Poush. One value per
    filter leaves only the cells of a table and its margins, which the rounding blurs. The first
    value of each filter is kept; the returned labels name the filters narrowed.
    """
    changes: dict[str, object] = {}
    for field in ONE_VALUE_FACETS:
        values = getattr(state, field)
        if len(values) > 1:
            changes[field] = values[:1]
    if state.month_from or state.month_to:
        changes.update(month_from="", month_to="")
    labels = [FACET_LABELS[field] for field in changes if field != "month_to"]
    return dataclasses.replace(state, **changes), tuple(
        "Months" if label == FACET_LABELS["month_from"] else label for label in labels
    )


def keep_top_flows(flows: pd.DataFrame, state: FilterState) -> pd.DataFrame:
    """Flows of at least ``min_count``, then the ``top_n`` largest (flows come largest first)."""
    # A suppressed (NA) count is dropped by a minimum: it is not known to reach it.
    at_least = (flows["count"] >= state.min_count).fillna(False).astype(bool)
    kept = flows[at_least] if state.min_count else flows
    return kept.head(state.top_n) if state.top_n else kept


def months_in_order(records: pd.DataFrame, fiscal_year: str = "") -> list[str]:
    """Period labels of the month records in time order, optionally within one fiscal year;
    records of a day count for the BS month they are in."""
    rows = records if not fiscal_year else records[records[FISCAL_YEAR] == fiscal_year]
    rows = rows.dropna(subset=[PERIOD_START, PERIOD_END, PERIOD_LABEL])
    days = (rows[PERIOD_END] - rows[PERIOD_START]).dt.days
    months = rows[days.between(*MONTH_SPAN_DAYS)][[PERIOD_START, PERIOD_LABEL]]
    shorter = rows[days < MONTH_SPAN_DAYS[0]].drop_duplicates([PERIOD_START, PERIOD_END])
    held = [
        bs_month_holding(start.date(), end.date())
        for start, end in zip(shorter[PERIOD_START], shorter[PERIOD_END], strict=True)
    ]
    within = pd.DataFrame(
        [(pd.Timestamp(first), label) for label, first in filter(None, held)],
        columns=[PERIOD_START, PERIOD_LABEL],
    )
    ordered = pd.concat([months, within]).drop_duplicates(PERIOD_LABEL).sort_values(PERIOD_START)
    return [str(label) for label in ordered[PERIOD_LABEL]]


def months_by_fiscal_year(records: pd.DataFrame) -> dict[str, list[str]]:
    """Month labels in time order for each fiscal year, and for all years under ``""``."""
    months = {"": months_in_order(records)}
    for year in records[FISCAL_YEAR].dropna().unique():
        months[str(year)] = months_in_order(records, str(year))
    return months


def version_pin(dataset_id: str, version: int) -> str:
    """How a state pins a dataset to one of its versions (see :attr:`FilterState.versions`)."""
    return f"{dataset_id}:{version}"


# --- URL round trip ----------------------------------------------------------------------------


def to_query(state: FilterState, base: FilterState | None = None) -> dict[str, str]:
    """The query parameters of a state: only what differs from ``base``.

    ``base`` is what the page shows with no parameters (default :class:`FilterState`); a field
    cleared on a page whose default sets it is written empty (``fy=``), so the link reopens it
    cleared.
    """
    default = base or FilterState()
    query = {}
    for field in dataclasses.fields(FilterState):
        value = getattr(state, field.name)
        if value == getattr(default, field.name):
            continue
        if isinstance(value, tuple):
            text = LIST_SEPARATOR.join(value)
        elif isinstance(value, bool):
            text = "1" if value else "0"
        else:
            text = str(value)
        query[QUERY_NAMES[field.name]] = text
    return query


@dataclass(frozen=True)
class QueryReading:
    """A state read from a URL, and a notice for every value that was ignored."""

    state: FilterState
    notices: tuple[str, ...]


def from_query(
    query: Mapping[str, str],
    allowed: Mapping[str, set[str] | list[str] | tuple[str, ...]],
    base: FilterState | None = None,
    missing: Mapping[str, Callable[[str], str]] | None = None,
    names: Mapping[str, str] | None = None,
    spellings: Callable[[str], Iterable[str]] | None = None,
) -> QueryReading:
    """Read a state from query parameters, keeping only values the data has.

    A value is the data's whatever its case (``Female``), and a place may be given by its name
    as well as its id (``Qatar`` for ``country:QAT``), or by another spelling of it (``UAE``,
    ``Kavre``, ``Province 1``).

    Parameters
    ----------
    query
        Parameter name -> text, as in the page URL.
    allowed
        Field name -> the values that field may take (for tuple and text fields with a fixed set:
        datasets, fiscal_year, months, facets, level, focus). A field missing here accepts any
        value.
    base
        The state the page would show with no parameters; read values replace its fields.
    missing
        Field name -> what to say of one of its values that is not allowed (why it is missing
        and what to do), instead of "not in the data".
    names
        Value -> the name it is shown by (place ids), which a link may give instead.
    spellings
        Text -> the values (place ids, province names) it may stand for as another spelling
        of a place; tried when the text is no value and no value's name.
    """
    state = base or FilterState()
    by_query_name = {query_name: field for field, query_name in QUERY_NAMES.items()}
    fields = {field.name: field for field in dataclasses.fields(FilterState)}
    changes: dict[str, object] = {}
    notices: list[str] = []
    for name, text in query.items():
        field = by_query_name.get(name)
        if field is None:
            notices.append(f"The link's parameter '{name}' is not one this page reads; ignored.")
            continue
        kind = fields[field].type
        label = FACET_LABELS[field]
        try:
            changes[field] = _read_value(
                field, kind, str(text), allowed, label, notices, (missing or {}).get(field),
                names, spellings,
            )  # fmt: skip
        except _DefaultKept as kept:
            notices.append(f"{label}: {kept}; the page's default is shown instead.")
        except ValueError as error:
            notices.append(f"{label}: {error}; ignored.")
    return QueryReading(dataclasses.replace(state, **changes), tuple(notices))


class _DefaultKept(ValueError):
    """None of a link's values of a field is usable: the page keeps its default (said so
    once: "..., then open the link again, so the default is kept; ignored." read as two)."""


def _read_value(
    field, kind, text, allowed, label, notices, why_missing=None, names=None, spellings=None
):
    values = allowed.get(field)
    why_missing = why_missing or (lambda item: f"the link's value '{item}' is not in the data")
    if text == "" and ("tuple" in str(kind) or str(kind) == "str"):
        return () if "tuple" in str(kind) else ""
    if "tuple" in str(kind):
        items = [item for item in text.split(LIST_SEPARATOR) if item]
        if values is None:
            return tuple(items)
        matched = [(item, _value_named(item, values, names, spellings)) for item in items]
        kept = tuple(dict.fromkeys(value for _, value in matched if value is not None))
        unknown = [item for item, value in matched if value is None]
        if items and not kept and field != "versions":
            # Nothing usable: keep what the page shows by default rather than an empty choice
            # (no version pinned is the latest of each: said per pin below).
            raise _DefaultKept("; ".join(why_missing(item) for item in unknown))
        for item in unknown:
            notices.append(f"{label}: {why_missing(item)}; ignored.")
        return kept
    if "bool" in str(kind):
        if text not in ("0", "1"):
            raise ValueError(f"'{text}' is not 0 or 1")
        return text == "1"
    if "int" in str(kind):
        number = int(text)
        if number < 0 or (field == "top_n" and number > MAX_TOP_N):
            raise ValueError(f"'{text}' is out of range")
        return number
    if field == "level":
        level = _value_named(text, LEVELS, None)
        if level is None:
            raise ValueError(f"'{text}' is not one of {', '.join(LEVELS)}")
        return level
    if values is not None:
        value = _value_named(text, values, names, spellings)
        if value is None:
            raise ValueError(why_missing(text))
        return value
    return text


def _value_named(
    item: str,
    values,
    names: Mapping[str, str] | None,
    spellings: Callable[[str], Iterable[str]] | None = None,
) -> str | None:
    """The value a link means by ``item``: itself, or the value it names whatever the case, or
    the place whose name or other spelling it is; None when there is none."""
    if item in values:
        return item
    wanted = item.strip().casefold()
    for value in values:
        if value.casefold() == wanted or (names and names.get(value, "").casefold() == wanted):
            return value
    for value in spellings(item) if spellings else ():
        if value in values:
            return value
    return None


def facet_options(records: pd.DataFrame) -> dict[str, list[str]]:
    """The values each field can take in these records, for widgets and for reading URLs."""
    options: dict[str, list[str]] = {}
    for field, column in VALUE_FACETS.items():
        if column in records.columns:
            options[field] = sorted(str(value) for value in records[column].dropna().unique())
    options["fiscal_year"] = sorted(
        (str(value) for value in records[FISCAL_YEAR].dropna().unique()), reverse=True
    )
    months = months_in_order(records)
    options["month_from"] = options["month_to"] = months
    transit = records[TRANSIT_IDS].dropna().str.split(" > ").explode().dropna().unique()
    options["transit_places"] = sorted(str(value) for value in transit)
    places = pd.concat([records[ORIGIN_ID], records[DESTINATION_ID]]).dropna().unique()
    # A province is in focus as the records of its districts (whatever the level shown).
    provinces = [province_id(name) for name in options.get("origin_provinces", [])]
    options["focus"] = sorted({*map(str, places), *options["transit_places"], *provinces})
    options["level"] = list(LEVELS)
    return options


def export_link_base(state: FilterState, default: FilterState | None) -> FilterState | None:
    """What an export's link may leave unsaid: the page's defaults, but for the data and the
    fiscal year, which it names. The defaults move as newer DoFE reports are added, and a link
    cited in a paper (the page's bare address) would reopen other figures (a researcher's
    walkthrough)."""
    if default is None:
        return None
    # A year is always named, and all years written "fy=", even where the page's default is
    # all years (the corridors page's): a base year no state has makes the field differ.
    year = _NO_SUCH_YEAR if not state.fiscal_year else ""
    return dataclasses.replace(default, datasets=(), fiscal_year=year)


#: A fiscal year no state holds (see export_link_base).
_NO_SUCH_YEAR = "none"
