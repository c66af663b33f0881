"""Writers for the view on screen: CSV, Excel, GeoJSON, GeoPackage, standalone HTML and a zip.

Every writer returns bytes (for a download button) and carries the export's metadata: what the
view is, its filters, the datasets with their sources and licences, when it was made, and whether
suppression was applied. The files are safe to open: text cells that a spreadsheet would run as a
formula get a leading apostrophe, and the HTML map inlines Leaflet so that it opens offline and
asks no other host for anything.

Suppression is not done here (see :mod:`routes.privacy`): the writers refuse restricted records
and restricted tables that were not suppressed, so that nothing leaves unprotected by mistake.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import html
import io
import json
import re
import tempfile
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from routes.privacy import LABEL_SUFFIX, SUPPRESSED_SUFFIX, is_restricted, suppression_notice
from routes.schema import COUNT

#: Characters that make a spreadsheet read a cell as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
#: Metadata lines at the top of a CSV start with this; ``pandas.read_csv(..., comment="#")``
#: skips them.
CSV_COMMENT = "#"
EXPORT_CRS = "EPSG:4326"
METADATA_LAYER = "metadata"
README_NAME = "README.md"
METADATA_JSON_NAME = "metadata.json"
DATA_SHEET = "Data"
METADATA_SHEET = "Metadata"
#: The records workbook's sheet of the records the flows do not count (DoFE's table by origin
#: district): on the Data sheet they summed with the flows' to twice the approvals.
OUTSIDE_FLOWS_SHEET = "Not in flows"
IN_FLOWS = "in_flows"
EXCEL_MAX_ROWS = 1_048_576
_LAYER_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,62}$")
# Characters the XLSX format cannot hold (openpyxl refuses them).
_ILLEGAL_XML = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


@dataclass(frozen=True)
class DatasetCredit:
    """One dataset in a view, as an export names it."""

    title: str
    organisation: str
    licence: str
    source_note: str
    sensitivity: str

    @property
    def restricted(self) -> bool:
        return is_restricted(self.sensitivity)


@dataclass(frozen=True)
class ExportMetadata:
    """What every exported file says about itself.

    Attributes
    ----------
    title
        What the view shows ("Labour approvals by destination, FY 2079/80").
    filters
        One line per active filter (:meth:`routes.filters.FilterState.describe`).
    datasets
        The datasets in the view, with source, licence and sensitivity.
    created_at
        When the export was made, ISO 8601 with its offset.
    suppression
        The suppression notice when small-cell suppression applies, else None.
    caveats
        What a reader must know (e.g. "Permits, not departures.").
    link
        The address that reopens the same view, if known.
    """

    title: str
    filters: tuple[str, ...]
    datasets: tuple[DatasetCredit, ...]
    created_at: str
    suppression: str | None = None
    caveats: tuple[str, ...] = ()
    link: str | None = None

    @property
    def restricted(self) -> bool:
        """True when any dataset in the view is restricted."""
        return any(dataset.restricted for dataset in self.datasets)


def build_export_metadata(
    title: str,
    filters: Sequence[str],
    datasets: Sequence[DatasetCredit],
    k: int | None,
    *,
    caveats: Sequence[str] = (),
    link: str | None = None,
    now: dt.datetime | None = None,
) -> ExportMetadata:
    """Metadata for an export of the current view.

    Parameters
    ----------
    k
        The suppression threshold the view was suppressed with, None for public data.

    Raises
    ------
    ValueError
        If a dataset is restricted and no k is given: restricted data leaves only suppressed.
    """
    credits = tuple(datasets)
    if k is None and any(dataset.restricted for dataset in credits):
        names = ", ".join(dataset.title for dataset in credits if dataset.restricted)
        raise ValueError(
            f"{names} is restricted; export it only after small-cell suppression "
            "(pass the k the view was suppressed with)."
        )
    moment = now or dt.datetime.now(dt.UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return ExportMetadata(
        title=title,
        filters=tuple(filters),
        datasets=credits,
        created_at=moment.isoformat(timespec="seconds"),
        suppression=suppression_notice(k) if k is not None else None,
        caveats=tuple(caveats),
        link=link,
    )


#: Nepal Standard Time, UTC+05:45: when an export was made, as its readers in Nepal keep time.
NEPAL_TIME = dt.timezone(dt.timedelta(hours=5, minutes=45), "NPT")


def created_text(created_at: str) -> str:
    """``2025-03-01T09:30:00+00:00`` with its Nepal time beside it."""
    moment = dt.datetime.fromisoformat(created_at)
    if moment.tzinfo is None:
        return created_at
    nepal = moment.astimezone(NEPAL_TIME)
    return f"{created_at} ({nepal:%Y-%m-%d %H:%M} Nepal time)"


def metadata_items(metadata: ExportMetadata) -> list[tuple[str, str]]:
    """The metadata as (field, text) pairs, in reading order."""
    items = [("Title", metadata.title), ("Created", created_text(metadata.created_at))]
    items += [("Filter", line) for line in metadata.filters] or [("Filters", "none (all records)")]
    for dataset in metadata.datasets:
        items.append(
            (
                "Dataset",
                f"{dataset.title}; organisation: {dataset.organisation}; licence: "
                f"{dataset.licence}; sensitivity: {dataset.sensitivity}; source: "
                f"{dataset.source_note}",
            )
        )
    items.append(("Suppression", metadata.suppression or "none (public data shown as published)"))
    items += [("Note", caveat) for caveat in metadata.caveats]
    if metadata.link:
        items.append(("Link to this view", metadata.link))
    return items


def metadata_dict(metadata: ExportMetadata) -> dict[str, Any]:
    """The metadata as plain JSON-ready data."""
    data = asdict(metadata)
    data["filters"] = list(metadata.filters)
    data["caveats"] = list(metadata.caveats)
    data["datasets"] = [asdict(dataset) for dataset in metadata.datasets]
    data["suppression_applied"] = metadata.suppression is not None
    return data


# --- safe cells ---------------------------------------------------------------------------------


def neutralise_formula(value: str) -> str:
    """Text a spreadsheet would run as a formula gets a leading apostrophe: ``'=1+1``."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells and column names cannot act as formulas; numbers stay numbers."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if _is_text(series):
            out[column] = series.map(
                lambda value: neutralise_formula(value) if isinstance(value, str) else value,
                na_action="ignore",
            )
    out.columns = [
        neutralise_formula(name) if isinstance(name, str) else name for name in out.columns
    ]
    return out


