"""The dataset store: save, version, list, load, delete and restore route datasets.

:class:`DatasetStore` is the interface the app uses; :class:`FileStore` keeps datasets in a
folder (``ROUTES_STORE_DIR``/datasets by default), and a database-server backend can implement
the same protocol later. The folder holds::

    catalogue.json                  the list of datasets: the commit point of every change
    .lock                           held (fcntl.flock) around every change of the catalogue
    <id>/v<N>/records.parquet       one immutable folder per saved version
    <id>/v<N>/metadata.json
    .trash/<id>/...                 deleted datasets, restorable
    .tmp/                           versions being written; left-overs of a killed save

How a save stays all-or-nothing: the records are serialised first (no lock held); then, under the
lock, the version folder is written in ``.tmp`` and fsynced, renamed into place, and the
catalogue is replaced atomically (written to a temporary file, fsynced, ``os.replace``). A
process killed at any moment leaves the catalogue as it was before or as it is after; a version
folder that the catalogue does not list, and anything in ``.tmp``, is the debris of a killed save
and is removed the next time the store is opened. Readers take no lock: the catalogue is only
ever replaced whole, and versions never change once in place.

For the kill-during-save test only, ``ROUTES_STORE_PAUSE_AT`` names a step of :meth:`FileStore.save`
at which the saving process announces itself on stderr and sleeps, so that the test can kill it
exactly there (the steps are :data:`SAVE_STEPS`). The store works on POSIX systems (fcntl).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import hmac
import io
import json
import os
import re
import shutil
import sys
import time
import unicodedata
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import pandas as pd
import pyarrow as pa

from routes.settings import STORE_DIR

DEFAULT_STORE_ROOT = STORE_DIR / "datasets"
CATALOGUE = "catalogue.json"
LOCK = ".lock"
TRASH = ".trash"
#: The catalogue's list of the digests of purged dataset ids, which are not given again.
PURGED = "purged"
TMP = ".tmp"
RECORDS_FILE = "records.parquet"
METADATA_FILE = "metadata.json"
CATALOGUE_FORMAT = 1

PUBLIC = "public"
RESTRICTED = "restricted"
SENSITIVITIES = (PUBLIC, RESTRICTED)

#: The steps of a save, in order; ``ROUTES_STORE_PAUSE_AT`` may name one (tests only).
SAVE_STEPS = (
    "serialised",
    "locked",
    "records_written",
    "metadata_written",
    "version_in_place",
    "catalogue_written",
    "catalogue_replaced",
)
PAUSE_ENV = "ROUTES_STORE_PAUSE_AT"

_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
_VERSION_DIR = re.compile(r"^v(\d+)$")


class StoreError(ValueError):
    """A dataset that does not exist, metadata that is not acceptable, or a damaged store."""


@dataclass(frozen=True)
class DatasetInfo:
    """What the analyst says about a dataset when saving it.

    Attributes
    ----------
    title : str
    organisation, licence, collection_period, description : str
    sensitivity : str
        ``"public"`` or ``"restricted"`` (small counts are suppressed in every view and export).
    source_file : str
        The uploaded file's name.
    aliases : dict
        Name -> place id chosen by the analyst for names the gazetteer did not resolve.
    mapping : dict or None
        The column mapping used, in :func:`routes.mapping.mapping_to_dict` form.
    access_key : str
        From :func:`access_key_for`: the app shows the dataset only to whoever gives its access
        phrase ("" for none). The phrase itself is never kept.
    rows_left_out : int
        Rows of the file not taken in because they had problems (the analyst saved without
        them); every view of the dataset names them in its source.
    unit : str
        What a count is ("People", "Cases"): every total and legend of the dataset says it.
    reading_notes : tuple of str
        How the file was read where it could be read more than one way (empty counts read as
        one person each, "Direct" as no transit, Devanagari digits): said with the dataset's
        source in every view and export, as its figures rest on them.
    """

    title: str
    organisation: str = ""
    licence: str = ""
    collection_period: str = ""
    description: str = ""
    sensitivity: str = PUBLIC
    source_file: str = ""
    aliases: dict[str, str] = field(default_factory=dict)
    mapping: dict[str, Any] | None = None
    access_key: str = ""
    rows_left_out: int = 0
    unit: str = "People"
    reading_notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class DatasetMetadata:
    """One saved version of a dataset: what the analyst said, and what the store adds."""

    dataset_id: str
    title: str
    organisation: str
    licence: str
    collection_period: str
    description: str
    sensitivity: str
    source_file: str
    created_at: str
    version: int
    row_count: int
    aliases: dict[str, str] = field(default_factory=dict)
    mapping: dict[str, Any] | None = None
    has_geometry: bool = False
    access_key: str = ""
    rows_left_out: int = 0
    unit: str = "People"
    reading_notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DatasetMetadata:
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        if "reading_notes" in known:
            known["reading_notes"] = tuple(known["reading_notes"])  # a list in JSON
        return cls(**known)

    @property
    def info(self) -> DatasetInfo:
        """What the analyst gave, to save the next version with (changed where needed)."""
        return DatasetInfo(
            title=self.title,
            organisation=self.organisation,
            licence=self.licence,
            collection_period=self.collection_period,
            description=self.description,
            sensitivity=self.sensitivity,
            source_file=self.source_file,
            aliases=dict(self.aliases),
            mapping=self.mapping,
            access_key=self.access_key,
            unit=self.unit,
        )


@runtime_checkable
class DatasetStore(Protocol):
    """What the app needs of a dataset store, whatever keeps the data."""

    def list_datasets(self) -> tuple[DatasetMetadata, ...]:
        """The current version of every dataset not deleted."""

    def list_trash(self) -> tuple[DatasetMetadata, ...]:
        """The current version of every deleted dataset."""

    def versions(self, dataset_id: str) -> tuple[int, ...]:
        """Every version number of a dataset, oldest first."""

    def load_metadata(self, dataset_id: str, version: int | None = None) -> DatasetMetadata:
        """One version's metadata (the latest when ``version`` is None)."""

    def load_records(self, dataset_id: str, version: int | None = None) -> pd.DataFrame:
        """One version's records (the latest when ``version`` is None)."""

    def load_record_table(self, dataset_id: str, version: int | None = None) -> pa.Table | None:
        """One version's records as an Arrow table, as kept (None when they carry geometry)."""

    def save(
        self,
        records: pd.DataFrame,
        info: DatasetInfo,
        dataset_id: str | None = None,
        made_public: bool = False,
    ) -> DatasetMetadata:
        """Keep records as a new dataset, or as the next version of ``dataset_id``."""

    def delete(self, dataset_id: str) -> None:
        """Move a dataset to the trash."""

    def restore(self, dataset_id: str) -> DatasetMetadata:
        """Bring a dataset back from the trash."""

    def purge(self, dataset_id: str) -> None:
        """Delete a dataset in the trash for good."""


