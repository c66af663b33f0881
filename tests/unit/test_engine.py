"""The engine (DuckDB over Arrow) gives the same answers as the pandas filter, state by state."""

import numpy as np
import pandas as pd
import pytest

from routes.datasets import DOFE_ID, SYNTHETIC_ID, read_builtin_records
from routes.engine import (
    GroupKey,
    RecordTable,
    aggregate,
    filtered_records,
    place_breakdown,
    place_totals,
)
from routes.filters import FilterState, filter_records, months_by_fiscal_year
from routes.flows import compute_place_breakdown, records_touching
from routes.gazetteer import UNKNOWN_ID, place_records
from routes.schema import validate_records

STATES = [
    FilterState(),
    FilterState(sexes=("female",)),
    FilterState(fiscal_year="2079/80", channels=("irregular",)),
    FilterState(month_from="Poush 2079", month_to="Baisakh 2080"),
    FilterState(destination_regions=("Gulf",), sectors=("domestic work",)),
    FilterState(origin_provinces=("Koshi", "Madhesh"), exploitation=("wage theft",)),
    FilterState(transit_places=("hub:New Delhi", "hub:Dhaka")),
    FilterState(destination_countries=("country:KWT",), focus="hub:New Delhi"),
    FilterState(focus="district:Jhapa", include_reentry=False),
    FilterState(focus="province:Koshi", sexes=("female",)),
    FilterState(sexes=("nobody",)),
]


@pytest.fixture(scope="module")
def synthetic(gazetteer):
    return read_builtin_records(gazetteer, SYNTHETIC_ID)


@pytest.fixture(scope="module")
def source(synthetic):
    return RecordTable.from_frame(synthetic)


def _sorted(frame, keys):
    return frame.sort_values(keys).reset_index(drop=True)


@pytest.mark.parametrize("state", STATES)
def test_engine_totals_equal_the_pandas_filter(synthetic, source, state):
    kept = filter_records(synthetic, state)
    focused = records_touching(kept, state.focus) if state.focus else kept
    totals = aggregate(source, state)
    expected_pairs = (
        focused.groupby(["origin_id", "destination_id"], dropna=False)["count"].sum().reset_index()
    )
    got = _sorted(totals.pairs, ["origin_id", "destination_id"])
    want = _sorted(expected_pairs, ["origin_id", "destination_id"])
    assert got["count"].tolist() == want["count"].tolist()
    assert got["destination_id"].tolist() == want["destination_id"].astype("string").tolist()
    assert int(totals.origins["count"].sum()) == int(kept["count"].sum())
    assert int(totals.trend["count"].sum()) == int(focused["count"].sum())
    assert int(totals.paths["count"].sum()) == int(focused["count"].sum())
    assert len(filtered_records(source, state, focus=True)) == len(focused)


def test_place_breakdown_and_totals_match_pandas(synthetic, source):
    state = FilterState(sexes=("female",))
    kept = filter_records(synthetic, state)
    for place in ("country:QAT", "hub:New Delhi", "district:Jhapa"):
        got = place_breakdown(source, state, place, "channel").set_index("channel")["count"]
        want = compute_place_breakdown(kept, place, "channel").set_index("channel")["count"]
        assert got.sort_index().tolist() == want.sort_index().tolist()
        leaving, arriving, passing = place_totals(source, state, place)
        touching = records_touching(kept, place)
        assert leaving + arriving + passing >= int(touching["count"].sum())


def test_a_province_in_focus_is_the_records_of_its_districts(synthetic, source):
    """A province is no record's origin id: a focus on one matched nothing."""
    state = FilterState(focus="province:Koshi")
    koshi = synthetic[synthetic["origin_province"] == "Koshi"]
    assert len(koshi) and koshi["origin_id"].nunique() > 1
    assert len(filtered_records(source, state, focus=True)) == len(koshi)
    leaving, arriving, passing = place_totals(source, FilterState(), "province:Koshi")
    assert (leaving, arriving, passing) == (int(koshi["count"].sum()), 0, 0)
    got = place_breakdown(source, FilterState(), "province:Koshi", "sex")
    assert int(got["count"].sum()) == int(koshi["count"].sum())


