"""What can be done to cell meetings: schedule, announce, answer, check in, open, close, minutes.

Each action checks everything first and writes nothing when it refuses (a ValidationError with
a message for the person), then writes its rows, an audit entry and the notices in one
transaction, with the meeting row locked so that two people cannot move it at once. Who may
call which action is decided by the view or API handler (`meeting.manage` over the cell for the
secretary's steps; the member's own record for answering and checking in by QR).

The rules are those of Hướng dẫn 42-HD/BTCTW (28/10/2025): materials on the handbook at least
a day before the meeting (DANGSO_MEETING_MATERIALS_HOURS), a meeting of at least 90 minutes,
120 with a thematic session (DANGSO_MEETING_MIN_MINUTES, DANGSO_MEETING_THEMATIC_MIN_MINUTES),
and a notice of time, place and content to the members and to the committee above the cell.
"""

import datetime
import hmac
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangso.accounts.scope import people_who_can
from dangso.core import audit, files
from dangso.core.audit import Actor
from dangso.core.files import Upload
from dangso.core.notifications import notify
from dangso.core.text import clean_spaces, nfc
from dangso.meetings.choices import CheckInMethod, MeetingKind, MeetingStatus, Response
from dangso.meetings.models import Attendance, Material, Meeting
from dangso.members.choices import PORTAL_STATUSES
from dangso.members.models import Member
from dangso.orgs.choices import CELL_KINDS
from dangso.orgs.models import Organisation

MEETING_FIELDS = ("kind", "title", "starts_at", "place", "agenda")
MINUTES_FIELDS = (
    "chair", "minute_taker", "minutes_news", "minutes_review", "minutes_tasks",
    "minutes_discussion", "minutes_resolution",
)  # fmt: skip
MAX_MATERIAL_FILES = 10
# A meeting can be opened from this long before its announced time (people gather early).
OPEN_EARLY = datetime.timedelta(hours=1)

__all__ = [
    "Upload", "add_materials", "cancel", "check_in", "check_in_self", "close", "edit",
    "finalise_minutes", "material_bytes", "materials_deadline", "open_meeting", "publish",
    "record_minutes", "remove_material", "respond", "schedule",
]  # fmt: skip


def _now() -> datetime.datetime:
    return timezone.now()


def _when(moment: datetime.datetime) -> dict[str, str]:
    local = timezone.localtime(moment)
    return {"time": local.strftime("%H:%M"), "date": local.strftime("%d/%m/%Y")}


def _lock(meeting: Meeting) -> Meeting:
    """The meeting re-read under a row lock (call inside a transaction): its status is current."""
    return Meeting.objects.select_for_update().select_related("cell").get(pk=meeting.pk)


def _roll(cell: Organisation) -> Any:
    return Member.objects.filter(organisation=cell, status__in=PORTAL_STATUSES)


def detail_url(meeting: Meeting) -> str:
    return reverse("meetings:detail", args=[meeting.pk])


def portal_url(meeting: Meeting) -> str:
    return reverse("member_meetings:detail", args=[meeting.pk])


# --- scheduling ---------------------------------------------------------------------------------


def _clean_meeting_data(
    data: Mapping[str, Any], *, now: datetime.datetime, check_past: bool = True
) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    cleaned: dict[str, Any] = {}
    kind = str(data.get("kind") or MeetingKind.REGULAR)
    if kind not in MeetingKind.values:
        errors["kind"] = _("Choose a regular meeting or one with a thematic session.")
    cleaned["kind"] = kind
    cleaned["title"] = clean_spaces(nfc(str(data.get("title") or "")))[:255]
    if not cleaned["title"]:
        errors["title"] = _("Give the meeting a title.")
    cleaned["place"] = clean_spaces(nfc(str(data.get("place") or "")))[:255]
    if not cleaned["place"]:
        errors["place"] = _("Say where the meeting is held.")
    cleaned["agenda"] = nfc(str(data.get("agenda") or "")).strip()
    starts_at = data.get("starts_at")
    if not isinstance(starts_at, datetime.datetime):
        errors["starts_at"] = _("Give the date and time of the meeting.")
    elif timezone.is_naive(starts_at):
        errors["starts_at"] = _("Give the time with its time zone.")
    elif check_past and starts_at <= now:
        errors["starts_at"] = _("The meeting cannot be set in the past.")
    cleaned["starts_at"] = starts_at
    if errors:
        raise ValidationError(errors)
    return cleaned


