"""The engine's three ways to filter (numpy codes, DuckDB, pandas) and its totals agree on
generated records: empty cells, zero counts, re-entry rows, several datasets, and filters on
values the records do or do not have."""

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routes.engine import RecordTable, aggregate, filtered_records, mask_for
from routes.filters import FilterState, filter_records
from routes.flows import compute_corridors, records_touching
from routes.gazetteer import UNKNOWN_ID
from routes.schema import REENTRY_CHANNEL

PLACES = {
    "origin_id": ["district:Jhapa", "district:Morang", "province:Koshi", None],
    "destination_id": ["country:QAT", "country:MYS", "country:KWT", UNKNOWN_ID, None],
    "transit_ids": ["hub:Kakarbhitta", "hub:Kakarbhitta > hub:New Delhi", "hub:New Delhi", None],
}
FACETS = {
    "sex": ["female", "male", None],
    "channel": ["regular", "irregular", REENTRY_CHANNEL, None],
    "sector": ["domestic work", "construction", None],
    "exploitation": ["wage theft", None],
    "origin_province": ["Koshi", None],
    "destination_region": ["Gulf", "South-Eastern Asia", None],
    "dataset": ["a", "b"],
}
MONTHS = [  # (label, start, end, fiscal year)
    ("Shrawan 2079", "2022-07-17", "2022-08-16", "2079/80"),
    ("Magh 2079", "2023-01-15", "2023-02-12", "2079/80"),
    ("Shrawan 2080", "2023-07-17", "2023-08-17", "2080/81"),
]
COLUMNS = [*PLACES, *FACETS]


@st.composite
def records(draw) -> pd.DataFrame:
    rows = draw(st.integers(0, 40))
    frame = {
        column: draw(st.lists(st.sampled_from(values), min_size=rows, max_size=rows))
        for column, values in {**PLACES, **FACETS}.items()
    }
    months = draw(st.lists(st.sampled_from(MONTHS), min_size=rows, max_size=rows))
    frame["count"] = draw(st.lists(st.integers(0, 9), min_size=rows, max_size=rows))
    out = pd.DataFrame(frame).astype({column: "string" for column in COLUMNS})
    # A transit cell names its places; one whose places were not all found has no ids.
    unplaced = draw(st.lists(st.booleans(), min_size=rows, max_size=rows))
    unplaced = pd.Series(unplaced, dtype=bool)
    out["transit"] = out["transit_ids"].where(~unplaced, "Erewhon")
    out["transit_ids"] = out["transit_ids"].where(~unplaced, pd.NA)
    out["period_label"] = pd.Series([m[0] for m in months], dtype="string")
    out["period_start"] = pd.to_datetime([m[1] for m in months]).astype("datetime64[s]")
    out["period_end"] = pd.to_datetime([m[2] for m in months]).astype("datetime64[s]")
    out["fiscal_year"] = pd.Series([m[3] for m in months], dtype="string")
    return out.astype({"count": "int64"})


@st.composite
def states(draw) -> FilterState:
    def some(values):
        """Mostly no filter on a facet (so that records remain); else one or two values, which
        the records may not have."""
        if draw(st.integers(0, 3)):
            return ()
        present = [v for v in values if v is not None] + ["nobody"]
        return tuple(draw(st.lists(st.sampled_from(present), min_size=1, max_size=2, unique=True)))

    return FilterState(
        datasets=some(FACETS["dataset"]),
        sexes=some(FACETS["sex"]),
        channels=some(FACETS["channel"]),
        sectors=some(FACETS["sector"]),
        destination_countries=some(PLACES["destination_id"]),
        transit_places=some(["hub:Kakarbhitta", "hub:New Delhi"]),
        fiscal_year=draw(st.sampled_from(["", "", "2079/80", "2080/81"])),
        month_from=draw(st.sampled_from(["", "", "Magh 2079"])),
        include_reentry=draw(st.booleans()),
        focus=draw(st.sampled_from(["", "", "hub:New Delhi", "country:QAT", "district:Jhapa"])),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records(), states())
def test_numpy_duckdb_and_pandas_filters_keep_the_same_records(frame, state):
    source = RecordTable.from_frame(frame)
    kept = filter_records(frame, state)
    focused = records_touching(kept, state.focus) if state.focus else kept
    assert np.flatnonzero(mask_for(source, state, focus=False)).tolist() == list(kept.index)
    assert np.flatnonzero(mask_for(source, state)).tolist() == list(focused.index)
    assert len(filtered_records(source, state, focus=True)) == len(focused)

    totals = aggregate(source, state)
    want = focused.groupby(["origin_id", "destination_id"], dropna=False)["count"].sum()
    got = totals.pairs.set_index(["origin_id", "destination_id"])["count"]
    assert sorted(zip(got.index.map(str), got, strict=True)) == sorted(
        zip(want.index.map(str), want, strict=True)
    )
    # The months count what the flows count (origin and destination known), dataset by
    # dataset, when the dataset has any; else all of its records.
    by_month = 0
    for _, group in focused.groupby(focused["dataset"].astype(object).fillna(""), dropna=False):
        flowing = group[
            group["origin_id"].notna()
            & group["destination_id"].notna()
            & (group["destination_id"] != "unknown:Unknown")
        ]
        by_month += int((flowing if len(flowing) else group)["count"].sum())
    assert int(totals.trend["count"].sum()) == by_month
    # Whole paths, worked out row by row: placed records only, totals above zero.
    corridors = compute_corridors(_gazetteer(), totals.paths)
    assert dict(zip(corridors["path_ids"], corridors["count"], strict=True)) == _paths(focused)
    # Corridors from the engine's path totals are those of the focused records themselves.
    for level in ("district", "province"):
        pd.testing.assert_frame_equal(
            compute_corridors(_gazetteer(), totals.paths, level),
            compute_corridors(_gazetteer(), focused.reset_index(drop=True), level),
        )


def _paths(records: pd.DataFrame) -> dict[str, int]:
    paths: dict[str, int] = {}
    for row in records.itertuples():
        origin, destination = row.origin_id, row.destination_id
        if pd.isna(origin) or pd.isna(destination) or destination == UNKNOWN_ID:
            continue
        if pd.notna(row.transit) and pd.isna(row.transit_ids):
            continue  # a transit that was not placed makes no path
        via = [] if pd.isna(row.transit_ids) else str(row.transit_ids).split(" > ")
        path = " > ".join([origin, *via, destination])
        paths[path] = paths.get(path, 0) + int(row.count)
    return {path: count for path, count in paths.items() if count > 0}


def _gazetteer():
    from routes.gazetteer import load_gazetteer

    return load_gazetteer()
