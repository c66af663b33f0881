"""Column mapping: proposals from names and contents, wide tables, totals, and reuse as JSON."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pandas as pd
import pytest

from routes.gazetteer import split_transit
from routes.io import read_table
from routes.mapping import (
    ColumnMapping,
    MappingError,
    apply_mapping,
    format_place_report,
    header_key,
    mapping_from_dict,
    mapping_to_dict,
    parse_wide_name,
    place_report,
    prepare_import,
    propose_mapping,
    read_mapping,
    validate_mapping,
    with_field,
    write_mapping,
)
from routes.schema import CHANNEL, COUNT, DESTINATION, ORIGIN, RECORD_COLUMNS, SEX

GOOD = Path(__file__).resolve().parents[1] / "data" / "good"
DOFE_WIDE = GOOD / "dofe_wide_baisakh_2080.csv"


@pytest.fixture(scope="module")
def dofe_wide():
    return read_table(DOFE_WIDE, DOFE_WIDE.name).frame


def test_header_key_drops_case_accents_and_punctuation_but_keeps_nepali():
    assert header_key("  Année_de-départ ") == "annee de depart"
    assert header_key("S.N.") == "s n"
    assert header_key("जिल्ला") == "जिल्ला"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Recruiting Agency Male", (False, {CHANNEL: "Recruiting agency", SEX: "male"})),
        ("Individual New Female", (False, {CHANNEL: "Individual (new)", SEX: "female"})),
        (
            "Individual Legalization Male",
            (False, {CHANNEL: "Individual (legalisation)", SEX: "male"}),
        ),
        ("Re-entry Female", (False, {CHANNEL: "Re-entry", SEX: "female"})),
        ("G2G Male", (False, {CHANNEL: "Government to government (G2G)", SEX: "male"})),
        ("No. of Male Workers", (False, {SEX: "male"})),
        ("Qatar Female", (False, {DESTINATION: "Qatar", SEX: "female"})),
        ("Total", (True, {})),
        ("Grand Total", (True, {})),
        ("Total Male", (True, {SEX: "male"})),
        ("Re-entry Total", (True, {CHANNEL: "Re-entry"})),
        ("Total without Re-entry", (True, {CHANNEL: "!Re-entry"})),
        ("District", None),
        ("Male Female", None),
        ("Remarks", None),
    ],
)
def test_parse_wide_name_reads_what_a_column_stands_for(gazetteer, name, expected):
    assert parse_wide_name(name, gazetteer) == expected


def test_propose_mapping_recognises_the_dofe_wide_table(gazetteer, dofe_wide):
    mapping = propose_mapping(dofe_wide, gazetteer)
    assert mapping.destination == "Country"
    assert mapping.constants == {ORIGIN: "Nepal"}
    assert mapping.count is None
    components = dict(mapping.components)
    assert len(components) == 10
    assert components["Recruiting Agency Male"] == {CHANNEL: "Recruiting agency", SEX: "male"}
    totals = dict(mapping.totals)
    assert set(totals) == {
        "Recruiting Agency Total",
        "Individual New Total",
        "G2G Total",
        "Individual Legalization Total",
        "Re-entry Total",
        "Total Male",
        "Total Female",
        "Total",
    }
    # A total is never a component, and the serial number is neither.
    assert not any("total" in column.lower() for column in components)
    assert "S.N." not in mapping.columns_used()
    assert any("Nepal" in note for note in mapping.notes)


def test_apply_mapping_melts_a_wide_table_and_its_totals_agree(gazetteer, dofe_wide):
    mapped = apply_mapping(dofe_wide, propose_mapping(dofe_wide, gazetteer))
    records = mapped.records
    assert records[COUNT].astype(int).sum() == dofe_wide["Total"].sum()
    assert mapped.totals.ok and mapped.totals.checked == 8 * len(dofe_wide)
    assert (records[COUNT].astype(int) > 0).all()  # zero cells are no record
    assert set(records[SEX]) == {"male", "female"}
    assert not records[CHANNEL].str.contains("total", case=False).any()
    albania = records[records[DESTINATION] == "Albania"]
    assert albania[COUNT].astype(int).sum() == 34
    assert set(mapped.source_rows[albania.index]) == {2}
    assert mapped.source_columns[albania.index].tolist() == [
        "Recruiting Agency Male",
        "Individual New Male",
        "Individual New Female",
    ]


def test_a_total_that_does_not_add_up_is_reported_with_row_and_column(gazetteer, dofe_wide):
    changed = dofe_wide.copy()
    changed.loc[3, "Total Male"] += 5
    mapped = apply_mapping(changed, propose_mapping(changed, gazetteer))
    assert not mapped.totals.ok
    mismatch = mapped.totals.mismatches.iloc[0]
    assert (mismatch["row"], mismatch["column"]) == (3, "Total Male")
    assert mismatch["stated"] - mismatch["components"] == 5
    summary = mapped.totals.summary("dofe.csv")
    assert "row 3, column 'Total Male'" in summary
    # The records come from the components, never from the totals.
    assert mapped.records[COUNT].astype(int).sum() == dofe_wide["Total"].sum()


def test_a_total_that_covers_no_component_is_a_problem_not_a_silent_pass():
    frame = pd.DataFrame({"Country": ["Qatar"], "Male": [3], "Female": [2], "Total": [5]})
    mapping = ColumnMapping(
        destination="Country",
        constants={ORIGIN: "Nepal"},
        components=(("Male", {SEX: "male"}), ("Female", {SEX: "female"})),
        totals=(("Total", {CHANNEL: "G2G"}),),
    )
    totals = apply_mapping(frame, mapping).totals
    assert not totals.ok
    assert "total column 'Total' covers no component" in totals.problems[0]


def test_propose_mapping_from_names_in_several_languages(gazetteer):
    frame = pd.DataFrame(
        {
            "जिल्ला": ["Jhapa"],
            "Pays": ["Qatar"],
            "Via": ["Kathmandu > Doha"],
            "No. of persons": [3],
            "Fiscal Year": ["2079/80"],
            "Gender": ["female"],
            "Occupation": ["Domestic work"],
            "Reported by": ["Test"],
        }
    )
    mapping = propose_mapping(frame, gazetteer)
    assert mapping.field_columns() == {
        "origin": "जिल्ला",
        "destination": "Pays",
        "transit": "Via",
        "count": "No. of persons",
        "period": "Fiscal Year",
        "sex": "Gender",
        "sector": "Occupation",
        "source": "Reported by",
    }


def test_propose_mapping_from_contents_when_names_say_nothing(gazetteer):
    frame = pd.DataFrame(
        {
            "A": ["Jhapa", "Kaski", "Morang", "Kavre"],
            "B": ["Qatar", "UAE", "Malaysia", "KSA"],
            "C": ["Kathmandu > Doha", "Kathmandu > Delhi > Dubai", None, None],
            "D": [1, 4, 2, 9],
            "E": ["m", "f", "female", "male"],
        }
    )
    mapping = propose_mapping(frame, gazetteer)
    assert (mapping.origin, mapping.destination, mapping.transit) == ("A", "B", "C")
    assert (mapping.count, mapping.sex) == ("D", "E")


def test_a_shapefile_truncated_column_name_is_recognised(gazetteer):
    frame = read_table(GOOD / "routes_shapefile.zip", "routes_shapefile.zip").frame
    assert propose_mapping(frame, gazetteer).destination == "destinatio"


def test_nothing_is_invented_for_a_missing_destination(gazetteer):
    frame = pd.DataFrame({"district": ["Jhapa"], "count": [4]})
    mapping = propose_mapping(frame, gazetteer)
    assert mapping.destination is None and DESTINATION not in mapping.constants
    assert any("No column was recognised as the destination" in n for n in mapping.notes)
    with pytest.raises(MappingError, match="no column is chosen as the destination"):
        apply_mapping(frame, mapping)


def test_validate_mapping_names_missing_columns_and_clashes():
    frame = pd.DataFrame({"Country": ["Qatar"], "Male": [1], "Sex": ["male"]})
    mapping = ColumnMapping(
        destination="Land",
        sex="Sex",
        constants={ORIGIN: "Nepal", "colour": "red"},
        components=(("Male", {SEX: "male"}),),
    )
    problems = " ".join(validate_mapping(frame, mapping))
    assert "'Land' that the table does not have" in problems
    assert "colour are not record fields" in problems
    assert "component 'Male' sets sex, which column 'Sex' also gives" in problems


def test_apply_mapping_keeps_no_column_that_no_field_was_chosen_for(gazetteer):
    """The upload page said 'Not kept' of a survivor file's names and phone numbers, which were
    saved and offered in the records' exports (a helper's walkthrough)."""
    frame = pd.DataFrame(
        {
            "Case ID": ["C-01"],
            "Survivor name": ["Sita"],
            "Phone": ["98000"],
            "District": ["Jhapa"],
            "Destination": ["Qatar"],
            "source": ["survey"],
        }
    )
    mapping = ColumnMapping(origin="District", destination="Destination")
    mapped = apply_mapping(frame, mapping)
    assert set(mapped.records.columns) <= set(RECORD_COLUMNS)
    assert not {"Case ID", "Survivor name", "Phone", "source (file)"} & set(mapped.records.columns)
    assert "Sita" not in mapped.records.to_string()
    assert mapped.source_rows.tolist() == [2]
    prepared = prepare_import(frame, mapping, gazetteer, file_name="cases.csv")
    assert "Sita" not in prepared.records.astype(str).to_string()
    assert "98000" not in prepared.records.astype(str).to_string()


def test_write_and_read_mapping_round_trip(tmp_path, gazetteer, dofe_wide):
    mapping = with_field(propose_mapping(dofe_wide, gazetteer), "period", None)
    path = write_mapping(mapping, tmp_path / "dofe.mapping.json")
    again = read_mapping(path)
    assert again == mapping
    assert again.notes == ()
    assert json.loads(path.read_text(encoding="utf-8"))["format"] == 1


def test_a_saved_mapping_applies_to_the_next_file_of_the_same_layout(
    tmp_path, gazetteer, dofe_wide
):
    path = write_mapping(propose_mapping(dofe_wide, gazetteer), tmp_path / "m.json")
    next_month = dofe_wide.head(5)
    mapped = apply_mapping(next_month, read_mapping(path))
    assert mapped.records[COUNT].astype(int).sum() == next_month["Total"].sum()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "m.json is not valid JSON"),
        ('{"format": 99}', "m.json is not a column mapping of this app"),
        ('{"format": 1, "fields": {"colour": "x"}}', "names fields colour"),
        ('{"format": 1, "components": [{"attributes": {}}]}', "m.json is damaged"),
    ],
)
def test_read_mapping_names_the_file_and_the_problem(tmp_path, text, message):
    path = tmp_path / "m.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MappingError, match=message):
        read_mapping(path)


def test_prepare_import_points_errors_at_the_file_row_and_component_column(gazetteer, dofe_wide):
    broken = dofe_wide.copy().astype({"G2G Female": object})
    broken.loc[4, "G2G Female"] = "many"
    prepared = prepare_import(
        broken, propose_mapping(dofe_wide, gazetteer), gazetteer, file_name="dofe.csv"
    )
    assert not prepared.ok
    (error,) = prepared.validation.errors
    assert (error.row, error.column, error.value) == (4, "G2G Female", "many")
    assert prepared.validation.rows_rejected == 1
    # Every record of the rejected row is left out, not only the bad cell's.
    assert (prepared.records[DESTINATION] == dofe_wide.loc[4, "Country"]).sum() == 0
    assert "row 4, column 'G2G Female'" in prepared.validation.summary("dofe.csv")


def test_the_place_report_lists_unresolved_names_with_rows_and_suggestions(gazetteer):
    frame = pd.DataFrame(
        {
            "origin": ["Jhappa", "Jhappa", "Kaski"],
            "destination": ["Qatarr", "Malaysia", "Malaysia"],
            "transit": ["Kathmandu > Nowhereville", None, None],
        },
        index=pd.Index([2, 3, 4], name="row"),
    )
    mapping = ColumnMapping(origin="origin", destination="destination", transit="transit")
    prepared = prepare_import(frame, mapping, gazetteer, file_name="f.csv")
    report = place_report(prepared.placed)
    assert report[["role", "name", "rows"]].values.tolist() == [
        ["origin", "Jhappa", 2],
        ["destination", "Qatarr", 1],
        ["transit", "Nowhereville", 1],
    ]
    assert report.loc[0, "suggestions"][0] == "Jhapa"
    text = format_place_report(prepared.placed)
    assert "origin 'Jhappa' (2 rows): closest Jhapa" in text
    assert "2 of 3 records stay in the dataset as unplaced" in text
    # Unplaced records are kept, not dropped.
    assert len(prepared.records) == 3
    fixed = prepare_import(
        frame,
        mapping,
        gazetteer,
        file_name="f.csv",
        aliases={"Jhappa": "district:Jhapa", "Qatarr": "country:QAT"},
    )
    assert place_report(fixed.placed)["name"].tolist() == ["Nowhereville"]


TOTALS_CSV = """District;Country;Persons;Month
Jhapa;Qatar;40;Magh 2079
Morang;Malaysia;7;Magh 2079
Jhapa;Total;40;Magh 2079
Kaski;Kuwait;30;Magh 2079
Grand Total;;117;Magh 2079
जम्मा;All countries;117;Magh 2079
"""


@pytest.mark.parametrize("large", [False, True], ids=["careful-reader", "fast-reader"])
def test_total_rows_are_left_out_and_named_so_no_one_is_counted_twice(gazetteer, large):
    text = TOTALS_CSV
    if large:  # over the fast reader's threshold: the place columns come as categories
        body = "Kaski;Kuwait;1;Magh 2079\n" * 60_000
        text = text + body
    read = read_table(text.encode("utf-8"), "survey.csv")
    assert (read.frame.dtypes == "category").any() == large
    prepared = prepare_import(
        read.frame, propose_mapping(read.frame, gazetteer), gazetteer, file_name="survey.csv"
    )
    assert prepared.total_rows == (4, 6, 7)  # the file's own line numbers
    assert int(prepared.records[COUNT].sum()) == 40 + 7 + 30 + (60_000 if large else 0)
    assert prepared.validation.ok  # the blank destination of the total row is not an error
    assert prepared.validation.rows_read == len(read.frame)
    assert prepared.total_rows_note.startswith("survey.csv: rows 4, 6, 7 read 'Total' or 'All'")
    assert "Total" not in set(prepared.records[DESTINATION].astype(str))
    # Their names are not left to place either (listed with 0 rows from the fast reader).
    assert place_report(prepared.placed).empty


def test_transit_places_separated_as_people_type_them_are_placed(gazetteer):
    """ "Kathmandu; Delhi" was one name, left unplaced, and the page never said to write ">"."""
    frame = pd.DataFrame(
        {
            "A": ["Jhapa", "Kaski", "Morang", "Kavre"],
            # Dubai on the way to Saudi Arabia (to the UAE, it is where the route arrives).
            "B": ["Kuwait", "Saudi Arabia", "Malaysia", "Qatar"],
            "C": ["Kathmandu; Delhi", "Kathmandu -> Delhi → Dubai", "Kathmandu | Delhi", None],
        }
    )
    mapping = propose_mapping(frame, gazetteer)
    assert mapping.transit == "C"
    prepared = prepare_import(frame, mapping, gazetteer, file_name="cases.csv")
    ids = prepared.records["transit_ids"].tolist()
    kathmandu = "hub:Kathmandu Tribhuvan International Airport"
    assert ids[0] == ids[2] == f"{kathmandu} > hub:New Delhi"
    assert ids[1] == f"{kathmandu} > hub:New Delhi > hub:Dubai"
    # A comma belongs to a name, not between two.
    assert split_transit("Dubai, UAE > Doha") == ["Dubai, UAE", "Doha"]


def test_transit_places_split_at_commas_slashes_or_dashes_when_the_whole_names_none(gazetteer):
    """ "Kathmandu, Delhi" and "Kathmandu / Delhi / Mumbai" were single unplaced names: most
    corridors of a workbook went missing. A name that holds a comma stays whole."""
    frame = pd.DataFrame(
        {
            "origin": ["Jhapa", "Kaski", "Morang", "Kavre", "Jhapa"],
            "destination": ["Kuwait", "UAE", "Malaysia", "Qatar", "Qatar"],
            "transit": [
                "Kathmandu, Delhi",
                "Kathmandu / Delhi / Mumbai",
                "Kathmandu - Dubai",
                "Dubai, UAE",
                "Kathmandu, Erewhon",
            ],
        }
    )
    mapping = ColumnMapping(origin="origin", destination="destination", transit="transit")
    prepared = prepare_import(frame, mapping, gazetteer, file_name="cases.xlsx")
    ids = prepared.records["transit_ids"].tolist()
    kathmandu = "hub:Kathmandu Tribhuvan International Airport"
    assert ids[0] == f"{kathmandu} > hub:New Delhi"
    assert ids[1] == f"{kathmandu} > hub:New Delhi > hub:Mumbai"
    assert ids[2] == f"{kathmandu} > hub:Dubai"
    assert ids[3] == "hub:Dubai"  # Dubai, in the UAE: not a stop in Dubai, then one in the UAE
    # A piece that names nothing leaves the part whole, for the analyst to place.
    assert ids[4] is None or pd.isna(ids[4])
    assert place_report(prepared.placed)["name"].tolist() == ["Kathmandu, Erewhon"]


def test_a_route_with_one_unknown_stop_is_split_and_that_stop_alone_reported(gazetteer):
    """ "Kathmandu - Delhi - Nairobi - Kuwait" (Nairobi then unknown) was one unplaced name, the
    stop to place never named and the known stops lost with it (an NGO's walkthrough); the two
    sides of a border crossing made a stop twice ("Banke > Jamunaha > Jamunaha > Lucknow")."""
    frame = pd.DataFrame(
        {
            "origin": ["Jhapa", "Rupandehi", "Banke"],
            "destination": ["Kuwait", "Qatar", "Kuwait"],
            "transit": [
                "Kathmandu - Delhi - Erewhon - Kuwait",
                "Bhairahawa - Gorakhpur - Delhi",
                "Nepalgunj > Rupaidiha > Lucknow",
            ],
        }
    )
    mapping = ColumnMapping(origin="origin", destination="destination", transit="transit")
    prepared = prepare_import(frame, mapping, gazetteer, file_name="cases.xlsx")
    assert place_report(prepared.placed)["name"].tolist() == ["Erewhon"]
    # Gorakhpur, a city the hubs lack, is placed at its country (the world cities file).
    assert prepared.records["transit_ids"].tolist()[1:] == [
        "hub:Belahiya > country:IND > hub:New Delhi",
        "hub:Jamunaha > hub:Lucknow",
    ]
    # A hyphen inside a name is no stop: "Al-Ain" is not Albania, then Ain; nor is
    # "Guinea-Bissau" Guinea, then Bissau (a code review of the first rule).
    hyphens = pd.DataFrame(
        {
            "origin": ["Jhapa", "Jhapa"],
            "destination": ["Qatar", "Qatar"],
            "transit": ["Kathmandu - Delhi - Al-Ain", "Kathmandu - Guinea-Bissau"],
        }
    )
    named = prepare_import(hyphens, mapping, gazetteer, file_name="cases.xlsx")
    assert place_report(named.placed).empty
    kathmandu = "hub:Kathmandu Tribhuvan International Airport"
    assert named.records["transit_ids"].tolist() == [
        f"{kathmandu} > hub:New Delhi > hub:Al Ain",
        f"{kathmandu} > country:GNB",
    ]
    # Placed, the stop completes the route.
    aliases = {"Erewhon": "country:KEN", "Gorakhpur": "hub:Lucknow"}
    placed = prepare_import(frame, mapping, gazetteer, file_name="cases.xlsx", aliases=aliases)
    kathmandu = "hub:Kathmandu Tribhuvan International Airport"
    assert placed.records["transit_ids"].tolist()[:2] == [
        f"{kathmandu} > hub:New Delhi > country:KEN",  # Kuwait: where the route arrives
        "hub:Belahiya > hub:Lucknow > hub:New Delhi",
    ]


def test_a_table_of_months_as_columns_is_proposed_as_counts_by_month(gazetteer):
    """Twelve month columns were imported as one person per row, "all valid"."""
    frame = pd.DataFrame(
        {
            "District": ["Jhapa", "Morang"],
            "Destination": ["Qatar", "Malaysia"],
            "Shrawan 2079": [4, 0],
            "Bhadra 2079": [6, 3],
            "Ashoj 2079": [1, 2],
        }
    )
    mapping = propose_mapping(frame, gazetteer)
    assert mapping.count is None
    assert dict(mapping.components) == {
        "Shrawan 2079": {"period": "Shrawan 2079"},
        "Bhadra 2079": {"period": "Bhadra 2079"},
        "Ashoj 2079": {"period": "Ashoj 2079"},
    }
    prepared = prepare_import(frame, mapping, gazetteer, file_name="months.csv")
    records = prepared.records
    assert int(records["count"].sum()) == 16
    by_month = records.groupby("period_label", observed=True)["count"].sum().to_dict()
    assert by_month == {"Shrawan 2079": 4, "Bhadra 2079": 9, "Ashoj 2079": 3}


def test_a_fiscal_year_column_beside_its_months_is_their_total_not_more_counts(gazetteer):
    frame = pd.DataFrame(
        {
            "District": ["Jhapa", "Morang"],
            "Destination": ["Qatar", "Malaysia"],
            "Shrawan 2079": [4, 0],
            "Bhadra 2079": [6, 3],
            "2079/80": [10, 3],
        }
    )
    mapping = propose_mapping(frame, gazetteer)
    assert [column for column, _ in mapping.components] == ["Shrawan 2079", "Bhadra 2079"]
    assert [column for column, _ in mapping.totals] == ["2079/80"]
    prepared = prepare_import(frame, mapping, gazetteer, file_name="months.csv")
    assert int(prepared.records["count"].sum()) == 13
    assert prepared.mapped.totals.ok


def test_a_place_followed_by_its_country_is_one_stop_and_an_alias_holds_whatever_its_case(
    gazetteer,
):
    frame = pd.DataFrame(
        {
            "origin": ["Jhapa", "Kaski"],
            # Dubai on the way to Bahrain (to the UAE, it is where the route arrives).
            "destination": ["Qatar", "Bahrain"],
            "transit": ["Kathmandu, Nepal", "dubai/abu dhabi"],
        }
    )
    mapping = ColumnMapping(origin="origin", destination="destination", transit="transit")
    aliases = {"Dubai/Abu Dhabi": "hub:Dubai"}  # as the analyst placed it, whole
    prepared = prepare_import(frame, mapping, gazetteer, file_name="cases.csv", aliases=aliases)
    ids = prepared.records["transit_ids"].tolist()
    assert ids == ["hub:Kathmandu Tribhuvan International Airport", "hub:Dubai"]


UNION_CSV = """District,Country,Workers,Month
Jhapa,Qatar,4,Shrawan 2079
Morang,Malaysia,-,Shrawan 2079
Kaski,Kuwait,,Shrawan 2079
Kaski,Qatar,3,Bhadra 2079
जम्मा (Total),,7,
"""


def test_the_total_row_checks_the_sum_and_says_what_empty_counts_should_mean(gazetteer):
    """A union's survey with dashes and blanks for no one was kept with a fifth more people
    than its own total row, and a Nepali total row was taken for a place to fix."""
    read = read_table(UNION_CSV.encode("utf-8"), "union.csv")
    mapping = propose_mapping(read.frame, gazetteer)
    prepared = prepare_import(read.frame, mapping, gazetteer, file_name="union.csv")
    assert prepared.total_rows == (6,)
    assert prepared.validation.empty_counts == 2
    agrees, text = prepared.total_check
    assert not agrees
    assert "the total row (row 6) says 7, but the other rows add up to 9" in text
    assert "read as no one, the rows add up to the total" in text
    chosen = dataclasses.replace(mapping, empty_count=0)
    again = prepare_import(read.frame, chosen, gazetteer, file_name="union.csv")
    assert int(again.records[COUNT].sum()) == 7
    assert again.total_check == (
        True,
        "union.csv: the total row (row 6) says 7, as the other rows add up to.",
    )


def test_what_empty_counts_mean_is_kept_with_the_mapping(tmp_path):
    mapping = ColumnMapping(origin="a", destination="b", count="c", empty_count=0)
    assert read_mapping(write_mapping(mapping, tmp_path / "m.json")) == mapping
    assert "an empty cell, or a dash, counts no one" in mapping.describe()
    data = {**mapping_to_dict(mapping), "empty_count": 5}
    with pytest.raises(MappingError, match="empty_count 5"):
        mapping_from_dict(data)


def test_transit_written_with_bare_dashes_or_via_is_placed_stop_by_stop(gazetteer):
    frame = pd.DataFrame(
        {
            "origin": ["Jhapa"] * 4,
            # Doha on the way to Kuwait (to Qatar, it is where the route arrives).
            "destination": ["Kuwait"] * 4,
            "transit": ["Kathmandu-Delhi-Dubai", "Kathmandu–Doha", "via India", "Biratnagar-Rani"],
        }
    )
    mapping = ColumnMapping(origin="origin", destination="destination", transit="transit")
    ids = prepare_import(frame, mapping, gazetteer, file_name="t.csv").records["transit_ids"]
    kathmandu = "hub:Kathmandu Tribhuvan International Airport"
    assert ids.tolist() == [
        f"{kathmandu} > hub:New Delhi > hub:Dubai",
        f"{kathmandu} > hub:Doha",
        "country:IND",
        "hub:Rani",  # Biratnagar's crossing, named twice: one stop
    ]


def test_a_place_with_a_bracketed_word_is_not_a_total_but_subtotal_rows_check_together(gazetteer):
    """Review findings: 'Nepal (all districts)' was taken for a total row and every record
    went; subtotal rows alone warned that the file's total was wrong; ७ was not read."""
    frame = pd.DataFrame(
        {
            "origin": ["Nepal (all districts)", "Jhapa", "Total Koshi", "Kaski", "Total Gandaki"],
            "destination": ["Qatar", "Qatar", None, "Kuwait", None],
            "count": ["5", "4", "४", "3", "३"],
        }
    )
    mapping = ColumnMapping(origin="origin", destination="destination", count="count")
    prepared = prepare_import(frame, mapping, gazetteer, file_name="t.csv")
    assert prepared.total_rows == (2, 4)  # the frame's index labels of the subtotal rows
    assert prepared.total_counts == (4, 3)
    assert int(prepared.records[COUNT].sum()) == 12
    agrees, text = prepared.total_check
    assert not agrees  # 4 + 3 is not 12: Nepal's 5 is beside them
    only = frame.drop(index=0)
    checked = prepare_import(only, mapping, gazetteer, file_name="t.csv")
    assert checked.total_check == (
        True,
        "t.csv: the total rows (subtotals) add up to 7, as the other rows do.",
    )


def test_a_next_version_is_warned_when_its_empty_counts_are_read_otherwise(gazetteer):
    """A survey saved with empty counts as no one had its next file counted one person each."""
    from routes.ui import empty_count_change

    read = read_table(UNION_CSV.encode("utf-8"), "union.csv")
    mapping = propose_mapping(read.frame, gazetteer)
    prepared = prepare_import(read.frame, mapping, gazetteer, file_name="union.csv")
    message = empty_count_change({"empty_count": 0}, mapping, prepared)
    assert message.startswith("The 2 empty count cells of this file count one person each")
    assert "choose 'no one' above" in message
    as_before = dataclasses.replace(mapping, empty_count=0)
    assert empty_count_change({"empty_count": 0}, as_before, prepared) == ""
    assert empty_count_change({}, mapping, prepared) == ""  # saved before the choice existed


def test_an_age_column_is_not_taken_for_the_count():
    """A survivor file with one row per person and an 'age' column had 'age' proposed as its
    count (the only column of whole numbers): 90 survivors read as 2,000-odd people (a helper's
    walkthrough). A column of whole numbers with no such name still is."""
    from routes.mapping import propose_mapping

    cases = pd.DataFrame(
        {
            "case_id": ["C-01", "C-02", "C-03"],
            "district": ["Jhapa", "Morang", "Sindhupalchok"],
            "country": ["Qatar", "Kuwait", "Malaysia"],
            "sex": ["female", "female", "male"],
            "age": [19, 34, 27],
        }
    )
    proposed = propose_mapping(cases)
    assert proposed.count is None and not any("'age'" in note for note in proposed.notes)
    counted = propose_mapping(cases.drop(columns="age").assign(migrants=[3, 5, 2]))
    assert counted.count == "migrants"


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Transit town", "transit"),
        ("Transit city", "transit"),
        ("Destination city", "destination_city"),
        # The head noun last, as English puts it (a rule favouring the first word proposed
        # "Work city" as the sector).
        ("Work city", "destination_city"),
        ("Mode of transit", "transit"),
    ],
)
def test_a_header_naming_transit_first_is_proposed_as_the_transit(header, field, gazetteer):
    """'Transit town' was proposed as the destination city ('town'): Delhi and Raxaul were
    saved as cities in Kuwait and Malaysia, and the corridors showed no transit at all."""
    frame = pd.DataFrame(
        {
            "District": ["Jhapa", "Kaski", "Dang"],
            "Destination": ["Kuwait", "Malaysia", "Qatar"],
            header: ["Delhi", "Raxaul", "Delhi"],
            "Cases": [3, 4, 5],
        }
    )
    mapping = propose_mapping(frame, gazetteer)
    assert mapping.column_of(field) == header


