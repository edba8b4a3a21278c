from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    """Incoming and outgoing documents: registers, numbering, workflow, interchange, signing."""

    name = "dangso.documents"
    label = "documents"
    verbose_name = _("Documents")

    def ready(self) -> None:
        from dangso.core.audit import label_actions

        label_actions(
            {
                "document.register": _("Incoming document registered"),
                "document.receive": _("Document received from another organisation"),
                "document.assign": _("Document assigned to handlers"),
                "document.progress": _("Handling progress recorded"),
                "document.handler_done": _("Handler finished their part"),
                "document.close": _("Document handling closed"),
                "document.return": _("Document returned to its sender"),
                "document.draft": _("Outgoing document drafted"),
                "document.edit": _("Draft edited"),
                "document.attach": _("File attached to a document"),
                "document.submit": _("Draft sent for review"),
                "document.review": _("Draft reviewed"),
                "document.sign": _("Document signed digitally"),
                "document.issue": _("Document numbered and issued"),
                "document.send": _("Document sent to organisations"),
                "document.recall": _("Document recalled"),
                "document.grant": _("Access to a classified document granted"),
                "document.read": _("Classified document read"),
                "document.export": _("Document register exported"),
                "document.package_export": _("Exchange package exported"),
                "document.import": _("Document registered from an exchange package"),
                "document.office.body": _("Issuing body set up"),
                "document.office.congress": _("Congress recorded"),
                "document.office.type": _("Document type set up"),
            }
        )
