"""Forms of the data-quality pages. They parse; the rules are in the actions."""

from typing import Any

from django import forms
from django.forms import modelform_factory
from django.utils.translation import gettext_lazy as _

from dangso.accounts.scope import restrict
from dangso.members.forms import MemberForm
from dangso.members.models import Member
from dangso.members.rules import RULES
from dangso.orgs.models import Organisation


class OrganisationField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:  # type: ignore[override]
        return f"{obj.name} ({obj.code})"


class ScopeForm(forms.Form):
    """The organisation a page looks at (GET); one outside the user's scope is not valid."""

    organisation = OrganisationField(
        label=_("Organisation"), queryset=Organisation.objects.none(), required=False
    )

    def __init__(self, *args: Any, user: Any, capability: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = restrict(  # type: ignore[attr-defined]
            Organisation.objects.all(), user, capability
        )

    @property
    def chosen(self) -> Organisation | None:
        """The organisation chosen, if valid."""
        return self.cleaned_data.get("organisation") if self.is_valid() else None


class WorklistForm(ScopeForm):
    rule = forms.ChoiceField(
        label=_("Rule"),
        required=False,
        choices=[("", _("All problems")), *((code, label) for code, label in RULES.items())],
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=120)


def fix_form(member: Member, fields: list[str], data: Any = None) -> forms.ModelForm:
    """The record's form reduced to `fields`, named apart from other members' forms on the
    same page. It only parses; `members.actions.update_member` checks and saves."""
    form_class = modelform_factory(Member, form=MemberForm, fields=fields)
    return form_class(data, instance=member, prefix=f"m{member.pk}")
