"""The dataset store: versions, trash, recovery, and no damage from kills or concurrent saves.

The kill-during-save test stops a saving subprocess at every step of a save
(``ROUTES_STORE_PAUSE_AT``, a hook that makes the process announce the step and sleep there) and
kills it with SIGKILL; a second test kills processes that save in a loop after random small
delays. Each time the store must open, list either the state before the save or the state after
it, and load every dataset it lists.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from routes.store import (
    CATALOGUE,
    PAUSE_ENV,
    SAVE_STEPS,
    TMP,
    TRASH,
    DatasetInfo,
    DatasetStore,
    FileStore,
    StoreError,
    slugify,
)

RECORDS = pd.DataFrame(
    {
        "origin": ["Jhapa", "Kaski", "Morang"],
        "destination": ["Qatar", "Malaysia", "Kuwait"],
        "count": [3, 4, 5],
    }
)
INFO = DatasetInfo(
    title="Survey of returnees",
    organisation="Test organisation",
    licence="CC BY 4.0",
    collection_period="2079/80",
    description="Test data.",
    sensitivity="restricted",
    source_file="survey.csv",
    aliases={"Jhappa": "district:Jhapa"},
    mapping={"format": 1, "fields": {"origin": "origin"}},
)
SRC = str(Path(__file__).resolve().parents[2] / "src")

# A child process that saves into the store given as argv[1]: "once" saves one version of
# dataset "base" (or a new dataset with "new"); "loop" saves forever, alternating the two.
CHILD = """
import sys, pandas as pd
from routes.store import DatasetInfo, FileStore
store = FileStore(sys.argv[1])
records = pd.DataFrame({"origin": ["Jhapa"] * 40, "destination": ["Qatar"] * 40,
                        "count": range(40)})
mode = sys.argv[2]
if mode == "loop":
    print("ready", flush=True)
    n = 0
    while True:
        n += 1
        store.save(records.head(1 + n % 40), DatasetInfo(title=f"Loop {n % 3}"),
                   dataset_id="base" if n % 2 else None)
        print(n, flush=True)
else:
    store.save(records, DatasetInfo(title="Killed"), dataset_id="base" if mode == "once" else None)
    print("saved", flush=True)
