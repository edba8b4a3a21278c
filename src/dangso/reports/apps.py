from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Report forms, periods, submissions, level-by-level approval, aggregation up the tree."""

    name = "dangso.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from dangso.core.audit import label_actions

        label_actions(
            {
                "report.form.create": _("Report form defined"),
                "report.form.update": _("Report form changed"),
                "report.period.open": _("Reporting period opened"),
                "report.save": _("Report saved as draft"),
                "report.submit": _("Report submitted"),
                "report.approve": _("Report approved"),
                "report.return": _("Report returned"),
                "report.approve_node": _("Aggregate report approved"),
                "report.export": _("Report exported"),
            }
        )
