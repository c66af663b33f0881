"""Write the upload test files of ``tests/data/bad`` and ``tests/data/good``, deterministically.

Run once from the repository root and commit what it writes::

    .venv/bin/python tests/data/make_bad_files.py

Every file is written from constants in this script, or (the DoFE-style wide table) from the
shipped DoFE source table, so a second run writes the same bytes: zip entries carry a fixed
date, workbook timestamps are fixed, and GDAL's GeoPackage timestamp is pinned. What each file is
and what the app must say about it is in ``bad/README.md`` and ``good/README.md``.
``tests/unit/test_cli.py`` checks that a fresh run reproduces the committed text and zip files.
"""

from __future__ import annotations

import io
import json
import re
import sys
import tempfile
import warnings
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
from shapely.geometry import Point

HERE = Path(__file__).resolve().parent
DOFE_TABLE = (
    HERE.parents[1] / "data" / "sources" / "dofe" / "labour_approvals_by_destination_monthly.csv"
)
FIXED_DATE = (2024, 1, 1, 0, 0, 0)
FIXED_ISO = "2024-01-01T00:00:00Z"

HEADER = "origin,destination,count,period,sex\n"
ROWS = (
    "Jhapa,Qatar,12,2079/80,male\n"
    "Kaski,Malaysia,7,2079/80,female\n"
    "Dhanusha,Saudi Arabia,30,2079/80,male\n"
)
GOOD_CSV = HERE / "good" / "routes.csv"

# The DoFE categories as the printed tables name their columns.
DOFE_COLUMNS = {
    "recruiting_agency": "Recruiting Agency",
    "individual_new": "Individual New",
    "g2g": "G2G",
    "individual_legalization": "Individual Legalization",
    "individual_reentry": "Re-entry",
}
DOFE_MONTH = "Baisakh 2080"


def main(root: Path = HERE) -> list[Path]:
    """Write every file under ``root/bad`` and ``root/good``; returns the paths written."""
    bad, good = root / "bad", root / "good"
    bad.mkdir(parents=True, exist_ok=True)
    good.mkdir(parents=True, exist_ok=True)
    written = write_bad_files(bad) + write_good_files(good)
    return written


# --- bad files --------------------------------------------------------------------------------


def write_bad_files(folder: Path) -> list[Path]:
    files: dict[str, bytes] = {
        "empty.csv": b"",
        "blank_lines.csv": b"\n  \n\t\n\n",
        "header_only.csv": HEADER.encode(),
        "utf16_no_bom.csv": (HEADER + ROWS).encode("utf-16-le"),
        "invalid_bytes.csv": (HEADER + "Jhapa,Qatar,12,2079/80,male\n").encode()
        + b"Kaski,Mala\x81ysia,7,2079/80,fe\x9dmale\n",
        "mixed_encodings.csv": (HEADER + "Jhapa,Côte d'Ivoire,12,2079/80,male\n").encode("utf-8")
        + "Kaski,Türkiye,7,2079/80,female\n".encode("cp1252"),
        "mixed_delimiters.csv": (
            HEADER + "Jhapa,Qatar,12,2079/80,male\nKaski;Malaysia;7;2079/80;female\n"
        ).encode(),
        "ragged_row.csv": (
            HEADER + "Jhapa,Qatar,12,2079/80,male\nKaski,Malaysia,7,2079/80,female,x\n"
        ).encode(),
        "unclosed_quote.csv": (
            HEADER + 'Jhapa,"Qatar,12,2079/80,male\nKaski,Malaysia,7,2079/80,female\n'
        ).encode(),
        "negative_counts.csv": (
            HEADER + "Jhapa,Qatar,12,2079/80,male\nKaski,Malaysia,-7,2079/80,female\n"
        ).encode(),
        "non_numeric_counts.csv": (
            b"district,country,persons\nJhapa,Qatar,12\nKaski,Malaysia,twelve\nMorang,Kuwait,3\n"
        ),
        "fractional_counts.csv": (
            b"origin;destination;count\nJhapa;Qatar;12\nKaski;Malaysia;2,5\n"
        ),
        "garbage_period.csv": (
            b"origin,destination,count,date\n"
            b"Jhapa,Qatar,12,2022-08-15\n"
            b"Kaski,Malaysia,7,sometime soon\n"
        ),
        "unknown_sex.csv": (
            HEADER + "Jhapa,Qatar,12,2079/80,male\nKaski,Malaysia,7,2079/80,x\n"
        ).encode(),
        "missing_destination_column.csv": (b"origin,count\nJhapa,12\nKaski,7\n"),
        "all_rows_invalid.csv": (b"origin,destination,count\nJhapa,,12\nKaski,,7\nMorang,,3\n"),
        "duplicate_columns.csv": (b"origin,destination,count,destination\nJhapa,Qatar,12,Doha\n"),
        "too_many_columns.csv": _too_many_columns(1500),
        "png_named.csv": _png_bytes(),
        "text_named.xlsx": (HEADER + ROWS).encode(),
        "old_excel.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
        "html_named.xls": (
            b'<html><head><meta charset="utf-8"></head><body><table>'
            b"<tr><td>origin</td><td>destination</td><td>count</td></tr>"
            b"<tr><td>Jhapa</td><td>Qatar</td><td>12</td></tr></table></body></html>\n"
        ),
        "multiple_sheets.xlsx": _workbook({"Routes": _rows(), "Routes 2023": _rows()}),
        "empty_sheet.xlsx": _workbook({"Data": []}),
        "truncated.parquet": _parquet_bytes()[:-40],
        "text_named.parquet": (HEADER + ROWS).encode(),
        "unknown_extension.dat": (HEADER + ROWS).encode(),
        "zip_bomb.zip": _zip({"routes.csv": b"0" * (20 * 1024 * 1024)}),
        "zip_traversal.zip": _zip({"../../evil.csv": (HEADER + ROWS).encode()}),
        "zip_absolute_path.zip": _zip({"/tmp/evil.csv": (HEADER + ROWS).encode()}),
        "zip_too_many_entries.zip": _zip({f"part{n:04d}.txt": b"" for n in range(1001)}),
        "not_a_zip.zip": (HEADER + ROWS).encode(),
        "shapefile_without_dbf.zip": _shapefile_zip(skip=(".dbf",)),
        "shapefile_without_prj.zip": _shapefile_zip(skip=(".prj",)),
        "invalid_geometry.geojson": _geojson(
            [
                _feature(_square(84.0, 27.0), "Jhapa", "Qatar", 5),
                # A bow tie: its ring crosses itself.
                _feature(
                    [[85, 27], [86, 28], [86, 27], [85, 28], [85, 27]], "Kaski", "Malaysia", 3
                ),
            ],
            kind="Polygon",
        ),
        "projected_without_crs.geojson": _geojson(
            [
                # UTM zone 45N metres, written with no "crs" member.
                _feature([338500.0, 3068400.0], "Kathmandu", "Qatar", 5),
                _feature([612000.0, 2952000.0], "Jhapa", "Malaysia", 3),
            ],
            kind="Point",
        ),
        "broken.geojson": _geojson([_feature([85.3, 27.7], "Kathmandu", "Qatar", 5)], "Point")[
            :-30
        ],
        "two_layers.gpkg": _geopackage(("routes", "routes_2023")),
        "text_named.gpkg": (HEADER + ROWS).encode(),
        "script_tags.csv": (
            HEADER
            + '"<script>alert(""origin"")</script>",Qatar,12,2079/80,male\n'
            + 'Kaski,"<img src=x onerror=alert(1)>",7,2079/80,female\n'
            + '=HYPERLINK("http://example.invalid"),Malaysia,3,2079/80,male\n'
        ).encode(),
    }
    return _write_all(folder, files)


