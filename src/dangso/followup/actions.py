"""What can be done to tasks: assign, delegate, report progress, grant, remind.

Each action checks everything first and writes nothing when it refuses (a ValidationError with
a message for the person), then writes its rows, an audit entry and the notices in one
transaction. Who may call which action is decided by `queries.may()` in the view or API handler.
"""

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg, Count, Max, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangso.accounts.scope import people_who_can
from dangso.core import audit, files
from dangso.core.audit import Actor
from dangso.core.files import Upload
from dangso.core.notifications import notify
from dangso.core.text import clean_spaces, fold, nfc
from dangso.followup.choices import Reminder
from dangso.followup.models import Evidence, Programme, ProgressUpdate, Task, TaskGrant
from dangso.orgs.models import Organisation

TASK_FIELDS = (
    "title", "description", "expected_result", "source_document", "source_text", "programme",
    "deadline", "lead_person", "confidential",
)  # fmt: skip
MAX_EVIDENCE_FILES = 10


def _today() -> datetime.date:
    return timezone.localdate()


def _search_text(task: Task) -> str:
    return fold(" ".join(part for part in (task.title, task.source_text) if part))


def _url(task: Task) -> str:
    return reverse("followup:detail", args=[task.pk])


def _handlers(task: Task, known: dict[tuple[str, int], list[Any]] | None = None) -> list[Any]:
    """Who is told about the task: its person in charge, or whoever reports for its lead
    organisation there. `known` keeps the people of each organisation for a batch."""
    if task.lead_person_id and task.lead_person is not None:
        return [task.lead_person]
    return _people("task.update", task.organisation, known)


def _people(
    capability: str, organisation: Organisation, known: dict[tuple[str, int], list[Any]] | None
) -> list[Any]:
    if known is None:
        return people_who_can(capability, organisation, here_only=True)
    key = (capability, organisation.pk)
    if key not in known:
        known[key] = people_who_can(capability, organisation, here_only=True)
    return known[key]


# --- programmes ---------------------------------------------------------------------------------


def create_programme(
    data: Mapping[str, Any], *, organisation: Organisation, actor: Actor
) -> Programme:
    name = clean_spaces(nfc(str(data.get("name") or "")))
    if not name:
        raise ValidationError({"name": _("Give the programme a name.")})
    starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError({"ends_on": _("The end comes before the start.")})
    if Programme.objects.filter(organisation=organisation, name=name).exists():
        raise ValidationError(
            {"name": _("This organisation already has a programme of that name.")}
        )
    with transaction.atomic():
        programme = Programme.objects.create(
            organisation=organisation,
            name=name,
            description=nfc(str(data.get("description") or "")).strip(),
            starts_on=starts_on,
            ends_on=ends_on,
            created_by_id=actor.user_id,
        )
        audit.record(actor, "programme.create", programme, changes={"name": [None, name]})
    return programme


# --- assigning and delegating -------------------------------------------------------------------


def _clean_task_data(
    data: Mapping[str, Any], *, upper_deadline: datetime.date | None
) -> dict[str, Any]:
    cleaned = {name: data.get(name) for name in TASK_FIELDS if name in data}
    errors: dict[str, Any] = {}
    cleaned["title"] = clean_spaces(nfc(str(data.get("title") or "")))
    if not cleaned["title"]:
        errors["title"] = _("Say what the task is.")
    for name in ("description", "expected_result"):
        cleaned[name] = nfc(str(data.get(name) or "")).strip()
    cleaned["source_text"] = clean_spaces(nfc(str(data.get("source_text") or "")))
    deadline = data.get("deadline")
    if not isinstance(deadline, datetime.date):
        errors["deadline"] = _("Give the deadline.")
    elif deadline < _today():
        errors["deadline"] = _("The deadline cannot be in the past.")
    elif upper_deadline is not None and deadline > upper_deadline:
        errors["deadline"] = _(
            "A delegated task cannot be due after the task it comes from (%(date)s)."
        ) % {"date": upper_deadline.strftime("%d/%m/%Y")}
    if errors:
        raise ValidationError(errors)
    cleaned["confidential"] = bool(data.get("confidential"))
    return cleaned


