"""The Department of Foreign Employment's labour-approval tables as route records.

The destination table becomes records with origin "Nepal"; the district table becomes records
with destination "Unknown". Each category becomes a channel and each of male and female a sex.
The two total categories are sums of the others: they are read only to check, never added.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from routes.schema import (
    CHANNEL,
    COUNT,
    DESTINATION,
    ORIGIN,
    PERIOD,
    REENTRY_CHANNEL,
    SEX,
    SOURCE,
    UNKNOWN_DESTINATION,
    ValidationResult,
    validate_records,
)
from routes.settings import DATA_DIR

DOFE_DIR = DATA_DIR / "sources" / "dofe"
DESTINATION_TABLE = DOFE_DIR / "labour_approvals_by_destination_monthly.csv"
DISTRICT_TABLE = DOFE_DIR / "labour_approvals_by_origin_district_monthly.csv"
PRINTED_TOTALS_TABLE = DOFE_DIR / "labour_approvals_printed_totals_monthly.csv"

#: DoFE category -> channel, in the order DoFE prints them.
CHANNELS: dict[str, str] = {
    "recruiting_agency": "Recruiting agency",
    "individual_new": "Individual (new)",
    "g2g": "Government to government (G2G)",
    "individual_legalization": "Individual (legalisation)",
    "individual_reentry": REENTRY_CHANNEL,
}
TOTAL_CATEGORIES = ("total_with_reentry", "total_without_reentry")

PUBLISHER = "Department of Foreign Employment (DoFE), Government of Nepal"
CAVEATS: tuple[str, ...] = (
    "Labour approvals count permits issued, not people who left.",
    "India needs no permit, so the largest corridor of all (overland to India) is absent.",
    "The reports run from Baisakh 2079 to Baisakh 2080 BS (14 April 2022 to 14 May 2023 AD): "
    "they are not DoFE's latest; newer reports can be added as a next version. Nepal's fiscal "
    "year runs mid-July to mid-July; FY 2079/80 BS (2022/23 AD) is covered for 10 of its 12 "
    "months, FY 2078/79 only for its last 3.",
    "The destination and district tables count the same permits: each totals Nepal, so they are "
    "never added together. Their splits by channel differ (as printed), so a channel filter "
    "may give the destinations and the districts different totals.",
    "The district table lists only the undivided Nawalparasi and Rukum until Shrawan 2079, only "
    "their halves (Nawalparasi East/West, Rukum East/West) in Bhadra and Ashoj 2079, and both "
    "from Kartik 2079: distinct counts, the undivided rows naming neither half, shown as the "
    "undivided area.",
)


@dataclass(frozen=True)
class DofeTable:
    """One DoFE table as route records, with where it came from."""

    title: str
    source_note: str
    records: pd.DataFrame
    validation: ValidationResult


def read_dofe_destination_table(path: Path = DESTINATION_TABLE) -> DofeTable:
    """The country-wise table as records from Nepal to each destination."""
    table = pd.read_csv(path, dtype={"iso3": str}, keep_default_na=False)
    records = _to_records(table, origin="Nepal", destination=table["destination"])
    return _finish(records, "DoFE labour approvals by destination country", path)


def read_dofe_district_table(path: Path = DISTRICT_TABLE) -> DofeTable:
    """The district-wise table as records from each district to an unknown destination."""
    table = pd.read_csv(path, keep_default_na=False)
    records = _to_records(table, origin=table["district"], destination=UNKNOWN_DESTINATION)
    return _finish(records, "DoFE labour approvals by origin district", path)


def read_printed_totals(path: Path = PRINTED_TOTALS_TABLE) -> pd.DataFrame:
    """The total rows printed under each monthly table, for reconciliation."""
    return pd.read_csv(path, keep_default_na=False)


def _to_records(table: pd.DataFrame, origin, destination) -> pd.DataFrame:
    table = table.assign(**{ORIGIN: origin, DESTINATION: destination})
    components = table[table["category"].isin(list(CHANNELS))]
    long = components.melt(
        id_vars=[ORIGIN, DESTINATION, "category", "month_bs", "source"],
        value_vars=["male", "female"],
        var_name=SEX,
        value_name=COUNT,
    )
    # A zero cell is no record: dropping it changes no total.
    long = long[long[COUNT] > 0]
    return pd.DataFrame(
        {
            ORIGIN: long[ORIGIN].to_numpy(),
            DESTINATION: long[DESTINATION].to_numpy(),
            COUNT: long[COUNT].to_numpy(),
            PERIOD: long["month_bs"].to_numpy(),
            SEX: long[SEX].to_numpy(),
            CHANNEL: long["category"].map(CHANNELS).to_numpy(),
            SOURCE: long["source"].to_numpy(),
        }
    )


def _finish(records: pd.DataFrame, title: str, path: Path) -> DofeTable:
    validation = validate_records(records)
    if not validation.ok:
        raise ValueError(validation.summary(path.name))
    note = (
        f"{PUBLISHER}, monthly labour approval reports, Baisakh 2079 to Baisakh 2080 "
        f"(file {path.name})."
    )
    return DofeTable(title, note, validation.records, validation)
