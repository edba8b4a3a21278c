"""What the report pages and the API read: forms in reach, progress and aggregates at a node.

Everything at a node is set-based SQL over the submissions' stored period paths, whatever the
size of the subtree: completeness and timeliness per child unit are one GROUP BY on the child's
segment of the path, the aggregate of the indicators one GROUP BY over the values. A node's own
place in a period comes from the tree of that period (`orgs.history.path_on`), so a province
that moved or a commune that merged still adds up where it stood then.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Max, Q, QuerySet, Sum
from django.urls import reverse

from dangso.accounts.roles import Capability
from dangso.accounts.scope import covers, restrict, scope_paths
from dangso.orgs.history import path_on
from dangso.orgs.models import Organisation, OrganisationVersion
from dangso.orgs.paths import ancestor_paths
from dangso.orgs.queries import child_segment
from dangso.reports.choices import (
    EDITABLE,
    NUMBER_VALUED_KINDS,
    RECEIVED,
    Aggregation,
    IndicatorKind,
    SubmissionStatus,
)
from dangso.reports.models import (
    Indicator,
    NodeApproval,
    ReportForm,
    ReportPeriod,
    Submission,
    SubmissionValue,
)
from dangso.reports.periods import period_label

TEXT_LIMIT = 200  # text answers listed under an aggregate


def _percent(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def visible_forms(user: Any, capability: str = Capability.REPORT_VIEW) -> QuerySet[ReportForm]:
    """Forms owned in the user's scope, and forms of the levels above that oblige organisations
    in it (a commune fills the province's form): `restrict()` widened to the owners above."""
    paths = scope_paths(user, capability)
    if not paths:
        return ReportForm.objects.none()
    condition = Q()
    above: set[str] = set()
    for path in paths:
        condition |= Q(organisation__path__startswith=path)
        above.update(ancestor_paths(path))
    if above:
        condition |= Q(organisation__path__in=above)
    return ReportForm.objects.filter(condition)


def designable_forms(user: Any) -> QuerySet[ReportForm]:
    return restrict(ReportForm.objects.all(), user, Capability.REPORT_DESIGN)


def visible_submissions(
    user: Any, capability: str = Capability.REPORT_VIEW
) -> QuerySet[Submission]:
    return restrict(Submission.objects.all(), user, capability)


@dataclass
class Progress:
    expected: int = 0
    received: int = 0
    on_time: int = 0
    approved: int = 0

    @property
    def completeness(self) -> float:
        return _percent(self.received, self.expected)

    @property
    def timeliness(self) -> float:
        return _percent(self.on_time, self.expected)

    @property
    def late(self) -> int:
        return self.received - self.on_time

    def add(self, other: "Progress") -> None:
        self.expected += other.expected
        self.received += other.received
        self.on_time += other.on_time
        self.approved += other.approved


@dataclass
class ChildRow:
    organisation_id: int
    name: str
    progress: Progress
    url: str = ""


@dataclass
class NodeProgress:
    total: Progress
    own: Progress | None  # the node's own report, when it has one
    children: list[ChildRow]


def _counts() -> dict[str, Any]:
    return {
        "expected": Count("id"),
        "received": Count("id", filter=Q(status__in=RECEIVED)),
        "on_time": Count("id", filter=Q(status__in=RECEIVED, on_time=True)),
        "approved": Count("id", filter=Q(status=SubmissionStatus.APPROVED)),
    }


def in_period(form_id: int, start: datetime.date, node_path: str) -> QuerySet[Submission]:
    return Submission.objects.filter(
        form_id=form_id, period_start=start, period_path__startswith=node_path
    )


def names_on(day: datetime.date, ids: list[int]) -> dict[int, str]:
    """Organisations' names as they were on `day` (a unit renamed since keeps its old name)."""
    if not ids:
        return {}
    names = dict(
        OrganisationVersion.objects.on(day)
        .filter(organisation_id__in=ids)
        .values_list("organisation_id", "name")
    )
    missing = [org_id for org_id in ids if org_id not in names]
    if missing:
        names.update(Organisation.objects.filter(pk__in=missing).values_list("pk", "name"))
    return names


def node_progress(period: ReportPeriod, node_path: str, *, names: bool = True) -> NodeProgress:
    """Completeness and timeliness under the node, in total and per child unit: one GROUP BY
    on the child's segment of the period path (and one query for the children's names)."""
    rows = (
        in_period(period.form_id, period.start, node_path)
        .order_by()
        .annotate(child=child_segment("period_path", node_path))
        .values("child")
        .annotate(**_counts())
    )
    total, own = Progress(), None
    children: list[ChildRow] = []
    for row in rows:
        progress = Progress(row["expected"], row["received"], row["on_time"], row["approved"])
        total.add(progress)
        if row["child"]:
            children.append(ChildRow(int(row["child"]), "", progress))
        else:
            own = progress
    if names and children:
        found = names_on(period.snapshot_on, [child.organisation_id for child in children])
        for child in children:
            child.name = found.get(child.organisation_id, str(child.organisation_id))
    children.sort(key=lambda child: child.name)
    return NodeProgress(total, own, children)


@dataclass
class AggregateRow:
    indicator: Indicator
    value: Decimal | None = None
    count: int = 0  # reports that gave a value
    choices: list[tuple[str, int]] = field(default_factory=list)
    texts: list[tuple[str, str]] = field(default_factory=list)  # (organisation, text)

    @property
    def how(self) -> str:
        return str(aggregation_label(self.indicator))


def aggregation_label(indicator: Indicator) -> Any:
    from django.utils.translation import gettext_lazy as _

    if indicator.kind == IndicatorKind.NUMBER:
        return Aggregation(indicator.aggregation).label
    return {
        IndicatorKind.PERCENT: _("Average"),
        IndicatorKind.TOTAL: _("Sum"),
        IndicatorKind.RATIO: _("Ratio of sums"),
        IndicatorKind.CHOICE: _("Count per option"),
        IndicatorKind.TEXT: _("Listed"),
    }[IndicatorKind(indicator.kind)]


def _values_in(
    form_id: int, start: datetime.date, node_path: str, approved_only: bool
) -> QuerySet[SubmissionValue]:
    statuses = (SubmissionStatus.APPROVED,) if approved_only else RECEIVED
    return SubmissionValue.objects.filter(
        submission__form_id=form_id,
        submission__period_start=start,
        submission__period_path__startswith=node_path,
        submission__status__in=statuses,
    )


def aggregate(
    form: ReportForm, start: datetime.date, node_path: str, *, approved_only: bool = False
) -> list[AggregateRow]:
    """The indicators added up over the reports received under the node (or only the approved
    ones): numbers by sum or average, percentages by average, totals by sum, ratios as the ratio
    of the sums (Σ numerator / Σ denominator × 100, never the average of the ratios), choices
    counted per option, texts listed. Three queries."""
    indicators = list(form.indicators.all())
    rows = {indicator.pk: AggregateRow(indicator) for indicator in indicators}
    grouped = [i.pk for i in indicators if i.kind != IndicatorKind.TEXT]
    values = _values_in(form.pk, start, node_path, approved_only)
    sums: dict[str, Decimal] = {}
    if grouped:
        for item in (
            values.filter(indicator_id__in=grouped)
            .order_by()
            .values("indicator_id", "text")
            .annotate(total=Sum("number"), average=Avg("number"), count=Count("id"))
        ):
            row = rows[item["indicator_id"]]
            kind = row.indicator.kind
            if kind == IndicatorKind.CHOICE:
                row.choices.append((item["text"], item["count"]))
                row.count += item["count"]
                continue
            row.count = item["count"]
            total = Decimal(item["total"]) if item["total"] is not None else None
            if total is not None:
                sums[row.indicator.code] = total
            if kind == IndicatorKind.PERCENT or (
                kind == IndicatorKind.NUMBER and row.indicator.aggregation == Aggregation.AVERAGE
            ):
                row.value = _decimal(item["average"])
            elif kind != IndicatorKind.RATIO:
                row.value = total
    for row in rows.values():
        indicator = row.indicator
        if indicator.kind == IndicatorKind.RATIO and len(indicator.parts) == 2:
            numerator, denominator = (sums.get(code) for code in indicator.parts)
            row.value = (
                _decimal(numerator / denominator * 100)
                if numerator is not None and denominator
                else None
            )
        if indicator.kind == IndicatorKind.CHOICE:
            order = {option: index for index, option in enumerate(indicator.options)}
            row.choices.sort(key=lambda pair: order.get(pair[0], len(order)))
    texts = [i.pk for i in indicators if i.kind == IndicatorKind.TEXT]
    if texts:
        for indicator_id, name, text in (
            values.filter(indicator_id__in=texts)
            .order_by("submission__period_path")
            .values_list("indicator_id", "submission__organisation__name", "text")[:TEXT_LIMIT]
        ):
            rows[indicator_id].texts.append((name, text))
            rows[indicator_id].count += 1
    return [rows[indicator.pk] for indicator in indicators]


def _decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.01"))


def submission_rows(submission: Submission) -> list[AggregateRow]:
    """A single report's values, in the shape of an aggregate (for pages and exports)."""
    values = {value.indicator_id: value for value in submission.values.all()}
    rows = []
    for indicator in submission.form.indicators.all():
        row = AggregateRow(indicator)
        value = values.get(indicator.pk)
        if value is not None:
            row.count = 1
            if indicator.kind in NUMBER_VALUED_KINDS:
                row.value = value.number
            elif indicator.kind == IndicatorKind.CHOICE:
                row.choices = [(value.text, 1)]
            else:
                row.texts = [("", value.text)]
        rows.append(row)
    return rows


def node_path_in(period: ReportPeriod, node: Organisation) -> str | None:
    return path_on(node, period.snapshot_on)


def node_approval(period: ReportPeriod, node: Organisation) -> NodeApproval | None:
    return (
        NodeApproval.objects.filter(
            form_id=period.form_id, period_start=period.start, organisation=node
        )
        .select_related("approved_by")
        .first()
    )


def period_url(form_id: int, start: datetime.date, org_id: int) -> str:
    return reverse("reports:period_node", args=[form_id, start.isoformat(), org_id])


# --- the leaders' dashboard -----------------------------------------------------------------


@dataclass
class ChildProgress:
    organisation_id: int
    name: str
    expected: int
    received: int
    on_time: int
    completeness: float
    timeliness: float
    url: str


@dataclass
class FormProgress:
    form: ReportForm
    period_label: str
    period_start: datetime.date
    expected: int
    received: int
    on_time: int
    completeness: float
    timeliness: float
    url: str
    children: list[ChildProgress]


def latest_periods(forms: list[ReportForm]) -> dict[int, ReportPeriod]:
    """The latest opened period of each form, in one query."""
    if not forms:
        return {}
    newest = (
        ReportPeriod.objects.filter(form__in=forms)
        .values("form_id")
        .annotate(start=Max("start"))
        .values_list("form_id", "start")
    )
    wanted = Q(pk__in=[])
    for form_id, start in newest:
        wanted |= Q(form_id=form_id, start=start)
    return {period.form_id: period for period in ReportPeriod.objects.filter(wanted)}


def dashboard_progress(user: Any, node: Organisation) -> list[FormProgress]:
    """For each active form the user may read that has an opened period, its latest period at
    `node`: completeness and timeliness there and for each child unit, with links.

    A handful of queries whatever the tree's size: the forms, their latest periods, and per
    form the node's place in that period and one GROUP BY (plus the children's names)."""
    if not covers(user, Capability.REPORT_VIEW, node.path):
        return []
    forms = list(
        visible_forms(user).filter(active=True).select_related("organisation").order_by("name")
    )
    periods = latest_periods(forms)
    result: list[FormProgress] = []
    paths: dict[datetime.date, str | None] = {}
    for form in forms:
        period = periods.get(form.pk)
        if period is None:
            continue
        if period.snapshot_on not in paths:
            paths[period.snapshot_on] = path_on(node, period.snapshot_on)
        node_path = paths[period.snapshot_on]
        progress = (
            node_progress(period, node_path) if node_path else NodeProgress(Progress(), None, [])
        )
        total = progress.total
        result.append(
            FormProgress(
                form=form,
                period_label=period_label(form.period_type, period.start),
                period_start=period.start,
                expected=total.expected,
                received=total.received,
                on_time=total.on_time,
                completeness=total.completeness,
                timeliness=total.timeliness,
                url=period_url(form.pk, period.start, node.pk),
                children=[
                    ChildProgress(
                        organisation_id=child.organisation_id,
                        name=child.name,
                        expected=child.progress.expected,
                        received=child.progress.received,
                        on_time=child.progress.on_time,
                        completeness=child.progress.completeness,
                        timeliness=child.progress.timeliness,
                        url=period_url(form.pk, period.start, child.organisation_id),
                    )
                    for child in progress.children
                ],
            )
        )
    return result


def to_fill(user: Any, limit: int = 20) -> list[Submission]:
    """Reports the user's organisations still have to fill or correct, oldest period first."""
    return list(
        restrict(Submission.objects.all(), user, Capability.REPORT_SUBMIT)
        .filter(status__in=EDITABLE, form__active=True)
        .select_related("form", "organisation")
        .order_by("period_start", "period_path")[:limit]
    )


def to_approve(user: Any, limit: int = 20) -> list[Submission]:
    """Submitted reports waiting for the user's approval (the level above them)."""
    rows = (
        restrict(Submission.objects.all(), user, Capability.REPORT_APPROVE)
        .filter(status=SubmissionStatus.SUBMITTED)
        .select_related("form", "organisation")
        .order_by("period_start", "period_path")[: limit * 3]
    )
    return [
        row
        for row in rows
        if row.parent_path and covers(user, Capability.REPORT_APPROVE, row.parent_path)
    ][:limit]