#: scrypt's cost: about 50 ms a try on a laptop, so that a stolen key is slow to guess from.
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
#: The shortest access phrase taken.
MIN_PHRASE_CHARACTERS = 10


def access_key_for(phrase: str) -> str:
    """What a dataset keeps of its access phrase: a salted scrypt digest, never the phrase."""
    salt = os.urandom(16)
    digest = hashlib.scrypt(phrase.encode("utf-8"), salt=salt, **_SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def phrase_opens(access_key: str, phrase: str) -> bool:
    """Whether ``phrase`` is the one ``access_key`` was made from (a dataset with no key is
    open to all)."""
    if not access_key:
        return True
    try:
        kind, salt, digest = access_key.split("$")
        if kind != "scrypt":
            return False
        tried = hashlib.scrypt(phrase.encode("utf-8"), salt=bytes.fromhex(salt), **_SCRYPT)
    except ValueError:
        return False
    return hmac.compare_digest(tried.hex(), digest)


def new_access_key(
    phrase: str, again: str, sensitivity: str, previous: DatasetMetadata | None = None
) -> str:
    """The access key of a version about to be saved, from the phrase given twice.

    A new version keeps its dataset's key (whoever saves it has opened it), and cannot lock a
    dataset that has none: anyone could otherwise lock another's dataset away from its owner.

    Raises
    ------
    StoreError
        What is wrong with the phrases, and what to do.
    """
    if previous is not None:
        if phrase or again:
            if previous.access_key:
                raise StoreError(
                    "A new version keeps its dataset's access phrase; leave the phrase out."
                )
            raise StoreError(
                "A dataset is locked when it is first saved: save the file as a new dataset with "
                "the phrase, or leave the phrase out."
            )
        return previous.access_key
    if not phrase and not again:
        return ""
    if sensitivity != RESTRICTED:
        raise StoreError(
            "An access phrase locks restricted data: choose restricted, or leave it out."
        )
    if len(phrase) < MIN_PHRASE_CHARACTERS:
        raise StoreError(f"The access phrase needs at least {MIN_PHRASE_CHARACTERS} characters.")
    if phrase != again:
        raise StoreError("The two access phrases differ; type the same phrase twice.")
    return access_key_for(phrase)


def check_made_public(
    previous: DatasetMetadata | None, sensitivity: str, made_public: bool
) -> None:
    """A restricted dataset's next version is saved as public only when the analyst asks for it
    in so many words (one click on a radio made a survivor dataset's exact counts public).

    Raises
    ------
    StoreError
        The version would make a restricted dataset public unasked; the caller says how to ask.
    """
    unasked = previous is not None and previous.sensitivity == RESTRICTED != sensitivity
    if unasked and not made_public:
        raise StoreError(
            f"'{previous.title}' is restricted: its small counts are hidden in every view."
        )


def validate_dataset_info(info: DatasetInfo) -> tuple[str, ...]:
    """Every reason the metadata cannot be saved; empty when it can."""
    problems = []
    if not info.title.strip():
        problems.append("give the dataset a title.")
    if info.sensitivity not in SENSITIVITIES:
        problems.append(
            f"sensitivity '{info.sensitivity}' is not one of {', '.join(SENSITIVITIES)}."
        )
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in info.aliases.items()):
        problems.append("aliases map names to place ids, both text.")
    if not info.unit.strip():
        problems.append("say what a count is (People, Cases, ...).")
    return tuple(problems)


