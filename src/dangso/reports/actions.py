"""Report actions: define a form, open a period, fill, submit, approve and return reports.

Each action checks everything first and writes nothing when it refuses (a ValidationError with
a message for people), then writes in one transaction with its audit entry. Approval goes
level by level, as in DHIS2: a report is approved by the level above it, and only once every
report below it in the same period has been approved; a node without a report of its own
(a province over its communes) approves the whole of its subtree the same way.
"""

import datetime
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangso.accounts.roles import Capability
from dangso.accounts.scope import covers, people_who_can
from dangso.core import audit
from dangso.core.audit import Actor
from dangso.core.dates import format_date
from dangso.core.notifications import notify
from dangso.core.text import nfc
from dangso.orgs import paths as org_paths
from dangso.orgs.choices import OrgKind
from dangso.orgs.history import kinds_and_paths_on, path_on
from dangso.orgs.models import Organisation
from dangso.reports.choices import (
    COMPUTED_KINDS,
    EDITABLE,
    Aggregation,
    IndicatorKind,
    PeriodType,
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
from dangso.reports.periods import period_label, period_starting
from dangso.reports.values import Value, clean_values, missing_required

BATCH = 5_000
_SLUG = re.compile(r"^[a-z0-9_]+$")


# --- defining a form ---------------------------------------------------------------------


@dataclass
class IndicatorSpec:
    """One indicator as the designer (page or API) describes it."""

    code: str
    label: str
    kind: str
    aggregation: str = Aggregation.SUM
    options: list[str] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)
    required: bool = False
    allow_negative: bool = False
    unit: str = ""
    help_text: str = ""


@dataclass
class FormSpec:
    name: str
    code: str
    period_type: str
    due_days: int
    obliged_kinds: list[str]
    description: str = ""
    active: bool = True


def _indicator_errors(specs: Sequence[IndicatorSpec]) -> list[str]:
    problems: list[str] = []
    if not specs:
        return [_("Add at least one indicator.")]
    kinds = {spec.code: spec.kind for spec in specs}
    seen: set[str] = set()
    for number, spec in enumerate(specs, start=1):
        name = spec.label or spec.code or _("row %(number)s") % {"number": number}
        if not spec.code or not _SLUG.match(spec.code):
            problems.append(
                _("Indicator “%(indicator)s”: the code may hold only lower-case letters "
                  "without accents, digits and _.") % {"indicator": name}
            )  # fmt: skip
        elif spec.code in seen:
            problems.append(_("Two indicators have the code “%(code)s”.") % {"code": spec.code})
        seen.add(spec.code)
        if not spec.label.strip():
            problems.append(_("Indicator “%(indicator)s” needs a label.") % {"indicator": name})
        if spec.kind not in IndicatorKind.values:
            problems.append(_("Indicator “%(indicator)s”: choose a kind.") % {"indicator": name})
            continue
        if spec.aggregation not in Aggregation.values:
            problems.append(
                _("Indicator “%(indicator)s”: choose how it adds up.") % {"indicator": name}
            )
        if spec.kind == IndicatorKind.CHOICE:
            options = [option for option in spec.options if option]
            if len(options) < 2 or len(set(options)) != len(options):
                problems.append(
                    _("Indicator “%(indicator)s”: give at least two different options.")
                    % {"indicator": name}
                )
        if spec.kind == IndicatorKind.TOTAL and (
            not spec.parts or any(kinds.get(code) != IndicatorKind.NUMBER for code in spec.parts)
        ):
            problems.append(
                    _("Total “%(indicator)s”: list the codes of the number indicators it adds "
                      "up.") % {"indicator": name}
                )  # fmt: skip
        if spec.kind == IndicatorKind.RATIO:
            valid = (
                len(spec.parts) == 2
                and spec.parts[0] != spec.parts[1]
                and all(kinds.get(code) == IndicatorKind.NUMBER for code in spec.parts)
            )
            if not valid:
                problems.append(
                    _("Ratio “%(indicator)s”: give the codes of two number indicators, the "
                      "numerator then the denominator.") % {"indicator": name}
                )  # fmt: skip
    return problems


def _form_errors(spec: FormSpec) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not spec.name.strip():
        errors["name"] = [_("Give the form a name.")]
    if not spec.code or not _SLUG.match(spec.code.replace("-", "_")):
        errors["code"] = [
            _("The code may hold only lower-case letters without accents, digits, - and _.")
        ]
    if spec.period_type not in PeriodType.values:
        errors["period_type"] = [_("Choose a period.")]
    if not 0 <= spec.due_days <= 365:
        errors["due_days"] = [_("Give a number of days from 0 to 365.")]
    unknown = [kind for kind in spec.obliged_kinds if kind not in OrgKind.values]
    if not spec.obliged_kinds or unknown:
        errors["obliged_kinds"] = [_("Choose the kinds of organisation that must report.")]
    return errors


