"""Report pages: forms and their designer, periods at a node, a report to fill, exports.

Views parse, authorise and call one action. Without the capability anywhere the answer is
403; a form, node or report out of the caller's scope is 404, as if it did not exist.
"""

import datetime
import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangso.accounts.roles import Capability
from dangso.accounts.scope import can, covers, restrict, scope_paths
from dangso.core import audit
from dangso.core.audit import Actor
from dangso.core.forms import show_errors
from dangso.core.models import AuditEntry
from dangso.core.responses import file_response
from dangso.core.spreadsheets import XLSX_CONTENT_TYPE
from dangso.orgs.models import Organisation
from dangso.orgs.paths import ids_of, parent_id
from dangso.reports import actions, exports, queries
from dangso.reports import forms as report_forms
from dangso.reports.choices import SubmissionStatus
from dangso.reports.models import ReportForm, ReportPeriod, Submission
from dangso.reports.periods import period_label, recent_periods


def _require(request: HttpRequest, capability: str) -> None:
    if not can(request.user, capability):
        raise PermissionDenied


def _visible_form(request: HttpRequest, pk: int) -> ReportForm:
    _require(request, Capability.REPORT_VIEW)
    return get_object_or_404(
        queries.visible_forms(request.user).select_related("organisation"), pk=pk
    )


def _period(form: ReportForm, start: str) -> ReportPeriod:
    try:
        day = datetime.date.fromisoformat(start)
    except ValueError:
        raise Http404 from None
    return get_object_or_404(ReportPeriod, form=form, start=day)


def _node(request: HttpRequest, org_id: int) -> Organisation:
    return get_object_or_404(
        restrict(Organisation.objects.all(), request.user, Capability.REPORT_VIEW), pk=org_id
    )


def _default_node(request: HttpRequest, form: ReportForm) -> Organisation | None:
    """Where a person starts looking at a form's period: its owner when in their scope, else
    their own organisation under it."""
    if covers(request.user, Capability.REPORT_VIEW, form.organisation.path):
        return form.organisation
    for path in scope_paths(request.user, Capability.REPORT_VIEW):
        if path.startswith(form.organisation.path):
            return Organisation.objects.filter(path=path).first()
    return None


@login_required
def form_list(request: HttpRequest) -> HttpResponse:
    """Báo cáo định kỳ: the forms in reach, the reports to fill and those to approve."""
    _require(request, Capability.REPORT_VIEW)
    forms = (
        queries.visible_forms(request.user)
        .select_related("organisation")
        .order_by("organisation__path", "name")
    )
    return render(
        request,
        "reports/form_list.html",
        {
            "forms": forms[:200],
            "to_fill": queries.to_fill(request.user),
            "to_approve": queries.to_approve(request.user),
            "can_design": can(request.user, Capability.REPORT_DESIGN),
        },
    )


def _designer(request: HttpRequest, form: ReportForm | None) -> HttpResponse:
    initial = report_forms.ReportFormForm.initial_for(form) if form else None
    rows = (
        [report_forms.IndicatorRowForm.initial_for(i) for i in form.indicators.all()]
        if form
        else None
    )
    data = request.POST or None
    settings_form = report_forms.ReportFormForm(data, user=request.user, initial=initial)
    formset = report_forms.IndicatorFormSet(data, prefix="ind", initial=rows)
    indicator_errors: list[str] = []
    if request.method == "POST" and settings_form.is_valid() and formset.is_valid():
        try:
            saved = actions.save_form(
                form,
                settings_form.spec(),
                report_forms.indicator_specs(formset),
                owner=settings_form.owner(),
                actor=Actor.from_request(request),
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                indicator_errors = [
                    message
                    for item in error.error_dict.pop("indicators", [])
                    for message in item.messages
                ]
            if not hasattr(error, "error_dict") or error.error_dict:
                show_errors(settings_form, error)
        else:
            messages.success(request, _("The report form is saved."))
            return redirect("reports:form_detail", pk=saved.pk)
    return render(
        request,
        "reports/designer.html",
        {
            "form": settings_form,
            "formset": formset,
            "indicator_errors": indicator_errors,
            "report_form": form,
            "opened": bool(form and form.periods.exists()),
        },
    )


@login_required
def form_create(request: HttpRequest) -> HttpResponse:
    """Thiết kế biểu mẫu: define a report form and its indicators, without code."""
    _require(request, Capability.REPORT_DESIGN)
    return _designer(request, None)


@login_required
def form_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Capability.REPORT_DESIGN)
    form = get_object_or_404(queries.designable_forms(request.user), pk=pk)
    return _designer(request, form)