def test_dofe_destination_totals_through_the_engine(gazetteer):
    records = read_builtin_records(gazetteer, DOFE_ID)
    totals = aggregate(RecordTable.from_frame(records), FilterState(fiscal_year="2079/80"))
    qatar = totals.pairs[totals.pairs["destination_id"] == "country:QAT"]
    assert int(qatar["count"].sum()) == 111_951
    assert pd.api.types.is_string_dtype(totals.pairs["origin_id"])


@pytest.mark.parametrize("state", STATES)
def test_code_filter_keeps_the_rows_duckdb_keeps(synthetic, source, state):
    from routes.engine import mask_for

    kept = filter_records(synthetic, state)
    focused = records_touching(kept, state.focus) if state.focus else kept
    assert int(mask_for(source, state).sum()) == len(filtered_records(source, state, focus=True))
    assert int(mask_for(source, state, focus=False).sum()) == len(kept)
    want = (
        focused.groupby(["period_start", "period_label"], dropna=False)["count"].sum().reset_index()
    )
    got = aggregate(source, state, paths=False).trend
    assert sorted(zip(got["period_label"], got["count"], strict=True)) == sorted(
        zip(want["period_label"].astype("string"), want["count"], strict=True)
    )
    assert got["period_start"].dtype == "datetime64[s]"


