from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SiteConfig(AppConfig):
    """The composition of the platform: home page, steering dashboard, audit log page, menu,
    the demo, and the URL and API roots. It imports every app; nothing imports it."""

    name = "dangso.site"
    label = "site"
    verbose_name = _("Site")
