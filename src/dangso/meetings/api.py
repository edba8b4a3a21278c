"""Cell meetings API: meetings in scope, scheduling and running them, minutes, attendance rates;
and, for a party member, their own cell's meetings, answering a notice and checking in by QR.

Reads need meeting.view over the cell, the secretary's steps meeting.manage; without the
capability anywhere the answer is 403, a meeting out of scope 404. A member's endpoints find the
caller's own record (official or probationary, linked to their user) and only their own cell's
announced meetings: another cell's meeting is a 404. Bad input and refused steps get a 422 with
the reason, and write nothing.
"""

import datetime
from typing import Any

from django.db.models import Q
from django.http import Http404, HttpRequest
from ninja import File, Router, Schema, Status, UploadedFile
from ninja.errors import AuthorizationError

from dangso.accounts.api_auth import api_user, get_in_scope, require
from dangso.accounts.scope import covers, restrict
from dangso.core.audit import Actor
from dangso.core.pagination import DEFAULT_LIMIT, MAX_LIMIT, cursor_page
from dangso.meetings import actions, queries
from dangso.meetings.choices import MeetingKind, MeetingStatus, Response
from dangso.meetings.models import Attendance, Meeting
from dangso.members.choices import PORTAL_STATUSES
from dangso.members.models import Member
from dangso.orgs.choices import CELL_KINDS
from dangso.orgs.models import Organisation

router = Router()


class MaterialOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    published_at: datetime.datetime | None


class MeetingOut(Schema):
    id: int
    cell_id: int
    cell: str
    kind: MeetingKind
    title: str
    starts_at: datetime.datetime
    place: str
    status: MeetingStatus
    published_at: datetime.datetime | None
    opened_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    minutes_final: bool

    @staticmethod
    def resolve_cell(meeting: Meeting) -> str:
        return meeting.cell.name


class MeetingDetail(MeetingOut):
    agenda: str
    cancel_reason: str
    materials: list[MaterialOut]

    @staticmethod
    def resolve_materials(meeting: Meeting) -> list[Any]:
        return list(meeting.materials.all())


class MyMeetingOut(MeetingOut):
    agenda: str
    my_response: str | None
    my_reason: str | None
    my_checked_in: datetime.datetime | None


class MeetingPage(Schema):
    items: list[MeetingOut]
    next_cursor: str | None


class MeetingIn(Schema):
    cell: int
    title: str
    starts_at: datetime.datetime
    place: str
    kind: MeetingKind = MeetingKind.REGULAR
    agenda: str = ""


class RespondIn(Schema):
    answer: Response
    reason: str = ""


class CheckInIn(Schema):
    member: int


class SelfCheckInIn(Schema):
    token: str


class AttendanceOut(Schema):
    member_id: int
    full_name: str
    response: str
    reason: str
    checked_in_at: datetime.datetime | None
    check_in_method: str
    presence: str

    @staticmethod
    def resolve_full_name(row: Attendance) -> str:
        return row.member.full_name


class MinutesIn(Schema):
    chair: str = ""
    minute_taker: str = ""
    minutes_news: str = ""
    minutes_review: str = ""
    minutes_tasks: str = ""
    minutes_discussion: str = ""
    minutes_resolution: str = ""


class MinutesOut(MinutesIn):
    minutes_final: bool
    finalised_at: datetime.datetime | None
    present: list[str]
    excused: list[dict[str, str]]
    absent: list[str]


class CancelIn(Schema):
    reason: str


class RateOut(Schema):
    cell_id: int
    name: str
    held: int
    expected: int
    present: int
    excused: int
    absent: int
    percent: float | None


def _scoped(request: HttpRequest, meeting_id: int) -> Meeting:
    user = api_user(request)
    return get_in_scope(Meeting.objects.select_related("cell"), user, "meeting.view", pk=meeting_id)


def _managed(request: HttpRequest, meeting_id: int) -> Meeting:
    meeting = _scoped(request, meeting_id)
    if not covers(api_user(request), "meeting.manage", meeting.cell.path):
        raise AuthorizationError()
    return meeting


def _member(request: HttpRequest) -> Member:
    """The caller's own member record: 403 for a caller who is not a member on a cell's roll."""
    member = (
        Member.objects.select_related("organisation")
        .filter(user_id=api_user(request).pk, status__in=PORTAL_STATUSES)
        .first()
    )
    if member is None:
        raise AuthorizationError()
    return member