def _is_text(series: pd.Series) -> bool:
    if isinstance(series.dtype, pd.CategoricalDtype):
        return True
    return series.dtype == object or pd.api.types.is_string_dtype(series.dtype)


# --- checks -------------------------------------------------------------------------------------


def _refuse_restricted_records(metadata: ExportMetadata) -> None:
    if metadata.restricted:
        names = ", ".join(dataset.title for dataset in metadata.datasets if dataset.restricted)
        raise ValueError(
            f"{names} is restricted: its records cannot be exported, since a record can describe "
            "fewer people than the suppression threshold. Export the suppressed tables instead."
        )


def _count_columns(frame: pd.DataFrame) -> list[str]:
    return [
        str(column)
        for column in frame.columns
        if (str(column) == "count" or str(column).startswith("count_"))
        and not str(column).endswith((LABEL_SUFFIX, SUPPRESSED_SUFFIX))
        and pd.api.types.is_numeric_dtype(frame[column])
        and not pd.api.types.is_bool_dtype(frame[column])
    ]


#: Columns that count something other than people (corridors through a leg): a restricted
#: export leaves them out, as small numbers that read as counts of people.
STRUCTURE_COLUMNS = ("corridors",)


def _suppressed(frame: pd.DataFrame, metadata: ExportMetadata, what: str) -> pd.DataFrame:
    """The frame as it may leave: restricted counts only with their labels (proof that
    suppression ran), no exact 0 (a place's arrivals at an origin, say: blank, not a count below
    the threshold), and no column that counts something else in small numbers.

    Raises
    ------
    ValueError
        If the data is restricted and a count column was not suppressed.
    """
    if not metadata.restricted:
        return frame
    if metadata.suppression is None:
        raise ValueError(f"The {what} holds restricted data but the export has no suppression.")
    counts = _count_columns(frame)
    unlabelled = [c for c in counts if f"{c}{LABEL_SUFFIX}" not in frame.columns]
    if unlabelled:
        raise ValueError(
            f"The {what} holds restricted data, and column '{unlabelled[0]}' was not suppressed; "
            "pass it through routes.privacy first."
        )
    out = frame.drop(columns=[c for c in STRUCTURE_COLUMNS if c in frame.columns])
    for column in counts:
        zero = (out[column] == 0).fillna(False).to_numpy(dtype=bool)
        if zero.any():
            out[column] = out[column].astype("Float64").mask(zero)
            out[f"{column}{LABEL_SUFFIX}"] = out[f"{column}{LABEL_SUFFIX}"].mask(zero, "")
    return out


def _without_geometry(frame: pd.DataFrame) -> pd.DataFrame:
    if isinstance(frame, gpd.GeoDataFrame):
        return pd.DataFrame(frame.drop(columns=frame.geometry.name))
    return frame


# --- CSV ----------------------------------------------------------------------------------------