def test_a_row_repeating_the_header_is_said_to_be_one_not_three_bad_values(gazetteer):
    """Two tables pasted one under the other: the second header read as 'Count' not a number,
    'District' no place and 'Sex' no sex."""
    frame = pd.DataFrame(
        {
            "District": ["Jhapa", "District", "Kaski"],
            "Destination": ["Qatar", "Destination", "Kuwait"],
            "Sex": ["female", "Sex", "male"],
            "Count": ["3", "Count", "4"],
        },
        index=pd.RangeIndex(2, 5, name="row"),
    )
    mapping = propose_mapping(frame, gazetteer)
    prepared = prepare_import(frame, mapping, gazetteer, file_name="pasted.csv")
    errors = prepared.validation.errors
    assert [(error.row, "repeats the table's header" in error.message) for error in errors] == [
        (3, True)
    ]
    assert prepared.validation.rows_rejected == 1
    assert prepared.records["count"].sum() == 7


def test_a_file_of_destination_cities_only_has_them_as_its_destination(gazetteer):
    """A column 'destination_city' was proposed as the destination city only, and the page
    refused the file for want of a destination (a helper's walkthrough): cities abroad count
    for their country and are kept as the city."""
    frame = pd.DataFrame(
        {"origin_district": ["Jhapa", "Kaski"], "destination_city": ["Doha", "Kuala Lumpur"]}
    )
    mapping = propose_mapping(frame, gazetteer)
    assert mapping.destination == "destination_city" and mapping.destination_city is None
    records = prepare_import(frame, mapping, gazetteer, file_name="members.csv").records
    assert records["destination_id"].tolist() == ["country:QAT", "country:MYS"]
    assert records["destination_city"].tolist() == ["Doha", "Kuala Lumpur"]


