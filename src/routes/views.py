"""One view of the data: the filtered records and everything drawn or tabled from them.

Pages compute a view once per state and draw maps, tables, charts and panels from it, so the
filters apply to all of them alike.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from routes.filters import FilterState, filter_records, keep_top_flows
from routes.flows import (
    FlowTotals,
    compute_corridor_nodes,
    compute_corridors,
    compute_destination_table,
    compute_district_totals,
    compute_flow_totals,
    compute_flows,
    compute_legs,
    compute_nodes,
    compute_place_trend,
    records_touching,
)
from routes.gazetteer import Gazetteer
from routes.schema import COUNT


@dataclass(frozen=True)
class View:
    """What a page shows for one state.

    Attributes
    ----------
    records
        The filtered records (focus not applied).
    focused
        The filtered records that leave from, go to or pass through the focus (all when none).
    flows
        Origin -> destination flows of ``focused``, after top N and minimum volume.
    flows_before_top
        The same before top N and minimum volume, for "N of M shown".
    districts
        District totals; ``districts_focused`` says whether they follow the focus.
    corridors, legs, corridor_nodes
        Whole paths (all of them) and the legs and places of the drawn ones (top N).
    trend
        Volume per period of ``focused``.
    """

    records: pd.DataFrame
    focused: pd.DataFrame
    flows: gpd.GeoDataFrame
    flows_before_top: int
    nodes: gpd.GeoDataFrame
    districts: gpd.GeoDataFrame
    districts_focused: bool
    destination_table: pd.DataFrame
    corridors: pd.DataFrame
    legs: gpd.GeoDataFrame
    corridor_nodes: gpd.GeoDataFrame
    trend: pd.DataFrame
    totals: FlowTotals

    @property
    def flows_total(self) -> int:
        return int(self.flows["count"].sum())


def compute_view(gazetteer: Gazetteer, records: pd.DataFrame, state: FilterState) -> View:
    """Filter, focus, aggregate and bound what a page draws."""
    kept = filter_records(records, state)
    focused = records_touching(kept, state.focus) if state.focus else kept
    all_flows = compute_flows(gazetteer, focused, level=state.level)
    flows = keep_top_flows(all_flows, state)
    districts, districts_focused = _district_totals(gazetteer, kept, focused, state.focus)
    corridors = compute_corridors(gazetteer, focused, level=state.level)
    drawn = corridors.head(state.top_n) if state.top_n else corridors
    if state.min_count:
        drawn = drawn[drawn["count"] >= state.min_count]
    return View(
        records=kept,
        focused=focused,
        flows=flows,
        flows_before_top=len(all_flows),
        nodes=compute_nodes(gazetteer, flows),
        districts=districts,
        districts_focused=districts_focused,
        destination_table=compute_destination_table(flows),
        corridors=corridors,
        legs=compute_legs(gazetteer, drawn),
        corridor_nodes=compute_corridor_nodes(gazetteer, drawn),
        trend=compute_place_trend(focused),
        totals=compute_flow_totals(focused, all_flows),
    )


def _district_totals(
    gazetteer: Gazetteer, kept: pd.DataFrame, focused: pd.DataFrame, focus: str
) -> tuple[gpd.GeoDataFrame, bool]:
    """District shading follows the focus when the data link districts to it; DoFE's district
    table says nothing of destinations, so a destination focus leaves the shading unfocused."""
    if focus:
        totals = compute_district_totals(gazetteer, focused)
        if totals[COUNT].sum() > 0:
            return totals, True
    return compute_district_totals(gazetteer, kept), not focus
