"""`dangso audit verify`: check that the hash-chained audit log is whole (DESIGN rule 2)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from dangso.core.audit import verify_chain
from dangso.core.models import AuditEntry


class Command(BaseCommand):
    help = "Work with the audit log. 'verify' checks the hash chain; run it from cron."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True, metavar="verify")
        subcommands.add_parser(
            "verify", help="Check every entry's hash and link; exit 1 at the first break."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "verify":
            self.verify()

    def verify(self) -> None:
        for problem in verify_chain():
            raise CommandError(
                _("Audit chain broken at entry %(seq)s: %(reason)s")
                % {"seq": problem.seq, "reason": problem.reason}
            )
        count = AuditEntry.objects.count()
        self.stdout.write(
            self.style.SUCCESS(_("Audit chain intact: %(count)s entries") % {"count": count})
        )
