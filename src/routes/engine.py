"""Filter and aggregate records where they live: an Arrow table, read without copies.

A view never needs the records one by one: it needs origin -> destination totals, totals per
origin and per period, and for corridors per path. Every text column of the table is
dictionary-encoded, so a filter is a lookup of its few distinct values, applied to the integer
codes, and a total per group is a weighted count over the codes (numpy, no copy of the records):
a filter change costs a few passes over integer arrays, whatever the record count. The records
one by one and the totals of one place go through DuckDB over the same table.
:func:`routes.filters.filter_records` is the same filter in pandas; the tests hold all three to
the same answers.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from routes.filters import SPELLED_COLUMNS, VALUE_FACETS, FilterState, spelling_key
from routes.flows import ORIGIN_KINDS, leaving_from
from routes.gazetteer import UNKNOWN_ID, kind_of_id
from routes.periods import (
    BS_MONTHS,
    MONTH_SPAN_DAYS,
    bs_month_holding,
    bs_month_label,
    bs_month_span,
    parse_period,
)
from routes.schema import (
    CHANNEL,
    COUNT,
    DATASET,
    DESTINATION_ID,
    FISCAL_YEAR,
    ORIGIN_ID,
    PERIOD_END,
    PERIOD_LABEL,
    PERIOD_START,
    REENTRY_CHANNEL,
    TRANSIT,
    TRANSIT_IDS,
)

TABLE = "records"
#: What a whole path is made of, as :attr:`RecordTable.path_codes` gives them.
PATH_COLUMNS = (ORIGIN_ID, TRANSIT, TRANSIT_IDS, DESTINATION_ID)


@dataclass(frozen=True)
class RecordTable:
    """The placed records of the chosen datasets as one Arrow table, queried in place."""

    table: pa.Table

    @classmethod
    def from_frame(cls, records: pd.DataFrame) -> RecordTable:
        """The records of a frame (see :meth:`from_tables`)."""
        return cls.from_tables([pa.Table.from_pandas(records, preserve_index=False)])

    @classmethod
    def from_tables(cls, tables: Sequence[pa.Table]) -> RecordTable:
        """The records of one or more Arrow tables as one, each text column dictionary-encoded:
        a million rows hold a few hundred distinct places, periods and categories, and filters
        and totals work on the codes. Each column is one chunk with one dictionary; a column
        missing from a table is empty there."""
        table = pa.concat_tables(
            [_text_as_dictionaries(table) for table in tables], promote_options="permissive"
        )
        return cls(_one_spelling_each(table.unify_dictionaries().combine_chunks()))

    @property
    def num_rows(self) -> int:
        return self.table.num_rows

    @property
    def columns(self) -> list[str]:
        return self.table.column_names

    @cached_property
    def codes(self) -> dict[str, Codes]:
        """Each text column as integer codes (made once per table, on first use)."""
        return {
            name: Codes.of(column)
            for name, column in zip(self.table.column_names, self.table.columns, strict=True)
            if pa.types.is_dictionary(column.type) or pa.types.is_null(column.type)
        }

    @cached_property
    def origins_named(self) -> frozenset[str]:
        """The origins some record names (its count 0 included): the areas the data cover. A
        survey of three districts says nothing of the other 74; DoFE's table names every
        district each month, zeros included."""
        if ORIGIN_ID not in self.codes:
            return frozenset()
        origin = self.codes[ORIGIN_ID]
        named = np.bincount(origin.indices + 1, minlength=len(origin.values) + 1)[1:] > 0
        return frozenset(origin.values[named].tolist())

    @cached_property
    def counts(self) -> np.ndarray:
        return pc.fill_null(self.table.column(COUNT), 0).to_numpy().astype("int64")

    @cached_property
    def zero_counts(self) -> bool:
        return bool((self.counts == 0).any())

    @cached_property
    def pair_key(self) -> GroupKey:
        origin, destination = self.codes[ORIGIN_ID], self.codes[DESTINATION_ID]
        return GroupKey.of(
            (origin.indices, len(origin.values)), (destination.indices, len(destination.values))
        )

    @cached_property
    def flowing(self) -> np.ndarray:
        """Rows the flows count: origin placed, destination placed and known (made once)."""
        origin, destination = self.codes[ORIGIN_ID], self.codes[DESTINATION_ID]
        known = np.append(destination.values != UNKNOWN_ID, False)[destination.indices]
        return known & (origin.indices >= 0)

    @cached_property
    def area_rows(self) -> np.ndarray:
        """Rows whose origin is below the national level: a district or a province (made
        once)."""
        origin = self.codes[ORIGIN_ID]
        below_nation = np.array(
            [kind_of_id(str(value)) in ORIGIN_KINDS for value in origin.values], dtype=bool
        )
        return origin.where(below_nation)

    @cached_property
    def _crossing_rows(self) -> np.ndarray:
        """Rows that name both an origin below the national level (a district or a province)
        and their destination. DoFE's tables have none: one counts by destination, the other by
        origin district."""
        return self.area_rows & self.flowing

    @cached_property
    def crossed(self) -> bool:
        """Whether any record names both an origin below the national level and its
        destination (made once)."""
        return bool(self._crossing_rows.any())

    @cached_property
    def crossed_datasets(self) -> frozenset[str]:
        """The datasets some record of which names both (see :attr:`crossed`)."""
        if DATASET not in self.codes:
            return frozenset()
        datasets = self.codes[DATASET]
        used = np.unique(datasets.indices[self._crossing_rows])
        return frozenset(str(datasets.values[code]) for code in used if code >= 0)

    @cached_property
    def origin_key(self) -> GroupKey:
        origin = self.codes[ORIGIN_ID]
        return GroupKey.of((origin.indices, len(origin.values)))

    @cached_property
    def path_key(self) -> GroupKey:
        """Origin, whether a transit was given, transit places and destination (whole paths)."""
        return GroupKey.of(*((codes.indices, len(codes.values)) for codes in self.path_codes))

    @cached_property
    def path_codes(self) -> tuple[Codes, Codes, Codes, Codes]:
        """The codes :attr:`path_key` groups by: origin, transit given ("yes"), transit places,
        destination."""
        empty = Codes(np.full(self.num_rows, -1, dtype="int32"), np.array([], dtype=object))
        transit = self.codes.get(TRANSIT, empty)
        given = Codes(np.where(transit.indices >= 0, 0, -1).astype("int32"), np.array(["yes"]))
        return (
            self.codes.get(ORIGIN_ID, empty),
            given,
            self.codes.get(TRANSIT_IDS, empty),
            self.codes.get(DESTINATION_ID, empty),
        )

    @cached_property
    def dataset_periods(self) -> tuple[np.ndarray, np.ndarray]:
        """Each distinct (dataset, period code) pair of the records, as two arrays."""
        datasets = self.codes[DATASET]
        periods = len(self.periods.code_starts)
        pairs = np.unique(datasets.indices.astype("int64") * periods + self.periods.codes)
        names = np.append(datasets.values, None)[pairs // periods]
        return names, pairs % periods

    @cached_property
    def trend_periods(self) -> tuple[np.ndarray, np.ndarray]:
        """Per period code, the start and label it counts under in a trend of months: a day
        (or any span within one BS month) under that month, every other period under itself.
        A survey dated by day had a quarter of its people listed beside the chart, not in it."""
        periods = self.periods
        starts, labels = periods.code_starts.copy(), periods.code_labels.copy()
        days = (periods.code_ends - periods.code_starts).astype("timedelta64[D]").astype("int64")
        for code in np.flatnonzero(days < MONTH_SPAN_DAYS[0]):
            if np.isnat(periods.code_starts[code]) or labels[code] is None:
                continue
            held = bs_month_holding(_day(periods.code_starts[code]), _day(periods.code_ends[code]))
            if held is not None:
                labels[code], first = held
                starts[code] = np.datetime64(first, "ms")
        return starts, labels

    @cached_property
    def period_key(self) -> GroupKey:
        return GroupKey.of((self.periods.codes, len(self.periods.code_starts)))

    @cached_property
    def periods(self) -> Periods:
        """Period starts and ends, and a code per distinct (start, label) pair."""
        starts = self.table.column(PERIOD_START).to_numpy().astype("datetime64[ms]")
        ends = self.table.column(PERIOD_END).to_numpy().astype("datetime64[ms]")
        labels = self.codes[PERIOD_LABEL]
        _, start_rank = np.unique(starts.view("int64"), return_inverse=True)
        key = start_rank.reshape(-1).astype("int64") * (len(labels.values) + 1) + labels.indices
        _, first, pair = np.unique(key, return_index=True, return_inverse=True)
        years = self.codes.get(FISCAL_YEAR)
        return Periods(
            starts=starts,
            ends=ends,
            codes=pair.reshape(-1),
            code_starts=starts[first],
            code_ends=ends[first],
            code_labels=np.append(labels.values, None)[labels.indices[first]],
            code_fiscal_years=(
                np.append(years.values, None)[years.indices[first]]
                if years is not None
                else np.full(len(first), None, dtype=object)
            ),
        )


def _day(moment: np.datetime64) -> dt.date:
    return moment.astype("datetime64[D]").astype(dt.date)


@dataclass(frozen=True)
class Periods:
    """The records' periods as numpy: ``codes`` number the distinct (start, label) pairs, whose
    start, end, label and fiscal year are ``code_starts``, ``code_ends``, ``code_labels`` and
    ``code_fiscal_years``."""

    starts: np.ndarray
    ends: np.ndarray
    codes: np.ndarray
    code_starts: np.ndarray
    code_ends: np.ndarray
    code_labels: np.ndarray
    code_fiscal_years: np.ndarray


@dataclass(frozen=True)
class Codes:
    """A dictionary column as numpy: ``indices`` into ``values``, -1 where empty."""

    indices: np.ndarray
    values: np.ndarray

    @classmethod
    def of(cls, column: pa.ChunkedArray) -> Codes:
        """Codes of a dictionary (or empty) column: one dictionary for all its chunks."""
        if column.num_chunks == 1 and pa.types.is_dictionary(column.type):
            array = column.chunk(0)
        else:
            array = pc.dictionary_encode(column.cast(pa.large_string()).combine_chunks())
        indices = pc.fill_null(array.indices, -1).to_numpy().astype("int32", copy=False)
        return cls(indices, np.asarray(array.dictionary.to_pylist(), dtype=object))

    def where(self, wanted: np.ndarray) -> np.ndarray:
        """Rows whose value is one for which ``wanted`` (one flag per value) is true."""
        return np.append(wanted, False)[self.indices]

    def isin(self, values) -> np.ndarray:
        return self.where(np.isin(self.values, list(values)))

    def contains(self, text: str) -> np.ndarray:
        return self.where(np.array([text in value for value in self.values], dtype=bool))


_TEXT_CODES = pa.dictionary(pa.int32(), pa.large_string())


def _one_spelling_each(table: pa.Table) -> pa.Table:
    """The table with the values of :data:`SPELLED_COLUMNS` that differ only in capitals or
    spaces made one: the spelling most records use, and re-entry as the filters name it
    ("Re-entry"). A union's "Irregular" beside the synthetic data's "irregular" made two
    channel filters, each of one dataset's records (an analyst's walkthrough)."""
    for name in SPELLED_COLUMNS:
        column = table.column(name) if name in table.column_names else None
        if column is None or not pa.types.is_dictionary(column.type) or column.num_chunks != 1:
            continue
        array = column.chunk(0)
        values = array.dictionary.to_pylist()
        keys = [spelling_key(value) for value in values]
        indices = pc.fill_null(array.indices, -1).to_numpy().astype("int32", copy=False)
        used = np.bincount(indices[indices >= 0], minlength=len(values))
        spelling: dict[str, str] = {}
        for position in sorted(range(len(values)), key=lambda i: (-used[i], i)):
            spelling.setdefault(keys[position], values[position])
        if name == CHANNEL and spelling_key(REENTRY_CHANNEL) in spelling:
            spelling[spelling_key(REENTRY_CHANNEL)] = REENTRY_CHANNEL
        if all(spelling[key] == value for key, value in zip(keys, values, strict=True)):
            continue
        words = list(dict.fromkeys(spelling.values()))
        code = {word: i for i, word in enumerate(words)}
        new_codes = np.array([code[spelling[key]] for key in keys] + [-1], dtype="int32")
        remapped = new_codes[indices]
        unified = pa.DictionaryArray.from_arrays(
            pa.array(remapped, mask=remapped < 0, type=pa.int32()),
            pa.array(words, type=pa.large_string()),
        )
        table = table.set_column(table.column_names.index(name), name, unified)
    return table


def _text_as_dictionaries(table: pa.Table) -> pa.Table:
    """Every text column of a table as dictionary codes of one type (kept if already so)."""
    columns = []
    for column in table.columns:
        kind = column.type
        if pa.types.is_string(kind) or pa.types.is_large_string(kind):
            column = pc.dictionary_encode(column.combine_chunks()).cast(_TEXT_CODES)
        elif pa.types.is_dictionary(kind) and (
            pa.types.is_string(kind.value_type) or pa.types.is_large_string(kind.value_type)
        ):
            if all(_plain_dictionary(chunk.dictionary) for chunk in column.chunks):
                column = column.cast(_TEXT_CODES)
            else:  # a value twice, or an empty one, in a dictionary: one code per value
                text = column.cast(pa.large_string()).combine_chunks()
                column = pc.dictionary_encode(text).cast(_TEXT_CODES)
        columns.append(column)
    return pa.table(columns, names=table.column_names)


def _plain_dictionary(dictionary: pa.Array) -> bool:
    """Whether a dictionary holds each of its values once, and no empty one (a writer may
    leave either; codes are taken to stand for distinct values)."""
    return not dictionary.null_count and pc.count_distinct(dictionary).as_py() == len(dictionary)


_local = threading.local()


def _connection() -> duckdb.DuckDBPyConnection:
    """One connection per thread: Streamlit runs each session's script in its own thread."""
    if getattr(_local, "connection", None) is None:
        _local.connection = duckdb.connect()
    return _local.connection