def _normalised(spec: IndicatorSpec, position: int) -> dict[str, Any]:
    aggregation = spec.aggregation if spec.kind == IndicatorKind.NUMBER else Aggregation.SUM
    return {
        "code": spec.code,
        "label": nfc(spec.label.strip()),
        "kind": spec.kind,
        "aggregation": aggregation,
        "options": [nfc(option.strip()) for option in spec.options if option.strip()]
        if spec.kind == IndicatorKind.CHOICE
        else [],
        "parts": list(spec.parts) if spec.kind in COMPUTED_KINDS else [],
        "required": spec.required and spec.kind not in COMPUTED_KINDS,
        "allow_negative": spec.allow_negative and spec.kind == IndicatorKind.NUMBER,
        "unit": spec.unit.strip(),
        "help_text": spec.help_text.strip(),
        "position": position,
    }


@transaction.atomic
def save_form(
    form: ReportForm | None,
    spec: FormSpec,
    indicators: Sequence[IndicatorSpec],
    *,
    owner: Organisation,
    actor: Actor,
) -> ReportForm:
    """Create or change a report form and its indicators (matched by code).

    Once a period is open, reports hold values of the indicators: then an indicator may be
    added or relabelled, but not removed, nor change its code, kind or parts, and the form
    keeps its period type."""
    spec.code = spec.code.strip().lower()
    spec.obliged_kinds = list(dict.fromkeys(spec.obliged_kinds))
    errors = _form_errors(spec)
    clash = ReportForm.objects.filter(organisation=owner, code=spec.code)
    if form is not None:
        form = ReportForm.objects.select_for_update().get(pk=form.pk)
        clash = clash.exclude(pk=form.pk)
    if "code" not in errors and clash.exists():
        errors["code"] = [
            _("This organisation already has a form with the code “%(code)s”.")
            % {"code": spec.code}
        ]
    problems = _indicator_errors(indicators)
    existing: dict[str, Indicator] = {}
    opened = False
    if form is not None:
        existing = {indicator.code: indicator for indicator in form.indicators.all()}
        opened = form.periods.exists()
        if opened and spec.period_type != form.period_type:
            errors.setdefault("period_type", []).append(
                _("Periods of this form are already open: its period type can no longer change.")
            )
        if opened and owner.pk != form.organisation_id:
            errors.setdefault("organisation", []).append(
                _("Periods of this form are already open: it can no longer change owner.")
            )
    if opened:
        wanted = {spec.code: spec for spec in indicators}
        for code, old in existing.items():
            new = wanted.get(code)
            if new is None:
                problems.append(
                    _("Indicator “%(indicator)s” is used by open reports and cannot be "
                      "removed.") % {"indicator": old.label}
                )  # fmt: skip
            elif new.kind != old.kind or (
                new.kind in COMPUTED_KINDS and list(new.parts) != list(old.parts)
            ):
                problems.append(
                    _("Indicator “%(indicator)s” is used by open reports: its kind and parts "
                      "can no longer change.") % {"indicator": old.label}
                )  # fmt: skip
    if problems:
        errors["indicators"] = problems
    if errors:
        raise ValidationError(errors)
    fields = {
        "name": nfc(spec.name.strip()),
        "code": spec.code,
        "description": nfc(spec.description.strip()),
        "period_type": spec.period_type,
        "due_days": spec.due_days,
        "obliged_kinds": spec.obliged_kinds,
        "active": spec.active,
    }
    if form is None:
        form = ReportForm.objects.create(organisation=owner, created_by_id=actor.user_id, **fields)
        before: dict[str, Any] = {}
        action = "report.form.create"
    else:
        before = {name: getattr(form, name) for name in fields}
        for name, value in fields.items():
            setattr(form, name, value)
        form.organisation = owner
        form.save()
        action = "report.form.update"
    keep = []
    for position, indicator_spec in enumerate(indicators, start=1):
        data = _normalised(indicator_spec, position)
        indicator = existing.get(indicator_spec.code)
        if indicator is None:
            indicator = Indicator.objects.create(form=form, **data)
        else:
            for name, value in data.items():
                setattr(indicator, name, value)
            indicator.save()
        keep.append(indicator.pk)
    form.indicators.exclude(pk__in=keep).delete()
    changes = audit.diff(before, fields)
    changes["indicators"] = [len(existing), len(keep)]
    audit.record(actor, action, form, changes=changes)
    return form


