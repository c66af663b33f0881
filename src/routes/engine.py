"""Filter and aggregate records where they live: DuckDB over an Arrow table, without copies.

A view never needs the records one by one: it needs origin -> destination totals, totals per
origin, per period and per path, and a few totals of one place. DuckDB computes them from the
Arrow table of the chosen datasets in one pass each, so a filter change costs about as much as a
GROUP BY, whatever the record count. :func:`routes.filters.filter_records` is the same filter in
pandas; the tests hold the two to the same answers.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from routes.filters import VALUE_FACETS, FilterState
from routes.periods import parse_period
from routes.schema import (
    CHANNEL,
    COUNT,
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


@dataclass(frozen=True)
class RecordTable:
    """The placed records of the chosen datasets as one Arrow table, queried in place."""

    table: pa.Table

    @classmethod
    def from_frame(cls, records: pd.DataFrame) -> RecordTable:
        """The records as Arrow, each text column dictionary-encoded: a million rows hold a few
        hundred distinct places, periods and categories, and DuckDB groups and filters
        dictionary columns about twice as fast."""
        table = pa.Table.from_pandas(records, preserve_index=False)
        columns = [
            pc.dictionary_encode(column)
            if pa.types.is_string(column.type) or pa.types.is_large_string(column.type)
            else column
            for column in table.columns
        ]
        return cls(pa.table(columns, names=table.column_names))

    @property
    def num_rows(self) -> int:
        return self.table.num_rows

    @property
    def columns(self) -> list[str]:
        return self.table.column_names


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
    return Where(
        f'"{ORIGIN_ID}" = ? OR "{DESTINATION_ID}" = ? '
        f"OR contains(coalesce(\"{TRANSIT_IDS}\", ''), ?)",
        (place_id, place_id, place_id),
    )


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
        ``period_start``, ``period_label``, ``count`` for the focused records.
    paths
        ``origin_id``, ``transit``, ``transit_ids``, ``destination_id``, ``count`` for the
        focused records; ``transit`` only says whether the record had one. None when not asked
        for.
    """

    pairs: pd.DataFrame
    origins: pd.DataFrame
    focused_origins: pd.DataFrame
    trend: pd.DataFrame
    paths: pd.DataFrame | None


def aggregate(source: RecordTable, state: FilterState, paths: bool = True) -> Aggregates:
    """Every total a view needs, computed where the records are.

    ``paths=False`` skips the totals per whole path, which only corridor views draw.
    """
    columns = source.columns
    kept = where_for(state, columns, focus=False)
    focused = where_for(state, columns, focus=True)
    count = f'CAST(SUM("{COUNT}") AS BIGINT) AS "{COUNT}"'
    grouped = _query(
        source,
        f"""
        SELECT "{ORIGIN_ID}", "{DESTINATION_ID}", "{PERIOD_START}", "{PERIOD_LABEL}",
               GROUPING("{ORIGIN_ID}", "{DESTINATION_ID}", "{PERIOD_START}", "{PERIOD_LABEL}")
                   AS grouping_id,
               {count}
        FROM {TABLE} WHERE {focused.sql}
        GROUP BY GROUPING SETS (("{ORIGIN_ID}", "{DESTINATION_ID}"),
                                ("{PERIOD_START}", "{PERIOD_LABEL}"))
        """,
        list(focused.params),
    )
    pairs = grouped[grouped["grouping_id"] == 0b0011][[ORIGIN_ID, DESTINATION_ID, COUNT]]
    trend = grouped[grouped["grouping_id"] == 0b1100][[PERIOD_START, PERIOD_LABEL, COUNT]]
    focused_origins = pairs.groupby(ORIGIN_ID, dropna=False, sort=False)[COUNT].sum().reset_index()
    if state.focus:
        origins = _query(
            source,
            f'SELECT "{ORIGIN_ID}", {count} FROM {TABLE} WHERE {kept.sql} GROUP BY 1',
            list(kept.params),
        )
    else:
        origins = focused_origins
    if paths:
        path_totals = _query(
            source,
            f"""
            SELECT "{ORIGIN_ID}", CASE WHEN "{TRANSIT}" IS NULL THEN NULL ELSE 'yes' END
                       AS "{TRANSIT}",
                   "{TRANSIT_IDS}", "{DESTINATION_ID}", {count}
            FROM {TABLE} WHERE {focused.sql}
            GROUP BY 1, 2, 3, 4
            """,
            list(focused.params),
        )
        path_totals = _as_strings(path_totals)
    else:
        path_totals = None
    return Aggregates(
        pairs=_as_strings(pairs.reset_index(drop=True)),
        origins=_as_strings(origins),
        focused_origins=_as_strings(focused_origins),
        trend=_with_dates(trend.reset_index(drop=True)),
        paths=path_totals,
    )


def _as_strings(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if column != COUNT:
            out[column] = out[column].astype("string")
    out[COUNT] = out[COUNT].astype("int64")
    return out


def _with_dates(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out[PERIOD_START] = pd.to_datetime(out[PERIOD_START]).astype("datetime64[s]")
    out[PERIOD_LABEL] = out[PERIOD_LABEL].astype("string")
    out[COUNT] = out[COUNT].astype("int64")
    return out


def filtered_records(source: RecordTable, state: FilterState, focus: bool = False) -> pd.DataFrame:
    """The records a state keeps, one by one (for record-level export and the focus panel)."""
    where = where_for(state, source.columns, focus=focus)
    return _query(source, f"SELECT * FROM {TABLE} WHERE {where.sql}", list(where.params))


def place_breakdown(
    source: RecordTable, state: FilterState, place_id: str, column: str
) -> pd.DataFrame:
    """Totals of the records touching a place, by one column (``not recorded`` for empty)."""
    where = where_for(state, source.columns, focus=False).and_(touching(place_id))
    frame = _query(
        source,
        f"""SELECT coalesce(CAST("{column}" AS VARCHAR), 'not recorded') AS "{column}",
                   CAST(SUM("{COUNT}") AS BIGINT) AS "{COUNT}"
            FROM {TABLE} WHERE {where.sql} GROUP BY 1 ORDER BY 2 DESC, 1""",
        list(where.params),
    )
    return frame.astype({column: "string", COUNT: "int64"})


def place_totals(source: RecordTable, state: FilterState, place_id: str) -> tuple[int, int, int]:
    """Leaving from, arriving at and passing through a place, over the filtered records."""
    where = where_for(state, source.columns, focus=False)
    row = _query(
        source,
        f"""SELECT
              coalesce(SUM(CASE WHEN "{ORIGIN_ID}" = ? THEN "{COUNT}" END), 0),
              coalesce(SUM(CASE WHEN "{DESTINATION_ID}" = ? THEN "{COUNT}" END), 0),
              coalesce(SUM(CASE WHEN contains(coalesce("{TRANSIT_IDS}", ''), ?)
                                THEN "{COUNT}" END), 0)
            FROM {TABLE} WHERE {where.sql}""",
        [place_id, place_id, place_id, *where.params],
    )
    return tuple(int(value) for value in row.iloc[0])
