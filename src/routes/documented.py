"""Routes documented in public reports, as a qualitative dataset and a map layer of their own.

``data/sources/routes/documented_routes.csv`` holds 23 origin > transit > destination routes named
by the National Human Rights Commission, a parliamentary committee, NGOs and the press, each with
its source. They carry no volumes: a count in their notes is about one border point, not the whole
route. So they are never turned into route records and never added to flows, legs or corridors;
they are drawn as their own layer, with their sources.

The cells are free text written for people ("Nepal (women)", "police checkpoints: Kakarbhitta
(Jhapa), Rani (Biratnagar), ..."). :func:`compute_documented_paths` reads them with the
conservative rule described there: it places what the gazetteer knows, and lists every part it
could not place instead of dropping it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry import LineString, MultiLineString

from routes.gazetteer import (
    COUNTRY,
    DESTINATION_ROLE,
    HUB,
    ORIGIN_ROLE,
    TRANSIT_ROLE,
    Gazetteer,
    normalise_name,
    place_point,
    resolve_place,
)
from routes.geo import CRS, compute_arc
from routes.settings import DATA_DIR

DOCUMENTED_ROUTES_PATH = DATA_DIR / "sources" / "routes" / "documented_routes.csv"

ROUTE_ID = "route_id"
ROUTE_ORIGIN = "origin"
TRANSIT_POINTS = "transit_points"
ROUTE_DESTINATION = "destination"
NOTES = "notes"
PERIOD_REPORTED = "period_reported"
SOURCE_TITLE = "source_title"
SOURCE_URL = "source_url"
SOURCE_DATE = "source_date"
SOURCE_KIND = "source_kind"

#: The columns of the source file, in its order; every one is kept.
DOCUMENTED_COLUMNS: tuple[str, ...] = (
    ROUTE_ID, ROUTE_ORIGIN, TRANSIT_POINTS, ROUTE_DESTINATION, NOTES, PERIOD_REPORTED,
    SOURCE_TITLE, SOURCE_URL, SOURCE_DATE, SOURCE_KIND,
)  # fmt: skip
SOURCE_COLUMNS: tuple[str, ...] = (SOURCE_TITLE, SOURCE_URL, SOURCE_DATE, SOURCE_KIND)

# Columns derived by compute_documented_paths.
PATH_NAMES = "path_names"
PLACE_IDS = "place_ids"
UNPLACED = "unplaced"
PLACED_POINTS = "placed_points"

PATH_COLUMNS: tuple[str, ...] = (
    ROUTE_ID, PATH_NAMES, PLACE_IDS, UNPLACED, PLACED_POINTS,
    *(column for column in DOCUMENTED_COLUMNS if column != ROUTE_ID), "geometry",
)  # fmt: skip

#: Between the stages of a path: origin > transit ... > destination.
STAGE_SEPARATOR = " > "
#: Between the alternatives a source lists for one stage ("India; Bangladesh; Sri Lanka").
ALTERNATIVE_SEPARATOR = " | "
#: Between the parts in ``unplaced``.
UNPLACED_SEPARATOR = "; "

#: Note added to a part that resolves to a place the gazetteer has no point for.
NO_POINT_NOTE = "in the gazetteer without coordinates"

# Splitting rules, applied outside parentheses only (see compute_documented_paths).
_STAGE_PATTERN = re.compile(r"\s*>\s*")
#: Between the place ids of ``place_ids``: stages and their alternatives.
_PLACE_ID_SPLIT = re.compile(re.escape(STAGE_SEPARATOR) + "|" + re.escape(ALTERNATIVE_SEPARATOR))
_ALTERNATIVE_PATTERN = re.compile(r"\s*[;,]\s*|\s+[/+-]\s+")
_CONJUNCTION_PATTERN = re.compile(r"\s+and/or\s+|\s+and\s+", flags=re.IGNORECASE)
_LABEL_PATTERN = re.compile(r"^[^:]*:\s*|^.*?\bincl(?:\.|uding\b)\s*", flags=re.IGNORECASE)
_QUALIFIER_PATTERN = re.compile(
    r"^(?:overland to|land route via|via|cities in|various)\s+", flags=re.IGNORECASE
)
_DESCRIPTOR_PATTERN = re.compile(
    r"\s+(?:airports?|border points?|border crossings?|transit points?|side|area)$",
    flags=re.IGNORECASE,
)


@dataclass(frozen=True)
class _Part:
    """One piece of free text and what it resolved to (``place_id`` None when it did not)."""

    text: str
    place_id: str | None


def read_documented_routes(path: Path = DOCUMENTED_ROUTES_PATH) -> pd.DataFrame:
    """Read the documented routes, keeping every source column as text.

    Parameters
    ----------
    path
        A CSV file with the columns of :data:`DOCUMENTED_COLUMNS`.

    Returns
    -------
    pandas.DataFrame
        One row per route, every column as text; empty cells are ``""``. A source given as
        "same as R04" reads as R04's source: a row of the export, read alone, said no more.

    Raises
    ------
    ValueError
        When a column is missing; the message names the file and the columns.
    """
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [column for column in DOCUMENTED_COLUMNS if column not in table.columns]
    if missing:
        raise ValueError(
            f"{Path(path).name}: the column(s) {', '.join(missing)} are missing; a documented "
            f"routes file needs the columns {', '.join(DOCUMENTED_COLUMNS)}."
        )
    titles = dict(zip(table[ROUTE_ID], table[SOURCE_TITLE], strict=True))
    referred = table[SOURCE_TITLE].str.extract(r"^same as (R\d+)$", expand=False)
    table[SOURCE_TITLE] = referred.map(titles).fillna(table[SOURCE_TITLE])
    table[SOURCE_TITLE] = _same_source_named(table[ROUTE_ID].tolist(), table[SOURCE_TITLE].tolist())
    return table


_SAME_SOURCE = re.compile(r"^same (?P<named>[^(]+?)\s*(?:\(also (?P<also>[^)]+)\))?$", re.I)


def _same_source_named(route_ids: list[str], titles: list[str]) -> list[str]:
    """Titles such as "same parliamentary report (also access24.tv)" as the earlier route's
    source they point to, said so ("The same parliamentary report as R01: ...; also
    access24.tv"): the corridors' table and its export read "same parliamentary report" alone
    (a researcher's walkthrough). The earlier source is one of its own (not another "same …"),
    holding the words as words; a title naming none is kept as written."""
    named: list[str] = []
    for title in titles:
        match = _SAME_SOURCE.match(title)
        words = rf"\b{re.escape(match['named'])}\b" if match else None
        earlier = next(
            (
                (route_ids[i], titles[i])
                for i in range(len(named) - 1, -1, -1)
                if words
                and not _SAME_SOURCE.match(titles[i])
                and re.search(words, titles[i], re.IGNORECASE)
            ),
            None,
        )
        if earlier is None:
            named.append(title)
            continue
        # The pointer first: the table's column shows a title's start, and the link beside it
        # is the row's own ("also access24.tv").
        also = f"; also {match['also']}" if match["also"] else ""
        named.append(f"The same {match['named']} as {earlier[0]}: {earlier[1]}{also}")
    return named


def compute_documented_paths(gazetteer: Gazetteer, routes: pd.DataFrame) -> gpd.GeoDataFrame:
    """Place each documented route and draw it as bent great-circle legs.

    The free text is read conservatively, field by field (origin, transit points, destination):

    1. Parenthesised notes are set aside before anything is split, so that separators inside
       them ("(women; origin not specified)") split nothing; they are not places.
    2. A field splits into stages on ``>``; the origin and the destination are one stage each.
    3. A stage splits into alternatives on ``;``, ``,`` and on `` / ``, `` + `` and `` - ``
       written with spaces: the sources use these to list several places for the same stage
       ("India; Bangladesh; Sri Lanka") or the two sides of one crossing ("Birgunj transit point
       - Raxaul side"). Alternatives that resolve to the same place count once.
    4. A leading label ending in ``:`` or ``incl.`` is dropped ("police checkpoints:").
    5. Each part resolves with :func:`routes.gazetteer.resolve_place` in its role, trying the
       text as written, then without a leading qualifier ("overland to", "land route via",
       "via", "cities in", "various") and without a trailing descriptor ("airports", "border
       point", "transit point", "side", "area"). A part that still does not resolve and contains
       "and" or "and/or" is split there and each piece tried the same way ("Delhi and Lucknow
       airports", "Kapilvastu and other districts").
    6. A country whose parenthesised note names a transit hub in that country is placed at the
       hub: "Bangladesh (Dhaka airport)" is the Dhaka airport.

    Nothing is invented: a part that does not resolve is listed in ``unplaced`` as written, as is
    a part that resolves to a place the gazetteer has no point for (Phulbari, Bhittamod). A
    field that is only a parenthesised note ("(onward, not stated)") is listed there too.

    Legs join every placed point of a stage to every placed point of the next stage that has
    one; for a route that lists no alternatives these are the legs between consecutive placed
    points. Legs that start and end at the same point (Nepal departs from Kathmandu airport) are
    left out.

    Parameters
    ----------
    gazetteer
        From :func:`routes.gazetteer.load_gazetteer`.
    routes
        From :func:`read_documented_routes`.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326, one row per route in input order, columns :data:`PATH_COLUMNS`:
        ``path_names`` and ``place_ids`` join the stages with " > " and a stage's alternatives
        with " | "; ``unplaced`` joins the parts not placed with "; " ("" when all were placed);
        ``placed_points`` counts the distinct points drawn; the geometry is a MultiLineString of
        legs, or None when fewer than two distinct points were placed. These routes carry no
        volumes: never add them to flows.
    """
    rows = [_route_row(gazetteer, route) for route in routes.to_dict("records")]
    frame = pd.DataFrame(rows, columns=[column for column in PATH_COLUMNS if column != "geometry"])
    geometry = [row["geometry"] for row in rows]
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=CRS)


def _route_row(gazetteer: Gazetteer, route: dict) -> dict:
    stages = [_parse_stage(gazetteer, route[ROUTE_ORIGIN], ORIGIN_ROLE)]
    stages += [
        _parse_stage(gazetteer, text, TRANSIT_ROLE)
        for text in _split_outside_parentheses(route[TRANSIT_POINTS], _STAGE_PATTERN)
    ]
    stages.append(_parse_stage(gazetteer, route[ROUTE_DESTINATION], DESTINATION_ROLE))
    placed = [_unique_ids(stage) for stage in stages]
    placed = [ids for ids in placed if ids]
    unplaced = [
        part.text if part.place_id is None else f"{part.text}: {NO_POINT_NOTE}"
        for stage in stages
        for part in stage
        if part.place_id is None or not _has_point(gazetteer, part.place_id)
    ]
    geometry, points = _path_geometry(gazetteer, placed)
    written: dict[str, str] = {}
    for stage in stages:
        for part in stage:
            if part.place_id is not None:
                written.setdefault(part.place_id, part.text)
    return {
        **{column: route.get(column, "") for column in DOCUMENTED_COLUMNS},
        PATH_NAMES: STAGE_SEPARATOR.join(
            ALTERNATIVE_SEPARATOR.join(_path_name(gazetteer, pid, written[pid]) for pid in ids)
            for ids in placed
        ),
        PLACE_IDS: STAGE_SEPARATOR.join(ALTERNATIVE_SEPARATOR.join(ids) for ids in placed),
        UNPLACED: UNPLACED_SEPARATOR.join(dict.fromkeys(unplaced)),
        PLACED_POINTS: points,
        "geometry": geometry,
    }


def _path_name(gazetteer: Gazetteer, place_id: str, text: str) -> str:
    """A placed part's name on the map and in the table: the place's, or, where the source
    names it by another word, the source's word first ("Mizoram (Aizawl)": the routes' map
    said Aizawl, a city the source does not name, where the source says Mizoram)."""
    name = gazetteer.name_of(place_id)
    bare = _QUALIFIER_PATTERN.sub("", _bare_text(text)[0]).strip()
    words, named = normalise_name(bare).split(), normalise_name(name).split()
    # The same name: a word in common, a spelling of it ("Inarwa", "Jamuna") or its initials
    # ("TIA", "UAE").
    same = (
        not words
        or set(words) & set(named)
        or words[0][:4] == named[0][:4]
        or (bare.isupper() and len(bare) <= 5)
    )
    return name if same else f"{bare} ({name})"


def _parse_stage(gazetteer: Gazetteer, text: str, role: str) -> list[_Part]:
    text = str(text).strip()
    if not text:
        return []
    parts: list[_Part] = []
    for piece in _split_outside_parentheses(text, _ALTERNATIVE_PATTERN):
        parts += _resolve_piece(gazetteer, piece, role)
    return parts


def _resolve_piece(gazetteer: Gazetteer, piece: str, role: str) -> list[_Part]:
    bare, notes = _bare_text(piece)
    if not bare:
        return [_Part(piece, None)]
    place_id = _resolve_variants(gazetteer, bare, role)
    if place_id is not None:
        return [_Part(piece, _refine_to_hub(gazetteer, place_id, notes))]
    pieces = [text.strip() for text in _CONJUNCTION_PATTERN.split(bare) if text.strip()]
    if len(pieces) == 1:
        return [_Part(piece, None)]
    return [_Part(text, _resolve_variants(gazetteer, text, role)) for text in pieces]


def _resolve_variants(gazetteer: Gazetteer, text: str, role: str) -> str | None:
    without_qualifier = _QUALIFIER_PATTERN.sub("", text)
    variants = (
        text,
        without_qualifier,
        _DESCRIPTOR_PATTERN.sub("", text),
        _DESCRIPTOR_PATTERN.sub("", without_qualifier),
    )
    for variant in dict.fromkeys(variant.strip() for variant in variants):
        place_id = resolve_place(gazetteer, variant, role) if variant else None
        if place_id is not None:
            return place_id
    return None


def _refine_to_hub(gazetteer: Gazetteer, place_id: str, notes: list[str]) -> str:
    """A country is placed at a hub in it that its note names: "Bangladesh (Dhaka airport)"."""
    places = gazetteer.places
    if places.at[place_id, "kind"] != COUNTRY:
        return place_id
    for note in notes:
        hub_id = resolve_place(gazetteer, note, TRANSIT_ROLE)
        if (
            hub_id is not None
            and places.at[hub_id, "kind"] == HUB
            and places.at[hub_id, "iso3"] == places.at[place_id, "iso3"]
            and _has_point(gazetteer, hub_id)
        ):
            return hub_id
    return place_id


def _split_outside_parentheses(text: str, pattern: re.Pattern) -> list[str]:
    """Split on ``pattern`` where it matches outside parentheses; empty pieces are dropped."""
    masked = _mask_parentheses(str(text))
    pieces, start = [], 0
    for match in pattern.finditer(masked):
        pieces.append(text[start : match.start()])
        start = match.end()
    pieces.append(text[start:])
    return [piece.strip() for piece in pieces if piece.strip()]


def _mask_parentheses(text: str) -> str:
    """The text with everything inside parentheses (and the parentheses) blanked out."""
    depth, masked = 0, []
    for char in text:
        if char == "(":
            depth += 1
        inside = depth > 0
        if char == ")" and depth > 0:
            depth -= 1
        masked.append("\0" if inside else char)
    return "".join(masked)


def _bare_text(piece: str) -> tuple[str, list[str]]:
    """A piece without its notes in parentheses and its leading label ("police checkpoints:"),
    and the notes: what is placed, and what its name on the map is compared with."""
    bare, notes = _set_aside_notes(piece)
    return _LABEL_PATTERN.sub("", bare).strip(), notes


def _set_aside_notes(text: str) -> tuple[str, list[str]]:
    """``"Bangladesh (Dhaka airport)"`` -> ``("Bangladesh", ["Dhaka airport"])``."""
    masked = _mask_parentheses(text)
    notes = [
        text[match.start() + 1 : match.end() - 1].strip() for match in re.finditer(r"\0+", masked)
    ]
    bare = "".join(char for char, mask in zip(text, masked, strict=True) if mask != "\0")
    return re.sub(r"\s+", " ", bare).strip(), notes


def _unique_ids(stage: list[_Part]) -> list[str]:
    return list(dict.fromkeys(part.place_id for part in stage if part.place_id is not None))


def _has_point(gazetteer: Gazetteer, place_id: str) -> bool:
    place = gazetteer.places.loc[place_id]
    return bool(pd.notna(place["lon"]) and pd.notna(place["lat"]))


def _path_geometry(
    gazetteer: Gazetteer, stages: list[list[str]]
) -> tuple[MultiLineString | None, int]:
    point_stages = [
        list(
            dict.fromkeys(place_point(gazetteer, pid) for pid in ids if _has_point(gazetteer, pid))
        )
        for ids in stages
    ]
    point_stages = [points for points in point_stages if points]
    distinct = {point for points in point_stages for point in points}
    lines: list[LineString] = []
    for starts, ends in zip(point_stages, point_stages[1:], strict=False):
        for start in starts:
            for end in ends:
                if start == end:
                    continue
                arc = compute_arc(start, end)
                lines += list(arc.geoms) if isinstance(arc, MultiLineString) else [arc]
    return (MultiLineString(lines) if lines else None), len(distinct)


def documented_paths_naming(
    gazetteer: Gazetteer,
    paths: gpd.GeoDataFrame,
    place_ids: Iterable[str],
    regions: Iterable[str] = (),
) -> gpd.GeoDataFrame:
    """The documented routes that name one of the places (a focus, transit places, destination
    countries) or named regions; a country counts for every region it is in, as the sources
    write "the Gulf" or "Africa" (a view of Qatar, or Nigeria, found none). All of them when
    nothing is given."""
    wanted = {pid for pid in place_ids if pid}
    wanted |= {f"region:{name}" for name in regions if name}
    for region, members in gazetteer.region_members.items():
        if any(pid.startswith("country:") and pid[len("country:") :] in members for pid in wanted):
            wanted.add(region)
    return documented_paths_touching(paths, wanted)


def documented_paths_touching(
    paths: gpd.GeoDataFrame, place_ids: Iterable[str]
) -> gpd.GeoDataFrame:
    """The documented routes that name any of the places (as a stage or an alternative of one);
    all of them when no place is given."""
    wanted = set(place_ids)
    if not wanted:
        return paths
    named = [
        not wanted.isdisjoint(_PLACE_ID_SPLIT.split(text)) if isinstance(text, str) else False
        for text in paths["place_ids"]
    ]
    return paths[named]
