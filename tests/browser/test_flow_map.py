"""The flow map in a real browser, with every host but the app's own blocked."""

from urllib.parse import urljoin

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

MAP_TIMEOUT_MS = 60_000

# Counts, in the map iframe, the Leaflet vector features by geometry type.
COUNT_FEATURES_JS = """
() => {
  const counts = {lines: 0, polygons: 0, points: 0};
  if (!window.map) { return null; }
  window.map.eachLayer((layer) => {
    const feature = layer.feature;
    if (!feature || !feature.geometry) { return; }
    const type = feature.geometry.type;
    if (type.endsWith('LineString')) counts.lines += 1;
    else if (type.endsWith('Polygon')) counts.polygons += 1;
    else if (type === 'Point') counts.points += 1;
  });
  return counts;
}
"""

# The on-screen sizes of the arrowheads (their boxes' longer sides), whole pixels, largest first.
ARROW_SIZES_JS = """
() => Array.from(document.querySelectorAll('.atlas-arrow polygon'))
  .map((polygon) => {
    const box = polygon.getBoundingClientRect();
    return Math.round(Math.max(box.width, box.height));
  })
  .sort((a, b) => b - a)
"""


def _map_frame(page, index=0):
    page.wait_for_selector("iframe[title*='streamlit_folium']", timeout=MAP_TIMEOUT_MS)
    frame_element = page.locator("iframe[title*='streamlit_folium']").nth(index)
    frame_element.wait_for(timeout=MAP_TIMEOUT_MS)
    frame = frame_element.element_handle().content_frame()
    frame.locator(".leaflet-container").wait_for(timeout=MAP_TIMEOUT_MS)
    frame.locator(".atlas-legend").wait_for(timeout=MAP_TIMEOUT_MS)
    return frame


def test_flow_map_draws_flows_and_districts_offline(app_url, offline_page):
    page = offline_page.page
    page.goto(app_url)
    frame = _map_frame(page)
    counts = frame.evaluate(COUNT_FEATURES_JS)
    assert counts is not None, "no Leaflet map object in the iframe"
    # Roughly 140 destination flows, 77 districts + 250 country outlines, destination circles.
    assert counts["lines"] >= 100
    assert counts["polygons"] >= 77 + 200
    assert counts["points"] >= 100
    assert frame.locator("canvas").count() >= 1
    # An arrowhead per flow, the same size on screen when zoomed in (triangles in kilometres
    # grew into wedges wider than the Gulf).
    arrows = frame.locator(".atlas-arrow polygon")
    assert arrows.count() == counts["lines"]
    sizes = frame.evaluate(ARROW_SIZES_JS)
    frame.evaluate("() => { window.map.setZoom(window.map.getZoom() + 3, {animate: false}); }")
    assert frame.evaluate(ARROW_SIZES_JS) == sizes
    assert 8 < min(sizes) < max(sizes) < 40  # turned, a 35 px head spans up to 36 px
    legend = frame.locator(".atlas-legend").inner_text()
    assert "Labour approvals" in legend and "Origin districts" in legend
    # A click on its title folds the legend off the destinations under it, and unfolds it.
    unfolded = frame.locator(".atlas-legend").bounding_box()["height"]
    frame.locator(".atlas-legend summary").click()
    folded = frame.locator(".atlas-legend").bounding_box()["height"]
    assert folded < unfolded / 3
    frame.locator(".atlas-legend summary").click()
    assert frame.locator(".atlas-legend").bounding_box()["height"] == unfolded
    assert "Department of Foreign Employment" in frame.locator(".atlas-source").inner_text()
    # The table is drawn on a canvas; its total is a metric in the DOM.
    assert page.get_by_text("656,610").first.is_visible()
    assert page.locator("[data-testid='stException']").count() == 0
    assert offline_page.blocked == []


def test_leaflet_is_served_by_the_app_itself(app_url, offline_page):
    page = offline_page.page
    loaded = []
    page.on("response", lambda response: loaded.append(response.url))
    page.goto(app_url)
    _map_frame(page)
    leaflet = [url for url in loaded if url.endswith("leaflet.js")]
    assert leaflet and all(url.startswith(app_url) for url in leaflet)
    assert offline_page.blocked == []


def test_district_map_shades_districts(app_url, offline_page):
    page = offline_page.page
    page.goto(app_url)
    _map_frame(page, 0)
    frame = _map_frame(page, 1)
    counts = frame.evaluate(COUNT_FEATURES_JS)
    assert counts["polygons"] >= 77
    assert counts["lines"] == 0
    assert page.locator("[data-testid='stException']").count() == 0


