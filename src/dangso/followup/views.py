"""Task pages: the list, a new task, the task page and its steps, programmes.

A task is found through `visible_tasks()` (scope, support and the confidential-grant rule), so a
task out of reach is a 404; each step then checks its capability over the lead organisation.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangso.accounts.scope import (
    can,
    chosen_organisation,
    covers,
    require_capability,
    restrict,
    scope_roots,
)
from dangso.core import audit, files
from dangso.core.audit import Actor
from dangso.core.files import Upload
from dangso.core.forms import show_errors
from dangso.core.responses import file_response
from dangso.followup import actions
from dangso.followup.forms import (
    DelegateForm,
    GrantForm,
    ProgrammeForm,
    ProgressForm,
    TaskFilterForm,
    TaskForm,
)
from dangso.followup.models import Evidence, Task
from dangso.followup.queries import programme_rows, task_list, visible_programmes, visible_tasks
from dangso.orgs.models import Organisation

PAGE_SIZE = 50


def _visible(request: HttpRequest, pk: int) -> Task:
    return get_object_or_404(
        visible_tasks(request.user).select_related(
            "organisation", "assigned_by", "programme", "parent", "parent__organisation",
            "source_document", "lead_person",
        ),
        pk=pk,
    )  # fmt: skip


def _organisation(request: HttpRequest, capability: str, pk: Any) -> Organisation:
    return chosen_organisation(request.user, capability, pk)


@login_required
def task_list_view(request: HttpRequest) -> HttpResponse:
    """Danh sách nhiệm vụ: the tasks in scope, narrowed as a dashboard figure links to."""
    require_capability(request, "task.view")
    form = TaskFilterForm(request.GET, user=request.user)
    form.is_valid()
    data = form.cleaned_data if form.is_valid() else {}
    node = _organisation(request, "task.view", data.get("org")) if data.get("org") else None
    tasks = task_list(
        request.user, node=node, status=data.get("status") or "",
        programme=data.get("programme"), top_only=bool(data.get("top")),
        text=data.get("q") or "", today=timezone.localdate(),
    ).order_by("deadline", "pk")  # fmt: skip
    page = Paginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "node": node}
    template = "followup/_task_rows.html" if request.htmx else "followup/list.html"  # type: ignore[attr-defined]
    if not request.htmx:  # type: ignore[attr-defined]
        context["can_assign"] = can(request.user, "task.assign")
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def task_new(request: HttpRequest) -> HttpResponse:
    """Giao nhiệm vụ: an organisation gives a task to itself or to the units below it."""
    require_capability(request, "task.assign")
    organisation = _organisation(request, "task.assign", request.GET.get("org"))
    form = TaskForm(request.POST or None, user=request.user, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            task = actions.assign(
                form.task_data(), organisation=organisation,
                assignees=list(form.cleaned_data["assignees"]),
                supporters=list(form.cleaned_data["supporters"]),
                actor=Actor.from_request(request),
            )  # fmt: skip
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, _("The task was assigned."))
            return redirect("followup:detail", pk=task.pk)
    options = restrict(Organisation.objects.active(), request.user, "task.assign").order_by("path")
    return render(
        request,
        "followup/new.html",
        {"form": form, "organisation": organisation, "organisations": options[:300]},
    )


def _has_choices(form: Any, name: str) -> bool:
    return bool(form.fields[name].queryset.exists())


def _detail_context(request: HttpRequest, task: Task, **forms: Any) -> dict[str, Any]:
    user = request.user
    path = task.organisation.path
    children = list(
        task.children.select_related("organisation").order_by("organisation__name")
        if task.pk
        else []
    )
    may_update = covers(user, "task.update", path) and not children and task.completed_on is None
    may_delegate = covers(user, "task.assign", path) and task.completed_on is None
    delegate_form = forms.get("delegate") or DelegateForm(task=task)
    if not (may_delegate and _has_choices(delegate_form, "assignees")):
        delegate_form = None
    may_grant = task.confidential and covers(user, "task.assign", path)
    parent = visible_tasks(user).filter(pk=task.parent_id).first() if task.parent_id else None
    return {
        "task": task,
        "today": timezone.localdate(),
        "children": children,
        "updates": task.updates.prefetch_related("evidence"),
        "progress_form": forms.get("progress") or ProgressForm(),
        "delegate_form": delegate_form,
        "grant_form": (forms.get("grant") or GrantForm()) if may_grant else None,
        "may_update": may_update,
        "supporters": task.supporters.all(),
        "visible_parent": parent,
    }


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = _visible(request, pk)
    if task.confidential:
        audit.record(Actor.from_request(request), "task.read", task)
    return render(request, "followup/detail.html", _detail_context(request, task))


def _step(request: HttpRequest, pk: int, capability: str) -> Task:
    task = _visible(request, pk)
    if not covers(request.user, capability, task.organisation.path):
        raise PermissionDenied
    return task


def _run_step(
    request: HttpRequest,
    task: Task,
    form: Any,
    name: str,
    act: Callable[[dict[str, Any], Actor], object],
    done: str,
) -> HttpResponse:
    """Call the step's action with the form's data: back to the task page with `done`, or the
    page again with the form's errors and what was typed (422), nothing written."""
    if form.is_valid():
        try:
            act(form.cleaned_data, Actor.from_request(request))
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("followup:detail", pk=task.pk)
    context = _detail_context(request, task, **{name: form})
    return render(request, "followup/detail.html", context, status=422)


