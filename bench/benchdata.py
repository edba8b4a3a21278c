"""The synthetic national files the benchmarks share, made once under bench/data/ and reused.

`dangso bench gen-members` writes them; a file is reused when its manifest says it has the
rows and seed asked for (delete bench/data/members_* to make it again).
"""

import argparse
import contextlib
import json
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
RESULTS = ROOT / "bench" / "results"


def setup_django(database_url: str | None = None) -> None:
    """Django on `database_url` (or the environment's DATABASE_URL), DEBUG off."""
    sys.path.insert(0, str(ROOT / "src"))
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangso.settings")
    os.environ.setdefault("DANGSO_DEBUG", "0")
    os.environ.setdefault("DANGSO_SECRET_KEY", "bench-only-not-a-secret")
    os.environ.setdefault("DANGSO_HTTPS", "0")
    import django

    django.setup()


def national_files(rows: int, seed: int = 204) -> tuple[Path, Path, float | None]:
    """(member CSV, organisation CSV, seconds spent generating or None when reused)."""
    from dangso.members import synthetic

    DATA.mkdir(parents=True, exist_ok=True)
    members = DATA / f"members_{rows}_s{seed}.csv"
    orgs = DATA / f"orgs_s{seed}.csv"
    manifest = synthetic.manifest_path(members)
    if members.exists() and orgs.exists() and manifest.exists():
        written = json.loads(manifest.read_text(encoding="utf-8"))
        if written.get("rows") == rows and written.get("seed") == seed:
            print(
                f"reusing {members.relative_to(ROOT)} ({members.stat().st_size / 2**20:,.0f} MiB)"
            )
            return members, orgs, None
    start = time.perf_counter()
    tree = synthetic.build_tree(seed)
    synthetic.write_orgs(tree, orgs)
    report = synthetic.write_members(
        members,
        synthetic.MemberOptions(rows=rows, seed=seed),
        tree,
        progress=lambda done: print(f"\r  generating {done:,} / {rows:,}", end="", flush=True),
    )
    elapsed = time.perf_counter() - start
    print(
        f"\rgenerated {report.rows:,} members in {elapsed:.1f} s "
        f"({members.stat().st_size / 2**20:,.0f} MiB, {sum(report.planted.values()):,} defects)"
    )
    return members, orgs, elapsed


def national_orgs(seed: int = 204) -> Path:
    """The organisation CSV of the national tree (bench/data/orgs_s<seed>.csv), made if absent."""
    from dangso.members import synthetic

    DATA.mkdir(parents=True, exist_ok=True)
    orgs = DATA / f"orgs_s{seed}.csv"
    if not orgs.exists():
        synthetic.write_orgs(synthetic.build_tree(seed), orgs)
    return orgs


def percentiles(times_ms: list[float]) -> dict[str, float]:
    """p50/p95/p99 (nearest rank) of a list of timings in milliseconds."""
    ordered = sorted(times_ms)

    def rank(p: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]

    return {"p50": round(rank(50), 3), "p95": round(rank(95), 3), "p99": round(rank(99), 3)}


# --- what every benchmark's main() does ------------------------------------------------------


def bench_parser(doc: str, *, n: int) -> argparse.ArgumentParser:
    """The options every national benchmark takes (--n, --seed); a script adds its own. Also
    prints as it goes and removes the throwaway cluster when the run is killed."""
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[attr-defined]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("--n", type=int, default=n)
    parser.add_argument("--seed", type=int, default=204)
    return parser


def result_path(stem: str, n: int, default_n: int) -> Path:
    """bench/results/<stem>.json for the national size, <stem>_<n>.json for another."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    return RESULTS / (f"{stem}.json" if n == default_n else f"{stem}_{n}.json")


def on_postgresql(run: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
    """`run(url)` on DATABASE_URL when it names a PostgreSQL server, else on a throwaway
    cluster (bench/pgcluster.py) removed afterwards."""
    from pgcluster import cluster

    given = os.environ.get("DATABASE_URL", "")
    with contextlib.ExitStack() as stack:
        url = given if given.startswith("postgres") else stack.enter_context(cluster())
        if not given:
            print(f"throwaway PostgreSQL at {url}")
        return run(url)


def write_results(path: Path, results: dict[str, Any], *, quiet: bool = False) -> None:
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if not quiet:
        print(f"written {path.relative_to(ROOT)}")
