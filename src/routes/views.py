"""One view of the data: everything drawn or tabled for one state, from the engine's totals.

Pages compute a view once per state and draw maps, tables, charts and panels from it, so the
filters apply to all of them alike. The records themselves stay in the engine; a view holds only
totals, which are bounded by places and periods, not by the record count.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from routes.engine import Aggregates, RecordTable, aggregate
from routes.filters import FilterState, keep_top_flows
from routes.flows import (
    FlowTotals,
    add_flow_geometry,
    add_node_geometry,
    compute_corridor_nodes,
    compute_corridors,
    compute_district_totals,
    compute_flow_totals,
    compute_flows,
    compute_legs,
    compute_nodes,
    compute_place_trend,
    compute_sankey,
    not_recorded_apart,
    origin_outlines,
    unplaced_transit_total,
)
from routes.gazetteer import DISTRICT, FORMER_DISTRICT, NEPAL_ID, Gazetteer
from routes.privacy import (
    SuppressedCorridorView,
    pins_a_count,
    rank_corridors_as_shown,
    small_total,
    suppress_corridor_view,
    suppress_counts,
    suppress_flow_view,
    suppression_notice,
)
from routes.schema import COUNT, DESTINATION_ID, ORIGIN_ID, TRANSIT, TRANSIT_IDS


@dataclass(frozen=True)
class View:
    """What a page shows for one state.

    Attributes
    ----------
    state
        The state the view was computed for.
    flows
        Origin -> destination flows of the focused records, after top N and minimum volume.
    flows_before_top
        How many flows there were before top N and minimum volume, for "N of M shown".
    nodes
        The places the drawn flows join, with what arrives and leaves.
    districts
        District totals; ``districts_focused`` says whether they follow the focus. With
        restricted data, the flows' own origins: districts, or at the province level the
        provinces and the undivided former districts, whose flows start from them.
    corridors, legs, corridor_nodes
        Whole paths (all of them) and the legs and places of the drawn ones (top N).
    sankey
        The corridors' links origin province -> first transit place -> destination.
    trend
        Volume per period of the focused records.
    totals
        How the focused records split into flows, unknown destinations and unplaced rows.
    unplaced_transit
        The count of the focused records the corridors leave out because a transit place of
        theirs was left unplaced (0 when no corridors are asked for).
    months_withheld
        True when a restricted view's months are left out (``trend`` empty): with the totals
        the view shows they would give a small count away (see :func:`_months_withheld`).
    corridors_drawn
        How many of ``corridors`` (the leading ones) the map draws: top N and the minimum
        volume cut the rest.
    k
        The suppression threshold when restricted data is in the view, else None.
    national_origins
        True when every flow of the view (not only the drawn ones) starts from Nepal as a
        whole: the records name no district or province, so the origin level changes nothing.
    not_recorded_apart
        The districts split in 2015 that the view's records do not name apart, left out of
        ``districts`` for their undivided district (see
        :func:`routes.flows.not_recorded_apart`), as (district, undivided district) names,
        those the origin filters keep.
    unrecorded_districts
        The place ids of the districts no record of the chosen datasets names (a survey of
        three districts says nothing of the other 74), left out of ``districts`` rather than
        counted 0; those the origin filters keep, none under a focus the districts follow.
    """

    state: FilterState
    flows: gpd.GeoDataFrame
    flows_before_top: int
    nodes: gpd.GeoDataFrame
    districts: gpd.GeoDataFrame
    districts_focused: bool
    destination_table: pd.DataFrame
    corridors: pd.DataFrame
    legs: gpd.GeoDataFrame
    corridor_nodes: gpd.GeoDataFrame
    sankey: pd.DataFrame
    trend: pd.DataFrame
    totals: FlowTotals
    flows_total_label: str = ""
    corridors_total_label: str = ""
    k: int | None = None
    suppressed_cells: int = 0
    national_origins: bool = False
    unplaced_transit: int = 0
    months_withheld: bool = False
    corridors_drawn: int = 0
    not_recorded_apart: tuple[tuple[str, str], ...] = ()
    unrecorded_districts: tuple[str, ...] = ()

    @property
    def flows_total(self) -> int:
        return int(self.flows["count"].sum())

    @property
    def notice(self) -> str | None:
        """The suppression notice when restricted data is in the view."""
        return suppression_notice(self.k) if self.k is not None else None


def compute_view(
    gazetteer: Gazetteer,
    source: RecordTable | pd.DataFrame,
    state: FilterState,
    k: int | None = None,
    corridors: bool = True,
) -> View:
    """Filter, focus, aggregate, suppress and bound what a page draws.

    Parameters
    ----------
    source
        The placed records, as the engine's Arrow table (or a frame, converted).
    k
        The small-cell threshold when restricted data is in the view; None shows counts as
        published. Suppression runs over every flow and corridor before top N keeps the largest,
        so the totals shown are those of the whole view.
    corridors
        False leaves the corridors, legs and their places empty (a flow page draws none).
    """
    if isinstance(source, pd.DataFrame):
        source = RecordTable.from_frame(source)
    return compute_view_from(gazetteer, aggregate(source, state, paths=corridors), state, k)


def compute_view_from(
    gazetteer: Gazetteer, totals: Aggregates, state: FilterState, k: int | None = None
) -> View:
    """The view of a state from the engine's totals (see :func:`compute_view`)."""
    all_flows = compute_flows(gazetteer, totals.pairs, level=state.level, geometry=False)
    flow_view = suppress_flow_view(
        all_flows, compute_nodes(gazetteer, all_flows, geometry=False), k
    )
    # Arcs and points only for what is drawn: the top flows and their places.
    flows = add_flow_geometry(gazetteer, keep_top_flows(flow_view.flows, state))
    drawn_places = set(flows["origin_id"].tolist()) | set(flows["destination_id"].tolist())
    drawn = np.array([pid in drawn_places for pid in flow_view.nodes["place_id"].tolist()], bool)
    nodes = add_node_geometry(gazetteer, flow_view.nodes[drawn])
    apart: tuple[tuple[str, str], ...] = ()
    unrecorded: tuple[str, ...] = ()
    if k is None:
        # Which districts the data name apart, whatever part of them the origin filters keep:
        # under a Gandaki filter, "Nawalparasi East 0" stood for the undivided rows it left out.
        named = totals.named_origins
        split = not_recorded_apart(
            gazetteer, dict(zip(named[ORIGIN_ID].tolist(), named[COUNT].tolist(), strict=True))
        )
        covered = covered_districts(gazetteer, totals.origins_in_data)
        # An undivided district the data name and neither of its halves, ever: its halves are
        # not recorded apart whatever the filters, and it is listed, at 0 where they leave none
        # of its records (a survey's Nawalparasi was called "not in these data" in Poush).
        halves = {**not_recorded_apart(gazetteer, dict.fromkeys(covered or (), 1)), **split}
        districts, districts_focused = _district_totals(
            gazetteer, totals, state.focus, halves, covered
        )
        # Said where they would have read 0: under a focus the shading follows, a district
        # without records in it is not listed at all (see _within_origins).
        if not (state.focus and districts_focused):
            apart = _kept_names(gazetteer, split, state)
            unrecorded = _unrecorded(gazetteer, covered, halves, state)
        districts = _within_origins(districts, state, districts_focused)
        districts = suppress_counts(districts, None, hidden_last=False).frame
    else:
        # Restricted: the origin areas are the flows' own origin margins, protected with the
        # flows as one table, so no area's total can be set against the flows to reveal a
        # hidden cell (no district is protected as such when the flows start from provinces).
        districts = _origins_from_flow_margins(gazetteer, flow_view.nodes, state.level)
        districts_focused = True
    corridor_view, corridors_total, corridors_drawn = _corridor_view(
        gazetteer, totals.paths, state, k
    )
    raw_months = compute_place_trend(totals.trend)
    months = suppress_counts(raw_months, k, hidden_last=False)
    trend = months.frame
    # The months stand beside the page's own total: the corridors' on a corridors page (which
    # shows no flows' total), else the flows'.
    beside = (
        (corridors_total, corridor_view.total_label)
        if totals.paths is not None
        else (int(all_flows[COUNT].sum()), flow_view.total_label)
    )
    months_withheld = k is not None and _months_withheld(
        trend, int(raw_months[COUNT].sum()), months.total_label, k, *beside
    )
    return View(
        state=state,
        flows=flows,
        flows_before_top=len(all_flows),
        nodes=nodes,
        districts=districts,
        districts_focused=districts_focused,
        # Every destination: cut to the top N destinations, the table named Saudi Arabia and
        # Japan beside a map whose top 5 flows went to South Korea instead (a walkthrough).
        destination_table=flow_view.destination_table,
        corridors=corridor_view.corridors,
        legs=corridor_view.legs,
        corridor_nodes=corridor_view.nodes,
        sankey=compute_sankey(gazetteer, corridor_view.corridors),
        trend=trend.iloc[0:0] if months_withheld else trend,
        months_withheld=months_withheld,
        not_recorded_apart=apart,
        unrecorded_districts=unrecorded,
        totals=compute_flow_totals(totals.pairs, all_flows),
        flows_total_label=flow_view.total_label,
        corridors_total_label=corridor_view.total_label,
        corridors_drawn=corridors_drawn,
        k=k,
        suppressed_cells=flow_view.primary + flow_view.complementary,
        national_origins=bool(len(all_flows)) and bool((all_flows[ORIGIN_ID] == NEPAL_ID).all()),
        unplaced_transit=unplaced_transit_total(totals.paths) if totals.paths is not None else 0,
    )