"""


_started: list[subprocess.Popen] = []


@pytest.fixture(autouse=True)
def no_child_left():
    """Kill every child a test started, even when the test fails before killing it."""
    yield
    while _started:
        process = _started.pop()
        if process.poll() is None:
            process.kill()
            process.wait()


def child(root: Path, mode: str, pause_at: str | None = None) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": SRC}
    env.pop(PAUSE_ENV, None)
    if pause_at:
        env[PAUSE_ENV] = pause_at
    process = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(root), mode],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _started.append(process)
    return process


def state(store: FileStore) -> dict[str, tuple[int, ...]]:
    return {
        metadata.dataset_id: store.versions(metadata.dataset_id)
        for metadata in store.list_datasets()
    }


def assert_sound(store: FileStore) -> None:
    """Every listed dataset and version loads with the rows its metadata says; no debris."""
    for metadata in store.list_datasets():
        versions = store.versions(metadata.dataset_id)
        assert versions == tuple(range(1, len(versions) + 1)), metadata.dataset_id
        for version in versions:
            loaded = store.load_metadata(metadata.dataset_id, version)
            assert len(store.load_records(metadata.dataset_id, version)) == loaded.row_count
    root = store.root
    assert not list((root / TMP).iterdir()) if (root / TMP).exists() else True
    assert not list(root.glob(f"{CATALOGUE}.*.tmp"))
    listed = {m.dataset_id: set(store.versions(m.dataset_id)) for m in store.list_datasets()}
    for folder in root.iterdir():
        if folder.is_dir() and not folder.name.startswith("."):
            on_disk = {int(v.name[1:]) for v in folder.iterdir()}
            assert on_disk == listed.get(folder.name), folder.name


@pytest.fixture
def store(tmp_path) -> FileStore:
    return FileStore(tmp_path / "store")


@pytest.fixture
def seeded(tmp_path) -> Path:
    """A store holding dataset "base" (version 1)."""
    root = tmp_path / "seed"
    FileStore(root).save(RECORDS, DatasetInfo(title="Base"))
    return root


def test_file_store_implements_the_store_protocol(store):
    assert isinstance(store, DatasetStore)


def test_save_then_list_and_load_give_back_records_and_metadata(store):
    saved = store.save(RECORDS, INFO)
    assert saved.dataset_id == "survey-of-returnees" and saved.version == 1
    assert saved.row_count == 3 and saved.sensitivity == "restricted"
    (listed,) = store.list_datasets()
    assert listed == saved
    assert store.load_metadata(saved.dataset_id) == saved
    pd.testing.assert_frame_equal(store.load_records(saved.dataset_id), RECORDS)
    assert listed.aliases == {"Jhappa": "district:Jhapa"}
    assert listed.mapping == INFO.mapping
    path = store.root / saved.dataset_id / "v1"
    assert sorted(p.name for p in path.iterdir()) == ["metadata.json", "records.parquet"]


def test_every_version_is_kept_unchanged(store):
    first = store.save(RECORDS, INFO)
    before = (store.root / first.dataset_id / "v1" / "records.parquet").read_bytes()
    second = store.save(RECORDS.head(1), first.info, dataset_id=first.dataset_id)
    assert second.version == 2
    assert store.versions(first.dataset_id) == (1, 2)
    assert len(store.load_records(first.dataset_id)) == 1
    assert len(store.load_records(first.dataset_id, version=1)) == 3
    assert (store.root / first.dataset_id / "v1" / "records.parquet").read_bytes() == before
    assert store.list_datasets()[0].version == 2


def test_same_titles_get_distinct_ids(store):
    ids = [store.save(RECORDS, INFO).dataset_id for _ in range(3)]
    assert ids == ["survey-of-returnees", "survey-of-returnees-2", "survey-of-returnees-3"]
    assert slugify("DoFE, Baisakh 2080 — Kāski!") == "dofe-baisakh-2080-kaski"


def test_delete_moves_to_trash_and_restore_brings_back(store):
    saved = store.save(RECORDS, INFO)
    store.save(RECORDS, INFO, dataset_id=saved.dataset_id)
    store.delete(saved.dataset_id)
    assert store.list_datasets() == ()
    assert [m.dataset_id for m in store.list_trash()] == [saved.dataset_id]
    assert (store.root / TRASH / saved.dataset_id / "v2").is_dir()
    with pytest.raises(StoreError, match="restore it from the trash first"):
        store.save(RECORDS, INFO, dataset_id=saved.dataset_id)
    restored = store.restore(saved.dataset_id)
    assert restored.version == 2 and store.versions(saved.dataset_id) == (1, 2)
    assert len(store.load_records(saved.dataset_id, 1)) == 3
    with pytest.raises(StoreError, match="no dataset 'survey-of-returnees' in the trash"):
        store.restore(saved.dataset_id)


def test_unknown_datasets_and_versions_are_named(store):
    saved = store.save(RECORDS, INFO)
    with pytest.raises(StoreError, match="no dataset 'nope'"):
        store.load_records("nope")
    with pytest.raises(StoreError, match="has no version 7; its versions are 1"):
        store.load_records(saved.dataset_id, 7)
    with pytest.raises(StoreError, match="no dataset 'nope' to add a version to"):
        store.save(RECORDS, INFO, dataset_id="nope")


def test_metadata_is_checked_before_anything_is_written(store):
    with pytest.raises(StoreError, match="give the dataset a title.*'secret' is not one of"):
        store.save(RECORDS, DatasetInfo(title=" ", sensitivity="secret"))
    assert not store.root.exists()


def test_geometry_and_mixed_cells_survive_a_save(store):
    frame = RECORDS.assign(extra=[1, "two", None])
    points = gpd.GeoDataFrame(frame, geometry=[Point(51.5, 25.3)] * 3, crs="EPSG:4326")
    saved = store.save(points, INFO)
    assert saved.has_geometry
    loaded = store.load_records(saved.dataset_id)
    assert isinstance(loaded, gpd.GeoDataFrame) and loaded.crs.to_epsg() == 4326
    assert loaded.geometry.x.tolist() == [51.5] * 3
    assert loaded["extra"].tolist()[:2] == ["1", "two"]


def test_text_kept_as_categories_is_written_as_dictionaries_and_loads_as_text(store):
    import pyarrow as pa
    import pyarrow.parquet as pq

    as_text = RECORDS.astype({"origin": "string", "destination": "string"}).assign(
        sex=pd.Series(["male", None, "male"], dtype="string"),
        when=pd.to_datetime(["2023-01-01", "2023-02-01", None]).astype("datetime64[s]"),
    )
    as_categories = as_text.astype({"origin": "category", "sex": "category"})
    plain = store.save(as_text, INFO)
    coded = store.save(as_categories, INFO)
    path = store.root / coded.dataset_id / "v1" / "records.parquet"
    assert pa.types.is_dictionary(pq.read_schema(path).field("origin").type)
    pd.testing.assert_frame_equal(
        store.load_records(coded.dataset_id), store.load_records(plain.dataset_id)
    )
    assert str(store.load_records(coded.dataset_id)["sex"].dtype) == "string"


def test_full_columns_are_written_required_and_joined_tables_say_their_empty_cells(store):
    import pyarrow as pa
    import pyarrow.parquet as pq

    full = store.save(RECORDS.astype({"origin": "category"}), INFO)
    path = store.root / full.dataset_id / "v1" / "records.parquet"
    assert not pq.read_schema(path).field("origin").nullable  # no level per cell on disk
    other = store.save(RECORDS.drop(columns="origin"), INFO)
    joined = pa.concat_tables(
        [store.load_record_table(full.dataset_id), store.load_record_table(other.dataset_id)],
        promote_options="permissive",
    )
    # Read back, no column claims it cannot be empty: the other dataset has no origins.
    assert all(field.nullable for field in joined.schema)
    assert joined.column("origin").to_pylist() == ["Jhapa", "Kaski", "Morang", None, None, None]
    assert joined.validate(full=True) is None


def test_opening_the_store_cleans_the_debris_of_a_killed_save(seeded):
    (seeded / TMP / "save-dead").mkdir(parents=True)
    (seeded / TMP / "save-dead" / "records.parquet").write_bytes(b"PAR1 half")
    (seeded / f"{CATALOGUE}.dead.tmp").write_text("{", encoding="utf-8")
    shutil.copytree(seeded / "base" / "v1", seeded / "base" / "v2")  # never committed
    shutil.copytree(seeded / "base" / "v1", seeded / "orphan" / "v1")
    store = FileStore(seeded)
    assert len(store.recovered) == 4
    assert state(store) == {"base": (1,)}
    assert_sound(store)
    assert store.save(RECORDS, DatasetInfo(title="x"), dataset_id="base").version == 2


def test_rebuild_catalogue_recovers_a_lost_catalogue(seeded):
    store = FileStore(seeded)
    store.save(RECORDS, DatasetInfo(title="Other"))
    store.delete("other")
    (seeded / CATALOGUE).unlink()
    assert store.list_datasets() == ()
    assert store.rebuild_catalogue() == ("base", "other")
    assert state(store) == {"base": (1,)}
    assert [m.dataset_id for m in store.list_trash()] == ["other"]


def test_a_damaged_catalogue_is_reported_not_overwritten(seeded):
    (seeded / CATALOGUE).write_text("{broken", encoding="utf-8")
    with pytest.raises(StoreError, match="rebuild_catalogue"):
        FileStore(seeded).list_datasets()
    assert (seeded / CATALOGUE).read_text(encoding="utf-8") == "{broken"


def _wait_for(process: subprocess.Popen, marker: str, timeout_s: float = 30) -> None:
    """Read the child's stderr until the marker line (blocking reads; no sleeps)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if marker in line:
            return
        if not line and process.poll() is not None:
            raise AssertionError(f"child ended before '{marker}': {process.stderr.read()}")
    raise AssertionError(f"child did not reach '{marker}'")


