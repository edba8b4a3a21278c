from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "dangso.members"
    label = "members"
    verbose_name = _("Party members")

    def ready(self) -> None:
        from dangso.core.audit import label_actions
        from dangso.members import actions, stats  # noqa: F401  register their followers
        from dangso.members.choices import EventKind

        label_actions(
            {
                "member.create": _("Member admitted"),
                "member.receive": _("Member received by transfer"),
                "member.update": _("Record corrected"),
                "member.view": _("Record read"),
                "member.export": _("List exported"),
                "member.flag": _("Grounds recorded against a member"),
                "member.unflag": _("Grounds against a member cleared"),
                "member.reorganise": _("Members moved by reorganisation"),
                **{f"member.event.{kind.value}": kind.label for kind in EventKind},
            }
        )
