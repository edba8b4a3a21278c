"""Forms of the report pages. They only parse what was typed; `reports.actions` decides."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dangso.accounts.roles import Capability
from dangso.accounts.scope import organisation_options, restrict
from dangso.orgs.choices import OrgKind
from dangso.orgs.models import Organisation
from dangso.reports.actions import FormSpec, IndicatorSpec
from dangso.reports.choices import Aggregation, IndicatorKind, PeriodType
from dangso.reports.models import Indicator, ReportForm


class ReportFormForm(forms.Form):
    """The form's own settings (biểu mẫu báo cáo)."""

    organisation = forms.TypedChoiceField(label=_("Owner"), coerce=int)
    name = forms.CharField(label=_("Name"), max_length=255)
    code = forms.CharField(
        label=_("Code"), max_length=40,
        help_text=_("Short, without accents, e.g. phat-trien-dang-vien."),
    )  # fmt: skip
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    period_type = forms.ChoiceField(label=_("Period"), choices=PeriodType.choices)
    due_days = forms.IntegerField(
        label=_("Due days after the period"), min_value=0, max_value=365, initial=10
    )
    obliged_kinds = forms.MultipleChoiceField(
        label=_("Organisations that report"), choices=OrgKind.choices,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    active = forms.BooleanField(label=_("In use"), required=False, initial=True)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        options = organisation_options(user, Capability.REPORT_DESIGN, levels=3)
        self.fields["organisation"].choices = options  # type: ignore[attr-defined]
        self.user = user

    def owner(self) -> Organisation:
        return restrict(Organisation.objects.all(), self.user, Capability.REPORT_DESIGN).get(
            pk=self.cleaned_data["organisation"]
        )

    def spec(self) -> FormSpec:
        data = self.cleaned_data
        return FormSpec(
            name=data["name"], code=data["code"], period_type=data["period_type"],
            due_days=data["due_days"], obliged_kinds=list(data["obliged_kinds"]),
            description=data["description"], active=data["active"],
        )  # fmt: skip

    @staticmethod
    def initial_for(form: ReportForm) -> dict[str, Any]:
        return {
            "organisation": form.organisation_id, "name": form.name, "code": form.code,
            "description": form.description, "period_type": form.period_type,
            "due_days": form.due_days, "obliged_kinds": form.obliged_kinds,
            "active": form.active,
        }  # fmt: skip


def _split(text: str, separators: str) -> list[str]:
    for separator in separators[1:]:
        text = text.replace(separator, separators[0])
    return [part.strip() for part in text.split(separators[0]) if part.strip()]


class IndicatorRowForm(forms.Form):
    """One indicator row of the designer. Options: one a line (or separated by ;). Parts: the
    codes a total adds up, or a ratio's numerator and denominator, separated by commas."""

    code = forms.CharField(label=_("Code"), max_length=40)
    label = forms.CharField(label=_("Label"), max_length=255)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=IndicatorKind.choices, initial=IndicatorKind.NUMBER
    )
    aggregation = forms.ChoiceField(
        label=_("Adds up by"), choices=Aggregation.choices, initial=Aggregation.SUM
    )
    options = forms.CharField(
        label=_("Options"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    parts = forms.CharField(label=_("Parts (codes)"), required=False, max_length=400)
    required = forms.BooleanField(label=_("Required"), required=False)
    allow_negative = forms.BooleanField(label=_("Negative allowed"), required=False)
    unit = forms.CharField(label=_("Unit"), required=False, max_length=40)
    help_text = forms.CharField(label=_("Help text"), required=False, max_length=255)

    def spec(self) -> IndicatorSpec:
        data = self.cleaned_data
        return IndicatorSpec(
            code=data["code"].strip().lower(), label=data["label"], kind=data["kind"],
            aggregation=data["aggregation"], options=_split(data["options"], "\n;"),
            parts=[part.lower() for part in _split(data["parts"], ",;/ ")],
            required=data["required"], allow_negative=data["allow_negative"],
            unit=data["unit"], help_text=data["help_text"],
        )  # fmt: skip

    @staticmethod
    def initial_for(indicator: Indicator) -> dict[str, Any]:
        return {
            "code": indicator.code, "label": indicator.label, "kind": indicator.kind,
            "aggregation": indicator.aggregation, "options": "\n".join(indicator.options),
            "parts": ", ".join(indicator.parts), "required": indicator.required,
            "allow_negative": indicator.allow_negative, "unit": indicator.unit,
            "help_text": indicator.help_text,
        }  # fmt: skip


IndicatorFormSet = forms.formset_factory(IndicatorRowForm, extra=3, can_delete=True)


def indicator_specs(formset: Any) -> list[IndicatorSpec]:
    """The filled, not deleted rows of a valid formset, in order."""
    return [
        row.spec()
        for row in formset.forms
        if row.has_changed() and not (formset.can_delete and row.cleaned_data.get("DELETE"))
    ]


class SubmissionForm(forms.Form):
    """A field per typed indicator, named by its code; the values are checked by the action,
    so that what was typed comes back with the reason beside it."""

    def __init__(self, *args: Any, indicators: list[Indicator], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        for indicator in indicators:
            if indicator.is_computed:
                continue
            label = f"{indicator.label} ({indicator.unit})" if indicator.unit else indicator.label
            if indicator.kind == IndicatorKind.CHOICE:
                field: forms.Field = forms.ChoiceField(
                    label=label, required=False,
                    choices=[("", "—"), *[(option, option) for option in indicator.options]],
                )  # fmt: skip
                # The action names a value that is not an option; the form does not refuse it.
                field.validate = lambda value: None  # type: ignore[method-assign]
            elif indicator.kind == IndicatorKind.TEXT:
                field = forms.CharField(
                    label=label, required=False, widget=forms.Textarea(attrs={"rows": 3})
                )
            else:
                field = forms.CharField(
                    label=label,
                    required=False,
                    widget=forms.TextInput(attrs={"inputmode": "decimal"}),
                )
            field.help_text = indicator.help_text
            field.required_mark = indicator.required  # type: ignore[attr-defined]
            self.fields[indicator.code] = field

    def values(self) -> dict[str, str]:
        return {code: self.data.get(code, "") for code in self.fields}


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for returning"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class OpenPeriodForm(forms.Form):
    start = forms.DateField(label=_("First day of the period"), input_formats=["%Y-%m-%d"])
