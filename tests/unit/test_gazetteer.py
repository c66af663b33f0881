import pandas as pd
import pytest

from routes.gazetteer import (
    DESTINATION_ROLE,
    KATHMANDU_AIRPORT_ID,
    NEPAL_ID,
    ORIGIN_ROLE,
    TRANSIT_ROLE,
    normalise_name,
    place_records,
    resolve_names,
    resolve_place,
    suggest_places,
)
from routes.settings import DATA_DIR

SOURCES = DATA_DIR / "sources"


def test_gazetteer_has_77_districts_7_provinces_and_small_destination_states(gazetteer):
    kinds = gazetteer.places["kind"].value_counts()
    assert kinds["district"] == 77
    assert kinds["province"] == 7
    assert len(gazetteer.districts) == 77
    for iso3 in ("BHR", "MLT", "MDV", "SGP", "HKG", "MUS", "SYC", "MAC", "QAT", "MYS"):
        country = gazetteer.countries[gazetteer.countries["iso3"] == iso3]
        assert len(country) == 1, iso3
        assert not country.geometry.iloc[0].is_empty, iso3
    assert gazetteer.countries.crs.to_epsg() == 4326


def test_every_shipped_district_and_destination_name_resolves(gazetteer):
    districts = pd.read_csv(SOURCES / "dofe" / "labour_approvals_by_origin_district_monthly.csv")
    census = pd.read_csv(SOURCES / "census" / "absent_abroad_by_district_2021.csv")
    destinations = pd.read_csv(SOURCES / "dofe" / "labour_approvals_by_destination_monthly.csv")
    origin_names = pd.concat([districts["district"], census["district_75"]]).drop_duplicates()
    assert districts["district"].nunique() == 79  # 77 districts, undivided Nawalparasi and Rukum
    unresolved = [n for n in origin_names if resolve_place(gazetteer, n, ORIGIN_ROLE) is None]
    assert unresolved == []
    dest_names = destinations["destination"].drop_duplicates()
    unresolved = [n for n in dest_names if resolve_place(gazetteer, n, DESTINATION_ROLE) is None]
    assert unresolved == []
    # Names carry the same country as DoFE's ISO3 column wherever DoFE gives a real code.
    coded = destinations.dropna(subset=["iso3"]).drop_duplicates("destination")
    for name, iso3 in zip(coded["destination"], coded["iso3"], strict=True):
        assert resolve_place(gazetteer, name, DESTINATION_ROLE) == f"country:{iso3}", name


@pytest.mark.parametrize(
    ("old", "current"),
    [
        ("Kabhre", "Kavrepalanchok"),
        ("Kavre", "Kavrepalanchok"),
        ("Kavrepalanchowk", "Kavrepalanchok"),
        ("Makwanpur", "Makawanpur"),
        ("Tanahu", "Tanahun"),
        ("Dhanusa", "Dhanusha"),
        ("Terhathum", "Tehrathum"),
        ("Chitawan", "Chitwan"),
        ("Kapilbastu", "Kapilvastu"),
        ("Sindhupalchowk", "Sindhupalchok"),
        ("Nawalpur", "Nawalparasi East"),
        ("Parasi", "Nawalparasi West"),
        ("Eastern Rukum", "Rukum East"),
        ("SINDHUPALCHOK", "Sindhupalchok"),
    ],
)
def test_old_and_variant_district_spellings_resolve(gazetteer, old, current):
    assert resolve_place(gazetteer, old, ORIGIN_ROLE) == f"district:{current}"


@pytest.mark.parametrize(
    ("name", "iso3"),
    [
        ("UAE", "ARE"),
        ("U.A.E.", "ARE"),
        ("KSA", "SAU"),
        ("Korea", "KOR"),
        ("Republic of Korea", "KOR"),
        ("Malaysia", "MYS"),
        ("MY", "MYS"),
        ("mys", "MYS"),
        ("Hong Kong SAR", "HKG"),
        ("Türkiye", "TUR"),
    ],
)
def test_country_variants_and_codes_resolve(gazetteer, name, iso3):
    assert resolve_place(gazetteer, name, DESTINATION_ROLE) == f"country:{iso3}"


def test_undivided_districts_are_the_union_of_both_halves(gazetteer):
    former = gazetteer.former_districts.set_index("name")
    districts = gazetteer.districts.set_index("name")
    for whole, halves in (
        ("Nawalparasi", ("Nawalparasi East", "Nawalparasi West")),
        ("Rukum", ("Rukum East", "Rukum West")),
    ):
        union = districts.loc[list(halves)].geometry.union_all()
        shape = former.loc[whole].geometry
        assert shape.symmetric_difference(union).area < 0.01 * union.area, whole
        assert shape.area > 1.5 * max(districts.loc[h].geometry.area for h in halves), whole
    assert resolve_place(gazetteer, "Nawalparasi", ORIGIN_ROLE) == "former_district:Nawalparasi"