# --- periods -------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenedPeriod:
    period: ReportPeriod
    created: int


@transaction.atomic
def open_period(form: ReportForm, start: datetime.date, actor: Actor) -> OpenedPeriod:
    """Mở kỳ báo cáo: one pending submission for every obliged organisation.

    Who must report, and where each stands in the tree, is read from the tree of the period's
    last day when the period is over, or of today for the current period. Opening again is
    harmless: it adds only organisations that have no submission yet (taken from the tree of
    that later day), and changes none."""
    form = ReportForm.objects.select_for_update().select_related("organisation").get(pk=form.pk)
    period = period_starting(form.period_type, start)
    today = timezone.localdate()
    if not form.active:
        raise ValidationError(
            _("This form is not in use: no period can be opened."), code="inactive"
        )
    if period.start > today:
        raise ValidationError(
            {"start": _("%(period)s has not begun: only the current period or a past one can "
                        "be opened.") % {"period": period.label}},
            code="future_period",
        )  # fmt: skip
    if not form.indicators.exists():
        raise ValidationError(_("Add indicators to the form before opening a period."))
    snapshot_on = min(period.end, today)
    owner_path = path_on(form.organisation, snapshot_on)
    if owner_path is None:
        raise ValidationError(
            _("%(org)s did not exist on %(day)s.")
            % {"org": form.organisation.name, "day": format_date(snapshot_on)},
            code="owner_missing",
        )
    report_period, _created = ReportPeriod.objects.get_or_create(
        form=form,
        start=period.start,
        defaults={
            "end": period.end,
            "due_on": period.due_on(form.due_days),
            "snapshot_on": snapshot_on,
            "opened_by_id": actor.user_id,
        },
    )
    obliged = kinds_and_paths_on(snapshot_on, form.obliged_kinds, owner_path)
    have = set(
        Submission.objects.filter(form=form, period_start=period.start).values_list(
            "organisation_id", flat=True
        )
    )
    rows = [
        Submission(
            form=form,
            organisation_id=org_id,
            period_start=period.start,
            period_end=period.end,
            period_path=path,
        )
        for org_id, path in sorted(obliged.items(), key=lambda item: item[1])
        if org_id not in have
    ]
    for index in range(0, len(rows), BATCH):
        Submission.objects.bulk_create(rows[index : index + BATCH])
    audit.record(
        actor,
        "report.period.open",
        form,
        changes={"period": period.start, "label": period.label, "added": len(rows),
                 "expected": len(have) + len(rows), "tree_of": snapshot_on},
    )  # fmt: skip
    return OpenedPeriod(report_period, len(rows))


# --- filling and submitting ----------------------------------------------------------------


def _locked(submission: Submission) -> Submission:
    return (
        Submission.objects.select_for_update(of=("self",))
        .select_related("form", "organisation")
        .get(pk=submission.pk)
    )


def _require_editable(submission: Submission) -> None:
    if submission.status not in EDITABLE:
        raise ValidationError(
            _("This report is %(status)s and can no longer be changed.")
            % {"status": submission.get_status_display().lower()},
            code="locked",
        )


def stored_values(submission: Submission) -> dict[int, Value]:
    return {
        value.indicator_id: Value(value.number, value.text)
        for value in SubmissionValue.objects.filter(submission=submission)
    }


def _write_values(submission: Submission, values: Mapping[int, Value]) -> None:
    SubmissionValue.objects.filter(submission=submission).delete()
    SubmissionValue.objects.bulk_create(
        SubmissionValue(submission=submission, indicator_id=indicator_id, number=value.number,
                        text=value.text)
        for indicator_id, value in values.items()
        if not value.is_empty
    )  # fmt: skip


def _indicators(submission: Submission) -> list[Indicator]:
    return list(submission.form.indicators.all())


def _changes(
    before: Mapping[int, Value], after: Mapping[int, Value], indicators: Iterable[Indicator]
) -> dict:
    codes = {indicator.id: indicator.code for indicator in indicators}
    changed = {}
    for indicator_id in set(before) | set(after):
        old, new = before.get(indicator_id), after.get(indicator_id)
        if old != new:
            changed[codes.get(indicator_id, str(indicator_id))] = [_plain(old), _plain(new)]
    return changed


def _plain(value: Value | None) -> Any:
    if value is None:
        return None
    return str(value.number) if value.number is not None else value.text