def _settled(page, frame_index):
    """Wait until the app has finished its run and the map's place on the page holds still
    (the map's first report to the app reruns the page, which may move it)."""
    page.locator("[data-testid='stStatusWidget']").wait_for(
        state="detached", timeout=MAP_TIMEOUT_MS
    )
    element = page.locator("iframe[title*='streamlit_folium']").nth(frame_index)
    box = element.bounding_box()
    for _ in range(40):
        page.wait_for_timeout(250)
        again = element.bounding_box()
        if again == box:
            return
        box = again


def _click_map_at(page, frame_index, lat, lon):
    """Click the map where a (lat, lon) is drawn, in page coordinates."""
    frame = _map_frame(page, frame_index)
    _settled(page, frame_index)
    point = frame.evaluate(
        "([lat, lon]) => { const p = window.map.latLngToContainerPoint([lat, lon]);"
        " const r = window.map.getContainer().getBoundingClientRect();"
        " return {x: p.x + r.left, y: p.y + r.top}; }",
        [lat, lon],
    )
    box = page.locator("iframe[title*='streamlit_folium']").nth(frame_index).bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])


def _guidance_titles(page):
    panel = page.locator(".st-key-related_guidance")
    panel.wait_for(timeout=MAP_TIMEOUT_MS)
    return [text.strip() for text in panel.locator("strong").all_inner_texts()]


def test_clicking_a_destination_focuses_it_and_changes_the_guidance(
    app_url, offline_page, gazetteer
):
    page = offline_page.page
    page.goto(app_url)
    _map_frame(page, 0)
    before = _guidance_titles(page)
    # Saudi Arabia's circle stands clear of its neighbours' at the first zoom.
    saudi = gazetteer.places.loc["country:SAU"]
    _click_map_at(page, 0, float(saudi["lat"]), float(saudi["lon"]))
    panel = page.locator(".st-key-focus_panel")
    panel.wait_for(timeout=MAP_TIMEOUT_MS)
    assert "Focus: Saudi Arabia" in panel.inner_text()
    assert "94,397" in panel.inner_text()  # FY 2079/80 approvals to Saudi Arabia, DoFE
    page.get_by_text("For the selection: Saudi Arabia").wait_for(timeout=MAP_TIMEOUT_MS)
    after = _guidance_titles(page)
    assert after != before
    # Guidance on the Gulf, which Saudi Arabia belongs to, now leads.
    assert any("Qatar" in title or "Gulf" in title for title in after[:3])
    assert page.locator("[data-testid='stException']").count() == 0
    # Each entry's own summary is a link away, read from the library with no internet (the
    # titles link only to their publishers' sites: a union's walkthrough offline).
    link = page.locator(".st-key-related_guidance a", has_text="Our summary of it").first
    page.goto(urljoin(page.url, link.get_attribute("href")))
    # Open, above the library (a search for its title listed it closed among others).
    first = page.locator(".st-key-linked_guidance_entry [data-testid='stExpander']")
    first.wait_for(timeout=MAP_TIMEOUT_MS)
    assert after[0] in first.inner_text()
    expect(first.locator("details")).to_have_attribute("open", "", timeout=MAP_TIMEOUT_MS)
    expect(first.get_by_text("Facts checked against")).to_be_visible()
    assert page.locator("[data-testid='stException']").count() == 0
    assert offline_page.blocked == []


def test_a_deep_link_opens_its_page_with_the_app_navigation(app_url, offline_page):
    page = offline_page.page
    page.goto(f"{app_url}/corridors")
    page.get_by_text("Synthetic demonstration data.").first.wait_for(timeout=MAP_TIMEOUT_MS)
    assert page.get_by_text("Page not found").count() == 0
    nav = page.locator("[data-testid='stSidebarNav']").inner_text()
    assert "Flow map" in nav and "Corridors" in nav and "Guidance library" in nav
    frame = _map_frame(page, 0)
    counts = frame.evaluate(COUNT_FEATURES_JS)
    assert counts["lines"] >= 10  # corridor legs and documented routes
    assert page.locator("[data-testid='stException']").count() == 0
    assert offline_page.blocked == []


def test_a_link_typed_as_flows_opens_the_flow_map_with_its_filters(app_url, offline_page):
    """The flow map is at the app's own address; /flows (its name in exports) opened
    "Page not found"."""
    page = offline_page.page
    page.goto(f"{app_url}/flows?country=Qatar&sex=female")
    page.get_by_text("Labour approvals, chosen destinations").wait_for(timeout=MAP_TIMEOUT_MS)
    metric = page.locator("[data-testid='stMetric']").first.inner_text()
    assert "5,313" in metric  # FY 2079/80 approvals of women to Qatar, DoFE
    assert page.get_by_text("Page not found").count() == 0
    assert "country=" in page.url and "/flows" not in page.url
    assert page.locator("[data-testid='stSidebarNav']").inner_text().count("Flow map") == 1


