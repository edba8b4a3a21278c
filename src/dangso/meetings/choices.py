from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class MeetingKind(models.TextChoices):
    """Sinh hoạt định kỳ (monthly), or with a thematic session in the same sitting."""

    REGULAR = "regular", _("Regular meeting")
    THEMATIC = "thematic", _("Regular meeting with a thematic session")


class MeetingStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Announced")
    OPEN = "open", _("In session")
    CLOSED = "closed", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class Response(models.TextChoices):
    NONE = "none", _("No answer yet")
    CONFIRMED = "confirmed", _("Will attend")
    LEAVE = "leave", _("Asked leave")


class CheckInMethod(models.TextChoices):
    NONE = "", _("Not checked in")
    SECRETARY = "secretary", _("By the secretary")
    QR = "qr", _("By scanning the meeting's QR code")


class Presence(models.TextChoices):
    """What the minutes record for each member (Hướng dẫn 42-HD/BTCTW: có mặt, vắng có lý do,
    vắng không lý do)."""

    PRESENT = "present", _("Present")
    EXCUSED = "excused", _("Absent with leave")
    ABSENT = "absent", _("Absent without leave")


def minimum_minutes(kind: str) -> int:
    """Hướng dẫn 42-HD/BTCTW: at least 90 minutes, 120 with a thematic session (configurable)."""
    if kind == MeetingKind.THEMATIC:
        return int(settings.DANGSO_MEETING_THEMATIC_MIN_MINUTES)
    return int(settings.DANGSO_MEETING_MIN_MINUTES)
