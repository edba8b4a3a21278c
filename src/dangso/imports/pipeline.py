"""The member import pipeline: read → repair → parse → check → report → write.

`run_import(job_id)` runs a `MemberImport` per its mode: a dry run checks every row and writes
the report and nothing else; "all or nothing" writes only a file without bad rows; "valid rows
only" writes the good rows and reports the rest. `import_file()` does the same for a file on
disk, without the web UI (the command line, the benchmark).

How it stays fast and bounded on a national file (5.5 M rows, 1.7 GB of CSV):
- the file is streamed in blocks of whole records (`readers`), never held in memory;
- the per-row work (`rows.RowConverter`) runs in worker processes (fork; one per core), each
  block coming back as ready-made COPY text, while this process feeds PostgreSQL;
- rows are staged in TEMP tables (COPY), so the checks across the file and the registry and
  the write are a few set-based statements (`staging.Stage`);
- the write is ONE transaction: killed or failed, it leaves nothing.

Upsert rule: a row whose CCCD is recorded updates that record (only if something differs; an
empty cell keeps the recorded value; columns the file does not have are not touched); so does
a row without a CCCD whose party card number is recorded; a row with neither on record is a
new record (so re-importing a row with neither number adds it again). A CCCD or card number
recorded in another cell, or for a member no longer on the roll, is a bad row: moving members
goes through the transfer actions.
"""

import contextlib
import csv
import fcntl
import hashlib
import io
import logging
import multiprocessing
import os
import pickle
import shutil
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dangso.accounts.scope import restrict, scope_paths
from dangso.core import audit
from dangso.core.audit import Actor
from dangso.core.text import fold
from dangso.imports import readers, workers
from dangso.imports.columns import BY_FIELD, missing_required
from dangso.imports.models import ImportMode, ImportStatus, MemberImport
from dangso.imports.readers import ImportFileError, SourceInfo, Unit
from dangso.imports.report import write_report
from dangso.imports.rows import RowConverter, UnitResult
from dangso.imports.staging import Stage
from dangso.members.actions import members_changed
from dangso.members.choices import ON_ROLL, MemberStatus
from dangso.orgs.models import Organisation

logger = logging.getLogger(__name__)

CAPABILITY = "member.event"
SAMPLE_ERRORS = 100
# Files smaller than this are read in this process; larger ones by a pool of processes.
PARALLEL_MIN_BYTES = 16 << 20
XLSX_BATCH_ROWS = 5_000
_PROGRESS_SECONDS = 1.0
_LOCK_NAMESPACE = 3003  # first key of the job locks (the quality app uses 2043)

ProgressCallback = Callable[[int, int], None]


@dataclass
class ImportResult:
    """What an import run did, for the command line, the benchmark and the tests."""

    job_id: int
    status: str
    mode: str
    rows: int = 0
    valid: int = 0
    bad: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    sha256: str = ""
    report: str = ""  # storage name of the error report
    errors: list[list[Any]] = field(default_factory=list)  # the first bad rows
    message: str = ""
    timings: dict[str, float] = field(default_factory=dict)  # seconds per step of this run

    @property
    def written(self) -> bool:
        return self.status == ImportStatus.COMMITTED

    @classmethod
    def of(cls, job: MemberImport) -> "ImportResult":
        return cls(
            job_id=job.pk,
            status=job.status,
            mode=job.mode,
            rows=job.rows,
            valid=job.valid,
            bad=job.bad,
            created=job.created,
            updated=job.updated,
            unchanged=job.unchanged,
            sha256=job.sha256,
            report=job.report.name if job.report else "",
            errors=list(job.errors_sample),
            message=job.error_message,
        )


# --- entry points --------------------------------------------------------------------------


