"""`dangso remind`: tell handlers of tasks that are due soon or overdue (run daily, e.g. from
a systemd timer or cron; each reminder goes out once per task)."""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from dangso.followup.actions import send_reminders


class Command(BaseCommand):
    help = "Send the reminders of tasks due soon (DANGSO_TASK_REMIND_DAYS) and overdue."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_reminders()
        self.stdout.write(
            _("Reminders sent: %(due)s due soon, %(overdue)s overdue.")
            % {"due": sent["due"], "overdue": sent["overdue"]}
        )
