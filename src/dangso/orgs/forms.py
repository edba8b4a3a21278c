"""Forms of the organisation pages: the tree's date, and the reorganisations (each dated)."""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangso.accounts.scope import restrict
from dangso.core.forms import date_field
from dangso.orgs.choices import CELL_KINDS, OrgKind
from dangso.orgs.models import Organisation


class OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:  # type: ignore[override]
        return f"{obj.name} ({obj.code})"


class OrganisationsChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:  # type: ignore[override]
        return f"{obj.name} ({obj.code})"


class TreeDateForm(forms.Form):
    on = date_field(label=_("Tree on date"), required=False)


def _effective_date(label: Any = None) -> forms.DateField:
    return date_field(label=label or _("Effective date"), initial=timezone.localdate)


class ReorganisationForm(forms.Form):
    """Base of the forms on an organisation's page: they know the organisation and the user."""

    prefix_name = ""

    def __init__(self, *args: Any, organisation: Organisation, user: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", self.prefix_name)
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.user = user

    def managed(self) -> Any:
        return restrict(Organisation.objects.active(), self.user, "org.manage")


class ChildForm(ReorganisationForm):
    prefix_name = "child"
    code = forms.CharField(label=_("Code"), max_length=30)
    name = forms.CharField(label=_("Name"), max_length=255)
    short_name = forms.CharField(label=_("Short name"), max_length=20, required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[c for c in OrgKind.choices if c[0] != OrgKind.CENTRAL]
    )
    on = _effective_date(_("Established on"))


class RenameForm(ReorganisationForm):
    prefix_name = "rename"
    name = forms.CharField(label=_("New name"), max_length=255)
    short_name = forms.CharField(label=_("Short name"), max_length=20, required=False)
    on = _effective_date()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("name", self.organisation.name)
        self.initial.setdefault("short_name", self.organisation.short_name)


class MoveForm(ReorganisationForm):
    prefix_name = "move"
    new_parent = OrganisationChoiceField(
        label=_("New parent organisation"), queryset=Organisation.objects.none()
    )
    on = _effective_date()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org = self.organisation
        self.fields["new_parent"].queryset = (  # type: ignore[attr-defined]
            self.managed()
            .exclude(kind__in=CELL_KINDS)
            .exclude(path__startswith=org.path)
            .exclude(pk=org.parent_id)
            .order_by("path")
        )


class MergeForm(ReorganisationForm):
    """Hợp nhất into this organisation: the sources are its siblings of the same level."""

    prefix_name = "merge"
    sources = OrganisationsChoiceField(
        label=_("Organisations to merge into this one"),
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    on = _effective_date()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org = self.organisation
        siblings = self.managed().filter(parent_id=org.parent_id).exclude(pk=org.pk)
        if org.is_cell:
            siblings = siblings.filter(kind__in=CELL_KINDS)
        else:
            siblings = siblings.exclude(kind__in=CELL_KINDS)
        self.fields["sources"].queryset = siblings.order_by("code")  # type: ignore[attr-defined]


class DissolveForm(ReorganisationForm):
    prefix_name = "dissolve"
    on = _effective_date()
    confirm = forms.BooleanField(label=_("I confirm that this organisation is dissolved"))