def _metadata_comment(text: str) -> str:
    """One metadata line for the top of a CSV.

    It starts with ``#`` so that readers skip it; a spreadsheet still splits it at commas, so
    every piece after a comma is neutralised too.
    """
    flat = " ".join(str(text).split())
    pieces = flat.split(",")
    safe = [pieces[0]]
    for piece in pieces[1:]:
        stripped = piece.lstrip(' "')
        lead = piece[: len(piece) - len(stripped)]
        safe.append(lead + neutralise_formula(stripped))
    return f"{CSV_COMMENT} " + ",".join(safe)


#: What each exported column holds, in words: a reader of a file had only names such as
#: ``count_label``, ``in_flows`` or ``place_id`` to go by. Each CSV lists its own columns.
COLUMN_MEANINGS = {
    "count": "how many (of what, the title says: labour approvals, people, cases)",
    "count_label": "the count as shown on screen (with restricted data: '<10', 'hidden', or "
    "rounded to 5)",
    "suppressed": "true where the count is hidden or shown as below the threshold",
    "share": "the count as a share (0 to 1) of the view's total of its kind: of all its flows "
    "for flows and destinations, of all its corridors for corridors, and for legs of the sum "
    "of the legs in the file, those of the corridors drawn (top N), a person counting once on "
    "each leg of the path",
    "share_label": "the share as shown on screen (a percentage)",
    "place_id": "the place's id in the atlas's gazetteer: its kind, then its name or code",
    "origin_id": "the origin's place id (district:, province:, or country:NPL for Nepal)",
    "destination_id": "the destination's place id (country:QAT; unknown:Unknown where the "
    "record does not say, as DoFE's district table)",
    "from_id": "the place id the leg starts from",
    "to_id": "the place id the leg arrives at",
    "name": "the place's name",
    "origin_name": "the origin's name",
    "destination_name": "the destination's name",
    "from_name": "the name of the place the leg starts from",
    "to_name": "the name of the place the leg arrives at",
    "kind": "the kind of place (district, province, country, hub, former_district: a district "
    "before the 2015 split)",
    "province": "the province the district lies in",
    "distance_km": "the great-circle distance of the flow's ends, in kilometres",
    "count_in": "how many arrive at the place",
    "count_out": "how many leave from the place",
    "count_in_label": "count_in as shown on screen (see count_label)",
    "count_out_label": "count_out as shown on screen (see count_label)",
    "count_in_suppressed": "true where count_in is hidden or shown as below the threshold",
    "count_out_suppressed": "true where count_out is hidden or shown as below the threshold",
    "count_through_label": "count_through as shown on screen (see count_label)",
    "count_through_suppressed": "true where count_through is hidden or shown as below the "
    "threshold",
    "count_through": "how many pass through the place on their way",
    "path_ids": "the corridor's places, origin to destination, as place ids",
    "path_names": "the corridor's places, origin to destination",
    "transit_count": "how many transit places the corridor passes through",
    "corridors": "how many corridors use the leg",
    "month": "the month, Nepali (BS) or AD as the dataset gives it (or a longer period)",
    "absent_abroad": "people absent abroad on census day, 2021 (National Statistics Office)",
    "per_100_absent": "the count per 100 people absent abroad in the 2021 census",
    "districts_compared": "how many of the province's census districts are compared",
    "in_flows": "true where the flows count the record (DoFE's district table counts the "
    "permits of its destination table again)",
    "unit": "what the record's count is, as its dataset says",
    "dataset": "the id of the dataset the record is from",
    "fiscal_year": "the Nepali fiscal year (BS), mid-July to mid-July",
    "period_label": "the period the record covers, as read: a month or year in the calendar "
    "the file wrote it in (Magh 2079, August 2022, 2079 BS), a fiscal year in BS (FY 2079/80), "
    "and a day as its AD date in either case (2079-06-02 BS is 2022-09-18)",
    "period_start": "the first day of the record's period (AD)",
    "period_end": "the last day of the record's period (AD)",
    "origin_province": "the province of the record's origin",
    "destination_region": "the region of the record's destination",
    "transit_ids": "the record's transit places, in order, as place ids",
    "destination_city": "the city abroad the record names, when it names one",
    "origin": "where the record's people left from (a documented route's start), as the "
    "dataset or the source names it",
    "destination": "where they went (where a documented route ends), as the dataset or the "
    "source names it",
    # The documented routes' file (the first said what 3 of its 14 columns hold).
    "route_id": "the documented route's id in the atlas's list (R01 ...)",
    "transit_points": "the places on the way, as the source names them",
    "place_ids": "the places the route is drawn through, as place ids",
    "unplaced": "the places the source names that the atlas could not place",
    "placed_points": "how many of the route's places have a point to draw",
    "notes": "what the source says of the route besides its places",
    "period_reported": "when the route was reported used, as the source says",
    "source_title": "the public source that documents the route",
    "source_url": "the source's address",
    "source_date": "the source's date",
    "source_kind": "the kind of source (press, NGO investigation, parliamentary report ...)",
    "transit": "the places they passed through, in order, as the dataset names them",
    "period": "the period the record covers, as the dataset gives it",
    "sex": "female, male or other, as the dataset says (empty where it does not)",
    "channel": "how they went (regular, irregular, re-entry ...), as the dataset says",
    "sector": "the sector of work, as the dataset says",
    "exploitation": "the kind of exploitation the record reports, where it reports one",
    "source": "the source the dataset gives for the record",
}


