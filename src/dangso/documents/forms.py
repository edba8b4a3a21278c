"""Forms of the document pages. They parse what a person typed; the rules live in `actions`."""

import datetime
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from dangso.accounts.forms import PeopleChoiceField, PersonChoiceField
from dangso.accounts.roles import Capability
from dangso.accounts.scope import organisation_options, people_who_can, restrict
from dangso.core.classification import Classification
from dangso.core.files import Upload
from dangso.core.forms import FilesField, date_field
from dangso.documents.choices import (
    AttachmentKind,
    Direction,
    DocumentStatus,
    HandlingRole,
    SigningAuthority,
    Urgency,
)
from dangso.documents.models import Congress, Document, DocumentType, IssuingBody
from dangso.documents.queries import RegisterFilters
from dangso.orgs.models import Organisation
from dangso.orgs.paths import ids_of

User = get_user_model()
MAX_REVIEWERS = 5


def uploads(files: list[UploadedFile], kind: str = AttachmentKind.MAIN) -> list[Upload]:
    """Form files as the actions take them: the first file is the document, the rest annexes."""
    result = []
    for index, item in enumerate(files):
        this_kind = kind if kind != AttachmentKind.MAIN or index == 0 else AttachmentKind.ANNEX
        result.append(Upload(item.name or "", item.read(), this_kind))
    return result


def _organisation_field(user: Any, capability: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=_("Organisation"),
        coerce=int,
        choices=organisation_options(user, capability, levels=3),
    )