@login_required
@require_POST
def task_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """Báo cáo tiến độ: a percentage, what was done, and evidence files."""
    task = _step(request, pk, "task.update")

    def act(data: dict[str, Any], actor: Actor) -> object:
        uploads = [Upload(item.name or "", item.read()) for item in data["evidence"]]
        return actions.report_progress(
            task, percent=data["percent"], note=data["note"], uploads=uploads, actor=actor
        )

    form = ProgressForm(request.POST, request.FILES)
    return _run_step(request, task, form, "progress", act, _("Progress recorded."))


@login_required
@require_POST
def task_delegate(request: HttpRequest, pk: int) -> HttpResponse:
    """Giao tiếp: hand the task down to units directly below its lead organisation."""
    task = _step(request, pk, "task.assign")

    def act(data: dict[str, Any], actor: Actor) -> object:
        return actions.delegate(
            task, list(data["assignees"]), deadline=data["deadline"], note=data["note"],
            actor=actor,
        )  # fmt: skip

    form = DelegateForm(request.POST, task=task)
    return _run_step(request, task, form, "delegate", act, _("The task was handed down."))


@login_required
@require_POST
def task_grant(request: HttpRequest, pk: int) -> HttpResponse:
    """Let a person by name see a confidential task."""
    task = _step(request, pk, "task.assign")

    def act(data: dict[str, Any], actor: Actor) -> object:
        return actions.grant(task, data["username"], actor=actor)

    return _run_step(request, task, GrantForm(request.POST), "grant", act, _("Access granted."))


@login_required
def evidence(request: HttpRequest, pk: int, evidence_id: int) -> HttpResponse:
    """An evidence file, checked against its SHA-256 before it is served."""
    task = _visible(request, pk)
    item = get_object_or_404(Evidence, pk=evidence_id, update__task=task)
    try:
        content = actions.evidence_bytes(item)
    except files.IntegrityFailure as failure:
        return render(request, "followup/integrity_failure.html", {"task": task, "item": item,
                      "message": failure.message}, status=409)  # fmt: skip
    if task.confidential:
        audit.record(
            Actor.from_request(request), "task.read", task, changes={"file": [None, item.name]}
        )
    return file_response(content, item.content_type, item.name)


@login_required
def programmes(request: HttpRequest) -> HttpResponse:
    """Chương trình, đề án: the programmes in sight, with completion; new ones by assigners."""
    require_capability(request, "task.view")
    may_create = can(request.user, "task.assign")
    form = ProgrammeForm(request.POST or None, user=request.user) if may_create else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                actions.create_programme(
                    form.cleaned_data, organisation=form.cleaned_data["organisation"],
                    actor=Actor.from_request(request),
                )  # fmt: skip
            except ValidationError as error:
                show_errors(form, error)
            else:
                messages.success(request, _("The programme was created."))
                return redirect("followup:programmes")
    roots = scope_roots(request.user, "task.view")
    figures = programme_rows(request.user, roots)
    return render(request, "followup/programmes.html", {"form": form, "rows": figures,
                  "programmes": visible_programmes(request.user)})  # fmt: skip