def test_role_decides_between_district_and_airport(gazetteer):
    assert resolve_place(gazetteer, "Kathmandu", ORIGIN_ROLE) == "district:Kathmandu"
    assert resolve_place(gazetteer, "Kathmandu", TRANSIT_ROLE) == KATHMANDU_AIRPORT_ID
    assert resolve_place(gazetteer, "Nepal", ORIGIN_ROLE) == NEPAL_ID
    assert resolve_place(gazetteer, "Gulf countries", DESTINATION_ROLE) == "region:Gulf"
    assert resolve_place(gazetteer, "Italy (Europe)", DESTINATION_ROLE) == "country:ITA"


def test_unknown_names_come_back_with_their_rows_and_close_matches(gazetteer):
    names = pd.Series(["Qatarr", "Qatarr", "Malaysia", "Erewhon", None, "Qatarr"])
    resolution = resolve_names(gazetteer, names, DESTINATION_ROLE)
    assert resolution.ids.tolist()[2] == "country:MYS"
    report = resolution.unresolved.set_index("name")
    assert report.loc["Qatarr", "rows"] == 3
    assert report.loc["Qatarr", "suggestions"][0] == "Qatar"
    assert report.loc["Erewhon", "rows"] == 1
    assert resolution.unresolved_rows == 4
    assert pd.isna(resolution.ids.iloc[0])


def test_suggestions_fit_the_role(gazetteer):
    assert suggest_places(gazetteer, "Jhappa", ORIGIN_ROLE)[0] == "Jhapa"
    assert suggest_places(gazetteer, "Sindupalchok", ORIGIN_ROLE)[0] == "Sindhupalchok"
    assert suggest_places(gazetteer, "Dubay", TRANSIT_ROLE)[0] == "Dubai"
    assert suggest_places(gazetteer, "Zzyzx") == []


def test_analyst_aliases_win_and_unplaced_records_stay(gazetteer):
    records = pd.DataFrame(
        {
            "origin": ["Jhapa", "Jhapa", "Nowhere"],
            "destination": ["Katar", "Qatar", "Qatar"],
            "transit": ["Kakarbhitta > New Delhi", None, "Delhi > Erewhon"],
        }
    )
    placed = place_records(gazetteer, records, aliases={"Katar": "country:QAT"})
    frame = placed.records
    assert len(frame) == 3
    assert frame["destination_id"].tolist() == ["country:QAT"] * 3
    assert frame["transit_ids"].iloc[0] == "hub:Kakarbhitta > hub:New Delhi"
    assert pd.isna(frame["transit_ids"].iloc[2])
    assert pd.isna(frame["origin_id"].iloc[2])
    assert placed.unresolved_rows == 2


def test_normalise_name_ignores_case_accents_and_punctuation():
    assert normalise_name("U.A.E.") == "uae"
    assert normalise_name("  Côte d’Ivoire ") == "cote divoire"
    assert normalise_name("Bosnia & Herzegovina") == "bosnia and herzegovina"


def _gazetteer_from_outlines(tmp_path):
    """The shipped gazetteer folder without places.csv: places are read from the outlines."""
    import shutil

    from routes.gazetteer import GAZETTEER_DIR, OUTLINE_PLACES_FILE

    folder = tmp_path / "gazetteer"
    shutil.copytree(GAZETTEER_DIR, folder, ignore=shutil.ignore_patterns(OUTLINE_PLACES_FILE))
    return folder


def test_places_table_holds_what_the_outline_files_give(tmp_path):
    from routes.gazetteer import GAZETTEER_DIR, OUTLINE_PLACES_FILE, write_outline_places

    folder = _gazetteer_from_outlines(tmp_path)
    written = write_outline_places(folder)
    # The committed table is the one the build script writes from the committed outlines.
    assert written.read_bytes() == (GAZETTEER_DIR / OUTLINE_PLACES_FILE).read_bytes()


def test_gazetteer_from_the_places_table_is_the_one_from_the_outlines(gazetteer, tmp_path):
    import geopandas as gpd

    from routes.gazetteer import GAZETTEER_DIR, load_gazetteer

    from_outlines = load_gazetteer(_gazetteer_from_outlines(tmp_path))
    pd.testing.assert_frame_equal(gazetteer.places, from_outlines.places)
    assert gazetteer.aliases == from_outlines.aliases
    assert gazetteer.region_members == from_outlines.region_members
    assert gazetteer.names == from_outlines.names
    assert gazetteer.kinds == from_outlines.kinds
    assert gazetteer.points == from_outlines.points
    # Outlines read on first use are the frames read up front.
    lazy = load_gazetteer(GAZETTEER_DIR)
    assert not lazy.outlines._frames
    for kind in ("districts", "former_districts", "provinces", "countries"):
        frame = getattr(lazy, kind)
        assert isinstance(frame, gpd.GeoDataFrame)
        assert frame.crs.to_epsg() == 4326
        pd.testing.assert_frame_equal(frame, getattr(from_outlines, kind))
        assert getattr(lazy, kind) is frame  # read once


