"""The command line: import a route dataset into the store, and list what the store holds.

``python -m routes import FILE`` runs the pipeline the upload page runs: read the file, propose
(or read) the column mapping, map, validate, place every name, print the place report, and keep
the dataset. ``python -m routes datasets`` lists the store. Every failure prints a message on
stderr that names the file and what to do, and exits with status 1; nothing is saved then.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import sys
import textwrap
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from routes.gazetteer import (
    DESTINATION_ROLE,
    ORIGIN_ROLE,
    TRANSIT_ROLE,
    Gazetteer,
    load_gazetteer,
    resolve_place,
)
from routes.io import ChoiceNeeded, CrsNeeded, UploadError, read_table
from routes.mapping import (
    ATTRIBUTE_FIELDS,
    ColumnMapping,
    MappingError,
    format_place_report,
    format_renamed_report,
    mapping_to_dict,
    prepare_import,
    propose_mapping,
    read_mapping,
    write_mapping,
)
from routes.schema import COUNT, future_periods_note
from routes.store import (
    CATALOGUE,
    DEFAULT_STORE_ROOT,
    SENSITIVITIES,
    DatasetInfo,
    DatasetMetadata,
    FileStore,
    StoreError,
    check_made_public,
    new_access_key,
)

EXIT_OK = 0
EXIT_FAILED = 1


class CommandError(ValueError):
    """A failure of the command as a whole, with its message for the analyst."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except (UploadError, MappingError, StoreError, CommandError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_FAILED


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m routes",
        description="Import route datasets into the store and list them.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    importing = commands.add_parser(
        "import",
        help="read, check, place and keep a route dataset",
        description="Read a file, map its columns, validate, place every name, and save it.",
    )
    importing.add_argument("file", type=Path, help="CSV, .xlsx, GeoJSON, .gpkg, .zip, .parquet")
    importing.add_argument("--sheet", help="the sheet of a workbook with several")
    importing.add_argument("--layer", help="the layer of a GeoPackage, or Shapefile of a zip")
    importing.add_argument("--crs", help="the CRS of a geometry file that does not say it")
    importing.add_argument("--mapping", type=Path, help="a column mapping saved before (JSON)")
    importing.add_argument("--save-mapping", type=Path, help="save the mapping used as JSON")
    importing.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="one value of a field for every record, e.g. origin=Nepal or period='Baisakh 2080'",
    )
    importing.add_argument(
        "--alias",
        action="append",
        default=[],
        metavar="NAME=PLACE",
        help="place a name the gazetteer does not know, e.g. 'Jhappa=Jhapa'",
    )
    importing.add_argument(
        "--empty-count",
        choices=("one", "none"),
        help="what an empty count cell, or a dash, counts: one person (the default) or none",
    )
    # With --dataset, what is not given is kept from the dataset's current version.
    importing.add_argument("--title", help="the dataset's title (default: the file name)")
    importing.add_argument("--organisation")
    importing.add_argument("--licence")
    importing.add_argument("--collection-period")
    importing.add_argument("--description")
    importing.add_argument(
        "--sensitivity", choices=SENSITIVITIES, help="public (the default) or restricted"
    )
    importing.add_argument("--unit", help="what a count is: People (the default), Cases, ...")
    importing.add_argument("--dataset", help="save as the next version of this dataset id")
    importing.add_argument(
        "--make-public",
        action="store_true",
        help="save the next version of a restricted dataset as public (its counts then shown "
        "as they are)",
    )
    importing.add_argument(
        "--lock",
        action="store_true",
        help="restricted data: ask for an access phrase, without which the app does not show "
        "the dataset (a new version of a locked dataset stays locked with its phrase)",
    )
    importing.add_argument("--dry-run", action="store_true", help="check only; save nothing")
    _store_option(importing)
    importing.set_defaults(run=run_import)

    listing = commands.add_parser("datasets", help="list the datasets in the store")
    listing.add_argument("--trash", action="store_true", help="list the deleted datasets")
    _store_option(listing)
    listing.set_defaults(run=run_datasets)

    deleting = commands.add_parser("delete", help="move a dataset to the trash")
    deleting.add_argument("dataset_id")
    _store_option(deleting)
    deleting.set_defaults(run=run_delete)

    restoring = commands.add_parser("restore", help="bring a dataset back from the trash")
    restoring.add_argument("dataset_id")
    _store_option(restoring)
    restoring.set_defaults(run=run_restore)

    purging = commands.add_parser(
        "purge",
        help="delete a dataset in the trash for good (cannot be undone)",
        description="Delete a dataset in the trash for good: every version and its files.",
    )
    purging.add_argument("dataset_id")
    _store_option(purging)
    purging.set_defaults(run=run_purge)
    return parser


