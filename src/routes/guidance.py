"""The guidance library: Markdown files with YAML front matter, and their matching to a selection.

Each file in ``data/guidance`` describes one public guidance document (see the README there):
bibliographic facts and tags in the front matter, and a summary in the project's own words as
the body. :func:`read_guidance_library` loads and validates them; :func:`match_guidance` ranks
them against what is selected on the map, with the reasons for each match;
:func:`search_guidance` answers a free-text query with facet filters.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from routes.gazetteer import COUNTRY, HUB, Gazetteer, country_of_city_abroad, named_region_of
from routes.schema import value_label
from routes.settings import DATA_DIR

GUIDANCE_DIR = DATA_DIR / "guidance"

#: Stages of the migration journey, in the order a journey passes them.
STAGES: tuple[str, ...] = (
    "recruitment",
    "pre-departure",
    "border-and-transit",
    "destination-and-work",
    "return-and-reintegration",
    "identification-and-referral",
)
TOPICS: tuple[str, ...] = (
    "fair-recruitment-and-fees",
    "grievance-and-remedy",
    "supply-chain-due-diligence",
    "victim-identification-and-referral",
    "data-on-routes",
    "domestic-work",
    "law-and-policy",
    "forced-labour",
    "women-migrants",
    "business-and-human-rights",
    "border-management",
)
AUDIENCES: tuple[str, ...] = (
    "government",
    "employers-and-brands",
    "ngos",
    "workers",
    "researchers",
)

#: Front matter keys, in the order the README gives them; every file carries all of them.
FRONT_MATTER_KEYS: tuple[str, ...] = (
    "title",
    "publisher",
    "year",
    "month",
    "link",
    "languages",
    "stages",
    "topics",
    "regions",
    "audience",
    "general",
    "checked_against",
)
#: The one file in the library folder that is not an entry.
README_NAME = "README.md"
FRONT_MATTER_FENCE = "---"
FIRST_YEAR = 1900

#: What can be in focus on the map; "" means nothing is.
FOCUS_KINDS: tuple[str, ...] = (
    "",
    "district",
    "province",
    "country",
    "region",
    "hub_airport",
    "hub_border_crossing",
    "hub_city",
)
#: The country of origin: a focus on it is a focus on the start of the journey.
ORIGIN_COUNTRY = "Nepal"
GLOBAL_REGION = "Global"

# Weights of the match signals. A place named in an entry's regions outweighs a single tag,
# because it is the most specific thing an analyst selects; "Global" only breaks ties among
# entries that match on something else.
_FOCUS_NAME_WEIGHT = 4.0
_FOCUS_REGION_WEIGHT = 2.0
_ORIGIN_COUNTRY_WEIGHT = 2.0
_GLOBAL_WEIGHT = 0.5
_STAGE_WEIGHT = 2.0
_FOCUS_TOPIC_WEIGHT = 1.5
_EXPLOITATION_TOPIC_WEIGHT = 2.0
_CHANNEL_TOPIC_WEIGHT = 1.0
_SEX_TOPIC_WEIGHT = 1.0
_GENERAL_WEIGHT = 10.0

#: Tags whose hyphen belongs to the word.
_TAG_LABELS: dict[str, str] = {"pre-departure": "pre-departure"}
_SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_LINK_PATTERN = re.compile(r"^https?://\S+$")
_VOCABULARIES: dict[str, tuple[str, ...]] = {
    "stages": STAGES,
    "topics": TOPICS,
    "audience": AUDIENCES,
}


@dataclass(frozen=True)
class GuidanceEntry:
    """One guidance document of the library.

    Attributes
    ----------
    slug
        The file name without ``.md``.
    title, publisher
        Bibliographic facts.
    year, month
        Of the edition described; None where no source confirmed them.
    link
        The publisher's page or the document; ``""`` where none was confirmed.
    languages
        Language editions known from a source.
    stages, topics, audience
        Tags from :data:`STAGES`, :data:`TOPICS` and :data:`AUDIENCES`.
    regions
        Country names in English or regions (``Gulf``, ``Asia``, ``Europe``, ``Global``).
    general
        True for broad starting points, shown when nothing is selected.
    checked_against
        The sources that confirmed the facts.
    summary
        The project's own summary, in Markdown.
    """

    slug: str
    title: str
    publisher: str
    year: int | None
    month: int | None
    link: str
    languages: tuple[str, ...]
    stages: tuple[str, ...]
    topics: tuple[str, ...]
    regions: tuple[str, ...]
    audience: tuple[str, ...]
    general: bool
    checked_against: tuple[str, ...]
    summary: str


@dataclass(frozen=True)
class GuidanceProblem:
    """One thing wrong in one guidance file: where, what value, and what to do."""

    file_name: str
    field: str
    value: str
    message: str

    def __str__(self) -> str:
        shown = f" (value '{self.value}')" if self.value else ""
        return f"{self.file_name}, field '{self.field}'{shown}: {self.message}"


class GuidanceError(ValueError):
    """A guidance file (or several) that cannot be read; every problem is listed.

    Attributes
    ----------
    problems
        Each problem with its file, field, value and what to do.
    """

    def __init__(self, problems: Sequence[GuidanceProblem]) -> None:
        self.problems: tuple[GuidanceProblem, ...] = tuple(problems)
        files = {problem.file_name for problem in self.problems}
        # Where they are: the one file uploaded, said as such (its 11 problems were headed "in
        # the guidance library"), or the library's files.
        where = files.pop() if len(files) == 1 else "the guidance library"
        if len(self.problems) == 1:
            text = str(self.problems[0])
        else:
            text = f"{len(self.problems)} problems in {where}:\n" + "\n".join(
                f"- {problem}" for problem in self.problems
            )
        super().__init__(text)

    @property
    def file_name(self) -> str:
        """The file of the first problem."""
        return self.problems[0].file_name if self.problems else ""


@dataclass(frozen=True)
class GuidanceSelection:
    """What is selected on the map, as far as guidance cares.

    Attributes
    ----------
    focus_kind
        One of :data:`FOCUS_KINDS`; ``""`` when no place is in focus.
    focus_name
        The place in focus, e.g. ``"Qatar"``, ``"Belahiya"``, ``"Sindhupalchok"``.
    focus_region
        The region the caller places it in, e.g. ``"Gulf"`` for Qatar.
    exploitation_types, channels, sexes
        The values of those filters (free text, as in the data).
    """

    focus_kind: str = ""
    focus_name: str = ""
    focus_region: str = ""
    exploitation_types: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    sexes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.focus_kind not in FOCUS_KINDS:
            allowed = ", ".join(repr(kind) for kind in FOCUS_KINDS)
            raise ValueError(
                f"GuidanceSelection focus_kind '{self.focus_kind}' is unknown; use one of {allowed}"
            )

    @property
    def is_empty(self) -> bool:
        """True when nothing that guidance can match on is selected."""
        return not (
            (self.focus_kind and self.focus_name)
            or self.focus_region
            or self.exploitation_types
            or self.channels
            or self.sexes
        )


@dataclass(frozen=True)
class GuidanceMatch:
    """One entry matched to a selection, its score and why it matched."""

    entry: GuidanceEntry
    score: float
    reasons: tuple[str, ...]


# --- reading and validation ------------------------------------------------------------------


def validate_guidance_text(text: str, file_name: str) -> GuidanceEntry:
    """Parse and check the text of one guidance file.

    Parameters
    ----------
    text
        The whole file: YAML front matter between two lines ``---``, then the summary.
    file_name
        The file's name, ``<slug>.md``; used for the slug and in error messages.

    Returns
    -------
    GuidanceEntry

    Raises
    ------
    GuidanceError
        Listing every problem found, each naming the file, the field, the value and what to do.
    """
    name = Path(file_name).name
    front_text, body = _split_front_matter(text, name)
    front = _parse_front_matter(front_text, name)
    problems = [*_check_slug(name), *_check_keys(front, name)]
    values: dict[str, Any] = {}
    for key, check in _FIELD_CHECKS.items():
        value, found = check(front.get(key), name, key)
        values[key] = value
        # A missing key is said once, by _check_keys ("general" was missing, then "must be
        # true or false").
        problems.extend(found if key in front else [])
    summary = body.strip()
    if not summary:
        problems.append(
            GuidanceProblem(
                name,
                "summary",
                "",
                "the body after the front matter is empty; write a summary of 120-250 words in "
                "the project's own words below the closing '---' line",
            )
        )
    if problems:
        raise GuidanceError(problems)
    return GuidanceEntry(slug=Path(name).stem, summary=summary, **values)


def read_guidance_library(directory: Path = GUIDANCE_DIR) -> tuple[GuidanceEntry, ...]:
    """Read every guidance file in a folder, sorted by title.

    Parameters
    ----------
    directory
        A folder of ``<slug>.md`` files; its ``README.md`` is skipped.

    Returns
    -------
    tuple of GuidanceEntry

    Raises
    ------
    FileNotFoundError
        When the folder does not exist.
    GuidanceError
        Listing the problems of every file that does not validate.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(
            f"guidance folder '{directory}' does not exist; check ROUTES_DATA_DIR or restore "
            "data/guidance from the repository"
        )
    entries: list[GuidanceEntry] = []
    problems: list[GuidanceProblem] = []
    for path in sorted(directory.glob("*.md")):
        if path.name.lower() == README_NAME.lower():
            continue
        try:
            entries.append(validate_guidance_text(_read_text(path), path.name))
        except GuidanceError as error:
            problems.extend(error.problems)
    if problems:
        raise GuidanceError(problems)
    return tuple(sorted(entries, key=_title_key))


