from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Report forms, periods, submissions, level-by-level approval, aggregation up the tree."""

    name = "dangso.reports"
    label = "reports"
    verbose_name = _("Reports")