@transaction.atomic
def save_draft(submission: Submission, values: Mapping[str, Any], actor: Actor) -> Submission:
    """Lưu nháp: keep what was typed (each value checked; required ones may stay empty)."""
    submission = _locked(submission)
    _require_editable(submission)
    indicators = _indicators(submission)
    cleaned = clean_values(indicators, values, complete=False)
    before = stored_values(submission)
    _write_values(submission, cleaned)
    old_status = submission.status
    submission.status = SubmissionStatus.DRAFT
    submission.save(update_fields=["status", "updated_at"])
    audit.record(
        actor, "report.save", submission,
        changes={"status": [old_status, submission.status],
                 **_changes(before, cleaned, indicators)},
    )  # fmt: skip
    return submission


def submission_url(submission: Submission) -> str:
    return reverse("reports:submission", args=[submission.pk])


@transaction.atomic
def submit(submission: Submission, values: Mapping[str, Any] | None, actor: Actor) -> Submission:
    """Gửi báo cáo lên cấp trên. With `values`, they replace what was saved; every required
    indicator must then have a value. The first submission decides whether it was on time."""
    submission = _locked(submission)
    _require_editable(submission)
    indicators = _indicators(submission)
    before = stored_values(submission)
    if values is None:
        cleaned = before
        missing = missing_required(indicators, cleaned)
        if missing:
            raise ValidationError(missing)
    else:
        cleaned = clean_values(indicators, values, complete=True)
    period = ReportPeriod.objects.get(form=submission.form, start=submission.period_start)
    now = timezone.now()
    _write_values(submission, cleaned)
    old_status = submission.status
    submission.status = SubmissionStatus.SUBMITTED
    submission.submitted_at = now
    submission.submitted_by_id = actor.user_id
    if submission.first_submitted_at is None:
        submission.first_submitted_at = now
        submission.on_time = timezone.localdate(now) <= period.due_on
    submission.save()
    audit.record(
        actor, "report.submit", submission,
        changes={"status": [old_status, submission.status], "on_time": submission.on_time,
                 **_changes(before, cleaned, indicators)},
    )  # fmt: skip
    parent = _parent(submission)
    if parent is not None:
        notify(
            people_who_can(Capability.REPORT_APPROVE, parent),
            gettext_lazy("Report to approve: %(form)s, %(org)s")
            % {"form": submission.form.name, "org": submission.organisation.name},
            _period_line(submission),
            url=submission_url(submission),
        )
    return submission


def _period_line(submission: Submission) -> str:
    label = period_label(submission.form.period_type, submission.period_start)
    return f"{submission.form.name} — {label}"


def _parent(submission: Submission) -> Organisation | None:
    parent_path = submission.parent_path
    if not parent_path:
        return None
    return Organisation.objects.filter(pk=org_paths.id_of(parent_path)).first()


# --- approving and returning -------------------------------------------------------------


def _require_level_above(submission: Submission, user: Any) -> None:
    """Only the level above approves or returns: report.approve over the period's parent."""
    above = submission.parent_path or submission.period_path  # the root approves itself
    if not covers(user, Capability.REPORT_APPROVE, above):
        raise ValidationError(
            _("Only the level above %(org)s can approve or return its report.")
            % {"org": submission.organisation.name},
            code="not_level_above",
        )


def _unapproved_below(
    form_id: int, start: datetime.date, path: str, exclude: int | None = None
) -> tuple[int, int]:
    """(not yet approved, all) submissions strictly below `path` in the period."""
    below = Submission.objects.filter(
        form_id=form_id, period_start=start, period_path__startswith=path
    ).exclude(period_path=path)
    if exclude is not None:
        below = below.exclude(pk=exclude)
    total = below.count()
    waiting = below.exclude(status=SubmissionStatus.APPROVED).count() if total else 0
    return waiting, total


def _prefixes(path: str) -> list[str]:
    """The paths of the ancestors of `path`, outermost first."""
    return org_paths.ancestor_paths(path)


def _approved_above(submission: Submission) -> bool:
    ancestors = _prefixes(submission.period_path)
    scope = {"form_id": submission.form_id, "period_start": submission.period_start}
    return (
        NodeApproval.objects.filter(path__in=ancestors, **scope).exists()
        or Submission.objects.filter(
            period_path__in=ancestors, status=SubmissionStatus.APPROVED, **scope
        ).exists()
    )