DESK_CSV = """District,Destination,Male,Female,Total,Month
Dhanusa,Qatar,100,20,120,Shrawan 2080
Mahottari,KSA,50,5,55,Shrawan 2080
Sarlahi,UAE,30,-,30,Shrawan 2080
Total,,180,24,204,
"""


def test_the_total_row_of_a_table_with_a_count_column_per_sex_is_checked(gazetteer):
    """A desk's total row said 24 women where its rows held 25; it was left out with no word
    of the difference, which a single count column gets (a helper's walkthrough)."""
    read = read_table(DESK_CSV.encode("utf-8"), "desk.csv")
    mapping = propose_mapping(read.frame, gazetteer)
    assert [column for column, _ in mapping.components] == ["Male", "Female"]
    prepared = prepare_import(read.frame, mapping, gazetteer, file_name="desk.csv")
    assert prepared.total_rows == (5,)
    check = prepared.total_check
    assert not check.agrees
    assert "the total row (row 5) says 204, but the other rows add up to 205" in check.text
    fixed = DESK_CSV.replace("180,24,204", "180,25,205").encode("utf-8")
    read = read_table(fixed, "desk.csv")
    again = prepare_import(read.frame, mapping, gazetteer, file_name="desk.csv")
    assert again.total_check.agrees and "says 205, as the other rows add up to" in (
        again.total_check.text
    )
    # The row's own Total is what it states: 24 women and 181 men summing to the rows' 205
    # beside a Total of 210 was said to agree (a helper's walkthrough).
    total = DESK_CSV.replace("180,24,204", "181,24,210").encode("utf-8")
    read = read_table(total, "desk.csv")
    stated = prepare_import(read.frame, mapping, gazetteer, file_name="desk.csv").total_check
    assert not stated.agrees and "says 210, but the other rows add up to 205" in stated.text


