import pandas as pd
import pytest

from routes.datasets import SYNTHETIC_ID, read_builtin_records
from routes.filters import FilterState
from routes.flows import compute_corridors, compute_sankey
from routes.views import compute_view


@pytest.fixture(scope="module")
def synthetic(gazetteer):
    return read_builtin_records(gazetteer, SYNTHETIC_ID)


def test_synthetic_dataset_is_labelled_and_fully_placed(synthetic):
    assert synthetic["source"].str.contains("Synthetic demonstration data").all()
    assert synthetic["origin_id"].notna().all() and synthetic["destination_id"].notna().all()
    assert (synthetic["dataset"] == SYNTHETIC_ID).all()


def test_view_totals_are_conserved_across_flows_corridors_and_legs(gazetteer, synthetic):
    view = compute_view(gazetteer, synthetic, FilterState())
    total = int(synthetic["count"].sum())
    assert view.flows_total == total
    assert int(view.corridors["count"].sum()) == total
    origin_legs = view.legs[view.legs["from_id"].str.startswith("district:")]
    assert int(origin_legs["count"].sum()) == total


def test_focus_keeps_the_flows_into_out_of_and_through_a_place(gazetteer, synthetic):
    delhi = "hub:New Delhi"
    view = compute_view(gazetteer, synthetic, FilterState(focus=delhi))
    assert view.corridors["path_ids"].str.contains(delhi, regex=False).all()
    through = synthetic["transit_ids"].fillna("").str.contains(delhi, regex=False)
    assert view.flows_total == int(synthetic.loc[through, "count"].sum())
    qatar = compute_view(gazetteer, synthetic, FilterState(focus="country:QAT"))
    assert set(qatar.flows["destination_id"]) == {"country:QAT"}
    assert qatar.districts_focused


def test_destination_focus_leaves_dofe_district_shading_unfocused(gazetteer):
    from routes.datasets import DOFE_ID

    dofe = read_builtin_records(gazetteer, DOFE_ID)
    view = compute_view(gazetteer, dofe, FilterState(focus="country:QAT", fiscal_year="2079/80"))
    assert view.flows_total == 111_951
    assert not view.districts_focused
    assert view.districts["count"].sum() > 0


def test_dofe_months_count_each_permit_once(gazetteer):
    """DoFE's destination and district tables count the same permits: the month chart summed
    both, twice the approvals."""
    from routes.datasets import DOFE_ID

    dofe = read_builtin_records(gazetteer, DOFE_ID)
    view = compute_view(gazetteer, dofe, FilterState(fiscal_year="2079/80"), corridors=False)
    assert int(view.trend["count"].sum()) == view.flows_total == 656_610
    # A table by district only (no destination) still has its months.
    districts = dofe[dofe["destination_id"] == "unknown:Unknown"]
    only = compute_view(gazetteer, districts, FilterState(fiscal_year="2079/80"), corridors=False)
    assert int(only.trend["count"].sum()) == int(only.districts["count"].sum()) == 656_610


def test_top_n_bounds_drawn_features_but_not_the_corridor_ranking(gazetteer, synthetic):
    view = compute_view(gazetteer, synthetic, FilterState(top_n=10))
    assert len(view.flows) == 10
    assert view.flows_before_top > 10
    assert len(view.corridors) > 10
    assert view.legs["corridors"].sum() <= 10 * 5


def test_sankey_columns_each_add_up_to_the_corridor_total(gazetteer, synthetic):
    corridors = compute_corridors(gazetteer, synthetic)
    links = compute_sankey(gazetteer, corridors)
    total = corridors["count"].sum()
    origins = links[links["source"].str.endswith(" ")]
    destinations = links[links["target"].str.startswith(" ")]
    assert origins["count"].sum() == total
    assert destinations["count"].sum() == total
    assert len(set(destinations["target"])) <= 13


def test_place_totals_count_all_records_not_only_drawn_features(gazetteer, synthetic):
    from routes.engine import RecordTable, place_totals

    state = FilterState(top_n=5, focus="hub:New Delhi")
    view = compute_view(gazetteer, synthetic, state)
    source = RecordTable.from_frame(synthetic)
    leaving, arriving, passing = place_totals(source, state, "hub:New Delhi")
    assert passing == int(view.corridors["count"].sum())
    assert passing > int(view.corridors.head(5)["count"].sum())
    jhapa = place_totals(source, FilterState(), "district:Jhapa")
    assert jhapa[0] == int(synthetic.loc[synthetic["origin_id"] == "district:Jhapa", "count"].sum())
    assert jhapa[1] == 0