def test_a_save_killed_at_any_step_leaves_the_store_before_or_after(seeded, tmp_path):
    cases = []
    for step in SAVE_STEPS:
        for mode in ("once", "new"):  # a new version of "base", or a new dataset
            root = tmp_path / f"{step}-{mode}"
            shutil.copytree(seeded, root)
            cases.append((step, mode, root, child(root, mode, pause_at=step)))
    before = {"base": (1,)}
    for step, mode, root, process in cases:
        _wait_for(process, f"paused at {step}")
        process.send_signal(signal.SIGKILL)
        process.wait()
        store = FileStore(root)
        after = {"base": (1, 2)} if mode == "once" else {"base": (1,), "killed": (1,)}
        expected = after if step == "catalogue_replaced" else before
        assert state(store) == expected, (step, mode)
        assert_sound(store)
        # The store takes the next save as if nothing had happened.
        next_version = store.save(RECORDS, DatasetInfo(title="Next"), dataset_id="base").version
        assert next_version == max(expected["base"]) + 1
        assert_sound(store)


def test_saves_killed_after_random_delays_never_break_the_store(seeded, tmp_path):
    rng = random.Random(20240101)
    roots = [tmp_path / f"loop-{index}" for index in range(4)]
    for root in roots:
        shutil.copytree(seeded, root)
    for _ in range(2):  # the second round opens stores that a kill left behind
        processes = [(child(root, "loop"), rng.uniform(0.02, 0.6)) for root in roots]
        for process, _ in processes:
            assert process.stdout.readline().strip() == "ready"
        start = time.monotonic()
        for process, delay_s in sorted(processes, key=lambda item: item[1]):
            # The random kill point is the purpose of this wait.
            time.sleep(max(0.0, start + delay_s - time.monotonic()))
            process.send_signal(signal.SIGKILL)
        for process, _ in processes:
            process.wait()
        for root in roots:
            store = FileStore(root)
            assert "base" in state(store)
            assert_sound(store)


