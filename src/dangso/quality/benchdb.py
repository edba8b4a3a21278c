"""The database side of `quality.bench`: load generated members, time the real actions.

Runs only against a database whose name contains "bench": it empties the member tables.
"""

import datetime
import time
from typing import Any

from django.db import connection, transaction

from dangso.core.text import fold, name_sort_key
from dangso.members.actions import recount_members
from dangso.members.choices import MemberStatus
from dangso.members.models import Member, MemberEvent
from dangso.orgs.choices import OrgKind
from dangso.orgs.models import Organisation
from dangso.quality import actions
from dangso.quality.models import DuplicateCandidate, MemberProblem, QualitySnapshot
from dangso.quality.population import _PROVINCES, Population, generate, report_duplicates

MEMBERS_PER_CELL = 30


def _refuse_unless_bench() -> None:
    name = str(connection.settings_dict["NAME"])
    if "bench" not in name:
        raise SystemExit(f"Refusing to empty the members of database {name!r}: not a bench one.")


def _cells(count: int) -> list[tuple[int, str]]:
    """A central root, 5 provinces of 20 communes each, and `count` cells under them."""
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE orgs_organisation CASCADE")
    since = datetime.date(2025, 7, 1)

    def add(parent: Organisation | None, kind: str, code: str) -> Organisation:
        org = Organisation.objects.create(
            code=code, name=code, kind=kind, parent=parent, valid_from=since,
            depth=parent.depth + 1 if parent else 0,
        )  # fmt: skip
        org.path = f"{parent.path if parent else '/'}{org.pk}/"
        org.save(update_fields=["path"])
        return org

    root = add(None, OrgKind.CENTRAL, "TW")
    communes = []
    for p in range(5):
        province = add(root, OrgKind.PROVINCE, f"T{p}")
        communes += [add(province, OrgKind.COMMUNE, f"T{p}X{c}") for c in range(20)]
    cells = []
    for index in range(count):
        cell = add(communes[index % len(communes)], OrgKind.CELL, f"C{index}")
        cells.append((cell.pk, _PROVINCES[index % len(_PROVINCES)][0]))
    return cells


def load(
    n: int, seed: int, *, defect_rate: float, duplicate_rate: float
) -> tuple[Population, list[int]]:
    """Empty the member tables, generate and insert; returns the population and member ids."""
    _refuse_unless_bench()
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE quality_memberproblem, quality_duplicatecandidate, quality_qualitysnapshot, "
            "members_memberevent, members_member CASCADE"
        )
    cells = _cells(max(1, n // MEMBERS_PER_CELL))
    population = generate(
        n, cells=cells, seed=seed, defect_rate=defect_rate, duplicate_rate=duplicate_rate
    )
    started = time.perf_counter()
    members = []
    for record in population.records:
        member = Member(status=MemberStatus.OFFICIAL, **record)
        member.name_folded = fold(member.full_name)
        member.sort_key = name_sort_key(member.full_name)
        members.append(member)
    with transaction.atomic():
        created = Member.objects.bulk_create(members, batch_size=5000)
    recount_members()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"loaded {len(created)} members in {time.perf_counter() - started:.1f} s")
    return population, [member.pk for member in created]


def _best_of(times: int, call: Any) -> float:
    best = float("inf")
    for _ in range(times):
        started = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - started)
    return round(best * 1000, 1)


def _read_side(ids: list[int]) -> dict[str, Any]:
    """Milliseconds of the dashboard's figures (whole tree, one province), of the worklist's
    first page for a commune, and of the re-check that follows one edit."""
    from django.contrib.auth.models import User

    from dangso.accounts.models import RoleAssignment
    from dangso.members.queries import vietnamese_order
    from dangso.quality import queries

    root = Organisation.objects.get(code="TW")
    province = Organisation.objects.get(code="T0")
    commune = Organisation.objects.get(code="T0X0")
    user, _created = User.objects.get_or_create(username="bench.admin")
    RoleAssignment.objects.get_or_create(user=user, organisation=root, role="admin")
    return {
        "dashboard_all_ms": _best_of(3, lambda: queries.subtree_figures(user, root)),
        "dashboard_province_ms": _best_of(3, lambda: queries.subtree_figures(user, province)),
        "worklist_commune_ms": _best_of(
            3,
            lambda: list(vietnamese_order(queries.worklist(user, organisation=commune))[:25]),
        ),
        "recheck_one_ms": _best_of(3, lambda: actions.check_members([ids[len(ids) // 2]])),
    }


def run(what: str, n: int, seed: int, *, defect_rate: float = 0.16) -> dict[str, Any]:
    if what == "check":
        population, ids = load(n, seed, defect_rate=defect_rate, duplicate_rate=0.0)
        first = actions.check_members()
        again = actions.check_members()  # the steady state: every block already has problems
        found: dict[int, set[str]] = {}
        for member_id, code in MemberProblem.objects.values_list("member_id", "code"):
            found.setdefault(member_id, set()).add(code)
        missed = sum(
            1
            for index, codes in population.defects.items()
            for code in codes
            if code not in found.get(ids[index], set())
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE quality_memberproblem")
        started = time.perf_counter()
        rows = actions.snapshot_quality()
        snapshot_s = time.perf_counter() - started
        timings = _read_side(ids)
        return {
            "members": first.members,
            "problems": first.problems,
            "unclean": first.unclean,
            "first_run_s": round(first.seconds, 2),
            "first_rows_per_s": round(first.rate),
            "second_run_s": round(again.seconds, 2),
            "second_rows_per_s": round(again.rate),
            "planted_defects": sum(len(codes) for codes in population.defects.values()),
            "planted_defects_missed": missed,
            "snapshot_rows": rows,
            "snapshot_s": round(snapshot_s, 2),
            "events": MemberEvent.objects.count(),
            "snapshots": QualitySnapshot.objects.count(),
            **timings,
        }
    population, ids = load(n, seed, defect_rate=0.0, duplicate_rate=0.01)
    result = actions.find_duplicates()
    number = {pk: index + 1 for index, pk in enumerate(ids)}
    pairs = {
        (min(number[a], number[b]), max(number[a], number[b]))
        for a, b in DuplicateCandidate.objects.values_list("member_a_id", "member_b_id")
    }
    return {
        **report_duplicates(population, pairs),
        "members": result.members,
        "seconds": round(result.seconds, 2),
        "per_national_s": round(result.seconds * 5_500_000 / max(result.members, 1)),
    }
