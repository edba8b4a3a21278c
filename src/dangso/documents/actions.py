"""Document actions: the steps of the incoming and outgoing workflows (domain.md §4).

Incoming: registered by the clerk → assigned by a leader to handlers (lead / support / for
information) with a deadline → handlers record progress and results → closed, or answered by
an outgoing document. Outgoing: draft → review (any number of steps) → signed → numbered →
sent; inside the system, sending puts an entry in each recipient's incoming queue, which the
recipient's clerk receives into their register; a sender may recall what is not yet received.

Each action checks its rules first and writes nothing when one refuses (a Vietnamese message);
it then writes the document, its `DocumentEvent` and the audit entry in one transaction.
Who may call an action (capability and scope) is checked by the view or API handler.
"""

import datetime
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangso.accounts.roles import Capability
from dangso.accounts.scope import covers, people_who_can
from dangso.core import audit, files, signing, verification
from dangso.core.audit import Actor
from dangso.core.files import Upload
from dangso.core.text import clean_spaces, fold, nfc
from dangso.documents import numbering
from dangso.documents.choices import (
    INCOMING_OPEN,
    AttachmentKind,
    DeliveryStatus,
    Direction,
    DocumentStatus,
    EventKind,
    HandlingRole,
    ReviewDecision,
)
from dangso.documents.models import (
    Assignment,
    Attachment,
    Delivery,
    Document,
    DocumentEvent,
    Grant,
    ReviewStep,
)
from dangso.orgs.models import Organisation

User = get_user_model()

# Fields a clerk or drafter fills in.
DOCUMENT_FIELDS = (
    "document_type", "symbol", "issuer_name", "place", "issued_on", "signer_name",
    "signer_title", "signing_authority", "summary", "recipients", "classification",
    "urgency", "received_on", "deadline", "issuing_body", "congress",
)  # fmt: skip
# Text kept in `search_text` from each attachment (the first pages carry the substance).
SEARCH_TEXT_PER_FILE = 20_000


def _now() -> datetime.datetime:
    return timezone.now()


def _event(
    document: Document, kind: str, actor: Actor, note: str = "", **data: Any
) -> DocumentEvent:
    return DocumentEvent.objects.create(
        document=document,
        kind=kind,
        at=_now(),
        actor_id=actor.user_id,
        actor_name=actor.name,
        note=note,
        data=json.loads(json.dumps(data, default=audit.to_json_value)),
    )


def _refuse_unless(document: Document, *statuses: str) -> None:
    if document.status not in statuses:
        raise ValidationError(
            _("This cannot be done to a document that is “%(status)s”.")
            % {"status": document.get_status_display()}
        )


def refresh_search_text(document: Document) -> None:
    """Fold number, summary, issuer and attachment text into `search_text` and save it."""
    parts = [document.symbol, document.summary, document.issuer_name]
    for text in document.attachments.filter(current=True).values_list("text", flat=True):
        parts.append(text[:SEARCH_TEXT_PER_FILE])
    folded = fold(" ".join(part for part in parts if part))
    # Letters and digits only, as `queries.search_words` splits a query: PostgreSQL's parser
    # would keep "cv/vptu" as one token and a search for "96-CV/VPTU" would never match.
    document.search_text = " ".join("".join(c if c.isalnum() else " " for c in folded).split())
    Document.objects.filter(pk=document.pk).update(search_text=document.search_text)


def _field_values(document: Document) -> dict[str, Any]:
    """The fields a person fills in, relations by id (a new document has none yet)."""
    attnames = {field.name: field.attname for field in Document._meta.concrete_fields}
    return {name: getattr(document, attnames[name]) for name in DOCUMENT_FIELDS}


