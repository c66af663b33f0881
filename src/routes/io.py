"""Reading uploaded route tables: every format an analyst brings, checked before it is trusted.

:func:`read_table` reads CSV and other text tables, Excel workbooks (.xlsx), GeoJSON,
GeoPackages, zipped Shapefiles, Parquet and GeoParquet into one frame. Whatever is wrong with a
file raises :class:`UploadError`, whose message names the file, the row or column where there is
one, and what to do about it. Nothing is guessed that the analyst should decide: when a workbook
has several sheets with data, or a GeoPackage several layers, :class:`ChoiceNeeded` lists them;
when a geometry file does not say its coordinate reference system, :class:`CrsNeeded` asks.

The frame's index holds the row number each row has in the file (the header is row 1 of a text
table or sheet; features and Parquet rows count from 1), so later messages can point at the row
the analyst sees. Cell text is kept as it is, markup included: escaping is the display's job.

Limits a deployment may set by environment (read at each call):

``ROUTES_MAX_UPLOAD_MB`` (200)
    The largest file read.
``ROUTES_MAX_ARCHIVE_ENTRIES`` (1000), ``ROUTES_MAX_UNPACKED_MB`` (1000),
``ROUTES_MAX_COMPRESSION_RATIO`` (250)
    Checked on every zip archive (zipped Shapefiles and .xlsx workbooks) before anything is
    extracted.
``ROUTES_MAX_COLUMNS`` (1000)
    The most columns a table may have.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
import re
import stat
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd

from routes.periods import DEVANAGARI_DIGITS
from routes.schema import GROUPED_THOUSANDS

CSV = "csv"
EXCEL = "excel"
GEOJSON = "geojson"
GEOPACKAGE = "geopackage"
SHAPEFILE = "shapefile"
PARQUET = "parquet"
GEOPARQUET = "geoparquet"

#: File name endings and the format each stands for.
SUFFIX_FORMATS: dict[str, str] = {
    ".csv": CSV,
    ".txt": CSV,
    ".tsv": CSV,
    ".tab": CSV,
    ".psv": CSV,
    ".xlsx": EXCEL,
    ".xlsm": EXCEL,
    ".geojson": GEOJSON,
    ".json": GEOJSON,
    ".gpkg": GEOPACKAGE,
    ".zip": SHAPEFILE,
    ".parquet": PARQUET,
    ".geoparquet": PARQUET,
    ".pq": PARQUET,
}
SUPPORTED = (
    "a CSV or text table (.csv, .txt, .tsv), an Excel workbook (.xlsx), GeoJSON (.geojson), "
    "a GeoPackage (.gpkg), a zipped Shapefile (.zip) or Parquet/GeoParquet (.parquet)"
)
#: Endings we recognise but do not read, with what to do instead.
REFUSED_SUFFIXES: dict[str, str] = {
    ".xls": "it is the old Excel 97-2003 format: open it in Excel or LibreOffice and save it as "
    "an Excel Workbook (.xlsx), or as CSV UTF-8",
    ".ods": "OpenDocument spreadsheets are not read here: save it as .xlsx or as CSV",
    ".shp": "a Shapefile is several files: zip the .shp, .shx, .dbf and .prj together and upload "
    "the .zip",
    ".kml": "KML is not read here: save it as GeoJSON or GeoPackage (QGIS: Export > Save As)",
}

DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
WGS84 = "EPSG:4326"

_MB = 1024 * 1024
#: Small entries are never a bomb, whatever their ratio; checking them would only refuse
#: legitimate workbooks whose XML compresses well.
_RATIO_FLOOR_BYTES = _MB
_SNIFF_BYTES = 64 * 1024
_MAX_LISTED = 5
_DASHES = {"-", "–", "—", "--"}


class UploadError(ValueError):
    """A file that cannot be taken in; the message names the file and says what to do.

    Attributes
    ----------
    file_name : str
    row, column : int or str or None
        Where in the file the problem is, when it is in one place.
    """

    def __init__(
        self, message: str, file_name: str, row: int | None = None, column: str | None = None
    ) -> None:
        super().__init__(message)
        self.file_name = file_name
        self.row = row
        self.column = column


class ChoiceNeeded(UploadError):
    """The file holds several sheets or layers with data; the analyst names one.

    Attributes
    ----------
    kind : str
        ``"sheet"`` or ``"layer"``.
    options : tuple of str
        What there is to choose from, in the file's order.
    """

    def __init__(self, message: str, file_name: str, kind: str, options: Sequence[str]) -> None:
        super().__init__(message, file_name)
        self.kind = kind
        self.options = tuple(options)


class CrsNeeded(UploadError):
    """A geometry file whose coordinate reference system is missing or cannot be right."""


@dataclass(frozen=True)
class UploadLimits:
    """Limits on what an upload may be; :meth:`from_env` reads a deployment's settings."""

    max_upload_mb: float = 200.0
    max_archive_entries: int = 1000
    max_unpacked_mb: float = 1000.0
    max_compression_ratio: float = 250.0
    max_columns: int = 1000

    @classmethod
    def from_env(cls) -> UploadLimits:
        """The limits set by ``ROUTES_MAX_*`` environment variables, defaults elsewhere."""
        defaults = cls()

        def number(name: str, default: float) -> float:
            text = os.environ.get(name, "").strip()
            try:
                return float(text) if text else default
            except ValueError as error:
                raise ValueError(f"{name}={text!r} is not a number; set it to e.g. 200.") from error

        return cls(
            max_upload_mb=number("ROUTES_MAX_UPLOAD_MB", defaults.max_upload_mb),
            max_archive_entries=int(
                number("ROUTES_MAX_ARCHIVE_ENTRIES", defaults.max_archive_entries)
            ),
            max_unpacked_mb=number("ROUTES_MAX_UNPACKED_MB", defaults.max_unpacked_mb),
            max_compression_ratio=number(
                "ROUTES_MAX_COMPRESSION_RATIO", defaults.max_compression_ratio
            ),
            max_columns=int(number("ROUTES_MAX_COLUMNS", defaults.max_columns)),
        )


@dataclass(frozen=True)
class ReadResult:
    """A table read from an upload, and how it was read.

    Attributes
    ----------
    frame : pandas.DataFrame or geopandas.GeoDataFrame
        One row per row (or feature) of the file, indexed by its row number in the file. Columns
        keep the file's names; numbers written as text (``1.234,5`` or ``1,23,456``) are numbers.
        A frame with geometry is a GeoDataFrame in EPSG:4326.
    file_name : str
    format : str
        One of ``csv``, ``excel``, ``geojson``, ``geopackage``, ``shapefile``, ``parquet``,
        ``geoparquet``.
    encoding, delimiter : str or None
        For text tables: the encoding found and the delimiter used.
    sheet, layer : str or None
        The sheet or layer read.
    sheets, layers : tuple of str
        Every sheet or layer in the file.
    crs : str or None
        The coordinate reference system the file was in (before reprojection to EPSG:4326).
    notes : tuple of str
        What the reader decided that the analyst should know (a skipped title row, a decimal
        comma, a sheet chosen because it was the only one with data).
    """

    frame: pd.DataFrame
    file_name: str
    format: str
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    sheets: tuple[str, ...] = ()
    layer: str | None = None
    layers: tuple[str, ...] = ()
    crs: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def has_geometry(self) -> bool:
        return "geometry" in self.frame.columns and hasattr(self.frame, "crs")

    def describe(self) -> str:
        """One line for the analyst: format, rows, columns, and how the file was read."""
        parts = [f"{self.file_name}: {self.format}"]
        if self.encoding:
            parts.append(f"encoding {self.encoding}")
        if self.delimiter:
            parts.append(f"{DELIMITER_NAMES.get(self.delimiter, self.delimiter)}-separated")
        if self.sheet:
            parts.append(f"sheet '{self.sheet}'")
        if self.layer:
            parts.append(f"layer '{self.layer}'")
        if self.crs:
            parts.append(f"CRS {self.crs}")
        parts.append(f"{len(self.frame)} rows, {len(self.frame.columns)} columns")
        return ", ".join(parts)