def _rows() -> list[list[object]]:
    rows = [line.split(",") for line in (HEADER + ROWS).strip().splitlines()]
    return [[int(cell) if cell.isdigit() else cell for cell in row] for row in rows]


def _too_many_columns(count: int) -> bytes:
    header = ["origin", "destination", "count"] + [f"extra_{n}" for n in range(count - 3)]
    row = ["Jhapa", "Qatar", "12"] + [""] * (count - 3)
    row[-1] = "x"
    return (",".join(header) + "\n" + ",".join(row) + "\n").encode()


def _png_bytes() -> bytes:
    # A 1x1 PNG: signature, IHDR, IDAT, IEND (a real image, not just the signature).
    return bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
    )


# --- good files -------------------------------------------------------------------------------


def write_good_files(folder: Path) -> list[Path]:
    files: dict[str, bytes] = {
        "routes.csv": (HEADER + ROWS).encode(),
        "utf8_bom_semicolon.csv": ("\ufeff" + (HEADER + ROWS).replace(",", ";")).encode(),
        "cp1252_pipe.csv": (
            "origin|destination|count\nJhapa|Côte d'Ivoire|4\nKaski|Türkiye|2\n"
        ).encode("cp1252"),
        "utf16_bom_tab.txt": (HEADER + ROWS).replace(",", "\t").encode("utf-16"),
        # As many systems export a table: tab-separated text under an Excel name.
        "text_named.xls": (HEADER + ROWS).replace(",", "\t").encode(),
        "thousands_decimal_comma.csv": (
            b"origin;destination;count;share_pct\n"
            b"Jhapa;Qatar;1.234;12,5\n"
            b"Kaski;Malaysia;12.345;0,75\n"
            b"Morang;Saudi Arabia;7;3\n"
        ),
        "indian_grouping.csv": (
            b'district,country,workers\nJhapa,Qatar,"1,23,456"\nKaski,Malaysia,"2,345"\n'
        ),
        "title_row.csv": ("Route survey 2023 (test data)\n\n" + HEADER + ROWS).encode(),
        "nepali_headers.csv": (
            "जिल्ला,देश,संख्या,लिङ्ग\nझापा,Qatar,5,male\nJhapa,Malaysia,4,female\n"
        ).encode(),
        "routes.xlsx": _workbook({"Routes": _rows(), "Notes": []}),
        "routes.geojson": _geojson(
            [
                _feature([51.53, 25.29], "Jhapa", "Qatar", 12),
                _feature([101.69, 3.14], "Kaski", "Malaysia", 7),
            ],
            kind="Point",
        ),
        "routes_utm.gpkg": _geopackage(("routes",), crs="EPSG:32645"),
        "routes_shapefile.zip": _shapefile_zip(skip=()),
        "zipped_csv.zip": _zip({"survey/routes.csv": (HEADER + ROWS).encode()}),
        "routes.parquet": _parquet_bytes(),
        "routes_geo.parquet": _geoparquet_bytes(),
        "dofe_wide_baisakh_2080.csv": _dofe_wide_table(),
    }
    return _write_all(folder, files)


