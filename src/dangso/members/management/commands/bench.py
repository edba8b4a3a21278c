"""`dangso bench …`: synthetic national data for the benchmarks under bench/.

    dangso bench gen-orgs --out orgs.csv [--seed S] [--communes 3305]
    dangso bench gen-members --n 5500000 --out members.csv [--orgs-out orgs.csv] [--seed S]
                             [--xlsx] [--defect-rate 0.005] [--today YYYY-MM-DD] [--workers W]
    dangso bench load-orgs orgs.csv          (an empty database; COPY on PostgreSQL)
    dangso bench load-members members.csv    (PostgreSQL; after load-orgs of the same seed)

Members of `--seed S` name the cells of the tree of `gen-orgs --seed S`. Next to a member file
`<file>.manifest.json` lists every planted defect by row with the rule codes that must find it.
"""

import datetime
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from dangso.members import synthetic


class Command(BaseCommand):
    help = "Generate and load synthetic national data for the benchmarks (bench/)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        orgs = actions.add_parser("gen-orgs", help="Write the national organisation tree (CSV).")
        orgs.add_argument("--out", type=Path, required=True)
        orgs.add_argument("--seed", type=int, default=204)
        orgs.add_argument("--communes", type=int, default=synthetic.COMMUNES_TOTAL,
                          help="a smaller tree for quick checks")  # fmt: skip
        members = actions.add_parser(
            "gen-members", help="Write a member list in the import template, with defects."
        )
        members.add_argument("--n", type=int, required=True, help="number of members")
        members.add_argument("--out", type=Path, required=True)
        members.add_argument("--orgs-out", type=Path, help="also write the organisation tree")
        members.add_argument("--seed", type=int, default=204)
        members.add_argument("--communes", type=int, default=synthetic.COMMUNES_TOTAL,
                             help="the tree's size, as for gen-orgs")  # fmt: skip
        members.add_argument("--xlsx", action="store_true", help="an .xlsx sheet (small N)")
        members.add_argument("--defect-rate", type=float, default=0.005,
                             help="share of rows for each kind of planted defect")  # fmt: skip
        members.add_argument("--today", type=datetime.date.fromisoformat,
                             help="reference date of the data (default: today)")  # fmt: skip
        members.add_argument("--workers", type=int, default=None, help="processes (default: CPUs)")
        load_orgs = actions.add_parser("load-orgs", help="Load an organisation file (COPY).")
        load_orgs.add_argument("file", type=Path)
        load_members = actions.add_parser(
            "load-members", help="Load a member file by COPY (PostgreSQL, benchmarks only)."
        )
        load_members.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        handler = {
            "gen-orgs": self.gen_orgs,
            "gen-members": self.gen_members,
            "load-orgs": self.load_orgs,
            "load-members": self.load_members,
        }[options["action"]]
        try:
            handler(options)
        except (ValueError, OverflowError) as error:
            raise CommandError(str(error)) from error

    def gen_orgs(self, options: dict[str, Any]) -> None:
        start = time.perf_counter()
        count = synthetic.write_orgs(
            synthetic.build_tree(options["seed"], communes_total=options["communes"]),
            options["out"],
        )
        self.stdout.write(
            f"{count:,} organisations → {options['out']} in {time.perf_counter() - start:.1f} s"
        )

    def gen_members(self, options: dict[str, Any]) -> None:
        if options["n"] < 1:
            raise CommandError("--n must be at least 1.")
        if options["defect_rate"] * len(synthetic.DEFECTS) > 0.5:
            raise CommandError(
                f"--defect-rate × {len(synthetic.DEFECTS)} kinds must stay under half the rows."
            )
        start = time.perf_counter()
        tree = synthetic.build_tree(options["seed"], communes_total=options["communes"])
        if options["orgs_out"]:
            synthetic.write_orgs(tree, options["orgs_out"])
        member_options = synthetic.MemberOptions(
            rows=options["n"],
            seed=options["seed"],
            defect_rate=options["defect_rate"],
            today=options["today"] or datetime.date.today(),
        )
        verbose = options["verbosity"] > 0

        def progress(done: int) -> None:
            if verbose:
                self.stderr.write(f"\r{done:,} / {options['n']:,} rows", ending="")

        report = synthetic.write_members(
            options["out"], member_options, tree, xlsx=options["xlsx"],
            workers=options["workers"], progress=progress,
        )  # fmt: skip
        elapsed = time.perf_counter() - start
        if verbose:
            self.stderr.write("")
        planted = sum(report.planted.values())
        self.stdout.write(
            f"{report.rows:,} members → {report.out} in {elapsed:.1f} s "
            f"({report.rows / elapsed:,.0f} rows/s); {planted:,} planted defects → "
            f"{report.manifest.name}"
        )

    def load_orgs(self, options: dict[str, Any]) -> None:
        from dangso.members.synthetic.load import load_orgs

        start = time.perf_counter()
        count = load_orgs(options["file"])
        self.stdout.write(f"{count:,} organisations loaded in {time.perf_counter() - start:.1f} s")

    def load_members(self, options: dict[str, Any]) -> None:
        from dangso.members.stats import rebuild_member_counts
        from dangso.members.synthetic.load import LoadReport, indexes_deferred, load_members

        if connection.vendor != "postgresql":
            raise CommandError("load-members uses COPY: set DATABASE_URL to a PostgreSQL database.")
        if options["file"].suffix.lower() != ".csv":
            raise CommandError("load-members reads the CSV of gen-members.")
        start = time.perf_counter()
        indexes = LoadReport()
        with indexes_deferred("members_member", indexes):
            report = load_members(options["file"])
        count_rows = rebuild_member_counts()
        self.stdout.write(
            f"{report.rows:,} members loaded in {time.perf_counter() - start:.1f} s "
            f"({report.timings_s}; indexes {indexes.timings_s}); {count_rows:,} count rows"
        )