def _query(source: RecordTable, sql: str, params: list) -> pd.DataFrame:
    connection = _connection()
    connection.register(TABLE, source.table)
    try:
        return connection.execute(sql, params).df()
    finally:
        connection.unregister(TABLE)


@dataclass(frozen=True)
class Where:
    """A SQL condition and its parameters."""

    sql: str
    params: tuple

    def and_(self, other: Where) -> Where:
        return Where(f"({self.sql}) AND ({other.sql})", self.params + other.params)


def where_for(state: FilterState, columns: list[str], focus: bool = True) -> Where:
    """The condition of a filter state, as :func:`routes.filters.filter_records` applies it."""
    parts: list[str] = ["TRUE"]
    params: list = []
    for field, column in VALUE_FACETS.items():
        values = getattr(state, field)
        if values and column in columns:
            parts.append(f'"{column}" IN ({", ".join("?" for _ in values)})')
            params += list(values)
    if state.fiscal_year:
        parts.append(f'"{FISCAL_YEAR}" = ?')
        params.append(state.fiscal_year)
    if state.month_from:
        parts.append(f'"{PERIOD_START}" >= ?')
        params.append(pd.Timestamp(parse_period(state.month_from).start).to_pydatetime())
    if state.month_to:
        parts.append(f'"{PERIOD_END}" <= ?')
        params.append(pd.Timestamp(parse_period(state.month_to).end).to_pydatetime())
    if state.transit_places:
        parts.append(
            "("
            + " OR ".join(
                f"contains(coalesce(\"{TRANSIT_IDS}\", ''), ?)" for _ in state.transit_places
            )
            + ")"
        )
        params += list(state.transit_places)
    if not state.include_reentry:
        parts.append(f'"{CHANNEL}" IS DISTINCT FROM ?')
        params.append(REENTRY_CHANNEL)
    where = Where(" AND ".join(parts), tuple(params))
    if focus and state.focus:
        where = where.and_(touching(state.focus))
    return where