def read_table(
    source: Path | bytes,
    file_name: str,
    *,
    sheet: str | None = None,
    layer: str | None = None,
    crs: str | None = None,
    limits: UploadLimits | None = None,
) -> ReadResult:
    """Read one uploaded file of any supported format into a frame.

    Parameters
    ----------
    source
        The file's path, or its bytes (as a browser upload gives them).
    file_name
        The name the analyst knows the file by; its ending chooses the format, and every message
        names it.
    sheet
        The sheet of a workbook to read. When None and several sheets hold data,
        :class:`ChoiceNeeded` lists them (nothing is picked behind the analyst's back); a workbook
        with one sheet of data is read at once.
    layer
        The layer of a GeoPackage, or the Shapefile of a zip that holds several; as for ``sheet``.
    crs
        The coordinate reference system of a geometry file that does not give one (for example
        ``"EPSG:32645"``); it overrides what the file says. Without it, a file with no CRS raises
        :class:`CrsNeeded`.
    limits
        Size and archive limits; None reads them from the environment
        (:meth:`UploadLimits.from_env`).

    Returns
    -------
    ReadResult

    Raises
    ------
    UploadError
        The file is empty, too large, of another type than its name says, damaged, unsafe to
        unpack, has no rows, or a row or column cannot be read. :class:`ChoiceNeeded` and
        :class:`CrsNeeded` are kinds of it.
    """
    limits = limits or UploadLimits.from_env()
    file_name = Path(file_name).name or "upload"
    size = _checked_size(source, file_name, limits)
    if Path(file_name).suffix.lower() == ".xls":
        return _read_named_xls(source, file_name, limits)
    kind = _format_of(file_name)
    if kind == CSV and size >= FAST_READ_BYTES:
        # A large plain table is read by Arrow from where it lies, never copied whole into
        # Python; anything else about it falls through to the careful reader below.
        fast = _read_plain_text(source, file_name, limits)
        if fast is not None:
            return fast
    data = _read_bytes(source, file_name, limits)
    readers = {
        CSV: lambda: _read_text(data, file_name, limits),
        EXCEL: lambda: _read_excel(data, file_name, sheet, limits),
        GEOJSON: lambda: _read_geojson(data, file_name, crs, limits),
        GEOPACKAGE: lambda: _read_geopackage(data, file_name, layer, crs, limits),
        SHAPEFILE: lambda: _read_zip(data, file_name, sheet, layer, crs, limits),
        PARQUET: lambda: _read_parquet(data, file_name, crs, limits),
    }
    try:
        return readers[kind]()
    except (UploadError, MemoryError):
        raise
    except Exception as error:
        # Parsers of untrusted files fail in ways no list can foresee; the analyst still gets
        # a message that names the file, and the app keeps running.
        raise UploadError(
            f"{file_name} could not be read ({type(error).__name__}: {str(error)[:200]}). "
            "Check that the file is complete and of the kind its name says, and export it again.",
            file_name,
        ) from error


def _read_named_xls(source: Path | bytes, file_name: str, limits: UploadLimits) -> ReadResult:
    """A file named .xls: the old Excel format is refused (with what to do), but many systems
    export a text or HTML table under that name, which was refused as "the old Excel 97-2003
    format" too. A text table is read as one, and said; an HTML page gets its own advice."""
    data = _read_bytes(source, file_name, limits)
    what = _sniff(data)
    if what != "a text file":
        raise UploadError(f"{file_name}: {REFUSED_SUFFIXES['.xls']}.", file_name)
    head = data[:_SNIFF_BYTES]
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if head.startswith(bom):  # a UTF-16 page read as text said "no rows of data"
            head = head[len(bom) :].decode(encoding, errors="ignore").encode("utf-8")
    head = head.lstrip(codecs.BOM_UTF8).lstrip().lower()
    if head.startswith(b"<?xml") and b"office:spreadsheet" in head:
        raise UploadError(
            f"{file_name} is an Excel 2003 XML spreadsheet: open it in Excel or LibreOffice and "
            "save it as an Excel Workbook (.xlsx), or as CSV UTF-8, and upload that.",
            file_name,
        )
    if head.startswith((b"<!doctype", b"<html", b"<table", b"<?xml", b"<meta")) or (
        head.startswith(b"<") and b"<table" in head
    ):
        raise UploadError(
            f"{file_name} is a web page (HTML) named like an Excel file, as some systems export "
            "their tables: open it in Excel or LibreOffice and save it as an Excel Workbook "
            "(.xlsx), or as CSV UTF-8, and upload that.",
            file_name,
        )
    read = _read_text(data, file_name, limits)
    note = f"{file_name} is a text table named like an Excel file: it was read as text."
    return _with(read, notes=(note, *read.notes))


def list_sheets(source: Path | bytes, file_name: str) -> tuple[str, ...]:
    """The sheet names of an Excel workbook, in the workbook's order."""
    limits = UploadLimits.from_env()
    data = _read_bytes(source, file_name, limits)
    _expect_excel(data, file_name)
    _check_archive(data, file_name, limits)
    return tuple(_open_workbook(data, file_name).sheetnames)


def list_layers(source: Path | bytes, file_name: str) -> tuple[str, ...]:
    """The layers of a GeoPackage, or the Shapefiles in a zip, in the file's order."""
    limits = UploadLimits.from_env()
    data = _read_bytes(source, file_name, limits)
    kind = _format_of(file_name)
    if kind == GEOPACKAGE:
        _expect_magic(data, file_name, b"SQLite format 3\x00", "a GeoPackage")
        with tempfile.TemporaryDirectory(prefix="routes-upload-") as folder:
            path = Path(folder) / "upload.gpkg"
            path.write_bytes(data)
            return _vector_layers(path, file_name)
    if kind == SHAPEFILE:
        with tempfile.TemporaryDirectory(prefix="routes-upload-") as folder:
            root = _extract_zip(data, file_name, Path(folder), limits)
            return tuple(path.stem for path in _shapefiles(root))
    if kind == GEOJSON:
        return (Path(file_name).stem,)
    raise UploadError(
        f"{file_name} is not a GeoPackage or zipped Shapefile: it has no layers.", file_name
    )


# --- bytes, names and types -------------------------------------------------------------------


def _read_bytes(source: Path | bytes, file_name: str, limits: UploadLimits) -> bytes:
    _checked_size(source, file_name, limits)
    data = (
        bytes(source)
        if isinstance(source, bytes | bytearray | memoryview)
        else Path(source).read_bytes()
    )
    if not data:
        raise _empty_file(file_name)
    return data


def _checked_size(source: Path | bytes, file_name: str, limits: UploadLimits) -> int:
    """The size of the upload in bytes, once it is known to be neither empty nor too large."""
    limit_bytes = limits.max_upload_mb * _MB
    if isinstance(source, bytes | bytearray | memoryview):
        size = len(source)
    else:
        try:
            size = Path(source).stat().st_size
        except OSError as error:
            raise UploadError(
                f"{file_name} cannot be opened: {error.strerror}.", file_name
            ) from error
    if size > limit_bytes:
        raise UploadError(
            f"{file_name} is {size / _MB:.1f} MB; the largest upload allowed is "
            f"{limits.max_upload_mb:g} MB (ROUTES_MAX_UPLOAD_MB). Split it into smaller files, or "
            "ask whoever runs the app to raise the limit.",
            file_name,
        )
    if not size:
        raise _empty_file(file_name)
    return size


def _empty_file(file_name: str) -> UploadError:
    return UploadError(
        f"{file_name} is empty (0 bytes). Check that you chose the right file, or export it again.",
        file_name,
    )


def _format_of(file_name: str) -> str:
    suffix = Path(file_name).suffix.lower()
    if suffix in SUFFIX_FORMATS:
        return SUFFIX_FORMATS[suffix]
    if suffix in REFUSED_SUFFIXES:
        raise UploadError(f"{file_name}: {REFUSED_SUFFIXES[suffix]}.", file_name)
    what = f"files ending in '{suffix}'" if suffix else "files without an ending such as .csv"
    raise UploadError(f"{file_name}: {what} are not read here. Upload {SUPPORTED}.", file_name)


_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a zip archive (an .xlsx workbook is one)"),
    (b"PK\x05\x06", "an empty zip archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office file (Excel 97-2003 .xls or Word .doc)"),
    (b"SQLite format 3\x00", "an SQLite database (a GeoPackage is one)"),
    (b"PAR1", "a Parquet file"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"\x7fELF", "a program"),
    (b"MZ", "a Windows program"),
)


