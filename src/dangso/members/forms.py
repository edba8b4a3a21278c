"""Forms of the member pages. They parse; the rules are in `members.actions`."""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangso.accounts.scope import restrict
from dangso.core.forms import DateInput, ParseOnlyModelForm, date_field
from dangso.members.actions import EDITABLE_FIELDS, RECORDABLE_EVENTS
from dangso.members.choices import MemberStatus, Sex
from dangso.members.models import Member
from dangso.members.queries import MemberFilters
from dangso.orgs.models import Organisation

_DATE_FIELDS = ("date_of_birth", "admission_date", "official_date")
_DIGITS = {"cccd", "card_number", "phone"}


class CellChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:  # type: ignore[override]
        return f"{obj.name} ({obj.code})"


def cells_in_scope(user: Any, capability: str):  # type: ignore[no-untyped-def]
    return restrict(Organisation.objects.active().cells(), user, capability).order_by("path")


class MemberFilterForm(forms.Form):
    """The list's filters (GET). An organisation outside the scope is not a valid choice."""

    q = forms.CharField(label=_("Search"), required=False, max_length=120)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none(), required=False
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("On the roll")), ("all", _("All statuses")), *MemberStatus.choices],
    )
    sex = forms.ChoiceField(
        label=_("Sex"), required=False, choices=[("", _("Both sexes")), *Sex.choices]
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = restrict(  # type: ignore[attr-defined]
            Organisation.objects.all(), user, "member.view"
        )

    def filters(self) -> MemberFilters:
        data = self.cleaned_data
        return MemberFilters(
            query=data.get("q", "").strip(),
            organisation=data.get("organisation"),
            status=data.get("status", ""),
            sex=data.get("sex", ""),
        )


def _member_widgets() -> dict[str, forms.Widget]:
    widgets: dict[str, forms.Widget] = {name: DateInput() for name in _DATE_FIELDS}
    for name in _DIGITS:
        widgets[name] = forms.TextInput(attrs={"inputmode": "numeric"})
    widgets["email"] = forms.TextInput(attrs={"inputmode": "email"})
    return widgets


class MemberForm(ParseOnlyModelForm):
    """Correct a member's record (the fields of the Phiếu đảng viên an officer may edit)."""

    class Meta:
        model = Member
        fields = list(EDITABLE_FIELDS)
        widgets = _member_widgets()
        help_texts = {
            "general_education": _("Grade/system, e.g. 12/12."),
            "dossier_number": _("6 digits then 1 to 3 capital letters, e.g. 012345HN."),
        }


class AdmissionForm(ParseOnlyModelForm):
    """Kết nạp đảng viên: a new probationary member in a cell of the user's scope."""

    decision_number = forms.CharField(label=_("Decision number"), max_length=60, required=False)
    over_60_approved = forms.BooleanField(
        label=_("Over 60: approved by a committee directly under the Central Committee"),
        required=False,
    )

    class Meta:
        model = Member
        fields = ["organisation", *(name for name in EDITABLE_FIELDS if name != "official_date")]
        field_classes = {"organisation": CellChoiceField}
        widgets = _member_widgets()

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = cells_in_scope(user, "member.event")  # type: ignore[attr-defined]


class EventForm(forms.Form):
    """One lifecycle event of a member (QĐ 232): the action checks that it may happen."""

    kind = forms.ChoiceField(
        label=_("Event"),
        choices=[("", "---------"), *((kind.value, kind.label) for kind in RECORDABLE_EVENTS)],
    )
    date = date_field(label=_("Date"), initial=timezone.localdate)
    decision_number = forms.CharField(label=_("Decision number"), max_length=60, required=False)
    to_organisation = CellChoiceField(
        label=_("To Party cell"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("For a transfer within the system or a temporary transfer."),
    )
    destination = forms.CharField(
        label=_("Destination"),
        max_length=255,
        required=False,
        help_text=_("The receiving Party organisation outside the system."),
    )
    detail = forms.CharField(
        label=_("Detail"),
        max_length=255,
        required=False,
        help_text=_("For a reward or a discipline: its form."),
    )
    until = date_field(
        label=_("Until"), required=False, help_text=_("End date of a temporary transfer.")
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, user: Any, member: Member, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_organisation"].queryset = cells_in_scope(  # type: ignore[attr-defined]
            user, "member.event"
        ).exclude(pk=member.organisation_id)

    def action_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "date": data["date"],
            "decision_number": data["decision_number"],
            "to_organisation": data["to_organisation"],
            "destination": data["destination"],
            "detail": data["detail"],
            "note": data["note"],
            "until": data["until"],
        }


class ReceiveForm(ParseOnlyModelForm):
    """Tiếp nhận: a member transferred in officially from outside the system, with the dates
    of their record."""

    received_on = date_field(label=_("Received on"))
    origin = forms.CharField(
        label=_("Coming from"),
        max_length=255,
        help_text=_("The Party organisation that introduced the member."),
    )
    decision_number = forms.CharField(label=_("Introduction letter number"), max_length=60,
                                      required=False)  # fmt: skip

    class Meta:
        model = Member
        fields = ["organisation", *EDITABLE_FIELDS]
        field_classes = {"organisation": CellChoiceField}
        widgets = _member_widgets()

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = cells_in_scope(user, "member.event")  # type: ignore[attr-defined]