def _apply_fields(document: Document, data: Mapping[str, Any]) -> dict[str, Any]:
    before = _field_values(document)
    for name, value in data.items():
        if name not in DOCUMENT_FIELDS:
            continue
        if isinstance(value, str):
            value = clean_spaces(nfc(value)) if name != "recipients" else nfc(value).strip()
        setattr(document, name, value)
    files.check_classification(document.classification)
    if document.document_type_id is None:
        raise ValidationError({"document_type": _("Choose the type of document.")})
    if not (document.summary or "").strip():
        raise ValidationError({"summary": _("Write the summary (trích yếu) of the document.")})
    return audit.diff(before, _field_values(document))


def _store_file(
    document: Document,
    content: bytes,
    checked: files.CheckedFile,
    actor: Actor,
    *,
    kind: str,
    encrypted: bool,
    supersedes: Attachment | None = None,
) -> Attachment:
    """Store the bytes once by their SHA-256 and record them as a file of `document`; a PDF's
    signatures are validated on the way in."""
    storage_name = files.store(content, sha256=checked.sha256, encrypt=encrypted)
    attachment = Attachment.objects.create(
        document=document,
        kind=kind,
        name=supersedes.name if supersedes is not None else checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        storage_name=storage_name,
        encrypted=encrypted,
        pages=checked.pages,
        text=supersedes.text if supersedes is not None else checked.text,
        supersedes=supersedes,
        uploaded_by_id=actor.user_id,
    )
    if checked.content_type == files.PDF:
        _check_signatures(attachment, content)
    return attachment


def _check_signatures(attachment: Attachment, content: bytes) -> None:
    """Validate the signatures of an uploaded PDF, if it carries any, and keep the report."""
    report = verification.validate_pdf(content)
    if report.status != "unsigned":
        attachment.signature_report = report.to_json()
        attachment.save(update_fields=["signature_report"])


def _attach_all(document: Document, uploads: Iterable[Upload], actor: Actor) -> list[Attachment]:
    """Store the files of `document`; the caller refreshes its search text once, after.
    Every file is checked before any is stored, so a refusal leaves nothing on disk."""
    checked = [(upload, files.check_upload(upload.name, upload.content)) for upload in uploads]
    attachments = [
        _store_file(
            document,
            upload.content,
            check,
            actor,
            kind=upload.kind,
            encrypted=document.is_classified,
        )
        for upload, check in checked
    ]
    return attachments


def _grant_leaders(document: Document, actor: Actor) -> None:
    """A classified document in a register is shown to the leaders who assign its handling."""
    if document.is_classified:
        for leader in people_who_can(Capability.DOC_ASSIGN, document.organisation, here_only=True):
            _grant(document, leader.pk, actor)


def _grant(document: Document, user_id: int | None, actor: Actor) -> None:
    if document.is_classified and user_id:
        Grant.objects.get_or_create(
            document=document, user_id=user_id, defaults={"granted_by_id": actor.user_id}
        )


# --- incoming --------------------------------------------------------------------------------


@transaction.atomic
def register_incoming(
    data: Mapping[str, Any],
    *,
    organisation: Organisation,
    uploads: Sequence[Upload] = (),
    actor: Actor,
) -> Document:
    """Vào sổ: a document from outside the system enters the organisation's incoming register
    with the next incoming number."""
    document = Document(
        organisation=organisation, direction=Direction.INCOMING, created_by_id=actor.user_id
    )
    changes = _apply_fields(document, data)
    if not document.issuer_name:
        raise ValidationError({"issuer_name": _("Say who issued the document.")})
    document.status = DocumentStatus.REGISTERED
    document.received_on = document.received_on or timezone.localdate()
    document.registered_at = _now()
    numbering.register(document, timezone.localdate())
    document.issuing_body = None
    document.full_clean(exclude=["search_text", "document_type"])
    document.save()
    _grant(document, actor.user_id, actor)
    _grant_leaders(document, actor)
    _attach_all(document, uploads, actor)
    refresh_search_text(document)  # searchable by number, summary and issuer without files too
    _event(document, EventKind.REGISTERED, actor, register_number=document.register_number)
    audit.record(actor, "document.register", document, changes=changes)
    return document


