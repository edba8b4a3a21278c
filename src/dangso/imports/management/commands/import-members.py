"""`dangso import-members FILE --org CODE --user USERNAME [--dry-run] [--valid-only]`.

Imports a member list (.xlsx or .csv) in this process, as USERNAME, into the organisation
CODE: all or nothing by default, the valid rows only with --valid-only, nothing with
--dry-run. Progress goes to stderr; the summary, the first bad rows and the path of the error
report to stdout. `--template FILE` writes our template instead.
"""

import sys
import time
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from dangso.imports.models import ImportMode, ImportStatus
from dangso.imports.pipeline import ImportResult, import_file, report_path
from dangso.imports.readers import ImportFileError
from dangso.imports.template import write_template
from dangso.orgs.models import Organisation

SHOWN_ERRORS = 20


class Command(BaseCommand):
    help = "Import a member list (.xlsx or .csv): all or nothing, valid rows only, or a dry run."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", help="The .xlsx or .csv file to import.")
        parser.add_argument("--org", help="Code of the organisation the rows must fall under.")
        parser.add_argument("--user", help="Username of the person importing (their scope).")
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--dry-run", action="store_true", help="Check and report only.")
        group.add_argument(
            "--valid-only", action="store_true", help="Write the valid rows, report the rest."
        )
        parser.add_argument("--template", metavar="FILE", help="Write our template to FILE.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["template"]:
            with open(options["template"], "wb") as out:
                write_template(out)
            self.stdout.write(_("Template written to %(path)s") % {"path": options["template"]})
            return
        if not options["file"] or not options["org"] or not options["user"]:
            raise CommandError(_("Give the FILE, --org CODE and --user USERNAME."))
        try:
            user = get_user_model().objects.get(username=options["user"])
        except get_user_model().DoesNotExist as error:
            raise CommandError(_("No user %(name)s.") % {"name": options["user"]}) from error
        scope = Organisation.objects.filter(code=options["org"]).first()
        if scope is None:
            raise CommandError(_("No organisation with code %(code)s.") % {"code": options["org"]})
        mode = (
            ImportMode.DRY_RUN
            if options["dry_run"]
            else ImportMode.VALID_ONLY
            if options["valid_only"]
            else ImportMode.ALL_OR_NOTHING
        )
        started = time.monotonic()
        progress = _Progress(self.stderr)
        try:
            result = import_file(
                options["file"], user=user, scope=scope, mode=mode, progress=progress
            )
        except (ImportFileError, OSError) as error:
            raise CommandError(str(error)) from error
        progress.done()
        self.summary(result, time.monotonic() - started)
        if result.status == ImportStatus.FAILED or (
            mode != ImportMode.DRY_RUN and result.status != ImportStatus.COMMITTED
        ):
            raise CommandError(result.message or _("Nothing was written."))

    def summary(self, result: ImportResult, seconds: float) -> None:
        write = self.stdout.write
        write(
            _("Rows: %(rows)s · valid: %(valid)s · bad: %(bad)s · created: %(created)s · "
              "updated: %(updated)s · unchanged: %(unchanged)s · %(seconds).1f s")
            % {"rows": result.rows, "valid": result.valid, "bad": result.bad,
               "created": result.created, "updated": result.updated,
               "unchanged": result.unchanged, "seconds": seconds}
        )  # fmt: skip
        if result.status == ImportStatus.COMMITTED:
            write(_("Written."))
        elif result.message:
            write(result.message)
        if result.errors:
            write(_("Bad rows (first %(n)s):") % {"n": min(SHOWN_ERRORS, len(result.errors))})
            for line, column, value, reason in result.errors[:SHOWN_ERRORS]:
                write(f"  {line}\t{column}\t{value!s:.40}\t{reason}")
        if result.report:
            write(_("Error report: %(path)s") % {"path": report_path(result)})


class _Progress:
    """A progress line on stderr, rewritten in place at most a few times a second."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.shown = False
        self.interactive = hasattr(sys.stderr, "isatty") and sys.stderr.isatty()

    def __call__(self, done: int, total: int) -> None:
        percent = f" ({100 * done // total}%)" if total else ""
        text = _("%(done)s of about %(total)s rows read%(percent)s") % {
            "done": f"{done:,}",
            "total": f"{total:,}",
            "percent": percent,
        }
        if self.interactive:
            self.stream.write(f"\r{text}", ending="")
        else:
            self.stream.write(text)
        self.stream.flush()
        self.shown = True

    def done(self) -> None:
        if self.shown and self.interactive:
            self.stream.write("")