def test_restricted_districts_are_the_protected_flow_margins(gazetteer, synthetic):
    sample = synthetic.head(400)
    view = compute_view(gazetteer, sample, FilterState(), k=10)
    margins = view.nodes.set_index("place_id")
    shown = view.districts[~view.districts["suppressed"] & (view.districts["count"] > 0)]
    assert len(shown)
    for row in shown.itertuples():
        assert row.count_label == margins.at[row.place_id, "count_out_label"]
    numbers = pd.to_numeric(view.districts["count"], errors="coerce").dropna()
    assert ((numbers == 0) | (numbers >= 10)).all()


@pytest.mark.parametrize("level", ["district", "province"])
def test_corridors_from_the_engines_path_totals_equal_those_from_the_records(
    gazetteer, synthetic, level
):
    from routes.engine import RecordTable, aggregate

    state = FilterState(sexes=("female",))
    paths = aggregate(RecordTable.from_frame(synthetic), state).paths
    from_totals = compute_corridors(gazetteer, paths, level)
    from_records = compute_corridors(gazetteer, synthetic[synthetic["sex"] == "female"], level)
    pd.testing.assert_frame_equal(from_totals, from_records)
    assert len(from_totals) > 100 and from_totals["path_ids"].is_unique
    ranked = list(zip(-from_totals["count"], from_totals["path_names"], strict=True))
    assert ranked == sorted(ranked)


def test_sankey_leaves_out_hidden_corridors(gazetteer, synthetic):
    view = compute_view(gazetteer, synthetic, FilterState(), k=10, corridors=True)
    hidden = view.corridors["count"].isna()
    assert hidden.any() and (~hidden).any()
    shown_total = int(view.corridors["count"].sum())
    origins = view.sankey[view.sankey["source"].str.endswith(" ")]
    destinations = view.sankey[view.sankey["target"].str.startswith(" ")]
    assert int(origins["count"].sum()) == shown_total == int(destinations["count"].sum())
    assert (view.sankey["count"] > 0).all()


def test_corridors_spell_only_the_places_on_their_paths(gazetteer, synthetic):
    """A place id the gazetteer no longer has (a dataset placed with an older one) does not stop
    the corridors of a filter that leaves it out."""
    from routes.engine import RecordTable, aggregate

    records = synthetic.copy()
    male = records.index[records["sex"] == "male"][0]
    records.loc[male, "transit_ids"] = "hub:No Longer In The Gazetteer"
    state = FilterState(sexes=("female",))
    paths = aggregate(RecordTable.from_frame(records), state).paths
    corridors = compute_corridors(gazetteer, paths)
    assert int(corridors["count"].sum()) == int(
        records.loc[records["sex"] == "female", "count"].sum()
    )
    assert not corridors["path_ids"].str.contains("No Longer").any()


def test_restricted_counts_are_rounded_so_that_two_views_do_not_give_a_small_one_away(gazetteer):
    """The walkthrough's attack: Morang had 46 people in all months and 38 from Falgun, so Magh
    was 8. Shown rounded, 45 and 40 leave Magh anywhere from 1 to 9."""
    from routes.gazetteer import place_records
    from routes.privacy import ROUNDING_BASE
    from routes.schema import validate_records

    rows = [
        ("Morang", "Magh 2079", 8),
        ("Morang", "Falgun 2079", 20),
        ("Morang", "Chaitra 2079", 18),
        ("Jhapa", "Magh 2079", 31),
        ("Jhapa", "Falgun 2079", 44),
        ("Jhapa", "Chaitra 2079", 27),
    ]
    frame = pd.DataFrame(rows, columns=["origin", "period", "count"]).assign(destination="Qatar")
    records = place_records(gazetteer, validate_records(frame).records).records
    views = {
        label: compute_view(gazetteer, records, state, k=10, corridors=False)
        for label, state in (
            ("all", FilterState()),
            ("from Falgun", FilterState(month_from="Falgun 2079")),
        )
    }
    morang = {
        label: view.districts.set_index("place_id").at["district:Morang", "count_label"]
        for label, view in views.items()
    }
    assert morang == {"all": "45", "from Falgun": "40"}  # true 46 and 38
    shown_in_all, shown_later = 45, 40
    half = ROUNDING_BASE // 2
    magh = {
        everything - later
        for everything in range(shown_in_all - half, shown_in_all + half + 1)
        for later in range(shown_later - half, shown_later + half + 1)
    }
    assert {m for m in magh if 0 < m < 10} == set(range(1, 10))  # nothing narrower than "<10"
    for view in views.values():
        for frame, column in (
            (view.flows, "count"),
            (view.nodes, "count_in"),
            (view.districts, "count"),
            (view.trend, "count"),
            (view.destination_table, "count"),
        ):
            shown = frame[column].dropna().astype(int)
            assert ((shown == 0) | ((shown >= 10) & (shown % ROUNDING_BASE == 0))).all(), column