@transaction.atomic
def receive(document: Document, *, actor: Actor) -> Document:
    """Tiếp nhận: the recipient's clerk takes a document sent inside the system into the
    incoming register."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    _refuse_unless(document, DocumentStatus.PENDING)
    document.status = DocumentStatus.REGISTERED
    document.received_on = timezone.localdate()
    document.registered_at = _now()
    numbering.register(document, timezone.localdate())
    document.save()
    _grant(document, actor.user_id, actor)
    _grant_leaders(document, actor)
    _event(document, EventKind.REGISTERED, actor, register_number=document.register_number)
    delivery = Delivery.objects.select_related("document").get(incoming=document)
    _set_delivery(delivery, DeliveryStatus.RECEIVED, actor)
    audit.record(actor, "document.receive", document)
    return document


def _set_delivery(delivery: Delivery, status: str, actor: Actor, note: str = "") -> None:
    delivery.status = status
    delivery.changed_at = _now()
    delivery.save(update_fields=["status", "changed_at"])
    kinds: dict[str, str] = {
        DeliveryStatus.RECEIVED: EventKind.RECEIVED,
        DeliveryStatus.HANDLED: EventKind.HANDLED,
        DeliveryStatus.RECALLED: EventKind.RECALLED,
        DeliveryStatus.RETURNED: EventKind.RETURNED,
    }
    kind = kinds[status]
    _event(
        delivery.document, kind, actor, note,
        recipient=delivery.recipient.name, recipient_id=delivery.recipient_id,
    )  # fmt: skip


@dataclass(frozen=True)
class Handler:
    user: Any
    role: str
    deadline: datetime.date | None = None


@transaction.atomic
def assign(
    document: Document,
    handlers: Sequence[Handler],
    *,
    deadline: datetime.date | None,
    actor: Actor,
    note: str = "",
) -> Document:
    """Giao xử lý: a leader names who handles the document, with one lead, and by when."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    _refuse_unless(document, *INCOMING_OPEN)
    named = {h.user.pk for h in handlers}
    if len(named) != len(handlers):
        raise ValidationError({"handlers": _("Each person can be named only once.")})
    # One lead among everyone handling it: those named now and those assigned before.
    leads = sum(1 for h in handlers if h.role == HandlingRole.LEAD)
    leads += document.assignments.filter(role=HandlingRole.LEAD).exclude(user_id__in=named).count()
    if leads != 1:
        raise ValidationError({"handlers": _("Name exactly one lead handler (chủ trì).")})
    today = timezone.localdate()
    if any(day and day < today for day in (deadline, *(h.deadline for h in handlers))):
        raise ValidationError({"deadline": _("The deadline cannot be in the past.")})
    path = document.organisation.path
    for handler in handlers:
        if not covers(handler.user, Capability.DOC_VIEW, path):
            raise ValidationError(
                {
                    "handlers": _("%(name)s cannot read this organisation's documents.")
                    % {"name": handler.user.get_full_name() or handler.user.get_username()}
                }
            )
    for handler in handlers:
        Assignment.objects.update_or_create(
            document=document,
            user=handler.user,
            defaults={
                "role": handler.role,
                "deadline": handler.deadline or deadline,
                "assigned_by_id": actor.user_id,
            },
        )
        _grant(document, handler.user.pk, actor)
    document.deadline = deadline
    document.status = DocumentStatus.ASSIGNED
    document.save(update_fields=["deadline", "status", "updated_at"])
    summary = [
        {"user": h.user.get_full_name() or h.user.get_username(), "role": h.role} for h in handlers
    ]
    _event(document, EventKind.ASSIGNED, actor, note, handlers=summary, deadline=deadline)
    audit.record(actor, "document.assign", document, changes={"handlers": summary})
    return document