def test_two_processes_saving_at_once_both_succeed(seeded):
    script = """
import sys, pandas as pd
from routes.store import DatasetInfo, FileStore
store = FileStore(sys.argv[1])
records = pd.DataFrame({"origin": ["Jhapa"], "destination": ["Qatar"], "count": [1]})
print("ready", flush=True)
sys.stdin.readline()  # both start together
for n in range(SAVES):
    store.save(records, DatasetInfo(title="Concurrent"), dataset_id="base" if n % 2 else None)
print("done", flush=True)
""".replace("SAVES", "16")
    env = {**os.environ, "PYTHONPATH": SRC}
    env.pop(PAUSE_ENV, None)
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(seeded)],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for process in processes:
        assert process.stdout.readline().strip() == "ready"
    for process in processes:
        process.stdin.write("go\n")
        process.stdin.flush()
    for process in processes:
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
        assert out.strip() == "done"
    catalogue = json.loads((seeded / CATALOGUE).read_text(encoding="utf-8"))
    assert set(catalogue["datasets"]) == {"base", "concurrent"} | {
        f"concurrent-{n}" for n in range(2, 17)
    }
    store = FileStore(seeded)
    assert store.versions("base") == tuple(range(1, 18))
    assert_sound(store)


def test_a_dataset_in_the_trash_can_be_deleted_for_good(store):
    saved = store.save(RECORDS, INFO)
    store.save(RECORDS, INFO, dataset_id=saved.dataset_id)
    kept = store.save(RECORDS, DatasetInfo(title="Kept"))
    with pytest.raises(StoreError, match="deleted for good from the trash only"):
        store.purge(saved.dataset_id)  # not in the trash: two deliberate steps
    store.delete(saved.dataset_id)
    store.purge(saved.dataset_id)
    assert store.list_trash() == () and [m.dataset_id for m in store.list_datasets()] == ["kept"]
    assert not (store.root / TRASH / saved.dataset_id).exists()
    assert "survey-of-returnees" not in (store.root / CATALOGUE).read_text()
    with pytest.raises(StoreError, match="no dataset 'survey-of-returnees' in the trash"):
        store.restore(saved.dataset_id)
    # The id is not given again (an id and version always name the same records), and only its
    # digest is kept.
    again = store.save(RECORDS.head(1), INFO)
    assert (again.dataset_id, again.version) == ("survey-of-returnees-2", 1)
    assert len(store.load_records(again.dataset_id)) == 1
    store.rebuild_catalogue()
    assert store.save(RECORDS, INFO).dataset_id == "survey-of-returnees-3"
    assert len(store.load_records(kept.dataset_id)) == 3
    assert_sound(store)