@transaction.atomic
def approve_submission(submission: Submission, user: Any, actor: Actor) -> Submission:
    """Phê duyệt: the level above accepts a submitted report, once all below it are approved."""
    submission = _locked(submission)
    if submission.status != SubmissionStatus.SUBMITTED:
        raise ValidationError(
            _("Only a submitted report can be approved; this one is %(status)s.")
            % {"status": submission.get_status_display().lower()},
            code="not_submitted",
        )
    _require_level_above(submission, user)
    waiting, _total = _unapproved_below(
        submission.form_id, submission.period_start, submission.period_path
    )
    if waiting:
        raise ValidationError(
            _("%(count)s reports below %(org)s are not approved yet: approve them first.")
            % {"count": waiting, "org": submission.organisation.name},
            code="children_not_approved",
        )
    submission.status = SubmissionStatus.APPROVED
    submission.approved_at = timezone.now()
    submission.approved_by_id = actor.user_id
    submission.save(update_fields=["status", "approved_at", "approved_by", "updated_at"])
    audit.record(
        actor, "report.approve", submission,
        changes={"status": [SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED]},
    )  # fmt: skip
    return submission


@transaction.atomic
def return_submission(submission: Submission, reason: str, user: Any, actor: Actor) -> Submission:
    """Trả lại: send a report back to be corrected, with the reason. An approved report can be
    returned only while nothing above it has been approved."""
    reason = nfc(reason.strip())
    if not reason:
        raise ValidationError(
            {"reason": _("Give the reason for returning the report.")}, code="no_reason"
        )
    submission = _locked(submission)
    if submission.status not in (SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED):
        raise ValidationError(
            _("Only a submitted or approved report can be returned; this one is %(status)s.")
            % {"status": submission.get_status_display().lower()},
            code="not_submitted",
        )
    _require_level_above(submission, user)
    if submission.status == SubmissionStatus.APPROVED and _approved_above(submission):
        raise ValidationError(
            _("A level above has already approved this period: the report can no longer be "
              "returned."),
            code="approved_above",
        )  # fmt: skip
    old_status = submission.status
    submission.status = SubmissionStatus.RETURNED
    submission.return_reason = reason
    submission.approved_at = None
    submission.approved_by = None
    submission.save()
    audit.record(
        actor, "report.return", submission,
        changes={"status": [old_status, submission.status], "reason": reason},
    )  # fmt: skip
    notify(
        people_who_can(Capability.REPORT_SUBMIT, submission.organisation, here_only=True),
        gettext_lazy("Report returned: %(form)s") % {"form": submission.form.name},
        f"{_period_line(submission)}\n{reason}",
        url=submission_url(submission),
    )
    return submission


@transaction.atomic
def approve_node(
    form: ReportForm, start: datetime.date, node: Organisation, user: Any, actor: Actor
) -> NodeApproval:
    """Phê duyệt tổng hợp: a node without a report of its own (a province over its communes)
    approves its subtree's figures for the period, once every report below is approved."""
    form = ReportForm.objects.select_for_update().get(pk=form.pk)
    period = ReportPeriod.objects.filter(form=form, start=start).first()
    if period is None:
        raise ValidationError(_("This period has not been opened."), code="not_opened")
    if not covers(user, Capability.REPORT_APPROVE, node.path):
        raise ValidationError(
            _("You cannot approve reports of %(org)s.") % {"org": node.name},
            code="not_approver",
        )
    node_path = path_on(node, period.snapshot_on)
    if node_path is None:
        raise ValidationError(
            _("%(org)s did not exist in this period.") % {"org": node.name}, code="no_node"
        )
    existing = NodeApproval.objects.filter(form=form, period_start=start, organisation=node).first()
    if existing is not None:
        return existing
    if Submission.objects.filter(form=form, period_start=start, period_path=node_path).exists():
        raise ValidationError(
            _("%(org)s has a report of its own: it is approved by the level above.")
            % {"org": node.name},
            code="has_own_report",
        )
    waiting, total = _unapproved_below(form.pk, start, node_path)
    if not total:
        raise ValidationError(
            _("No organisation under %(org)s reports in this period.") % {"org": node.name},
            code="nothing_below",
        )
    if waiting:
        raise ValidationError(
            _("%(count)s of the %(total)s reports under %(org)s are not approved yet: the "
              "units below must be approved first.")
            % {"count": waiting, "total": total, "org": node.name},
            code="children_not_approved",
        )  # fmt: skip
    approval = NodeApproval.objects.create(
        form=form, period_start=start, organisation=node, path=node_path,
        approved_by_id=actor.user_id, approved_at=timezone.now(),
    )  # fmt: skip
    audit.record(
        actor, "report.approve_node", approval,
        changes={"form": form.pk, "period": start, "reports": total},
    )  # fmt: skip
    return approval
