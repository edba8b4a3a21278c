"""Loading the synthetic files of `members.synthetic` straight into the tables, for benchmarks.

Set-based, the way DESIGN.md asks of bulk paths: the organisation file by COPY (SQLite:
executemany), the member file by COPY into a staging table and one INSERT … SELECT, with the
derived name columns computed in Python once per distinct name. This is a benchmark loader for
generated data (labels as the generator writes them), not the import pipeline: it checks
nothing and repairs nothing but NFD text.
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.management.color import no_style
from django.db import connection, transaction

from dangso.core.text import fold, name_sort_key, normalise_name
from dangso.members import synthetic
from dangso.members.choices import ON_ROLL
from dangso.members.models import Member
from dangso.orgs.models import Organisation, OrganisationVersion

_ORG_COLUMNS = ("id", "code", "name", "short_name", "kind", "parent_id", "path", "depth",
                "status", "valid_from", "member_count")  # fmt: skip


def load_orgs(path: Path) -> int:
    """The organisation file of `synthetic.write_orgs` into an empty organisation table, with
    one open version per organisation; returns the number of organisations."""
    if Organisation.objects.exists():
        raise ValueError("The organisation table is not empty: load the national tree into a "
                         "fresh database.")  # fmt: skip
    rows = 0
    with transaction.atomic(), connection.cursor() as cursor, path.open(encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split(",")
        if tuple(header) != synthetic.ORG_HEADERS:
            raise ValueError(f"{path} is not an organisation file of `dangso bench gen-orgs`.")
        if connection.vendor == "postgresql":
            columns = ", ".join(_ORG_COLUMNS)
            with cursor.copy(f"COPY orgs_organisation ({columns}) FROM STDIN") as copy:
                lines: list[str] = []
                for line in f:
                    lines.append(_org_copy_line(line))
                    if len(lines) == 50_000:
                        copy.write("".join(lines))
                        rows += len(lines)
                        lines.clear()
                copy.write("".join(lines))
                rows += len(lines)
        else:
            records = (_org_record(line) for line in f)
            placeholders = ", ".join(["%s"] * len(_ORG_COLUMNS))
            batch: list[tuple[object, ...]] = []
            for record in records:
                batch.append(record)
                if len(batch) == 10_000:
                    rows += _insert_orgs(cursor, batch, placeholders)
            rows += _insert_orgs(cursor, batch, placeholders)
        cursor.execute(
            "INSERT INTO orgs_organisationversion "
            "(organisation_id, name, short_name, kind, parent_id, valid_from, valid_to, reason) "
            "SELECT id, name, short_name, kind, parent_id, valid_from, NULL, 'created' "
            "FROM orgs_organisation"
        )
        for sql in connection.ops.sequence_reset_sql(
            no_style(), [Organisation, OrganisationVersion]
        ):
            cursor.execute(sql)
        if connection.vendor == "postgresql":  # check the deferred keys now, not at commit:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # a caller may alter the tables next
    return rows


def _org_record(line: str) -> tuple[object, ...]:
    # Names hold no comma or quote (synthetic.build_tree), so the CSV line splits plainly.
    pk, code, name, short_name, kind, parent, path, depth, since = line.rstrip("\n").split(",")
    return (int(pk), code, name, short_name, kind, int(parent) if parent else None, path,
            int(depth), "active", since, 0)  # fmt: skip


def _org_copy_line(line: str) -> str:
    """A line of the organisation file in COPY's text format (tab-separated, \\N for NULL)."""
    pk, code, name, short_name, kind, parent, path, depth, since = line.rstrip("\n").split(",")
    values = (pk, code, name, short_name, kind, parent or "\\N", path, depth, "active", since, "0")
    return "\t".join(values) + "\n"


def _insert_orgs(cursor: Any, batch: list[tuple[object, ...]], placeholders: str) -> int:
    columns = ", ".join(_ORG_COLUMNS)
    cursor.executemany(f"INSERT INTO orgs_organisation ({columns}) VALUES ({placeholders})", batch)
    done = len(batch)
    batch.clear()
    return done


