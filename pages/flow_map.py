"""Flows to every destination and volumes by origin district, each beside a table."""

import streamlit as st

from routes import ui
from routes.datasets import DOFE_ID
from routes.filters import FilterState

PREFIX = "flows"
# The largest 200 flows: every destination of the DoFE tables, and a readable, light map when an
# uploaded district-level dataset has thousands of origin-destination pairs.
DEFAULT = FilterState(datasets=(DOFE_ID,), fiscal_year="2079/80", top_n=200)

ui.page_setup("Where Nepali migrant workers go")
ui.narrow_intro()
state = ui.view_controls(PREFIX, DEFAULT)
ui.synthetic_notice(state)
ui.outside_period_notice(state)
view = ui.load_view(state)
unit = ui.unit_of(state)
ui.active_filters_bar(PREFIX, state, DEFAULT)
ui.show_suppression_notice(view)
text = ui.map_text(state, unit, unit, flow_cuts=ui.flows_cut(view), view=view)

st.subheader("Destinations")
map_column, table_column = ui.map_row("destinations", [2.6, 1.6])
with map_column:
    ui.show_flow_map(view, state, text, PREFIX)
with table_column:
    ui.show_destination_table(view, unit)

# The guidance goes under the details on narrow windows (a column of 180 px at 820 px).
detail_column, guidance_column = ui.map_row("details", [1.6, 1])
with detail_column:
    if state.focus:
        ui.show_focus_panel(view, state.focus, unit)
    else:
        ui.show_trend(view, unit, f"{unit} by month")
    ui.show_source_note(state)
with guidance_column:
    ui.show_guidance_panel(ui.guidance_selection(state.focus or None, state))

area = "province" if ui.by_province(view) else "district"
st.subheader(f"Origin {area}s")
map_column, table_column = ui.map_row("origins", [2.6, 1.6])
with map_column:
    # The origin map follows a focus only when the district data say where workers went.
    district_text = ui.map_text(
        state,
        unit,
        f"{unit} by origin {area}",
        focused=view.districts_focused,
        flow_cuts=(),
        view=view,
    )
    ui.show_district_map(view, state, district_text, PREFIX)
with table_column:
    if ui.by_province(view):
        ui.show_province_table(view, unit)
    else:
        ui.show_district_table(view, unit)
# The view's export metadata, once: the census comparison's buttons and the export share it.
title = f"{unit}: destinations and origin districts"
metadata = ui.export_metadata(view, state, PREFIX, unit, title)
census = ui.show_census_comparison(view, state, unit, metadata)

ui.export_controls(
    view,
    state,
    PREFIX,
    unit,
    title,
    build_map=lambda: ui.flow_map(view, text),
    census=census,
    build_origin_map=lambda: ui.origin_map(view, district_text),
    metadata=metadata,
)
