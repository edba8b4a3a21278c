"""Forms of the task pages. They parse what a person typed; the rules live in `actions`."""

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangso.accounts.forms import PersonChoiceField
from dangso.accounts.scope import organisation_options, restrict
from dangso.core.forms import FilesField, date_field
from dangso.documents.queries import visible_documents
from dangso.followup.choices import TaskStatus
from dangso.followup.models import Programme, Task
from dangso.followup.queries import visible_programmes
from dangso.orgs.models import Organisation

User = get_user_model()


def _field(form: forms.BaseForm, name: str) -> Any:
    """A declared field, to set its queryset or choices for this request."""
    return form.fields[name]


class OrganisationsField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Any) -> str:
        return obj.name


class TaskForm(forms.Form):
    """A new task given by `organisation` to itself or to organisations directly below it."""

    title = forms.CharField(
        label=_("Task"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    source_text = forms.CharField(
        label=_("Source"),
        max_length=255,
        required=False,
        help_text=_("E.g. Nghị quyết số 57-NQ/TW, Kết luận số 12-KL/TU."),
    )
    source_document = forms.ModelChoiceField(
        label=_("Source document in the platform"), queryset=Task.objects.none(), required=False
    )
    programme = forms.ModelChoiceField(
        label=_("Programme"), queryset=Programme.objects.none(), required=False
    )
    description = forms.CharField(
        label=_("Content"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    expected_result = forms.CharField(
        label=_("Expected result"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    deadline = date_field(label=pgettext_lazy("task", "Deadline"))
    assignees = OrganisationsField(label=_("Carried out by"), queryset=Organisation.objects.none())
    supporters = OrganisationsField(
        label=_("Supporting organisations"), queryset=Organisation.objects.none(), required=False
    )
    lead_person = PersonChoiceField(
        label=_("Person in charge"), queryset=User.objects.none(), required=False
    )
    confidential = forms.BooleanField(
        label=_("Confidential (only people granted by name see it)"), required=False
    )

    def __init__(self, *args: Any, user: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        below = Organisation.objects.active().filter(parent=organisation).order_by("name")
        _field(self, "assignees").queryset = Organisation.objects.filter(
            pk__in=[organisation.pk, *below.values_list("pk", flat=True)]
        ).order_by("depth", "name")
        _field(self, "supporters").queryset = below
        _field(self, "programme").queryset = visible_programmes(user)
        _field(self, "source_document").queryset = visible_documents(user).filter(
            pk__in=visible_documents(user).order_by("-pk").values("pk")[:200]
        )
        _field(self, "lead_person").queryset = User.objects.filter(
            is_active=True, role_assignments__organisation=organisation
        ).distinct()

    def task_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {name: data.get(name) for name in (
            "title", "source_text", "source_document", "programme", "description",
            "expected_result", "deadline", "lead_person", "confidential",
        )}  # fmt: skip


class DelegateForm(forms.Form):
    assignees = OrganisationsField(label=_("Hand down to"), queryset=Organisation.objects.none())
    deadline = date_field(label=pgettext_lazy("task", "Deadline"), required=False)
    note = forms.CharField(
        label=_("Instructions"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, task: Task, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        taken = task.children.values("organisation_id")
        _field(self, "assignees").queryset = (
            Organisation.objects.active()
            .filter(parent=task.organisation)
            .exclude(pk__in=taken)
            .order_by("name")
        )
        self.fields["deadline"].help_text = _("Empty: the task's own deadline.")


class ProgressForm(forms.Form):
    percent = forms.CharField(label=_("Progress (%)"), max_length=5)
    note = forms.CharField(
        label=_("What was done"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    evidence = FilesField(label=_("Evidence (PDF, Word, Excel, images)"), required=False)


class GrantForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)

    def clean_username(self) -> Any:
        name = self.cleaned_data["username"].strip()
        user = User.objects.filter(username=name, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("There is no active user of that name."))
        return user


class ProgrammeForm(forms.Form):
    organisation = forms.TypedChoiceField(label=_("Organisation"), coerce=int)
    name = forms.CharField(label=_("Name"), max_length=255)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    starts_on = date_field(label=_("Starts on"), required=False)
    ends_on = date_field(label=_("Ends on"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _field(self, "organisation").choices = organisation_options(user, "task.assign", levels=1)
        self.user = user

    def clean_organisation(self) -> Organisation:
        pk = self.cleaned_data["organisation"]
        found = restrict(Organisation.objects.filter(pk=pk), self.user, "task.assign").first()
        if found is None:
            raise forms.ValidationError(_("Choose an organisation in your scope."))
        return found


class TaskFilterForm(forms.Form):
    org = forms.IntegerField(required=False, widget=forms.HiddenInput)
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *TaskStatus.choices]
    )
    programme = forms.ModelChoiceField(
        label=_("Programme"), required=False, queryset=Programme.objects.none(),
        empty_label=_("All programmes"),
    )  # fmt: skip
    top = forms.BooleanField(label=_("Only the tasks this organisation received"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _field(self, "programme").queryset = visible_programmes(user)