def _months_withheld(
    trend: pd.DataFrame, months_total: int, own_label: str, k: int, total: int, label: str
) -> bool:
    """Whether a restricted view's months are left out. They are protected on their own
    against their sum, and the page shows its total too (``total``, shown as ``label``): nine
    months of "<10" beside the flows' total of "<10" are 1 each (a security review). So they
    are left out where they count other records than that total does (records with a transit
    place left unplaced: the two roundings bounded their number to 1), beside a total too
    small for them, decided from the total as shown (:func:`routes.privacy.small_total`), and,
    beside a larger one, where their labels would still pin a count."""
    if not len(trend):
        return False
    if months_total != total:
        return True
    shown_as = [own_label, label]
    if small_total(shown_as, len(trend), k):
        return True
    return pins_a_count(trend["count_label"].astype(str).tolist(), shown_as, k)


def _corridor_view(
    gazetteer: Gazetteer, paths: pd.DataFrame | None, state: FilterState, k: int | None
) -> tuple[SuppressedCorridorView, int, int]:
    """Corridors ranked, and the legs and places of the drawn ones, the corridors' total (as
    counted, not as shown), and how many are drawn; empty without paths."""
    if paths is None:
        return _no_corridors(gazetteer), 0, 0
    corridors = compute_corridors(gazetteer, paths, level=state.level)
    total = int(corridors[COUNT].sum())
    # Corridors come in the order they are shown (largest first; with restricted data by the
    # counts as shown), so the drawn ones are the leading ones (the suppression relies on that:
    # see suppress_corridor_view's ``drawn``), chosen by what the view shows of them.
    ranked = rank_corridors_as_shown(corridors, k)
    drawn = ranked.frame.iloc[: len(keep_top_flows(ranked.shown.to_frame(COUNT), state))]
    suppressed = suppress_corridor_view(
        ranked.frame,
        compute_legs(gazetteer, drawn),
        compute_corridor_nodes(gazetteer, drawn),
        k,
        drawn=len(drawn),
        ranked=ranked,
    )
    return suppressed, total, len(drawn)


