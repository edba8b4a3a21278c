"""Background jobs of the imports app, run by `dangso worker` from the database queue.

A worker killed in the middle of an import (SIGKILL, power loss) leaves its job "checking" or
"writing" and its task "running" for ever: nothing was written (the write is one transaction)
but nothing will finish it either. `recover_stalled_imports()`, run when a worker starts,
finds such jobs — their lock, held by the running process, is free — and queues them again.
"""

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from dangso.imports.models import ImportStatus, MemberImport
from dangso.imports.pipeline import is_running, run_import

# A task claimed this long ago whose job has not started is taken for dead.
CLAIM_GRACE = datetime.timedelta(minutes=2)


@task()
def run_import_task(job_id: int) -> dict[str, Any]:
    result = run_import(job_id)
    return {
        "status": result.status,
        "rows": result.rows,
        "valid": result.valid,
        "bad": result.bad,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
    }


def recover_stalled_imports() -> list[int]:
    """Queue again every import whose run died with its process; returns their ids."""
    recovered = []
    now = timezone.now()
    running = (ImportStatus.CHECKING, ImportStatus.COMMITTING)
    for job in MemberImport.objects.filter(status__in=[*running, ImportStatus.QUEUED]):
        task_result = DBTaskResult.objects.filter(pk=job.task_id).first() if job.task_id else None
        if job.status == ImportStatus.QUEUED:
            if task_result is None or task_result.status == TaskResultStatus.READY:
                continue  # waiting for a worker (or for its on-commit enqueue)
            if task_result.status == TaskResultStatus.RUNNING and (
                task_result.started_at is None or now - task_result.started_at < CLAIM_GRACE
            ):
                continue  # just claimed
        if is_running(job.pk):
            continue
        with transaction.atomic():
            locked = MemberImport.objects.select_for_update().get(pk=job.pk)
            if locked.status != job.status:
                continue
            if task_result is not None and task_result.status == TaskResultStatus.RUNNING:
                DBTaskResult.objects.filter(pk=task_result.pk).update(
                    status=TaskResultStatus.FAILED, finished_at=now
                )
            locked.status = ImportStatus.QUEUED
            locked.step = ""
            locked.save(update_fields=["status", "step", "updated_at"])
            new_task = run_import_task.enqueue(job.pk)
            MemberImport.objects.filter(pk=job.pk).update(task_id=str(new_task.id))
        recovered.append(job.pk)
    return recovered