def test_a_click_anywhere_on_a_large_circle_focuses_its_place(app_url, offline_page, gazetteer):
    """15 px inside Malaysia's circle (its tooltip showing) did nothing: only its centre
    counted."""
    page = offline_page.page
    page.goto(app_url)
    frame = _map_frame(page, 0)
    # Where the map rests: read while the page still moved it, the point missed (once in CI).
    _settled(page, 0)
    malaysia = gazetteer.places.loc["country:MYS"]
    lat, lon = float(malaysia["lat"]), float(malaysia["lon"])
    offset = frame.evaluate(
        "([lat, lon]) => { let radius = 0; window.map.eachLayer((layer) => {"
        " if (layer.getLatLng && layer.getRadius && layer.getLatLng().lat === lat"
        " && layer.getLatLng().lng === lon) { radius = Math.max(radius, layer.getRadius()); } });"
        " const p = window.map.latLngToContainerPoint([lat, lon]);"
        " const r = window.map.getContainer().getBoundingClientRect();"
        " return {x: p.x + r.left - 0.6 * radius, y: p.y + r.top, radius: radius}; }",
        [lat, lon],
    )
    assert offset["radius"] >= 20  # the largest circle of the default view
    box = page.locator("iframe[title*='streamlit_folium']").nth(0).bounding_box()
    page.mouse.click(box["x"] + offset["x"], box["y"] + offset["y"])
    panel = page.locator(".st-key-focus_panel")
    panel.wait_for(timeout=MAP_TIMEOUT_MS)
    assert "Focus: Malaysia" in panel.inner_text()
    assert page.locator("[data-testid='stException']").count() == 0


def test_a_click_on_a_circle_of_a_map_that_runs_past_a_laptop_window_focuses_it(
    app_url, offline_page, gazetteer
):
    """At 1280 x 800 the map runs past the window: the press scrolled the page and the click
    landed in the ocean south of Malaysia."""
    page = offline_page.page
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(app_url)
    _map_frame(page, 0)
    _settled(page, 0)
    box = page.locator("iframe[title*='streamlit_folium']").nth(0).bounding_box()
    assert box["y"] + box["height"] > 800  # the map's bottom is below the window
    malaysia = gazetteer.places.loc["country:MYS"]
    _click_map_at(page, 0, float(malaysia["lat"]), float(malaysia["lon"]))
    panel = page.locator(".st-key-focus_panel")
    panel.wait_for(timeout=MAP_TIMEOUT_MS)
    assert "Focus: Malaysia" in panel.inner_text()
    assert offline_page.blocked == []


def test_a_click_on_a_province_of_the_origin_map_focuses_the_province(
    app_url, offline_page, gazetteer
):
    """Origins grouped by province are shaded by province, but a click on Madhesh focused the
    district under the pointer, or Nepal (the flow map's circle nearest to it, not drawn on this
    map)."""
    page = offline_page.page
    page.goto(f"{app_url}/?level=province")
    page.locator("iframe[title*='streamlit_folium']").nth(1).scroll_into_view_if_needed()
    _map_frame(page, 1)
    madhesh = gazetteer.places.loc["province:Madhesh"]
    _click_map_at(page, 1, float(madhesh["lat"]), float(madhesh["lon"]))
    panel = page.locator(".st-key-focus_panel")
    panel.wait_for(timeout=MAP_TIMEOUT_MS)
    assert "Focus: Madhesh" in panel.inner_text()
    assert "157,947" in panel.inner_text()  # FY 2079/80 approvals from Madhesh's districts, DoFE
    assert page.locator("[data-testid='stException']").count() == 0
    assert offline_page.blocked == []


def test_the_flow_map_legend_starts_folded_on_a_laptop_and_open_on_a_wide_screen(
    app_url, offline_page
):
    """At 1280 px the legend covered Nepal, where every flow starts (a helper's walkthrough)."""
    page = offline_page.page
    page.goto(app_url)
    assert _map_frame(page, 0).locator(".atlas-legend").evaluate("(d) => d.open") is True
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(app_url)
    legend = _map_frame(page, 0).locator(".atlas-legend")
    assert legend.evaluate("(d) => d.open") is False
    assert "Labour approvals" in legend.locator("summary").inner_text()  # its title still shows
    legend.locator("summary").click()
    assert legend.evaluate("(d) => d.open") is True


