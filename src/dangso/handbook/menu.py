from django.utils.translation import gettext_lazy as _

from dangso.core.menu import MenuItem

ITEMS = [
    MenuItem("cells", _("Handbook accounts"), "handbook:accounts", "portal.support", order=50),
    MenuItem(
        "cells", _("Members' messages"), "handbook:committee_threads", "portal.support", order=60
    ),
    MenuItem("cells", _("Members' library"), "handbook:publish", "portal.publish", order=70),
    MenuItem("cells", _("Resolution study"), "handbook:campaigns", "portal.publish", order=80),
]
