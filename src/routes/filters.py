"""The filter state of a view, as a frozen dataclass, and the records it keeps."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from routes.schema import (
    CHANNEL,
    EXPLOITATION,
    FISCAL_YEAR,
    PERIOD_LABEL,
    PERIOD_START,
    SECTOR,
    SEX,
)

#: The channel DoFE uses for workers renewing a permit to go back.
REENTRY_CHANNEL = "Re-entry"


@dataclass(frozen=True)
class FilterState:
    """What a view keeps. An empty tuple means "all".

    Attributes
    ----------
    fiscal_years
        BS fiscal years (``"2079/80"``).
    months
        Period labels (``"Baisakh 2080"``); applied after the fiscal years.
    sexes, channels, sectors, exploitation
        Values of those columns.
    include_reentry
        False keeps new approvals only (drops the re-entry channel).
    """

    fiscal_years: tuple[str, ...] = ()
    months: tuple[str, ...] = ()
    sexes: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    exploitation: tuple[str, ...] = ()
    include_reentry: bool = True

    def describe(self) -> list[str]:
        """One line per active filter, for the screen and for export metadata."""
        lines = []
        if self.fiscal_years:
            lines.append("Fiscal year (BS): " + ", ".join(self.fiscal_years))
        if self.months:
            lines.append("Month: " + ", ".join(self.months))
        if self.sexes:
            lines.append("Sex: " + ", ".join(self.sexes))
        if self.channels:
            lines.append("Channel: " + ", ".join(self.channels))
        if self.sectors:
            lines.append("Sector: " + ", ".join(self.sectors))
        if self.exploitation:
            lines.append("Exploitation: " + ", ".join(self.exploitation))
        if not self.include_reentry:
            lines.append("New approvals only (re-entry excluded)")
        return lines


def filter_records(records: pd.DataFrame, state: FilterState) -> pd.DataFrame:
    """The records a filter state keeps; the input is not changed."""
    keep = pd.Series(True, index=records.index)
    if state.fiscal_years:
        keep &= records[FISCAL_YEAR].isin(state.fiscal_years).fillna(False)
    if state.months:
        keep &= records[PERIOD_LABEL].isin(state.months).fillna(False)
    if state.sexes:
        keep &= records[SEX].isin(state.sexes).fillna(False)
    if state.channels:
        keep &= records[CHANNEL].isin(state.channels).fillna(False)
    if state.sectors:
        keep &= records[SECTOR].isin(state.sectors).fillna(False)
    if state.exploitation:
        keep &= records[EXPLOITATION].isin(state.exploitation).fillna(False)
    if not state.include_reentry:
        keep &= (records[CHANNEL] != REENTRY_CHANNEL).fillna(True)
    return records.loc[keep]


def latest_fiscal_year(records: pd.DataFrame) -> str | None:
    """The most recent fiscal year that has records."""
    years = records[FISCAL_YEAR].dropna()
    return str(years.max()) if len(years) else None


def months_in_order(records: pd.DataFrame, fiscal_years: tuple[str, ...] = ()) -> list[str]:
    """Period labels of month records in time order, optionally within some fiscal years."""
    rows = records if not fiscal_years else records[records[FISCAL_YEAR].isin(fiscal_years)]
    ordered = rows.drop_duplicates(PERIOD_LABEL).sort_values(PERIOD_START)
    return [str(label) for label in ordered[PERIOD_LABEL].dropna()]
