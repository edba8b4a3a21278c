"""`dangso user create|roles`, `dangso user grant|revoke`: people and their roles, on the server.

The first administrator of a new deployment is made here:
    dangso user create admin.tinh --first-name "Nguyễn Văn" --last-name "An"
    dangso user grant admin.tinh admin T01
"""

import getpass
import sys
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from dangso.accounts import actions
from dangso.accounts.management.lookups import user_named
from dangso.accounts.models import RoleAssignment
from dangso.accounts.roles import Role
from dangso.core.audit import Actor
from dangso.orgs.models import Organisation

ACTOR = Actor.system("user-command")


def _organisation(code: str) -> Organisation:
    try:
        return Organisation.objects.active().get(code=code)
    except Organisation.DoesNotExist:
        raise CommandError(
            _("No active organisation has the code %(code)s.") % {"code": code}
        ) from None


class Command(BaseCommand):
    help = "Create users and grant or revoke their roles at organisations."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True)
        create = commands.add_parser("create", help="Create a user; the password is asked for.")
        create.add_argument("username")
        create.add_argument("--first-name", default="")
        create.add_argument("--last-name", default="")
        create.add_argument("--email", default="")
        create.add_argument(
            "--password-stdin", action="store_true", help="Read the password from standard input."
        )
        for name, text in (("grant", "Grant a role"), ("revoke", "Revoke a role")):
            sub = commands.add_parser(name, help=f"{text} at an organisation (by its code).")
            sub.add_argument("username")
            sub.add_argument("role", choices=Role.values)
            sub.add_argument("organisation_code")
        roles = commands.add_parser("roles", help="List a user's roles.")
        roles.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        subcommand = options["subcommand"]
        if subcommand == "create":
            self.create(options)
        elif subcommand == "roles":
            self.list_roles(user_named(options["username"]))
        else:
            user = user_named(options["username"])
            organisation = _organisation(options["organisation_code"])
            if subcommand == "grant":
                actions.grant_role(user, organisation, options["role"], actor=ACTOR)
            else:
                assignment = RoleAssignment.objects.filter(
                    user=user, organisation=organisation, role=options["role"]
                ).first()
                if assignment is None:
                    raise CommandError(_("The user does not hold that role there."))
                actions.revoke_role(assignment, actor=ACTOR)
            self.list_roles(user)

    def create(self, options: dict[str, Any]) -> None:
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass(_("Password: "))
            if password != getpass.getpass(_("Password again: ")):
                raise CommandError(_("The two passwords differ."))
        try:
            user = actions.create_user(
                options["username"],
                password=password,
                actor=ACTOR,
                first_name=options["first_name"],
                last_name=options["last_name"],
                email=options["email"],
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(_("User %(username)s created.") % {"username": user.username})

    def list_roles(self, user: User) -> None:
        assignments = RoleAssignment.objects.filter(user=user).select_related("organisation")
        if not assignments:
            self.stdout.write(_("%(username)s holds no role.") % {"username": user.username})
        for assignment in assignments.order_by("organisation__path", "role"):
            self.stdout.write(
                f"{assignment.get_role_display()} · {assignment.organisation.code} "
                f"{assignment.organisation.name}"
            )
