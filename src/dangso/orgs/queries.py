"""The organisation tree as pages show it: nested nodes with the members of each subtree.

Two queries whatever the size: one for the nodes shown (down to a few levels below the roots),
one of (path, member_count) for every organisation under them; each count is added to every
shown node on its path, so no node is ever counted with a query of its own.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Greatest, StrIndex, Substr

from dangso.core.text import fold
from dangso.orgs.actions import TreeNode, tree_on
from dangso.orgs.choices import CELL_KINDS, OrgKind
from dangso.orgs.models import Organisation
from dangso.orgs.paths import depth_of, id_of, ids_of


@dataclass
class OrgNode:
    id: int
    name: str
    kind: str
    code: str = ""
    members: int | None = None
    is_linked: bool = True
    is_cut: bool = False  # deeper organisations exist but are not shown
    children: list["OrgNode"] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return str(OrgKind(self.kind).label) if self.kind in OrgKind.values else self.kind


def child_segment(path_field: str, root_path: str) -> Any:
    """An expression: the id of the child of `root_path` that the path in `path_field` lies
    under, as text ("" for the root itself), so a subtree's rows group by child unit in SQL."""
    rest = Substr(path_field, len(root_path) + 1)
    return Substr(rest, 1, Greatest(StrIndex(rest, Value("/")) - 1, Value(0)))


def under(paths: Sequence[str]) -> Q:
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(path__startswith=path)
    return condition


def current_tree(
    organisations: QuerySet[Organisation], root_paths: Sequence[str], *, levels: int
) -> list[OrgNode]:
    """The (already restricted) organisations under `root_paths`, `levels` deep below each."""
    if not root_paths:
        return []
    shown = Q(pk__in=[])
    for path in root_paths:
        shown |= Q(path__startswith=path, depth__lte=depth_of(path) + levels)
    rows = (
        organisations.filter(shown)
        .order_by("depth", "code")
        .values_list("pk", "name", "kind", "code", "depth", "parent_id")
    )
    nodes: dict[int, OrgNode] = {}
    roots: list[OrgNode] = []
    deepest = {id_of(path): depth_of(path) + levels for path in root_paths}
    limit_of: dict[int, int] = {}
    for pk, name, kind, code, depth, parent_id in rows:
        node = OrgNode(pk, name, kind, code, members=0)
        parent = nodes.get(parent_id) if parent_id else None
        if parent is None:
            roots.append(node)
            limit_of[pk] = deepest.get(pk, depth + levels)
        else:
            parent.children.append(node)
            limit_of[pk] = limit_of[parent_id]
        node.is_cut = depth >= limit_of[pk] and kind not in CELL_KINDS
        nodes[pk] = node
    counted = (
        organisations.filter(under(root_paths), member_count__gt=0)
        .order_by()
        .values_list("path", "member_count")
    )
    for path, count in counted:
        for pk in ids_of(path):
            shown_node = nodes.get(pk)
            if shown_node is not None:
                shown_node.members = (shown_node.members or 0) + count
    return roots


def predecessors(ids: Iterable[int], *, rounds: int = 5) -> set[int]:
    """Organisations merged (directly or through earlier merges) into those of `ids`.

    Their paths lie outside the successor's subtree, so `restrict()` cannot find them; the
    history of a merged organisation belongs to whoever now holds its successor.
    """
    found: set[int] = set()
    frontier = set(ids)
    for _round in range(rounds):
        frontier = (
            set(Organisation.objects.filter(merged_into__in=frontier).values_list("pk", flat=True))
            - found
        )
        if not frontier:
            break
        found |= frontier
    return found


def historical_tree(
    day: datetime.date, within: Sequence[int], linkable: QuerySet[Organisation], *, levels: int
) -> list[OrgNode]:
    """`tree_on(day)` under `within`, `levels` deep, as nodes; those in `linkable` are linked."""
    roots = tree_on(day, within=within)
    shown: list[int] = []

    def collect(node: TreeNode, level: int) -> None:
        shown.append(node.id)
        if level < levels:
            for child in node.children:
                collect(child, level + 1)

    for root in roots:
        collect(root, 0)
    linked = set(linkable.filter(pk__in=shown).values_list("pk", flat=True))

    def convert(node: TreeNode, level: int) -> OrgNode:
        converted = OrgNode(node.id, node.name, node.kind, is_linked=node.id in linked)
        if level < levels:
            children = sorted(node.children, key=lambda child: fold(child.name))
            converted.children = [convert(child, level + 1) for child in children]
        else:
            converted.is_cut = bool(node.children)
        return converted

    return [convert(root, 0) for root in sorted(roots, key=lambda root: fold(root.name))]
