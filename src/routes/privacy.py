"""Small-cell suppression for restricted datasets.

The practice of the Counter Trafficking Data Collaborative: in a view of restricted data, a count
below the threshold k (default 10) is never shown; it reads ``"<10"``. Other counts are hidden as
well ("complementary" suppression) and read ``"hidden"``, so that no hidden count can be worked
out from what is shown: not by subtracting shown counts from a shown total, not by combining
totals, and not from what the labels give away (a ``"<10"`` count is 1 to k - 1, a complementary
one k or more). Rarely, a small count whose ``"<10"`` would itself give it away (nine ``"<10"``
cells under a ``"<10"`` total are each 1) reads ``"hidden"`` too. Public datasets are shown as
published.

How a table is protected
------------------------
Every count of a table and of its margins is an edge of a small graph whose nodes are the
equations "total = sum of its cells" (rows, columns, groups, the grand total). A hidden count can
be recovered exactly if and only if no cycle of hidden edges lets it move by one while every other
hidden count stays inside its known bounds (the residual graph of a circulation). Primary cells
(1 to k - 1) are hidden first; then, for every equation whose hidden cells are all on one side,
their sum must reach k (so "the rest" is not itself a small count); then every hidden count that
still cannot move gets a cycle through the cheapest shown counts (a shortest path, interior cells
before margins), which are hidden too. Hiding more never unprotects a count, so this ends.

Counts that add up along paths (corridor legs and the places they pass) are not such a graph.
:func:`suppress_corridor_view` shows a leg's or a place's count only when it follows from what
the corridor table already shows; every other one reads "hidden", whatever its size.

Zeros are shown: they describe nobody. Rows of a ranked table whose count is hidden are moved to
the end (their position would bound their value), and every share of a hidden count is blank.

Rounding
--------
Each view is protected on its own, but an analyst can compare views: all months 46 and from
Falgun 38 would give Magh 8. So every count a restricted view shows, totals included, is rounded
to the nearest 5 (never below k, and always a multiple of 5): 45 and 40 leave Magh anywhere from
1 to 9. Two shown counts never pin the difference of their true counts down to one value (a
shown 10 is 10 to 12, any other shown count five values), but near the threshold they can
narrow it (10 and 10 leave 1 or 2), and several views compared can narrow it further: rounding
reduces the risk of comparing views, it does not remove it. Suppression decides on the true
counts, as above; rounding only changes what is shown, each count on its own, so shown rows need
not add up to a shown total. Shares are of the rounded counts, and rows shown alike are ordered
by name, not by their true counts. Public datasets are not rounded.

Rounding alone did not hold against many views of chosen sets ({A, B, C} against {B, C}, month
ranges, or a restricted dataset of known counts combined with the target): the app also shows a
restricted dataset on its own, one value per filter and whole fiscal years
(:func:`routes.filters.restricted_state`). That stops the simple comparisons, not a
determined user: with thousands of allowed views (every combination of the one-value filters)
and an integer solver, a review worked out most small counts of a synthetic dataset exactly.
Each view is safe to share; the app on restricted data is for people entitled to the records.
"""

from __future__ import annotations

import heapq
import math
import os
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa

#: Dataset sensitivities (dataset metadata).
PUBLIC = "public"
RESTRICTED = "restricted"
SENSITIVITIES = (PUBLIC, RESTRICTED)

DEFAULT_K = 10
#: Every count a restricted view shows is rounded to a multiple of this (and is at least k).
ROUNDING_BASE = 5
#: Environment variable that sets k for a deployment.
K_ENV = "ROUTES_SUPPRESSION_K"

#: Label of a count hidden so that another cannot be worked out (and of a small count whose "<k"
#: would give it away).
HIDDEN_LABEL = "hidden"
#: Filled in with k: the notice every suppressed view and export carries.
SUPPRESSION_NOTICE = (
    "Small-cell suppression applied: counts below {k} are shown as <{k}, and some other counts "
    "are hidden so that they cannot be worked out by subtraction within this view. Every count "
    "shown, totals included, is rounded to the nearest {base} on its own (so rows may not add "
    "up to their total), and restricted data is shown on its own, one value per filter and "
    "whole fiscal years. This view, and each export of it, can be shared; the app itself "
    "cannot: many views compared can still reveal small counts, so only people entitled to "
    "the records should use it on restricted data (lock the dataset with an access phrase)."
)

COUNT = "count"
SHARE = "share"
LABEL_SUFFIX = "_label"
SUPPRESSED_SUFFIX = "_suppressed"
#: Columns every suppressed table gains for its ``count`` column.
COUNT_LABEL = "count_label"
SHARE_LABEL = "share_label"
SUPPRESSED = "suppressed"

# Statuses of a count. A small count is labelled "<k" unless that label, with the others, would
# let it be worked out (e.g. k - 1 cells of "<k" under a "<k" total): then it reads "hidden".
_SHOWN, _PRIMARY, _COMPLEMENTARY, _SMALL_HIDDEN = 0, 1, 2, 3


# --- settings and policy -------------------------------------------------------------------------


def suppression_k() -> int:
    """The threshold k: ``ROUTES_SUPPRESSION_K`` if set, else 10.

    Raises
    ------
    ValueError
        If the variable is set to anything but a whole number of at least 3, or to one that the
        rounding of shown counts would weaken (two more than a multiple of 5: see
        :func:`rounded_counts`).
    """
    raw = os.environ.get(K_ENV, "").strip()
    if not raw:
        return DEFAULT_K
    try:
        k = int(raw)
    except ValueError:
        k = 0
    if k < 3:
        raise ValueError(
            f"{K_ENV} is '{raw}'; set it to a whole number of at least 3 (default {DEFAULT_K}), "
            "or unset it."
        )
    if (k + 3) % ROUNDING_BASE == 0:
        raise ValueError(
            f"{K_ENV} is {k}: counts are shown rounded to the nearest {ROUNDING_BASE}, and with "
            f"a threshold two more than a multiple of {ROUNDING_BASE} (7, 12, 17, ...) two views "
            f"compared can give a hidden count of {k - 1} exactly. Choose another threshold, "
            f"e.g. {k - 2}, {k - 1} or {k + 1}."
        )
    return k


def suppression_notice(k: int) -> str:
    """The notice shown beside and written into every view that suppression changed."""
    return SUPPRESSION_NOTICE.format(k=k, base=ROUNDING_BASE)


def suppression_note(k: int) -> str:
    """The notice in brief, for a map's source box (the page and every export carry it whole)."""
    return (
        f"Restricted data: counts below {k} read <{k}, some others are hidden, and every count "
        f"is rounded to the nearest {ROUNDING_BASE}."
    )