def _store_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store",
        type=Path,
        default=None,
        help=(
            f"the store's folder (default: {DEFAULT_STORE_ROOT}, set by ROUTES_STORE_DIR); the "
            "folder given to the app as ROUTES_STORE_DIR is read as its datasets/ folder"
        ),
    )


def _store(args: argparse.Namespace) -> FileStore:
    return FileStore(store_folder(args.store) if args.store else DEFAULT_STORE_ROOT)


def store_folder(given: Path) -> Path:
    """The datasets folder a --store names: a datasets folder itself (it holds a catalogue), or
    else the datasets/ folder inside the one the app is started with (ROUTES_STORE_DIR), as an
    analyst passes the same folder to both (it listed "no datasets" beside the app's saved
    ones). A new folder is taken as the app's, so that the app finds what is imported there."""
    if (given / CATALOGUE).exists() and not (given / DEFAULT_STORE_ROOT.name).is_dir():
        return given
    return given / DEFAULT_STORE_ROOT.name


def run_import(args: argparse.Namespace) -> int:
    path: Path = args.file
    if not path.is_file():
        raise CommandError(f"{path}: there is no such file.")
    store = _store(args)
    gazetteer = load_gazetteer()
    read = _read(path, args)
    print(read.describe())
    _print_notes(read.notes)
    mapping = read_mapping(args.mapping) if args.mapping else propose_mapping(read.frame, gazetteer)
    mapping = _with_constants(mapping, args.set)
    if args.empty_count:
        mapping = replace(mapping, empty_count=1 if args.empty_count == "one" else 0)
    print("Column mapping:")
    print(textwrap.indent(mapping.describe() or "(no column chosen)", "  "))
    _print_notes(mapping.notes)
    if args.save_mapping:
        write_mapping(mapping, args.save_mapping)
        print(f"Mapping saved to {args.save_mapping}.")
    aliases = _aliases(args.alias, gazetteer)
    prepared = prepare_import(
        read.frame, mapping, gazetteer, file_name=read.file_name, aliases=aliases
    )
    for note in prepared.validation.notes:
        print(f"  note: {note}")
    if later := future_periods_note(prepared.records, read.file_name, dt.date.today()):
        print(f"warning: {later}")
    if prepared.total_rows:
        print(f"  note: {prepared.total_rows_note}")
    if prepared.arrivals_note:
        print(f"  note: {prepared.arrivals_note}")
    if prepared.validation.empty_counts:
        each = "one person each" if mapping.empty_count == 1 else "no one"
        print(
            f"  note: {prepared.validation.empty_counts:,} rows have no count (an empty cell or a "
            f"dash), read as {each} (--empty-count one or none)."
        )
    check = prepared.total_check
    if check.text:
        print(("  note: " if check.agrees else "warning: ") + check.text)
    totals = prepared.mapped.totals.summary(read.file_name)
    if totals:
        print(("warning: " if not prepared.mapped.totals.ok else "Totals: ") + totals)
    if not prepared.validation.ok:
        raise CommandError(prepared.validation.summary(read.file_name) + "\nNothing was saved.")
    records = prepared.records
    if records.empty:
        raise CommandError(
            f"{read.file_name}: no records come out of the file (every count cell is empty or "
            "zero). Check the column mapping. Nothing was saved."
        )
    print(f"Records: {len(records):,} records of {int(records[COUNT].sum()):,} people.")
    print(format_place_report(prepared.placed))
    renamed = format_renamed_report(prepared.placed)
    if renamed:
        print(renamed)
    if args.dry_run:
        print("Dry run: nothing was saved.")
        return EXIT_OK
    previous = store.load_metadata(args.dataset) if args.dataset else None
    kept = previous.info if previous else DatasetInfo(title=path.stem)
    given = {
        "title": args.title,
        "organisation": args.organisation,
        "licence": args.licence,
        "collection_period": args.collection_period,
        "description": args.description,
        "sensitivity": args.sensitivity,
        "unit": args.unit,
    }
    info = replace(
        kept,
        **{name: value for name, value in given.items() if value is not None},
        source_file=path.name,
        aliases=aliases,
        mapping=mapping_to_dict(mapping),
        rows_left_out=0,
        reading_notes=prepared.reading_notes(read.notes),
    )
    try:
        check_made_public(previous, info.sensitivity, args.make_public)
    except StoreError as error:
        raise CommandError(
            f"{error} Add --make-public to save this version as public data. Nothing was saved."
        ) from error
    info = replace(info, access_key=_access_key(args, info.sensitivity, previous))
    saved = store.save(records, info, dataset_id=args.dataset, made_public=args.make_public)
    print(
        f"Saved '{saved.title}' as {saved.dataset_id}, version {saved.version} "
        f"({saved.row_count:,} records), in {store.root}."
    )
    return EXIT_OK