def import_file(
    path: str | Path,
    *,
    user: Any,
    scope: Organisation | None = None,
    mode: str = ImportMode.ALL_OR_NOTHING,
    mapping: dict[str, int] | None = None,
    progress: ProgressCallback | None = None,
    address: str = "",
) -> ImportResult:
    """Import the file at `path` as `user` into `scope` (default: the user's own scope),
    reading it in place. Raises `ImportFileError` for a file refused before anything is
    written (no job row either)."""
    path = Path(path)
    with translation.override(settings.LANGUAGE_CODE):
        scope = scope or default_scope(user)
        if scope is None or not can_import(user, scope):
            raise ImportFileError(_("You may not import members into this organisation."))
        info = readers.inspect(path, path.name)
        chosen = check_mapping(mapping if mapping is not None else info.suggestion.mapping, info)
        job = MemberImport.objects.create(
            user=user,
            address=address,
            organisation=scope,
            source_path=str(path.resolve()),
            original_name=path.name[:255],
            size=path.stat().st_size,
            format=info.format,
            headers=info.headers,
            header_line=info.header_line,
            mapping=chosen,
            mode=mode,
            status=ImportStatus.QUEUED,
        )
    return run_import(job.pk, progress=progress)


def run_import(job_id: int, *, progress: ProgressCallback | None = None) -> ImportResult:
    """Check, and per the job's mode write, one import. Safe to call twice: a job that another
    process is running, or that is finished, is left as it is."""
    with job_lock(job_id) as acquired:
        job = MemberImport.objects.select_related("user", "organisation").get(pk=job_id)
        if not acquired or job.status not in (
            ImportStatus.QUEUED, ImportStatus.CHECKING, ImportStatus.COMMITTING
        ):  # fmt: skip
            return ImportResult.of(job)
        run = _Run(job, progress)
        with translation.override(settings.LANGUAGE_CODE):
            try:
                run.execute()
            except ImportFileError as error:
                _fail(job, str(error))
            except Exception as error:
                logger.exception("Import %s failed", job_id)
                _fail(job, _("The import stopped on an unexpected error: %(error)s")
                      % {"error": f"{type(error).__name__}: {error}"[:500]})  # fmt: skip
        job.refresh_from_db()
        result = ImportResult.of(job)
        result.timings = {step: round(seconds, 2) for step, seconds in run.timings.items()}
    if connection.vendor != "postgresql" and not job.is_active:
        # The job is over: its lock file goes (a late second run finds the job finished).
        _lock_file(job_id).unlink(missing_ok=True)
    return result


def _fail(job: MemberImport, message: str) -> None:
    MemberImport.objects.filter(pk=job.pk).update(
        status=ImportStatus.FAILED, step="", error_message=message, finished_at=timezone.now()
    )


# --- scope ---------------------------------------------------------------------------------


def importable_organisations(user: Any) -> Any:
    return restrict(Organisation.objects.active(), user, CAPABILITY)


def can_import(user: Any, scope: Organisation) -> bool:
    return importable_organisations(user).filter(pk=scope.pk).exists()


def default_scope(user: Any) -> Organisation | None:
    """The outermost organisation the user may import into (the first, if several)."""
    return importable_organisations(user).order_by("depth", "path").first()


def check_mapping(mapping: dict[str, int], info: SourceInfo) -> dict[str, int]:
    """`mapping` restricted to known fields and real columns; refused when a required column
    is missing or one column is given to two fields."""
    clean = {
        name: int(index)
        for name, index in mapping.items()
        if name in BY_FIELD and index is not None and 0 <= int(index) < len(info.headers)
    }
    missing = missing_required(clean)
    if missing:
        raise ImportFileError(
            _("Required columns are missing: %(columns)s. The header row has: %(headers)s.")
            % {
                "columns": ", ".join(missing),
                "headers": ", ".join(h for h in info.headers if h) or "—",
            }
        )
    if len(set(clean.values())) != len(clean):
        raise ImportFileError(_("One column of the file is chosen for two fields."))
    return clean


