"""Which tasks a user sees, their status in SQL, and the figures of the steering dashboard.

Counting at a node of the tree: a task delegated down the tree is one task for the node that
received it, not one per level. So the figures of a node count its *top tasks*: tasks led
within its subtree whose parent task (if any) is led outside it. The province sees the task it
received from the Central Committee once; the commune sees its share once; the cells theirs.
"""

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, Sum, Value, When
from django.db.models.fields import CharField

from dangso.accounts.scope import covers, restrict, scope_paths
from dangso.core.text import fold
from dangso.followup.choices import DONE, TaskStatus
from dangso.followup.models import Programme, Task, TaskGrant
from dangso.orgs.models import Organisation
from dangso.orgs.paths import ids_of
from dangso.orgs.queries import child_segment

VIEW = "task.view"


def status_expression(today: datetime.date) -> Case:
    """`choices.status_of` as SQL: the status of each row on `today`."""
    return Case(
        When(completed_on__isnull=False, completed_on__lte=F("deadline"),
             then=Value(TaskStatus.DONE_ON_TIME)),
        When(completed_on__isnull=False, then=Value(TaskStatus.DONE_LATE)),
        When(deadline__lt=today, then=Value(TaskStatus.OVERDUE)),
        When(started_on__isnull=False, then=Value(TaskStatus.IN_PROGRESS)),
        default=Value(TaskStatus.NOT_STARTED),
        output_field=CharField(),
    )  # fmt: skip


def status_filter(status: str, today: datetime.date) -> Q:
    """The rows whose status on `today` is `status`, as a plain condition (index-friendly)."""
    done = Q(completed_on__isnull=False)
    return {
        TaskStatus.DONE_ON_TIME: done & Q(completed_on__lte=F("deadline")),
        TaskStatus.DONE_LATE: done & Q(completed_on__gt=F("deadline")),
        TaskStatus.OVERDUE: Q(completed_on__isnull=True, deadline__lt=today),
        TaskStatus.IN_PROGRESS: Q(
            completed_on__isnull=True, deadline__gte=today, started_on__isnull=False
        ),
        TaskStatus.NOT_STARTED: Q(
            completed_on__isnull=True, deadline__gte=today, started_on__isnull=True
        ),
    }[TaskStatus(status)]


def visible_tasks(user: Any, queryset: QuerySet[Task] | None = None) -> QuerySet[Task]:
    """Tasks led in the user's scope or supported by an organisation in it; confidential
    tasks only when granted by name (or created by the user)."""
    queryset = Task.objects.all() if queryset is None else queryset
    paths = scope_paths(user, VIEW)
    if not paths:
        return queryset.none()
    in_scope = Q()
    for path in paths:
        in_scope |= Q(organisation__path__startswith=path)
    supported = Q()
    for path in paths:
        supported |= Q(supporters__path__startswith=path)
    supported_ids = Task.objects.filter(supported).values("pk")
    return queryset.filter(in_scope | Q(pk__in=supported_ids)).filter(_not_withheld(user))


def _not_withheld(user: Any) -> Any:
    """The confidential rule: not confidential, or created by the user, or granted to them."""
    granted = Exists(TaskGrant.objects.filter(task=OuterRef("pk"), user=user))
    return Q(confidential=False) | Q(created_by=user) | granted


def tasks_under(user: Any, node: Organisation) -> QuerySet[Task]:
    """The visible tasks led in `node`'s subtree. When the user's scope covers the node (the
    dashboard's case), every task led there is in scope and only the confidential rule is left:
    without visible_tasks' OR (led in scope, or supported from it) PostgreSQL starts from the
    subtree's organisations instead of reading the whole task table."""
    tasks = Task.objects.filter(organisation__path__startswith=node.path)
    if covers(user, VIEW, node.path):
        return tasks.filter(_not_withheld(user))
    return visible_tasks(user, tasks)


def top_tasks(tasks: QuerySet[Task], node: Organisation) -> QuerySet[Task]:
    """The node's top tasks among `tasks` (see the module)."""
    return tasks.filter(organisation__path__startswith=node.path).exclude(
        parent__organisation__path__startswith=node.path
    )


def visible_programmes(user: Any) -> QuerySet[Programme]:
    """Programmes owned in the user's scope or above it (a commune follows Đề án 204)."""
    paths = scope_paths(user, VIEW)
    if not paths:
        return Programme.objects.none()
    owners: set[int] = set()
    for path in paths:
        owners.update(ids_of(path))
    return Programme.objects.filter(
        Q(organisation_id__in=owners)
        | Q(pk__in=restrict(Programme.objects.all(), user, VIEW).values("pk"))
    )


# --- dashboard figures ---------------------------------------------------------------------


@dataclass
class StatusCounts:
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def done(self) -> int:
        return sum(self.counts.get(status, 0) for status in DONE)

    @property
    def overdue(self) -> int:
        return self.counts.get(TaskStatus.OVERDUE, 0)

    @property
    def percent_done(self) -> float:
        return round(100 * self.done / self.total, 1) if self.total else 0.0

    def rows(self) -> list[tuple[str, str, int]]:
        return [(status, str(label), self.counts.get(status, 0)) for status, label in
                TaskStatus.choices]  # fmt: skip


@dataclass
class ChildFigures:
    organisation: Organisation | None  # None: the node's own tasks
    statuses: StatusCounts
    progress: float  # mean progress of its top tasks, percent


