"""Where the shipped data comes from, and what it can and cannot say."""

import streamlit as st

from routes import ui

ui.page_setup("About the data")
st.markdown(ui.load_data_sources_text())