def _cells(user: Any, scope: Organisation) -> tuple[dict[str, int], dict[str, int | None]]:
    """The active cells of `scope` the user may import into: by code, and by folded name
    (None for a name two cells share)."""
    cells = restrict(Organisation.objects.active().cells(), user, CAPABILITY).filter(
        path__startswith=scope.path
    )
    by_code: dict[str, int] = {}
    by_name: dict[str, int | None] = {}
    for code, name, pk in cells.values_list("code", "name", "pk").iterator(chunk_size=20_000):
        by_code[code] = pk
        key = fold(name)
        by_name[key] = None if key in by_name else pk
    return by_code, by_name


# --- locks ---------------------------------------------------------------------------------


_held: set[int] = set()  # jobs whose lock this process holds


@contextlib.contextmanager
def job_lock(job_id: int) -> Iterator[bool]:
    """Held while a process runs the job; released by the database (PostgreSQL: a session
    advisory lock) or the kernel (SQLite: a POSIX record lock on a file, which a forked child
    does not inherit) when that process dies, so that a killed run can be told from a
    running one."""
    if int(job_id) in _held:
        yield False
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_LOCK_NAMESPACE, int(job_id)])
            acquired = bool(cursor.fetchone()[0])
        if not acquired:
            yield False
            return
        _held.add(int(job_id))
        try:
            with connection.cursor() as cursor:
                # A long statement notices within a second that its client died (killed
                # worker) and rolls back, releasing this lock, instead of running to its end.
                cursor.execute("SET client_connection_check_interval = '1s'")
            yield True
        finally:
            _held.discard(int(job_id))
            with connection.cursor() as cursor:
                cursor.execute("RESET client_connection_check_interval")
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_LOCK_NAMESPACE, int(job_id)])
        return
    with _lock_file(job_id).open("a") as handle:
        try:
            fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        _held.add(int(job_id))
        try:
            yield True
        finally:
            _held.discard(int(job_id))
            fcntl.lockf(handle, fcntl.LOCK_UN)


def _lock_file(job_id: int) -> Path:
    lock_dir = Path(settings.VAR_DIR) / "locks"
    lock_dir.mkdir(parents=True, exist_ok=True)
    return lock_dir / f"import-{int(job_id)}.lock"


def is_running(job_id: int) -> bool:
    """Whether some process holds the job's lock right now."""
    if int(job_id) in _held:
        return True
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' "
                "AND classid = %s AND objid = %s AND objsubid = 2 AND granted)",
                [_LOCK_NAMESPACE, int(job_id)],
            )
            return bool(cursor.fetchone()[0])
    path = _lock_file(job_id)
    if not path.exists():
        return False
    with path.open("a") as handle:
        try:
            fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return True
        fcntl.lockf(handle, fcntl.LOCK_UN)
        return False


# --- the run -------------------------------------------------------------------------------


@contextlib.contextmanager
def _local_file(job: MemberImport) -> Iterator[Path]:
    """A path to the job's bytes: in place, or a temporary copy from remote storage."""
    if job.source_path:
        yield Path(job.source_path)
        return
    try:
        yield Path(job.file.path)
        return
    except NotImplementedError:
        pass
    suffix = Path(job.original_name).suffix
    with tempfile.NamedTemporaryFile(suffix=suffix) as copy, job.file.open("rb") as source:
        shutil.copyfileobj(source, copy, 1 << 20)
        copy.flush()
        yield Path(copy.name)