_NO_CORRIDORS: dict[int, tuple[Gazetteer, SuppressedCorridorView]] = {}


def _no_corridors(gazetteer: Gazetteer) -> SuppressedCorridorView:
    """The empty corridor view (same columns as a full one), made once: a flow page draws no
    corridors, and building empty frames costs as much as small ones."""
    cached = _NO_CORRIDORS.get(id(gazetteer))
    if cached is None or cached[0] is not gazetteer:
        paths = pd.DataFrame(
            {name: pd.Series(dtype="string") for name in (ORIGIN_ID, TRANSIT, TRANSIT_IDS)}
        ).assign(**{DESTINATION_ID: pd.Series(dtype="string"), COUNT: pd.Series(dtype="int64")})
        cached = (gazetteer, _corridor_view(gazetteer, paths, FilterState(), None)[0])
        _NO_CORRIDORS[id(gazetteer)] = cached
    return cached[1]


def _origins_from_flow_margins(
    gazetteer: Gazetteer, nodes: pd.DataFrame, level: str
) -> gpd.GeoDataFrame:
    """The flows' origin areas with their margins (see :func:`origin_outlines`)."""
    margins = nodes.set_index("place_id")
    outlines = origin_outlines(gazetteer, level)
    ids = outlines["place_id"]
    hidden = ids.map(margins["count_out_suppressed"]).eq(True)  # none: shown
    counts = ids.map(margins["count_out"]).astype("Int64").fillna(0).mask(hidden)
    labels = ids.map(margins["count_out_label"]).fillna("0")
    # Only the flows' origins: a restricted view shows no count below its threshold, 0 included
    # ("Rautahat 0" stood among rows of "<10"), as its destinations list only those with flows.
    kept = (hidden | (counts.fillna(0) > 0)).to_numpy(dtype=bool)
    frame = outlines.assign(**{COUNT: counts, "count_label": labels, "suppressed": hidden})
    return frame[kept]