def schedule(data: Mapping[str, Any], *, cell: Organisation, actor: Actor) -> Meeting:
    """Lên lịch sinh hoạt: a draft meeting of `cell`, seen by no member until it is announced."""
    if cell.kind not in CELL_KINDS:
        raise ValidationError({"cell": _("Meetings are held by Party cells.")})
    if not cell.is_active:
        raise ValidationError({"cell": _("%(name)s is no longer active.") % {"name": cell.name}})
    cleaned = _clean_meeting_data(data, now=_now())
    with transaction.atomic():
        meeting = Meeting.objects.create(cell=cell, created_by_id=actor.user_id, **cleaned)
        audit.record(actor, "meeting.schedule", meeting, changes={
            "title": [None, meeting.title], "starts_at": [None, meeting.starts_at],
            "kind": [None, meeting.kind], "place": [None, meeting.place],
        })  # fmt: skip
    return meeting


def _check_materials_deadline(
    starts_at: datetime.datetime, published_at: datetime.datetime
) -> None:
    deadline = materials_deadline(starts_at)
    if published_at > deadline:
        raise ValidationError(
            _(
                "Materials must be published at least %(hours)s hours before the meeting "
                "(before %(time)s on %(date)s)."
            )
            % {"hours": settings.DANGSO_MEETING_MATERIALS_HOURS, **_when(deadline)},
            code="materials_late",
        )


def materials_deadline(starts_at: datetime.datetime) -> datetime.datetime:
    """The last moment materials may reach members (Hướng dẫn 42-HD/BTCTW: a day before)."""
    return starts_at - datetime.timedelta(hours=settings.DANGSO_MEETING_MATERIALS_HOURS)


def edit(meeting: Meeting, data: Mapping[str, Any], *, actor: Actor) -> Meeting:
    """Change the meeting before it opens; once announced, members and the committee above are
    told of the change."""
    now = _now()
    with transaction.atomic():
        meeting = _lock(meeting)
        if meeting.status not in (MeetingStatus.DRAFT, MeetingStatus.PUBLISHED):
            raise ValidationError(_("Only a meeting that has not started can be changed."))
        merged = {name: data.get(name, getattr(meeting, name)) for name in MEETING_FIELDS}
        # An unchanged time is not checked against the clock: its title may still be corrected.
        cleaned = _clean_meeting_data(
            merged, now=now, check_past=merged["starts_at"] != meeting.starts_at
        )
        if meeting.status == MeetingStatus.PUBLISHED:
            last = (
                meeting.materials.filter(published_at__isnull=False)
                .order_by("-published_at")
                .values_list("published_at", flat=True)
                .first()
            )
            if last is not None:
                _check_materials_deadline(cleaned["starts_at"], last)
        before = {name: getattr(meeting, name) for name in MEETING_FIELDS}
        changes = audit.diff(before, cleaned)
        if not changes:
            return meeting
        for name, value in cleaned.items():
            setattr(meeting, name, value)
        meeting.save(update_fields=[*MEETING_FIELDS, "updated_at"])
        audit.record(actor, "meeting.edit", meeting, changes=changes)
        if meeting.status == MeetingStatus.PUBLISHED:
            _tell(
                meeting,
                _("Meeting changed: %(title)s") % {"title": meeting.title[:150]},
                _notice_body(meeting),
                key="",
            )
    return meeting


# --- materials ----------------------------------------------------------------------------------


