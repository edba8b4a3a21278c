"""Document pages: inbox, registers (with .xlsx and PDF), the document page and its steps.

Views parse, authorise and call one action. A document is found through `visible_documents()`
(scope plus the classified-grant rule), so a document out of reach is a 404; each step then
checks the capability it needs over the document's organisation.
"""

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dangso.accounts.roles import Capability
from dangso.accounts.scope import can, covers, require_capability, restrict, scope_roots
from dangso.core import audit, files
from dangso.core.audit import Actor
from dangso.core.forms import show_errors
from dangso.core.responses import file_response
from dangso.core.spreadsheets import XLSX_CONTENT_TYPE
from dangso.documents import actions, offices
from dangso.documents import forms as doc_forms
from dangso.documents.actions import current_review
from dangso.documents.choices import (
    INCOMING_OPEN,
    DeliveryStatus,
    Direction,
    DocumentStatus,
    HandlingRole,
)
from dangso.documents.models import (
    Attachment,
    Congress,
    Document,
    DocumentType,
    IssuingBody,
)
from dangso.documents.queries import inbox, register_page, register_window, visible_documents
from dangso.orgs import actions as org_actions
from dangso.orgs.models import Organisation, Term

PAGE_SIZE = 50
DIRECTIONS = {"in": Direction.INCOMING, "out": Direction.OUTGOING, "internal": Direction.INTERNAL}


def _holds(request: HttpRequest, capability: str, document: Document) -> bool:
    return covers(request.user, capability, document.organisation.path)


def _visible(request: HttpRequest, pk: int) -> Document:
    return get_object_or_404(
        visible_documents(request.user).select_related(
            "organisation", "document_type", "issuing_body", "replies_to"
        ),
        pk=pk,
    )


@login_required
def inbox_view(request: HttpRequest) -> HttpResponse:
    """Việc của tôi: what waits for the signed-in person, overdue first."""
    require_capability(request, Capability.DOC_VIEW)
    return render(
        request,
        "documents/inbox.html",
        {
            "box": inbox(request.user),
            "today": timezone.localdate(),
            "can_register": can(request.user, Capability.DOC_REGISTER),
            "can_draft": can(request.user, Capability.DOC_DRAFT),
            "offices": scope_roots(request.user, Capability.DOC_REGISTER),
        },
    )


@dataclass
class Window:
    """One page of a register, without counting the whole register (it may hold millions)."""

    items: list[Document]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def _page_number(text: str | None) -> int:
    try:
        return max(1, int(text or 1))
    except ValueError:
        return 1


def _direction(slug: str) -> str:
    if slug not in DIRECTIONS:
        raise Http404
    return DIRECTIONS[slug]


@login_required
def register_view(request: HttpRequest, direction: str) -> HttpResponse:
    """Sổ đăng ký văn bản đến / đi: the register, filtered, newest entry first."""
    require_capability(request, Capability.DOC_VIEW)
    form = doc_forms.RegisterFilterForm(
        request.GET, user=request.user, direction=_direction(direction)
    )
    number = _page_number(request.GET.get("page"))
    start = (number - 1) * PAGE_SIZE
    items = (
        register_window(request.user, form.filters(), start, start + PAGE_SIZE + 1)
        if form.is_valid()
        else []
    )
    context = {
        "form": form,
        "page": Window(items[:PAGE_SIZE], number, len(items) > PAGE_SIZE),
        "direction": direction,
        "incoming": direction == "in",
        "can_register": can(request.user, Capability.DOC_REGISTER),
        "can_draft": can(request.user, Capability.DOC_DRAFT),
    }
    if request.htmx and not request.htmx.history_restore_request:  # type: ignore[attr-defined]
        return render(request, "documents/_register_rows.html", context)
    return render(request, "documents/register.html", context)


