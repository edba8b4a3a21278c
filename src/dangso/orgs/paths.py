"""Materialised paths of the organisation tree: ``/<root id>/<child id>/…/<id>/``.

`Organisation.parent` is the truth; the path is derived from it by the reorganisation actions
and indexed for prefix queries. Every reading of a path goes through this module, so its
format lives in one place.
"""

from collections.abc import Iterable


def ids_of(path: str) -> list[int]:
    """The organisation ids on `path`, outermost first: "/1/7/42/" gives [1, 7, 42]."""
    return [int(part) for part in path.strip("/").split("/") if part]


def id_of(path: str) -> int:
    """The id of the organisation the path ends at."""
    return ids_of(path)[-1]


def depth_of(path: str) -> int:
    """The depth of an organisation from its path: "/1/" is 0, "/1/7/" is 1."""
    return path.count("/") - 2


def path_of(ids: Iterable[int]) -> str:
    """The path through `ids`, outermost first."""
    return "/" + "".join(f"{pk}/" for pk in ids)


def lineage(path: str) -> list[str]:
    """The paths of `path` and of every organisation above it, outermost first."""
    ids = ids_of(path)
    return [path_of(ids[: index + 1]) for index in range(len(ids))]


def ancestor_paths(path: str) -> list[str]:
    """The paths of the organisations above `path`, outermost first (not `path` itself)."""
    return lineage(path)[:-1]


def parent_path(path: str) -> str:
    """The path of the level above ("" at a root)."""
    above = ancestor_paths(path)
    return above[-1] if above else ""


def parent_id(path: str) -> int | None:
    ids = ids_of(path)
    return ids[-2] if len(ids) > 1 else None


def top_level_path(path: str) -> str:
    """The path of the committee directly under the root (a province or a committee directly
    under the Central Committee); the root's own path at the root."""
    ids = ids_of(path)
    return path_of(ids[:2])


def is_within(path: str, root: str) -> bool:
    """Whether `path` is `root` or lies under it."""
    return path.startswith(root)