def test_gazetteer_with_outlines_not_yet_read_pickles(gazetteer):
    import pickle

    copy = pickle.loads(pickle.dumps(gazetteer))
    pd.testing.assert_frame_equal(copy.districts, gazetteer.districts)


@pytest.mark.parametrize("as_categories", [False, True], ids=["text", "categories"])
def test_a_city_abroad_given_as_destination_counts_for_its_country(gazetteer, as_categories):
    from routes.schema import validate_records

    frame = pd.DataFrame(
        {
            "origin": ["Jhapa", "Morang", "Kaski", "Kaski"],
            "destination": ["Dubai", "UAE", "Doha", "Doha"],
            "destination_city": [None, None, None, "Al Wakrah"],
            "transit": ["Dubai", None, None, None],
            "count": [11, 25, 3, 2],
            "period": ["Magh 2079"] * 4,
        }
    )
    records = validate_records(frame).records
    if as_categories:  # as the fast reader gives a large table
        records = records.astype({"destination": "category"})
    placed = place_records(gazetteer, records).records
    assert placed["destination_id"].astype(str).tolist() == [
        "country:ARE", "country:ARE", "country:QAT", "country:QAT"
    ]  # fmt: skip
    assert placed["destination_region"].astype(str).tolist() == ["Gulf"] * 4
    cities = placed["destination_city"].fillna("").astype(str).tolist()
    assert cities == ["Dubai", "", "Doha", "Al Wakrah"]  # a city given is kept
    # Dubai as its own transit is where the worker arrived: no transit (see below).
    assert pd.isna(placed["transit_ids"].iloc[0])


@pytest.mark.parametrize("as_categories", [False, True], ids=["text", "categories"])
def test_a_route_ending_in_its_destination_country_arrives_there(gazetteer, as_categories):
    """A union's survey wrote routes as "Kathmandu - Doha" to Qatar: Doha was a transit place,
    "Kathmandu airport > Doha > Qatar" ranked apart from "Kathmandu airport > Qatar", and "People
    through Dubai: 33" were all members working in Dubai. The places at the end of a route that
    lie in its destination country are where it arrives; elsewhere they stay transit places."""
    from routes.schema import validate_records

    frame = pd.DataFrame(
        {
            "origin": ["Sarlahi", "Sarlahi", "Jhapa", "Jhapa", "Jhapa", "Kaski", "Kaski"],
            "destination": ["Qatar", "Doha", "UAE", "Kuwait", "India", "Kuwait", "Qatar"],
            "transit": [
                "Kathmandu - Doha", "Kathmandu-Doha", "Kathmandu-Delhi-Dubai",
                "Kathmandu-Delhi-Dubai", "Kakarbhitta > Siliguri", None, "Kathmandu > Qatar",
            ],
            "count": [9, 6, 33, 4, 2, 1, 3],
            "period": ["Magh 2079"] * 7,
        }
    )  # fmt: skip
    records = validate_records(frame).records
    if as_categories:  # as the fast reader gives a large table
        records = records.astype({"destination": "category", "transit": "category"})
    result = place_records(gazetteer, records)
    placed = result.records
    # How many so arrive, and where, for the import check to say (it said nothing of Dubai).
    assert result.arrivals == 5  # Siliguri is in India, where the fifth route goes
    assert set(result.arrival_names) == {"Doha", "Dubai", "Siliguri"}
    airport, delhi = "hub:Kathmandu Tribhuvan International Airport", "hub:New Delhi"
    assert placed["transit_ids"].tolist()[:5] == [
        airport,
        airport,
        f"{airport} > {delhi}",
        f"{airport} > {delhi} > hub:Dubai",  # to Kuwait, Dubai is passed through
        "hub:Kakarbhitta",
    ]
    assert pd.isna(placed["transit_ids"].iloc[5])
    assert placed["transit_ids"].tolist()[6] == airport  # a country last is the arrival too
    # The route as written is kept.
    assert placed["transit"].astype(str).tolist()[:2] == ["Kathmandu - Doha", "Kathmandu-Doha"]


