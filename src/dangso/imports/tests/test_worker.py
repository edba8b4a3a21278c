"""`dangso worker` killed in the middle of an import: nothing is written, and the next worker
finishes the import.

The worker runs as a real subprocess against a database made for the test (see
`shared_database`).
"""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.core.management import call_command
from django.db import connections

from dangso.imports.models import ImportMode, ImportStatus, MemberImport
from dangso.imports.pipeline import is_running
from dangso.imports.tasks import run_import_task
from dangso.imports.tests.files import member, write_csv
from dangso.members.models import Member

ROWS = 60_000  # about 18 MB: read by a pool of processes, as a national file is


@pytest.fixture
def shared_database(db, tmp_path):
    """A database of its own for this test, which a subprocess can open: the test's writes
    are committed there at once.

    Not pytest-django's `transaction=True`: its flush after the test TRUNCATEs the audit log,
    which PostgreSQL refuses (core migration 0003), and SQLite's test database lives in this
    process's memory."""
    original = connections["default"]
    conf = original.settings_dict
    if original.vendor == "postgresql":
        name = f"{conf['NAME']}_worker"[:63]
        with original._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')
        password = f":{conf['PASSWORD']}" if conf.get("PASSWORD") else ""
        url = (
            f"postgres://{conf['USER']}{password}@{conf['HOST'] or 'localhost'}:"
            f"{conf['PORT'] or 5432}/{name}"
        )
    else:
        name = str(tmp_path / "shared.sqlite3")
        url = f"sqlite:///{name}"
    shared = type(original)({**conf, "NAME": name}, "default")
    connections["default"] = shared
    try:
        call_command("migrate", verbosity=0)
        yield url
    finally:
        shared.close()
        connections["default"] = original
        if original.vendor == "postgresql":
            with original._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _worker(database_url: str, settings, *options: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dangso.settings_test",
        "DATABASE_URL": database_url,
        "DANGSO_VAR_DIR": str(settings.VAR_DIR),
        "DANGSO_MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "dangso.cli", "worker", "--interval", "0.1", *options],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def test_killed_worker_leaves_nothing_and_the_next_one_finishes(
    shared_database, tree, officer, tmp_path, settings
):
    rows = [member(i, cell="X01C1" if i % 2 else "X01C2") for i in range(1, ROWS + 1)]
    path = write_csv(tmp_path / "toan-bo.csv", rows)
    job = MemberImport.objects.create(
        user=officer, organisation=tree["a"], source_path=str(path), original_name=path.name,
        size=path.stat().st_size, format="csv", mode=ImportMode.ALL_OR_NOTHING,
        status=ImportStatus.QUEUED,
    )  # fmt: skip
    task = run_import_task.enqueue(job.pk)
    MemberImport.objects.filter(pk=job.pk).update(task_id=str(task.id))

    worker = _worker(shared_database, settings)
    try:
        step = _wait_for(
            lambda: (
                MemberImport.objects.filter(pk=job.pk, step="writing").exists()
                or worker.poll() is not None
            ),
            240,
            "the worker to start writing",
        )
        assert worker.poll() is None, worker.stdout.read().decode() if worker.stdout else ""
        os.killpg(worker.pid, signal.SIGKILL)  # the worker and its reading processes
        worker.wait(10)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
    assert step
    job.refresh_from_db()
    assert (job.status, job.step) == (ImportStatus.COMMITTING, "writing")
    assert Member.objects.count() == 0
    tree["a1"].refresh_from_db()
    assert tree["a1"].member_count == 0

    # PostgreSQL: the killed worker's session ends when it notices its client is gone.
    _wait_for(lambda: not is_running(job.pk), 60, "the killed worker's lock to be released")
    again = _worker(shared_database, settings, "--batch")
    output, _ = again.communicate(timeout=300)
    assert again.returncode == 0, output.decode()
    assert f"{job.pk}" in output.decode()  # "queued again" names the job
    job.refresh_from_db()
    assert job.status == ImportStatus.COMMITTED, job.error_message
    assert (job.created, job.bad) == (ROWS, 0)
    assert Member.objects.count() == ROWS
    tree["a1"].refresh_from_db()
    assert tree["a1"].member_count == ROWS // 2
