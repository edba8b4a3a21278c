"""Member search and statistics at national scale on PostgreSQL (issue 3, item 8).

Usage: .venv/bin/python bench/search_members.py [--n 5500000] [--seed 204] [--queries 200]
                                                [--rounds 3]
Starts a throwaway PostgreSQL 15 cluster under /tmp (ports 55800–55899; or uses DATABASE_URL,
which must name an empty database), migrates, loads the national organisation tree and N
generated members by COPY (`members.synthetic.load`: indexes dropped, loaded, built again and
timed), rebuilds the subtree counts, then times, each through our code and beside it as bare
SQL over psycopg (prepared statements, as in shared/limits.md):

- CCCD lookup: `restrict(…).search(cccd)` / `SELECT … WHERE cccd = $1`
- folded-name search, full name and with the last word cut (typing), LIMIT 20:
  `restrict(…).search(q)[:20]` at national scope (also province and commune scope) /
  the same word-run lookup as bare SQL (and the trigram LIKE it replaced)
- one province's statistics (members by sex and age band, the province nearest 160,000):
  `member_statistics(…, roots=[province])` from the kept counts / the counts table as bare SQL
  / the plain GROUP BY over the members (limits.md's 445 ms p95 anchor)

Parameters are drawn at random from the data; each is timed in `--rounds` shuffled rounds after
10 warm-up queries. Prints p50/p95/p99 and writes bench/results/search_members.json (other
sizes: search_members_<n>.json). Targets
(issue 3): CCCD p95 ≤ 10 ms, name p95 ≤ 20 ms, province statistics p95 ≤ 100 ms.
"""

import argparse
import datetime
import os
import platform
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from benchdata import (
    bench_parser,
    national_files,
    on_postgresql,
    percentiles,
    result_path,
    setup_django,
    write_results,
)
from pgcluster import server_version

TARGETS_MS = {
    "cccd_lookup": 10,
    "name_search": 20,
    "name_search_partial": 20,
    "province_stats": 100,
}


def timed(
    label: str,
    call: Callable[[Any], object],
    params: Sequence[Any],
    rounds: int,
    results: dict[str, Any],
) -> None:
    """Time `call(param)` for every param in `rounds` shuffled rounds; store p50/p95/p99."""
    for param in params[:10]:
        call(param)
    times: list[float] = []
    order = list(params)
    rng = random.Random(label)
    for _round in range(rounds):
        rng.shuffle(order)
        for param in order:
            start = time.perf_counter()
            call(param)
            times.append((time.perf_counter() - start) * 1000)
    figures = percentiles(times)
    for name, value in figures.items():
        results[f"{label}_{name}_ms"] = value
    target = TARGETS_MS.get(label)
    verdict = "" if target is None else ("  ✓" if figures["p95"] <= target else "  ✗ target")
    verdict += f" (≤ {target} ms)" if target else ""
    print(
        f"  {label:42} p50 {figures['p50']:8.2f}  p95 {figures['p95']:8.2f}  "
        f"p99 {figures['p99']:8.2f} ms  ({len(times)} timings){verdict}"
    )


def partial(folded: str, keep: int) -> str:
    """The name as typed so far: the last word cut to `keep` letters less (at least one)."""
    words = folded.split()
    last = words[-1]
    words[-1] = last[: max(1, len(last) - keep)] if keep else last[:1]
    return " ".join(words)


