"""Small-cell suppression: no count below k is shown, and no hidden count can be worked out."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routes.flows import (
    compute_corridor_nodes,
    compute_corridors,
    compute_flows,
    compute_legs,
    compute_nodes,
    compute_place_trend,
)
from routes.gazetteer import place_records
from routes.privacy import (
    HIDDEN_LABEL,
    K_ENV,
    ROUNDING_BASE,
    is_restricted,
    rounded_counts,
    suppress_breakdown,
    suppress_corridor_view,
    suppress_counts,
    suppress_flow_view,
    suppression_k,
    suppression_k_for,
    suppression_notice,
)
from routes.synthetic import generate_synthetic_cases

K = 10
SMALL = "<10"
HIDDEN = (SMALL, HIDDEN_LABEL)
# Many small counts, some exactly at the edges (1, k - 1, k), some large.
COUNTS = st.one_of(st.integers(0, 12), st.sampled_from([1, 9, 10, 11]), st.integers(13, 400))


def _shown(value: int) -> int:
    """A count as a restricted view shows it."""
    return int(rounded_counts([value], K)[0])


def _table(counts: list[int]) -> pd.DataFrame:
    return pd.DataFrame({"name": [f"place {i:02d}" for i in range(len(counts))], "count": counts})


def _bounds(label: str, value: int) -> tuple[float, float]:
    """What an attacker who knows the algorithm learns from a label (the worst case)."""
    if label == SMALL:
        return 1.0, K - 1.0
    if label == HIDDEN_LABEL:
        return (K, math.inf) if value >= K else (1.0, math.inf)
    return float(value), float(value)


def _pinned(terms: list[tuple[int, int, str]]) -> list[int]:
    """Positions of hidden values that one equation ``sum(sign * value) == 0`` pins down.

    Each term is (sign, true value, label). With the shown values known and the hidden ones
    known only to lie within their labels' bounds, a hidden value is pinned when its feasible
    range holds a single whole number.
    """
    pinned = []
    bounds = [_bounds(label, value) for _, value, label in terms]
    for i, (sign, _, label) in enumerate(terms):
        if label not in HIDDEN:
            continue
        # sign_i * v_i = -(sum of the other terms), each term within its bounds.
        others = [(terms[j][0], bounds[j]) for j in range(len(terms)) if j != i]
        rest_low = sum(s * (b[0] if s > 0 else b[1]) for s, b in others)
        rest_high = sum(s * (b[1] if s > 0 else b[0]) for s, b in others)
        v_low, v_high = (-rest_high, -rest_low) if sign > 0 else (rest_low, rest_high)
        low = max(bounds[i][0], v_low)
        high = min(bounds[i][1], v_high)
        if high - low < 1:
            pinned.append(i)
    return pinned


def _check_equation(total: tuple[int, str], cells: list[tuple[int, str]]) -> None:
    """No shown count below k; with a shown total, not exactly one hidden cell, their sum at
    least k, and no hidden value pinned by the labels' bounds, even for an attacker who knew
    the true value of every shown count (they are shown rounded)."""
    for value, label in [total, *cells]:
        assert label in HIDDEN or not 0 < value < K, (value, label)
        assert label in HIDDEN or label == f"{_shown(value):,}"
    hidden = [value for value, label in cells if label in HIDDEN]
    if total[1] not in HIDDEN:
        assert len(hidden) != 1, f"one hidden cell equals the total minus the shown: {cells}"
        assert not hidden or sum(hidden) >= K, f"the hidden cells add up to {sum(hidden)}"
    terms = [(1, total[0], total[1]), *((-1, value, label) for value, label in cells)]
    assert _pinned(terms) == [], f"a hidden count is pinned down: {total} = {cells}"


def _determined_by_algebra(equations: np.ndarray, hidden: np.ndarray) -> np.ndarray:
    """Hidden unknowns that the equations alone fix: zero in every null-space vector."""
    if not hidden.any():
        return np.array([], dtype=int)
    matrix = equations[:, hidden]
    _, singular, vt = np.linalg.svd(matrix)
    rank = int((singular > 1e-9).sum())
    null = vt[rank:]
    fixed = np.abs(null).sum(axis=0) < 1e-8 if len(null) else np.ones(matrix.shape[1], bool)
    return np.flatnonzero(hidden)[fixed]


# --- settings and policy -------------------------------------------------------------------------


def test_suppression_k_defaults_to_ten_and_reads_the_environment(monkeypatch):
    monkeypatch.delenv(K_ENV, raising=False)
    assert suppression_k() == 10
    monkeypatch.setenv(K_ENV, "5")
    assert suppression_k() == 5
    assert suppression_k_for(["public", "restricted"]) == 5
    monkeypatch.setenv(K_ENV, "ten")
    with pytest.raises(ValueError, match=K_ENV):
        suppression_k()
    # Rounded to the nearest 5, counts 15 apart would give k - 1 exactly for these.
    for weak in ("7", "12"):
        monkeypatch.setenv(K_ENV, weak)
        with pytest.raises(ValueError, match="two more than a multiple of 5"):
            suppression_k()
    monkeypatch.setenv(K_ENV, "2")
    with pytest.raises(ValueError, match="at least 3"):
        suppression_k()


def test_public_data_needs_no_suppression_and_unknown_sensitivity_is_refused():
    assert suppression_k_for(["public", "public"], k=10) is None
    assert suppression_k_for(["public", "restricted"], k=10) == 10
    assert is_restricted("Restricted")
    with pytest.raises(ValueError, match="secret"):
        is_restricted("secret")


def test_suppression_notice_names_k():
    assert suppression_notice(10).startswith(
        "Small-cell suppression applied: counts below 10 are shown as <10, and some other "
        "counts are hidden so that they cannot be worked out by subtraction within this view."
    )
    assert "rounded to the nearest 5 on its own" in suppression_notice(10)
    assert "many views compared can still reveal small counts" in suppression_notice(10)
    # A map's source box carries it in brief; the page and the exports carry it whole.
    from routes.privacy import suppression_note

    assert suppression_note(10) == (
        "Restricted data: counts below 10 read <10, some others are hidden, and every count is "
        "rounded to the nearest 5."
    )


def test_restricted_counts_are_shown_to_the_nearest_five_and_never_below_k():
    counts = [0, 10, 11, 12, 13, 17, 18, 46, 38, 1_234]
    assert rounded_counts(counts, K).tolist() == [0, 10, 10, 10, 15, 15, 20, 45, 40, 1_235]
    # k not a multiple of 5: the smallest count shown is k rounded up, so "12" never means
    # exactly 12.
    assert rounded_counts([11, 12, 14, 18], 11).tolist() == [15, 15, 15, 20]
    assert rounded_counts([12, 13], 12).tolist() == [15, 15]
    assert rounded_counts(counts, None).tolist() == counts  # public data: as published
    assert ROUNDING_BASE == 5


@pytest.mark.parametrize("k", [3, 4, 5, 6, 8, 9, 10, 11, 13, 15, 20])
def test_two_shown_counts_never_give_a_small_difference_exactly(k):
    """Every pair of true counts a view may show (k or more), compared as shown: the true
    counts that read alike leave at least two values for a difference below k.

    Not so for a k two more than a multiple of 5 (7, 12, ...): shown counts 15 apart then
    leave only k - 1, as the README says of ROUTES_SUPPRESSION_K."""
    values = np.arange(k, 420)  # past the pairs' largest, so that every reading is whole
    shown = rounded_counts(values, k)
    assert (shown % ROUNDING_BASE == 0).all() and (shown >= k).all()
    reads_as = {int(r): values[shown == r] for r in np.unique(shown)}
    pairs = range(k, 400)
    for a, b in ((a, b) for a in pairs for b in pairs if 0 < a - b < k):
        possible = {
            int(x - y)
            for x in reads_as[int(rounded_counts([a], k)[0])]
            for y in reads_as[int(rounded_counts([b], k)[0])]
            if 0 < x - y < k
        }
        assert len(possible) >= 2, (a, b, possible)


# --- one-way tables -----------------------------------------------------------------------------


def test_small_counts_read_below_k_and_one_more_is_hidden_against_the_total():
    result = suppress_counts(_table([100, 50, 12, 5, 20]), K)
    frame = result.frame.set_index("name")
    assert frame.loc["place 03", "count_label"] == SMALL
    # 5 alone would be the total minus the shown counts: the next smallest goes too.
    assert frame.loc["place 02", "count_label"] == HIDDEN_LABEL
    assert frame["count"].isna().sum() == 2
    assert frame.loc[["place 00", "place 01", "place 04"], "count"].tolist() == [100, 50, 20]
    assert result.total == 185 and result.total_label == "185"  # 187, rounded
    assert (result.primary, result.complementary) == (1, 1)
    assert result.notice == suppression_notice(K)
    # Hidden rows come last, so that their place in a ranking does not bound them.
    assert result.frame["suppressed"].tolist() == [False, False, False, True, True]


def test_a_small_and_a_hidden_count_that_add_up_to_their_least_are_hidden_further():
    # 1 and 10 hidden beside a total of 61: "<10" is at least 1 and "hidden" at least 10, so
    # 61 - 50 = 11 = 1 + 10 would pin both down. The 50 is hidden as well.
    result = suppress_counts(_table([1, 10, 50]), K)
    assert result.frame["count"].isna().all()
    assert result.total == 60  # 61, rounded


def test_a_total_below_k_is_suppressed_and_k_minus_one_ones_are_not_pinned():
    result = suppress_counts(_table([1] * (K - 1)), K)
    assert result.total is None
    # Nine "<10" cells under a "<10" total would each be 1: the total reads "hidden" instead.
    assert result.total_label == HIDDEN_LABEL
    assert set(result.frame["count_label"]) == {SMALL}


def test_public_tables_pass_through_with_labels():
    table = _table([100, 3, 0]).assign(share=[100 / 103, 3 / 103, 0.0])
    result = suppress_counts(table, None, hidden_last=False)
    assert result.frame["count"].tolist() == [100, 3, 0]
    assert result.frame["count_label"].tolist() == ["100", "3", "0"]
    assert result.frame["share_label"].tolist() == ["97.1%", "2.9%", "0.0%"]
    assert not result.applied and result.notice is None


def test_shares_of_hidden_counts_are_blank():
    table = _table([100, 50, 5, 30]).assign(share=0.0)
    frame = suppress_counts(table, K).frame
    hidden = frame["suppressed"]
    assert frame.loc[hidden, "share"].isna().all()
    assert (frame.loc[hidden, "share_label"] == "").all()
    assert frame.loc[~hidden, "share"].tolist() == pytest.approx([100 / 185, 50 / 185])


def test_group_totals_and_a_remainder_are_protected_too():
    table = pd.DataFrame(
        {
            "province": ["Koshi", "Koshi", "Bagmati", "Bagmati", "Bagmati"],
            "name": ["Jhapa", "Morang", "Kathmandu", "Lalitpur", "Bhaktapur"],
            "count": [40, 30, 200, 4, 60],
        }
    )
    result = suppress_counts(table, K, total=334 + 3, groups="province")
    assert result.remainder is None and result.remainder_label == SMALL
    groups = result.group_totals.set_index("province")
    frame = result.frame.set_index("name")
    assert frame.loc["Lalitpur", "count_label"] == SMALL
    assert frame["suppressed"].sum() >= 2
    for province, cells in table.groupby("province"):
        labels = frame.loc[cells["name"], "count_label"].tolist()
        _check_equation(
            (int(cells["count"].sum()), groups.loc[province, "count_label"]),
            list(zip(cells["count"].tolist(), labels, strict=True)),
        )


def test_counts_must_be_whole_and_not_negative():
    with pytest.raises(ValueError, match="'count' holds '-1'"):
        suppress_counts(_table([3, -1]), K)
    with pytest.raises(ValueError, match="no column 'people'"):
        suppress_counts(_table([3]), K, count_col="people")


# --- two-way tables -----------------------------------------------------------------------------


def test_breakdown_hides_a_rectangle_so_that_rows_and_columns_keep_two_hidden():
    table = pd.DataFrame(
        {
            "sex": ["male", "male", "male", "female", "female", "female"],
            "channel": ["regular", "irregular", "other", "regular", "irregular", "other"],
            "count": [120, 4, 50, 30, 25, 40],
        }
    )
    result = suppress_breakdown(table, "sex", "channel", K)
    wide = result.wide()
    assert wide.loc["male", "irregular"] == SMALL
    assert wide.loc["Total", "Total"] == "270"  # 269, rounded
    assert (wide.loc[["male", "female"], ["irregular", "other"]] != "").all().all()
    hidden_per_row = result.cells.groupby("sex")["suppressed"].sum()
    hidden_per_column = result.cells.groupby("channel")["suppressed"].sum()
    assert set(hidden_per_row) <= {0, 2, 3} and set(hidden_per_column) <= {0, 2}


# --- views of the app ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def month_flows(gazetteer, placed_destinations):
    """One month of DoFE approvals: several destinations have fewer than ten."""
    first = placed_destinations["period_label"].dropna().iloc[0]
    month = placed_destinations[placed_destinations["period_label"] == first]
    flows = compute_flows(gazetteer, month, level="national")
    return flows, compute_nodes(gazetteer, flows)


def test_flow_view_hides_small_flows_consistently_in_flows_nodes_and_table(month_flows):
    flows, nodes = month_flows
    assert ((flows["count"] > 0) & (flows["count"] < K)).any()
    view = suppress_flow_view(flows, nodes, K)
    shown = view.flows[~view.flows["suppressed"]]
    assert (shown["count"] >= K).all()
    assert view.flows["suppressed"].sum() >= 2
    by_destination = view.flows.set_index("destination_id")["count_label"]
    table = view.destination_table.set_index("destination_id")["count_label"]
    node_in = view.nodes.set_index("place_id")["count_in_label"]
    for destination, label in by_destination.items():
        # National flows: one origin, so a destination's node and row repeat its flow.
        assert table[destination] == label == node_in[destination]
    assert view.nodes.set_index("place_id").loc["country:NPL", "count_out_label"] == (
        view.total_label
    )
    assert view.total == _shown(int(flows["count"].sum()))
    assert view.flows.loc[view.flows["suppressed"], "share_label"].eq("").all()
    assert list(view.flows["suppressed"]) == sorted(view.flows["suppressed"])
    cells = list(zip(flows["count"].tolist(), by_destination[flows["destination_id"]], strict=True))
    _check_equation((int(flows["count"].sum()), view.total_label), cells)


def test_public_flow_view_keeps_every_count(month_flows):
    flows, nodes = month_flows
    view = suppress_flow_view(flows, nodes, None)
    assert view.flows["count"].tolist() == flows["count"].tolist()
    assert not view.applied


def test_corridor_view_shows_a_leg_only_when_the_shown_corridors_make_it(gazetteer):
    records = place_records(
        gazetteer, generate_synthetic_cases(n_records=1500, gazetteer=gazetteer)
    ).records
    corridors = compute_corridors(gazetteer, records, "province")
    for drawn in (15, None):
        subset = corridors if drawn is None else corridors.head(drawn)
        legs = compute_legs(gazetteer, subset)
        nodes = compute_corridor_nodes(gazetteer, subset)
        view = suppress_corridor_view(corridors, legs, nodes, K, drawn=drawn)
        frame = view.corridors
        assert (frame.loc[~frame["suppressed"], "count"] >= K).all()
        assert frame.loc[frame["suppressed"], "count_label"].isin(HIDDEN).all()
        true_counts = corridors.set_index("path_ids").loc[frame["path_ids"], "count"]
        _check_equation(
            (int(corridors["count"].sum()), view.total_label),
            list(zip(true_counts.tolist(), frame["count_label"].tolist(), strict=True)),
        )
        shown_paths = set(frame.loc[~frame["suppressed"], "path_ids"])
        for leg in view.legs.itertuples():
            assert leg.suppressed or leg.count >= K
            if leg.suppressed:
                assert leg.count_label == HIDDEN_LABEL
        for column in ("count_in", "count_out", "count_through"):
            shown_nodes = view.nodes[~view.nodes[f"{column}_suppressed"]]
            assert ((shown_nodes[column] == 0) | (shown_nodes[column] >= K)).all()
        if drawn == 15 and set(subset["path_ids"]) <= shown_paths:
            assert not view.legs["suppressed"].any()


def test_trend_keeps_its_time_order(placed_destinations):
    trend = compute_place_trend(placed_destinations, "country:MLT")
    result = suppress_counts(trend, K, hidden_last=False)
    assert result.frame["month"].tolist() == trend["month"].tolist()


# --- properties ---------------------------------------------------------------------------------

PROPERTY_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@PROPERTY_SETTINGS
@given(counts=st.lists(COUNTS, min_size=1, max_size=12), outside=st.sampled_from([0, 0, 3, 25]))
def test_property_one_way_tables_hide_nothing_recoverable(counts, outside):
    total = sum(counts) + outside
    result = suppress_counts(_table(counts), K, total=total if outside else None)
    labels = result.frame.set_index("name").loc[_table(counts)["name"], "count_label"]
    cells = list(zip(counts, labels, strict=True))
    if outside:
        cells.append((outside, result.remainder_label))
    _check_equation((total, result.total_label), cells)


@PROPERTY_SETTINGS
@given(
    cells=st.lists(st.tuples(st.integers(0, 3), COUNTS), min_size=1, max_size=14),
)
def test_property_grouped_tables_hide_nothing_recoverable(cells):
    table = pd.DataFrame(
        {
            "group": [f"group {g}" for g, _ in cells],
            "name": [f"cell {i:02d}" for i in range(len(cells))],
            "count": [value for _, value in cells],
        }
    )
    result = suppress_counts(table, K, groups="group")
    labels = result.frame.set_index("name")["count_label"]
    groups = result.group_totals.set_index("group")
    for group, rows in table.groupby("group"):
        _check_equation(
            (int(rows["count"].sum()), groups.loc[group, "count_label"]),
            list(zip(rows["count"].tolist(), labels[rows["name"]].tolist(), strict=True)),
        )
    group_values = table.groupby("group")["count"].sum()
    _check_equation(
        (int(table["count"].sum()), result.total_label),
        [(int(group_values[g]), groups.loc[g, "count_label"]) for g in group_values.index],
    )


@PROPERTY_SETTINGS
@given(
    shape=st.tuples(st.integers(1, 5), st.integers(1, 6)),
    data=st.data(),
)
def test_property_two_way_tables_hide_nothing_recoverable(shape, data):
    n_rows, n_cols = shape
    values = np.array(
        data.draw(st.lists(COUNTS, min_size=n_rows * n_cols, max_size=n_rows * n_cols))
    ).reshape(n_rows, n_cols)
    table = pd.DataFrame(
        [(f"r{i}", f"c{j}", int(values[i, j])) for i in range(n_rows) for j in range(n_cols)],
        columns=["row", "col", "count"],
    )
    result = suppress_breakdown(table, "row", "col", K)
    label = {
        (r, c): lab
        for r, c, lab in zip(
            result.cells["row"], result.cells["col"], result.cells["count_label"], strict=True
        )
    }
    row_label = dict(zip(result.row_totals["row"], result.row_totals["count_label"], strict=True))
    col_label = dict(
        zip(result.column_totals["col"], result.column_totals["count_label"], strict=True)
    )

    def cell(i: int, j: int) -> tuple[int, str]:
        return int(values[i, j]), label.get((f"r{i}", f"c{j}"), "0")

    for i in range(n_rows):
        _check_equation(
            (int(values[i].sum()), row_label[f"r{i}"]), [cell(i, j) for j in range(n_cols)]
        )
    for j in range(n_cols):
        _check_equation(
            (int(values[:, j].sum()), col_label[f"c{j}"]), [cell(i, j) for i in range(n_rows)]
        )
    grand = (int(values.sum()), result.total_label)
    _check_equation(grand, [(int(values[i].sum()), row_label[f"r{i}"]) for i in range(n_rows)])
    _check_equation(grand, [(int(values[:, j].sum()), col_label[f"c{j}"]) for j in range(n_cols)])

    # All the equations at once: no hidden count follows from them by linear algebra.
    unknowns = [*((i, j) for i in range(n_rows) for j in range(n_cols)), *range(n_rows + n_cols)]
    n_vars = len(unknowns) + 1
    rows_eq = []
    for i in range(n_rows):
        eq = np.zeros(n_vars)
        eq[n_rows * n_cols + i] = 1
        eq[[i * n_cols + j for j in range(n_cols)]] = -1
        rows_eq.append(eq)
    for j in range(n_cols):
        eq = np.zeros(n_vars)
        eq[n_rows * n_cols + n_rows + j] = 1
        eq[[i * n_cols + j for i in range(n_rows)]] = -1
        rows_eq.append(eq)
    eq = np.zeros(n_vars)
    eq[-1] = 1
    eq[n_rows * n_cols : n_rows * n_cols + n_rows] = -1
    rows_eq.append(eq)
    labels = [
        *(cell(i, j)[1] for i in range(n_rows) for j in range(n_cols)),
        *(row_label[f"r{i}"] for i in range(n_rows)),
        *(col_label[f"c{j}"] for j in range(n_cols)),
        result.total_label,
    ]
    hidden = np.array([lab in HIDDEN for lab in labels])
    assert _determined_by_algebra(np.array(rows_eq), hidden).size == 0


@pytest.fixture(scope="module")
def candidate_records(gazetteer):
    """Every (district, destination, sex) once, placed; examples give them random counts."""
    districts = ["Jhapa", "Morang", "Kaski", "Dhanusha", "Rolpa", "Kailali"]
    destinations = ["Qatar", "Malaysia", "Japan", "India"]
    rows = [
        (district, destination, sex, 1)
        for district in districts
        for destination in destinations
        for sex in ("male", "female")
    ]
    frame = pd.DataFrame(rows, columns=["origin", "destination", "sex", "count"])
    frame["transit"] = pd.NA
    return place_records(gazetteer, frame).records


@settings(max_examples=40, deadline=None, database=None)
@given(data=st.data())
def test_property_filtered_flow_views_hide_nothing_recoverable(gazetteer, candidate_records, data):
    counts = data.draw(
        st.lists(COUNTS, min_size=len(candidate_records), max_size=len(candidate_records))
    )
    sexes = data.draw(st.sampled_from([("male",), ("female",), ("male", "female")]))
    records = candidate_records.assign(count=counts)
    records = records[records["sex"].isin(sexes)]
    flows = compute_flows(gazetteer, records, level="district")
    view = suppress_flow_view(flows, compute_nodes(gazetteer, flows), K)
    label = view.flows.set_index(["origin_id", "destination_id"])["count_label"]
    nodes = view.nodes.set_index("place_id")
    cells = {
        (row.origin_id, row.destination_id): (
            int(row.count),
            label[row.origin_id, row.destination_id],
        )
        for row in flows.itertuples()
    }
    origins = flows.groupby("origin_id")["count"].sum()
    destinations = flows.groupby("destination_id")["count"].sum()
    for origin, value in origins.items():
        _check_equation(
            (int(value), nodes.loc[origin, "count_out_label"]),
            [cell for (o, _), cell in cells.items() if o == origin],
        )
    for destination, value in destinations.items():
        _check_equation(
            (int(value), nodes.loc[destination, "count_in_label"]),
            [cell for (_, d), cell in cells.items() if d == destination],
        )
    grand = (int(flows["count"].sum()), view.total_label)
    _check_equation(grand, [(int(v), nodes.loc[o, "count_out_label"]) for o, v in origins.items()])
    _check_equation(
        grand, [(int(v), nodes.loc[d, "count_in_label"]) for d, v in destinations.items()]
    )
    table = view.destination_table.set_index("destination_id")["count_label"]
    assert all(table[d] == nodes.loc[d, "count_in_label"] for d in destinations.index)


def _derived_statuses_dense(values, cell_status, derived, k, total_shown):
    """The rule for sums of cells, on a whole dense matrix (sums x every cell): a sum is shown
    only when it holds no hidden cell or, with the total shown, every hidden cell alike."""
    import numpy as np

    status = np.zeros(len(derived), dtype="int8")
    totals = derived @ values
    hidden = derived[:, cell_status != 0]
    known = ~hidden.any(axis=1)
    if total_shown and hidden.shape[1]:
        known |= np.all(hidden == hidden[:, :1], axis=1)
    conceal = ~known | ((totals > 0) & (totals < k))
    status[conceal & (totals < k)] = 3
    status[conceal & (totals >= k)] = 2
    return status


@PROPERTY_SETTINGS
@given(data=st.data())
def test_sums_of_the_drawn_cells_are_judged_as_on_the_whole_matrix(data):
    import numpy as np

    from routes.privacy import _solve_drawn

    cells = data.draw(st.integers(1, 10), label="cells")
    drawn = data.draw(st.integers(0, cells), label="drawn")
    sums = data.draw(st.integers(1, 5), label="sums")
    times = data.draw(st.lists(st.integers(0, 2), min_size=sums * drawn, max_size=sums * drawn))
    matrix = np.array(times, dtype="int64").reshape(sums, drawn)
    values = np.array(data.draw(st.lists(COUNTS, min_size=cells, max_size=cells)), dtype="int64")
    status = np.array(
        data.draw(st.lists(st.sampled_from([0, 1, 2, 3]), min_size=cells, max_size=cells)),
        dtype="int8",
    )
    total_shown = data.draw(st.booleans())
    whole = np.hstack([matrix, np.zeros((sums, cells - drawn), dtype="int64")])
    expected = _derived_statuses_dense(values, status, whole, K, total_shown)
    # The same sums as entries: one per cell held, repeated as often as it is held.
    rows, cols = np.nonzero(matrix)
    repeats = matrix[rows, cols]
    rows, cols = np.repeat(rows, repeats), np.repeat(cols, repeats)
    got = _solve_drawn(rows, cols, sums, drawn, values, status, K, total_shown)
    assert got.tolist() == expected.tolist()


def _can_move_by_search(network, status, k, edge) -> bool:
    """Whether a hidden count can move, by a plain search over every hidden count at each node
    (what :class:`routes.privacy._HiddenArcs` indexes)."""
    from routes.privacy import _arcs

    hidden = [
        other
        for other in range(len(network.values))
        if status[other] and other != edge and network.values[other] > 0
    ]
    for start, end in _arcs(network, status, k, edge):
        if start == end:
            return True
        seen, frontier = {end}, [end]
        while frontier:
            node = frontier.pop()
            for other in hidden:
                for a, b in _arcs(network, status, k, other):
                    if a == node and b not in seen:
                        if b == start:
                            return True
                        seen.add(b)
                        frontier.append(b)
    return False


@PROPERTY_SETTINGS
@given(data=st.data())
def test_the_index_of_hidden_moves_answers_as_a_plain_search(data):
    """As counts are hidden and relabelled one by one, the index kept up to date gives the same
    answer for every hidden count as a search over all of them."""
    import numpy as np

    from routes.privacy import _HiddenArcs, _Network

    nodes = data.draw(st.integers(2, 6), label="nodes")
    edges = data.draw(st.integers(1, 14), label="edges")
    ends = st.lists(st.integers(0, nodes - 1), min_size=edges, max_size=edges)
    tails, heads = np.array(data.draw(ends)), np.array(data.draw(ends))
    values = np.array(data.draw(st.lists(COUNTS, min_size=edges, max_size=edges)), dtype="int64")
    network = _Network(values, tails, heads, values.astype(float), nodes, frozenset())
    status = np.zeros(edges, dtype="int8")
    status[(values > 0) & (values < K)] = 1
    index = _HiddenArcs(network, status, K)
    for _ in range(data.draw(st.integers(0, 8), label="changes") + 1):
        for edge in np.flatnonzero(status).tolist():
            assert index.can_move(edge) == _can_move_by_search(network, status, K, edge)
        edge = data.draw(st.integers(0, edges - 1), label="changed")
        if values[edge] > 0:
            status[edge] = data.draw(st.sampled_from([1, 2, 3]), label="status")
            index.update(edge)


@pytest.mark.parametrize(
    ("cells", "totals", "pinned"),
    [
        (["<10"] * 9 + ["0"] * 3, ["<10"], True),  # nine of at least 1 under at most 9
        (["<10"] * 12, ["10"], True),  # "10" is 10 to 12: twelve of at least 1
        (["<10"], ["hidden"], True),  # the month would bound the hidden total
        (["<10"] * 2 + ["0"] * 10, ["<10"], False),  # 1 to 8 each
        (["<10"] * 12, [], False),  # against their own sum only: protected as a table
        (["<10"] * 5 + ["0"] * 7, ["40"], False),
        (["hidden", "<10", "20"], ["25"], False),
    ],
)
def test_a_table_beside_a_total_shown_elsewhere_pins_a_count_only_when_one_value_is_left(
    cells, totals, pinned
):
    from routes.privacy import pins_a_count

    assert pins_a_count(cells, totals, 10) is pinned
