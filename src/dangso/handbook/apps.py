from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HandbookConfig(AppConfig):
    """Sổ tay đảng viên: the member portal, the electronic party card, the library, resolution
    study and the two-way channel with the cell committee."""

    name = "dangso.handbook"
    label = "handbook"
    verbose_name = _("Party member handbook")

    def ready(self) -> None:
        from dangso.core.audit import label_actions

        label_actions(
            {
                "handbook.codes": _("Handbook activation codes issued"),
                "handbook.activate": _("Handbook account activated"),
                "handbook.publish": _("Document published to members"),
                "handbook.withdraw": _("Document withdrawn from the members' library"),
                "handbook.campaign": _("Study campaign opened"),
                "handbook.study": _("Study done, reflection handed in"),
                "handbook.thread": _("Member wrote to the committee"),
                "handbook.reply": _("Reply in a member's conversation"),
                "handbook.correction": _("Correction of a member's record decided"),
                "handbook.card.issue": _("Electronic party card issued"),
            }
        )