def _sniff(data: bytes) -> str:
    """What the bytes look like, for messages: ``"a PNG image"``, ``"a text file"``."""
    for magic, what in _MAGIC:
        if data.startswith(magic):
            return what
    head = data[:_SNIFF_BYTES]
    if any(
        head.startswith(bom) for bom in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    ):
        return "a text file"
    if b"\x00" not in head and _control_share(head) < 0.05:
        return "a text file"
    return "binary data of an unknown kind"


def _control_share(head: bytes) -> float:
    if not head:
        return 0.0
    controls = sum(1 for byte in head if byte < 0x20 and byte not in (0x09, 0x0A, 0x0C, 0x0D, 0x1A))
    return controls / len(head)


def _wrong_type(file_name: str, data: bytes, expected: str, hint: str) -> UploadError:
    return UploadError(
        f"{file_name} is named like {expected} but is not one: it looks like {_sniff(data)}. "
        f"{hint}",
        file_name,
    )


def _expect_magic(data: bytes, file_name: str, magic: bytes, expected: str) -> None:
    if not data.startswith(magic):
        raise _wrong_type(
            data=data,
            file_name=file_name,
            expected=expected,
            hint="Check that you chose the right file, and that its name ends as its kind does.",
        )


# --- text tables ------------------------------------------------------------------------------

_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32 (with byte-order mark)"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32 (with byte-order mark)"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8 (with byte-order mark)"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16 (with byte-order mark)"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16 (with byte-order mark)"),
)
# A well-formed UTF-8 sequence of two to four bytes.
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_SAVE_AS_UTF8 = (
    "Save the file as UTF-8 (in Excel: Save As > 'CSV UTF-8'; in LibreOffice: character set "
    "'Unicode (UTF-8)') and upload it again."
)


def _decode_text(data: bytes, file_name: str) -> tuple[str, str]:
    """The text of a table and the encoding it was in."""
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            body = data[len(bom) :]
            try:
                return body.decode(codec), label
            except UnicodeDecodeError as error:
                row = body[: error.start].decode(codec, errors="replace").count("\n") + 1
                raise UploadError(
                    f"{file_name}, row {row}: the file starts as {label} but has bytes that are "
                    f"not {label} at byte {error.start + len(bom)}. {_SAVE_AS_UTF8}",
                    file_name,
                    row=row,
                ) from error
    _refuse_binary(data, file_name)
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError as error:
        first_bad = error.start
    row = data[:first_bad].count(b"\n") + 1
    byte = f"0x{data[first_bad]:02X}"
    if _UTF8_MULTIBYTE.search(data):
        raise UploadError(
            f"{file_name}, row {row}: the file mixes encodings: parts are UTF-8 and the byte "
            f"{byte} on row {row} is not, so some names would come out garbled. {_SAVE_AS_UTF8}",
            file_name,
            row=row,
        )
    try:
        return data.decode("cp1252"), "Windows-1252 (Latin-1)"
    except UnicodeDecodeError as error:
        row = data[: error.start].count(b"\n") + 1
        raise UploadError(
            f"{file_name}, row {row}: the byte 0x{data[error.start]:02X} is neither UTF-8 nor "
            f"Windows-1252/Latin-1 text, so the encoding cannot be told. {_SAVE_AS_UTF8}",
            file_name,
            row=row,
        ) from error


def _refuse_binary(data: bytes, file_name: str) -> None:
    head = data[:_SNIFF_BYTES]
    if b"\x00" in head:
        even = head[0::2].count(0) / max(1, len(head[0::2]))
        odd = head[1::2].count(0) / max(1, len(head[1::2]))
        other = head[0::2] if odd > even else head[1::2]
        printable = sum(1 for byte in other if 0x20 <= byte < 0x7F or byte in (9, 10, 13))
        if max(even, odd) > 0.3 and min(even, odd) < 0.05 and printable > 0.8 * len(other):
            order = "little-endian" if odd > even else "big-endian"
            raise UploadError(
                f"{file_name} looks like UTF-16 text ({order}) without the byte-order mark that "
                f"says so, and will not be guessed at. {_SAVE_AS_UTF8}",
                file_name,
            )
    what = _sniff(data)
    if what != "a text file":
        raise UploadError(
            f"{file_name} is named like a text table but is not one: it looks like {what}. "
            "Upload the table itself (CSV, .xlsx, ...); if the file is a workbook or a zip, give "
            "it its own ending (.xlsx, .zip).",
            file_name,
        )


#: Tables at least this large take the fast reader when they are plain (see _read_plain_text).
FAST_READ_BYTES = 1_000_000
#: Arrow reads the file in blocks of this size (each with its own dictionaries, unified after).
_ARROW_BLOCK_BYTES = 16 * _MB
#: The start of a file read for the checks of the fast reader: enough for the delimiter sample
#: of 64 KiB characters even when each takes four bytes.
_HEAD_BYTES = 4 * _SNIFF_BYTES


def _read_text(data: bytes, file_name: str, limits: UploadLimits) -> ReadResult:
    text, encoding = _decode_text(data, file_name)
    if not text.strip():
        raise UploadError(
            f"{file_name} has no content: only blank lines. Export the table again.", file_name
        )
    declared = re.match(r"\Asep=(.)\r?\n", text)
    if declared:
        # Excel's own hint on the first line: "sep=;". Blanked, so rows keep their numbers.
        delimiter = declared.group(1)
        text = "\n" + text[declared.end() :]
    else:
        delimiter = _detect_delimiter(text)
    rows = _parse_rows(text, delimiter, file_name)
    frame, notes = _frame_from_rows(rows, file_name, limits, delimiter=delimiter)
    frame, number_notes = _convert_numbers(frame, prefer_decimal_comma=delimiter == ";")
    return ReadResult(
        frame=frame,
        file_name=file_name,
        format=CSV,
        encoding=encoding,
        delimiter=delimiter,
        notes=tuple(notes + number_notes),
    )


