"""Reading meetings: a member's own cell's meetings, a committee's meetings in scope, and the
attendance rates (tỷ lệ dự sinh hoạt) per member, per cell and under an organisation.

Rates count the meetings held (closed) in the last twelve months. A member's rate is the
meetings they were present at over the meetings held while they were on the roll, which are
exactly their attendance rows (made for the roll when a meeting is announced). A cell's rate is
its members' presences over its expected presences: the mean of its meetings' rates weighted by
the roll, in one grouped query, so that a province's thousands of cells are counted in SQL.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from dangso.accounts.scope import restrict
from dangso.core.dates import add_months
from dangso.meetings.choices import MeetingStatus, Presence, Response
from dangso.meetings.models import Attendance, Meeting
from dangso.members.choices import PORTAL_STATUSES
from dangso.members.models import Member
from dangso.orgs.choices import CELL_KINDS
from dangso.orgs.models import Organisation

RATE_MONTHS = 12
_PRESENT = Q(checked_in_at__isnull=False)
_EXCUSED = Q(checked_in_at__isnull=True, response=Response.LEAVE)


def rate_since(today: datetime.date | None = None) -> datetime.datetime:
    """The start of the rates' window: twelve months back, at local midnight."""
    start = add_months(today or timezone.localdate(), -RATE_MONTHS)
    return timezone.make_aware(datetime.datetime.combine(start, datetime.time()))


@dataclass(frozen=True)
class Rate:
    expected: int
    present: int
    excused: int

    @property
    def absent(self) -> int:
        return self.expected - self.present - self.excused

    @property
    def percent(self) -> float | None:
        return round(100 * self.present / self.expected, 1) if self.expected else None


# --- a member's own meetings (the portal) -------------------------------------------------------


def member_meetings(member: Member) -> QuerySet[Meeting]:
    """The announced meetings of the member's cell, each with the member's own answer
    (`my_response`, `my_reason`, `my_checked_in`); never another cell's, never a draft."""
    mine = Attendance.objects.filter(meeting=OuterRef("pk"), member=member)
    return (
        Meeting.objects.filter(cell_id=member.organisation_id)
        .exclude(status=MeetingStatus.DRAFT)
        .select_related("cell")
        .annotate(
            my_response=Subquery(mine.values("response")[:1]),
            my_reason=Subquery(mine.values("reason")[:1]),
            my_checked_in=Subquery(mine.values("checked_in_at")[:1]),
        )
    )


def _coming() -> Q:
    """Announced from today on, or in session now."""
    today = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time()))
    return Q(status=MeetingStatus.OPEN) | Q(status=MeetingStatus.PUBLISHED, starts_at__gte=today)


def upcoming_for_member(member: Member) -> QuerySet[Meeting]:
    """The member's cell's coming meetings, soonest first: announced from today on, or in
    session now."""
    return member_meetings(member).filter(_coming()).order_by("starts_at", "pk")


def upcoming_titles(member: Member) -> QuerySet[Meeting]:
    """`upcoming_for_member()` for a list of links (the portal's home page): the same meetings
    with their title, time and place only, without the member's answers (the three subqueries
    and the minutes' long texts cost more than the rest of the page's queries together)."""
    return (
        Meeting.objects.filter(cell_id=member.organisation_id)
        .filter(_coming())
        .order_by("starts_at", "pk")
        .only("pk", "cell_id", "title", "starts_at", "place", "status")
    )


def past_for_member(member: Member) -> QuerySet[Meeting]:
    upcoming = upcoming_for_member(member).values("pk")
    return member_meetings(member).exclude(pk__in=upcoming).order_by("-starts_at", "-pk")


def member_rate(member: Member, since: datetime.datetime | None = None) -> Rate:
    figures = Attendance.objects.filter(
        member=member,
        meeting__status=MeetingStatus.CLOSED,
        meeting__starts_at__gte=since or rate_since(),
    ).aggregate(
        expected=Count("pk"),
        present=Count("pk", filter=_PRESENT),
        excused=Count("pk", filter=_EXCUSED),
    )
    return Rate(**figures)


# --- the committee's side -----------------------------------------------------------------------


