"""`dangso token create|list|revoke`: personal API tokens, for administrators on the server."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from dangso.accounts.actions import create_token, revoke_token
from dangso.accounts.management.lookups import user_named
from dangso.accounts.models import ApiToken
from dangso.core.audit import Actor

ACTOR = Actor.system("token-command")


class Command(BaseCommand):
    help = "Create, list and revoke personal API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(
            dest="subcommand", required=True, metavar="{create,list,revoke}"
        )
        create = subcommands.add_parser("create", help="Create a token and print its key once.")
        create.add_argument("username")
        create.add_argument("--name", default="", help="What the token is for.")
        create.add_argument("--days", type=int, default=None, help="Expire after N days.")
        listing = subcommands.add_parser("list", help="List a user's tokens (never their keys).")
        listing.add_argument("username")
        revoke = subcommands.add_parser("revoke", help="Revoke the token whose key starts so.")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        subcommand = options["subcommand"]
        if subcommand == "create":
            self.create_token(options["username"], options["name"], options["days"])
        elif subcommand == "list":
            self.list_tokens(options["username"])
        elif subcommand == "revoke":
            self.revoke_token(options["prefix"])

    def create_token(self, username: str, name: str, days: int | None) -> None:
        user = user_named(username)
        if not user.is_active:
            raise CommandError(_("The user %(username)s is inactive.") % {"username": username})
        if days is not None and days < 1:
            raise CommandError(_("--days must be at least 1."))
        token, key = create_token(
            user, name=name or _("Command-line token"), actor=ACTOR, days=days
        )
        self.stdout.write(key)
        notice = _("Token %(prefix)s… created for %(username)s. The key is shown only this once.")
        self.stderr.write(notice % {"prefix": token.prefix, "username": username})

    def list_tokens(self, username: str) -> None:
        user = user_named(username)
        tokens = ApiToken.objects.filter(user=user).order_by("created_at", "pk")
        if not tokens:
            self.stdout.write(_("%(username)s has no tokens.") % {"username": username})
            return
        now = timezone.now()
        self.stdout.write(
            f"{_('Prefix'):<11}  {_('State'):<8}  {_('Expires'):<10}  {_('Last used'):<16}  "
            f"{_('Name')}"
        )
        for token in tokens:
            if token.is_revoked:
                state = _("revoked")
            elif token.expires_at and token.expires_at <= now:
                state = _("expired")
            else:
                state = _("active")
            expires = (
                timezone.localtime(token.expires_at).strftime("%d/%m/%Y")
                if token.expires_at
                else "-"
            )
            used = (
                timezone.localtime(token.last_used_at).strftime("%d/%m/%Y %H:%M")
                if token.last_used_at
                else "-"
            )
            self.stdout.write(
                f"{token.prefix}…  {state:<8}  {expires:<10}  {used:<16}  {token.name}"
            )

    def revoke_token(self, prefix: str) -> None:
        prefix = prefix.rstrip("…")
        if len(prefix) < 6:
            raise CommandError(_("Give at least the first 6 characters of the token."))
        matches = list(
            ApiToken.objects.select_related("user").filter(
                prefix__startswith=prefix[:10], is_revoked=False
            )
        )
        if len(prefix) > 10:  # a whole key was pasted
            matches = [token for token in matches if prefix.startswith(token.prefix)]
        if not matches:
            raise CommandError(_("No active token starts with %(prefix)s.") % {"prefix": prefix})
        if len(matches) > 1:
            raise CommandError(
                _("%(count)s active tokens start with %(prefix)s; give more characters.")
                % {"count": len(matches), "prefix": prefix}
            )
        token = revoke_token(matches[0], actor=ACTOR)
        self.stdout.write(
            _("Token %(prefix)s… of %(username)s revoked.")
            % {"prefix": token.prefix, "username": token.user.username}
        )