def add_materials(meeting: Meeting, uploads: Sequence[Upload], *, actor: Actor) -> list[Material]:
    """Đăng tài liệu: files for the meeting. A draft may hold them at any time; once the meeting
    is announced, a file reaches members at once, so the day-ahead rule applies on upload."""
    if not uploads:
        raise ValidationError({"materials": _("Choose at least one file.")})
    if len(uploads) > MAX_MATERIAL_FILES:
        raise ValidationError(
            {"materials": _("Attach at most %(count)s files.") % {"count": MAX_MATERIAL_FILES}}
        )
    checked = [files.check_upload(upload.name, upload.content) for upload in uploads]
    if len({check.sha256 for check in checked}) != len(checked):
        raise ValidationError({"materials": _("The same file is chosen twice.")})
    now = _now()
    with transaction.atomic():
        meeting = _lock(meeting)
        if meeting.status not in (MeetingStatus.DRAFT, MeetingStatus.PUBLISHED):
            raise ValidationError(_("Materials can be added only before the meeting starts."))
        published = meeting.status == MeetingStatus.PUBLISHED
        if published:
            _check_materials_deadline(meeting.starts_at, now)
        existing = dict(
            meeting.materials.filter(sha256__in=[check.sha256 for check in checked]).values_list(
                "sha256", "name"
            )
        )
        for check in checked:
            if check.sha256 in existing:
                message = _("“%(name)s” is already among the materials (as “%(existing)s”).")
                raise ValidationError(
                    {
                        "materials": message
                        % {"name": check.name, "existing": existing[check.sha256]}
                    }
                )
        stored = [
            files.store(upload.content, sha256=check.sha256, encrypt=False)
            for upload, check in zip(uploads, checked, strict=True)
        ]
        materials = Material.objects.bulk_create(
            Material(meeting=meeting, name=check.name, content_type=check.content_type,
                     size=check.size, sha256=check.sha256, storage_name=name,
                     added_by_id=actor.user_id, published_at=now if published else None)
            for check, name in zip(checked, stored, strict=True)
        )  # fmt: skip
        audit.record(actor, "meeting.material_add", meeting, changes={
            "files": [None, [check.name for check in checked]], "published": [None, published],
        })  # fmt: skip
        if published:
            _tell_members(
                meeting,
                _("New materials for the meeting: %(title)s") % {"title": meeting.title[:150]},
                ", ".join(check.name for check in checked),
                key="",
            )
    return materials


def remove_material(material: Material, *, actor: Actor) -> None:
    """Take a file off the meeting before it starts (the stored bytes stay: they may be shared)."""
    with transaction.atomic():
        meeting = _lock(material.meeting)
        if meeting.status not in (MeetingStatus.DRAFT, MeetingStatus.PUBLISHED):
            raise ValidationError(_("Materials can be removed only before the meeting starts."))
        name = material.name
        material.delete()
        audit.record(actor, "meeting.material_remove", meeting, changes={"files": [name, None]})


def material_bytes(material: Material) -> bytes:
    return files.open_stored(material.storage_name, sha256=material.sha256, encrypted=False)


# --- announcing ---------------------------------------------------------------------------------


def _notice_body(meeting: Meeting) -> str:
    when = _when(meeting.starts_at)
    lines = [
        str(_("Time: %(time)s on %(date)s") % when),
        str(_("Place: %(place)s") % {"place": meeting.place}),
    ]
    if meeting.agenda:
        lines.append(str(_("Agenda:")) + "\n" + meeting.agenda)
    return "\n".join(lines)


def _member_users(meeting: Meeting) -> list[Any]:
    members = _roll(meeting.cell).filter(user__isnull=False).select_related("user")
    return [member.user for member in members]


def _tell_members(meeting: Meeting, subject: Any, body: Any, *, key: str) -> int:
    return notify(
        _member_users(meeting), subject, body, url=portal_url(meeting),
        key=f"{key}:members" if key else "",
    )  # fmt: skip


def _tell(meeting: Meeting, subject: Any, body: Any, *, key: str) -> int:
    """Tell the cell's members (portal link) and the committee overseeing the cell (its page)."""
    told = _tell_members(meeting, subject, body, key=key)
    parent = meeting.cell.parent
    above = people_who_can("meeting.view", parent, here_only=True) if parent else []
    told += notify(
        above, subject, body, url=detail_url(meeting), key=f"{key}:committee" if key else ""
    )
    return told