def _assignment_of(document: Document, actor: Actor) -> Assignment:
    assignment = (
        document.assignments.filter(user_id=actor.user_id).first()
        if actor.user_id is not None
        else None
    )
    if assignment is None:
        raise ValidationError(_("You are not a handler of this document."))
    return assignment


@transaction.atomic
def record_progress(
    document: Document, *, note: str, uploads: Sequence[Upload] = (), actor: Actor,
    done: bool = False,
) -> Document:  # fmt: skip
    """A handler reports what was done, with result files; `done` marks their part finished."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    _refuse_unless(document, DocumentStatus.ASSIGNED)
    assignment = _assignment_of(document, actor)
    note = nfc(note).strip()
    if not note and not uploads:
        raise ValidationError({"note": _("Write what was done or attach a result.")})
    results = [Upload(u.name, u.content, AttachmentKind.RESULT) for u in uploads]
    attachments = _attach_all(document, results, actor)
    if attachments:
        refresh_search_text(document)
    kind = EventKind.HANDLER_DONE if done else EventKind.PROGRESS
    _event(document, kind, actor, note, files=[a.name for a in attachments])
    if done and assignment.done_at is None:
        assignment.done_at = _now()
        assignment.save(update_fields=["done_at"])
    audit.record(actor, f"document.{kind}", document, changes={"note": note})
    return document


@transaction.atomic
def close(document: Document, *, note: str = "", actor: Actor, by_leader: bool = False) -> Document:
    """Kết thúc: the lead handler (or a leader) closes the handling of an incoming document."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    _refuse_unless(document, *INCOMING_OPEN)
    if not by_leader:
        assignment = _assignment_of(document, actor)
        if assignment.role != HandlingRole.LEAD:
            raise ValidationError(_("Only the lead handler closes the document."))
    _finish_incoming(document, DocumentStatus.CLOSED, EventKind.CLOSED, actor, note)
    audit.record(actor, "document.close", document, changes={"note": note})
    return document


def _finish_incoming(
    document: Document, status: str, kind: str, actor: Actor, note: str = "", **data: Any
) -> None:
    document.status = status
    document.save(update_fields=["status", "updated_at"])
    document.assignments.filter(done_at__isnull=True).update(done_at=_now())
    _event(document, kind, actor, note, **data)
    delivery = Delivery.objects.filter(incoming=document).select_related("document").first()
    if delivery is not None and delivery.status == DeliveryStatus.RECEIVED:
        _set_delivery(delivery, DeliveryStatus.HANDLED, actor)


