"""Corridors: whole paths through transit places, their legs, a ranking and a Sankey diagram."""

import streamlit as st

from routes import ui
from routes.datasets import SYNTHETIC_ID
from routes.filters import FilterState

PREFIX = "corridors"
DEFAULT = FilterState(datasets=(SYNTHETIC_ID,), top_n=40, documented=True)

ui.page_setup("Corridors through transit places")
state = ui.view_controls(PREFIX, DEFAULT, corridor_controls=True)
ui.synthetic_notice(state)
ui.outside_period_notice(state)
view = ui.load_view(state, corridors=True)
unit = ui.unit_of(state)
ui.active_filters_bar(PREFIX, state, DEFAULT)
ui.show_suppression_notice(view)
text = ui.map_text(
    state, unit, f"{unit} per corridor leg", flow_cuts=ui.flows_cut(view, corridors=True), view=view
)

map_column, table_column = ui.map_row("corridors", [2.6, 1.8])
with map_column:
    ui.show_corridor_map(view, state, text, PREFIX)
with table_column:
    ui.show_corridor_table(view, unit)

ui.show_documented_routes_table(state)

# The guidance goes under the details on narrow windows (a column of 180 px at 820 px).
detail_column, guidance_column = ui.map_row("details", [1.6, 1])
with detail_column:
    if state.focus:
        ui.show_focus_panel(view, state.focus, unit, corridors=True)  # with its trend
    st.markdown("#### Origin province → first transit place → destination")
    ui.show_sankey(view, unit)
    if not state.focus:
        ui.show_trend(view, unit, f"{unit} by month")
    ui.show_source_note(state)
with guidance_column:
    ui.show_guidance_panel(ui.guidance_selection(state.focus or None, state))

ui.export_controls(
    view,
    state,
    "corridors",
    unit,
    f"{unit} by corridor",
    build_map=lambda: ui.corridor_map(view, state, text),
)