def _check_assignees(
    organisation: Organisation, assignees: Sequence[Organisation], *, strictly_below: bool
) -> None:
    if not assignees:
        raise ValidationError({"assignees": _("Choose who carries out the task.")})
    if len({org.pk for org in assignees}) != len(assignees):
        raise ValidationError({"assignees": _("Each organisation can be named only once.")})
    for org in assignees:
        if not org.is_active:
            raise ValidationError(
                {"assignees": _("%(name)s is no longer active.") % {"name": org.name}}
            )
        below = org.path.startswith(organisation.path) and org.pk != organisation.pk
        if not below and (strictly_below or org.pk != organisation.pk):
            raise ValidationError(
                {"assignees": _("%(name)s is not under %(parent)s.")
                 % {"name": org.name, "parent": organisation.name}}
            )  # fmt: skip


def _new_task(cleaned: Mapping[str, Any], *, lead: Organisation, assigned_by: Organisation,
              parent: Task | None, actor: Actor) -> Task:  # fmt: skip
    task = Task(
        **cleaned,
        organisation=lead,
        assigned_by=assigned_by,
        assigned_on=_today(),
        parent=parent,
        created_by_id=actor.user_id,
    )
    task.search_text = _search_text(task)
    task.save()
    return task


def assign(
    data: Mapping[str, Any],
    *,
    organisation: Organisation,
    assignees: Sequence[Organisation],
    actor: Actor,
    supporters: Sequence[Organisation] = (),
) -> Task:
    """`organisation` gives a task to `assignees` (itself, or organisations below it).

    Given to itself, it is one task. Given to others, it is the organisation's own task with one
    delegated sub-task per assignee, so its progress rolls up from theirs.
    """
    cleaned = _clean_task_data(data, upper_deadline=None)
    _check_assignees(organisation, assignees, strictly_below=False)
    own = len(assignees) == 1 and assignees[0].pk == organisation.pk
    if not own and any(org.pk == organisation.pk for org in assignees):
        raise ValidationError(
            {"assignees": _("Give the task either to your own organisation or to others below it.")}
        )
    with transaction.atomic():
        task = _new_task(
            cleaned, lead=organisation, assigned_by=organisation, parent=None, actor=actor
        )
        if supporters:
            task.supporters.set(supporters)
        _grant_creator(task, actor)
        audit.record(actor, "task.assign", task, changes={
            "title": [None, task.title], "deadline": [None, task.deadline],
            "assignees": [None, [org.name for org in assignees]],
        })  # fmt: skip
        if own:
            _tell_assigned(task)
        else:
            _delegate(task, assignees, deadline=task.deadline, actor=actor)
    return task


def delegate(
    task: Task,
    assignees: Sequence[Organisation],
    *,
    actor: Actor,
    deadline: datetime.date | None = None,
    note: str = "",
) -> list[Task]:
    """Hand the task down: one sub-task per organisation below its lead organisation."""
    if task.completed_on is not None:
        raise ValidationError(_("This task is already done."))
    _check_assignees(task.organisation, assignees, strictly_below=True)
    already = set(task.children.values_list("organisation_id", flat=True))
    for org in assignees:
        if org.pk in already:
            raise ValidationError(
                {"assignees": _("The task is already delegated to %(name)s.") % {"name": org.name}}
            )
    deadline = deadline or task.deadline
    _clean_task_data({"title": task.title, "deadline": deadline}, upper_deadline=task.deadline)
    with transaction.atomic():
        children = _delegate(task, assignees, deadline=deadline, actor=actor, note=note)
    return children


