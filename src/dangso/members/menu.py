from django.utils.translation import gettext_lazy as _

from dangso.core.menu import MenuItem

ITEMS = [
    MenuItem("organisation", _("Party members"), "members:list", "member.view", order=20),
]