def test_a_restricted_view_draws_and_ranks_by_what_it_shows_not_by_true_counts(
    gazetteer, synthetic
):
    """A minimum volume or a top N chose corridors by their true counts: at a minimum of 5 the
    map drew the hidden corridors of 5 to 9 people, and rows shown alike ("30") came in the
    order of their true counts."""
    sample = synthetic.head(3000)

    def drawn(state):
        view = compute_view(gazetteer, sample, state, k=10)
        return view, set(zip(view.legs["from_id"], view.legs["to_id"], strict=True))

    _, at_ten = drawn(FilterState(top_n=0, min_count=10))
    for minimum in (1, 3, 5, 8, 9):
        view, legs = drawn(FilterState(top_n=0, min_count=minimum))
        assert legs == at_ten, minimum  # no hidden corridor is drawn by a minimum
    view, _ = drawn(FilterState(top_n=0))
    for frame, names in (
        (view.corridors, ["path_names"]),
        (view.flows, ["origin_name", "destination_name"]),
    ):
        shown = frame[~frame["suppressed"]]
        keys = [shown[name].astype(str) for name in names]
        ranked = list(zip(-shown["count"].astype(int), *keys, strict=True))
        assert ranked == sorted(ranked)  # by the count as shown, then by name
        assert shown["count"].duplicated().any()  # there are ties to order
    # The corridors drawn are the table's leading rows.
    view, legs = drawn(FilterState(top_n=12))
    leading = view.corridors.head(12)["path_ids"].str.split(" > ")
    assert legs == {(a, b) for path in leading for a, b in zip(path, path[1:], strict=False)}


def test_rows_shown_alike_come_in_the_same_order_whatever_their_true_counts(gazetteer):
    """Two flows from one district shown as "10" (true 12 and 11): swapping their true counts
    changes nothing the view shows, neither the order nor which one a top N keeps."""
    from routes.gazetteer import place_records
    from routes.schema import validate_records

    def view(qatar: int, malaysia: int, top_n: int):
        frame = pd.DataFrame(
            {
                "origin": ["Morang", "Morang", "Jhapa"],
                "destination": ["Qatar", "Malaysia", "Japan"],
                "transit": ["TIA", "TIA", None],
                "count": [qatar, malaysia, 40],
            }
        )
        records = place_records(gazetteer, validate_records(frame).records).records
        return compute_view(gazetteer, records, FilterState(top_n=top_n), k=10)

    for top_n in (0, 2):
        one, other = view(12, 11, top_n), view(11, 12, top_n)
        for name in ("flows", "destination_table", "legs", "corridors"):
            first, second = getattr(one, name), getattr(other, name)
            columns = [c for c in first.columns if c != "geometry"]
            pd.testing.assert_frame_equal(
                pd.DataFrame(first[columns]).reset_index(drop=True),
                pd.DataFrame(second[columns]).reset_index(drop=True),
            )


def test_months_without_records_of_the_view_are_zeros_in_its_trend(gazetteer):
    """The Philippines had approvals in 4 of the 10 months DoFE gives for 2079/80: the chart's
    axis held only those 4, as if the months ran on without a gap."""
    from routes.datasets import DOFE_ID

    dofe = read_builtin_records(gazetteer, DOFE_ID)
    year = dofe[(dofe["fiscal_year"] == "2079/80") & (dofe["destination_id"] == "country:PHL")]
    by_month = year.groupby("period_label", observed=True)["count"].sum()
    state = FilterState(fiscal_year="2079/80", destination_countries=("country:PHL",))
    trend = compute_view(gazetteer, dofe, state, corridors=False).trend
    months = dofe.loc[dofe["fiscal_year"] == "2079/80"].sort_values("period_start")
    assert trend["month"].astype(str).tolist() == months["period_label"].unique().tolist()
    assert len(trend) == 10 and len(by_month) == 4
    counts = dict(zip(trend["month"].astype(str), trend["count"], strict=True))
    assert all(counts[month] == by_month.get(month, 0) for month in counts)
    assert sum(value == 0 for value in counts.values()) == 6


def test_corridors_say_how_many_they_leave_out_for_an_unplaced_transit(gazetteer):
    """Rows whose transit could not be placed fell out of the corridors (647 of 799) unsaid."""
    from routes.gazetteer import place_records
    from routes.schema import validate_records

    frame = pd.DataFrame(
        {
            "origin": ["Jhapa", "Morang", "Kailali"],
            "destination": ["Kuwait", "Qatar", "India"],
            "transit": ["Erewhon Transit Camp", "New Delhi", None],
            "count": [152, 400, 247],
            "period": ["Magh 2079"] * 3,
        }
    )
    records = place_records(gazetteer, validate_records(frame).records).records
    view = compute_view(gazetteer, records, FilterState())
    assert view.flows_total == 799
    assert int(view.corridors["count"].sum()) == 647
    assert view.unplaced_transit == 152
    assert compute_view(gazetteer, records, FilterState(), corridors=False).unplaced_transit == 0