def _delegate(task: Task, assignees: Sequence[Organisation], *, deadline: datetime.date,
              actor: Actor, note: str = "") -> list[Task]:  # fmt: skip
    cleaned = {
        "title": task.title, "description": "\n\n".join(p for p in (task.description, note) if p),
        "expected_result": task.expected_result, "source_document": task.source_document,
        "source_text": task.source_text, "programme": task.programme, "deadline": deadline,
        "confidential": task.confidential,
    }  # fmt: skip
    children = []
    for org in assignees:
        child = _new_task(
            cleaned, lead=org, assigned_by=task.organisation, parent=task, actor=actor
        )
        if task.confidential:
            TaskGrant.objects.bulk_create(
                [TaskGrant(task=child, user_id=user_id, granted_by_id=actor.user_id)
                 for user_id in task.grants.values_list("user_id", flat=True)],
                ignore_conflicts=True,
            )  # fmt: skip
        audit.record(actor, "task.delegate", child, changes={
            "parent": [None, task.pk], "organisation": [None, org.name],
            "deadline": [None, deadline],
        })  # fmt: skip
        _tell_assigned(child)
        children.append(child)
    roll_up(task)
    return children


def _tell_assigned(task: Task) -> None:
    notify(
        _handlers(task),
        _("New task: %(title)s") % {"title": task.title[:150]},
        _("Assigned by %(org)s, due %(date)s.")
        % {"org": task.assigned_by.name, "date": task.deadline.strftime("%d/%m/%Y")},
        url=_url(task),
        key=f"task:{task.pk}:assigned",
    )


def _grant_creator(task: Task, actor: Actor) -> None:
    if task.confidential and actor.user_id:
        TaskGrant.objects.get_or_create(
            task=task, user_id=actor.user_id, defaults={"granted_by_id": actor.user_id}
        )


# --- progress -----------------------------------------------------------------------------------


def report_progress(
    task: Task,
    *,
    percent: Any,
    note: str,
    actor: Actor,
    uploads: Sequence[Upload] = (),
) -> ProgressUpdate:
    """Record how far the task is, with what was done and its evidence; 100 % completes it."""
    if task.children.exists():
        raise ValidationError(
            _("This task is delegated: its progress comes from the tasks handed down.")
        )
    if task.completed_on is not None:
        raise ValidationError(_("This task is already done."))
    try:
        value = int(percent)
    except (TypeError, ValueError):
        value = -1
    if not 0 <= value <= 100 or str(percent).strip() not in (str(value), f"{value}.0"):
        raise ValidationError({"percent": _("Give the progress as a whole number from 0 to 100.")})
    note = nfc(str(note or "")).strip()
    if value < task.progress and not note:
        raise ValidationError({"note": _("Say why the progress is lower than before.")})
    if value == 100 and not note:
        raise ValidationError({"note": _("Say what was done to complete the task.")})
    if len(uploads) > MAX_EVIDENCE_FILES:
        raise ValidationError(
            {"files": _("Attach at most %(count)s files.") % {"count": MAX_EVIDENCE_FILES}}
        )
    checked = [files.check_upload(upload.name, upload.content) for upload in uploads]
    today = _today()
    with transaction.atomic():
        stored = [
            files.store(upload.content, sha256=check.sha256, encrypt=task.confidential)
            for upload, check in zip(uploads, checked, strict=True)
        ]
        update = ProgressUpdate.objects.create(
            task=task, percent=value, note=note, reported_on=today,
            author_id=actor.user_id, author_name=actor.name[:150],
        )  # fmt: skip
        Evidence.objects.bulk_create(
            Evidence(update=update, name=check.name, content_type=check.content_type,
                     size=check.size, sha256=check.sha256, storage_name=name,
                     encrypted=task.confidential)
            for check, name in zip(checked, stored, strict=True)
        )  # fmt: skip
        before = task.progress
        task.progress = value
        task.started_on = task.started_on or today
        task.completed_on = today if value == 100 else None
        task.save(update_fields=["progress", "started_on", "completed_on", "updated_at"])
        audit.record(actor, "task.progress", task, changes={
            "progress": [before, value], "files": [None, [check.name for check in checked]],
        })  # fmt: skip
        if task.parent_id:
            roll_up(task.parent)  # type: ignore[arg-type]
            _tell_upward(task, value)
    return update