def _read_plain_text(
    source: Path | bytes, file_name: str, limits: UploadLimits
) -> ReadResult | None:
    """A large, plain table read by Arrow's multi-threaded CSV reader, or None.

    Plain means: UTF-8, every header cell named on the first line, no blank lines, rows as wide
    as the header and no line breaks inside cells, so that row numbers are line numbers and Arrow
    reads exactly what the careful reader would. Anything else (or any doubt Arrow raises) goes
    to the careful reader, which gives the detailed messages.

    Text columns come as categoricals: Arrow reads each column as a dictionary (a million cells
    hold a few hundred distinct texts), and blank cells, numbers written as text and everything
    after the reader work on the distinct texts, not on every cell.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    plain = _plain_header(_head(source), limits)
    if plain is None:
        return None
    header_cells, delimiter, encoding = plain
    notes: list[str] = []
    names = _column_names(header_cells, 1, file_name, notes)
    text_type = pa.dictionary(pa.int32(), pa.string())
    try:
        table = pacsv.read_csv(
            _without_trailing_blank_lines(source),
            read_options=pacsv.ReadOptions(
                column_names=names, skip_rows=1, block_size=_ARROW_BLOCK_BYTES
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, newlines_in_values=False, ignore_empty_lines=False
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={name: text_type for name in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                # Checked below on the distinct texts, not on every cell.
                check_utf8=False,
            ),
        )
        for column in table.columns:
            for chunk in column.chunks:
                chunk.dictionary.validate(full=True)  # UTF-8 or ArrowInvalid
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return None
    if table.num_rows == 0:
        return None
    decoded = [_dictionary_texts(column) for column in table.columns]
    blank_rows = np.logical_and.reduce([codes < 0 for codes, _ in decoded])
    filled = np.flatnonzero(~blank_rows)
    kept = int(filled[-1]) + 1 if len(filled) else 0
    if kept == 0 or blank_rows[:kept].any():
        return None  # the careful reader skips blank rows inside a table and says so
    # Rows of empty cells at the end (a spreadsheet's ",,,," lines) are dropped, as the careful
    # reader drops them; they use no text, so the texts stay as they are.
    index = pd.RangeIndex(2, kept + 2, name="row")
    columns: dict[str, pd.Series] = {}
    for name, (codes, texts) in zip(names, decoded, strict=True):
        codes = codes[:kept]
        converted, note = _numbers_of_distinct(codes, texts, prefer_decimal_comma=delimiter == ";")
        if note:
            notes.append(f"Column '{name}': {note}")
        if converted is None:
            converted = pd.Categorical.from_codes(codes, categories=texts, validate=False)
        columns[name] = pd.Series(converted, index=index, name=name, copy=False)
    return ReadResult(
        frame=pd.DataFrame(columns, index=index),
        file_name=file_name,
        format=CSV,
        encoding=encoding,
        delimiter=delimiter,
        notes=tuple(notes),
    )


def _without_trailing_blank_lines(source: Path | bytes):
    """What Arrow reads: the table without the empty lines a file may end with (Arrow rejects an
    empty line; the careful reader drops them), read from the file without copying it."""
    import pyarrow as pa

    if isinstance(source, bytes | bytearray | memoryview):
        data = pa.py_buffer(source)
    else:
        data = pa.memory_map(str(source)).read_buffer()
    end = len(data)
    while end:
        tail = data.slice(max(0, end - 4096), min(end, 4096)).to_pybytes()
        kept = len(tail.rstrip(b"\r\n"))
        end -= len(tail) - kept
        if kept:
            break
    # The last row keeps its own line ending.
    after = data.slice(end, min(2, len(data) - end)).to_pybytes()
    ending = 2 if after == b"\r\n" else 1 if after[:1] in (b"\n", b"\r") else 0
    return data.slice(0, end + ending)


def _head(source: Path | bytes) -> bytes:
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source[:_HEAD_BYTES])
    with open(source, "rb") as handle:
        return handle.read(_HEAD_BYTES)


def _plain_header(head: bytes, limits: UploadLimits) -> tuple[list[str], str, str] | None:
    """The header cells, delimiter and encoding of a plain table, or None when it is not one."""
    body = head[len(codecs.BOM_UTF8) :] if head.startswith(codecs.BOM_UTF8) else head
    encoding = "UTF-8 (with byte-order mark)" if body is not head else "UTF-8"
    if any(body.startswith(bom) for bom, _, _ in _BOMS) or b"\x00" in body:
        return None
    if body.startswith((b"sep=", b"\n", b"\r")) or b"\n" not in body:
        return None
    if len(head) == _HEAD_BYTES:
        body = body[: body.rindex(b"\n") + 1]  # the last line may be cut inside a character
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    delimiter = _detect_delimiter(text)
    first_line = text.splitlines()[0]
    header_cells = next(csv.reader([first_line], delimiter=delimiter), [])
    if len(header_cells) < 2 or len(header_cells) > limits.max_columns:
        return None
    if not all(_filled(cell) for cell in header_cells):
        return None  # unnamed columns are named, or dropped, by the careful reader
    if header_cells != next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)):
        return None  # a header cell with a line break in it
    return header_cells, delimiter, encoding


def _dictionary_texts(column) -> tuple[np.ndarray, pd.Series]:
    """A dictionary-encoded Arrow column as codes and its distinct texts, blank cells empty.

    The distinct texts are in order of first appearance (Arrow builds each block's dictionary in
    that order, and the blocks come in file order); a blank text is dropped and its cells get
    the code -1, as the careful reader empties blank cells.

    The blocks' dictionaries are made one here, on their few hundred texts, and each block's
    codes written once into the column's: Arrow's own unifying rewrote every block's codes, and
    joining them copied them again (a tenth of a second for a million rows of 11 columns).
    """
    import pyarrow as pa

    if column.num_chunks == 0:
        return np.empty(0, dtype=np.intp), pd.Series([], dtype="string")
    chunks = column.chunks
    written = pa.concat_arrays([chunk.dictionary for chunk in chunks]).to_pandas()
    # Each block's texts as codes of the column's distinct texts, in order of first appearance.
    each, distinct = pd.factorize(written, use_na_sentinel=False)
    texts = pd.Series(distinct, dtype="string")
    blank = (texts.str.strip() == "").to_numpy(dtype=bool, na_value=True)
    if blank.any():
        each = np.where(blank, -1, np.cumsum(~blank) - 1)[each]
        texts = texts[~blank].reset_index(drop=True)
    # The smallest codes that hold the texts, as pandas keeps a categorical's (it converted
    # them after, another pass); written unbuffered (mode "clip": Arrow's codes are in range).
    kind = next(t for t in (np.int8, np.int16, np.int32) if len(texts) < np.iinfo(t).max)
    each = each.astype(kind, copy=False)
    codes = np.empty(len(column), dtype=kind)
    row = first = 0
    for chunk in chunks:
        size = len(chunk.dictionary)
        indices = chunk.indices.to_numpy(zero_copy_only=False)
        np.take(each[first : first + size], indices, out=codes[row : row + len(chunk)], mode="clip")
        row, first = row + len(chunk), first + size
    return codes, texts


def _detect_delimiter(text: str) -> str:
    """The delimiter that splits the first lines most consistently into most columns."""
    sample = text[:_SNIFF_BYTES]
    if len(text) > _SNIFF_BYTES and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    best, best_score = ",", (0.0, 0)
    for delimiter in DELIMITERS:
        try:
            counts = [
                len(fields)
                for fields in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
                if any(cell.strip() for cell in fields)
            ][:200]
        except csv.Error:
            continue
        if not counts:
            continue
        mode = max(set(counts), key=counts.count)
        if mode < 2:
            continue
        score = (counts.count(mode) / len(counts), mode)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _parse_rows(text: str, delimiter: str, file_name: str) -> list[tuple[int, list[str]]]:
    """Every row with the file line it starts on."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[tuple[int, list[str]]] = []
    line = 1
    try:
        for fields in reader:
            rows.append((line, fields))
            line = reader.line_num + 1
    except csv.Error as error:
        raise UploadError(
            f"{file_name}, row {line}: the row cannot be read ({error}). A cell that opens a "
            'quote (") must close it; look for an unmatched quote on or after this row.',
            file_name,
            row=line,
        ) from error
    return rows


def _frame_from_rows(
    rows: list[tuple[int, list[object]]],
    file_name: str,
    limits: UploadLimits,
    *,
    delimiter: str | None = None,
    where: str = "",
) -> tuple[pd.DataFrame, list[str]]:
    """Header, body and row numbers from raw rows (text table or sheet)."""
    notes: list[str] = []
    where_text = f" {where}" if where else ""
    filled = [(line, cells) for line, cells in rows if any(_filled(cell) for cell in cells)]
    if not filled:
        raise UploadError(
            f"{file_name}{where_text} has no content: every cell is empty. Choose the file "
            "(or sheet) that holds the route table.",
            file_name,
        )
    widest = max(sum(_filled(cell) for cell in cells) for _, cells in filled[:20])
    skipped = []
    while len(filled) > 1 and widest >= 2 and sum(_filled(c) for c in filled[0][1]) < 2:
        line, cells = filled[0]
        if delimiter is not None:
            _refuse_mixed_delimiters(line, cells, widest, file_name, delimiter)
        skipped.append(filled.pop(0))
    if _is_group_heading(filled, widest):
        # "Origin" over District and Country, "Respondent" over Sex and Age: merged cells
        # over the row of column names.
        skipped.append(filled.pop(0))
    if skipped:
        lines = ", ".join(str(line) for line, _ in skipped)
        notes.append(f"Row(s) {lines} above the header (a title, note or heading) were skipped.")
    header_line, header_cells = filled[0]
    body = filled[1:]
    below = []
    while len(body) > 1 and widest >= 2 and _is_note_row(body[-1][1], len(header_cells)):
        if delimiter is not None:
            _refuse_mixed_delimiters(*body[-1], widest, file_name, delimiter)
        below.insert(0, body.pop())
    if below:
        lines = ", ".join(str(line) for line, _ in below)
        # Said in full: a file's own note may say what its dashes mean, or who may publish it.
        texts = "; ".join(
            f"“{_shortened(', '.join(str(cell).strip() for cell in cells if _filled(cell)))}”"
            for _, cells in below
        )
        notes.append(f"Row(s) {lines} below the table (a note or source) were skipped: {texts}.")
    width = _header_width(header_cells, body)
    if width > limits.max_columns:
        raise UploadError(
            f"{file_name}{where_text} has {width} columns; at most {limits.max_columns} are read "
            "(ROUTES_MAX_COLUMNS). Keep only the columns of the route table, or turn a wide table "
            "into rows.",
            file_name,
        )
    header = _column_names(header_cells[:width], header_line, file_name, notes)
    if not body:
        raise UploadError(
            f"{file_name}{where_text} has a header row (row {header_line}) but no rows of data "
            "under it. Check that you exported the whole table.",
            file_name,
            row=header_line,
        )
    cells = [
        _fit_row(line, row, width, header_line, file_name, delimiter, notes) for line, row in body
    ]
    index = pd.Index([line for line, _ in body], name="row")
    frame = pd.DataFrame(cells, columns=header, index=index, dtype=object)
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.infer_dtype(values, skipna=True) == "string":
            blank = values.isna() | (values.astype("string").str.strip() == "").fillna(True)
            frame[column] = values.where(~blank, None)
        else:
            frame[column] = values.map(lambda cell: cell if _filled(cell) else None)
    last_line = body[-1][0]
    inside = sum(
        1
        for line, cells in rows
        if header_line < line < last_line and not any(_filled(cell) for cell in cells)
    )
    if inside:
        notes.append(f"{inside} blank row(s) inside the table were skipped.")
    return frame, notes


