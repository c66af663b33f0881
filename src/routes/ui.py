"""The only Streamlit module: cached loaders, shared widgets and page setup.

Pages call these; the work itself is done by the Streamlit-free modules below. The view state of
a map page lives in its widgets and, mirrored, in the page URL, so a copied link reopens the view.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import html
import json
import math
import threading
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from urllib.parse import urlencode, urlsplit

import folium
import geopandas as gpd
import pandas as pd
import plotly.graph_objects as go
import pyarrow as pa
import streamlit as st
import streamlit.components.v1 as components
import xstatic.pkg.leaflet as xstatic_leaflet
from streamlit_folium import st_folium

from routes.census import (
    ABSENT,
    CENSUS_CAVEATS,
    CENSUS_LICENCE,
    CENSUS_ORGANISATION,
    CENSUS_SOURCE,
    CENSUS_TITLE,
    PER_100,
    PROVINCE_CAVEAT,
    CensusComparison,
    compare_with_census,
)
from routes.datasets import (
    BUILTIN_DATASETS,
    DOFE_ID,
    Dataset,
    dataset_from_metadata,
    read_builtin_records,
    read_stored_records,
    read_stored_table,
)
from routes.documented import (
    SOURCE_URL,
    compute_documented_paths,
    documented_paths_naming,
    read_documented_routes,
)
from routes.engine import (
    RecordTable,
    counted_in_flows,
    datasets_beyond_fiscal_year,
    datasets_outside_period,
    datasets_without_areas,
    filtered_records,
    option_records,
    place_breakdown,
    place_totals,
)
from routes.export import (
    TABLES_WORKBOOK,
    DatasetCredit,
    ExportMetadata,
    build_export_metadata,
    export_file_stem,
    outside_flows_note,
    write_bundle_zip,
    write_geojson,
    write_geopackage,
    write_map_html,
    write_records_csv,
    write_records_xlsx,
    write_table_csv,
    write_tables_xlsx,
)
from routes.filters import (
    FACET_LABELS,
    LIST_SEPARATOR,
    ONE_VALUE_FACETS,
    SPELLED_COLUMNS,
    VALUE_FACETS,
    FilterState,
    export_link_base,
    facet_options,
    from_query,
    months_by_fiscal_year,
    restricted_state,
    spelling_key,
    to_query,
    version_pin,
)
from routes.flows import (
    DESTINATION_KINDS,
    DISTRICT_LEVEL,
    LEVELS,
    NATIONAL_LEVEL,
    ORIGIN_KINDS,
    PROVINCE_LEVEL,
    compute_province_totals,
    find_place_at,
    has_months,
    mixed_calendars,
    origin_outlines,
    split_trend,
)
from routes.gazetteer import (
    COUNTRY,
    DISTRICT,
    FORMER_DISTRICT,
    HUB,
    PROVINCE,
    ROLE_KINDS,
    Gazetteer,
    kind_of_id,
    load_gazetteer,
    normalise_name,
    place_ids_of_kind,
    province_id,
    resolve_place,
)
from routes.guidance import (
    AUDIENCES,
    GLOBAL_REGION,
    GUIDANCE_DIR,
    STAGES,
    TOPICS,
    GuidanceEntry,
    GuidanceError,
    GuidanceSelection,
    entries_with_some_words,
    guidance_selection_for,
    matched_in,
    places_read,
    read_guidance_library,
    related_guidance,
    remove_guidance_entry,
    save_guidance_entry,
    search_guidance,
    search_places,
    tag_label,
)
from routes.io import SUPPORTED, ChoiceNeeded, CrsNeeded, ReadResult, UploadError, read_table
from routes.mapping import (
    FALLBACK_FIELDS,
    UNRECOGNISED_NOTE,
    ColumnMapping,
    MappingError,
    PreparedImport,
    mapping_from_dict,
    mapping_to_dict,
    places_undivided,
    prepare_import,
    propose_mapping,
    with_fallback,
    with_field,
)
from routes.mapping import FIELDS as MAPPING_FIELDS
from routes.maps import (
    LeafletAssets,
    MapText,
    arrivals,
    build_corridor_map,
    build_district_map,
    build_flow_map,
    short_path_name,
)
from routes.periods import UNDERSTOOD_FORMS, fiscal_year_bs_to_ad, parse_period
from routes.privacy import (
    ROUNDING_BASE,
    count_label,
    format_count,
    suppress_counts,
    suppression_k,
    suppression_k_for,
    suppression_note,
)
from routes.schema import (
    CHANNEL,
    COUNT,
    DATASET,
    DESTINATION,
    DESTINATION_CITY,
    DESTINATION_ID,
    DESTINATION_REGION,
    ORIGIN,
    ORIGIN_ID,
    ORIGIN_PROVINCE,
    PERIOD,
    PERIOD_COLUMNS,
    RECORD_COLUMNS,
    REENTRY_CHANNEL,
    SEX,
    SOURCE,
    TRANSIT_IDS,
    and_list,
    future_periods_note,
    value_label,
)
from routes.settings import DATA_DIR, STORE_DIR
from routes.store import (
    CATALOGUE,
    MIN_PHRASE_CHARACTERS,
    PUBLIC,
    RESTRICTED,
    DatasetMetadata,
    FileStore,
    StoreError,
    check_made_public,
    new_access_key,
    phrase_opens,
    validate_dataset_info,
)
from routes.store import DatasetInfo as StoreDatasetInfo
from routes.synthetic import SYNTHETIC_LABEL
from routes.views import View, compute_view, flows_cut, kept_by_origin_filters

APP_TITLE = "Nepal Migration Routes Atlas"
MAP_HEIGHT_PX = 620

# Streamlit serves a declared component's folder at /component/<module>.<name>/. Declaring
# xstatic-leaflet's folder this way lets the map iframe (itself at /component/streamlit_folium...)
# load Leaflet from the app's own host, with no CDN and no files copied anywhere.
_LEAFLET_COMPONENT = components.declare_component("leaflet", path=xstatic_leaflet.BASE_DIR)
LEAFLET_ASSETS = LeafletAssets(
    js_url=f"../{_LEAFLET_COMPONENT.name}/leaflet.js",
    css_url=f"../{_LEAFLET_COMPONENT.name}/leaflet.css",
)


#: Below this window width a map's table goes under the map instead of beside it: at 1024 px
#: (a 1280 px laptop at 125%) the table beside the map showed names and no numbers.
STACK_BELOW_PX = 1150
#: Rows of columns in a container whose key starts with this stack below STACK_BELOW_PX.
STACKED_ROW = "map_row"
#: Rows of columns in a container whose key starts with this go two to a line below it.
PAIRED_ROW = "paired_row"


def map_row(name: str, widths: list[float]) -> list:
    """A map's row of columns (the map, its table), which stacks on narrow windows."""
    with st.container(key=f"{STACKED_ROW}_{name}"):
        return st.columns(widths)


def paired_row(name: str, count: int) -> list:
    """A row of ``count`` narrow controls (the guidance filters), two to a line on narrow
    windows: at 820 px four in a row showed a chosen region as its "x" alone."""
    with st.container(key=f"{PAIRED_ROW}_{name}"):
        return st.columns(count)


def page_setup(title: str) -> None:
    """The heading and the sidebar every page shares."""
    st.html(
        f"<style>@media (max-width: {STACK_BELOW_PX}px) {{"
        f"[class*='st-key-{STACKED_ROW}'] [data-testid='stHorizontalBlock'],"
        f"[class*='st-key-{PAIRED_ROW}'] [data-testid='stHorizontalBlock'] {{flex-wrap: wrap}}"
        f"[class*='st-key-{STACKED_ROW}'] [data-testid='stColumn'] "
        "{flex: 1 1 100% !important; min-width: 100% !important}"
        f"[class*='st-key-{PAIRED_ROW}'] [data-testid='stColumn'] "
        "{flex: 1 1 40% !important; min-width: 40% !important}}"
        # A map reached with the keyboard shows that it has the focus (its frame showed
        # nothing: a newcomer's walkthrough tabbing through the flow page).
        "iframe:focus-visible {outline: 3px solid #1f6fbf; outline-offset: 2px}</style>"
    )
    st.title(title)
    with st.sidebar:
        st.caption(
            f"**{APP_TITLE}**: where Nepali migrant workers go, from public and collective "
            "route data. Every figure shows its source."
        )


#: What the app is, said on the first page where a window hides the sidebar that says it.
APP_INTRO = (
    f"{APP_TITLE}: labour approvals from the Department of Foreign Employment and the route "
    "data organisations add, on maps beside their tables and the related guidance. Every "
    "figure names its source."
)
#: Below this width Streamlit folds the sidebar away.
SIDEBAR_FOLDS_BELOW_PX = 640


def narrow_intro() -> None:
    """:data:`APP_INTRO` under the title on a phone, whose folded sidebar hid the only place
    that named the app (a newcomer's walkthrough); on a laptop the sidebar says it, and the
    line pushed the map's largest circle below an 800 px window."""
    st.html(
        f"<p class='atlas-intro'>{html.escape(APP_INTRO)}</p><style>.atlas-intro {{display: "
        f"none; color: rgba(49, 51, 63, 0.6); font-size: 0.875rem}} @media (max-width: "
        f"{SIDEBAR_FOLDS_BELOW_PX}px) {{.atlas-intro {{display: block}}}}</style>"
    )


# --- Data ---------------------------------------------------------------------------------------


@st.cache_resource(show_spinner="Loading places…")
def load_places() -> Gazetteer:
    return load_gazetteer()


def dataset_store() -> FileStore:
    """The store of uploaded datasets (``ROUTES_STORE_DIR``, default ``var/``)."""
    return FileStore(STORE_DIR / "datasets")


def available_datasets(versions: tuple[str, ...] = ()) -> dict[str, Dataset]:
    """Every dataset the analyst can combine: the shipped ones and the stored ones, each at its
    latest version or at the one ``versions`` pins it to (see FilterState.versions).

    A pinned version is shown as protected as the dataset is now: restricted when it was saved
    restricted or its latest version is (an owner who re-saves a dataset as restricted closes
    its earlier versions too), and locked with the dataset's phrase.
    """
    return dict(_datasets_at(_catalogue_stamp(), versions))


def _catalogue_stamp() -> tuple[str, int, int, int]:
    """What changes whenever the store's catalogue does (every save, move and deletion writes
    a new file in its place)."""
    path = STORE_DIR / "datasets" / CATALOGUE
    try:
        stat = path.stat()
    except FileNotFoundError:
        return (str(path), 0, 0, 0)
    return (str(path), stat.st_ino, stat.st_mtime_ns, stat.st_size)


@st.cache_resource(show_spinner=False, max_entries=32)
def _datasets_at(stamp: tuple[str, int, int, int], versions: tuple[str, ...]) -> dict[str, Dataset]:
    # A resource: read once per catalogue state and pins, not several times on every rerun;
    # callers get a copy (available_datasets).
    datasets = dict(BUILTIN_DATASETS)
    store = dataset_store()
    for metadata in store.list_datasets():
        datasets[metadata.dataset_id] = dataset_from_metadata(metadata)
    for dataset_id, version in FilterState(versions=versions).pinned().items():
        latest = datasets.get(dataset_id)
        if not latest or not latest.stored or latest.version == version:
            continue
        try:
            pinned = dataset_from_metadata(store.load_metadata(dataset_id, version))
        except StoreError:
            continue  # a version not kept: the latest stands (the link's reader says so)
        strictest = RESTRICTED if latest.restricted else pinned.sensitivity
        datasets[dataset_id] = dataclasses.replace(
            pinned, sensitivity=strictest, access_key=latest.access_key
        )
    return datasets


def version_pins(dataset_ids: tuple[str, ...], versions: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The pins of the stored datasets among ``dataset_ids`` at the versions shown: what a link
    made for a report carries, so that it reopens these figures after a new version."""
    datasets = available_datasets(versions)
    return tuple(
        version_pin(d, datasets[d].version)
        for d in dataset_ids
        if d in datasets and datasets[d].stored
    )


@st.cache_resource(show_spinner="Loading the dataset…", max_entries=16)
def _load_dataset_records(dataset_id: str, version: int, stored: bool) -> pd.DataFrame:
    # A resource, not data: records are never changed once read (frames in, new frames out),
    # and a million of them would cost seconds to pickle into the cache and out on every use.
    if stored:
        return read_stored_records(dataset_store(), dataset_id, version)
    return read_builtin_records(load_places(), dataset_id)


def load_records(dataset_ids: tuple[str, ...], versions: tuple[str, ...] = ()) -> pd.DataFrame:
    """The placed records of the chosen datasets, combined; ``dataset`` says where each is from.

    Cached per dataset version, so a new version of a dataset is read afresh.
    """
    datasets = available_datasets(versions)
    frames = [
        _load_dataset_records(dataset_id, datasets[dataset_id].version, datasets[dataset_id].stored)
        for dataset_id in dataset_ids
        if dataset_id in datasets
    ]
    if not frames:
        frames = [_load_dataset_records(DOFE_ID, 1, False).iloc[0:0]]
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


@st.cache_resource(show_spinner=False, max_entries=8)
def _load_record_table(dataset_ids: tuple[str, ...], versions: tuple[int, ...]) -> RecordTable:
    # A resource, not data: the Arrow table is shared read-only, never pickled or copied.
    # Stored datasets go from their Parquet file to the table without pandas in between (a
    # national-scale upload would otherwise be held twice); shipped ones come from their frames.
    datasets = available_datasets()
    tables = []
    for dataset_id, version in zip(dataset_ids, versions, strict=True):
        if dataset_id not in datasets:
            continue
        stored = datasets[dataset_id].stored
        table = read_stored_table(dataset_store(), dataset_id, version) if stored else None
        if table is None:
            records = _load_dataset_records(dataset_id, version, stored)
            table = pa.Table.from_pandas(records, preserve_index=False)
        tables.append(table)
    pins = tuple(version_pin(d, v) for d, v in zip(dataset_ids, versions, strict=True))
    if not tables:
        return RecordTable.from_frame(load_records(dataset_ids, pins))
    try:
        return RecordTable.from_tables(tables)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        # Datasets whose extra columns disagree in type: pandas combines them as text.
        return RecordTable.from_frame(load_records(dataset_ids, pins))


def load_record_table(dataset_ids: tuple[str, ...], versions: tuple[str, ...] = ()) -> RecordTable:
    """The engine's table of the chosen datasets, cached per dataset versions (the latest, or
    those ``versions`` pins)."""
    return _load_record_table(dataset_ids, _versions_of(dataset_ids, versions))


def load_view_options(
    dataset_ids: tuple[str, ...], versions: tuple[str, ...] = ()
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The values each filter can take, and the months of each fiscal year, for the chosen
    datasets: computed once per dataset versions, not on every widget change."""
    return _load_view_options(dataset_ids, _versions_of(dataset_ids, versions))