def meeting_list(user: Any, *, cell: Organisation | None = None, status: str = "") -> QuerySet:
    """The meetings of the cells in `user`'s scope, with who was expected and who came."""
    meetings = restrict(Meeting.objects.select_related("cell"), user, "meeting.view")
    if cell is not None:
        meetings = meetings.filter(cell__path__startswith=cell.path)
    if status:
        meetings = meetings.filter(status=status)
    return meetings.annotate(
        expected=Count("attendances"),
        present=Count("attendances", filter=Q(attendances__checked_in_at__isnull=False)),
    )


def attendance_list(meeting: Meeting) -> list[Attendance]:
    """The meeting's attendance rows in Vietnamese name order, with each row's presence."""
    return list(
        meeting.attendances.select_related("member", "checked_in_by").order_by(
            "member__sort_key", "member__pk"
        )
    )


@dataclass
class MinutesAttendance:
    """Attendance as the minutes state it: present, excused with reasons, absent."""

    present: list[Attendance]
    excused: list[Attendance]
    absent: list[Attendance]

    @property
    def expected(self) -> int:
        return len(self.present) + len(self.excused) + len(self.absent)


def minutes_attendance(meeting: Meeting) -> MinutesAttendance:
    rows = attendance_list(meeting)
    split: dict[str, list[Attendance]] = {value: [] for value in Presence.values}
    for row in rows:
        split[row.presence].append(row)
    return MinutesAttendance(
        present=split[Presence.PRESENT],
        excused=split[Presence.EXCUSED],
        absent=split[Presence.ABSENT],
    )


@dataclass(frozen=True)
class MemberRate:
    member: Member
    rate: Rate


def member_rates(cell: Organisation, since: datetime.datetime | None = None) -> list[MemberRate]:
    """Each member of the cell's roll, and each former member with meetings in the window."""
    figures = {
        row["member_id"]: Rate(row["expected"], row["present"], row["excused"])
        for row in Attendance.objects.filter(
            meeting__cell=cell,
            meeting__status=MeetingStatus.CLOSED,
            meeting__starts_at__gte=since or rate_since(),
        )
        .values("member_id")
        .annotate(
            expected=Count("pk"),
            present=Count("pk", filter=_PRESENT),
            excused=Count("pk", filter=_EXCUSED),
        )
    }

    members = Member.objects.filter(
        Q(organisation=cell, status__in=PORTAL_STATUSES) | Q(pk__in=list(figures))
    ).order_by("sort_key", "pk")
    return [MemberRate(member, figures.get(member.pk, Rate(0, 0, 0))) for member in members]


def cells_under(user: Any, node: Organisation) -> QuerySet[Organisation]:
    """The active cells at or under `node` that `user` sees the meetings of."""
    cells = Organisation.objects.active().filter(kind__in=CELL_KINDS, path__startswith=node.path)
    return restrict(cells, user, "meeting.view")


def with_rates(cells: QuerySet[Organisation], since: datetime.datetime) -> QuerySet[Organisation]:
    """Cells annotated with the meetings held and the presences counted in the window: one
    grouped query however many cells there are (`rate` from `cell_rate()`)."""
    held = Q(meetings__status=MeetingStatus.CLOSED, meetings__starts_at__gte=since)
    return cells.annotate(
        held=Count("meetings", filter=held, distinct=True),
        expected=Count("meetings__attendances", filter=held),
        present=Count(
            "meetings__attendances",
            filter=held & Q(meetings__attendances__checked_in_at__isnull=False),
        ),
        excused=Count(
            "meetings__attendances",
            filter=held
            & Q(
                meetings__attendances__checked_in_at__isnull=True,
                meetings__attendances__response=Response.LEAVE,
            ),
        ),
    )


def cell_rate(cell: Any) -> Rate:
    """The Rate of a cell annotated by `with_rates()`."""
    return Rate(cell.expected, cell.present, cell.excused)


def total_rate(cells: QuerySet[Organisation], since: datetime.datetime) -> tuple[int, Rate]:
    """The meetings held and the presences of all `cells` together."""
    figures = Attendance.objects.filter(
        meeting__cell__in=cells.values("pk"),
        meeting__status=MeetingStatus.CLOSED,
        meeting__starts_at__gte=since,
    ).aggregate(
        expected=Count("pk"),
        present=Count("pk", filter=_PRESENT),
        excused=Count("pk", filter=_EXCUSED),
        held=Count("meeting", distinct=True),
    )
    held = figures.pop("held")
    return held, Rate(**figures)
