from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    """Incoming and outgoing documents: registers, numbering, workflow, interchange, signing."""

    name = "dangso.documents"
    label = "documents"
    verbose_name = _("Documents")