@login_required
def register_export(request: HttpRequest, direction: str, fmt: str) -> HttpResponse:
    """The filtered register as .xlsx or as a printable PDF; the export is audited."""
    from dangso.documents import registers

    require_capability(request, Capability.DOC_VIEW)
    kind = _direction(direction)
    form = doc_forms.RegisterFilterForm(request.GET, user=request.user, direction=kind)
    if not form.is_valid():
        messages.error(request, _("The filters are not valid; nothing was exported."))
        return redirect("documents:register", direction=direction)
    filters = form.filters()
    documents = registers.for_export(register_page(request.user, filters))
    roots = scope_roots(request.user, Capability.DOC_VIEW)
    organisation = filters.organisation or (roots[0] if len(roots) == 1 else None)
    audit.record(
        Actor.from_request(request),
        "document.export",
        organisation,
        object_type="documents.register",
        changes={"direction": kind, "format": fmt, "filters": form.label()},
    )
    stamp = timezone.localdate().strftime("%Y%m%d")
    name = f"so-van-ban-{'den' if kind == Direction.INCOMING else 'di'}-{stamp}"
    if fmt == "pdf":
        content = registers.register_pdf(
            documents, kind, organisation=organisation, filters_label=form.label()
        )
        return file_response(content, "application/pdf", f"{name}.pdf")
    out = io.BytesIO()
    registers.write_register_xlsx(
        documents, kind, out, organisation=organisation,
        filters_label=form.label(),
    )  # fmt: skip
    return file_response(out.getvalue(), XLSX_CONTENT_TYPE, f"{name}.xlsx")


