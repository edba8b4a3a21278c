"""`dangso card`: the electronic party card's signing key, its published files, and an offline
check of a card.

    dangso card keygen [--rotate]
    dangso card publish --out DIR
    dangso card verify [--keys FILE] [--revocations FILE] TEXT

`verify` with files published earlier needs neither the database nor the network. It exits
0 when the card is valid, 1 when it is not, 2 when the command is used wrongly.
"""

import json
import sys
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from dangso.core.dates import format_date
from dangso.core.signed_payloads import KeySet
from dangso.handbook import card

EXIT_INVALID = 1
EXIT_USAGE = 2


class Command(BaseCommand):
    help = "Electronic party card: create the signing key, publish the public files, verify a card."
    requires_system_checks: list[str] = []  # `verify` must run on a bare verifier's machine

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(
            dest="subcommand", required=True, metavar="keygen|publish|verify"
        )
        keygen = commands.add_parser(
            "keygen", help="Create the platform's card signing key (Ed25519, file mode 0600)."
        )
        keygen.add_argument(
            "--rotate",
            action="store_true",
            help="Replace an existing key; its public key stays published for the cards it signed.",
        )
        publish = commands.add_parser(
            "publish",
            help="Write public-key.pem, revocations.json and card-keys.json for offline verifiers.",
        )
        publish.add_argument("--out", required=True, type=Path, help="Folder to write into.")
        verify = commands.add_parser("verify", help="Check a card's QR text or link.")
        verify.add_argument(
            "--keys",
            type=Path,
            help="Published public key(s): public-key.pem or card-keys.json "
            "(default: this platform's keys).",
        )
        verify.add_argument(
            "--revocations",
            type=Path,
            help="Published revocations.json (default: inside card-keys.json, or this "
            "platform's member roll now).",
        )
        verify.add_argument("text", help="The QR text (DSC1.…) or the verify link it holds.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["subcommand"] == "keygen":
                self.keygen(rotate=options["rotate"])
            elif options["subcommand"] == "publish":
                self.publish(options["out"])
            else:
                self.verify(options["text"], options["keys"], options["revocations"])
        except card.CardError as error:
            self.fail(str(error))

    def fail(self, message: str) -> NoReturn:
        self.stderr.write(self.style.ERROR(message))
        sys.exit(EXIT_USAGE)

    def keygen(self, *, rotate: bool) -> None:
        kid = card.generate_key(rotate=rotate)
        self.stdout.write(
            self.style.SUCCESS(
                _("Card signing key %(kid)s written to %(path)s (readable by its owner only).")
                % {"kid": kid, "path": card.key_file()}
            )
        )

    def publish(self, folder: Path) -> None:
        bundle = card.published_bundle()
        try:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "public-key.pem").write_bytes(KeySet.from_json(bundle).to_pem())
            (folder / "revocations.json").write_text(
                json.dumps(bundle["revocations"], ensure_ascii=False), encoding="utf-8"
            )
            (folder / "card-keys.json").write_text(
                json.dumps(bundle, ensure_ascii=False, indent=1), encoding="utf-8"
            )
        except OSError as error:
            self.fail(_("Cannot write to %(path)s: %(error)s") % {"path": folder, "error": error})
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Published %(keys)s key(s) and a revocation list of %(count)s card(s) "
                    "to %(path)s."
                )
                % {
                    "keys": len(bundle["keys"]),
                    "count": len(bundle["revocations"]["revoked"]),
                    "path": folder,
                }
            )
        )

    def _read(self, path: Path) -> bytes:
        try:
            return path.read_bytes()
        except OSError as error:
            self.fail(
                _("Cannot read %(path)s: %(error)s") % {"path": path, "error": error.strerror}
            )

    def _offline_inputs(
        self, keys_path: Path | None, revocations_path: Path | None
    ) -> tuple[KeySet, Any]:
        """The key set and the revocation list (a document, checked by `verify`)."""
        embedded = None
        if keys_path is None:
            keys = card.published_keys()
        else:
            data = self._read(keys_path)
            if data.lstrip().startswith(b"{"):
                try:
                    bundle = json.loads(data)
                except (ValueError, UnicodeDecodeError):
                    bundle = None
                if not isinstance(bundle, dict):
                    self.fail(_("%(path)s is damaged: it is not JSON.") % {"path": keys_path})
                keys = KeySet.from_json(bundle)
                embedded = bundle.get("revocations")
            elif b"-----BEGIN" in data:
                keys = KeySet.from_pem(data)
            else:
                self.fail(
                    _("%(path)s is neither a PEM public key nor a published card-keys.json.")
                    % {"path": keys_path}
                )
        if revocations_path is not None:
            return keys, self._read(revocations_path)
        if embedded is not None:
            return keys, embedded
        if keys_path is not None:
            self.fail(
                _(
                    "Give the published revocation list too (--revocations FILE): a card cannot "
                    "be checked without it."
                )
            )
        return keys, card.LiveRevocations()

    def verify(self, text: str, keys_path: Path | None, revocations_path: Path | None) -> None:
        keys, revocations = self._offline_inputs(keys_path, revocations_path)
        result = card.verify(text, keys, revocations, timezone.localdate())
        style = self.style.SUCCESS if result.is_valid else self.style.ERROR
        self.stdout.write(style(f"{result.label}: {result.message}"))
        if result.detail:
            self.stdout.write(f"  {result.detail}")
        if result.card:
            found = result.card
            for label, value in (
                (_("Full name"), found.full_name),
                (_("Party card number"), found.card_number),
                (_("Party cell"), f"{found.cell_name} ({found.cell_code})"),
                (_("Issued on"), format_date(found.issued)),
                (_("Valid until"), format_date(found.expires)),
                (_("Key"), found.kid),
            ):
                self.stdout.write(f"  {label}: {value}")
        if result.revocations_issued_at and not isinstance(revocations, card.LiveRevocations):
            moment = timezone.localtime(result.revocations_issued_at)
            self.stdout.write(
                "  "
                + _("Revocation list of %(time)s")
                % {"time": f"{format_date(moment.date())} {moment:%H:%M}"}
            )
        if not result.is_valid:
            sys.exit(EXIT_INVALID)
