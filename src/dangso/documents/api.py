"""Documents API: registers, the document page, the inbox, and every step of the workflows.

Reads need document.view over the document's organisation, and a classified document is
visible only to those granted it (`queries.visible_documents`, DESIGN rules 1 and 3); reading
one is audited. Each write needs its capability over the document's organisation as well:
registering, receiving, returning, issuing, sending and recalling document.register, assigning
document.assign, drafting and submitting document.draft, signing document.sign; reviewing and
recording progress need only document.view, the action checking that it is the caller's turn.
Without the capability anywhere the answer is 403; a document out of scope is 404, as if it
did not exist. The rules themselves live in `documents.actions`, which refuse bad input with a
message and write nothing.
"""

import datetime
import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from ninja import File, Form, P, QueryEx, Router, Schema, Status, UploadedFile
from ninja.errors import AuthorizationError

from dangso.accounts.api_auth import api_user, get_in_scope, require, scoped
from dangso.accounts.roles import Capability
from dangso.accounts.scope import covers, restrict
from dangso.core.audit import Actor, client_address
from dangso.core.classification import Classification
from dangso.core.files import IntegrityFailure, Upload
from dangso.core.pagination import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    cursor_page,
    decode_cursor,
    encode_cursor,
)
from dangso.documents import actions
from dangso.documents.actions import Handler
from dangso.documents.choices import AttachmentKind, Direction, DocumentStatus
from dangso.documents.models import (
    Assignment,
    Attachment,
    Congress,
    Delivery,
    Document,
    DocumentType,
    IssuingBody,
    ReviewStep,
)
from dangso.documents.queries import (
    RegisterFilters,
    inbox,
    newest_matches,
    register_page,
    visible_documents,
)
from dangso.documents.schemas import (
    TYPE_HELP,
    AssignIn,
    AttachmentOut,
    DocumentDetail,
    DocumentPage,
    DraftEditForm,
    DraftIn,
    DraftPatch,
    GrantIn,
    InboxOut,
    IncomingIn,
    IssueIn,
    IssuingBodyPage,
    NoteIn,
    Problem,
    ProgressIn,
    ReasonIn,
    RecallIn,
    ReviewIn,
    SendIn,
    SignIn,
    SubmitIn,
    TypeOut,
)
from dangso.orgs.models import Organisation

logger = logging.getLogger(__name__)
router = Router()
User = get_user_model()


def _actor(request: HttpRequest) -> Actor:
    return Actor.for_user(api_user(request), client_address(request))


# --- helpers ----------------------------------------------------------------------------


def _detail_queryset(documents: QuerySet[Document]) -> QuerySet[Document]:
    return documents.select_related(
        "document_type", "organisation", "issuing_body"
    ).prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.order_by("id")),
        "events",
        Prefetch("assignments", queryset=Assignment.objects.select_related("user")),
        Prefetch("reviews", queryset=ReviewStep.objects.select_related("reviewer")),
        Prefetch("deliveries", queryset=Delivery.objects.select_related("recipient")),
    )


def _document(
    request: HttpRequest,
    document_id: int,
    capability: str = Capability.DOC_VIEW,
    *,
    detailed: bool = False,
) -> Document:
    """The document, if the caller may see it and holds `capability` over its organisation.

    403 without the capability anywhere; 404 when the document is out of scope or classified
    and not granted; 403 when the caller sees it but may not do this to it. Call inside the
    write's transaction: the row stays locked until the action is done.
    """
    user = api_user(request)
    require(user, Capability.DOC_VIEW)
    require(user, capability)
    documents = visible_documents(user).select_related("organisation", "document_type")
    if detailed:
        documents = _detail_queryset(documents)
    if transaction.get_connection().in_atomic_block:
        documents = documents.select_for_update(of=("self",))
    document = documents.filter(pk=document_id).first()
    if document is None:
        raise Http404
    if not covers(user, capability, document.organisation.path):
        raise AuthorizationError()
    return document


def _detail(document: Document) -> Document:
    return _detail_queryset(Document.objects.all()).get(pk=document.pk)


