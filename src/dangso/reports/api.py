"""Reports API: forms, periods, submissions, approval and aggregates at a node.

Reads need report.view: forms owned in the caller's scope or above it (a commune reads the
province's forms it fills), submissions of organisations in scope, aggregates at a node in
scope. Defining forms and opening periods need report.design over the owner; saving and
submitting report.submit over the reporting organisation; approving and returning
report.approve over the level above it (the action checks it), approving a node
report.approve over the node. Without the capability anywhere the answer is 403; a record out
of scope is 404. The rules live in `reports.actions`, which refuse bad input with a message
and write nothing.
"""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import P, QueryEx, Router, Status
from ninja.errors import AuthorizationError

from dangso.accounts.api_auth import api_user, get_in_scope, require, scoped
from dangso.accounts.roles import Capability
from dangso.accounts.scope import covers, restrict
from dangso.core.audit import Actor, client_address
from dangso.core.pagination import DEFAULT_LIMIT, MAX_LIMIT, cursor_page
from dangso.orgs.models import Organisation
from dangso.reports import actions, queries
from dangso.reports.actions import FormSpec, IndicatorSpec
from dangso.reports.choices import SubmissionStatus
from dangso.reports.models import Indicator, ReportForm, ReportPeriod, Submission
from dangso.reports.periods import period_label
from dangso.reports.schemas import (
    AggregateOut,
    FormIn,
    FormOut,
    OpenedOut,
    PeriodIn,
    PeriodOut,
    ReasonIn,
    SubmissionDetail,
    SubmissionPage,
    SubmitIn,
    ValuesIn,
)

router = Router()
_LIMIT = P(ge=1, le=MAX_LIMIT, description=f"Page size, at most {MAX_LIMIT}.")


def _actor(request: HttpRequest) -> Actor:
    return Actor.for_user(api_user(request), client_address(request))


def _forms() -> QuerySet[ReportForm]:
    return ReportForm.objects.select_related("organisation").prefetch_related(
        Prefetch("indicators", queryset=Indicator.objects.order_by("position", "id"))
    )


def _visible_form(user: Any, form_id: int) -> ReportForm:
    require(user, Capability.REPORT_VIEW)
    form = queries.visible_forms(user).filter(pk=form_id).first()
    if form is None:
        raise Http404
    return _forms().get(pk=form.pk)


def _designable_form(user: Any, form_id: int) -> ReportForm:
    require(user, Capability.REPORT_DESIGN)
    form = queries.designable_forms(user).filter(pk=form_id).first()
    if form is None:
        if queries.visible_forms(user).filter(pk=form_id).exists():
            raise AuthorizationError()
        raise Http404
    return form


def _owner(user: Any, code: str) -> Organisation:
    owner = (
        restrict(Organisation.objects.all(), user, Capability.REPORT_DESIGN)
        .filter(code=code.strip())
        .first()
    )
    if owner is None:
        raise ValidationError(
            {"organisation": _("Choose an organisation within your scope by its code.")}
        )
    return owner


def _specs(payload: FormIn) -> tuple[FormSpec, list[IndicatorSpec]]:
    spec = FormSpec(
        name=payload.name, code=payload.code, period_type=payload.period_type,
        due_days=payload.due_days, obliged_kinds=list(payload.obliged_kinds),
        description=payload.description, active=payload.active,
    )  # fmt: skip
    indicators = [IndicatorSpec(**item.model_dump()) for item in payload.indicators]
    return spec, indicators


def _submission(request: HttpRequest, submission_id: int, capability: str) -> Submission:
    """The submission if in the caller's report.view scope (404 otherwise), and the caller
    holds `capability` somewhere (403 otherwise)."""
    user = api_user(request)
    require(user, Capability.REPORT_VIEW)
    require(user, capability)
    found = (
        queries.visible_submissions(user)
        .select_related("form", "organisation")
        .filter(pk=submission_id)
        .first()
    )
    if found is None:
        raise Http404
    return found


def _detail(submission: Submission) -> Submission:
    return (
        Submission.objects.select_related("form", "organisation")
        .prefetch_related("values", "form__indicators")
        .get(pk=submission.pk)
    )


def _period(form: ReportForm, start: datetime.date) -> ReportPeriod:
    period = ReportPeriod.objects.select_related("form").filter(form=form, start=start).first()
    if period is None:
        raise Http404
    return period


# --- forms ------------------------------------------------------------------------------


