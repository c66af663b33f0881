"""A locked dataset: the app shows it only to whoever gives its access phrase."""

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import routes.ui
from routes.gazetteer import load_gazetteer, place_records
from routes.schema import validate_records
from routes.store import DatasetInfo, FileStore, access_key_for

ROOT = Path(__file__).resolve().parents[2]
PHRASE = "juniper kettle harbour"


@pytest.fixture
def locked_store(tmp_path, monkeypatch) -> FileStore:
    frame = pd.DataFrame(
        {
            "origin": ["Bajura", "Jhapa"],
            "destination": ["Kuwait", "Qatar"],
            "count": [35, 40],
            "period": ["Magh 2079"] * 2,
        }
    )
    records = place_records(load_gazetteer(), validate_records(frame).records).records
    info = DatasetInfo(
        title="Locked shelter cases",
        organisation="Test",
        sensitivity="restricted",
        access_key=access_key_for(PHRASE),
    )
    store = FileStore(tmp_path / "datasets")
    store.save(records, info)
    monkeypatch.setattr(routes.ui, "STORE_DIR", tmp_path)
    return store


def _linked(page: str = "pages/flow_map.py") -> AppTest:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    if page != "pages/flow_map.py":
        app.run()
        app.switch_page(page)
    app.query_params["data"] = "locked-shelter-cases"
    return app.run()


@pytest.mark.parametrize("page", ["pages/flow_map.py", "pages/corridors.py"])
def test_a_locked_dataset_is_not_read_until_its_phrase_is_given(locked_store, page):
    app = _linked(page)
    assert not app.exception, [e.value for e in app.exception]
    prefix = "flows" if "flow" in page else "corridors"
    assert "locked-shelter-cases" not in app.multiselect(key=f"{prefix}_datasets").value
    assert any("'Locked shelter cases' is locked" in m.value for m in app.markdown)
    # The page shows its default data, nothing of the locked dataset.
    assert app.multiselect(key=f"{prefix}_datasets").value == [
        "dofe" if prefix == "flows" else "synthetic"
    ]
    app.text_input(key=f"{prefix}_phrase").input("not the phrase")
    app.get("form_submit_button")[0].click().run()
    assert "That phrase does not open 'Locked shelter cases'" in " ".join(
        e.value for e in app.error
    )
    assert "locked-shelter-cases" not in app.multiselect(key=f"{prefix}_datasets").value
    app.text_input(key=f"{prefix}_phrase").input(PHRASE)
    app.get("form_submit_button")[0].click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.multiselect(key=f"{prefix}_datasets").value == ["locked-shelter-cases"]
    metrics = {metric.label: metric.value for metric in app.metric}
    total = "People, all destinations" if prefix == "flows" else "People, all corridors"
    assert metrics[total] == "75"


def test_a_locked_dataset_is_not_combined_in_through_the_view_of_another_page(locked_store):
    from routes.filters import FilterState

    app = _linked()
    assert not app.exception
    # Whatever a state asks for, a view holds no locked dataset not opened here.
    view = routes.ui.load_view(FilterState(datasets=("locked-shelter-cases",)))
    assert view.flows_total == 0


def test_a_locked_dataset_is_moved_to_and_from_the_trash_only_with_its_phrase(locked_store):
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.run()
    app.switch_page("pages/datasets.py").run()
    assert not app.exception
    assert not [b for b in app.button if b.key == "datasets_delete"]
    assert any("This dataset is locked" in c.value for c in app.caption)
    app.text_input(key="datasets_delete_phrase").input("a wrong guess").run()
    assert "That phrase does not open 'Locked shelter cases'" in app.error[0].value
    assert not [b for b in app.button if b.key == "datasets_delete"]
    app.text_input(key="datasets_delete_phrase").input(PHRASE).run()
    app.button(key="datasets_delete").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert locked_store.list_datasets() == ()
    # In the trash, as a fresh session finds it: restoring it asks for the phrase again.
    fresh = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    fresh.run()
    fresh.switch_page("pages/datasets.py").run()
    assert not [b for b in fresh.button if b.key == "datasets_restore"]
    fresh.text_input(key="datasets_restore_phrase").input(PHRASE).run()
    fresh.button(key="datasets_restore").click().run()
    assert locked_store.list_datasets()[0].dataset_id == "locked-shelter-cases"


def test_the_access_phrase_of_an_upload_is_checked_and_kept_as_a_key_only():
    from routes.store import phrase_opens
    from routes.ui import _access_key_of

    key, problems = _access_key_of(PHRASE, PHRASE, "", "restricted")
    assert problems == () and key.startswith("scrypt$") and PHRASE not in key
    assert phrase_opens(key, PHRASE) and not phrase_opens(key, PHRASE + " ")
    assert _access_key_of("", "", "", "restricted") == ("", ())
    assert "differ" in _access_key_of(PHRASE, PHRASE + "x", "", "restricted")[1][0]
    assert "at least 10" in _access_key_of("short", "short", "", "restricted")[1][0]
    assert "Restricted" in _access_key_of(PHRASE, PHRASE, "", "public")[1][0]
    # A new version of a locked dataset keeps its key, for whoever knows its phrase only.
    assert _access_key_of(PHRASE, "", key, "restricted") == (key, ())
    assert "does not open" in _access_key_of("guess", "", key, "restricted")[1][0]


def test_a_locked_dataset_keeps_its_key_in_every_version_and_never_its_phrase(tmp_path):
    from routes.datasets import dataset_from_metadata

    store = FileStore(tmp_path)
    records = place_records(
        load_gazetteer(),
        validate_records(
            pd.DataFrame({"origin": ["Jhapa"], "destination": ["Qatar"], "count": [5]})
        ).records,
    ).records
    key = access_key_for(PHRASE)
    first = store.save(
        records, DatasetInfo(title="Cases", sensitivity="restricted", access_key=key)
    )
    second = store.save(records, first.info, dataset_id=first.dataset_id)
    assert second.version == 2 and second.access_key == key
    assert dataset_from_metadata(second).locked
    stored = (tmp_path / "catalogue.json").read_text() + "".join(
        path.read_text() for path in tmp_path.rglob("metadata.json")
    )
    assert PHRASE not in stored and key in stored