class _Run:
    def __init__(self, job: MemberImport, progress: ProgressCallback | None) -> None:
        self.job = job
        self.progress = progress
        self.writing = job.mode != ImportMode.DRY_RUN
        self.rows = 0
        self.valid = 0
        self.bytes_done = 0
        self.rows_total = 0
        self.last_report = 0.0
        self.hasher = hashlib.sha256() if not job.sha256 else None
        self.size = 0
        self.timings: dict[str, float] = {}
        self._started = time.monotonic()

    def lap(self, step: str) -> None:
        now = time.monotonic()
        self.timings[step] = now - self._started
        self._started = now

    def update(self, **fields: Any) -> None:
        MemberImport.objects.filter(pk=self.job.pk).update(**fields, updated_at=timezone.now())
        for name, value in fields.items():
            setattr(self.job, name, value)

    def execute(self) -> None:
        job = self.job
        self.update(
            status=ImportStatus.COMMITTING if self.writing else ImportStatus.CHECKING,
            step="reading",
            started_at=timezone.now(),
            finished_at=None,
            error_message="",
            rows_done=0,
            rows=0,
            valid=0,
            bad=0,
            created=0,
            updated=0,
            unchanged=0,
        )
        if not can_import(job.user, job.organisation):
            raise ImportFileError(_("You may not import members into this organisation."))
        with _local_file(job) as path:
            info = readers.inspect(path, job.original_name)
            mapping = check_mapping(job.mapping or info.suggestion.mapping, info)
            by_code, by_name = _cells(job.user, job.organisation)
            stage = Stage()
            converter = RowConverter(
                headers=info.headers,
                mapping=mapping,
                cells=by_code,
                cell_names=by_name,
                scope_name=job.organisation.name,
                today=timezone.localdate(),
                copy_format=stage.is_postgres,
            )
            stage.create()
            self.lap("prepare")
            try:
                self.load(stage, path, info, converter)
                self.lap("read")
                self.check(stage, converter)
                self.lap("check")
                self.finish(stage, mapping)
            finally:
                stage.drop()

    # --- reading ---------------------------------------------------------------------------

    def load(self, stage: Stage, path: Path, info: SourceInfo, converter: RowConverter) -> None:
        for result in self.results(path, info, converter):
            stage.add(result)
            self.rows += result.rows
            self.valid += result.valid
            self.report_progress()
        stage.loaded()
        if self.hasher is not None:
            self.job.sha256 = self.hasher.hexdigest()
        self.update(rows_done=self.rows, rows_total=self.rows, sha256=self.job.sha256)
        if self.progress:
            self.progress(self.rows, self.rows)

    def units(self, path: Path, info: SourceInfo) -> Iterator[Unit]:
        if info.format == readers.XLSX:
            if self.hasher is not None:
                with path.open("rb") as handle:
                    while block := handle.read(1 << 20):
                        self.hasher.update(block)
            self.rows_total = readers.xlsx_row_count(path, info)
            for rows_unit in readers.iter_xlsx(path, info, XLSX_BATCH_ROWS):
                self.bytes_done = 0
                yield rows_unit
            return
        self.size = path.stat().st_size - info.data_offset
        on_block = self.hasher.update if self.hasher is not None else None
        for csv_unit in readers.iter_csv(path, info, on_block=on_block):
            self.bytes_done += len(csv_unit.data)
            yield csv_unit

    def results(
        self, path: Path, info: SourceInfo, converter: RowConverter
    ) -> Iterator[UnitResult]:
        processes = _processes(path)
        if processes <= 1:
            for unit in self.units(path, info):
                yield converter.convert(unit)
            return
        # Spawned, not forked (see `workers`): the converter is pickled once per process.
        context = multiprocessing.get_context("spawn")
        settings_module = os.environ.get("DJANGO_SETTINGS_MODULE", "dangso.settings")
        with context.Pool(
            processes,
            initializer=workers.start,
            initargs=(settings_module, pickle.dumps(converter), os.getpid()),
        ) as pool:
            pending: deque[Any] = deque()
            for unit in self.units(path, info):
                pending.append(pool.apply_async(workers.convert, (unit,)))
                if len(pending) > processes * 4:
                    yield pending.popleft().get()
            while pending:
                yield pending.popleft().get()

    def report_progress(self) -> None:
        now = time.monotonic()
        if now - self.last_report < _PROGRESS_SECONDS:
            return
        self.last_report = now
        total = self.rows_total
        if self.bytes_done:
            total = max(self.rows, round(self.rows * self.size / self.bytes_done))
        total = max(total, self.rows)
        self.update(rows_done=self.rows, rows_total=total)
        if self.progress:
            self.progress(self.rows, total)

    # --- checks ----------------------------------------------------------------------------

    def check(self, stage: Stage, converter: RowConverter) -> None:
        self.update(step="checking")
        header = converter.header_of
        messages = {
            "cccd": _("This CCCD number is also on line %(lines)s of the file."),
            "card_number": _("This party card number is also on line %(lines)s of the file."),
        }
        started = time.monotonic()
        errors: list[tuple[int, str, str, str]] = []
        for column, value, lines in stage.repeated():
            for line in lines:
                others = ", ".join([str(other) for other in lines if other != line][:10])
                errors.append((line, header(column), value, messages[column] % {"lines": others}))
            if len(errors) >= 10_000:
                stage.add_errors(errors)
                errors = []
        if errors:
            stage.add_errors(errors)
        repeated = time.monotonic()
        self.check_existing(stage, converter)
        existing = time.monotonic()
        stage.mark_bad()
        self.timings["check_repeated"] = round(repeated - started, 2)
        self.timings["check_existing"] = round(existing - repeated, 2)
        self.timings["check_mark_bad"] = round(time.monotonic() - existing, 2)

    def check_existing(self, stage: Stage, converter: RowConverter) -> None:
        header = converter.header_of
        statuses = dict(MemberStatus.choices)
        errors = []
        paths = self._scope_paths()
        for line, key, status, code, path, same_cell, official_before, by_card in stage.existing():
            if not same_cell:
                if any(path.startswith(scope) for scope in paths):
                    reason = _(
                        "This member is recorded in cell %(code)s. Record a transfer to move "
                        "a member; an import does not."
                    ) % {"code": code}
                elif by_card:
                    reason = _(
                        "This party card number is recorded for a member outside the "
                        "organisation you import into."
                    )
                else:
                    reason = _(
                        "This CCCD number is recorded for a member outside the organisation "
                        "you import into."
                    )
                errors.append((line, header("organisation"), key, reason))
            elif status not in ON_ROLL:
                if by_card:
                    reason = _(
                        "The member with this party card number is no longer on the roll "
                        "(%(status)s)."
                    )
                else:
                    reason = _(
                        "The member with this CCCD number is no longer on the roll (%(status)s)."
                    )
                errors.append(
                    (line, header("card_number" if by_card else "cccd"), key,
                     reason % {"status": statuses.get(status, status)})
                )  # fmt: skip
            elif official_before:
                errors.append(
                    (line, header("admission_date"), key,
                     _("The recorded official date would come before this admission date."))
                )  # fmt: skip
        for line, card in stage.card_taken():
            errors.append(
                (line, header("card_number"), card,
                 _("This party card number is recorded for another member."))
            )  # fmt: skip
        if errors:
            stage.add_errors(errors)

    def _scope_paths(self) -> list[str]:
        """The user's import scope within the job's organisation."""
        scope = self.job.organisation.path
        return [
            path if path.startswith(scope) else scope
            for path in scope_paths(self.job.user, CAPABILITY)
            if path.startswith(scope) or scope.startswith(path)
        ]

    # --- report and write ------------------------------------------------------------------

    def finish(self, stage: Stage, mapping: dict[str, int]) -> None:
        job = self.job
        valid = stage.count_valid() if self.rows else 0
        bad = self.rows - valid
        self.update(step="report")
        sample = self.error_sample(stage)
        if job.report:
            job.report.delete(save=False)
        # The report is written by a thread while this one waits on the database (the write).
        report = _ReportWriter(stage, job.original_name) if bad else None
        self.lap("report")
        try:
            self.decide(stage, mapping, valid, bad, sample, report)
        finally:
            if report is not None:
                report.close()

    def decide(
        self,
        stage: Stage,
        mapping: dict[str, int],
        valid: int,
        bad: int,
        sample: list[list[Any]],
        report: "_ReportWriter | None",
    ) -> None:
        job = self.job
        summary: dict[str, Any] = {
            "rows": self.rows,
            "valid": valid,
            "bad": bad,
            "errors_sample": sample,
            "rows_done": self.rows,
            "rows_total": self.rows,
            "finished_at": timezone.now(),
            "step": "",
        }
        message = ""
        if not self.rows:
            message = _("The file has no member rows.")
        elif job.mode == ImportMode.DRY_RUN:
            pass
        elif job.mode == ImportMode.ALL_OR_NOTHING and bad:
            message = _(
                "Nothing was written: %(bad)s rows are bad. Correct them and import the file "
                "again, or write the valid rows only."
            ) % {"bad": bad}
        elif not valid:
            message = _("Nothing was written: no row is valid.")
        else:
            self.update(step="writing")
            with transaction.atomic():
                created, updated = stage.write(mapped=list(mapping), actor_name=job.user.username)
                # The new records' problems are written by `stage.write` from the row checks;
                # the followers re-check the updated records and recount the organisations.
                member_ids, organisation_ids = stage.touched()
                self.lap("write")
                self.timings.update(stage.timings)
                if organisation_ids:
                    members_changed(member_ids, organisation_ids)
                self.lap("followers")
                counts = {
                    "rows": self.rows, "valid": valid, "bad": bad, "created": created,
                    "updated": updated, "unchanged": valid - created - updated,
                }  # fmt: skip
                audit.record(
                    Actor.for_user(job.user, job.address),
                    "member.import",
                    job.organisation,
                    changes={
                        **{name: [None, value] for name, value in counts.items()},
                        "file": [None, job.original_name],
                        "sha256": [None, job.sha256],
                        "mode": [None, job.mode],
                    },
                )
                summary["report"] = self.save_report(report)
                self.lap("report_wait")
                self.update(**{**summary, **counts}, status=ImportStatus.COMMITTED)
            self.lap("commit")
            return
        summary["report"] = self.save_report(report)
        self.lap("report_wait")
        self.update(**summary, status=ImportStatus.REPORTED, error_message=message)

    def error_sample(self, stage: Stage) -> list[list[Any]]:
        sample: list[list[Any]] = []
        for error in stage.errors():
            sample.append(list(error))
            if len(sample) >= SAMPLE_ERRORS:
                break
        return sample

    def save_report(self, report: "_ReportWriter | None") -> str:
        """The report's storage name, once its thread has written it ("" without errors)."""
        if report is None:
            return ""
        out = report.wait()
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        return default_storage.save(
            f"imports/reports/loi-nhap-{self.job.pk}-{stamp}.xlsx", File(out)
        )


