from django import template

from dangso.followup.choices import TaskStatus

register = template.Library()

_BADGES = {
    TaskStatus.OVERDUE: "text-bg-danger",
    TaskStatus.DONE_ON_TIME: "text-bg-success",
    TaskStatus.DONE_LATE: "text-bg-warning",
    TaskStatus.IN_PROGRESS: "text-bg-primary",
    TaskStatus.NOT_STARTED: "text-bg-secondary",
}


@register.filter
def status_label(status: str) -> str:
    return str(TaskStatus(status).label) if status in TaskStatus.values else status


@register.filter
def status_badge(status: str) -> str:
    return _BADGES.get(status, "text-bg-secondary")  # type: ignore[call-overload]