def _form_page(
    request: HttpRequest,
    form: forms.Form,
    template: str,
    save: Callable[[], Document],
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            document = save()
        except ValidationError as error:
            show_errors(form, error)
        else:
            return redirect("documents:detail", pk=document.pk)
    return render(request, template, {"form": form, **(context or {})})


@login_required
def incoming_new(request: HttpRequest) -> HttpResponse:
    """Vào sổ văn bản đến: the clerk registers a document that arrived from outside."""
    require_capability(request, Capability.DOC_REGISTER)
    form = doc_forms.IncomingForm(request.POST or None, request.FILES or None, user=request.user)

    def save() -> Document:
        document = actions.register_incoming(
            form.document_data(),
            organisation=form.organisation(),
            uploads=doc_forms.uploads(form.cleaned_data["attachments"]),
            actor=Actor.from_request(request),
        )
        messages.success(
            request,
            _("Registered as incoming no. %(number)s.") % {"number": document.register_number},
        )
        return document

    return _form_page(request, form, "documents/incoming_form.html", save)


@login_required
def draft_new(request: HttpRequest) -> HttpResponse:
    """Dự thảo văn bản đi, answering an incoming document when ?replies_to= is given."""
    require_capability(request, Capability.DOC_DRAFT)
    replies_to = None
    if request.GET.get("replies_to", "").isdigit():
        replies_to = _visible(request, int(request.GET["replies_to"]))
    organisation = replies_to.organisation if replies_to else None
    form = doc_forms.DraftForm(
        request.POST or None, request.FILES or None, user=request.user, organisation=organisation
    )
    if replies_to is not None and not request.POST:
        form.initial["summary"] = _("Reply to %(symbol)s: %(summary)s") % {
            "symbol": replies_to.symbol or replies_to.issuer_name,
            "summary": replies_to.summary,
        }
        form.initial["document_type"] = DocumentType.objects.filter(abbreviation="CV").first()

    def save() -> Document:
        target = organisation or form.organisation()
        if not covers(request.user, Capability.DOC_DRAFT, target.path):
            raise PermissionDenied
        return actions.draft(
            form.document_data(),
            organisation=target,
            uploads=doc_forms.uploads(form.cleaned_data["attachments"]),
            actor=Actor.from_request(request),
            replies_to=replies_to,
        )

    return _form_page(request, form, "documents/draft_form.html", save, {"replies_to": replies_to})


@login_required
def draft_edit(request: HttpRequest, pk: int) -> HttpResponse:
    document = _visible(request, pk)
    if not _holds(request, Capability.DOC_DRAFT, document):
        raise PermissionDenied
    if document.status != DocumentStatus.DRAFT:
        messages.error(request, _("Only a draft can be edited."))
        return redirect("documents:detail", pk=pk)
    initial = {name: getattr(document, name) for name in actions.DOCUMENT_FIELDS}
    form = doc_forms.DraftForm(
        request.POST or None, request.FILES or None, user=request.user,
        organisation=document.organisation, initial=initial,
    )  # fmt: skip

    def save() -> Document:
        return actions.edit_draft(
            document,
            form.document_data(),
            uploads=doc_forms.uploads(form.cleaned_data["attachments"]),
            actor=Actor.from_request(request),
        )

    return _form_page(request, form, "documents/draft_form.html", save, {"document": document})


def _steps(request: HttpRequest, document: Document) -> dict[str, forms.Form]:
    """The forms of the steps this person may take on the document now."""
    user, status = request.user, document.status
    steps: dict[str, forms.Form] = {}
    register = _holds(request, Capability.DOC_REGISTER, document)
    assignment = document.assignments.filter(user_id=cast(int, user.pk)).first()
    if status == DocumentStatus.PENDING and register:
        steps["receive"] = forms.Form()
        steps["return"] = doc_forms.ReasonForm()
    if status in INCOMING_OPEN:
        if _holds(request, Capability.DOC_ASSIGN, document):
            steps["assign"] = doc_forms.AssignForm(document=document)
            steps["close_leader"] = doc_forms.NoteForm()
        if assignment is not None and status == DocumentStatus.ASSIGNED:
            steps["progress"] = doc_forms.ProgressForm()
            if assignment.role == HandlingRole.LEAD:
                steps["close"] = doc_forms.NoteForm()
        if (assignment is not None or register) and _holds(request, Capability.DOC_DRAFT, document):
            steps["reply"] = forms.Form()
    if status == DocumentStatus.DRAFT and _holds(request, Capability.DOC_DRAFT, document):
        steps["submit"] = doc_forms.SubmitForm(document=document)
    if status == DocumentStatus.IN_REVIEW:
        step = current_review(document)
        if step is not None and step.reviewer_id == user.pk:
            steps["review"] = doc_forms.ReviewForm()
    if status == DocumentStatus.APPROVED and _holds(request, Capability.DOC_SIGN, document):
        steps["sign"] = doc_forms.SignForm()
    if status == DocumentStatus.SIGNED and register:
        steps["issue"] = doc_forms.IssueForm()
    if status in (DocumentStatus.ISSUED, DocumentStatus.SENT) and register:
        if document.direction == Direction.OUTGOING:
            steps["send"] = doc_forms.SendForm(document=document)
        if document.deliveries.filter(status=DeliveryStatus.SENT).exists():
            steps["recall"] = doc_forms.RecallForm(document=document)
    if document.is_classified and _holds(request, Capability.DOC_ASSIGN, document):
        steps["grant"] = doc_forms.GrantForm(document=document)
    return steps


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The document: its data, files with their signature reports, steps and history."""
    document = _visible(request, pk)
    actions.record_read(document, Actor.from_request(request))
    return _render_detail(request, document, _steps(request, document))


def _render_detail(
    request: HttpRequest, document: Document, steps: dict[str, forms.Form]
) -> HttpResponse:
    context = {
        "document": document,
        "attachments": document.attachments.select_related("supersedes").order_by("-current", "id"),
        "events": document.events.select_related("actor"),
        "assignments": document.assignments.select_related("user"),
        "reviews": document.reviews.select_related("reviewer"),
        "deliveries": document.deliveries.select_related("recipient"),
        "replies": visible_documents(request.user).filter(replies_to=document),
        "steps": steps,
        "can_edit": document.status == DocumentStatus.DRAFT
        and _holds(request, Capability.DOC_DRAFT, document),
        "can_package": not document.is_classified,
    }
    return render(request, "documents/detail.html", context)


# Each step: the capability it needs (None = being the handler/reviewer, which the action
# checks), the form that parses it, and what it does.
Step = Callable[[HttpRequest, Document, Any, Actor], Any]


def _assign(request: HttpRequest, document: Document, form: Any, actor: Actor) -> Any:
    return actions.assign(
        document, form.handlers(), deadline=form.cleaned_data["deadline"], actor=actor,
        note=form.cleaned_data["note"],
    )  # fmt: skip


def _progress(request: HttpRequest, document: Document, form: Any, actor: Actor) -> Any:
    data = form.cleaned_data
    return actions.record_progress(
        document, note=data["note"], uploads=doc_forms.uploads(data["attachments"], "result"),
        actor=actor, done=data["done"],
    )  # fmt: skip


def _sign(request: HttpRequest, document: Document, form: Any, actor: Actor) -> Any:
    return actions.sign(
        document, form.credential(), actor=actor, title=form.cleaned_data["title"],
        signer=request.user,
    )  # fmt: skip


def _review(request: HttpRequest, document: Document, form: Any, actor: Actor) -> Any:
    data = form.cleaned_data
    return actions.review(
        document, approve=data["decision"] == "approve", comment=data["comment"], actor=actor
    )


def _recall(request: HttpRequest, document: Document, form: Any, actor: Actor) -> Any:
    delivery = document.deliveries.select_related("recipient").get(
        recipient_id=form.cleaned_data["recipient"]
    )
    return actions.recall(
        document, delivery.recipient, actor=actor, reason=form.cleaned_data["reason"]
    )


STEPS: dict[str, tuple[str | None, Callable[[Document, Any], forms.Form], Step]] = {
    "receive": (
        Capability.DOC_REGISTER,
        lambda d, data: forms.Form(data),
        lambda r, d, f, a: actions.receive(d, actor=a),
    ),
    "return": (
        Capability.DOC_REGISTER,
        lambda d, data: doc_forms.ReasonForm(data),
        lambda r, d, f, a: actions.return_to_sender(d, reason=f.cleaned_data["reason"], actor=a),
    ),
    "assign": (
        Capability.DOC_ASSIGN,
        lambda d, data: doc_forms.AssignForm(data, document=d),
        _assign,
    ),
    "close_leader": (
        Capability.DOC_ASSIGN,
        lambda d, data: doc_forms.NoteForm(data),
        lambda r, d, f, a: actions.close(d, note=f.cleaned_data["note"], actor=a, by_leader=True),
    ),
    "close": (
        None,
        lambda d, data: doc_forms.NoteForm(data),
        lambda r, d, f, a: actions.close(d, note=f.cleaned_data["note"], actor=a),
    ),
    "progress": (None, lambda d, data: doc_forms.ProgressForm(*data), _progress),
    "submit": (
        Capability.DOC_DRAFT,
        lambda d, data: doc_forms.SubmitForm(data, document=d),
        lambda r, d, f, a: actions.submit(d, f.reviewers(), actor=a),
    ),
    "review": (
        None,
        lambda d, data: doc_forms.ReviewForm(data),
        _review,
    ),
    "sign": (Capability.DOC_SIGN, lambda d, data: doc_forms.SignForm(*data), _sign),
    "issue": (
        Capability.DOC_REGISTER,
        lambda d, data: doc_forms.IssueForm(*data),
        lambda r, d, f, a: actions.issue(d, actor=a, organisation_credential=f.credential()),
    ),
    "send": (
        Capability.DOC_REGISTER,
        lambda d, data: doc_forms.SendForm(data, document=d),
        lambda r, d, f, a: actions.send(d, f.organisations(), actor=a),
    ),
    "recall": (
        Capability.DOC_REGISTER,
        lambda d, data: doc_forms.RecallForm(data, document=d),
        _recall,
    ),
    "grant": (
        Capability.DOC_ASSIGN,
        lambda d, data: doc_forms.GrantForm(data, document=d),
        lambda r, d, f, a: actions.grant(d, f.cleaned_data["user"], actor=a),
    ),
}
# Steps whose forms carry files take (POST, FILES); the others take POST.
FILE_STEPS = {"progress", "sign", "issue"}
DONE_MESSAGES = {
    "receive": gettext_lazy("Received into the incoming register."),
    "assign": gettext_lazy("Assigned."),
    "progress": gettext_lazy("Progress recorded."),
    "close": gettext_lazy("Closed."),
    "close_leader": gettext_lazy("Closed."),
    "return": gettext_lazy("Returned to the sender."),
    "submit": gettext_lazy("Sent on."),
    "review": gettext_lazy("Your review is recorded."),
    "sign": gettext_lazy("Signed."),
    "issue": gettext_lazy("Numbered and entered in the outgoing register."),
    "send": gettext_lazy("Sent."),
    "recall": gettext_lazy("Recalled."),
    "grant": gettext_lazy("Access granted."),
}


@login_required
@require_POST
def step(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """Take one step of the workflow; a refusal re-renders the page with the reason."""
    if name not in STEPS:
        raise Http404
    document = _visible(request, pk)
    capability, make_form, run = STEPS[name]
    if capability is not None and not _holds(request, capability, document):
        raise PermissionDenied
    data = (request.POST, request.FILES) if name in FILE_STEPS else request.POST
    form = make_form(document, data)
    if form.is_valid():
        try:
            run(request, document, form, Actor.from_request(request))
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, str(DONE_MESSAGES[name]))
            return redirect("documents:detail", pk=pk)
    steps = _steps(request, document)
    steps[name] = form
    response = _render_detail(request, document, steps)
    response.status_code = 422
    return response


@login_required
def attachment(request: HttpRequest, pk: int, attachment_id: int) -> HttpResponse:
    """A file of the document, checked against its SHA-256 before it is served."""
    document = _visible(request, pk)
    item = get_object_or_404(Attachment, pk=attachment_id, document=document)
    actions.record_read(document, Actor.from_request(request))
    try:
        content = actions.read_file(item)
    except files.IntegrityFailure:
        return render(
            request, "documents/integrity_failure.html", {"document": document, "item": item},
            status=409,
        )  # fmt: skip
    return file_response(content, item.content_type, item.name)


@login_required
def package_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The document as an exchange package (zip) for a system outside."""
    from dangso.documents import package

    document = _visible(request, pk)
    try:
        content = package.export_package(document)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("documents:detail", pk=pk)
    audit.record(Actor.from_request(request), "document.package_export", document)
    response = HttpResponse(content, content_type="application/zip")
    name = (document.symbol or f"van-ban-{document.pk}").replace("/", "-")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}.zip"
    return response


