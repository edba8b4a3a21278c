"""Tasks API: tasks and their progress, delegation, programmes, and the dashboard figures.

Reads need task.view; a task is visible when led in the caller's scope or supported by an
organisation in it, and a confidential task only when granted by name (`queries.visible_tasks`).
Assigning and delegating need task.assign over the organisation, reporting progress task.update
over the lead organisation. Without the capability anywhere the answer is 403; a task out of
reach is 404. Bad input gets a 422 with a message per field and writes nothing.
"""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status, UploadedFile
from ninja.errors import AuthorizationError

from dangso.accounts.api_auth import api_user, get_in_scope, require
from dangso.accounts.scope import covers
from dangso.core.audit import Actor
from dangso.core.files import Upload
from dangso.core.pagination import DEFAULT_LIMIT, MAX_LIMIT, cursor_page
from dangso.followup import actions
from dangso.followup.choices import TaskStatus
from dangso.followup.models import Programme, ProgressUpdate, Task
from dangso.followup.queries import task_figures, task_list, visible_programmes, visible_tasks
from dangso.orgs.models import Organisation

router = Router()


class TaskOut(Schema):
    id: int
    title: str
    organisation: str
    organisation_id: int
    assigned_by: str
    parent_id: int | None
    programme_id: int | None
    source_text: str
    source_document_id: int | None
    assigned_on: datetime.date
    deadline: datetime.date
    progress: int
    started_on: datetime.date | None
    completed_on: datetime.date | None
    status: str
    confidential: bool

    @staticmethod
    def resolve_organisation(task: Task) -> str:
        return task.organisation.name

    @staticmethod
    def resolve_assigned_by(task: Task) -> str:
        return task.assigned_by.name


class TaskDetail(TaskOut):
    description: str
    expected_result: str
    children: list[TaskOut]

    @staticmethod
    def resolve_children(task: Task) -> list[Task]:
        return list(task.children.select_related("organisation", "assigned_by"))


class TaskPage(Schema):
    items: list[TaskOut]
    next_cursor: str | None


class TaskIn(Schema):
    organisation: int
    assignees: list[int]
    title: str
    deadline: datetime.date
    description: str = ""
    expected_result: str = ""
    source_text: str = ""
    source_document: int | None = None
    programme: int | None = None
    supporters: list[int] = []
    confidential: bool = False


class DelegateIn(Schema):
    assignees: list[int]
    deadline: datetime.date | None = None
    note: str = ""


class EvidenceOut(Schema):
    id: int
    name: str
    size: int
    sha256: str


class ProgressOut(Schema):
    id: int
    percent: int
    note: str
    reported_on: datetime.date
    author_name: str
    evidence: list[EvidenceOut]

    @staticmethod
    def resolve_evidence(update: ProgressUpdate) -> list[Any]:
        return list(update.evidence.all())


class ProgrammeOut(Schema):
    id: int
    name: str
    organisation_id: int
    starts_on: datetime.date | None
    ends_on: datetime.date | None


class ProgrammeIn(Schema):
    organisation: int
    name: str
    description: str = ""
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None


class StatusCountsOut(Schema):
    total: int
    done: int
    overdue: int
    percent_done: float
    counts: dict[str, int]


class ChildOut(Schema):
    organisation_id: int | None
    name: str
    statuses: StatusCountsOut
    progress: float


class ProgrammeFiguresOut(Schema):
    programme_id: int
    name: str
    done: int
    total: int
    percent: float


class FiguresOut(Schema):
    organisation_id: int
    on: datetime.date
    statuses: StatusCountsOut
    progress: float
    children: list[ChildOut]
    programmes: list[ProgrammeFiguresOut]


def _task(request: HttpRequest, task_id: int) -> Task:
    user = api_user(request)
    require(user, "task.view")
    task = (
        visible_tasks(user).select_related("organisation", "assigned_by").filter(pk=task_id).first()
    )
    if task is None:
        raise Http404
    return task


def _may(request: HttpRequest, capability: str, organisation: Organisation) -> None:
    if not covers(api_user(request), capability, organisation.path):
        raise AuthorizationError()


def _organisations(ids: list[int], field: str) -> list[Organisation]:
    """The organisations named by id; the actions check where they stand in the tree."""
    found = Organisation.objects.in_bulk(ids)
    if len(found) != len(set(ids)):
        raise ValidationError({field: _("Unknown organisation.")})
    return [found[pk] for pk in ids]