def touching(place_id: str) -> Where:
    """Records that leave from, go to or pass through a place."""
    column, value = leaving_from(place_id)
    return Where(
        f'"{column}" = ? OR "{DESTINATION_ID}" = ? OR contains(coalesce("{TRANSIT_IDS}", \'\'), ?)',
        (value, place_id, place_id),
    )


def mask_for(source: RecordTable, state: FilterState, focus: bool = True) -> np.ndarray:
    """The rows a state keeps, as :func:`where_for` selects them, from the dictionary codes."""
    codes, present = source.codes, set(source.columns)
    mask = np.ones(source.num_rows, dtype=bool)

    def keep(column: str, selected) -> None:
        nonlocal mask
        # A column that is not text (all empty) matches no value, as in SQL.
        mask &= selected(codes[column]) if column in codes else False

    for field, column in VALUE_FACETS.items():
        values = getattr(state, field)
        if values and column in present:
            keep(column, lambda c, values=values: c.isin(values))
    if state.fiscal_year:
        keep(FISCAL_YEAR, lambda c: c.isin([state.fiscal_year]))
    if state.month_from:
        mask &= source.periods.starts >= np.datetime64(parse_period(state.month_from).start, "ms")
    if state.month_to:
        mask &= source.periods.ends <= np.datetime64(parse_period(state.month_to).end, "ms")
    if state.transit_places:
        passing = np.zeros(source.num_rows, dtype=bool)
        for place in state.transit_places:
            if TRANSIT_IDS in codes:
                passing |= codes[TRANSIT_IDS].contains(place)
        mask &= passing
    if not state.include_reentry and CHANNEL in codes:
        mask &= ~codes[CHANNEL].isin([REENTRY_CHANNEL])
    if focus and state.focus:
        mask &= touching_mask(source, state.focus)
    return mask