def column_lines(columns: Iterable[str]) -> list[str]:
    """'name: meaning' of each column with a known meaning, in the file's order."""
    return [
        f"{column}: {COLUMN_MEANINGS[column]}" for column in columns if column in COLUMN_MEANINGS
    ]


def _csv_bytes(frame: pd.DataFrame, metadata: ExportMetadata) -> bytes:
    buffer = io.StringIO()
    for field, text in metadata_items(metadata):
        buffer.write(_metadata_comment(f"{field}: {text}") + "\n")
    for line in column_lines(frame.columns):
        buffer.write(_metadata_comment(f"Column {line}") + "\n")
    # Text is quoted, so that a '#' in a cell is never read as the start of a comment.
    neutralise_frame(frame).to_csv(
        buffer, index=False, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n"
    )
    # A byte-order mark lets spreadsheet programs read UTF-8 (Devanagari names) correctly.
    return buffer.getvalue().encode("utf-8-sig")


def write_records_csv(records: pd.DataFrame, metadata: ExportMetadata) -> bytes:
    """The filtered records as CSV (UTF-8), metadata lines first.

    Read it back with ``pandas.read_csv(file, comment="#")``.

    Raises
    ------
    ValueError
        If any dataset is restricted: records are never exported from restricted data.
    """
    _refuse_restricted_records(metadata)
    return _csv_bytes(_records_ready(records), metadata)


def write_table_csv(table: pd.DataFrame, metadata: ExportMetadata) -> bytes:
    """An aggregated table (flows, legs, corridors, nodes) as CSV, without geometry.

    Raises
    ------
    ValueError
        If the data is restricted and the table's counts were not suppressed.
    """
    return _csv_bytes(_table_ready(table, metadata), metadata)


def _table_ready(table: pd.DataFrame, metadata: ExportMetadata) -> pd.DataFrame:
    """An aggregated table as its files hold it: suppressed, without geometry, distances to
    the tenth of a kilometre (4117.939188098556 said more than the arcs know)."""
    table = _suppressed(table, metadata, "table")
    if "distance_km" in table.columns:
        table = table.assign(distance_km=table["distance_km"].round(1))
    return _without_geometry(_whole_counts(table))


def _whole_counts(table: pd.DataFrame) -> pd.DataFrame:
    """Counts as whole numbers, an empty cell where one is hidden: a column of counts with a
    hidden one was written 20.0, 35.0 (restricted data's nodes.csv beside the public one's 20)."""
    whole = {
        column: table[column].astype("Int64")
        for column in table.columns
        if (column == COUNT or column.startswith(f"{COUNT}_"))
        and pd.api.types.is_float_dtype(table[column].dtype)
        and bool((table[column].dropna() % 1 == 0).all())
    }
    return table.assign(**whole) if whole else table


# --- Excel --------------------------------------------------------------------------------------


def _excel_value(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, np.generic):
        value = value.item()
        if isinstance(value, float) and np.isnan(value):
            return None
    if isinstance(value, pd.Timestamp):
        value = value.tz_convert("UTC").tz_localize(None) if value.tzinfo else value
        return value.to_pydatetime()
    if isinstance(value, str):
        return _ILLEGAL_XML.sub("", value)
    if isinstance(value, (int, float, bool, dt.date, dt.datetime)):
        return value
    return _ILLEGAL_XML.sub("", str(value))


def _xlsx_bytes(
    frame: pd.DataFrame, metadata: ExportMetadata, outside: pd.DataFrame | None = None
) -> bytes:
    """A workbook of ``frame`` (the Data sheet), ``outside`` on a sheet of its own when given,
    and the metadata."""
    from openpyxl import Workbook

    _fits_a_sheet(max(len(frame), 0 if outside is None else len(outside)), "view")
    safe = neutralise_frame(frame)
    book = Workbook()
    data = book.active
    data.title = DATA_SHEET
    _append_frame(data, safe)
    sheets = [data]
    if outside is not None:
        sheets.append(book.create_sheet(OUTSIDE_FLOWS_SHEET))
        _append_frame(sheets[-1], neutralise_frame(outside))
    notes = _metadata_sheet(book, metadata)
    # What each column holds, as each CSV says (in_flows, unexplained in the workbook, invited
    # adding DoFE's two tables together: 116,874 for 58,437 approvals).
    _append_column_meanings(notes, safe.columns)
    return _workbook_bytes(book)