def _shortened(text: str, most: int = 200) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


def _is_group_heading(filled: list[tuple[int, list[object]]], widest: int) -> bool:
    """Whether the first row is a heading over groups of columns: at most half as wide as the
    table, over a row that names every column in text."""
    if len(filled) < 3:
        return False
    first = sum(_filled(cell) for cell in filled[0][1])
    names = [cell for cell in filled[1][1] if _filled(cell)]
    return (
        first <= widest / 2
        and len(names) == widest
        and all(isinstance(cell, str) and not _looks_numeric(cell) for cell in names)
    )


def _looks_numeric(text: str) -> bool:
    return re.fullmatch(r"[\d\s.,/:-]+", text.strip()) is not None


#: How a note or a source below a table begins.
_NOTE_STARTS = ("note", "notes", "source", "sources", "*", "†", "नोट", "स्रोत", "टिप्पणी")


def _is_note_row(cells: list[object], width: int) -> bool:
    """A row below a table holding one text that reads as a note or a source ("Note: ...",
    "Source: field survey", a sentence), not a record with one cell filled ("Kaski"); or a note
    or source the file's commas split into cells, narrower than the table's ``width`` header
    ("Source: NGO survey 2080, draft": unquoted, it was read as a record from 'Source: NGO
    survey 2080' to 'draft'; "Source: DoFE, 2079/80" ends in a year)."""
    values = [cell for cell in cells if _filled(cell)]
    if not values or not isinstance(values[0], str):
        return False
    text = values[0].strip()
    if len(values) > 1:
        labelled = _filled(cells[0]) and _NOTE_LABEL.match(text) is not None
        return labelled and len(values) < width
    first = text.split(maxsplit=1)[0].rstrip(":.").casefold()
    return first in _NOTE_STARTS or ": " in text or len(text.split()) >= 5


#: A note or source labelled as one in a row's first cell: "Source: ...", "Note - ...".
_NOTE_LABEL = re.compile(r"(?:notes?|sources?|नोट|स्रोत|टिप्पणी)\s*[:\-–]", re.IGNORECASE)


def _filled(cell: object) -> bool:
    if cell is None:
        return False
    if isinstance(cell, str):
        return bool(cell.strip())
    return not (isinstance(cell, float) and cell != cell)


def _header_width(header: list[object], body: list[tuple[int, list[object]]]) -> int:
    """Header cells, without trailing empty columns that hold no data either."""
    width = len(header)
    while width > 0 and not _filled(header[width - 1]):
        if any(len(row) >= width and _filled(row[width - 1]) for _, row in body):
            break
        width -= 1
    return width


def _column_names(cells: list[object], line: int, file_name: str, notes: list[str]) -> list[str]:
    names = []
    for position, cell in enumerate(cells, start=1):
        name = str(cell).strip() if _filled(cell) else ""
        if isinstance(cell, float) and cell.is_integer():
            name = str(int(cell))
        if not name:
            name = f"column {position}"
            notes.append(f"Column {position} has no name in the header; it is called '{name}'.")
        names.append(name)
    seen: dict[str, int] = {}
    for position, name in enumerate(names, start=1):
        key = name.casefold()
        if key in seen:
            raise UploadError(
                f"{file_name}, row {line}: columns {seen[key]} and {position} are both named "
                f"'{name}'. Give every column its own name and upload the file again.",
                file_name,
                row=line,
                column=name,
            )
        seen[key] = position
    return names


def _fit_row(
    line: int,
    cells: list[object],
    width: int,
    header_line: int,
    file_name: str,
    delimiter: str | None,
    notes: list[str],
) -> list[object]:
    if len(cells) == width:
        return list(cells)
    if delimiter is not None:
        _refuse_mixed_delimiters(line, cells, width, file_name, delimiter)
    if len(cells) > width:
        extra = cells[width:]
        if any(_filled(cell) for cell in extra):
            cause = (
                f"A value may hold an unquoted {DELIMITER_NAMES.get(delimiter, delimiter)}: put "
                "such values in quotes, or add the missing column name."
                if delimiter is not None
                else "Give every column of the table a name in the header row (the row of "
                "column names must be the only row above the data)."
            )
            raise UploadError(
                f"{file_name}, row {line}: the row has {len(cells)} values but the header "
                f"(row {header_line}) names {width} columns. {cause}",
                file_name,
                row=line,
            )
        return list(cells[:width])
    if not any(note.startswith("Short rows") for note in notes):
        notes.append(
            f"Short rows (first: row {line}) have fewer values than the header has columns: "
            "their last columns were read as empty."
        )
    return list(cells) + [None] * (width - len(cells))


def _refuse_mixed_delimiters(
    line: int, cells: list[object], width: int, file_name: str, used: str
) -> None:
    text = used.join(str(cell) for cell in cells)
    for other in DELIMITERS:
        if other == used:
            continue
        try:
            count = len(next(csv.reader([text], delimiter=other)))
        except (csv.Error, StopIteration):
            continue
        if count == width or (width == 1 and count > 1):
            raise UploadError(
                f"{file_name}, row {line}: the file mixes delimiters: most rows are split by "
                f"{DELIMITER_NAMES[used]}s, but row {line} by {DELIMITER_NAMES[other]}s. Save "
                "the table again with one delimiter throughout.",
                file_name,
                row=line,
            )


# --- numbers written as text ------------------------------------------------------------------

# Digits are ASCII digits (\d with re.ASCII): pandas reads no other script's as numbers.
_NUMBER_SPACES = re.compile(
    r"(?<=\d)[\s\u00a0\u2007\u2009\u200a\u202f\u3000'’](?=\d{3}(?:\D|$))", re.ASCII
)
_PLAIN_INT = re.compile(r"^[+-]?\d+$", re.ASCII)
#: A character none of the numbers below (nor a dash standing for none) is written with.
_NOT_IN_NUMBERS = re.compile(r"[^\d+\-.,\s\u00a0\u2007\u2009\u200a\u202f\u3000'’–—]", re.ASCII)
# Grouped by commas in the western (1,234,567) or Indian (12,34,567) way, decimal point: the
# schema's grouping (this reader's own took 1,234,567 for no number, the schema's for one).
_POINT_DECIMAL = re.compile(rf"^(?:{GROUPED_THOUSANDS}|[+-]?\d+(?:\.\d+)?)$", re.ASCII)
# Grouped by points, decimal comma: 1.234.567,89.
_COMMA_DECIMAL = re.compile(r"^[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?$", re.ASCII)


def _convert_numbers(
    frame: pd.DataFrame, prefer_decimal_comma: bool
) -> tuple[pd.DataFrame, list[str]]:
    """Columns whose every value is a number written as text become numbers.

    A column keeps its text when any value is not a number, so that validation can point at it;
    codes with leading zeros (``007``) stay text.
    """
    frame = frame.copy()
    notes = []
    for column in frame.columns:
        if column == "geometry":
            continue
        kind = pd.api.types.infer_dtype(frame[column], skipna=True)
        converted, note = _distinct_numbers(frame[column], kind, prefer_decimal_comma)
        if converted is not None:
            frame[column] = converted
            if note:
                notes.append(f"Column '{column}': {note}")
        elif kind in ("string", "empty"):
            frame[column] = frame[column].astype("string")
    return frame, notes