def roll_up(task: Task | None) -> None:
    """Take the task's progress, start and completion from its sub-tasks, then its parent's
    from its siblings, up to the top: progress is the mean of the sub-tasks' progress; the task
    is complete when every sub-task is, on the day the last one was."""
    while task is not None:
        figures = task.children.aggregate(
            mean=Avg("progress"), count=Count("pk"),
            open=Count("pk", filter=Q(completed_on__isnull=True)),
            started=Min("started_on"), completed=Max("completed_on"),
        )  # fmt: skip
        if not figures["count"]:
            return
        task.progress = round(figures["mean"] or 0)
        task.started_on = figures["started"]
        task.completed_on = figures["completed"] if figures["open"] == 0 else None
        if task.completed_on is not None:
            task.progress = 100
        task.save(update_fields=["progress", "started_on", "completed_on", "updated_at"])
        task = task.parent


def _tell_upward(task: Task, percent: int) -> None:
    if percent < 100:
        return
    parent = task.parent
    assert parent is not None
    notify(
        _handlers(parent),
        _("%(org)s completed: %(title)s")
        % {"org": task.organisation.name, "title": task.title[:120]},
        url=_url(parent),
        key=f"task:{task.pk}:completed",
    )


# --- access and reminders -----------------------------------------------------------------------


def grant(task: Task, user: Any, *, actor: Actor) -> TaskGrant:
    """Let `user` see a confidential task (and the tasks delegated from it)."""
    if not task.confidential:
        raise ValidationError(_("Only confidential tasks are granted by name."))
    with transaction.atomic():
        grants = [
            TaskGrant.objects.get_or_create(
                task=item, user=user, defaults={"granted_by_id": actor.user_id}
            )[0]
            for item in [task, *_descendants(task)]
        ]
        audit.record(actor, "task.grant", task, changes={"user": [None, user.get_username()]})
    return grants[0]


def _descendants(task: Task) -> list[Task]:
    found, level = [], [task]
    while level:
        level = list(Task.objects.filter(parent__in=level))
        found.extend(level)
    return found


def send_reminders(today: datetime.date | None = None) -> dict[str, int]:
    """Tell handlers of open tasks due within DANGSO_TASK_REMIND_DAYS, and of tasks that
    became overdue; each reminder once per task. Run daily by `dangso remind` (or the worker)."""
    today = today or _today()
    soon = today + datetime.timedelta(days=settings.DANGSO_TASK_REMIND_DAYS)
    open_tasks = Task.objects.filter(completed_on__isnull=True).select_related(
        "organisation", "lead_person", "assigned_by"
    )
    sent = {"due": 0, "overdue": 0}
    # Thousands of tasks share a few organisations: their people are looked up once each.
    known: dict[tuple[str, int], list[Any]] = {}
    due = open_tasks.filter(deadline__gte=today, deadline__lte=soon, reminded="")
    for task in due.iterator(chunk_size=500):
        days = (task.deadline - today).days
        notify(
            _handlers(task, known),
            _("Due in %(days)s days: %(title)s") % {"days": days, "title": task.title[:150]},
            _("Deadline %(date)s, progress %(progress)s %%.")
            % {"date": task.deadline.strftime("%d/%m/%Y"), "progress": task.progress},
            url=_url(task),
            key=f"task:{task.pk}:due",
        )
        Task.objects.filter(pk=task.pk).update(reminded=Reminder.DUE_SOON)
        sent["due"] += 1
    overdue = open_tasks.filter(deadline__lt=today).exclude(reminded=Reminder.OVERDUE)
    for task in overdue.iterator(chunk_size=500):
        people = _handlers(task, known) + _people("task.assign", task.assigned_by, known)
        notify(
            people,
            _("Overdue: %(title)s") % {"title": task.title[:160]},
            _("%(org)s: deadline %(date)s passed at %(progress)s %%.")
            % {"org": task.organisation.name, "date": task.deadline.strftime("%d/%m/%Y"),
               "progress": task.progress},
            url=_url(task),
            key=f"task:{task.pk}:overdue",
        )  # fmt: skip
        Task.objects.filter(pk=task.pk).update(reminded=Reminder.OVERDUE)
        sent["overdue"] += 1
    return sent


def evidence_bytes(evidence: Evidence) -> bytes:
    return files.open_stored(
        evidence.storage_name, sha256=evidence.sha256, encrypted=evidence.encrypted
    )
