from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    """Data quality of the member registry: rule checks, problems, duplicates, worklists."""

    name = "dangso.quality"
    label = "quality"
    verbose_name = _("Data quality")
