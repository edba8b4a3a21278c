from django.utils.translation import gettext_lazy as _

from dangso.core.menu import MenuItem

ITEMS = [
    MenuItem("cells", _("Cell meetings"), "meetings:list", "meeting.view", order=10),
]
