from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    """Data quality of the member registry: rule checks, problems, duplicates, worklists."""

    name = "dangso.quality"
    label = "quality"
    verbose_name = _("Data quality")

    def ready(self) -> None:
        from dangso.core.audit import label_actions
        from dangso.quality import actions  # noqa: F401  registers the re-check of changed members

        label_actions(
            {
                "member.merge": _("Duplicate record merged into this one"),
                "member.merged": _("Record merged into another (duplicate)"),
                "quality.check": _("Records checked"),
                "quality.find_duplicates": _("Likely duplicates searched"),
                "quality.duplicate.dismiss": _("Pair marked as different people"),
            }
        )