def test_names_placed_under_another_name_are_reported_with_their_rows(gazetteer):
    from routes.mapping import renamed_report
    from routes.schema import validate_records

    frame = pd.DataFrame(
        {
            "origin": ["Kavre", "Jhapa", "JHAPA ", "Kavre"],
            "destination": ["UAE", "Qatar", "qatar", "UAE"],
            "transit": ["Biratnagar > Bombay", "", "New Delhi", "Biratnagar"],
            "count": [3, 4, 5, 6],
        }
    )
    placed = place_records(gazetteer, validate_records(frame).records)
    report = renamed_report(placed)
    rows = {(r.role, r.name): (r.rows, r.place) for r in report.itertuples()}
    assert rows == {
        ("origin", "Kavre"): (2, "Kavrepalanchok"),
        ("destination", "UAE"): (2, "United Arab Emirates"),
        ("transit", "Biratnagar"): (2, "Rani"),
        ("transit", "Bombay"): (1, "Mumbai"),
    }  # a name differing only in case or spaces ("JHAPA ") is not listed
    assert report["role"].tolist() == ["origin", "destination", "transit", "transit"]
    assert report["what"].tolist() == [
        "district in Bagmati province",
        "country",
        # With the district to write where the town, not the crossing, is meant.
        "border crossing in Nepal, in Morang district: write Morang where the town is meant",
        "city in India",
    ]


def test_a_city_abroad_given_as_destination_is_listed_as_counted_for_its_country(gazetteer):
    from routes.mapping import renamed_report
    from routes.schema import validate_records

    frame = pd.DataFrame(
        {"origin": ["Jhapa"] * 3, "destination": ["Dubai", "Bombay", "Qatar"], "count": [3, 4, 6]}
    )
    report = renamed_report(place_records(gazetteer, validate_records(frame).records))
    rows = {r.name: (r.place, r.what) for r in report.itertuples()}
    assert rows == {
        "Bombay": ("India", "country; Mumbai is kept as the destination city"),
        "Dubai": ("United Arab Emirates", "country; Dubai is kept as the destination city"),
    }


def test_cities_case_files_name_as_destinations_count_for_their_countries(gazetteer):
    """Kuala Lumpur and Riyadh were unplaced, with no suggestion."""
    from routes.schema import validate_records

    cities = ["Kuala Lumpur", "Riyadh", "Jiddah", "Abu Dhabi", "Kuwait City", "Makkah", "Kuwait"]
    frame = pd.DataFrame({"origin": ["Jhapa"] * 7, "destination": cities, "count": [1] * 7})
    placed = place_records(gazetteer, validate_records(frame).records).records
    assert placed["destination_id"].astype(str).tolist() == [
        "country:MYS", "country:SAU", "country:SAU", "country:ARE", "country:KWT",
        "country:SAU", "country:KWT",
    ]  # fmt: skip
    assert placed["destination_city"].fillna("").astype(str).tolist() == [
        "Kuala Lumpur", "Riyadh", "Jeddah", "Abu Dhabi", "Kuwait City", "Mecca", "",
    ]  # fmt: skip


def test_siliguri_is_placed_as_a_transit_city_in_india(gazetteer):
    """A survivor file's 'Kakarbhitta > Siliguri' could not be placed (a helper's walkthrough):
    the Indian city across the border from Kakarbhitta, from GeoNames through the build script."""
    from routes.gazetteer import resolve_place

    assert resolve_place(gazetteer, "Siliguri", "transit") == "hub:Siliguri"
    place = gazetteer.places.loc["hub:Siliguri"]
    assert place["iso3"] == "IND" and 26.5 < float(place["lat"]) < 27 and 88 < place["lon"] < 89


def test_malaysia_is_drawn_on_the_peninsula_where_its_workers_are(gazetteer):
    """Flows arrive at a country's point: Malaysia's (Natural Earth's label point) was in
    Sarawak, on Borneo, its circle over Brunei's, while Nepali workers are mostly on the
    peninsula."""
    import shapely

    from routes.gazetteer import place_point

    outline = gazetteer.countries.set_index("place_id").geometry["country:MYS"]
    lon, lat = place_point(gazetteer, "country:MYS")
    assert outline.contains(shapely.Point(lon, lat))
    assert lon < 104.5  # the Malay peninsula; Borneo begins at 109 E