def _my_meeting(member: Member, meeting_id: int) -> Meeting:
    meeting = queries.member_meetings(member).filter(pk=meeting_id).first()
    if meeting is None:
        raise Http404
    return meeting


def _minutes(meeting: Meeting) -> dict[str, Any]:
    attendance = queries.minutes_attendance(meeting)
    return {
        **{name: getattr(meeting, name) for name in actions.MINUTES_FIELDS},
        "minutes_final": meeting.minutes_final,
        "finalised_at": meeting.finalised_at,
        "present": [row.member.full_name for row in attendance.present],
        "excused": [{"name": row.member.full_name, "reason": row.reason}
                    for row in attendance.excused],
        "absent": [row.member.full_name for row in attendance.absent],
    }  # fmt: skip


@router.get("/", response=MeetingPage, url_name="list_meetings")
def list_meetings(
    request: HttpRequest,
    organisation: int | None = None,
    status: MeetingStatus | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> dict:
    """Meetings of the cells in scope (at or under `organisation`), oldest id first."""
    user = api_user(request)
    require(user, "meeting.view")
    node = (
        get_in_scope(Organisation.objects.all(), user, "meeting.view", pk=organisation)
        if organisation
        else None
    )
    meetings = restrict(Meeting.objects.select_related("cell"), user, "meeting.view")
    if node is not None:
        meetings = meetings.filter(cell__path__startswith=node.path)
    if status:
        meetings = meetings.filter(status=status)
    return cursor_page(meetings, cursor=cursor, limit=max(1, min(limit, MAX_LIMIT)))


@router.post("/", response={201: MeetingDetail}, url_name="schedule_meeting")
def schedule_meeting(request: HttpRequest, payload: MeetingIn) -> Status:
    """A draft meeting of a cell the caller runs (meeting.manage)."""
    user = api_user(request)
    cell = get_in_scope(
        Organisation.objects.filter(kind__in=CELL_KINDS), user, "meeting.manage", pk=payload.cell
    )
    meeting = actions.schedule(payload.dict(), cell=cell, actor=Actor.from_request(request))
    return Status(201, meeting)


@router.get("/mine", response=list[MyMeetingOut], url_name="my_meetings")
def my_meetings(request: HttpRequest, upcoming: bool = False) -> list[Meeting]:
    """The caller's own cell's announced meetings with their own answer (party members)."""
    member = _member(request)
    if upcoming:
        return list(queries.upcoming_for_member(member)[:50])
    return list(queries.member_meetings(member).order_by("-starts_at", "-pk")[:100])


@router.get("/attendance/{int:org_id}", response=list[RateOut], url_name="meeting_rates")
def attendance_rates(request: HttpRequest, org_id: int, limit: int = 500) -> list[dict]:
    """Attendance rate of each cell at or under the organisation, last twelve months."""
    user = api_user(request)
    node = get_in_scope(Organisation.objects.all(), user, "meeting.view", pk=org_id)
    since = queries.rate_since()
    cells = queries.with_rates(queries.cells_under(user, node), since).order_by("path")
    rows = []
    for cell in cells[: max(1, min(limit, 5000))]:
        rate = queries.cell_rate(cell)
        rows.append({
            "cell_id": cell.pk, "name": cell.name, "held": getattr(cell, "held", 0),
            "expected": rate.expected,
            "present": rate.present, "excused": rate.excused, "absent": rate.absent,
            "percent": rate.percent,
        })  # fmt: skip
    return rows


@router.get("/{int:meeting_id}", response=MeetingDetail, url_name="get_meeting")
def get_meeting(request: HttpRequest, meeting_id: int) -> Meeting:
    return _scoped(request, meeting_id)


@router.post("/{int:meeting_id}/materials", response={201: list[MaterialOut]},
             url_name="add_materials")  # fmt: skip
def add_materials(
    request: HttpRequest,
    meeting_id: int,
    files: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> Status:
    """Materials for the meeting (multipart, `files`); refused less than a day before it once
    announced. The caller is authorised before the files are looked at."""
    meeting = _managed(request, meeting_id)
    uploads = [actions.Upload(item.name or "", item.read()) for item in files or []]
    return Status(201, actions.add_materials(meeting, uploads, actor=Actor.from_request(request)))


@router.post("/{int:meeting_id}/publish", response=MeetingDetail, url_name="publish_meeting")
def publish_meeting(request: HttpRequest, meeting_id: int) -> Meeting:
    return actions.publish(_managed(request, meeting_id), actor=Actor.from_request(request))


@router.post("/{int:meeting_id}/open", response=MeetingOut, url_name="open_meeting")
def open_meeting(request: HttpRequest, meeting_id: int) -> Meeting:
    return actions.open_meeting(_managed(request, meeting_id), actor=Actor.from_request(request))


@router.post("/{int:meeting_id}/close", response=MeetingOut, url_name="close_meeting")
def close_meeting(request: HttpRequest, meeting_id: int) -> Meeting:
    return actions.close(_managed(request, meeting_id), actor=Actor.from_request(request))


@router.post("/{int:meeting_id}/cancel", response=MeetingOut, url_name="cancel_meeting")
def cancel_meeting(request: HttpRequest, meeting_id: int, payload: CancelIn) -> Meeting:
    meeting = _managed(request, meeting_id)
    return actions.cancel(meeting, reason=payload.reason, actor=Actor.from_request(request))


@router.post("/{int:meeting_id}/respond", response=AttendanceOut, url_name="respond_meeting")
def respond_meeting(request: HttpRequest, meeting_id: int, payload: RespondIn) -> Attendance:
    """The caller's own answer: `confirmed`, or `leave` with a reason (party members)."""
    member = _member(request)
    meeting = _my_meeting(member, meeting_id)
    return actions.respond(
        meeting, member, answer=payload.answer, reason=payload.reason,
        actor=Actor.from_request(request),
    )  # fmt: skip


@router.post("/{int:meeting_id}/check-in", response=AttendanceOut, url_name="check_in_member")
def check_in_member(request: HttpRequest, meeting_id: int, payload: CheckInIn) -> Attendance:
    """The secretary checks a member of the cell in (meeting.manage)."""
    meeting = _managed(request, meeting_id)
    member = Member.objects.filter(
        Q(organisation=meeting.cell) | Q(pk__in=meeting.attendances.values("member_id")),
        pk=payload.member,
    ).first()
    if member is None:
        raise Http404
    return actions.check_in(meeting, member, actor=Actor.from_request(request))


@router.post("/{int:meeting_id}/check-in/me", response=AttendanceOut, url_name="check_in_self")
def check_in_self(request: HttpRequest, meeting_id: int, payload: SelfCheckInIn) -> Attendance:
    """The caller checks themselves in with the token of the meeting's QR code (members)."""
    me = _member(request)
    meeting = _my_meeting(me, meeting_id)
    return actions.check_in_self(
        meeting, me, token=payload.token, actor=Actor.from_request(request)
    )


@router.get(
    "/{int:meeting_id}/attendance", response=list[AttendanceOut], url_name="meeting_attendance"
)
def meeting_attendance(request: HttpRequest, meeting_id: int) -> list[Attendance]:
    return queries.attendance_list(_scoped(request, meeting_id))


@router.get("/{int:meeting_id}/minutes", response=MinutesOut, url_name="meeting_minutes")
def meeting_minutes(request: HttpRequest, meeting_id: int) -> dict:
    return _minutes(_scoped(request, meeting_id))


@router.put("/{int:meeting_id}/minutes", response=MinutesOut, url_name="record_minutes")
def record_minutes(request: HttpRequest, meeting_id: int, payload: MinutesIn) -> dict:
    """The draft minutes (all fields at once); attendance comes from the check-in list."""
    meeting = _managed(request, meeting_id)
    meeting = actions.record_minutes(meeting, payload.dict(), actor=Actor.from_request(request))
    return _minutes(meeting)


@router.post("/{int:meeting_id}/minutes/finalise", response=MinutesOut,
             url_name="finalise_minutes")  # fmt: skip
def finalise_minutes(request: HttpRequest, meeting_id: int) -> dict:
    meeting = _managed(request, meeting_id)
    return _minutes(actions.finalise_minutes(meeting, actor=Actor.from_request(request)))
