"""A shared link restores a filtered corridor view in a real browser."""

from urllib.parse import urlencode

import pytest

from routes.datasets import SYNTHETIC_ID, read_builtin_records
from routes.filters import FilterState, to_query
from routes.views import compute_view

from .test_flow_map import COUNT_FEATURES_JS, MAP_TIMEOUT_MS, _map_frame

pytestmark = pytest.mark.browser


def test_a_link_to_one_destination_and_one_transit_place_filters_map_and_table(
    app_url, offline_page, gazetteer
):
    state = FilterState(
        datasets=(SYNTHETIC_ID,),
        destination_countries=("country:KWT",),
        transit_places=("hub:New Delhi",),
        top_n=40,
        documented=False,
    )
    expected = compute_view(gazetteer, read_builtin_records(gazetteer, SYNTHETIC_ID), state)
    assert len(expected.legs) > 0 and expected.corridors["count"].sum() > 0

    page = offline_page.page
    page.goto(f"{app_url}/corridors?{urlencode(to_query(state))}")
    frame = _map_frame(page, 0)
    metric = page.locator("[data-testid='stMetric']").first
    metric.wait_for(timeout=MAP_TIMEOUT_MS)
    assert f"{int(expected.corridors['count'].sum()):,}" in metric.inner_text()
    counts = frame.evaluate(COUNT_FEATURES_JS)
    assert counts["lines"] == len(expected.legs)
    # The active filters are listed, each with a button that clears it.
    assert page.get_by_role("button", name="✕ Destination country: Kuwait").is_visible()
    assert page.get_by_role("button", name="✕ Transit place: New Delhi").is_visible()
    # The URL still holds the view, so copying it shares the same view.
    assert "country=country%3AKWT" in page.url or "country=country:KWT" in page.url
    assert page.locator("[data-testid='stException']").count() == 0
    assert offline_page.blocked == []
