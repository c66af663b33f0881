"""Placed records to flows, nodes and district totals, as GeoDataFrames in EPSG:4326.

A flow is the total of the records from one origin to one destination (transit ignored). Records
whose destination is unknown (DoFE's district table) or whose names did not resolve make no flow;
they still count in the district totals and in the unplaced tally.
"""

from __future__ import annotations

import calendar
from collections.abc import Container, Mapping
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely
from shapely.geometry import Point

from routes.gazetteer import (
    COUNTRY,
    DISTRICT,
    FORMER_DISTRICT,
    NEPAL_ID,
    PROVINCE,
    REGION,
    UNKNOWN_ID,
    Gazetteer,
    kind_of_id,
    place_point,
    province_id,
    undivided_district_of,
)
from routes.geo import CRS, compute_arc, compute_distances_km, with_geometry
from routes.periods import BS_MONTHS, PeriodError, parse_period
from routes.schema import (
    COUNT,
    DESTINATION_ID,
    ORIGIN_ID,
    ORIGIN_PROVINCE,
    PERIOD_LABEL,
    PERIOD_START,
    TRANSIT,
    TRANSIT_IDS,
    distinct_values,
)

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
        zip(districts["place_id"], districts["province"].map(province_id), strict=True)
    )
    # Mapped once per distinct id: a large dataset has many rows and few districts.
    codes, uniques = pd.factorize(origin_ids, use_na_sentinel=True)
    mapped = np.array([to_province.get(pid, pid) for pid in uniques], dtype=object)
    values = np.where(codes >= 0, np.append(mapped, None)[codes], origin_ids.to_numpy(object))
    return pd.Series(values, index=origin_ids.index, name=origin_ids.name, dtype=origin_ids.dtype)


def compute_flows(
    gazetteer: Gazetteer,
    records: pd.DataFrame,
    level: str = DISTRICT_LEVEL,
    geometry: bool = True,
) -> gpd.GeoDataFrame | pd.DataFrame:
    """Origin -> destination totals with a bent great-circle arc each, largest first.

    Parameters
    ----------
    records
        Placed records (see :func:`routes.gazetteer.place_records`), or totals of them with the
        same columns (the engine's origin -> destination pairs).
    level
        ``"district"``, ``"province"`` or ``"national"``: how origins are grouped.
    geometry
        False returns the totals as a plain frame without arcs: a view draws only its top flows,
        so it adds their arcs with :func:`add_flow_geometry` after keeping them.
    """
    origins = records[ORIGIN_ID].to_numpy(dtype=object, na_value=None)
    destinations = records[DESTINATION_ID].to_numpy(dtype=object, na_value=None)
    drawable = pd.notna(origins) & pd.notna(destinations) & (destinations != UNKNOWN_ID)
    origins = aggregate_origins(gazetteer, pd.Series(origins[drawable], dtype=object), level)
    (origin_ids, destination_ids), totals = _sum_by(
        [origins.to_numpy(dtype=object), destinations[drawable]],
        records[COUNT].to_numpy(dtype="int64", na_value=0)[drawable],
    )
    kept = (totals > 0) & (origin_ids != destination_ids)
    flows = _flow_frame(gazetteer, origin_ids[kept], destination_ids[kept], totals[kept])
    return add_flow_geometry(gazetteer, flows) if geometry else flows