@transaction.atomic
def return_to_sender(document: Document, *, reason: str, actor: Actor) -> Document:
    """Trả lại: a document received by mistake or with errors goes back through the system
    (NĐ 63/2026 asks errors to be returned that way)."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    _refuse_unless(document, DocumentStatus.PENDING)
    reason = clean_spaces(nfc(reason))
    if not reason:
        raise ValidationError({"reason": _("Say why the document is returned.")})
    delivery = Delivery.objects.select_related("document").get(incoming=document)
    document.status = DocumentStatus.RETURNED
    document.save(update_fields=["status", "updated_at"])
    _event(document, EventKind.RETURNED, actor, reason)
    _set_delivery(delivery, DeliveryStatus.RETURNED, actor, reason)
    audit.record(actor, "document.return", document, changes={"reason": reason})
    return document


# --- outgoing --------------------------------------------------------------------------------


@transaction.atomic
def draft(
    data: Mapping[str, Any],
    *,
    organisation: Organisation,
    uploads: Sequence[Upload] = (),
    actor: Actor,
    replies_to: Document | None = None,
    direction: str = Direction.OUTGOING,
) -> Document:
    """Dự thảo: a new outgoing (or internal) document, answering an incoming one if given."""
    if direction == Direction.INCOMING:
        raise ValidationError(_("Incoming documents are registered, not drafted."))
    document = Document(
        organisation=organisation,
        direction=direction,
        status=DocumentStatus.DRAFT,
        created_by_id=actor.user_id,
        replies_to=replies_to,
    )
    changes = _apply_fields(document, data)
    if replies_to is not None and replies_to.organisation_id != organisation.pk:
        raise ValidationError(
            _("A reply is drafted by the organisation that received the document.")
        )
    _check_issuing_body(document)
    document.issuer_name = document.issuing_body.name if document.issuing_body else ""
    document.full_clean(exclude=["search_text", "document_type"])
    document.save()
    _grant(document, actor.user_id, actor)
    _attach_all(document, uploads, actor)
    refresh_search_text(document)
    _event(document, EventKind.DRAFTED, actor, replies_to=replies_to.pk if replies_to else None)
    audit.record(actor, "document.draft", document, changes=changes)
    return document


def _check_issuing_body(document: Document) -> None:
    body = document.issuing_body
    if body is None:
        raise ValidationError({"issuing_body": _("Choose the body that issues the document.")})
    if body.organisation_id != document.organisation_id or not body.active:
        raise ValidationError(
            {"issuing_body": _("Choose an issuing body of this organisation that is in use.")}
        )
    congress = document.congress
    if congress is not None and congress.organisation_id != document.organisation_id:
        raise ValidationError({"congress": _("Choose a congress of this organisation.")})


@transaction.atomic
def edit_draft(
    document: Document, data: Mapping[str, Any], *, uploads: Sequence[Upload] = (), actor: Actor
) -> Document:
    document = Document.objects.select_for_update().get(pk=document.pk)
    _refuse_unless(document, DocumentStatus.DRAFT)
    changes = _apply_fields(document, data)
    _check_issuing_body(document)
    document.issuer_name = document.issuing_body.name  # type: ignore[union-attr]
    document.full_clean(exclude=["search_text", "document_type"])
    document.save()
    _attach_all(document, uploads, actor)
    refresh_search_text(document)
    _event(document, EventKind.EDITED, actor)
    audit.record(actor, "document.edit", document, changes=changes)
    return document


def main_file(document: Document) -> Attachment | None:
    return (
        document.attachments.filter(kind=AttachmentKind.MAIN, current=True).order_by("-id").first()
    )


@transaction.atomic
def submit(document: Document, reviewers: Sequence[Any], *, actor: Actor) -> Document:
    """Trình duyệt: the draft goes to its reviewers in order; with none, it is ready to sign."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    _refuse_unless(document, DocumentStatus.DRAFT)
    if main_file(document) is None:
        raise ValidationError(_("Attach the draft's file (PDF) before sending it for review."))
    if len({r.pk for r in reviewers}) != len(reviewers):
        raise ValidationError({"reviewers": _("Each reviewer can be named only once.")})
    for reviewer in reviewers:
        if not covers(reviewer, Capability.DOC_VIEW, document.organisation.path):
            raise ValidationError(
                {
                    "reviewers": _("%(name)s cannot read this organisation's documents.")
                    % {"name": reviewer.get_full_name() or reviewer.get_username()}
                }
            )
    rounds = document.reviews.order_by("-round").values_list("round", flat=True).first() or 0
    for position, reviewer in enumerate(reviewers, start=1):
        ReviewStep.objects.create(
            document=document, position=position, reviewer=reviewer, round=rounds + 1
        )
        _grant(document, reviewer.pk, actor)
    document.status = DocumentStatus.IN_REVIEW if reviewers else DocumentStatus.APPROVED
    document.save(update_fields=["status", "updated_at"])
    names = [r.get_full_name() or r.get_username() for r in reviewers]
    _event(document, EventKind.SUBMITTED, actor, reviewers=names)
    audit.record(actor, "document.submit", document, changes={"reviewers": names})
    return document


def current_review(document: Document) -> ReviewStep | None:
    return (
        document.reviews.filter(decision=ReviewDecision.PENDING)
        .order_by("-round", "position")
        .first()
    )