def run(args: argparse.Namespace, database_url: str) -> dict[str, Any]:
    members_csv, orgs_csv, generated_s = national_files(args.n, args.seed)
    setup_django(database_url)

    import psycopg
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from dangso.accounts.models import RoleAssignment
    from dangso.accounts.roles import Role
    from dangso.accounts.scope import restrict
    from dangso.members.choices import ON_ROLL
    from dangso.members.models import Member
    from dangso.members.queries import member_statistics
    from dangso.members.stats import rebuild_member_counts
    from dangso.members.synthetic.load import LoadReport, indexes_deferred, load_members, load_orgs
    from dangso.orgs.models import Organisation

    results: dict[str, Any] = {
        "database": "postgresql",
        "server_version": server_version(database_url),
        "rows": None,
        "date": datetime.date.today().isoformat(),
        "machine": f"{os.cpu_count()} CPUs, {platform.python_implementation()} "
        f"{platform.python_version()}",
        "load_average_at_start": round(os.getloadavg()[0], 2),
        "queries_per_measure": args.queries,
        "rounds": args.rounds,
    }
    if generated_s is not None:
        results["generate_s"] = round(generated_s, 1)

    def step(name: str, call: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        value = call()
        results[f"{name}_s"] = round(time.perf_counter() - start, 2)
        print(f"{name:24} {results[f'{name}_s']:8.1f} s")
        return value

    step("migrate", lambda: call_command("migrate", verbosity=0))
    if Member.objects.exists() or Organisation.objects.exists():
        raise SystemExit("The database is not empty: give an empty one (or no DATABASE_URL).")
    results["organisations"] = step("load_orgs", lambda: load_orgs(orgs_csv))
    indexes = LoadReport()
    with indexes_deferred("members_member", indexes):
        report = step("load_members", lambda: load_members(members_csv))
    results["rows"] = report.rows
    results["load_members_steps_s"] = report.timings_s
    results["distinct_names"] = report.distinct_names
    results["index_build_s"] = {k.removeprefix("index:"): v for k, v in indexes.timings_s.items()}
    results["index_build_total_s"] = round(sum(indexes.timings_s.values()), 1)
    for name, seconds in results["index_build_s"].items():
        print(f"  index {name:40} {seconds:6.1f} s")
    print(f"  {'all indexes':46} {results['index_build_total_s']:6.1f} s")
    with connection.cursor() as cursor:
        step("vacuum_analyze", lambda: cursor.execute("VACUUM (ANALYZE)"))
        results["count_rows"] = step("counts_rebuild", rebuild_member_counts)
        cursor.execute("ANALYZE members_membercount")
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        cursor.execute(
            "SELECT sum(pg_prewarm(c.oid::regclass)) FROM pg_class c "
            "WHERE c.relname LIKE 'members_member%%' OR c.relname LIKE 'member_%%' "
            "OR c.relname LIKE 'orgs_organisation%%' OR c.relname = 'org_path_prefix'",
            [],
        )
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('members_member'))")
        results["members_table_size"] = cursor.fetchone()[0]
        cursor.execute(
            "SELECT id, cccd, name_folded FROM members_member TABLESAMPLE SYSTEM (1) "
            "REPEATABLE (204) WHERE cccd IS NOT NULL LIMIT %s",
            [args.queries],
        )
        sample = cursor.fetchall()
    random.Random(args.seed).shuffle(sample)
    cccds = [row[1] for row in sample]
    names = [row[2] for row in sample]

    today = timezone.localdate()
    central = Organisation.objects.get(depth=0)
    provinces = list(Organisation.objects.filter(depth=1))
    on_roll_by_province = {
        p.pk: member_statistics(Member.objects.none(), today, roots=[p])["on_roll"]
        for p in provinces
    }
    province = min(provinces, key=lambda p: abs(on_roll_by_province[p.pk] - 160_000))
    results["province"] = province.name
    results["province_members"] = on_roll_by_province[province.pk]
    commune = Organisation.objects.filter(parent=province).order_by("pk").first()
    assert commune is not None

    def user_at(org: Organisation, username: str) -> User:
        user = User.objects.create(username=username)
        RoleAssignment.objects.create(user=user, organisation=org, role=Role.ORGANISATION)
        return user

    national = user_at(central, "bench.national")
    provincial = user_at(province, "bench.province")
    communal = user_at(commune, "bench.commune")

    def orm_search(user: User) -> Callable[[str], list[Member]]:
        return lambda q: list(restrict(Member.objects.all(), user, "member.view").search(q)[:20])

    sql = psycopg.connect(database_url, autocommit=True)
    select_cccd = "SELECT * FROM members_member WHERE cccd = %s"
    select_name = (
        "SELECT * FROM members_member WHERE member_name_runs(name_folded) @@ %s::tsquery LIMIT 20"
    )
    select_like = "SELECT * FROM members_member WHERE name_folded LIKE %s LIMIT 20"

    def tsquery(folded: str) -> str:
        return "'" + "_".join(folded.split()) + "':*"

    print(f"\nlatency, {results['rows']:,} members (ms):")
    rounds = args.rounds
    timed("cccd_lookup", orm_search(national), cccds, rounds, results)
    timed("cccd_lookup_sql", lambda q: sql.execute(select_cccd, [q]).fetchall(), cccds, rounds,
          results)  # fmt: skip
    typed = [partial(name, 1) for name in names]
    first_letter = [partial(name, 0) for name in names]
    for label, queries in (("name_search", names), ("name_search_partial", typed),
                           ("name_search_prefix1", first_letter)):  # fmt: skip
        timed(label, orm_search(national), queries, rounds, results)
        timed(f"{label}_sql", lambda q: sql.execute(select_name, [tsquery(q)]).fetchall(),
              queries, rounds, results)  # fmt: skip
    # What the search was before (limits.md's anchor: 144 ms p95), for comparison.
    timed("name_search_trigram_like_sql",
          lambda q: sql.execute(select_like, [f"%{q}%"]).fetchall(), names[:100], 1,
          results)  # fmt: skip
    timed("name_search_province_scope", orm_search(provincial), names, rounds, results)
    timed("name_search_commune_scope", orm_search(communal), names, rounds, results)
    matches = [
        sql.execute(
            "SELECT count(*) FROM members_member "
            "WHERE member_name_runs(name_folded) @@ %s::tsquery",
            [tsquery(q)],
        ).fetchone()[0]  # type: ignore[index]
        for q in names[:50]
    ]
    results["name_search_matches_median"] = sorted(matches)[len(matches) // 2]
    results["name_search_matches_max"] = max(matches)

    repeats = [province] * max(40, args.queries // 2)
    timed("province_stats",
          lambda p: member_statistics(Member.objects.none(), today, roots=[p]), repeats, 2,
          results)  # fmt: skip
    on_roll = list(ON_ROLL)
    timed(
        "province_stats_sql_counts",
        lambda p: sql.execute(
            "SELECT sex, birth_year, sum(count) FROM members_membercount "
            "WHERE organisation_id = %s AND status = ANY(%s) GROUP BY 1, 2",
            [p.pk, on_roll],
        ).fetchall(),
        repeats, 2, results,
    )  # fmt: skip
    timed(
        "province_stats_sql_groupby",
        lambda p: sql.execute(
            "SELECT m.sex, (extract(year FROM age(%s::date, m.date_of_birth))::int / 10) * 10, "
            "count(*) FROM members_member m JOIN orgs_organisation o ON o.id = m.organisation_id "
            "WHERE o.path LIKE %s AND m.status = ANY(%s) GROUP BY 1, 2",
            [today, f"{p.path}%", on_roll],
        ).fetchall(),
        [province] * 20, 2, results,
    )  # fmt: skip
    timed(
        "province_stats_live_orm",
        lambda p: member_statistics(
            Member.objects.filter(organisation__path__startswith=p.path), today
        ),
        [province] * 10, 1, results,
    )  # fmt: skip
    # The other design: counts per cell only, summed over the subtree when read.
    sql.execute(
        "CREATE TEMP TABLE cell_counts AS SELECT organisation_id, status, sex, "
        "extract(year FROM date_of_birth)::int AS birth_year, count(*) AS n "
        "FROM members_member GROUP BY 1, 2, 3, 4"
    )
    sql.execute("CREATE INDEX ON cell_counts (organisation_id)")
    sql.execute("ANALYZE cell_counts")
    results["cell_level_count_rows"] = sql.execute("SELECT count(*) FROM cell_counts").fetchone()[0]  # type: ignore[index]
    timed(
        "province_stats_sql_cell_sums",
        lambda p: sql.execute(
            "SELECT c.sex, c.birth_year, sum(c.n) FROM cell_counts c "
            "JOIN orgs_organisation o ON o.id = c.organisation_id "
            "WHERE o.path LIKE %s AND c.status = ANY(%s) GROUP BY 1, 2",
            [f"{p.path}%", on_roll],
        ).fetchall(),
        [province] * 20, 2, results,
    )  # fmt: skip
    timed("all_provinces_stats",
          lambda p: member_statistics(Member.objects.none(), today, roots=[p]), provinces, 3,
          results)  # fmt: skip
    timed("national_stats",
          lambda p: member_statistics(Member.objects.none(), today, roots=[p]), [central] * 40, 2,
          results)  # fmt: skip
    sql.close()
    return results


def main() -> None:
    parser = bench_parser(__doc__, n=5_500_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    results = on_postgresql(lambda url: run(args, url))
    write_results(result_path("search_members", args.n, 5_500_000), results)


if __name__ == "__main__":
    main()
