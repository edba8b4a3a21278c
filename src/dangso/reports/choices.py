"""The closed vocabularies of periodic reporting (báo cáo định kỳ)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodType(models.TextChoices):
    MONTH = "month", _("Monthly")
    QUARTER = "quarter", _("Quarterly")
    HALF_YEAR = "half_year", _("Six-monthly")
    YEAR = "year", _("Yearly")


class IndicatorKind(models.TextChoices):
    NUMBER = "number", _("Number")
    PERCENT = "percent", _("Percentage (0–100)")
    TEXT = "text", _("Text")
    CHOICE = "choice", _("Choice")
    TOTAL = "total", _("Total of numbers (computed)")
    RATIO = "ratio", _("Ratio of two numbers, in % (computed)")


NUMERIC_KINDS = frozenset({IndicatorKind.NUMBER, IndicatorKind.PERCENT})
COMPUTED_KINDS = frozenset({IndicatorKind.TOTAL, IndicatorKind.RATIO})
# Indicators whose value is a number (typed or computed) and so aggregate as numbers.
NUMBER_VALUED_KINDS = NUMERIC_KINDS | COMPUTED_KINDS


class Aggregation(models.TextChoices):
    """How an indicator adds up the tree. Only numbers may choose; the other kinds have one
    way each (percentages average, totals sum, ratios divide the sums, choices count)."""

    SUM = "sum", _("Sum")
    AVERAGE = "average", _("Average")


class SubmissionStatus(models.TextChoices):
    PENDING = "pending", _("Not started")
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved by the level above")
    RETURNED = "returned", _("Returned")


# What the organisation may still edit and submit.
EDITABLE = (SubmissionStatus.PENDING, SubmissionStatus.DRAFT, SubmissionStatus.RETURNED)
# What counts as received by the level above (completeness).
RECEIVED = (SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED)