def test_a_city_the_hubs_lack_is_placed_at_its_country_and_kept_as_the_city(gazetteer):
    """A union's complaints named "Shah Alam", "Osaka" and "Nairobi" as destinations: each was
    unplaced, and "Nairobi" was offered Namibia. The world cities file (GeoNames) places a
    city's own name at its country, the city kept as the record writes it, and says so."""
    records = pd.DataFrame(
        {
            "origin": ["Jhapa", "Morang", "Ilam", "Jhapa", "Kaski"],
            "destination": ["Shah Alam", "Osaka", "Nairobi", "Dubai", "Salalah"],
            "transit": ["Kathmandu > Colombo", "", "Kathmandu > Gorakhpur", "", ""],
        }
    )
    placed = place_records(gazetteer, records)
    assert placed.records["destination_id"].tolist() == [
        "country:MYS",
        "country:JPN",
        "country:KEN",
        "country:ARE",
        "country:OMN",
    ]
    # As the record writes it: "Salalah", not GeoNames' "Şalālah".
    assert placed.records["destination_city"].tolist() == [
        "Shah Alam",
        "Osaka",
        "Nairobi",
        "Dubai",
        "Salalah",
    ]
    destination = placed.reports[DESTINATION_ROLE]
    assert destination.unresolved.empty
    what = dict(zip(destination.renamed["name"], destination.renamed["what"], strict=True))
    assert what["Shah Alam"] == "country; Shah Alam is kept as the destination city"
    # A stop abroad that is no hub is placed at its country, and the report says which city.
    transit = placed.reports[TRANSIT_ROLE]
    assert transit.unresolved.empty
    assert placed.records["transit_ids"].tolist()[2] == (f"{KATHMANDU_AIRPORT_ID} > country:IND")
    what = dict(zip(transit.renamed["name"], transit.renamed["what"], strict=True))
    assert what["Gorakhpur"] == "a city in India (GeoNames); placed at its country"
    # Such a city separates a route's stops as a hub does ("Kathmandu - Gorakhpur" was one
    # unplaced name: only one of its pieces was a known place).
    dashed = place_records(
        gazetteer,
        pd.DataFrame(
            {"origin": ["Jhapa"], "destination": ["Qatar"], "transit": ["Kathmandu - Gorakhpur"]}
        ),
    )
    assert dashed.reports[TRANSIT_ROLE].unresolved.empty
    assert dashed.records["transit_ids"].tolist() == [f"{KATHMANDU_AIRPORT_ID} > country:IND"]


def test_a_city_name_of_several_countries_is_left_to_the_analyst_with_those_countries(gazetteer):
    """Hyderabad is India's and Pakistan's (neither ten times the other): it is not guessed,
    and the two countries are offered. Named with its country, it is placed."""
    names = pd.Series(["Hyderabad", "Hyderabad, Pakistan", "Tripoli (Lebanon)", "Sydney"])
    report = resolve_names(gazetteer, names, DESTINATION_ROLE)
    assert report.ids.tolist()[1:] == ["country:PAK", "country:LBN", "country:AUS"]
    assert pd.isna(report.ids.iloc[0])
    assert report.unresolved["name"].tolist() == ["Hyderabad"]
    assert report.unresolved["suggestions"].iloc[0] == ["India", "Pakistan"]
    assert report.unresolved["note"].iloc[0] == (
        "Cities called Hyderabad are in India and Pakistan (GeoNames): choose the country meant, "
        'or write it after the city in the file ("Hyderabad, India").'
    )


def test_a_small_town_or_another_name_of_a_city_is_offered_not_placed(gazetteer):
    """A code review put ordinary words abroad: "Police" (a town in Poland), "Union" and
    "Airport" (towns in the USA), "nan" (Thailand), "Asia" (the Philippines), and "Palika"
    (one of Paris's other names). A town under 100,000 people, or another name of a city, is
    offered with its country and why; empty-cell words and continents are never looked up."""
    names = ["Police", "Union", "nan", "Asia", "Penang", "Al Wakrah", "Al Wakrah, Qatar"]
    report = resolve_names(gazetteer, pd.Series(names), DESTINATION_ROLE)
    assert report.ids.isna().tolist() == [True] * 6 + [False]
    assert report.ids.iloc[-1] == "country:QAT"  # the file named the country
    unresolved = report.unresolved.set_index("name")
    assert unresolved.loc["Police", "suggestions"] == ["Poland"]
    assert unresolved.loc["Union", "note"].startswith(
        "Union is a town of 56,771 people in the United States (GeoNames), and may be another "
        "place: choose the United States if it is the one meant"
    )
    assert unresolved.loc["Penang", "note"] == (
        "Penang is another name of George Town, a city of 158,336 people in Malaysia (GeoNames), "
        'and may be another place: choose Malaysia if it is the one meant, or write "Penang, '
        'Malaysia" in the file.'
    )
    assert unresolved.loc["nan", "note"] == "" and unresolved.loc["Asia", "note"] == ""
    # With its country, another name places the city there, kept as the record writes it.
    placed = place_records(
        gazetteer,
        pd.DataFrame({"origin": ["Jhapa"], "destination": ["Penang, Malaysia"], "transit": [""]}),
    )
    assert placed.records["destination_id"].tolist() == ["country:MYS"]
    assert placed.records["destination_city"].tolist() == ["Penang"]


