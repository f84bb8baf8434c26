"""One consistent view of every layer, with the spatial joins already applied to issues.

An issue's community and compound are read as stored (kept right on every write by
`yishi.services.assignment`); its nearest venue and linked members are derived here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import geopandas as gpd
import pandas as pd

from geo.joins import place
from geo.schema import MEMBERS
from yishi.storage import Store, Where


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


def _with_venue_and_members(issues: gpd.GeoDataFrame, communities: gpd.GeoDataFrame,
                            venues: gpd.GeoDataFrame, members: pd.DataFrame) -> gpd.GeoDataFrame:
    """Issues with their stored community and compound, and what is derived from them as
    `geo.joins.assign` derives it: the nearest venue and its distance, the sorted ids of the
    members linked to the community, and `unassigned` (no community)."""
    nearest = place(issues.geometry, communities=communities.iloc[:0], venues=venues)
    known = set(communities["community_id"].astype(str))
    linked = members[[MEMBERS.id_field, "linked_community_id"]].dropna()
    lists: dict[str, list[str]] = {}
    for member_id, community_id in linked.itertuples(index=False):
        if str(community_id) in known:
            lists.setdefault(str(community_id), []).append(str(member_id))
    for ids in lists.values():
        ids.sort()
    community = issues["community_id"]
    return issues.assign(
        venue_id=nearest["venue_id"], venue_distance_m=nearest["venue_distance_m"],
        # rows of one community share one list object, as `assign` gives them: read-only
        member_ids=pd.Series([lists.get(c) if isinstance(c, str) else None for c in community],
                             index=issues.index, dtype=object),
        unassigned=community.isna().to_numpy(dtype=bool))


@dataclass(frozen=True)
class Places:
    """The layers every snapshot of a revision shares: the outlines, the venues and compounds
    with the community they lie in, the members."""

    subdistrict: gpd.GeoDataFrame
    communities: gpd.GeoDataFrame
    compounds: gpd.GeoDataFrame
    venues: gpd.GeoDataFrame
    members: pd.DataFrame


def read_places(store: Store) -> Places:
    """The places of the store, with venues and compounds placed in their communities."""
    communities = store.load_layer("communities")
    compounds = store.load_layer("compounds")
    venues = store.load_layer("venues")
    return Places(subdistrict=store.load_layer("subdistrict"), communities=communities,
                  compounds=_with_place(compounds, compounds.representative_point(), communities, None),
                  venues=_with_place(venues, venues.geometry, communities, compounds),
                  members=store.load_layer("members"))


def take_snapshot(store: Store, *, include_private: bool = False, issues: Where | None = None,
                  places: Places | None = None) -> Snapshot:
    """Read every layer; each issue carries its stored community and compound, its nearest
    venue and linked members.

    Residents' personal fields are left out unless `include_private` (staff only).
    `issues`: only the issues it matches, with their meetings, timeline and ratings (the other
    layers whole): what a page about a few issues (one, or one community's) reads of a store
    too big to read whole. `places`: the store's places already read at this revision
    (`read_places`), shared instead of read and joined again.
    """
    def of_issues(name: str, private: bool = False) -> pd.DataFrame:
        if issues is None:
            return store.load_layer(name, include_private=private)
        where = issues if name == "issues" else Where(refers_to={"issue_id": ("issues", issues)})
        return store.select(name, where, include_private=private)

    places = places or read_places(store)
    placed = _with_venue_and_members(of_issues("issues", include_private), places.communities, places.venues,
                                     places.members)
    return Snapshot(
        revision=store.revision, today=store.today(),
        subdistrict=places.subdistrict, communities=places.communities, compounds=places.compounds,
        venues=places.venues, members=places.members, issues=placed,
        meetings=of_issues("meetings"), events=of_issues("issue_events"),
        ratings=of_issues("ratings").merge(placed[["issue_id", "community_id"]], on="issue_id", how="left"),
    )