def test_a_total_row_stating_zero_is_checked():
    """A count column's "0" on a total row stated no total (a code review)."""
    from routes.mapping import ColumnMapping, _stated_counts

    frame = pd.DataFrame({"place": ["Jhapa", "Total"], "n": ["5", "0"]})
    mapping = ColumnMapping(origin="place", destination="place", count="n")
    assert _stated_counts(frame, (1,), mapping) == (0,)


def test_the_upload_template_is_read_whole_every_name_placed(gazetteer):
    """A new analyst found no template to start from; the one offered must go through as it is."""
    from routes.io import read_table
    from routes.ui import UPLOAD_TEMPLATE

    read = read_table(UPLOAD_TEMPLATE.read_bytes(), UPLOAD_TEMPLATE.name)
    mapping = propose_mapping(read.frame, gazetteer)
    prepared = prepare_import(read.frame, mapping, gazetteer, file_name=UPLOAD_TEMPLATE.name)
    assert len(prepared.records) == len(read.frame) == 4
    assert place_report(prepared.placed).empty
    assert prepared.records["transit_ids"].notna().all()
    # Its rows say they are examples, not data, and the upload page warns of them.
    from routes.ui import template_examples

    assert prepared.records["source"].str.startswith("Example row (not data)").all()
    assert template_examples(prepared.records) == 4
    assert template_examples(prepared.records.assign(source="Helpline")) == 0