@transaction.atomic
def review(document: Document, *, approve: bool, comment: str = "", actor: Actor) -> Document:
    """Duyệt: the reviewer whose turn it is approves (the next one takes over, or the draft is
    ready to sign) or returns the draft to its author with a comment."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    _refuse_unless(document, DocumentStatus.IN_REVIEW)
    step = current_review(document)
    if step is None or step.reviewer_id != actor.user_id:
        raise ValidationError(_("It is not your turn to review this draft."))
    comment = nfc(comment).strip()
    if not approve and not comment:
        raise ValidationError({"comment": _("Say what must change before the draft returns.")})
    step.decision = ReviewDecision.APPROVED if approve else ReviewDecision.RETURNED
    step.comment = comment
    step.decided_at = _now()
    step.save(update_fields=["decision", "comment", "decided_at"])
    if not approve:
        document.status = DocumentStatus.DRAFT
        # The steps after this one will not be asked in this round.
        document.reviews.filter(round=step.round, decision=ReviewDecision.PENDING).delete()
    elif current_review(document) is None:
        document.status = DocumentStatus.APPROVED
    document.save(update_fields=["status", "updated_at"])
    _event(document, EventKind.REVIEWED, actor, comment, decision=step.decision)
    audit.record(actor, "document.review", document, changes={"decision": step.decision})
    return document


def _replace_with_signed(
    document: Document, original: Attachment, content: bytes, actor: Actor
) -> Attachment:
    """Store the signed PDF as the document's current main file, keeping the one it signed."""
    checked = files.check_upload(original.name, content)
    original.current = False
    original.save(update_fields=["current"])
    return _store_file(
        document, content, checked, actor,
        kind=AttachmentKind.MAIN, encrypted=original.encrypted, supersedes=original,
    )  # fmt: skip


def _sign_main_file(
    document: Document,
    original: Attachment,
    credential: Any,
    field_name: str,
    lines: list[str],
    reason: str,
    actor: Actor,
) -> Any:
    """Sign the document's PDF with a visible box and make the signed file its main file."""
    signed = signing.sign_pdf(
        read_file(original), credential, field_name=field_name, stamp_lines=lines,
        reason=reason, location=document.place,
    )  # fmt: skip
    _replace_with_signed(document, original, signed.content, actor)
    return signed


def read_file(attachment: Attachment) -> bytes:
    """The attachment's bytes, decrypted and checked against its SHA-256."""
    return files.open_stored(
        attachment.storage_name, sha256=attachment.sha256, encrypted=attachment.encrypted
    )


def _signable_main_file(document: Document) -> Attachment:
    attachment = main_file(document)
    if attachment is None or attachment.content_type != "application/pdf":
        raise ValidationError(_("Only a PDF can be signed: attach the document as a PDF."))
    return attachment


