"""A locked dataset: the app shows it only to whoever gives its access phrase."""

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import routes.ui
from routes.filters import FilterState
from routes.gazetteer import load_gazetteer, place_records
from routes.schema import validate_records
from routes.store import DatasetInfo, FileStore, access_key_for

ROOT = Path(__file__).resolve().parents[2]
PHRASE = "juniper kettle harbour"
LOCKED = "locked-shelter-cases"
DOFE_TOTAL = 656_610  # DoFE's FY 2079/80 approvals, the flow page's default


@pytest.fixture
def locked_store(tmp_path, monkeypatch) -> FileStore:
    frame = pd.DataFrame(
        {
            "origin": ["Bajura", "Jhapa"],
            "destination": ["Kuwait", "Qatar"],
            "count": [35, 40],
            "period": ["Magh 2079"] * 2,
            "exploitation": ["debt bondage", "wage theft"],
        }
    )
    records = place_records(load_gazetteer(), validate_records(frame).records).records
    info = DatasetInfo(
        title="Locked shelter cases",
        organisation="Test",
        description="Cases referred by the Bajura shelter",
        sensitivity="restricted",
        access_key=access_key_for(PHRASE),
    )
    store = FileStore(tmp_path / "datasets")
    store.save(records, info)
    monkeypatch.setattr(routes.ui, "STORE_DIR", tmp_path)
    monkeypatch.setattr(routes.ui, "_wrong_phrases", {})  # the server's count of wrong tries
    return store


@pytest.fixture
def reads(monkeypatch) -> list[str]:
    """The stored datasets whose records the app reads, in order (from empty caches, which
    would otherwise answer for a dataset read by an earlier test)."""
    for cached in (
        routes.ui._load_dataset_records,
        routes.ui._load_record_table,
        routes.ui._load_view,
        routes.ui._load_view_options,
    ):
        cached.clear()
    read: list[str] = []
    for name in ("read_stored_table", "read_stored_records"):
        original = getattr(routes.ui, name)

        def spy(store, dataset_id, version, original=original):
            read.append(dataset_id)
            return original(store, dataset_id, version)

        monkeypatch.setattr(routes.ui, name, spy)
    return read


def _linked(page: str = "pages/flow_map.py", data: str = LOCKED) -> AppTest:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    if page != "pages/flow_map.py":
        app.run()
        app.switch_page(page)
    app.query_params["data"] = data
    app.query_params["focus"] = "district:Bajura"
    return app.run()


def _open(app: AppTest, prefix: str, phrase: str) -> None:
    app.text_input(key=f"{prefix}_phrase").input(phrase)
    app.get("form_submit_button")[0].click().run()


def _give(app: AppTest, key: str, phrase: str) -> None:
    """The phrase in the form that guards a change of the dataset (key: the action's)."""
    app.text_input(key=f"{key}_phrase").input(phrase)
    forms = [b for b in app.get("form_submit_button") if b.label == "Open the dataset"]
    forms[0].click().run()


@pytest.mark.parametrize("page", ["pages/flow_map.py", "pages/corridors.py"])
def test_a_locked_dataset_is_not_read_until_its_phrase_is_given(locked_store, reads, page):
    app = _linked(page)
    assert not app.exception, [e.value for e in app.exception]
    prefix = "flows" if "flow" in page else "corridors"
    assert any("'Locked shelter cases' is locked" in m.value for m in app.markdown)
    # Nothing of it is read (not its records, its filter options or its totals): the page
    # shows its own default data.
    assert LOCKED not in reads
    assert app.multiselect(key=f"{prefix}_datasets").value == [
        "dofe" if prefix == "flows" else "synthetic"
    ]
    _open(app, prefix, "not the phrase")
    assert "That phrase does not open 'Locked shelter cases'" in " ".join(
        e.value for e in app.error
    )
    assert LOCKED not in reads
    _open(app, prefix, PHRASE)
    assert not app.exception, [e.value for e in app.exception]
    assert LOCKED in reads
    if prefix == "flows":  # opened, its card says what it is, description included
        app.switch_page("pages/about_data.py").run()
        shown = " ".join(m.value for m in app.markdown)
        assert "Bajura shelter" in shown and "locked: shown only in browser sessions" in shown
        app.switch_page(page).run()
    assert app.multiselect(key=f"{prefix}_datasets").value == [LOCKED]
    metrics = {metric.label: metric.value for metric in app.metric}
    total = "People, focused flows" if prefix == "flows" else "People, chosen corridors"
    assert metrics[total] == "35"  # the link's focus on Bajura holds, now on the shelter's data


def test_a_links_filters_on_a_locked_datasets_own_values_hold_once_its_phrase_is_given(
    locked_store,
):
    """A value only the locked dataset has ("debt bondage": DoFE has no exploitation) was read
    against the data shown meanwhile, "not in the data", and dropped: the report's link did
    not reopen its figures (a helper's walkthrough)."""
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.query_params.update({"data": LOCKED, "exploitation": "debt bondage"})
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    said = " ".join(info.value for info in app.info)
    assert "not in the data" not in said
    assert "The link's filters apply once it is open" in said
    # The address keeps the link meanwhile: it became the page's default, so a reload lost it.
    assert app.query_params["data"] == LOCKED
    assert app.query_params["exploitation"] == "debt bondage"
    _open(app, "flows", PHRASE)
    assert not app.exception, [e.value for e in app.exception]
    assert app.multiselect(key="flows_exploitation").value == ["debt bondage"]
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["People, all destinations"] == "35"  # Bajura's, not Jhapa's too
    assert app.query_params["exploitation"] == "debt bondage"  # and in the page address


