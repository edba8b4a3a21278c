from django.utils.translation import gettext_lazy as _

from dangso.core.menu import MenuItem

ITEMS = [
    MenuItem("organisation", _("Organisations"), "orgs:tree", "org.view", order=10),
]
