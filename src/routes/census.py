"""The 2021 census's people absent abroad by district, beside a view's origin totals.

The census counts people absent abroad on census day, wherever they went (India included, which
needs no labour permit); DoFE counts permits issued over months. The two are set side by side,
district by district, as a pointer to where approvals cover more or less of a district's
migration, never added together.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from routes.gazetteer import (
    FORMER_DISTRICT,
    Gazetteer,
    kind_of_id,
    resolve_place,
    undivided_district_of,
)
from routes.settings import DATA_DIR

CENSUS_FILE = DATA_DIR / "sources" / "census" / "absent_abroad_by_district_2021.csv"
CENSUS_TITLE = "Census 2021: people absent abroad, by district"
CENSUS_ORGANISATION = "National Statistics Office (NSO), Government of Nepal"
CENSUS_LICENCE = "Public government statistics"
#: Where the figures come from, for a reader (the file's `source` column gives the same, with
#: the commit and the checks made against the statistics office's tables).
CENSUS_SOURCE = (
    "National Population and Housing Census 2021, persons absent abroad by district (75 "
    "districts), compiled from a public district table (tprasanna086-droi/"
    "Nepal-remittance-atlas-js, district_master.csv at commit 48cccfd) whose columns sum to the "
    "official national totals of 1,555,961 households and 2,190,592 persons. The districts of "
    "Koshi and Madhesh provinces were checked against the NSO's own data; those of the other "
    "five provinces were not checked one by one, only through the national totals."
)
CENSUS_CAVEATS = (
    "The census counts people absent abroad on census day (November 2021), wherever they went, "
    "India included; the view counts its own records over its months (DoFE's labour approvals "
    "are permits, India needing none). The two are set side by side, never added, for the "
    "districts the view has records of.",
    "The census table used lists 75 districts, Nawalparasi and Rukum undivided (the census "
    "itself was published for 77): their halves' counts are summed to compare with it.",
    "Per 100 absent sets the view's count (a flow over its months) beside the census's stock of "
    "people abroad on one day: a ratio of two different counts, not a rate of migration.",
)

#: The comparison table's columns.
ABSENT = "absent_abroad"
PER_100 = "per_100_absent"


def per_100(counts: pd.Series, absent: pd.Series) -> pd.Series:
    """Counts per 100 people absent abroad: to one decimal, and below 1 to two significant
    digits (a survey's 38 from Kailali's 110,328 absent read "0.0", as if none)."""
    value = counts.astype("float64") / absent.astype("float64") * 100
    rounded = [float(f"{v:.2g}") if 0 < v < 1 else round(v, 1) for v in value.tolist()]
    return pd.Series(rounded, index=value.index, dtype="float64")


@cache
def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"district_75": "string", "source": "string"})


def read_absent_abroad(gazetteer: Gazetteer, path: Path = CENSUS_FILE) -> pd.DataFrame:
    """``place_id`` (a district, or an undivided former district), ``name``, ``province`` and
    ``absent_abroad`` (persons) of each of the census's 75 districts.

    Raises
    ------
    ValueError
        When a district name of the file is not in the gazetteer (the file was changed).
    """
    table = _read(path)
    ids = [resolve_place(gazetteer, name, "origin") for name in table["district_75"]]
    unknown = [name for name, pid in zip(table["district_75"], ids, strict=True) if not pid]
    if unknown:
        raise ValueError(f"{path.name}: district(s) {', '.join(unknown)} not in the gazetteer.")
    places = gazetteer.places
    return pd.DataFrame(
        {
            "place_id": ids,
            "name": [gazetteer.name_of(pid) for pid in ids],
            "province": [places.loc[pid, "province"] or "" for pid in ids],
            ABSENT: table["absent_population_abroad"].astype("int64").to_numpy(),
        }
    )


_PLACED: dict[int, tuple[Gazetteer, pd.DataFrame, dict[str, str]]] = {}


def _census_of(gazetteer: Gazetteer) -> tuple[pd.DataFrame, dict[str, str]]:
    """The census placed in the gazetteer, and its undivided districts' parts, made once per
    gazetteer: the flow page compares on every run, and placing the 75 names took 2 ms."""
    cached = _PLACED.get(id(gazetteer))
    if cached is None or cached[0] is not gazetteer:
        cached = (gazetteer, read_absent_abroad(gazetteer), undivided_district_of(gazetteer))
        _PLACED[id(gazetteer)] = cached
    return cached[1], cached[2]


class CensusComparison(NamedTuple):
    """The comparison table, and the census districts left out because the view holds only
    part of them (an origin filter keeps Nawalparasi West, not the undivided whole the census
    counts)."""

    table: pd.DataFrame
    partial: tuple[str, ...]

    def by_province(self) -> pd.DataFrame:
        """The comparison summed by province: ``province``, ``districts`` (how many were
        compared), ``count``, ``absent_abroad`` and ``per_100_absent``, most absent first.

        The census's undivided Nawalparasi and Rukum each lie across two provinces, so they
        are in no province's sums, on either side (:data:`PROVINCE_CAVEAT`).
        """
        placed = self.table[~self._undivided_rows()]
        provinces = (
            placed.groupby("province", sort=False)
            .agg(
                districts=("place_id", "size"), count=("count", "sum"), **{ABSENT: (ABSENT, "sum")}
            )
            .reset_index()
        )
        provinces[PER_100] = per_100(provinces["count"], provinces[ABSENT])
        return provinces.sort_values([ABSENT, "province"], ascending=[False, True]).reset_index(
            drop=True
        )

    @property
    def undivided(self) -> tuple[str, ...]:
        """The compared census districts that lie across two provinces (in no province)."""
        return tuple(self.table.loc[self._undivided_rows(), "name"].tolist())

    def _undivided_rows(self) -> pd.Series:
        return self.table["place_id"].map(kind_of_id) == FORMER_DISTRICT


#: Said wherever the comparison is summed by province.
PROVINCE_CAVEAT = (
    "By province, the census's undivided Nawalparasi and Rukum (each now two districts, in "
    "Gandaki and Lumbini, and in Lumbini and Karnali) are left out on both sides, as their "
    "counts cannot be split between provinces: where the view counts their halves, those "
    "provinces count less here than on the map."
)


def compare_with_census(
    gazetteer: Gazetteer, districts: pd.DataFrame, scope: Iterable[str] | None = None
) -> CensusComparison:
    """The view's origin totals by census district beside the census's people absent abroad.

    Parameters
    ----------
    districts
        ``place_id`` and ``count`` of the view's districts (current and undivided former ones),
        as the view's district table holds them: only those districts are compared, a part of a
        census district missing from them counting 0.
    scope
        The districts the view's origin filters keep (None: all). A census district whose parts
        are not all in it is left out, and named: half of it set against the whole census count
        (Nawalparasi West's 7,611 approvals against all Nawalparasi's 72,713 absent) would read
        as a third of the rate.

    Returns
    -------
    CensusComparison
        ``place_id``, ``name``, ``province``, ``count``, ``absent_abroad`` and
        ``per_100_absent`` (the count per 100 people absent, one decimal), most absent first.
    """
    census, areas = _census_of(gazetteer)
    area = districts["place_id"].map(lambda pid: areas.get(pid, pid))
    counts = districts["count"].fillna(0).astype("int64").groupby(area.to_numpy()).sum()
    partial: list[str] = []
    if scope is not None:
        kept = set(scope)
        parts: dict[str, set[str]] = {}
        for part, whole in areas.items():
            parts.setdefault(whole, {whole}).add(part)
        for whole, members in parts.items():
            if members & kept and not members <= kept:
                partial.append(gazetteer.name_of(whole))
                counts = counts.drop(whole, errors="ignore")
    # The districts the view has records of: a union's ten districts were set against the
    # census's national total, 65 of them at 0.
    counts = counts[counts > 0]
    compared = census[census["place_id"].isin(counts.index)].copy()
    compared["count"] = compared["place_id"].map(counts).astype("int64")
    compared[PER_100] = per_100(compared["count"], compared[ABSENT])
    columns = ["place_id", "name", "province", "count", ABSENT, PER_100]
    ranked = compared.sort_values([ABSENT, "name"], ascending=[False, True])
    return CensusComparison(ranked[columns].reset_index(drop=True), tuple(sorted(partial)))