@transaction.atomic
def sign(
    document: Document, credential: Any, *, actor: Actor, title: str = "", signer: Any = None
) -> Document:
    """Ký số: the signer's personal PAdES signature on the approved PDF, with a visible box."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    _refuse_unless(document, DocumentStatus.APPROVED)
    original = _signable_main_file(document)
    when = timezone.localtime()
    lines = [
        _("Signed by: %(name)s") % {"name": credential.subject_name},
        *([title] if title else []),
        _("Date: %(when)s") % {"when": when.strftime("%d/%m/%Y %H:%M")},
    ]
    signed = _sign_main_file(
        document, original, credential, f"Personal{document.pk}", lines,
        _("Signing the document"), actor,
    )  # fmt: skip
    document.status = DocumentStatus.SIGNED
    document.signer_name = document.signer_name or credential.subject_name
    document.signer_title = document.signer_title or title
    document.signer_id = signer.pk if signer is not None else actor.user_id
    document.save()
    _grant(document, actor.user_id, actor)
    _event(document, EventKind.SIGNED, actor, level=signed.level, signer=credential.subject_name)
    audit.record(actor, "document.sign", document, changes={"level": signed.level})
    return document


@transaction.atomic
def issue(
    document: Document,
    *,
    actor: Actor,
    day: datetime.date | None = None,
    organisation_credential: Any = None,
) -> Document:
    """Cấp số: the clerk gives the signed document its number and symbol in its series and
    enters it in the outgoing register; with the organisation's certificate, the organisation's
    signature (the digital seal) is added, its box carrying the number and date."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    _refuse_unless(document, DocumentStatus.SIGNED)
    day = day or timezone.localdate()
    numbering.number_document(document, day)
    numbering.register(document, day)
    document.registered_at = _now()
    if organisation_credential is not None:
        original = _signable_main_file(document)
        lines = [
            document.issuing_body.name,  # type: ignore[union-attr]
            _("No. %(symbol)s, %(day)s")
            % {"symbol": document.symbol, "day": day.strftime("%d/%m/%Y")},
            _("Seal: %(name)s") % {"name": organisation_credential.subject_name},
        ]
        _sign_main_file(
            document, original, organisation_credential, f"Organisation{document.pk}", lines,
            _("Issuing the document"), actor,
        )  # fmt: skip
    document.status = DocumentStatus.ISSUED
    document.save()
    refresh_search_text(document)
    _grant(document, actor.user_id, actor)
    _event(document, EventKind.NUMBERED, actor, symbol=document.symbol)
    audit.record(actor, "document.issue", document, changes={"symbol": document.symbol})
    if document.replies_to_id:
        answered = Document.objects.select_for_update().get(pk=document.replies_to_id)
        if answered.status in INCOMING_OPEN:
            _finish_incoming(
                answered, DocumentStatus.ANSWERED, EventKind.ANSWERED, actor,
                symbol=document.symbol, answer_id=document.pk,
            )  # fmt: skip
    return document