@st.cache_data(show_spinner=False, max_entries=16)
def _load_view_options(
    dataset_ids: tuple[str, ...], versions: tuple[int, ...]
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    # Read from the distinct values of the engine's table, not from every record.
    options = option_records(_load_record_table(dataset_ids, versions))
    return facet_options(options), months_by_fiscal_year(options)


def _versions_of(dataset_ids: tuple[str, ...], pins: tuple[str, ...] = ()) -> tuple[int, ...]:
    datasets = available_datasets(pins)
    return tuple(datasets[d].version if d in datasets else 0 for d in dataset_ids)


def view_k(state: FilterState) -> int | None:
    """The small-cell threshold when a chosen dataset is restricted, else None."""
    datasets = available_datasets(state.versions)
    return suppression_k_for(
        [datasets[d].sensitivity for d in state.datasets if d in datasets], suppression_k()
    )


def load_view(state: FilterState, corridors: bool = False) -> View:
    """The view of a state, cached per state, dataset versions and threshold.

    ``corridors`` computes the corridors, legs and their places too (the corridors page).
    """
    # Tiles and the documented routes are map layers, not data: toggling them reuses the view.
    data_state = dataclasses.replace(
        state, tiles=False, documented=False, datasets=_apart(state.datasets, state.versions)
    )
    k = view_k(data_state)
    if k is not None:
        # Set tables, whatever the widgets hold (see restricted_state).
        data_state = restricted_state(data_state)[0]
    versions = _versions_of(data_state.datasets, state.versions)
    return _load_view(data_state, versions, k, corridors)


@st.cache_resource(show_spinner=False, max_entries=64)
def _load_view(
    state: FilterState, versions: tuple[int, ...], k: int | None, corridors: bool
) -> View:
    # A resource, not data: a view is never changed once made (frames in, new frames out), so
    # every rerun shares it rather than unpickling a copy, and its shapes stay the objects whose
    # GeoJSON the maps have already encoded.
    table = _load_record_table(state.datasets, versions)
    return compute_view(load_places(), table, state, k=k, corridors=corridors)


@st.cache_resource(show_spinner=False)
def load_documented_paths() -> gpd.GeoDataFrame:
    # A resource: never changed, and its shapes stay the objects whose GeoJSON maps reuse.
    return compute_documented_paths(load_places(), read_documented_routes())


@st.cache_data(show_spinner=False)
def load_data_sources_text() -> str:
    """The provenance notes shipped beside the data, for the "About the data" page."""
    parts = []
    for path in (DATA_DIR / "sources" / "README.md", DATA_DIR / "gazetteer" / "README.md"):
        if path.exists():
            parts.append(path.read_text(encoding="utf-8").replace("\n# ", "\n### "))
    return "\n\n---\n\n".join(parts)


def filter_names(state: FilterState) -> dict[str, str]:
    """What a state's ids read as: place names, and the titles of the chosen datasets."""
    names = place_names(
        [state.focus, *state.origin_districts, *state.destination_countries, *state.transit_places]
    )
    datasets = available_datasets(state.versions)
    names.update({d: datasets[d].title for d in state.datasets if d in datasets})
    options = shown_options(state)[0]
    for field in ("sexes", "channels", "sectors", "exploitation", "sources"):
        labels = _value_labels(options, field)
        names.update({value: labels.get(value, value) for value in getattr(state, field)})
    return names


def place_names(ids) -> dict[str, str]:
    gazetteer = load_places()
    return {pid: gazetteer.name_of(pid) for pid in ids if pid in gazetteer.places.index}


def place_spellings(text: str) -> list[str]:
    """The places a name may stand for, by any of their spellings in the gazetteer ("UAE",
    "Kavre", "Dhanusa", "Province 1"): their ids, then their names (a province filter holds
    names)."""
    gazetteer = load_places()
    ids = list(gazetteer.aliases.get(normalise_name(text), ()))
    return [*ids, *(gazetteer.name_of(pid) for pid in ids)]


# --- The view state: widgets, URL, active filters ----------------------------------------------


def _key(prefix: str, field: str) -> str:
    return f"{prefix}_{field}"


_TUPLE_FIELDS = {
    field.name for field in dataclasses.fields(FilterState) if "tuple" in str(field.type)
}


#: The map pages, by their widgets' prefix.
MAP_PAGES = ("flows", "corridors")


def _carried_sources(prefix: str) -> dict[str, str]:
    """The data sources (and pinned versions) an analyst chose on the other map page, for a
    page opened without a link's: a union's survey on the flow map became the synthetic cases
    on the corridors page (a helper's walkthrough). The other page's own default is not
    carried (DoFE, which has no routes, stays off the corridors page)."""
    for other in MAP_PAGES:
        saved = st.session_state.get(_key(other, "saved_state"))
        default = st.session_state.get(_key(other, "default"))
        if other == prefix or saved is None or default is None:
            continue
        if saved.datasets and saved.datasets != default.datasets:
            chosen = FilterState(datasets=saved.datasets, versions=saved.versions)
            return to_query(chosen, FilterState())
    return {}


def _opened_by_link(prefix: str) -> bool:
    """Whether the page, seen before in the session, is opened again by a link naming data: the
    widgets were dropped when another page was opened, and the address is not the one the page
    wrote (the sidebar's link to the page carries none)."""
    query = st.query_params.to_dict()
    return (
        bool(st.session_state.get(_key(prefix, "link_read")))
        and _key(prefix, "datasets") not in st.session_state
        and bool(query.get("data"))
        and query != st.session_state.get(_key(prefix, "written_query"))
    )


def _read_link_once(prefix: str, options: dict[str, list[str]], default: FilterState) -> None:
    """On a page's first run in a session, the URL's state fills the widgets. A link to a
    locked dataset keeps its filters until the phrase is given: read against the data shown
    meanwhile, a value of the locked dataset's only ("Debt bondage") was "not in the data" and
    dropped, and the report's link did not reopen its figures."""
    flag = _key(prefix, "link_read")
    waiting = _key(prefix, "waiting_link")
    if st.session_state.get(flag):
        if waiting in st.session_state:
            dataset_id, query = st.session_state[waiting]
            if dataset_id in (st.session_state.get(_key(prefix, "datasets")) or ()):
                # The linked dataset is open now: its link's filters, read against its values
                # (and only its: another locked dataset opened meanwhile does not take them).
                del st.session_state[waiting]
                st.session_state.pop(_key(prefix, "waiting_state"), None)
                filters = {k: v for k, v in query.items() if k not in ("data", "version")}
                _read_link(prefix, filters, options, default)
                return
            if _restored(dataset_id):
                # Restored from the trash meanwhile (the page still said it was there): its
                # data now, and its filters on the next run, read against its values.
                linked = query.get("data", "").split(LIST_SEPARATOR)
                datasets = available_datasets()
                _set_widget(prefix, "datasets", tuple(d for d in linked if d in datasets))
                st.session_state.pop(_key(prefix, "notices"), None)
                st.rerun()
        saved = st.session_state.get(_key(prefix, "saved_state"))
        if saved is not None and _key(prefix, "datasets") not in st.session_state:
            # Back on the page after visiting another: Streamlit dropped the widgets' values.
            _fill_widgets(prefix, saved)
        return
    st.session_state[flag] = True
    query = st.query_params.to_dict()
    linked = [d for d in query.get("data", "").split(LIST_SEPARATOR) if d]
    locked = st.session_state.get(_key(prefix, "to_open"))
    # A link to datasets all in the trash waits too, its address kept: the page showed its own
    # data and rewrote the address to them, so the link was lost once they were restored (a
    # link naming others as well shows those, with its filters).
    trashed = {m.dataset_id for m in dataset_store().list_trash()} if linked else set()
    all_trashed = bool(linked) and set(linked) <= trashed
    held = locked if locked in linked else linked[0] if all_trashed else None
    if held:
        st.session_state[waiting] = (held, dict(query))
        query = {k: v for k, v in query.items() if k in ("data", "version")}
    _read_link(prefix, query, options, default)


def _restored(dataset_id: str) -> bool:
    """Whether a dataset a link waits for is back from the trash (not a locked one, which
    waits for its phrase)."""
    dataset = available_datasets().get(dataset_id)
    return dataset is not None and dataset.stored and not dataset.locked


def _read_link(
    prefix: str, query: dict[str, str], options: dict[str, list[str]], default: FilterState
) -> None:
    """A link's state (``query``) into the widgets, its values checked against ``options``."""
    datasets = available_datasets()
    if "version" in query:
        # The pins of a dataset not shown are said with it (in the trash, deleted): a second
        # notice read "version 1 ... is not kept, so its latest version is shown".
        pins = query["version"].split(LIST_SEPARATOR)
        kept = [pin for pin in pins if pin.rpartition(":")[0] in datasets]
        query = {**query, "version": LIST_SEPARATOR.join(kept)}
    allowed = {**options, "datasets": list(datasets), "versions": _kept_pins()}
    reading = from_query(
        query,
        allowed,
        base=default,
        missing={"datasets": _why_not_kept, "versions": _why_version_not_kept},
        # A link may name a place (Qatar) as well as give its id (country:QAT), or spell it
        # another way (UAE, Kavre, Province 1).
        names=place_names(options.get("focus", [])),
        spellings=place_spellings,
    )
    # The data sources and their versions were read from the link already (and kept apart if
    # restricted).
    datasets = st.session_state.get(_key(prefix, "datasets"))
    read = dataclasses.replace(reading.state, versions=_widget_value(prefix, "versions"))
    _fill_widgets(prefix, dataclasses.replace(read, datasets=tuple(datasets)) if datasets else read)
    st.session_state[_key(prefix, "notices")] = reading.notices


def _why_not_kept(dataset_id: str) -> str:
    """What a link's dataset that cannot be shown has become, and what the analyst can do."""
    trashed = {m.dataset_id: m for m in dataset_store().list_trash()}
    if dataset_id in trashed:
        return (
            f"the link's dataset '{trashed[dataset_id].title}' ({dataset_id}) is in the trash; "
            "restore it on the Datasets page, then open the link again"
        )
    return (
        f"the link's dataset '{dataset_id}' is not kept in this atlas (it was deleted for good, "
        "or saved in another copy of the atlas)"
    )


def _kept_pins() -> list[str]:
    """Every version of every stored dataset, as a link may pin it (read only for a link that
    pins one)."""
    if "version" not in st.query_params:
        return []
    store = dataset_store()
    return [
        version_pin(metadata.dataset_id, version)
        for metadata in store.list_datasets()
        for version in store.versions(metadata.dataset_id)
    ]


def _why_version_not_kept(pin: str) -> str:
    dataset_id, _, version = pin.rpartition(":")
    return (
        f"the link's version {version} of dataset '{dataset_id}' is not kept in this atlas (its "
        "latest version is shown)"
    )


def _read_pins(prefix: str, versions: tuple[str, ...]) -> None:
    """Keep the pins of the chosen datasets at an earlier version than their latest: a pin to
    the latest one is dropped, so that a version saved later shows as it does without a link."""
    latest = available_datasets()
    chosen = st.session_state.get(_key(prefix, "datasets")) or ()
    kept = [
        version_pin(d, version)
        for d, version in FilterState(versions=versions).pinned().items()
        if d in chosen and d in latest and latest[d].stored and version < latest[d].version
    ]
    _set_widget(prefix, "versions", tuple(kept))


def _show_pinned_versions(prefix: str, datasets: dict[str, Dataset]) -> None:
    """Say which datasets the view shows at an earlier version (as its link was made), with a
    button to show the latest."""
    pins = FilterState(versions=_widget_value(prefix, "versions")).pinned()
    if not pins:
        return
    latest = available_datasets()
    lines = [
        f"'{datasets[d].title}' is shown at version {version}, as the link was made; its latest "
        f"version is {latest[d].version}."
        for d, version in pins.items()
        if d in datasets and d in latest
    ]
    st.info(
        " ".join(lines) + " The figures, the sources and every export are those of the version "
        "shown.",
        icon=":material/history:",
    )
    st.button(
        "Show the latest versions",
        key=_key(prefix, "latest_versions"),
        on_click=_set_widget,
        args=(prefix, "versions", ()),
    )


#: What a place id's kind reads as beside its name, in the focus list (districts, countries and
#: transit places in one list).
_KIND_WORDS = {
    "country": "country",
    "district": "district",
    "former_district": "undivided district",
    "province": "province",
    "hub": "transit place",
}


def _place_with_kind(place_id: str, names: dict[str, str]) -> str:
    kind = _KIND_WORDS.get(kind_of_id(place_id))
    name = names.get(place_id, place_id)
    return f"{name} ({kind})" if kind else name


def _source_label(info: Dataset, pinned: dict[str, int]) -> str:
    """A data source as the sidebar lists it: its title, the version shown when not the latest,
    and whether it waits for its access phrase."""
    version = f" (version {info.version})" if info.dataset_id in pinned else ""
    return info.title + version + ("" if is_open(info) else " (locked)")


def _fill_widgets(prefix: str, state: FilterState) -> None:
    for field in dataclasses.fields(FilterState):
        _set_widget(prefix, field.name, getattr(state, field.name))
    _forget_month_sliders(prefix)


def _set_widget(prefix: str, field: str, value: object) -> None:
    """A filter's widget set to a state's value (lists for the multiselects)."""
    st.session_state[_key(prefix, field)] = list(value) if isinstance(value, tuple) else value


def _widget_value(prefix: str, field: str) -> object:
    """A filter's value as the widget holds it, in the state's kind (see _set_widget)."""
    value = st.session_state.get(_key(prefix, field), getattr(FilterState(), field))
    if field in _TUPLE_FIELDS:
        return tuple(value or ())
    return (value or "") if field in ("month_from", "month_to") else value


def _reset_field(prefix: str, field: str, default: FilterState) -> None:
    _set_widget(prefix, field, getattr(default, field))
    if field in ("fiscal_year", "month_from", "month_to"):
        _forget_month_sliders(prefix)  # the slider follows


def _reset_all(prefix: str, default: FilterState, fields: list[str]) -> None:
    for field in fields:
        _reset_field(prefix, field, default)


def _apart(dataset_ids: tuple[str, ...], versions: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The first restricted dataset when there is one, else all: whatever the widgets say, no
    view adds other figures to restricted ones (see :func:`_keep_restricted_apart`), and no view
    holds a locked dataset not opened in this session (see :func:`_keep_locked_out`). A dataset
    is restricted or not at the version shown (``versions``)."""
    datasets = available_datasets(versions)
    dataset_ids = tuple(d for d in dataset_ids if d not in datasets or is_open(datasets[d]))
    restricted = tuple(d for d in dataset_ids if d in datasets and datasets[d].restricted)
    return restricted[:1] or dataset_ids


# --- Locked datasets: shown only to whoever gives the access phrase ------------------------------

#: Said beside the access phrase of a new dataset: only in its field's help, a restricted
#: dataset saved without one was republished as public by someone else (a helper's walkthrough).
UNLOCKED_WARNING = (
    "Without an access phrase, anyone who can open this atlas can view the dataset (restricted: "
    "suppressed), move it to the trash, or save a next version of it, public included."
)

#: The tick that saves a restricted dataset with no access phrase, and why one is asked for.
UNLOCKED_CHOICE = "Restricted data: save it without an access phrase"
UNLOCKED_REFUSED = (
    "Restricted data is saved with an access phrase: give one above (twice), or tick that it "
    "is saved without one. " + UNLOCKED_WARNING
)

#: What stands for a locked dataset's provenance and description until its phrase is given.
_LOCKED_DETAILS = "Locked: its details show once its access phrase is given (Data sources)."

_OPENED = "opened_datasets"


def is_open(info: Dataset | DatasetMetadata) -> bool:
    """Whether a dataset may be shown, or changed, in this browser session: it has no access
    phrase, or its phrase was given here (for the key it has now: a new phrase asks again)."""
    opened = st.session_state.get(_OPENED, set())
    return not info.access_key or (info.dataset_id, info.access_key) in opened


def _keep_locked_out(prefix: str, datasets: dict[str, Dataset], default: FilterState) -> None:
    """A locked dataset chosen (or linked) but not opened is taken out of Data sources before
    anything of it is read (its filter options name its places), and waits for its phrase; the
    page's own data stands in when nothing else was chosen."""
    key = _key(prefix, "datasets")
    chosen = [d for d in st.session_state.get(key) or () if d in datasets]
    locked = [d for d in chosen if not is_open(datasets[d])]
    if locked:
        kept = [d for d in chosen if d not in locked]
        st.session_state[key] = kept or [d for d in default.datasets if d in datasets]
        st.session_state[_key(prefix, "to_open")] = locked[0]
        # The version a link pinned, kept for when the phrase is given (it was dropped, and
        # the dataset opened at its latest version under the report's link).
        pinned = FilterState(versions=_widget_value(prefix, "versions")).pinned()
        if locked[0] in pinned:
            st.session_state[_key(prefix, "to_open_pin")] = (locked[0], pinned[locked[0]])


def locked_notice(prefix: str, datasets: dict[str, Dataset]) -> None:
    """Says, above the view, that the dataset a link or choice asked for is locked and what the
    page shows meanwhile (only the sidebar said so, over another dataset's figures)."""
    waiting = st.session_state.get(_key(prefix, "to_open"))
    if waiting not in datasets or is_open(datasets[waiting]):
        return
    shown = [datasets[d].title for d in st.session_state.get(_key(prefix, "datasets")) or ()
             if d in datasets]  # fmt: skip
    held = st.session_state.get(_key(prefix, "waiting_link"))
    filters = " The link's filters apply once it is open." if held and held[0] == waiting else ""
    st.info(
        f"'{datasets[waiting].title}' is locked: give its access phrase under Data sources in "
        f"the sidebar to show it. Until then this page shows {and_list(shown) or 'no data'}."
        + filters,
        icon=":material/lock:",
    )


def _link_waiting(prefix: str, state: FilterState) -> dict[str, str] | None:
    """The link to a locked dataset, kept in the address while the page shows its own data and
    nothing was changed: the address had become the page's default, so a reload, or the link
    copied again, lost the locked dataset and its filters."""
    held = st.session_state.get(_key(prefix, "waiting_link"))
    if not held:
        return None
    meanwhile = st.session_state.setdefault(_key(prefix, "waiting_state"), state)
    return held[1] if state == meanwhile else None


def _open_controls(prefix: str, datasets: dict[str, Dataset]) -> None:
    """The access phrase of the locked dataset the analyst chose, to open it in this session."""
    waiting = st.session_state.get(_key(prefix, "to_open"))
    if waiting not in datasets or is_open(datasets[waiting]):
        return
    info = datasets[waiting]
    _phrase_form(
        info,
        prefix,
        partial(
            st.markdown,
            f"**'{info.title}' is locked.** Give its access phrase to show it in this browser "
            "session.",
        ),
        on_open=partial(_show_opened, prefix, info),
    )


def _phrase_form(
    info: Dataset | DatasetMetadata,
    key: str,
    say: Callable[[], object],
    on_open: Callable[[], None] | None = None,
) -> None:
    """A form asking for a locked dataset's access phrase (``say`` tells what for), then
    ``on_open`` once it is given; a refused phrase is said under the form."""
    with st.form(f"{key}_form"):
        say()
        st.text_input("Access phrase", type="password", key=f"{key}_phrase")
        st.form_submit_button("Open the dataset", on_click=_give_phrase, args=(info, key, on_open))
    refused = st.session_state.pop(f"{key}_refused", None)
    if refused:
        st.error(refused)


def _give_phrase(
    info: Dataset | DatasetMetadata, key: str, on_open: Callable[[], None] | None
) -> None:
    refused = _try_phrase(info, st.session_state.pop(f"{key}_phrase", "") or "")
    if refused:
        st.session_state[f"{key}_refused"] = refused
    elif on_open is not None:
        on_open()


def _mark_open(dataset_id: str, access_key: str) -> None:
    """The dataset may be shown in this session (its phrase was given here)."""
    st.session_state.setdefault(_OPENED, set()).add((dataset_id, access_key))


#: Wrong phrases for one dataset, from every session of this server within the window, after
#: which each further try waits: guessing is slow whoever guesses, and however many sessions.
WRONG_PHRASES_ALLOWED = 5
WRONG_PHRASE_WINDOW_S = 600
WRONG_PHRASE_WAIT_S = 30
_wrong_phrases: dict[str, list[float]] = {}
_wrong_phrases_lock = threading.Lock()


def _try_phrase(info: Dataset | DatasetMetadata, phrase: str) -> str:
    """Open a locked dataset in this session with its phrase; what to say when it does not."""
    now = time.monotonic()
    with _wrong_phrases_lock:
        recent = [
            moment
            for moment in _wrong_phrases.get(info.dataset_id, [])
            if now - moment < WRONG_PHRASE_WINDOW_S
        ]
        _wrong_phrases[info.dataset_id] = recent
    if len(recent) >= WRONG_PHRASES_ALLOWED and now - recent[-1] < WRONG_PHRASE_WAIT_S:
        wait = math.ceil(WRONG_PHRASE_WAIT_S - (now - recent[-1]))
        return (
            f"Too many wrong phrases for '{info.title}' on this server: try again in {wait} "
            "seconds."
        )
    if not phrase_opens(info.access_key, phrase):
        with _wrong_phrases_lock:
            _wrong_phrases.setdefault(info.dataset_id, []).append(now)
        return (
            f"That phrase does not open '{info.title}'. Ask whoever saved it; the phrase cannot "
            "be recovered from the app."
        )
    _mark_open(info.dataset_id, info.access_key)
    return ""


def _show_opened(prefix: str, info: Dataset) -> None:
    """A dataset just opened goes into Data sources: on its own if restricted (see
    _keep_restricted_apart), beside the others if not."""
    st.session_state.pop(_key(prefix, "to_open"), None)
    key = _key(prefix, "datasets")
    others = [] if info.restricted else list(st.session_state.get(key) or ())
    st.session_state[key] = [*others, info.dataset_id]
    dataset_id, version = st.session_state.pop(_key(prefix, "to_open_pin"), (None, None))
    if dataset_id == info.dataset_id:
        pin = version_pin(dataset_id, version)
        _set_widget(prefix, "versions", (*_widget_value(prefix, "versions"), pin))


def _sources_changed(prefix: str, datasets: dict[str, Dataset]) -> None:
    """Several datasets added at once ("Select all") beside public ones: the restricted among
    them are not added, rather than the public ones swapped for the first restricted one (see
    _keep_restricted_apart; an NGO network's walkthrough: DoFE and nine others gave way to one
    survivor dataset). One restricted dataset chosen is opened on its own, as before."""
    key = _key(prefix, "datasets")
    before = st.session_state.get(_key(prefix, "datasets_shown")) or []
    chosen = [d for d in st.session_state.get(key) or () if d in datasets]
    added = [d for d in chosen if d not in before]
    restricted = [d for d in chosen if datasets[d].restricted]
    if len(added) < 2 or not restricted:
        return
    st.session_state[key] = [d for d in chosen if d not in restricted]
    shown = [datasets[d].title for d in restricted if d in before]
    not_added = [datasets[d].title for d in restricted if d not in before]
    said = [
        *([f"not added: {'; '.join(not_added)}"] if not_added else []),
        *([f"taken out: {'; '.join(shown)}"] if shown else []),
    ]
    st.session_state[_key(prefix, "sources_notice")] = (
        "Restricted data is shown on its own, never combined with another dataset, so these "
        f"were {' and '.join(said)}. Choose one of them alone under Data sources to see it."
    )


def _keep_restricted_apart(prefix: str, datasets: dict[str, Dataset]) -> None:
    """A restricted dataset is shown on its own, never combined with another dataset: a public
    figure is known to everyone, and a restricted dataset of known counts can be made by anyone
    who uploads, so subtracting either from a combined view would give the restricted part,
    small counts included. The others are taken out, with a notice (before the data-source
    widget is drawn, so that it shows what the view holds)."""
    key = _key(prefix, "datasets")
    chosen = [d for d in st.session_state.get(key) or () if d in datasets]
    restricted = [d for d in chosen if datasets[d].restricted]
    if not restricted or len(chosen) == 1:
        return
    kept = restricted[0]
    dropped = [datasets[d].title for d in chosen if d != kept]
    st.session_state[key] = [kept]
    st.warning(
        f"'{datasets[kept].title}' is restricted, and restricted data is shown on its own, "
        "never combined with another dataset: figures known to the viewer (public data, or a "
        "dataset they uploaded) could be subtracted from the combined ones to reveal small "
        f"restricted counts. Taken out of Data sources: {'; '.join(dropped)}. To pool "
        "restricted data from several organisations, save the pooled file as one dataset.",
        icon=":material/lock:",
    )


def _keep_restricted_to_set_tables(prefix: str, datasets: dict[str, Dataset]) -> bool:
    """In a view of restricted data, each filter takes one value and the months a whole
    fiscal year (see :func:`routes.filters.restricted_state`): the widgets are narrowed to that,
    with a notice. Returns True when the view is restricted."""
    chosen = [d for d in st.session_state.get(_key(prefix, "datasets")) or () if d in datasets]
    if not any(datasets[d].restricted for d in chosen):
        return False
    fields = [*ONE_VALUE_FACETS, "month_from", "month_to"]
    held = FilterState(**{f: _widget_value(prefix, f) for f in fields})
    state, narrowed = restricted_state(held)
    for field in fields:
        if getattr(state, field) != getattr(held, field):
            _set_widget(prefix, field, getattr(state, field))
    if narrowed:
        _forget_month_sliders(prefix)  # the slider follows the months
        facets = [label for label in narrowed if label != "Months"]
        done = [f"narrowed to its first value: {', '.join(facets)}"] if facets else []
        if "Months" in narrowed:
            # They are widened, not narrowed: "narrowed to the first value" said otherwise.
            done.append("the months widened to the whole fiscal year")
        st.warning(
            "Restricted data is shown as set tables: each filter takes one value (or all), and "
            "the months a whole fiscal year, since comparing views of any set of places or "
            f"months could reveal small counts. Here {' and '.join(done)}.",
            icon=":material/lock:",
        )
    return True


def view_controls(
    prefix: str,
    default: FilterState,
    *,
    corridor_controls: bool = False,
) -> FilterState:
    """The sidebar of a map page: data sources, every filter, level, top N and layers.

    The state is read from the URL on the first run, and written back to it on every run.
    """
    if _opened_by_link(prefix):
        # Opened by a link of another page, such as "Open it on the flow map" after a save:
        # the link is read as on a first run, not the view left here restored (it reopened a
        # restricted view of Malaysia and women after a public save: a walkthrough).
        del st.session_state[_key(prefix, "link_read")]
    if not st.session_state.get(_key(prefix, "link_read")):
        # The data sources (at the versions the link was made with) decide the other facets'
        # values: read them from the link first.
        query = {k: v for k, v in st.query_params.to_dict().items() if k in ("data", "version")}
        linked = from_query(
            query if "data" in query else _carried_sources(prefix) or query,
            {"datasets": list(available_datasets()), "versions": _kept_pins()},
            base=default,
        )
        st.session_state[_key(prefix, "datasets")] = list(linked.state.datasets)
        _read_pins(prefix, linked.state.versions)
    # A dataset may be restricted at one version and public at another: every check below
    # reads the versions shown.
    _read_pins(prefix, _widget_value(prefix, "versions"))
    datasets = available_datasets(_widget_value(prefix, "versions"))
    _keep_locked_out(prefix, datasets, default)
    _keep_restricted_apart(prefix, datasets)
    # Only the pins of the datasets kept (taking one out changes no other's sensitivity).
    _read_pins(prefix, _widget_value(prefix, "versions"))
    chosen = tuple(st.session_state.get(_key(prefix, "datasets")) or default.datasets)
    options, months = load_view_options(chosen, _widget_value(prefix, "versions"))
    if default.fiscal_year not in ("", *options.get("fiscal_year", [])):
        # The page's year is not the data's (an upload with no periods, or of other years):
        # "All years" is its default then, not a filter (it stood as one, and in the link).
        default = dataclasses.replace(default, fiscal_year="")
    _read_link_once(prefix, options, default)
    # Coming back to the page restores the sources saved then; a dataset may have become
    # restricted, or locked, since (a new version saved so).
    _keep_locked_out(prefix, datasets, default)
    _keep_restricted_apart(prefix, datasets)
    restricted = _keep_restricted_to_set_tables(prefix, datasets)
    for notice in st.session_state.get(_key(prefix, "notices"), ()):
        st.info(notice, icon=":material/link_off:")
    if notice := st.session_state.pop(_key(prefix, "sources_notice"), None):
        st.warning(notice, icon=":material/lock:")
    locked_notice(prefix, datasets)
    _show_pinned_versions(prefix, datasets)
    pinned = FilterState(versions=_widget_value(prefix, "versions")).pinned()
    names = place_names(options.get("focus", []))

    with st.sidebar:
        st.subheader("Data")
        shown = st.multiselect(
            "Data sources",
            list(datasets),
            format_func=lambda dataset_id: _source_label(datasets[dataset_id], pinned),
            key=_key(prefix, "datasets"),
            on_change=_sources_changed,
            args=(prefix, datasets),
            help="The datasets the page shows; with several, their counts are added together. "
            "A restricted dataset is shown on its own. The Datasets page describes each.",
        )
        st.session_state[_key(prefix, "datasets_shown")] = list(shown)
        _open_controls(prefix, datasets)
        st.subheader("Filters")
        _period_controls(prefix, months, options, whole_years=restricted)
        one = restricted  # restricted data: one value per filter
        _multiselect(prefix, "sexes", options, _value_labels(options, "sexes"), one=one)
        _multiselect(prefix, "channels", options, _value_labels(options, "channels"), one=one)
        if REENTRY_CHANNEL in options.get("channels", []):
            st.toggle(
                "Count re-entry approvals",
                key=_key(prefix, "include_reentry"),
                help="Off: new approvals only. Re-entry permits go to workers returning to a job "
                "they already held abroad.",
            )
        _multiselect(prefix, "sectors", options, _value_labels(options, "sectors"), one=one)
        exploitation = _value_labels(options, "exploitation")
        _multiselect(prefix, "exploitation", options, exploitation, one=one)
        # The records' own sources: the organisations of a pooled file, a survey's rounds; not
        # DoFE's twenty monthly report tables, which are not what an analyst narrows by.
        # Not of restricted data: a source may be free text of one record (a name), and each
        # value is one more view to set beside the others (reviews of this filter).
        if len(options.get("sources", [])) <= MAX_SOURCE_OPTIONS and not restricted:
            _multiselect(prefix, "sources", options, _value_labels(options, "sources"), one=one)
        else:
            st.session_state[_key(prefix, "sources")] = []
        _multiselect(prefix, "origin_provinces", options, one=one)
        # Undivided Nawalparasi and Rukum too (DoFE's rows from before the split was reported):
        # no province holds them, so only this filter reaches them.
        districts = [
            pid
            for pid in options.get("origin_districts", [])
            if kind_of_id(pid) in (DISTRICT, FORMER_DISTRICT)
        ]
        district_names = {
            **names,
            **{
                pid: f"{names.get(pid, pid)} (undivided)"
                for pid in districts
                if kind_of_id(pid) == FORMER_DISTRICT
            },
        }
        _multiselect(
            prefix, "origin_districts", {"origin_districts": districts}, district_names, one=one
        )
        _multiselect(prefix, "destination_regions", options, one=one)
        countries = [
            pid
            for pid in options.get("destination_countries", [])
            if not pid.startswith("unknown:")
        ]
        _multiselect(
            prefix, "destination_countries", {"destination_countries": countries}, names, one=one
        )
        _multiselect(prefix, "transit_places", options, names, one=one)
        st.subheader("Display")
        st.radio(
            "Origins grouped by", LEVELS, format_func=str.title, horizontal=True,
            key=_key(prefix, "level"),
            help="Where the flows start from: each district, each province, or Nepal as a "
            "whole. Records that name no district (DoFE's table by destination) start from "
            "Nepal at every level.",
        )  # fmt: skip
        columns = st.columns(2)
        columns[0].number_input(
            "Top flows (0: all)", min_value=0, max_value=500, step=5, key=_key(prefix, "top_n"),
            help="Draw only the largest flows (corridors on the corridors page); the totals, "
            "the districts and the months still count them all.",
        )  # fmt: skip
        columns[1].number_input(
            "Minimum volume", min_value=0, step=10, key=_key(prefix, "min_count"),
            help="Draw only the flows (corridors) of at least this count; the totals still "
            "count them all.",
        )  # fmt: skip
        # By name, as the analyst looks for them (ids sort countries by ISO code).
        by_name = sorted(options.get("focus", []), key=lambda pid: names.get(pid, pid).casefold())
        focus_options = ["", *by_name]
        if st.session_state.get(_key(prefix, "focus")) not in focus_options:
            st.session_state[_key(prefix, "focus")] = ""
        st.selectbox(
            "Focus on a place (or click it on the map)",
            focus_options,
            format_func=lambda pid: "— none —" if not pid else _place_with_kind(pid, names),
            key=_key(prefix, "focus"),
        )
        st.toggle(
            "Online basemap tiles (OpenStreetMap)",
            key=_key(prefix, "tiles"),
            help="Off by default: the basemap is drawn from shipped outlines and the page "
            "contacts no other host. On: tiles are fetched from openstreetmap.org.",
        )
        if corridor_controls:
            st.toggle(
                "Show documented routes",
                key=_key(prefix, "documented"),
                help="Routes named in public reports (NHRC, parliament, NGOs, press); no volumes.",
            )

    state = _state_from_widgets(prefix)
    st.session_state[_key(prefix, "saved_state")] = state
    st.session_state[_key(prefix, "default")] = default
    written = _link_waiting(prefix, state) or to_query(state, default)
    st.query_params.from_dict(written)
    st.session_state[_key(prefix, "written_query")] = st.query_params.to_dict()
    if not state.datasets:
        st.info(
            "Choose at least one data source in the sidebar to see a map.",
            icon=":material/database:",
        )
        st.stop()
    if note := mixed_units_note(state):
        st.warning(note, icon=":material/warning:")
    if note := combined_note(state):
        st.caption(note)
    return state


def combined_note(state: FilterState) -> str | None:
    """Says that the counts of several datasets are added, and that no record is matched across
    them (two organisations' pooled 191 people read as 191 people, with nothing said), on
    screen and in every export."""
    datasets = available_datasets(state.versions)
    chosen = [d for d in state.datasets if d in datasets]
    if len(chosen) < 2:
        return None
    return (
        f"Combined data: the totals add the counts of the {len(chosen)} chosen datasets. The "
        "atlas cannot tell when two of them record the same person, who is then counted once "
        "in each."
    )


def mixed_units_note(state: FilterState) -> str | None:
    """Says that the chosen datasets count different things and the totals add them, on screen
    and in every export (the files said "Combined counts" and nothing more)."""
    datasets = available_datasets(state.versions)
    units = {datasets[d].unit for d in state.datasets if d in datasets}
    if len(units) < 2:
        return None
    return (
        f"The chosen datasets count different things ({', '.join(sorted(units))}); the totals "
        "add them together. Keep one of them under Data sources to see each apart."
    )


def _state_from_widgets(prefix: str) -> FilterState:
    values = {
        field.name: _widget_value(prefix, field.name) for field in dataclasses.fields(FilterState)
    }
    values["top_n"] = int(values["top_n"] or 0)
    values["min_count"] = int(values["min_count"] or 0)
    return FilterState(**values)


def _value_labels(options: dict[str, list[str]], field: str) -> dict[str, str]:
    """Each value of a facet as shown, as in the data where two would read alike (a pooled
    file's record sources "ngo survey" and "NGO survey"; channels, sectors and forms of
    exploitation in other capitals are one value already, see routes.engine)."""
    values = options.get(field, [])
    labels = [value_label(value) for value in values]
    return {
        value: label if labels.count(label) == 1 else value
        for value, label in zip(values, labels, strict=True)
    }


#: The most record sources offered as a filter (see view_controls).
MAX_SOURCE_OPTIONS = 12


def _multiselect(
    prefix: str,
    field: str,
    options: dict[str, list[str]],
    names: dict[str, str] | None = None,
    *,
    one: bool = False,
) -> None:
    """A filter's values to choose; ``one`` allows one at a time (restricted data)."""
    values = options.get(field, [])
    if names:  # by the names shown, not the ids behind them (Angola, Albania, UAE, Armenia...)
        values = sorted(values, key=lambda value: names.get(value, value).casefold())
    key = _key(prefix, field)
    # A value chosen as "irregular" is "Irregular" once a dataset that writes it so is added
    # (the spelling most records use, see routes.engine): kept, not dropped unsaid.
    spelled = (
        {spelling_key(value): value for value in values}
        if VALUE_FACETS.get(field) in SPELLED_COLUMNS
        else {}
    )
    chosen = list(
        dict.fromkeys(
            value if value in values else spelled.get(spelling_key(value))
            for value in st.session_state.get(key, [])
        )
    )
    chosen = [value for value in chosen if value is not None]
    st.session_state[key] = chosen[:1] if one else chosen
    if not values:
        return
    st.multiselect(
        f"{FACET_LABELS[field]} ({'one, or ' if one else ''}all when empty)",
        values,
        format_func=(lambda value: names.get(value, value)) if names else str,
        key=key,
        max_selections=1 if one else None,
    )


def _period_controls(
    prefix: str,
    months_by_year: dict[str, list[str]],
    options: dict[str, list[str]],
    *,
    whole_years: bool = False,
) -> None:
    """A fiscal year (BS, with its AD years) and a month range within it (not with
    ``whole_years``: restricted data)."""
    years = ["", *options.get("fiscal_year", [])]
    year_key = _key(prefix, "fiscal_year")
    if st.session_state.get(year_key) not in years:
        st.session_state[year_key] = ""
    year = st.selectbox(
        "Fiscal year",
        years,
        format_func=lambda fy: (
            "All years" if not fy else f"{fy} BS ({fiscal_year_bs_to_ad(fy)} AD)"
        ),
        key=year_key,
        on_change=_whole_year,
        args=(prefix,),
    )
    months = months_by_year.get(year, [])
    # A slider per fiscal year: the browser keeps a slider's handles by its key, so the same
    # key under other months showed 2079/80's range over all years.
    range_key = _months_key(prefix, year)
    start, end = (
        st.session_state.get(_key(prefix, "month_from")),
        st.session_state.get(_key(prefix, "month_to")),
    )
    if len(months) < 2 or whole_years:
        st.session_state[_key(prefix, "month_from")] = ""
        st.session_state[_key(prefix, "month_to")] = ""
        if whole_years and len(months) >= 2:
            st.caption("Restricted data: whole fiscal years only.")
        return
    # A slider left whole stays whole when the months change under it: adding DoFE to a union's
    # three months kept their range, a filter nobody set (212,784 where the year had 667,246).
    made_for = st.session_state.get(f"{range_key}_of")
    if made_for is not None and made_for != tuple(months):
        previous = st.session_state.get(range_key)
        whole_before = previous is None or tuple(previous) == (made_for[0], made_for[-1])
        if whole_before or not set(previous) <= set(months):
            start = end = ""
            # Written, not dropped: the browser keeps a slider's handles by its key, so a
            # dropped value left them on the old months (Poush, while the view counted from
            # Shrawan), and the next drag sent Poush back (a walkthrough).
            st.session_state[range_key] = (months[0], months[-1])
    st.session_state[f"{range_key}_of"] = tuple(months)
    # Otherwise the slider's own state is never written here: a value read back before the
    # widget is made is not a range, and writing it every run would undo the analyst's drag.
    wanted = (start if start in months else months[0], end if end in months else months[-1])
    # A range always (without one the slider is a single month): the value written above is
    # this range too.
    chosen = st.select_slider("Months (BS)", months, value=wanted, key=range_key)
    first, last = parse_period(chosen[0]).start, parse_period(chosen[1]).end
    st.caption(f"{chosen[0]} – {chosen[1]} BS = {first:%d %b %Y} – {last:%d %b %Y} AD")
    whole = chosen == (months[0], months[-1])
    st.session_state[_key(prefix, "month_from")] = "" if whole else chosen[0]
    st.session_state[_key(prefix, "month_to")] = "" if whole else chosen[1]


def _months_key(prefix: str, year: str) -> str:
    return _key(prefix, f"months_{year or 'all'}")


def _forget_month_sliders(prefix: str) -> None:
    for key in [key for key in st.session_state if str(key).startswith(_key(prefix, "months_"))]:
        del st.session_state[key]


def _whole_year(prefix: str) -> None:
    """A month range belongs to its fiscal year: another year, or all years, starts whole (the
    slider kept the last year's months, so "All years" still showed one year)."""
    _forget_month_sliders(prefix)
    st.session_state[_key(prefix, "month_from")] = ""
    st.session_state[_key(prefix, "month_to")] = ""


def shown_options(state: FilterState) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The filter options and months (:func:`load_view_options`) of the datasets a state's view
    shows: kept apart and at their versions, as :func:`load_view` reads them."""
    return load_view_options(_apart(state.datasets, state.versions), state.versions)


def reentry_note(state: FilterState) -> str:
    """Says that re-entry approvals are included when the view counts them (DoFE's default, 36%
    of its FY 2079/80 approvals, which nothing on the page or in an export said); else empty."""
    if not state.include_reentry or (state.channels and REENTRY_CHANNEL not in state.channels):
        return ""
    channels = shown_options(state)[0].get("channels", [])
    return "re-entry approvals included" if REENTRY_CHANNEL in channels else ""


def _undivided_districts(state: FilterState) -> list[str]:
    """The names of the undivided former districts the view's data has that lie partly in a
    chosen province (a Koshi filter was told of Nawalparasi and Rukum, in neither)."""
    districts = shown_options(state)[0].get("origin_districts", [])
    places = load_places().places
    former = [
        pid
        for pid in districts
        if kind_of_id(pid) == FORMER_DISTRICT
        and set(str(places.loc[pid, "province"]).split(" / ")) & set(state.origin_provinces)
    ]
    return sorted(place_names(former).values())


def active_filters_bar(prefix: str, state: FilterState, default: FilterState) -> None:
    """The active filters, each with a button that clears it, and one that clears them all
    (against the page's default as the data have it: see view_controls)."""
    default = st.session_state.get(_key(prefix, "default"), default)
    changed = [
        field
        for field in dict.fromkeys([*state.active(), *default.active()])
        if getattr(state, field) != getattr(default, field)
    ]  # a page's default cleared counts too: "All years" where the page opens on 2079/80
    if state.focus:
        changed.append("focus")
    names = filter_names(state)
    if state.origin_provinces:
        undivided = _undivided_districts(state)
        if undivided:
            one = len(undivided) == 1
            st.caption(
                f"{and_list(undivided)} (undivided: records naming neither half) "
                f"{'lies' if one else 'each lie'} in two provinces, so no province "
                f"counts {'it' if one else 'them'}: clear the province filter and choose "
                f"{'it' if one else 'them'} under Origin district."
            )
    if reentry_note(state):
        st.caption(
            "Counts include re-entry approvals (workers returning to a job they already held); "
            "switch 'Count re-entry approvals' off in the sidebar for new approvals only."
        )
    if not changed:
        st.caption("No filters beyond the page's defaults.")
        return
    lines = {line.split(":")[0]: line for line in state.describe(names)}
    # One row that wraps, each button as wide as its words: in four equal columns "New
    # approvals only" was cut to "New approvals o…", and two filters left wide gaps.
    row = st.container(horizontal=True, gap="small", key=_key(prefix, "active_filters"))
    for field in changed:
        label = lines.get(FACET_LABELS[field], f"{FACET_LABELS[field]}: all")
        if field == "focus":
            label = f"Focus: {names.get(state.focus, state.focus)}"
        if field == "include_reentry":
            label = "New approvals only"
        row.button(
            f"✕ {label}",
            key=_key(prefix, f"clear_{field}"),
            on_click=_reset_field,
            args=(prefix, field, default),
            help="Clear this filter",
        )
    # The data sources are what is looked at, not a filter of it: clearing the filters of a
    # restricted survey's view opened the page's synthetic cases (a helper's walkthrough).
    cleared = [f for f in changed if f not in ("datasets", "versions")]
    row.button(
        "Clear all filters",
        key=_key(prefix, "clear_all"),
        on_click=_reset_all,
        args=(prefix, default, [*cleared, "month_from", "month_to", "fiscal_year"]),
    )


# --- Maps, tables and panels ---------------------------------------------------------------------


def _focus_from_click(
    map_key: str, focus_key: str, nodes: gpd.GeoDataFrame, areas: gpd.GeoDataFrame
) -> None:
    """A click on the map focuses the place under it: a circle it draws, else an area."""
    clicked = (st.session_state.get(map_key) or {}).get("last_object_clicked")
    if not clicked:
        return
    place_id = find_place_at(nodes, areas, clicked["lng"], clicked["lat"])
    if place_id:
        st.session_state[focus_key] = place_id


def _show_map(
    fmap,
    key: str,
    focus_key: str,
    height: int,
    nodes: gpd.GeoDataFrame,
    areas: gpd.GeoDataFrame,
) -> None:
    """A map whose clicks focus a place: one of the circles it draws (``nodes``), else one of
    the areas it shades (a click on Madhesh on the map of origins, which draws no circle,
    focused Nepal, the flow map's circle nearest to it)."""
    st_folium(
        fmap,
        key=key,
        height=height,
        use_container_width=True,
        returned_objects=["last_object_clicked"],
        on_change=partial(_focus_from_click, key, focus_key, nodes, areas),
    )


def map_text(
    state: FilterState,
    unit: str,
    title: str,
    focused: bool = True,
    flow_cuts: Collection[str] = ("top_n", "min_count"),
    view: View | None = None,
) -> MapText:
    """The title, sources and caveats a map carries; the title names the period, the filters
    (a map of women read as one of everyone), whether re-entry permits are counted, and the
    focus when the map follows it (``focused``)."""
    datasets = available_datasets(state.versions)
    chosen = [datasets[d] for d in state.datasets if d in datasets]
    names = filter_names(state)
    focus = f" — focus: {names.get(state.focus, state.focus)}" if state.focus and focused else ""
    # With its AD years: a report's reader (and a newcomer) read the BS years alone.
    period = (
        f", FY {state.fiscal_year} BS = {fiscal_year_bs_to_ad(state.fiscal_year)} AD"
        if state.fiscal_year
        else ""
    )
    if state.month_from or state.month_to:
        period += f", {state.month_from or '…'} to {state.month_to or '…'}"
    elif state.fiscal_year:
        # A year the data covers in part reads as a whole one (DoFE's 2078/79: three months).
        months = _view_months(view) or shown_options(state)[1].get(state.fiscal_year, [])
        # Not of restricted data, whose months are given only where they pin no count ("Magh
        # 2079 only" over a view of one month gave that month's count: a regression walkthrough).
        public = view_k(state) is None
        if public and 1 <= len(months) < 12 and state.fiscal_year not in months:
            covered = months[0] if len(months) == 1 else f"{months[0]} to {months[-1]}"
            period += f" ({covered} only)"
    else:
        # All years, as they are: DoFE's 826,816 on the corridors page stood beside the flow
        # page's 656,610 for FY 2079/80 with no period said (a ministry analyst's walkthrough).
        months = _view_months(view) or shown_options(state)[1].get("", [])
        if view_k(state) is not None:
            # Restricted data's months are not named, as a view may leave one out (a privacy
            # review); that all are counted is said (its title and files said no period).
            period += ", all years"
        elif len(months) > 1:
            period += f", all years ({months[0]} to {months[-1]})"
    k = view_k(state)
    # In brief: the notice above the map, and the metadata of every export, give it whole.
    notice = (suppression_note(k),) if k is not None else ()
    said = {FACET_LABELS[field] for field in ("fiscal_year", "month_from", "month_to", "datasets")}
    # Top N and the minimum volume only where they leave flows out (see flows_cut): a map of
    # origin areas is cut by neither ("Top flows: 200").
    said |= {FACET_LABELS[f] for f in ("top_n", "min_count") if f not in flow_cuts}
    narrowed = [line for line in state.describe(names) if line.split(":")[0] not in said]
    narrowed += [reentry] if (reentry := reentry_note(state)) else []
    filters = f" ({'; '.join(narrowed)})" if narrowed else ""
    return MapText(
        title=f"{title}{period}{filters}{focus}{synthetic_label(state)}",
        unit=unit,
        source_note=" ".join(info.source_note for info in chosen),
        caveats=(*notice, *(caveat for info in chosen for caveat in info.caveats[:2])),
        suppression_k=k,
    )


def _view_months(view: View | None) -> list[str]:
    """The months a view counts records in, with its filters (a source of three months was
    titled with its dataset's months, to a typo's Shrawan 2090: a regression walkthrough)."""
    if view is None or not len(view.trend):
        return []
    counted = view.trend.loc[view.trend["count"].fillna(0).to_numpy() > 0, "month"]
    return [str(month) for month in counted]


def flow_map(view: View, text: MapText, tiles: bool = False) -> folium.Map:
    # Under the flows, the districts; the provinces of restricted data grouped by province,
    # whose districts are not protected as such (see compute_view).
    provinces = view.k is not None and by_province(view)
    areas = origin_areas(view) if provinces else view.districts
    area_label = "Origin provinces" if provinces else "Origin districts"
    return build_flow_map(
        view.flows, view.nodes, areas, load_places().countries, text, LEAFLET_ASSETS,
        tiles=tiles, area_label=area_label, areas_focused=not unfocused_note(view),
        not_covered=not_covered_areas(view),  # none for restricted data
    )  # fmt: skip


def top_flows_note(view: View) -> str | None:
    """What top N or a minimum volume leaves out of the exports: the files said "Top flows: 5"
    and no more, while the destinations summed to 43,707 against the view's 58,437."""
    shown = len(view.flows)
    if not view.flows_before_top or shown >= view.flows_before_top:
        return None
    return (
        f"{shown} of the view's {view.flows_before_top} flows are on the map and in the flows "
        "and lines (top N / minimum volume): the rest are left out of them, and counted in the "
        "totals, the destinations, the nodes' totals, the districts and the months."
    )


def unfocused_note(view: View) -> str | None:
    """What a focus leaves unfocused: the origin areas, when the data do not say where their
    workers went (DoFE's district table, under a destination focus). The page says so beside
    them; every export, whose files were all headed "Focus: Kuwait", says so too."""
    if not view.state.focus or view.districts_focused:
        return None
    name = place_names([view.state.focus]).get(view.state.focus, view.state.focus)
    return (
        f"The origin districts (their table, their shading on the maps and the census "
        f"comparison) are not focused on {name}: the district data do not say where workers "
        "went, so they count every record of the view."
    )


def origin_file_metadata(view: View, metadata: ExportMetadata) -> ExportMetadata:
    """The metadata of a file of origin areas: without the focus line when they are not
    focused (:func:`unfocused_note`)."""
    if not unfocused_note(view):
        return metadata
    return dataclasses.replace(
        metadata,
        filters=tuple(line for line in metadata.filters if not line.startswith("Focus:")),
    )


def census_filter_note(state: FilterState) -> str | None:
    """The view's filters the census cannot follow: it counts everyone absent abroad, of both
    sexes, whatever their work or destination (women's 58,437 approvals were set against the
    2,190,592 absent of both sexes, with nothing said)."""
    facets = [
        label
        for label, chosen in (
            ("sex", state.sexes),
            ("channel", state.channels),
            ("sector", state.sectors),
            ("exploitation", state.exploitation),
            ("record source", state.sources),
            ("destination", state.destination_regions or state.destination_countries),
        )
        if chosen
    ]
    if not facets:
        return None
    return (
        f"The view's filters on {and_list(facets)} narrow its counts only: the census counts "
        "every person absent abroad, of both sexes, whatever their work or destination, so each "
        "count per 100 absent is of that part of them."
    )


#: The source note's word on the documented routes, where the map draws them.
DOCUMENTED_SOURCE_NOTE = (
    "Dashed: routes documented in public reports (no volumes), each credited to its own source "
    "in the documented routes' table and export."
)


def corridor_map(view: View, state: FilterState, text: MapText, tiles: bool = False) -> folium.Map:
    documented = documented_paths_for(state) if state.documented else None
    if documented is not None and len(documented):
        # Their sources are named with the map's (it credited the synthetic cases alone).
        text = dataclasses.replace(text, source_note=f"{text.source_note} {DOCUMENTED_SOURCE_NOTE}")
    return build_corridor_map(
        view.legs, view.corridor_nodes, documented, load_places().countries, text, LEAFLET_ASSETS,
        tiles=tiles,
    )  # fmt: skip


def show_flow_map(view: View, state: FilterState, text: MapText, prefix: str) -> None:
    if no_destination_records(view) and not len(view.flows):
        # An empty world map, titled with the filters, stood beside "not recorded".
        below = " Where they come from is on the map below." if has_origin_map(view) else ""
        st.info(
            "No flow to draw: none of this view's records says where its workers went "
            "(DoFE's district table counts permits by district only), as the table beside says."
            + below,
            icon=":material/map:",
        )
        return
    fmap = flow_map(view, text, tiles=state.tiles)
    focus = _key(prefix, "focus")
    _show_map(fmap, _key(prefix, "map"), focus, MAP_HEIGHT_PX, view.nodes, view.districts)
    if state.level != NATIONAL_LEVEL and view.national_origins:
        dofe = (
            " (DoFE's table by destination counts the approvals of the whole country)"
            if DOFE_ID in state.datasets
            else ""
        )
        districts = (
            " Where people come from is on the district map below."
            if view.districts["count"].fillna(0).sum() > 0
            else ""
        )
        st.caption(
            f"Origins grouped by {state.level}: these flows start from Nepal as a whole at every "
            f"level, since their records name no origin district{dofe}.{districts}"
        )


def _no_restricted_origins(view: View) -> bool:
    """True, with a caption, when a restricted view has no origin areas: its flows start from
    Nepal, and only the flows' own margins are protected."""
    if not _restricted_national(view):
        return False
    st.caption(
        "Restricted data with origins grouped as the whole nation: the origin districts and "
        "provinces are not shown, since only the flows' own origins are protected. Group "
        "origins by district or province to see them."
    )
    return True


def show_district_map(view: View, state: FilterState, text: MapText, prefix: str) -> None:
    if _no_restricted_origins(view):
        return
    if no_district_records(view):
        st.info(
            "No record of this view names both its origin district and its destination, so "
            "there is no district map for it."
            if uncrossed(view)
            else "No record of this view names its origin district, so there is no district map "
            "for it.",
            icon=":material/map:",
        )
        return
    fmap = origin_map(view, text, tiles=state.tiles)
    areas = origin_areas(view)
    key = _key(prefix, "district_map")
    _show_map(fmap, key, _key(prefix, "focus"), MAP_HEIGHT_PX - 120, areas.iloc[0:0], areas)


def _restricted_national(view: View) -> bool:
    """Restricted data whose origins are the nation: no origin area is shown."""
    return view.k is not None and view.state.level == NATIONAL_LEVEL


def has_origin_map(view: View) -> bool:
    """Whether the page draws a map of origin areas (:func:`show_district_map`, whose image
    the export offers): not for restricted data whose origins are the nation, nor when no
    record names its origin district."""
    return not _restricted_national(view) and not no_district_records(view)


def origin_map(view: View, text: MapText, tiles: bool = False) -> folium.Map:
    """The map of origin areas, as the page draws it (:func:`has_origin_map`)."""
    return build_district_map(
        origin_areas(view), load_places().countries, text, LEAFLET_ASSETS, tiles=tiles,
        focused=not unfocused_note(view),
        not_covered=not_covered_areas(view, provinces=by_province(view)),
    )  # fmt: skip


def map_image(fmap: folium.Map, metadata: ExportMetadata) -> bytes:
    """:func:`routes.map_image.map_png`, imported when an image is asked for (matplotlib takes
    a few tenths of a second to load, which every page would pay)."""
    from routes.map_image import map_png

    return map_png(fmap, metadata)


def show_corridor_map(view: View, state: FilterState, text: MapText, prefix: str) -> None:
    fmap = corridor_map(view, state, text, tiles=state.tiles)
    focus = _key(prefix, "focus")
    _show_map(fmap, _key(prefix, "map"), focus, MAP_HEIGHT_PX, view.corridor_nodes, view.districts)


def count_header(unit: str) -> str:
    """The header of a narrow count column: the unit's last word ("Approvals" for "Labour
    approvals", which was cut to "Labour appro" at 1280 px, "Counts" for "Combined counts"),
    or "Count" for a long one; the whole unit is the column's help and the figure's label."""
    words = unit.split()
    last = words[-1] if words else ""
    # A plural noun only: "Workers surveyed" is not headed "Surveyed", nor "Migrants (2079)"
    # "(2079)" (a code review).
    noun = last.isalpha() and (last.casefold().endswith("s") or last.casefold() == "people")
    return last[:1].upper() + last[1:] if noun and len(last) <= 9 else "Count"


#: "35.6%" whole, with the table's padding: the share was cut to "35." at 1280 px.
SHARE_WIDTH_PX = 60
SHARE_HELP = "Share of the total shown above the table"


def _ranked_table(
    labels: pd.Series, label: str, table: pd.DataFrame, unit: str, suppressed: bool = False
) -> None:
    """A ranked table of counts with their share, as beside every map.

    With suppression the counts are their labels ("<10", "hidden"), never the numbers.
    """
    # The numbers are narrow, so they show beside a long name without scrolling sideways (a
    # header as long as "Labour approvals" pushed them out of a narrow table); a corridor is a
    # long path, so its numbers come first.
    width = "small"
    if suppressed:
        frame = pd.DataFrame(
            {label: labels, unit: table["count_label"], "Share": table["share_label"]}
        )
        config = {
            unit: st.column_config.TextColumn(count_header(unit), width=width, help=unit),
            "Share": st.column_config.TextColumn(width=SHARE_WIDTH_PX, help=SHARE_HELP),
        }
    else:
        frame = pd.DataFrame({label: labels, unit: table["count"], "Share": table["share"] * 100})
        config = {
            unit: st.column_config.NumberColumn(
                count_header(unit), format="localized", width=width, help=unit
            ),
            "Share": st.column_config.NumberColumn(
                format="%.1f%%", width=SHARE_WIDTH_PX, help=SHARE_HELP
            ),
        }
    if label == "Corridor":
        # The longest label of all: the count first, and the share (in the exports) left out
        # so that a whole path shows ("Dhanusha > Kathmandu airport > Malaysia").
        frame = frame[[unit, label]]
        config[label] = st.column_config.TextColumn(width="large")
        # The count as narrow as its digits ("3,814"), the path taking the rest.
        kind = st.column_config.TextColumn if suppressed else st.column_config.NumberColumn
        options = {} if suppressed else {"format": "localized"}
        header = count_header(unit)
        # ... and as its header: "Approvals" was cut to "Approva" at 56 px.
        config[unit] = kind(header, width=max(56, 7 * len(header) + 20), help=unit, **options)
    # As tall as the map beside it, or as its rows when fewer (no column of empty rows).
    height = MAP_HEIGHT_PX - 110 if len(frame) > 12 else "content"
    st.dataframe(frame, hide_index=True, height=height, column_config=config)


def show_suppression_notice(view: View) -> None:
    if view.notice:
        st.info(view.notice, icon=":material/lock:")


def show_destination_table(view: View, unit: str) -> None:
    table = view.destination_table
    shown = len(view.flows)
    state = view.state
    which = (
        "focused flows"
        if state.focus
        else "chosen destinations"
        if state.destination_regions or state.destination_countries
        else "all destinations"
    )
    if no_destination_records(view):
        # Not a zero: the records of this view do not say (a 0 here went into briefs).
        st.metric(f"{unit}, {which}", "not recorded")
        st.caption(
            UNCROSSED_NOTE
            if uncrossed(view)
            else f"{not_recorded_apart_note(view, unit)} See the district map below."
            if only_not_recorded_apart(view)
            else "None of these records says where the workers went (DoFE's district table "
            "counts permits by district only); see the district map below."
        )
        return
    st.metric(f"{unit}, {which}", view.flows_total_label)
    if note := silent_note(view):
        st.caption(note)
    if note := no_destination_note(view, unit):
        st.caption(note)
    if not shown and view.flows_before_top and view.k is not None:
        st.caption(
            f"No flow is shown: with a minimum volume ({format_count(view.state.min_count)}) "
            "only flows whose counts can be shown are kept, and here none can (restricted "
            "data). Set the minimum volume to 0 to draw them, their counts hidden."
        )
    elif not shown and view.flows_before_top:
        st.caption(
            f"No flow reaches the minimum volume of {format_count(view.state.min_count)}: "
            "lower it in the sidebar."
        )
    elif shown < view.flows_before_top:
        st.caption(
            f"{format_count(shown)} of {format_count(view.flows_before_top)} flows drawn on the "
            "map (top N / minimum volume); the table lists every destination."
        )
    _unplaced_caption(view, unit)
    # "UAE", as DoFE writes it: "United Arab Emira…" was cut beside restricted data's labels.
    _ranked_table(
        table["destination_name"].map(short_path_name),
        "Destination",
        table,
        unit,
        suppressed=view.k is not None,
    )


def no_destination_records(view: View) -> bool:
    """Whether no record of the view says where its workers went (DoFE's district table under
    a province filter): its destinations are unknown, not zero."""
    unknown = not view.flows_before_top and bool(view.totals.unknown_destination)
    return unknown or uncrossed(view) or only_not_recorded_apart(view)


#: Up to this many districts no record names are named on the page (beyond, their number).
NOT_COVERED_NAMED = 10


def not_covered_note(view: View, full: bool = False) -> str | None:
    """The districts no record of the view's data names (see
    :attr:`View.unrecorded_districts`), left out of the origin tables and files rather than
    counted 0: a survey of three districts listed the other 74 as 0, and its file went into
    reports so. ``full``: every name (the exports' notes), else a number beyond
    :data:`NOT_COVERED_NAMED`."""
    ids = view.unrecorded_districts
    if not ids:
        return None
    names = sorted(place_names(ids).values())
    one = len(names) == 1
    if full or len(names) <= NOT_COVERED_NAMED:
        said = (
            f"No record of these data names {and_list(names)}: {'it is' if one else 'they are'}"
            " left out here, not counted 0."
        )
    else:
        pale = "" if by_province(view) else " (drawn pale on the map)"
        said = (
            f"No record of these data names {len(names)} of the districts{pale}: they are left "
            "out here, not counted 0."
        )
    if by_province(view):
        said += " Each province counts only the districts the data name."
    return said


def not_covered_areas(view: View, provinces: bool = False) -> gpd.GeoDataFrame | None:
    """The outlines of the origin areas no record of the view's data names, drawn pale on the
    maps: the districts, or (``provinces``) the provinces none of whose districts is named."""
    if not view.unrecorded_districts:
        return None
    gazetteer = load_places()
    if not provinces:
        outlines = origin_outlines(gazetteer, DISTRICT_LEVEL)
        return outlines[outlines["place_id"].isin(view.unrecorded_districts)]
    outlines = origin_outlines(gazetteer, PROVINCE_LEVEL)
    held = {gazetteer.places.at[pid, "province"] for pid in view.unrecorded_districts}
    # An undivided district named lies in two provinces ("Gandaki / Lumbini"): both are named.
    named = {part for area in view.districts["province"].dropna() for part in area.split(" / ")}
    return outlines[(outlines["kind"] == PROVINCE) & outlines["name"].isin(held - named)]


def only_not_recorded_apart(view: View) -> bool:
    """Whether the view's chosen origins are all halves its data do not name apart (see
    :attr:`View.not_recorded_apart`), so that it holds no record: Nawalparasi East in FY
    2078/79 read "all destinations 0" (a walkthrough)."""
    if view.flows_before_top or view.totals.records_total or not view.not_recorded_apart:
        return False
    state = view.state
    chosen = [*state.origin_districts, *([state.focus] if state.focus else [])]
    halves = {part for part, _ in view.not_recorded_apart}
    names = place_names(chosen)
    return bool(chosen) and all(names.get(pid, pid) in halves for pid in chosen)


def no_district_records(view: View) -> bool:
    """Whether no record of the view names its origin district while its flows have records
    (DoFE's destination table under a destination filter): its districts are unknown, not
    zero."""
    districts = view.districts["count"]
    # An empty table is a restricted view above district level, not a want of records.
    unknown = (
        bool(len(view.flows)) and bool(len(districts)) and bool((districts.fillna(1) == 0).all())
    )
    return unknown or uncrossed(view)


def _origins_narrowed(state: FilterState) -> bool:
    """Whether a state narrows the origins: a district or province filter or focus."""
    return bool(state.origin_provinces or state.origin_districts) or (
        kind_of_id(state.focus) in ORIGIN_KINDS
    )


def _narrowed_on_both_sides(state: FilterState) -> bool:
    """Whether a state narrows the origins (a district or province filter or focus) and the
    destinations (a country or region filter or focus) at once."""
    destination = bool(state.destination_countries or state.destination_regions)
    return _origins_narrowed(state) and (
        destination or kind_of_id(state.focus) in DESTINATION_KINDS
    )


def no_destination_note(view: View, unit: str) -> str | None:
    """What the destinations of a view narrowed to some origins leave out: the records of those
    origins that name no destination, beside others that do (under a Madhesh filter, DoFE's
    2,726 women by district beside a desk's 152 with destinations: the destinations read 152,
    without a word, while the origin table read 2,878). On screen and in every export.

    Only for narrowed origins: otherwise DoFE's table by district counts again the permits its
    table by destination counts from Nepal as a whole, and none is missing."""
    unknown = view.totals.unknown_destination
    if not (unknown and view.flows_before_top and _origins_narrowed(view.state)):
        return None
    which = " (DoFE's table by district counts approvals by origin only)" * (
        DOFE_ID in view.state.datasets
    )
    if view.k is not None:
        return (
            "Some records of the chosen origins name no destination: they are not in the "
            "destinations or flows."
        )
    return (
        f"{format_count(unknown)} {unit.lower()} of the chosen origins are in records that name "
        f"no destination{which}: the destinations and flows count the other "
        f"{format_count(view.totals.flows_total)}, the origin table all of them."
    )


def uncrossed(view: View) -> bool:
    """Whether the view asks where people of some origin areas went (an origin filter or focus
    and a destination one) of data no record of which names both, and so has no flow: DoFE's
    tables count by destination or by district, so Madhesh to Qatar read 0 (by neither table)
    where it is not recorded."""
    state = view.state
    if view.flows_before_top or not _narrowed_on_both_sides(state):
        return False
    return not load_record_table(state.datasets, state.versions).crossed


def silent_datasets(view: View) -> list[str]:
    """The chosen datasets that cannot answer a view narrowed on both sides (no record of theirs
    names both an origin area and a destination), when others do: beside synthetic cases,
    DoFE's part of Madhesh to Qatar is missing, not zero."""
    state = view.state
    if not _narrowed_on_both_sides(state) or uncrossed(view):
        return []
    crossed = load_record_table(state.datasets, state.versions).crossed_datasets
    if not crossed:
        return []
    datasets = available_datasets(state.versions)
    return [datasets[d].title for d in state.datasets if d in datasets and d not in crossed]


def silent_note(view: View) -> str | None:
    """Which chosen datasets the view's figures leave out for want of records that name both
    sides (see :func:`silent_datasets`), on screen and in every export."""
    silent = silent_datasets(view)
    if not silent:
        return None
    return (
        f"{and_list(silent)}: no record names both an origin area and a destination, so "
        "none is counted here (not recorded, not zero); the figures are the other datasets'."
    )


#: Said where the view's origins and destinations are not recorded together (see uncrossed).
UNCROSSED_NOTE = (
    "No record of the chosen data names both an origin district and a destination (DoFE's "
    "tables count approvals by destination or by origin district, never both): how many of the "
    "chosen origins went to the chosen destinations is not recorded (not zero)."
)


def areas_missing_note(view: View) -> str | None:
    """Which chosen datasets the origin areas leave out, their records in the view naming none
    (see :func:`routes.engine.datasets_without_areas`): beside a union's survey, DoFE's women
    to Malaysia read as "all districts 79" against destinations of 8,105 (a walkthrough)."""
    state = view.state
    if len(state.datasets) < 2 or no_district_records(view):
        return None
    silent = _without_areas(state, _versions_of(state.datasets, state.versions))
    if not silent:
        return None
    titles = available_datasets(state.versions)
    named = [titles[d].title if d in titles else d for d in silent]
    one = len(named) == 1
    return (
        f"{and_list(named)}: no record of {'it' if one else 'them'} in this view names an origin "
        f"district or province, so the origin areas count the other datasets alone ("
        f"{'its' if one else 'their'} origins are not recorded here, not zero), and their total "
        "is less than the destinations'."
    )


@st.cache_data(show_spinner=False, max_entries=32)
def _without_areas(state: FilterState, versions: tuple[int, ...]) -> tuple[str, ...]:
    """:func:`routes.engine.datasets_without_areas`, once per view: the page and each export
    ask for it (a code review counted three passes over the records per run)."""
    return tuple(datasets_without_areas(_load_record_table(state.datasets, versions), state))


def missing_notes(view: View) -> list[str]:
    """What the view's records do not say, for its exports (the page says it beside each map)."""
    if uncrossed(view):
        return [f"{UNCROSSED_NOTE} The destination and district tables are left out."]
    notes = [note] if (note := areas_missing_note(view)) else []
    if no_destination_records(view):
        notes.append(
            "None of the records of this view says where the workers went: the destinations and "
            "flows are not recorded (not zero), and their tables are left out."
        )
    if no_district_records(view):
        notes.append(
            "None of the records of this view names its origin district: the districts are not "
            "recorded (not zero), and their table is left out."
        )
    return notes


def left_out_notes(view: View, unit: str, corridors: bool = False) -> tuple[str, ...]:
    """What the view's exports leave out or cannot say, one sentence each, for their metadata.

    A corridors page's files hold no province totals, and its undivided districts are origins
    of their own corridors: the note on what the provinces leave out is the flows' (its label,
    the flows' margin, set beside the corridors, pinned nine corridors of "<10" from undivided
    Nawalparasi as 1 each: a security review)."""
    undivided = None if corridors else undivided_note(view, unit)
    apart = None if corridors else not_recorded_apart_note(view, unit)
    # A corridors page's files hold the districts too (its zip's districts.csv said nothing).
    not_covered = not_covered_note(view, full=True)
    silent = silent_note(view)
    mixed = mixed_units_note(view.state)
    combined = combined_note(view.state)
    unfocused = None if corridors else unfocused_note(view)
    cut = None if corridors else top_flows_note(view)
    return (
        *([cut] if cut else []),
        *([mixed] if mixed else []),
        *([combined] if combined else []),
        *unplaced_notes(view, unit, corridors),
        *missing_notes(view),
        *([] if corridors or not (note := no_destination_note(view, unit)) else [note]),
        *([undivided] if undivided else []),
        *([apart] if apart else []),
        *([not_covered] if not_covered else []),
        *([silent] if silent else []),
        *([f"The months are not given. {MONTHS_WITHHELD_NOTE}"] if view.months_withheld else []),
        *([MIXED_CALENDARS_NOTE] if mixed_calendars(view.trend) else []),
        *([unfocused] if unfocused else []),
    )


def _unplaced_caption(view: View, unit: str, corridors: bool = False) -> None:
    """Say what the map leaves out: rows whose origin or destination was left unplaced, and on
    a corridors page rows whose transit was."""
    for note in unplaced_notes(view, unit, corridors):
        st.caption(
            f"{note} To include them, place the names and save the file again on the Add a "
            "dataset page."
        )


def unplaced_notes(view: View, unit: str, corridors: bool = False) -> list[str]:
    """What the view's map and tables leave out for want of a place, one sentence each (on
    screen and in every export). Restricted data: no count, which could be small, or set
    against the other totals."""

    def how_many(count: int) -> str:
        return f"{format_count(count)} {unit.lower()}" if view.k is None else "Some records"

    notes = []
    if view.totals.unplaced:
        notes.append(
            f"{how_many(view.totals.unplaced)} in rows whose origin or destination was left "
            "unplaced are not on the map or in these tables."
        )
    if corridors and view.unplaced_transit:
        notes.append(
            f"{how_many(view.unplaced_transit)} in rows whose transit was left unplaced are not "
            "in the corridors (their flows are on the Flow map)."
        )
    return notes


def by_province(view: View) -> bool:
    """Whether the view's origins are shaded and listed by province: the province level."""
    return view.state.level == PROVINCE_LEVEL


def origin_areas(view: View) -> gpd.GeoDataFrame:
    """The view's origin totals by district, or by province at the province level (the map
    stayed by district whatever the level)."""
    if not by_province(view):
        return view.districts
    if view.k is not None:
        # The flows' protected margins by province (see compute_view), undivided districts
        # left out as on public data (see undivided_note).
        return view.districts[view.districts["kind"] == PROVINCE]
    provinces = compute_province_totals(load_places(), view.districts)
    # Those of the districts the view keeps (an origin filter or focus keeps some).
    provinces = provinces[provinces["name"].isin(view.districts["province"])]
    return suppress_counts(provinces, None, hidden_last=False).frame


def _origins_counted(view: View, areas: str) -> str:
    """What the origin table's total counts: the focus when the origins follow it (a focus on
    Madhesh read "all provinces" over Madhesh's count alone), the areas an origin filter
    chooses, else all the areas."""
    if view.state.focus and view.districts_focused:
        return "in focus"
    chosen = view.state.origin_provinces or view.state.origin_districts
    return f"chosen {areas}" if chosen else f"all {areas}"


def undivided_note(view: View, unit: str) -> str | None:
    """What the provinces leave out, when origins are by province: the undivided districts'
    records (DoFE's Nawalparasi and Rukum rows), on screen and in every export."""
    if not by_province(view):
        return None
    undivided = view.districts[view.districts["kind"] == "former_district"]
    if view.k is not None and len(undivided):
        # Each one's own protected margin, as its label ("<10", "hidden"): no sum of hidden
        # counts ("hidden people from undivided Rukum" read oddly).
        parts = [
            f"undivided {name}: {label}"
            for name, label in sorted(zip(undivided["name"], undivided["count_label"], strict=True))
        ]
        return f"{unit} from {and_list(parts)}; they are in no province (each lies in two)."
    if not (len(undivided) and undivided["count"].sum()):
        return None
    return (
        f"{format_count(int(undivided['count'].sum()))} {unit.lower()} from undivided "
        f"{and_list(sorted(undivided['name'].tolist()))} are in no province (each lies in two)."
    )


def not_recorded_apart_note(view: View, unit: str) -> str | None:
    """Which districts split in 2015 the view's records do not name apart (see
    :attr:`View.not_recorded_apart`), and where their people are counted, on screen and in
    every export: DoFE's table of FY 2078/79 had read "Nawalparasi East 0"."""
    if not view.not_recorded_apart or by_province(view):
        # By province, undivided_note says where the undivided districts' people are.
        return None
    parts: dict[str, list[str]] = {}
    for part, whole in view.not_recorded_apart:
        parts.setdefault(whole, []).append(part)
    undivided = view.districts[view.districts["kind"] == FORMER_DISTRICT]
    counts = dict(zip(undivided["name"], undivided["count"], strict=True))
    sentences = []
    for whole, names in sorted(parts.items()):
        one = len(names) == 1
        said = (
            f"{and_list(sorted(names))} {'is' if one else 'are'} not recorded apart in this "
            f"view (not zero): its records name only the undivided {whole}"
        )
        if whole not in counts and view.state.origin_provinces:
            # No province holds it (see active_filters_bar), and the filters combine.
            said += (
                ", which lies in two provinces and so in no province chosen: clear the "
                "province filter and choose it under Origin district."
            )
        elif whole not in counts:
            said += ", which the origin filters leave out: choose it under Origin district too."
        else:
            count = counts[whole]
            counted = "" if pd.isna(count) else f" ({format_count(int(count))})"
            said += f", whose {unit.lower()}{counted} are shown as one area."
        sentences.append(said)
    return " ".join(sentences)


def _origins_not_recorded(view: View, unit: str, areas: str) -> None:
    """The origin table's total when no record of the view names an origin district: not
    recorded, not 0, and why."""
    st.metric(f"{unit}, {_origins_counted(view, areas)}", "not recorded")
    st.caption(
        "Not recorded for these destinations: see above."
        if uncrossed(view)
        else "None of these records names a district (DoFE's destination table counts permits "
        "from Nepal as a whole); a destination filter leaves no district records."
    )


#: Beside origin areas that do not follow a destination focus (see unfocused_note).
NOT_FOCUSED_CAPTION = "The district data do not say where workers went: not focused."


def show_province_table(view: View, unit: str) -> None:
    """The provinces' totals beside their map, largest first."""
    if no_district_records(view):
        _origins_not_recorded(view, unit, "provinces")
        return
    areas = origin_areas(view)
    # Largest first, then (restricted) those whose count is hidden, each group by name.
    table = areas.assign(_hidden=areas["count"].isna(), _count=-areas["count"].fillna(0))
    table = table.sort_values(["_hidden", "_count", "name"])
    restricted = view.k is not None
    if restricted:
        # The provinces are the flows' origins, each rounded on its own: their sum is no
        # count the view protects, while the flows' total is (as for districts).
        st.metric(f"{unit}, all origins", view.flows_total_label)
    elif table.empty and view.unrecorded_districts:
        # Only provinces none of whose districts the data name were chosen: not 0.
        st.metric(f"{unit}, {_origins_counted(view, 'provinces')}", "not recorded")
    else:
        total = format_count(int(table["count"].sum()))
        st.metric(f"{unit}, {_origins_counted(view, 'provinces')}", total)
    if not view.districts_focused:
        st.caption(NOT_FOCUSED_CAPTION)
    if note := areas_missing_note(view):
        st.caption(note)
    if note := undivided_note(view, unit):
        st.caption(note)
    if note := not_recorded_apart_note(view, unit):
        st.caption(note)
    if note := not_covered_note(view):
        st.caption(note)
    st.dataframe(
        pd.DataFrame(
            {"Province": table["name"], unit: table["count_label" if restricted else "count"]}
        ),
        hide_index=True,
        column_config={
            unit: st.column_config.TextColumn(count_header(unit), width="small", help=unit)
            if restricted
            else st.column_config.NumberColumn(
                count_header(unit), format="localized", width="small", help=unit
            )
        },
    )


def census_comparison(view: View) -> CensusComparison | None:
    """The view's origin totals beside the census's people absent abroad, by census district;
    None where there is nothing to compare: restricted data (its districts are the flows'
    protected margins), or no district records."""
    if view.k is not None or no_district_records(view) or not len(view.districts):
        return None
    places = load_places().places
    areas = places[places["kind"].isin([DISTRICT, FORMER_DISTRICT])]
    scope = areas["place_id"][kept_by_origin_filters(areas, view.state)]
    return compare_with_census(load_places(), view.districts, scope)


def census_credit() -> DatasetCredit:
    return DatasetCredit(
        title=CENSUS_TITLE,
        organisation=CENSUS_ORGANISATION,
        licence=CENSUS_LICENCE,
        source_note=CENSUS_SOURCE,
        sensitivity="public",
    )


def census_partial_note(partial: tuple[str, ...]) -> str:
    return (
        f"{and_list(list(partial))} {'is' if len(partial) == 1 else 'are'} left out: the "
        "filters keep only part of the district the census counts whole."
    )


def census_metadata(
    metadata: ExportMetadata,
    unit: str,
    partial: tuple[str, ...] = (),
    undivided: tuple[str, ...] | None = None,
    view: View | None = None,
) -> ExportMetadata:
    """The comparison's export metadata: the view's, with the census as one more source; by
    province when the ``undivided`` census districts left out of the provinces are given; with
    the ``view``, what the census cannot follow of it."""
    notes = (census_partial_note(partial),) if partial else ()
    if view is not None:
        metadata = origin_file_metadata(view, metadata)
        filtered = census_filter_note(view.state)
        notes += (filtered,) if filtered else ()
    area = "district" if undivided is None else "province"
    if undivided:
        notes += (PROVINCE_CAVEAT,)
    return dataclasses.replace(
        with_census(without_flow_cuts(metadata), notes),
        title=f"{unit} by origin {area} beside the 2021 census's people absent abroad",
    )


def with_census(metadata: ExportMetadata, notes: tuple[str, ...] = ()) -> ExportMetadata:
    """The metadata of a file that holds the census comparison: the census credited too, with
    its caveats, and these ``notes``."""
    return dataclasses.replace(
        metadata,
        datasets=(*metadata.datasets, census_credit()),
        caveats=(*metadata.caveats, *CENSUS_CAVEATS, *notes),
    )


def census_province_table(comparison: CensusComparison) -> pd.DataFrame:
    """The comparison by province, as exported: ``province``, ``districts_compared``, ``count``,
    ``absent_abroad``, ``per_100_absent``."""
    return comparison.by_province().rename(columns={"districts": "districts_compared"})


CENSUS_FILE_NAME = "census_comparison.csv"
CENSUS_PROVINCES_FILE = "census_comparison_provinces.csv"


def census_tables(
    view: View, unit: str, comparison: CensusComparison, metadata: ExportMetadata
) -> dict[str, tuple[pd.DataFrame, ExportMetadata]]:
    """The comparison's tables by file name, each with its metadata: by district and, with
    origins by province, by province."""
    tables = {
        CENSUS_FILE_NAME: (
            comparison.table,
            census_metadata(metadata, unit, comparison.partial, view=view),
        )
    }
    if by_province(view):
        tables[CENSUS_PROVINCES_FILE] = (
            census_province_table(comparison),
            census_metadata(metadata, unit, comparison.partial, comparison.undivided, view),
        )
    return tables


def census_downloads(
    view: View,
    unit: str,
    comparison: CensusComparison,
    metadata: Callable[[], ExportMetadata],
) -> list[_Download]:
    """The comparison's files (see :func:`census_tables`): the same for the button beside it
    and the page's export, each file made only when asked for (the expander wrote both on
    every run)."""
    labels = {
        CENSUS_FILE_NAME: "Census comparison (CSV)",
        CENSUS_PROVINCES_FILE: "Census comparison by province (CSV)",
    }

    def written(name: str) -> bytes:
        return write_table_csv(*census_tables(view, unit, comparison, metadata())[name])

    names = [CENSUS_FILE_NAME, *([CENSUS_PROVINCES_FILE] if by_province(view) else [])]
    return [_Download(labels[name], name, "text/csv", partial(written, name)) for name in names]


def _download_button(item: _Download, label: str, key: str) -> None:
    """A button that makes its file when clicked."""
    st.download_button(
        label, item.make, file_name=item.file_name, mime=item.mime, key=key, on_click="ignore"
    )


def show_census_comparison(
    view: View, state: FilterState, unit: str, metadata: ExportMetadata
) -> CensusComparison | None:
    """Each origin district's count beside the census's people absent abroad: where approvals
    cover much or little of a district's migration (India, which needs no permit, is in the
    census only). Its buttons' files carry the page's export ``metadata`` (made in the page's
    run: made at the click, it had no address to give, only a bare query). Returns the
    comparison shown, for the page's export."""
    comparison = census_comparison(view)
    if comparison is None:
        if view.k is not None:
            # It disappeared without a word.
            st.caption(
                "No comparison with the 2021 census for restricted data: its origin totals are "
                "protected with its flows, and are not set against published figures."
            )
        return None
    table = comparison.table
    provinces = by_province(view)
    with st.expander(
        "Compare with the 2021 census: people absent abroad, by "
        + ("province and district" if provinces else "district"),
        icon=":material/groups:",
    ):
        st.caption(" ".join(CENSUS_CAVEATS))
        if filtered := census_filter_note(state):
            st.warning(filtered, icon=":material/filter_alt:")
        if not view.districts_focused:
            st.caption(NOT_FOCUSED_CAPTION)
        if table.empty:
            # An undivided district alone (Nawalparasi's pre-2015 rows) read "0" against "0".
            st.info(
                f"{census_partial_note(comparison.partial)} Nothing is left to compare: choose "
                "all of its parts (East, West and the undivided rows) to set it beside the census."
                if comparison.partial
                else "No district of this view has a record to set beside the census.",
                icon=":material/info:",
            )
            return None
        if comparison.partial:
            st.caption(census_partial_note(comparison.partial))
        left, right = st.columns(2)
        left.metric(f"{unit}, these districts", format_count(int(table["count"].sum())))
        right.metric("Absent abroad, these districts", format_count(int(table[ABSENT].sum())))
        # Short headers: the caption and the metrics above say what each is.
        absent, per_100 = "Absent abroad, 2021", "Per 100 absent"
        number = st.column_config.NumberColumn(format="localized", width="small")
        config = {
            absent: number,
            unit: number,
            # "%g": 23.4 and 0.034 alike (below 1, two significant digits: see census.per_100).
            per_100: st.column_config.NumberColumn(format="%g", width="small"),
        }
        stem = export_file_stem("flows", state.datasets, metadata.created_at, metadata.restricted)
        downloads = {
            item.file_name: dataclasses.replace(item, file_name=f"{stem}-{item.file_name}")
            for item in census_downloads(view, unit, comparison, lambda: metadata)
        }
        if provinces:
            # Origins grouped by province: the provinces first, their districts below.
            by_area = census_province_table(comparison)
            st.markdown("**By province**")
            if comparison.undivided:
                st.caption(PROVINCE_CAVEAT)
            st.dataframe(
                pd.DataFrame(
                    {
                        "Province": by_area["province"],
                        "Districts": by_area["districts_compared"],
                        absent: by_area[ABSENT],
                        unit: by_area["count"],
                        per_100: by_area[PER_100],
                    }
                ),
                hide_index=True,
                column_config={**config, "Districts": st.column_config.NumberColumn(width=72)},
            )
            _download_button(
                downloads[CENSUS_PROVINCES_FILE], "Comparison by province (CSV)",
                "census_province_download",
            )  # fmt: skip
            st.markdown("**By district**")
        frame = pd.DataFrame(
            {
                "District": table["name"],
                "Province": table["province"],
                absent: table[ABSENT],
                unit: table["count"],
                per_100: table[PER_100],
            }
        )
        st.dataframe(frame, hide_index=True, column_config=config)
        credit = census_credit()
        st.caption(f"Census: {credit.organisation}; {credit.source_note}")
        _download_button(
            downloads[CENSUS_FILE_NAME],
            "Comparison (CSV)" if not provinces else "Comparison by district (CSV)",
            "census_comparison_download",
        )
    return comparison


#: The province column of an undivided district (Nawalparasi, Rukum), and what it means.
UNDIVIDED_PROVINCE = "undivided"
UNDIVIDED_HELP = (
    "Province; 'undivided': a district as before its 2015 split, whose records name neither "
    "half; it lies in two provinces."
)


def show_district_table(view: View, unit: str) -> None:
    if view.k is not None and view.state.level != DISTRICT_LEVEL:
        return  # said beside the map (see _no_restricted_origins)
    restricted = view.k is not None
    # Districts with people first (largest first), then those whose count is hidden, then none.
    counts = view.districts["count"]
    group = counts.isna().astype(int) + 2 * (counts.fillna(0) <= 0) * counts.notna()
    table = (
        view.districts.assign(_group=group, _count=-counts.fillna(0))
        .sort_values(["_group", "_count", "name"])
        .drop(columns=["_group", "_count"])
    )
    total = int(table["count"].sum()) if not table["count"].isna().any() else None
    if no_district_records(view):
        # Not 77 zeros: the records of this view do not say.
        _origins_not_recorded(view, unit, "districts")
        return
    if restricted:
        # The districts are the flows' origins, each rounded on its own: their sum is no count
        # the view protects, while the flows' total is.
        st.metric(f"{unit}, all origins", view.flows_total_label)
    elif table.empty and (view.not_recorded_apart or view.unrecorded_districts):
        # Only districts the records do not name (apart) were chosen: not 0 (see the notes).
        st.metric(f"{unit}, {_origins_counted(view, 'districts')}", "not recorded")
    else:
        st.metric(
            f"{unit}, {_origins_counted(view, 'districts')}",
            format_count(total) if total is not None else "hidden",
        )
    if not view.districts_focused:
        st.caption(NOT_FOCUSED_CAPTION)
    if note := areas_missing_note(view):
        st.caption(note)
    if note := not_recorded_apart_note(view, unit):
        st.caption(note)
    if note := not_covered_note(view):
        st.caption(note)
    st.dataframe(
        pd.DataFrame(
            {
                # An undivided district's name with "(undivided)" was cut to "Nawalparasi
                # (undiv…" at 1280 px: its province column says it (it lies in two).
                "District": table["name"],
                "Province": [
                    UNDIVIDED_PROVINCE if kind == FORMER_DISTRICT else province
                    for province, kind in zip(table["province"], table["kind"], strict=True)
                ],
                unit: table["count_label"] if restricted else table["count"],
            }
        ),
        hide_index=True,
        # As tall as the map, or as its rows when fewer (a filter or focus keeps a few: blank
        # rows stood under them).
        height=MAP_HEIGHT_PX - 230 if len(table) > 10 else "content",
        # Narrow columns for the province and the count, so that the counts show whole beside
        # the names at 1280 px (a header as long as "Labour approvals" cut them to "34,"); the
        # province's as wide as its longest name ("small" cut "Sudurpashchim" by a letter).
        column_config={
            "Province": st.column_config.TextColumn(width=PROVINCE_COLUMN_PX, help=UNDIVIDED_HELP),
            unit: st.column_config.TextColumn(count_header(unit), width="small", help=unit)
            if restricted
            else st.column_config.NumberColumn(
                count_header(unit), format="localized", width="small", help=unit
            ),
        },
    )


#: The district table's province column, in pixels: "Sudurpashchim" whole, in the page's font.
PROVINCE_COLUMN_PX = 118


def show_corridor_table(view: View, unit: str, rows: int = 100) -> None:
    narrowed = view.state.focus or view.state.transit_places
    st.metric(f"{unit}, {'chosen' if narrowed else 'all'} corridors", view.corridors_total_label)
    _unplaced_caption(view, unit, corridors=True)
    if flows_cut(view, corridors=True):
        listed = (
            "the table ranks them all"
            if len(view.corridors) <= rows
            else f"the table lists the largest {rows}"
        )
        st.caption(
            f"The map draws the largest {format_count(view.corridors_drawn)} of "
            f"{format_count(len(view.corridors))} corridors (top N / minimum volume); {listed}."
        )
    table = view.corridors.head(rows)
    paths = table["path_names"].map(short_path_name)
    _ranked_table(paths, "Corridor", table, unit, suppressed=view.k is not None)
    if not paths.equals(table["path_names"]):
        st.caption(
            "Airports are named by their city here, and the United Arab Emirates as UAE; the "
            "map and the exports give their full names."
        )


def show_focus_panel(view: View, place_id: str, unit: str, corridors: bool = False) -> None:
    """Totals of the focused place, its breakdown by sex and channel, and its trend; on a
    corridors page (``corridors``) a restricted view's totals are the corridors' only."""
    name = load_places().name_of(place_id)
    with st.container(border=True, key="focus_panel"):
        st.markdown(f"#### Focus: {name}")
        if view.k is not None:
            _restricted_focus_totals(view, place_id, name, unit, corridors)
            st.caption(
                "Breakdowns by sex, channel and destination city are not shown for restricted "
                "data: they could reveal counts hidden in the tables."
            )
            show_trend(view, unit, f"{unit} by month, {name}")
            return
        source = load_record_table(view.state.datasets, view.state.versions)
        leaving, arriving, passing = place_totals(source, view.state, place_id)
        totals = [
            (f"{unit} from {name}", leaving),
            (f"{unit} to {name}", arriving),
            (f"{unit} through {name}", passing),
        ]
        shown = [(label, format_count(value)) for label, value in totals if value]
        if not shown:
            # None: the total the place's kind has ("from Qatar 0" read as a figure), and not
            # recorded where the data cannot say (see uncrossed).
            kind = kind_of_id(place_id)
            label = totals[{COUNTRY: 1, HUB: 2}.get(kind, 0)][0]
            unrecorded = uncrossed(view) or only_not_recorded_apart(view)
            shown = [(label, "not recorded" if unrecorded else "0")]
        for column, (label, value) in zip(st.columns(len(shown)), shown, strict=True):
            column.metric(label, value)
        for column, label in ((SEX, "Sex"), (CHANNEL, "Channel")):
            breakdown = place_breakdown(source, view.state, place_id, column)
            protected = suppress_counts(breakdown, view.k, hidden_last=False).frame
            st.dataframe(
                pd.DataFrame(
                    {
                        # As the filters and their chips show them ("Female", not "female").
                        label: protected[column].map(value_label),
                        unit: protected["count_label"],
                    }
                ),
                hide_index=True,
            )
        if kind_of_id(place_id) == COUNTRY and DESTINATION_CITY in source.columns:
            # The cities a country's arrivals went to, as the records name them (a union's
            # Penang and Kuala Lumpur were kept, and shown nowhere).
            cities = place_breakdown(source, view.state, place_id, DESTINATION_CITY, arriving=True)
            if (cities[DESTINATION_CITY] != "not recorded").any():
                st.dataframe(
                    pd.DataFrame(
                        {
                            "Destination city": cities[DESTINATION_CITY].map(value_label),
                            unit: cities[COUNT].map(format_count),
                        }
                    ),
                    hide_index=True,
                )
        show_trend(view, unit, f"{unit} by month, {name}")


def _restricted_focus_totals(
    view: View, place_id: str, name: str, unit: str, corridors: bool = False
) -> None:
    """The focused place's totals exactly as the view's protected tables show them."""

    def label_in(frame: pd.DataFrame, id_column: str, label_column: str) -> str | None:
        if label_column not in frame.columns:
            return None
        rows = frame[frame[id_column] == place_id]
        return str(rows[label_column].iloc[0]) if len(rows) else None

    if corridors or len(view.corridors):
        # A corridors page: the corridor system's own figures only. Its counts are protected
        # apart from the flows', and one set against the other could give a hidden one away
        # (a place with no corridor read the flows' "People to Qatar: <10": a security review).
        # Every corridor of a focused view passes the place, so their total is the place's
        # (its places' counts on the map cover the drawn corridors only, mostly hidden).
        totals = [(f"{unit} on corridors through {name}", view.corridors_total_label)]
        if not len(view.corridors):
            st.caption(f"No corridor of this view passes {name}.")
    else:
        arriving = label_in(view.destination_table, "destination_id", "count_label")
        totals = [
            (f"{unit} to {name}", arriving),
            (f"{unit} from {name}", label_in(view.districts, "place_id", "count_label")),
        ]
        if all(value in (None, "0") for _, value in totals):
            # A transit place, or a province: every flow of the focused view passes it, or
            # leaves from it.
            how = "from" if kind_of_id(place_id) == PROVINCE else "on flows through"
            totals = [(f"{unit} {how} {name}", view.flows_total_label)]
    shown = [(label, value) for label, value in totals if value not in (None, "0")]
    for column, (label, value) in zip(st.columns(max(1, len(shown))), shown, strict=False):
        column.metric(label, value)


#: Why a restricted view gives no months, on screen and in its exports (see View).
MONTHS_WITHHELD_NOTE = (
    "Restricted data's months are given only beside a total larger than the months it covers, "
    "where they cannot give a small count away (nine months of <10 under a total of <10 are "
    "1 each)."
)


#: Under a chart of Nepali and AD months alike.
MIXED_CALENDARS_NOTE = (
    "Months as each dataset gives them: Nepali (BS) months, which start mid-month in the AD "
    "calendar, and AD months overlap in time and are not merged."
)


def show_trend(view: View, unit: str, title: str) -> None:
    if view.months_withheld:
        st.caption(f"{title}: not shown. {MONTHS_WITHHELD_NOTE}")
        return
    if len(view.trend) <= 1:
        return
    if not has_months(view.trend):
        title = title.replace(" by month", " by period")
    st.caption(title + synthetic_label(view.state))
    trend, apart = split_trend(view.trend)
    if len(apart):
        labels = zip(apart["month"], apart["count_label"], strict=True)
        periods = "; ".join(f"{label}: {count}" for label, count in labels)
        st.caption(
            f"Not in this chart of months, being records of longer periods ({unit.lower()}): "
            f"{periods}."
        )
    hidden = trend["count"].isna()
    if hidden.all():
        st.caption("Every month's count is hidden (restricted data).")
        return
    if hidden.any() and (trend["count"].fillna(0) == 0).all():
        # A chart of zeros, on an axis reading 0.000000, said nothing of the hidden months.
        months = ", ".join(str(month) for month in trend.loc[hidden, "month"])
        st.caption(
            f"No chart: the months with records have their counts hidden (restricted data): "
            f"{months}; the others have none."
        )
        return
    st.bar_chart(trend, x="month", y="count", x_label="", y_label=unit, height=220)
    if view.unplaced_transit and view.k is None:
        # Beside the corridors' total, which leaves those rows out (25 beside months of 37:
        # a regression walkthrough).
        st.caption(
            f"The months count every record of the view, the {format_count(view.unplaced_transit)}"
            f" {unit.lower()} in rows whose transit was left unplaced included; the corridors "
            "leave them out."
        )
    if mixed_calendars(trend):
        st.caption(MIXED_CALENDARS_NOTE)
    if hidden.any():
        months = ", ".join(str(month) for month in trend.loc[hidden, "month"])
        st.caption(
            f"No bar where a month's count is hidden (restricted data), which is not a zero: "
            f"{months}."
        )


def show_sankey(view: View, unit: str) -> None:
    """Origin province -> first transit place -> destination, for the filtered data."""
    links = view.sankey
    if links.empty:
        hidden = view.k is not None and len(view.corridors)
        st.caption(
            "Every corridor's count is hidden (restricted data): no diagram."
            if hidden
            else "No corridors to show."
        )
        return
    labels = list(dict.fromkeys([*links["source"], *links["target"]]))
    index = {label: i for i, label in enumerate(labels)}
    # Long names ran into the next column; the full name is in the node's tooltip. Links are
    # drawn without outlines, which covered the labels as dark lines.
    # An airport by its city first, as the corridor table names it ("Kathmandu Tribhuvan
    # In…" was the busiest node).
    named = [short_path_name(label) for label in labels]
    short = [label if len(label) <= 24 else label[:22].rstrip() + "…" for label in named]
    columns = max(links["source"].nunique(), links["target"].nunique())
    figure = go.Figure(
        go.Sankey(
            node={
                "label": short,
                "customdata": labels,
                "hovertemplate": "%{customdata}: %{value:,}<extra></extra>",
                "pad": 12,
                "thickness": 14,
            },
            link={
                "source": [index[s] for s in links["source"]],
                "target": [index[t] for t in links["target"]],
                "value": links["count"].tolist(),
                "color": "rgba(120, 120, 120, 0.3)",
                "line": {"width": 0},
            },
        )
    )
    height = max(420, 26 * columns)
    # Dark labels: the default grey read faintly over the grey links (a newcomer's walkthrough).
    figure.update_layout(
        height=height, margin={"l": 8, "r": 8, "t": 8, "b": 8}, font={"size": 11, "color": "#111"}
    )
    st.plotly_chart(figure, key="corridors_sankey", config={"displaylogo": False})
    st.caption(
        f"{unit}: origin province → first transit place → destination (top destinations)"
        f"{synthetic_label(view.state)}."
    )
    focus = view.state.focus
    if focus and kind_of_id(focus) == HUB:
        # New Delhi in focus, and no New Delhi in the diagram (a helper's walkthrough).
        st.caption(
            f"Every corridor here passes {load_places().name_of(focus)}; the diagram shows "
            "each one's first transit place, which may come before it."
        )
    if view.k is not None:
        shown = int(view.corridors["count"].sum())  # the shown corridors, as shown
        st.caption(
            "Corridors whose counts are hidden (restricted data) are left out of the diagram: "
            f"it holds {format_count(shown)} of the {view.corridors_total_label} "
            f"{unit.lower()} on all corridors (each count rounded)."
        )


def show_source_note(state: FilterState) -> None:
    datasets = available_datasets(state.versions)
    with st.container(border=True):
        for dataset_id in state.datasets:
            info = datasets.get(dataset_id)
            if info is None:
                continue
            label = " — synthetic demonstration data" if info.synthetic else ""
            # An uploaded dataset's source note starts with its title, said in bold already
            # ("Survivor cases. Survivor cases: Test, uploaded").
            note = info.source_note.removeprefix(f"{info.title}: ")
            st.markdown(f"**{info.title}**{label}: {note} Licence: {info.licence}.")
            st.markdown("\n".join(f"- {caveat}" for caveat in info.caveats))


# --- Guidance -------------------------------------------------------------------------------

GUIDANCE_UPLOAD_DIR = STORE_DIR / "guidance"


@st.cache_data(show_spinner=False)
def _load_guidance_library(upload_stamp: tuple[str, ...]) -> tuple[GuidanceEntry, ...]:
    shipped = read_guidance_library(GUIDANCE_DIR)
    added = read_guidance_library(GUIDANCE_UPLOAD_DIR) if GUIDANCE_UPLOAD_DIR.is_dir() else ()
    return tuple(sorted((*shipped, *added), key=lambda entry: entry.title.casefold()))


def load_guidance() -> tuple[GuidanceEntry, ...]:
    """The shipped library plus the entries analysts uploaded; a new upload shows at once."""
    stamp = tuple(
        sorted(f"{p.name}:{p.stat().st_mtime_ns}" for p in GUIDANCE_UPLOAD_DIR.glob("*.md"))
    )
    return _load_guidance_library(stamp)


def _entry_facts(entry: GuidanceEntry) -> str:
    year = f"{entry.year}" if entry.year else "year not recorded"
    return f"{entry.publisher}, {year}"


def guidance_selection(place_id: str | None, filters: FilterState) -> GuidanceSelection:
    """What the guidance panel matches: the focus, else a single destination, transit place,
    origin district or origin province kept by the filters (a Madhesh filter read "Nothing
    selected")."""
    if not place_id:
        provinces = tuple(province_id(name) for name in filters.origin_provinces)
        for chosen in (
            filters.destination_countries,
            filters.transit_places,
            filters.origin_districts,
            provinces,
        ):
            if len(chosen) == 1:
                place_id = chosen[0]
                break
    # One destination region kept by the filters (the Gulf) is matched as a focus on it: women
    # in the Gulf listed the general starting points (a ministry analyst's walkthrough).
    regions = filters.destination_regions
    return guidance_selection_for(
        load_places(),
        place_id,
        exploitation_types=filters.exploitation,
        channels=filters.channels,
        sexes=filters.sexes,
        region=regions[0] if len(regions) == 1 else "",
    )


def show_guidance_panel(selection: GuidanceSelection, limit: int = 5) -> None:
    """Related guidance: the entries matching the selection, ranked, each with why it matches."""
    matches = related_guidance(load_guidance(), selection, limit=limit)
    with st.container(border=True, key="related_guidance"):
        st.markdown("#### Related guidance")
        filters = [
            value_label(value)
            for value in (*selection.sexes, *selection.channels, *selection.exploitation_types)
        ]
        if selection.focus_name:
            # The filters too: with Saudi Arabia and women it read as Saudi Arabia alone.
            also = f"; and the filters: {', '.join(filters)}" if filters else ""
            st.caption(f"For the selection: {selection.focus_name}{also}")
        elif filters:
            # It read "Nothing selected" above guidance chosen for women migrants.
            st.caption(f"For the filters: {', '.join(filters)}; then general starting points.")
        else:
            st.caption("Nothing selected: general starting points.")
        for match in matches:
            entry = match.entry
            title = f"[{entry.title}]({entry.link})" if entry.link else entry.title
            # The library's own summary, read with no internet (each title links only to its
            # publisher's site, which an office without a connection cannot open), in a tab of
            # its own beside the map.
            summary = (
                f"[Our summary of it](guidance?{urlencode({GUIDANCE_ENTRY_PARAM: entry.slug})})"
            )
            st.markdown(f"**{title}**  \n{_entry_facts(entry)} · {summary}")
            st.caption("Why: " + "; ".join(match.reasons))


#: The guidance page's link: query parameter -> (widget key, allowed values or None for text).
_GUIDANCE_LINK = {
    "q": ("guidance_query", None),
    "stage": ("guidance_stages", STAGES),
    "topic": ("guidance_topics", TOPICS),
    "region": ("guidance_regions", ()),
    "audience": ("guidance_audience", AUDIENCES),
}


def _read_guidance_link(regions: list[str]) -> None:
    """The search and filters a link gives, once per session visit of the page: a search could
    not be shared (a helper's walkthrough). A value is read whatever its case ("malaysia" was
    dropped without a word, as the map pages read it); one the library does not have is left
    out, with a notice."""
    if st.session_state.get("guidance_link_read"):
        return
    st.session_state["guidance_link_read"] = True
    params = st.query_params
    notices = []
    for name, (key, allowed) in _GUIDANCE_LINK.items():
        if name not in params:
            continue
        if allowed is None:
            st.session_state[key] = params.get(name, "")
            continue
        known = {value.casefold(): value for value in (regions if name == "region" else allowed)}
        given = [value for value in params.get_all(name) if value.strip()]
        st.session_state[key] = list(
            dict.fromkeys(
                known[value.strip().casefold()]
                for value in given
                if value.strip().casefold() in known
            )
        )
        notices += [
            f"The link's {name} '{value}' is not one the library has; ignored."
            for value in given
            if value.strip().casefold() not in known
        ]
    if params.get("worldwide") == "0":
        st.session_state["guidance_worldwide"] = False
    if notices:
        st.info(" ".join(notices), icon=":material/link_off:")


def _write_guidance_link(controls: dict) -> None:
    """The page's address holds its search and filters, so that a copied link reopens them."""
    wanted: dict[str, str | list[str]] = {}
    if controls["query"].strip():
        wanted["q"] = controls["query"].strip()
    for name, field in (("stage", "stages"), ("topic", "topics"), ("region", "regions"),
                        ("audience", "audience")):  # fmt: skip
        if controls[field]:
            wanted[name] = list(controls[field])
    if controls["regions"] and not controls["worldwide"]:
        wanted["worldwide"] = "0"
    if GUIDANCE_ENTRY_PARAM in st.query_params and not wanted:
        # The entry a map's panel opened stays open until the analyst searches or filters.
        wanted[GUIDANCE_ENTRY_PARAM] = st.query_params[GUIDANCE_ENTRY_PARAM]
    current = {name: st.query_params.get_all(name) for name in st.query_params}
    if current != {
        name: value if isinstance(value, list) else [value] for name, value in wanted.items()
    }:
        st.query_params.clear()
        st.query_params.update(wanted)


def guidance_search_controls(entries: tuple[GuidanceEntry, ...]) -> dict:
    regions = sorted({region for entry in entries for region in entry.regions})
    _read_guidance_link(regions)
    query = st.text_input(
        "Search titles, summaries and tags", key="guidance_query", placeholder="e.g. referral"
    )
    columns = paired_row("guidance_filters", 4)
    with columns[0]:
        stages = st.multiselect("Stage", STAGES, format_func=tag_label, key="guidance_stages")
    with columns[1]:
        topics = st.multiselect("Topic", TOPICS, format_func=tag_label, key="guidance_topics")
    with columns[2]:
        chosen_regions = st.multiselect("Region", regions, key="guidance_regions")
    with columns[3]:
        audience = st.multiselect(
            "Audience", AUDIENCES, format_func=tag_label, key="guidance_audience"
        )
    # On by default; a link may have set it off (a default beside that made Streamlit warn).
    st.session_state.setdefault("guidance_worldwide", True)
    worldwide = bool(chosen_regions) and st.toggle(
        f"With the regions chosen, include guidance that applies worldwide ({GLOBAL_REGION})",
        key="guidance_worldwide",
    )
    controls = {
        "query": query,
        "stages": stages,
        "topics": topics,
        "regions": chosen_regions,
        "audience": audience,
        "worldwide": worldwide,
    }
    _write_guidance_link(controls)
    return controls


@st.cache_data(show_spinner=False)
def guidance_places() -> dict[str, str]:
    """:func:`routes.guidance.search_places` of the app's gazetteer, worked out once."""
    return search_places(load_places())


def show_guidance_results(entries: tuple[GuidanceEntry, ...], controls: dict) -> None:
    places = guidance_places()

    def searched(query: str) -> tuple[GuidanceEntry, ...]:
        return search_guidance(
            entries,
            query,
            stages=controls["stages"],
            topics=controls["topics"],
            regions=controls["regions"],
            audience=controls["audience"],
            worldwide=controls.get("worldwide", False),
            places=places,
        )

    found = searched(controls["query"])
    query = controls["query"].strip()
    # Entries with some of the words, among those the filters keep (the filters were dropped:
    # Malaysia's one entry, and ten others offered for "fees"); one word has no "some". After
    # those with every word: "women domestic workers Gulf" found one entry, the Gulf's report
    # on domestic work not among them (a ministry analyst's walkthrough).
    some = (
        tuple(
            entry
            for entry in entries_with_some_words(searched(""), query, places)
            if entry not in found
        )
        if len(query.split()) > 1
        else ()
    )
    hold = "holds" if len(some) == 1 else "hold"
    if some and not found:
        st.caption(f"No entry holds every word of '{query}'; {len(some)} {hold} some of them:")
    else:
        st.caption(
            f"{len(found)} of {len(entries)} entries"
            + (", most relevant first" if query and len(found) > 1 else "")
        )
    for name, region in places_read(query, places):
        # "Dubai" listed seven entries, none naming Dubai, with nothing said of why.
        where = f"the {region}" if region == "Gulf" else region
        st.caption(
            f"'{name.title()}' is read as a place in {where}: entries on {where} are listed too."
        )
    if query and not found and not some:
        # "kafala" and "visit visa" read "0 of 20 entries", and nothing of what to try (an
        # analyst's walkthrough).
        filtered = searched("") != entries
        st.caption(
            f"No entry holds '{query}'"
            + (" among those the filters keep" if filtered else "")
            + ". Try a broader word (recruitment, fees, trafficking, referral, grievance), "
            + ("clear the filters, " if filtered else "")
            + "or empty the search to list the library by title."
        )
    for entry in found:
        _guidance_result(entry, controls["query"], places)
    if some and found:
        st.caption(f"{len(some)} more {hold} some of the words of '{query}':")
    for entry in some:
        _guidance_result(entry, controls["query"], places)


def show_linked_entry(entries: tuple[GuidanceEntry, ...]) -> None:
    """The entry a map's guidance panel links to (``?entry=<slug>``), open, above the library:
    a search for its title listed it closed among those holding some of its words (a
    regression walkthrough)."""
    slug = st.query_params.get(GUIDANCE_ENTRY_PARAM, "")
    entry = next((entry for entry in entries if entry.slug == slug), None)
    if entry is None:
        return
    with st.container(border=True, key="linked_guidance_entry"):
        st.caption("Opened from a map's guidance panel; the whole library follows.")
        _guidance_result(entry, "", guidance_places(), expanded=True)


#: The guidance page's query parameter naming one entry to open (see show_linked_entry).
GUIDANCE_ENTRY_PARAM = "entry"


def _guidance_result(
    entry: GuidanceEntry, query: str, places: dict[str, str], expanded: bool = False
) -> None:
    """One entry of the guidance library's results: its summary and facts, where it matched."""
    where = matched_in(entry, query, places) if query.strip() else ()
    matched = f" (matches in the {', '.join(where)})" if where else ""
    with st.expander(f"{entry.title} — {_entry_facts(entry)}{matched}", expanded=expanded):
        st.markdown(entry.summary)
        facts = {
            "Publisher": entry.publisher,
            "Year": entry.year or "",
            "Month": entry.month or "",
            "Link": entry.link,
            "Languages": ", ".join(entry.languages),
            "Stages": ", ".join(tag_label(tag) for tag in entry.stages),
            "Topics": ", ".join(tag_label(tag) for tag in entry.topics),
            "Regions": ", ".join(entry.regions),
            "Audience": ", ".join(tag_label(tag) for tag in entry.audience),
            "Facts checked against": "; ".join(entry.checked_against),
        }
        st.markdown("\n".join(f"- **{label}:** {value}" for label, value in facts.items() if value))


def guidance_upload_form(entries: tuple[GuidanceEntry, ...]) -> None:
    """Add an entry: a Markdown file with front matter, validated before anything is kept. It is
    added before the page runs again, so the list above holds it at once (it said "It now
    appears in search" above a list without it)."""
    outcome = st.session_state.pop("guidance_added", None)
    with st.expander("Add a guidance entry", expanded=outcome is not None):
        st.caption(
            "Upload one Markdown file with front matter (title, publisher, year, month, link, "
            "languages, stages, topics, regions, audience, general, checked_against) and a summary "
            "in your own words (120 to 250 words), after the closing '---' line. Stages: "
            f"{', '.join(STAGES)}. Topics: {', '.join(TOPICS)}. Audience: "
            f"{', '.join(AUDIENCES)}. Regions: countries or regions by name, or "
            f"{GLOBAL_REGION}."
        )
        if outcome is not None:
            (st.success if outcome[0] == "added" else st.error)(outcome[1])
        upload = st.file_uploader("Markdown file", type=["md"], key="guidance_upload")
        if upload is None:
            return
        st.button("Validate and add", key="guidance_add", on_click=_add_guidance, args=(entries,))


def _add_guidance(entries: tuple[GuidanceEntry, ...]) -> None:
    upload = st.session_state.get("guidance_upload")
    if upload is None:
        return
    try:
        text = upload.getvalue().decode("utf-8")
    except UnicodeDecodeError:
        message = f"{upload.name}: the file is not UTF-8 text; save it as UTF-8."
        st.session_state["guidance_added"] = ("error", message)
        return
    try:
        entry = save_guidance_entry(text, upload.name, GUIDANCE_UPLOAD_DIR, entries)
    except GuidanceError as error:
        st.session_state["guidance_added"] = ("error", f"Nothing was added. {error}")
        return
    unknown = unknown_regions(entry.regions)
    place = (
        f" Its region{'s' if len(unknown) > 1 else ''} {and_list([repr(r) for r in unknown])} "
        f"{'are' if len(unknown) > 1 else 'is'} no country or region the atlas knows, so no "
        "place on the maps points to it by that; check the spelling."
        if unknown
        else ""
    )
    st.session_state["guidance_added"] = (
        "added",
        f"Added '{entry.title}'. It is in the list above and in the map pages' panels.{place}",
    )


def unknown_regions(regions: Sequence[str]) -> list[str]:
    """The regions of a guidance entry that name no country or region of the gazetteer (nor
    Global): "Atlantis" was added without a word, and matched nothing."""
    places = load_places()
    countries = places.countries
    known = {
        name.casefold()
        for name in (
            *countries["name"], *countries["region"], *countries["subregion"],
            *places.named_regions.values(), GLOBAL_REGION, "Nepal",
        )
        if isinstance(name, str)
    }  # fmt: skip
    return [region for region in regions if region.casefold() not in known]


def guidance_remove_form(entries: tuple[GuidanceEntry, ...]) -> None:
    """Remove an entry analysts added (the shipped library stays as it is)."""
    added = {path.stem for path in GUIDANCE_UPLOAD_DIR.glob("*.md")}
    titles = {entry.slug: entry.title for entry in entries if entry.slug in added}
    notice = st.session_state.pop("guidance_notice", None)
    if notice:
        st.success(notice)
    if not titles:
        return
    with st.expander("Remove an added entry"):
        st.caption(
            "Entries added through the app can be removed, for example to add a corrected "
            "version under the same file name. The shipped library stays as it is."
        )
        chosen = st.selectbox(
            "Added entry", list(titles), format_func=titles.get, key="guidance_remove_choice"
        )
        remove = (chosen, titles[chosen])
        st.button("Remove", key="guidance_remove", on_click=_remove_guidance, args=remove)


def _remove_guidance(slug: str, title: str) -> None:
    remove_guidance_entry(slug, GUIDANCE_UPLOAD_DIR)
    st.session_state["guidance_notice"] = f"Removed '{title}' from the library."


def unit_of(state: FilterState) -> str:
    """What the counts are: the datasets' own unit when they agree, else "Combined counts"
    (permits were called people); a warning above the view names what is combined."""
    datasets = available_datasets(state.versions)
    units = {datasets[d].unit for d in state.datasets if d in datasets}
    if len(units) > 1:
        return "Combined counts"
    return units.pop() if units else "People"


def outside_period_notice(state: FilterState) -> None:
    """Names the chosen datasets with no record in the chosen fiscal year and months: they add
    nothing to the view (an upload by calendar year beside DoFE's fiscal year vanished); and
    those the fiscal year counts in part (see :func:`datasets_beyond_fiscal_year`)."""
    chosen = _apart(state.datasets, state.versions)
    if not chosen or not (state.fiscal_year or state.month_from or state.month_to):
        return
    titles = available_datasets(state.versions)

    def named(dataset: str, first: str, last: str) -> str:
        period = "" if not first else f" ({first})" if first == last else f" ({first} to {last})"
        return f"'{titles[dataset].title if dataset in titles else dataset}'{period}"

    table = load_record_table(chosen, state.versions)
    if beyond := datasets_beyond_fiscal_year(table, state):
        one = len(beyond) == 1
        st.info(
            f"{', '.join(named(d, *period) for d, period in beyond.items())}: "
            f"{'its' if one else 'their'} records of these periods are not within FY "
            f"{state.fiscal_year} (a later year, or a month or year that spans two fiscal "
            "years), and this view does not count them. Choose All years to include them.",
            icon=":material/event_busy:",
        )
    outside = datasets_outside_period(table, state) if len(chosen) > 1 else {}
    if not outside:
        return

    one = len(outside) == 1
    st.info(
        f"{', '.join(named(d, *period) for d, period in outside.items())} "
        f"{'has' if one else 'have'} no records in the chosen fiscal year and months, so this "
        f"view counts nothing from {'it' if one else 'them'}. Choose All years (and every "
        f"month) to include {'it' if one else 'them'}.",
        icon=":material/event_busy:",
    )


def synthetic_label(state: FilterState) -> str:
    """ " — synthetic demonstration data" after the title of a map, chart or diagram of a view
    that holds some (the Sankey and the month chart, cut from the page into a report, read as
    real data), " — includes synthetic demonstration data" beside real data (DoFE's 656,610
    approvals read as synthetic beside 23,884 cases: a walkthrough); "" for real data only."""
    datasets = available_datasets(state.versions)
    synthetic = [datasets[d].synthetic for d in state.datasets if d in datasets]
    if not any(synthetic):
        return ""
    return f" — {'' if all(synthetic) else 'includes '}{SYNTHETIC_LABEL}"


def synthetic_notice(state: FilterState) -> None:
    """A visible label on every view that shows synthetic demonstration data."""
    datasets = available_datasets(state.versions)
    if any(datasets[d].synthetic for d in state.datasets if d in datasets):
        st.warning(
            "**Synthetic demonstration data.** The DoFE tables carry no routes, so this view "
            "includes cases generated by the app's own code: districts and destinations follow "
            "DoFE's real proportions and transit paths follow the patterns of the documented "
            "routes (each irregular case crossing at one of the border points nearest its "
            "district, named in a documented route or not), but no case is real.",
            icon=":material/science:",
        )


def documented_paths_for(state: FilterState) -> gpd.GeoDataFrame:
    """The documented routes that name a place the view is narrowed to (see
    :func:`routes.documented.documented_paths_naming`); all 23 drew through Kakarbhitta alone."""
    return documented_paths_naming(
        load_places(),
        load_documented_paths(),
        [state.focus, *state.transit_places, *state.destination_countries],
        state.destination_regions,
    )


def show_documented_routes_table(state: FilterState) -> None:
    """The documented routes as a table: what each source says, and what could not be placed;
    those that name the places the view is narrowed to, as on the map."""
    routes = documented_paths_for(state)
    every = len(load_documented_paths())
    count = f"{len(routes)} of {every} naming the chosen places" if len(routes) < every else every
    with st.expander(f"Documented routes ({count}), from public reports — no volumes"):
        if routes.empty:
            # An empty table of headers said nothing of why.
            st.caption(
                f"None of the {every} documented routes names a place this view is narrowed "
                "to (the focus, a transit place or a destination)."
            )
            return
        st.dataframe(
            pd.DataFrame(
                {
                    "Route": routes["route_id"],
                    # The source's own words beside the places drawn for them (Mizoram drawn
                    # at Aizawl read as a place the source names: a ministry analyst's
                    # walkthrough).
                    "As the source gives it": routes["origin"].astype(str)
                    + " > "
                    + routes["transit_points"].fillna("").astype(str)
                    + " > "
                    + routes["destination"].astype(str),
                    "Path as placed": routes["path_names"],
                    "Not placed": routes["unplaced"],
                    "Notes": routes["notes"],
                    "Reported": routes["period_reported"],
                    "Source": routes["source_title"],
                    "Date": routes["source_date"],
                    "Kind of source": routes["source_kind"],
                    "Link": routes["source_url"],
                }
            ),
            hide_index=True,
            column_config={"Link": st.column_config.LinkColumn()},
        )


# --- Upload ---------------------------------------------------------------------------------

_NONE = "— none —"
_LEAVE_UNPLACED = "— leave unplaced —"


#: The upload template offered on the upload page (data/templates/README.md says what it is).
UPLOAD_TEMPLATE = DATA_DIR / "templates" / "route-records-template.csv"
#: How the template's rows begin their source: examples, not data.
TEMPLATE_EXAMPLE = "Example row (not data)"


def template_examples(records: pd.DataFrame) -> int:
    """How many records are the upload template's own examples."""
    if SOURCE not in records.columns:
        return 0
    examples = records[SOURCE].astype("string").str.startswith(TEMPLATE_EXAMPLE)
    return int(examples.fillna(False).sum())


def upload_guide() -> None:
    """What a route file holds, and a template to start from (a new analyst found neither)."""
    with st.expander("What a file can hold, and a template", icon=":material/description:"):
        st.caption(
            "One row per group of people who travelled the same route (a count of 1 for one "
            "person), or a table of counts with one column per month or per sex. Only origin "
            "and destination are needed. Columns that are none of the fields below are not "
            "stored (the page lists them), so names, phone numbers or notes in a file stay out."
        )
        # A static table, whose long texts wrap (a data grid cut them).
        st.table(
            pd.DataFrame(
                UPLOAD_COLUMNS, columns=["Column", "Needed", "What it holds", "Example"]
            ).set_index("Column")
        )
        st.download_button(
            "Template (CSV)",
            UPLOAD_TEMPLATE.read_bytes(),
            file_name=UPLOAD_TEMPLATE.name,
            mime="text/csv",
            key="upload_template",
            help="Four example rows, not data: replace them with your records.",
        )


def upload_file_control() -> tuple[bytes, str] | None:
    upload = st.file_uploader(
        # Any file: a type the app does not read gets its own message (what to save it as),
        # not the uploader's bare "files are not allowed".
        "Route dataset", type=None, key="upload_file",
        help=f"Upload {SUPPORTED}.",
    )  # fmt: skip
    if upload is None:
        return None
    return upload.getvalue(), upload.name


def read_upload(content: bytes, file_name: str) -> ReadResult | None:
    """Read the file, asking for a sheet, a layer or a CRS when the file needs one.

    The choices are kept for the file, not in the widgets that asked for them: a widget not
    drawn on a run loses its value, and the next run asked again (a workbook of two sheets could
    never be saved).
    """
    # The file by its name, size and ends: another file of the same name starts afresh.
    ends = hashlib.sha256(content[:65536] + content[-65536:]).hexdigest()[:16]
    file_key = f"{file_name}:{len(content)}:{ends}"
    choices = st.session_state.setdefault("upload_choices", {}).setdefault(file_key, {})
    try:
        with st.spinner(f"Reading {file_name}…"):
            read = read_table(
                content,
                file_name,
                sheet=choices.get("sheet"),
                layer=choices.get("layer"),
                crs=choices.get("crs") or None,
            )
    except ChoiceNeeded as choice:
        st.warning(str(choice))
        st.selectbox(
            f"Which {choice.kind}?", [None, *choice.options], key=f"upload_{choice.kind}",
            format_func=lambda option: "— choose —" if option is None else option,
            on_change=_remember_choice, args=(file_key, choice.kind),
        )  # fmt: skip
    except CrsNeeded as missing:
        st.warning(str(missing))
        st.text_input(
            "Coordinate reference system of the file (e.g. EPSG:32645 for UTM 45N)",
            key="upload_crs",
            on_change=_remember_choice,
            args=(file_key, "crs"),
        )
    except UploadError as error:
        st.error(f"Nothing was imported. {error}")
        if choices:  # a sheet, layer or CRS chosen may be why: it can be chosen again
            st.button("Choose again", key="upload_choose_again", on_click=choices.clear)
    else:
        if choices:
            chosen = ", ".join(f"{kind} {value}" for kind, value in choices.items() if value)
            st.caption(f"Read with the {chosen} you chose.")
            st.button("Choose again", key="upload_choose_again", on_click=choices.clear)
        return read
    return None


def _remember_choice(file_key: str, kind: str) -> None:
    st.session_state["upload_choices"][file_key][kind] = st.session_state.get(f"upload_{kind}")


#: What a field of the column mapping wants, beside its choice on the upload page.
_FIELD_HELP = {
    "origin": "Where the route starts: a district, province or local level of Nepal.",
    "destination": "Where the route ends: a country, or a city abroad (counted for its country).",
    "transit": (
        "The places passed on the way, in order, separated by >, ;, commas or dashes "
        "(Kathmandu > New Delhi > Dubai, or Kathmandu - New Delhi - Dubai)."
    ),
    "count": (
        "How many people (or cases) each row stands for. With no count column, each row counts "
        "as one."
    ),
    "period": f"When: {UNDERSTOOD_FORMS}.",
}


#: Each column a route file can hold: whether it is needed, what it holds, an example.
UPLOAD_COLUMNS = (
    ("origin", "yes", "Where the route starts: a district of Nepal (old names such as Kavre "
     "understood), a province, or Nepal.", "Jhapa"),
    ("destination", "yes", "The country of destination: its name, ISO code (QAT) or common "
     "short name (KSA, UAE).", "Qatar"),
    ("destination_city", "no", "A city abroad, where the record names one.", "Doha"),
    ("transit", "no", _FIELD_HELP["transit"], "Kathmandu > New Delhi > Dubai"),
    ("count", "no", _FIELD_HELP["count"], "3"),
    ("period", "no", _FIELD_HELP["period"], "Magh 2079"),
    ("sex", "no", "female, male or other.", "female"),
    ("channel", "no", "How they went: regular (with a labour permit) or irregular.", "regular"),
    ("sector", "no", "The sector of work.", "domestic work"),
    ("exploitation", "no", "The kind of exploitation reported, where one is.",
     "passport withheld"),
    ("source", "no", "Where the record comes from (a survey, a case file).", "Helpline 2079"),
)  # fmt: skip


def mapping_controls(frame: pd.DataFrame, proposed: ColumnMapping) -> ColumnMapping:
    """Every field's column as proposed, each changeable; wide-table columns in an editor."""
    columns = [str(column) for column in frame.columns if column != "geometry"]
    mapping = proposed
    st.markdown(
        "**Which column is which?** "
        + (
            "From the saved mapping; change any choice."
            if st.session_state.get("upload_mapping_saved")
            else "The app proposed these from names and contents."
        )
    )
    grid = st.columns(4)
    for index, field in enumerate(MAPPING_FIELDS):
        current = proposed.column_of(field)
        options = [_NONE, *columns]
        key = f"upload_map_{field}"
        # The choice is in the session when propose_upload_mapping set it (a default as well
        # would make Streamlit warn).
        preset = key in st.session_state or current not in options
        chosen = grid[index % 4].selectbox(
            field.replace("_", " ").capitalize(),
            options,
            index=0 if preset else options.index(current),
            key=key,
            help=_FIELD_HELP.get(field),
        )
        mapping = with_field(mapping, field, None if chosen == _NONE else chosen)
    mapping = _fallback_controls(columns, mapping)
    if proposed.is_wide or st.toggle("Counts are spread over several columns", key="upload_wide"):
        mapping = _wide_controls(frame, mapping)
    mapping = _constant_controls(mapping)
    mapping = _empty_count_control(frame, mapping)
    for note in proposed.notes:
        # A note on a choice the analyst has since changed no longer holds ("count <- 'age'"
        # stayed beside "Not kept: 'age'").
        field, arrow, rest = note.partition(" <- '")
        if arrow and mapping.column_of(field) != rest.split("'")[0]:
            continue
        if (
            arrow
            and "second column)" in note
            and mapping.fallbacks.get(field) != proposed.fallbacks.get(field)
        ):
            # The second column proposed, since taken away: its sentence no longer holds.
            note = note.split("). ", 1)[0] + ")."
        unrecognised = note.removeprefix(UNRECOGNISED_NOTE).split(";")[0]
        if note.startswith(UNRECOGNISED_NOTE) and (
            mapping.column_of(unrecognised) or unrecognised in mapping.constants
        ):
            continue  # chosen since ("... choose one." stayed beside the choice)
        st.caption(note)
    used = set(mapping.columns_used())
    unused = [column for column in frame.columns if column != "geometry" and column not in used]
    if unused:
        st.caption(
            f"Not kept (no field chosen for them): {_listed(unused, 8)}. Choose a field above "
            "for any of them to keep it; the others are not stored."
        )
    if mapping.column_of(COUNT) is None and not mapping.components:
        numbers = [column for column in unused if pd.api.types.is_numeric_dtype(frame[column])]
        if numbers:
            st.warning(
                f"No count column: each row will count as one. Columns {_listed(numbers, 6)} hold "
                "numbers: if they are counts, choose the count column above, or switch on "
                "'Counts are spread over several columns' when each stands for a month, a "
                "channel or a sex."
            )
        else:
            st.caption("No count column: each row will count as one.")
    return mapping


def _fallback_key(field: str) -> str:
    return f"upload_map_fallback_{field}"


def _fallback_controls(columns: list[str], mapping: ColumnMapping) -> ColumnMapping:
    """A second column for the origin or destination, read where the chosen one is empty: a
    union's survey gave 'Home town' in 40 rows and 'District' in the other 4, and one column
    alone lost rows."""
    chosen = [field for field in FALLBACK_FIELDS if mapping.column_of(field) is not None]
    if not chosen:
        return mapping
    grid = st.columns(4)
    # A column another field reads is no second column (an origin read from the country).
    taken = set(mapping.field_columns().values())
    for index, field in enumerate(chosen):
        first = mapping.column_of(field)
        options = [_NONE, *(column for column in columns if column not in taken)]
        key = _fallback_key(field)
        if st.session_state.get(key) not in options:
            st.session_state[key] = _NONE  # its column became the first, or left the file
        second = grid[index].selectbox(
            f"{field.capitalize()} where '{first}' is empty",
            options,
            key=key,
            help=f"A second column to read the {field} from in the rows where '{first}' is "
            "empty (a district beside a home town, say).",
        )
        mapping = with_fallback(mapping, field, None if second == _NONE else second)
    return mapping


def _constant_key(field: str) -> str:
    return f"upload_map_constant_{field}"


def _constant_controls(mapping: ColumnMapping) -> ColumnMapping:
    """One origin or destination for every record, where no column gives it: the page said to
    give one and had no way to ("Nepal", proposed when no column is an origin, can be a
    district the whole file is about; "Unknown" for a destination the file does not say)."""
    constants = dict(mapping.constants)
    for field, example in ((ORIGIN, "Nepal, or the district the file is about"),
                           (DESTINATION, "a country, or Unknown")):  # fmt: skip
        # As the mapping's check has it: the count columns give it when every one does.
        given_by_columns = bool(mapping.components) and all(
            field in attributes for _, attributes in mapping.components
        )
        if mapping.column_of(field) is not None or given_by_columns:
            constants.pop(field, None)
            continue
        key = _constant_key(field)
        st.session_state.setdefault(key, constants.get(field, ""))
        value = st.text_input(
            f"No {field} column: one {field} for every record",
            key=key,
            placeholder=example,
            help=f"Every record of the file gets this {field}; it is placed as any other name.",
        ).strip()
        if value:
            constants[field] = value
        else:
            constants.pop(field, None)
    return dataclasses.replace(mapping, constants=constants)


_EMPTY_COUNT_READINGS = {1: "one person", 0: "no one (a nil, as a dash in Nepali tables)"}


def _empty_count_control(frame: pd.DataFrame, mapping: ColumnMapping) -> ColumnMapping:
    """What the count column's empty cells (and dashes) count, asked when it has any: one
    person each silently added a fifth to a union's survey whose total row said otherwise."""
    column = mapping.column_of(COUNT)
    if mapping.is_wide or column is None or column not in frame.columns:
        return mapping
    values = frame[column]
    empty = int(values.isna().sum())
    if not pd.api.types.is_numeric_dtype(values):
        empty += int((values.astype("string").str.strip() == "").fillna(False).sum())
    if not empty:
        return mapping
    if st.session_state.get("upload_empty_count") not in _EMPTY_COUNT_READINGS:
        st.session_state["upload_empty_count"] = mapping.empty_count
    chosen = st.radio(
        f"{_plural(empty, 'row')} of '{column}' {'has' if empty == 1 else 'have'} no count "
        "(an empty cell or a dash). Read each as",
        list(_EMPTY_COUNT_READINGS),
        format_func=_EMPTY_COUNT_READINGS.get,
        horizontal=True,
        key="upload_empty_count",
        help="A record counts one person when no count is given; in a table of counts, an "
        "empty cell or a dash usually means none. The file's total row, when it has one, is "
        "checked against either choice below.",
    )
    return dataclasses.replace(mapping, empty_count=int(chosen))


def show_read_notes(read: ReadResult) -> None:
    """How the file was read where it matters to the figures (rows skipped, dashes, number
    forms), said under the file's description."""
    for note in read.notes:
        st.caption(note)


def _listed(columns: list, most: int) -> str:
    """``'a', 'b' and 3 more``: column names quoted, the first ``most`` of them."""
    listed = ", ".join(f"'{column}'" for column in columns[:most])
    return listed + (f" and {len(columns) - most} more" if len(columns) > most else "")


def _wide_controls(frame: pd.DataFrame, mapping: ColumnMapping) -> ColumnMapping:
    st.markdown(
        "**Count columns.** Mark each column as a *component* (its cells become records with the "
        "attributes you give: a channel, a sex, a period such as Shrawan 2079) or a *total* "
        "(checked against the components, never added)."
    )
    rows = []
    numeric = [c for c in frame.columns if c != "geometry" and c not in mapping.columns_used()]
    components = dict(mapping.components)
    totals = dict(mapping.totals)
    for column in [*dict.fromkeys([*components, *totals, *numeric])]:
        attributes = components.get(column, {})
        rows.append(
            {
                "column": str(column),
                "role": "component" if column in components else
                "total" if column in totals else "ignore",
                "channel": attributes.get(CHANNEL, ""),
                "sex": attributes.get(SEX, ""),
                "period": attributes.get(PERIOD, ""),
            }
        )  # fmt: skip
    edited = st.data_editor(
        pd.DataFrame(rows),
        key="upload_wide_editor",
        hide_index=True,
        disabled=["column"],
        column_config={
            "role": st.column_config.SelectboxColumn(options=["component", "total", "ignore"]),
        },
    )
    new_components = tuple(
        (
            row.column,
            {k: v for k, v in ((CHANNEL, row.channel), (SEX, row.sex), (PERIOD, row.period)) if v},
        )
        for row in edited.itertuples()
        if row.role == "component"
    )
    new_totals = tuple(
        (row.column, totals.get(row.column, {}))
        for row in edited.itertuples()
        if row.role == "total"
    )
    return dataclasses.replace(mapping, components=new_components, totals=new_totals)


def show_import_check(prepared: PreparedImport) -> None:
    """Rows with problems (listed), total checks, and how many records are ready."""
    validation = prepared.validation
    if validation.ok:
        st.success(
            f"{prepared.file_name}: {_plural(len(validation.records), 'record')} ready from "
            f"{_plural(validation.rows_read, 'row')}, all valid."
        )
    else:
        st.error(validation.summary(prepared.file_name))
    for note in validation.notes:
        st.caption(note)
    if later := future_periods_note(prepared.records, prepared.file_name, dt.date.today()):
        st.warning(later, icon=":material/event:")
    if examples := template_examples(prepared.records):
        st.warning(
            f"{prepared.file_name}: {_plural(examples, 'row')} {'is' if examples == 1 else 'are'} "
            "the template's examples, not data (their source says so). Replace them with your "
            "records before saving (the template was saved unchanged: a walkthrough).",
            icon=":material/edit_note:",
        )
    if prepared.total_rows:
        st.info(prepared.total_rows_note, icon=":material/functions:")
    if prepared.arrivals_note:
        st.caption(prepared.arrivals_note)
    check = prepared.total_check
    if not check.agrees:
        st.warning(check.text, icon=":material/functions:")
    elif check.text:
        st.caption(check.text)
    if prepared.mapped.totals.checked and not prepared.mapped.totals.ok:
        st.warning(prepared.mapped.totals.summary())
    elif prepared.mapped.totals.checked:
        st.caption(
            f"Every total column matches its components ({prepared.mapped.totals.checked} checked)."
        )


def place_fix_controls(prepared: PreparedImport) -> None:
    """Every name that did not resolve, with its rows and closest places, to place by hand.

    The analyst's choices become aliases kept with the dataset (see :func:`chosen_aliases`).
    """
    report = prepared.place_report()
    if report.empty:
        st.success("Every origin, destination and transit name was placed.")
        return
    gazetteer = load_places()
    earlier = earlier_places()
    # Written once the names below are laid out, with how many of them are offered as placed
    # before (one stood under "1 name not placed" already chosen: a regression walkthrough).
    warning = st.empty()
    offered = chosen = 0
    for row in report.itertuples():
        suggestions = [resolve_place(gazetteer, name, row.role) for name in row.suggestions]
        suggestions = [pid for pid in suggestions if pid]
        others = sorted(
            (
                pid
                for pid in place_ids_of_kind(gazetteer, ROLE_KINDS[row.role])
                if pid not in suggestions
            ),
            # The role's preferred kinds first (districts for an origin), then by name.
            key=lambda pid: (
                ROLE_KINDS[row.role].index(gazetteer.places.at[pid, "kind"]),
                gazetteer.name_of(pid),
            ),
        )
        key = f"upload_place_{row.role}_{row.name}"
        options = [_LEAVE_UNPLACED, *suggestions, *others]
        placed_before = earlier.get(row.name)
        if key not in st.session_state and placed_before and placed_before[0] in options:
            # As placed in another dataset: each organisation's files had the same five
            # names placed again by hand (an NGO network's walkthrough). A choice to see.
            st.session_state[key] = placed_before[0]
        st.selectbox(
            f"{row.role.capitalize()} '{row.name}' ({_plural(row.rows, 'row')})",
            options,
            format_func=lambda pid: pid if pid == _LEAVE_UNPLACED else gazetteer.name_of(pid),
            key=key,
            help="Closest places first: "
            + (", ".join(row.suggestions) if row.suggestions else "none close"),
        )
        if row.note:
            st.caption(row.note)
        if placed_before and st.session_state.get(key) == placed_before[0]:
            offered += 1
            st.caption(
                f"Placed as in the dataset '{placed_before[1]}'; change it if it is wrong here."
            )
        chosen += st.session_state.get(key, _LEAVE_UNPLACED) != _LEAVE_UNPLACED
    also = (
        f" {offered} of them {'is' if offered == 1 else 'are'} offered as placed in another "
        "dataset; check the choice."
        if offered
        else ""
    )
    names = f"{_plural(len(report), 'name')} ({_plural(prepared.unplaced_rows, 'row')})"
    if chosen == len(report):
        # It stood as a warning over every name chosen (a union's walkthrough).
        warning.info(f"{names} not placed by the gazetteer: each has a place chosen below.{also}")
        return
    warning.warning(
        f"{names} not placed{f', {chosen} of them chosen below' if chosen else ''}. "
        "Choose a place for each, or leave it: unplaced rows are kept in the dataset, but the "
        "maps and their tables leave out those whose origin or destination is not placed, and "
        f"the corridors those whose transit is not (each page says how many).{also}"
    )


def earlier_places() -> dict[str, tuple[str, str]]:
    """The names placed by hand in the stored datasets this session may open, each with its
    place id and the title of the dataset most recently saved with it."""
    found: dict[str, tuple[str, str]] = {}
    datasets = sorted(dataset_store().list_datasets(), key=lambda m: m.created_at)
    for metadata in datasets:
        if is_open(metadata):
            found.update({name: (pid, metadata.title) for name, pid in metadata.aliases.items()})
    return found


def prepare_upload(
    read: ReadResult, mapping: ColumnMapping, aliases: dict[str, str] | None = None
) -> PreparedImport:
    """Map, validate and place the upload; remembered per file, mapping and aliases."""
    memo_key = (
        read.file_name,
        len(read.frame),
        repr(mapping),
        repr(sorted((aliases or {}).items())),
    )
    memo = st.session_state.setdefault("upload_prepared", {})
    if memo_key not in memo:
        while len(memo) >= 4:  # the import with and without the analyst's aliases, and a spare
            memo.pop(next(iter(memo)))
        with st.spinner(f"Checking {len(read.frame):,} rows…"):
            memo[memo_key] = prepare_import(
                read.frame, mapping, load_places(), file_name=read.file_name, aliases=aliases
            )
    return memo[memo_key]


def chosen_aliases(prepared: PreparedImport) -> dict[str, str]:
    """The places the analyst chose for unresolved names, as name -> place id."""
    aliases = {}
    for row in prepared.place_report().itertuples():
        chosen = st.session_state.get(f"upload_place_{row.role}_{row.name}")
        if chosen and chosen != _LEAVE_UNPLACED:
            aliases[row.name] = chosen
    return aliases


def carry_places(
    read: ReadResult,
    mapping: ColumnMapping,
    prepared: PreparedImport,
    aliases: dict[str, str],
    target: str,
) -> tuple[PreparedImport, dict[str, str]]:
    """The import with the names its dataset's last version placed by hand placed again, and
    the aliases it is saved with: each month's file of the same survey had its misspellings
    placed again by hand."""
    previous = dataset_store().load_metadata(target)
    unplaced = set(prepared.place_report()["name"])
    carried = {
        name: place_id
        for name, place_id in previous.aliases.items()
        if name in unplaced and name not in aliases
    }
    if not carried:
        return prepared, aliases
    combined = {**carried, **aliases}
    again = prepare_or_explain(read, mapping, combined)
    if again is None:
        return prepared, aliases
    gazetteer = load_places()
    placed = ", ".join(
        f"'{name}' as {gazetteer.name_of(pid)}" for name, pid in sorted(carried.items())
    )
    st.info(
        f"Placed as in version {previous.version} of '{previous.title}': {placed}. (The names "
        "to place above were listed before the version was chosen; these are placed all the "
        "same.)",
        icon=":material/history:",
    )
    return again, combined


def empty_counts_as_before(target: str, mapping: ColumnMapping, prepared: PreparedImport) -> None:
    """Warn when this file's empty counts are read otherwise than the dataset's last version
    read its own: a survey saved with "no one" had its next file counted one person each, a
    fifth more people, unsaid where the file had no total row."""
    previous = dataset_store().load_metadata(target)
    message = empty_count_change(previous.mapping, mapping, prepared)
    if message:
        st.warning(f"{message} (version {previous.version} of '{previous.title}').")


def empty_count_change(
    previous_mapping: dict, mapping: ColumnMapping, prepared: PreparedImport
) -> str:
    """What differs between the last version's reading of empty counts and this file's; empty
    when they agree or the file has none."""
    empty = prepared.validation.empty_counts
    before = (previous_mapping or {}).get("empty_count", 1)
    if not empty or before == mapping.empty_count:
        return ""
    readings = {1: "one person each", 0: "no one"}
    return (
        f"The {empty:,} empty count cells of this file count {readings[mapping.empty_count]}, "
        f"but the dataset's last version counted its own as {readings[before]}: choose "
        f"'{readings[before]}' above to count them as before"
    )


#: What a count of an uploaded dataset can be.
COUNT_UNITS = ("People", "Cases", "Workers", "Survivors", "Households", "Labour approvals")
#: What :func:`version_target_control` returns while a new version's dataset is not chosen.
TARGET_NOT_CHOSEN = ""
_NEW_DATASET = "A new dataset"
_NEW_VERSION = "A new version of a dataset already kept"


def version_target_control() -> str | None:
    """Whether the upload is a new dataset (None) or the next version of a stored one (its id,
    or :data:`TARGET_NOT_CHOSEN` until the analyst chooses one).

    Choosing a dataset fills the form below with its title and provenance, to keep or update.
    """
    stored = {m.dataset_id: m for m in dataset_store().list_datasets()}
    if not stored:
        return None
    kind = st.radio("Save as", [_NEW_DATASET, _NEW_VERSION], key="upload_target_kind")
    target = None
    if kind == _NEW_VERSION:
        if st.session_state.get("upload_target") not in ("", *stored):
            st.session_state.pop("upload_target", None)  # moved to the trash meanwhile
        title = str(st.session_state.get("upload_title", "")).casefold()
        same = [d for d, m in stored.items() if m.title.casefold() == title]
        if same and "upload_target" not in st.session_state:
            st.session_state["upload_target"] = same[0]  # the one the title named
        # None chosen until the analyst chooses: the first in the list was taken, and its
        # sensitivity with it (a survivor file saved as a public dataset's next version).
        target = st.selectbox(
            "Dataset", ["", *stored], key="upload_target",
            format_func=lambda d: (
                f"{stored[d].title} ({d}, version {stored[d].version})" if d else "— choose —"
            ),
        )  # fmt: skip
        if target == TARGET_NOT_CHOSEN:
            st.info("Choose the dataset this file is the next version of.")
            return TARGET_NOT_CHOSEN
        if not _phrase_given(stored[target], "upload_target", "save its next version"):
            return TARGET_NOT_CHOSEN  # nothing of it is shown, not even its description
    if st.session_state.get("upload_target_filled") != target:
        st.session_state["upload_target_filled"] = target
        if target is not None:  # the form starts from what the dataset says of itself
            current = stored[target]
            for field in ("title", "organisation", "licence", "description"):
                st.session_state[f"upload_{field}"] = getattr(current, field)
            st.session_state["upload_period"] = current.collection_period
            st.session_state["upload_sensitivity"] = current.sensitivity
            st.session_state["upload_unit"] = current.unit
    return target


def small_count_records(prepared: PreparedImport) -> int:
    """How many of an upload's records count fewer people than the suppression threshold (a
    record of 1 is one person)."""
    counts = pd.to_numeric(prepared.records[COUNT], errors="coerce")
    return int(counts.between(1, suppression_k() - 1).sum())


def metadata_form(
    file_name: str, target: str | None = None, rows_left_out: int = 0, small_records: int = 0
) -> StoreDatasetInfo | None:
    """Title, organisation, licence, collection period, description and sensitivity.

    A new dataset may not take the title of one already kept: two datasets that read alike
    would be chosen, or counted, in each other's place. Rows of the file with problems are left
    out only when the analyst says so, and the dataset's source says how many. ``small_records``
    (see :func:`small_count_records`) are said beside the choice of sensitivity.
    """
    with st.form("upload_metadata"):
        title = st.text_input(
            "Title", key="upload_title", placeholder="e.g. Returnee interviews 2023"
        )
        organisation = st.text_input("Organisation", key="upload_organisation")
        licence = st.text_input("Licence or terms of use", key="upload_licence")
        period = st.text_input("Collection period", key="upload_period", placeholder="e.g. 2079/80")
        description = st.text_area("Description", key="upload_description")
        units = list(dict.fromkeys([*COUNT_UNITS, st.session_state.get("upload_unit") or "People"]))
        unit = st.selectbox(
            "What each count is", units, key="upload_unit",
            help="Every total, table and legend of the dataset says it (People, all "
            "destinations; Cases by month).",
        )  # fmt: skip
        if small_records:
            # A public save of survivors' cases showed each district's 3 and 4 women to anyone
            # who opened the atlas, with no word at the save (a union's walkthrough).
            st.warning(
                f"{_plural(small_records, 'record')} of this file "
                f"{'counts' if small_records == 1 else 'count'} fewer than {suppression_k()} "
                "people. Saved as public, every count is shown as it is to anyone who can open "
                "the atlas; keep the data restricted if its people could be recognised "
                "(survivors, complainants, a small place).",
                icon=":material/shield_person:",
            )
        sensitivity = st.radio(
            "Sensitivity", [RESTRICTED, PUBLIC], horizontal=True, key="upload_sensitivity",
            help="Restricted: every count below the suppression threshold is hidden in every "
            "view and export, and the counts shown are rounded to the nearest 5.",
        )  # fmt: skip
        current = dataset_store().load_metadata(target) if target else None
        phrase = again = ""
        unlocked = False
        if current is None:  # a dataset is locked when first saved (see new_access_key)
            phrase = st.text_input(
                "Access phrase (restricted data)",
                type="password",
                key="upload_phrase",
                help="The app then shows the dataset only to whoever gives this phrase, in each "
                "browser session: anyone who can open the app can otherwise view its (protected) "
                f"tables. At least {MIN_PHRASE_CHARACTERS} characters. It cannot be recovered "
                "from the app: keep it where your organisation keeps such secrets.",
            )
            again = st.text_input(
                "The access phrase again", type="password", key="upload_phrase_again"
            )
            # Restricted data saved without a phrase by default was open to everyone's trash
            # and next versions, public included (an analyst's walkthrough): it takes a tick.
            unlocked = st.checkbox(UNLOCKED_CHOICE, key="upload_unlocked")
            st.caption(UNLOCKED_WARNING)
        was_restricted = current is not None and current.sensitivity == RESTRICTED
        made_public = was_restricted and st.checkbox(
            "This version may be shown as public data (its counts are then shown as they are)",
            key="upload_made_public",
            help="Only when the dataset was restricted and this version is saved as public.",
        )
        without_rows = rows_left_out > 0 and st.checkbox(
            f"Save without the {_plural(rows_left_out, 'row')} with problems listed above (the "
            "dataset's source will say so)",
            key="upload_without_rows",
        )
        submitted = st.form_submit_button("Save the dataset", type="primary")
    if not submitted:
        return None
    problems: tuple[str, ...] = ()
    access_key = ""
    if current is not None and not is_open(current):
        problems += (f"'{current.title}' is locked: give its access phrase above.",)
    else:
        try:
            access_key = new_access_key(phrase, again, sensitivity, current)
        except StoreError as error:
            problems += (str(error),)
    if current is None and sensitivity == RESTRICTED and not phrase and not again and not unlocked:
        problems += (UNLOCKED_REFUSED,)
    if rows_left_out and not without_rows:
        problems += (
            f"{_plural(rows_left_out, 'row')} of {file_name} had problems (listed above): "
            "correct them in the file and upload it again, or tick that the dataset is saved "
            "without them.",
        )
    try:
        check_made_public(current, sensitivity, made_public)
    except StoreError as error:
        problems += (
            f"{error} To save this version as public data, tick that it may be shown as public; "
            "otherwise choose Restricted.",
        )
    info = StoreDatasetInfo(
        title=title.strip(),
        organisation=organisation.strip(),
        licence=licence.strip(),
        collection_period=period.strip(),
        description=description.strip(),
        sensitivity=sensitivity,
        source_file=file_name,
        access_key=access_key,
        rows_left_out=rows_left_out,
        unit=unit,
    )
    problems = validate_dataset_info(info) + problems
    if target is None:
        same = [
            m.dataset_id
            for m in dataset_store().list_datasets()
            if m.title.casefold() == info.title.casefold()
        ]
        if same:
            problems += (
                f"A dataset titled '{info.title}' is already kept ({same[0]}): save this file "
                "as its new version (Save as, above), or give it another title.",
            )
    if problems:
        st.error("Nothing was saved. " + " ".join(problems))
        return None
    return info


def save_upload(
    prepared: PreparedImport,
    info: StoreDatasetInfo,
    mapping: ColumnMapping,
    aliases: dict[str, str],
    target: str | None = None,
    read_notes: Sequence[str] = (),
) -> None:
    """Keep the dataset in the store (as the next version of ``target`` when given), with
    progress, and say where to see it; with how its file was read (``read_notes``: the
    reader's)."""
    info = dataclasses.replace(
        info,
        aliases=aliases,
        mapping=mapping_to_dict(mapping),
        reading_notes=prepared.reading_notes(read_notes),
    )
    with st.status("Saving…", expanded=True) as status:
        st.write(f"Writing {len(prepared.records):,} records…")
        try:
            # The store checks the public tick again, against the version kept at this moment.
            made_public = bool(st.session_state.get("upload_made_public"))
            metadata = dataset_store().save(
                prepared.records, info, dataset_id=target, made_public=made_public
            )
        except (StoreError, OSError) as error:
            status.update(label="Not saved", state="error")
            st.error(f"Nothing was saved, and the datasets already stored are unchanged. {error}")
            return
        status.update(
            label=f"Saved '{metadata.title}' (version {metadata.version})", state="complete"
        )
    if metadata.access_key:  # whoever just gave its phrase may view it in this session
        _mark_open(metadata.dataset_id, metadata.access_key)
    st.success(
        f"Saved as dataset '{metadata.dataset_id}', version {metadata.version}. "
        "Choose it under Data sources on the Flow map or Corridors page."
    )
    # On all its years: the page's year (DoFE's) left out most of a union's records.
    st.page_link(
        "pages/flow_map.py", label="Open it on the flow map",
        query_params={"data": metadata.dataset_id, "fy": ""},
    )  # fmt: skip
    if prepared.records[TRANSIT_IDS].notna().any():
        # Its routes are on the Corridors page (only the flow map was offered).
        st.page_link(
            "pages/corridors.py", label="Open its corridors",
            query_params={"data": metadata.dataset_id},
        )  # fmt: skip


# --- Datasets ------------------------------------------------------------------------------------


def show_datasets_table() -> None:
    datasets = available_datasets()
    store = dataset_store()

    def versions(dataset: Dataset) -> str:
        if not dataset.stored:
            return "shipped"
        kept = store.versions(dataset.dataset_id)
        if len(kept) < 2:
            return str(dataset.version)
        return f"{dataset.version}, the latest of {len(kept)} kept"

    def saved(d: Dataset) -> tuple[str, str]:
        """Its records and the day its version shown was saved (the page said neither)."""
        if not d.stored:
            # Its records too (the column stood empty beside the shipped data: a newcomer's
            # walkthrough).
            return format_count(load_record_table((d.dataset_id,)).num_rows), "shipped"
        if not is_open(d):
            return "locked", "locked"
        metadata = store.load_metadata(d.dataset_id, d.version)
        rows = metadata.row_count
        # A restricted one's as its views show a count: never below the threshold, rounded.
        shown = count_label(rows, suppression_k()) if d.restricted else format_count(rows)
        return shown, metadata.created_at[:10]

    def row(d: Dataset) -> dict[str, str]:
        shown = is_open(d)
        records, day = saved(d)
        return {
            "Title": d.title + (" (synthetic demonstration data)" if d.synthetic else ""),
            "Sensitivity": d.sensitivity + (", locked" if d.locked else ""),
            # What a locked dataset counts ("Survivors of sexual exploitation") is its
            # description's, shown once opened.
            "Version shown": versions(d),
            "Counts": d.unit if shown else "locked",
            "Records": records,
            "Saved": day,
            "Organisation": d.organisation if shown else "locked",
            "Licence": d.licence if shown else "locked",
            "Id": d.dataset_id,
            "Source": d.source_note if shown else _LOCKED_DETAILS,
        }

    st.dataframe(
        pd.DataFrame([row(d) for d in datasets.values()]),
        hide_index=True,
        column_config={
            "Records": st.column_config.TextColumn(
                help="Rows of records kept (a row may count several people); a restricted "
                "dataset's as its counts are shown: rounded, and never below the threshold."
            )
        },
    )
    # The uploader was told "22 records ready" and read 20 here, the rounding said only in
    # the column's help (an analyst's walkthrough).
    rounded = any(d.restricted and d.stored and is_open(d) for d in datasets.values())
    st.caption(
        "The map pages show each dataset's latest version (a link made for a report may show "
        "the version it was made with); the earlier ones stay kept in the store, unchanged."
        + (
            " A restricted dataset's records are given as its counts are shown: rounded to "
            f"{ROUNDING_BASE}, and never below {suppression_k()}."
            if rounded
            else ""
        )
    )


def dataset_actions() -> None:
    """Delete (to the trash), restore, or delete for good, uploaded datasets."""
    store = dataset_store()
    stored = store.list_datasets()
    trash = store.list_trash()
    left, right = st.columns(2)
    with left:
        st.markdown("**Move a dataset to the trash**")
        if stored:
            titles = {m.dataset_id: m.title for m in stored}
            chosen = st.selectbox(
                "Dataset", list(titles), key="datasets_delete_choice",
                format_func=lambda dataset_id: f"{titles[dataset_id]} ({dataset_id})",
            )  # fmt: skip
            metadata = {m.dataset_id: m for m in stored}[chosen]
            if _phrase_given(metadata, "datasets_delete") and st.button(
                "Move to trash", key="datasets_delete"
            ):
                store.delete(chosen)
                st.session_state["datasets_notice"] = (
                    f"Moved '{titles[chosen]}' ({chosen}) to the trash; restore it from there."
                )
                st.rerun()
        else:
            st.caption("No uploaded datasets.")
    with right:
        st.markdown("**Restore from the trash, or delete for good**")
        if trash:
            titles = {m.dataset_id: m.title for m in trash}
            chosen = st.selectbox(
                "Dataset in the trash", list(titles), key="datasets_restore_choice",
                format_func=lambda dataset_id: f"{titles[dataset_id]} ({dataset_id})",
            )  # fmt: skip
            if _phrase_given({m.dataset_id: m for m in trash}[chosen], "datasets_restore"):
                _trash_actions(store, chosen, titles[chosen])
        else:
            st.caption("The trash is empty.")
    notice = st.session_state.pop("datasets_notice", None)
    if notice:
        st.success(notice)


def _trash_actions(store: FileStore, chosen: str, title: str) -> None:
    if st.button("Restore", key="datasets_restore"):
        store.restore(chosen)
        st.session_state["datasets_notice"] = f"Restored '{title}' ({chosen})."
        st.rerun()
    sure = st.checkbox(
        "Delete it for good (cannot be undone)",
        key="datasets_purge_sure",
        help="Every version and its files are removed from this server. Files exported from it "
        "before are not affected.",
    )
    st.button(
        "Delete for good", key="datasets_purge", disabled=not sure,
        on_click=_purge_dataset, args=(chosen,),
    )  # fmt: skip


def _phrase_given(metadata: DatasetMetadata, key: str, action: str = "move it") -> bool:
    """Whether a dataset may be changed here; for a locked one not opened in this session, its
    access phrase is asked for first."""
    if is_open(metadata):
        return True
    say = partial(st.caption, f"This dataset is locked: give its access phrase to {action}.")
    _phrase_form(metadata, key, say)
    return False


def _purge_dataset(dataset_id: str) -> None:
    """Delete a dataset in the trash for good, and forget whatever this server holds of it."""
    dataset_store().purge(dataset_id)
    # Loaded records, tables and views of it are dropped too, not left to age out of the caches.
    for cached in (_load_dataset_records, _load_record_table, _load_view, _load_view_options):
        cached.clear()
    st.session_state["datasets_purge_sure"] = False
    st.session_state["datasets_notice"] = (
        f"Deleted '{dataset_id}' for good: its versions and files are gone from this server. "
        "Files exported from it before are not affected."
    )


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


def propose_upload_mapping(read: ReadResult) -> ColumnMapping:
    """The proposed mapping, or a saved one the analyst reuses for a file of the same layout.

    The column choices below follow whichever of the two is in use: loading a saved mapping sets
    them to its columns, and removing it brings the proposal back.
    """
    key = ("upload_proposed", read.file_name, len(read.frame), tuple(map(str, read.frame.columns)))
    if st.session_state.get("upload_proposed_key") != key:
        # A new file: the column and place choices made for the last one no longer apply.
        for stale in [
            k for k in st.session_state if str(k).startswith(("upload_map_", "upload_place_"))
        ]:
            del st.session_state[stale]
        st.session_state["upload_proposed_key"] = key
        st.session_state["upload_proposed"] = propose_mapping(read.frame, load_places())
        st.session_state.pop("upload_mapping_source", None)
    mapping: ColumnMapping = st.session_state["upload_proposed"]
    source: tuple = key
    saved = st.file_uploader(
        "Reuse a saved column mapping (optional)", type=["json"], key="upload_mapping_file"
    )
    if saved is not None:
        content = saved.getvalue()
        try:
            mapping = mapping_from_dict(json.loads(content.decode("utf-8")), where=saved.name)
            source = (*key, saved.name, hashlib.sha256(content).hexdigest())
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            st.error(f"{saved.name} is not a saved mapping ({error}); the proposal is used.")
        except MappingError as error:
            st.error(f"{error} The proposal is used instead.")
        else:
            missing = [c for c in mapping.columns_used() if c not in map(str, read.frame.columns)]
            if missing:
                st.warning(
                    f"{saved.name} names columns that {read.file_name} does not have: "
                    f"{', '.join(missing)}. Choose their columns below, or use the mapping saved "
                    "for this file's layout."
                )
    if st.session_state.get("upload_mapping_source") != source:
        _set_mapping_widgets(read.frame, mapping)
        st.session_state["upload_mapping_source"] = source
    st.session_state["upload_mapping_saved"] = source != key  # for mapping_controls' heading
    return mapping


def _set_mapping_widgets(frame: pd.DataFrame, mapping: ColumnMapping) -> None:
    """Set the column choices of :func:`mapping_controls`' widgets to a mapping's columns."""
    columns = {str(column) for column in frame.columns}
    for field in MAPPING_FIELDS:
        column = mapping.column_of(field)
        st.session_state[f"upload_map_{field}"] = column if column in columns else _NONE
    for field in (ORIGIN, DESTINATION):
        st.session_state[_constant_key(field)] = mapping.constants.get(field, "")
    for field in FALLBACK_FIELDS:
        second = mapping.fallbacks.get(field)
        st.session_state[_fallback_key(field)] = second if second in columns else _NONE
    st.session_state["upload_wide"] = mapping.is_wide
    st.session_state["upload_empty_count"] = mapping.empty_count
    st.session_state.pop("upload_wide_editor", None)  # the editor starts again from the mapping


def mapping_download(mapping: ColumnMapping, file_name: str) -> None:
    st.download_button(
        "Save this column mapping for the next file of the same layout",
        json.dumps(mapping_to_dict(mapping), indent=2, ensure_ascii=False),
        file_name=f"{file_name.rsplit('.', 1)[0]}.mapping.json",
        mime="application/json",
        key="upload_mapping_download",
    )


def prepare_or_explain(
    read: ReadResult, mapping: ColumnMapping, aliases: dict[str, str] | None = None
) -> PreparedImport | None:
    """The prepared import, or a clear message when the mapping does not fit the table."""
    try:
        return prepare_upload(read, mapping, aliases)
    except MappingError as error:
        st.error(f"{error} Change the column choices above.")
        return None


def show_renamed_places(
    prepared: PreparedImport | None, chosen: Mapping[str, str] | None = None
) -> None:
    """The names placed under another name (an alias), for the analyst to check: "Biratnagar"
    is drawn as the Rani crossing, and the map and tables name it so. Those the analyst placed
    on the page (``chosen``) are not listed again: this list says to correct the file."""
    if prepared is None:
        return
    report = prepared.renamed_report()
    report = report[~report["name"].isin(list(chosen or {}))]
    if report.empty:
        return
    undivided = places_undivided(report)
    with st.expander(
        f"{_plural(len(report), 'name')} placed under another name"
        f"{' or as an undivided district' if undivided else ''}: check each is the place "
        "you meant",
        icon=":material/travel_explore:",
        # Open when short: "Kathmandu" drawn as its airport is an assumption to see, not find.
        expanded=len(report) <= 6,
    ):
        st.caption(
            "These names are known to the atlas by another name (a spelling, an abbreviation, "
            "or a border crossing named after its town). The maps and tables use the name on the "
            "right. To place one elsewhere, correct it in the file and upload it again."
            + (
                " An undivided district (before the 2015 split) is counted in no current "
                "district or province: write East or West where the records say which."
                if undivided
                else ""
            )
        )
        st.dataframe(
            pd.DataFrame(
                {
                    "Role": report["role"].str.capitalize(),
                    "Name in the file": report["name"],
                    "Rows": report["rows"],
                    "Placed as": report["place"],
                    "What it is": report["what"],
                }
            ),
            hide_index=True,
            # "Placed as" was cut ("United Arab Emi", "Kathmandu Trib") beside a wide "Rows".
            column_config={"Rows": st.column_config.NumberColumn(width="small")},
        )


def show_remaining_unplaced(prepared: PreparedImport | None) -> None:
    if prepared is None:
        return
    report = prepared.place_report()
    if report.empty:
        st.success("With your choices, every name is placed.")
    else:
        st.info(
            f"With your choices, {_plural(len(report), 'name')} "
            f"({_plural(prepared.unplaced_rows, 'row')}) "
            f"{'remains' if len(report) == 1 else 'remain'} unplaced; kept in the data as unplaced."
        )


# --- Export ---------------------------------------------------------------------------------

#: Why a records file's records are not in the flows: DoFE's table by district, or else records
#: whose origin or destination is not placed or known.
OUTSIDE_FLOWS_DOFE = (
    "DoFE's table by origin district, which counts the permits of its table by destination "
    "again (with no destination)"
)
OUTSIDE_FLOWS_OTHER = "they name no placed origin or no known destination"
#: The columns of the records' exports: the record schema's and those the app derives. A
#: dataset saved before the file's other columns were dropped on upload keeps them in its store,
#: but no export carries them (a survivor file's names and phone numbers were offered).
_EXPORTED_RECORD_COLUMNS = (
    *RECORD_COLUMNS, *PERIOD_COLUMNS, ORIGIN_ID, DESTINATION_ID, TRANSIT_IDS, ORIGIN_PROVINCE,
    DESTINATION_REGION, DATASET,
)  # fmt: skip


def view_link(state: FilterState, default: FilterState | None = None) -> str:
    """The address that reopens this view: this page's address with the view's query."""
    base = str(st.context.url or "").split("?")[0]
    if base and not urlsplit(base).path:
        base += "/"  # "http://host:8501/?data=..." rather than "http://host:8501?data=..."
    query = urlencode(to_query(state, default))
    return f"{base}?{query}" if query else base


def _export_metadata(
    state: FilterState, title: str, link: str, notes: tuple[str, ...] = ()
) -> ExportMetadata:
    """What every file of an export says about itself; ``notes`` about this view (what it
    leaves out) follow the datasets' caveats."""
    datasets = available_datasets(state.versions)
    chosen = [datasets[d] for d in state.datasets if d in datasets]
    credits = [
        DatasetCredit(
            title=info.title + (" (synthetic demonstration data)" if info.synthetic else ""),
            organisation=info.organisation,
            licence=info.licence,
            source_note=info.source_note,
            sensitivity=info.sensitivity,
        )
        for info in chosen
    ]
    names = filter_names(state)
    focus = []
    if state.focus:
        # A province is only ever an origin: its districts' records.
        province = kind_of_id(state.focus) == PROVINCE
        how = (
            "records leaving from its districts" if province else "flows into, out of or through it"
        )
        focus.append(f"Focus: {names.get(state.focus, state.focus)} ({how})")
    focus += ["Re-entry approvals: included"] if reentry_note(state) else []
    # All years is no filter, but a file must say its period: a table of 16 months across two
    # fiscal years said none (a regression walkthrough), where a year's said "2079/80".
    period = (
        [f"{FACET_LABELS['fiscal_year']}: all years"]
        if not (state.fiscal_year or state.month_from or state.month_to)
        else []
    )
    return build_export_metadata(
        title,
        [*period, *state.describe(names), *focus],
        credits,
        view_k(state),
        caveats=(*(caveat for info in chosen for caveat in info.caveats), *notes),
        link=link,
    )


def _tables(view: View) -> dict[str, pd.DataFrame]:
    """The tables a view exports.

    Flows and corridors are protected each as one system of tables; with restricted data a
    corridors page exports only the corridor system, so that no count hidden in one system can be
    worked out from the other. The months are the chart beside the map (protected on their own,
    against their sum: the view's total), when the page gives them (a restricted view leaves
    them out beside a small total: see View.months_withheld).
    """
    flow_tables = {
        "flows": view.flows,
        "destinations": view.destination_table,
        "districts": view.districts,
        "nodes": view.nodes,
    }
    # Unknown is not zero (see missing_notes).
    if no_destination_records(view):
        flow_tables = {"districts": view.districts}
    if no_district_records(view) or not len(view.districts):
        # None recorded, or none shown (restricted data whose origins are the nation): a file of
        # column names only said nothing.
        del flow_tables["districts"]
    flow_tables = _with_provinces(view, flow_tables)
    corridor_tables = {
        "corridors": view.corridors,
        "legs": view.legs,
        "places": view.corridor_nodes,
    }
    # As on the page: no chart of one month, nor of months all hidden (a list of them, each
    # at least 1, would say more than the page does).
    shown = len(view.trend) > 1 and view.trend["count"].notna().any()
    months = {"months": view.trend} if shown else {}
    if not len(view.corridors):
        return {**flow_tables, **months}
    if view.k is not None:
        return {**corridor_tables, **months}
    return {**flow_tables, **months, **corridor_tables}


def _with_provinces(view: View, tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The tables or layers, with the provinces' totals after the districts' when the page shows
    origins by province (the export had the districts only)."""
    if "districts" not in tables or not by_province(view):
        return tables
    with_provinces = {}
    for name, table in tables.items():
        # A restricted view's origin areas are provinces already (see compute_view).
        if name != "districts" or view.k is None:
            with_provinces[name] = table
        if name == "districts":
            with_provinces["provinces"] = origin_areas(view)
    return with_provinces


#: What each exported table or layer counts, after the unit ("Labour approvals by destination"):
#: each file says what it holds, not only the page's title.
TABLE_TITLES = {
    "flows": "from origin to destination",
    "destinations": "by destination",
    "districts": "by origin district",
    "provinces": "by origin province",
    "nodes": "arriving at and leaving each place",
    "months": "by month",
    # The corridors count the records whose every place is placed: beside the destinations'
    # totals (every record), a file of places read India 32 against its 59 (a walkthrough).
    "corridors": "by corridor (whole path from origin to destination, of the records whose "
    "every place is placed)",
    "legs": "by corridor leg (of the corridors drawn, top N)",
    "places": "through each place on the corridors (of the corridors' records, not every "
    "record's destination)",
}


def _layers(view: View) -> dict[str, gpd.GeoDataFrame]:
    flow_layers = {
        "flows": view.flows,
        # The map's circles: the drawn flows' places hold their origins too, which this layer
        # gave GIS users as destinations of 0 (a walkthrough).
        "destinations": view.nodes[arrivals(view.nodes)],
        "districts": view.districts,
    }
    # Unknown is not zero, as in the tables (see missing_notes).
    if no_district_records(view):
        del flow_layers["districts"]
    if no_destination_records(view):
        del flow_layers["destinations"]
    flow_layers = _with_provinces(view, flow_layers)
    corridor_layers = {"corridor_legs": view.legs, "corridor_places": view.corridor_nodes}
    if not len(view.corridors):
        return flow_layers
    return corridor_layers if view.k is not None else {**flow_layers, **corridor_layers}


@dataclass(frozen=True)
class _Download:
    label: str
    file_name: str
    mime: str
    make: Callable[[], bytes]


#: Said in the documented routes' export: what they are and are not.
DOCUMENTED_CAVEAT = (
    "Documented routes are reported in public sources, each row naming its own; they carry no "
    "volumes and are not drawn from the view's records."
)


#: The filters that choose which documented routes a view draws (see documented_paths_for).
_DOCUMENTED_FILTERS = tuple(
    f"{FACET_LABELS[field]}:"
    for field in ("focus", "transit_places", "destination_countries", "destination_regions")
)


def documented_credit() -> DatasetCredit:
    """The documented routes as an export credits them: each route names its own source."""
    routes = read_documented_routes()
    return DatasetCredit(
        title="Routes documented in public reports",
        organisation="each route's own source (press reports, investigative journalism, NGO "
        "and parliamentary reports)",
        licence="facts reported in public sources, each credited",
        source_note=f"{len(routes)} routes from {routes[SOURCE_URL].nunique()} public sources; "
        "each row's source_title, source_url and source_date name its own.",
        sensitivity="public",
    )


def with_documented(metadata: ExportMetadata) -> ExportMetadata:
    """The metadata of a map that draws the documented routes beside the view's data: their
    sources credited too (the corridors map image credited only the synthetic cases)."""
    return dataclasses.replace(metadata, datasets=(*metadata.datasets, documented_credit()))


def documented_metadata(metadata: ExportMetadata) -> ExportMetadata:
    """The documented routes' own file: their sources, not the view's datasets (it was headed
    "Dataset: Synthetic demonstration cases"), and only the filters that choose them."""
    return dataclasses.replace(
        metadata,
        title="Routes documented in public reports (no volumes), as drawn on the map",
        filters=tuple(line for line in metadata.filters if line.startswith(_DOCUMENTED_FILTERS)),
        datasets=(documented_credit(),),
        suppression=None,
        caveats=(DOCUMENTED_CAVEAT,),
    )


def export_metadata(
    view: View, state: FilterState, page_path: str, unit: str, title: str
) -> ExportMetadata:
    """What every file of a page's export says about itself, its link pinning the versions
    shown: a report's link reopens its figures after a new version (the census comparison's
    link did not)."""
    pinned = dataclasses.replace(state, versions=version_pins(state.datasets, state.versions))
    link = view_link(pinned, export_link_base(state, st.session_state.get(f"{page_path}_default")))
    left_out = left_out_notes(view, unit, corridors=page_path == "corridors")
    return _export_metadata(state, title, link, left_out)


def _downloads(
    view: View,
    metadata: ExportMetadata,
    unit: str,
    map_html: Callable[[], bytes] | None,
    documented: gpd.GeoDataFrame | None = None,
    census: CensusComparison | None = None,
    map_images: Sequence[tuple[str, str, Callable[[], bytes]]] = (),
) -> list:
    """Every file of the view's export, each made only when asked for, each titled by what it
    holds (the map, the layers and the bundle by the page's title); with the ``documented``
    routes the map draws, their table and layer too (they were drawn, and in no file)."""

    def titled(name: str) -> ExportMetadata:
        titled_metadata = dataclasses.replace(metadata, title=f"{unit} {TABLE_TITLES[name]}")
        if name in ("districts", "provinces"):
            titled_metadata = origin_file_metadata(view, titled_metadata)
        return without_flow_cuts(titled_metadata) if name == "months" else titled_metadata

    files = []
    if not metadata.restricted:

        def records() -> pd.DataFrame:
            source = load_record_table(view.state.datasets, view.state.versions)
            kept = filtered_records(source, view.state, focus=True)
            kept = kept[[column for column in kept.columns if column in _EXPORTED_RECORD_COLUMNS]]
            # What each count is, beside the dataset it is from: combined datasets count
            # different things (approvals, surveyed workers), which a reader must not add up.
            datasets = available_datasets(view.state.versions)
            units = {d: datasets[d].unit for d in view.state.datasets if d in datasets}
            return kept.assign(
                unit=kept[DATASET].astype("string").map(units).astype("string"),
                in_flows=counted_in_flows(kept),
            )

        records_metadata = without_flow_cuts(
            dataclasses.replace(metadata, title=f"{unit}: the records of this view")
        )

        def records_file(write: Callable, workbook: bool) -> bytes:
            kept = records()
            dofe = DOFE_ID in set(kept.loc[~kept["in_flows"], DATASET].astype(str))
            why = OUTSIDE_FLOWS_DOFE if dofe else OUTSIDE_FLOWS_OTHER
            note = outside_flows_note(kept, why, workbook=workbook, counted_again=dofe)
            caveats = (note,) if note else ()
            return write(
                kept,
                dataclasses.replace(
                    records_metadata, caveats=(*caveats, *records_metadata.caveats)
                ),
            )

        files += [
            _Download("Records (CSV)", "records.csv", "text/csv",
                      partial(records_file, write_records_csv, False)),
            _Download("Records (Excel)", "records.xlsx", XLSX_MIME,
                      partial(records_file, write_records_xlsx, True)),
        ]  # fmt: skip
    tables = _tables(view)
    files += [
        _Download(f"{name.capitalize()} (CSV)", f"{name}.csv", "text/csv",
                  partial(write_table_csv, table, titled(name)))
        for name, table in tables.items()
    ]  # fmt: skip
    if tables:
        # Every table in one workbook: a CSV's lines of metadata split at their commas in a
        # spreadsheet, and restricted data had no Excel file at all (a union's walkthrough);
        # the census comparison too (a researcher found it in CSV only).
        def workbook() -> bytes:
            sheets = {name: (table, titled(name)) for name, table in tables.items()}
            if census is not None:
                compared = census_tables(view, unit, census, metadata)
                sheets |= {name.removesuffix(".csv"): pair for name, pair in compared.items()}
            if documented is not None and len(documented):
                sheets["documented_routes"] = (documented, documented_metadata(metadata))
            return write_tables_xlsx(sheets, metadata)

        files.append(_Download("Tables (Excel)", TABLES_WORKBOOK, XLSX_MIME, workbook))
    if census is not None:
        files += census_downloads(view, unit, census, lambda: metadata)
    layers = _layers(view)
    if documented is not None and len(documented):
        routes_metadata = documented_metadata(metadata)
        files.append(
            _Download("Documented routes (CSV)", "documented_routes.csv", "text/csv",
                      partial(write_table_csv, documented, routes_metadata))
        )  # fmt: skip
        layers = {**layers, "documented_routes": documented}
    # The lines the page draws: a corridors page's legs (its file held the flow page's flows).
    line_layer = "corridor_legs" if "corridor_legs" in layers else next(iter(layers))
    lines = layers[line_layer]
    files += [
        _Download("Lines (GeoJSON)", "lines.geojson", "application/geo+json",
                  partial(write_geojson, lines, titled(line_layer.removeprefix("corridor_")))),
        _Download("All layers (GeoPackage)", "view.gpkg", "application/geopackage+sqlite3",
                  partial(write_geopackage, layers, metadata)),
        *([_Download("Map (HTML, works offline)", "map.html", "text/html", map_html)]
          if map_html is not None else []),
        *(_Download(label, name, "image/png", make) for label, name, make in map_images),
        _Download("Link to this view", "link.txt", "text/plain",
                  lambda: (metadata.link or "").encode("utf-8") + b"\n"),
    ]  # fmt: skip
    return files


def export_controls(
    view: View,
    state: FilterState,
    page_path: str,
    unit: str,
    title: str,
    build_map: Callable[[], folium.Map],
    census: CensusComparison | None = None,
    build_origin_map: Callable[[], folium.Map] | None = None,
    metadata: ExportMetadata | None = None,
) -> None:
    """Download what is on screen, each file with its metadata; or all of it in one zip; with
    the ``census`` comparison the page shows, and an image of each map (the origin map's when
    ``build_origin_map`` gives one).

    ``title`` names the page's whole view (the map, the layers, the zip); each table is titled
    by what it counts, in ``unit``. ``metadata``: :func:`export_metadata`, where the page made
    it already (for the census comparison's buttons)."""
    corridors = page_path == "corridors"
    metadata = metadata or export_metadata(view, state, page_path, unit, title)
    metadata = without_flow_cuts(metadata, kept=flows_cut(view, corridors))

    documented = documented_paths_for(state) if corridors and state.documented else None
    # A map drawing the documented routes credits their sources too, as does the bundle.
    drawn_routes = documented is not None and len(documented) > 0
    map_metadata = with_documented(metadata) if drawn_routes else metadata

    def map_html() -> bytes:
        return write_map_html(build_map(), map_metadata)

    # No map of flows where the page draws none (no record says where its workers went): the
    # export held an empty world map.
    drawn = corridors or not (no_destination_records(view) and not len(view.flows))
    images = [("Map image (PNG)", "map.png", lambda: map_image(build_map(), map_metadata))]
    images = images if drawn else []
    if build_origin_map is not None and has_origin_map(view):
        area = "province" if by_province(view) else "district"
        images.append(
            (f"Origin {area} map image (PNG)", "origin_map.png",
             lambda: map_image(build_origin_map(),
                               origin_file_metadata(view, without_flow_cuts(metadata))))
        )  # fmt: skip
    files = _downloads(
        view, metadata, unit, map_html if drawn else None, documented, census, images
    )

    # The zip's README and metadata.json credit every source its files hold: the census too,
    # when its comparison is in it (a researcher's citation found DoFE alone).
    bundle_metadata = with_census(map_metadata) if census is not None else map_metadata

    def bundle() -> bytes:
        return write_bundle_zip({item.file_name: item.make() for item in files}, bundle_metadata)

    with st.expander("Export this view", icon=":material/download:"):
        st.caption(
            "Every file says which filters, datasets, sources and licences it holds, when it was "
            "made, and whether small-cell suppression was applied."
            + (" " + metadata.suppression if metadata.suppression else "")
        )
        st.caption("Link to this view (copy it with the button at its right):")
        st.code(metadata.link or "", language=None, wrap_lines=True)
        if metadata.restricted:
            st.caption(
                "Record-level files are not offered for restricted data: one record can "
                "describe fewer people than the threshold."
            )
        # One row that wraps, each button as wide as its label: in four equal columns they
        # read "Records (C…" and "Records (E…" at 820 px (a regression walkthrough).
        row = st.container(horizontal=True, gap="small", key=f"{page_path}_export_buttons")
        # Named by page, data and minute (see export_file_stem), so that exports do not
        # overwrite each other as "map.png" and "atlas-export.zip" in a downloads folder (the
        # zip's files keep their plain names, which its README lists).
        named = export_file_stem(
            page_path, state.datasets, metadata.created_at, metadata.restricted
        )
        everything = _Download("Everything (zip)", f"{named}.zip", "application/zip", bundle)
        for item in [*files, everything]:
            with row:
                downloaded = item if item is everything else dataclasses.replace(
                    item, file_name=f"{named}-{item.file_name}"
                )  # fmt: skip
                _download_button(downloaded, item.label, f"{page_path}_export_{item.file_name}")


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def without_flow_cuts(metadata: ExportMetadata, kept: Collection[str] = ()) -> ExportMetadata:
    """The metadata of a file that top N and the minimum volume do not cut (the records, the
    months): those filters are not listed on it, which said the file held the top 200 flows;
    ``kept``, those that do cut it, stay."""
    cuts = tuple(f"{FACET_LABELS[f]}:" for f in ("top_n", "min_count") if f not in kept)
    return dataclasses.replace(
        metadata, filters=tuple(line for line in metadata.filters if not line.startswith(cuts))
    )


def show_reference_cards() -> None:
    """The reference data set beside the datasets (the census, the documented routes): listed
    with their sources and licences as the datasets are (they were only in the provenance
    notes, though the census comparison and the routes' layer show them)."""
    routes = read_documented_routes()
    # By address: a title may be shared ("same parliamentary report").
    sources = routes[SOURCE_URL].nunique()
    cards = [
        (
            CENSUS_TITLE,
            f"**Source.** {CENSUS_ORGANISATION}: {CENSUS_SOURCE}  \n"
            f"**Licence.** {CENSUS_LICENCE}  \n**Shown.** Beside the origin districts on the "
            "flow map page (Compare with the 2021 census).",
            CENSUS_CAVEATS,
        ),
        (
            "Routes documented in public reports",
            f"**Source.** {len(routes)} routes, each citing its own public source ({sources} "
            "sources: press reports, investigative journalism, NGO investigations), with its "
            "address and date in the table on the corridors page and in its export.  \n"
            "**Licence.** Facts reported in public sources, each credited.  \n**Shown.** As a "
            "layer of the corridors map and a table beside it.",
            (DOCUMENTED_CAVEAT,),
        ),
    ]
    st.markdown("### Reference data")
    for title, text, caveats in cards:
        with st.container(border=True):
            st.markdown(f"#### {title}")
            st.markdown(text)
            st.markdown("\n".join(f"- {caveat}" for caveat in caveats))


def show_dataset_cards() -> None:
    """Each dataset: who made it, its licence and sensitivity, and what an analyst must know."""
    for info in available_datasets().values():
        with st.container(border=True):
            label = " — synthetic demonstration data" if info.synthetic else ""
            st.markdown(f"#### {info.title}{label}")
            if not is_open(info):
                st.caption(_LOCKED_DETAILS)
                continue
            st.markdown(
                f"**Source.** {info.source_note}  \n**Licence.** {info.licence}  \n"
                f"**Sensitivity.** {info.sensitivity}"
                + (
                    f" (counts below {suppression_k()} are suppressed, and the counts shown are "
                    f"rounded to the nearest {ROUNDING_BASE})"
                    if info.restricted
                    else ""
                )
                + (
                    "; locked: shown only in browser sessions that gave its access phrase"
                    if info.locked
                    else ""
                )
            )
            if info.caveats:
                st.markdown("\n".join(f"- {caveat}" for caveat in info.caveats))
