"""The menu of the staff pages: the site's own items and every app's `menu.ITEMS`."""

from django.utils.translation import gettext_lazy as _

from dangso.core.menu import MenuGroup, MenuItem, menu_for
from dangso.documents import menu as documents_menu
from dangso.followup import menu as followup_menu
from dangso.handbook import menu as handbook_menu
from dangso.meetings import menu as meetings_menu
from dangso.members import menu as members_menu
from dangso.orgs import menu as orgs_menu
from dangso.quality import menu as quality_menu
from dangso.reports import menu as reports_menu

SITE_ITEMS = [
    MenuItem(
        "steering",
        _("Steering dashboard"),
        "site:steering",
        "org.view",
        order=10,
        element_id="nav-steering",
    ),
    MenuItem("system", _("Audit log"), "site:audit", "audit.view", order=10),
]

ITEMS: list[MenuItem] = [
    *SITE_ITEMS,
    *orgs_menu.ITEMS,
    *members_menu.ITEMS,
    *quality_menu.ITEMS,
    *documents_menu.ITEMS,
    *followup_menu.ITEMS,
    *reports_menu.ITEMS,
    *meetings_menu.ITEMS,
    *handbook_menu.ITEMS,
]


def menu(capabilities: set[str]) -> list[MenuGroup]:
    return list(menu_for(ITEMS, capabilities))
