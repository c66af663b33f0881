"""Every page runs without exception, and the flow page's widgets change its numbers."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted(path.relative_to(ROOT).as_posix() for path in (ROOT / "pages").glob("*.py"))
TIMEOUT_S = 120


def _app() -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT_S)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_without_exception(page):
    app = _app().run()
    app.switch_page(page).run()
    assert not app.exception, [e.value for e in app.exception]


def _metric(app, label_start):
    return next(m for m in app.metric if m.label.startswith(label_start)).value


def test_flow_page_opens_on_the_latest_fiscal_year_with_reentry():
    app = _app().run()
    assert not app.exception
    assert app.selectbox(key="flows_fiscal_year").value == "2079/80"
    assert app.toggle(key="flows_reentry").value is True
    assert _metric(app, "Labour approvals, all destinations") == "656,610"
    table = app.dataframe[0].value
    assert table["Destination"].head(5).tolist() == [
        "Malaysia",
        "Qatar",
        "Saudi Arabia",
        "United Arab Emirates",
        "Kuwait",
    ]


def test_new_approvals_only_drops_reentry_from_the_totals():
    app = _app().run()
    everything = int(_metric(app, "Labour approvals, all destinations").replace(",", ""))
    app.toggle(key="flows_reentry").set_value(False).run()
    new_only = int(_metric(app, "Labour approvals, all destinations").replace(",", ""))
    assert 0 < new_only < everything
    districts = int(_metric(app, "Labour approvals, all districts").replace(",", ""))
    assert districts == new_only  # both tables count the same permits


def test_sex_and_month_filters_narrow_the_table():
    app = _app().run()
    app.multiselect(key="flows_sex").set_value(["female"]).run()
    female = int(_metric(app, "Labour approvals, all destinations").replace(",", ""))
    app.multiselect(key="flows_months").set_value(["Baisakh 2080"]).run()
    one_month = int(_metric(app, "Labour approvals, all destinations").replace(",", ""))
    assert not app.exception
    assert 0 < one_month < female < 656_610
