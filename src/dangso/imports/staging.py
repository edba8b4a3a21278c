"""The staging tables of one import run, and the set-based SQL that checks and writes them.

Every row of the file goes into a TEMP table of the run's database session (PostgreSQL: COPY;
SQLite: executemany), with the reasons of bad rows in a second one. The checks that need the
whole file or the registry (the same CCCD twice in the file, a CCCD recorded in another cell,
a party card number already used) are then single statements over the staging table, and the
write is a handful of statements in ONE transaction, so that a failed or killed import leaves
nothing behind (TEMP tables vanish with the session):

1. the good rows on record are listed once (`import_existing`): by CCCD, or for a row without
   one by party card number;
2. UPDATE … FROM of those whose values differ (`IS DISTINCT FROM`; an empty cell keeps the
   recorded value, a column the file does not have is not touched — which is why this is not
   one `INSERT … ON CONFLICT DO UPDATE`: EXCLUDED would hold the new record's defaults, not
   "the cell was empty");
3. INSERT … SELECT of the others, their ids drawn first (`import_written`, line → id), then
   their ADMITTED events (and MADE_OFFICIAL for updated probationary members the file gives an
   official date), INSERT … SELECT from the written ids;
4. one UPDATE … FROM (SELECT organisation_id, count(*) … GROUP BY) of the touched cells' counts;
5. the new records' data-quality problems, INSERT … SELECT from the warnings the row checks
   found (`import_problem`): a new record is exactly its row, so the rules of
   `members.rules` need not run over it a second time. Updated records (a row merged with the
   recorded values) are re-checked by the member-change followers.

A bulk load (PostgreSQL; at least BULK_MIN_ROWS new records, no fewer than the registry holds)
drops the member and event tables' secondary indexes and constraints for step 3 and builds them
again from their own definitions, in the same transaction.
"""

import csv
import io
import time
from array import array
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import IO, Any

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from dangso.imports.rows import STAGE_COLUMNS, UnitResult
from dangso.members.choices import ON_ROLL, EventKind, MemberStatus
from dangso.members.models import Member, MemberEvent
from dangso.orgs.models import Organisation
from dangso.quality.models import MemberProblem

STAGE = "import_stage"
ERRORS = "import_error"
WRITTEN = "import_written"
EXISTING = "import_existing"
PROBLEMS = "import_problem"
MEMBERS = Member._meta.db_table
EVENTS = MemberEvent._meta.db_table
ORGANISATIONS = Organisation._meta.db_table
MEMBER_PROBLEMS = MemberProblem._meta.db_table
ERROR_COLUMNS = ("line", "col", "value", "reason")
PROBLEM_COLUMNS = ("line", "code", "field", "value")
_IMPORT_WRITE_LOCK = 204_3003  # advisory lock: one import writes at a time (PostgreSQL)
_ANALYZE_AFTER = 10_000  # rows written above which the member tables' statistics are refreshed
_INDEX_BUILD_MEMORY_KB = 512 * 1024  # maintenance_work_mem for the rebuild, when lower
_CHECK_WORK_MEM = "256MB"  # for the hash aggregates of the checks over millions of rows
# For the join of the new ids (line → id, ~60 bytes a row hashed) to the staging rows: at 5.5 M
# rows a hash of ~350 MB, which below this is split into batches that spill the 1.5 GB of
# staging rows to disk and read them back.
_JOIN_WORK_MEM = "512MB"
BULK_MIN_ROWS = 50_000  # new records from which a load into a smaller registry rebuilds indexes