def test_a_locked_dataset_chosen_in_the_sidebar_waits_for_its_phrase(locked_store, reads):
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    app.multiselect(key="flows_datasets").set_value(["dofe", LOCKED]).run()
    assert not app.exception
    assert app.multiselect(key="flows_datasets").value == ["dofe"]
    assert any("'Locked shelter cases' is locked" in m.value for m in app.markdown)
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["Labour approvals, all destinations"] == f"{DOFE_TOTAL:,}"
    assert LOCKED not in reads


def test_a_view_never_holds_a_locked_dataset_not_opened_whatever_its_state(locked_store, reads):
    view = routes.ui.load_view(FilterState(datasets=("dofe", LOCKED), fiscal_year="2079/80"))
    assert view.flows_total == DOFE_TOTAL
    assert routes.ui.load_view(FilterState(datasets=(LOCKED,))).flows_total == 0
    assert LOCKED not in reads


def test_a_locked_datasets_details_are_not_shown_before_its_phrase(locked_store):
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    for page in ("pages/about_data.py", "pages/datasets.py"):
        app.switch_page(page).run()
        assert not app.exception
        shown = " ".join(
            [m.value for m in app.markdown]
            + [c.value for c in app.caption]
            + [str(frame.value.to_dict()) for frame in app.dataframe]
        )
        assert "Locked shelter cases" in shown
        assert "Bajura shelter" not in shown and "Test" not in shown.replace("Test NGO", "")
    # What it counts is its own too (the Datasets page listed it: a security review).
    (table,) = [frame.value for frame in app.dataframe if "Counts" in frame.value.columns]
    row = table[table["Title"] == "Locked shelter cases"].iloc[0]
    assert row["Counts"] == "locked"


def test_a_locked_dataset_is_moved_to_and_from_the_trash_only_with_its_phrase(locked_store):
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.run()
    app.switch_page("pages/datasets.py").run()
    assert not app.exception
    assert not [b for b in app.button if b.key == "datasets_delete"]
    assert any("This dataset is locked" in c.value for c in app.caption)
    _give(app, "datasets_delete", "a wrong guess")
    assert "That phrase does not open 'Locked shelter cases'" in app.error[0].value
    assert not [b for b in app.button if b.key == "datasets_delete"]
    _give(app, "datasets_delete", PHRASE)
    app.button(key="datasets_delete").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert locked_store.list_datasets() == ()
    assert "Moved 'Locked shelter cases'" in app.success[0].value
    # In the trash, as a fresh session finds it: restoring or deleting it for good asks for the
    # phrase again.
    fresh = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    fresh.run()
    fresh.switch_page("pages/datasets.py").run()
    keys = {b.key for b in fresh.button}
    assert "datasets_restore" not in keys and "datasets_purge" not in keys
    _give(fresh, "datasets_restore", PHRASE)
    fresh.button(key="datasets_restore").click().run()
    assert locked_store.list_datasets()[0].dataset_id == LOCKED


def test_wrong_phrases_make_every_session_wait_after_a_few(locked_store, monkeypatch):
    """Each wrong try costs scrypt's 50 ms only: many sessions could guess quickly."""
    monkeypatch.setattr(routes.ui, "WRONG_PHRASES_ALLOWED", 2)
    for guess in ("first guess here", "second guess here"):
        app = _linked()
        _open(app, "flows", guess)
        assert "That phrase does not open" in app.error[0].value
    app = _linked()  # another session, the right phrase: it must wait too
    _open(app, "flows", PHRASE)
    assert "Too many wrong phrases for 'Locked shelter cases' on this server" in app.error[0].value
    assert LOCKED not in app.multiselect(key="flows_datasets").value
    monkeypatch.setattr(routes.ui, "WRONG_PHRASE_WAIT_S", 0)
    _open(app, "flows", PHRASE)
    assert app.multiselect(key="flows_datasets").value == [LOCKED]


def test_a_links_waiting_filters_are_not_given_to_another_locked_dataset(locked_store):
    """A link's filters wait for the dataset it names: another locked dataset opened in the
    meantime did not take them (a code review)."""
    frame = pd.DataFrame(
        {"origin": ["Kaski"], "destination": ["Qatar"], "count": [50], "period": ["Magh 2079"]}
    )
    records = place_records(load_gazetteer(), validate_records(frame).records).records
    other_phrase = "walnut ferry lantern"
    locked_store.save(
        records,
        DatasetInfo(
            title="Other locked cases",
            organisation="Test",
            sensitivity="restricted",
            access_key=access_key_for(other_phrase),
        ),
    )
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    # A focus the other dataset has (Kaski) would hold on it, were it given the link's filters.
    app.query_params.update({"data": LOCKED, "focus": "district:Kaski"})
    app.run()
    app.multiselect(key="flows_datasets").set_value(["other-locked-cases"]).run()
    _open(app, "flows", other_phrase)
    assert not app.exception, [e.value for e in app.exception]
    assert app.multiselect(key="flows_datasets").value == ["other-locked-cases"]
    assert app.selectbox(key="flows_focus").value in (None, "")


def test_the_address_follows_the_page_once_the_analyst_changes_the_view_meanwhile(locked_store):
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.query_params.update({"data": LOCKED, "exploitation": "debt bondage"})
    app.run()
    app.multiselect(key="flows_sexes").set_value(["female"]).run()
    assert app.query_params.get("data") != LOCKED and app.query_params["sex"] == "female"
