from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupConfig(AppConfig):
    """Tasks from resolutions and programmes, progress, roll-up, reminders, steering dashboards."""

    name = "dangso.followup"
    label = "followup"
    verbose_name = _("Task follow-up")