_TYPES = {
    "line": ("bigint", "integer"),
    "ok": ("boolean", "integer"),
    "date_of_birth": ("date", "text"),
    "admission_date": ("date", "text"),
    "official_date": ("date", "text"),
    "organisation_id": ("bigint", "integer"),
}
# Defaults of a new record for columns the file leaves empty (the model's defaults).
NEW_DEFAULTS: dict[str, str] = {
    "other_names": "''", "place_of_birth": "''", "hometown": "''", "residence": "''",
    "ethnicity": "'01'", "religion": "'none'", "dossier_number": "''",
    "general_education": "''", "professional_qualification": "'none'",
    "political_theory": "'none'", "occupation": "''", "position": "''", "phone": "''",
    "email": "''",
}  # fmt: skip
MEMBER_COLUMNS = tuple(column for column in STAGE_COLUMNS if column not in ("line", "ok"))
# Columns always given by a good row: an update sets them as they are.
_ALWAYS = ("full_name", "sex", "date_of_birth", "admission_date")
_ON_ROLL_SQL = ", ".join(f"'{status}'" for status in sorted(ON_ROLL))


def _quote(values: Sequence[str]) -> str:
    return ", ".join(values)


class Stage:
    """The TEMP tables of one run on the default database connection."""

    def __init__(self) -> None:
        self.vendor = connection.vendor
        self.is_postgres = self.vendor == "postgresql"
        self.timings: dict[str, float] = {}  # seconds per statement group of the write
        self._clock = time.monotonic()

    def _lap(self, step: str) -> None:
        now = time.monotonic()
        self.timings[step] = round(self.timings.get(step, 0.0) + now - self._clock, 2)
        self._clock = now

    # --- setup -----------------------------------------------------------------------------

    def _type(self, column: str) -> str:
        types = _TYPES.get(column, ("text", "text"))
        return types[0] if self.is_postgres else types[1]

    def create(self) -> None:
        with connection.cursor() as cursor:
            if self.is_postgres:
                # Local buffers for the temp tables; only possible before the session uses any.
                try:
                    with transaction.atomic():
                        cursor.execute("SET temp_buffers = '256MB'")
                except DatabaseError:
                    pass  # this session has used temp tables already: keep its setting
            self.drop(cursor)
            columns = ", ".join(f"{name} {self._type(name)}" for name in STAGE_COLUMNS)
            cursor.execute(f"CREATE TEMP TABLE {STAGE} ({columns})")
            serial = "bigserial" if self.is_postgres else "INTEGER PRIMARY KEY AUTOINCREMENT"
            line = self._type("line")
            cursor.execute(
                f"CREATE TEMP TABLE {ERRORS} (seq {serial}, line {line}, col text, value text, "
                "reason text)"
            )
            cursor.execute(
                f"CREATE TEMP TABLE {WRITTEN} (line {line}, member_id {line}, "
                f"organisation_id {line}, created {self._type('ok')}, "
                f"day {self._type('date_of_birth')}, became_official {self._type('ok')})"
            )
            cursor.execute(
                f"CREATE TEMP TABLE {PROBLEMS} (line {line}, code text, field text, value text)"
            )

    def drop(self, cursor: Any = None) -> None:
        schema = "pg_temp" if self.is_postgres else "temp"

        def run(cur: Any) -> None:
            for table in (STAGE, ERRORS, WRITTEN, EXISTING, PROBLEMS):
                cur.execute(f"DROP TABLE IF EXISTS {schema}.{table}")

        if cursor is not None:
            run(cursor)
        else:
            with connection.cursor() as cur:
                run(cur)

    # --- loading ---------------------------------------------------------------------------

    def add(self, result: UnitResult) -> None:
        if self.is_postgres:
            if result.copy_data:
                self._copy(STAGE, STAGE_COLUMNS, result.copy_data)
            if result.problem_data:
                self._copy(PROBLEMS, PROBLEM_COLUMNS, result.problem_data)
        else:
            if result.staged:
                self._insert(STAGE, STAGE_COLUMNS, result.staged)
            if result.problems:
                self._insert(PROBLEMS, PROBLEM_COLUMNS, result.problems)
        if result.errors:
            self.add_errors(result.errors)

    def add_errors(self, errors: Sequence[tuple[int, str, str, str]]) -> None:
        if self.is_postgres:
            data = "".join(
                f"{line}\t{_copy_text(col)}\t{_copy_text(value)}\t{_copy_text(reason)}\n"
                for line, col, value, reason in errors
            ).encode()
            self._copy(ERRORS, ERROR_COLUMNS, data)
        else:
            self._insert(ERRORS, ERROR_COLUMNS, errors)

    def _copy(self, table: str, columns: Sequence[str], data: bytes) -> None:
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg 3 cursor under Django's wrapper
            with raw.copy(f"COPY {table} ({_quote(columns)}) FROM STDIN") as copy:
                copy.write(data)

    def _insert(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        marks = ", ".join(["%s"] * len(columns))
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {table} ({_quote(columns)}) VALUES ({marks})", rows)

    def loaded(self) -> None:
        """After the last row: statistics for the planner (TEMP tables are never analysed by
        autovacuum) and the index the report reads the errors in."""
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {STAGE}")
            cursor.execute(f"CREATE INDEX {ERRORS}_line ON {ERRORS} (line, seq)")

    # --- checks ----------------------------------------------------------------------------

    def repeated(self) -> Iterator[tuple[str, str, list[int]]]:
        """(column, value, lines) of each CCCD or card number on more than one line of the
        file. PostgreSQL: one scan of the staging table, both counts hashed at once."""
        if self.is_postgres:
            # Grouped in binary collation: the sorts compare bytes (digits) instead of going
            # through the locale's rules, a third faster at 5.5 M rows.
            cccd, card = 'cccd COLLATE "C"', 'card_number COLLATE "C"'
            value = f"CASE WHEN GROUPING({cccd}) = 0 THEN {cccd} ELSE {card} END"
            queries = [
                f"SELECT CASE WHEN GROUPING({cccd}) = 0 THEN 'cccd' ELSE 'card_number' END, "
                f"{value}, array_agg(line) FROM {STAGE} "
                f"GROUP BY GROUPING SETS (({cccd}), ({card})) "
                f"HAVING count(*) > 1 AND {value} IS NOT NULL"
            ]
        else:
            queries = [
                f"SELECT '{column}', {column}, group_concat(line) FROM {STAGE} "
                f"WHERE {column} IS NOT NULL GROUP BY {column} HAVING count(*) > 1"
                for column in ("cccd", "card_number")
            ]
        with transaction.atomic(), connection.cursor() as cursor:
            if self.is_postgres:
                cursor.execute(f"SET LOCAL work_mem = '{_CHECK_WORK_MEM}'")
            for sql in queries:
                cursor.execute(sql)
                for column, found, lines in cursor.fetchall():
                    if isinstance(lines, str):
                        lines = lines.split(",")
                    yield column, found, sorted(int(line) for line in lines)

    @staticmethod
    def _on_record(select: str, *, joins: str = "", where: str = "") -> str:
        """A SELECT over the good rows joined to the record each one upserts (`m`): the one
        with the row's CCCD, or for a row without a CCCD the one with its party card number
        (the upsert keys, in that order). Two equi-joins, so that each is a hash join."""
        return " UNION ALL ".join(
            f"SELECT {select} FROM {STAGE} s JOIN {MEMBERS} m ON m.{key} = s.{key} {joins} "
            f"WHERE s.ok{extra}{where}"
            for key, extra in (("cccd", ""), ("card_number", " AND s.cccd IS NULL"))
        )

    def existing(self) -> list[tuple[Any, ...]]:
        """Good rows on record (`_on_record`) for a member who cannot take the row: in
        another cell, no longer on the roll, or whose official date would fall before
        admission. (line, CCCD or card number, status, cell code, cell path, same cell,
        official before admission, found by card number)."""
        sql = self._on_record(
            "s.line, COALESCE(s.cccd, s.card_number), m.status, o.code, o.path, "
            "m.organisation_id = s.organisation_id, "
            "COALESCE(s.official_date, m.official_date) <= s.admission_date, "
            "s.cccd IS NULL",
            joins=f"JOIN {ORGANISATIONS} o ON o.id = m.organisation_id",
            where=f""" AND (
                m.organisation_id <> s.organisation_id
                OR m.status NOT IN ({_ON_ROLL_SQL})
                OR COALESCE(s.official_date, m.official_date) <= s.admission_date
            )""",
        )
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM ({sql}) found ORDER BY 1")
            return list(cursor.fetchall())

    def card_taken(self) -> list[tuple[int, str]]:
        """Good rows with a CCCD whose party card number belongs to another member's record
        (a row without a CCCD is that record's, `_on_record`)."""
        sql = f"""
            SELECT s.line, s.card_number FROM {STAGE} s
            JOIN {MEMBERS} m ON m.card_number = s.card_number
            WHERE s.ok AND s.cccd IS NOT NULL AND (m.cccd IS NULL OR m.cccd <> s.cccd)
            ORDER BY s.line
        """
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return list(cursor.fetchall())

    def mark_bad(self) -> None:
        """Every row with an error is not written."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {STAGE} SET ok = {self._false} WHERE ok "
                f"AND line IN (SELECT line FROM {ERRORS})"
            )

    @property
    def _false(self) -> str:
        return "false" if self.is_postgres else "0"

    @property
    def _true(self) -> str:
        return "true" if self.is_postgres else "1"

    def count_valid(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {STAGE} WHERE ok")
            return int(cursor.fetchone()[0])

    def count_error_rows(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(DISTINCT line) FROM {ERRORS}")
            return int(cursor.fetchone()[0])

    def errors(self, batch: int = 5000) -> Iterator[tuple[int, str, str, str]]:
        """Every error, by line, in the order found (keyset pages: bounded memory)."""
        last = (-1, -1)
        with connection.cursor() as cursor:
            while True:
                cursor.execute(
                    f"SELECT line, seq, col, value, reason FROM {ERRORS} "
                    f"WHERE (line, seq) > (%s, %s) ORDER BY line, seq LIMIT {int(batch)}",
                    list(last),
                )
                rows = cursor.fetchall()
                if not rows:
                    return
                for line, _seq, col, value, reason in rows:
                    yield int(line), col or "", value or "", reason or ""
                last = (rows[-1][0], rows[-1][1])

    def dump_errors(self, out: IO[bytes]) -> None:
        """Every error, by line, as CSV (UTF-8) into `out`: the report's input, read without
        the database."""
        if self.is_postgres:
            with (
                connection.cursor() as cursor,
                cursor.cursor.copy(
                    f"COPY (SELECT line, col, value, reason FROM {ERRORS} ORDER BY line, seq) "
                    "TO STDOUT (FORMAT csv)"
                ) as copy,
            ):
                for block in copy:
                    out.write(block)
            return
        text = io.TextIOWrapper(out, encoding="utf-8", newline="")
        csv.writer(text).writerows(self.errors())
        text.flush()
        text.detach()

    # --- writing ---------------------------------------------------------------------------

    def write(self, *, mapped: Sequence[str], actor_name: str) -> tuple[int, int]:
        """Update the changed records and insert the new ones; returns (created, updated).
        Call inside a transaction."""
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        self._clock = time.monotonic()
        with connection.cursor() as cursor:
            if self.is_postgres:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_IMPORT_WRITE_LOCK])
            # Which good rows are already on record, decided once: the statements below must
            # not look into the table they are writing (a growing table under an anti-join).
            cursor.execute(
                f"CREATE TEMP TABLE {EXISTING} AS " + self._on_record("s.line, m.id AS member_id")
            )
            cursor.execute(f"ANALYZE {EXISTING}")
            self._lap("write_existing")
            updated = self._update(cursor, mapped, now)
            self._lap("write_update")
            bulk = self._is_bulk(cursor)
            if bulk and not updated:
                self._renew_if_empty(cursor)
                self._lap("write_truncate")
            with self._indexes_dropped(cursor, MEMBERS, bulk):
                created = self._insert_new(cursor, now)
                self._lap("write_insert")
                if created + updated > _ANALYZE_AFTER:
                    # Statistics for what follows in this transaction (events, recount, the
                    # followers): a registry that grew by millions is not planned as empty.
                    cursor.execute(f"ANALYZE {MEMBERS}")
                    self._lap("write_analyze")
            self._lap("write_indexes")
            cursor.execute(f"ANALYZE {WRITTEN}")
            with self._indexes_dropped(cursor, EVENTS, bulk):
                self._events(cursor, now, actor_name)
                self._lap("write_events")
            self._lap("write_indexes")
            self._recount(cursor)
            self._lap("write_recount")
            self._problems(cursor, now)
            self._lap("write_problems")
        return created, updated

    def _is_bulk(self, cursor: Any) -> bool:
        """Whether this write is a bulk load (PostgreSQL): at least BULK_MIN_ROWS new records
        and at least as many as the registry holds. Then the member and event tables' secondary
        indexes and constraints are dropped and rebuilt around the insert, in the same
        transaction: building an index once is several times cheaper than updating it row by
        row (limits.md: 104 s to COPY 5.5 M rows into an indexed table, 50 s to COPY and then
        index). The tables are locked for the write; readers wait until the commit."""
        if not self.is_postgres:
            return False
        cursor.execute(
            f"SELECT count(*) FROM {STAGE} s WHERE s.ok "
            f"AND NOT EXISTS (SELECT 1 FROM {EXISTING} x WHERE x.line = s.line)"
        )
        new = int(cursor.fetchone()[0])
        if new < BULK_MIN_ROWS:
            return False
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [MEMBERS])
        estimate = int(cursor.fetchone()[0])
        if estimate < 0:  # never analysed
            cursor.execute(f"SELECT count(*) FROM {MEMBERS}")
            estimate = int(cursor.fetchone()[0])
        return new >= estimate

    def _renew_if_empty(self, cursor: Any) -> bool:
        """A bulk load into an empty registry: TRUNCATE the (empty) member table and the
        tables whose foreign keys point to it, so that each gets a new file in this
        transaction. With `wal_level = minimal` PostgreSQL then writes the load and its
        indexes without WAL and syncs the files at commit — what a COPY … FREEZE into a table
        created in the same transaction gets (limits.md §a). Nothing is lost: every table is
        checked empty under an exclusive lock first. Whether it was done."""
        cursor.execute("SHOW wal_level")
        if cursor.fetchone()[0] != "minimal":
            return False
        cursor.execute(
            "SELECT DISTINCT conrelid::regclass::text FROM pg_constraint "
            "WHERE contype = 'f' AND confrelid = %s::regclass AND conrelid <> confrelid",
            [MEMBERS],
        )
        tables = [MEMBERS, *sorted(row[0] for row in cursor.fetchall())]
        try:
            with transaction.atomic():
                cursor.execute(f"LOCK TABLE {', '.join(tables)} IN ACCESS EXCLUSIVE MODE")
                for table in tables:
                    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")
                    if cursor.fetchone()[0]:
                        return False
                cursor.execute(f"TRUNCATE {', '.join(tables)}")
        except DatabaseError:  # e.g. a trigger that refuses TRUNCATE: load as it is
            return False
        return True

    @contextmanager
    def _indexes_dropped(self, cursor: Any, table: str, bulk: bool) -> Iterator[None]:
        """With `bulk`, the table's secondary indexes and its foreign-key and unique
        constraints are dropped for the block and made again from their own definitions
        (whatever migrations defined them) after it. The primary key stays: other tables'
        foreign keys hang on it."""
        if not bulk:
            yield
            return
        # ALTER TABLE refuses a table with deferred checks pending in the transaction: run
        # them now (the rest of this transaction checks its foreign keys at once).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        self._lap("write_other")
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('f', 'u') ORDER BY contype, conname",
            [table],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = %s::regclass AND NOT i.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) "
            "ORDER BY c.relname",
            [table],
        )
        indexes = cursor.fetchall()
        for name, _definition in constraints:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        self._lap("write_indexes")
        yield
        self._lap("write_other")
        cursor.execute(
            "SELECT set_config('maintenance_work_mem', %s, true) FROM pg_settings "
            "WHERE name = 'maintenance_work_mem' AND setting::bigint < %s",
            [f"{_INDEX_BUILD_MEMORY_KB}kB", _INDEX_BUILD_MEMORY_KB],
        )
        self._lap("write_indexes")
        for name, definition in indexes:
            cursor.execute(definition)
            self._lap(f"index {name}")
        for name, definition in constraints:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            self._lap(f"constraint {name}")

    def _new_values(self, mapped: Sequence[str]) -> list[tuple[str, str]]:
        """(column, value expression) an update gives each column it touches."""
        pairs: list[tuple[str, str]] = []
        for column in MEMBER_COLUMNS:
            if column in ("cccd", "organisation_id", "status"):
                continue
            if column in ("name_folded", "sort_key") or column in _ALWAYS:
                pairs.append((column, f"s.{column}"))
            elif column in mapped:
                pairs.append((column, f"COALESCE(s.{column}, m.{column})"))
        if "official_date" in mapped:
            pairs.append(
                (
                    "status",
                    f"CASE WHEN m.status = '{MemberStatus.PROBATIONARY}' AND "
                    f"COALESCE(s.official_date, m.official_date) IS NOT NULL "
                    f"THEN '{MemberStatus.OFFICIAL}' ELSE m.status END",
                )
            )
        return pairs

    def _changed(self, pairs: list[tuple[str, str]]) -> str:
        compare = [(column, value) for column, value in pairs
                   if column not in ("name_folded", "sort_key")]  # fmt: skip
        old = ", ".join(f"m.{column}" for column, _value in compare)
        new = ", ".join(value for _column, value in compare)
        operator = "IS DISTINCT FROM" if self.is_postgres else "IS NOT"
        return f"({old}) {operator} ({new})"

    def _update(self, cursor: Any, mapped: Sequence[str], now: Any) -> int:
        pairs = self._new_values(mapped)
        changed = self._changed(pairs)
        official = "COALESCE(s.official_date, m.official_date)"
        cursor.execute(
            f"""INSERT INTO {WRITTEN} (line, member_id, organisation_id, created, day,
                                       became_official)
            SELECT x.line, m.id, m.organisation_id, {self._false}, {official},
                   m.status = '{MemberStatus.PROBATIONARY}' AND {official} IS NOT NULL
            FROM {EXISTING} x
            JOIN {MEMBERS} m ON m.id = x.member_id
            JOIN {STAGE} s ON s.line = x.line
            WHERE {changed}"""
        )
        updated = max(cursor.rowcount, 0)
        if updated:
            assignments = ", ".join(f"{column} = {value}" for column, value in pairs)
            cursor.execute(
                f"""UPDATE {MEMBERS} AS m SET {assignments}, updated_at = %s
                FROM {EXISTING} x JOIN {STAGE} s ON s.line = x.line
                WHERE m.id = x.member_id
                  AND m.id IN (SELECT member_id FROM {WRITTEN})""",
                [now],
            )
        return updated

    def _new_ids(self, cursor: Any) -> str:
        """The SQL expression that draws a new member id per selected row: the table's
        sequence (PostgreSQL), or counting on from the largest id SQLite ever gave (one
        writer at a time there)."""
        if self.is_postgres:
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [MEMBERS])
            sequence = cursor.fetchone()[0]
            return f"nextval('{sequence}'::regclass)"
        cursor.execute(
            f"SELECT max(COALESCE((SELECT max(id) FROM {MEMBERS}), 0), "
            f"COALESCE((SELECT seq FROM sqlite_sequence WHERE name = '{MEMBERS}'), 0))"
        )
        return f"{int(cursor.fetchone()[0])} + row_number() OVER (ORDER BY s.line)"

    def _insert_new(self, cursor: Any, now: Any) -> int:
        """The new records: their ids first, by line (so that what was found on a line can
        follow its record), then one INSERT … SELECT."""
        cursor.execute(
            f"""INSERT INTO {WRITTEN} (line, member_id, organisation_id, created, day,
                                       became_official)
            SELECT s.line, {self._new_ids(cursor)}, s.organisation_id, {self._true},
                   s.admission_date, {self._false}
            FROM {STAGE} s WHERE s.ok
              AND NOT EXISTS (SELECT 1 FROM {EXISTING} x WHERE x.line = s.line)"""
        )
        created = max(cursor.rowcount, 0)
        if not created:
            return 0
        columns = ["id", *MEMBER_COLUMNS, "updated_at"]
        values = [
            f"COALESCE(s.{column}, {NEW_DEFAULTS[column]})"
            if column in NEW_DEFAULTS
            else f"s.{column}"
            for column in MEMBER_COLUMNS
        ]
        with self._work_mem(cursor, _JOIN_WORK_MEM):  # the ids' hash in one batch
            cursor.execute(
                f"""INSERT INTO {MEMBERS} ({_quote(columns)})
                SELECT w.member_id, {", ".join(values)}, %s
                FROM {WRITTEN} w JOIN {STAGE} s ON s.line = w.line WHERE w.created""",
                [now],
            )
        return created

    @contextmanager
    def _work_mem(self, cursor: Any, size: str) -> Iterator[None]:
        """work_mem raised to `size` for the statements of the block (PostgreSQL)."""
        if not self.is_postgres:
            yield
            return
        cursor.execute("SELECT current_setting('work_mem')")
        before = cursor.fetchone()[0]
        cursor.execute("SELECT set_config('work_mem', %s, true)", [size])
        try:
            yield
        finally:
            cursor.execute("SELECT set_config('work_mem', %s, true)", [before])

    def _problems(self, cursor: Any, now: Any) -> None:
        """The new records' data-quality problems: the warnings their rows were found with
        (a row with any other problem is not written)."""
        cursor.execute(
            f"""INSERT INTO {MEMBER_PROBLEMS} (member_id, organisation_id, code, field, value,
                                               detected_at)
            SELECT w.member_id, w.organisation_id, p.code, p.field, p.value, %s
            FROM {PROBLEMS} p JOIN {WRITTEN} w ON w.line = p.line WHERE w.created""",
            [now],
        )

    def _events(self, cursor: Any, now: Any, actor_name: str) -> None:
        cursor.execute(
            f"""INSERT INTO {EVENTS} (member_id, kind, date, decision_number,
                from_organisation_id, to_organisation_id, destination, detail, note,
                recorded_at, recorded_by)
            SELECT member_id,
                   CASE WHEN created THEN '{EventKind.ADMITTED}'
                        ELSE '{EventKind.MADE_OFFICIAL}' END,
                   day, '',
                   CASE WHEN created THEN NULL ELSE organisation_id END,
                   CASE WHEN created THEN organisation_id ELSE NULL END,
                   '', '', '', %s, %s
            FROM {WRITTEN} WHERE created OR became_official""",
            [now, actor_name[:150]],
        )

    def _recount(self, cursor: Any) -> None:
        """Organisation.member_count of the cells that gained members, recounted."""
        cursor.execute(
            f"""UPDATE {ORGANISATIONS} AS o SET member_count = c.n
            FROM (SELECT organisation_id, count(*) AS n FROM {MEMBERS}
                  WHERE status IN ({_ON_ROLL_SQL}) AND organisation_id IN (
                      SELECT organisation_id FROM {WRITTEN} WHERE created)
                  GROUP BY organisation_id) AS c
            WHERE o.id = c.organisation_id AND o.member_count <> c.n"""
        )

    def touched(self) -> tuple[array, list[int]]:
        """(ids of the updated members, ids of every organisation the write changed) for the
        member-change followers; the new records' problems are written already (`write`).
        Call inside the write's transaction (the member ids come through a server-side
        cursor, into 8 bytes each)."""
        members = array("q")
        with connection.chunked_cursor() as cursor:
            cursor.execute(f"SELECT member_id FROM {WRITTEN} WHERE NOT created")
            while batch := cursor.fetchmany(50_000):
                members.extend(row[0] for row in batch)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT DISTINCT organisation_id FROM {WRITTEN}")
            organisations = [row[0] for row in cursor.fetchall()]
        return members, organisations


def _copy_text(value: str) -> str:
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return (
            value.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return value