def test_codes_hold_across_chunks_and_empty_columns(synthetic):
    import pyarrow as pa

    from routes.engine import mask_for

    whole = RecordTable.from_frame(synthetic).table
    halves = [whole.slice(0, len(synthetic) // 2), whole.slice(len(synthetic) // 2)]
    # Two chunks whose dictionaries differ, and a column with nothing in it.
    chunked = pa.concat_tables(
        [RecordTable.from_frame(half.to_pandas()).table for half in halves],
        promote_options="permissive",
    )
    chunked = chunked.append_column("empty", pa.nulls(len(chunked)))
    source = RecordTable(chunked)
    state = FilterState(sexes=("female",), channels=("irregular",))
    want = filter_records(synthetic, state)
    totals = aggregate(source, state, paths=False)
    assert int(totals.pairs["count"].sum()) == int(want["count"].sum())
    assert int(mask_for(source, state).sum()) == len(want)
    assert (
        totals.pairs["origin_id"].isna().sum()
        == want["origin_id"].isna().groupby(want["destination_id"].fillna("")).any().sum()
    )


@pytest.mark.parametrize("dataset", [SYNTHETIC_ID, DOFE_ID])
def test_filter_options_read_from_the_distinct_values_equal_those_of_the_records(
    gazetteer, dataset
):
    from routes.engine import option_records
    from routes.filters import facet_options, months_by_fiscal_year

    records = read_builtin_records(gazetteer, dataset)
    options = option_records(RecordTable.from_frame(records))
    assert len(options) < len(records) / 10
    assert facet_options(options) == facet_options(records)
    assert months_by_fiscal_year(options) == months_by_fiscal_year(records)


def test_a_stored_dataset_read_as_arrow_gives_the_table_its_frame_gives(synthetic, tmp_path):
    import pyarrow as pa

    from routes.datasets import read_stored_records, read_stored_table
    from routes.store import DatasetInfo, FileStore

    store = FileStore(tmp_path / "datasets")
    saved = store.save(synthetic.drop(columns="dataset"), DatasetInfo(title="Cases"))
    by_frame = RecordTable.from_frame(read_stored_records(store, saved.dataset_id, 1))
    by_arrow = RecordTable.from_tables([read_stored_table(store, saved.dataset_id, 1)])
    assert by_arrow.table.schema.remove_metadata() == by_frame.table.schema.remove_metadata()
    assert all(column.num_chunks == 1 for column in by_arrow.table.columns)
    for state in STATES:
        got, want = aggregate(by_arrow, state), aggregate(by_frame, state)
        keys = ["origin_id", "destination_id"]
        assert _sorted(got.pairs, keys).equals(_sorted(want.pairs, keys))
        assert len(filtered_records(by_arrow, state)) == len(filtered_records(by_frame, state))
    # Combined with a table that lacks a column, that column is empty there.
    other = pa.table({"origin_id": ["district:Jhapa"], "destination_id": ["country:QAT"],
                      "count": [7]})  # fmt: skip
    both = RecordTable.from_tables([read_stored_table(store, saved.dataset_id, 1), other])
    assert both.num_rows == len(synthetic) + 1
    assert both.table.column("sex").null_count >= 1
    assert (
        int(aggregate(both, FilterState()).pairs["count"].sum())
        == int(synthetic["count"].sum()) + 7
    )


@pytest.mark.parametrize("state", STATES)
def test_path_totals_equal_the_pandas_filter(synthetic, source, state):
    kept = filter_records(synthetic, state)
    focused = records_touching(kept, state.focus) if state.focus else kept
    columns = ["origin_id", "transit", "transit_ids", "destination_id"]
    expected = (
        focused.assign(transit=focused["transit"].notna().map({True: "yes", False: None}))
        .groupby(columns, dropna=False)["count"]
        .sum()
        .reset_index()
    )
    got = aggregate(source, state).paths
    assert isinstance(got["transit_ids"].dtype, pd.CategoricalDtype)
    pd.testing.assert_frame_equal(_as_text(got, columns), _as_text(expected, columns))


def _as_text(frame, columns):
    """Place columns as text ("" for empty), rows in order of them."""
    text = {
        column: frame[column].astype(object).where(frame[column].notna(), "") for column in columns
    }
    out = frame.assign(**text).astype({column: object for column in columns})
    return out.astype({"count": "int64"}).sort_values(columns).reset_index(drop=True)


def test_group_key_totals_are_the_same_whether_every_combination_is_numbered_or_not(monkeypatch):
    rng = np.random.default_rng(7)
    columns = [(rng.integers(-1, size, 5_000).astype("int32"), size) for size in (40, 90, 60)]
    counts = rng.integers(0, 9, 5_000)
    mask = rng.random(5_000) < 0.6
    monkeypatch.setattr(GroupKey, "DENSE_LIMIT", 10**9)
    every = GroupKey.of(*columns)
    monkeypatch.setattr(GroupKey, "DENSE_LIMIT", 0)
    present = GroupKey.of(*columns)
    assert len(every.groups) == 41 * 91 * 61 and len(present.groups) < 5_000
    for zero_counts in (False, True):
        a_codes, a_totals = every.totals(mask, counts[mask], zero_counts)
        b_codes, b_totals = present.totals(mask, counts[mask], zero_counts)
        assert np.array_equal(a_totals, b_totals)
        assert all(np.array_equal(a, b) for a, b in zip(a_codes, b_codes, strict=True))
    # Without zero counts, the groups are those of a GROUP BY of the rows with a count.
    (a_codes, a_totals), (b_codes, b_totals) = (
        key.totals(mask, counts[mask], False) for key in (every, present)
    )
    frame = pd.DataFrame({f"c{i}": codes[mask] for i, (codes, _) in enumerate(columns)})
    expected = frame.assign(n=counts[mask]).groupby(list(frame.columns))["n"].sum()
    expected = expected[expected > 0]
    assert b_totals.tolist() == expected.tolist()
    assert list(zip(*(codes.tolist() for codes in b_codes), strict=True)) == expected.index.tolist()


def test_a_dictionary_that_holds_a_value_twice_is_encoded_again(synthetic):
    """Another writer's Parquet may hold a value twice in a column's dictionary: totals and paths
    still come once per value."""
    import pyarrow as pa
    import pyarrow.compute as pc

    table = pa.Table.from_pandas(synthetic, preserve_index=False)
    encoded = pc.dictionary_encode(table.column("origin_id").combine_chunks())
    indices = encoded.indices.to_numpy(zero_copy_only=False).copy()
    first = np.flatnonzero(indices == 0)
    indices[first[::2]] = len(encoded.dictionary)  # half of them point at a second copy
    twice = pa.DictionaryArray.from_arrays(
        pa.array(indices, pa.int32()),
        pa.concat_arrays([encoded.dictionary, encoded.dictionary.slice(0, 1)]),
    )
    table = table.set_column(table.column_names.index("origin_id"), "origin_id", twice)
    totals = aggregate(RecordTable.from_tables([table]), FilterState())
    assert totals.pairs.set_index(["origin_id", "destination_id"]).index.is_unique
    assert int(totals.paths["count"].sum()) == int(synthetic["count"].sum())
    expected = aggregate(RecordTable.from_frame(synthetic), FilterState()).pairs
    assert sorted(map(tuple, totals.pairs.to_numpy().tolist())) == sorted(
        map(tuple, expected.to_numpy().tolist())
    )


def test_a_trend_of_overlapping_periods_is_not_filled_with_empty_ones(synthetic):
    """A fiscal year's total beside its months is not one time line: no month of the filter is
    added before the view's first month or after its last (those between are, as for any
    months); a time line of months gets every month of the filter with no record of the view."""
    with_year = synthetic.copy()
    first = with_year.index[0]
    with_year.loc[first, "period_start"] = with_year["period_start"].min()
    with_year.loc[first, "period_end"] = with_year["period_end"].max()
    with_year.loc[first, "period_label"] = "2079/80"
    with_year.loc[first, "sex"] = "male"
    state = FilterState(sexes=("female",), destination_countries=("country:BRN",))
    kept = filter_records(with_year, state)
    assert kept["period_label"].nunique() == 2
    trend = aggregate(RecordTable.from_frame(with_year), state, paths=False).trend
    assert set(kept["period_label"].astype(str)) == {"Kartik 2079", "Falgun 2079"}
    assert sorted(trend["period_label"]) == sorted(
        ["Kartik 2079", "Mangsir 2079", "Poush 2079", "Magh 2079", "Falgun 2079"]
    )
    filled = aggregate(RecordTable.from_frame(synthetic), state, paths=False).trend
    assert len(filled) == synthetic["period_label"].nunique() == 13
    assert int(filled["count"].sum()) == int(kept["count"].sum())
    assert (filled["count"] == 0).sum() == 11


def _calendar_2023(synthetic: pd.DataFrame) -> pd.DataFrame:
    """Fifty records of an upload by calendar year (2023), in no one fiscal year."""
    return synthetic.head(50).assign(
        dataset="cases-2023",
        fiscal_year=None,
        period_label="2023",
        period_start=pd.Timestamp("2023-01-01"),
        period_end=pd.Timestamp("2023-12-31 23:59:59"),
    )


def test_datasets_the_fiscal_year_counts_in_part_are_named(synthetic):
    """A desk's Chaitra 2079 to Shrawan 2080 under FY 2079/80 lost its Shrawan 2080 (774 of its
    2,172 people) without a word (a helper's walkthrough): records after the chosen year, or
    of a period spanning years, are named with their periods; earlier ones are what choosing a
    year means."""
    from routes.engine import datasets_beyond_fiscal_year

    calendar = _calendar_2023(synthetic)
    # A dataset with records in 2079/80 and in 2080/81, and one of 2023 beside its 2079/80 ones.
    later = synthetic[synthetic["fiscal_year"] == "2079/80"].head(50).assign(dataset="desk")
    shrawan = later.head(5).assign(
        fiscal_year="2080/81",
        period_label="Shrawan 2080",
        period_start=pd.Timestamp("2023-07-17"),
        period_end=pd.Timestamp("2023-08-17 23:59:59"),
    )
    mixed = synthetic[synthetic["fiscal_year"] == "2079/80"].head(5).assign(dataset="cases-2023")
    frame = pd.concat([synthetic, calendar, mixed, later, shrawan], ignore_index=True)
    source = RecordTable.from_frame(frame)
    assert datasets_beyond_fiscal_year(source, FilterState(fiscal_year="2079/80")) == {
        "cases-2023": ("2023", "2023"),
        "desk": ("Shrawan 2080", "Shrawan 2080"),
    }
    # Synthetic's Baisakh to Asar 2079 lie before 2079/80: not listed; after 2078/79, they are.
    assert datasets_beyond_fiscal_year(source, FilterState(fiscal_year="2078/79")) == {
        SYNTHETIC_ID: ("Shrawan 2079", "Baisakh 2080")
    }
    assert datasets_beyond_fiscal_year(source, FilterState()) == {}
    # An AD month that FY 2079/80 starts in the middle of (July 2022: 1 to 31 July; the year
    # starts on 17 July) is in neither year: left out, and said (an NGO's walkthrough).
    july = later.head(3).assign(
        dataset="ngo",
        fiscal_year=None,
        period_label="July 2022",
        period_start=pd.Timestamp("2022-07-01"),
        period_end=pd.Timestamp("2022-07-31 23:59:59"),
    )
    with_july = RecordTable.from_frame(pd.concat([frame, july, later.assign(dataset="ngo")]))
    assert datasets_beyond_fiscal_year(with_july, FilterState(fiscal_year="2079/80"))["ngo"] == (
        "July 2022",
        "July 2022",
    )
    # ... and June 2022, wholly before the year, is what choosing a year leaves out.
    june = july.assign(
        period_label="June 2022",
        period_start=pd.Timestamp("2022-06-01"),
        period_end=pd.Timestamp("2022-06-30 23:59:59"),
    )
    with_june = RecordTable.from_frame(pd.concat([frame, june, later.assign(dataset="ngo")]))
    assert "ngo" not in datasets_beyond_fiscal_year(with_june, FilterState(fiscal_year="2079/80"))
    # A calendar year before the chosen fiscal year is not beyond it (2023 before 2081/82).
    assert "cases-2023" not in datasets_beyond_fiscal_year(
        RecordTable.from_frame(pd.concat([frame, mixed.assign(fiscal_year="2081/82")])),
        FilterState(fiscal_year="2081/82"),
    )


def test_datasets_with_no_record_in_the_period_are_named(synthetic):
    """An upload by calendar year beside DoFE's fiscal year added nothing to the view, unsaid."""
    from routes.engine import datasets_outside_period

    mine = _calendar_2023(synthetic)
    source = RecordTable.from_frame(pd.concat([synthetic, mine], ignore_index=True))
    year = ("2023", "2023")
    assert datasets_outside_period(source, FilterState(fiscal_year="2079/80")) == {
        "cases-2023": year
    }
    assert datasets_outside_period(source, FilterState()) == {}
    in_2023 = FilterState(month_from="Magh 2079", month_to="Baisakh 2080")
    assert datasets_outside_period(source, in_2023) == {"cases-2023": year}
    assert datasets_outside_period(source, FilterState(fiscal_year="2070/71")) == {
        SYNTHETIC_ID: ("Baisakh 2079", "Baisakh 2080"),
        "cases-2023": year,
    }


def test_months_no_record_has_at_all_are_zeros_between_the_first_and_the_last(synthetic):
    """A case dataset with no case from Bhadra to Mangsir went from Shrawan to Poush."""
    kept = synthetic[synthetic["period_label"].isin(["Shrawan 2079", "Poush 2079", "Magh 2079"])]
    trend = aggregate(RecordTable.from_frame(kept), FilterState(), paths=False).trend
    trend = trend.sort_values("period_start")
    assert trend["period_label"].tolist() == [
        "Shrawan 2079", "Bhadra 2079", "Ashoj 2079", "Kartik 2079", "Mangsir 2079",
        "Poush 2079", "Magh 2079",
    ]  # fmt: skip
    assert (trend["count"] == 0).sum() == 4
    assert int(trend["count"].sum()) == int(kept["count"].sum())
    # Each month starts on its own first day, after the one before.
    assert trend["period_start"].is_monotonic_increasing and trend["period_start"].is_unique


def test_records_dated_by_day_count_in_their_bs_month_of_the_trend_and_the_month_filter(
    gazetteer,
):
    """A survey dated by day had a quarter of its people listed beside the month chart, and
    the month slider did not reach the months it had only as days."""
    frame = pd.DataFrame(
        {
            "origin": ["Jhapa"] * 5,
            "destination": ["Qatar"] * 5,
            "count": [1, 2, 3, 4, 5],
            # 28 and 30 August 2022 and 12 Bhadra 2079 are in Bhadra 2079; 20 October in Kartik.
            "period": ["2022-08-28", "2022-08-30", "2079-05-12", "Bhadra 2079", "2022-10-20"],
        }
    )
    records = place_records(gazetteer, validate_records(frame).records).records
    records["dataset"] = "survey"
    trend = aggregate(RecordTable.from_frame(records), FilterState()).trend
    by_month = dict(zip(trend["period_label"], trend["count"], strict=True))
    assert by_month == {"Bhadra 2079": 10, "Kartik 2079": 5, "Ashoj 2079": 0}
    assert months_by_fiscal_year(records)["2079/80"] == ["Bhadra 2079", "Kartik 2079"]
    kartik = FilterState(month_from="Kartik 2079", month_to="Kartik 2079")
    assert int(filter_records(records, kartik)["count"].sum()) == 5


def test_the_records_export_marks_in_flows_by_the_engines_own_rule(gazetteer):
    from routes.engine import counted_in_flows

    records = read_builtin_records(gazetteer, DOFE_ID)
    marked = counted_in_flows(records).to_numpy()
    assert (marked == RecordTable.from_frame(records).flowing).all()
    assert marked.any() and not marked.all()  # the district table is outside the flows


def test_the_months_of_combined_data_count_each_dataset_as_its_flows_or_its_records(
    gazetteer, synthetic
):
    """DoFE beside a dataset with flows, focused on Koshi: the month chart held the other
    dataset's flows alone (DoFE's Koshi records name no destination), far below the focus's
    total beside it (a helper's walkthrough)."""
    dofe = read_builtin_records(gazetteer, DOFE_ID)
    combined = pd.concat(
        [dofe.assign(dataset=DOFE_ID), synthetic.assign(dataset=SYNTHETIC_ID)], ignore_index=True
    )
    state = FilterState(focus="province:Koshi")
    totals = aggregate(RecordTable.from_frame(combined), state, paths=False)
    koshi_dofe = dofe[dofe["origin_province"] == "Koshi"]["count"].sum()
    koshi_cases = synthetic[
        (synthetic["origin_province"] == "Koshi") & synthetic["destination_id"].notna()
        & (synthetic["destination_id"] != UNKNOWN_ID)
    ]["count"].sum()  # fmt: skip
    assert koshi_dofe > 0 and koshi_cases > 0
    assert int(totals.trend["count"].sum()) == int(koshi_dofe + koshi_cases)
    # DoFE alone: both its tables, each permit once (the destination table's are not Koshi's).
    alone = aggregate(RecordTable.from_frame(dofe.assign(dataset=DOFE_ID)), state, paths=False)
    assert int(alone.trend["count"].sum()) == int(koshi_dofe)


def test_values_written_in_other_capitals_are_one_value_across_datasets(synthetic):
    """A union's "Irregular" beside the synthetic data's "irregular" were two channels, the
    filter on each keeping one dataset's records (59 and 4,002: an analyst's walkthrough); a
    "re-entry" written small escaped the switch that leaves re-entry out."""
    from routes.engine import option_records
    from routes.filters import facet_options

    union = synthetic.head(30).assign(
        dataset="union", channel=["Irregular"] * 10 + ["re-entry"] * 5 + ["regular"] * 15,
        sector=["Domestic  Work"] * 30,
    )  # fmt: skip
    both = RecordTable.from_tables(
        [RecordTable.from_frame(frame).table for frame in (synthetic, union)]
    )
    options = facet_options(option_records(both))
    assert "Irregular" not in options["channels"] and "irregular" in options["channels"]
    assert "Domestic  Work" not in options["sectors"] and "domestic work" in options["sectors"]
    irregular = FilterState(channels=("irregular",))
    expected = int(synthetic.loc[synthetic["channel"] == "irregular", "count"].sum())
    expected += int(union["count"].head(10).sum())
    assert int(aggregate(both, irregular).pairs["count"].sum()) == expected
    assert int(filtered_records(both, irregular)["count"].sum()) == expected
    without = aggregate(both, FilterState(include_reentry=False)).pairs["count"].sum()
    everything = aggregate(both, FilterState()).pairs["count"].sum()
    assert everything - without == int(union["count"].iloc[10:15].sum())
    # The pandas filter the tests hold the engine to reads them alike (a code review).
    pooled = pd.concat([synthetic, union], ignore_index=True)
    assert int(filter_records(pooled, irregular)["count"].sum()) == expected
    kept = filter_records(pooled, FilterState(include_reentry=False))
    assert int(pooled["count"].sum() - kept["count"].sum()) == int(union["count"].iloc[10:15].sum())
