"""`dangso org create|list`: organisations from the command line, e.g. the root of a new
deployment before anyone can sign in:

    dangso org create TW "Ban Chấp hành Trung ương" --kind central
    dangso org create T01 "Đảng bộ tỉnh Bắc Ninh" --kind province --parent TW --short-name TU
"""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from dangso.core.audit import Actor
from dangso.orgs import actions
from dangso.orgs.choices import OrgKind
from dangso.orgs.models import Organisation

ACTOR = Actor.system("org-command")


def _day(text: str) -> datetime.date:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise CommandError(_("Write the date as dd/mm/yyyy."))


class Command(BaseCommand):
    help = "Create and list Party organisations."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True)
        create = commands.add_parser("create", help="Create an organisation.")
        create.add_argument("code")
        create.add_argument("name")
        create.add_argument("--kind", required=True, choices=OrgKind.values)
        create.add_argument("--parent", default="", help="Code of the parent organisation.")
        create.add_argument("--short-name", default="")
        create.add_argument("--from", dest="valid_from", default="", help="dd/mm/yyyy")
        listing = commands.add_parser("list", help="List the active organisations under a code.")
        listing.add_argument("code", nargs="?", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "create":
            self.create(options)
        else:
            self.list(options["code"])

    def create(self, options: dict[str, Any]) -> None:
        parent = None
        if options["parent"]:
            parent = Organisation.objects.filter(code=options["parent"]).first()
            if parent is None:
                raise CommandError(
                    _("No organisation has the code %(code)s.") % {"code": options["parent"]}
                )
        valid_from = _day(options["valid_from"]) if options["valid_from"] else timezone.localdate()
        try:
            org = actions.create_organisation(
                code=options["code"],
                name=options["name"],
                kind=options["kind"],
                parent=parent,
                valid_from=valid_from,
                short_name=options["short_name"],
                actor=ACTOR,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(_("Created %(code)s %(name)s.") % {"code": org.code, "name": org.name})

    def list(self, code: str) -> None:
        organisations = Organisation.objects.active()
        if code:
            root = Organisation.objects.filter(code=code).first()
            if root is None:
                raise CommandError(_("No organisation has the code %(code)s.") % {"code": code})
            organisations = organisations.subtree(root)
        for org in organisations.order_by("path"):
            self.stdout.write(f"{'  ' * org.depth}{org.code}  {org.name}  ({org.member_count})")