def test_a_total_row_beside_rows_with_problems_is_said_as_far_as_it_goes(gazetteer):
    """The total row's check went unsaid when another row had a problem (an NGO's
    walkthrough of a file with a typo in one count)."""
    text = "origin,destination,count\nJhapa,Qatar,4\nMorang,Kuwait,two\nKaski,Qatar,3\nTotal,,9\n"
    read = read_table(text.encode("utf-8"), "cases.csv")
    mapping = ColumnMapping(origin="origin", destination="destination", count="count")
    prepared = prepare_import(read.frame, mapping, gazetteer, file_name="cases.csv")
    assert not prepared.validation.ok and prepared.total_rows
    check = prepared.total_check
    assert check.agrees  # the mended row may hold the 2 missing
    assert check.text == (
        "cases.csv: the total row (row 5) says 9; the valid rows add up to 7. Mend the rows with "
        "problems to check it against them all."
    )
    # The valid rows alone past it: wrong whatever the mended row holds (a code review).
    over = read_table(text.replace("Total,,9", "Total,,5").encode("utf-8"), "cases.csv")
    again = prepare_import(over.frame, mapping, gazetteer, file_name="cases.csv")
    assert not again.total_check.agrees


def test_a_place_word_in_a_column_name_is_not_enough_when_its_values_name_no_place(gazetteer):
    """A union's "Recruited through" (agencies, "self") was proposed as the transit by the word
    "through", and each agency reported as a place to fix: 6 names over more rows than the
    file had. A column whose values name places still is one ("Travelled through")."""
    frame = pd.DataFrame(
        {
            "Home district": ["Jhapa", "Morang", "Kavre"],
            "Country of work": ["Malaysia", "Qatar", "UAE"],
            "Recruited through": ["Agency A", "self", "individual agent"],
            "No. of workers": [1, 2, 3],
        }
    )
    assert propose_mapping(frame, gazetteer).transit is None
    # Nor do towns the analyst would be asked about ("Union", "Police": a code review).
    words = frame.assign(**{"Recruited through": ["Self", "Union", "Police"]})
    assert propose_mapping(words, gazetteer).transit is None
    routes = frame.assign(**{"Travelled through": ["Kathmandu > Delhi", "Delhi", "Penang"]})
    assert propose_mapping(routes, gazetteer).transit == "Travelled through"
    # Routes written with dashes and commas are routes too (a regression walkthrough).
    for name in ("Travelled via", "Route taken"):
        dashed = frame.assign(
            **{name: ["Kathmandu > Delhi", "Kathmandu-Doha", "Kathmandu, Kolkata"]}
        )
        assert propose_mapping(dashed, gazetteer).transit == name


