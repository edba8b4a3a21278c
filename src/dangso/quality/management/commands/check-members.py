"""`dangso check-members [--org CODE]`: run every rule over the records and store the problems.

Without --org every member on the roll is checked and the day's figures are written (the
trend on the dashboard); with it, only the subtree of that organisation.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from dangso.core.audit import Actor
from dangso.orgs.models import Organisation
from dangso.quality import actions


class Command(BaseCommand):
    help = "Check member records against the rules and store their problems."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", metavar="CODE", help="only this organisation's subtree")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = Actor.system("check-members")
        if options["org"]:
            organisation = Organisation.objects.filter(code=options["org"]).first()
            if organisation is None:
                raise CommandError(
                    _("No organisation has the code %(code)s.") % {"code": options["org"]}
                )
            result = actions.check_scope(organisation, actor=actor)
            snapshot = 0
        else:
            result = actions.check_all(actor=actor)
            snapshot = actions.snapshot_quality()
        self.stdout.write(
            _(
                "%(members)s members checked in %(seconds).1f s (%(rate)s a second): "
                "%(unclean)s need fixing, %(problems)s problems."
            )
            % {
                "members": result.members,
                "seconds": result.seconds,
                "rate": round(result.rate),
                "unclean": result.unclean,
                "problems": result.problems,
            }
        )
        if snapshot:
            self.stdout.write(
                _("Figures of the day written for %(count)s organisations.") % {"count": snapshot}
            )