def _sum_by(keys: list[np.ndarray], counts: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Totals of ``counts`` per distinct combination of keys (arrays without missing values),
    with the keys of each total, ordered by the keys."""
    codes, uniques = zip(*(pd.factorize(key, sort=True) for key in keys), strict=True)
    combined = np.zeros(len(counts), dtype="int64")
    for code, unique in zip(codes, uniques, strict=True):
        combined = combined * len(unique) + code
    groups, position = np.unique(combined, return_inverse=True)
    sums = np.bincount(position.reshape(-1), weights=counts, minlength=len(groups))
    out = []
    for unique in reversed(uniques):
        out.append(np.asarray(unique, dtype=object)[groups % len(unique)])
        groups = groups // len(unique)
    return out[::-1], np.rint(sums).astype("int64")


def _flow_frame(
    gazetteer: Gazetteer, origin_ids: np.ndarray, destination_ids: np.ndarray, counts: np.ndarray
) -> pd.DataFrame:
    # A total order, so that the top N are the same flows whatever order the totals came in:
    # largest first, then by destination and origin.
    order = np.lexsort(
        (
            pd.factorize(origin_ids, sort=True)[0],
            pd.factorize(destination_ids, sort=True)[0],
            -counts,
        )
    )
    origin_ids, destination_ids, counts = origin_ids[order], destination_ids[order], counts[order]
    names = gazetteer.names
    grand_total = int(counts.sum())
    return pd.DataFrame(
        {
            "origin_id": pd.Series(origin_ids, dtype=str),
            "origin_name": pd.Series([names[pid] for pid in origin_ids], dtype=str),
            "destination_id": pd.Series(destination_ids, dtype=str),
            "destination_name": pd.Series([names[pid] for pid in destination_ids], dtype=str),
            "count": counts.astype("int64"),
            "share": counts / grand_total if grand_total else np.zeros(len(counts)),
        }
    )


def add_flow_geometry(gazetteer: Gazetteer, flows: pd.DataFrame) -> gpd.GeoDataFrame:
    """The flows with their arcs and geodesic lengths (a new frame)."""
    starts = [place_point(gazetteer, pid) for pid in flows["origin_id"].tolist()]
    ends = [place_point(gazetteer, pid) for pid in flows["destination_id"].tolist()]
    frame = pd.DataFrame(flows).copy(deep=False)
    if "geometry" in frame.columns:
        frame = frame.drop(columns="geometry")
    frame["distance_km"] = compute_distances_km(starts, ends)
    return with_geometry(frame, [compute_arc(a, b) for a, b in zip(starts, ends, strict=True)])


def compute_nodes(
    gazetteer: Gazetteer, flows: pd.DataFrame, geometry: bool = True
) -> gpd.GeoDataFrame | pd.DataFrame:
    """Totals out of and into every place the flows touch, with its point.

    ``geometry=False`` returns a plain frame without points: a view draws only the places of
    its top flows, so it adds their points with :func:`add_node_geometry` after keeping them.
    """
    counts = flows["count"].to_numpy(dtype="int64")
    (origin_ids,), out_totals = _sum_by([flows["origin_id"].to_numpy(dtype=object)], counts)
    (destination_ids,), in_totals = _sum_by(
        [flows["destination_id"].to_numpy(dtype=object)], counts
    )
    arriving = dict(zip(destination_ids.tolist(), in_totals.tolist(), strict=True))
    leaving = dict(zip(origin_ids.tolist(), out_totals.tolist(), strict=True))
    ids = list(dict.fromkeys([*arriving, *leaving]))
    frame = pd.DataFrame(
        {
            "place_id": pd.Series(ids, dtype=str),
            "name": pd.Series([gazetteer.names[pid] for pid in ids], dtype=str),
            "kind": pd.Series([gazetteer.kinds[pid] for pid in ids], dtype=str),
            "count_in": np.array([arriving.get(pid, 0) for pid in ids], dtype="int64"),
            "count_out": np.array([leaving.get(pid, 0) for pid in ids], dtype="int64"),
        }
    )
    return add_node_geometry(gazetteer, frame) if geometry else frame


def add_node_geometry(gazetteer: Gazetteer, nodes: pd.DataFrame) -> gpd.GeoDataFrame:
    """The places with their points (a new frame)."""
    ids = nodes["place_id"].tolist()
    points = shapely.points(
        np.array([place_point(gazetteer, pid) for pid in ids], dtype=float).reshape(-1, 2)
    )
    return with_geometry(nodes, points)


def compute_district_totals(
    gazetteer: Gazetteer,
    records: pd.DataFrame,
    apart: Mapping[str, str] | None = None,
    covered: Container[str] | None = None,
) -> gpd.GeoDataFrame:
    """Every district (zero where no record) and each undivided former district with records.

    ``covered``: the districts the data name at all (None: every one). Another district is
    left out, not counted 0: a survey of three districts says nothing of the other 74.

    Only records whose origin is a district or former district count: national records say
    nothing about districts. The districts split in 2015 that the records do not name apart
    (``apart``; by default :func:`not_recorded_apart` of these records) are left out: their
    people are in the undivided count. DoFE listed Nawalparasi East and West only from Bhadra
    2079, and a view of FY 2078/79 read "Nawalparasi East 0" beside "Nawalparasi (undivided)
    5,653".
    """
    ids = records[ORIGIN_ID].to_numpy(dtype=object, na_value=None)
    known = pd.notna(ids)
    (origin_ids,), totals = _sum_by(
        [ids[known]], records[COUNT].to_numpy(dtype="int64", na_value=0)[known]
    )
    by_origin = dict(zip(origin_ids.tolist(), totals.tolist(), strict=True))
    outlines = _district_outlines(gazetteer)
    place_ids = outlines["place_id"].tolist()
    counts = np.array([by_origin.get(pid, 0) for pid in place_ids], dtype="int64")
    if apart is None:
        apart = not_recorded_apart(gazetteer, by_origin)
    listed = (outlines["kind"] == DISTRICT).to_numpy(dtype=bool)
    if covered is not None:
        # Those the data name; an undivided district whose halves are not recorded apart is
        # listed too, at 0 as well, where its halves would have been.
        wholes = set(apart.values())
        listed = np.array([pid in covered for pid in place_ids], dtype=bool) & (
            listed | np.array([pid in wholes for pid in place_ids], dtype=bool)
        )
    kept = (listed | (counts > 0)) & np.array([pid not in apart for pid in place_ids], dtype=bool)
    columns = {name: outlines[name].array[kept] for name in ("place_id", "name", "province")}
    frame = pd.DataFrame(
        {
            **columns,
            "geometry": outlines.geometry.array[kept],
            "count": counts[kept],
            "kind": outlines["kind"].array[kept],
        }
    )
    return gpd.GeoDataFrame(frame, geometry="geometry", copy=False)


def not_recorded_apart(gazetteer: Gazetteer, counts: Mapping[str, int]) -> dict[str, str]:
    """The districts split in 2015 that records do not name apart, each to its undivided
    district: its undivided district has people in the records (``counts``: the origin ids
    records name, with their totals, zero included) and neither half is named. Where one
    half is named, the records do split the district, and the other half reads 0."""
    parts = undivided_district_of(gazetteer)
    split = {whole for part, whole in parts.items() if part in counts}
    return {
        part: whole
        for part, whole in parts.items()
        if whole not in split and counts.get(whole, 0) > 0
    }


def compute_province_totals(gazetteer: Gazetteer, districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The provinces' totals of district totals (:func:`compute_district_totals`), each with its
    outline; undivided former districts lie in two provinces and count in none."""
    current = districts[districts["kind"] == DISTRICT]
    by_province = current.groupby("province")["count"].sum()
    outlines = gazetteer.provinces
    counts = [int(by_province.get(name, 0)) for name in outlines["name"].tolist()]
    frame = pd.DataFrame(
        {
            "place_id": outlines["place_id"].array,
            "name": outlines["name"].array,
            "province": outlines["name"].array,
            "geometry": outlines.geometry.array,
            "count": np.array(counts, dtype="int64"),
            "kind": PROVINCE,
        }
    )
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=outlines.crs, copy=False)