def slugify(title: str) -> str:
    """A dataset id from a title: ``"DoFE, Baisakh 2080"`` -> ``"dofe-baisakh-2080"``."""
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].strip("-")
    return slug or "dataset"


class FileStore:
    """Datasets in a folder, every version immutable, every change atomic.

    Parameters
    ----------
    root
        The store's folder; created on the first save. Opening the store cleans the debris of
        killed saves (unless another process is changing the store at that moment).
    """

    def __init__(self, root: Path | str = DEFAULT_STORE_ROOT) -> None:
        self.root = Path(root)
        self.recovered: tuple[str, ...] = self.recover(wait=False)

    def __repr__(self) -> str:
        return f"FileStore({str(self.root)!r})"

    # --- reading, no lock -------------------------------------------------------------------

    def list_datasets(self) -> tuple[DatasetMetadata, ...]:
        entries = self._catalogue()["datasets"]
        return tuple(
            DatasetMetadata.from_dict(entry["current"])
            for _, entry in sorted(entries.items())
            if not entry.get("deleted_at")
        )

    def list_trash(self) -> tuple[DatasetMetadata, ...]:
        entries = self._catalogue()["datasets"]
        return tuple(
            DatasetMetadata.from_dict(entry["current"])
            for _, entry in sorted(entries.items())
            if entry.get("deleted_at")
        )

    def versions(self, dataset_id: str) -> tuple[int, ...]:
        return tuple(self._entry(dataset_id, deleted_ok=True)["versions"])

    def load_metadata(self, dataset_id: str, version: int | None = None) -> DatasetMetadata:
        folder = self._version_folder(dataset_id, version)
        return DatasetMetadata.from_dict(
            json.loads((folder / METADATA_FILE).read_text(encoding="utf-8"))
        )

    def load_records(self, dataset_id: str, version: int | None = None) -> pd.DataFrame:
        folder = self._version_folder(dataset_id, version)
        metadata = self.load_metadata(dataset_id, version)
        path = folder / RECORDS_FILE
        if metadata.has_geometry:
            import geopandas as gpd

            return gpd.read_parquet(path)
        return _read_records(path)

    def load_record_table(self, dataset_id: str, version: int | None = None) -> pa.Table | None:
        import pyarrow.parquet as pq

        folder = self._version_folder(dataset_id, version)
        if self.load_metadata(dataset_id, version).has_geometry:
            return None
        table = pq.read_table(folder / RECORDS_FILE)
        # Columns written as required (no empty cell) may be empty once joined with others.
        nullable = pa.schema(
            [field.with_nullable(True) for field in table.schema], metadata=table.schema.metadata
        )
        return pa.Table.from_arrays(table.columns, schema=nullable)

    # --- changing, under the lock -----------------------------------------------------------

    def save(
        self,
        records: pd.DataFrame,
        info: DatasetInfo,
        dataset_id: str | None = None,
        made_public: bool = False,
    ) -> DatasetMetadata:
        """Keep records as a new dataset, or as the next version of an existing one.

        Parameters
        ----------
        records
            The validated records (any frame; a ``geometry`` column of shapely geometries is kept
            as GeoParquet).
        info
            Title, provenance, sensitivity, aliases and mapping.
        dataset_id
            None for a new dataset (its id is made from the title); an existing id for its next
            version, which keeps the dataset's access key and is public only if
            ``made_public`` (:func:`check_made_public`), checked here against the version kept
            now, whatever a form read earlier.
        made_public
            The analyst asked that a restricted dataset's next version be public.

        Returns
        -------
        DatasetMetadata
            The version saved.

        Raises
        ------
        StoreError
            The metadata is not acceptable, or ``dataset_id`` is not in the store.
        """
        problems = validate_dataset_info(info)
        if problems:
            raise StoreError("The dataset cannot be saved: " + " ".join(problems))
        payload, has_geometry = _serialise(records)
        _pause_at("serialised")
        self.root.mkdir(parents=True, exist_ok=True)
        with self._locked():
            _pause_at("locked")
            catalogue = self._catalogue()
            entries = catalogue["datasets"]
            if dataset_id is None:
                dataset_id = self._new_id(info.title, catalogue)
            elif dataset_id not in entries or entries[dataset_id].get("deleted_at"):
                raise StoreError(
                    f"There is no dataset '{dataset_id}' to add a version to in {self.root}; "
                    "save it as a new dataset, or restore it from the trash first."
                )
            if dataset_id in entries:
                current = DatasetMetadata.from_dict(entries[dataset_id]["current"])
                check_made_public(current, info.sensitivity, made_public)
                if info.access_key != current.access_key:
                    raise StoreError(
                        f"A new version keeps the access phrase of '{current.title}'; it cannot "
                        "be given one, or have its own taken away."
                    )
            version = self._next_version(dataset_id, entries.get(dataset_id))
            metadata = DatasetMetadata(
                dataset_id=dataset_id,
                created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                version=version,
                row_count=len(records),
                has_geometry=has_geometry,
                **{name: getattr(info, name) for name in DatasetInfo.__dataclass_fields__},
            )
            staging = self._staging_folder()
            _write_durably(staging / RECORDS_FILE, payload)
            _pause_at("records_written")
            _write_durably(staging / METADATA_FILE, _json_bytes(metadata.to_dict()))
            _fsync_folder(staging)
            _pause_at("metadata_written")
            target = self.root / dataset_id / f"v{version}"
            target.parent.mkdir(exist_ok=True)
            os.rename(staging, target)
            _fsync_folder(target.parent)
            _pause_at("version_in_place")
            entry = entries.get(dataset_id, {"versions": [], "deleted_at": None})
            entries[dataset_id] = {
                **entry,
                "versions": [*entry["versions"], version],
                "current": metadata.to_dict(),
            }
            self._write_catalogue(catalogue)
        return metadata

    def delete(self, dataset_id: str) -> None:
        """Move a dataset, every version of it, to the trash; :meth:`restore` brings it back."""
        with self._locked():
            catalogue = self._catalogue()
            entry = self._entry(dataset_id, catalogue=catalogue)
            entry["deleted_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
            self._write_catalogue(catalogue)
            self._move(self.root / dataset_id, self.root / TRASH / dataset_id)

    def restore(self, dataset_id: str) -> DatasetMetadata:
        """Bring a deleted dataset back from the trash, every version of it."""
        with self._locked():
            catalogue = self._catalogue()
            entry = self._trashed(
                dataset_id, catalogue, "`python -m routes datasets --trash` lists what is there."
            )
            entry["deleted_at"] = None
            self._write_catalogue(catalogue)
            self._move(self.root / TRASH / dataset_id, self.root / dataset_id)
            return DatasetMetadata.from_dict(entry["current"])

    def purge(self, dataset_id: str) -> None:
        """Delete a dataset that is in the trash for good: every version, its files and its
        entry in the catalogue. It cannot be undone; only a dataset in the trash can be purged,
        so that deleting is always two deliberate steps.

        The catalogue is written first: from then on the dataset is gone, and a purge killed
        before its files are removed leaves them to :meth:`recover`, which removes versions the
        catalogue does not list.
        """
        with self._locked():
            catalogue = self._catalogue()
            self._trashed(
                dataset_id,
                catalogue,
                "A dataset is deleted for good from the trash only: move it there first.",
            )
            del catalogue["datasets"][dataset_id]
            # The id is never given again (an id and a version name the same records for good,
            # as caches take them to); only its digest is kept, not the title it was made from.
            catalogue[PURGED] = sorted({*catalogue.get(PURGED, ()), _id_digest(dataset_id)})
            self._write_catalogue(catalogue)
            _pause_at("purge_committed")
            # Its folder is in the trash, or still in place if a delete was killed before its
            # move (and not yet recovered): both go.
            for folder in (self.root / TRASH / dataset_id, self.root / dataset_id):
                if folder.exists():
                    shutil.rmtree(folder)
                    _fsync_folder(folder.parent)

    def recover(self, wait: bool = True) -> tuple[str, ...]:
        """Clean up after killed saves; returns what was done, one line per action.

        Removes everything in ``.tmp``, catalogue temporary files, and version folders the
        catalogue does not list (a save killed before its commit); moves datasets to or from the
        trash where a delete or restore was killed between its commit and its move. With
        ``wait=False`` nothing is done while another process holds the lock.
        """
        if not self.root.is_dir():
            return ()
        try:
            with self._locked(wait=wait):
                return tuple(self._recover_locked())
        except BlockingIOError:
            return ()

    def rebuild_catalogue(self) -> tuple[str, ...]:
        """Write the catalogue anew from the version folders (for a catalogue lost by hand)."""
        with self._locked():
            entries: dict[str, dict[str, Any]] = {}
            try:  # the ids purged before stay retired, when the old catalogue says which
                purged = self._catalogue().get(PURGED, [])
            except StoreError:
                purged = []
            for base, deleted in ((self.root, False), (self.root / TRASH, True)):
                for folder in sorted(base.iterdir()) if base.is_dir() else []:
                    if not _ID_PATTERN.match(folder.name) or _id_digest(folder.name) in purged:
                        continue  # a purged dataset's leftovers never come back
                    versions = sorted(_version_numbers(folder))
                    if not versions:
                        continue
                    current = json.loads(
                        (folder / f"v{versions[-1]}" / METADATA_FILE).read_text(encoding="utf-8")
                    )
                    entries[folder.name] = {
                        "versions": versions,
                        "deleted_at": current["created_at"] if deleted else None,
                        "current": current,
                    }
            catalogue = {"format": CATALOGUE_FORMAT, "datasets": entries}
            self._write_catalogue({**catalogue, PURGED: purged} if purged else catalogue)
            return tuple(sorted(entries))

    # --- inside ------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self, wait: bool = True) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / LOCK, "a+b") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def _catalogue(self) -> dict[str, Any]:
        path = self.root / CATALOGUE
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {"format": CATALOGUE_FORMAT, "datasets": {}}
        try:
            catalogue = json.loads(text)
            if catalogue.get("format") != CATALOGUE_FORMAT or "datasets" not in catalogue:
                raise ValueError("unknown format")
        except (ValueError, AttributeError) as error:
            raise StoreError(
                f"The catalogue {path} cannot be read ({error}); no dataset is lost: "
                "FileStore(...).rebuild_catalogue() writes it anew from the saved versions."
            ) from error
        return catalogue

    def _write_catalogue(self, catalogue: dict[str, Any]) -> None:
        temporary = self.root / f"{CATALOGUE}.{uuid.uuid4().hex}.tmp"
        _write_durably(temporary, _json_bytes(catalogue))
        _pause_at("catalogue_written")
        os.replace(temporary, self.root / CATALOGUE)
        _fsync_folder(self.root)
        _pause_at("catalogue_replaced")

    def _entry(
        self,
        dataset_id: str,
        catalogue: dict[str, Any] | None = None,
        deleted_ok: bool = False,
    ) -> dict[str, Any]:
        catalogue = catalogue if catalogue is not None else self._catalogue()
        entry = catalogue["datasets"].get(dataset_id)
        if entry is None or (entry.get("deleted_at") and not deleted_ok):
            where = " (it is in the trash; restore it first)" if entry else ""
            raise StoreError(
                f"There is no dataset '{dataset_id}' in {self.root}{where}; "
                "`python -m routes datasets` lists the datasets."
            )
        return entry

    def _version_folder(self, dataset_id: str, version: int | None) -> Path:
        entry = self._entry(dataset_id, deleted_ok=True)
        if version is None:
            version = entry["versions"][-1]
        elif version not in entry["versions"]:
            raise StoreError(
                f"Dataset '{dataset_id}' has no version {version}; its versions are "
                f"{', '.join(str(v) for v in entry['versions'])}."
            )
        # A delete or restore moves the folder after its commit: look in both places.
        for base in (self.root, self.root / TRASH):
            folder = base / dataset_id / f"v{version}"
            if folder.is_dir():
                return folder
        raise StoreError(f"Version {version} of '{dataset_id}' is missing from {self.root}.")

    def _trashed(self, dataset_id: str, catalogue: Mapping[str, Any], hint: str) -> dict:
        """A dataset's catalogue entry, which must be in the trash (``hint``: what to do if not)."""
        entry = catalogue["datasets"].get(dataset_id)
        if entry is None or not entry.get("deleted_at"):
            raise StoreError(
                f"There is no dataset '{dataset_id}' in the trash of {self.root}; {hint}"
            )
        return entry

    def _new_id(self, title: str, catalogue: Mapping[str, Any]) -> str:
        base = slugify(title)
        taken = set(catalogue["datasets"]) | {path.name for path in self.root.iterdir()}
        purged = set(catalogue.get(PURGED, ()))
        candidate, number = base, 1
        while candidate in taken or _id_digest(candidate) in purged:
            number += 1
            candidate = f"{base}-{number}"
        return candidate

    def _next_version(self, dataset_id: str, entry: Mapping[str, Any] | None) -> int:
        numbers = set(entry["versions"]) if entry else set()
        for base in (self.root, self.root / TRASH):
            numbers |= set(_version_numbers(base / dataset_id))
        return max(numbers, default=0) + 1

    def _staging_folder(self) -> Path:
        folder = self.root / TMP / f"save-{uuid.uuid4().hex}"
        folder.mkdir(parents=True)
        return folder

    def _move(self, source: Path, target: Path) -> None:
        if not source.exists():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            # Versions already there stay; the rest joins them.
            for version in source.iterdir():
                if not (target / version.name).exists():
                    os.rename(version, target / version.name)
            shutil.rmtree(source)
        else:
            os.rename(source, target)
        _fsync_folder(target.parent)

    def _recover_locked(self) -> Iterator[str]:
        tmp = self.root / TMP
        for path in sorted(tmp.iterdir()) if tmp.is_dir() else []:
            shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink()
            yield f"removed the unfinished save {path.name}"
        for path in self.root.glob(f"{CATALOGUE}.*.tmp"):
            path.unlink()
            yield f"removed the unfinished catalogue {path.name}"
        entries = self._catalogue()["datasets"]
        for dataset_id, entry in entries.items():
            here, trashed = self.root / dataset_id, self.root / TRASH / dataset_id
            if entry.get("deleted_at") and here.exists():
                self._move(here, trashed)
                yield f"finished deleting {dataset_id}"
            elif not entry.get("deleted_at") and trashed.exists():
                self._move(trashed, here)
                yield f"finished restoring {dataset_id}"
        for base in (self.root, self.root / TRASH):
            for folder in sorted(base.iterdir()) if base.is_dir() else []:
                if not _ID_PATTERN.match(folder.name) or not folder.is_dir():
                    continue
                listed = set(entries.get(folder.name, {}).get("versions", []))
                for number in _version_numbers(folder):
                    if number not in listed:
                        shutil.rmtree(folder / f"v{number}")
                        yield f"removed version {number} of {folder.name}, never committed"
                if folder.name not in entries and not any(folder.iterdir()):
                    folder.rmdir()


def _id_digest(dataset_id: str) -> str:
    return hashlib.sha256(dataset_id.encode("utf-8")).hexdigest()


def _version_numbers(folder: Path) -> list[int]:
    if not folder.is_dir():
        return []
    return [
        int(match.group(1))
        for path in folder.iterdir()
        if (match := _VERSION_DIR.match(path.name)) and path.is_dir()
    ]


def _serialise(records: pd.DataFrame) -> tuple[bytes, bool]:
    """Records as Parquet bytes; GeoParquet when they carry geometry.

    Text kept as categories (each distinct text once, as the fast reader gives a large table) is
    written as Parquet's dictionary pages straight from its codes, and read back as text.
    """
    import shapely

    has_geometry = "geometry" in records.columns and bool(
        records["geometry"].map(lambda value: isinstance(value, shapely.Geometry)).any()
    )
    # Mixed cells (a number here, text there) are kept as their text.
    as_text = {
        column: records[column]
        .map(lambda value: None if value is None or value is pd.NA else str(value))
        .astype("string")
        for column in records.columns
        if records[column].dtype == object and not (column == "geometry" and has_geometry)
    }
    frame = records.assign(**as_text) if as_text else records
    buffer = io.BytesIO()
    categories = _text_categories(frame)
    if has_geometry:
        import geopandas as gpd

        crs = getattr(records, "crs", None) or "EPSG:4326"
        frame = frame.astype({column: "string" for column in categories})
        gpd.GeoDataFrame(frame, geometry="geometry", crs=crs).to_parquet(buffer, index=False)
    elif categories:
        _write_text_categories(frame, categories, buffer)
    else:
        frame.to_parquet(buffer, index=False)
    return buffer.getvalue(), has_geometry


def _text_categories(frame: pd.DataFrame) -> list[str]:
    """The columns of categories that are all text."""
    return [
        column
        for column in frame.columns
        if isinstance(frame[column].dtype, pd.CategoricalDtype)
        and pd.api.types.is_string_dtype(frame[column].cat.categories.dtype)
    ]


def _write_text_categories(frame: pd.DataFrame, categories: list[str], buffer: io.BytesIO) -> None:
    """Write categories of text as Parquet dictionary columns, straight from their codes.

    The pandas metadata is that of the frame with those columns as text, so that
    :func:`_read_records` gives them back as ``"string"`` columns, as every other text column.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    as_text = frame.head(0).astype({column: "string" for column in categories})
    metadata = pa.Schema.from_pandas(as_text, preserve_index=False).metadata
    # A column with no empty cell is written as required: Parquet then keeps no level per cell
    # saying it is there (a sixth of the write). Read back, every column may be empty again
    # (:meth:`FileStore.load_record_table`).
    schema = pa.schema(
        [field.with_nullable(table.column(field.name).null_count > 0) for field in table.schema],
        metadata=metadata,
    )
    # The min and max of names in each column cost as much as writing the column; no reader
    # filters stored records on them (they are loaded whole), so they are left out.
    statistics = [column for column in frame.columns if column not in categories]
    pq.write_table(
        pa.Table.from_arrays(table.columns, schema=schema), buffer, write_statistics=statistics
    )


def _read_records(path: Path) -> pd.DataFrame:
    """Stored records; dictionary columns of text (see :func:`_write_text_categories`) as text."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pq.read_schema(path)
    text_dictionaries = [
        index
        for index, field in enumerate(schema)
        if pa.types.is_dictionary(field.type) and _is_text_type(field.type.value_type)
    ]
    if not text_dictionaries:
        return pd.read_parquet(path)
    table = pq.read_table(path)
    for index in text_dictionaries:
        table = table.set_column(
            index, table.field(index).name, table.column(index).cast(pa.large_string())
        )
    return table.to_pandas()


def _is_text_type(arrow_type) -> bool:
    import pyarrow as pa

    return pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type)


def _json_bytes(data: Any) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n").encode("utf-8")


def _write_durably(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_folder(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _pause_at(step: str) -> None:
    """Test hook: stop here so that a test can kill the process at this exact step."""
    if os.environ.get(PAUSE_ENV) == step:
        print(f"paused at {step}", file=sys.stderr, flush=True)
        time.sleep(3600)


__all__ = [
    "DEFAULT_STORE_ROOT",
    "DatasetInfo",
    "DatasetMetadata",
    "DatasetStore",
    "FileStore",
    "MIN_PHRASE_CHARACTERS",
    "StoreError",
    "access_key_for",
    "check_made_public",
    "new_access_key",
    "phrase_opens",
    "slugify",
    "validate_dataset_info",
]