def _organisation(user: Any, capability: str, code: str, field: str) -> Organisation:
    """An organisation named in a request body by its code; out of scope reads as unknown."""
    code = code.strip()
    organisation = restrict(Organisation.objects.all(), user, capability).filter(code=code).first()
    if organisation is None:
        raise ValidationError({field: _("Choose an organisation within your scope by its code.")})
    return organisation


def _recipients(codes: Sequence[str], field: str) -> list[Organisation]:
    """Organisations anywhere in the system, by code: documents go beyond one's own scope."""
    wanted = [code.strip() for code in codes]
    found = {org.code: org for org in Organisation.objects.filter(code__in=wanted)}
    for code in wanted:
        if code not in found:
            raise ValidationError(
                {field: _("No organisation has the code “%(code)s”.") % {"code": code}}
            )
    return [found[code] for code in wanted]


def _document_type(abbreviation: str) -> DocumentType:
    document_type = DocumentType.objects.filter(abbreviation=abbreviation.strip()).first()
    if document_type is None or not document_type.active:
        raise ValidationError({"document_type": _("Choose a document type that is in use.")})
    return document_type


def _people(usernames: Sequence[str], document: Document, field: str) -> list[Any]:
    """Users named by username who may read the document's organisation; an unknown name and
    one out of scope get the same answer, so that nobody learns who exists elsewhere."""
    wanted = [name.strip() for name in usernames]
    found = {user.username: user for user in User.objects.filter(username__in=wanted)}
    people = []
    for name in wanted:
        user = found.get(name)
        if user is None or not covers(user, Capability.DOC_VIEW, document.organisation.path):
            raise ValidationError(
                {
                    field: _("“%(username)s” is not a user who can read this organisation's "
                             "documents.") % {"username": name}
                }
            )  # fmt: skip
        people.append(user)
    return people


def _uploads(
    uploaded: Sequence[UploadedFile] | None, kind: str = AttachmentKind.MAIN
) -> list[Upload]:
    """The files of a multipart request. Reads at most one byte past the size limit, so that an
    over-size file is refused by `files.check_upload` without being held in memory whole."""
    limit = settings.DANGSO_UPLOAD_MAX_MB * 1024 * 1024
    return [Upload(item.name or "", item.read(limit + 1), kind) for item in uploaded or ()]


@sensitive_variables("p12", "passphrase")
def _credential(p12: UploadedFile | None, passphrase: str) -> Any:
    """A signing credential from an uploaded PKCS#12 file; the file is read, never stored."""
    from dangso.core import signing

    try:
        return signing.load_credential(p12.read() if p12 is not None else b"", passphrase)
    except signing.SigningError as error:
        field = "passphrase" if error.code == "wrong_passphrase" else "p12"
        raise ValidationError({field: error.messages}) from None


def _newest_first(
    documents: QuerySet[Document], *, query: str, cursor: str | None, limit: int
) -> dict:
    """A page of documents matching `query`, newest entry first, after `cursor` (the last id
    of the page before); a search goes through `queries.newest_matches()`.

    By id, not by register time: drafts and documents awaiting receipt have none, and the two
    databases sort NULLs differently; the id order is the order the entries were made in."""
    if cursor:
        documents = documents.filter(pk__lt=decode_cursor(cursor))
    rows = newest_matches(documents, query, 0, limit + 1, order=("-pk",))
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": rows, "next_cursor": encode_cursor(rows[-1].pk) if more else None}


def _fields(payload: Schema, *, exclude: set[str], unset: bool = False) -> dict[str, Any]:
    return payload.model_dump(exclude=exclude, exclude_unset=unset)


