"""The files a page offers for its view: what each holds and what its title says."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from routes import ui
from routes.datasets import SYNTHETIC_ID, read_builtin_records
from routes.export import DatasetCredit, build_export_metadata
from routes.filters import FilterState
from routes.views import compute_view

UNIT = "People"


@pytest.fixture(scope="module")
def synthetic(gazetteer):
    return read_builtin_records(gazetteer, SYNTHETIC_ID)


def _metadata(restricted: bool):
    credit = DatasetCredit(
        title="Cases",
        organisation="An NGO",
        licence="internal",
        source_note="synthetic demonstration data",
        sensitivity="restricted" if restricted else "public",
    )
    return build_export_metadata(
        f"{UNIT}: destinations and origin districts", ["all"], [credit], 10 if restricted else None
    )


def _files(view, restricted: bool) -> dict[str, bytes]:
    files = ui._downloads(view, _metadata(restricted), UNIT, lambda: b"")
    return {item.file_name: item for item in files}


def _title(data: bytes) -> str:
    first = data.decode("utf-8-sig").splitlines()[0]
    return first.removeprefix("# Title: ")


def test_each_table_is_titled_by_what_it_counts(gazetteer, synthetic):
    view = compute_view(gazetteer, synthetic, FilterState(), corridors=False)
    files = _files(view, restricted=False)
    titles = {name: _title(files[name].make()) for name in files if name.endswith(".csv")}
    assert titles["destinations.csv"] == "People by destination"
    assert titles["districts.csv"] == "People by origin district"
    assert titles["months.csv"] == "People by month"
    assert titles["flows.csv"] == "People from origin to destination"
    assert titles["records.csv"] == "People: the records of this view"
    assert len(set(titles.values())) == len(titles)


def test_the_corridors_files_say_whose_records_they_count_and_what_a_leg_share_is(
    gazetteer, synthetic
):
    """A corridors export held destinations.csv (India 59, every record) beside places.csv
    (India 32, the corridors' records) with nothing saying which was which, and legs.csv's
    share, of the sum of all legs, was said to be of the view's flows (an analyst's
    walkthrough)."""
    view = compute_view(gazetteer, synthetic, FilterState(), corridors=True)
    files = _files(view, restricted=False)
    titles = {name: _title(files[name].make()) for name in files if name.endswith(".csv")}
    assert titles["destinations.csv"] == "People by destination"
    assert "of the corridors' records" in titles["places.csv"]
    assert "of the corridors drawn" in titles["legs.csv"]
    assert "every place is placed" in titles["corridors.csv"]
    legs = files["legs.csv"].make().decode("utf-8-sig")
    share_line = next(line for line in legs.splitlines() if line.startswith("# Column share:"))
    assert "of the sum of the legs in the file, those of the corridors drawn" in share_line
    table = pd.read_csv(io.BytesIO(files["legs.csv"].make()), comment="#")
    assert table["share"].sum() == pytest.approx(1.0)
    # So under a top N too: the legs are those of the corridors drawn (a code review).
    top = compute_view(gazetteer, synthetic, FilterState(top_n=5), corridors=True)
    legs = pd.read_csv(io.BytesIO(_files(top, restricted=False)["legs.csv"].make()), comment="#")
    assert legs["share"].sum() == pytest.approx(1.0)
    assert legs["count"].sum() < top.corridors["count"].sum()


def test_the_months_table_is_the_chart_beside_the_map(gazetteer, synthetic):
    view = compute_view(gazetteer, synthetic, FilterState(sexes=("female",)), corridors=False)
    months = pd.read_csv(
        io.BytesIO(_files(view, restricted=False)["months.csv"].make()), comment="#"
    )
    assert months["month"].tolist() == [str(m) for m in view.trend["month"]]
    assert int(months["count"].sum()) == view.totals.records_total


def test_restricted_months_leave_with_their_labels_and_no_count_below_k(gazetteer, synthetic):
    view = compute_view(gazetteer, synthetic.head(100), FilterState(), k=10, corridors=False)
    hidden = view.trend["count"].isna()
    assert hidden.any() and (~hidden).any()  # the sample has months on both sides of k
    months = pd.read_csv(
        io.BytesIO(_files(view, restricted=True)["months.csv"].make()), comment="#"
    )
    numbers = months["count"].dropna()
    assert ((numbers == 0) | (numbers >= 10)).all()
    assert (months.loc[months["count"].isna(), "count_label"] == "<10").all()


def test_a_restricted_corridors_page_exports_its_own_tables_and_the_months(gazetteer, synthetic):
    view = compute_view(gazetteer, synthetic.head(300), FilterState(), k=10, corridors=True)
    names = {name for name in _files(view, restricted=True) if name.endswith(".csv")}
    # The flows' tables are protected apart from the corridors': they stay out.
    assert names == {"corridors.csv", "legs.csv", "places.csv", "months.csv"}


def test_months_all_hidden_are_not_exported_since_the_page_lists_none(gazetteer, synthetic):
    view = compute_view(gazetteer, synthetic.head(40), FilterState(), k=10, corridors=False)
    # All hidden, or left out altogether where beside the view's total they would pin a count.
    hidden = len(view.trend) > 1 and view.trend["count"].isna().all()
    assert hidden or view.months_withheld
    assert "months.csv" not in _files(view, restricted=True)


def test_files_that_top_n_does_not_cut_do_not_list_it(gazetteer, synthetic):
    """months.csv (and the records) said "Top flows: 200" though they hold every month."""
    view = compute_view(gazetteer, synthetic, FilterState(top_n=200), corridors=False)
    credit = DatasetCredit("Cases", "An NGO", "internal", "synthetic demonstration data", "public")
    metadata = build_export_metadata(
        f"{UNIT}: destinations", ["Sex: female", "Top flows: 200"], [credit], None
    )
    files = {item.file_name: item for item in ui._downloads(view, metadata, UNIT, lambda: b"")}
    months = files["months.csv"].make().decode("utf-8-sig")
    flows = files["flows.csv"].make().decode("utf-8-sig")
    assert "# Filter: Sex: female" in months and "Top flows" not in months
    assert "# Filter: Top flows: 200" in flows


def test_restricted_counts_are_written_as_whole_numbers_beside_hidden_ones(gazetteer, synthetic):
    """Restricted nodes.csv wrote its shown counts as 20.0 and 35.0, a hidden one beside them
    making the column one of decimals; the public file wrote 20 (an analyst's walkthrough)."""
    view = compute_view(gazetteer, synthetic.head(300), FilterState(), k=10, corridors=False)
    files = _files(view, restricted=True)
    for name in ("nodes.csv", "destinations.csv"):
        text = files[name].make().decode("utf-8-sig")
        rows = [line for line in text.splitlines() if not line.startswith("#")]
        table = pd.read_csv(io.StringIO("\n".join(rows)), dtype=str, keep_default_na=False)
        counts = [c for c in table.columns if c == "count" or c.startswith("count_")]
        numeric = [c for c in counts if not c.endswith(("_label", "_suppressed"))]
        assert numeric, name
        cells = [cell for c in numeric for cell in table[c] if cell]
        assert cells and all(cell.isdigit() for cell in cells), (name, cells[:5])
        assert any(not cell for c in numeric for cell in table[c]), name  # some are hidden