def touching_mask(source: RecordTable, place_id: str) -> np.ndarray:
    """Rows that leave from, go to or pass through a place (see :func:`touching`)."""
    codes = source.codes
    mask = np.zeros(source.num_rows, dtype=bool)
    for column, value in (leaving_from(place_id), (DESTINATION_ID, place_id)):
        if column in codes:
            mask |= codes[column].isin([value])
    if TRANSIT_IDS in codes:
        mask |= codes[TRANSIT_IDS].contains(place_id)
    return mask


@dataclass(frozen=True)
class GroupKey:
    """One integer per row numbering its combination of group codes (-1 codes included).

    ``groups`` holds each number's combination, packed as one integer (the codes + 1 of each
    column in turn, in base ``size + 1``). When there are few combinations in all (origins by
    destinations), a row's number is its packed combination; when there are many (origins by
    transit sequences by destinations), only the combinations present are numbered, so that a
    total per group costs the groups there are, not every possible one.
    """

    key: np.ndarray
    groups: np.ndarray
    sizes: tuple[int, ...]

    #: Combinations beyond which only those present are numbered.
    DENSE_LIMIT = 1 << 16

    @classmethod
    def of(cls, *columns: tuple[np.ndarray, int]) -> GroupKey:
        """From (codes, number of codes) per column; -1 (empty) is a group of its own."""
        key = np.zeros(len(columns[0][0]), dtype="int64")
        for codes, size in columns:
            key = key * (size + 1) + (codes.astype("int64") + 1)
        sizes = tuple(size for _, size in columns)
        combinations = int(np.prod([size + 1 for size in sizes], dtype="float64"))
        if combinations <= max(cls.DENSE_LIMIT, len(key)):
            groups = np.arange(combinations, dtype="int64")
        else:
            groups, key = np.unique(key, return_inverse=True)
            key = key.reshape(-1)
        # Half the bytes to read on every filter change when the groups are few.
        narrow = len(groups) < np.iinfo("int32").max
        return cls(key.astype("int32") if narrow else key, groups, sizes)

    def totals(
        self, mask: np.ndarray, counts: np.ndarray, zero_counts: bool
    ) -> tuple[list[np.ndarray], np.ndarray]:
        """Each column's code per group of the masked rows (-1 for empty) and the group totals
        of ``counts`` (already masked). Groups whose rows all count 0 are kept, as a GROUP BY
        keeps them, when ``zero_counts`` says there are such rows."""
        keys = self.key[mask]
        bins = len(self.groups)
        sums = np.bincount(keys, weights=counts, minlength=bins)
        present = np.flatnonzero(np.bincount(keys, minlength=bins) if zero_counts else sums)
        out, rest = [], self.groups[present]
        for size in reversed(self.sizes):
            out.append(rest % (size + 1) - 1)
            rest = rest // (size + 1)
        return out[::-1], np.rint(sums[present]).astype("int64")


