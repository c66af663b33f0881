"""The only Streamlit module: cached loaders, shared widgets and page setup.

Pages call these; the work itself is done by the Streamlit-free modules below.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import streamlit as st
import streamlit.components.v1 as components
import xstatic.pkg.leaflet as xstatic_leaflet
from streamlit_folium import st_folium

from routes import dofe
from routes.filters import FilterState, filter_records, latest_fiscal_year, months_in_order
from routes.flows import (
    FlowTotals,
    compute_destination_table,
    compute_district_totals,
    compute_flow_totals,
    compute_flows,
    compute_nodes,
)
from routes.gazetteer import Gazetteer, load_gazetteer, place_records
from routes.maps import (
    LeafletAssets,
    MapText,
    build_district_map,
    build_flow_map,
    format_count,
)
from routes.periods import fiscal_year_bs_to_ad
from routes.schema import CHANNEL, SEX
from routes.settings import DATA_DIR

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
        flows=flows,
        nodes=compute_nodes(gazetteer, flows),
        districts=district_totals,
        destination_table=compute_destination_table(flows),
        totals=compute_flow_totals(destinations, flows),
        district_total=int(district_totals["count"].sum()),
    )


def show_flow_map(view: FlowView, text: MapText, key: str) -> None:
    fmap = build_flow_map(
        view.flows, view.nodes, view.districts, load_places().countries, text, LEAFLET_ASSETS
    )
    st_folium(
        fmap,
        key=key,
        height=MAP_HEIGHT_PX,
        use_container_width=True,
        returned_objects=[],
    )


def show_district_map(view: FlowView, text: MapText, key: str) -> None:
    fmap = build_district_map(view.districts, load_places().countries, text, LEAFLET_ASSETS)
    st_folium(
        fmap, key=key, height=MAP_HEIGHT_PX - 120, use_container_width=True, returned_objects=[]
    )


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


def show_destination_table(view: FlowView, unit: str) -> None:
    table = view.destination_table
    st.metric(f"{unit}, all destinations", format_count(view.totals.flows_total))
    st.dataframe(
        pd.DataFrame(
            {
                "Destination": table["destination_name"],
                unit: table["count"],
                "Share": table["share"] * 100,
            }
        ),
        hide_index=True,
        height=MAP_HEIGHT_PX - 110,
        column_config={
            unit: st.column_config.NumberColumn(format="localized"),
            "Share": st.column_config.NumberColumn(format="%.1f%%"),
        },
    )


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