@dataclass
class LoadReport:
    rows: int = 0
    distinct_names: int = 0
    timings_s: dict[str, float] = field(default_factory=dict)


@contextmanager
def _timed(report: LoadReport, step: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    report.timings_s[step] = round(time.perf_counter() - start, 2)


def _values(pairs: dict[str, str]) -> str:
    """A VALUES list of (label, value) for a join; the labels are the generator's own."""
    quoted = (
        "({}, {})".format(*(("'" + text.replace("'", "''") + "'") for text in pair))
        for pair in pairs.items()
    )
    return "(VALUES " + ", ".join(quoted) + ")"


def _labels(column: int, labels: dict[str, str]) -> dict[str, str]:
    return {**labels, **{raw: labels[label] for raw, label in synthetic.VARIANTS[column].items()}}


def load_members(path: Path, *, block_bytes: int = 8 << 20) -> LoadReport:
    """The member CSV of `dangso bench gen-members` into members_member (PostgreSQL), row N of
    the file becoming member N − 1, in the cells the organisation file named.

    Identifiers that the file repeats (planted duplicates) are kept on their first row only, so
    the unique constraints hold; card numbers that are not 8 digits are left out. Run it with
    the indexes dropped (`indexes_deferred`): COPY into an indexed table is twice as slow.
    """
    if connection.vendor != "postgresql":
        raise ValueError("Loading members by COPY needs PostgreSQL (set DATABASE_URL).")
    if Member.objects.exists():
        raise ValueError("The member table is not empty: load generated members into a fresh "
                         "database.")  # fmt: skip
    report = LoadReport()
    names = ", ".join(f"c{i}" for i in range(22))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_member_file, bench_member_names")
        cursor.execute(
            "CREATE UNLOGGED TABLE bench_member_file ("
            "line bigint GENERATED ALWAYS AS IDENTITY (START WITH 2), "
            + ", ".join(f"c{i} text" for i in range(22)) + ")"
        )  # fmt: skip
        copy_sql = (
            f"COPY bench_member_file ({names}) FROM STDIN "
            f"(FORMAT csv, HEADER true, FORCE_NOT_NULL ({names}))"  # empty text, not NULL
        )
        with _timed(report, "copy_file"), path.open("rb") as f, cursor.copy(copy_sql) as copy:
            while block := f.read(block_bytes):
                copy.write(block)
        with _timed(report, "derive_names"):
            cursor.execute("SELECT DISTINCT c0 FROM bench_member_file")
            raw_names = [row[0] for row in cursor.fetchall()]
            cursor.execute(
                "CREATE UNLOGGED TABLE bench_member_names "
                "(raw text PRIMARY KEY, full_name text, folded text, sort_key text)"
            )
            with cursor.copy("COPY bench_member_names FROM STDIN") as copy:
                for raw in raw_names:
                    name = normalise_name(raw)[:120]
                    copy.write_row((raw, name, fold(name)[:120], name_sort_key(name)))
            report.distinct_names = len(raw_names)
        on_roll = ", ".join(f"'{status}'" for status in sorted(ON_ROLL))
        with _timed(report, "insert_select"):
            cursor.execute(
                f"""
                INSERT INTO members_member (
                    id, full_name, other_names, sex, date_of_birth, place_of_birth, hometown,
                    residence, ethnicity, religion, cccd, card_number, dossier_number,
                    admission_date, official_date, organisation_id, general_education,
                    professional_qualification, political_theory, occupation, position, phone,
                    email, status, name_folded, sort_key, updated_at)
                SELECT f.line - 1, n.full_name, f.c1, CASE f.c2 WHEN 'Nữ' THEN 'F' ELSE 'M' END,
                    to_date(f.c3, 'DD/MM/YYYY'), f.c4, f.c5, f.c6, COALESCE(eth.value, '01'),
                    COALESCE(rel.value, 'none'),
                    NULLIF(f.c9, ''), CASE WHEN f.c10 ~ '^[0-9]{{8}}$' THEN f.c10 END,
                    left(f.c11, 10), to_date(f.c12, 'DD/MM/YYYY'),
                    to_date(NULLIF(f.c13, ''), 'DD/MM/YYYY'), o.id, left(f.c15, 5),
                    COALESCE(qual.value, 'none'), COALESCE(theory.value, 'none'), f.c18, f.c19,
                    left(f.c20, 15), f.c21,
                    CASE WHEN f.c13 <> '' THEN 'official' ELSE 'probationary' END,
                    n.folded, n.sort_key, now()
                FROM bench_member_file f
                JOIN bench_member_names n ON n.raw = f.c0
                JOIN orgs_organisation o ON o.code = f.c14
                LEFT JOIN {_values(_labels(synthetic.C_ETHNICITY, synthetic.ETHNICITY_LABELS))}
                    AS eth(label, value) ON eth.label = f.c7
                LEFT JOIN {_values(_labels(synthetic.C_RELIGION, synthetic.RELIGION_LABELS))}
                    AS rel(label, value) ON rel.label = f.c8
                LEFT JOIN {
                    _values(_labels(synthetic.C_QUALIFICATION, synthetic.QUALIFICATION_LABELS))
                }
                    AS qual(label, value) ON qual.label = f.c16
                LEFT JOIN {_values(_labels(synthetic.C_THEORY, synthetic.THEORY_LABELS))}
                    AS theory(label, value) ON theory.label = f.c17
                """
            )
            report.rows = cursor.rowcount
        cursor.execute("DROP TABLE bench_member_file, bench_member_names")
        with _timed(report, "unique_numbers"):
            for column in ("cccd", "card_number"):  # a repeated number stays on its first row
                cursor.execute(
                    f"""
                    UPDATE members_member m SET {column} = NULL
                    FROM (SELECT {column} AS value, MIN(id) AS first FROM members_member
                          WHERE {column} IS NOT NULL GROUP BY 1 HAVING COUNT(*) > 1) repeated
                    WHERE m.{column} = repeated.value AND m.id <> repeated.first
                    """
                )
        for sql in connection.ops.sequence_reset_sql(no_style(), [Member]):
            cursor.execute(sql)
        with _timed(report, "member_count"):
            cursor.execute(
                f"""
                UPDATE orgs_organisation o SET member_count = c.n
                FROM (SELECT organisation_id, COUNT(*) AS n FROM members_member
                      WHERE status IN ({on_roll}) GROUP BY 1) c
                WHERE o.id = c.organisation_id
                """
            )
    return report


@dataclass
class SecondaryIndex:
    name: str
    definition: str  # a CREATE INDEX or ALTER TABLE … ADD CONSTRAINT statement
    is_constraint: bool


def secondary_indexes(table: str) -> list[SecondaryIndex]:
    """Every index and unique or foreign-key constraint of `table` but its primary key."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
            WHERE conrelid = %s::regclass AND contype IN ('u', 'f') ORDER BY contype DESC, conname
            """,
            [table],
        )
        constraints = [
            SecondaryIndex(name, f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}', True)
            for name, definition in cursor.fetchall()
        ]
        cursor.execute(
            """
            SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            WHERE x.indrelid = %s::regclass AND NOT x.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
            ORDER BY i.relname
            """,
            [table],
        )
        indexes = [
            SecondaryIndex(name, definition, False) for name, definition in cursor.fetchall()
        ]
    unique = [c for c in constraints if " UNIQUE " in c.definition]
    foreign = [c for c in constraints if c not in unique]
    return [*unique, *indexes, *foreign]


@contextmanager
def indexes_deferred(table: str, report: LoadReport) -> Iterator[list[SecondaryIndex]]:
    """Drop `table`'s secondary indexes and constraints for a bulk load and build them again
    afterwards, each timed in `report` (COPY into an indexed table is about twice as slow,
    limits.md §c)."""
    dropped = secondary_indexes(table)
    with connection.cursor() as cursor:
        for index in reversed(dropped):
            if index.is_constraint:
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{index.name}"')
            else:
                cursor.execute(f'DROP INDEX "{index.name}"')
    yield dropped
    with connection.cursor() as cursor:
        for index in dropped:
            with _timed(report, f"index:{index.name}"):
                cursor.execute(index.definition)