def _labels(codes: Codes, group: np.ndarray) -> pd.Series:
    return pd.Series(np.append(codes.values, None)[group], dtype="string")


@dataclass(frozen=True)
class Aggregates:
    """What a view is drawn from, for one state.

    Attributes
    ----------
    pairs
        ``origin_id``, ``destination_id`` (either may be empty: unplaced), ``count``, for the
        focused records.
    origins
        ``origin_id``, ``count`` for the filtered records (focus not applied).
    focused_origins
        The same with the focus applied.
    trend
        ``period_start``, ``period_label``, ``count`` for the focused records the flows count
        (origin and destination known), dataset by dataset; for all of a dataset's records when
        none of them is (a table by district only). DoFE's two tables count the same permits:
        the months count them once.
    paths
        ``origin_id``, ``transit``, ``transit_ids``, ``destination_id``, ``count`` for the
        focused records; ``transit`` only says whether the record had one. None when not asked
        for.
    named_origins
        ``origin_id``, ``count`` for the filtered records before the origin filters (focus not
        applied): which areas the view's data name at all, whatever part of them is chosen.
    origins_in_data
        The origins any record of the chosen datasets names, whatever the filters (see
        :attr:`RecordTable.origins_named`).
    """

    pairs: pd.DataFrame
    origins: pd.DataFrame
    focused_origins: pd.DataFrame
    trend: pd.DataFrame
    paths: pd.DataFrame | None
    named_origins: pd.DataFrame
    origins_in_data: frozenset[str] = frozenset()


def _counted_by_month(source: RecordTable, focused: np.ndarray) -> np.ndarray:
    """The focused rows the month chart counts: of each dataset, the rows its flows count when
    it has some, else all its rows (DoFE's district table beside its destination table would
    count each permit twice; a dataset without flows, DoFE's districts beside a union's flows
    under a focus on Koshi, was left out of the chart)."""
    flowing = focused & source.flowing
    if DATASET not in source.codes or len(source.codes[DATASET].values) < 2:
        # One dataset (a pass less over a million rows than the rule below, same answer).
        return flowing if flowing.any() else focused
    datasets = source.codes[DATASET].indices
    with_flows = np.bincount(datasets[flowing] + 1, minlength=datasets.max(initial=0) + 2) > 0
    return np.where(with_flows[datasets + 1], flowing, focused)