def _distinct_numbers(
    values: pd.Series, kind: str, prefer_decimal_comma: bool
) -> tuple[pd.Series | None, str]:
    """:func:`_column_numbers` on each distinct value once, spread back to the rows.

    A column of a million cells usually holds a few hundred distinct texts; every rule (all
    values numbers, no leading zeros, the decimal mark) gives the same answer on them.
    """
    if len(values) < 10_000 or kind in ("integer", "floating", "mixed-integer-float", "decimal"):
        return _column_numbers(values, kind, prefer_decimal_comma)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    distinct = pd.Series(uniques, dtype=object)
    converted, note = _column_numbers(distinct, kind, prefer_decimal_comma)
    if converted is None:
        return None, note
    spread = converted.array.take(codes, allow_fill=True)
    return pd.Series(spread, index=values.index, name=values.name), note


def _numbers_of_distinct(
    codes: np.ndarray, texts: pd.Series, prefer_decimal_comma: bool
) -> tuple[pd.api.extensions.ExtensionArray | np.ndarray | None, str]:
    """A text column given as codes and distinct texts, as numbers when every text is one."""
    kind = "string" if len(texts) else "empty"
    converted, note = _column_numbers(texts, kind, prefer_decimal_comma)
    if converted is None:
        return None, note
    if not isinstance(converted.dtype, pd.Int64Dtype):
        return converted.array.take(codes, allow_fill=True), note
    # Whole numbers: the values and their mask spread by numpy (pandas' own take of a masked
    # array was a sixth of the reader's own work on a million rows), blank cells (-1) empty.
    values = converted.to_numpy(dtype="int64", na_value=0)
    empty = converted.isna().to_numpy()
    spread = np.take(values, codes, mode="clip")
    mask = np.take(empty, codes, mode="clip") | (codes < 0)
    return pd.arrays.IntegerArray(spread, mask), note


def _column_numbers(
    values: pd.Series, kind: str, prefer_decimal_comma: bool
) -> tuple[pd.Series | None, str]:
    if kind == "empty":
        return None, ""
    if kind in ("integer", "floating", "mixed-integer-float", "decimal"):
        return _as_numbers(values), ""
    # Counts in Devanagari digits (१२) are numbers as the schema reads them; other scripts'
    # digits are left to it, which names each such cell, rather than read as empty here.
    texts = values.dropna().astype("string").str.strip()
    translated = texts.str.translate(DEVANAGARI_DIGITS)
    devanagari = bool((translated != texts).any())
    texts = translated
    # A letter or sign that no number or dash is written with: the rules below would each
    # refuse it, at a few milliseconds a column.
    if _NOT_IN_NUMBERS.search("\n".join(texts.tolist())):
        return None, ""
    dashes = texts.isin(list(_DASHES))
    texts = texts[~dashes].str.replace(_NUMBER_SPACES, "", regex=True)
    if texts.empty or texts.str.match(r"^[+-]?0\d").any():
        return None, ""  # codes such as 007 keep their zeros
    point = bool(texts.str.fullmatch(_POINT_DECIMAL).all())
    comma = bool(texts.str.fullmatch(_COMMA_DECIMAL).all())
    if not (point or comma):
        return None, ""
    grouped = texts.str.contains(",", regex=False) & texts.str.fullmatch(_POINT_DECIMAL)
    if comma and not point and not prefer_decimal_comma and bool(grouped.any()):
        # "1,200" beside "1,2" in a comma-separated file: both were read as 1.2, the good one
        # refused. Left as text, each cell is judged on its own (routes.schema).
        return None, ""
    plain = bool(texts.str.fullmatch(_PLAIN_INT).all())
    use_comma = comma and (not point or prefer_decimal_comma)
    if use_comma:
        numbers = texts.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        numbers = texts.str.replace(",", "", regex=False)
    parsed = pd.to_numeric(numbers, errors="coerce").reindex(values.index)
    said = [
        *(["numbers with a decimal comma (1.234,5) read as numbers"] if not plain and use_comma
          # Decimals written plainly (1.5) are numbers like any, said nothing of.
          else ["numbers with thousands separators (1,234) read as numbers"] if grouped.any()
          else []),
        *(["cells holding only a dash read as empty"] if dashes.any() else []),
        *(["numbers in Devanagari digits (१२) read as numbers"] if devanagari else []),
    ]  # fmt: skip
    # After "Column 'count': ", the first sentence starts small, the others with a capital.
    note = " ".join(f"{s if i == 0 else s[0].upper() + s[1:]}." for i, s in enumerate(said))
    return _as_numbers(parsed), note