def test_a_place_of_nepal_or_an_origin_is_never_taken_for_a_city_abroad(gazetteer):
    """ "Bara" is a district, and a town in Sudan: a district given as a destination (a column
    mapped wrongly) is reported, not sent to Sudan. Origins are in Nepal: no city abroad."""
    destination = resolve_names(gazetteer, pd.Series(["Bara"]), DESTINATION_ROLE)
    assert destination.unresolved["name"].tolist() == ["Bara"]
    # The report says what Bara is (it had said only "no close place").
    assert destination.unresolved["note"].tolist() == [
        "Bara is a district in Madhesh province, not a place a destination can be: check that "
        "the column given as the destination holds countries or cities abroad."
    ]
    origin = resolve_names(gazetteer, pd.Series(["Osaka", "Gulf"]), ORIGIN_ROLE)
    assert origin.unresolved["name"].tolist() == ["Osaka", "Gulf"]
    assert origin.unresolved["note"].tolist() == [
        "",
        "Gulf is a region, not a place an origin can be: check that the column given as the "
        "origin holds districts or provinces of Nepal.",
    ]
    # The hubs and countries come first: "Kuwait" is the country, not Kuwait City.
    assert resolve_names(gazetteer, pd.Series(["Kuwait"]), DESTINATION_ROLE).ids.tolist() == [
        "country:KWT"
    ]


def test_a_city_own_name_is_not_shadowed_by_another_city_other_name(gazetteer):
    """GeoNames gives "Puno" as one of Pune's other names: Puno, Peru, whose own name it is,
    comes first. Where no city has the name as its own, the others are looked in: "Mecca" is
    another name of Makkah and of a small town in the USA, and is offered, Makkah first."""
    assert gazetteer.cities.find("Puno").country_id == "country:PER"
    assert gazetteer.cities.find("Pune").country_id == "country:IND"
    mecca = gazetteer.cities.find("Mecca")
    assert mecca.countries[0] == "country:SAU" and mecca.other_name and not mecca.sure
    assert gazetteer.cities.find("Madras").city == "Chennai"
    assert gazetteer.cities.find("Erewhon") is None


def test_a_larger_city_whose_name_holds_the_name_as_a_word_rivals_a_citys_own_name(gazetteer):
    """ "Subang" went to Indonesia's Subang (137,234 people) unasked, while Malaysia's Kampung
    Baru Subang (833,571) is called Subang too: it is offered, with both countries. Other names
    that do not hold the name ("Islamabad" was once Chittagong's) rival no city's own name."""
    subang = gazetteer.cities.find("Subang")
    assert not subang.sure
    assert subang.countries == ("country:MYS", "country:IDN")
    report = resolve_names(gazetteer, pd.Series(["Subang"]), DESTINATION_ROLE)
    assert pd.isna(report.ids.iloc[0])
    assert report.unresolved["suggestions"].iloc[0] == ["Malaysia", "Indonesia"]
    assert resolve_names(
        gazetteer, pd.Series(["Subang, Indonesia"]), DESTINATION_ROLE
    ).ids.tolist() == ["country:IDN"]
    # Nor does a smaller one (Santiago de los Caballeros beside Santiago de Chile).
    for city, country in (
        ("Islamabad", "PAK"), ("Osaka", "JPN"), ("Shah Alam", "MYS"), ("Santiago", "CHL"),
        ("Woodlands", "SGP"), ("Bishan", "CHN"),
    ):  # fmt: skip
        assert gazetteer.cities.find(city).country_id == f"country:{country}", city


def test_bali_is_indonesia_not_the_indian_city_so_named(gazetteer):
    """ "Bali", an island and province of Indonesia and no city, went to Bāli in India (a city
    of 296,973 people) unasked."""
    report = resolve_names(gazetteer, pd.Series(["Bali", "BALI"]), DESTINATION_ROLE)
    assert report.ids.tolist() == ["country:IDN", "country:IDN"]
    # The Indian city is there when it is meant.
    named = resolve_names(gazetteer, pd.Series(["Bali, India"]), DESTINATION_ROLE)
    assert named.ids.tolist() == ["country:IND"]


def test_a_hub_named_with_its_country_is_the_hub(gazetteer):
    """ "Dubai, UAE" and "Doha (Qatar)" stayed unplaced as destinations, while "Osaka, Japan"
    was placed; "Dubai (Qatar)" was placed at Dubai, in the UAE, unsaid; city-states named
    with their country stayed unplaced (code reviews)."""
    names = pd.Series(
        ["Dubai, UAE", "Doha (Qatar)", "Kuwait, Kuwait", "Ufa, Russia", "Italy (Europe)"]
    )
    report = resolve_names(gazetteer, names, DESTINATION_ROLE)
    assert report.ids.tolist() == [
        "hub:Dubai", "hub:Doha", "country:KWT", "country:RUS", "country:ITA"
    ]  # fmt: skip
    wrong = resolve_names(gazetteer, pd.Series(["Dubai, Qatar", "Dubai (Qatar)"]), DESTINATION_ROLE)
    assert wrong.ids.isna().all()  # Dubai is not in Qatar


def test_a_city_placed_by_hand_is_kept_and_spelt_one_way(gazetteer):
    """ "Penang" chosen as Malaysia lost its city, which "Penang, Malaysia" kept; "osaka" and
    "OSAKA" became two cities (a code review)."""
    records = pd.DataFrame(
        {
            "origin": ["Jhapa"] * 3,
            "destination": ["Penang", "osaka", "OSAKA"],
            "transit": [""] * 3,
        }
    )
    placed = place_records(gazetteer, records, aliases={"Penang": "country:MYS"})
    assert placed.records["destination_city"].tolist() == ["Penang", "osaka", "osaka"]