def smallest_shown(k: int) -> int:
    """The smallest count a restricted view shows besides 0: k rounded up to a multiple of
    :data:`ROUNDING_BASE` (10 for k = 10, 15 for k = 11)."""
    return -(-int(k) // ROUNDING_BASE) * ROUNDING_BASE


def rounded_counts(values: Sequence[int] | np.ndarray, k: int | None) -> np.ndarray:
    """Counts as a restricted view shows them: to the nearest :data:`ROUNDING_BASE` (halves
    up), and never below :func:`smallest_shown`; zeros stay zeros. With k None (public data),
    as they are.

    Only counts that suppression lets show (0, or k or more) should be passed. Every shown
    count is a multiple of the base, so none reads as itself: with k = 12, "12" would be
    exactly 12.
    """
    counts = np.asarray(values, dtype="int64")
    if k is None:
        return counts
    nearest = (counts + ROUNDING_BASE // 2) // ROUNDING_BASE * ROUNDING_BASE
    return np.where(counts > 0, np.maximum(nearest, smallest_shown(k)), 0)


def label_bounds(label: str, k: int) -> tuple[float, float]:
    """What a restricted view's label tells of its count: "0" is 0; "<k" is 1 to k - 1;
    "hidden" is 1 or more; a shown count (rounded) is within 2 of it, and the smallest shown
    is k or more (with k = 11, "15" is 11 to 17)."""
    if label == small_label(k):
        return 1.0, float(k - 1)
    if label == HIDDEN_LABEL:
        return 1.0, math.inf
    value = int(label.replace(",", ""))
    if value == 0:
        return 0.0, 0.0
    return float(k if value == smallest_shown(k) else value - 2), float(value + 2)


def count_label(value: int, k: int) -> str:
    """A count as a restricted view shows one standing alone (a dataset's records): "<k" below
    the threshold, else rounded (see :func:`rounded_counts`)."""
    return _label(value, _PRIMARY if 0 < value < k else _SHOWN, k)


def small_total(total_labels: Sequence[str], periods: int, k: int) -> bool:
    """Whether a total shown as one of ``total_labels`` is too small for its parts by period to
    be shown beside it, whatever they are: "<k" or hidden, or at most one for each of the
    ``periods`` (a total of "10", 10 to 12, over 12 months of "<10" is 1 a month).

    Decided from what the view shows (the total, the periods it covers), never from the parts
    themselves: leaving the months out only when they would pin a count said that they would
    (nine months left out under "<10" meant nine people, one a month: a code review)."""
    for label in total_labels:
        if label in (small_label(k), HIDDEN_LABEL) or label_bounds(label, k)[1] <= periods:
            return True
    return False


def pins_a_count(labels: Sequence[str], total_labels: Sequence[str], k: int) -> bool:
    """Whether the labels of a one-way table's cells, with the labels its total is shown under
    elsewhere in the view, leave a hidden cell one possible value: each cell with records is at
    least 1, so 9 months of "<10" under a total of "<10" are 1 each, as are 12 months of "<10"
    under a total of "10" (10 to 12); and whether they leave a total shown as "<k" one possible
    value. A total hidden elsewhere counts as pinned: the cells would bound it, and so the other
    tables' hidden cells (one month of "<10" under a hidden total of 9 districts of "<10": a
    security review worked out both)."""
    if HIDDEN_LABEL in total_labels:
        return True
    bounds = np.array([label_bounds(label, k) for label in labels], dtype=float).reshape(-1, 2)
    low, high = bounds[:, 0], bounds[:, 1]
    total_low, total_high = low.sum(), high.sum()
    for label in total_labels:
        shown_low, shown_high = label_bounds(label, k)
        total_low, total_high = max(total_low, shown_low), min(total_high, shown_high)
    hidden = np.array([label in (small_label(k), HIDDEN_LABEL) for label in labels], dtype=bool)
    # Each cell's range given the others' and the total's (the others' highest sum is unbounded
    # when another cell is).
    unbounded = np.isinf(high)
    others_unbounded = unbounded.sum() - unbounded > 0
    finite = np.where(unbounded, 0.0, high)
    others_high = np.where(others_unbounded, math.inf, finite.sum() - finite)
    least = np.maximum(low, total_low - others_high)
    most = np.minimum(high, total_high - (low.sum() - low))
    small_total = small_label(k) in total_labels
    return bool((hidden & (most - least < 1)).any() or (small_total and total_high - total_low < 1))


def is_restricted(sensitivity: str) -> bool:
    """True for ``"restricted"``, False for ``"public"``.

    Raises
    ------
    ValueError
        For any other value, so that a typo never publishes restricted data.
    """
    value = str(sensitivity).strip().lower()
    if value not in SENSITIVITIES:
        raise ValueError(f"Sensitivity '{sensitivity}' is not known; use 'public' or 'restricted'.")
    return value == RESTRICTED


def suppression_k_for(sensitivities: Iterable[str], k: int | None = None) -> int | None:
    """The k a view of these datasets needs, or None when all of them are public.

    A view that combines a restricted dataset with public ones is restricted as a whole.

    Parameters
    ----------
    sensitivities
        The sensitivity of every dataset in the view.
    k
        The threshold to use; :func:`suppression_k` when None.
    """
    if any([is_restricted(value) for value in sensitivities]):
        return suppression_k() if k is None else _checked_k(k)
    return None


def small_label(k: int) -> str:
    """``10`` -> ``"<10"``."""
    return f"<{k}"


def format_count(value: float | int) -> str:
    """``12345`` -> ``"12,345"``."""
    return f"{int(value):,}"


def _checked_k(k: int) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a whole number of at least 1, not {k!r}.")
    return int(k)


# --- results ------------------------------------------------------------------------------------


class _Summary:
    """What every suppressed result says about itself (needs ``k``, ``primary``,
    ``complementary``)."""

    k: int | None
    primary: int
    complementary: int

    @property
    def applied(self) -> bool:
        """True when any count is hidden."""
        return self.primary + self.complementary > 0

    @property
    def notice(self) -> str | None:
        """The suppression notice for the screen and for export metadata, when k applies."""
        return suppression_notice(self.k) if self.k is not None else None


@dataclass(frozen=True)
class SuppressedTable(_Summary):
    """A one-way table after suppression.

    Attributes
    ----------
    frame
        The input rows with ``count`` as nullable ``Int64`` (NA where hidden), ``count_label``
        (``"1,234"``, ``"<10"`` or ``"hidden"``), ``suppressed`` and, if the input had a ``share``,
        ``share`` (NA where hidden) and ``share_label``.
    k
        The threshold, or None when nothing was suppressed because the data is public.
    total, total_label
        The total as shown (None when hidden) and its label.
    primary, complementary
        How many counts (cells and totals) were hidden because they are below k, and how many
        so that those cannot be worked out.
    group_totals
        With ``groups``: one row per group with its ``count``, ``count_label`` and ``suppressed``.
    remainder, remainder_label
        When ``total`` is larger than the cells' sum: the difference (records outside the table)
        as it may be shown (None when hidden) and its label; 0 and None without one.
    """

    frame: pd.DataFrame
    k: int | None
    total: int | None
    total_label: str
    primary: int
    complementary: int
    group_totals: pd.DataFrame | None = None
    remainder: int | None = None
    remainder_label: str | None = None


@dataclass(frozen=True)
class SuppressedBreakdown(_Summary):
    """A two-way table with its margins after suppression.

    ``cells`` holds one row per (row, column) pair with a positive count, ``row_totals`` and
    ``column_totals`` one row per row and column value; each with ``count`` (``Int64``, NA where
    hidden), ``count_label`` and ``suppressed``.
    """

    cells: pd.DataFrame
    row_totals: pd.DataFrame
    column_totals: pd.DataFrame
    row_col: str
    col_col: str
    k: int | None
    total: int | None
    total_label: str
    primary: int
    complementary: int

    def wide(self, total_name: str = "Total") -> pd.DataFrame:
        """The labels as a cross table with a total row and column (for display and export)."""
        rows = self.row_totals[self.row_col].tolist()
        cols = self.column_totals[self.col_col].tolist()
        zero = "0"
        table = pd.DataFrame(zero, index=pd.Index(rows, name=self.row_col), columns=cols)
        for r, c, label in zip(
            self.cells[self.row_col], self.cells[self.col_col], self.cells[COUNT_LABEL], strict=True
        ):
            table.loc[r, c] = label
        table[total_name] = self.row_totals[COUNT_LABEL].to_numpy()
        footer = [*self.column_totals[COUNT_LABEL].tolist(), self.total_label]
        table.loc[total_name] = footer
        return table


@dataclass(frozen=True)
class SuppressedFlowView(_Summary):
    """Flows, nodes and the destination table of one view, suppressed together.

    The flows are an origin x destination table whose margins are the nodes' ``count_out`` and
    ``count_in`` (and the destination table), so all four are protected as one.
    """

    flows: gpd.GeoDataFrame
    nodes: gpd.GeoDataFrame
    destination_table: pd.DataFrame
    k: int | None
    total: int | None
    total_label: str
    primary: int
    complementary: int


@dataclass(frozen=True)
class SuppressedCorridorView(_Summary):
    """Corridors, their legs and the places on them, suppressed together."""

    corridors: pd.DataFrame
    legs: gpd.GeoDataFrame
    nodes: gpd.GeoDataFrame
    k: int | None
    total: int | None
    total_label: str
    primary: int
    complementary: int


# --- public functions ---------------------------------------------------------------------------


def suppress_counts(
    table: pd.DataFrame,
    k: int | None,
    total: int | None = None,
    groups: str | Sequence[str] | None = None,
    *,
    count_col: str = COUNT,
    hidden_last: bool = True,
) -> SuppressedTable:
    """Suppress a one-way table of counts against its total (and its group totals).

    The table's sum is treated as shown, whether or not the view prints it: shares and charts
    give it away.

    Parameters
    ----------
    table
        One row per cell with a non-negative whole ``count_col``. A GeoDataFrame stays one.
    k
        The threshold; None shows the data as published (public datasets).
    total
        A shown total that also counts records outside the table (e.g. records with no
        destination). The difference is protected like a cell and reported as ``remainder``.
    groups
        Column(s) whose group totals are shown too (e.g. totals per province); each group and
        the grand total are then protected.
    count_col
        The column of counts.
    hidden_last
        Move rows whose count is hidden to the end, ordered by their other columns. Keep True for
        a table ranked by count, where a hidden row's place would bound its value.

    Returns
    -------
    SuppressedTable
    """
    counts = _counts(table, count_col)
    cell_total = int(counts.sum())
    if total is not None and int(total) < cell_total:
        raise ValueError(
            f"The total {total} is smaller than the sum of column '{count_col}' ({cell_total}); "
            "pass the total the table's cells add up to, or None."
        )
    remainder = int(total) - cell_total if total is not None else 0
    group_keys = _group_keys(table, groups)
    status_cells, group_status, remainder_status, total_status = _solve_one_way(
        counts, group_keys, remainder, k
    )
    grand = cell_total + remainder
    frame = _main_labelled(
        table,
        count_col,
        counts,
        status_cells,
        k,
        share_total=grand if total_status == _SHOWN else None,
        share=SHARE in table.columns,
    )
    if hidden_last:
        frame = _hidden_last(frame, SUPPRESSED, count_col, k)
    group_totals = None
    if group_keys is not None:
        names = [groups] if isinstance(groups, str) else list(groups)
        sums = np.bincount(
            group_keys.codes, weights=counts.to_numpy(), minlength=len(group_keys.values)
        ).astype("int64")
        keys = pd.DataFrame(group_keys.values, columns=names).assign(**{COUNT: sums})
        group_totals = _labelled(keys, COUNT, sums, group_status, k, flag=SUPPRESSED)
    statuses = [status_cells, group_status, [total_status]]
    if remainder:
        statuses.append([remainder_status])
    return SuppressedTable(
        frame=frame,
        k=k,
        total=_shown_value(grand, total_status, k),
        total_label=_label(grand, total_status, k),
        primary=_tally(statuses, _PRIMARY, _SMALL_HIDDEN),
        complementary=_tally(statuses, _COMPLEMENTARY),
        group_totals=group_totals,
        remainder=_shown_value(remainder, remainder_status, k) if remainder else 0,
        remainder_label=_label(remainder, remainder_status, k) if remainder else None,
    )


def suppress_breakdown(
    table: pd.DataFrame,
    row_col: str,
    col_col: str,
    k: int | None,
    *,
    count_col: str = COUNT,
) -> SuppressedBreakdown:
    """Suppress a two-way table (e.g. sex x channel) shown with row, column and grand totals.

    Parameters
    ----------
    table
        Long form: one row per (row value, column value) with its count; repeated pairs are
        added up and missing pairs are zero.
    row_col, col_col
        The two columns that span the table.
    k
        The threshold; None shows the data as published.

    Returns
    -------
    SuppressedBreakdown
        Per row and per column: no hidden count can be worked out from the shown ones.
    """
    for column in (row_col, col_col):
        if column not in table.columns:
            raise ValueError(f"The table has no column '{column}' to break the counts down by.")
    counts = _counts(table, count_col)
    long = (
        table.assign(**{count_col: counts.to_numpy()})
        .groupby([row_col, col_col], sort=False, dropna=False)[count_col]
        .sum()
        .reset_index()
        .rename(columns={count_col: COUNT})
    )
    long = long[long[COUNT] > 0].reset_index(drop=True)
    rows = pd.Index(pd.unique(table[row_col]))
    cols = pd.Index(pd.unique(table[col_col]))
    row_idx = rows.get_indexer(long[row_col])
    col_idx = cols.get_indexer(long[col_col])
    values = long[COUNT].to_numpy(dtype="int64")
    cell_status, row_status, col_status, total_status = _solve_two_way(
        values, row_idx, col_idx, len(rows), len(cols), k
    )
    row_values = np.bincount(row_idx, weights=values, minlength=len(rows)).astype("int64")
    col_values = np.bincount(col_idx, weights=values, minlength=len(cols)).astype("int64")
    grand = int(values.sum())
    cells = _labelled(long, COUNT, values, cell_status, k, flag=SUPPRESSED)
    row_totals = pd.DataFrame({row_col: rows, COUNT: row_values})
    row_totals = _labelled(row_totals, COUNT, row_values, row_status, k, flag=SUPPRESSED)
    col_totals = pd.DataFrame({col_col: cols, COUNT: col_values})
    col_totals = _labelled(col_totals, COUNT, col_values, col_status, k, flag=SUPPRESSED)
    statuses = [cell_status, row_status, col_status, [total_status]]
    return SuppressedBreakdown(
        cells=cells,
        row_totals=row_totals,
        column_totals=col_totals,
        row_col=row_col,
        col_col=col_col,
        k=k,
        total=_shown_value(grand, total_status, k),
        total_label=_label(grand, total_status, k),
        primary=_tally(statuses, _PRIMARY, _SMALL_HIDDEN),
        complementary=_tally(statuses, _COMPLEMENTARY),
    )


def suppress_flow_view(
    flows: gpd.GeoDataFrame, nodes: gpd.GeoDataFrame, k: int | None
) -> SuppressedFlowView:
    """Suppress the flows, their nodes and the destination table of one view together.

    Parameters
    ----------
    flows
        From :func:`routes.flows.compute_flows`, every flow of the view (suppress before keeping
        the top N: the total of all flows is shown).
    nodes
        From :func:`routes.flows.compute_nodes` over the same flows.
    k
        The threshold; None shows the data as published.

    Returns
    -------
    SuppressedFlowView
        ``flows`` with ``count``/``count_label``/``suppressed``/``share``/``share_label``;
        ``nodes`` with ``count_in``, ``count_out`` and their ``_label`` and ``_suppressed``
        columns; ``destination_table``, the table beside the map: totals per destination,
        largest first, with labels. Rows with a hidden count come last.
    """
    values = _counts(flows, COUNT).to_numpy(dtype="int64")
    row_idx, origins = pd.factorize(flows["origin_id"].to_numpy(dtype=object))
    col_idx, destinations = pd.factorize(flows["destination_id"].to_numpy(dtype=object))
    cell_status, row_status, col_status, total_status = _solve_two_way(
        values, row_idx, col_idx, len(origins), len(destinations), k
    )
    grand = int(values.sum())
    shown_total = grand if total_status == _SHOWN else None
    out_flows = _main_labelled(flows, COUNT, values, cell_status, k, shown_total, share=True)
    out_flows = _hidden_last(out_flows, SUPPRESSED, COUNT, k)

    out_values = np.bincount(row_idx, weights=values, minlength=len(origins)).astype("int64")
    in_values = np.bincount(col_idx, weights=values, minlength=len(destinations)).astype("int64")
    out_nodes = _with_columns(
        nodes,
        {
            **_margin_columns(nodes, "count_out", origins, out_values, row_status, k),
            **_margin_columns(nodes, "count_in", destinations, in_values, col_status, k),
        },
    )

    names: dict[str, str] = {}
    for pid, name in zip(
        flows["destination_id"].tolist(), flows["destination_name"].tolist(), strict=True
    ):
        names.setdefault(pid, name)
    destination_names = np.array([str(names[pid]) for pid in destinations], dtype=object)
    # Largest first, then by name (a stable sort).
    order = np.lexsort((pd.factorize(destination_names, sort=True)[0], -in_values))
    table = pd.DataFrame(
        {
            "destination_id": pd.Series(destinations[order], dtype=str),
            "destination_name": pd.Series(destination_names[order], dtype=str),
            COUNT: in_values[order],
        }
    )
    table = _main_labelled(
        table, COUNT, in_values[order], col_status[order], k, shown_total, share=True
    )
    table = _hidden_last(table, SUPPRESSED, COUNT, k)
    statuses = [cell_status, row_status, col_status, [total_status]]
    return SuppressedFlowView(
        flows=out_flows,
        nodes=out_nodes,
        destination_table=table.reset_index(drop=True),
        k=k,
        total=_shown_value(grand, total_status, k),
        total_label=_label(grand, total_status, k),
        primary=_tally(statuses, _PRIMARY, _SMALL_HIDDEN),
        complementary=_tally(statuses, _COMPLEMENTARY),
    )


def suppress_corridor_view(
    corridors: pd.DataFrame,
    legs: gpd.GeoDataFrame,
    nodes: gpd.GeoDataFrame,
    k: int | None,
    *,
    drawn: int | None = None,
    ranked: CorridorRanking | None = None,
) -> SuppressedCorridorView:
    """Suppress the corridor table, the legs drawn on the map and the places on them together.

    Parameters
    ----------
    corridors
        From :func:`routes.flows.compute_corridors`: every corridor of the view, ranked (the
        total of all of them is shown).
    legs, nodes
        From :func:`routes.flows.compute_legs` and :func:`routes.flows.compute_corridor_nodes`
        over the first ``drawn`` corridors (all of them when None).
    k
        The threshold; None shows the data as published.
    drawn
        How many of the leading corridors the legs and nodes were computed from (the map's top N).
    ranked
        From :func:`rank_corridors_as_shown` when ``corridors`` is its frame: its statuses are
        used rather than worked out again.

    Returns
    -------
    SuppressedCorridorView
        The corridors suppressed against their total. A leg's or a place's count is shown only
        when it follows from the shown corridors and total (it holds no hidden corridor, or all of
        them alike); every other one reads "hidden" (never "<k": a bound on a sum of corridors
        could pin one down).
    """
    values = _counts(corridors, COUNT).to_numpy(dtype="int64")
    if ranked is not None and ranked.frame is corridors:
        cell_status, total_status = ranked.status, ranked.total_status
    else:
        cell_status, _, _, total_status = _solve_one_way(pd.Series(values), None, 0, k)
    grand = int(values.sum())
    shown_total = grand if total_status == _SHOWN else None
    drawn = len(corridors) if drawn is None else min(int(drawn), len(corridors))
    paths = [str(path).split(" > ") for path in corridors["path_ids"].iloc[:drawn]]

    # Legs and places are sums of the drawn corridors (see _corridor_sums).
    node_columns = ("count_out", "count_in", "count_through")
    present = [column for column in node_columns if column in nodes.columns]
    if k is None:
        # Published as it is: every leg and place shows its own count.
        sum_values = np.concatenate(
            [legs[COUNT].to_numpy(dtype="int64")]
            + [nodes[column].to_numpy(dtype="int64") for column in present]
        )
        derived_status = np.zeros(len(sum_values), dtype="int8")
    else:
        rows, cols, sum_values = _corridor_sums(paths, legs, nodes, present, values)
        derived_status = _solve_drawn(
            rows, cols, len(sum_values), drawn, values, cell_status, k, shown_total is not None
        )
    leg_values = sum_values[: len(legs)]
    node_ids = nodes["place_id"].astype(str).tolist()
    leg_status = derived_status[: len(legs)]

    out_corridors = _main_labelled(
        corridors, COUNT, values, cell_status, k, shown_total, share=SHARE in corridors.columns
    )
    out_corridors = _hidden_last(out_corridors, SUPPRESSED, COUNT, k)
    # The sum of the legs as shown (rounded): rounding the sum of their true counts instead
    # would move the shares with counts the view does not show.
    leg_total = int(rounded_counts(leg_values[leg_status == _SHOWN], k).sum())
    # A leg's share of the legs shown: the shown legs alone make it, so it reveals nothing.
    out_legs = _main_labelled(legs, COUNT, leg_values, leg_status, k, leg_total or None, share=True)
    out_legs = _hidden_last(out_legs, SUPPRESSED, COUNT, k)
    out_nodes = nodes.copy()
    offset = len(legs)
    for column in present:
        part = slice(offset, offset + len(node_ids))
        out_nodes = _labelled(out_nodes, column, sum_values[part], derived_status[part], k)
        offset += len(node_ids)
    statuses = [cell_status, derived_status, [total_status]]
    return SuppressedCorridorView(
        corridors=out_corridors.reset_index(drop=True),
        legs=out_legs.reset_index(drop=True),
        nodes=out_nodes,
        k=k,
        total=_shown_value(grand, total_status, k),
        total_label=_label(grand, total_status, k),
        primary=_tally(statuses, _PRIMARY, _SMALL_HIDDEN),
        complementary=_tally(statuses, _COMPLEMENTARY),
    )


@dataclass(frozen=True)
class CorridorRanking:
    """Corridors in the order a view shows them, with their statuses (see
    :func:`rank_corridors_as_shown`).

    Attributes
    ----------
    frame
        The corridors, reordered; ``count`` still the true counts.
    shown
        The counts as shown, aligned with ``frame``: rounded, NA where hidden.
    """

    frame: pd.DataFrame
    shown: pd.Series
    status: np.ndarray
    total_status: int


def rank_corridors_as_shown(corridors: pd.DataFrame, k: int | None) -> CorridorRanking:
    """Corridors in the order a view shows them, to choose which are drawn.

    A map draws the leading corridors (top N, minimum volume). With restricted data, choosing
    them by their true counts would tell: the corridors drawn at a minimum of 5 are the hidden
    ones with 5 to 9 people. So the shown ones come first by their count as shown (rounded),
    then by path, and the hidden ones after them by path; ``shown`` holds what a minimum can be
    compared with (a hidden count is not known to reach any). Public corridors keep their order.
    The corridor table of :func:`suppress_corridor_view` comes in the same order.
    """
    values = _counts(corridors, COUNT).to_numpy(dtype="int64")
    cell_status, _, _, total_status = _solve_one_way(pd.Series(values), None, 0, k)
    hidden = cell_status != _SHOWN
    as_shown = rounded_counts(np.where(hidden, 0, values), k)
    if k is not None and len(corridors):
        # The order the corridor table will show (see _hidden_last), so that the drawn ones
        # are its leading rows.
        keys = _name_keys(corridors, (COUNT, SHARE))
        order = _display_order(keys, as_shown, hidden, cell_status == _PRIMARY)
        corridors = corridors.iloc[order].reset_index(drop=True)
        cell_status, hidden, as_shown = cell_status[order], hidden[order], as_shown[order]
    shown = pd.Series(pd.arrays.IntegerArray(as_shown, hidden.copy()), index=corridors.index)
    return CorridorRanking(corridors, shown, cell_status, total_status)


# --- frames -------------------------------------------------------------------------------------


def _counts(table: pd.DataFrame, count_col: str) -> pd.Series:
    if count_col not in table.columns:
        raise ValueError(f"The table has no column '{count_col}' of counts to suppress.")
    counts = table[count_col]
    if pd.api.types.is_integer_dtype(counts.dtype) and not counts.hasnans:
        values = counts.to_numpy(dtype="int64")
        if not len(values) or values.min() >= 0:
            return pd.Series(values)
    if counts.isna().any():
        raise ValueError(
            f"Column '{count_col}' has empty cells; suppression needs every count "
            "(compute the view from the records again)."
        )
    numeric = pd.to_numeric(counts, errors="coerce")
    if numeric.isna().any() or (numeric < 0).any() or (numeric != numeric.round()).any():
        bad = counts[numeric.isna() | (numeric < 0) | (numeric != numeric.round())].iloc[0]
        raise ValueError(
            f"Column '{count_col}' holds '{bad}'; counts must be whole numbers of 0 or more."
        )
    return numeric.astype("int64").reset_index(drop=True)


def _suppressed_col(count_col: str) -> str:
    return f"{count_col}{SUPPRESSED_SUFFIX}"


def _shown_value(value: int, status: int, k: int | None) -> int | None:
    """A single count as shown (rounded for restricted data), or None when hidden."""
    return int(rounded_counts([value], k)[0]) if status == _SHOWN else None


def _label(value: int, status: int, k: int | None) -> str:
    if status == _PRIMARY:
        return small_label(int(k))  # type: ignore[arg-type]
    shown = _shown_value(value, status, k)
    return HIDDEN_LABEL if shown is None else format_count(shown)


def _tally(statuses: Sequence[Sequence[int] | np.ndarray], *wanted: int) -> int:
    """How many of the statuses (given in parts) are one of ``wanted``."""
    parts = [np.asarray(part, dtype="int64").ravel() for part in statuses]
    return int(np.isin(np.concatenate(parts), wanted).sum()) if parts else 0


def _count_columns(
    count_col: str,
    values: Sequence[int] | np.ndarray | pd.Series,
    status: Sequence[int] | np.ndarray,
    k: int | None,
    flag: str,
) -> dict[str, object]:
    """``count_col`` as Int64 with NA where hidden, its label and its suppressed flag; shown
    counts as :func:`rounded_counts` gives them."""
    status = np.asarray(status, dtype="int8")
    hidden = status != _SHOWN
    values = rounded_counts(np.where(hidden, 0, np.asarray(values, dtype="int64")), k)
    counts = pd.arrays.IntegerArray(values.copy(), hidden.copy())
    # Each distinct count is spelled once: a hundred thousand corridors hold a few hundred.
    distinct, codes = np.unique(values, return_inverse=True)
    texts = [format_count(value) for value in distinct.tolist()]
    codes = codes.reshape(-1)
    for hidden_status in np.unique(status[hidden]).tolist():
        codes[status == hidden_status] = len(texts)
        texts.append(_label(0, hidden_status, k))
    return {count_col: counts, f"{count_col}{LABEL_SUFFIX}": _texts(texts, codes), flag: hidden}


def _share_columns(counts: pd.api.extensions.ExtensionArray, total: int | None) -> dict:
    """Shares of the shown counts in the shown total; blank where either is hidden."""
    values = pd.array(counts, dtype="Int64")
    hidden = values.isna() | (not total)
    fractions = values.to_numpy(dtype="float64", na_value=np.nan) / (total or 1)
    share = pd.arrays.FloatingArray(np.where(hidden, 0.0, fractions), np.asarray(hidden))
    distinct, codes = np.unique(np.where(hidden, 0.0, fractions), return_inverse=True)
    texts = [f"{fraction:.1%}" for fraction in distinct.tolist()] + [""]
    return {SHARE: share, SHARE_LABEL: _texts(texts, np.where(hidden, len(texts) - 1, codes))}


def _texts(texts: list[str], codes: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """``texts[codes]`` as a text column, put together by Arrow rather than one Python string
    per row."""
    return pd.array(pa.array(texts, pa.string()).take(np.asarray(codes).reshape(-1)), dtype="str")


def _with_columns(frame: pd.DataFrame, columns: dict[str, object]) -> pd.DataFrame:
    """A new frame of the same kind with some columns replaced and others added at the end.

    One construction instead of one ``assign`` per step: on the small frames of a view, each
    pandas operation costs more than the work it does.
    """
    if isinstance(frame, gpd.GeoDataFrame):
        # A shallow copy keeps the geometry as it is; rebuilding would check it again.
        out = frame.copy(deep=False)
        for name, values in columns.items():
            out[name] = values
        return out
    data = {name: columns.get(name, frame[name].array) for name in frame.columns}
    data.update({name: values for name, values in columns.items() if name not in data})
    return pd.DataFrame(data, index=frame.index, copy=False)


def _labelled(
    frame: pd.DataFrame,
    count_col: str,
    values: Sequence[int] | np.ndarray | pd.Series,
    status: Sequence[int] | np.ndarray,
    k: int | None,
    flag: str | None = None,
) -> pd.DataFrame:
    """``count_col`` as Int64 with NA where hidden, plus its label and suppressed flag (called
    ``flag``, by default ``<count_col>_suppressed``)."""
    return _with_columns(
        frame, _count_columns(count_col, values, status, k, flag or _suppressed_col(count_col))
    )


def _main_labelled(
    frame: pd.DataFrame,
    count_col: str,
    values: np.ndarray | pd.Series,
    status: np.ndarray,
    k: int | None,
    share_total: int | None,
    *,
    share: bool,
) -> pd.DataFrame:
    """The table's main count labelled, its flag called ``suppressed``, with its share when
    ``share`` (of ``share_total``; blank when that is hidden)."""
    columns = _count_columns(count_col, values, status, k, SUPPRESSED)
    if share:
        if share_total:
            share_total = _shown_value(share_total, _SHOWN, k)
        columns.update(_share_columns(columns[count_col], share_total))
    return _with_columns(frame, columns)


def _hidden_last(
    frame: pd.DataFrame, flag_col: str, count_col: str, k: int | None = None
) -> pd.DataFrame:
    """Shown rows in their order, then hidden ones ordered by their names, not by value.

    With restricted data (``k`` given) the shown rows are ordered again by the count as shown
    (rounded), then by their names: the true order of two rows shown alike ("45") would say
    which is larger. See :func:`_display_order`.
    """
    hidden = frame[flag_col].to_numpy(dtype=bool)
    if not hidden.any() and k is None:
        return frame
    label_col = f"{count_col}{LABEL_SUFFIX}"
    keys = _name_keys(frame, (count_col, label_col, flag_col, SHARE, SHARE_LABEL))
    if k is None:
        counts = -np.arange(len(frame))  # shown rows keep their order
    else:
        counts = frame[count_col].to_numpy(dtype="int64", na_value=0)
    small = (frame[label_col] != HIDDEN_LABEL).to_numpy(dtype=bool)
    return frame.iloc[_display_order(keys, counts, hidden, small)]


def _name_keys(frame: pd.DataFrame, leave_out: Sequence[str]) -> list[np.ndarray]:
    """The text columns of a table as sort codes, names first (``destination_name``,
    ``path_names``), then the other text (ids)."""
    columns = [
        column
        for column in frame.columns
        if column not in leave_out
        and not isinstance(frame[column].dtype, gpd.array.GeometryDtype)
        and (frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]))
    ]
    columns.sort(key=lambda column: not str(column).endswith(("name", "names")))
    return [pd.factorize(frame[c].astype(str).to_numpy(), sort=True)[0] for c in columns]


def _display_order(
    keys: list[np.ndarray], counts: np.ndarray, hidden: np.ndarray, small: np.ndarray
) -> np.ndarray:
    """Positions of a ranked table's rows as a view shows them: shown rows by ``counts`` (as
    shown), largest first, then by their names; then hidden rows, "hidden" before "<k", by
    their names. Nothing in the order depends on a count the view does not show."""
    by_count = np.where(hidden, small.astype("int64"), -np.asarray(counts, dtype="int64"))
    return np.lexsort((*reversed(keys), by_count, hidden))


def _margin_columns(
    nodes: pd.DataFrame,
    column: str,
    ids: np.ndarray,
    values: np.ndarray,
    status: np.ndarray,
    k: int | None,
) -> dict[str, object]:
    """A node column filled from a margin of the flows (places not in it have 0), labelled."""
    index = {pid: i for i, pid in enumerate(ids.tolist())}
    position = np.array([index.get(str(pid), -1) for pid in nodes["place_id"].tolist()], dtype=int)
    found = position >= 0
    safe = np.where(found, position, 0)
    node_values = np.zeros(len(nodes), dtype="int64")
    node_status = np.zeros(len(nodes), dtype="int8")
    if len(ids):
        node_values = np.where(found, values[safe], 0)
        node_status = np.where(found, status[safe], _SHOWN)
    if column in nodes.columns:
        given = nodes[column].to_numpy(dtype="int64")
        if not np.array_equal(given, node_values):
            raise ValueError(
                f"The nodes' '{column}' does not match the flows; compute the nodes from the "
                "same flows (routes.flows.compute_nodes)."
            )
    return _count_columns(column, node_values, node_status, k, _suppressed_col(column))


def _corridor_sums(
    paths: list[list[str]],
    legs: pd.DataFrame,
    nodes: pd.DataFrame,
    present: list[str],
    values: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The legs' and places' counts as sums of the drawn corridors (``paths``, in order).

    Returns each sum's entries (row of the sum, corridor; one per time the corridor passes) and
    the sums, legs first, then the places once per count column in ``present``. Each sum is
    checked against the count it stands for. A dense legs x corridors matrix would not fit in
    memory for a large dataset with every corridor drawn.
    """
    leg_keys = list(zip(legs["from_id"].astype(str), legs["to_id"].astype(str), strict=True))
    leg_index = {key: i for i, key in enumerate(leg_keys)}
    node_ids = nodes["place_id"].astype(str).tolist()
    node_index = {pid: i for i, pid in enumerate(node_ids)}
    leg_entries: tuple[list[int], list[int]] = ([], [])
    node_entries: dict[str, tuple[list[int], list[int]]] = {column: ([], []) for column in present}
    for j, path in enumerate(paths):
        for a, b in zip(path, path[1:], strict=False):
            if a != b and (a, b) in leg_index:
                leg_entries[0].append(leg_index[(a, b)])
                leg_entries[1].append(j)
        for position, pid in enumerate(path):
            if pid not in node_index:
                continue
            column = (
                "count_out" if position == 0
                else "count_in" if position == len(path) - 1
                else "count_through"
            )  # fmt: skip
            node_entries[column][0].append(node_index[pid])
            node_entries[column][1].append(j)
    sums = [(leg_entries, len(leg_keys))] + [(node_entries[c], len(node_ids)) for c in present]
    rows, cols, offset = [], [], 0
    for (sum_rows, sum_cols), size in sums:
        rows.append(np.asarray(sum_rows, dtype="int64") + offset)
        cols.append(np.asarray(sum_cols, dtype="int64"))
        offset += size
    rows_all, cols_all = np.concatenate(rows), np.concatenate(cols)
    sum_values = np.bincount(rows_all, weights=values[cols_all], minlength=offset).astype("int64")
    leg_values = sum_values[: len(leg_keys)]
    _check_derived(leg_values, legs[COUNT], "legs")
    for index, column in enumerate(present):
        start = len(leg_keys) + index * len(node_ids)
        _check_derived(sum_values[start : start + len(node_ids)], nodes[column], f"nodes' {column}")
    return rows_all, cols_all, sum_values


def _check_derived(sums: np.ndarray, given: pd.Series, what: str) -> None:
    if not np.array_equal(sums, given.to_numpy(dtype="int64")):
        raise ValueError(
            f"The {what} do not add up from the corridors; compute them from the same "
            "corridors and pass drawn= the number of corridors they were computed from."
        )


@dataclass(frozen=True)
class _GroupKeys:
    codes: np.ndarray
    values: list[tuple]


def _group_keys(table: pd.DataFrame, groups: str | Sequence[str] | None) -> _GroupKeys | None:
    if groups is None:
        return None
    names = [groups] if isinstance(groups, str) else list(groups)
    missing = [name for name in names if name not in table.columns]
    if missing:
        raise ValueError(f"The table has no column '{missing[0]}' to group the counts by.")
    keys = list(zip(*(table[name].tolist() for name in names), strict=True))
    uniques = list(dict.fromkeys(keys))
    lookup = {key: i for i, key in enumerate(uniques)}
    return _GroupKeys(codes=np.array([lookup[key] for key in keys], dtype="int64"), values=uniques)


# --- tables as networks -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Network:
    """Counts as edges between equations: at every constrained node, inflow equals outflow."""

    values: np.ndarray
    tails: np.ndarray
    heads: np.ndarray
    costs: np.ndarray
    n_nodes: int
    free: frozenset[int]
    #: Residual arcs already worked out, by (edge, its status, relaxed): the searches ask for
    #: the same counts' arcs millions of times on a large table.
    arc_cache: dict[tuple[int, int, bool], list[tuple[int, int]]] = field(
        default_factory=dict, compare=False, repr=False
    )


def _solve_one_way(
    counts: pd.Series, keys: _GroupKeys | None, remainder: int, k: int | None
) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Statuses of the cells, the group totals, the remainder and the grand total."""
    values = counts.to_numpy(dtype="int64")
    n = len(values)
    n_groups = len(keys.values) if keys is not None else 0
    if k is None:  # published as it is: nothing to protect
        return np.zeros(n, dtype="int8"), np.zeros(n_groups, dtype="int8"), _SHOWN, _SHOWN
    outside, grand = 0, 1
    # Cells leave their group's node (or the grand node) for the outside; group totals flow from
    # the grand node into the groups; the grand total flows from the outside into the grand node.
    cell_tails = keys.codes + 2 if keys is not None else np.full(n, grand)
    group_values = (
        np.bincount(keys.codes, weights=values, minlength=n_groups).astype("int64")
        if keys is not None
        else np.zeros(0, dtype="int64")
    )
    grand_value = int(values.sum()) + remainder
    edge_values = np.concatenate(
        [values, group_values, np.array([remainder, grand_value], dtype="int64")]
    )
    tails = np.concatenate(
        [cell_tails, np.full(n_groups, grand), np.array([grand, outside])]
    ).astype("int64")
    heads = np.concatenate(
        [np.full(n, outside), np.arange(n_groups) + 2, np.array([outside, grand])]
    ).astype("int64")
    penalty = float(grand_value + 1)
    costs = edge_values.astype(float)
    costs[n : n + n_groups] += penalty
    costs[-1] += 2 * penalty
    network = _Network(edge_values, tails, heads, costs, n_groups + 2, frozenset({outside}))
    status = _protect(network, k)
    return status[:n], status[n : n + n_groups], int(status[-2]), int(status[-1])


def _solve_two_way(
    values: np.ndarray,
    row_idx: np.ndarray,
    col_idx: np.ndarray,
    n_rows: int,
    n_cols: int,
    k: int | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Statuses of the cells, the row totals, the column totals and the grand total."""
    if k is None:  # published as it is: nothing to protect
        return (
            np.zeros(len(values), dtype="int8"),
            np.zeros(n_rows, dtype="int8"),
            np.zeros(n_cols, dtype="int8"),
            _SHOWN,
        )
    row_grand, col_grand = n_rows + n_cols, n_rows + n_cols + 1
    row_values = np.bincount(row_idx, weights=values, minlength=n_rows).astype("int64")
    col_values = np.bincount(col_idx, weights=values, minlength=n_cols).astype("int64")
    grand_value = int(values.sum())
    # Cell: row -> column. Row total: row grand -> row. Column total: column -> column grand.
    # Grand total: column grand -> row grand.
    edge_values = np.concatenate([values, row_values, col_values, np.array([grand_value])]).astype(
        "int64"
    )
    tails = np.concatenate(
        [row_idx, np.full(n_rows, row_grand), n_rows + np.arange(n_cols), [col_grand]]
    ).astype("int64")
    heads = np.concatenate(
        [n_rows + col_idx, np.arange(n_rows), np.full(n_cols, col_grand), [row_grand]]
    ).astype("int64")
    penalty = float(grand_value + 1)
    costs = edge_values.astype(float)
    n = len(values)
    costs[n:-1] += penalty
    costs[-1] += 2 * penalty
    network = _Network(edge_values, tails, heads, costs, n_rows + n_cols + 2, frozenset())
    status = _protect(network, k)
    return (
        status[:n],
        status[n : n + n_rows],
        status[n + n_rows : n + n_rows + n_cols],
        int(status[-1]),
    )


def _bounds(status: int, k: int) -> tuple[float, float]:
    """What a hidden count's label tells: "<k" is 1 to k - 1; "hidden" is k or more, or, for a
    small count relabelled, 1 or more."""
    if status == _PRIMARY:
        return 1.0, float(k - 1)
    if status == _SMALL_HIDDEN:
        return 1.0, math.inf
    return float(k), math.inf


def _protect(network: _Network, k: int | None) -> np.ndarray:
    """Primary, then complementary suppression of a network's counts; returns their statuses."""
    values = network.values
    status = np.zeros(len(values), dtype="int8")
    if k is None:
        return status
    k = _checked_k(k)
    status[(values > 0) & (values < k)] = _PRIMARY
    if not status.any():
        return status
    incident: list[list[int]] = [[] for _ in range(network.n_nodes)]
    for edge, (tail, head) in enumerate(zip(network.tails, network.heads, strict=True)):
        if values[edge] > 0:
            incident[tail].append(edge)
            incident[head].append(edge)
    _enforce_hidden_sums(network, status, incident, k)
    _enforce_cycles(network, status, incident, k)
    return status


def _enforce_hidden_sums(
    network: _Network, status: np.ndarray, incident: list[list[int]], k: int
) -> None:
    """Where all hidden counts of an equation are on one side, their known sum reaches k."""
    values, heads = network.values, network.heads
    pending = deque(node for node in range(network.n_nodes) if node not in network.free)
    while pending:
        node = pending.popleft()
        if node in network.free:
            continue
        inflow = [edge for edge in incident[node] if heads[edge] == node]
        outflow = [edge for edge in incident[node] if heads[edge] != node]
        hidden_in = [edge for edge in inflow if status[edge]]
        hidden_out = [edge for edge in outflow if status[edge]]
        if bool(hidden_in) == bool(hidden_out):
            continue
        side, other = (inflow, outflow) if hidden_in else (outflow, inflow)
        if values[[edge for edge in side if status[edge]]].sum() >= k:
            continue
        candidates = [edge for edge in side if not status[edge]] or [
            edge for edge in other if not status[edge]
        ]
        if not candidates:
            continue
        chosen = min(candidates, key=lambda edge: (network.costs[edge], edge))
        status[chosen] = _COMPLEMENTARY
        pending.extend([node, int(network.tails[chosen]), int(network.heads[chosen])])


def _enforce_cycles(
    network: _Network, status: np.ndarray, incident: list[list[int]], k: int
) -> None:
    """Give every hidden count a cycle of hidden counts along which it can move.

    The cheapest cycle hides shown counts; only where none exists (the labels alone pin the
    count down) are small counts on the cycle relabelled from "<k" to "hidden".
    """
    protected: set[int] = set()
    moves = _HiddenArcs(network, status, k)
    queue = deque(int(edge) for edge in np.flatnonzero(status))
    while queue:
        edge = queue.popleft()
        if edge in protected:
            continue
        if moves.can_move(edge):
            protected.add(edge)
            continue
        path = _cheapest_cycle(network, status, incident, k, edge, relaxed=False)
        if path is None:
            path = _cheapest_cycle(network, status, incident, k, edge, relaxed=True)
        if path is None:  # pragma: no cover - a cycle of increases always exists
            status[(network.values > 0) & (status == _SHOWN)] = _COMPLEMENTARY
            return
        for other, start, end in path:
            if status[other] == _SHOWN:
                status[other] = _COMPLEMENTARY
            elif (start, end) not in _arcs(network, status, k, other):
                status[other] = _SMALL_HIDDEN
            moves.update(other)
            protected.add(other)


def _arcs(
    network: _Network, status: np.ndarray, k: int, edge: int, relaxed: bool = False
) -> list[tuple[int, int]]:
    """Residual arcs of a count: (from, to) for each way it can move within its bounds.

    A shown count is taken as it would be once hidden: k or more. ``relaxed`` lifts the upper
    bound of "<k" counts, as if they were relabelled "hidden".
    """
    key = (edge, int(status[edge]), relaxed)
    cached = network.arc_cache.get(key)
    if cached is not None:
        return cached
    value = network.values[edge]
    current = int(status[edge]) or _COMPLEMENTARY
    lower, upper = _bounds(_SMALL_HIDDEN if relaxed and current == _PRIMARY else current, k)
    tail, head = int(network.tails[edge]), int(network.heads[edge])
    arcs = []
    if value < upper:
        arcs.append((tail, head))
    if value > lower:
        arcs.append((head, tail))
    network.arc_cache[key] = arcs
    return arcs


class _HiddenArcs:
    """The residual arcs of the hidden counts, by the equation (node) they leave: for each node,
    the nodes one step away and the hidden counts that lead there.

    A count moves along hidden counts only. Kept by target node, a search steps once to each
    neighbour, not once per hidden count: a restricted table of a hundred thousand corridors has
    that many hidden counts at one node.
    """

    def __init__(self, network: _Network, status: np.ndarray, k: int) -> None:
        self.network, self.status, self.k = network, status, k
        self.out: list[dict[int, set[int]]] = [{} for _ in range(network.n_nodes)]
        self.arcs: dict[int, list[tuple[int, int]]] = {}
        for edge in np.flatnonzero(status).tolist():
            self.update(edge)

    def update(self, edge: int) -> None:
        """Take a count's arcs as its status now says."""
        for start, end in set(self.arcs.pop(edge, [])):  # a loop's two arcs are one
            edges = self.out[start][end]
            edges.discard(edge)
            if not edges:
                del self.out[start][end]
        if self.status[edge] != _SHOWN:
            arcs = _arcs(self.network, self.status, self.k, edge)
            self.arcs[edge] = arcs
            for start, end in arcs:
                self.out[start].setdefault(end, set()).add(edge)

    def can_move(self, edge: int) -> bool:
        """Whether a hidden count can change by one with every other count's bounds kept."""
        for start, end in _arcs(self.network, self.status, self.k, edge):
            # Moving along (start -> end) needs a residual path back from end to start.
            if start == end:
                return True
            seen = {end}
            frontier = deque([end])
            while frontier:
                node = frontier.popleft()
                for target, edges in self.out[node].items():
                    if target in seen or (len(edges) == 1 and edge in edges):
                        continue
                    if target == start:
                        return True
                    seen.add(target)
                    frontier.append(target)
        return False


_RELABEL_COST = 0.5


def _cheapest_cycle(
    network: _Network,
    status: np.ndarray,
    incident: list[list[int]],
    k: int,
    edge: int,
    relaxed: bool,
) -> list[tuple[int, int, int]] | None:
    """The arcs, cheapest first, that close a residual cycle through ``edge``: (edge, from, to)."""
    best: tuple[float, list[tuple[int, int, int]]] | None = None
    for start, end in _arcs(network, status, k, edge, relaxed):
        found = _shortest_path(network, status, incident, k, edge, end, start, relaxed)
        if found is None:
            continue
        cost, path = found
        if (start, end) not in _arcs(network, status, k, edge):
            cost += _RELABEL_COST
        if best is None or cost < best[0]:
            best = (cost, [(edge, start, end), *path])
    return best[1] if best else None


def _shortest_path(
    network: _Network,
    status: np.ndarray,
    incident: list[list[int]],
    k: int,
    skip: int,
    source: int,
    target: int,
    relaxed: bool,
) -> tuple[float, list[tuple[int, int, int]]] | None:
    """Dijkstra over residual arcs: hidden counts cost nothing, shown ones their cost, and (when
    relaxed) relabelling a "<k" count a little."""
    distance = {source: 0.0}
    via: dict[int, tuple[int, int]] = {}
    heap = [(0.0, 0, source)]
    counter = 0
    done: set[int] = set()
    while heap:
        cost, _, node = heapq.heappop(heap)
        if node in done:
            continue
        done.add(node)
        if node == target:
            path = []
            while node != source:
                previous, used = via[node]
                path.append((used, previous, node))
                node = previous
            return cost, path
        for other in incident[node]:
            if other == skip:
                continue
            step = 0.0 if status[other] else float(network.costs[other])
            strict = _arcs(network, status, k, other)
            for a, b in _arcs(network, status, k, other, relaxed):
                if a != node or b in done:
                    continue
                new = cost + step + (0.0 if (a, b) in strict else _RELABEL_COST)
                if new < distance.get(b, math.inf):
                    distance[b] = new
                    via[b] = (node, other)
                    counter += 1
                    heapq.heappush(heap, (new, counter, b))
    return None


# --- sums along paths ---------------------------------------------------------------------------


def _solve_drawn(
    rows: np.ndarray,
    cols: np.ndarray,
    n_sums: int,
    drawn: int,
    values: np.ndarray,
    cell_status: np.ndarray,
    k: int | None,
    total_shown: bool,
) -> np.ndarray:
    """Statuses of sums of the leading ``drawn`` cells, each sum given by its entries (``rows``
    and ``cols``: one per cell it holds, repeated as often as it holds it).

    A sum is shown only when it tells nothing new: it holds no hidden cell, or (with the total
    shown) every hidden cell alike, so that it is the shown cells plus the known hidden rest.
    Every other sum reads "hidden" whatever its size, so that its label bounds nothing either.
    """
    status = np.zeros(n_sums, dtype="int8")
    if k is None or not n_sums:
        return status
    totals = np.bincount(rows, weights=values[cols], minlength=n_sums)
    hidden_cells = np.flatnonzero(cell_status != _SHOWN)
    hidden = cell_status[cols] != _SHOWN
    known = np.bincount(rows[hidden], minlength=n_sums) == 0
    # Alike: every hidden cell, each as often (cells beyond the drawn ones are in no sum, so
    # none holds them all when one of them is hidden).
    if total_shown and len(hidden_cells):
        pairs, times = np.unique(rows[hidden] * (drawn + 1) + cols[hidden], return_counts=True)
        pair_rows = pairs // (drawn + 1)
        cells_held = np.bincount(pair_rows, minlength=n_sums)
        least = np.full(n_sums, np.iinfo("int64").max)
        most = np.zeros(n_sums, dtype="int64")
        np.minimum.at(least, pair_rows, times)
        np.maximum.at(most, pair_rows, times)
        known |= (cells_held == len(hidden_cells)) & (least == most)
    conceal = ~known | ((totals > 0) & (totals < k))
    status[conceal & (totals < k)] = _SMALL_HIDDEN
    status[conceal & (totals >= k)] = _COMPLEMENTARY
    return status