def _as_numbers(values: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce")
    present = numbers.dropna()
    if len(present) and (present % 1 == 0).all() and present.abs().max() < 2**62:
        return numbers.astype("Int64")
    return numbers.astype("float64")


# --- Excel ------------------------------------------------------------------------------------


def _expect_excel(data: bytes, file_name: str) -> None:
    hint = (
        "If it is a CSV or text table, rename it to .csv; otherwise open it in Excel and save it "
        "as an Excel Workbook (.xlsx)."
    )
    if not data.startswith(b"PK\x03\x04"):
        raise _wrong_type(file_name, data, "an Excel workbook (.xlsx)", hint)
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except zipfile.BadZipFile as error:
        raise UploadError(
            f"{file_name} is a damaged Excel workbook (its zip structure is broken: {error}). "
            "Open it in Excel and save it again.",
            file_name,
        ) from error
    if "xl/workbook.xml" not in names:
        raise UploadError(
            f"{file_name} is a zip archive, not an Excel workbook. Upload the table inside it, or "
            "rename it .zip if it holds a Shapefile.",
            file_name,
        )


def _open_workbook(data: bytes, file_name: str):
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise UploadError(
            f"{file_name} cannot be read as an Excel workbook ({error}). Open it in Excel and "
            "save it again as .xlsx.",
            file_name,
        ) from error


def _read_excel(data: bytes, file_name: str, sheet: str | None, limits: UploadLimits) -> ReadResult:
    _expect_excel(data, file_name)
    _check_archive(data, file_name, limits)
    workbook = _open_workbook(data, file_name)
    try:
        sheets = tuple(workbook.sheetnames)
        rows_by_sheet = {}
        if sheet is None:
            with_data = [name for name in sheets if _sheet_has_data(workbook[name])]
            chosen = _choose(None, tuple(with_data) or sheets, "sheet", file_name)
            notes = [] if len(sheets) == 1 else [f"Sheet '{chosen}' is the only one with data."]
        else:
            chosen = _choose(sheet, sheets, "sheet", file_name)
            notes = []
        rows_by_sheet[chosen] = [
            (number, [_excel_cell(value) for value in _trim(values)])
            for number, values in enumerate(workbook[chosen].iter_rows(values_only=True), start=1)
        ]
    finally:
        workbook.close()
    frame, row_notes = _frame_from_rows(
        rows_by_sheet[chosen], file_name, limits, where=f"(sheet '{chosen}')"
    )
    frame, number_notes = _convert_numbers(frame, prefer_decimal_comma=False)
    return ReadResult(
        frame=frame,
        file_name=file_name,
        format=EXCEL,
        sheet=chosen,
        sheets=sheets,
        notes=tuple(notes + row_notes + number_notes),
    )


def _sheet_has_data(worksheet) -> bool:
    for values in worksheet.iter_rows(max_row=50, values_only=True):
        if any(_filled(value) for value in values):
            return True
    return False


def _trim(values: tuple) -> tuple:
    end = len(values)
    while end and not _filled(values[end - 1]):
        end -= 1
    return values[:end]


def _excel_cell(value: object) -> object:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date()
    return value


def _choose(wanted: str | None, options: tuple[str, ...], kind: str, file_name: str) -> str:
    if wanted is not None:
        if wanted in options:
            return wanted
        listed = ", ".join(f"'{option}'" for option in options)
        raise UploadError(
            f"{file_name} has no {kind} named '{wanted}'; its {kind}s are {listed}.", file_name
        )
    if not options:
        raise UploadError(f"{file_name} has no {kind}s with data.", file_name)
    if len(options) == 1:
        return options[0]
    listed = ", ".join(f"'{option}'" for option in options)
    raise ChoiceNeeded(
        f"{file_name} has {len(options)} {kind}s with data ({listed}); choose the {kind} that "
        "holds the route table.",
        file_name,
        kind,
        options,
    )


# --- archives ---------------------------------------------------------------------------------


def _check_archive(data: bytes, file_name: str, limits: UploadLimits) -> list[zipfile.ZipInfo]:
    """Every entry of a zip checked before anything is extracted."""
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except zipfile.BadZipFile as error:
        raise UploadError(
            f"{file_name} is not a readable zip archive ({error}). Zip the files again and upload "
            "the new archive.",
            file_name,
        ) from error
    if len(infos) > limits.max_archive_entries:
        raise UploadError(
            f"{file_name} holds {len(infos)} files; at most {limits.max_archive_entries} are "
            "accepted (ROUTES_MAX_ARCHIVE_ENTRIES). Zip only the files of the table.",
            file_name,
        )
    total = 0
    for info in infos:
        name = info.filename.replace("\\", "/")
        if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
            raise UploadError(
                f"{file_name} holds an entry with an absolute path ('{info.filename}'), which "
                "could write outside the upload folder; it was not opened. Zip the files from "
                "inside their folder.",
                file_name,
            )
        if ".." in PurePosixPath(name).parts:
            raise UploadError(
                f"{file_name} holds an entry that points outside the archive "
                f"('{info.filename}'); it was not opened. Zip the files from inside their folder.",
                file_name,
            )
        if stat.S_ISLNK(info.external_attr >> 16):
            raise UploadError(
                f"{file_name} holds a symbolic link ('{info.filename}'); it was not opened. Zip "
                "the files themselves.",
                file_name,
            )
        if info.flag_bits & 0x1:
            raise UploadError(
                f"{file_name} is password-protected ('{info.filename}'); upload it unencrypted.",
                file_name,
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _RATIO_FLOOR_BYTES and ratio > limits.max_compression_ratio:
            raise UploadError(
                f"{file_name}: the entry '{info.filename}' would unpack to "
                f"{info.file_size / _MB:.0f} MB from {info.compress_size / 1024:.0f} KB "
                f"(ratio {ratio:.0f} to 1; the limit is {limits.max_compression_ratio:g}, "
                "ROUTES_MAX_COMPRESSION_RATIO); archives like this are used to exhaust servers, "
                "so it was not opened. Upload the table itself.",
                file_name,
            )
        total += info.file_size
    if total > limits.max_unpacked_mb * _MB:
        raise UploadError(
            f"{file_name} would unpack to {total / _MB:.0f} MB; at most "
            f"{limits.max_unpacked_mb:g} MB are unpacked (ROUTES_MAX_UNPACKED_MB). Upload a "
            "smaller archive.",
            file_name,
        )
    return infos


def _extract_zip(data: bytes, file_name: str, target: Path, limits: UploadLimits) -> Path:
    """Extract a checked archive into ``target``, counting bytes as they come."""
    if not data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        raise _wrong_type(
            file_name,
            data,
            "a zip archive",
            "Zip the Shapefile's files (.shp, .shx, .dbf, .prj) together and upload the .zip.",
        )
    infos = _check_archive(data, file_name, limits)
    budget = int(limits.max_unpacked_mb * _MB)
    root = target.resolve()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in infos:
            destination = (root / info.filename.replace("\\", "/")).resolve()
            if root not in destination.parents and destination != root:
                raise UploadError(
                    f"{file_name} holds an entry that points outside the archive "
                    f"('{info.filename}'); it was not opened.",
                    file_name,
                )
            if info.is_dir():
                destination.mkdir(parents=True, exist_ok=True)
                continue
            destination.parent.mkdir(parents=True, exist_ok=True)
            try:
                with archive.open(info) as source, destination.open("wb") as sink:
                    while chunk := source.read(_MB):
                        budget -= len(chunk)
                        if budget < 0:
                            raise UploadError(
                                f"{file_name} unpacks to more than its entries declare; it was "
                                "not read further. Zip the files again.",
                                file_name,
                            )
                        sink.write(chunk)
            except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as error:
                raise UploadError(
                    f"{file_name}: the entry '{info.filename}' is damaged ({error}). Zip the "
                    "files again and upload the new archive.",
                    file_name,
                ) from error
    return root


def _shapefiles(root: Path) -> list[Path]:
    return sorted(
        path
        for path in root.rglob("*")
        if path.suffix.lower() == ".shp" and "__MACOSX" not in path.parts
    )


def _read_zip(
    data: bytes,
    file_name: str,
    sheet: str | None,
    layer: str | None,
    crs: str | None,
    limits: UploadLimits,
) -> ReadResult:
    with tempfile.TemporaryDirectory(prefix="routes-upload-") as folder:
        root = _extract_zip(data, file_name, Path(folder), limits)
        shapefiles = _shapefiles(root)
        if not shapefiles:
            return _read_zipped_table(root, file_name, sheet, layer, crs, limits)
        names = tuple(path.stem for path in shapefiles)
        chosen = _choose(layer, names, "layer", file_name)
        shp = shapefiles[names.index(chosen)]
        for suffix, role in ((".shx", "its index"), (".dbf", "the attribute table")):
            if not _sibling(shp, suffix):
                raise UploadError(
                    f"{file_name} holds {shp.name} but not {shp.stem}{suffix} ({role}), so the "
                    "Shapefile cannot be read. Zip the .shp, .shx, .dbf and .prj files together "
                    "and upload the archive again.",
                    file_name,
                )
        notes = [] if _sibling(shp, ".prj") else [f"{shp.stem}.prj is missing from {file_name}."]
        result = _read_vector(
            shp,
            file_name,
            SHAPEFILE,
            None,
            crs,
            limits,
            missing_crs_hint=(f" ({shp.stem}.prj, which says it, is missing from the zip)"),
        )
        return _with(result, layer=chosen, layers=names, notes=tuple(notes) + result.notes)


def _sibling(path: Path, suffix: str) -> Path | None:
    for candidate in path.parent.iterdir():
        if candidate.stem == path.stem and candidate.suffix.lower() == suffix:
            return candidate
    return None


def _read_zipped_table(
    root: Path,
    file_name: str,
    sheet: str | None,
    layer: str | None,
    crs: str | None,
    limits: UploadLimits,
) -> ReadResult:
    tables = [
        path
        for path in sorted(root.rglob("*"))
        if path.is_file()
        and "__MACOSX" not in path.parts
        and SUFFIX_FORMATS.get(path.suffix.lower()) not in (None, SHAPEFILE)
    ]
    if len(tables) != 1:
        found = ", ".join(path.name for path in tables) or "no table"
        raise UploadError(
            f"{file_name} holds no Shapefile (.shp) and {found}; a zip is read when it holds one "
            "Shapefile or one table. Upload the table itself, or zip one Shapefile's files.",
            file_name,
        )
    inner = tables[0]
    result = read_table(inner, inner.name, sheet=sheet, layer=layer, crs=crs, limits=limits)
    note = f"Read {inner.name} from inside {file_name}."
    return _with(result, file_name=file_name, notes=(note, *result.notes))


def _with(result: ReadResult, **changes: object) -> ReadResult:
    return replace(result, **changes)


# --- geometry formats -------------------------------------------------------------------------


def _read_geojson(data: bytes, file_name: str, crs: str | None, limits: UploadLimits) -> ReadResult:
    stripped = data.lstrip(codecs.BOM_UTF8).lstrip()
    if not stripped.startswith(b"{"):
        raise _wrong_type(
            file_name,
            data,
            "GeoJSON",
            "Export the layer again as GeoJSON, or give the file the ending of its kind.",
        )
    with tempfile.TemporaryDirectory(prefix="routes-upload-") as folder:
        path = Path(folder) / "upload.geojson"
        path.write_bytes(data)
        return _read_vector(path, file_name, GEOJSON, None, crs, limits)


def _read_geopackage(
    data: bytes, file_name: str, layer: str | None, crs: str | None, limits: UploadLimits
) -> ReadResult:
    _expect_magic(data, file_name, b"SQLite format 3\x00", "a GeoPackage")
    with tempfile.TemporaryDirectory(prefix="routes-upload-") as folder:
        path = Path(folder) / "upload.gpkg"
        path.write_bytes(data)
        layers = _vector_layers(path, file_name)
        chosen = _choose(layer, layers, "layer", file_name)
        result = _read_vector(path, file_name, GEOPACKAGE, chosen, crs, limits)
        return _with(result, layer=chosen, layers=layers)


def _vector_layers(path: Path, file_name: str) -> tuple[str, ...]:
    import pyogrio

    try:
        return tuple(str(name) for name, _ in pyogrio.list_layers(path))
    except Exception as error:  # pyogrio raises several GDAL error types
        raise UploadError(
            f"{file_name} cannot be opened ({_gdal_message(error)}). Export it again from your "
            "GIS.",
            file_name,
        ) from error


def _gdal_message(error: Exception) -> str:
    text = str(error).replace("\n", " ").strip()
    text = re.sub(r"/tmp/routes-upload-[^ :'\"]*", "the file", text)
    return text[:300]


def _read_vector(
    path: Path,
    file_name: str,
    kind: str,
    layer: str | None,
    crs: str | None,
    limits: UploadLimits,
    missing_crs_hint: str = "",
) -> ReadResult:
    import pyogrio

    try:
        frame = pyogrio.read_dataframe(path, layer=layer)
    except Exception as error:  # pyogrio raises several GDAL error types
        raise UploadError(
            f"{file_name} cannot be read as {_FORMAT_LABEL[kind]} ({_gdal_message(error)}). "
            "Check that it is complete and export it again from your GIS.",
            file_name,
        ) from error
    frame, source_crs, notes = _place_geometry(frame, file_name, crs, missing_crs_hint)
    frame = _finish_columns(frame, file_name, limits, first_row=1)
    return ReadResult(frame=frame, file_name=file_name, format=kind, crs=source_crs, notes=notes)


_FORMAT_LABEL = {
    GEOJSON: "GeoJSON",
    GEOPACKAGE: "a GeoPackage",
    SHAPEFILE: "a Shapefile",
    PARQUET: "Parquet",
    GEOPARQUET: "GeoParquet",
}
_CRS_EXAMPLE = (
    "Say which CRS the coordinates are in (for example EPSG:32645, UTM zone 45N, which is common "
    "for Nepal, or EPSG:4326 for longitude and latitude) and read the file again."
)


def _place_geometry(
    frame: pd.DataFrame, file_name: str, crs: str | None, missing_crs_hint: str = ""
) -> tuple[pd.DataFrame, str | None, tuple[str, ...]]:
    """Check the CRS and the geometries, and reproject to EPSG:4326."""
    import geopandas as gpd
    import shapely
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.isna().all():
        plain = pd.DataFrame(frame.drop(columns="geometry", errors="ignore"))
        return plain, None, ()
    notes: list[str] = []
    said = frame.crs.to_string() if frame.crs is not None else None
    if crs:
        try:
            given = CRS.from_user_input(crs)
        except CRSError as error:
            raise UploadError(
                f"'{crs}' is not a coordinate reference system that can be read; give an EPSG "
                f"code such as EPSG:32645 ({file_name}).",
                file_name,
            ) from error
        if said and not given.equals(frame.crs):
            notes.append(f"The file says its CRS is {said}; it was read as {crs}, as you said.")
        frame = frame.set_crs(given, allow_override=True)
    elif frame.crs is None:
        raise CrsNeeded(
            f"{file_name} does not say which coordinate reference system (CRS) its coordinates "
            f"are in{missing_crs_hint}, and it will not be guessed. {_CRS_EXAMPLE}",
            file_name,
        )
    geometry = frame.geometry
    present = geometry.notna() & ~geometry.is_empty
    if frame.crs.is_geographic and present.any():
        minx, miny, maxx, maxy = geometry[present].total_bounds
        if minx < -180.5 or maxx > 360.5 or miny < -90.5 or maxy > 90.5:
            raise CrsNeeded(
                f"{file_name}: the coordinates reach x = {maxx:,.0f}, y = {maxy:,.0f}, which are "
                f"not longitude and latitude (they look like metres), although the file "
                f"{'says they are' if said else 'is taken to be'} in {frame.crs.to_string()}. "
                "A GeoJSON "
                f"without a 'crs' member is longitude/latitude by definition. {_CRS_EXAMPLE}",
                file_name,
            )
    invalid = present & ~geometry.is_valid
    if invalid.any():
        rows = [int(row) + 1 for row in range(len(frame)) if invalid.iloc[row]]
        reasons = [shapely.is_valid_reason(geometry.iloc[row - 1]) for row in rows[:_MAX_LISTED]]
        listed = "; ".join(
            f"row {row}: {reason}" for row, reason in zip(rows, reasons, strict=False)
        )
        more = f" and {len(rows) - _MAX_LISTED} more" if len(rows) > _MAX_LISTED else ""
        raise UploadError(
            f"{file_name} has {len(rows)} invalid geometr{'y' if len(rows) == 1 else 'ies'} "
            f"({listed}{more}). Repair them in your GIS (QGIS: Vector > Geometry Tools > Fix "
            "Geometries) and upload the file again.",
            file_name,
            row=rows[0],
            column="geometry",
        )
    source_crs = frame.crs.to_string()
    return frame.to_crs(WGS84), source_crs, tuple(notes)


def _finish_columns(
    frame: pd.DataFrame, file_name: str, limits: UploadLimits, first_row: int
) -> pd.DataFrame:
    """Column names as text, checked; rows numbered from ``first_row``; no rows refused."""
    names = [str(name).strip() for name in frame.columns]
    if len(names) > limits.max_columns:
        raise UploadError(
            f"{file_name} has {len(names)} columns; at most {limits.max_columns} are read "
            "(ROUTES_MAX_COLUMNS). Keep only the columns of the route table.",
            file_name,
        )
    _column_names(list(names), 1, file_name, [])
    frame = frame.copy()
    frame.columns = names
    data_columns = [name for name in names if name != "geometry"]
    if len(frame) == 0 or not data_columns:
        raise UploadError(
            f"{file_name} has no rows of data"
            + (f" (only the columns {', '.join(data_columns[:10])})" if data_columns else "")
            + ". Check that you exported the whole table.",
            file_name,
        )
    frame.index = pd.RangeIndex(first_row, first_row + len(frame), name="row")
    for name in data_columns:
        if (
            frame[name].dtype == object
            and frame[name].map(lambda v: v is None or isinstance(v, str)).all()
        ):
            frame[name] = frame[name].astype("string")
    return frame


# --- Parquet ----------------------------------------------------------------------------------


def _read_parquet(data: bytes, file_name: str, crs: str | None, limits: UploadLimits) -> ReadResult:
    import pyarrow as pa
    import pyarrow.parquet as pq

    _expect_magic(data, file_name, b"PAR1", "a Parquet file")
    if len(data) < 12 or not data.endswith(b"PAR1"):
        raise UploadError(
            f"{file_name} is an incomplete Parquet file: its end is missing (it was cut off "
            "while being copied or uploaded). Export or upload it again.",
            file_name,
        )
    try:
        metadata = pq.read_metadata(io.BytesIO(data)).metadata or {}
        table = pq.read_table(io.BytesIO(data))
    except (pa.ArrowException, OSError, ValueError) as error:
        raise UploadError(
            f"{file_name} is a damaged Parquet file ({str(error)[:200]}). Export it again.",
            file_name,
        ) from error
    kind = GEOPARQUET if b"geo" in metadata else PARQUET
    if kind == GEOPARQUET:
        import geopandas as gpd

        try:
            frame = gpd.read_parquet(io.BytesIO(data))
        except (ValueError, TypeError, pa.ArrowException) as error:
            raise UploadError(
                f"{file_name} has GeoParquet metadata that cannot be read ({error}). Export it "
                "again.",
                file_name,
            ) from error
    else:
        frame = table.to_pandas()
    if not isinstance(frame.index, pd.RangeIndex):
        frame = frame.reset_index()
    frame, source_crs, notes = (
        _place_geometry(frame, file_name, crs) if kind == GEOPARQUET else (frame, None, ())
    )
    frame = _finish_columns(frame, file_name, limits, first_row=1)
    return ReadResult(frame=frame, file_name=file_name, format=kind, crs=source_crs, notes=notes)
