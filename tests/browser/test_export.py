"""Every download of the flow page, clicked in a real browser, read back and checked."""

import json
import re
import zipfile

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from PIL import Image

from .test_flow_map import COUNT_FEATURES_JS, MAP_TIMEOUT_MS, _map_frame

pytestmark = pytest.mark.browser

FY_TOTAL = 656_610  # DoFE labour approvals, FY 2079/80, all destinations


def _download(page, label, folder):
    with page.expect_download(timeout=MAP_TIMEOUT_MS) as info:
        page.get_by_role("button", name=label, exact=True).click()
    download = info.value
    path = folder / download.suggested_filename
    download.save_as(path)
    return path


def test_each_download_is_valid_and_holds_the_view(app_url, offline_page, browser, tmp_path):
    page = offline_page.page
    page.goto(app_url)
    _map_frame(page, 0)
    page.get_by_text("Export this view").click()
    page.get_by_role("button", name="Everything (zip)").wait_for(timeout=MAP_TIMEOUT_MS)

    records = pd.read_csv(_download(page, "Records (CSV)", tmp_path), comment="#")
    assert records["count"].sum() == FY_TOTAL * 2  # both DoFE tables count the same permits
    # ... which the file says: the records the flows count, and what a count is.
    assert records.loc[records["in_flows"], "count"].sum() == FY_TOTAL
    assert set(records["unit"]) == {"Labour approvals"}
    assert records["in_flows"].iloc[0] and not records["in_flows"].iloc[-1]  # flows' first
    workbook = pd.read_excel(_download(page, "Records (Excel)", tmp_path), sheet_name=None)
    # The district table's records on a sheet of their own: the Data sheet sums to the flows.
    assert workbook["Data"]["count"].sum() == FY_TOTAL
    assert workbook["Not in flows"]["count"].sum() == FY_TOTAL
    notes = workbook["Metadata"]["Value"].astype(str).tolist()
    assert any("are not in the flows: DoFE's table by origin district" in n for n in notes)

    flows_path = _download(page, "Flows (CSV)", tmp_path)
    flows = pd.read_csv(flows_path, comment="#")
    assert flows["count"].sum() == FY_TOTAL
    header = flows_path.read_text(encoding="utf-8").splitlines()[:12]
    assert any("Fiscal year (BS): 2079/80" in line for line in header)
    assert any("Department of Foreign Employment" in line for line in header)
    assert header[0].lstrip("\ufeff") == "# Title: Labour approvals from origin to destination"
    destinations_path = _download(page, "Destinations (CSV)", tmp_path)
    destinations = pd.read_csv(destinations_path, comment="#")
    assert destinations["destination_name"].head(2).tolist() == ["Malaysia", "Qatar"]
    title = destinations_path.read_text(encoding="utf-8-sig").splitlines()[0]
    assert title == "# Title: Labour approvals by destination"
    for label in ("Districts (CSV)", "Nodes (CSV)"):
        assert _download(page, label, tmp_path).stat().st_size > 0
    # The flow page exports its own tables; corridors are the corridors page's.
    assert page.get_by_role("button", name="Corridors (CSV)").count() == 0

    geojson_path = _download(page, "Lines (GeoJSON)", tmp_path)
    lines = gpd.read_file(geojson_path)
    assert lines.crs.to_epsg() == 4326 and lines["count"].sum() == FY_TOTAL
    assert "metadata" in json.loads(geojson_path.read_text(encoding="utf-8"))
    gpkg = _download(page, "All layers (GeoPackage)", tmp_path)
    layers = {name for name, _ in pyogrio.list_layers(gpkg)}
    assert {"flows", "destinations", "districts", "metadata"} <= layers
    assert gpd.read_file(gpkg, layer="flows")["count"].sum() == FY_TOTAL

    link = _download(page, "Link to this view", tmp_path).read_text().strip()
    # The page opens on FY 2079/80 by default, so the link needs no parameter for it.
    assert link.startswith(app_url)

    image = Image.open(_download(page, "Map image (PNG)", tmp_path))
    assert image.format == "PNG" and image.size == (1650, 1275)
    assert "Department of Foreign Employment" in image.text["Source"]
    assert "Fiscal year (BS): 2079/80" in image.text["Comment"]
    assert Image.open(_download(page, "Origin district map image (PNG)", tmp_path)).size == (
        1650,
        1275,
    )

    zipped = _download(page, "Everything (zip)", tmp_path)
    # Named by page and day: two views' exports overwrote each other as atlas-export.zip.
    # Named by page, data and second: a union's restricted and public exports of one day
    # overwrote each other.
    assert re.fullmatch(r"atlas-flows-dofe-\d{4}-\d{2}-\d{2}T\d{6}\.zip", zipped.name), zipped.name
    assert flows_path.name.startswith("atlas-flows-") and flows_path.name.endswith("-flows.csv")
    bundle = zipfile.ZipFile(zipped)
    names = set(bundle.namelist())
    assert {"README.md", "metadata.json", "flows.csv", "map.html", "view.gpkg"} <= names
    assert {"map.png", "origin_map.png"} <= names
    # The census comparison is in it, so its source is credited there too (a researcher's
    # citation found DoFE alone in the README and metadata.json).
    assert "census_comparison.csv" in names
    readme = bundle.read("README.md").decode("utf-8")
    assert "Census 2021: people absent abroad, by district" in readme
    titles = [d["title"] for d in json.loads(bundle.read("metadata.json"))["datasets"]]
    assert "Census 2021: people absent abroad, by district" in titles

    html_path = _download(page, "Map (HTML, works offline)", tmp_path)
    html = html_path.read_text(encoding="utf-8")
    # Nothing is fetched from the internet (Leaflet's licence comment names its site, harmlessly).
    assert not re.search(r"<(?:script|link|img)[^>]+(?:src|href)=[\"']https?://", html)
    offline = browser.new_context()
    blocked = []
    offline.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith("file://")
            else (blocked.append(route.request.url), route.abort())
        ),
    )
    standalone = offline.new_page()
    standalone.goto(html_path.as_uri())
    standalone.locator(".leaflet-container").wait_for(timeout=MAP_TIMEOUT_MS)
    # folium names the map map_<id>; the iframe's window.map is streamlit-folium's alias.
    find_map = (
        "(Object.keys(window).filter((k) => k.startsWith('map_'))"
        ".map((k) => window[k]).find((v) => v && v.eachLayer))"
    )
    counts = standalone.evaluate(COUNT_FEATURES_JS.replace("window.map", find_map))
    offline.close()
    assert blocked == []
    assert counts is not None and counts["lines"] >= 100
    assert page.locator("[data-testid='stException']").count() == 0

    # The link reopens the same view, on the same page, without a "page not found".
    page.goto(link)
    _map_frame(page, 0)
    assert page.get_by_text("Page not found").count() == 0
    assert f"{FY_TOTAL:,}" in page.locator("[data-testid='stMetric']").first.inner_text()


def test_the_census_comparison_button_gives_the_views_address_and_a_dated_name(
    app_url, offline_page, tmp_path
):
    """The comparison's own button gave a bare query ("?data=dofe&fy=...") for the view's
    link, made when clicked, and a plain census_comparison.csv that the next view's overwrote
    (a researcher's walkthrough)."""
    page = offline_page.page
    page.goto(f"{app_url}/?level=province")
    _map_frame(page, 0)
    page.get_by_text("Compare with the 2021 census").click()
    path = _download(page, "Comparison by province (CSV)", tmp_path)
    assert re.fullmatch(
        r"atlas-flows-dofe-\d{4}-\d{2}-\d{2}T\d{6}-census_comparison_provinces\.csv", path.name
    ), path.name
    link = next(
        line for line in path.read_text(encoding="utf-8-sig").splitlines() if "Link" in line
    )
    assert f"{app_url}/?" in link and "level=province" in link, link
    assert offline_page.blocked == []
