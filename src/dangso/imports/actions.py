"""Import actions: take in an uploaded file, confirm its columns, ask for the check or the commit.

The work itself runs in the background (`imports.tasks`, `dangso worker`); these actions only
check what can be checked at once (the file is refused before anything is kept when it is
empty, too large, not what its name says, or has no header row) and queue the job after the
transaction commits.
"""

import contextlib
import hashlib
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from dangso.imports import readers
from dangso.imports.columns import missing_required, suggest_mapping
from dangso.imports.models import ImportMode, ImportStatus, MemberImport
from dangso.imports.pipeline import can_import, check_mapping
from dangso.imports.readers import ImportFileError, SourceInfo
from dangso.orgs.models import Organisation

COMMIT_MODES = (ImportMode.ALL_OR_NOTHING, ImportMode.VALID_ONLY)


def upload_import(
    uploaded: UploadedFile, *, user: Any, scope: Organisation, address: str = ""
) -> MemberImport:
    """Keep an uploaded member list. Raises `ImportFileError` (nothing kept) for a bad file.

    A file in our template goes straight to the check (dry run); a file with other headers
    waits for the person to confirm the suggested columns.
    """
    name = Path(uploaded.name or "").name
    file_format = readers.format_of(name)
    readers.check_size(uploaded.size or 0)
    if not can_import(user, scope):
        raise ImportFileError(_("You may not import members into this organisation."))
    with _local_copy(uploaded, file_format) as (path, sha256):
        info = readers.inspect(path, name)
        suggestion = info.suggestion
        ready = suggestion.template and not missing_required(suggestion.mapping)
        job = MemberImport(
            user=user,
            address=address,
            organisation=scope,
            original_name=name[:255],
            size=uploaded.size or 0,
            sha256=sha256,
            format=file_format,
            headers=info.headers,
            header_line=info.header_line,
            mapping=suggestion.mapping,
            mode=ImportMode.DRY_RUN,
            status=ImportStatus.QUEUED if ready else ImportStatus.MAPPING,
        )
        with transaction.atomic(), path.open("rb") as handle:
            job.file.save(f"{uuid.uuid4().hex}.{file_format}", File(handle), save=False)
            job.save()
            if ready:
                enqueue(job)
    return job


@contextlib.contextmanager
def _local_copy(uploaded: UploadedFile, suffix: str) -> Iterator[tuple[Path, str]]:
    """(path, sha256) of the upload on local disk: Django's own temporary file when the upload
    was large enough to get one, else a copy."""
    digest = hashlib.sha256()
    temporary = getattr(uploaded, "temporary_file_path", None)
    if temporary is not None:
        path = Path(temporary())
        with path.open("rb") as handle:
            while block := handle.read(1 << 20):
                digest.update(block)
        yield path, digest.hexdigest()
        return
    with tempfile.NamedTemporaryFile(suffix=f".{suffix}") as copy:
        for chunk in uploaded.chunks():
            digest.update(chunk)
            copy.write(chunk)
        copy.flush()
        yield Path(copy.name), digest.hexdigest()


def _info(job: MemberImport) -> SourceInfo:
    return SourceInfo(
        format=job.format,
        headers=list(job.headers),
        header_line=job.header_line,
        suggestion=suggest_mapping(job.headers),
    )


@transaction.atomic
def confirm_mapping(job: MemberImport, mapping: dict[str, int]) -> MemberImport:
    """Take the person's choice of columns and queue the check (dry run)."""
    job = MemberImport.objects.select_for_update().get(pk=job.pk)
    if job.status not in (ImportStatus.MAPPING, ImportStatus.REPORTED, ImportStatus.FAILED):
        raise ValidationError(_("The columns of this import can no longer be changed."))
    try:
        job.mapping = check_mapping(mapping, _info(job))
    except ImportFileError as error:
        raise ValidationError(str(error)) from error
    job.mode = ImportMode.DRY_RUN
    job.status = ImportStatus.QUEUED
    job.save(update_fields=["mapping", "mode", "status", "updated_at"])
    enqueue(job)
    return job


@transaction.atomic
def request_commit(job: MemberImport, mode: str) -> MemberImport:
    """The person's explicit choice after the report: write all or nothing, or the valid rows."""
    if mode not in COMMIT_MODES:
        raise ValidationError(_("Choose how to write the rows."))
    job = MemberImport.objects.select_for_update().get(pk=job.pk)
    if job.status != ImportStatus.REPORTED:
        raise ValidationError(_("Only a checked import can be written."))
    if not job.valid:
        raise ValidationError(_("No row of this file is valid: there is nothing to write."))
    if mode == ImportMode.ALL_OR_NOTHING and job.bad:
        raise ValidationError(
            _("%(bad)s rows are bad: all or nothing would write nothing. Correct the file, or "
              "write the valid rows only.") % {"bad": job.bad}
        )  # fmt: skip
    job.mode = mode
    job.status = ImportStatus.QUEUED
    job.error_message = ""
    job.save(update_fields=["mode", "status", "error_message", "updated_at"])
    enqueue(job)
    return job


def enqueue(job: MemberImport) -> None:
    """Queue the job's run once the current transaction commits."""
    job_id = job.pk

    def send() -> None:
        from dangso.imports.tasks import run_import_task

        result = run_import_task.enqueue(job_id)
        MemberImport.objects.filter(pk=job_id).update(task_id=str(result.id))

    transaction.on_commit(send)
