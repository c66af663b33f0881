"""Periods of route records: dates, years, months and Nepali fiscal years.

Nepal's fiscal year runs from 1 Shrawan to the end of Asar in Bikram Sambat (BS), that is from
mid-July to mid-July. The BS fiscal year ``2079/80`` is the AD fiscal year ``2022/23``. Calendar
arithmetic goes through the ``nepali_datetime`` package, which carries the official BS month
lengths, never through a fixed day offset.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

import nepali_datetime

#: BS month names in calendar order (Baisakh = 1), with the spellings seen in Nepali reports.
BS_MONTHS: tuple[str, ...] = (
    "Baisakh",
    "Jestha",
    "Asar",
    "Shrawan",
    "Bhadra",
    "Ashoj",
    "Kartik",
    "Mangsir",
    "Poush",
    "Magh",
    "Falgun",
    "Chaitra",
)
_BS_MONTH_VARIANTS: dict[str, int] = {
    **{name.lower(): number for number, name in enumerate(BS_MONTHS, start=1)},
    "baishakh": 1,
    "baisak": 1,
    "baishak": 1,
    "besakh": 1,
    "vaishakh": 1,
    "jeth": 2,
    "jyestha": 2,
    "ashadh": 3,
    "asadh": 3,
    "ashar": 3,
    "shravan": 4,
    "sawan": 4,
    "saun": 4,
    "srawan": 4,
    "bhadau": 5,
    "ashwin": 6,
    "asoj": 6,
    "aswin": 6,
    "kartik": 7,
    "kattik": 7,
    "mangshir": 8,
    "marga": 8,
    "push": 9,
    "paush": 9,
    "pous": 9,
    "phalgun": 11,
    "fagun": 11,
    "chait": 12,
    # In Devanagari, as Nepali forms and reports write them.
    "बैशाख": 1,
    "वैशाख": 1,
    "बैसाख": 1,
    "जेठ": 2,
    "जेष्ठ": 2,
    "ज्येष्ठ": 2,
    "असार": 3,
    "आषाढ": 3,
    "साउन": 4,
    "श्रावण": 4,
    "भदौ": 5,
    "भाद्र": 5,
    "असोज": 6,
    "आश्विन": 6,
    "कात्तिक": 7,
    "कार्तिक": 7,
    "मंसिर": 8,
    "मङ्सिर": 8,
    "मार्ग": 8,
    "पुस": 9,
    "पौष": 9,
    "माघ": 10,
    "फागुन": 11,
    "फाल्गुन": 11,
    "चैत": 12,
    "चैत्र": 12,
}
#: Devanagari digits as ASCII ones (२०७९ is 2079).
DEVANAGARI_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")
_AD_MONTHS = {
    name.lower(): number
    for number, name in enumerate(
        (
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ),
        start=1,
    )
}
_AD_MONTHS.update({name[:3]: number for name, number in list(_AD_MONTHS.items())})
_AD_MONTHS["sept"] = 9

#: Shrawan, the first month of the fiscal year.
FISCAL_YEAR_FIRST_MONTH = 4
#: BS years run 56 years and about 8.5 months ahead of AD; fiscal years start exactly 57 ahead.
BS_FISCAL_YEAR_OFFSET = 57
#: A bare four-digit year above this is read as BS (BS 2050 began in April 1993 AD).
_LAST_PLAUSIBLE_AD_YEAR = dt.date.today().year + 1


class PeriodError(ValueError):
    """A period that cannot be read; the message says which forms are understood."""


@dataclass(frozen=True)
class Period:
    """A time span with its Nepali fiscal year.

    Attributes
    ----------
    label : str
        How the period reads to an analyst, e.g. ``"Baisakh 2080"`` or ``"FY 2079/80"``.
    start, end : datetime.date
        First and last AD day of the span, both inclusive.
    fiscal_year : str
        The BS fiscal year (``"2079/80"``) the span lies in, or ``""`` when the span crosses a
        fiscal-year boundary (a calendar year does).
    granularity : str
        ``"day"``, ``"month"``, ``"fiscal_year"`` or ``"year"``.
    """

    label: str
    start: dt.date
    end: dt.date
    fiscal_year: str
    granularity: str

    @property
    def fiscal_year_ad(self) -> str:
        return fiscal_year_bs_to_ad(self.fiscal_year) if self.fiscal_year else ""


def fiscal_year_label(start_year_bs: int) -> str:
    """``2079`` -> ``"2079/80"``."""
    return f"{start_year_bs}/{(start_year_bs + 1) % 100:02d}"


def fiscal_year_bs_to_ad(fiscal_year_bs: str) -> str:
    """``"2079/80"`` -> ``"2022/23"``."""
    start = int(fiscal_year_bs.split("/")[0]) - BS_FISCAL_YEAR_OFFSET
    return f"{start}/{(start + 1) % 100:02d}"


def fiscal_year_of_bs_month(year_bs: int, month_bs: int) -> str:
    """The BS fiscal year that a BS month falls in (Shrawan opens a new one)."""
    start = year_bs if month_bs >= FISCAL_YEAR_FIRST_MONTH else year_bs - 1
    return fiscal_year_label(start)


def fiscal_year_of_date(day: dt.date) -> str:
    """The BS fiscal year of an AD date."""
    bs = nepali_datetime.date.from_datetime_date(day)
    return fiscal_year_of_bs_month(bs.year, bs.month)


def bs_month_span(year_bs: int, month_bs: int) -> tuple[dt.date, dt.date]:
    """First and last AD day of a BS month."""
    first = nepali_datetime.date(year_bs, month_bs, 1)
    if month_bs == 12:
        next_first = nepali_datetime.date(year_bs + 1, 1, 1)
    else:
        next_first = nepali_datetime.date(year_bs, month_bs + 1, 1)
    start = first.to_datetime_date()
    return start, next_first.to_datetime_date() - dt.timedelta(days=1)


def fiscal_year_span(fiscal_year_bs: str) -> tuple[dt.date, dt.date]:
    """First and last AD day of a BS fiscal year."""
    start_year = int(fiscal_year_bs.split("/")[0])
    start, _ = bs_month_span(start_year, FISCAL_YEAR_FIRST_MONTH)
    _, end = bs_month_span(start_year + 1, FISCAL_YEAR_FIRST_MONTH - 1)
    return start, end


def bs_month_label(year_bs: int, month_bs: int) -> str:
    return f"{BS_MONTHS[month_bs - 1]} {year_bs}"


#: Spans of a month: BS months run 29 to 32 days, AD months 28 to 31 (a span from its first to
#: its last day is one day shorter). A span under the first is a day, or a few days.
MONTH_SPAN_DAYS = (27, 32)


@lru_cache(maxsize=65_536)
def bs_month_holding(start: dt.date, end: dt.date) -> tuple[str, dt.date] | None:
    """The label and first day of the BS month a span lies in (a day, or a few days), or None
    when it spans more than one: a trend of months counts a record of 28 August 2022 in Bhadra
    2079."""
    first = nepali_datetime.date.from_datetime_date(start)
    last = nepali_datetime.date.from_datetime_date(end)
    if (first.year, first.month) != (last.year, last.month):
        return None
    return bs_month_label(first.year, first.month), bs_month_span(first.year, first.month)[0]


_FY_RE = re.compile(r"^(?:fy\s*)?(?P<a>\d{4})\s*[/\-–]\s*(?P<b>\d{2}|\d{4})(?:\s*(?P<cal>bs|ad))?$")
# A month's year may follow a hyphen or slash ("Magh-2079") and be written without its
# thousands ("Kartik 079", as Nepali forms often do: 079 is 2079).
_BS_MONTH_RE = re.compile(
    r"^(?P<month>[a-z\u0900-\u097f]+)\.?,?(?:\s+|\s*[-/]\s*)(?P<year>\d{4}|0\d{2})"
    r"(?:\s*(?:bs|ad))?$"
)
_BS_YEAR_MONTH_RE = re.compile(
    r"^(?P<year>\d{4}|0\d{2})(?:\s+|\s*[-/]\s*)(?P<month>[a-z\u0900-\u097f]+)$"
)
_YEAR_RE = re.compile(r"^(?:(?P<pre>bs|ad)\s*)?(?P<year>\d{4})(?:\s*(?P<post>bs|ad))?$")
_ISO_MONTH_RE = re.compile(r"^(?P<year>\d{4})[-/](?P<month>\d{1,2})$")
#: A year and month written with a dash only (2079-05): 2079/80 is a fiscal year, which no note
#: on dates read in BS should name.
_DASHED_MONTH_RE = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{1,2})$")
_ISO_DATE_RE = re.compile(
    r"^(?P<year>\d{4})(?P<sep>[-/.])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})(?:[ t].*)?$"
)
#: A date written with its year last: 28/08/2022, 28-08-2022, 28.08.2022 (or month first).
DAY_MONTH_YEAR_RE = re.compile(
    r"^(?P<first>\d{1,2})(?P<sep>[-/.])(?P<second>\d{1,2})(?P=sep)(?P<year>\d{4})$"
)

UNDERSTOOD_FORMS = (
    "a date (2022-08-15, 15/08/2022, or 2079-04-30 in BS), a month (Baisakh 2080, Magh-079, "
    "साउन २०७९, August 2022, 2022-08, 2079/10), a year (2022, or 2079 BS) or a fiscal year "
    "(2079/80 in BS, 2022/23 in AD)"
)


def parse_period(value: object, day_first: bool | None = None) -> Period:
    """Read one period value.

    A date whose year is a Bikram Sambat year (2079-05-12) is a BS date; so is a month
    (2079-05). Devanagari digits and month names read as their Latin forms.

    Parameters
    ----------
    value
        A ``datetime.date``, or text in one of the forms of :data:`UNDERSTOOD_FORMS`.
    day_first
        How a date written with its year last reads: True for day first (28/08/2022), False
        for month first (08/28/2022). None reads it only when its order shows (a part above
        12); 03/04/2022 is then refused, since it could be either (see :func:`day_first_of`).

    Returns
    -------
    Period

    Raises
    ------
    PeriodError
        When the value is in none of the understood forms, or names a day that does not exist.
    """
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return _day_period(value)
    return _parse_period_text(str(value).strip(), day_first)


def day_first_of(values) -> bool | None:
    """How a column's dates written with their year last read: day first when one of them
    shows it (a first part above 12), month first when one shows that, None when none does or
    both do (each is then read on its own)."""
    firsts, seconds = [], []
    for value in values:
        match = DAY_MONTH_YEAR_RE.match(str(value).strip().translate(DEVANAGARI_DIGITS))
        if match:
            firsts.append(int(match["first"]))
            seconds.append(int(match["second"]))
    day_first = any(first > 12 for first in firsts)
    month_first = any(second > 12 for second in seconds)
    if day_first == month_first:
        return None
    return day_first


def reading_notes(values, rows=None) -> tuple[str, ...]:
    """How a column's periods were read where the reading is the app's choice, one example
    each: dates in Bikram Sambat (their year is a BS year), and dates written year last, day
    or month first as the column shows. ``rows`` gives how many rows hold each value
    (one each when not given)."""
    values = list(values)
    rows = [1] * len(values) if rows is None else list(rows)
    kept = [
        (str(value).strip(), int(count))
        for value, count in zip(values, rows, strict=True)
        if value is not None and str(value).strip()
    ]
    rows_of: dict[str, int] = {}
    for text, count in kept:  # a text twice (before stripping) adds its rows
        rows_of[text] = rows_of.get(text, 0) + count
    texts = list(rows_of)
    notes = []
    # How many of the column's rows each reading took (a column mixing BS and AD dates said one
    # example of each, not how many of each: a union's walkthrough).
    total = sum(count for _, count in kept)

    def of_all(matching: list[str]) -> str:
        return f"{sum(rows_of[text] for text in matching):,} of the {total:,} rows with a period"

    bs: list[tuple[str, Period, str]] = []
    for text in texts:
        plain = text.lower().translate(DEVANAGARI_DIGITS)
        match = _ISO_DATE_RE.match(plain) or _DASHED_MONTH_RE.match(plain)
        if match and int(match["year"]) > _LAST_PLAUSIBLE_AD_YEAR:
            try:
                bs.append((text, parse_period(text), match["year"]))
            except PeriodError:
                continue
    if bs:
        text, period, year = bs[0]
        shown = period.label if period.granularity == "month" else f"{period.start:%d %B %Y}"
        notes.append(
            f"Dates such as '{text}' ({of_all([b[0] for b in bs])}) were read in Bikram Sambat "
            f"({year} is a BS year): {shown}."
        )
    day_first = day_first_of(texts)
    if day_first is not None:
        # One whose order shows (28/04/2022 day first), not 02/02/2022.
        telling = "first" if day_first else "second"
        example = next(
            text
            for text in texts
            if (match := DAY_MONTH_YEAR_RE.match(text.translate(DEVANAGARI_DIGITS)))
            and int(match[telling]) > 12
        )
        try:
            start = parse_period(example, day_first).start
        except PeriodError:
            start = None
        order = "day first" if day_first else "month first"
        written = [t for t in texts if DAY_MONTH_YEAR_RE.match(t.translate(DEVANAGARI_DIGITS))]
        notes.append(
            f"Dates such as '{example}' ({of_all(written)}) were read {order}"
            + (f" ({start:%d %B %Y})" if start else "")
            + ", as the column's dates show."
        )
    return tuple(notes)


@lru_cache(maxsize=4096)
def _parse_period_text(text: str, day_first: bool | None = None) -> Period:
    lowered = re.sub(r"\s+", " ", text.lower().translate(DEVANAGARI_DIGITS))
    try:
        for parse in (_parse_fiscal_year, _parse_bs_month, _parse_month_text, _parse_year):
            period = parse(lowered)
            if period is not None:
                return period
        match = _ISO_DATE_RE.match(lowered)
        if match:
            return _date_period(int(match["year"]), int(match["month"]), int(match["day"]))
        match = DAY_MONTH_YEAR_RE.match(lowered)
        if match:
            return _year_last_period(match, day_first, text)
    except PeriodError:
        raise
    except (ValueError, KeyError, IndexError, OverflowError) as error:
        reason = error.args[0] if error.args else error  # nepali_datetime gives (text, value)
        # What to do, as every upload message says; a day or a month that does not exist is
        # named as such (not a year out of range: a code review).
        named = ("day is out of range", "month must be in")
        which = (
            " (a day or month that does not exist)"
            if any(phrase in str(reason) for phrase in named)
            else ""
        )
        raise PeriodError(
            f"'{text}' is not a valid period: {reason}; correct it in the file{which}, or leave "
            "the cell empty."
        ) from error
    raise PeriodError(f"'{text}' is not a period this app reads: use {UNDERSTOOD_FORMS}.")


def _date_period(year: int, month: int, day: int) -> Period:
    """A day, in BS when its year is a BS year (2079-05-12 is 28 August 2022)."""
    if year > _LAST_PLAUSIBLE_AD_YEAR:
        return _day_period(nepali_datetime.date(year, month, day).to_datetime_date())
    return _day_period(dt.date(year, month, day))


def _year_last_period(match: re.Match, day_first: bool | None, text: str) -> Period:
    first, second, year = int(match["first"]), int(match["second"]), int(match["year"])
    if day_first is None:
        if first > 12 and second <= 12:
            day_first = True
        elif second > 12 and first <= 12:
            day_first = False
        elif first == second:
            day_first = True  # either way the same day
        else:
            raise PeriodError(
                f"'{text}' could be day {first} of month {second} or day {second} of month "
                f"{first}, and no other date of the column tells which; write the dates year "
                f"first ({year}-{second:02d}-{first:02d} for day {first} of month {second})"
            )
    day, month = (first, second) if day_first else (second, first)
    return _date_period(year, month, day)


def _day_period(day: dt.date) -> Period:
    return Period(day.isoformat(), day, day, fiscal_year_of_date(day), "day")


def _parse_fiscal_year(text: str) -> Period | None:
    match = _FY_RE.match(text)
    if not match:
        return None
    first = int(match["a"])
    second = int(match["b"]) % 100
    if (first + 1) % 100 != second:
        if "/" not in text or (len(match["b"]) == 2 and 1 <= int(match["b"]) <= 12):
            return None  # 2022-08 and 2079/10 are months, not fiscal years
        raise ValueError(f"a fiscal year spans two consecutive years, not {first} and {second}")
    is_bs = match["cal"] == "bs" or (match["cal"] != "ad" and first > _LAST_PLAUSIBLE_AD_YEAR)
    start_bs = first if is_bs else first + BS_FISCAL_YEAR_OFFSET
    label = fiscal_year_label(start_bs)
    start, end = fiscal_year_span(label)
    return Period(f"FY {label}", start, end, label, "fiscal_year")


def _parse_bs_month(text: str) -> Period | None:
    match = _BS_MONTH_RE.match(text) or _BS_YEAR_MONTH_RE.match(text)
    if not match or match["month"] not in _BS_MONTH_VARIANTS or text.endswith("ad"):
        return None  # "Shrawan 2079 AD" is no BS month (and no AD one)
    year, month = int(match["year"]), _BS_MONTH_VARIANTS[match["month"]]
    if len(match["year"]) == 3:
        year += 2000  # 079 is 2079
    if year <= _LAST_PLAUSIBLE_AD_YEAR and match["month"] not in _AD_MONTHS:
        # A BS month name with an AD-looking year is a typo we should not guess at.
        raise ValueError(f"{year} is not a Bikram Sambat year for a BS month")
    start, end = bs_month_span(year, month)
    return Period(
        bs_month_label(year, month), start, end, fiscal_year_of_bs_month(year, month), "month"
    )


def _parse_month_text(text: str) -> Period | None:
    match = _ISO_MONTH_RE.match(text)
    if match:
        year, month = int(match["year"]), int(match["month"])
        if year > _LAST_PLAUSIBLE_AD_YEAR:  # 2079-05: Bhadra 2079
            start, end = bs_month_span(year, month)
            fiscal_year = fiscal_year_of_bs_month(year, month)
            return Period(bs_month_label(year, month), start, end, fiscal_year, "month")
    else:
        match = _BS_MONTH_RE.match(text)
        if not match or match["month"] not in _AD_MONTHS or len(match["year"]) == 3:
            return None  # 079 stands for a BS year, never an AD one
        year, month = int(match["year"]), _AD_MONTHS[match["month"]]
    start = dt.date(year, month, 1)
    end = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
    fiscal_start, fiscal_end = fiscal_year_of_date(start), fiscal_year_of_date(end)
    fiscal_year = fiscal_start if fiscal_start == fiscal_end else ""
    return Period(start.strftime("%B %Y"), start, end, fiscal_year, "month")


def _parse_year(text: str) -> Period | None:
    match = _YEAR_RE.match(text)
    if not match:
        return None
    year = int(match["year"])
    marker = match["pre"] or match["post"]
    if marker == "bs" or (marker is None and year > _LAST_PLAUSIBLE_AD_YEAR):
        start, _ = bs_month_span(year, 1)
        _, end = bs_month_span(year, 12)
        return Period(f"{year} BS", start, end, "", "year")
    return Period(str(year), dt.date(year, 1, 1), dt.date(year, 12, 31), "", "year")
