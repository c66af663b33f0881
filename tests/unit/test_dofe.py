"""The shipped DoFE records reconcile exactly with the totals DoFE printed under each table."""

import pandas as pd
import pytest

from routes import dofe
from routes.schema import CHANNEL, COUNT, PERIOD, SEX, UNKNOWN_DESTINATION

TABLES = {"country-wise": "destination_table", "district-wise": "district_table"}


@pytest.mark.parametrize("table_name", sorted(TABLES))
def test_records_reconcile_to_the_printed_totals_exactly(request, table_name):
    records = request.getfixturevalue(TABLES[table_name]).records
    printed = dofe.read_printed_totals()
    printed = printed[printed["table"] == table_name]
    assert printed["month_bs"].nunique() == 13
    sums = records.pivot_table(
        index=[PERIOD, CHANNEL], columns=SEX, values=COUNT, aggfunc="sum", fill_value=0
    )
    checked = 0
    for row in printed.itertuples():
        month = row.month_bs
        if row.category in dofe.CHANNELS:
            channels = [dofe.CHANNELS[row.category]]
        elif row.category == "total_with_reentry":
            channels = list(dofe.CHANNELS.values())
        else:  # total_without_reentry
            channels = [c for c in dofe.CHANNELS.values() if c != dofe.REENTRY_CHANNEL]
        rows = sums.reindex([(month, channel) for channel in channels], fill_value=0)
        assert rows["male"].sum() == row.male, (month, row.category)
        assert rows["female"].sum() == row.female, (month, row.category)
        assert rows["male"].sum() + rows["female"].sum() == row.total, (month, row.category)
        checked += 1
    assert checked == len(printed)


def test_total_categories_are_never_records(destination_table, district_table):
    for table in (destination_table, district_table):
        channels = set(table.records[CHANNEL])
        assert channels <= set(dofe.CHANNELS.values())
        assert not any("total" in channel.lower() for channel in channels)


def test_destination_records_leave_from_nepal_and_district_records_go_to_unknown(
    destination_table, district_table
):
    assert set(destination_table.records["origin"]) == {"Nepal"}
    assert set(district_table.records["destination"]) == {UNKNOWN_DESTINATION}
    assert set(destination_table.records[SEX]) == {"male", "female"}
    # Both tables count the same permits.
    assert destination_table.records[COUNT].sum() == district_table.records[COUNT].sum()


def test_every_record_keeps_its_dofe_source(destination_table):
    sources = destination_table.records["source"]
    assert sources.notna().all()
    assert sources.str.startswith("Department of Foreign Employment (Nepal)").all()


def test_latest_fiscal_year_covers_ten_months(destination_table):
    records = destination_table.records
    months = records.loc[records["fiscal_year"] == "2079/80", "period_label"].unique()
    assert len(months) == 10
    assert pd.Series(records["fiscal_year"]).max() == "2079/80"