def _fits_a_sheet(rows: int, what: str) -> None:
    """Raise ValueError, saying what to do, where ``rows`` (and a header) fill no sheet."""
    if rows + 1 > EXCEL_MAX_ROWS:
        raise ValueError(
            f"The {what} has {rows:,} rows; Excel holds at most {EXCEL_MAX_ROWS - 1:,}. "
            "Narrow the filters or export CSV."
        )


def _metadata_sheet(book: Any, metadata: ExportMetadata) -> Any:
    """The workbook's Metadata sheet, with the metadata's fields."""
    notes = book.create_sheet(METADATA_SHEET)
    notes.append(["Field", "Value"])
    for field, text in metadata_items(metadata):
        notes.append([field, _excel_value(neutralise_formula(text))])
    return notes


def _append_column_meanings(notes: Any, columns: Iterable[str]) -> None:
    for line in column_lines(columns):
        column, meaning = line.split(": ", 1)
        notes.append([f"Column {column}", meaning])


def _workbook_bytes(book: Any) -> bytes:
    """The workbook saved, its Metadata sheet's columns widened, and every text cell a string
    cell: nothing in a data file is evaluated."""
    notes = book[METADATA_SHEET]
    notes.column_dimensions["A"].width = 22
    notes.column_dimensions["B"].width = 110
    for sheet in book.worksheets:
        for cells in sheet.iter_rows():
            for cell in cells:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _append_frame(sheet: Any, frame: pd.DataFrame) -> None:
    sheet.append([_excel_value(str(name)) for name in frame.columns])
    for row in frame.itertuples(index=False, name=None):
        sheet.append([_excel_value(value) for value in row])
    sheet.freeze_panes = "A2"


def _records_ready(records: pd.DataFrame) -> pd.DataFrame:
    """Records as a file gives them: without geometry, without the columns no record fills
    (DoFE's records left five always empty), the records the flows count first."""
    frame = _without_geometry(records)
    if len(frame):
        frame = frame.loc[:, frame.notna().any().to_numpy()]
    if IN_FLOWS in frame.columns:
        frame = frame.sort_values(IN_FLOWS, ascending=False, kind="stable")
    return frame.reset_index(drop=True)


def outside_flows_note(
    records: pd.DataFrame, why: str, workbook: bool = False, counted_again: bool = False
) -> str | None:
    """What a records file says when some of its records are not in the flows (``why``: what
    they are), so that no reader adds them to the flows' total where they count the same
    people again (``counted_again``: DoFE's table by district); None when all or none are."""
    if IN_FLOWS not in records.columns or COUNT not in records.columns:
        return None
    inside = records[IN_FLOWS].astype(bool).to_numpy()
    if inside.all() or not inside.any():
        return None
    counts = pd.to_numeric(records[COUNT], errors="coerce").fillna(0)
    outside = int((~inside).sum())
    where = f"on the sheet '{OUTSIDE_FLOWS_SHEET}'" if workbook else "with in_flows false, last"
    total = f"the flows' total is the count of the others ({int(counts[inside].sum()):,})"
    # Unplaced records are people of their own, in the dataset's total and on no map; DoFE's
    # district rows are the same permits again (a code review: "never add" was said of both).
    after = (
        f"{total}. Never add the two together."
        if counted_again
        else f"{total}; with them, the records count {int(counts.sum()):,}."
    )
    return (
        f"{outside:,} record{'' if outside == 1 else 's'} ({int(counts[~inside].sum()):,} "
        f"counted) {'is' if outside == 1 else 'are'} not in the flows: {why}. "
        f"{'It is' if outside == 1 else 'They are'} {where}; {after}"
    )


def write_records_xlsx(records: pd.DataFrame, metadata: ExportMetadata) -> bytes:
    """The filtered records as an Excel workbook: a Data sheet and a Metadata sheet; the
    records the flows do not count, if some are, on a sheet of their own (OUTSIDE_FLOWS_SHEET).

    Raises
    ------
    ValueError
        If any dataset is restricted, or the records do not fit in a sheet.
    """
    _refuse_restricted_records(metadata)
    frame = _records_ready(records)
    if IN_FLOWS in frame.columns and 0 < frame[IN_FLOWS].sum() < len(frame):
        inside = frame[IN_FLOWS].astype(bool)
        return _xlsx_bytes(frame[inside], metadata, outside=frame[~inside])
    return _xlsx_bytes(frame, metadata)