def publish(meeting: Meeting, *, actor: Actor) -> Meeting:
    """Thông báo sinh hoạt: members see the meeting and its materials, their attendance rows
    are made, and the members and the committee above are told of time, place and agenda."""
    now = _now()
    with transaction.atomic():
        meeting = _lock(meeting)
        if meeting.status != MeetingStatus.DRAFT:
            raise ValidationError(_("This meeting is already announced."))
        if meeting.starts_at <= now:
            raise ValidationError(
                {"starts_at": _("The meeting's time has passed: change it before announcing.")}
            )
        if meeting.materials.exists():
            _check_materials_deadline(meeting.starts_at, now)
        meeting.status = MeetingStatus.PUBLISHED
        meeting.published_at = now
        meeting.save(update_fields=["status", "published_at", "updated_at"])
        meeting.materials.update(published_at=now)
        Attendance.objects.bulk_create(
            (Attendance(meeting=meeting, member_id=pk)
             for pk in _roll(meeting.cell).values_list("pk", flat=True).iterator()),
            batch_size=500, ignore_conflicts=True,
        )  # fmt: skip
        expected = meeting.attendances.count()
        audit.record(actor, "meeting.publish", meeting, changes={
            "status": [MeetingStatus.DRAFT, MeetingStatus.PUBLISHED],
            "members": [None, expected], "materials": [None, meeting.materials.count()],
        })  # fmt: skip
        _tell(
            meeting,
            _("Cell meeting on %(date)s: %(title)s")
            % {"date": _when(meeting.starts_at)["date"], "title": meeting.title[:150]},
            _notice_body(meeting),
            key=f"meeting:{meeting.pk}:published",
        )
    return meeting


def cancel(meeting: Meeting, *, reason: str, actor: Actor) -> Meeting:
    """Hoãn/hủy buổi sinh hoạt before it starts, with the reason members are told."""
    reason = clean_spaces(nfc(str(reason or "")))[:500]
    if not reason:
        raise ValidationError({"reason": _("Say why the meeting is cancelled.")})
    with transaction.atomic():
        meeting = _lock(meeting)
        if meeting.status not in (MeetingStatus.DRAFT, MeetingStatus.PUBLISHED):
            raise ValidationError(_("Only a meeting that has not started can be cancelled."))
        was_published = meeting.status == MeetingStatus.PUBLISHED
        before = meeting.status
        meeting.status = MeetingStatus.CANCELLED
        meeting.cancelled_at = _now()
        meeting.cancel_reason = reason
        meeting.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
        audit.record(actor, "meeting.cancel", meeting, changes={
            "status": [before, meeting.status], "reason": [None, reason],
        })  # fmt: skip
        if was_published:
            _tell(
                meeting,
                _("Meeting cancelled: %(title)s") % {"title": meeting.title[:150]},
                reason,
                key=f"meeting:{meeting.pk}:cancelled",
            )
    return meeting


# --- answers and check-in -----------------------------------------------------------------------


def _attendance(meeting: Meeting, member: Member, message: Any) -> Attendance:
    """The member's row, made now for a member who joined the cell's roll after the notice."""
    row = Attendance.objects.select_for_update().filter(meeting=meeting, member=member).first()
    if row is not None:
        return row
    if member.organisation_id != meeting.cell_id or member.status not in PORTAL_STATUSES:
        raise ValidationError(message)
    return Attendance.objects.create(meeting=meeting, member=member)


