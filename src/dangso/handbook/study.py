"""Completion of study campaigns, and the use of the handbook, at any node of the tree.

Both count members on the roll who use the handbook (`PORTAL_STATUSES`) under a node, and group
by cell or by child unit in SQL: a province's figures are two grouped queries, not a loop.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from dangso.handbook.models import MemberAccount, StudyCampaign, StudyRecord
from dangso.members.choices import PORTAL_STATUSES
from dangso.members.models import Member
from dangso.orgs.models import Organisation
from dangso.orgs.queries import child_segment

ACTIVE_DAYS = 30


def _percent(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


@dataclass
class CellCompletion:
    cell: Organisation
    members: int
    done: int

    @property
    def percent(self) -> float:
        return _percent(self.done, self.members)


def completion_by_cell(campaign: StudyCampaign) -> list[CellCompletion]:
    """Per cell under the campaign's organisation: members expected and members done."""
    root = campaign.organisation.path
    expected = dict(
        Member.objects.filter(organisation__path__startswith=root, status__in=PORTAL_STATUSES)
        .values("organisation")
        .annotate(n=Count("pk"))
        .values_list("organisation", "n")
        .order_by()
    )
    done = dict(
        StudyRecord.objects.filter(campaign=campaign)
        .values("cell")
        .annotate(n=Count("pk"))
        .values_list("cell", "n")
        .order_by()
    )
    cells = Organisation.objects.in_bulk(set(expected) | set(done))
    rows = [CellCompletion(cells[pk], expected.get(pk, 0), done.get(pk, 0)) for pk in cells]
    rows.sort(key=lambda row: (row.percent, row.cell.name))
    return rows


def roster(campaign: StudyCampaign, cell: Organisation) -> QuerySet[Member]:
    """The cell's members, each with `done_at` and `reflection` when they handed it in."""
    records = StudyRecord.objects.filter(campaign=campaign, member=OuterRef("pk"))
    return (
        Member.objects.filter(organisation=cell, status__in=PORTAL_STATUSES)
        .annotate(
            done_at=Subquery(records.values("done_at")[:1]),
            reflection=Subquery(records.values("reflection")[:1]),
        )
        .order_by("sort_key")
    )


@dataclass
class Usage:
    organisation: Organisation | None
    members: int
    activated: int
    active: int

    @property
    def percent_activated(self) -> float:
        return _percent(self.activated, self.members)

    @property
    def percent_active(self) -> float:
        return _percent(self.active, self.members)


def usage(node: Organisation, today: datetime.date | None = None) -> tuple[Usage, list[Usage]]:
    """% of members activated and % active in the last 30 days, at the node and per child."""
    today = today or timezone.localdate()
    since = today - datetime.timedelta(days=ACTIVE_DAYS)
    members = Member.objects.filter(
        organisation__path__startswith=node.path, status__in=PORTAL_STATUSES
    )
    account = MemberAccount.objects.filter(member=OuterRef("pk"))
    rows = (
        members.annotate(
            child=child_segment("organisation__path", node.path),
            has_account=Exists(account),
            seen=Exists(account.filter(last_seen__gte=since)),
        )
        .values("child")
        .annotate(
            n=Count("pk"),
            activated=Count("pk", filter=Q(has_account=True)),
            active=Count("pk", filter=Q(seen=True)),
        )
        .order_by()
    )
    total = Usage(node, 0, 0, 0)
    by_child: dict[str, Usage] = {}
    for row in rows:
        total.members += row["n"]
        total.activated += row["activated"]
        total.active += row["active"]
        if row["child"]:
            by_child[row["child"]] = Usage(None, row["n"], row["activated"], row["active"])
    found = Organisation.objects.in_bulk([int(key) for key in by_child])
    children = []
    for key, figures in by_child.items():
        figures.organisation = found.get(int(key))
        children.append(figures)
    children.sort(
        key=lambda item: (
            item.percent_activated,
            item.organisation.name if item.organisation else "",
        )
    )
    return total, children
