"""Reorganisation actions: each atomic, audited, and dated in `OrganisationVersion`."""

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Sum, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from dangso.core import audit
from dangso.core.audit import Actor
from dangso.core.dates import format_date
from dangso.core.text import clean_spaces, nfc
from dangso.orgs.choices import OrgKind, OrgStatus
from dangso.orgs.models import Organisation, OrganisationVersion, Term

# Apps above `orgs` that hold records of an organisation register here how those records
# follow a merge (members, role assignments, …). Called inside the merge transaction.
MergeFollower = Callable[[Sequence[Organisation], Organisation, datetime.date, Actor], None]
_merge_followers: list[MergeFollower] = []


# Kept-up counts above `orgs` learn of a subtree move: (moved organisation, old parent, new).
MoveFollower = Callable[[Organisation, int | None, int], None]
_move_followers: list[MoveFollower] = []


def follow_moves(follower: MoveFollower) -> MoveFollower:
    if follower not in _move_followers:
        _move_followers.append(follower)
    return follower


def follow_merges(follower: MergeFollower) -> MergeFollower:
    if follower not in _merge_followers:
        _merge_followers.append(follower)
    return follower


def _open_version(org: Organisation, on: datetime.date, reason: str) -> None:
    OrganisationVersion.objects.create(
        organisation=org,
        name=org.name,
        short_name=org.short_name,
        kind=org.kind,
        parent_id=org.parent_id,
        valid_from=on,
        reason=reason,
    )


def _close_version(org: Organisation, on: datetime.date) -> None:
    current = OrganisationVersion.objects.select_for_update().get(
        organisation=org, valid_to__isnull=True
    )
    if on < current.valid_from:
        raise ValidationError(
            _("The date %(on)s is before the organisation's last change (%(since)s).")
            % {"on": on.strftime("%d/%m/%Y"), "since": current.valid_from.strftime("%d/%m/%Y")},
            code="date_before_last_change",
        )
    if on == current.valid_from:
        current.delete()  # a second change on the same day replaces the first
    else:
        current.valid_to = on
        current.save(update_fields=["valid_to"])


def _require_active(org: Organisation) -> None:
    if not org.is_active:
        raise ValidationError(
            _("%(org)s is no longer active.") % {"org": org.name}, code="inactive_organisation"
        )


@transaction.atomic
def create_organisation(
    *,
    code: str,
    name: str,
    kind: str,
    parent: Organisation | None,
    valid_from: datetime.date,
    actor: Actor,
    short_name: str = "",
) -> Organisation:
    if parent is None and kind != OrgKind.CENTRAL:
        raise ValidationError(_("Only the Central Committee has no parent."), code="no_parent")
    if parent is not None:
        _require_active(parent)
        if parent.is_cell:
            raise ValidationError(
                _("A Party cell cannot contain other organisations."), code="cell_parent"
            )
    if Organisation.objects.filter(code=code).exists():
        raise ValidationError(
            {"code": _("The code %(code)s is already used.") % {"code": code}}, code="duplicate"
        )
    org = Organisation.objects.create(
        code=code,
        name=name,
        short_name=short_name,
        kind=kind,
        parent=parent,
        valid_from=valid_from,
        path="",
        depth=0 if parent is None else parent.depth + 1,
    )
    org.path = f"{parent.path if parent else '/'}{org.pk}/"
    org.save(update_fields=["path"])
    _open_version(org, valid_from, "created")
    audit.record(actor, "org.create", org, changes={"code": [None, code], "name": [None, name]})
    return org


@transaction.atomic
def rename_organisation(
    org: Organisation, *, name: str, short_name: str, on: datetime.date, actor: Actor
) -> Organisation:
    org = Organisation.objects.select_for_update().get(pk=org.pk)
    _require_active(org)
    before = {"name": org.name, "short_name": org.short_name}
    _close_version(org, on)
    org.name, org.short_name = name, short_name
    org.save(update_fields=["name", "short_name"])
    _open_version(org, on, "renamed")
    audit.record(
        actor,
        "org.rename",
        org,
        changes=audit.diff(before, {"name": name, "short_name": short_name}),
    )
    return org


def _repath_subtree(org: Organisation, new_parent: Organisation) -> None:
    old_prefix = org.path
    new_prefix = f"{new_parent.path}{org.pk}/"
    depth_change = new_parent.depth + 1 - org.depth
    Organisation.objects.filter(path__startswith=old_prefix).update(
        path=Concat(Value(new_prefix), Substr("path", len(old_prefix) + 1)),
        depth=F("depth") + depth_change,
    )


@transaction.atomic
def move_organisation(
    org: Organisation, *, new_parent: Organisation, on: datetime.date, actor: Actor
) -> Organisation:
    """Move an organisation and its whole subtree under another parent."""
    org = Organisation.objects.select_for_update().get(pk=org.pk)
    _require_active(org)
    _require_active(new_parent)
    if new_parent.path.startswith(org.path):
        raise ValidationError(
            _("An organisation cannot be moved under itself or its own subtree."), code="cycle"
        )
    if new_parent.is_cell:
        raise ValidationError(
            _("A Party cell cannot contain other organisations."), code="cell_parent"
        )
    old_parent_id = org.parent_id
    _close_version(org, on)
    _repath_subtree(org, new_parent)
    Organisation.objects.filter(pk=org.pk).update(parent=new_parent)
    org.refresh_from_db()
    _open_version(org, on, "moved")
    for follower in _move_followers:
        follower(org, old_parent_id, new_parent.pk)
    audit.record(actor, "org.move", org, changes={"parent": [old_parent_id, new_parent.pk]})
    return org


