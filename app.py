"""Nepal Migration Routes Atlas: registers the pages, nothing else."""

import streamlit as st

st.set_page_config(
    page_title="Nepal Migration Routes Atlas", page_icon=":world_map:", layout="wide"
)

flow_map = st.Page("pages/flow_map.py", title="Flow map", url_path="flow_map", default=True)


def open_flow_map() -> None:
    """The flow map opens at the app's own address; one typed as /flows (the page's name in its
    exports) opened "Page not found". It opens the flow map with the link's filters."""
    query = {key: st.query_params.get_all(key) for key in st.query_params}
    st.switch_page(flow_map, query_params=query)


pages = [
    flow_map,
    st.Page("pages/corridors.py", title="Corridors", url_path="corridors"),
    st.Page("pages/datasets.py", title="Datasets", url_path="datasets"),
    st.Page("pages/upload.py", title="Add a dataset", url_path="upload"),
    st.Page("pages/guidance.py", title="Guidance library", url_path="guidance"),
    st.Page("pages/about_data.py", title="About the data", url_path="about"),
    st.Page(open_flow_map, title="Flow map", url_path="flows", visibility="hidden"),
]
st.navigation(pages).run()
