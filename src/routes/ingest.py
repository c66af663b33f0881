"""The import pipeline from a file to the store, as the command line and the benchmark run it:
read, map columns, validate, place, save."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from routes.gazetteer import Gazetteer
from routes.io import read_table
from routes.mapping import ColumnMapping, PreparedImport, prepare_import, propose_mapping
from routes.store import DatasetInfo, DatasetMetadata, DatasetStore


@dataclass(frozen=True)
class Imported:
    """A saved import: what the store recorded, and the checks it passed."""

    metadata: DatasetMetadata
    prepared: PreparedImport


class ImportRefused(ValueError):
    """The file has invalid rows: nothing was saved."""


def import_file(
    path: Path,
    store: DatasetStore,
    gazetteer: Gazetteer,
    info: DatasetInfo,
    mapping: ColumnMapping | None = None,
) -> Imported:
    """Read ``path``, map (the given or proposed mapping), validate, place and save it.

    Raises
    ------
    routes.io.UploadError, routes.mapping.MappingError
        The file cannot be read or mapped.
    ImportRefused
        Some rows are invalid; the message lists them. The store is unchanged.
    """
    read = read_table(Path(path), Path(path).name)
    chosen = mapping or propose_mapping(read.frame, gazetteer)
    prepared = prepare_import(read.frame, chosen, gazetteer, file_name=read.file_name)
    if not prepared.ok:
        raise ImportRefused(prepared.validation.summary(read.file_name))
    return Imported(store.save(prepared.records, info), prepared)