@dataclass
class MergeResult:
    target: Organisation
    merged: list[Organisation] = field(default_factory=list)
    moved_children: int = 0


@transaction.atomic
def merge_organisations(
    sources: Sequence[Organisation], *, into: Organisation, on: datetime.date, actor: Actor
) -> MergeResult:
    """Hợp nhất: the sources' child organisations, members and roles move to `into`.

    The sources stay as history, marked merged into the target from `on`; the tree on any
    earlier date still shows them as they were.
    """
    source_ids = [org.pk for org in sources]
    locked = list(
        Organisation.objects.select_for_update()
        .filter(pk__in=[*source_ids, into.pk])
        .order_by("pk")
    )
    by_id = {org.pk: org for org in locked}
    target = by_id[into.pk]
    _require_active(target)
    if target.pk in source_ids:
        raise ValidationError(_("An organisation cannot be merged into itself."), code="self_merge")
    if not source_ids:
        raise ValidationError(_("Choose at least one organisation to merge."), code="no_sources")
    result = MergeResult(target=target)
    for source_id in source_ids:
        source = by_id[source_id]
        _require_active(source)
        if target.path.startswith(source.path):
            raise ValidationError(
                _("%(org)s cannot be merged into its own subtree.") % {"org": source.name},
                code="cycle",
            )
        if source.is_cell != target.is_cell:
            raise ValidationError(
                _("A Party cell can only be merged into another Party cell."), code="kind_mismatch"
            )
        for child in Organisation.objects.active().filter(parent=source).order_by("pk"):
            _close_version(child, on)
            _repath_subtree(child, target)
            Organisation.objects.filter(pk=child.pk).update(parent=target)
            child.refresh_from_db()
            _open_version(child, on, "merged_parent")
            result.moved_children += 1
    for follower in _merge_followers:
        follower([by_id[pk] for pk in source_ids], target, on, actor)
    moved_members = (
        Organisation.objects.filter(pk__in=source_ids).aggregate(total=Sum("member_count"))["total"]
        or 0
    )
    Organisation.objects.filter(pk=target.pk).update(member_count=F("member_count") + moved_members)
    for source_id in source_ids:
        source = by_id[source_id]
        _close_version(source, on)
        source.status, source.valid_to, source.merged_into = OrgStatus.MERGED, on, target
        source.member_count = 0
        source.save(update_fields=["status", "valid_to", "merged_into", "member_count"])
        audit.record(actor, "org.merge", source, changes={"merged_into": [None, target.pk]})
        result.merged.append(source)
    target.refresh_from_db()
    return result


@transaction.atomic
def dissolve_organisation(org: Organisation, *, on: datetime.date, actor: Actor) -> Organisation:
    """Giải thể: only an organisation with no active child organisation and no member."""
    org = Organisation.objects.select_for_update().get(pk=org.pk)
    _require_active(org)
    if Organisation.objects.active().filter(parent=org).exists():
        raise ValidationError(
            _("Move or merge its child organisations before dissolving it."), code="has_children"
        )
    if org.member_count:
        raise ValidationError(
            _("Transfer its %(count)s members before dissolving it.") % {"count": org.member_count},
            code="has_members",
        )
    _close_version(org, on)
    org.status, org.valid_to = OrgStatus.DISSOLVED, on
    org.save(update_fields=["status", "valid_to"])
    audit.record(actor, "org.dissolve", org, changes={"status": [OrgStatus.ACTIVE, org.status]})
    return org


@dataclass
class TreeNode:
    id: int
    name: str
    short_name: str
    kind: str
    parent_id: int | None
    children: list["TreeNode"] = field(default_factory=list)


def tree_on(day: datetime.date, *, within: Sequence[int] | None = None) -> list[TreeNode]:
    """The tree as it stood on `day`: root nodes with their children, from the dated versions.

    `within` limits the result to the subtrees of those organisation ids (a user's scope).
    """
    versions = OrganisationVersion.objects.on(day).order_by("name")
    nodes = {
        v.organisation_id: TreeNode(v.organisation_id, v.name, v.short_name, v.kind, v.parent_id)
        for v in versions
    }
    roots = []
    for node in nodes.values():
        parent = nodes.get(node.parent_id) if node.parent_id else None
        if parent is None:
            roots.append(node)
        else:
            parent.children.append(node)
    if within is None:
        return roots
    wanted = set(within)
    found: list[TreeNode] = []

    def collect(node: TreeNode) -> None:
        if node.id in wanted:
            found.append(node)
            return
        for child in node.children:
            collect(child)

    for root in roots:
        collect(root)
    return found


@transaction.atomic
def start_term(
    organisation: Organisation, *, name: str, starts_on: datetime.date, actor: Actor
) -> Term:
    """A new committee term: the open one ends the day before, and document numbers restart
    at 01. (The audit action keeps its first name, `document.office.term`.)"""
    name = clean_spaces(nfc(name or ""))
    if not name:
        raise ValidationError({"name": _("Write the name of the term, e.g. Nhiệm kỳ 2025–2030.")})
    latest = Term.objects.filter(organisation=organisation).order_by("-starts_on").first()
    if latest is not None and starts_on <= latest.starts_on:
        raise ValidationError(
            {"starts_on": _("A new term starts after the current one (%(day)s).")
             % {"day": format_date(latest.starts_on)}}
        )  # fmt: skip
    if latest is not None and (latest.ends_on is None or latest.ends_on >= starts_on):
        latest.ends_on = starts_on - datetime.timedelta(days=1)
        latest.save(update_fields=["ends_on"])
    term = Term.objects.create(organisation=organisation, name=name, starts_on=starts_on)
    audit.record(
        actor, "document.office.term", term, changes={"name": name, "starts_on": starts_on}
    )
    return term