def kept_by_origin_filters(areas: pd.DataFrame, state: FilterState) -> np.ndarray:
    """Which areas (``place_id``, ``province``) a state's origin district and province filters
    keep, as they keep records: an undivided former district lies in no one province."""
    keep = np.ones(len(areas), dtype=bool)
    if state.origin_districts:
        keep &= areas["place_id"].isin(state.origin_districts).to_numpy(dtype=bool)
    if state.origin_provinces:
        keep &= areas["province"].isin(state.origin_provinces).to_numpy(dtype=bool)
    return keep


def _within_origins(
    districts: gpd.GeoDataFrame, state: FilterState, focused: bool
) -> gpd.GeoDataFrame:
    """The districts of a view: those its origin filters keep (under a Madhesh filter the other
    69 read 0, "Achham 0"), and under a focus the shading follows, those with records (under a
    focus on Dhanusha, "Bara 0" beside its 12,662 approvals), in the table, on the map and in
    the export. A focus keeps every district whose records touch it: one whose people pass
    through the focused district stays."""
    keep = kept_by_origin_filters(districts, state)
    if state.focus and focused:
        keep &= (districts[COUNT] != 0).to_numpy(dtype=bool)
    return districts if keep.all() else districts[keep]


def _kept_names(
    gazetteer: Gazetteer, split: Mapping[str, str], state: FilterState
) -> tuple[tuple[str, str], ...]:
    """The districts not recorded apart (see :func:`not_recorded_apart`) that the origin
    filters keep, as (district, undivided district) names."""
    if not split:
        return ()
    places = gazetteer.places.set_index("place_id", drop=False).loc[list(split)]
    kept = places["place_id"][kept_by_origin_filters(places, state)]
    return tuple((gazetteer.name_of(part), gazetteer.name_of(split[part])) for part in kept)


def covered_districts(gazetteer: Gazetteer, named: frozenset[str]) -> frozenset[str] | None:
    """The districts and undivided districts the data name (``named``: see
    :attr:`routes.engine.RecordTable.origins_named`), or None when they name none: then the
    view says its districts are not recorded at all (DoFE's destination table)."""
    kinds = (DISTRICT, FORMER_DISTRICT)
    covered = frozenset(pid for pid in named if gazetteer.kinds.get(pid) in kinds)
    return covered or None


def _unrecorded(
    gazetteer: Gazetteer,
    covered: frozenset[str] | None,
    split: Mapping[str, str],
    state: FilterState,
) -> tuple[str, ...]:
    """The districts the data never name (see :attr:`View.unrecorded_districts`), but the
    halves the split note speaks for, by name."""
    if covered is None:
        return ()
    # From the kinds' plain dict, not the places' frame: a frame's filters cost 8 ms a view.
    missing = [
        pid
        for pid, kind in gazetteer.kinds.items()
        if kind == DISTRICT and pid not in covered and pid not in split
    ]
    if not missing:
        return ()
    areas = pd.DataFrame(
        {"place_id": missing, "province": [gazetteer.places.at[pid, "province"] for pid in missing]}
    )
    kept = areas["place_id"][kept_by_origin_filters(areas, state)].tolist()
    return tuple(sorted(kept, key=gazetteer.name_of))


def _district_totals(
    gazetteer: Gazetteer,
    totals: Aggregates,
    focus: str,
    apart: Mapping[str, str],
    covered: frozenset[str] | None = None,
) -> tuple[gpd.GeoDataFrame, bool]:
    """District shading follows the focus when the data link districts to it; DoFE's district
    table says nothing of destinations, so a destination focus leaves the shading unfocused.
    ``apart``: the districts the data do not name apart from their undivided district;
    ``covered``: the districts they name at all (see :func:`covered_districts`)."""
    if focus:
        focused = compute_district_totals(gazetteer, totals.focused_origins, apart, covered)
        if focused[COUNT].sum() > 0:
            return focused, True
    return compute_district_totals(gazetteer, totals.origins, apart, covered), not focus


def flows_cut(view: View, corridors: bool = False) -> tuple[str, ...]:
    """The filters that leave out some of the view's flows (a corridors page's corridors):
    ``top_n`` where it was reached, else ``min_count``; none when all are drawn. Only those
    are named on maps and in files ("Top flows: 200" headed a map of all 80 destinations, and
    one cut by a minimum volume alone)."""
    drawn, every = (
        (view.corridors_drawn, len(view.corridors))
        if corridors
        else (len(view.flows), view.flows_before_top)
    )
    if drawn >= every:
        return ()
    top = view.state.top_n
    return ("top_n",) if top and drawn >= top else ("min_count",)