_DISTRICT_OUTLINES: dict[int, tuple[Gazetteer, gpd.GeoDataFrame]] = {}


def _district_outlines(gazetteer: Gazetteer) -> gpd.GeoDataFrame:
    """The districts, then the undivided former districts, in one frame (made once)."""
    cached = _DISTRICT_OUTLINES.get(id(gazetteer))
    if cached is None or cached[0] is not gazetteer:
        columns = ["place_id", "name", "province", "geometry"]
        frame = pd.concat(
            [
                gazetteer.districts[columns].assign(kind=DISTRICT),
                gazetteer.former_districts[columns].assign(kind=FORMER_DISTRICT),
            ],
            ignore_index=True,
        )
        cached = (gazetteer, gpd.GeoDataFrame(frame, geometry="geometry", crs=CRS))
        _DISTRICT_OUTLINES[id(gazetteer)] = cached
    return cached[1]


def origin_outlines(gazetteer: Gazetteer, level: str) -> gpd.GeoDataFrame:
    """The areas flows start from at a level, with their outlines: the districts or the
    provinces, then the undivided former districts, which stay as they are at the province
    level (see :func:`aggregate_origins`); none for the nation."""
    districts = _district_outlines(gazetteer)
    if level == DISTRICT_LEVEL:
        return districts
    if level == NATIONAL_LEVEL:
        return districts.iloc[0:0]
    provinces = gazetteer.provinces[["place_id", "name", "geometry"]].assign(
        province=gazetteer.provinces["name"], kind=PROVINCE
    )
    former = districts[districts["kind"] == FORMER_DISTRICT]
    frame = pd.concat([provinces[former.columns], former], ignore_index=True)
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=CRS)