def test_an_undivided_district_is_listed_as_placed_under_its_own_name(gazetteer):
    """Nawalparasi was placed as the undivided former district without a word: its records
    count in no current district nor province, which the analyst should see at the upload."""
    report = resolve_names(gazetteer, pd.Series(["Nawalparasi", "Jhapa"]), ORIGIN_ROLE)
    assert report.renamed["name"].tolist() == ["Nawalparasi"]
    assert report.renamed["what"].iloc[0].startswith("former district (undivided)")


def test_a_town_of_nepal_is_never_taken_for_a_city_abroad(gazetteer):
    """ "Bharatpur" (Chitwan) was placed in India, whose Bharatpur is larger (a code review):
    Nepal's local levels are never looked up abroad, and the report says what the name is. A
    file that names India is placed there."""
    names = pd.Series(["Bharatpur", "Bharatpur, India"])
    report = resolve_names(gazetteer, names, DESTINATION_ROLE)
    assert pd.isna(report.ids.iloc[0]) and report.ids.iloc[1] == "country:IND"
    note = report.unresolved["note"].iloc[0]
    assert note.startswith("Bharatpur is a local level (municipality) of Nepal, the headquarters")
    assert "not a place abroad" in note
    # No district can be a destination: none is offered (a code review).
    assert "choose Chitwan" not in note and "a destination is a country or a place abroad" in note
    transit = resolve_names(gazetteer, pd.Series(["Bharatpur"]), TRANSIT_ROLE)
    assert transit.ids.isna().all()


def test_a_district_headquarters_is_its_district_as_an_origin_and_offered_as_a_stop(gazetteer):
    """An origin "Janakpur" (Dhanusha's headquarters) was offered Kanchanpur and Imphal, and
    "Biratnagar" was placed at a border crossing (an analyst's walkthrough): as an origin a
    headquarters is its district, listed as placed under another name. As a stop it is left
    to the analyst, its district offered first; abroad, a file's country still places it."""
    names = pd.Series(["Janakpur", "Biratnagar", "Pokhara", "Janakpur", "Dhanusha", "Nepalgunj"])
    report = resolve_names(gazetteer, names, ORIGIN_ROLE)
    # A border crossing or airport of Nepal named as an origin is the district it lies in
    # ("Nepalgunj", a name of the Jamunaha crossing, was an origin at the border).
    assert report.ids.tolist() == [
        "district:Dhanusha", "district:Morang", "district:Kaski", "district:Dhanusha",
        "district:Dhanusha", "district:Banke",
    ]  # fmt: skip
    # As a stop it stays the crossing, and the district to write for the town is named.
    stop = resolve_names(gazetteer, pd.Series(["Nepalgunj", "Morang", "Raxaul"]), TRANSIT_ROLE)
    assert stop.ids.tolist() == ["hub:Jamunaha", "district:Morang", "hub:Birgunj"]
    # Raxaul is the Indian town facing the Birgunj crossing: no town of Nepal to write.
    assert stop.renamed.set_index("name").loc["Raxaul", "what"] == "border crossing in Nepal"
    what = stop.renamed.set_index("name").loc["Nepalgunj", "what"]
    assert what == (
        "border crossing in Nepal, in Banke district: write Banke where the town is meant"
    )
    renamed = report.renamed.set_index("name")
    assert renamed.loc["Janakpur", "place"] == "Dhanusha"
    assert renamed.loc["Janakpur", "what"].endswith("whose headquarters is Janakpur")
    assert "Dhanusha" not in renamed.index  # its own name is not "another name"
    stop = resolve_names(gazetteer, pd.Series(["Janakpur"]), TRANSIT_ROLE)
    assert stop.ids.isna().all()
    assert stop.unresolved["suggestions"].iloc[0][0] == "Dhanusha"
    assert "choose Dhanusha if the stop meant is there" in stop.unresolved["note"].iloc[0]
    # "Pokhara" is a headquarters, but no local level's name ("Pokhara Lekhnath").
    pokhara = resolve_names(gazetteer, pd.Series(["Pokhara"]), TRANSIT_ROLE).unresolved
    assert pokhara["suggestions"].iloc[0][0] == "Kaski"
    assert "headquarters of Kaski district" in pokhara["note"].iloc[0]
    abroad = resolve_names(gazetteer, pd.Series(["Bharatpur, India"]), DESTINATION_ROLE)
    assert abroad.ids.tolist() == ["country:IND"]


def test_counts_per_100_absent_below_one_keep_two_significant_digits():
    """A survey's 38 from Kailali's 110,328 absent abroad read "0.0" per 100, as if none."""
    from routes.census import per_100

    shares = per_100(pd.Series([38, 6_428, 0, 7]), pd.Series([110_328, 144_884, 500, 1_000]))
    assert shares.tolist() == [0.034, 4.4, 0.0, 0.7]


