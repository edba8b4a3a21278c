"""Forms of the handbook pages; the rules live in `actions`."""

from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from dangso.accounts.scope import organisation_options, restrict
from dangso.core.classification import Classification
from dangso.core.forms import date_field
from dangso.documents.queries import visible_documents
from dangso.handbook.actions import CORRECTABLE_FIELDS
from dangso.handbook.choices import PublicationKind, ThreadKind
from dangso.handbook.models import Publication
from dangso.members.models import Member
from dangso.orgs import paths as org_paths
from dangso.orgs.models import Organisation


def _field(form: forms.BaseForm, name: str) -> Any:
    return form.fields[name]


def _verbose_name(field: str) -> Any:
    return getattr(Member._meta.get_field(field), "verbose_name", field)


class ActivateForm(forms.Form):
    number = forms.CharField(
        label=_("CCCD or party card number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "username"}),
    )
    code = forms.CharField(
        label=_("Activation code"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "characters"}
        ),
    )
    password = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The two passwords differ."))
        return data


class LibraryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *PublicationKind.choices]
    )
    only = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("", _("Everything")), ("unread", _("Unread")), ("bookmarked", _("Bookmarked"))],
    )


class ReflectionForm(forms.Form):
    reflection = forms.CharField(
        label=_("Your reflection (thu hoạch)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class ThreadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ThreadKind.choices)
    subject = forms.CharField(label=_("Subject"), required=False, max_length=200)
    field = forms.ChoiceField(
        label=_("Part of my record to correct"),
        required=False,
        choices=[
            ("", "—"),
            *((name, _verbose_name(name)) for name in CORRECTABLE_FIELDS),
        ],
    )
    requested_value = forms.CharField(label=_("Correct value"), required=False, max_length=255)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 4}))


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 3}))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("refuse", _("Refuse"))]
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class _PublishingOrganisation(forms.Form):
    """The organisation that publishes, among those where the user holds portal.publish."""

    user: Any

    def clean_organisation(self) -> Organisation:
        found = restrict(
            Organisation.objects.filter(pk=self.cleaned_data["organisation"]),
            self.user,
            "portal.publish",
        ).first()
        if found is None:
            raise forms.ValidationError(_("Choose an organisation in your scope."))
        return found


class PublishForm(_PublishingOrganisation):
    organisation = forms.TypedChoiceField(label=_("Published by"), coerce=int)
    kind = forms.ChoiceField(label=_("Kind"), choices=PublicationKind.choices)
    title = forms.CharField(label=_("Title"), required=False, max_length=500)
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    document = forms.ModelChoiceField(
        label=_("Document of the platform"), queryset=Publication.objects.none(), required=False
    )
    upload = forms.FileField(label=_("Or a file (PDF)"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        _field(self, "organisation").choices = organisation_options(
            user, "portal.publish", levels=2
        )
        unclassified = Classification.UNCLASSIFIED
        recent = visible_documents(user).filter(classification=unclassified).order_by("-pk")
        _field(self, "document").queryset = visible_documents(user).filter(
            pk__in=recent.values("pk")[:200]
        )


def materials_for(user: Any) -> Any:
    """Library documents a committee may ask its members to study: those published in its
    scope and those published above it (a Central resolution), newest first."""
    from dangso.accounts.scope import scope_paths

    paths = scope_paths(user, "portal.publish")
    above = {line for path in paths for line in org_paths.lineage(path)}
    mine = restrict(Publication.objects.all(), user, "portal.publish").values("pk")
    recent = (
        Publication.objects.filter(withdrawn_at__isnull=True)
        .filter(models.Q(organisation__path__in=above) | models.Q(pk__in=mine))
        .order_by("-published_at")
        .values("pk")[:200]
    )
    return Publication.objects.filter(pk__in=recent).order_by("-published_at")


class CampaignForm(_PublishingOrganisation):
    organisation = forms.TypedChoiceField(label=_("Organisation"), coerce=int)
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(
        label=_("What to study"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    materials = forms.ModelMultipleChoiceField(
        label=_("Materials"),
        queryset=Publication.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    opens_on = date_field(label=_("Opens on"), required=False)
    deadline = date_field(label=_("Deadline"))
    reflection_required = forms.BooleanField(
        label=_("A reflection is required"), required=False, initial=True
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        _field(self, "organisation").choices = organisation_options(
            user, "portal.publish", levels=2
        )
        _field(self, "materials").queryset = materials_for(user)