def respond(
    meeting: Meeting, member: Member, *, answer: str, reason: str = "", actor: Actor
) -> Attendance:
    """Xác nhận tham dự, or xin vắng with a reason: the member's answer to the notice (or the
    secretary recording a leave a member asked for in person)."""
    if answer not in (Response.CONFIRMED, Response.LEAVE):
        raise ValidationError({"answer": _("Confirm attendance or ask for leave.")})
    reason = clean_spaces(nfc(str(reason or "")))[:500]
    if answer == Response.LEAVE and not reason:
        raise ValidationError({"reason": _("Give the reason you ask leave for.")})
    with transaction.atomic():
        meeting = _lock(meeting)
        if meeting.status == MeetingStatus.CLOSED:
            raise ValidationError(_("The meeting is over: answers are closed."))
        if not meeting.accepts_responses:
            raise ValidationError(_("This meeting is not open for answers."))
        row = _attendance(meeting, member, _("You are not on this cell's roll."))
        if answer == Response.LEAVE and row.checked_in_at is not None:
            raise ValidationError(_("You are already checked in at this meeting."))
        before = (row.response, row.reason)
        row.response = answer
        row.reason = reason if answer == Response.LEAVE else ""
        row.responded_at = _now()
        row.save(update_fields=["response", "reason", "responded_at"])
        if before != (row.response, row.reason):
            audit.record(actor, "meeting.respond", meeting, changes={
                "member": [None, member.pk], "answer": [before[0], row.response],
                "reason": [before[1], row.reason],
            })  # fmt: skip
    return row


def _mark_present(
    meeting: Meeting, row: Attendance, *, method: str, actor: Actor, member: Member
) -> Attendance:
    if row.checked_in_at is not None:
        return row
    row.checked_in_at = _now()
    row.checked_in_by_id = actor.user_id
    row.check_in_method = method
    row.save(update_fields=["checked_in_at", "checked_in_by", "check_in_method"])
    audit.record(actor, "meeting.check_in", meeting, changes={
        "member": [None, member.pk], "method": [None, method],
    })  # fmt: skip
    return row


def check_in(meeting: Meeting, member: Member, *, actor: Actor) -> Attendance:
    """Điểm danh by the secretary: during the meeting, or after it until the minutes are final
    (to correct the list)."""
    with transaction.atomic():
        meeting = _lock(meeting)
        if meeting.status not in (MeetingStatus.OPEN, MeetingStatus.CLOSED):
            raise ValidationError(_("Check-in opens when the meeting starts."))
        if meeting.minutes_final:
            raise ValidationError(_("The minutes are final: attendance can no longer change."))
        row = _attendance(meeting, member, _("This member is not on the cell's roll."))
        return _mark_present(meeting, row, method=CheckInMethod.SECRETARY, actor=actor,
                             member=member)  # fmt: skip


def check_in_self(meeting: Meeting, member: Member, *, token: str, actor: Actor) -> Attendance:
    """Điểm danh by scanning the meeting's QR code: the member's own check-in, with the
    meeting's token, while the meeting is in session."""
    if not hmac.compare_digest(str(token or ""), meeting.check_in_token):
        raise ValidationError(_("This QR code is not the code of this meeting."))
    if member.organisation_id != meeting.cell_id:
        raise ValidationError(_("This meeting is not your cell's."))
    with transaction.atomic():
        meeting = _lock(meeting)
        if meeting.status != MeetingStatus.OPEN:
            raise ValidationError(
                _("Check-in by QR code is open only while the meeting is in session.")
            )
        row = _attendance(meeting, member, _("You are not on this cell's roll."))
        return _mark_present(meeting, row, method=CheckInMethod.QR, actor=actor, member=member)


# --- running the meeting ------------------------------------------------------------------------


def open_meeting(meeting: Meeting, *, actor: Actor) -> Meeting:
    """Khai mạc: the meeting is in session; check-in opens and its length is counted from now."""
    now = _now()
    with transaction.atomic():
        meeting = _lock(meeting)
        if meeting.status == MeetingStatus.DRAFT:
            raise ValidationError(_("Announce the meeting before opening it."))
        if meeting.status != MeetingStatus.PUBLISHED:
            raise ValidationError(_("This meeting cannot be opened again."))
        if now < meeting.starts_at - OPEN_EARLY:
            raise ValidationError(
                _("The meeting is set for %(time)s on %(date)s: it can be opened from an hour "
                  "before.") % _when(meeting.starts_at)
            )  # fmt: skip
        meeting.status = MeetingStatus.OPEN
        meeting.opened_at = now
        meeting.save(update_fields=["status", "opened_at", "updated_at"])
        audit.record(actor, "meeting.open", meeting, changes={
            "status": [MeetingStatus.PUBLISHED, MeetingStatus.OPEN], "opened_at": [None, now],
        })  # fmt: skip
    return meeting


