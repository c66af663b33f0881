"""Shared fixtures: the shipped gazetteer and DoFE tables, loaded once per test session."""

from __future__ import annotations

import pytest

from routes import dofe
from routes.gazetteer import Gazetteer, load_gazetteer, place_records


@pytest.fixture(scope="session")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


@pytest.fixture(scope="session")
def destination_table() -> dofe.DofeTable:
    return dofe.read_dofe_destination_table()


@pytest.fixture(scope="session")
def district_table() -> dofe.DofeTable:
    return dofe.read_dofe_district_table()


@pytest.fixture(scope="session")
def placed_destinations(gazetteer, destination_table):
    return place_records(gazetteer, destination_table.records).records


@pytest.fixture(scope="session")
def placed_districts(gazetteer, district_table):
    return place_records(gazetteer, district_table.records).records
