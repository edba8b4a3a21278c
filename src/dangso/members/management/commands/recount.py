"""`dangso recount`: rebuild the member counts kept on each organisation.

The member actions keep `Organisation.member_count` and the subtree counts of `members.stats`
up to date in the same transaction as each change; this command is the check and the repair
after a restore, a bulk load or a manual SQL fix.
"""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from dangso.members.actions import recount_members
from dangso.members.stats import rebuild_member_counts


class Command(BaseCommand):
    help = "Recount members on the roll per organisation and repair stored counts that differ."

    def handle(self, *args: Any, **options: Any) -> None:
        changed = recount_members()
        self.stdout.write(
            _("Member counts checked: %(changed)s organisations corrected.") % {"changed": changed}
        )
        rows = rebuild_member_counts()
        self.stdout.write(_("Subtree statistics rebuilt: %(rows)s rows.") % {"rows": f"{rows:,}"})