def test_a_column_of_cities_abroad_is_proposed_as_the_destination(gazetteer):
    """ "Country of work" holding Penang, Osaka, Hyderabad and Al Wakrah was proposed as the
    sector, by the word "work", and no destination found (a regression walkthrough): cities
    abroad, even those the analyst is to choose, are destination values."""
    frame = pd.DataFrame(
        {
            "Home district": ["Jhapa", "Morang", "Ilam", "Saptari", "Kaski"],
            "Country of work": ["Penang", "Osaka", "Hyderabad", "Bara", "Al Wakrah"],
            "Persons": [4, 2, 3, 1, 12],
        }
    )
    mapping = propose_mapping(frame, gazetteer)
    assert mapping.destination == "Country of work" and mapping.sector is None
    # A column of hubs abroad, named by no synonym, is one too.
    hubs = pd.DataFrame({"District": ["Jhapa", "Kaski"], "Place": ["Dubai", "Doha"]})
    assert propose_mapping(hubs, gazetteer).destination == "Place"


def test_the_names_to_check_say_an_undivided_district_as_such(gazetteer):
    """'Nawalparasi' was listed as placed under another name (its own)."""
    from routes.mapping import format_renamed_report

    data = b"District,Country,Persons\nNawalparasi,Qatar,5\nKavre,Malaysia,2\n"
    read = read_table(data, "survey.csv")
    mapping = propose_mapping(read.frame, gazetteer)
    prepared = prepare_import(read.frame, mapping, gazetteer, file_name="survey.csv")
    first, *lines = format_renamed_report(prepared.placed).splitlines()
    assert first.startswith("Placed under another name or as an undivided district (2;")
    assert [line.split("'")[1] for line in lines] == ["Nawalparasi", "Kavre"]
    assert "former district (undivided)" in lines[0]


