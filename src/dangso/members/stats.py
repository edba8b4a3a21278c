"""Thống kê đảng viên: member counts kept up to date per organisation subtree.

A province's figures (members by status, sex and age band) would otherwise group 160,000 rows
on every dashboard view: 445 ms p95 on this hardware (limits.md), 0.75–1 s with our join to the
organisation paths. Instead `MemberCount` holds, for every organisation that is not a cell, how
many members of its whole subtree there are per (status, sex, birth year): a few hundred rows
per organisation, read in 2–5 ms p95 (bench/results/search_members.json). Counts per cell only,
summed over the subtree when read, were measured too: almost one row per member (4.9 M), and
0.3–0.8 s for a province. A cell's thirty-odd members are counted live. Age bands are derived
from the birth year when read (age = this year − birth year), so counts never go stale with time.

Keeping them right: every member action tells its followers which members changed and which
organisations they were or are now in (`members.actions.members_changed`). For each touched
cell we recount its parent's subtree (a commune: ~1,700 members, a few milliseconds) and
compare it with the stored rows *in one statement*, then add the difference to the parent and
every ancestor. One statement sees one snapshot, so under READ COMMITTED the difference is
exactly this transaction's own change, and `count = count + difference` composes with a
concurrent transaction's update of the same rows. Changes touching many parents at once (bulk
imports) and `dangso recount` rebuild everything set-based instead, level by level from the
bottom of the tree.

Cells are the leaves; a member recorded directly in a non-cell organisation (not done by the
actions) is counted at that organisation and above. Merges reach us through `members_changed`;
A subtree moved by `orgs.actions.move_organisation` recounts its old and new parents
(`follow_moves`), which carries the difference to both lines of ancestors.
"""

import datetime
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, transaction

from dangso.members.actions import follow_member_changes
from dangso.members.choices import AGE_BANDS, ON_ROLL, MemberStatus, Sex
from dangso.orgs.actions import follow_moves
from dangso.orgs.choices import CELL_KINDS
from dangso.orgs.models import Organisation
from dangso.orgs.paths import ids_of

# Above this many parents to recount (a commune: a few ms each), one set-based rebuild of the
# whole table (seconds at national scale) is cheaper.
REBUILD_ABOVE = 500
_IDS_PER_QUERY = 5_000

Key = tuple[str, str, int]  # (status, sex, birth year)

_CELLS_SQL = ", ".join(f"'{kind}'" for kind in sorted(CELL_KINDS))
_UPSERT = (
    "INSERT INTO members_membercount (organisation_id, status, sex, birth_year, count) "
    "VALUES (%s, %s, %s, %s, %s) "
    "ON CONFLICT (organisation_id, status, sex, birth_year) "
    "DO UPDATE SET count = members_membercount.count + excluded.count"
)


