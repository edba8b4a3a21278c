"""The member import pipeline on a national file, against a raw COPY of the same file (issue 3).

Usage: .venv/bin/python bench/import_members.py [--n 5500000] [--seed 204]
                                                [--mode valid_only] [--copy-only]
Generates (or reuses, bench/data/) N members in our import template with the planted defects
of `dangso bench gen-members`, starts a throwaway PostgreSQL 15 cluster under /tmp (ports
55800–55899; or DATABASE_URL, an empty database), migrates and loads the national tree, then:

1. the anchor: `BEGIN; CREATE TABLE …; COPY … FROM '<file>' (FORMAT csv, HEADER, FREEZE);
   COMMIT` into an unindexed table of the file's columns (dates as dates), as limits.md §a
   measured it (16.7 s for 5.5 M rows); streamed from this process when the server cannot read
   the file;
2. the pipeline: `dangso.imports.pipeline.import_file(file, user=…, scope=<central>, mode=…)`
   as a national administrator — read, repair, validate, find duplicates, write with the
   indexes — timed wall-clock, with the peak RSS of this process and its workers (the sum over
   the process tree, polled every 0.2 s; the PostgreSQL server's own memory is not in it).

Writes rows, wall_s, rows_per_s, peak_rss_mib, copy_wall_s and ratio_to_copy to
bench/results/import_members.json. The issue's targets: wall ≤ 5 × the COPY, peak RSS ≤ 2 GiB.
The default mode writes the valid rows and reports the planted bad ones ("all or nothing"
would write nothing on a file with defects).
"""

import argparse
import datetime
import os
import platform
import resource
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from benchdata import (
    bench_parser,
    national_files,
    on_postgresql,
    result_path,
    setup_django,
    write_results,
)
from pgcluster import server_version

PIPELINE = Path(__file__).resolve().parent.parent / "src" / "dangso" / "imports" / "pipeline.py"
_RAW_COLUMNS = (
    "full_name text, other_names text, sex text, date_of_birth date, place_of_birth text, "
    "hometown text, residence text, ethnicity text, religion text, cccd text, card_number text, "
    "dossier_number text, admission_date date, official_date date, cell_code text, "
    "general_education text, professional_qualification text, political_theory text, "
    "occupation text, position text, phone text, email text"
)


class PeakRss:
    """The largest total resident memory of this process and its descendants while running."""

    def __init__(self, interval: float = 0.2) -> None:
        self.interval = interval
        self.peak_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self) -> "PeakRss":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    def _poll(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def _sample(self) -> None:
        children: dict[int, list[int]] = {}
        rss: dict[int, int] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            pid = int(entry.name)
            children.setdefault(int(fields.get("PPid", "0").strip() or 0), []).append(pid)
            rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0])
        total, stack = 0, [os.getpid()]
        while stack:
            pid = stack.pop()
            total += rss.get(pid, 0)
            stack.extend(children.get(pid, []))
        self.peak_kib = max(self.peak_kib, total)


def raw_copy(dsn: str, path: Path) -> tuple[float, str]:
    """(seconds, how) of COPY of the file into a fresh unindexed table, as limits.md §a."""
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS raw_members")
        conn.execute("SET datestyle = 'ISO, DMY'")
        start = time.perf_counter()
        try:
            with conn.transaction():
                conn.execute(f"CREATE TABLE raw_members ({_RAW_COLUMNS})")
                conn.execute(
                    f"COPY raw_members FROM '{path}' (FORMAT csv, HEADER true, FREEZE true)"
                )
            how = "server-side COPY … FREEZE in the creating transaction"
        except psycopg.Error:  # the server cannot read the file: stream it, as psql's \copy
            start = time.perf_counter()
            with conn.transaction():
                conn.execute(f"CREATE TABLE raw_members ({_RAW_COLUMNS})")
                with conn.cursor().copy(
                    "COPY raw_members FROM STDIN (FORMAT csv, HEADER true, FREEZE true)"
                ) as copy, path.open("rb") as f:  # fmt: skip
                    while block := f.read(8 << 20):
                        copy.write(block)
            how = "client-side COPY FROM STDIN … FREEZE in the creating transaction"
        seconds = time.perf_counter() - start
        rows = conn.execute("SELECT count(*) FROM raw_members").fetchone()[0]  # type: ignore[index]
        conn.execute("DROP TABLE raw_members")
    print(f"raw COPY of {rows:,} rows: {seconds:.1f} s ({how})")
    return seconds, how