PURGE_CHILD = """
import sys
from routes.store import FileStore
FileStore(sys.argv[1]).purge("base")
print("purged", flush=True)
"""


def test_a_purge_killed_after_its_commit_leaves_no_files_behind(seeded, tmp_path):
    root = tmp_path / "killed-purge"
    shutil.copytree(seeded, root)
    FileStore(root).delete("base")
    env = {**os.environ, "PYTHONPATH": SRC, PAUSE_ENV: "purge_committed"}
    process = subprocess.Popen(
        [sys.executable, "-c", PURGE_CHILD, str(root)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    _started.append(process)
    assert process.stderr.readline().strip() == "paused at purge_committed"
    process.kill()
    process.wait()
    assert (root / TRASH / "base").exists()  # killed before its files went
    store = FileStore(root)
    store.recover()
    assert not (root / TRASH / "base").exists()
    assert "base" not in {m.dataset_id for m in (*store.list_datasets(), *store.list_trash())}
    assert_sound(store)


def test_a_purge_removes_the_files_a_killed_delete_left_in_place(store):
    saved = store.save(RECORDS, INFO)
    store.save(RECORDS, INFO, dataset_id=saved.dataset_id)
    # A delete killed between its commit and its move: the catalogue says "in the trash", the
    # files are still in place (recover() has not run).
    catalogue = json.loads((store.root / CATALOGUE).read_text())
    catalogue["datasets"][saved.dataset_id]["deleted_at"] = "2026-11-28T00:00:00+00:00"
    (store.root / CATALOGUE).write_text(json.dumps(catalogue))
    assert (store.root / saved.dataset_id / "v2").is_dir()
    store.purge(saved.dataset_id)
    assert not (store.root / saved.dataset_id).exists()
    assert not (store.root / TRASH / saved.dataset_id).exists()
    # Leftovers copied back by hand do not return with a rebuilt catalogue either.
    kept = store.save(RECORDS, DatasetInfo(title="Kept"))
    leftover = store.root / saved.dataset_id / "v1"
    shutil.copytree(store.root / kept.dataset_id / "v1", leftover, dirs_exist_ok=True)
    assert saved.dataset_id not in store.rebuild_catalogue()
    assert [m.dataset_id for m in store.list_datasets()] == [kept.dataset_id]


PHRASE = "juniper kettle harbour"


def test_an_access_phrase_is_checked_and_kept_as_a_salted_key_only():
    from routes.store import StoreError, access_key_for, new_access_key, phrase_opens

    key = new_access_key(PHRASE, PHRASE, "restricted")
    assert key.startswith("scrypt$") and PHRASE not in key
    assert key != access_key_for(PHRASE)  # salted: the same phrase gives another key
    assert phrase_opens(key, PHRASE) and not phrase_opens(key, PHRASE + " ")
    assert not phrase_opens("garbled", PHRASE) and phrase_opens("", "anything")
    assert new_access_key("", "", "restricted") == ""
    for phrase, again, sensitivity, message in [
        (PHRASE, PHRASE + "x", "restricted", "differ"),
        ("short", "short", "restricted", "at least 10"),
        (PHRASE, PHRASE, "public", "locks restricted data"),
    ]:
        with pytest.raises(StoreError, match=message):
            new_access_key(phrase, again, sensitivity)


def test_a_new_version_keeps_its_datasets_key_and_cannot_lock_an_open_one(tmp_path):
    """Anyone could lock another's dataset away from its owner by saving a version with a
    phrase."""
    from routes.datasets import dataset_from_metadata
    from routes.store import StoreError, new_access_key

    store = FileStore(tmp_path)
    records = pd.DataFrame({"origin": ["Jhapa"], "destination": ["Qatar"], "count": [5]})
    key = new_access_key(PHRASE, PHRASE, "restricted")
    first = store.save(
        records, DatasetInfo(title="Cases", sensitivity="restricted", access_key=key)
    )
    second = store.save(records, first.info, dataset_id=first.dataset_id)
    assert second.version == 2 and second.access_key == key
    assert dataset_from_metadata(second).locked
    assert new_access_key("", "", "restricted", second) == key
    open_one = store.save(records, DatasetInfo(title="Hotline"))
    with pytest.raises(StoreError, match="locked when it is first saved"):
        new_access_key(PHRASE, PHRASE, "restricted", open_one)
    with pytest.raises(StoreError, match="keeps its dataset's access phrase"):
        new_access_key("another phrase entirely", "another phrase entirely", "restricted", second)
    stored = (tmp_path / "catalogue.json").read_text() + "".join(
        path.read_text() for path in tmp_path.rglob("metadata.json")
    )
    assert PHRASE not in stored and key in stored


def test_a_restricted_datasets_next_version_is_public_only_when_asked(tmp_path):
    from routes.store import StoreError, check_made_public

    store = FileStore(tmp_path)
    records = pd.DataFrame({"origin": ["Jhapa"], "destination": ["Qatar"], "count": [5]})
    shelter = store.save(records, DatasetInfo(title="Shelter", sensitivity="restricted"))
    with pytest.raises(StoreError, match="'Shelter' is restricted"):
        check_made_public(shelter, "public", made_public=False)
    check_made_public(shelter, "public", made_public=True)
    check_made_public(shelter, "restricted", made_public=False)
    check_made_public(None, "public", made_public=False)  # a new dataset


def test_the_store_itself_keeps_a_next_versions_sensitivity_and_lock_rules(store):
    """The rules were checked only by the upload form and the command line, against what they
    read before saving: any other caller, or a version saved meanwhile, got round them."""
    from dataclasses import replace

    from routes.store import access_key_for

    restricted = replace(INFO, sensitivity="restricted")
    saved = store.save(RECORDS, restricted)
    with pytest.raises(StoreError, match="is restricted: its small counts are hidden"):
        store.save(RECORDS, replace(INFO, sensitivity="public"), dataset_id=saved.dataset_id)
    public = store.save(
        RECORDS, replace(INFO, sensitivity="public"), dataset_id=saved.dataset_id, made_public=True
    )
    assert public.version == 2 and public.sensitivity == "public"
    locked = replace(restricted, access_key=access_key_for("juniper kettle harbour"))
    with pytest.raises(StoreError, match="A new version keeps the access phrase"):
        store.save(RECORDS, locked, dataset_id=saved.dataset_id)
    assert store.versions(saved.dataset_id) == (1, 2)


def test_a_restricted_dataset_says_rows_were_left_out_without_their_number():
    """ "without 2 rows of the file that had problems" was a count below the threshold in every
    view and export of survivor cases (a security review); public data keep the number."""
    from routes.datasets import dataset_from_metadata
    from routes.store import DatasetMetadata

    def note(sensitivity: str) -> str:
        metadata = DatasetMetadata(
            dataset_id="cases", title="Cases", organisation="NGO", licence="", description="",
            collection_period="", sensitivity=sensitivity, source_file="cases.csv",
            created_at="2026-11-28T00:00:00Z", version=1, row_count=300, rows_left_out=2,
        )  # fmt: skip
        return dataset_from_metadata(metadata).source_note

    assert "without some rows of the file that had problems" in note("restricted")
    assert "2" not in note("restricted").replace("(version 1)", "")
    assert "without 2 rows of the file that had problems" in note("public")
