from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    """Cell meetings (sinh hoạt chi bộ): schedule, materials, attendance, check-in, minutes."""

    name = "dangso.meetings"
    label = "meetings"
    verbose_name = _("Cell meetings")

    def ready(self) -> None:
        from dangso.core.audit import label_actions

        label_actions(
            {
                "meeting.schedule": _("Cell meeting scheduled"),
                "meeting.edit": _("Cell meeting changed"),
                "meeting.material_add": _("Meeting materials added"),
                "meeting.material_remove": _("Meeting material removed"),
                "meeting.publish": _("Cell meeting announced"),
                "meeting.cancel": _("Cell meeting cancelled"),
                "meeting.respond": _("Answer to a meeting notice"),
                "meeting.check_in": _("Checked in at a cell meeting"),
                "meeting.open": _("Cell meeting opened"),
                "meeting.close": _("Cell meeting closed"),
                "meeting.minutes": _("Meeting minutes written"),
                "meeting.finalise": _("Meeting minutes finalised"),
            }
        )
