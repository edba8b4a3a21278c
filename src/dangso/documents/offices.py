"""Setting up a document office: its issuing bodies, committee terms, congresses, and the
document types. Each action checks first, writes nothing on refusal, and is audited.

Numbers restart with each committee term (HD 36 §II.1.3); terms belong to the organisation
(`orgs.actions.start_term`).
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dangso.core import audit
from dangso.core.audit import Actor
from dangso.core.text import clean_spaces, nfc
from dangso.documents.models import Congress, DocumentType, IssuingBody
from dangso.orgs.models import Organisation


def _text(value: str) -> str:
    return clean_spaces(nfc(value or ""))


def _symbol(value: str, field: str = "symbol") -> str:
    symbol = _text(value).replace(" ", "")
    if not symbol or "/" in symbol or "-" in symbol or len(symbol) > 20:
        raise ValidationError(
            {field: _("Write the symbol without slash or hyphen, e.g. TU, VPTU, ĐU.")}
        )
    return symbol


@transaction.atomic
def add_issuing_body(
    organisation: Organisation, *, name: str, symbol: str, actor: Actor
) -> IssuingBody:
    name, symbol = _text(name), _symbol(symbol)
    if not name:
        raise ValidationError({"name": _("Write the name of the issuing body.")})
    if IssuingBody.objects.filter(organisation=organisation, symbol=symbol).exists():
        raise ValidationError(
            {"symbol": _("This organisation already has an issuing body %(symbol)s.")
             % {"symbol": symbol}}
        )  # fmt: skip
    body = IssuingBody.objects.create(organisation=organisation, name=name, symbol=symbol)
    audit.record(actor, "document.office.body", body, changes={"name": name, "symbol": symbol})
    return body


@transaction.atomic
def set_issuing_body_active(body: IssuingBody, active: bool, *, actor: Actor) -> IssuingBody:
    """Stop (or resume) issuing in a body's name; its numbered documents stay as they are."""
    body.active = active
    body.save(update_fields=["active"])
    audit.record(actor, "document.office.body", body, changes={"active": active})
    return body


@transaction.atomic
def add_congress(
    organisation: Organisation,
    *,
    name: str,
    opens_on: datetime.date,
    closes_on: datetime.date,
    symbol: str = "ĐH",
    actor: Actor,
) -> Congress:
    name = _text(name)
    if not name:
        raise ValidationError({"name": _("Write the name of the congress.")})
    if closes_on < opens_on:
        raise ValidationError({"closes_on": _("The congress closes after it opens.")})
    congress = Congress.objects.create(
        organisation=organisation, name=name, opens_on=opens_on, closes_on=closes_on,
        symbol=_symbol(symbol),
    )  # fmt: skip
    audit.record(
        actor, "document.office.congress", congress,
        changes={"name": name, "opens_on": opens_on, "closes_on": closes_on},
    )  # fmt: skip
    return congress


@transaction.atomic
def add_document_type(*, abbreviation: str, name: str, actor: Actor) -> DocumentType:
    """A document type for the whole system (HD 36 lists them; QĐ 66 says who issues which)."""
    abbreviation, name = _symbol(abbreviation, "abbreviation"), _text(name)
    if not name:
        raise ValidationError({"name": _("Write the name of the document type.")})
    if DocumentType.objects.filter(abbreviation=abbreviation).exists():
        raise ValidationError(
            {"abbreviation": _("The abbreviation %(abbreviation)s is already used.")
             % {"abbreviation": abbreviation}}
        )  # fmt: skip
    position = DocumentType.objects.count() + 1
    kind = DocumentType.objects.create(abbreviation=abbreviation, name=name, position=position)
    audit.record(actor, "document.office.type", kind, changes={"abbreviation": abbreviation})
    return kind


@transaction.atomic
def set_document_type_active(kind: DocumentType, active: bool, *, actor: Actor) -> DocumentType:
    kind.active = active
    kind.save(update_fields=["active"])
    audit.record(actor, "document.office.type", kind, changes={"active": active})
    return kind