def _survey(gazetteer):
    """A union's survey of three districts, placed as an upload is."""
    from routes.io import read_table
    from routes.mapping import prepare_import, propose_mapping

    data = (
        b"origin,destination,count,sex\nJhapa,Qatar,5,male\nKaski,Malaysia,4,female\n"
        b"Morang,Kuwait,3,male\n"
    )
    read = read_table(data, "survey.csv")
    mapping = propose_mapping(read.frame, gazetteer)
    return prepare_import(read.frame, mapping, gazetteer, file_name="survey.csv").records


def test_districts_a_survey_never_names_are_left_out_not_counted_zero(gazetteer):
    """A survey of three districts listed the other 74 as 0 in the district table and its
    file; a district it names but whose records a filter leaves out still reads 0."""
    survey = _survey(gazetteer)
    view = compute_view(gazetteer, survey, FilterState())
    assert dict(zip(view.districts["name"], view.districts["count"], strict=True)) == {
        "Jhapa": 5,
        "Kaski": 4,
        "Morang": 3,
    }
    assert len(view.unrecorded_districts) == 74
    assert "district:Humla" in view.unrecorded_districts
    assert not {"district:Jhapa", "district:Kaski"} & set(view.unrecorded_districts)
    women = compute_view(gazetteer, survey, FilterState(sexes=("female",)))
    assert women.districts.set_index("name")["count"].to_dict() == {
        "Jhapa": 0,
        "Kaski": 4,
        "Morang": 0,
    }
    # Under a province filter, only that province's districts are said to be missing.
    koshi = compute_view(gazetteer, survey, FilterState(origin_provinces=("Koshi",)))
    assert sorted(koshi.districts["name"]) == ["Jhapa", "Morang"]
    assert len(koshi.unrecorded_districts) == 14 - 2
    # DoFE's table names every district each month: none is missing, zeros stay zeros.
    from routes.datasets import DOFE_ID

    dofe = compute_view(gazetteer, read_builtin_records(gazetteer, DOFE_ID), FilterState())
    assert dofe.unrecorded_districts == () and (dofe.districts["kind"] == "district").sum() == 77


def test_an_undivided_district_a_survey_names_stays_listed_under_a_filter(gazetteer):
    """A survey naming Nawalparasi (undivided) and never its halves: a month without its records
    dropped it from the table and called it, and its halves, "not in these data"."""
    from routes.io import read_table
    from routes.mapping import prepare_import, propose_mapping

    data = (
        b"origin,destination,count,period\nJhapa,Qatar,5,Poush 2079\n"
        b"Nawalparasi,Qatar,22,Magh 2079\nDhanusha,Kuwait,3,Magh 2079\n"
    )
    read = read_table(data, "survey.csv")
    mapping = propose_mapping(read.frame, gazetteer)
    survey = prepare_import(read.frame, mapping, gazetteer, file_name="survey.csv").records
    whole = compute_view(gazetteer, survey, FilterState())
    poush = compute_view(
        gazetteer, survey, FilterState(month_from="Poush 2079", month_to="Poush 2079")
    )
    for view, nawalparasi in ((whole, 22), (poush, 0)):
        listed = view.districts.set_index("name")["count"].to_dict()
        assert listed == {
            "Jhapa": 5,
            "Nawalparasi": nawalparasi,
            "Dhanusha": 3 if view is whole else 0,
        }
        assert len(view.unrecorded_districts) == 77 - 2 - 2  # nor the halves
        assert "district:Nawalparasi East" not in view.unrecorded_districts


def test_sankey_names_an_undivided_district_as_one_not_as_a_province(gazetteer, synthetic):
    """Records of the undivided Nawalparasi stood as "Nawalparasi" among the provinces of the
    diagram's first column (a walkthrough): it lies in Gandaki and Lumbini."""
    undivided = synthetic.head(50).assign(origin_id="former_district:Nawalparasi")
    both = pd.concat([synthetic.head(50), undivided], ignore_index=True)
    links = compute_sankey(gazetteer, compute_corridors(gazetteer, both))
    origins = set(links.loc[links["source"].str.endswith(" "), "source"])
    assert "Nawalparasi (undivided) " in origins
    assert "Nawalparasi " not in origins