def _resolve_references(data: dict[str, Any], organisation: Organisation) -> dict[str, Any]:
    """Turn the ids and abbreviations of a draft's body into the records the action takes."""
    if "document_type" in data:
        data["document_type"] = _document_type(data["document_type"] or "")
    if "issuing_body" in data:
        body = data["issuing_body"]
        data["issuing_body"] = (
            IssuingBody.objects.filter(pk=body, organisation=organisation).first()
            if body is not None
            else None
        )
    if "congress" in data and data["congress"] is not None:
        congress = Congress.objects.filter(pk=data["congress"], organisation=organisation).first()
        if congress is None:
            raise ValidationError({"congress": _("Choose a congress of this organisation.")})
        data["congress"] = congress
    return data


# --- reads ------------------------------------------------------------------------------


_LIMIT = P(ge=1, le=MAX_LIMIT, description=f"Page size, at most {MAX_LIMIT}.")
_SEARCH = P(description="Words of the number, summary, issuer or file text; diacritics ignored.")
_REGISTER = P(description="Code of one organisation: only its register.")
_TYPE_FILTER = P(description=TYPE_HELP)


@router.get("/", response=DocumentPage)
def list_documents(
    request: HttpRequest,
    direction: Direction | None = None,
    status: DocumentStatus | None = None,
    type: QueryEx[str | None, _TYPE_FILTER] = None,
    q: QueryEx[str | None, _SEARCH] = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    issuer: str | None = None,
    classification: Classification | None = None,
    organisation: QueryEx[str | None, _REGISTER] = None,
    overdue: bool = False,
    cursor: str | None = None,
    limit: QueryEx[int, _LIMIT] = DEFAULT_LIMIT,
) -> dict:
    """Documents in the caller's registers and those below, newest entry first."""
    user = api_user(request)
    require(user, Capability.DOC_VIEW)
    org = None
    if organisation:
        org = get_in_scope(Organisation.objects.all(), user, Capability.DOC_VIEW, code=organisation)
    document_type = None
    if type:
        document_type = DocumentType.objects.filter(abbreviation=type).first()
        if document_type is None:
            raise ValidationError({"type": _("Choose a document type that is in use.")})
    filters = RegisterFilters(
        direction=direction or "", status=status or "", query=q or "",
        document_type=document_type.pk if document_type else None,
        classification=classification or "", issuer=issuer or "", date_from=date_from,
        date_to=date_to, organisation=org, overdue=overdue,
    )  # fmt: skip
    unsearched = register_page(user, replace(filters, query=""))
    return _newest_first(unsearched, query=filters.query, cursor=cursor, limit=limit)


@router.get("/inbox", response=InboxOut)
def get_inbox(request: HttpRequest) -> Any:
    """What waits for the caller: to handle, review, assign, receive, sign, issue, redo."""
    user = api_user(request)
    require(user, Capability.DOC_VIEW)
    return inbox(user)


@router.get("/types", response=list[TypeOut])
def list_types(request: HttpRequest) -> QuerySet[DocumentType]:
    """The document types of HD 36 and their abbreviations, in their usual order."""
    require(api_user(request), Capability.DOC_VIEW)
    return DocumentType.objects.all()


@router.get("/issuing-bodies", response=IssuingBodyPage)
def list_issuing_bodies(
    request: HttpRequest,
    organisation: QueryEx[str | None, P(description="Code of one organisation.")] = None,
    active: bool | None = None,
    cursor: str | None = None,
    limit: QueryEx[int, _LIMIT] = DEFAULT_LIMIT,
) -> dict:
    """The bodies that issue documents (committees, offices) in the caller's scope."""
    user = api_user(request)
    bodies = scoped(IssuingBody.objects.select_related("organisation"), user, Capability.DOC_VIEW)
    if organisation:
        bodies = bodies.filter(organisation__code=organisation)
    if active is not None:
        bodies = bodies.filter(active=active)
    return cursor_page(bodies, cursor=cursor, limit=limit)


@router.get("/{int:document_id}", response=DocumentDetail)
def get_document(request: HttpRequest, document_id: int) -> Document:
    """The document page. Reading a classified document is recorded in the audit log."""
    document = _document(request, document_id, detailed=True)
    actions.record_read(document, _actor(request))
    return document


