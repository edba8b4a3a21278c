"""Cell meetings (sinh hoạt chi bộ): the meeting, its materials, and each member's attendance.

A meeting goes draft → published (members and the committee above told) → open → closed, or
cancelled. Attendance rows are made for every member on the cell's roll when the meeting is
published; what the minutes say of each member (present, excused, absent) follows from the row
(`Attendance.presence`), so it is never stored twice.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangso.meetings.choices import (
    CheckInMethod,
    MeetingKind,
    MeetingStatus,
    Presence,
    Response,
    minimum_minutes,
)


def new_check_in_token() -> str:
    return secrets.token_urlsafe(24)


class Meeting(models.Model):
    cell = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=_("Party cell"),
        on_delete=models.PROTECT,
        related_name="meetings",
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=MeetingKind.choices, default=MeetingKind.REGULAR
    )
    title = models.CharField(_("title"), max_length=255)
    starts_at = models.DateTimeField(_("starts at"))
    place = models.CharField(pgettext_lazy("meeting", "place"), max_length=255)
    agenda = models.TextField(_("agenda"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.DRAFT
    )
    published_at = models.DateTimeField(_("announced at"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=500, blank=True)
    # What the meeting's QR code carries: members scan it to check themselves in.
    check_in_token = models.CharField(max_length=64, unique=True, default=new_check_in_token)

    # Biên bản sinh hoạt chi bộ.
    chair = models.CharField(_("chaired by"), max_length=120, blank=True)
    minute_taker = models.CharField(_("minutes taken by"), max_length=120, blank=True)
    minutes_news = models.TextField(_("news and policy"), blank=True)
    minutes_review = models.TextField(_("review of the past month"), blank=True)
    minutes_tasks = models.TextField(_("tasks for the coming month"), blank=True)
    minutes_discussion = models.TextField(_("opinions in the discussion"), blank=True)
    minutes_resolution = models.TextField(_("resolution and conclusions"), blank=True)
    minutes_recorded_at = models.DateTimeField(null=True, blank=True)
    minutes_final = models.BooleanField(_("minutes finalised"), default=False)
    finalised_at = models.DateTimeField(_("finalised at"), null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_path = "cell__path"

    class Meta:
        verbose_name = _("cell meeting")
        verbose_name_plural = _("cell meetings")
        ordering = ["-starts_at", "-pk"]
        indexes = [models.Index(fields=["cell", "starts_at"], name="meeting_cell_start_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=MeetingStatus.values), name="meeting_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(closed_at__gte=models.F("opened_at")),
                name="meeting_closes_after_opening",
            ),
            models.CheckConstraint(
                condition=Q(minutes_final=False) | Q(status=MeetingStatus.CLOSED),
                name="meeting_final_minutes_when_closed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_at:%d/%m/%Y})"

    @property
    def minimum_minutes(self) -> int:
        return minimum_minutes(self.kind)

    @property
    def duration_minutes(self) -> int | None:
        if self.opened_at is None or self.closed_at is None:
            return None
        return int((self.closed_at - self.opened_at).total_seconds() // 60)

    @property
    def is_visible_to_members(self) -> bool:
        return self.status != MeetingStatus.DRAFT

    @property
    def accepts_responses(self) -> bool:
        return self.status in (MeetingStatus.PUBLISHED, MeetingStatus.OPEN)

    @property
    def minutes_editable(self) -> bool:
        return self.status in (MeetingStatus.OPEN, MeetingStatus.CLOSED) and not self.minutes_final


class Material(models.Model):
    """A document for the meeting (tài liệu sinh hoạt), stored like document attachments."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="materials")
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=200)
    added_at = models.DateTimeField(auto_now_add=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set when members can read it: when the meeting is published, or on upload after that.
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("meeting material")
        verbose_name_plural = _("meeting materials")
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "sha256"], name="material_once_per_meeting")
        ]

    def __str__(self) -> str:
        return self.name


class Attendance(models.Model):
    """One member at one meeting: their answer to the notice, and whether they came."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="meeting_attendances"
    )
    response = models.CharField(
        _("answer"), max_length=20, choices=Response.choices, default=Response.NONE
    )
    reason = models.CharField(_("reason for leave"), max_length=500, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    check_in_method = models.CharField(
        max_length=20, choices=CheckInMethod.choices, default=CheckInMethod.NONE, blank=True
    )

    scope_path = "meeting__cell__path"

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once"),
            models.CheckConstraint(
                condition=~Q(response=Response.LEAVE) | ~Q(reason=""),
                name="attendance_leave_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["member", "meeting"], name="attendance_member_idx")]

    def __str__(self) -> str:
        return f"{self.member_id} @ {self.meeting_id}"

    @property
    def presence(self) -> str:
        if self.checked_in_at is not None:
            return Presence.PRESENT
        if self.response == Response.LEAVE:
            return Presence.EXCUSED
        return Presence.ABSENT
