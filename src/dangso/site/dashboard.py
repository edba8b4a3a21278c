"""Bảng điều hành: the steering dashboard of one organisation in the user's scope.

Tasks (by status, overdue by child unit, programme completion), reports (completeness and
timeliness of the latest period of each form), and members (status, sex, age, ethnicity,
education, theory, data quality). Every figure leads to the same dashboard one level down and
to the list behind it. Sections follow the user's capabilities over the organisation; member
figures are aggregates (shown to anyone who sees the organisation), the lists behind them need
`member.view`.
"""

from typing import Any
from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dangso.accounts.scope import covers, restrict
from dangso.core.charts import Chart, Series, single
from dangso.followup.choices import STATUS_COLOURS, TaskStatus
from dangso.followup.queries import TaskFigures, task_figures
from dangso.handbook.study import usage
from dangso.members.choices import (
    AGE_BANDS,
    ETHNICITIES,
    ON_ROLL,
    MemberStatus,
    Qualification,
    Sex,
    TheoryLevel,
)
from dangso.members.models import Member
from dangso.members.queries import member_statistics
from dangso.orgs.models import Organisation
from dangso.quality.queries import subtree_figures
from dangso.reports.queries import dashboard_progress

AGE_LABELS = {"under_30": "< 30", "30_45": "30–45", "46_60": "46–60", "over_60": "> 60"}
TOP_ETHNICITIES = 6


def dashboard_url(node: Organisation | int) -> str:
    pk = node if isinstance(node, int) else node.pk
    return f"{reverse('site:steering')}?org={pk}"


def tasks_url(node: Organisation, **params: Any) -> str:
    return f"{reverse('followup:list')}?{urlencode({'org': node.pk, **params})}"


def context(user: Any, node: Organisation) -> dict[str, Any]:
    today = timezone.localdate()
    result: dict[str, Any] = {
        "node": node,
        "today": today,
        "trail": _trail(user, node),
        "children": list(
            restrict(Organisation.objects.active(), user, "org.view")
            .filter(parent=node)
            .order_by("name")
            .values_list("pk", "name")[:200]
        ),
    }
    if covers(user, "task.view", node.path):
        figures = task_figures(user, node, today)
        result |= {"tasks": figures, **task_charts(figures)}
    if covers(user, "report.view", node.path):
        forms = dashboard_progress(user, node)
        result["reports"] = [(form, report_chart(form)) for form in forms]
    return result


def _trail(user: Any, node: Organisation) -> list[Organisation]:
    """The node's ancestors the user may open, then the node."""
    ancestors = [org for org in node.ancestors() if covers(user, "org.view", org.path)]
    return [*ancestors, node]


def task_charts(figures: TaskFigures) -> dict[str, Chart]:
    node = figures.node
    statuses = figures.statuses.rows()
    by_status = single(
        "chart-task-status", _("Tasks by status"),
        [(label, count) for _status, label, count in statuses],
        kind="doughnut",
        links=[tasks_url(node, status=status, top=1) for status, _label, _count in statuses],
        colours=[STATUS_COLOURS[TaskStatus(status)] for status, _label, _count in statuses],
    )  # fmt: skip
    children = [child for child in figures.children if child.organisation is not None]
    overdue = single(
        "chart-task-overdue", _("Overdue tasks by unit"),
        [(child.organisation.name, child.statuses.overdue) for child in children],  # type: ignore[union-attr]
        links=[dashboard_url(child.organisation) for child in children],  # type: ignore[arg-type]
        series_label=_("Overdue"),
    )  # fmt: skip
    overdue.series[0].colour = STATUS_COLOURS[TaskStatus.OVERDUE]
    progress = single(
        "chart-task-progress", _("Average progress by unit"),
        [(child.organisation.name, child.progress) for child in children],  # type: ignore[union-attr]
        links=[dashboard_url(child.organisation) for child in children],  # type: ignore[arg-type]
        unit="%", series_label=_("Progress"),
    )  # fmt: skip
    shown = figures.programmes
    programmes = single(
        "chart-programmes", _("Programme completion"),
        [(figure.programme.name, figure.percent) for figure in shown],
        links=[tasks_url(node, programme=figure.programme.pk, top=1) for figure in shown],
        unit="%", series_label=_("Done"),
    )  # fmt: skip
    return {"status_chart": by_status, "overdue_chart": overdue, "progress_chart": progress,
            "programme_chart": programmes}  # fmt: skip


def report_chart(form: Any) -> Chart:
    """Completeness and timeliness of one form's latest period, per child unit."""
    children = form.children
    return Chart(
        id=f"chart-report-{form.form.pk}",
        title=f"{form.form.name} — {form.period_label}",
        labels=[child.name for child in children],
        series=[
            Series(_("Complete"), [round(child.completeness, 1) for child in children], "#198754"),
            Series(_("On time"), [round(child.timeliness, 1) for child in children], "#0d6efd"),
        ],
        links=[child.url for child in children],
        unit="%",
    )


# --- members --------------------------------------------------------------------------------


def member_context(user: Any, node: Organisation) -> dict[str, Any]:
    today = timezone.localdate()
    stats = member_statistics(Member.objects.none(), today, roots=[node])
    members = Member.objects.filter(organisation__path__startswith=node.path, status__in=ON_ROLL)
    may_list = covers(user, "member.view", node.path)
    list_url = reverse("members:list") if may_list else ""

    def link(**params: Any) -> str:
        return f"{list_url}?{urlencode({'organisation': node.pk, **params})}" if list_url else ""

    charts = [
        single("chart-member-status", _("Members by status"),
               [(str(label), stats[f"status_{value}"]) for value, label in MemberStatus.choices],
               links=[link(status=value) for value, _label in MemberStatus.choices]),
        single("chart-member-sex", _("Members by sex"),
               [(str(label), stats[f"sex_{value}"]) for value, label in Sex.choices],
               kind="doughnut", colours=["#0d6efd", "#d63384"]),
        single("chart-member-age", _("Members by age"),
               [(AGE_LABELS[key], stats[f"age_{key}"]) for key, _low, _high in AGE_BANDS],
               kind="column"),
        _grouped_chart("chart-member-ethnicity", _("Members by ethnicity"), members, "ethnicity",
                       dict(ETHNICITIES), top=TOP_ETHNICITIES),
        _grouped_chart("chart-member-qualification", _("Members by education"), members,
                       "professional_qualification", dict(Qualification.choices)),
        _grouped_chart("chart-member-theory", _("Members by political theory level"), members,
                       "political_theory", dict(TheoryLevel.choices)),
    ]  # fmt: skip
    quality = _quality(user, node)
    handbook_total, handbook_children = usage(node, today)
    return {
        "node": node,
        "stats": stats,
        "member_charts": charts,
        "quality": quality,
        "usage": handbook_total,
        "usage_children": handbook_children,
    }


def _grouped_chart(chart_id: str, title: str, members: Any, field: str, labels: dict[str, Any],
                   *, top: int = 0) -> Chart:  # fmt: skip
    rows = list(
        members.values_list(field).annotate(n=Count("pk")).order_by("-n").values_list(field, "n")
    )
    if top and len(rows) > top:
        rows = [*rows[:top], ("", sum(n for _value, n in rows[top:]))]
    return single(
        chart_id, title,
        [(str(labels.get(value, _("Other") if value == "" else value)), n) for value, n in rows],
    )  # fmt: skip


def _quality(user: Any, node: Organisation) -> Any:
    return subtree_figures(user, node, "org.view")