@login_required
def package_import(request: HttpRequest) -> HttpResponse:
    """Register an incoming document from an exchange package of a system outside."""
    from dangso.documents import package

    require_capability(request, Capability.DOC_REGISTER)
    form = doc_forms.PackageForm(request.POST or None, request.FILES or None, user=request.user)

    def save() -> Document:
        organisation = form.organisation()
        if not covers(request.user, Capability.DOC_REGISTER, organisation.path):
            raise PermissionDenied
        return package.import_package(
            form.cleaned_data["package"].read(),
            organisation=organisation,
            actor=Actor.from_request(request),
        )

    return _form_page(request, form, "documents/package_form.html", save)


# --- the office's set-up ---------------------------------------------------------------------

OFFICE_FORMS: dict[str, type[forms.Form]] = {
    "body": doc_forms.IssuingBodyForm,
    "term": doc_forms.TermForm,
    "congress": doc_forms.CongressForm,
    "type": doc_forms.DocumentTypeForm,
}


def _office_change(
    request: HttpRequest, organisation: Organisation, name: str, form: Any, actor: Actor
) -> None:
    data = form.cleaned_data if form is not None else {}
    if name == "body":
        offices.add_issuing_body(organisation, **data, actor=actor)
    elif name == "term":
        org_actions.start_term(organisation, **data, actor=actor)
    elif name == "congress":
        offices.add_congress(organisation, **data, actor=actor)
    elif name == "type":
        offices.add_document_type(**data, actor=actor)
    elif name in ("body_on", "body_off"):
        body = get_object_or_404(
            IssuingBody, pk=request.POST.get("id", "0"), organisation=organisation
        )
        offices.set_issuing_body_active(body, name == "body_on", actor=actor)
    elif name in ("type_on", "type_off"):
        kind = get_object_or_404(DocumentType, pk=request.POST.get("id", "0"))
        offices.set_document_type_active(kind, name == "type_on", actor=actor)


