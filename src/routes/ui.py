"""The only Streamlit module: cached loaders, shared widgets and page setup.

Pages call these; the work itself is done by the Streamlit-free modules below.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import geopandas as gpd
import pandas as pd
import streamlit as st
import streamlit.components.v1 as components
import xstatic.pkg.leaflet as xstatic_leaflet
from streamlit_folium import st_folium

from routes import dofe
from routes.documented import compute_documented_paths, read_documented_routes
from routes.filters import FilterState, filter_records, latest_fiscal_year, months_in_order
from routes.flows import (
    LEVELS,
    FlowTotals,
    compute_corridor_nodes,
    compute_corridors,
    compute_destination_table,
    compute_district_totals,
    compute_flow_totals,
    compute_flows,
    compute_legs,
    compute_nodes,
    compute_place_breakdown,
    compute_place_trend,
    find_place_at,
)
from routes.gazetteer import Gazetteer, load_gazetteer, place_records
from routes.guidance import (
    AUDIENCES,
    GUIDANCE_DIR,
    STAGES,
    TOPICS,
    GuidanceEntry,
    GuidanceError,
    GuidanceSelection,
    guidance_selection_for,
    match_guidance,
    read_guidance_library,
    save_guidance_entry,
    search_guidance,
    tag_label,
)
from routes.maps import (
    LeafletAssets,
    MapText,
    build_corridor_map,
    build_district_map,
    build_flow_map,
    format_count,
)
from routes.periods import fiscal_year_bs_to_ad
from routes.schema import CHANNEL, EXPLOITATION, SECTOR, SEX, validate_records
from routes.settings import DATA_DIR, STORE_DIR
from routes.synthetic import generate_synthetic_cases

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


def page_setup(title: str) -> None:
    """The heading and the sidebar every page shares."""
    st.title(title)
    with st.sidebar:
        st.caption(
            f"**{APP_TITLE}**: where Nepali migrant workers go, from public and collective "
            "route data. Every figure shows its source."
        )


@st.cache_resource(show_spinner="Loading places…")
def load_places() -> Gazetteer:
    return load_gazetteer()


@dataclass(frozen=True)
class DefaultData:
    """The shipped DoFE tables as placed records."""

    destinations: pd.DataFrame
    districts: pd.DataFrame
    source_note: str


@st.cache_data(show_spinner="Loading the DoFE labour approvals…")
def load_default_data() -> DefaultData:
    gazetteer = load_places()
    by_destination = dofe.read_dofe_destination_table()
    by_district = dofe.read_dofe_district_table()
    return DefaultData(
        destinations=place_records(gazetteer, by_destination.records).records,
        districts=place_records(gazetteer, by_district.records).records,
        source_note=by_destination.source_note.replace(
            f" (file {dofe.DESTINATION_TABLE.name})", ""
        ),
    )


def flow_filter_controls(records: pd.DataFrame, key_prefix: str) -> FilterState:
    """Period, sex, channel and the re-entry switch, in the sidebar."""
    with st.sidebar:
        st.subheader("Filters")
        years = sorted(records["fiscal_year"].dropna().unique().tolist(), reverse=True)
        latest = latest_fiscal_year(records)
        year = st.selectbox(
            "Fiscal year",
            years,
            index=years.index(latest) if latest in years else 0,
            format_func=lambda fy: f"{fy} BS ({fiscal_year_bs_to_ad(fy)} AD)",
            key=f"{key_prefix}_fiscal_year",
        )
        months = st.multiselect(
            "Months (all when empty)",
            months_in_order(records, (year,)),
            key=f"{key_prefix}_months",
        )
        sexes = st.multiselect(
            "Sex (all when empty)",
            sorted(records[SEX].dropna().unique().tolist()),
            key=f"{key_prefix}_sex",
        )
        channels = st.multiselect(
            "Channel (all when empty)",
            [channel for channel in dofe.CHANNELS.values() if channel in set(records[CHANNEL])],
            key=f"{key_prefix}_channel",
        )
        include_reentry = st.toggle(
            "Count re-entry approvals",
            value=True,
            key=f"{key_prefix}_reentry",
            help="Off: new approvals only. Re-entry permits go to workers returning to a job "
            "they already held abroad.",
        )
    return FilterState(
        fiscal_years=(year,) if year else (),
        months=tuple(months),
        sexes=tuple(sexes),
        channels=tuple(channels),
        include_reentry=include_reentry,
    )


@dataclass(frozen=True)
class FlowView:
    records: pd.DataFrame
    flows: gpd.GeoDataFrame
    nodes: gpd.GeoDataFrame
    districts: gpd.GeoDataFrame
    destination_table: pd.DataFrame
    totals: FlowTotals
    district_total: int


@st.cache_data(show_spinner=False, max_entries=64)
def load_flow_view(state: FilterState) -> FlowView:
    """Filtered flows, nodes and district totals for the default data, cached per filter state."""
    gazetteer = load_places()
    data = load_default_data()
    destinations = filter_records(data.destinations, state)
    districts = filter_records(data.districts, state)
    flows = compute_flows(gazetteer, destinations, level="national")
    district_totals = compute_district_totals(gazetteer, districts)
    return FlowView(
        records=pd.concat([destinations, districts], ignore_index=True),
        flows=flows,
        nodes=compute_nodes(gazetteer, flows),
        districts=district_totals,
        destination_table=compute_destination_table(flows),
        totals=compute_flow_totals(destinations, flows),
        district_total=int(district_totals["count"].sum()),
    )


def tiles_control(key_prefix: str) -> bool:
    """Online tiles are opt-in: the map works without them, and they tell a third party."""
    with st.sidebar:
        return st.toggle(
            "Online basemap tiles (OpenStreetMap)",
            value=False,
            key=f"{key_prefix}_tiles",
            help="Off by default: the basemap is drawn from shipped outlines and the page "
            "contacts no other host. On: tiles are fetched from openstreetmap.org.",
        )


def _focus_from_click(map_key: str, focus_key: str, view: FlowView) -> None:
    """A click on the map focuses the place under it (a destination circle or a district)."""
    clicked = (st.session_state.get(map_key) or {}).get("last_object_clicked")
    if not clicked:
        return
    place_id = find_place_at(view.nodes, view.districts, clicked["lng"], clicked["lat"])
    if place_id:
        st.session_state[focus_key] = place_id


def show_flow_map(
    view: FlowView, text: MapText, key: str, focus_key: str, tiles: bool = False
) -> None:
    fmap = build_flow_map(
        view.flows,
        view.nodes,
        view.districts,
        load_places().countries,
        text,
        LEAFLET_ASSETS,
        tiles=tiles,
    )
    st_folium(
        fmap,
        key=key,
        height=MAP_HEIGHT_PX,
        use_container_width=True,
        returned_objects=["last_object_clicked"],
        on_change=partial(_focus_from_click, key, focus_key, view),
    )


def show_district_map(
    view: FlowView, text: MapText, key: str, focus_key: str, tiles: bool = False
) -> None:
    fmap = build_district_map(
        view.districts, load_places().countries, text, LEAFLET_ASSETS, tiles=tiles
    )
    st_folium(
        fmap,
        key=key,
        height=MAP_HEIGHT_PX - 120,
        use_container_width=True,
        returned_objects=["last_object_clicked"],
        on_change=partial(_focus_from_click, key, focus_key, view),
    )


def focus_control(view: FlowView, key: str) -> str | None:
    """Choose the place to focus on (a click on the map chooses it too)."""
    gazetteer = load_places()
    destinations = view.destination_table["destination_id"].tolist()
    districts = view.districts.sort_values("count", ascending=False)
    district_ids = districts.loc[districts["count"] > 0, "place_id"].tolist()
    options = ["", *destinations, *district_ids]
    if st.session_state.get(key) not in options:
        st.session_state[key] = ""
    with st.sidebar:
        chosen = st.selectbox(
            "Focus on a place (or click it on the map)",
            options,
            format_func=lambda pid: "— none —" if not pid else gazetteer.name_of(pid),
            key=key,
        )
    return chosen or None


def show_focus_panel(view: FlowView, place_id: str, unit: str) -> None:
    """Totals of the focused place, its breakdown by sex and channel, and its trend."""
    gazetteer = load_places()
    name = gazetteer.name_of(place_id)
    with st.container(border=True, key="focus_panel"):
        st.markdown(f"#### Focus: {name}")
        arriving = int(view.nodes.loc[view.nodes["place_id"] == place_id, "count_in"].sum())
        leaving = int(view.districts.loc[view.districts["place_id"] == place_id, "count"].sum())
        totals = [(f"{unit} to {name}", arriving), (f"{unit} from {name}", leaving)]
        shown = [(label, value) for label, value in totals if value] or totals[:1]
        for column, (label, value) in zip(st.columns(len(shown)), shown, strict=True):
            column.metric(label, format_count(value))
        for column, label in ((SEX, "Sex"), (CHANNEL, "Channel")):
            breakdown = compute_place_breakdown(view.records, place_id, column)
            st.dataframe(
                breakdown.rename(columns={column: label, "count": unit}),
                hide_index=True,
                column_config={unit: st.column_config.NumberColumn(format="localized")},
            )
        trend = compute_place_trend(view.records, place_id)
        if len(trend) > 1:
            st.caption(f"{unit} by month")
            st.bar_chart(trend, x="month", y="count", x_label="", y_label=unit, height=220)


def show_district_table(view: FlowView, unit: str) -> None:
    table = view.districts.sort_values(["count", "name"], ascending=[False, True])
    st.metric(f"{unit}, all districts", format_count(view.district_total))
    st.dataframe(
        pd.DataFrame(
            {
                "District": [
                    f"{name} (undivided)" if kind == "former_district" else name
                    for name, kind in zip(table["name"], table["kind"], strict=True)
                ],
                "Province": table["province"],
                unit: table["count"],
            }
        ),
        hide_index=True,
        height=MAP_HEIGHT_PX - 230,
        column_config={unit: st.column_config.NumberColumn(format="localized")},
    )


def _ranked_table(labels: pd.Series, label: str, table: pd.DataFrame, unit: str) -> None:
    """A ranked table of counts with their share, as beside every map."""
    st.dataframe(
        pd.DataFrame({label: labels, unit: table["count"], "Share": table["share"] * 100}),
        hide_index=True,
        height=MAP_HEIGHT_PX - 110,
        column_config={
            unit: st.column_config.NumberColumn(format="localized"),
            "Share": st.column_config.NumberColumn(format="%.1f%%"),
        },
    )


def show_destination_table(view: FlowView, unit: str) -> None:
    table = view.destination_table
    st.metric(f"{unit}, all destinations", format_count(view.totals.flows_total))
    _ranked_table(table["destination_name"], "Destination", table, unit)


def show_source_note(source_note: str, caveats: tuple[str, ...], filters: FilterState) -> None:
    with st.container(border=True):
        st.markdown(f"**Source.** {source_note}")
        st.markdown("\n".join(f"- {caveat}" for caveat in caveats))
        active = filters.describe()
        if active:
            st.caption("Filters: " + "; ".join(active))


@st.cache_data(show_spinner=False)
def load_data_sources_text() -> str:
    """The provenance notes shipped beside the data, for the "About the data" page."""
    parts = []
    for path in (DATA_DIR / "sources" / "README.md", DATA_DIR / "gazetteer" / "README.md"):
        if path.exists():
            parts.append(path.read_text(encoding="utf-8").replace("\n# ", "\n### "))
    return "\n\n---\n\n".join(parts)


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
    return guidance_selection_for(
        load_places(),
        place_id,
        exploitation_types=filters.exploitation,
        channels=filters.channels,
        sexes=filters.sexes,
    )


def show_guidance_panel(selection: GuidanceSelection, limit: int = 5) -> None:
    """Related guidance: the entries matching the selection, ranked, each with why it matches."""
    matches = match_guidance(load_guidance(), selection, limit=limit)
    with st.container(border=True, key="related_guidance"):
        st.markdown("#### Related guidance")
        if selection.focus_name:
            st.caption(f"For the selection: {selection.focus_name}")
        else:
            st.caption("Nothing selected: general starting points.")
        for match in matches:
            entry = match.entry
            title = f"[{entry.title}]({entry.link})" if entry.link else entry.title
            st.markdown(f"**{title}**  \n{_entry_facts(entry)}")
            st.caption("Why: " + "; ".join(match.reasons))


def guidance_search_controls(entries: tuple[GuidanceEntry, ...]) -> dict:
    query = st.text_input(
        "Search titles, summaries and tags", key="guidance_query", placeholder="e.g. referral"
    )
    columns = st.columns(4)
    regions = sorted({region for entry in entries for region in entry.regions})
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
    return {
        "query": query,
        "stages": stages,
        "topics": topics,
        "regions": chosen_regions,
        "audience": audience,
    }


def show_guidance_results(entries: tuple[GuidanceEntry, ...], controls: dict) -> None:
    found = search_guidance(
        entries,
        controls["query"],
        stages=controls["stages"],
        topics=controls["topics"],
        regions=controls["regions"],
        audience=controls["audience"],
    )
    st.caption(f"{len(found)} of {len(entries)} entries")
    for entry in found:
        with st.expander(f"{entry.title} — {_entry_facts(entry)}"):
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
            st.markdown(
                "\n".join(f"- **{label}:** {value}" for label, value in facts.items() if value)
            )


def guidance_upload_form(entries: tuple[GuidanceEntry, ...]) -> None:
    """Add an entry: a Markdown file with front matter, validated before anything is kept."""
    with st.expander("Add a guidance entry"):
        st.caption(
            "Upload one Markdown file with front matter (title, publisher, year, month, link, "
            "languages, stages, topics, regions, audience, general, checked_against) and a summary "
            "in your own words. See data/guidance/README.md for the allowed tags."
        )
        upload = st.file_uploader("Markdown file", type=["md"], key="guidance_upload")
        if upload is None:
            return
        if st.button("Validate and add", key="guidance_add"):
            try:
                text = upload.getvalue().decode("utf-8")
            except UnicodeDecodeError:
                st.error(f"{upload.name}: the file is not UTF-8 text; save it as UTF-8.")
                return
            try:
                entry = save_guidance_entry(text, upload.name, GUIDANCE_UPLOAD_DIR, entries)
            except GuidanceError as error:
                st.error(f"Nothing was added. {error}")
                return
            st.success(f"Added '{entry.title}'. It now appears in search and in the map panels.")


# --- Corridors ------------------------------------------------------------------------------

SYNTHETIC_RECORDS = 20_000


@st.cache_data(show_spinner="Generating the synthetic demonstration cases…")
def load_synthetic_records(n_records: int = SYNTHETIC_RECORDS) -> pd.DataFrame:
    gazetteer = load_places()
    cases = generate_synthetic_cases(n_records, gazetteer=gazetteer)
    validated = validate_records(cases).records
    return place_records(gazetteer, validated).records


@st.cache_data(show_spinner=False)
def load_documented_paths() -> gpd.GeoDataFrame:
    return compute_documented_paths(load_places(), read_documented_routes())


def corridor_filter_controls(
    records: pd.DataFrame, key_prefix: str
) -> tuple[FilterState, str, int]:
    """Sex, channel, sector, exploitation; origin level; how many corridors to draw."""

    def values(column: str) -> list[str]:
        return sorted(records[column].dropna().unique().tolist())

    with st.sidebar:
        st.subheader("Filters")
        sexes = st.multiselect("Sex (all when empty)", values(SEX), key=f"{key_prefix}_sex")
        channels = st.multiselect(
            "Channel (all when empty)", values(CHANNEL), key=f"{key_prefix}_channel"
        )
        sectors = st.multiselect(
            "Sector (all when empty)", values(SECTOR), key=f"{key_prefix}_sector"
        )
        exploitation = st.multiselect(
            "Exploitation type (all when empty)",
            values(EXPLOITATION),
            key=f"{key_prefix}_exploitation",
        )
        level = st.radio(
            "Origins grouped by",
            LEVELS,
            format_func=str.title,
            horizontal=True,
            key=f"{key_prefix}_level",
        )
        top_n = st.slider(
            "Corridors drawn (largest first)", 5, 200, 40, step=5, key=f"{key_prefix}_top_n"
        )
    state = FilterState(
        sexes=tuple(sexes),
        channels=tuple(channels),
        sectors=tuple(sectors),
        exploitation=tuple(exploitation),
    )
    return state, level, top_n


@dataclass(frozen=True)
class CorridorView:
    records_total: int
    corridors: pd.DataFrame
    legs: gpd.GeoDataFrame
    nodes: gpd.GeoDataFrame
    trend: pd.DataFrame


@st.cache_data(show_spinner=False, max_entries=64)
def load_corridor_view(state: FilterState, level: str, top_n: int) -> CorridorView:
    gazetteer = load_places()
    records = filter_records(load_synthetic_records(), state)
    corridors = compute_corridors(gazetteer, records, level)
    drawn = corridors.head(top_n)
    return CorridorView(
        records_total=int(records["count"].sum()),
        corridors=corridors,
        legs=compute_legs(gazetteer, drawn),
        nodes=compute_corridor_nodes(gazetteer, drawn),
        trend=compute_place_trend(records),
    )


def show_corridor_map(view: CorridorView, text: MapText, key: str, documented: bool) -> None:
    fmap = build_corridor_map(
        view.legs,
        view.nodes,
        load_documented_paths() if documented else None,
        load_places().countries,
        text,
        LEAFLET_ASSETS,
    )
    st_folium(fmap, key=key, height=MAP_HEIGHT_PX, use_container_width=True, returned_objects=[])


def show_corridor_table(view: CorridorView, unit: str, rows: int = 100) -> None:
    st.metric(f"{unit}, all corridors", format_count(view.corridors["count"].sum()))
    table = view.corridors.head(rows)
    _ranked_table(table["path_names"], "Corridor", table, unit)
