"""Every dataset with its provenance; uploaded ones can be moved to the trash and restored."""

import streamlit as st

from routes import ui

ui.page_setup("Datasets")
st.caption(
    "Choose which datasets to combine under Data sources on the map pages; the data source stays "
    "a filter there. Uploaded datasets keep every saved version."
)
ui.show_datasets_table()
ui.dataset_actions()
st.page_link("pages/upload.py", label="Add a route dataset", icon=":material/upload:")