def run(args: argparse.Namespace, database_url: str) -> dict[str, Any]:
    members_csv, orgs_csv, generated_s = national_files(args.n, args.seed)
    setup_django(database_url)
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from dangso.accounts.models import RoleAssignment
    from dangso.accounts.roles import Role
    from dangso.members.models import Member, MemberCount
    from dangso.members.synthetic.load import load_orgs
    from dangso.orgs.models import Organisation

    results: dict[str, Any] = {
        "database": "postgresql",
        "server_version": server_version(database_url),
        "rows": args.n,
        "file_mib": round(members_csv.stat().st_size / 2**20, 1),
        "date": datetime.date.today().isoformat(),
        "machine": f"{os.cpu_count()} CPUs, Python {platform.python_version()}",
        "load_average_at_start": round(os.getloadavg()[0], 2),
    }
    if generated_s is not None:
        results["generate_s"] = round(generated_s, 1)
    call_command("migrate", verbosity=0)
    if Member.objects.exists() or Organisation.objects.exists():
        raise SystemExit("The database is not empty: give an empty one (or no DATABASE_URL).")
    start = time.perf_counter()
    results["organisations"] = load_orgs(orgs_csv)
    results["load_orgs_s"] = round(time.perf_counter() - start, 1)
    copy_s, how = raw_copy(database_url, members_csv.resolve())
    results["copy_wall_s"] = round(copy_s, 2)
    results["copy_method"] = how
    if args.copy_only:
        return results
    if not PIPELINE.exists():
        results["pipeline"] = "dangso.imports.pipeline is not there yet: only the COPY was timed"
        print(results["pipeline"])
        return results
    from dangso.imports.pipeline import import_file

    central = Organisation.objects.get(depth=0)
    user = User.objects.create(username="bench.import", first_name="Benchmark")
    RoleAssignment.objects.create(user=user, organisation=central, role=Role.ADMIN)
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.perf_counter()
        if now - last[0] > 5:
            last[0] = now
            print(f"  {done:,} / {total:,} rows", flush=True)

    print(f"pipeline: import_file(…, mode={args.mode!r}) of {args.n:,} rows")
    with PeakRss() as memory:
        start = time.perf_counter()
        result = import_file(members_csv, user=user, scope=central, mode=args.mode,
                             progress=progress)  # fmt: skip
        wall = time.perf_counter() - start
    self_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    results |= {
        "mode": args.mode,
        "status": result.status,
        "message": result.message,
        "rows_read": result.rows,
        "valid": result.valid,
        "bad": result.bad,
        "created": result.created,
        "updated": result.updated,
        "wall_s": round(wall, 1),
        "rows_per_s": round(result.rows / wall) if wall else None,
        "peak_rss_mib": round(memory.peak_kib / 1024),
        "maxrss_self_mib": round(self_kib / 1024),
        "maxrss_largest_child_mib": round(children_kib / 1024),
        "ratio_to_copy": round(wall / copy_s, 2),
        "timings_s": result.timings,
        "members_in_table": Member.objects.count(),
        "count_rows": MemberCount.objects.count(),
    }
    print("steps (s): " + ", ".join(f"{k} {v}" for k, v in result.timings.items()))
    print(
        f"pipeline: {wall:.1f} s for {result.rows:,} rows ({results['rows_per_s']:,} rows/s), "
        f"status {result.status}, {result.valid:,} valid, {result.bad:,} bad; peak RSS "
        f"{results['peak_rss_mib']:,} MiB; {results['ratio_to_copy']} × the raw COPY "
        f"(targets: ≤ 5 ×, ≤ 2,048 MiB)"
    )
    return results


def main() -> None:
    parser = bench_parser(__doc__, n=5_500_000)
    parser.add_argument("--mode", default="valid_only",
                        choices=["valid_only", "all_or_nothing", "dry_run"])  # fmt: skip
    parser.add_argument("--copy-only", action="store_true", help="time the raw COPY only")
    args = parser.parse_args()
    results = on_postgresql(lambda url: run(args, url))
    write_results(result_path("import_members", args.n, 5_500_000), results)


if __name__ == "__main__":
    main()