def test_a_row_with_two_names_not_placed_is_one_unplaced_row(gazetteer):
    """The page's "5 names (29 rows) not placed" counted a row twice when its destination and
    its transit were both unplaced: the file had 27 such rows (a walkthrough)."""
    data = (
        b"District,Country,Via,Persons\nJhapa,Madhuban Tole,Erewhon Halt,2\n"
        b"Kaski,Qatar,Erewhon Halt,3\nMorang,Qatar,,1\n"
    )
    read = read_table(data, "survey.csv")
    mapping = propose_mapping(read.frame, gazetteer)
    prepared = prepare_import(read.frame, mapping, gazetteer, file_name="survey.csv")
    report = prepared.place_report()
    assert int(report["rows"].sum()) == 3  # per name: one row for the town, two for the halt
    assert prepared.unplaced_rows == 2


def test_a_mostly_empty_origin_column_gives_way_to_a_filled_one_of_places(gazetteer):
    """A union's 'District', filled in 4 of 44 rows, was proposed as the origin over its
    'Home town' (Janakpur, Pokhara, Itahari...), filled in the other 40, and those 40 rows were
    refused as having no origin (a walkthrough)."""
    from routes.mapping import propose_mapping

    towns = ["Janakpur", "Pokhara", "Itahari", "Butwal", "Dharan", "Biratnagar", "Damak"] * 6
    frame = pd.DataFrame(
        {
            "Home town": [*towns[:40], None, None, None, None],
            "District": [None] * 40 + ["Kaski", "Jhapa", "Morang", "Dang"],
            "Country": ["Qatar", "Malaysia"] * 22,
            "No. of workers": range(1, 45),
        }
    )
    mapping = propose_mapping(frame, gazetteer)
    assert mapping.origin == "Home town"
    note = next(n for n in mapping.notes if n.startswith("origin <- 'Home town'"))
    assert "'District' is filled in 9%" in note
    assert "4 rows give only 'District', read from there (the origin's second column)" in note
    assert mapping.fallbacks == {"origin": "District"}
    assert "origin <- 'Home town', else 'District'" in mapping.describe()
    prepared = prepare_import(frame, mapping, gazetteer, file_name="survey.csv")
    assert prepared.validation.rows_rejected == 0
    origins = prepared.records["origin"].astype(str).tolist()
    assert origins[:2] == ["Janakpur", "Pokhara"] and origins[40:] == [
        "Kaski",
        "Jhapa",
        "Morang",
        "Dang",
    ]
    # A filled 'District' is kept as it was.
    filled = frame.assign(District=["Kaski", "Jhapa"] * 22)
    assert propose_mapping(filled, gazetteer).origin == "District"