class _ReportWriter:
    """The error report (.xlsx), written in a thread from a dump of the errors.

    Building the workbook is pure Python (15 s for the 420,000 bad rows of the national
    file), while the write that follows is the database's work: psycopg releases the GIL
    while a statement runs, so the two overlap. The thread never touches the database."""

    def __init__(self, stage: Stage, file_name: str) -> None:
        self.dump = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        stage.dump_errors(self.dump)
        self.dump.seek(0)
        self.out = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._write, args=(file_name,), daemon=True)
        self.thread.start()

    def _write(self, file_name: str) -> None:
        try:
            text = io.TextIOWrapper(self.dump, encoding="utf-8", newline="")
            errors = (
                (int(line), column, value, reason)
                for line, column, value, reason in csv.reader(text)
            )
            write_report(errors, self.out, file_name=file_name)
            text.detach()
        except BaseException as error:  # handed to the waiting thread
            self.error = error

    def wait(self) -> Any:
        self.thread.join()
        if self.error is not None:
            raise self.error
        self.out.seek(0)
        return self.out

    def close(self) -> None:
        self.thread.join()
        self.dump.close()
        self.out.close()


def _processes(path: Path) -> int:
    size = path.stat().st_size
    if size < PARALLEL_MIN_BYTES:
        return 1
    configured = getattr(settings, "DANGSO_IMPORT_PROCESSES", None)
    return int(configured or os.cpu_count() or 1)


def report_path(result: ImportResult) -> str:
    """The report's file path (filesystem storage) or its storage name."""
    if not result.report:
        return ""
    try:
        return default_storage.path(result.report)
    except NotImplementedError:
        return result.report