def compute_flow_totals(records: pd.DataFrame, flows: pd.DataFrame) -> FlowTotals:
    """How the records' total splits into drawn flows, unknown destinations and unplaced rows."""
    counts = records[COUNT].to_numpy(dtype="int64", na_value=0)
    origins = records[ORIGIN_ID].to_numpy(dtype=object, na_value=None)
    destinations = records[DESTINATION_ID].to_numpy(dtype=object, na_value=None)
    unknown = destinations == UNKNOWN_ID
    unplaced = pd.isna(origins) | pd.isna(destinations)
    return FlowTotals(
        records_total=int(counts.sum()),
        flows_total=int(flows["count"].sum()),
        unknown_destination=int(counts[unknown].sum()),
        unplaced=int(counts[unplaced].sum()),
    )


def unplaced_transit_total(paths: pd.DataFrame) -> int:
    """The count of records that would make a path but for a transit place left unplaced: the
    corridors leave them out (their origin and destination are placed, so the flows keep them).
    """
    if paths.empty:
        return 0
    given = paths[TRANSIT].notna().to_numpy() & paths[TRANSIT_IDS].isna().to_numpy()
    # Compared as they are (no copy of a column of objects: 174k paths at 1M records).
    known = (paths[DESTINATION_ID] != UNKNOWN_ID).to_numpy(dtype=bool, na_value=False)
    placed = paths[ORIGIN_ID].notna().to_numpy() & paths[DESTINATION_ID].notna().to_numpy() & known
    counts = paths[COUNT].to_numpy(dtype="int64", na_value=0)
    return int(counts[given & placed].sum())


def _with_share(table: pd.DataFrame) -> pd.DataFrame:
    total = table["count"].sum()
    return table.assign(share=table["count"] / total if total else 0.0)


PATH_SEPARATOR = " > "


