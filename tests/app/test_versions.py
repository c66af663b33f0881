"""A link made for a report reopens the figures it was made with, after a new version."""

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import routes.ui
from routes.gazetteer import load_gazetteer, place_records
from routes.schema import validate_records
from routes.store import DatasetInfo, FileStore

ROOT = Path(__file__).resolve().parents[2]
K = 10


def _records(qatar: int, kuwait: int) -> pd.DataFrame:
    rows = [("Jhapa", "Qatar", None, qatar), ("Kaski", "Kuwait", None, kuwait)]
    frame = pd.DataFrame(rows, columns=["origin", "destination", "transit", "count"])
    frame["period"] = "Magh 2079"
    return place_records(load_gazetteer(), validate_records(frame).records).records


@pytest.fixture
def two_versions(tmp_path, monkeypatch) -> FileStore:
    """'Returnee survey pins': version 1 of 70 people (40 + 30), version 2 of 103 (55 + 48)."""
    store = FileStore(tmp_path / "datasets")
    info = DatasetInfo(title="Returnee survey pins", organisation="Union", sensitivity="public")
    store.save(_records(40, 30), info)
    store.save(_records(55, 48), info, dataset_id="returnee-survey-pins")
    monkeypatch.setattr(routes.ui, "STORE_DIR", tmp_path)
    return store


def _total(app: AppTest) -> int:
    metric = next(m for m in app.metric if m.label.endswith("all destinations"))
    return int(metric.value.replace(",", ""))


def _opened(**query) -> AppTest:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.query_params.update(query)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def _export_link(app: AppTest) -> dict[str, list[str]]:
    link = next(code.value for code in app.code if "data=" in code.value)
    return parse_qs(urlsplit(link).query)


def test_a_link_pinned_to_an_earlier_version_shows_that_version_and_says_so(two_versions):
    app = _opened(data="returnee-survey-pins", version="returnee-survey-pins:1")
    assert _total(app) == 70
    notice = " ".join(info.value for info in app.info)
    assert "shown at version 1, as the link was made; its latest version is 2" in notice
    # The sources and the export's link say the version shown.
    assert any("(version 1)" in text.value for text in app.markdown)
    assert _export_link(app)["version"] == ["returnee-survey-pins:1"]
    app.button(key="flows_latest_versions").click().run()
    assert _total(app) == 103
    assert "version" not in app.query_params
    assert "as the link was made" not in " ".join(info.value for info in app.info)


def test_an_export_link_pins_the_version_it_was_made_with(two_versions):
    """Without the pin, a report's link reopened the latest figures, whatever the report said."""
    app = _opened(data="returnee-survey-pins")
    assert _total(app) == 103
    assert _export_link(app)["version"] == ["returnee-survey-pins:2"]
    assert "version" not in app.query_params  # browsing follows the latest version
    # A third version is saved; the report's link still opens version 2's figures.
    info = two_versions.load_metadata("returnee-survey-pins").info
    two_versions.save(_records(60, 61), info, dataset_id="returnee-survey-pins")
    again = _opened(data="returnee-survey-pins", version="returnee-survey-pins:2")
    assert _total(again) == 103
    assert _total(_opened(data="returnee-survey-pins")) == 121


def test_a_version_not_kept_opens_the_latest_with_a_notice(two_versions):
    app = _opened(data="returnee-survey-pins", version="returnee-survey-pins:7")
    assert _total(app) == 103
    notices = " ".join(info.value for info in app.info)
    assert "version 7 of dataset 'returnee-survey-pins' is not kept in this atlas" in notices


@pytest.mark.parametrize(
    ("first", "second"),
    [("restricted", "public"), ("public", "restricted")],
    ids=["restricted-then-made-public", "public-then-restricted"],
)
def test_a_pinned_version_is_shown_as_protected_as_any_version_of_its_dataset(
    tmp_path, monkeypatch, first, second
):
    """Version 1 (3 people to Kuwait) pinned by a link, version 2 of other sensitivity: shown
    with suppression, apart from DoFE, without its records, whichever was restricted (the
    review found a public version of a dataset re-saved as restricted shown whole)."""
    store = FileStore(tmp_path / "datasets")

    def info(sensitivity: str) -> DatasetInfo:
        return DatasetInfo(title="Shelter pins", organisation="NGO", sensitivity=sensitivity)

    store.save(_records(40, 3), info(first))
    store.save(_records(45, 25), info(second), dataset_id="shelter-pins", made_public=True)
    monkeypatch.setattr(routes.ui, "STORE_DIR", tmp_path)
    app = _opened(data="shelter-pins~dofe", version="shelter-pins:1")
    assert app.multiselect(key="flows_datasets").value == ["shelter-pins"]
    shown = [
        str(value)
        for frame in app.dataframe
        for column in frame.value.columns
        for value in frame.value[column]
    ]
    assert "3" not in shown and f"<{K}" in shown
    assert "45" not in shown  # version 2's figure
    assert not [button for button in app.get("download_button") if "Records" in str(button.proto)]


def test_a_pin_of_a_locked_dataset_not_opened_says_nothing_of_it(tmp_path, monkeypatch):
    from routes.store import access_key_for

    store = FileStore(tmp_path / "datasets")
    info = DatasetInfo(
        title="Locked pins",
        organisation="NGO",
        sensitivity="restricted",
        access_key=access_key_for("juniper kettle harbour"),
    )
    store.save(_records(40, 30), info)
    store.save(_records(50, 30), info, dataset_id="locked-pins")
    monkeypatch.setattr(routes.ui, "STORE_DIR", tmp_path)
    app = _opened(data="locked-pins", version="locked-pins:1")
    assert app.multiselect(key="flows_datasets").value == ["dofe"]
    assert "as the link was made" not in " ".join(info.value for info in app.info)
    # Above the view, not only in the sidebar: which dataset waits, and what stands in for it.
    notices = " ".join(info.value for info in app.info)
    assert "'Locked pins' is locked" in notices and "this page shows DoFE" in notices
    # Its phrase given, the dataset opens at the version the link pinned (the pin was dropped,
    # and version 2 shown under the report's link; a helper's walkthrough).
    app.text_input(key="flows_phrase").input("juniper kettle harbour")
    app.get("form_submit_button")[0].click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.multiselect(key="flows_datasets").value == ["locked-pins"]
    notices = " ".join(info.value for info in app.info)
    assert "shown at version 1, as the link was made; its latest version is 2" in notices
    assert "is locked" not in notices