def write_table_xlsx(table: pd.DataFrame, metadata: ExportMetadata) -> bytes:
    """An aggregated table as an Excel workbook with a Metadata sheet."""
    return _xlsx_bytes(_table_ready(table, metadata), metadata)


#: The file name of :func:`write_tables_xlsx`'s workbook in an export.
TABLES_WORKBOOK = "tables.xlsx"


def write_tables_xlsx(
    tables: dict[str, tuple[pd.DataFrame, ExportMetadata]], metadata: ExportMetadata
) -> bytes:
    """The view's tables in one workbook: a sheet per table (named as its CSV is), each
    suppressed as its CSV is, and a Metadata sheet with the view's metadata, each sheet's title
    and the notes a sheet has beyond the view's.

    A CSV's lines of metadata, opened in a spreadsheet, split at their commas: this is the file
    a report's tables are copied from.
    """
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    sheets = []
    for name, (table, own) in tables.items():
        ready = neutralise_frame(_table_ready(table, own))
        _fits_a_sheet(len(ready), f"{name} table")
        sheet = book.create_sheet(name.replace("_", " ").capitalize()[:31])
        _append_frame(sheet, ready)
        sheets.append((sheet, ready, own))
    notes = _metadata_sheet(book, metadata)
    said = set(metadata.caveats)
    for sheet, ready, own in sheets:
        notes.append([f"Sheet {sheet.title}", _excel_value(neutralise_formula(own.title))])
        if own.filters != metadata.filters:
            # As its CSV says them (the months are cut by no top N; the districts follow no
            # destination focus): the view's list stood for every sheet (a code review).
            filters = "; ".join(own.filters) or "none (all records)"
            notes.append(
                [f"Sheet {sheet.title} filters", _excel_value(neutralise_formula(filters))]
            )
        for dataset in own.datasets:
            if dataset not in metadata.datasets:  # the census beside the view's data
                credit = f"{dataset.title}; {dataset.organisation}; {dataset.source_note}"
                notes.append(
                    [f"Sheet {sheet.title} source", _excel_value(neutralise_formula(credit))]
                )
        for caveat in own.caveats:
            if caveat not in said:
                notes.append(
                    [f"Sheet {sheet.title} note", _excel_value(neutralise_formula(caveat))]
                )
        _append_column_meanings(notes, ready.columns)
    return _workbook_bytes(book)


# --- GeoJSON and GeoPackage ---------------------------------------------------------------------


def _geo_ready(frame: gpd.GeoDataFrame, what: str) -> gpd.GeoDataFrame:
    """In EPSG:4326, with columns every format can hold (text for categories and times)."""
    if not isinstance(frame, gpd.GeoDataFrame):
        raise ValueError(f"The {what} has no geometry; export it as CSV instead.")
    if frame.crs is None:
        raise ValueError(f"The {what} has no CRS; set it (EPSG:4326) before exporting.")
    out = frame.to_crs(EXPORT_CRS)
    for column in out.columns:
        if column == out.geometry.name:
            continue
        series = out[column]
        if isinstance(series.dtype, pd.CategoricalDtype):
            out[column] = series.astype(object).where(series.notna(), None)
        elif pd.api.types.is_datetime64_any_dtype(series.dtype):
            out[column] = series.map(lambda value: value.isoformat(), na_action="ignore")
    return out


def write_geojson(frame: gpd.GeoDataFrame, metadata: ExportMetadata) -> bytes:
    """A GeoJSON FeatureCollection in EPSG:4326 with a top-level ``"metadata"`` member."""
    ready = _geo_ready(_suppressed(frame, metadata, "layer"), "layer")
    collection = json.loads(ready.to_json(na="null", drop_id=True))
    collection.pop("crs", None)
    collection["metadata"] = metadata_dict(metadata)
    return json.dumps(collection, ensure_ascii=False, default=str).encode("utf-8")


def write_geopackage(layers: Mapping[str, gpd.GeoDataFrame], metadata: ExportMetadata) -> bytes:
    """Named layers in one GeoPackage (EPSG:4326), plus a ``metadata`` attribute table.

    Parameters
    ----------
    layers
        Layer name (letters, digits, underscores; starting with a letter) to GeoDataFrame.
    """
    if not layers:
        raise ValueError("There is no layer to export.")
    seen: set[str] = set()
    for name in layers:
        if not _LAYER_NAME.match(name) or name.lower() == METADATA_LAYER:
            raise ValueError(
                f"'{name}' cannot name a GeoPackage layer: use letters, digits and underscores, "
                f"start with a letter, and do not use '{METADATA_LAYER}'."
            )
        if name.lower() in seen:
            raise ValueError(f"Two layers are called '{name}'; give each layer its own name.")
        seen.add(name.lower())
    ready = {}
    for name, frame in layers.items():
        protected = _suppressed(frame, metadata, f"layer '{name}'")
        ready[name] = _geo_ready(protected, f"layer '{name}'")
    items = metadata_items(metadata)
    table = pd.DataFrame({"field": [field for field, _ in items], "value": [t for _, t in items]})
    with tempfile.TemporaryDirectory(prefix="routes-export-") as folder:
        path = Path(folder) / "export.gpkg"
        for name, frame in ready.items():
            pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG")
        pyogrio.write_dataframe(table, path, layer=METADATA_LAYER, driver="GPKG")
        return path.read_bytes()