@dataclass
class ProgrammeFigures:
    programme: Programme
    done: int
    total: int

    @property
    def percent(self) -> float:
        return round(100 * self.done / self.total, 1) if self.total else 0.0


@dataclass
class TaskFigures:
    node: Organisation
    statuses: StatusCounts
    progress: float
    children: list[ChildFigures]
    programmes: list[ProgrammeFigures]


def task_figures(user: Any, node: Organisation, today: datetime.date) -> TaskFigures:
    """Everything the dashboard shows about tasks at `node`: one grouped query (and the names
    of the child units and programmes).

    Per child unit, a task counts for the child when it is a top task of the child's subtree
    (led inside it, delegated from outside it); the node's own top tasks form the first row.
    Programme completion counts the node's top tasks of each programme, from the same rows.
    """
    tasks = tasks_under(user, node)
    status = status_expression(today)
    grouped = (
        tasks.annotate(
            current=status,
            child=child_segment("organisation__path", node.path),
            # A delegated task's `assigned_by` is its parent task's lead organisation
            # (`actions._delegate`), so the parent's place comes without a second join.
            parent_child=child_segment("assigned_by__path", node.path),
            parent_inside=Case(
                When(
                    parent__isnull=False,
                    assigned_by__path__startswith=node.path,
                    then=Value(1),
                ),
                default=Value(0),
            ),
        )
        .values("current", "child", "parent_child", "parent_inside", "programme")
        .annotate(n=Count("pk"), progress_sum=Sum("progress"))
        .order_by()
    )
    node_counts: dict[str, int] = defaultdict(int)
    node_progress = 0
    per_child: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    child_progress: dict[str, int] = defaultdict(int)
    per_programme: dict[int, list[int]] = defaultdict(lambda: [0, 0])  # done, total
    for row in grouped:
        top_of_node = not row["parent_inside"]
        if top_of_node:
            node_counts[row["current"]] += row["n"]
            node_progress += row["progress_sum"] or 0
            if row["programme"] is not None:
                per_programme[row["programme"]][1] += row["n"]
                if row["current"] in DONE:
                    per_programme[row["programme"]][0] += row["n"]
        child = row["child"]
        # A top task of the child's subtree: its parent is outside the node, or in another
        # child unit, or is the node's own task.
        if child and (top_of_node or row["parent_child"] != child):
            per_child[child][row["current"]] += row["n"]
            child_progress[child] += row["progress_sum"] or 0
    statuses = StatusCounts(dict(node_counts))
    child_orgs = Organisation.objects.in_bulk([int(key) for key in per_child])
    children = [
        ChildFigures(
            child_orgs.get(int(key)),
            StatusCounts(dict(counts)),
            _mean(child_progress[key], sum(counts.values())),
        )
        for key, counts in per_child.items()
    ]
    children.sort(
        key=lambda c: (-c.statuses.overdue, c.organisation.name if c.organisation else "")
    )
    return TaskFigures(
        node=node,
        statuses=statuses,
        progress=_mean(node_progress, statuses.total),
        children=children,
        programmes=_programme_list(
            {pk: (done, total) for pk, (done, total) in per_programme.items()}
        ),
    )


def programme_figures(
    user: Any, node: Organisation, tasks: QuerySet[Task] | None = None
) -> list[ProgrammeFigures]:
    """Per programme, the node's top tasks done out of all of them ("189/309 — 61 %")."""
    if tasks is None:
        tasks = tasks_under(user, node)
    rows = (
        top_tasks(tasks, node)
        .filter(programme__isnull=False)
        .values("programme")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(completed_on__isnull=False)))
        .order_by()
    )
    return _programme_list({row["programme"]: (row["done"], row["total"]) for row in rows})


def _programme_list(figures: dict[int, tuple[int, int]]) -> list[ProgrammeFigures]:
    """{programme id: (done, total)} as figures, by programme name."""
    programmes = Programme.objects.in_bulk(list(figures))
    result = [
        ProgrammeFigures(programmes[pk], done, total) for pk, (done, total) in figures.items()
    ]
    result.sort(key=lambda figure: figure.programme.name)
    return result


def _mean(total: int, count: int) -> float:
    return round(total / count, 1) if count else 0.0


def task_list(
    user: Any,
    *,
    node: Organisation | None = None,
    status: str = "",
    programme: Programme | None = None,
    top_only: bool = False,
    text: str = "",
    today: datetime.date,
) -> QuerySet[Task]:
    """The list behind a figure: the visible tasks, narrowed as the dashboard link says."""
    tasks = visible_tasks(user)
    if node is not None:
        tasks = (
            top_tasks(tasks, node)
            if top_only
            else tasks.filter(organisation__path__startswith=node.path)
        )
    if status:
        tasks = tasks.filter(status_filter(status, today))
    if programme is not None:
        tasks = tasks.filter(programme=programme)
    for word in fold(text).split():
        tasks = tasks.filter(search_text__contains=word)
    return tasks.annotate(current_status=status_expression(today)).select_related(
        "organisation", "programme", "parent"
    )


def programme_rows(
    user: Any, roots: Sequence[Organisation]
) -> list[tuple[Organisation, list[Any]]]:
    """Programme completion at each root of the user's scope (the programmes page)."""
    return [(root, programme_figures(user, root)) for root in roots]
