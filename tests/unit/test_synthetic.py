"""Synthetic demonstration cases: deterministic, labelled, valid, placed, shaped like DoFE."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from routes.dofe import read_dofe_district_table
from routes.gazetteer import load_gazetteer, place_records
from routes.schema import validate_records
from routes.synthetic import (
    EXPLOITATION_WEIGHTS,
    SYNTHETIC_COLUMNS,
    SYNTHETIC_LABEL,
    SYNTHETIC_MONTHS,
    compute_district_weights,
    generate_synthetic_cases,
    write_synthetic_dataset,
)


@pytest.fixture(scope="module")
def gazetteer():
    return load_gazetteer()


@pytest.fixture(scope="module")
def cases(gazetteer) -> pd.DataFrame:
    return generate_synthetic_cases(20000, gazetteer=gazetteer)


def test_same_seed_gives_the_same_frame(gazetteer):
    first = generate_synthetic_cases(500, seed=7, gazetteer=gazetteer)
    second = generate_synthetic_cases(500, seed=7, gazetteer=gazetteer)
    pd.testing.assert_frame_equal(first, second)


def test_different_seed_gives_a_different_frame(gazetteer):
    first = generate_synthetic_cases(500, seed=7, gazetteer=gazetteer)
    second = generate_synthetic_cases(500, seed=8, gazetteer=gazetteer)
    assert not first.drop(columns="source").equals(second.drop(columns="source"))


def test_generate_synthetic_cases_returns_schema_columns_only(cases):
    assert len(cases) == 20000
    assert tuple(cases.columns) == SYNTHETIC_COLUMNS


def test_every_synthetic_record_validates(cases):
    result = validate_records(cases)
    assert result.ok, result.summary("synthetic")
    assert result.rows_rejected == 0
    assert set(result.records["fiscal_year"]) == {"2078/79", "2079/80"}


def test_every_place_name_resolves(gazetteer, cases):
    placed = place_records(gazetteer, cases)
    assert placed.unresolved_rows == 0
    assert placed.records["origin_id"].notna().all()
    assert placed.records["destination_id"].notna().all()
    assert placed.records["transit_ids"].notna().all()


def test_every_row_carries_the_synthetic_label(cases):
    assert cases["source"].str.casefold().str.contains(SYNTHETIC_LABEL, regex=False).all()
    assert cases["source"].str.contains("seed 2079", regex=False).all()


def test_district_shares_follow_dofe(cases):
    dofe = read_dofe_district_table().records
    current = dofe[~dofe["origin"].isin(["Nawalparasi", "Rukum"])]
    real = current.groupby("origin")["count"].sum()
    drawn = cases["origin"].value_counts().reindex(real.index, fill_value=0)
    spearman = real.rank().corr(drawn.rank())
    assert spearman > 0.8


def test_undivided_districts_are_folded_into_their_halves(gazetteer):
    weights = compute_district_weights(gazetteer)
    dofe = read_dofe_district_table().records
    assert "Nawalparasi" not in weights.index and "Rukum" not in weights.index
    assert len(weights) == 77
    assert weights.sum() == pytest.approx(dofe["count"].sum())


def test_every_irregular_record_has_a_transit_place(cases):
    irregular = cases[cases["channel"] == "irregular"]
    assert len(irregular) > 0
    assert irregular["transit"].notna().all()
    assert (irregular["transit"].str.strip() != "").all()


def test_regular_records_leave_from_kathmandu_airport(cases):
    regular = cases[cases["channel"] == "regular"]
    assert regular["transit"].str.startswith("Kathmandu Tribhuvan International Airport").all()


def test_cases_to_india_are_irregular_and_cross_the_border(cases):
    india = cases[cases["destination"] == "India"]
    assert len(india) > 0
    assert (india["channel"] == "irregular").all()
    assert not india["transit"].str.contains(">", regex=False).any()


def test_categories_stay_in_their_vocabularies(cases):
    assert set(cases["channel"]) == {"regular", "irregular"}
    assert set(cases["sex"]) == {"male", "female"}
    assert set(cases["period"]) <= set(SYNTHETIC_MONTHS)
    assert set(cases["exploitation"].dropna()) <= set(EXPLOITATION_WEIGHTS)
    assert cases["exploitation"].isna().mean() > 0.5
    assert cases["count"].between(1, 5).all()
    assert (cases["count"] == 1).mean() > 0.8


def test_domestic_servitude_only_for_domestic_workers(cases):
    servitude = cases[cases["exploitation"] == "domestic servitude"]
    assert (servitude["sector"] == "domestic work").all()


def test_given_weights_are_followed(gazetteer):
    cases = generate_synthetic_cases(
        300,
        districts_weights=pd.Series({"Jhapa": 1.0}),
        destination_weights=pd.Series({"Qatar": 1.0}),
        gazetteer=gazetteer,
    )
    assert set(cases["origin"]) == {"Jhapa"}
    assert set(cases["destination"]) <= {"Qatar", "India"}


def test_unknown_weight_name_is_reported(gazetteer):
    with pytest.raises(ValueError, match="Erewhon"):
        generate_synthetic_cases(
            10, districts_weights=pd.Series({"Erewhon": 1.0}), gazetteer=gazetteer
        )


def test_write_synthetic_dataset_round_trips(tmp_path):
    path = write_synthetic_dataset(tmp_path / "out" / "cases.csv", n_records=200, seed=3)
    read = pd.read_csv(path, dtype=str, keep_default_na=False)
    expected = generate_synthetic_cases(200, seed=3)
    assert list(read.columns) == list(SYNTHETIC_COLUMNS)
    assert read["origin"].tolist() == expected["origin"].tolist()
    assert read["transit"].tolist() == expected["transit"].tolist()
    assert validate_records(read).ok


def test_module_runs_as_a_script(tmp_path):
    path = tmp_path / "cases.csv"
    done = subprocess.run(
        [sys.executable, "-m", "routes.synthetic", str(path), "--records", "50"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert SYNTHETIC_LABEL in done.stdout
    assert len(pd.read_csv(path)) == 50