def _dofe_wide_table() -> bytes:
    """One month of DoFE's country-wise table laid out as DoFE prints it: one row per country."""
    table = pd.read_csv(DOFE_TABLE, keep_default_na=False)
    month = table[table["month_bs"] == DOFE_MONTH]
    wide = month.pivot_table(
        index="destination", columns="category", values=["male", "female", "total"], aggfunc="sum"
    ).fillna(0)
    out = pd.DataFrame({"S.N.": range(1, len(wide) + 1), "Country": wide.index})
    for category, label in DOFE_COLUMNS.items():
        for part, suffix in (("male", "Male"), ("female", "Female"), ("total", "Total")):
            values = wide.get((part, category), 0)
            out[f"{label} {suffix}"] = pd.Series(values, index=wide.index).astype(int).to_numpy()
    out["Total Male"] = wide[("male", "total_with_reentry")].astype(int).to_numpy()
    out["Total Female"] = wide[("female", "total_with_reentry")].astype(int).to_numpy()
    out["Total"] = wide[("total", "total_with_reentry")].astype(int).to_numpy()
    return out.to_csv(index=False, lineterminator="\n").encode()


# --- writers ----------------------------------------------------------------------------------


def _write_all(folder: Path, files: dict[str, bytes]) -> list[Path]:
    paths = []
    for name, data in files.items():
        path = folder / name
        path.write_bytes(data)
        paths.append(path)
    return paths


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def _normalise_zip(data: bytes) -> bytes:
    """The same archive with fixed entry dates and fixed document timestamps."""
    entries = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            content = archive.read(name)
            if name == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)",
                    rb"\g<1>" + FIXED_ISO.encode() + rb"\g<2>",
                    content,
                )
            entries[name] = content
    return _zip(entries)


def _workbook(sheets: dict[str, list[list[object]]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _normalise_zip(buffer.getvalue())


def _frame() -> pd.DataFrame:
    return pd.read_csv(io.StringIO(HEADER + ROWS), dtype={"period": str})


def _points() -> gpd.GeoDataFrame:
    frame = _frame()
    # Each record drawn at its destination's capital: Doha, Kuala Lumpur, Riyadh.
    points = [Point(51.53, 25.29), Point(101.69, 3.14), Point(46.72, 24.71)]
    return gpd.GeoDataFrame(frame, geometry=points, crs="EPSG:4326")


def _parquet_bytes() -> bytes:
    buffer = io.BytesIO()
    _frame().to_parquet(buffer, index=False)
    return buffer.getvalue()


def _geoparquet_bytes() -> bytes:
    buffer = io.BytesIO()
    _points().to_parquet(buffer, index=False)
    return buffer.getvalue()


def _geopackage(layers: tuple[str, ...], crs: str = "EPSG:4326") -> bytes:
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": FIXED_ISO})
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "routes.gpkg"
        for layer in layers:
            _points().to_crs(crs).to_file(path, layer=layer, driver="GPKG", engine="pyogrio")
        return path.read_bytes()


def _shapefile_zip(skip: tuple[str, ...]) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "routes.shp"
        with warnings.catch_warnings():
            # Shapefile names have at most 10 characters: "destination" becomes "destinatio",
            # as in real Shapefiles; the mapping must recognise the column by its contents.
            warnings.simplefilter("ignore")
            _points().to_file(path, driver="ESRI Shapefile", engine="pyogrio")
        entries = {}
        for part in sorted(Path(folder).iterdir()):
            if part.suffix.lower() in skip:
                continue
            data = part.read_bytes()
            if part.suffix.lower() == ".dbf":
                data = data[:1] + bytes([124, 1, 1]) + data[4:]  # last update: 2024-01-01
            entries[f"routes/{part.name}"] = data
        return _zip(entries)


def _square(x: float, y: float) -> list[list[float]]:
    return [[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1], [x, y]]


def _feature(coordinates: list, origin: str, destination: str, count: int) -> dict:
    return {
        "type": "Feature",
        "properties": {"origin": origin, "destination": destination, "count": count},
        "geometry": {"coordinates": coordinates},
    }


def _geojson(features: list[dict], kind: str) -> bytes:
    for feature in features:
        geometry = feature["geometry"]
        geometry["type"] = kind
        if kind == "Polygon":
            geometry["coordinates"] = [geometry["coordinates"]]
    collection = {"type": "FeatureCollection", "features": features}
    return (json.dumps(collection, indent=1) + "\n").encode()


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    for written in main(target):
        print(written.relative_to(target))