def close(meeting: Meeting, *, actor: Actor) -> Meeting:
    """Bế mạc: refused while the meeting is shorter than Hướng dẫn 42-HD/BTCTW allows."""
    now = _now()
    with transaction.atomic():
        meeting = _lock(meeting)
        if meeting.status != MeetingStatus.OPEN:
            raise ValidationError(_("Only a meeting in session can be closed."))
        assert meeting.opened_at is not None
        lasted = int((now - meeting.opened_at).total_seconds() // 60)
        minimum = meeting.minimum_minutes
        if lasted < minimum:
            if meeting.kind == MeetingKind.THEMATIC:
                message = _(
                    "The meeting cannot be closed yet: a meeting with a thematic session lasts "
                    "at least %(minimum)s minutes (Hướng dẫn 42-HD/BTCTW), and this one has "
                    "lasted %(actual)s minutes."
                )
            else:
                message = _(
                    "The meeting cannot be closed yet: a regular cell meeting lasts at least "
                    "%(minimum)s minutes (Hướng dẫn 42-HD/BTCTW), and this one has lasted "
                    "%(actual)s minutes."
                )
            raise ValidationError(message % {"minimum": minimum, "actual": lasted},
                                  code="too_short")  # fmt: skip
        meeting.status = MeetingStatus.CLOSED
        meeting.closed_at = now
        meeting.save(update_fields=["status", "closed_at", "updated_at"])
        audit.record(actor, "meeting.close", meeting, changes={
            "status": [MeetingStatus.OPEN, MeetingStatus.CLOSED], "minutes_lasted": [None, lasted],
        })  # fmt: skip
    return meeting


# --- minutes ------------------------------------------------------------------------------------


def record_minutes(meeting: Meeting, data: Mapping[str, Any], *, actor: Actor) -> Meeting:
    """Ghi biên bản: the draft minutes, from the opening until they are finalised. Attendance
    is not typed: it comes from the check-in list."""
    cleaned = {}
    for name in MINUTES_FIELDS:
        value = nfc(str(data.get(name) or "")).strip()
        cleaned[name] = clean_spaces(value)[:120] if name in ("chair", "minute_taker") else value
    with transaction.atomic():
        meeting = _lock(meeting)
        if meeting.minutes_final:
            raise ValidationError(_("The minutes are final and can no longer be changed."))
        if not meeting.minutes_editable:
            raise ValidationError(_("Minutes are written once the meeting has started."))
        before = {name: getattr(meeting, name) for name in MINUTES_FIELDS}
        changes = audit.diff(before, cleaned)
        if not changes:
            return meeting
        for name, value in cleaned.items():
            setattr(meeting, name, value)
        meeting.minutes_recorded_at = _now()
        meeting.save(update_fields=[*MINUTES_FIELDS, "minutes_recorded_at", "updated_at"])
        audit.record(actor, "meeting.minutes", meeting, changes={
            name: ["…" if before[name] else "", "…" if cleaned[name] else ""]
            if name.startswith("minutes_") else change
            for name, change in changes.items()
        })  # fmt: skip
    return meeting


def finalise_minutes(meeting: Meeting, *, actor: Actor) -> Meeting:
    """Hoàn thành biên bản: after the meeting, with chair, minute-taker and resolution; the
    minutes and the attendance are locked from then on."""
    with transaction.atomic():
        meeting = _lock(meeting)
        if meeting.minutes_final:
            raise ValidationError(_("The minutes are already final."))
        if meeting.status != MeetingStatus.CLOSED:
            raise ValidationError(_("The minutes are finalised after the meeting is closed."))
        missing = {
            name: _("Fill this in before finalising the minutes.")
            for name in ("chair", "minute_taker", "minutes_resolution")
            if not getattr(meeting, name)
        }
        if missing:
            raise ValidationError(missing)
        meeting.minutes_final = True
        meeting.finalised_at = _now()
        meeting.save(update_fields=["minutes_final", "finalised_at", "updated_at"])
        audit.record(actor, "meeting.finalise", meeting, changes={"minutes_final": [False, True]})
    return meeting