def compute_corridors(
    gazetteer: Gazetteer, records: pd.DataFrame, level: str = DISTRICT_LEVEL
) -> pd.DataFrame:
    """Distinct whole paths (origin > transit ... > destination) with their totals, ranked.

    Only placed records with a known destination make a path. The sum over corridors equals the
    sum over those records. ``records`` may be records or totals per path (the engine's, whose
    place columns are categories); either way each distinct origin, transit sequence and
    destination is worked out and spelled once, and the paths are joined and ranked by Arrow.

    Returns
    -------
    pandas.DataFrame
        ``path_ids`` and ``path_names`` (joined by " > "), ``origin_id``, ``destination_id``,
        ``transit_count``, ``count`` and ``share``, largest first (then by name and ids).
    """
    origin_codes, origin_values = _distinct(records[ORIGIN_ID])
    destination_codes, destination_values = _distinct(records[DESTINATION_ID])
    transit_codes, transit_values = _distinct(records[TRANSIT_IDS])
    known = np.append(destination_values != UNKNOWN_ID, False)
    placed = (
        (origin_codes >= 0)
        & known[destination_codes]
        # A transit cell with an unplaced part has no path; it is counted as unplaced.
        & ~(records[TRANSIT].notna().to_numpy() & (transit_codes < 0))
    )
    # Origins at the level, and transit sequences as the places they name (sequences that differ
    # only in empty parts are one path), each numbered among their distinct values.
    grouped = aggregate_origins(gazetteer, pd.Series(origin_values, dtype=object), level)
    origin_map, origin_ids = pd.factorize(grouped.to_numpy(dtype=object))
    transit_parts = [_parts(text) for text in transit_values] + [[]]  # the last: no transit
    transit_map, sequences = pd.factorize(
        np.array([PATH_SEPARATOR.join(parts) for parts in transit_parts], dtype=object)
    )
    origin = origin_map[origin_codes[placed]]
    transit = transit_map[transit_codes[placed]]  # -1 (no transit) takes the last
    sizes = (max(len(sequences), 1), max(len(destination_values), 1))
    key = (origin.astype("int64") * sizes[0] + transit) * sizes[1] + destination_codes[placed]
    paths, position = np.unique(key, return_inverse=True)
    totals = np.rint(
        np.bincount(
            position.reshape(-1),
            weights=records[COUNT].to_numpy(dtype="int64", na_value=0)[placed],
            minlength=len(paths),
        )
    ).astype("int64")
    kept = totals > 0
    paths, totals = paths[kept], totals[kept]
    # Only the places on these paths are spelled: the codes may number every place of a table
    # of which the filter kept a few.
    destination_codes, destination = np.unique(paths % sizes[1], return_inverse=True)
    transit_codes, transit = np.unique(paths // sizes[1] % sizes[0], return_inverse=True)
    origin_codes, origin = np.unique(paths // sizes[1] // sizes[0], return_inverse=True)
    origin_ids, destination_ids = origin_ids[origin_codes], destination_values[destination_codes]
    parts = [
        sequences[code].split(PATH_SEPARATOR) if sequences[code] else [] for code in transit_codes
    ]

    def joined(spell) -> pa.Array:
        starts = pa.array([spell(pid) + PATH_SEPARATOR for pid in origin_ids], pa.string())
        middles = pa.array(
            ["".join(spell(pid) + PATH_SEPARATOR for pid in places) for places in parts],
            pa.string(),
        )
        ends = pa.array([spell(pid) for pid in destination_ids], pa.string())
        return pc.binary_join_element_wise(
            starts.take(origin), middles.take(transit), ends.take(destination), ""
        )

    table = pa.table(
        {
            "path_ids": joined(lambda text: text),
            "path_names": joined(gazetteer.name_of),
            "origin_id": pa.array(origin_ids, pa.string()).take(origin),
            "destination_id": pa.array(destination_ids, pa.string()).take(destination),
            "transit_count": np.array([len(places) for places in parts], "int64")[transit],
            "count": totals,
        }
    )
    # Largest first, then by name, then by ids (two places may share a name).
    order = [("count", "descending"), ("path_names", "ascending"), ("path_ids", "ascending")]
    table = table.take(pc.sort_indices(table, sort_keys=order))
    corridors = pd.DataFrame(
        {
            name: pd.array(column, dtype="str") if pa.types.is_string(column.type)
            else column.to_numpy()
            for name, column in zip(table.column_names, table.columns, strict=True)
        }
    )  # fmt: skip
    return _with_share(corridors)


def _parts(transit: str) -> list[str]:
    return [part for part in transit.split(PATH_SEPARATOR) if part]


def compute_legs(gazetteer: Gazetteer, corridors: pd.DataFrame) -> gpd.GeoDataFrame:
    """Every consecutive pair of places on the corridors, with the volume of the paths using it.

    A leg's ``count`` is the sum of the corridors that pass along it; its ``corridors`` column
    says how many distinct corridors do.
    """
    rows = []
    for path_ids, count in zip(corridors["path_ids"], corridors["count"], strict=True):
        places = path_ids.split(PATH_SEPARATOR)
        rows += [(a, b, count) for a, b in zip(places, places[1:], strict=False) if a != b]
    legs = pd.DataFrame(rows, columns=["from_id", "to_id", "count"])
    legs = (
        legs.groupby(["from_id", "to_id"], sort=False)["count"]
        .agg(["sum", "size"])
        .reset_index()
        .rename(columns={"sum": "count", "size": "corridors"})
        .sort_values(["count", "from_id", "to_id"], ascending=[False, True, True])
        .reset_index(drop=True)
    )
    starts = [place_point(gazetteer, pid) for pid in legs["from_id"]]
    ends = [place_point(gazetteer, pid) for pid in legs["to_id"]]
    frame = legs.assign(
        from_name=legs["from_id"].map(gazetteer.name_of),
        to_name=legs["to_id"].map(gazetteer.name_of),
        count=legs["count"].astype("int64"),
    )
    geometry = [compute_arc(a, b) for a, b in zip(starts, ends, strict=True)]
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=CRS)


def compute_corridor_nodes(gazetteer: Gazetteer, corridors: pd.DataFrame) -> gpd.GeoDataFrame:
    """Totals out of, into and through every place on the corridors, with its point."""
    totals: dict[str, list[int]] = {}
    for path_ids, count in zip(corridors["path_ids"], corridors["count"], strict=True):
        places = path_ids.split(PATH_SEPARATOR)
        for position, pid in enumerate(places):
            out_in_through = totals.setdefault(pid, [0, 0, 0])
            if position == 0:
                out_in_through[0] += count
            elif position == len(places) - 1:
                out_in_through[1] += count
            else:
                out_in_through[2] += count
    ids = list(totals)
    places = gazetteer.places.loc[ids] if ids else gazetteer.places.iloc[0:0]
    frame = pd.DataFrame(
        {
            "place_id": pd.Series(ids, dtype=str),
            "name": places["name"].astype(str).to_numpy(),
            "kind": places["kind"].astype(str).to_numpy(),
            "count_out": [totals[pid][0] for pid in ids],
            "count_in": [totals[pid][1] for pid in ids],
            "count_through": [totals[pid][2] for pid in ids],
        }
    )
    points = [Point(place_point(gazetteer, pid)) for pid in ids]
    return gpd.GeoDataFrame(frame, geometry=points, crs=CRS)


def find_place_at(
    nodes: gpd.GeoDataFrame,
    areas: gpd.GeoDataFrame,
    lon: float,
    lat: float,
    tolerance_deg: float = 1.0,
) -> str | None:
    """The place a map click points at: the nearest node within the tolerance, else the area (a
    district, or a province on a map of provinces) whose outline holds the point, else None.
    Undivided former districts overlap the current ones and are never the answer."""
    point = Point(lon, lat)
    if len(nodes):
        # Degrees on purpose: the tolerance is about where the click landed on screen.
        distances = shapely.distance(np.asarray(nodes.geometry.array), point)
        nearest = int(np.argmin(distances))
        if distances[nearest] <= tolerance_deg:
            return str(nodes["place_id"].iloc[nearest])
    current = areas[areas["kind"] != FORMER_DISTRICT] if "kind" in areas else areas
    hits = current[current.geometry.contains(point)]
    return str(hits["place_id"].iloc[0]) if len(hits) else None


#: Kinds of place a view's origin side is narrowed to, and its destination side.
ORIGIN_KINDS = (DISTRICT, FORMER_DISTRICT, PROVINCE)
DESTINATION_KINDS = (COUNTRY, REGION)


def leaving_from(place_id: str) -> tuple[str, str]:
    """The column and value of the records that leave from a place: a province's records are
    those of its districts and its own (a record placed in a province has the province as its
    origin id and its name as its origin province, as its districts' records have)."""
    if kind_of_id(place_id) != PROVINCE:
        return ORIGIN_ID, place_id
    return ORIGIN_PROVINCE, place_id.partition(":")[2]


def records_touching(records: pd.DataFrame, place_id: str) -> pd.DataFrame:
    """The records that leave from, go to or pass through a place."""
    column, value = leaving_from(place_id)
    touches = (
        (records[column] == value)
        | (records[DESTINATION_ID] == place_id)
        | records[TRANSIT_IDS].fillna("").str.contains(place_id, regex=False)
    ).fillna(False)
    return records.loc[touches]


def compute_place_breakdown(records: pd.DataFrame, place_id: str, column: str) -> pd.DataFrame:
    """Totals of the records that leave from, go to or pass through a place, by one column."""
    chosen = records_touching(records, place_id)
    return (
        chosen.groupby(chosen[column].fillna("not recorded"), observed=True)[COUNT]
        .sum()
        .sort_values(ascending=False)
        .rename_axis(column)
        .reset_index()
    )


def compute_place_trend(records: pd.DataFrame, place_id: str | None = None) -> pd.DataFrame:
    """Totals per period, in time order, for the records touching a place (or all records)."""
    chosen = records_touching(records, place_id) if place_id else records
    starts = chosen[PERIOD_START].to_numpy(dtype="datetime64[ns]")
    labels = chosen[PERIOD_LABEL].to_numpy(dtype=object, na_value=None)
    dated = ~np.isnat(starts) & pd.notna(labels)
    (_, labels), totals = _sum_by(
        [starts[dated].view("int64"), labels[dated]],
        chosen[COUNT].to_numpy(dtype="int64", na_value=0)[dated],
    )
    # In time order (the keys come sorted); labels keep that order on a chart axis, as text of
    # the records' kind.
    label_type = chosen[PERIOD_LABEL].dtype
    if isinstance(label_type, pd.CategoricalDtype):
        label_type = label_type.categories.dtype
    categories = pd.Index(pd.unique(labels), dtype=label_type)
    return pd.DataFrame(
        {
            "month": pd.Categorical(labels, categories=categories, ordered=True),
            "count": totals,
        }
    )


def split_trend(trend: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A trend's months, and its longer periods apart (years, fiscal years), when it has both:
    DoFE's months beside an upload by year drew the years as two more bars among the months.
    A trend with no month, or of one kind, stays whole."""
    kinds = [_granularity(label) for label in trend["month"].tolist()]
    months = np.array([kind == "month" for kind in kinds], dtype=bool)
    if months.all() or not months.any():
        return trend, trend.iloc[0:0]
    return trend[months], trend[~months]


def has_months(trend: pd.DataFrame) -> bool:
    """Whether any period of a trend is a month (an upload by fiscal year has none: its chart
    was titled "People by month" over bars of years)."""
    return any(_granularity(label) == "month" for label in trend["month"].tolist())


def mixed_calendars(trend: pd.DataFrame) -> bool:
    """Whether a trend's months are some Nepali (Shrawan 2079) and some AD (August 2022): they
    overlap in time, and its chart alternated them without a word (pooled case files)."""
    bs = {month.casefold() for month in BS_MONTHS}
    ad = {month.casefold() for month in calendar.month_name if month}
    firsts = {str(label).split(" ")[0].casefold() for label in trend["month"].tolist()}
    return bool(firsts & bs) and bool(firsts & ad)


def _granularity(label: object) -> str:
    try:
        return parse_period(str(label)).granularity
    except PeriodError:
        return ""


SANKEY_DESTINATIONS = 12
DIRECT = "(no transit recorded)"
OTHER_DESTINATIONS = "Other destinations"


def compute_sankey(gazetteer: Gazetteer, corridors: pd.DataFrame) -> pd.DataFrame:
    """Links of a three-column diagram: origin province -> first transit place -> destination.

    Origins are grouped by province (national records as "Nepal", an undivided district, which
    lies in two, as "Nawalparasi (undivided)"); destinations beyond the
    largest :data:`SANKEY_DESTINATIONS` are grouped as "Other destinations". Each column's links
    add up to the total of the corridors whose counts are shown (hidden ones are left out).
    Links come in the order their first corridor comes.
    """
    shown = corridors[corridors["count"].notna()] if len(corridors) else corridors
    if shown.empty:
        return pd.DataFrame(columns=["source", "target", "count"])
    places = gazetteer.places
    provinces = dict(zip(places["place_id"], places["province"], strict=True))

    def origin_group(pid: str) -> str:
        kind = places.at[pid, "kind"]
        if kind == DISTRICT:
            return provinces.get(pid) or gazetteer.name_of(pid)
        if kind == FORMER_DISTRICT:
            # It lies in two provinces; its bare name stood among them as if it were one.
            return f"{gazetteer.name_of(pid)} (undivided)"
        return gazetteer.name_of(pid)

    counts = shown["count"].to_numpy(dtype="int64")
    # Each distinct origin, first transit place and destination is named once, not per path.
    origins = _named(shown["origin_id"], lambda pid: origin_group(pid) + " ")
    path_parts = pc.split_pattern(pa.array(shown["path_ids"]), PATH_SEPARATOR, max_splits=2)
    first_transit = pc.if_else(
        pa.array(shown["transit_count"].to_numpy() > 0), pc.list_element(path_parts, 1), ""
    )
    transit = _named(
        pd.Series(pd.array(first_transit, dtype="str")),
        lambda pid: gazetteer.name_of(pid) if pid else DIRECT,
    )
    destination_codes, destination_ids = _distinct(shown["destination_id"])
    totals = np.bincount(destination_codes, weights=counts, minlength=len(destination_ids))
    # The largest destinations, the first by id among equal totals.
    largest = sorted(range(len(destination_ids)), key=lambda i: (-totals[i], destination_ids[i]))
    named = {destination_ids[i] for i in largest[:SANKEY_DESTINATIONS]}
    destinations = _named(
        shown["destination_id"],
        lambda pid: " " + (gazetteer.name_of(pid) if pid in named else OTHER_DESTINATIONS),
    )
    return pd.concat(
        [_links(origins, transit, counts), _links(transit, destinations, counts)],
        ignore_index=True,
    )


def _distinct(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes into a column's distinct values (-1 where empty), and those values
    (:func:`routes.schema.distinct_values`: from the categories, or Arrow's hash, when it can)."""
    distinct = distinct_values(values)
    return distinct.codes, distinct.uniques.to_numpy(dtype=object)


def _named(ids: pd.Series, name) -> tuple[np.ndarray, np.ndarray]:
    """Codes and texts of ``name`` of each id, worked out once per distinct id; ids whose names
    are the same share a code."""
    codes, uniques = _distinct(ids)
    name_codes, names = pd.factorize(np.array([name(pid) for pid in uniques], dtype=object))
    return name_codes[codes], np.asarray(names, dtype=object)


def _links(
    sources: tuple[np.ndarray, np.ndarray], targets: tuple[np.ndarray, np.ndarray], counts
) -> pd.DataFrame:
    """Totals per source and target, in the order each pair first comes."""
    key = sources[0].astype("int64") * len(targets[1]) + targets[0]
    pairs, unique_keys = pd.factorize(key)
    return pd.DataFrame(
        {
            "source": sources[1][unique_keys // len(targets[1])],
            "target": targets[1][unique_keys % len(targets[1])],
            "count": np.rint(np.bincount(pairs, weights=counts)).astype("int64"),
        }
    )
