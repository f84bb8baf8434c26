"""One consistent view of every layer, with the spatial joins already applied to issues."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import geopandas as gpd
import pandas as pd

from geo.joins import OUTPUT_COLUMNS, place
from yishi.storage import Store


@dataclass(frozen=True)
class Snapshot:
    """Every layer as read at one store revision; issues carry their derived assignment."""

    revision: int
    today: date
    subdistrict: gpd.GeoDataFrame
    communities: gpd.GeoDataFrame
    compounds: gpd.GeoDataFrame
    venues: gpd.GeoDataFrame
    members: pd.DataFrame
    issues: gpd.GeoDataFrame
    meetings: pd.DataFrame
    events: pd.DataFrame
    #: Residents' ratings, each with its issue's community_id (see `geo.stats.ratings_summary`).
    ratings: pd.DataFrame

    def layers(self) -> dict[str, pd.DataFrame]:
        return {"subdistrict": self.subdistrict, "communities": self.communities,
                "compounds": self.compounds, "venues": self.venues, "members": self.members,
                "issues": self.issues, "meetings": self.meetings, "issue_events": self.events}


def _with_place(frame: gpd.GeoDataFrame, points: gpd.GeoSeries, communities: gpd.GeoDataFrame,
                compounds: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    """`frame` with the community (and compound) its points fall in (`geo.joins.place`)."""
    placed = place(points, communities=communities, compounds=compounds)
    columns = ("community_id", "compound_id") if compounds is not None else ("community_id",)
    return frame.assign(**{name: placed[name].to_numpy() for name in columns})


def take_snapshot(store: Store, *, include_private: bool = False) -> Snapshot:
    """Read every layer and assign each issue to its community, compound, venue and members.

    Residents' personal fields are left out unless `include_private` (staff only).
    """
    communities = store.load_layer("communities")
    compounds = store.load_layer("compounds")
    venues = store.load_layer("venues")
    members = store.load_layer("members")
    issues = store.load_layer("issues", include_private=include_private)
    # every issue gets its place columns, also in a store without communities (all unassigned)
    placed = place(issues, communities=communities, compounds=compounds, venues=venues,
                   members=members)
    issues = issues.assign(**{name: placed[name] for name in OUTPUT_COLUMNS})
    venues = _with_place(venues, venues.geometry, communities, compounds)
    compounds = _with_place(compounds, compounds.representative_point(), communities, None)
    return Snapshot(
        revision=store.revision, today=store.today(),
        subdistrict=store.load_layer("subdistrict"), communities=communities,
        compounds=compounds, venues=venues, members=members, issues=issues,
        meetings=store.load_layer("meetings"), events=store.load_layer("issue_events"),
        ratings=store.load_layer("ratings").merge(issues[["issue_id", "community_id"]],
                                                  on="issue_id", how="left"),
    )