@pytest.mark.parametrize("categorical", [False, True])
def test_a_second_column_gives_the_origin_where_the_first_is_empty(gazetteer, categorical):
    """The origin from 'Home town', else 'District', row by row, whether the reader gave text
    or categories (the fast reader's); an error in a row names both columns, a saved mapping
    keeps the second column, and clearing the origin clears it."""
    from routes.mapping import (
        mapping_from_dict,
        mapping_to_dict,
        validate_mapping,
        with_fallback,
        with_field,
    )

    frame = pd.DataFrame(
        {
            "Home town": ["Itahari", "", None, "Butwal", "  "],
            "District": ["Jhapa", "Kaski", "Dang", None, None],
            "Country": ["Qatar"] * 5,
        },
        index=pd.RangeIndex(2, 7, name="row"),
    )
    if categorical:
        frame = frame.astype("category")
    mapping = with_fallback(
        ColumnMapping(origin="Home town", destination="Country"), "origin", "District"
    )
    prepared = prepare_import(frame, mapping, gazetteer, file_name="survey.csv")
    records = prepared.records
    assert records["origin"].astype(str).tolist() == ["Itahari", "Kaski", "Dang", "Butwal"]
    assert [error.row for error in prepared.validation.errors] == [6]
    assert prepared.validation.errors[0].column == "Home town / District"
    assert mapping_from_dict(mapping_to_dict(mapping)) == mapping
    assert with_field(mapping, "origin", None).fallbacks == {}
    assert with_fallback(mapping, "origin", "Home town").fallbacks == {}
    wrong = ColumnMapping(destination="Country", fallbacks={"origin": "District"})
    assert any("no first one is chosen" in problem for problem in validate_mapping(frame, wrong))


def test_a_second_column_is_checked_as_the_first_for_totals_and_taken_columns(gazetteer):
    """A code review: a "Total" row only the second column named was kept, and its people
    counted twice (14 for 7); a second column that is another field's column (the country as
    the origin) saved Qatar -> Qatar unsaid; a saved mapping's null or transit second column
    was taken as a column."""
    from routes.mapping import mapping_from_dict, total_rows, validate_mapping

    frame = pd.DataFrame(
        {
            "Home town": ["Itahari", "Butwal", None],
            "District": [None, None, "Total"],
            "Country": ["Qatar"] * 3,
            "Count": [3, 4, 7],
        },
        index=pd.RangeIndex(2, 5, name="row"),
    )
    mapping = ColumnMapping(
        origin="Home town", destination="Country", count="Count", fallbacks={"origin": "District"}
    )
    assert total_rows(frame, mapping) == (4,)
    prepared = prepare_import(frame, mapping, gazetteer, file_name="survey.csv")
    assert int(prepared.records["count"].sum()) == 7
    # A total in the second column beside a filled first one is no total row.
    assert total_rows(frame.assign(**{"Home town": ["Itahari", "Butwal", "Dharan"]}), mapping) == ()
    country = ColumnMapping(
        origin="Home town", destination="Country", fallbacks={"origin": "Country"}
    )
    assert any("another field's" in problem for problem in validate_mapping(frame, country))
    data = {"format": 1, "fields": {"origin": "Home town", "destination": "Country"}}
    assert mapping_from_dict({**data, "fallbacks": {"origin": None}}).fallbacks == {}
    with pytest.raises(MappingError, match="second column for transit"):
        mapping_from_dict({**data, "fallbacks": {"transit": "Via"}})


def test_routes_arriving_in_their_destination_country_are_said_and_kept_with_the_dataset(
    gazetteer,
):
    """ "Kathmandu > Delhi > Dubai" to the UAE arrives in Dubai, which is no stop: the import
    check and the dataset's reading notes said nothing of it (an analyst's walkthrough); a
    restricted dataset's notes say it without names or numbers."""
    from routes.datasets import _reading_caveats
    from routes.store import DatasetMetadata

    frame = pd.DataFrame(
        {
            "District": ["Jhapa", "Morang", "Kaski"],
            "Country": ["UAE", "Qatar", "Qatar"],
            "Via": ["Kathmandu > Delhi > Dubai", "Kathmandu-Doha", "Kathmandu"],
            "N": [3, 2, 1],
        },
        index=pd.RangeIndex(2, 5, name="row"),
    )
    mapping = ColumnMapping(origin="District", destination="Country", transit="Via", count="N")
    prepared = prepare_import(frame, mapping, gazetteer, file_name="survey.csv")
    note = prepared.arrivals_note
    assert note.startswith("2 records' routes end in the destination country (Dubai, Doha)")
    assert note in prepared.reading_notes()
    restricted = DatasetMetadata.from_dict(
        {
            "dataset_id": "cases", "version": 1, "created_at": "2026-11-29T00:00:00+00:00",
            "row_count": 3, "title": "Cases", "sensitivity": "restricted",
            "source_file": "survey.csv", "reading_notes": [note], "organisation": "A union",
            "licence": "", "collection_period": "", "description": "",
        }
    )  # fmt: skip
    (caveat,) = _reading_caveats(restricted)
    assert "read as where it arrives" in caveat and "Dubai" not in caveat and "2" not in caveat
    single = prepare_import(frame.iloc[:1], mapping, gazetteer, file_name="survey.csv")
    assert single.arrivals_note.startswith("1 record's route ends in the destination country")
