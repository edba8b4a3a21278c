from django.utils.translation import gettext_lazy as _

from dangso.core.menu import MenuItem

ITEMS = [
    MenuItem("documents", _("My work"), "documents:inbox", "document.view", order=10),
    MenuItem(
        "documents",
        _("Incoming register"),
        "documents:register",
        "document.view",
        args=("in",),
        order=20,
    ),
    MenuItem(
        "documents",
        _("Outgoing register"),
        "documents:register",
        "document.view",
        args=("out",),
        order=30,
    ),
]