def tag_label(tag: str) -> str:
    """A tag as words for the screen: ``"grievance-and-remedy"`` -> ``"grievance and remedy"``."""
    return _TAG_LABELS.get(tag, tag.replace("-", " "))


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise GuidanceError(
            [
                GuidanceProblem(
                    path.name,
                    "file",
                    "",
                    f"is not UTF-8 text ({error.reason} at byte {error.start}); "
                    "save it with UTF-8 encoding",
                )
            ]
        ) from error


def _split_front_matter(text: str, name: str) -> tuple[str, str]:
    # Split only on whole lines: a URL inside the front matter may contain '---'.
    lines = text.removeprefix("\ufeff").splitlines()
    fences = [index for index, line in enumerate(lines) if line.rstrip() == FRONT_MATTER_FENCE]
    if not lines or lines[0].rstrip() != FRONT_MATTER_FENCE or len(fences) < 2:
        first = lines[0][:60] if lines else ""
        raise GuidanceError(
            [
                GuidanceProblem(
                    name,
                    "front matter",
                    first,
                    "the file must start with YAML front matter between two lines that hold "
                    "only '---' (see data/guidance/README.md); add them around the keys "
                    + ", ".join(FRONT_MATTER_KEYS),
                )
            ]
        )
    closing = fences[1]
    return "\n".join(lines[1:closing]), "\n".join(lines[closing + 1 :])