class _DocumentFields(forms.Form):
    document_type = forms.ModelChoiceField(
        label=_("Type"), queryset=DocumentType.objects.filter(active=True)
    )
    summary = forms.CharField(
        label=_("Summary (trích yếu)"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    classification = forms.ChoiceField(
        label=_("Classification"),
        choices=Classification.choices,
        initial=Classification.UNCLASSIFIED,
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)
    attachments = FilesField(
        label=_("Files (the first is the document itself)"),
        required=False,
        help_text=_("PDF, DOCX, XLSX, PNG or JPEG."),
    )

    def organisation(self) -> Organisation:
        return Organisation.objects.get(pk=self.cleaned_data["organisation"])

    def document_data(self) -> dict[str, Any]:
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in ("attachments", "organisation")
        }


class IncomingForm(_DocumentFields):
    """Vào sổ văn bản đến: what the clerk copies from the document that arrived."""

    symbol = forms.CharField(label=_("Number and symbol"), max_length=100, required=False)
    issuer_name = forms.CharField(label=_("Issued by"), max_length=255)
    issued_on = date_field(label=_("Date of the document"), required=False)
    received_on = date_field(label=_("Received on"), required=False)
    deadline = date_field(label=_("Deadline for handling"), required=False)
    field_order = [
        "organisation", "document_type", "symbol", "issuer_name", "issued_on", "received_on",
        "summary", "classification", "urgency", "deadline", "attachments",
    ]  # fmt: skip

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"] = _organisation_field(user, Capability.DOC_REGISTER)
        self.order_fields(self.field_order)


class DraftForm(_DocumentFields):
    """Dự thảo văn bản đi."""

    issuing_body = forms.ModelChoiceField(
        label=_("Issuing body"), queryset=IssuingBody.objects.none()
    )
    congress = forms.ModelChoiceField(
        label=_("Congress document of"), queryset=Congress.objects.none(), required=False
    )
    place = forms.CharField(label=_("Place"), max_length=100, required=False)
    signer_name = forms.CharField(label=_("Signer"), max_length=150, required=False)
    signer_title = forms.CharField(label=_("Signer's title"), max_length=150, required=False)
    signing_authority = forms.ChoiceField(
        label=_("Signing authority"), choices=SigningAuthority.choices, required=False
    )
    recipients = forms.CharField(
        label=_("Recipients (nơi nhận)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    field_order = [
        "organisation", "document_type", "issuing_body", "congress", "summary", "place",
        "signer_name", "signer_title", "signing_authority", "recipients", "classification",
        "urgency", "attachments",
    ]  # fmt: skip

    def __init__(
        self, *args: Any, user: Any, organisation: Organisation | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if organisation is None:
            self.fields["organisation"] = _organisation_field(user, Capability.DOC_DRAFT)
        bodies = restrict(IssuingBody.objects.filter(active=True), user, Capability.DOC_DRAFT)
        congresses = restrict(Congress.objects.all(), user, Capability.DOC_DRAFT)
        if organisation is not None:
            bodies = bodies.filter(organisation=organisation)
            congresses = congresses.filter(organisation=organisation)
        self.fields["issuing_body"].queryset = bodies.select_related("organisation")  # type: ignore[attr-defined]
        self.fields["congress"].queryset = congresses  # type: ignore[attr-defined]
        self.order_fields(self.field_order)


class RegisterFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(label=_("Status"), required=False)
    document_type = forms.ModelChoiceField(
        label=_("Type"), queryset=DocumentType.objects.all(), required=False
    )
    classification = forms.ChoiceField(
        label=_("Classification"), required=False, choices=[("", _("All")), *Classification.choices]
    )
    issuer = forms.CharField(label=_("Issued by"), required=False, max_length=100)
    date_from = date_field(label=_("From"), required=False)
    date_to = date_field(label=_("To"), required=False)
    organisation = forms.TypedChoiceField(label=_("Organisation"), coerce=int, required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args: Any, user: Any, direction: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.direction = direction
        incoming = (
            DocumentStatus.PENDING, DocumentStatus.REGISTERED, DocumentStatus.ASSIGNED,
            DocumentStatus.CLOSED, DocumentStatus.ANSWERED, DocumentStatus.RETURNED,
            DocumentStatus.RECALLED,
        )  # fmt: skip
        statuses = [
            (value, label)
            for value, label in DocumentStatus.choices
            if (value in incoming) == (direction == Direction.INCOMING)
            or value == DocumentStatus.RECALLED
        ]
        self.fields["status"].choices = [("", _("All")), *statuses]  # type: ignore[attr-defined]
        self.fields["organisation"].choices = [  # type: ignore[attr-defined]
            ("", _("All in my scope")),
            *organisation_options(user, Capability.DOC_VIEW, levels=3),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise ValidationError(_("The start date is after the end date."))
        return data

    def filters(self) -> RegisterFilters:
        data = self.cleaned_data
        organisation = None
        if data.get("organisation"):
            organisation = Organisation.objects.filter(pk=data["organisation"]).first()
        return RegisterFilters(
            direction=self.direction,
            status=data.get("status") or "",
            query=data.get("q") or "",
            document_type=data["document_type"].pk if data.get("document_type") else None,
            classification=data.get("classification") or "",
            issuer=data.get("issuer") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            organisation=organisation,
            overdue=bool(data.get("overdue")),
        )

    def label(self) -> str:
        """The filters in words, for the printed register."""
        if not self.is_valid():
            return ""
        parts = []
        for name, field in self.fields.items():
            value = self.cleaned_data.get(name)
            if value in (None, "", False):
                continue
            if isinstance(field, forms.ChoiceField) and not isinstance(
                field, forms.ModelChoiceField
            ):
                value = dict(field.choices).get(value, value)  # type: ignore[arg-type]
            elif isinstance(value, datetime.date):
                value = value.strftime("%d/%m/%Y")
            parts.append(f"{field.label}: {value}")
        return "; ".join(parts)


class AssignForm(forms.Form):
    lead = PersonChoiceField(label=_("Lead (chủ trì)"), queryset=User.objects.none())
    support = PeopleChoiceField(
        label=_("Support (phối hợp)"), queryset=User.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )  # fmt: skip
    inform = PeopleChoiceField(
        label=_("For information (để biết)"), queryset=User.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )  # fmt: skip
    deadline = date_field(label=_("Deadline"), required=False)
    note = forms.CharField(
        label=_("Instructions"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args: Any, document: Document, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = people_who_can(Capability.DOC_VIEW, document.organisation)
        ids = [p.pk for p in people]
        for name in ("lead", "support", "inform"):
            self.fields[name].queryset = User.objects.filter(pk__in=ids).order_by("first_name")  # type: ignore[attr-defined]

    def handlers(self) -> list[Any]:
        from dangso.documents.actions import Handler

        data = self.cleaned_data
        result = [Handler(data["lead"], HandlingRole.LEAD)]
        result += [Handler(u, HandlingRole.SUPPORT) for u in data.get("support") or []]
        result += [Handler(u, HandlingRole.INFORM) for u in data.get("inform") or []]
        return result


class ProgressForm(forms.Form):
    note = forms.CharField(
        label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    attachments = FilesField(label=_("Result files"), required=False)
    done = forms.BooleanField(label=_("My part is finished"), required=False)


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class SubmitForm(forms.Form):
    """Reviewers in order; an empty form sends the draft straight to signing."""

    def __init__(self, *args: Any, document: Document, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = [p.pk for p in people_who_can(Capability.DOC_VIEW, document.organisation)]
        for position in range(1, MAX_REVIEWERS + 1):
            self.fields[f"reviewer_{position}"] = PersonChoiceField(
                label=_("Reviewer %(n)d") % {"n": position},
                queryset=User.objects.filter(pk__in=ids).order_by("first_name"),
                required=False,
            )

    def reviewers(self) -> list[Any]:
        chosen = [self.cleaned_data.get(f"reviewer_{n}") for n in range(1, MAX_REVIEWERS + 1)]
        return [person for person in chosen if person is not None]


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("return", _("Return for changes"))],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class CredentialForm(forms.Form):
    """A PKCS#12 certificate file and its passphrase, used once and never stored."""

    certificate = forms.FileField(
        label=_("Certificate file (.p12 / .pfx)"),
        help_text=_("Used for this signature only; it is not kept on the server."),
    )
    passphrase = forms.CharField(
        label=_("Passphrase"), widget=forms.PasswordInput(render_value=False), required=False
    )

    def credential(self) -> Any:
        from dangso.core import signing

        data = self.cleaned_data
        return signing.load_credential(data["certificate"].read(), data["passphrase"])


class SignForm(CredentialForm):
    title = forms.CharField(label=_("Title shown in the signature"), max_length=150, required=False)


class IssueForm(forms.Form):
    certificate = forms.FileField(
        label=_("Organisation certificate (.p12), optional"), required=False
    )
    passphrase = forms.CharField(
        label=_("Passphrase"), widget=forms.PasswordInput(render_value=False), required=False
    )

    def credential(self) -> Any:
        data = self.cleaned_data
        if not data.get("certificate"):
            return None
        from dangso.core import signing

        return signing.load_credential(data["certificate"].read(), data["passphrase"])


class SendForm(forms.Form):
    recipients = forms.TypedMultipleChoiceField(
        label=_("Organisations"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    codes = forms.CharField(
        label=_("Other organisations, by code"),
        required=False,
        help_text=_("Codes separated by commas or spaces."),
    )

    def __init__(self, *args: Any, document: Document, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisation = document.organisation
        near = Organisation.objects.active().filter(
            pk__in=ids_of(organisation.path)
        ) | Organisation.objects.active().filter(parent=organisation)
        self.fields["recipients"].choices = [  # type: ignore[attr-defined]
            (org.pk, org.name) for org in near.exclude(pk=organisation.pk).order_by("path")
        ]

    def organisations(self) -> list[Organisation]:
        chosen = list(Organisation.objects.filter(pk__in=self.cleaned_data.get("recipients") or []))
        codes = (self.cleaned_data.get("codes") or "").replace(",", " ").split()
        if codes:
            found = {org.code: org for org in Organisation.objects.filter(code__in=codes)}
            missing = [code for code in codes if code not in found]
            if missing:
                raise ValidationError(
                    {
                        "codes": _("No organisation has the code %(codes)s.")
                        % {"codes": ", ".join(missing)}
                    }
                )
            chosen += [org for org in found.values() if org not in chosen]
        return chosen


class RecallForm(ReasonForm):
    recipient = forms.TypedChoiceField(label=_("Recipient"), coerce=int)

    def __init__(self, *args: Any, document: Document, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recipient"].choices = [  # type: ignore[attr-defined]
            (d.recipient_id, d.recipient.name)
            for d in document.deliveries.select_related("recipient").filter(status="sent")
        ]
        self.fields["reason"].required = False


class GrantForm(forms.Form):
    user = PersonChoiceField(label=_("Person"), queryset=User.objects.none())

    def __init__(self, *args: Any, document: Document, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = [p.pk for p in people_who_can(Capability.DOC_VIEW, document.organisation)]
        self.fields["user"].queryset = User.objects.filter(pk__in=ids).order_by("first_name")  # type: ignore[attr-defined]


class PackageForm(forms.Form):
    package = forms.FileField(label=_("Exchange package (.zip)"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"] = _organisation_field(user, Capability.DOC_REGISTER)
        self.order_fields(["organisation", "package"])

    def organisation(self) -> Organisation:
        return Organisation.objects.get(pk=self.cleaned_data["organisation"])


class IssuingBodyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    symbol = forms.CharField(
        label=_("Symbol"), max_length=20, help_text=_("The part after the slash, e.g. TU, VPTU.")
    )


class TermForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, initial="Nhiệm kỳ 2025–2030")
    starts_on = date_field(label=_("Starts on"), help_text=_("The day after the congress closed."))


class CongressForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    opens_on = date_field(label=_("Preparatory session"))
    closes_on = date_field(label=_("Closing day"))
    symbol = forms.CharField(label=_("Symbol"), max_length=20, initial="ĐH")


class DocumentTypeForm(forms.Form):
    abbreviation = forms.CharField(label=_("Abbreviation"), max_length=10)
    name = forms.CharField(label=_("Name"), max_length=100)
