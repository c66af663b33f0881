import datetime as dt

import pandas as pd
import pytest

from routes.dofe import DESTINATION_TABLE
from routes.periods import (
    PeriodError,
    day_first_of,
    fiscal_year_bs_to_ad,
    fiscal_year_of_date,
    parse_period,
    reading_notes,
)


def test_parse_bs_month_gives_its_ad_span_and_fiscal_year():
    period = parse_period("Baisakh 2080")
    assert (period.start, period.end) == (dt.date(2023, 4, 14), dt.date(2023, 5, 14))
    assert period.fiscal_year == "2079/80"
    assert period.granularity == "month"


def test_shrawan_opens_the_fiscal_year_and_asar_closes_it():
    assert parse_period("Shrawan 2079").fiscal_year == "2079/80"
    assert parse_period("Asar 2079").fiscal_year == "2078/79"
    assert parse_period("Asar 2080").fiscal_year == "2079/80"


def test_bs_month_spans_match_the_dates_dofe_prints():
    table = pd.read_csv(DESTINATION_TABLE, dtype=str, keep_default_na=False)
    dated = table[table["period_start"] != ""].drop_duplicates("month_bs")
    assert len(dated) >= 5
    for row in dated.itertuples():
        period = parse_period(row.month_bs)
        assert period.start.isoformat() == row.period_start, row.month_bs
        assert period.end.isoformat() == row.period_end, row.month_bs
        assert period.fiscal_year == row.fiscal_year_bs, row.month_bs


@pytest.mark.parametrize("text", ["2079/80", "FY 2079/80", "2079/2080", "2022/23", "2022-23"])
def test_bs_and_ad_fiscal_years_are_the_same_period(text):
    period = parse_period(text)
    assert period.fiscal_year == "2079/80"
    assert period.fiscal_year_ad == "2022/23"
    assert period.start == dt.date(2022, 7, 17)
    assert period.end == dt.date(2023, 7, 16)


def test_dates_and_months_carry_their_fiscal_year():
    assert parse_period("2022-07-16").fiscal_year == "2078/79"
    assert parse_period("2022-07-17").fiscal_year == "2079/80"
    assert parse_period(dt.date(2023, 1, 1)).fiscal_year == "2079/80"
    august = parse_period("2022-08")
    assert (august.start, august.end, august.fiscal_year) == (
        dt.date(2022, 8, 1),
        dt.date(2022, 8, 31),
        "2079/80",
    )
    # July 2022 straddles the new fiscal year: no single fiscal year is claimed.
    assert parse_period("July 2022").fiscal_year == ""


def test_years_in_ad_and_bs():
    assert (parse_period("2022").start, parse_period("2022").end) == (
        dt.date(2022, 1, 1),
        dt.date(2022, 12, 31),
    )
    bs = parse_period("2079")
    assert bs.label == "2079 BS"
    assert bs.start == dt.date(2022, 4, 14)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("banana", "is not a period this app reads"),
        ("2079/81", "two consecutive years"),
        ("2022-02-30", "day is out of range"),
        # ... and what to do (an NGO's walkthrough: '31/02/2022' gave no advice).
        ("31/02/2022", "correct it in the file \\(a day or month that does not exist\\)"),
        ("Baisakh 2020", "not a Bikram Sambat year"),
    ],
)
def test_bad_periods_say_what_is_wrong(text, fragment):
    with pytest.raises(PeriodError, match=fragment):
        parse_period(text)


def test_fiscal_year_helpers():
    assert fiscal_year_bs_to_ad("2078/79") == "2021/22"
    assert fiscal_year_of_date(dt.date(2023, 7, 16)) == "2079/80"
    assert fiscal_year_of_date(dt.date(2023, 7, 17)) == "2080/81"


@pytest.mark.parametrize(
    "text", ["2079-05-12", "2079/05/12", "2079.5.12", "२०७९-०५-१२", "12/05/2079"]
)
def test_a_date_in_bikram_sambat_is_that_day(text):
    """A union's survey dated 2079-05-12 (BS) crashed the upload page (read as the AD year
    2079, out of range)."""
    day = parse_period(text, day_first=True)
    assert (day.start, day.end, day.fiscal_year) == (dt.date(2022, 8, 28),) * 2 + ("2079/80",)


def test_bs_months_in_numbers_devanagari_and_year_first():
    for text in ("2079-05", "भदौ २०७९", "भाद्र 2079", "2079 Bhadra"):
        month = parse_period(text)
        assert (month.label, month.granularity) == ("Bhadra 2079", "month"), text
    assert parse_period("2022-08").label == "August 2022"  # an AD year stays AD


def test_dates_written_year_last_read_in_the_order_the_column_shows():
    assert parse_period("28/08/2022").start == dt.date(2022, 8, 28)
    assert parse_period("08/28/2022").start == dt.date(2022, 8, 28)
    assert parse_period("03/04/2022", day_first=True).start == dt.date(2022, 4, 3)
    assert parse_period("03/04/2022", day_first=False).start == dt.date(2022, 3, 4)
    with pytest.raises(PeriodError, match="could be day 3 of month 4 or day 4 of month 3"):
        parse_period("03/04/2022")
    assert day_first_of(["03/04/2022", "28/08/2022", "Shrawan 2079"]) is True
    assert day_first_of(["03/04/2022", "08/28/2022"]) is False
    assert day_first_of(["03/04/2022"]) is None
    assert day_first_of(["28/08/2022", "08/28/2022"]) is None  # the column says both


def test_how_a_column_of_dates_was_read_is_said_with_an_example_and_how_many():
    """A union's column mixed BS and AD dates: one example of each said nothing of how many
    of each there were."""
    notes = reading_notes(
        ["02/02/2022", "28/04/2022", "2079-05-11", "2080-01-15", "Shrawan 2079", None],
        [3, 2, 5, 1, 4, 0],
    )
    assert notes == (
        "Dates such as '2079-05-11' (6 of the 15 rows with a period) were read in Bikram Sambat "
        "(2079 is a BS year): 27 August 2022.",
        "Dates such as '28/04/2022' (5 of the 15 rows with a period) were read day first (28 "
        "April 2022), as the column's dates show.",
    )
    # A text twice (before stripping) adds its rows (a code review).
    twice = reading_notes(["2079-05-11", "2079-05-11 ", "28/04/2022"], [5, 1, 3])
    assert twice[0].startswith("Dates such as '2079-05-11' (6 of the 9 rows with a period)")
    assert reading_notes(["2022-08-15", "Shrawan 2079"]) == ()


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Baisak 2080", "Baisakh 2080"),
        ("Kartik 079", "Kartik 2079"),  # Nepali forms write 079 for 2079
        ("Magh-2079", "Magh 2079"),
        ("Magh/2079", "Magh 2079"),
        ("079 Magh", "Magh 2079"),
        ("2079/10", "Magh 2079"),  # year and month, not a fiscal year
        ("2022/10", "October 2022"),
        ("2079/80", "FY 2079/80"),
        ("2022/23", "FY 2079/80"),
    ],
)
def test_months_as_case_sheets_write_them_are_read(text, label):
    """'Baisak 2080', 'Kartik 079' and 'Magh-2079' were refused, and '2079/10' was said to be
    a fiscal year of two years that do not follow each other (a helper's walkthrough)."""
    assert parse_period(text).label == label


def test_a_slash_of_two_years_that_do_not_follow_is_still_refused_as_a_fiscal_year():
    with pytest.raises(PeriodError, match="consecutive"):
        parse_period("2079/13")