@transaction.atomic
def send(document: Document, recipients: Sequence[Organisation], *, actor: Actor) -> Document:
    """Gửi: an issued document goes to each recipient organisation's incoming queue."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    _refuse_unless(document, DocumentStatus.ISSUED, DocumentStatus.SENT)
    if document.direction != Direction.OUTGOING:
        raise ValidationError(_("Only outgoing documents are sent to other organisations."))
    if not recipients:
        raise ValidationError({"recipients": _("Choose at least one recipient organisation.")})
    already = set(document.deliveries.exclude(status=DeliveryStatus.RECALLED).values_list(
        "recipient_id", flat=True
    ))  # fmt: skip
    for recipient in recipients:
        if recipient.pk == document.organisation_id:
            raise ValidationError(
                {"recipients": _("A document is not sent to its own organisation.")}
            )
        if not recipient.is_active:
            raise ValidationError(
                {"recipients": _("%(name)s is no longer active.") % {"name": recipient.name}}
            )
        if recipient.pk in already:
            raise ValidationError(
                {"recipients": _("It was already sent to %(name)s.") % {"name": recipient.name}}
            )
        already.add(recipient.pk)  # named twice in one sending
    now = _now()
    sources = list(document.attachments.filter(current=True))
    for recipient in recipients:
        incoming = Document.objects.create(
            organisation=recipient,
            direction=Direction.INCOMING,
            status=DocumentStatus.PENDING,
            document_type=document.document_type,
            number=document.number,
            symbol=document.symbol,
            issuer_name=document.issuing_body.name
            if document.issuing_body
            else document.issuer_name,
            place=document.place,
            issued_on=document.issued_on,
            signer_name=document.signer_name,
            signer_title=document.signer_title,
            signing_authority=document.signing_authority,
            summary=document.summary,
            recipients=document.recipients,
            classification=document.classification,
            urgency=document.urgency,
            search_text=document.search_text,
            created_by_id=actor.user_id,
        )
        for source in sources:  # the same stored bytes: content-addressed, nothing copied
            Attachment.objects.create(
                document=incoming,
                kind=source.kind,
                name=source.name,
                content_type=source.content_type,
                size=source.size,
                sha256=source.sha256,
                storage_name=source.storage_name,
                encrypted=source.encrypted,
                pages=source.pages,
                text=source.text,
                signature_report=source.signature_report,
                uploaded_by_id=actor.user_id,
            )
        Delivery.objects.update_or_create(
            document=document,
            recipient=recipient,
            defaults={
                "incoming": incoming,
                "status": DeliveryStatus.SENT,
                "sent_at": now,
                "changed_at": now,
            },
        )
        # A classified entry is visible only to those granted it: the recipient's clerks,
        # who must receive it (the one who does keeps the grant; receive() adds it anyway).
        if incoming.is_classified:
            for clerk in people_who_can(Capability.DOC_REGISTER, recipient, here_only=True):
                _grant(incoming, clerk.pk, actor)
        _event(incoming, EventKind.QUEUED, actor, sender=document.organisation.name)
    document.status = DocumentStatus.SENT
    document.save(update_fields=["status", "updated_at"])
    names = [r.name for r in recipients]
    _event(document, EventKind.SENT, actor, recipients=names)
    audit.record(actor, "document.send", document, changes={"recipients": names})
    return document


@transaction.atomic
def recall(
    document: Document, recipient: Organisation, *, actor: Actor, reason: str = ""
) -> Document:
    """Thu hồi: take back a document from a recipient that has not yet received it."""
    delivery = (
        Delivery.objects.select_for_update(of=("self",))  # PostgreSQL: not the outer join
        .select_related("document", "incoming", "recipient")
        .filter(document=document, recipient=recipient)
        .first()
    )
    if delivery is None:
        raise ValidationError(
            _("The document was not sent to %(name)s.") % {"name": recipient.name}
        )
    if delivery.status != DeliveryStatus.SENT:
        raise ValidationError(
            _("%(name)s has already received the document; it can no longer be recalled.")
            % {"name": recipient.name}
        )
    if delivery.incoming is not None:
        incoming = delivery.incoming
        incoming.status = DocumentStatus.RECALLED
        incoming.save(update_fields=["status", "updated_at"])
        _event(incoming, EventKind.RECALLED, actor, reason)
    _set_delivery(delivery, DeliveryStatus.RECALLED, actor, reason)
    audit.record(actor, "document.recall", document, changes={"recipient": recipient.name})
    return document


# --- files and access ------------------------------------------------------------------------


@transaction.atomic
def attach(document: Document, uploads: Sequence[Upload], *, actor: Actor) -> list[Attachment]:
    """Add files to a draft or to an incoming document being registered or handled."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    _refuse_unless(document, DocumentStatus.DRAFT, *INCOMING_OPEN)
    attachments = _attach_all(document, uploads, actor)
    refresh_search_text(document)
    _event(document, EventKind.ATTACHED, actor, files=[a.name for a in attachments])
    audit.record(
        actor, "document.attach", document, changes={"files": [a.name for a in attachments]}
    )
    return attachments


@transaction.atomic
def grant(document: Document, user: Any, *, actor: Actor) -> None:
    """Give one person the right to read a classified document (DESIGN rule 3)."""
    if not document.is_classified:
        raise ValidationError(_("Unclassified documents need no grant."))
    if not covers(user, Capability.DOC_VIEW, document.organisation.path):
        raise ValidationError(
            _("%(name)s cannot read this organisation's documents.")
            % {"name": user.get_full_name() or user.get_username()}
        )
    _grant(document, user.pk, actor)
    _event(document, EventKind.GRANTED, actor, user=user.get_username())
    audit.record(actor, "document.grant", document, changes={"user": user.get_username()})


def record_read(document: Document, actor: Actor) -> None:
    """Reading a classified document is audited (DESIGN rule 2)."""
    if document.is_classified:
        audit.record(actor, "document.read", document)
