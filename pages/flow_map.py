"""Flows from Nepal to every destination and approvals by origin district, each beside a table."""

import streamlit as st

from routes import dofe, ui
from routes.maps import MapText

UNIT = "Labour approvals"
FOCUS_KEY = "flows_focus"

ui.page_setup("Where Nepali migrant workers go")
data = ui.load_default_data()
filters = ui.flow_filter_controls(data.destinations, key_prefix="flows")
tiles = ui.tiles_control(key_prefix="flows")
view = ui.load_flow_view(filters)
focus = ui.focus_control(view, key=FOCUS_KEY)
text = MapText(
    title=f"{UNIT}, {'; '.join(filters.describe())}",
    unit=UNIT,
    source_note=data.source_note,
    caveats=dofe.CAVEATS[:2],
)

st.subheader("Destinations")
map_column, table_column = st.columns([3, 1.3])
with map_column:
    ui.show_flow_map(view, text, key="flows_map", focus_key=FOCUS_KEY, tiles=tiles)
with table_column:
    ui.show_destination_table(view, UNIT)

detail_column, guidance_column = st.columns([1.6, 1])
with detail_column:
    if focus:
        ui.show_focus_panel(view, focus, UNIT)
    ui.show_source_note(data.source_note, dofe.CAVEATS, filters)
with guidance_column:
    ui.show_guidance_panel(ui.guidance_selection(focus, filters))

st.subheader("Origin districts")
st.caption(
    "The district table counts the same permits as the destination table, by where the worker "
    "comes from; DoFE does not cross districts with destinations."
)
map_column, table_column = st.columns([3, 1.3])
with map_column:
    ui.show_district_map(view, text, key="flows_district_map", focus_key=FOCUS_KEY, tiles=tiles)
with table_column:
    ui.show_district_table(view, UNIT)