def _parse_front_matter(front_text: str, name: str) -> dict[str, Any]:
    try:
        front = yaml.safe_load(front_text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        # The front matter starts on line 2 of the file, after the opening fence.
        where = f" at line {mark.line + 2}" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error)
        raise GuidanceError(
            [
                GuidanceProblem(
                    name,
                    "front matter",
                    "",
                    f"is not valid YAML{where} ({problem}); quote values that contain ': ' or "
                    "start with a special character, and write lists as [a, b]",
                )
            ]
        ) from error
    if not isinstance(front, dict):
        raise GuidanceError(
            [
                GuidanceProblem(
                    name,
                    "front matter",
                    _show(front),
                    "must be a set of 'key: value' lines with the keys "
                    + ", ".join(FRONT_MATTER_KEYS),
                )
            ]
        )
    return front


def _check_slug(name: str) -> list[GuidanceProblem]:
    slug = Path(name).stem
    if name.endswith(".md") and _SLUG_PATTERN.match(slug):
        return []
    return [
        GuidanceProblem(
            name,
            "file name",
            name,
            "must be '<slug>.md' with lowercase words joined by hyphens, "
            "e.g. 'osce-odihr-national-referral-mechanisms.md'; rename the file",
        )
    ]


def _check_keys(front: dict[str, Any], name: str) -> list[GuidanceProblem]:
    problems = [
        GuidanceProblem(
            name,
            key,
            "",
            f"is missing; add a line '{key}:' (every key is present, empty where no source "
            "gives the fact)",
        )
        for key in FRONT_MATTER_KEYS
        if key not in front
    ]
    problems.extend(
        GuidanceProblem(
            name,
            str(key),
            _show(front[key]),
            "is not a known key; use only " + ", ".join(FRONT_MATTER_KEYS),
        )
        for key in front
        if key not in FRONT_MATTER_KEYS
    )
    return problems


_Checked = tuple[Any, list[GuidanceProblem]]


def _check_required_text(value: Any, name: str, key: str) -> _Checked:
    if isinstance(value, str) and value.strip():
        return value.strip(), []
    if value is None or (isinstance(value, str) and not value.strip()):
        message = f"is empty; give the document's {key} as a quoted string"
    else:
        message = f'must be text; write it in double quotes, e.g. {key}: "..."'
    return "", [GuidanceProblem(name, key, _show(value), message)]


def _check_year(value: Any, name: str, key: str) -> _Checked:
    last_year = dt.date.today().year + 1
    year = _as_int(value)
    if value is None or (year is not None and FIRST_YEAR <= year <= last_year):
        return year, []
    message = (
        f"is not a year; write a whole year between {FIRST_YEAR} and {last_year} "
        "(e.g. 2022), or leave it empty if no source confirms it"
    )
    return None, [GuidanceProblem(name, key, _show(value), message)]


def _check_month(value: Any, name: str, key: str) -> _Checked:
    month = _as_int(value)
    if value is None or (month is not None and 1 <= month <= 12):
        return month, []
    message = (
        "is not a month; write its number from 1 to 12 (e.g. 4 for April), "
        "or leave it empty if no source confirms it"
    )
    return None, [GuidanceProblem(name, key, _show(value), message)]


def _check_link(value: Any, name: str, key: str) -> _Checked:
    if value is None or (isinstance(value, str) and not value.strip()):
        return "", []
    if isinstance(value, str) and _LINK_PATTERN.match(value.strip()):
        return value.strip(), []
    message = (
        "is not a web address; give a full http:// or https:// address found in a source, "
        "or leave it empty"
    )
    return "", [GuidanceProblem(name, key, _show(value), message)]


def _check_general(value: Any, name: str, key: str) -> _Checked:
    if isinstance(value, bool):
        return value, []
    message = "must be true or false (true only for broad starting-point entries)"
    return False, [GuidanceProblem(name, key, _show(value), message)]


def _check_list(value: Any, name: str, key: str) -> _Checked:
    if value is None:
        return (), []
    if not isinstance(value, list):
        message = f"must be a list; write it in brackets, e.g. {key}: [{_show(value)}]"
        return (), [GuidanceProblem(name, key, _show(value), message)]
    problems: list[GuidanceProblem] = []
    items: list[str] = []
    for item in value:
        if isinstance(item, str) and item.strip():
            items.append(item.strip())
        else:
            message = "holds an item that is not text; write each item as a word or quoted text"
            problems.append(GuidanceProblem(name, key, _show(item), message))
    vocabulary = _VOCABULARIES.get(key)
    if vocabulary is not None:
        for item in items:
            if item not in vocabulary:
                message = "is not an allowed value; use one of " + ", ".join(vocabulary)
                problems.append(GuidanceProblem(name, key, item, message))
    return tuple(items), problems


_FIELD_CHECKS = {
    "title": _check_required_text,
    "publisher": _check_required_text,
    "year": _check_year,
    "month": _check_month,
    "link": _check_link,
    "languages": _check_list,
    "stages": _check_list,
    "topics": _check_list,
    "regions": _check_list,
    "audience": _check_list,
    "general": _check_general,
    "checked_against": _check_list,
}


