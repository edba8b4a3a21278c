from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "dangso.members"
    label = "members"
    verbose_name = _("Party members")

    def ready(self) -> None:
        from dangso.members import actions  # noqa: F401  registers the merge follower
