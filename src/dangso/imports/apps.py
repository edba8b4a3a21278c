from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    """Member lists taken in from Excel and CSV files: dry run, report, commit."""

    name = "dangso.imports"
    label = "imports"
    verbose_name = _("Member imports")