@login_required
def form_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The form: its indicators, its periods (opened or to open) and where to look at them."""
    form = _visible_form(request, pk)
    opened = {period.start: period for period in form.periods.all()}
    today = timezone.localdate()
    candidates = recent_periods(form.period_type, today)
    listed = sorted({period.start for period in candidates} | set(opened), reverse=True)
    node = _default_node(request, form)
    rows = [
        {
            "start": start,
            "label": period_label(form.period_type, start),
            "opened": opened.get(start),
            "end": opened[start].end if start in opened else None,
        }
        for start in listed
    ]
    return render(
        request,
        "reports/form_detail.html",
        {
            "report_form": form,
            "indicators": form.indicators.all(),
            "periods": rows,
            "node": node,
            "can_design": covers(request.user, Capability.REPORT_DESIGN, form.organisation.path),
        },
    )


@login_required
@require_POST
def open_period(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Capability.REPORT_DESIGN)
    form = get_object_or_404(queries.designable_forms(request.user), pk=pk)
    parsed = report_forms.OpenPeriodForm(request.POST)
    if not parsed.is_valid():
        messages.error(request, _("Choose a period to open."))
        return redirect("reports:form_detail", pk=pk)
    try:
        opened = actions.open_period(
            form, parsed.cleaned_data["start"], Actor.from_request(request)
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("reports:form_detail", pk=pk)
    messages.success(
        request,
        _("Period %(period)s is open: %(count)s reports added.")
        % {"period": period_label(form.period_type, opened.period.start), "count": opened.created},
    )
    return redirect("reports:period", pk=pk, start=opened.period.start.isoformat())


@login_required
def period(request: HttpRequest, pk: int, start: str) -> HttpResponse:
    form = _visible_form(request, pk)
    report_period = _period(form, start)
    node = _default_node(request, form)
    if node is None:
        raise Http404
    return redirect(
        "reports:period_node", pk=pk, start=report_period.start.isoformat(), org_id=node.pk
    )


@login_required
def period_node(request: HttpRequest, pk: int, start: str, org_id: int) -> HttpResponse:
    """A period at a node: completeness and timeliness, the child units, the aggregate, the
    reports of the node and of its children, and the node's approval."""
    form = _visible_form(request, pk)
    report_period = _period(form, start)
    node = _node(request, org_id)
    node_path = queries.node_path_in(report_period, node)
    if node_path is None:
        messages.info(request, _("%(org)s did not exist in this period.") % {"org": node.name})
        progress = queries.NodeProgress(queries.Progress(), None, [])
        rows: list[queries.AggregateRow] = []
        submissions: list[Submission] = []
        trail: list[tuple[int, str]] = []
    else:
        progress = queries.node_progress(report_period, node_path)
        rows = queries.aggregate(form, report_period.start, node_path)
        ids = [child.organisation_id for child in progress.children] + [node.pk]
        submissions = list(
            queries.in_period(form.pk, report_period.start, node_path)
            .filter(organisation_id__in=ids)
            .select_related("organisation")
            .order_by("period_path")
        )
        trail_ids = ids_of(node_path)
        names = queries.names_on(report_period.snapshot_on, trail_ids)
        trail = [(org_id, names.get(org_id, "")) for org_id in trail_ids]
    for child in progress.children:
        child.url = queries.period_url(form.pk, report_period.start, child.organisation_id)
    for submission in submissions:
        submission.can_open = covers(  # type: ignore[attr-defined]
            request.user, Capability.REPORT_VIEW, submission.organisation.path
        )
    own = next((s for s in submissions if s.organisation_id == node.pk), None)
    approval = queries.node_approval(report_period, node)
    can_approve_node = (
        node_path is not None
        and own is None
        and approval is None
        and covers(request.user, Capability.REPORT_APPROVE, node.path)
        and progress.total.expected > 0
    )
    return render(
        request,
        "reports/period.html",
        {
            "report_form": form,
            "report_period": report_period,
            "label": period_label(form.period_type, report_period.start),
            "node": node,
            "trail": trail,
            "progress": progress,
            "rows": rows,
            "submissions": submissions,
            "approval": approval,
            "can_approve_node": can_approve_node,
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def approve_node(request: HttpRequest, pk: int, start: str, org_id: int) -> HttpResponse:
    _require(request, Capability.REPORT_APPROVE)
    form = _visible_form(request, pk)
    report_period = _period(form, start)
    node = get_object_or_404(
        restrict(Organisation.objects.all(), request.user, Capability.REPORT_APPROVE), pk=org_id
    )
    try:
        actions.approve_node(
            form, report_period.start, node, request.user, Actor.from_request(request)
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The figures of %(org)s are approved.") % {"org": node.name})
    return redirect("reports:period_node", pk=pk, start=start, org_id=org_id)


def _visible_submission(request: HttpRequest, pk: int) -> Submission:
    _require(request, Capability.REPORT_VIEW)
    return get_object_or_404(
        queries.visible_submissions(request.user).select_related("form", "organisation"), pk=pk
    )


@login_required
def submission(request: HttpRequest, pk: int) -> HttpResponse:
    """Một báo cáo: fill it (save as draft, submit), or approve or return it; its history."""
    report = _visible_submission(request, pk)
    indicators = list(report.form.indicators.all())
    stored = actions.stored_values(report)
    initial = {indicator.code: _initial(stored.get(indicator.pk)) for indicator in indicators}
    may_fill = report.is_editable and covers(
        request.user, Capability.REPORT_SUBMIT, report.organisation.path
    )
    fill = report_forms.SubmissionForm(
        request.POST if request.method == "POST" else None, indicators=indicators, initial=initial
    )
    if request.method == "POST":
        if not may_fill:
            raise PermissionDenied
        fill.is_valid()
        actor = Actor.from_request(request)
        try:
            if request.POST.get("do") == "submit":
                actions.submit(report, fill.values(), actor)
                messages.success(request, _("The report is submitted to the level above."))
            else:
                actions.save_draft(report, fill.values(), actor)
                messages.success(request, _("The draft is saved."))
        except ValidationError as error:
            show_errors(fill, error)
        else:
            return redirect("reports:submission", pk=pk)
    approver = report.parent_path or report.period_path
    report_period = ReportPeriod.objects.get(form=report.form, start=report.period_start)
    return render(
        request,
        "reports/submission.html",
        {
            "report": report,
            "report_form": report.form,
            "label": period_label(report.form.period_type, report.period_start),
            "report_period": report_period,
            "fill": fill,
            "may_fill": may_fill,
            "rows": queries.submission_rows(report),
            "may_decide": covers(request.user, Capability.REPORT_APPROVE, approver)
            and report.status in (SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED),
            "reason_form": report_forms.ReasonForm(),
            "history": AuditEntry.objects.filter(
                object_type="reports.submission", object_id=str(report.pk)
            ).order_by("seq"),
            "values_by_code": {
                indicator.code: stored.get(indicator.pk) for indicator in indicators
            },
        },
    )


def _initial(value: Any) -> str:
    if value is None:
        return ""
    if value.number is not None:
        return exports.format_number(value.number)
    return str(value.text)


@login_required
@require_POST
def approve_submission(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Capability.REPORT_APPROVE)
    report = _visible_submission(request, pk)
    try:
        actions.approve_submission(report, request.user, Actor.from_request(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The report is approved."))
    return redirect("reports:submission", pk=pk)


@login_required
@require_POST
def return_submission(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Capability.REPORT_APPROVE)
    report = _visible_submission(request, pk)
    try:
        actions.return_submission(
            report, request.POST.get("reason", ""), request.user, Actor.from_request(request)
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The report is returned to %(org)s.") % {"org": report.organisation.name}
        )
    return redirect("reports:submission", pk=pk)


# --- exports -------------------------------------------------------------------------------


def _respond(
    request: HttpRequest, sheet: exports.ReportSheet, fmt: str, name: str, obj: Any
) -> HttpResponse:
    if fmt not in ("xlsx", "pdf"):
        raise Http404
    audit.record(
        Actor.from_request(request), "report.export", obj,
        changes={"format": fmt, "period": sheet.period_label, "aggregate": sheet.aggregate},
    )  # fmt: skip
    if fmt == "pdf":
        return file_response(exports.render_pdf(sheet), "application/pdf", f"{name}.pdf")
    out = io.BytesIO()
    exports.write_xlsx(sheet, out)
    return file_response(out.getvalue(), XLSX_CONTENT_TYPE, f"{name}.xlsx")


def _parent_name(path: str, day: datetime.date) -> str:
    above = parent_id(path)
    if above is None:
        return ""
    return queries.names_on(day, [above]).get(above, "")


@login_required
def submission_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    report = _visible_submission(request, pk)
    report_period = ReportPeriod.objects.get(form=report.form, start=report.period_start)
    sheet = exports.ReportSheet(
        organisation=report.organisation,
        parent_name=_parent_name(report.period_path, report_period.snapshot_on),
        form_name=report.form.name,
        period_label=period_label(report.form.period_type, report.period_start),
        rows=queries.submission_rows(report),
        status_label=str(report.get_status_display()),
    )
    name = f"bao-cao-{report.form.code}-{report.period_start:%Y%m%d}-{report.organisation.code}"
    return _respond(request, sheet, fmt, name, report)


@login_required
def period_export(request: HttpRequest, pk: int, start: str, org_id: int, fmt: str) -> HttpResponse:
    form = _visible_form(request, pk)
    report_period = _period(form, start)
    node = _node(request, org_id)
    node_path = queries.node_path_in(report_period, node)
    if node_path is None:
        raise Http404
    sheet = exports.ReportSheet(
        organisation=node,
        parent_name=_parent_name(node_path, report_period.snapshot_on),
        form_name=form.name,
        period_label=period_label(form.period_type, report_period.start),
        rows=queries.aggregate(form, report_period.start, node_path),
        aggregate=True,
        progress=queries.node_progress(report_period, node_path, names=False).total,
    )
    name = f"tong-hop-{form.code}-{report_period.start:%Y%m%d}-{node.code}"
    return _respond(request, sheet, fmt, name, form)