# --- standalone HTML map ------------------------------------------------------------------------

_SCRIPT_SRC = re.compile(r"<script\b[^>]*\bsrc\s*=\s*[\"']([^\"']+)[\"'][^>]*>\s*</script>", re.I)
_LINK_HREF = re.compile(r"<link\b[^>]*\bhref\s*=\s*[\"']([^\"']+)[\"'][^>]*/?>", re.I)
_CSS_IMAGE = re.compile(r"url\((['\"]?)images/([A-Za-z0-9_.-]+\.png)\1\)")


def _leaflet_dir() -> Path:
    import xstatic.pkg.leaflet as xstatic_leaflet

    return Path(xstatic_leaflet.BASE_DIR)


def _inline_leaflet_css(folder: Path) -> str:
    css = (folder / "leaflet.css").read_text(encoding="utf-8")

    def data_uri(match: re.Match[str]) -> str:
        image = folder / "images" / match.group(2)
        if not image.is_file():
            return match.group(0)
        encoded = base64.b64encode(image.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{encoded})"

    return _CSS_IMAGE.sub(data_uri, css).replace("</style", "<\\/style")


def _metadata_block(metadata: ExportMetadata) -> tuple[str, str]:
    """The head's title and JSON, and a note in the page, every string escaped."""
    data = json.dumps(metadata_dict(metadata), ensure_ascii=False)
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    head = (
        f"<title>{html.escape(metadata.title)}</title>\n"
        f'<script type="application/json" id="atlas-export-metadata">{data}</script>\n'
    )
    rows = "".join(
        f"<div><b>{html.escape(field)}:</b> {html.escape(text)}</div>"
        for field, text in metadata_items(metadata)
    )
    note = (
        '<details id="atlas-export-note" style="position:fixed;right:8px;bottom:22px;'
        "z-index:1000;max-width:420px;background:rgba(255,255,255,0.95);padding:4px 8px;"
        'border-radius:4px;box-shadow:0 1px 3px rgba(0,0,0,0.3);font:11px/1.35 sans-serif">'
        f"<summary>About this export</summary>{rows}</details>\n"
    )
    return head, note


def write_map_html(fmap: folium.Map, metadata: ExportMetadata | None = None) -> bytes:
    """The map as one HTML file that opens offline: Leaflet's script and style are inlined.

    Parameters
    ----------
    fmap
        A map from :mod:`routes.maps` (whatever Leaflet URLs it was built with).
    metadata
        Written into the page as JSON and as a note a reader can open; every string escaped.

    Raises
    ------
    ValueError
        If the page would still load a script or a stylesheet from anywhere (after Leaflet's
        are inlined), or tiles: it would not open offline, and it would tell another host about
        the view.
    """
    page = fmap.get_root().render()
    folder = _leaflet_dir()

    def inline_script(match: re.Match[str]) -> str:
        if PurePosixPath(match.group(1).split("?")[0]).name != "leaflet.js":
            return match.group(0)
        script = (folder / "leaflet.js").read_text(encoding="utf-8")
        return "<script>" + script.replace("</script", "<\\/script") + "</script>"

    def inline_style(match: re.Match[str]) -> str:
        if PurePosixPath(match.group(1).split("?")[0]).name != "leaflet.css":
            return match.group(0)
        return "<style>" + _inline_leaflet_css(folder) + "</style>"

    page = _SCRIPT_SRC.sub(inline_script, page)
    page = _LINK_HREF.sub(inline_style, page)
    loaded = [*_SCRIPT_SRC.findall(page), *_LINK_HREF.findall(page)]
    if loaded:
        raise ValueError(
            f"The map still loads {loaded[0]}; a standalone file must not fetch anything. "
            "Build it with the app's own Leaflet assets and no other plugins."
        )
    if "L.tileLayer(" in page:
        raise ValueError(
            "The map has an online tile layer, which would fetch tiles whenever the file is "
            "opened; build the exported map with tiles=False (the shipped outlines remain)."
        )
    if metadata is not None:
        head, note = _metadata_block(metadata)
        page = page.replace("</head>", head + "</head>", 1)
        page = page.replace("</body>", note + "</body>", 1)
    return page.encode("utf-8")


