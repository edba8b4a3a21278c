"""Import pages: upload, confirm the columns, watch the check, read the report, commit.

Each view parses, authorises through `restrict()` and calls one action. An import is visible
to whoever holds `member.event` over its organisation (the officers who keep that member
list); anyone else gets 404.
"""

import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from dangso.accounts.scope import can, restrict
from dangso.core.audit import client_address
from dangso.core.spreadsheets import XLSX_CONTENT_TYPE
from dangso.imports import actions
from dangso.imports.columns import BY_FIELD, COLUMNS, missing_required
from dangso.imports.forms import MappingForm, UploadForm
from dangso.imports.models import ImportMode, ImportStatus, MemberImport
from dangso.imports.pipeline import CAPABILITY, default_scope
from dangso.imports.readers import ImportFileError
from dangso.imports.template import FILE_NAME, write_template

RECENT = 20


def _require(request: HttpRequest) -> None:
    if not can(request.user, CAPABILITY):
        raise PermissionDenied


def _imports(request: HttpRequest) -> QuerySet[MemberImport]:
    return restrict(
        MemberImport.objects.select_related("organisation", "user"), request.user, CAPABILITY
    )


def _job(request: HttpRequest, pk: int) -> MemberImport:
    _require(request)
    return get_object_or_404(_imports(request), pk=pk)


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    """Nhập danh sách đảng viên: upload a file; the recent imports of the user's scope."""
    _require(request)
    form = UploadForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        initial={"organisation": default_scope(request.user)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            job = actions.upload_import(
                form.cleaned_data["file"],
                user=request.user,
                scope=form.cleaned_data["organisation"],
                address=client_address(request),
            )
        except ImportFileError as error:
            form.add_error("file", str(error))
        else:
            if job.status == ImportStatus.MAPPING:
                return redirect("imports:mapping", pk=job.pk)
            return redirect("imports:detail", pk=job.pk)
    context = {"form": form, "jobs": _imports(request)[:RECENT], "columns": COLUMNS}
    return render(request, "imports/upload.html", context)


@login_required
def mapping(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm which column of the file holds which field (suggested from the headers)."""
    job = _job(request, pk)
    if job.status not in (ImportStatus.MAPPING, ImportStatus.REPORTED, ImportStatus.FAILED):
        return redirect("imports:detail", pk=job.pk)
    initial = {name: int(index) for name, index in job.mapping.items()}
    form = MappingForm(request.POST or None, headers=job.headers, initial_mapping=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.confirm_mapping(job, form.mapping())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("imports:detail", pk=job.pk)
    context = {
        "job": job,
        "form": form,
        "missing": missing_required(initial),
    }
    return render(request, "imports/mapping.html", context)


def _job_context(job: MemberImport) -> dict[str, Any]:
    mapped = [
        (BY_FIELD[name].header, job.headers[index] if index < len(job.headers) else "")
        for name, index in sorted(job.mapping.items(), key=lambda item: item[1])
        if name in BY_FIELD
    ]
    return {
        "job": job,
        "mapped": mapped,
        "statuses": ImportStatus,
        "modes": ImportMode,
        "more_errors": job.bad and len(job.errors_sample) < job.bad,
    }


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    return render(request, "imports/detail.html", _job_context(job))


@login_required
def status(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's progress and results (htmx polls it every second while the job runs)."""
    job = _job(request, pk)
    return render(request, "imports/_job.html", _job_context(job))


@login_required
@require_POST
def commit(request: HttpRequest, pk: int) -> HttpResponse:
    """The explicit choice after the report: all or nothing, or the valid rows only."""
    job = _job(request, pk)
    try:
        actions.request_commit(job, request.POST.get("mode", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("imports:detail", pk=job.pk)


@login_required
def template(request: HttpRequest) -> HttpResponse:
    """Our member list template (.xlsx), with a sheet that explains each column."""
    _require(request)
    out = io.BytesIO()
    write_template(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{FILE_NAME}"'
    return response


@login_required
def report(request: HttpRequest, pk: int) -> FileResponse:
    """The full report of bad rows (.xlsx, Vietnamese headers)."""
    job = _job(request, pk)
    if not job.report:
        raise Http404
    return FileResponse(
        job.report.open("rb"),
        as_attachment=True,
        filename=f"loi-nhap-{job.pk}.xlsx",
        content_type=XLSX_CONTENT_TYPE,
    )
