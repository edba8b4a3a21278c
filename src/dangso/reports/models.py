"""Periodic reports (báo cáo định kỳ): forms, their indicators, periods, submissions.

A `ReportForm` (biểu mẫu báo cáo) is defined by an organisation for the organisations of some
kinds in its subtree. Opening a period creates one `Submission` for each of them, carrying the
path the organisation had in that period (`period_path`): aggregation, completeness and
level-by-level approval follow that stored path, so a later merge or move never rewrites a past
report. Access control follows the live tree (`scope_path`), like every other record.

Values are rows (`SubmissionValue`), so adding a subtree up is one GROUP BY.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangso.orgs import paths as org_paths
from dangso.orgs.models import Organisation
from dangso.reports.choices import (
    COMPUTED_KINDS,
    Aggregation,
    IndicatorKind,
    PeriodType,
    SubmissionStatus,
)


class ReportForm(models.Model):
    """Biểu mẫu báo cáo: what the obliged organisations report, how often and by when."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("owner"), on_delete=models.PROTECT,
        related_name="report_forms",
        help_text=_("The organisation that collects the report from its subtree."),
    )  # fmt: skip
    name = models.CharField(_("name"), max_length=255)
    code = models.SlugField(_("code"), max_length=40, allow_unicode=False)
    description = models.TextField(_("description"), blank=True)
    period_type = models.CharField(_("period"), max_length=12, choices=PeriodType.choices)
    due_days = models.PositiveSmallIntegerField(
        _("due days after the period"),
        default=10,
        help_text=_("A report is on time when first submitted at the latest this many days "
                    "after the period ends."),
    )  # fmt: skip
    obliged_kinds = models.JSONField(_("organisations that report"), default=list)
    active = models.BooleanField(_("in use"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    scope_path = "organisation__path"

    class Meta:
        verbose_name = _("report form")
        verbose_name_plural = _("report forms")
        ordering = ["organisation__path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="report_form_code")
        ]

    def __str__(self) -> str:
        return self.name


class Indicator(models.Model):
    """Chỉ tiêu: one line of a report form."""

    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="indicators")
    code = models.SlugField(_("code"), max_length=40)
    label = models.CharField(_("label"), max_length=255)
    kind = models.CharField(_("kind"), max_length=10, choices=IndicatorKind.choices)
    aggregation = models.CharField(
        _("aggregation"), max_length=10, choices=Aggregation.choices, default=Aggregation.SUM
    )
    # Choice: the options. Total: the codes of the numbers added. Ratio: [numerator, denominator].
    options = models.JSONField(default=list, blank=True)
    parts = models.JSONField(default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)
    allow_negative = models.BooleanField(_("negative allowed"), default=False)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    help_text = models.CharField(_("help text"), max_length=255, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["form", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["form", "code"], name="indicator_code_per_form")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def is_computed(self) -> bool:
        return self.kind in COMPUTED_KINDS


class ReportPeriod(models.Model):
    """Kỳ báo cáo: a period of a form that has been opened (its submissions exist).

    `snapshot_on` is the day whose tree decided who reports and where they stand: the period's
    last day when it was opened after it ended, else the opening day (the current period).
    """

    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="periods")
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    due_on = models.DateField(_("due on"))
    snapshot_on = models.DateField()
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    opened_at = models.DateTimeField(auto_now_add=True)

    scope_path = "form__organisation__path"

    class Meta:
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        ordering = ["form", "-start"]
        constraints = [models.UniqueConstraint(fields=["form", "start"], name="report_period_once")]

    def __str__(self) -> str:
        return f"{self.form} {self.start:%d/%m/%Y}"


class Submission(models.Model):
    """One obliged organisation's report for one period."""

    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="submissions")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT,
        related_name="report_submissions",
    )  # fmt: skip
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    # The organisation's path in the tree of the period: aggregation follows it.
    period_path = models.CharField(max_length=255)
    status = models.CharField(
        _("status"), max_length=10, choices=SubmissionStatus.choices,
        default=SubmissionStatus.PENDING,
    )  # fmt: skip
    first_submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)
    on_time = models.BooleanField(_("on time"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    return_reason = models.TextField(_("reason for returning"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_path = "organisation__path"

    class Meta:
        verbose_name = _("report submission")
        verbose_name_plural = _("report submissions")
        ordering = ["form", "-period_start", "period_path"]
        constraints = [
            models.UniqueConstraint(
                fields=["form", "organisation", "period_start"], name="submission_once"
            ),
        ]
        indexes = [
            models.Index(
                fields=["form", "period_start", "period_path"],
                name="submission_period_path",
                opclasses=["int8_ops", "date_ops", "varchar_pattern_ops"],
            ),
            models.Index(fields=["organisation", "status"], name="submission_org_status"),
        ]

    def __str__(self) -> str:
        return f"{self.form} — {self.organisation} ({self.period_start:%d/%m/%Y})"

    @property
    def is_editable(self) -> bool:
        return self.status in (
            SubmissionStatus.PENDING,
            SubmissionStatus.DRAFT,
            SubmissionStatus.RETURNED,
        )

    @property
    def parent_path(self) -> str:
        """The path of the level above in the period's tree ("" at the root)."""
        return org_paths.parent_path(self.period_path)


class SubmissionValue(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="values")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    number = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["submission", "indicator"], name="value_once"),
            models.CheckConstraint(
                condition=Q(number__isnull=False) | ~Q(text=""), name="value_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code}={self.number if self.number is not None else self.text}"


class NodeApproval(models.Model):
    """Phê duyệt tổng hợp: a level above approved its subtree's figures for a period."""

    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="node_approvals")
    period_start = models.DateField()
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    path = models.CharField(max_length=255)  # the node's path in the period's tree
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    approved_at = models.DateTimeField()

    scope_path = "organisation__path"

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["form", "period_start", "organisation"], name="node_approval_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.form} {self.organisation} {self.period_start:%d/%m/%Y}"