# --- zip bundle ---------------------------------------------------------------------------------


def _readme(metadata: ExportMetadata, files: Mapping[str, bytes]) -> str:
    lines = [f"# {metadata.title}", "", f"Exported from the Nepal Migration Routes Atlas on "
             f"{created_text(metadata.created_at)}.", ""]  # fmt: skip
    lines += ["## Filters", ""]
    lines += [f"- {line}" for line in metadata.filters] or ["- none (all records)"]
    lines += ["", "## Datasets", ""]
    for dataset in metadata.datasets:
        lines += [
            f"- **{dataset.title}** ({dataset.organisation}); licence: {dataset.licence}; "
            f"sensitivity: {dataset.sensitivity}.",
            f"  Source: {dataset.source_note}",
        ]
    lines += ["", "## Suppression", ""]
    lines.append(metadata.suppression or "None: public data, shown as published.")
    if metadata.caveats:
        lines += ["", "## Notes and caveats", ""]
        lines += [f"- {caveat}" for caveat in metadata.caveats]
    if metadata.link:
        lines += ["", "## Reopen this view", "", metadata.link]
    lines += ["", "## Files", ""]
    lines += [f"- `{name}` ({len(data):,} bytes)" for name, data in files.items()]
    lines += [f"- `{METADATA_JSON_NAME}`: the same metadata, for programs", ""]
    columns = [column for name, data in files.items() for column in _csv_columns(name, data)]
    if meanings := column_lines(dict.fromkeys(columns)):
        lines += ["## Columns of the CSV files", ""]
        lines += [
            f"- `{column}`:{meaning}" for column, meaning in (m.split(":", 1) for m in meanings)
        ]
        lines += [""]
    lines += [
        "CSV files start with metadata lines beginning with `#`; read them with "
        '`pandas.read_csv(path, comment="#")`. Text cells that began with =, +, -, @, a tab or '
        "a carriage return start with an apostrophe so that no spreadsheet runs them.",
        "",
    ]
    if TABLES_WORKBOOK in files:
        lines += [
            f"In a spreadsheet, open `{TABLES_WORKBOOK}`: the same tables, a sheet each, with the "
            "metadata on a sheet of its own (a CSV's metadata lines split at their commas there).",
            "",
        ]
    return "\n".join(lines)


def _csv_columns(name: str, data: bytes) -> list[str]:
    """The column names of an exported CSV file (its first line that is not metadata)."""
    if not name.endswith(".csv"):
        return []
    for line in data.decode("utf-8-sig", errors="replace").splitlines():
        if not line.startswith("#"):
            return next(csv.reader([line]), [])
    return []


def write_bundle_zip(files: Mapping[str, bytes], metadata: ExportMetadata) -> bytes:
    """The files in one zip with a README.md (the metadata in words) and metadata.json.

    Parameters
    ----------
    files
        File name (plain names or ``folder/name``; no absolute paths or ``..``) to contents.
    """
    for name in files:
        path = PurePosixPath(name)
        if (
            not name
            or "\\" in name
            or path.is_absolute()
            or ".." in path.parts
            or name in (README_NAME, METADATA_JSON_NAME)
        ):
            raise ValueError(
                f"'{name}' cannot name a file in the bundle: use a plain relative name other "
                f"than {README_NAME} and {METADATA_JSON_NAME}."
            )
    stamp = dt.datetime.fromisoformat(metadata.created_at).timetuple()[:6]
    stamp = max(stamp, (1980, 1, 1, 0, 0, 0))
    manifest = metadata_dict(metadata) | {"files": sorted(files)}
    contents = {
        README_NAME: _readme(metadata, files).encode("utf-8"),
        METADATA_JSON_NAME: json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8"),
        **files,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for name, data in contents.items():
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            bundle.writestr(info, data)
    return buffer.getvalue()


def export_file_stem(
    page_path: str, datasets: Sequence[str], created_at: str, restricted: bool = False
) -> str:
    """The start of an export's file names: page, data and second, so that the files of two
    views, or of two datasets on one day, do not overwrite each other in a downloads folder
    (a union's restricted and public exports of one day did). Restricted data is named
    "restricted": a dataset's id is its first title, kept when it is renamed, and a file name
    is seen by whoever sees a list of attachments (a privacy review)."""
    if restricted:
        data = "restricted"
    elif len(datasets) <= 2:
        data = "-".join(datasets)
    else:
        data = f"{len(datasets)}-datasets"
    # To the second: two exports of one minute shared a name (a regression walkthrough).
    moment = created_at[:19].replace(":", "")
    return f"atlas-{page_path}-{data}-{moment}" if data else f"atlas-{page_path}-{moment}"
