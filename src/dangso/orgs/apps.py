from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "dangso.orgs"
    label = "orgs"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        from dangso.core.audit import label_actions

        # The term's action kept the name it had when terms lived with the documents.
        label_actions({"document.office.term": _("Committee term started")})