def aggregate(source: RecordTable, state: FilterState, paths: bool = True) -> Aggregates:
    """Every total a view needs, computed where the records are.

    ``paths=False`` skips the totals per whole path, which only corridor views draw.
    """
    kept = mask_for(source, state, focus=False)
    focused = kept & touching_mask(source, state.focus) if state.focus else kept
    codes, periods, zero = source.codes, source.periods, source.zero_counts
    counts = source.counts[focused]
    (origin_group, destination_group), pair_totals = source.pair_key.totals(focused, counts, zero)
    pairs = pd.DataFrame(
        {
            ORIGIN_ID: _labels(codes[ORIGIN_ID], origin_group),
            DESTINATION_ID: _labels(codes[DESTINATION_ID], destination_group),
            COUNT: pair_totals,
        }
    )
    months = _counted_by_month(source, focused)
    (period_group,), period_totals = source.period_key.totals(months, source.counts[months], zero)
    if len(period_group):
        empty = np.setdiff1d(_periods_covered(source, state), period_group)
        period_group = np.concatenate([period_group, empty])
        period_totals = np.concatenate([period_totals, np.zeros(len(empty), dtype="int64")])
    trend_starts, trend_labels = source.trend_periods
    trend = pd.DataFrame(
        {
            PERIOD_START: pd.Series(trend_starts[period_group]).astype("datetime64[s]"),
            PERIOD_LABEL: pd.Series(trend_labels[period_group], dtype="string"),
            COUNT: period_totals,
        }
    )
    if (trend_labels[period_group] != periods.code_labels[period_group]).any():
        # Days counted under their months: one row per month.
        trend = trend.groupby([PERIOD_START, PERIOD_LABEL], as_index=False, sort=False)[COUNT].sum()
    trend = _with_months_between(trend)

    def origin_totals(mask: np.ndarray, counts: np.ndarray) -> pd.DataFrame:
        (group,), totals = source.origin_key.totals(mask, counts, zero)
        return pd.DataFrame({ORIGIN_ID: _labels(codes[ORIGIN_ID], group), COUNT: totals})

    # Origin totals of the focused records are those of their pairs.
    origin_sums = np.bincount(origin_group + 1, weights=pair_totals)
    present = np.flatnonzero(np.bincount(origin_group + 1, minlength=len(origin_sums)))
    focused_origins = pd.DataFrame(
        {
            ORIGIN_ID: _labels(codes[ORIGIN_ID], present - 1),
            COUNT: np.rint(origin_sums[present]).astype("int64"),
        }
    )
    origins = origin_totals(kept, source.counts[kept]) if state.focus else focused_origins
    named_origins = origins
    if state.origin_districts or state.origin_provinces:
        unchosen = mask_for(source, replace(state, origin_districts=(), origin_provinces=()), False)
        named_origins = origin_totals(unchosen, source.counts[unchosen])
    return Aggregates(
        pairs=pairs,
        origins=origins,
        focused_origins=focused_origins,
        trend=trend,
        paths=_path_totals(source, focused) if paths else None,
        named_origins=named_origins,
        origins_in_data=source.origins_named,
    )


def _path_totals(source: RecordTable, focused: np.ndarray) -> pd.DataFrame:
    """Totals per whole path of the focused rows, each place column as categories of its
    distinct values (a million records hold a few hundred thousand paths of a few hundred
    places)."""
    groups, totals = source.path_key.totals(focused, source.counts[focused], source.zero_counts)
    columns = {
        name: pd.Categorical.from_codes(
            group, categories=pd.Index(codes.values, dtype="str"), validate=False
        )
        for name, codes, group in zip(PATH_COLUMNS, source.path_codes, groups, strict=True)
    }
    return pd.DataFrame({**columns, COUNT: totals})