@router.get("/", response=TaskPage, url_name="list_tasks")
def list_tasks(
    request: HttpRequest,
    organisation: int | None = None,
    status: TaskStatus | None = None,
    programme: int | None = None,
    top: bool = False,
    q: str = "",
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> dict:
    """Visible tasks, oldest first; `organisation` + `top` gives the tasks that unit received."""
    user = api_user(request)
    require(user, "task.view")
    node = (
        get_in_scope(Organisation.objects.all(), user, "task.view", pk=organisation)
        if organisation
        else None
    )
    chosen = visible_programmes(user).filter(pk=programme).first() if programme else None
    if programme and chosen is None:
        raise Http404
    tasks = task_list(
        user, node=node, status=status or "", programme=chosen, top_only=top, text=q,
        today=timezone.localdate(),
    ).select_related("assigned_by")  # fmt: skip
    page = cursor_page(tasks, cursor=cursor, limit=max(1, min(limit, MAX_LIMIT)))
    return page


@router.post("/", response={201: TaskDetail}, url_name="assign_task")
def assign_task(request: HttpRequest, payload: TaskIn) -> Status:
    """Give a task to the organisation itself or to organisations below it."""
    user = api_user(request)
    organisation = get_in_scope(
        Organisation.objects.all(), user, "task.assign", pk=payload.organisation
    )
    data = payload.dict()
    if payload.programme:
        data["programme"] = visible_programmes(user).filter(pk=payload.programme).first()
        if data["programme"] is None:
            raise Http404
    if payload.source_document:
        from dangso.documents.queries import visible_documents

        data["source_document"] = visible_documents(user).filter(pk=payload.source_document).first()
        if data["source_document"] is None:
            raise Http404
    task = actions.assign(
        data, organisation=organisation,
        assignees=_organisations(payload.assignees, "assignees"),
        supporters=_organisations(payload.supporters, "supporters"),
        actor=Actor.from_request(request),
    )  # fmt: skip
    return Status(201, task)


@router.get("/programmes", response=list[ProgrammeOut], url_name="list_programmes")
def list_programmes(request: HttpRequest) -> list[Programme]:
    user = api_user(request)
    require(user, "task.view")
    return list(visible_programmes(user))


@router.post("/programmes", response={201: ProgrammeOut}, url_name="create_programme")
def create_programme(request: HttpRequest, payload: ProgrammeIn) -> Status:
    user = api_user(request)
    organisation = get_in_scope(
        Organisation.objects.all(), user, "task.assign", pk=payload.organisation
    )
    programme = actions.create_programme(
        payload.dict(), organisation=organisation, actor=Actor.from_request(request)
    )
    return Status(201, programme)


@router.get("/figures/{int:org_id}", response=FiguresOut, url_name="task_figures")
def figures(request: HttpRequest, org_id: int) -> dict:
    """The dashboard's task figures at an organisation: by status, per child unit, per
    programme (top tasks only: a delegated task counts once per level)."""
    user = api_user(request)
    node = get_in_scope(Organisation.objects.all(), user, "task.view", pk=org_id)
    today = timezone.localdate()
    result = task_figures(user, node, today)

    def counts(statuses: Any) -> dict:
        return {"total": statuses.total, "done": statuses.done, "overdue": statuses.overdue,
                "percent_done": statuses.percent_done, "counts": statuses.counts}  # fmt: skip

    return {
        "organisation_id": node.pk, "on": today, "statuses": counts(result.statuses),
        "progress": result.progress,
        "children": [
            {"organisation_id": child.organisation.pk if child.organisation else None,
             "name": child.organisation.name if child.organisation else node.name,
             "statuses": counts(child.statuses), "progress": child.progress}
            for child in result.children
        ],
        "programmes": [
            {"programme_id": item.programme.pk, "name": item.programme.name, "done": item.done,
             "total": item.total, "percent": item.percent}
            for item in result.programmes
        ],
    }  # fmt: skip


@router.get("/{int:task_id}", response=TaskDetail, url_name="get_task")
def get_task(request: HttpRequest, task_id: int) -> Task:
    return _task(request, task_id)


@router.get("/{int:task_id}/progress", response=list[ProgressOut], url_name="list_progress")
def list_progress(request: HttpRequest, task_id: int) -> list[ProgressUpdate]:
    return list(_task(request, task_id).updates.prefetch_related("evidence"))


@router.post("/{int:task_id}/progress", response={201: ProgressOut}, url_name="report_progress")
def report_progress(
    request: HttpRequest,
    task_id: int,
    percent: Form[str] = "",
    note: Form[str] = "",
    files: File[list[UploadedFile]] | None = None,
) -> Status:
    """Report progress (multipart form: percent, note, files as evidence)."""
    task = _task(request, task_id)
    _may(request, "task.update", task.organisation)
    uploads = [Upload(item.name or "", item.read()) for item in files or []]
    update = actions.report_progress(
        task, percent=percent, note=note, uploads=uploads, actor=Actor.from_request(request)
    )
    return Status(201, update)


@router.post("/{int:task_id}/delegate", response={201: list[TaskOut]}, url_name="delegate_task")
def delegate_task(request: HttpRequest, task_id: int, payload: DelegateIn) -> Status:
    task = _task(request, task_id)
    _may(request, "task.assign", task.organisation)
    children = actions.delegate(
        task, _organisations(payload.assignees, "assignees"),
        deadline=payload.deadline, note=payload.note, actor=Actor.from_request(request),
    )  # fmt: skip
    return Status(201, children)
