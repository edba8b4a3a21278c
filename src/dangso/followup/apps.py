from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupConfig(AppConfig):
    """Tasks from resolutions and programmes, progress, roll-up, reminders, steering dashboards."""

    name = "dangso.followup"
    label = "followup"
    verbose_name = _("Task follow-up")

    def ready(self) -> None:
        from dangso.core.audit import label_actions

        label_actions(
            {
                "programme.create": _("Programme created"),
                "task.assign": _("Task assigned"),
                "task.delegate": _("Task handed down"),
                "task.progress": _("Task progress reported"),
                "task.grant": _("Access to a confidential task granted"),
                "task.read": _("Confidential task read"),
            }
        )