@router.get(
    "/{int:document_id}/attachments/{int:attachment_id}",
    response={409: Problem},
    openapi_extra={
        "responses": {
            200: {
                "description": "The file, checked against its SHA-256.",
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            }
        }
    },
)
def get_attachment(request: HttpRequest, document_id: int, attachment_id: int) -> Any:
    """The file's bytes, decrypted and checked; 409 when the stored file no longer matches."""
    document = _document(request, document_id)
    attachment = document.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    try:
        content = actions.read_file(attachment)
    except IntegrityFailure as failure:
        logger.error("refused to serve %s: %s", failure.storage_name, failure)
        return Status(409, {"detail": failure.message})
    actions.record_read(document, _actor(request))
    response = HttpResponse(content, content_type=attachment.content_type)
    disposition = content_disposition_header(True, attachment.name) or "attachment"
    response.headers["Content-Disposition"] = disposition
    response.headers["Cache-Control"] = "private, no-store" if document.is_classified else "private"
    return response


# --- incoming ---------------------------------------------------------------------------


@router.post("/incoming", response={201: DocumentDetail})
def register_incoming(
    request: HttpRequest,
    payload: Form[IncomingIn],
    files: File[list[UploadedFile]] = None,  # type: ignore[assignment]
    annexes: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> Status[Document]:
    """Vào sổ: register a document from outside the system, with its files (multipart)."""
    user = api_user(request)
    require(user, Capability.DOC_REGISTER)
    with transaction.atomic():
        organisation = _organisation(
            user, Capability.DOC_REGISTER, payload.organisation, "organisation"
        )
        data = _fields(payload, exclude={"organisation"})
        data["document_type"] = _document_type(data["document_type"])
        document = actions.register_incoming(
            data,
            organisation=organisation,
            uploads=_uploads(files) + _uploads(annexes, AttachmentKind.ANNEX),
            actor=_actor(request),
        )
    return Status(201, _detail(document))


@router.post("/{int:document_id}/receive", response=DocumentDetail)
def receive_document(request: HttpRequest, document_id: int) -> Document:
    """Tiếp nhận: take a document sent inside the system into the incoming register."""
    with transaction.atomic():
        document = _document(request, document_id, Capability.DOC_REGISTER)
        actions.receive(document, actor=_actor(request))
    return _detail(document)


@router.post("/{int:document_id}/return", response=DocumentDetail)
def return_document(request: HttpRequest, document_id: int, payload: ReasonIn) -> Document:
    """Trả lại: send a document received by mistake or with errors back, with the reason."""
    with transaction.atomic():
        document = _document(request, document_id, Capability.DOC_REGISTER)
        actions.return_to_sender(document, reason=payload.reason, actor=_actor(request))
    return _detail(document)


@router.post("/{int:document_id}/assign", response=DocumentDetail)
def assign_document(request: HttpRequest, document_id: int, payload: AssignIn) -> Document:
    """Giao xử lý: name the handlers (one lead), their roles and the deadline."""
    with transaction.atomic():
        document = _document(request, document_id, Capability.DOC_ASSIGN)
        people = _people([h.username for h in payload.handlers], document, "handlers")
        handlers = [
            Handler(user=person, role=h.role, deadline=h.deadline)
            for person, h in zip(people, payload.handlers, strict=True)
        ]
        actions.assign(
            document, handlers, deadline=payload.deadline, note=payload.note,
            actor=_actor(request),
        )  # fmt: skip
    return _detail(document)


@router.post("/{int:document_id}/progress", response=DocumentDetail)
def record_progress(
    request: HttpRequest,
    document_id: int,
    payload: Form[ProgressIn],
    files: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> Document:
    """A handler reports what was done, with result files (multipart); `done` ends their part."""
    with transaction.atomic():
        document = _document(request, document_id)
        actions.record_progress(
            document, note=payload.note, done=payload.done,
            uploads=_uploads(files, AttachmentKind.RESULT), actor=_actor(request),
        )  # fmt: skip
    return _detail(document)


@router.post("/{int:document_id}/close", response=DocumentDetail)
def close_document(request: HttpRequest, document_id: int, payload: NoteIn) -> Document:
    """Kết thúc: the lead handler, or a leader who assigns, closes the handling."""
    user = api_user(request)
    with transaction.atomic():
        document = _document(request, document_id)
        by_leader = covers(user, Capability.DOC_ASSIGN, document.organisation.path)
        actions.close(document, note=payload.note, actor=_actor(request), by_leader=by_leader)
    return _detail(document)


# --- outgoing ---------------------------------------------------------------------------


@router.post("/drafts", response={201: DocumentDetail})
def create_draft(
    request: HttpRequest,
    payload: Form[DraftIn],
    files: File[list[UploadedFile]] = None,  # type: ignore[assignment]
    annexes: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> Status[Document]:
    """Dự thảo: a new outgoing or internal document, answering an incoming one if given."""
    user = api_user(request)
    require(user, Capability.DOC_DRAFT)
    with transaction.atomic():
        organisation = _organisation(
            user, Capability.DOC_DRAFT, payload.organisation, "organisation"
        )
        replies_to = None
        if payload.replies_to is not None:
            replies_to = visible_documents(user).filter(pk=payload.replies_to).first()
            if replies_to is None:
                raise ValidationError(
                    {"replies_to": _("Choose an incoming document you can read.")}
                )
        data = _resolve_references(
            _fields(payload, exclude={"organisation", "direction", "replies_to"}), organisation
        )
        document = actions.draft(
            data,
            organisation=organisation,
            uploads=_uploads(files) + _uploads(annexes, AttachmentKind.ANNEX),
            actor=_actor(request),
            replies_to=replies_to,
            direction=payload.direction,
        )
    return Status(201, _detail(document))


@router.patch("/{int:document_id}/draft", response=DocumentDetail)
def edit_draft(request: HttpRequest, document_id: int, payload: DraftPatch) -> Document:
    """Correct a draft's metadata (JSON): only the fields given change."""
    with transaction.atomic():
        document = _document(request, document_id, Capability.DOC_DRAFT)
        data = _resolve_references(
            _fields(payload, exclude=set(), unset=True), document.organisation
        )
        actions.edit_draft(document, data, actor=_actor(request))
    return _detail(document)


@router.post("/{int:document_id}/draft", response=DocumentDetail)
def edit_draft_with_files(
    request: HttpRequest,
    document_id: int,
    payload: Form[DraftEditForm],
    files: File[list[UploadedFile]] = None,  # type: ignore[assignment]
    annexes: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> Document:
    """Correct a draft and add files (multipart): only the fields given change."""
    with transaction.atomic():
        document = _document(request, document_id, Capability.DOC_DRAFT)
        data = _resolve_references(
            _fields(payload, exclude=set(), unset=True), document.organisation
        )
        actions.edit_draft(
            document, data, actor=_actor(request),
            uploads=_uploads(files) + _uploads(annexes, AttachmentKind.ANNEX),
        )  # fmt: skip
    return _detail(document)


@router.post("/{int:document_id}/attachments", response={201: list[AttachmentOut]})
def attach_files(
    request: HttpRequest,
    document_id: int,
    files: File[list[UploadedFile]] = None,  # type: ignore[assignment]
    annexes: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> Status[list[Attachment]]:
    """Add files (multipart) to a draft (document.draft) or an incoming document being
    registered or handled (document.register)."""
    user = api_user(request)
    with transaction.atomic():
        document = _document(request, document_id)
        capability = (
            Capability.DOC_REGISTER
            if document.direction == Direction.INCOMING
            else Capability.DOC_DRAFT
        )
        if not covers(user, capability, document.organisation.path):
            raise AuthorizationError()
        uploads = _uploads(files) + _uploads(annexes, AttachmentKind.ANNEX)
        if not uploads:
            raise ValidationError({"files": _("Attach at least one file.")})
        attachments = actions.attach(document, uploads, actor=_actor(request))
    return Status(201, attachments)


@router.post("/{int:document_id}/submit", response=DocumentDetail)
def submit_draft(request: HttpRequest, document_id: int, payload: SubmitIn) -> Document:
    """Trình duyệt: send the draft to its reviewers in order."""
    with transaction.atomic():
        document = _document(request, document_id, Capability.DOC_DRAFT)
        reviewers = _people(payload.reviewers, document, "reviewers")
        actions.submit(document, reviewers, actor=_actor(request))
    return _detail(document)


@router.post("/{int:document_id}/review", response=DocumentDetail)
def review_draft(request: HttpRequest, document_id: int, payload: ReviewIn) -> Document:
    """Duyệt: the reviewer whose turn it is approves, or returns the draft with a comment."""
    with transaction.atomic():
        document = _document(request, document_id)
        actions.review(
            document, approve=payload.approve, comment=payload.comment, actor=_actor(request)
        )
    return _detail(document)


@router.post("/{int:document_id}/sign", response=DocumentDetail)
@sensitive_post_parameters("passphrase")
@sensitive_variables("payload", "p12", "credential")
def sign_document(
    request: HttpRequest,
    document_id: int,
    payload: Form[SignIn],
    p12: File[UploadedFile | None] = None,  # type: ignore[assignment]
) -> Document:
    """Ký số: sign the approved PDF with the caller's PKCS#12 certificate (multipart: `p12`,
    `passphrase`, `title`). The certificate file is used for this signature only, never kept."""
    with transaction.atomic():
        document = _document(request, document_id, Capability.DOC_SIGN)
        credential = _credential(p12, payload.passphrase)
        actions.sign(
            document, credential, title=payload.title, actor=_actor(request),
            signer=api_user(request),
        )  # fmt: skip
    return _detail(document)


@router.post("/{int:document_id}/issue", response=DocumentDetail)
@sensitive_post_parameters("passphrase")
@sensitive_variables("payload", "p12", "credential")
def issue_document(
    request: HttpRequest,
    document_id: int,
    payload: Form[IssueIn],
    p12: File[UploadedFile | None] = None,  # type: ignore[assignment]
) -> Document:
    """Cấp số: number the signed document and enter it in the outgoing register; with the
    organisation's certificate (multipart `p12`, `passphrase`), add the organisation's
    signature."""
    with transaction.atomic():
        document = _document(request, document_id, Capability.DOC_REGISTER)
        credential = _credential(p12, payload.passphrase) if p12 is not None else None
        actions.issue(document, actor=_actor(request), organisation_credential=credential)
    return _detail(document)


@router.post("/{int:document_id}/send", response=DocumentDetail)
def send_document(request: HttpRequest, document_id: int, payload: SendIn) -> Document:
    """Gửi: put the issued document in each recipient organisation's incoming queue."""
    with transaction.atomic():
        document = _document(request, document_id, Capability.DOC_REGISTER)
        recipients = _recipients(payload.recipients, "recipients")
        actions.send(document, recipients, actor=_actor(request))
    return _detail(document)


@router.post("/{int:document_id}/recall", response=DocumentDetail)
def recall_document(request: HttpRequest, document_id: int, payload: RecallIn) -> Document:
    """Thu hồi: take back the document from a recipient that has not yet received it."""
    with transaction.atomic():
        document = _document(request, document_id, Capability.DOC_REGISTER)
        (recipient,) = _recipients([payload.recipient], "recipient")
        actions.recall(document, recipient, reason=payload.reason, actor=_actor(request))
    return _detail(document)


@router.post("/{int:document_id}/grant", response=DocumentDetail)
def grant_access(request: HttpRequest, document_id: int, payload: GrantIn) -> Document:
    """Let one person read a classified document: the clerk who keeps the register or a
    leader who assigns may grant it."""
    user = api_user(request)
    with transaction.atomic():
        document = _document(request, document_id)
        path = document.organisation.path
        if not (
            covers(user, Capability.DOC_REGISTER, path) or covers(user, Capability.DOC_ASSIGN, path)
        ):
            raise AuthorizationError()
        (person,) = _people([payload.username], document, "username")
        actions.grant(document, person, actor=_actor(request))
    return _detail(document)
