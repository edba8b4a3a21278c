"""`dangso demo`: load demonstration data into an empty database and print the demo logins."""

import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils.translation import gettext as _

from dangso.members.choices import MemberStatus
from dangso.members.demo import DEFAULT_MEMBERS, DEFAULT_SEED, demo_logins, has_data, load_demo
from dangso.site.demo import DEMO_STEPS


class Command(BaseCommand):
    help = "Load demo data (one province, ~300 Party cells, ~10,000 members) and print the logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--members",
            type=int,
            default=DEFAULT_MEMBERS,
            help=f"How many party members to create (default {DEFAULT_MEMBERS}).",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help="Random seed; the same seed gives the same data.",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="SQLite only: delete ALL data in the database first (flush), then load the demo.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["members"] < 0:
            raise CommandError(_("--members must be zero or more."))
        if options["reset"]:
            if connection.vendor != "sqlite":
                raise CommandError(
                    _(
                        "--reset works on SQLite only: on PostgreSQL the audit log is "
                        "append-only. Drop and create the database, migrate, then run demo."
                    )
                )
            call_command("flush", interactive=False, verbosity=0)
            self.stdout.write(_("All data deleted."))
        if has_data():
            self.stdout.write(
                _("The database already holds organisations: demo data is not loaded again.")
            )
        else:
            started = time.monotonic()
            summary = load_demo(members=options["members"], seed=options["seed"])
            elapsed = time.monotonic() - started
            statuses = ", ".join(
                f"{MemberStatus(status).label}: {count}"
                for status, count in sorted(summary.by_status.items())
            )
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "Demo data loaded in %(seconds).1f s: %(orgs)s organisations "
                        "(%(cells)s Party cells), %(members)s members, %(events)s events."
                    )
                    % {
                        "seconds": elapsed,
                        "orgs": summary.organisations,
                        "cells": summary.cells,
                        "members": summary.members,
                        "events": summary.events,
                    }
                )
            )
            if statuses:
                self.stdout.write(f"  {statuses}")
            for step in DEMO_STEPS:
                self.stdout.write(step(options["seed"]))
        self._print_logins()

    def _print_logins(self) -> None:
        rows = demo_logins()
        if not rows:
            self.stdout.write(_("No demo logins in this database."))
            return
        header = (_("Username"), _("Password"), _("Role"), _("Organisation"))
        widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(4)]

        def line(cells: tuple[str, ...]) -> str:
            padded = (str(cell).ljust(width) for cell, width in zip(cells, widths, strict=True))
            return "  ".join(padded).rstrip()

        self.stdout.write("")
        self.stdout.write(_("Demo logins:"))
        self.stdout.write(line(header))
        self.stdout.write("  ".join("-" * width for width in widths))
        for row in rows:
            self.stdout.write(line(row))
