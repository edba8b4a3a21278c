"""The tree as it stood on a date, as materialised paths ("/1/7/42/"), from the dated versions.

Records kept per period (reports, statistics) store the path an organisation had in that
period, so that a later merge or move does not rewrite them: aggregating "under the province
in the first quarter" is then one prefix query on that stored path. These helpers compute
those paths from `OrganisationVersion`, in one query for a whole tree.
"""

import datetime
from collections.abc import Iterable

from dangso.orgs.models import Organisation, OrganisationVersion


def parents_on(day: datetime.date) -> dict[int, tuple[int | None, str]]:
    """{organisation id: (parent id, kind)} of every organisation that existed on `day`."""
    rows = OrganisationVersion.objects.on(day).values_list("organisation_id", "parent_id", "kind")
    return {
        org_id: (parent_id, kind) for org_id, parent_id, kind in rows.iterator(chunk_size=20_000)
    }


def build_paths(parents: dict[int, tuple[int | None, str]]) -> dict[int, str]:
    """Paths from a {id: (parent id, kind)} map. An organisation whose parent did not exist
    that day (a broken history) roots its own branch rather than being lost."""
    paths: dict[int, str] = {}
    for start in parents:
        if start in paths:
            continue
        chain: list[int] = []
        node: int | None = start
        while node is not None and node not in paths and node in parents:
            if node in chain:  # a cycle in bad data: cut it here
                break
            chain.append(node)
            node = parents[node][0]
        prefix = paths.get(node, "/") if node is not None else "/"
        for org_id in reversed(chain):
            prefix = f"{prefix}{org_id}/"
            paths[org_id] = prefix
    return paths


def paths_on(day: datetime.date, within_path: str | None = None) -> dict[int, str]:
    """{organisation id: path on `day`} for the organisations that existed on `day`, limited
    to the subtree whose path on that day starts with `within_path` when it is given."""
    paths = build_paths(parents_on(day))
    if within_path is None:
        return paths
    return {org_id: path for org_id, path in paths.items() if path.startswith(within_path)}


def kinds_and_paths_on(
    day: datetime.date, kinds: Iterable[str], within_path: str
) -> dict[int, str]:
    """{id: path on `day`} of the organisations of `kinds` under `within_path` on that day."""
    wanted = set(kinds)
    parents = parents_on(day)
    paths = build_paths(parents)
    return {
        org_id: path
        for org_id, path in paths.items()
        if parents[org_id][1] in wanted and path.startswith(within_path)
    }


def path_on(organisation: Organisation, day: datetime.date) -> str | None:
    """The path `organisation` had on `day`, or None when it did not exist then.

    Usually one query: when the organisation and its present ancestors all stood where they
    stand now on `day`, the present path is the answer. Otherwise it climbs the dated parents,
    one query a level (four levels in the Party tree).
    """
    chain = [*organisation.ancestor_ids(), organisation.pk]
    versions = dict(
        OrganisationVersion.objects.on(day)
        .filter(organisation_id__in=chain)
        .values_list("organisation_id", "parent_id")
    )
    expected_parents = [None, *chain[:-1]]
    if all(
        versions.get(org_id, -1) == parent
        for org_id, parent in zip(chain, expected_parents, strict=True)
    ):
        return organisation.path
    if organisation.pk not in versions:
        return None
    ids = [organisation.pk]
    parent: int | None = versions[organisation.pk]
    while parent is not None and len(ids) < 64:
        ids.append(parent)
        parent = (
            OrganisationVersion.objects.on(day)
            .filter(organisation_id=parent)
            .values_list("parent_id", flat=True)
            .first()
        )
    return "/" + "/".join(str(org_id) for org_id in reversed(ids)) + "/"
