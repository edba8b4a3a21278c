from django.utils.translation import gettext_lazy as _

from dangso.core.menu import MenuItem

ITEMS = [
    MenuItem("steering", _("Tasks"), "followup:list", "task.view", order=20),
    MenuItem("steering", _("Programmes"), "followup:programmes", "task.view", order=30),
    MenuItem("steering", _("Assign a task"), "followup:new", "task.assign", order=40),
]
