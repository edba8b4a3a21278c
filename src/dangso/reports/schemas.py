"""Input and output schemas of the reports API (`reports.api`)."""

import datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict

from dangso.reports.choices import Aggregation, IndicatorKind, PeriodType, SubmissionStatus
from dangso.reports.periods import period_label

# --- output -----------------------------------------------------------------------------


class OrganisationRef(Schema):
    id: int
    code: str
    name: str


class IndicatorOut(Schema):
    code: str
    label: str
    kind: IndicatorKind
    aggregation: Aggregation
    options: list[str]
    parts: list[str]
    required: bool
    allow_negative: bool
    unit: str
    help_text: str


class FormOut(Schema):
    id: int
    organisation: OrganisationRef
    name: str
    code: str
    description: str
    period_type: PeriodType
    due_days: int
    obliged_kinds: list[str]
    active: bool
    indicators: list[IndicatorOut]

    @staticmethod
    def resolve_indicators(form: Any) -> list[Any]:
        return list(form.indicators.all())


class PeriodOut(Schema):
    start: datetime.date
    end: datetime.date
    due_on: datetime.date
    label: str
    tree_of: datetime.date = Field(description="The day whose tree decided who reports.")

    @staticmethod
    def resolve_label(period: Any) -> str:
        return period_label(period.form.period_type, period.start)

    @staticmethod
    def resolve_tree_of(period: Any) -> datetime.date:
        return period.snapshot_on  # type: ignore[no-any-return]


class OpenedOut(Schema):
    period: PeriodOut
    created: int = Field(description="Reports added by this call (0 when all existed).")


class SubmissionOut(Schema):
    id: int
    form_id: int
    organisation: OrganisationRef
    period_start: datetime.date
    period_end: datetime.date
    status: SubmissionStatus
    first_submitted_at: datetime.datetime | None
    on_time: bool | None
    submitted_at: datetime.datetime | None
    approved_at: datetime.datetime | None
    return_reason: str


class SubmissionPage(Schema):
    items: list[SubmissionOut]
    next_cursor: str | None


class SubmissionDetail(SubmissionOut):
    values: dict[str, Decimal | str | None] = Field(
        description="Values by indicator code: numbers (totals and ratios computed) or text."
    )

    @staticmethod
    def resolve_values(submission: Any) -> dict[str, Any]:
        stored = {value.indicator_id: value for value in submission.values.all()}
        values: dict[str, Any] = {}
        for indicator in submission.form.indicators.all():
            value = stored.get(indicator.pk)
            if value is None:
                values[indicator.code] = None
            else:
                values[indicator.code] = value.number if value.number is not None else value.text
        return values


class ProgressOut(Schema):
    expected: int
    received: int
    on_time: int
    approved: int
    completeness: float = Field(description="Received of expected, in %.")
    timeliness: float = Field(description="Received on time of expected, in %.")


class ChildOut(Schema):
    organisation_id: int
    name: str
    progress: ProgressOut


class AggregateValueOut(Schema):
    code: str
    label: str
    kind: IndicatorKind
    unit: str
    adds_up_by: str
    value: Decimal | None
    reports: int
    choices: dict[str, int] | None = None
    texts: list[dict[str, str]] | None = None


class AggregateOut(Schema):
    form_id: int
    period_start: datetime.date
    period_label: str
    organisation: OrganisationRef
    approved_only: bool
    approved: bool = Field(description="Whether this level has approved its figures.")
    progress: ProgressOut
    children: list[ChildOut]
    indicators: list[AggregateValueOut]


# --- input ------------------------------------------------------------------------------


class _Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class IndicatorIn(_Strict):
    code: str = Field(max_length=40, description="Lower-case letters, digits and _.")
    label: str = Field(max_length=255)
    kind: IndicatorKind
    aggregation: Aggregation = Aggregation.SUM
    options: list[str] = Field(default_factory=list, description="The options of a choice.")
    parts: list[str] = Field(
        default_factory=list,
        description="Total: the codes it adds up. Ratio: [numerator code, denominator code].",
    )
    required: bool = False
    allow_negative: bool = False
    unit: str = Field("", max_length=40)
    help_text: str = Field("", max_length=255)


class FormIn(_Strict):
    organisation: str = Field(description="Code of the owning organisation, within your scope.")
    name: str = Field(max_length=255)
    code: str = Field(max_length=40)
    description: str = ""
    period_type: PeriodType
    due_days: int = 10
    obliged_kinds: list[str] = Field(description="Kinds of organisation that must report.")
    active: bool = True
    indicators: list[IndicatorIn]


class PeriodIn(_Strict):
    start: datetime.date = Field(description="The period's first day.")


class ValuesIn(_Strict):
    values: dict[str, Decimal | int | str | None] = Field(
        description="Values by indicator code; numbers, or text for text and choice indicators."
    )


class SubmitIn(_Strict):
    values: dict[str, Decimal | int | str | None] | None = Field(
        None, description="When given, they replace the saved values before submitting."
    )


class ReasonIn(_Strict):
    reason: str = Field(max_length=2000)