def _birth_year(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(EXTRACT(YEAR FROM {column}) AS integer)"
    return f"CAST(strftime('%%Y', {column}) AS integer)"


def _path_ids(path: str) -> list[int]:
    return ids_of(path)


@follow_member_changes
def member_counts_follow(member_ids: Sequence[int], organisation_ids: Sequence[int]) -> None:
    """Bring the counts of the touched organisations' ancestors up to date (see the module)."""
    refresh_counts(organisation_ids)


@follow_moves
def member_counts_follow_move(
    org: Organisation, old_parent_id: int | None, new_parent_id: int
) -> None:
    refresh_counts([pk for pk in (old_parent_id, new_parent_id) if pk])


def refresh_counts(organisation_ids: Iterable[int]) -> None:
    """Recount the parents of these cells (or these organisations, when not cells) and carry
    the difference to every ancestor."""
    ids = sorted({pk for pk in organisation_ids if pk})
    anchor_ids: set[int] = set()
    for start in range(0, len(ids), _IDS_PER_QUERY):  # a bulk import may touch every cell
        touched = Organisation.objects.filter(
            pk__in=ids[start : start + _IDS_PER_QUERY]
        ).values_list("pk", "kind", "parent_id")
        anchor_ids |= {
            parent if kind in CELL_KINDS and parent else pk for pk, kind, parent in touched
        }
        if len(anchor_ids) > REBUILD_ABOVE:
            break
    if not anchor_ids:
        return
    if len(anchor_ids) > REBUILD_ABOVE:
        rebuild_member_counts()
        return
    anchors = Organisation.objects.filter(pk__in=anchor_ids).values_list("pk", "path", "depth")
    with transaction.atomic(), connection.cursor() as cursor:
        # Deepest first: a higher anchor's recount then sees the lower one's update already.
        for pk, path, _depth in sorted(anchors, key=lambda anchor: -anchor[2]):
            cursor.execute(
                f"""
                SELECT status, sex, birth_year, SUM(n) FROM (
                    SELECT m.status, m.sex, {_birth_year("m.date_of_birth")} AS birth_year,
                           COUNT(*) AS n
                    FROM members_member m
                    JOIN orgs_organisation o ON o.id = m.organisation_id
                    WHERE o.path LIKE %s
                    GROUP BY 1, 2, 3
                    UNION ALL
                    SELECT status, sex, birth_year, -count
                    FROM members_membercount WHERE organisation_id = %s
                ) difference
                GROUP BY 1, 2, 3
                HAVING SUM(n) <> 0
                """,
                [f"{path}%", pk],
            )
            changes = cursor.fetchall()
            if not changes:
                continue
            chain = _path_ids(path)
            cursor.executemany(
                _UPSERT,
                [(org, status, sex, year, delta) for org in chain
                 for status, sex, year, delta in changes],
            )  # fmt: skip
            placeholders = ", ".join(["%s"] * len(chain))
            cursor.execute(
                "DELETE FROM members_membercount "
                f"WHERE count = 0 AND organisation_id IN ({placeholders})",
                chain,
            )


@transaction.atomic
def rebuild_member_counts() -> int:
    """Every count from the member table, set-based; returns the number of rows written.

    First each member is counted at its anchor (the parent of its cell), then each level adds
    its rows into its parents', from the deepest level up.
    """
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM members_membercount")
        cursor.execute(
            f"""
            INSERT INTO members_membercount (organisation_id, status, sex, birth_year, count)
            SELECT CASE WHEN o.kind IN ({_CELLS_SQL}) THEN o.parent_id ELSE o.id END,
                   m.status, m.sex, {_birth_year("m.date_of_birth")}, COUNT(*)
            FROM members_member m
            JOIN orgs_organisation o ON o.id = m.organisation_id
            WHERE o.parent_id IS NOT NULL OR o.kind NOT IN ({_CELLS_SQL})
            GROUP BY 1, 2, 3, 4
            """,
            [],  # with parameters, so that "%%" in the SQL reads "%" on every backend
        )
        cursor.execute("SELECT MAX(depth) FROM orgs_organisation")
        deepest = cursor.fetchone()[0] or 0
        for depth in range(deepest, 0, -1):
            cursor.execute(
                """
                INSERT INTO members_membercount (organisation_id, status, sex, birth_year, count)
                SELECT o.parent_id, c.status, c.sex, c.birth_year, SUM(c.count)
                FROM members_membercount c
                JOIN orgs_organisation o ON o.id = c.organisation_id
                WHERE o.depth = %s AND o.parent_id IS NOT NULL
                GROUP BY 1, 2, 3, 4
                ON CONFLICT (organisation_id, status, sex, birth_year)
                DO UPDATE SET count = members_membercount.count + excluded.count
                """,
                [depth],
            )
        cursor.execute("SELECT COUNT(*) FROM members_membercount")
        return int(cursor.fetchone()[0])


def subtree_counts(organisations: Iterable[Organisation]) -> Counter[Key]:
    """Members under these organisations (none inside another) by (status, sex, birth year):
    stored counts for committees, a live count for a cell."""
    counts: Counter[Key] = Counter()
    committees = [org.pk for org in organisations if not org.is_cell]
    cells = [org.pk for org in organisations if org.is_cell]
    with connection.cursor() as cursor:
        if committees:
            placeholders = ", ".join(["%s"] * len(committees))
            cursor.execute(
                "SELECT status, sex, birth_year, SUM(count) FROM members_membercount "
                f"WHERE organisation_id IN ({placeholders}) GROUP BY 1, 2, 3",
                committees,
            )
            counts.update({(s, x, int(y)): int(n) for s, x, y, n in cursor.fetchall()})
        if cells:
            placeholders = ", ".join(["%s"] * len(cells))
            cursor.execute(
                f"SELECT status, sex, {_birth_year('date_of_birth')}, COUNT(*) "
                f"FROM members_member WHERE organisation_id IN ({placeholders}) GROUP BY 1, 2, 3",
                cells,
            )
            counts.update({(s, x, int(y)): int(n) for s, x, y, n in cursor.fetchall()})
    return counts


def age_band(birth_year: int, today: datetime.date) -> str:
    age = today.year - birth_year
    for key, youngest, oldest in AGE_BANDS:
        if age >= youngest and (oldest is None or age <= oldest):
            return key
    return AGE_BANDS[0][0]


def statistics_from_counts(counts: Counter[Key], today: datetime.date) -> dict[str, int]:
    """The dashboard's figures (the keys of `members.queries.member_statistics`): counts by
    status over all records, by sex and age band over the members on the roll."""
    figures: dict[str, Any] = {"on_roll": 0}
    figures |= {f"status_{status}": 0 for status in MemberStatus.values}
    figures |= {f"sex_{sex}": 0 for sex in Sex.values}
    figures |= {f"age_{key}": 0 for key, _low, _high in AGE_BANDS}
    for (status, sex, year), count in counts.items():
        figures[f"status_{status}"] = figures.get(f"status_{status}", 0) + count
        if status in ON_ROLL:
            figures["on_roll"] += count
            figures[f"sex_{sex}"] = figures.get(f"sex_{sex}", 0) + count
            figures[f"age_{age_band(year, today)}"] += count
    return figures


def subtree_statistics(
    organisations: Sequence[Organisation], today: datetime.date
) -> dict[str, int]:
    """The dashboard's figures for the members under `organisations`, from the kept counts."""
    return statistics_from_counts(subtree_counts(organisations), today)


def fresh_counts() -> dict[int, Counter[Key]]:
    """Every committee's counts by a plain GROUP BY over all members: the check that the kept
    counts are right (tests, `dangso recount --check`)."""
    paths = dict(Organisation.objects.values_list("pk", "path"))
    committees = set(Organisation.objects.exclude(kind__in=CELL_KINDS).values_list("pk", flat=True))
    fresh: dict[int, Counter[Key]] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT organisation_id, status, sex, {_birth_year('date_of_birth')}, COUNT(*) "
            "FROM members_member GROUP BY 1, 2, 3, 4",
            [],
        )
        for org, status, sex, year, count in cursor.fetchall():
            for ancestor in _path_ids(paths[org]):
                if ancestor in committees:
                    fresh.setdefault(ancestor, Counter())[(status, sex, int(year))] += count
    return fresh


def stored_counts() -> dict[int, Counter[Key]]:
    stored: dict[int, Counter[Key]] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT organisation_id, status, sex, birth_year, count FROM members_membercount "
            "WHERE count <> 0"
        )
        for org, status, sex, year, count in cursor.fetchall():
            stored.setdefault(org, Counter())[(status, sex, int(year))] = count
    return stored
