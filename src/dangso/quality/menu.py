from django.utils.translation import gettext_lazy as _

from dangso.core.menu import MenuItem

ITEMS = [
    MenuItem("organisation", _("Import members"), "imports:upload", "member.event", order=30),
    MenuItem(
        "organisation",
        _("Data quality"),
        "quality:dashboard",
        "member.view",
        order=40,
        element_id="nav-quality",
    ),
    MenuItem(
        "organisation",
        _("Worklist"),
        "quality:worklist",
        "member.edit",
        order=50,
        element_id="nav-worklist",
    ),
]
