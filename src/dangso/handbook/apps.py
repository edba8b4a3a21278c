from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HandbookConfig(AppConfig):
    """Sổ tay đảng viên: the member portal, the electronic party card, the library, resolution
    study and the two-way channel with the cell committee."""

    name = "dangso.handbook"
    label = "handbook"
    verbose_name = _("Party member handbook")