@login_required
def office(request: HttpRequest, pk: int) -> HttpResponse:
    """Thiết lập văn thư: the issuing bodies, committee terms and congresses of one
    organisation, which the numbering depends on; administrators also keep the types."""
    organisation = get_object_or_404(
        restrict(Organisation.objects.all(), request.user, Capability.DOC_REGISTER), pk=pk
    )
    manages_types = can(request.user, Capability.USER_MANAGE)
    bound: dict[str, Any] = {}
    if request.method == "POST":
        name = request.POST.get("do", "")
        if (name == "type" or name.startswith("type_")) and not manages_types:
            raise PermissionDenied
        form_class = OFFICE_FORMS.get(name)
        form = form_class(request.POST, prefix=name) if form_class else None
        if form is None or form.is_valid():
            try:
                _office_change(request, organisation, name, form, Actor.from_request(request))
            except ValidationError as error:
                if form is None:
                    messages.error(request, " ".join(error.messages))
                    return redirect("documents:office", pk=pk)
                show_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect("documents:office", pk=pk)
        if form is not None:
            bound[name] = form
    forms_ = {
        name: bound.get(name) or form_class(prefix=name)
        for name, form_class in OFFICE_FORMS.items()
        if name != "type" or manages_types
    }
    context = {
        "organisation": organisation,
        "bodies": IssuingBody.objects.filter(organisation=organisation).order_by("-active", "name"),
        "terms": Term.objects.filter(organisation=organisation).order_by("-starts_on"),
        "congresses": Congress.objects.filter(organisation=organisation).order_by("-opens_on"),
        "types": DocumentType.objects.order_by("position") if manages_types else None,
        "forms": forms_,
    }
    response = render(request, "documents/office.html", context)
    if bound:
        response.status_code = 422
    return response