def _as_int(value: Any) -> int | None:
    # YAML reads 2022 as int; a quoted "2022" is accepted too, but never a bool (true == 1).
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _show(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _title_key(entry: GuidanceEntry) -> tuple[str, str]:
    return entry.title.casefold(), entry.slug


# --- matching --------------------------------------------------------------------------------

_ORIGIN_KINDS = ("district", "province")
_DESTINATION_KINDS = ("country", "region")

#: How each kind of focus is named in reasons ("which a border crossing points to").
_FOCUS_PHRASES: dict[str, str] = {
    "district": "an origin district",
    "province": "an origin province",
    "country": "a destination",
    "region": "a destination",
    "hub_airport": "a transit airport",
    "hub_border_crossing": "a border crossing",
    "hub_city": "a transit city",
}

_ORIGIN_STAGES = ("recruitment", "pre-departure")
_ORIGIN_TOPICS = ("fair-recruitment-and-fees",)
_DESTINATION_STAGES = ("destination-and-work",)
_DESTINATION_TOPICS = ("grievance-and-remedy", "fair-recruitment-and-fees")
_TRANSIT_STAGES = ("border-and-transit", "identification-and-referral")
_TRANSIT_TOPICS = ("border-management", "victim-identification-and-referral")

#: Word beginnings in an exploitation type -> the topic that covers it. Matched at the start of
#: any word of the lowercase value, because exploitation types are free text in uploaded data
#: ("domestic work / sexual exploitation", "Trafficking for forced labour").
_EXPLOITATION_TOPICS: tuple[tuple[str, str], ...] = (
    ("domestic", "domestic-work"),
    ("forced lab", "forced-labour"),
    ("bonded", "forced-labour"),
    ("debt bondage", "forced-labour"),
    ("servitude", "forced-labour"),
    ("sexual", "victim-identification-and-referral"),
    ("prostitution", "victim-identification-and-referral"),
    ("traffick", "victim-identification-and-referral"),
    ("organ remov", "victim-identification-and-referral"),
    ("organ trad", "victim-identification-and-referral"),
    ("recruitment", "fair-recruitment-and-fees"),
    ("fee", "fair-recruitment-and-fees"),
    ("fraud", "fair-recruitment-and-fees"),
    ("decept", "fair-recruitment-and-fees"),
    ("wage", "grievance-and-remedy"),
)
_CHANNEL_TOPICS: tuple[tuple[str, str], ...] = (
    ("irregular", "border-management"),
    ("irregular", "victim-identification-and-referral"),
    ("undocumented", "border-management"),
    ("undocumented", "victim-identification-and-referral"),
    ("smuggl", "border-management"),
    ("recruiting agency", "fair-recruitment-and-fees"),
)
_SEX_TOPICS: tuple[tuple[str, str], ...] = (
    ("female", "women-migrants"),
    ("wom", "women-migrants"),
)

#: Regions that read better with an article: "concerns the Gulf".
_REGIONS_WITH_ARTICLE = frozenset({"gulf"})


@dataclass(frozen=True)
class _Signal:
    """One thing in the selection that an entry can match: a region, a stage or a topic."""

    facet: str
    tag: str
    weight: float
    reason: str


def match_guidance(
    entries: Iterable[GuidanceEntry], selection: GuidanceSelection, limit: int = 6
) -> tuple[GuidanceMatch, ...]:
    """Rank guidance entries by how well they fit what is selected on the map.

    A focus implies a stage of the journey and its topics: an origin district or province points
    to recruitment and pre-departure, a border crossing or transit hub to border and transit and
    to identification and referral, a destination country or region to destination and work,
    grievance and remedy and fair recruitment. Entries that name the place in focus or its
    region score high, ``Global`` entries a little. Exploitation types, channels and sexes map to
    topics. With nothing selected the ``general`` entries come first.

    Parameters
    ----------
    entries
        The library, e.g. from :func:`read_guidance_library`.
    selection
        What is selected.
    limit
        At most this many matches; 0 or less for all.

    Returns
    -------
    tuple of GuidanceMatch
        Best first; ties broken by title. Only entries with at least one reason beyond
        applying worldwide are returned.
    """
    signals = _selection_signals(selection)
    matches = [match for entry in entries if (match := _score_entry(entry, signals)) is not None]
    matches.sort(key=lambda match: (-match.score, *_title_key(match.entry)))
    return tuple(matches[:limit] if limit > 0 else matches)


def related_guidance(
    entries: Iterable[GuidanceEntry], selection: GuidanceSelection, limit: int = 5
) -> tuple[GuidanceMatch, ...]:
    """The panel beside a map: :func:`match_guidance`, then, where the selection names no place
    (filters only: women), the general starting points after the entries the filters point
    to (with women chosen the panel held one entry, under "Nothing selected")."""
    entries = tuple(entries)
    matches = _covering_filters(match_guidance(entries, selection, limit=0), selection, limit)
    if (selection.focus_kind and selection.focus_name) or selection.focus_region:
        return matches
    shown = {match.entry.slug for match in matches}
    general = match_guidance(entries, GuidanceSelection(), limit=0)
    extra = tuple(match for match in general if match.entry.slug not in shown)
    return (matches + extra)[:limit] if limit > 0 else matches + extra


def _covering_filters(
    ranked: tuple[GuidanceMatch, ...], selection: GuidanceSelection, limit: int
) -> tuple[GuidanceMatch, ...]:
    """The first ``limit`` of ``ranked``, with the best entry of each topic a filter points to
    among them: a place's own entries outranked the one on women migrants, so that women in
    Saudi Arabia listed nothing about women (a ministry analyst's walkthrough)."""
    if limit <= 0:
        return ranked
    kept = list(ranked[:limit])
    tags = list(dict.fromkeys(signal.tag for signal in _filter_signals(selection)))
    place = selection.focus_name.strip().casefold()

    def names_place(match: GuidanceMatch) -> bool:
        # Not Nepal: most entries name it, and none could then give way to a filter's topic.
        return (
            bool(place)
            and place != ORIGIN_COUNTRY.casefold()
            and place in {region.casefold() for region in match.entry.regions}
        )

    for tag in tags:
        if any(tag in match.entry.topics for match in kept):
            continue
        best = next((match for match in ranked[limit:] if tag in match.entry.topics), None)
        # In place of the lowest entry that is there neither for a filter of its own nor for
        # naming the place: women in Malaysia lost the one entry on Malaysia (a union's
        # walkthrough).
        spare = [
            index
            for index, match in enumerate(kept)
            if not set(tags) & set(match.entry.topics) and not names_place(match)
        ]
        if best is not None and spare:
            kept[spare[-1]] = best
    kept.sort(key=lambda match: (-match.score, *_title_key(match.entry)))
    return tuple(kept)


def _filter_signals(selection: GuidanceSelection) -> list[_Signal]:
    """The topics the filters point to (exploitation types, channels, sexes)."""
    return [
        *_value_signals(
            selection.exploitation_types,
            _EXPLOITATION_TOPICS,
            _EXPLOITATION_TOPIC_WEIGHT,
            "a filtered exploitation type",
        ),
        *_value_signals(
            selection.channels, _CHANNEL_TOPICS, _CHANNEL_TOPIC_WEIGHT, "a filtered channel"
        ),
        *_value_signals(selection.sexes, _SEX_TOPICS, _SEX_TOPIC_WEIGHT, "a filtered sex"),
    ]


def _selection_signals(selection: GuidanceSelection) -> tuple[_Signal, ...]:
    if selection.is_empty:
        return (
            _Signal("general", "true", _GENERAL_WEIGHT, "a general starting point"),
            _Signal(
                "region",
                ORIGIN_COUNTRY,
                _ORIGIN_COUNTRY_WEIGHT,
                f"concerns {ORIGIN_COUNTRY}, where the routes start",
            ),
        )
    signals = [*_region_signals(selection), *_focus_signals(selection), *_filter_signals(selection)]
    # A tag implied twice (a border crossing and a trafficking filter both point to referral)
    # counts once, with its strongest reason.
    strongest: dict[tuple[str, str], _Signal] = {}
    for signal in signals:
        key = (signal.facet, signal.tag.casefold())
        if key not in strongest or signal.weight > strongest[key].weight:
            strongest[key] = signal
    return tuple(strongest.values())


def _region_signals(selection: GuidanceSelection) -> list[_Signal]:
    name, region = selection.focus_name.strip(), selection.focus_region.strip()
    signals = []
    if name and selection.focus_kind:
        signals.append(_Signal("region", name, _FOCUS_NAME_WEIGHT, f"concerns {_region(name)}"))
    if region and region.casefold() != name.casefold():
        reason = f"concerns {_region(region)}" + (f", which includes {name}" if name else "")
        signals.append(_Signal("region", region, _FOCUS_REGION_WEIGHT, reason))
    if _focus_stage(selection) == "origin" and name.casefold() != ORIGIN_COUNTRY.casefold():
        reason = f"concerns {ORIGIN_COUNTRY}, where {name} is"
        signals.append(_Signal("region", ORIGIN_COUNTRY, _ORIGIN_COUNTRY_WEIGHT, reason))
    if signals:
        signals.append(_Signal("region", GLOBAL_REGION, _GLOBAL_WEIGHT, "applies worldwide"))
    return signals


def _focus_stage(selection: GuidanceSelection) -> str:
    kind = selection.focus_kind
    if not kind or not selection.focus_name.strip():
        return ""
    if kind in _ORIGIN_KINDS:
        return "origin"
    if kind in _DESTINATION_KINDS:
        # Nepal itself in focus is the start of every route, not a destination.
        is_origin = selection.focus_name.strip().casefold() == ORIGIN_COUNTRY.casefold()
        return "origin" if is_origin else "destination"
    return "transit"


def _focus_signals(selection: GuidanceSelection) -> list[_Signal]:
    stage = _focus_stage(selection)
    if not stage:
        return []
    stages, topics = {
        "origin": (_ORIGIN_STAGES, _ORIGIN_TOPICS),
        "destination": (_DESTINATION_STAGES, _DESTINATION_TOPICS),
        "transit": (_TRANSIT_STAGES, _TRANSIT_TOPICS),
    }[stage]
    phrase = _FOCUS_PHRASES[selection.focus_kind]
    if stage == "origin" and selection.focus_kind == "country":
        phrase = "the country of origin"
    return [
        *(
            _Signal(
                "stage", tag, _STAGE_WEIGHT, f"about {tag_label(tag)}, which {phrase} points to"
            )
            for tag in stages
        ),
        *(_Signal("topic", tag, _FOCUS_TOPIC_WEIGHT, f"covers {tag_label(tag)}") for tag in topics),
    ]


def _value_signals(
    values: Sequence[str], table: Sequence[tuple[str, str]], weight: float, what: str
) -> list[_Signal]:
    signals = []
    for value in values:
        lowered = value.casefold()
        for fragment, tag in table:
            if not re.search(r"\b" + re.escape(fragment), lowered):
                continue
            label = tag_label(tag)
            if label in lowered:
                reason = f"about {label}, {what}"
            else:
                # The value as the page shows it ("Female", as in the filters' chips).
                shown = value_label(value)
                reason = f"about {label}, which the {what.removeprefix('a ')} '{shown}' points to"
            signals.append(_Signal("topic", tag, weight, reason))
    return signals


def _score_entry(entry: GuidanceEntry, signals: Sequence[_Signal]) -> GuidanceMatch | None:
    facets = {
        "general": {"true"} if entry.general else set(),
        "region": {region.casefold() for region in entry.regions},
        "stage": set(entry.stages),
        "topic": set(entry.topics),
    }
    hits = [signal for signal in signals if signal.tag.casefold() in facets[signal.facet]]
    if not any(signal.tag != GLOBAL_REGION for signal in hits):
        return None
    hits.sort(key=lambda signal: -signal.weight)
    score = round(sum(signal.weight for signal in hits), 6)
    return GuidanceMatch(entry, score, tuple(dict.fromkeys(signal.reason for signal in hits)))


def _region(name: str) -> str:
    return f"the {name}" if name.casefold() in _REGIONS_WITH_ARTICLE else name


# --- search ----------------------------------------------------------------------------------


def search_guidance(
    entries: Iterable[GuidanceEntry],
    query: str,
    stages: Sequence[str] = (),
    topics: Sequence[str] = (),
    regions: Sequence[str] = (),
    audience: Sequence[str] = (),
    worldwide: bool = False,
    places: Mapping[str, str] | None = None,
) -> tuple[GuidanceEntry, ...]:
    """Search the library by words and filter it by tags.

    Parameters
    ----------
    entries
        The library.
    query
        Words, case-insensitive; every word must occur (also as part of a longer word) in the
        title, publisher, summary or tags of an entry. Empty keeps all entries.
    stages, topics, regions, audience
        Facet filters: an entry must carry at least one of the chosen values of each facet that
        has any (OR within a facet, AND across facets). Regions compare case-insensitively.
    worldwide
        With regions chosen, entries that apply worldwide (region ``Global``) are kept too: a
        filter on Malaysia left out the fair-recruitment guidance that applies everywhere.
    places
        Place names (lowercase) and the region each lies in: a place named in the query also
        finds the entries on its region ("Saudi Arabia" found nothing, the Gulf's entries
        naming no single country). A few words find their usual synonyms too ("housemaid",
        domestic work).

    Returns
    -------
    tuple of GuidanceEntry
        With words, the most relevant first (the words in the title count most, then in the
        tags, then elsewhere; ties by title); without, sorted by title.

    Raises
    ------
    ValueError
        When a stage, topic or audience filter is not in its vocabulary.
    """
    for facet, chosen in (("stages", stages), ("topics", topics), ("audience", audience)):
        unknown = [value for value in chosen if value not in _VOCABULARIES[facet]]
        if unknown:
            raise ValueError(
                f"unknown {facet} filter {', '.join(unknown)}; use one of "
                + ", ".join(_VOCABULARIES[facet])
            )
    terms = _query_terms(query, places)
    wanted_regions = {region.casefold() for region in regions}
    if wanted_regions and worldwide:
        wanted_regions.add(GLOBAL_REGION.casefold())
    found = [
        entry
        for entry in entries
        if _has_any(entry.stages, stages)
        and _has_any(entry.topics, topics)
        and _has_any(entry.audience, audience)
        and (not wanted_regions or wanted_regions & {r.casefold() for r in entry.regions})
        and all(_holds(_search_text(entry), term) for term in terms)
    ]
    return tuple(sorted(found, key=lambda entry: (-_relevance(entry, terms), _title_key(entry))))


#: Words of a query that also find another word (a substring of the texts' own): what people
#: type for what the library's texts say.
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "housemaid": ("domestic",),
    "housemaids": ("domestic",),
    "maid": ("domestic",),
    "maids": ("domestic",),
    "woman": ("women",),
    "female": ("women",),
    "girls": ("women",),
    "trafficked": ("traffick",),
    "smuggled": ("smuggl",),
    "manpower": ("recruit",),
    "agent": ("recruit",),
    "agents": ("recruit",),
    "broker": ("recruit",),
    "brokers": ("recruit",),
    "complaint": ("grievance",),
    "complaints": ("grievance",),
    # "passport confiscation" found nothing: the ILO indicators say "retained identity
    # documents", the IRIS standard "passports held by someone else".
    "passport": ("identity document", "identity papers"),
    "passports": ("identity document", "identity papers"),
    "confiscation": ("confiscat", "retain", "held by someone"),
    "confiscated": ("confiscat", "retain", "held by someone"),
    "salary": ("wage",),
    "salaries": ("wage",),
}


