"""Input and output schemas of the documents API (`documents.api`)."""

import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import ConfigDict, field_validator
from pydantic_core import PydanticCustomError

from dangso.core.classification import Classification
from dangso.documents.choices import (
    AttachmentKind,
    DeliveryStatus,
    Direction,
    DocumentStatus,
    EventKind,
    HandlingRole,
    ReviewDecision,
    SigningAuthority,
    Urgency,
)
from dangso.documents.models import (
    Attachment,
)

User = get_user_model()

# Fields of a draft that may be emptied with null; every other field takes a value.
_NULLABLE = frozenset({"congress", "deadline"})

# --- output -----------------------------------------------------------------------------


class OrganisationRef(Schema):
    id: int
    code: str
    name: str


class TypeOut(Schema):
    id: int
    abbreviation: str = Field(description="Used in the symbol: NQ, QĐ, CV, …")
    name: str
    active: bool


class TypeRef(Schema):
    id: int
    abbreviation: str
    name: str


class IssuingBodyOut(Schema):
    id: int
    name: str
    symbol: str = Field(description="The part of a document's symbol after the slash.")
    active: bool
    organisation: OrganisationRef


class IssuingBodyPage(Schema):
    items: list[IssuingBodyOut]
    next_cursor: str | None


class UserRef(Schema):
    username: str
    full_name: str

    @staticmethod
    def resolve_full_name(user: Any) -> str:
        return str(user.get_full_name() or user.get_username())


class DocumentSummary(Schema):
    """A line of a register or an inbox."""

    id: int
    organisation: OrganisationRef = Field(description="Whose register the document is in.")
    direction: Direction
    status: DocumentStatus
    document_type: TypeRef
    number: int | None
    symbol: str = Field(description="Số và ký hiệu, e.g. 96-CV/VPTU.")
    summary: str = Field(description="Trích yếu.")
    issuer_name: str
    issued_on: datetime.date | None
    classification: Classification
    urgency: Urgency
    register_number: int | None = Field(description="Số đến / số đi in the register.")
    registered_at: datetime.datetime | None
    received_on: datetime.date | None
    deadline: datetime.date | None
    is_overdue: bool


class DocumentPage(Schema):
    items: list[DocumentSummary]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


class SignatureCheckOut(Schema):
    signer_name: str
    signer_organisation: str
    signing_time: datetime.datetime | None
    timestamp_time: datetime.datetime | None
    intact: bool
    covers_whole_file: bool
    trusted: bool
    revoked: bool | None
    level: str
    status: str
    messages: list[str]


class SignatureReportOut(Schema):
    status: str = Field(description="valid, untrusted, modified or invalid.")
    summary: str = Field(description="One sentence for the person, in their language.")
    validated_at: datetime.datetime
    signatures: list[SignatureCheckOut]


class AttachmentOut(Schema):
    id: int
    kind: AttachmentKind
    name: str
    content_type: str
    size: int
    sha256: str
    pages: int | None
    current: bool = Field(description="False for a file replaced by its signed version.")
    uploaded_at: datetime.datetime
    signature: SignatureReportOut | None = Field(
        description="The validation report of the file's digital signatures; null if unsigned."
    )

    @staticmethod
    def resolve_signature(attachment: Attachment) -> dict[str, Any] | None:
        report = attachment.signature
        if report is None:
            return None
        return {
            "status": report.status,
            "summary": report.summary,
            "validated_at": report.validated_at,
            "signatures": report.signatures,
        }


class EventOut(Schema):
    kind: EventKind
    at: datetime.datetime
    actor_name: str
    note: str
    data: dict[str, Any]


class AssignmentOut(Schema):
    user: UserRef
    role: HandlingRole
    deadline: datetime.date | None
    assigned_at: datetime.datetime
    done_at: datetime.datetime | None


class ReviewOut(Schema):
    round: int
    position: int
    reviewer: UserRef
    decision: ReviewDecision = Field(description="Empty while waiting.")
    comment: str
    decided_at: datetime.datetime | None


class DeliveryOut(Schema):
    recipient: OrganisationRef
    status: DeliveryStatus = Field(description="sent, received, handled, recalled or returned.")
    sent_at: datetime.datetime
    changed_at: datetime.datetime


class IssuingBodyRef(Schema):
    id: int
    name: str
    symbol: str


class DocumentDetail(DocumentSummary):
    """The document page: metadata, files with their signature reports, and its history."""

    place: str
    signer_name: str
    signer_title: str
    signing_authority: SigningAuthority
    recipients: str = Field(description="Nơi nhận, as written on the document.")
    issuing_body: IssuingBodyRef | None
    congress_id: int | None
    replies_to_id: int | None = Field(description="The incoming document this one answers.")
    created_at: datetime.datetime
    updated_at: datetime.datetime
    attachments: list[AttachmentOut]
    events: list[EventOut]
    assignments: list[AssignmentOut]
    reviews: list[ReviewOut]
    deliveries: list[DeliveryOut] = Field(description="Outgoing: the fate at each recipient.")