@router.get("/forms", response=list[FormOut], url_name="list_report_forms")
def list_report_forms(request: HttpRequest, active: bool | None = None) -> QuerySet[ReportForm]:
    """Report forms owned in the caller's scope, and those of the levels above it."""
    user = api_user(request)
    require(user, Capability.REPORT_VIEW)
    forms = _forms().filter(pk__in=queries.visible_forms(user).values("pk"))
    if active is not None:
        forms = forms.filter(active=active)
    return forms.order_by("organisation__path", "name")[:500]


@router.post("/forms", response={201: FormOut}, url_name="create_report_form")
def create_report_form(request: HttpRequest, payload: FormIn) -> Status[ReportForm]:
    """Define a report form and its indicators (report.design over the owner)."""
    user = api_user(request)
    require(user, Capability.REPORT_DESIGN)
    spec, indicators = _specs(payload)
    with transaction.atomic():
        form = actions.save_form(
            None, spec, indicators, owner=_owner(user, payload.organisation), actor=_actor(request)
        )
    return Status(201, _forms().get(pk=form.pk))


@router.get("/forms/{int:form_id}", response=FormOut, url_name="get_report_form")
def get_report_form(request: HttpRequest, form_id: int) -> ReportForm:
    return _visible_form(api_user(request), form_id)


@router.put("/forms/{int:form_id}", response=FormOut, url_name="update_report_form")
def update_report_form(request: HttpRequest, form_id: int, payload: FormIn) -> ReportForm:
    """Replace a form's settings and indicators (matched by code). Once a period is open,
    indicators can be added or relabelled, not removed nor changed in kind."""
    user = api_user(request)
    form = _designable_form(user, form_id)
    spec, indicators = _specs(payload)
    with transaction.atomic():
        actions.save_form(
            form, spec, indicators, owner=_owner(user, payload.organisation), actor=_actor(request)
        )
    return _forms().get(pk=form.pk)


@router.get(
    "/forms/{int:form_id}/periods", response=list[PeriodOut], url_name="list_report_periods"
)
def list_report_periods(request: HttpRequest, form_id: int) -> QuerySet[ReportPeriod]:
    form = _visible_form(api_user(request), form_id)
    return ReportPeriod.objects.filter(form=form).select_related("form").order_by("-start")


@router.post(
    "/forms/{int:form_id}/periods", response={200: OpenedOut}, url_name="open_report_period"
)
def open_report_period(request: HttpRequest, form_id: int, payload: PeriodIn) -> dict:
    """Open a period: one pending report for each obliged organisation (idempotent)."""
    form = _designable_form(api_user(request), form_id)
    opened = actions.open_period(form, payload.start, _actor(request))
    period = ReportPeriod.objects.select_related("form").get(pk=opened.period.pk)
    return {"period": period, "created": opened.created}


# --- aggregates -------------------------------------------------------------------------


@router.get(
    "/forms/{int:form_id}/periods/{start}/nodes/{int:org_id}",
    response=AggregateOut,
    url_name="report_aggregate",
)
def report_aggregate(
    request: HttpRequest,
    form_id: int,
    start: datetime.date,
    org_id: int,
    approved_only: bool = False,
) -> dict:
    """The period at a node (in the tree of that period): completeness and timeliness in
    total and per child unit, and every indicator added up."""
    user = api_user(request)
    form = _visible_form(user, form_id)
    period = _period(form, start)
    node = get_in_scope(Organisation.objects.all(), user, Capability.REPORT_VIEW, pk=org_id)
    node_path = queries.node_path_in(period, node)
    if node_path is None:
        raise Http404
    progress = queries.node_progress(period, node_path)
    rows = queries.aggregate(form, period.start, node_path, approved_only=approved_only)
    return {
        "form_id": form.pk,
        "period_start": period.start,
        "period_label": period_label(form.period_type, period.start),
        "organisation": node,
        "approved_only": approved_only,
        "approved": queries.node_approval(period, node) is not None,
        "progress": _progress(progress.total),
        "children": [
            {
                "organisation_id": child.organisation_id,
                "name": child.name,
                "progress": _progress(child.progress),
            }
            for child in progress.children
        ],
        "indicators": [
            {
                "code": row.indicator.code,
                "label": row.indicator.label,
                "kind": row.indicator.kind,
                "unit": row.indicator.unit,
                "adds_up_by": row.how,
                "value": row.value,
                "reports": row.count,
                "choices": dict(row.choices) if row.indicator.kind == "choice" else None,
                "texts": [{"organisation": name, "text": text} for name, text in row.texts]
                if row.indicator.kind == "text"
                else None,
            }
            for row in rows
        ],
    }


