import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE_ON_TIME = "done_on_time", _("Done on time")
    DONE_LATE = "done_late", _("Done late")
    OVERDUE = "overdue", _("Overdue")


DONE = frozenset({TaskStatus.DONE_ON_TIME, TaskStatus.DONE_LATE})
# Colours of the statuses in charts and badges (Bootstrap palette).
STATUS_COLOURS = {
    TaskStatus.NOT_STARTED: "#6c757d",
    TaskStatus.IN_PROGRESS: "#0d6efd",
    TaskStatus.DONE_ON_TIME: "#198754",
    TaskStatus.DONE_LATE: "#fd7e14",
    TaskStatus.OVERDUE: "#dc3545",
}


def status_of(
    completed_on: datetime.date | None,
    deadline: datetime.date,
    started_on: datetime.date | None,
    today: datetime.date,
) -> str:
    """The rule, in order (`queries.status_expression` is the same rule in SQL):
    done (on time or late) once completed; overdue once the deadline has passed; in progress
    once any progress was reported (even 0 %); otherwise not started."""
    if completed_on is not None:
        return TaskStatus.DONE_ON_TIME if completed_on <= deadline else TaskStatus.DONE_LATE
    if deadline < today:
        return TaskStatus.OVERDUE
    if started_on is not None:
        return TaskStatus.IN_PROGRESS
    return TaskStatus.NOT_STARTED


class Reminder(models.TextChoices):
    DUE_SOON = "due", _("Deadline approaching")
    OVERDUE = "overdue", _("Overdue")