def _access_key(
    args: argparse.Namespace, sensitivity: str, previous: DatasetMetadata | None
) -> str:
    """The key of the access phrase asked for (``--lock``), or the one the dataset has."""
    phrase = again = ""
    if args.lock:
        phrase = getpass.getpass("Access phrase: ")
        again = getpass.getpass("The access phrase again: ")
    try:
        return new_access_key(phrase, again, sensitivity, previous)
    except StoreError as error:
        raise CommandError(f"{error} Nothing was saved.") from error


def _read(path: Path, args: argparse.Namespace):
    try:
        return read_table(path, path.name, sheet=args.sheet, layer=args.layer, crs=args.crs)
    except ChoiceNeeded as error:
        raise CommandError(
            f"{error} Name it with --{error.kind}, e.g. --{error.kind} '{error.options[0]}'."
        ) from error
    except CrsNeeded as error:
        raise CommandError(f"{error} On the command line: --crs EPSG:32645.") from error


def _print_notes(notes: Sequence[str]) -> None:
    for note in notes:
        print(f"  note: {note}")


def _pairs(values: Sequence[str], what: str) -> list[tuple[str, str]]:
    pairs = []
    for value in values:
        name, sign, given = value.partition("=")
        if not sign or not name.strip() or not given.strip():
            raise CommandError(f"'{value}' is not {what}; write it as {what}.")
        pairs.append((name.strip(), given.strip()))
    return pairs


def _with_constants(mapping: ColumnMapping, values: Sequence[str]) -> ColumnMapping:
    pairs = _pairs(values, "FIELD=VALUE")
    if not pairs:
        return mapping
    constants = dict(mapping.constants)
    changes: dict[str, None] = {}
    for name, value in pairs:
        if name not in ATTRIBUTE_FIELDS:
            raise CommandError(
                f"--set {name}=...: '{name}' is not a record field; use one of "
                f"{', '.join(ATTRIBUTE_FIELDS)}."
            )
        constants[name] = value
        changes[name] = None  # a value for every record replaces a column, and its second one
    fallbacks = {name: column for name, column in mapping.fallbacks.items() if name not in changes}
    return replace(mapping, constants=constants, fallbacks=fallbacks, **changes)


def _aliases(values: Sequence[str], gazetteer: Gazetteer) -> dict[str, str]:
    aliases = {}
    for name, place in _pairs(values, "NAME=PLACE"):
        if place in gazetteer.places.index:
            aliases[name] = place
            continue
        for role in (ORIGIN_ROLE, DESTINATION_ROLE, TRANSIT_ROLE):
            place_id = resolve_place(gazetteer, place, role)
            if place_id is not None:
                aliases[name] = place_id
                break
        else:
            raise CommandError(
                f"--alias {name}={place}: '{place}' is not a place in the gazetteer; give a "
                "district, province, country or transit hub by its name or id "
                "(e.g. district:Jhapa, country:QAT)."
            )
    return aliases


def run_datasets(args: argparse.Namespace) -> int:
    store = _store(args)
    datasets = store.list_trash() if args.trash else store.list_datasets()
    where = "trash of the store" if args.trash else "store"
    if not datasets:
        print(f"The {where} {store.root} holds no datasets.")
        return EXIT_OK
    print(f"{len(datasets)} dataset(s) in the {where} {store.root}:")
    for metadata in datasets:
        print(_dataset_line(metadata))
    return EXIT_OK


def _dataset_line(metadata: DatasetMetadata) -> str:
    provenance = ", ".join(
        part for part in (metadata.organisation, metadata.licence, metadata.source_file) if part
    )
    return (
        f"- {metadata.dataset_id} v{metadata.version}: {metadata.title} "
        f"[{metadata.sensitivity}{', locked' if metadata.access_key else ''}] "
        f"{metadata.row_count:,} records, saved {metadata.created_at}"
        + (f" ({provenance})" if provenance else "")
    )


def run_delete(args: argparse.Namespace) -> int:
    store = _store(args)
    store.delete(args.dataset_id)
    print(f"Moved {args.dataset_id} to the trash; `restore {args.dataset_id}` brings it back.")
    return EXIT_OK


def run_restore(args: argparse.Namespace) -> int:
    metadata = _store(args).restore(args.dataset_id)
    print(f"Restored {metadata.dataset_id} (version {metadata.version}).")
    return EXIT_OK


def run_purge(args: argparse.Namespace) -> int:
    _store(args).purge(args.dataset_id)
    print(f"Deleted {args.dataset_id} for good: its versions and files are gone.")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
