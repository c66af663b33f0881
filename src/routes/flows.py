"""Placed records to flows, nodes and district totals, as GeoDataFrames in EPSG:4326.

A flow is the total of the records from one origin to one destination (transit ignored). Records
whose destination is unknown (DoFE's district table) or whose names did not resolve make no flow;
they still count in the district totals and in the unplaced tally.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point

from routes.gazetteer import (
    DISTRICT,
    FORMER_DISTRICT,
    NEPAL_ID,
    PROVINCE,
    UNKNOWN_ID,
    Gazetteer,
    place_point,
)
from routes.geo import CRS, compute_arc, compute_distance_km
from routes.schema import COUNT, DESTINATION_ID, ORIGIN_ID

DISTRICT_LEVEL = "district"
PROVINCE_LEVEL = "province"
NATIONAL_LEVEL = "national"
LEVELS = (DISTRICT_LEVEL, PROVINCE_LEVEL, NATIONAL_LEVEL)

FLOW_COLUMNS = (
    "origin_id", "origin_name", "destination_id", "destination_name", "count", "share",
    "distance_km", "geometry",
)  # fmt: skip


@dataclass(frozen=True)
class FlowTotals:
    """What the drawn flows leave out, so that a view can say so."""

    records_total: int
    flows_total: int
    unknown_destination: int
    unplaced: int


def aggregate_origins(gazetteer: Gazetteer, origin_ids: pd.Series, level: str) -> pd.Series:
    """Origin ids at the chosen level: a district stays, or becomes its province, or Nepal.

    An undivided former district spans two provinces, so at province level it stays as it is
    rather than be given to one of them.
    """
    if level == DISTRICT_LEVEL:
        return origin_ids
    if level == NATIONAL_LEVEL:
        return origin_ids.where(origin_ids.isna(), NEPAL_ID)
    if level != PROVINCE_LEVEL:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, not '{level}'.")
    places = gazetteer.places
    districts = places[places["kind"] == DISTRICT]
    to_province = dict(
        zip(districts["place_id"], PROVINCE + ":" + districts["province"], strict=True)
    )
    return origin_ids.map(lambda pid: to_province.get(pid, pid) if pd.notna(pid) else pid)


def compute_flows(
    gazetteer: Gazetteer, records: pd.DataFrame, level: str = DISTRICT_LEVEL
) -> gpd.GeoDataFrame:
    """Origin -> destination totals with a bent great-circle arc each, largest first.

    Parameters
    ----------
    records
        Placed records (see :func:`routes.gazetteer.place_records`).
    level
        ``"district"``, ``"province"`` or ``"national"``: how origins are grouped.
    """
    drawable = records[
        records[ORIGIN_ID].notna()
        & records[DESTINATION_ID].notna()
        & (records[DESTINATION_ID] != UNKNOWN_ID)
    ]
    origins = aggregate_origins(gazetteer, drawable[ORIGIN_ID], level)
    totals = (
        drawable.assign(**{ORIGIN_ID: origins})
        .groupby([ORIGIN_ID, DESTINATION_ID], observed=True, sort=False)[COUNT]
        .sum()
        .reset_index()
    )
    totals = totals[totals[COUNT] > 0]
    totals = totals[totals[ORIGIN_ID] != totals[DESTINATION_ID]]
    return _flow_frame(gazetteer, totals)


def _flow_frame(gazetteer: Gazetteer, totals: pd.DataFrame) -> gpd.GeoDataFrame:
    totals = totals.sort_values([COUNT, DESTINATION_ID], ascending=[False, True], ignore_index=True)
    starts = [place_point(gazetteer, pid) for pid in totals[ORIGIN_ID]]
    ends = [place_point(gazetteer, pid) for pid in totals[DESTINATION_ID]]
    grand_total = totals[COUNT].sum()
    frame = pd.DataFrame(
        {
            "origin_id": totals[ORIGIN_ID].astype(str),
            "origin_name": totals[ORIGIN_ID].map(gazetteer.name_of).astype(str),
            "destination_id": totals[DESTINATION_ID].astype(str),
            "destination_name": totals[DESTINATION_ID].map(gazetteer.name_of).astype(str),
            "count": totals[COUNT].astype("int64"),
            "share": (totals[COUNT] / grand_total) if grand_total else 0.0,
            "distance_km": [compute_distance_km(a, b) for a, b in zip(starts, ends, strict=True)],
        }
    )
    geometry = [compute_arc(a, b) for a, b in zip(starts, ends, strict=True)]
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=CRS)


def compute_nodes(gazetteer: Gazetteer, flows: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Totals out of and into every place the flows touch, with its point."""
    out_totals = flows.groupby("origin_id")["count"].sum()
    in_totals = flows.groupby("destination_id")["count"].sum()
    ids = list(dict.fromkeys([*in_totals.index, *out_totals.index]))
    places = gazetteer.places.loc[ids] if ids else gazetteer.places.iloc[0:0]
    frame = pd.DataFrame(
        {
            "place_id": pd.Series(ids, dtype=str),
            "name": places["name"].astype(str).to_numpy(),
            "kind": places["kind"].astype(str).to_numpy(),
            "count_in": in_totals.reindex(ids, fill_value=0).astype("int64").to_numpy(),
            "count_out": out_totals.reindex(ids, fill_value=0).astype("int64").to_numpy(),
        }
    )
    points = [Point(place_point(gazetteer, pid)) for pid in ids]
    return gpd.GeoDataFrame(frame, geometry=points, crs=CRS)


def compute_district_totals(gazetteer: Gazetteer, records: pd.DataFrame) -> gpd.GeoDataFrame:
    """Every district (zero where no record) and each undivided former district with records.

    Only records whose origin is a district or former district count: national records say
    nothing about districts.
    """
    by_origin = records.groupby(ORIGIN_ID, observed=True)[COUNT].sum()
    districts = gazetteer.districts[["place_id", "name", "province", "geometry"]].copy()
    districts["count"] = by_origin.reindex(districts["place_id"], fill_value=0).to_numpy()
    former = gazetteer.former_districts[["place_id", "name", "province", "geometry"]].copy()
    former["count"] = by_origin.reindex(former["place_id"], fill_value=0).to_numpy()
    former = former[former["count"] > 0]
    frame = pd.concat([districts.assign(kind=DISTRICT), former.assign(kind=FORMER_DISTRICT)])
    frame["count"] = frame["count"].astype("int64")
    return gpd.GeoDataFrame(frame.reset_index(drop=True), geometry="geometry", crs=CRS)


def compute_flow_totals(records: pd.DataFrame, flows: gpd.GeoDataFrame) -> FlowTotals:
    """How the records' total splits into drawn flows, unknown destinations and unplaced rows."""
    unknown = records[DESTINATION_ID] == UNKNOWN_ID
    unplaced = records[ORIGIN_ID].isna() | records[DESTINATION_ID].isna()
    return FlowTotals(
        records_total=int(records[COUNT].sum()),
        flows_total=int(flows["count"].sum()),
        unknown_destination=int(records.loc[unknown.fillna(False), COUNT].sum()),
        unplaced=int(records.loc[unplaced, COUNT].sum()),
    )


def compute_destination_table(flows: gpd.GeoDataFrame) -> pd.DataFrame:
    """Totals per destination, largest first: the table beside the map."""
    table = (
        flows.groupby(["destination_id", "destination_name"], sort=False)["count"]
        .sum()
        .reset_index()
        .sort_values(["count", "destination_name"], ascending=[False, True], ignore_index=True)
    )
    total = table["count"].sum()
    table["share"] = table["count"] / total if total else 0.0
    return table
