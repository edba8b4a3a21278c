from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "dangso.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from dangso.core.audit import label_actions

        label_actions(
            {
                "auth.login": _("Signed in"),
                "auth.login_failed": _("Failed sign-in"),
                "auth.mfa_enrol": _("Second factor set up"),
                "user.create": _("User created"),
                "role.grant": _("Role granted"),
                "role.move": _("Role moved by reorganisation"),
                "role.revoke": _("Role revoked"),
                "token.create": _("API token created"),
                "token.revoke": _("API token revoked"),
                "org.create": _("Organisation established"),
                "org.rename": _("Organisation renamed"),
                "org.move": _("Organisation moved"),
                "org.merge": _("Organisation merged"),
                "org.dissolve": _("Organisation dissolved"),
                "demo.load": _("Demo data loaded"),
            }
        )
