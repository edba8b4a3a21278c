"""`dangso find-duplicates`: propose the pairs of records that are probably the same person."""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from dangso.core.audit import Actor
from dangso.quality import actions


class Command(BaseCommand):
    help = "Search the roll for likely duplicate records and queue them for review."

    def handle(self, *args: Any, **options: Any) -> None:
        result = actions.find_duplicates_audited(actor=Actor.system("find-duplicates"))
        self.stdout.write(
            _(
                "%(members)s members compared in %(seconds).1f s: %(found)s likely duplicate "
                "pairs (%(new)s new, %(decided)s already decided)."
            )
            % {
                "members": result.members,
                "seconds": result.seconds,
                "found": result.found,
                "new": result.new,
                "decided": result.decided,
            }
        )
