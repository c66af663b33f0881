"""Where the data comes from, and what it can and cannot say."""

import streamlit as st

from routes import ui

ui.page_setup("About the data")
ui.show_dataset_cards()
ui.show_reference_cards()
with st.expander("Provenance of the shipped files and the place gazetteer"):
    st.markdown(ui.load_data_sources_text())
