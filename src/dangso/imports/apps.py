from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    """Member lists taken in from Excel and CSV files: dry run, report, commit."""

    name = "dangso.imports"
    label = "imports"
    verbose_name = _("Member imports")

    def ready(self) -> None:
        from dangso.core.audit import label_actions

        label_actions({"member.import": _("Members imported from a file")})
