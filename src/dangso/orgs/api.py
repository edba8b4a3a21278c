"""Organisations API: the tree within the caller's scope (capability org.view)."""

import datetime

from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, P, QueryEx, Router, Schema

from dangso.accounts.api_auth import api_user, get_in_scope, scoped
from dangso.accounts.roles import Capability
from dangso.accounts.scope import scope_paths
from dangso.core.pagination import DEFAULT_LIMIT, MAX_LIMIT, cursor_page
from dangso.orgs.actions import TreeNode, tree_on
from dangso.orgs.choices import OrgKind, OrgStatus
from dangso.orgs.models import Organisation
from dangso.orgs.paths import id_of

router = Router()


class OrganisationOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    kind: OrgKind
    status: OrgStatus
    parent_id: int | None
    depth: int
    valid_from: datetime.date
    valid_to: datetime.date | None
    merged_into_id: int | None
    member_count: int = Field(description="Members on the roll recorded in this organisation.")


class OrganisationPage(Schema):
    items: list[OrganisationOut]
    next_cursor: str | None


class VersionOut(Schema):
    name: str
    short_name: str
    kind: OrgKind
    parent_id: int | None
    valid_from: datetime.date
    valid_to: datetime.date | None = Field(description="Exclusive; null for the current version.")
    reason: str


class OrganisationDetail(OrganisationOut):
    path: str = Field(description="Ids from the root, e.g. /1/7/42/.")
    subtree_member_count: int = Field(description="Members on the roll in the whole subtree.")
    versions: list[VersionOut]


class TreeNodeOut(Schema):
    id: int
    name: str
    short_name: str
    kind: OrgKind
    parent_id: int | None
    children: list["TreeNodeOut"]


TreeNodeOut.model_rebuild()


_PARENT = P(description="Only the direct children of this organisation.")
_LIMIT = P(ge=1, le=MAX_LIMIT, description=f"Page size, at most {MAX_LIMIT}.")
_ON = P(description="The tree as it stood on this date (YYYY-MM-DD); today when absent.")


@router.get("/", response=OrganisationPage)
def list_organisations(
    request: HttpRequest,
    kind: OrgKind | None = None,
    status: OrgStatus | None = None,
    parent: QueryEx[int | None, _PARENT] = None,
    cursor: str | None = None,
    limit: QueryEx[int, _LIMIT] = DEFAULT_LIMIT,
) -> dict:
    """Organisations in the caller's scope, in id order, a page at a time."""
    organisations = scoped(Organisation.objects.all(), api_user(request), Capability.ORG_VIEW)
    if kind:
        organisations = organisations.filter(kind=kind)
    if status:
        organisations = organisations.filter(status=status)
    if parent is not None:
        organisations = organisations.filter(parent_id=parent)
    return cursor_page(organisations, cursor=cursor, limit=limit)


def _prune(nodes: list[TreeNode], visible: set[int]) -> list[TreeNode]:
    kept = [node for node in nodes if node.id in visible]
    for node in kept:
        node.children = _prune(node.children, visible)
    return kept


@router.get("/tree", response=list[TreeNodeOut])
def organisation_tree(
    request: HttpRequest,
    on: QueryEx[datetime.date | None, _ON] = None,
) -> list[TreeNode]:
    """The nested tree of the caller's scope, as it stood on a date.

    An organisation that has since left the caller's scope is left out of past trees too.
    """
    user = api_user(request)
    visible_qs = scoped(Organisation.objects.all(), user, Capability.ORG_VIEW)
    roots = [id_of(path) for path in scope_paths(user, Capability.ORG_VIEW)]
    nodes = tree_on(on or timezone.localdate(), within=roots)
    return _prune(nodes, set(visible_qs.values_list("pk", flat=True)))


@router.get("/{int:org_id}", response=OrganisationDetail)
def get_organisation(request: HttpRequest, org_id: int) -> Organisation:
    """One organisation with its dated versions and the members of its whole subtree."""
    org = get_in_scope(
        Organisation.objects.all(), api_user(request), Capability.ORG_VIEW, pk=org_id
    )
    total = Organisation.objects.subtree(org).aggregate(total=Sum("member_count"))["total"]
    org.subtree_member_count = total or 0  # type: ignore[attr-defined]
    return org