def test_the_district_maps_legend_starts_folded_on_a_phone_and_open_on_a_laptop(
    app_url, offline_page
):
    """At 390 px the legend covered the northern half of the districts (a researcher's
    walkthrough); at 1280 px, where the map is half the page, it fits and stays open."""
    page = offline_page.page
    for width, opened in ((390, False), (1280, True)):
        page.set_viewport_size({"width": width, "height": 844})
        page.goto(app_url)
        legend = _map_frame(page, 1).locator(".atlas-legend")
        assert legend.evaluate("(d) => d.open") is opened, width
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(app_url)
    legend = _map_frame(page, 1).locator(".atlas-legend")
    assert "by origin district" in legend.locator("summary").inner_text()  # its title shows
    legend.locator("summary").click()
    assert legend.evaluate("(d) => d.open") is True


def test_on_a_narrow_window_the_table_goes_under_its_map(app_url, offline_page):
    """At 1024 px (a 1280 px laptop at 125%) the table beside the map showed the destinations'
    names and no numbers (a helper's walkthrough); on a wide window it stays beside the map."""
    page = offline_page.page

    def table_beside_map() -> bool:
        _map_frame(page, 0)
        row = page.locator(".st-key-map_row_destinations")
        frame = row.locator("iframe").first.bounding_box()
        table = row.locator("[data-testid='stDataFrame']").first.bounding_box()
        return table["x"] >= frame["x"] + frame["width"] - 1

    page.goto(app_url)
    assert table_beside_map()
    page.set_viewport_size({"width": 1024, "height": 900})
    page.goto(app_url)
    assert not table_beside_map()
    row = page.locator(".st-key-map_row_destinations")
    table = row.locator("[data-testid='stDataFrame']").first.bounding_box()
    assert table["width"] > 500  # room for the counts and shares


#: How many of the guidance filters stand side by side: their distinct left edges.
_FILTERS_ACROSS_JS = """() => new Set(Array.from(document.querySelectorAll(
    ".st-key-paired_row_guidance_filters [data-testid='stColumn']"
)).map((column) => Math.round(column.getBoundingClientRect().left))).size"""


def test_on_a_narrow_window_the_guidance_filters_go_two_to_a_line(app_url, offline_page):
    """At 820 px the four guidance filters side by side showed a chosen region as its "x"
    alone (a helper's walkthrough); on a wide window they stay in one row."""
    page = offline_page.page
    for width, across in ((1500, 4), (820, 2)):
        page.set_viewport_size({"width": width, "height": 1100})
        page.goto(f"{app_url}/guidance?region=Malaysia")
        page.get_by_text("entries").first.wait_for(timeout=MAP_TIMEOUT_MS)
        # Waited for, as the page's layout settles after its run.
        settled = f"() => ({_FILTERS_ACROSS_JS})() === {across}"
        page.wait_for_function(settled, timeout=MAP_TIMEOUT_MS)
    # The chosen region reads whole (its chip's button names it).
    chip = page.locator(".st-key-paired_row_guidance_filters")
    expect(chip.get_by_role("button", name="Remove Malaysia")).to_be_visible()


def test_the_month_sliders_handles_follow_the_months_when_a_dataset_widens_them(
    app_url, offline_page, store_dir
):
    """A union's Magh and Falgun, then DoFE added: the view counted from Shrawan, but the
    slider's handles stayed on Magh and Falgun, and the next drag sent Magh back as the start,
    dropping five months nobody chose (a walkthrough)."""
    import pandas as pd

    from routes.gazetteer import load_gazetteer, place_records
    from routes.schema import validate_records
    from routes.store import DatasetInfo, FileStore

    frame = pd.DataFrame(
        {
            "origin": "Jhapa",
            "destination": "Qatar",
            "count": [10, 20],
            "period": ["Magh 2079", "Falgun 2079"],
        }
    )
    records = place_records(load_gazetteer(), validate_records(frame).records).records
    FileStore(store_dir / "datasets").save(
        records, DatasetInfo(title="Union two months", organisation="Union", sensitivity="public")
    )
    page = offline_page.page
    page.goto(f"{app_url}/?data=union-two-months")
    handles = page.locator("[data-testid='stSliderThumbValue']")
    expect(handles).to_have_text(["Magh 2079", "Falgun 2079"], timeout=MAP_TIMEOUT_MS)
    sources = page.get_by_role("combobox").first
    sources.click()
    page.keyboard.type("DoFE")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    expect(handles).to_have_text(["Shrawan 2079", "Baisakh 2080"], timeout=MAP_TIMEOUT_MS)
