from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    """Cell meetings (sinh hoạt chi bộ): schedule, materials, attendance, check-in, minutes."""

    name = "dangso.meetings"
    label = "meetings"
    verbose_name = _("Cell meetings")
