from django.utils.translation import gettext_lazy as _

from dangso.core.menu import MenuItem

ITEMS = [
    MenuItem("steering", _("Reports"), "reports:form_list", "report.view", order=50),
]