def _with_months_between(trend: pd.DataFrame) -> pd.DataFrame:
    """A trend of BS months with the months between its first and last that no record has at
    all, as zeros: a case dataset with no case in Bhadra has no Bhadra period, and the chart
    went from Shrawan to Poush as if they were next to each other."""
    if len(trend) < 2:
        return trend
    months = [_bs_month(label) for label in trend[PERIOD_LABEL].tolist()]
    if None in months:
        return trend
    have = {year * 12 + month - 1 for year, month in months}
    missing = [n for n in range(min(have), max(have) + 1) if n not in have]
    if not missing:
        return trend
    starts = [bs_month_span(n // 12, n % 12 + 1)[0] for n in missing]
    filled = pd.DataFrame(
        {
            PERIOD_START: pd.Series(pd.to_datetime(starts)).astype("datetime64[s]"),
            PERIOD_LABEL: pd.Series(
                [bs_month_label(n // 12, n % 12 + 1) for n in missing], dtype="string"
            ),  # fmt: skip
            COUNT: np.zeros(len(missing), dtype="int64"),
        }
    )
    return pd.concat([trend, filled], ignore_index=True)


def _bs_month(label: object) -> tuple[int, int] | None:
    """(BS year, month 1 to 12) of a label such as "Magh 2079", else None."""
    name, _, year = str(label).partition(" ")
    if name not in BS_MONTHS or not year.isdigit():
        return None
    return int(year), BS_MONTHS.index(name) + 1


def _periods_in(source: RecordTable, state: FilterState) -> np.ndarray:
    """Whether each period code is within the state's fiscal year and months."""
    periods = source.periods
    keep = np.ones(len(periods.code_starts), dtype=bool)
    if state.fiscal_year:
        keep &= periods.code_fiscal_years == state.fiscal_year
    if state.month_from:
        keep &= periods.code_starts >= np.datetime64(parse_period(state.month_from).start, "ms")
    if state.month_to:
        keep &= periods.code_ends <= np.datetime64(parse_period(state.month_to).end, "ms")
    return keep


def _periods_covered(source: RecordTable, state: FilterState) -> np.ndarray:
    """The period codes of every record within the state's fiscal year and months, whatever the
    other filters: a month of those with no record of the view is a zero of the view, not a
    month to leave out of its trend. None when the periods overlap (a fiscal year's total beside
    its months): they are not one time line to fill."""
    periods = source.periods
    keep = _periods_in(source, state)
    keep &= pd.notna(periods.code_labels) & ~np.isnat(periods.code_starts)
    covered = np.flatnonzero(keep)
    covered = covered[np.argsort(periods.code_starts[covered], kind="stable")]
    if (periods.code_starts[covered][1:] < periods.code_ends[covered][:-1]).any():
        return covered[:0]
    return covered


def datasets_outside_period(source: RecordTable, state: FilterState) -> dict[str, tuple[str, str]]:
    """The datasets of the records with no record in the state's fiscal year and months, each
    with the labels of its first and last periods: they add nothing to the state's view (an
    upload by calendar year beside DoFE's fiscal year vanished from it without a word)."""
    if DATASET not in source.codes:
        return {}
    datasets, periods = source.dataset_periods
    inside = set(datasets[_periods_in(source, state)[periods]].tolist())
    starts, labels = source.periods.code_starts, source.periods.code_labels
    outside = {}
    for dataset in dict.fromkeys(datasets.tolist()):
        if dataset and dataset not in inside:
            own = periods[(datasets == dataset) & pd.notna(labels[periods])]
            own = own[np.argsort(starts[own], kind="stable")]
            outside[dataset] = (str(labels[own[0]]), str(labels[own[-1]])) if len(own) else ("", "")
    return outside


def datasets_without_areas(source: RecordTable, state: FilterState) -> list[str]:
    """The datasets some of whose records the view counts in its flows, none of which names an
    origin district or province, when another dataset's do: the view's origin areas are the
    others' alone. Under a sex or destination filter DoFE's district table (no sex, no
    destination) drops out, and its destination table names Nepal as a whole."""
    if DATASET not in source.codes:
        return []
    kept = mask_for(source, state, focus=False)
    if state.focus:
        kept &= touching_mask(source, state.focus)
    datasets = source.codes[DATASET].indices
    with_areas = np.unique(datasets[kept & source.area_rows])
    if not len(with_areas):
        return []  # no origin area at all: the page says they are not recorded
    flowing = np.unique(datasets[kept & source.flowing])
    values = source.codes[DATASET].values
    return [str(values[code]) for code in np.setdiff1d(flowing, with_areas) if code >= 0]


def datasets_beyond_fiscal_year(
    source: RecordTable, state: FilterState
) -> dict[str, tuple[str, str]]:
    """The datasets with records in the state's fiscal year and others after it or spanning
    fiscal years (a calendar year, an AD month), each with the labels of the first and last of
    those: the view counts part of them (a desk's Chaitra 2079 to Shrawan 2080 lost its
    Shrawan 2080, 774 of its 2,172 people, under FY 2079/80, without a word). Earlier years are
    what choosing a year leaves out, and are not listed."""
    if not state.fiscal_year or DATASET not in source.codes:
        return {}
    datasets, periods = source.dataset_periods
    years, labels = source.periods.code_fiscal_years, source.periods.code_labels
    # A period of no one fiscal year (a calendar year, or an AD month such as July 2022, which
    # FY 2079/80 starts in the middle of) is left out where it ends in or after the chosen year
    # (2015 is not: it is before). July 2022 was left out of FY 2079/80 without a word.
    year_start = np.datetime64(parse_period(state.fiscal_year).start, "ms")
    ends_in_or_after = (source.periods.code_ends >= year_start).tolist()
    beyond = np.array(
        [label is not None and (year > state.fiscal_year if year else after)
         for year, label, after in zip(
             years.tolist(), labels.tolist(), ends_in_or_after, strict=True
         )],
        dtype=bool,
    )  # fmt: skip
    inside = set(datasets[_periods_in(source, state)[periods]].tolist())
    starts = source.periods.code_starts
    found = {}
    for dataset in dict.fromkeys(datasets.tolist()):
        if dataset not in inside:
            continue
        own = periods[(datasets == dataset) & beyond[periods]]
        if len(own):
            own = own[np.argsort(starts[own], kind="stable")]
            found[dataset] = (str(labels[own[0]]), str(labels[own[-1]]))
    return found


def option_records(source: RecordTable) -> pd.DataFrame:
    """A few rows that hold every distinct value of each text column and every distinct period
    (start, end, label, fiscal year) of the records, and nothing else.

    The filter options (:func:`routes.filters.facet_options`, ``months_by_fiscal_year``) read
    only those, so they cost the distinct values, not a pass of pandas over every record.
    """
    codes, periods = source.codes, source.periods
    years = codes.get(FISCAL_YEAR, Codes.of(pa.chunked_array([pa.nulls(source.num_rows)])))
    key = GroupKey.of((periods.codes, len(periods.code_starts)), (years.indices, len(years.values)))
    _, first = np.unique(key.key, return_index=True)
    columns: dict[str, pd.Series] = {
        PERIOD_START: pd.Series(periods.starts[first]),
        PERIOD_END: pd.Series(periods.ends[first]),
        PERIOD_LABEL: _labels(codes[PERIOD_LABEL], codes[PERIOD_LABEL].indices[first]),
        FISCAL_YEAR: _labels(years, years.indices[first]),
    }
    for name, column in codes.items():
        if name not in columns:
            present = np.bincount(column.indices + 1, minlength=len(column.values) + 1)[1:] > 0
            columns[name] = pd.Series(column.values[present], dtype="string")
    length = max(len(values) for values in columns.values())
    return pd.DataFrame({name: values.reindex(range(length)) for name, values in columns.items()})


def counted_in_flows(records: pd.DataFrame) -> pd.Series:
    """Whether each record counts in the flows, by :attr:`RecordTable.flowing`'s rule (origin
    placed, destination placed and known), for records taken out one by one: DoFE's district
    table counts the permits of its destination table again, outside the flows."""
    destination = records[DESTINATION_ID].astype("string")
    known = records[ORIGIN_ID].notna() & destination.notna() & (destination != UNKNOWN_ID)
    return known.fillna(False).astype(bool)


def filtered_records(source: RecordTable, state: FilterState, focus: bool = False) -> pd.DataFrame:
    """The records a state keeps, one by one (for record-level export and the focus panel)."""
    where = where_for(state, source.columns, focus=focus)
    return _query(source, f"SELECT * FROM {TABLE} WHERE {where.sql}", list(where.params))


def place_breakdown(
    source: RecordTable, state: FilterState, place_id: str, column: str, arriving: bool = False
) -> pd.DataFrame:
    """Totals of the records touching a place, by one column (``not recorded`` for empty,
    last: it stood above the cities the records name); with ``arriving``, of the records whose
    destination it is only."""
    place = Where(f'"{DESTINATION_ID}" = ?', (place_id,)) if arriving else touching(place_id)
    where = where_for(state, source.columns, focus=False).and_(place)
    frame = _query(
        source,
        f"""SELECT coalesce(CAST("{column}" AS VARCHAR), 'not recorded') AS "{column}",
                   CAST(SUM("{COUNT}") AS BIGINT) AS "{COUNT}"
            FROM {TABLE} WHERE {where.sql} GROUP BY 1
            ORDER BY bool_or({TABLE}."{column}" IS NULL), 2 DESC, 1""",
        list(where.params),
    )
    return frame.astype({column: "string", COUNT: "int64"})


def place_totals(source: RecordTable, state: FilterState, place_id: str) -> tuple[int, int, int]:
    """Leaving from, arriving at and passing through a place, over the filtered records."""
    where = where_for(state, source.columns, focus=False)
    origin, value = leaving_from(place_id)
    row = _query(
        source,
        f"""SELECT
              coalesce(SUM(CASE WHEN "{origin}" = ? THEN "{COUNT}" END), 0),
              coalesce(SUM(CASE WHEN "{DESTINATION_ID}" = ? THEN "{COUNT}" END), 0),
              coalesce(SUM(CASE WHEN contains(coalesce("{TRANSIT_IDS}", ''), ?)
                                THEN "{COUNT}" END), 0)
            FROM {TABLE} WHERE {where.sql}""",
        [value, place_id, place_id, *where.params],
    )
    return tuple(int(value) for value in row.iloc[0])
