"""Forms of the meeting pages: they only parse what was typed; the rules are in `actions`."""

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangso.accounts.scope import organisation_options, restrict
from dangso.core.forms import FilesField, date_field
from dangso.meetings.actions import MINUTES_FIELDS
from dangso.meetings.choices import MeetingKind, MeetingStatus, Response
from dangso.orgs.choices import CELL_KINDS
from dangso.orgs.models import Organisation

# The usual agenda of a monthly meeting (Hướng dẫn 42-HD/BTCTW; fee collection is apart).
DEFAULT_AGENDA = _(
    "1. Attendance: members present, absent with leave (and their reasons), absent without "
    "leave.\n"
    "2. News, and the Party's and State's new policies.\n"
    "3. Review of the past month's tasks.\n"
    "4. Tasks and measures for the coming month.\n"
    "5. Adopting the cell's resolution."
)


def _text(label: Any, rows: int = 3, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, widget=forms.Textarea(attrs={"rows": rows})
    )


class MeetingForm(forms.Form):
    """The meeting's time, place and content; the date as dd/mm/yyyy and the time as HH:MM, in
    the platform's time zone (Asia/Ho_Chi_Minh)."""

    kind = forms.ChoiceField(label=_("Kind of meeting"), choices=MeetingKind.choices)
    title = forms.CharField(label=pgettext_lazy("meeting", "Title"), max_length=255)
    date = date_field(label=_("Date"))
    time = forms.TimeField(
        label=_("Time (HH:MM)"),
        input_formats=["%H:%M", "%Hh%M", "%H.%M"],
        widget=forms.TextInput(attrs={"placeholder": "19:30", "autocomplete": "off"}),
    )
    place = forms.CharField(label=pgettext_lazy("meeting", "Place"), max_length=255)
    agenda = _text(_("Agenda"), rows=7)

    def meeting_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        moment = datetime.datetime.combine(data["date"], data["time"])
        return {
            "kind": data["kind"],
            "title": data["title"],
            "place": data["place"],
            "agenda": data["agenda"],
            "starts_at": timezone.make_aware(moment),
        }


class ScheduleForm(MeetingForm):
    cell = forms.TypedChoiceField(label=_("Party cell"), coerce=int)

    field_order = ["cell", "kind", "title", "date", "time", "place", "agenda"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cells = restrict(
            Organisation.objects.active().filter(kind__in=CELL_KINDS), user, "meeting.manage"
        ).order_by("name")
        self.cells = {cell.pk: cell for cell in cells[:500]}
        field = self.fields["cell"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(pk, cell.name) for pk, cell in self.cells.items()]

    def clean_cell(self) -> Organisation:
        return self.cells[self.cleaned_data["cell"]]


def meeting_initial(meeting: Any) -> dict[str, Any]:
    local = timezone.localtime(meeting.starts_at)
    return {
        "kind": meeting.kind, "title": meeting.title, "date": local.date(),
        "time": local.strftime("%H:%M"), "place": meeting.place, "agenda": meeting.agenda,
    }  # fmt: skip


class MaterialsForm(forms.Form):
    materials = FilesField(label=_("Materials (PDF, Word, Excel, images)"))


class RespondForm(forms.Form):
    answer = forms.ChoiceField(
        choices=[(Response.CONFIRMED, _("Confirm attendance")), (Response.LEAVE, _("Ask leave"))]
    )
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=500)


class MinutesForm(forms.Form):
    chair = forms.CharField(label=_("Chaired by"), max_length=120, required=False)
    minute_taker = forms.CharField(label=_("Minutes taken by"), max_length=120, required=False)
    minutes_news = _text(_("News and policy"))
    minutes_review = _text(_("Review of the past month"), rows=4)
    minutes_tasks = _text(_("Tasks for the coming month"), rows=4)
    minutes_discussion = _text(_("Opinions in the discussion"), rows=4)
    minutes_resolution = _text(_("Resolution and conclusions"), rows=4)

    field_order = list(MINUTES_FIELDS)


class MeetingFilterForm(forms.Form):
    org = forms.TypedChoiceField(label=_("Organisation"), coerce=int, required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *MeetingStatus.choices]
    )

    def __init__(self, *args: Any, user: Any, capability: str = "meeting.view", **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["org"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("All in my scope")), *organisation_options(user, capability)]
