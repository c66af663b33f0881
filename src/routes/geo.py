"""Geometry for flows: great-circle arcs bent slightly aside, arrow tips, antimeridian splits.

Arcs come from pyproj's ``Geod`` (WGS84): the points along the geodesic are ``Geod.npts``, and the
sideways bend moves each point along the geodesic at right angles to the path with ``Geod.fwd``.
The bend is to the right of the direction of travel, so A -> B and B -> A lie on opposite sides and
arcs that share an end fan out instead of lying on top of each other.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from geopandas.array import from_shapely
from pyproj import Geod
from shapely.geometry import LineString, MultiLineString, Point

WGS84 = Geod(ellps="WGS84")
CRS = "EPSG:4326"
#: The CRS parsed once: building a GeoDataFrame from the string parses it every time.
CRS_4326 = pyproj.CRS.from_user_input(CRS)

#: Points per arc: enough for a smooth curve across Asia, few enough for a small payload.
ARC_POINTS = 24
#: Sideways bend at the middle of an arc, as a share of its length.
ARC_BEND = 0.12


def compute_arc(
    start: tuple[float, float],
    end: tuple[float, float],
    points: int = ARC_POINTS,
    bend: float = ARC_BEND,
) -> LineString | MultiLineString:
    """A geodesic from ``start`` to ``end`` (lon, lat), bent aside by ``bend`` of its length.

    A geodesic that would cross the antimeridian (Nepal to the Americas, over the Pacific) or
    pass near a pole is drawn instead as a curve across the map, within one copy of the world:
    split at the map's edge, the flow to the United States left Asia off the map's right edge
    and arrived as a stub at its left (a walkthrough). Where that way is much the longer
    (Kathmandu to Tonga), the geodesic is split at the map's edge instead. Arcs are
    remembered: the same pair of places is drawn on every view, and shapely geometries are
    immutable.
    """
    return _arc((float(start[0]), float(start[1])), (float(end[0]), float(end[1])), points, bend)


@lru_cache(maxsize=50_000)
def _arc(
    start: tuple[float, float], end: tuple[float, float], points: int, bend: float
) -> LineString | MultiLineString:
    (lon1, lat1), (lon2, lat2) = start, end
    _, _, distance_m = WGS84.inv(lon1, lat1, lon2, lat2)
    if distance_m == 0:
        return LineString([start, end])
    inner = np.array(WGS84.npts(lon1, lat1, lon2, lat2, points - 2)).reshape(-1, 2)
    lons = np.concatenate([[lon1], inner[:, 0], [lon2]])
    lats = np.concatenate([[lat1], inner[:, 1], [lat2]])
    if bend:
        lons, lats = _bend(lons, lats, distance_m * bend)
    # Over the antimeridian, or near a pole (Kathmandu to Toronto: 82 degrees of longitude in
    # one step of the arc, a line up the map's top edge): across the map, unless that is much
    # the longer way (Kathmandu to Tonga, 260 degrees westwards), then split at the map's edge
    # (RFC 7946, section 3.1.9).
    if np.abs(np.diff(lons)).max() > _MAX_STEP_DEG:
        if abs(lon2 - lon1) <= _MAX_ACROSS_DEG:
            return _across_the_map(start, end, points, bend)
        return _split_at_antimeridian(lons, lats)
    return LineString(np.column_stack([lons, lats]))


#: A geodesic whose points are further apart in longitude than this is drawn across the map...
_MAX_STEP_DEG = 30.0
#: ... when that spans at most this many degrees of longitude (Kathmandu to Los Angeles: 204).
_MAX_ACROSS_DEG = 220.0


def _split_at_antimeridian(lons: np.ndarray, lats: np.ndarray) -> LineString | MultiLineString:
    parts: list[list[tuple[float, float]]] = [[(float(lons[0]), float(lats[0]))]]
    for i in range(1, len(lons)):
        lon_a, lat_a, lon_b, lat_b = lons[i - 1], lats[i - 1], lons[i], lats[i]
        if abs(lon_b - lon_a) > 180:
            edge = math.copysign(180.0, lon_a)
            lon_b_unwrapped = lon_b + (360.0 if lon_a > 0 else -360.0)
            t = (edge - lon_a) / (lon_b_unwrapped - lon_a)
            lat_edge = float(lat_a + t * (lat_b - lat_a))
            parts[-1].append((edge, lat_edge))
            parts.append([(-edge, lat_edge)])
        parts[-1].append((float(lon_b), float(lat_b)))
    if len(parts) == 1:
        return LineString(parts[0])
    return MultiLineString([part for part in parts if len(part) > 1])


def _across_the_map(
    start: tuple[float, float], end: tuple[float, float], points: int, bend: float
) -> LineString:
    """A curve from ``start`` to ``end`` drawn straight across the map (in degrees, never over
    its edge), bent aside by ``bend`` of its length to the right of the way of travel, as
    :func:`_bend` bends a geodesic."""
    (lon1, lat1), (lon2, lat2) = start, end
    fraction = np.linspace(0.0, 1.0, points)
    d_lon, d_lat = lon2 - lon1, lat2 - lat1
    length = math.hypot(d_lon, d_lat)
    # To the right of travel with north up: westwards, that is north.
    right = (d_lat / length, -d_lon / length)
    shift = bend * length * np.sin(np.pi * fraction)
    lons = lon1 + d_lon * fraction + right[0] * shift
    lats = np.clip(lat1 + d_lat * fraction + right[1] * shift, -85.0, 85.0)
    lons[0], lats[0], lons[-1], lats[-1] = lon1, lat1, lon2, lat2
    return LineString(np.column_stack([lons, lats]))


def _bend(lons: np.ndarray, lats: np.ndarray, offset_m: float) -> tuple[np.ndarray, np.ndarray]:
    fraction = np.linspace(0.0, 1.0, len(lons))
    # Heading of the path at each point, from the segment that leaves it (or arrives, at the end).
    forward, _, _ = WGS84.inv(lons[:-1], lats[:-1], lons[1:], lats[1:])
    heading = np.append(forward, forward[-1])
    shift_m = offset_m * np.sin(np.pi * fraction)
    bent_lons, bent_lats, _ = WGS84.fwd(lons, lats, heading + 90.0, shift_m)
    return np.asarray(bent_lons), np.asarray(bent_lats)


def compute_arrow_tips(
    arcs: Sequence[LineString | MultiLineString],
) -> list[tuple[Point, float] | None]:
    """Where each arc's arrowhead sits and which way it points, as drawn on the map.

    The tip sits four fifths along the arc's last part (at its end when the part has two
    points). The angle is the way of travel there on a Web Mercator map, in degrees clockwise
    from east, as CSS turns things: the map draws the arrowhead at a size in pixels, turned by
    it, so that it stays the same size at every zoom (a triangle in kilometres grew into a
    wedge wider than the Gulf when zoomed in, and shrank out of sight when zoomed out). An arc
    of fewer than two points has no tip (None).
    """
    lines = [arc.geoms[-1] if isinstance(arc, MultiLineString) else arc for arc in arcs]
    coords, owner = shapely.get_coordinates(lines, return_index=True)
    lengths = np.bincount(owner, minlength=len(lines))
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype("int64")
    kept = np.flatnonzero(lengths >= 2)
    tips: list[tuple[Point, float] | None] = [None] * len(arcs)
    if not len(kept):
        return tips
    tip_index = np.maximum(1, np.rint(lengths[kept] * 0.8).astype("int64") - 1)
    tip_index = np.where(lengths[kept] > 2, tip_index, 1)
    tip = coords[starts[kept] + tip_index]
    before = coords[starts[kept] + tip_index - 1]
    east = (tip[:, 0] - before[:, 0] + 180.0) % 360.0 - 180.0
    # Screen y grows downwards: south is a positive angle.
    south = _mercator_y(before[:, 1]) - _mercator_y(tip[:, 1])
    angles = np.degrees(np.arctan2(south, np.radians(east)))
    for index, point, angle in zip(
        kept.tolist(), shapely.points(tip), angles.tolist(), strict=True
    ):
        tips[index] = (point, round(angle, 1))
    return tips


def _mercator_y(latitudes: np.ndarray) -> np.ndarray:
    """Web Mercator's northing of latitudes, in radians of the equator's scale."""
    return np.log(np.tan(np.pi / 4 + np.radians(latitudes) / 2))


def compute_distances_km(
    starts: Sequence[tuple[float, float]], ends: Sequence[tuple[float, float]]
) -> np.ndarray:
    """Geodesic distances between pairs of (lon, lat) points, in one computation."""
    if not len(starts):
        return np.zeros(0)
    start, end = np.asarray(starts, dtype=float), np.asarray(ends, dtype=float)
    _, _, distance_m = WGS84.inv(start[:, 0], start[:, 1], end[:, 0], end[:, 1])
    return np.asarray(distance_m) / 1000.0


def with_geometry(frame: pd.DataFrame, shapes: Sequence) -> gpd.GeoDataFrame:
    """A GeoDataFrame in EPSG:4326 of a frame and one shape per row (a new frame; the frame's
    columns are shared, not copied: a view builds several small frames on every filter change)."""
    array = np.empty(len(shapes), dtype=object)
    array[:] = list(shapes)
    out = pd.DataFrame(frame).copy(deep=False)
    out["geometry"] = from_shapely(array, crs=CRS_4326)
    return gpd.GeoDataFrame(out, geometry="geometry", copy=False)