class HandlingOut(Schema):
    role: HandlingRole
    deadline: datetime.date | None
    document: DocumentSummary


class ReviewTurnOut(Schema):
    round: int
    position: int
    document: DocumentSummary


class InboxOut(Schema):
    """What waits for the caller, each list newest first (at most 100 items each)."""

    total: int
    overdue: int
    to_handle: list[HandlingOut]
    to_review: list[ReviewTurnOut]
    to_assign: list[DocumentSummary]
    to_receive: list[DocumentSummary]
    to_sign: list[DocumentSummary]
    to_issue: list[DocumentSummary]
    returned_drafts: list[DocumentSummary]


class Problem(Schema):
    detail: str


# --- input ------------------------------------------------------------------------------


class _Input(Schema):
    model_config = ConfigDict(extra="forbid", use_enum_values=True)


class _FormInput(Schema):
    # A browser form also posts its CSRF token: unknown form fields are ignored.
    model_config = ConfigDict(extra="ignore", use_enum_values=True)


TYPE_HELP = "Abbreviation of the document type (GET /documents/types), e.g. CV."
_ORGANISATION = "Code of the organisation whose register the document goes in."


class IncomingIn(_FormInput):
    """Vào sổ: a document received from outside the system, as written on it."""

    organisation: str = Field("", description=_ORGANISATION)
    document_type: str = Field("", description=TYPE_HELP)
    symbol: str = Field("", description="Its number and symbol as written, e.g. 12-CV/BTG.")
    issuer_name: str = Field("", description="Who issued it.")
    place: str = ""
    issued_on: datetime.date | None = None
    signer_name: str = ""
    signer_title: str = ""
    signing_authority: SigningAuthority = SigningAuthority.OWN
    summary: str = Field("", description="Trích yếu.")
    recipients: str = ""
    classification: Classification = Classification.UNCLASSIFIED
    urgency: Urgency = Urgency.NORMAL
    received_on: datetime.date | None = Field(None, description="Today when absent.")
    deadline: datetime.date | None = None


class DraftIn(_FormInput):
    """Dự thảo: a new outgoing (or internal) document."""

    organisation: str = Field("", description=_ORGANISATION)
    direction: Direction = Direction.OUTGOING
    document_type: str = Field("", description=TYPE_HELP)
    issuing_body: int | None = Field(None, description="Id (GET /documents/issuing-bodies).")
    congress: int | None = Field(None, description="Id of the congress, for congress documents.")
    place: str = ""
    signer_name: str = ""
    signer_title: str = ""
    signing_authority: SigningAuthority = SigningAuthority.OWN
    summary: str = Field("", description="Trích yếu.")
    recipients: str = Field("", description="Nơi nhận, as it will be printed.")
    classification: Classification = Classification.UNCLASSIFIED
    urgency: Urgency = Urgency.NORMAL
    deadline: datetime.date | None = None
    replies_to: int | None = Field(None, description="Id of the incoming document it answers.")


class DraftPatch(_Input):
    """Changes to a draft: only the fields given change."""

    document_type: str | None = Field(None, description=TYPE_HELP)
    issuing_body: int | None = None
    congress: int | None = None
    place: str | None = None
    signer_name: str | None = None
    signer_title: str | None = None
    signing_authority: SigningAuthority | None = None
    summary: str | None = None
    recipients: str | None = None
    classification: Classification | None = None
    urgency: Urgency | None = None
    deadline: datetime.date | None = None

    @field_validator("*", mode="after")
    @classmethod
    def _required_value(cls, value: Any, info: Any) -> Any:
        # Runs only for fields the client sent: an explicit null is refused, not stored.
        if value is None and info.field_name not in _NULLABLE:
            raise PydanticCustomError("null", _("This field cannot be null."))
        return value


class DraftEditForm(DraftPatch):
    model_config = ConfigDict(extra="ignore", use_enum_values=True)


class HandlerIn(_Input):
    username: str
    role: HandlingRole
    deadline: datetime.date | None = Field(None, description="The document's deadline if absent.")


class AssignIn(_Input):
    handlers: list[HandlerIn]
    deadline: datetime.date | None = None
    note: str = ""


class ProgressIn(_FormInput):
    note: str = ""
    done: bool = Field(False, description="The caller's part is finished.")


class NoteIn(_Input):
    note: str = ""


class SubmitIn(_Input):
    reviewers: list[str] = Field(
        default_factory=list, description="Usernames, in review order; none: ready to sign."
    )


class ReviewIn(_Input):
    approve: bool
    comment: str = Field("", description="Required when the draft is returned.")


class SignIn(_FormInput):
    passphrase: str = ""
    title: str = Field("", description="The signer's title, printed in the signature box.")


class IssueIn(_FormInput):
    passphrase: str = Field("", description="Of the organisation's certificate, if given.")


class SendIn(_Input):
    recipients: list[str] = Field(description="Codes of the recipient organisations.")


class RecallIn(_Input):
    recipient: str = Field(description="Code of the recipient organisation.")
    reason: str = ""


class ReasonIn(_Input):
    reason: str = ""


class GrantIn(_Input):
    username: str