def _progress(progress: queries.Progress) -> dict:
    return {
        "expected": progress.expected, "received": progress.received,
        "on_time": progress.on_time, "approved": progress.approved,
        "completeness": progress.completeness, "timeliness": progress.timeliness,
    }  # fmt: skip


@router.post(
    "/forms/{int:form_id}/periods/{start}/nodes/{int:org_id}/approve",
    response=AggregateOut,
    url_name="approve_report_node",
)
def approve_report_node(
    request: HttpRequest, form_id: int, start: datetime.date, org_id: int
) -> dict:
    """Approve a node's figures (a level without a report of its own), once every report
    below it is approved."""
    user = api_user(request)
    require(user, Capability.REPORT_APPROVE)
    form = _visible_form(user, form_id)
    period = _period(form, start)
    node = get_in_scope(Organisation.objects.all(), user, Capability.REPORT_VIEW, pk=org_id)
    if not covers(user, Capability.REPORT_APPROVE, node.path):
        raise AuthorizationError()
    actions.approve_node(form, period.start, node, user, _actor(request))
    return report_aggregate(request, form_id, start, org_id)


# --- submissions ------------------------------------------------------------------------


@router.get("/submissions", response=SubmissionPage, url_name="list_submissions")
def list_submissions(
    request: HttpRequest,
    form: int | None = None,
    period: datetime.date | None = None,
    status: SubmissionStatus | None = None,
    organisation: QueryEx[str | None, P(description="Code of one organisation.")] = None,
    cursor: str | None = None,
    limit: QueryEx[int, _LIMIT] = DEFAULT_LIMIT,
) -> dict:
    """Reports of the organisations in the caller's scope, filtered."""
    user = api_user(request)
    submissions = scoped(
        Submission.objects.select_related("organisation"), user, Capability.REPORT_VIEW
    )
    if form is not None:
        submissions = submissions.filter(form_id=form)
    if period is not None:
        submissions = submissions.filter(period_start=period)
    if status is not None:
        submissions = submissions.filter(status=status)
    if organisation:
        submissions = submissions.filter(organisation__code=organisation)
    return cursor_page(submissions, cursor=cursor, limit=limit)


@router.get(
    "/submissions/{int:submission_id}", response=SubmissionDetail, url_name="get_submission"
)
def get_submission(request: HttpRequest, submission_id: int) -> Submission:
    return _detail(_submission(request, submission_id, Capability.REPORT_VIEW))


def _may_fill(request: HttpRequest, submission: Submission) -> None:
    if not covers(api_user(request), Capability.REPORT_SUBMIT, submission.organisation.path):
        raise AuthorizationError()


@router.put(
    "/submissions/{int:submission_id}/values",
    response=SubmissionDetail,
    url_name="save_submission",
)
def save_submission(request: HttpRequest, submission_id: int, payload: ValuesIn) -> Submission:
    """Save values as a draft: each is checked; required ones may stay empty."""
    submission = _submission(request, submission_id, Capability.REPORT_SUBMIT)
    _may_fill(request, submission)
    actions.save_draft(submission, payload.values, _actor(request))
    return _detail(submission)


@router.post(
    "/submissions/{int:submission_id}/submit",
    response=SubmissionDetail,
    url_name="submit_submission",
)
def submit_submission(
    request: HttpRequest, submission_id: int, payload: SubmitIn | None = None
) -> Submission:
    """Submit to the level above; with values, they replace the saved ones first."""
    submission = _submission(request, submission_id, Capability.REPORT_SUBMIT)
    _may_fill(request, submission)
    actions.submit(submission, payload.values if payload else None, _actor(request))
    return _detail(submission)


@router.post(
    "/submissions/{int:submission_id}/approve",
    response=SubmissionDetail,
    url_name="approve_submission",
)
def approve_submission(request: HttpRequest, submission_id: int) -> Submission:
    """Approve (the level above only, once every report below is approved)."""
    submission = _submission(request, submission_id, Capability.REPORT_APPROVE)
    actions.approve_submission(submission, api_user(request), _actor(request))
    return _detail(submission)


@router.post(
    "/submissions/{int:submission_id}/return",
    response=SubmissionDetail,
    url_name="return_submission",
)
def return_submission(request: HttpRequest, submission_id: int, payload: ReasonIn) -> Submission:
    """Return to be corrected, with the reason (the level above only)."""
    submission = _submission(request, submission_id, Capability.REPORT_APPROVE)
    actions.return_submission(submission, payload.reason, api_user(request), _actor(request))
    return _detail(submission)