def test_a_local_level_of_nepal_is_its_district_as_an_origin_unless_several_share_it(gazetteer):
    """A union's hometowns ("Itahari", "Butwal", "Damak") were names to place by hand, offered
    Mahottari and Lithuania: a local level no other district has one of that name is placed in
    its district, and said so. "Madi" is in four districts: they are offered, and named."""
    names = pd.Series(["Itahari", "Butwal", "Damak", "Madi"])
    report = resolve_names(gazetteer, names, ORIGIN_ROLE)
    assert report.ids.tolist()[:3] == ["district:Sunsari", "district:Rupandehi", "district:Jhapa"]
    assert pd.isna(report.ids.iloc[3])
    renamed = report.renamed.set_index("name")
    assert renamed.loc["Itahari", "what"].endswith("where the local level Itahari lies")
    madi = report.unresolved.set_index("name").loc["Madi"]
    assert set(madi["suggestions"]) == {"Sankhuwasabha", "Chitwan", "Kaski", "Rolpa"}
    assert "Sankhuwasabha, Chitwan, Kaski and Rolpa districts" in madi["note"]


def test_each_local_level_is_in_the_district_its_code_says():
    """nepal_local_levels.csv gives each local level's district (by its outline, within the
    district outlines): the first three digits of its code are the district's, so every code
    has one district, and every district has local levels (Shankharapur, on Kathmandu's
    edge, was put in Kavrepalanchok by the simplified outlines)."""
    from routes.gazetteer import GAZETTEER_DIR, NEPAL_LOCAL_LEVELS_FILE

    table = pd.read_csv(GAZETTEER_DIR / NEPAL_LOCAL_LEVELS_FILE, dtype=str)
    by_code = table.groupby(table["municipality_code"].str[:3])["district"].nunique()
    assert len(by_code) == 77 and (by_code == 1).all()
    assert table["district"].nunique() == 77
    where = dict(zip(table["name"], table["district"], strict=False))
    assert where["Shankharapur"] == "Kathmandu" and where["Itahari"] == "Sunsari"


def test_a_town_written_by_another_name_than_its_local_levels_is_placed_and_said_so(gazetteer):
    """A hometown survey's "Janakpurdham", "Dhangadi", "Simara", "Taulihawa" and "Gaighat"
    were left to place by hand (offered Dhanusha, Dhangadhi, or Surkhet and Darchula for
    Simara): the towns' other names (nepal_aliases.csv, kind local_level) place them in their
    local level's district, and say which local level. "Patan" was placed in Baitadi, whose
    municipality of that name is not Lalitpur's old city: both districts are offered."""
    names = pd.Series(["Janakpurdham", "Dhangadi", "Simara", "Taulihawa", "Gaighat", "Patan"])
    report = resolve_names(gazetteer, names, ORIGIN_ROLE)
    assert report.ids.tolist()[:5] == [
        "district:Dhanusha", "district:Kailali", "district:Bara", "district:Kapilvastu",
        "district:Udayapur",
    ]  # fmt: skip
    renamed = report.renamed.set_index("name")
    assert renamed.loc["Simara", "what"].endswith(
        "where Simara lies, in the local level Jitpur Simara"
    )
    # A headquarters under another name or spelling is said as the headquarters.
    assert renamed.loc["Janakpurdham", "what"].endswith(
        "whose headquarters is Janakpur (Janakpurdham)"
    )
    assert pd.isna(report.ids.iloc[5])
    # As a stop, the town's note names its local level (it called Simara a local level).
    stop = resolve_names(gazetteer, pd.Series(["Simara"]), TRANSIT_ROLE).unresolved
    assert (
        "Simara is a town of Nepal (the local level Jitpur Simara), in Bara" in stop["note"].iloc[0]
    )
    patan = report.unresolved.set_index("name").loc["Patan"]
    assert list(patan["suggestions"][:2]) == ["Lalitpur", "Baitadi"]
    assert "Patan is the name of towns in Lalitpur and Baitadi districts" in patan["note"]


def test_every_town_alias_names_a_local_level():
    """A town's other name that names no local level would place nothing, unsaid."""
    from routes.gazetteer import GAZETTEER_DIR, NEPAL_ALIASES_FILE, NEPAL_LOCAL_LEVELS_FILE

    aliases = pd.read_csv(GAZETTEER_DIR / NEPAL_ALIASES_FILE, dtype=str)
    levels = set(pd.read_csv(GAZETTEER_DIR / NEPAL_LOCAL_LEVELS_FILE, dtype=str)["name"])
    towns = aliases[aliases["kind"] == "local_level"]
    assert len(towns) >= 7
    assert set(towns["name"]) <= levels
