"""Nepal Migration Routes Atlas: registers the pages, nothing else."""

import streamlit as st

st.set_page_config(
    page_title="Nepal Migration Routes Atlas", page_icon=":world_map:", layout="wide"
)

pages = [
    st.Page("pages/flow_map.py", title="Flow map", url_path="flows", default=True),
    st.Page("pages/corridors.py", title="Corridors", url_path="corridors"),
    st.Page("pages/datasets.py", title="Datasets", url_path="datasets"),
    st.Page("pages/upload.py", title="Add a dataset", url_path="upload"),
    st.Page("pages/guidance.py", title="Guidance library", url_path="guidance"),
    st.Page("pages/about_data.py", title="About the data", url_path="about"),
]
st.navigation(pages).run()