#: Words that hold no subject: a query's other words decide what "some of the words" means
#: ("domestic workers in Saudi Arabia" listed the whole library, every entry holding "in").
_STOP_WORDS = frozenset(
    ("a", "an", "and", "are", "as", "at", "by", "for", "from", "in", "is", "of", "on", "or",
     "the", "to", "with", "via", "into", "about")
)  # fmt: skip
#: The most words a place's name takes ("united arab emirates", "bosnia and herzegovina").
_PLACE_WORDS = 4


def _query_terms(query: str, places: Mapping[str, str] | None = None) -> list[tuple[str, ...]]:
    """The query as terms in its order, each a word and what else it finds: a place named
    (its longest name that the words make) and its region, or a word and its synonyms."""
    return [
        _place_term(word, region.casefold())
        if region is not None
        else (word, *_SYNONYMS.get(word, ()))
        for word, region in _query_parts(query, places or {})
    ]


def places_read(query: str, places: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """The places a query names (as :func:`search_guidance` reads them) that also find their
    region's entries, each with the region: "Dubai" found the Gulf's seven entries, none of
    which names Dubai, and the page did not say why (an analyst's walkthrough)."""
    return tuple(
        (word, region)
        for word, region in _query_parts(query, places)
        if region is not None and region.casefold() != word
    )


def _query_parts(query: str, places: Mapping[str, str]) -> Iterator[tuple[str, str | None]]:
    """The query's words in order, a place's name (its longest the words make) as one part
    with its region; other words with None."""
    words = _query_words(query)
    index = 0
    while index < len(words):
        for size in range(min(_PLACE_WORDS, len(words) - index), 0, -1):
            name = " ".join(words[index : index + size])
            if name in places:
                yield name, places[name]
                index += size
                break
        else:
            yield words[index], None
            index += 1


def _place_term(name: str, region: str) -> tuple[str, ...]:
    """A place named in a query, and the region it lies in: the entries tagged with the region,
    and for the Gulf those whose texts name it. A continent counts as a tag only: "Malaysia"
    found the South Asia entries, and a European one, through "Asia" in their texts."""
    word = _WholeWord(name)
    if not region or region == name:
        return (word,)
    continent = region in {library.casefold() for _, library in _LIBRARY_REGIONS}
    return (word, _tag(region)) if continent else (word, _tag(region), region)


class _WholeWord(str):
    """A place's name in a query, found as a word of its own or its people's ("Nepali",
    "Indian", "Sri Lankan", "Qatari"), not inside another word: "Oman" found an entry through
    "Romania", and "Japan" those translated into Japanese."""

    __slots__ = ()

    def found_in(self, text: str) -> bool:
        return re.search(rf"(?<!\w){re.escape(self)}(?:i|n|an|s)?(?!\w)", text) is not None


#: Words (nearly) every entry of the library holds ("work" all 20 of them, "worker" 17): alone
#: they make no entry one of "some of the words" ("domestic work Qatar" offered the whole
#: library after its two entries: a walkthrough).
_LIBRARY_WORDS = frozenset(("work", "worker", "workers"))


def _subject_terms(terms: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """The terms that say what is looked for: no stop word, no word every entry holds, nor a
    word of two letters."""
    return [
        term
        for term in terms
        if term[0] not in _STOP_WORDS and term[0] not in _LIBRARY_WORDS and len(term[0]) > 2
    ]


def _holds(text: str, term: tuple[str, ...]) -> bool:
    return any(
        alternative.found_in(text) if isinstance(alternative, _WholeWord) else alternative in text
        for alternative in term
    )


#: How much a query word weighs where it is found (see :func:`matched_in`).
_FIELD_WEIGHTS = {"title": 3, "tags": 2, "summary": 1, "publisher": 1}


def matched_in(
    entry: GuidanceEntry, query: str, places: Mapping[str, str] | None = None
) -> tuple[str, ...]:
    """Where an entry holds the words of a query: ``title``, ``tags``, ``summary``,
    ``publisher``, in that order (said beside a search result)."""
    terms = _query_terms(query, places)
    fields = _search_fields(entry)
    return tuple(name for name in _FIELD_WEIGHTS if any(_holds(fields[name], t) for t in terms))


def entries_with_some_words(
    entries: Iterable[GuidanceEntry], query: str, places: Mapping[str, str] | None = None
) -> tuple[GuidanceEntry, ...]:
    """The entries holding at least one word of a query, the most relevant first: offered
    beside those holding them all."""
    terms = _subject_terms(_query_terms(query, places))
    found = [entry for entry in entries if any(_holds(_search_text(entry), t) for t in terms)]
    return tuple(sorted(found, key=lambda entry: (-_relevance(entry, terms), _title_key(entry))))


def _relevance(entry: GuidanceEntry, terms: list[tuple[str, ...]]) -> int:
    fields = _search_fields(entry)
    score = 0
    for term in terms:
        # A place counts where it is named; found only through its region, an entry tagged
        # with the region counts a little ("Malaysia" ranked an entry tagged Asia, on
        # Bangladesh, above those naming Malaysia).
        region = term[1] if len(term) > 1 and term[1].startswith(_TAG_MARK) else None
        named = term[:1] if region else term
        found = sum(
            weight for name, weight in _FIELD_WEIGHTS.items() if _holds(fields[name], named)
        )
        score += 2 * found or int(region is not None and region in fields["tags"])
    # The words together, as typed ("recruitment fees"), in the title.
    if len(terms) > 1 and " ".join(term[0] for term in terms) in fields["title"]:
        score += 4 * _FIELD_WEIGHTS["title"]
    return score


#: Delimits a whole tag in an entry's searchable text; no text holds it.
_TAG_MARK = "\x1f"


def _tag(region: str) -> str:
    """A region as a whole tag of an entry (see :func:`_search_fields`): the region a searched
    country lies in finds the entries tagged with it, not every text holding its name
    ("Malaysia" found the South Asia entries and a European one through "Asia")."""
    # No word of its own: "region:asia" made a search for "region" find every entry.
    return f"{_TAG_MARK}{region.casefold()}{_TAG_MARK}"


def _search_fields(entry: GuidanceEntry) -> dict[str, str]:
    """The searchable text of an entry by field. Tags are searchable both as written
    ("domestic-work") and as words ("domestic work"), and regions as whole tags too
    (:func:`_tag`)."""
    tags = (*entry.stages, *entry.topics, *entry.regions, *entry.audience, *entry.languages)
    return {
        "title": entry.title.casefold(),
        "tags": " ".join([*tags, *(tag_label(tag) for tag in tags)]).casefold()
        + "".join(_tag(region) for region in entry.regions),
        "summary": entry.summary.casefold(),
        "publisher": entry.publisher.casefold(),
    }


def _query_words(query: str) -> list[str]:
    # Strip punctuation around words ("grievance," or "'Qatar'"), keep it inside ("co-op").
    words = (word.strip(".,;:!?\"'()[]{}") for word in query.casefold().split())
    return [word for word in words if word]


def _has_any(tags: Sequence[str], chosen: Sequence[str]) -> bool:
    return not chosen or bool(set(tags) & set(chosen))


def _search_text(entry: GuidanceEntry) -> str:
    return "\n".join(_search_fields(entry).values())


#: The guidance library's regions of the gazetteer's UN subregions, by a word in their names
#: ("Eastern Asia" is the library's Asia: South Korea found nothing, as a code review showed).
_LIBRARY_REGIONS = (
    ("Asia", "Asia"), ("Europe", "Europe"), ("Africa", "Africa"), ("America", "Americas"),
    ("Caribbean", "Americas"), ("Australia", "Oceania"), ("nesia", "Oceania"),
)  # fmt: skip


def search_places(gazetteer: Gazetteer) -> dict[str, str]:
    """Country names and their common short names (lowercase), each with its region as the
    library names regions: a search for a country finds its region's guidance too (see
    :func:`search_guidance`)."""
    countries = [pid for pid, kind in gazetteer.kinds.items() if kind == COUNTRY]
    places = {gazetteer.names[pid].casefold(): _library_region(gazetteer, pid) for pid in countries}
    # Short names too (UAE, KSA), but not the codes, which are words ("in", "and", "are").
    codes = {
        str(code).casefold()
        for column in ("iso2", "iso3")
        for code in gazetteer.places[column].dropna()
    }
    # A country's other names, and the cities and airports abroad, which find their country's
    # region: "Dubai" and "Doha" found no entry while "UAE" found seven (a walkthrough).
    for alias, ids in gazetteer.aliases.items():
        countries = {
            pid if gazetteer.kinds.get(pid) == COUNTRY else country_of_city_abroad(gazetteer, pid)
            for pid in ids
        }
        if len(countries) == 1 and None not in countries:
            (country,) = countries
            if alias.replace(" ", "").isalpha() and alias.casefold() not in codes:
                places.setdefault(alias.casefold(), _library_region(gazetteer, country))
    return places


def _library_region(gazetteer: Gazetteer, place_id: str) -> str:
    """A country's region as the guidance library names regions: the Gulf, else its
    continent."""
    region = named_region_of(gazetteer, place_id)
    if region == "Gulf":
        return region
    return next((name for word, name in _LIBRARY_REGIONS if word in region), region)


def guidance_selection_for(
    gazetteer: Gazetteer,
    place_id: str | None,
    exploitation_types: Iterable[str] = (),
    channels: Iterable[str] = (),
    sexes: Iterable[str] = (),
    region: str = "",
) -> GuidanceSelection:
    """What a map selection means for guidance: the focused place's kind, name and region;
    with no place, a destination ``region`` the filters keep (the Gulf), as if in focus."""
    focus_kind = focus_name = focus_region = ""
    if not place_id and region:
        focus_kind, focus_name, focus_region = "region", region, region
    if place_id and place_id in gazetteer.places.index:
        place = gazetteer.places.loc[place_id]
        kind = str(place["kind"])
        if kind == HUB:
            kind = f"hub_{place['hub_kind'] or 'city'}"
        if kind in FOCUS_KINDS:
            focus_kind, focus_name = kind, str(place["name"])
            focus_region = named_region_of(gazetteer, place_id)
    return GuidanceSelection(
        focus_kind=focus_kind,
        focus_name=focus_name,
        focus_region=focus_region,
        exploitation_types=tuple(exploitation_types),
        channels=tuple(channels),
        sexes=tuple(sexes),
    )


def remove_guidance_entry(slug: str, directory: Path) -> None:
    """Remove an entry an analyst added (its file in ``directory``), e.g. to add a corrected one.

    Raises
    ------
    GuidanceError
        When ``directory`` holds no entry of that id (the shipped library is never changed here).
    """
    target = Path(directory) / f"{slug}.md"
    if not _SLUG_PATTERN.match(slug) or not target.is_file():
        raise GuidanceError(
            [
                GuidanceProblem(
                    f"{slug}.md",
                    "file name",
                    slug,
                    "there is no added entry with this id; only entries added through the app "
                    "can be removed",
                )
            ]
        )
    target.unlink()


def save_guidance_entry(
    text: str, file_name: str, directory: Path, existing: Iterable[GuidanceEntry] = ()
) -> GuidanceEntry:
    """Validate an uploaded entry and keep it in ``directory``; nothing is written if it fails.

    The file is written to a temporary name and moved into place, so a crash leaves either no
    entry or the whole entry.

    Raises
    ------
    GuidanceError
        When the text does not validate, or an entry with the same file name already exists.
    """
    entry = validate_guidance_text(text, file_name)
    taken = {item.slug for item in existing}
    target = Path(directory) / f"{entry.slug}.md"
    if entry.slug in taken or target.exists():
        raise GuidanceError(
            [
                GuidanceProblem(
                    file_name,
                    "file name",
                    file_name,
                    "an entry with this file name is already in the library; rename the file "
                    "(the name becomes the entry's id) and upload it again",
                )
            ]
        )
    Path(directory).mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".md.partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(target)
    return entry
