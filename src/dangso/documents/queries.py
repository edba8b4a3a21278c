"""Read side of documents: what a user may see, the registers, search and the inbox.

Every queryset starts from `visible_documents()`, which is `restrict()` (DESIGN rule 1) plus
the classified-document rule: a Mật, Tối mật or Tuyệt mật document is visible only to those
granted it explicitly (DESIGN rule 3).
"""

import datetime
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import connections
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from dangso.accounts.roles import Capability
from dangso.accounts.scope import restrict, scope_paths
from dangso.core.classification import Classification
from dangso.core.text import fold
from dangso.documents.choices import INCOMING_OPEN, DocumentStatus, ReviewDecision
from dangso.documents.models import Assignment, Document, Grant, ReviewStep

MAX_SEARCH_WORDS = 8


def visible_documents(user: Any, capability: str = Capability.DOC_VIEW) -> QuerySet[Document]:
    documents = restrict(Document.objects.all(), user, capability)
    granted = Grant.objects.filter(document=OuterRef("pk"), user_id=user.pk)
    return documents.filter(Q(classification=Classification.UNCLASSIFIED) | Exists(granted))


def search_words(query: str) -> list[str]:
    """The folded words of a search box, as the index holds them."""
    words = "".join(c if c.isalnum() else " " for c in fold(query)).split()
    return words[:MAX_SEARCH_WORDS]


# The tsvector of `search_text` is a stored, generated column on PostgreSQL (migration 0004),
# GIN-indexed, so that neither search plan recomputes it per row.
_PG_MATCH = "search_vector @@ plainto_tsquery('simple'::regconfig, %s)"


def matching(documents: QuerySet[Document], query: str) -> QuerySet[Document]:
    """Documents whose number, summary, issuer or file text hold every word of `query`
    (diacritics ignored, đ as d): PostgreSQL's GIN index, or SQLite's FTS5 table. Every match
    is gathered first: right for counts, exports and rare words; `newest_matches()` pages
    through common words faster."""
    words = search_words(query)
    if not words:
        return documents
    vendor = connections[documents.db].vendor
    if vendor == "postgresql":
        return documents.filter(
            pk__in=RawSQL(f"SELECT id FROM documents_document WHERE {_PG_MATCH}", [" ".join(words)])
        )
    fts = " ".join(f'"{word}"' for word in words)
    return documents.filter(
        pk__in=RawSQL(
            "SELECT rowid FROM documents_document_fts WHERE documents_document_fts MATCH %s",
            [fts],
        )
    )


# How many of the newest documents in view are searched first (see `newest_matches`).
RECENT_WINDOW = 20_000


def newest_matches(
    documents: QuerySet[Document],
    query: str,
    start: int,
    stop: int,
    order: tuple[str, ...] = ("-registered_at", "-id"),
) -> list[Document]:
    """Entries `start`–`stop` of the newest documents matching `query`.

    Two words from one administrative phrase ("chuyển đổi", "đảng viên") can match millions of
    documents; gathering and sorting them all takes seconds. So on PostgreSQL the newest
    RECENT_WINDOW documents in view are searched first: when they hold enough matches, those
    are exactly the newest matches (any other match is older than all of them). Otherwise the
    words are rare in recent documents, matches are few, and gathering them all is cheap.
    """
    ordered = documents.order_by(*order)
    words = search_words(query)
    if not words:
        return list(ordered[start:stop])
    if connections[documents.db].vendor == "postgresql" and stop <= RECENT_WINDOW:
        ids = _recent_matches(ordered, order, " ".join(words), start, stop)
        if len(ids) == stop - start:
            found = ordered.in_bulk(ids)
            return [found[pk] for pk in ids]
    return list(matching(ordered, query)[start:stop])


def _recent_matches(
    ordered: QuerySet[Document], order: tuple[str, ...], words: str, start: int, stop: int
) -> list[int]:
    """Ids of matches `start`–`stop` among the newest RECENT_WINDOW documents of `ordered`.

    The window is a derived table with its own LIMIT, which PostgreSQL cannot merge with the
    word test: it reads the window newest first, tests each row's stored tsvector in the same
    visit, and stops at the last match wanted, whatever it estimates the words' frequency to be.
    """
    columns = [(name.lstrip("-"), name.startswith("-")) for name in order]
    columns = [("id" if name in ("pk", "id") else name, desc) for name, desc in columns]
    window = ordered.annotate(words_vector=RawSQL("documents_document.search_vector", [])).values(
        "id", *(name for name, _desc in columns if name != "id"), "words_vector"
    )
    sql, params = window[:RECENT_WINDOW].query.sql_with_params()
    order_sql = ", ".join(f"w.{name} DESC" if desc else f"w.{name}" for name, desc in columns)
    with connections[ordered.db].cursor() as cursor:
        cursor.execute(
            f"SELECT w.id FROM ({sql}) w WHERE w.words_vector @@ "
            f"plainto_tsquery('simple'::regconfig, %s) ORDER BY {order_sql} LIMIT %s OFFSET %s",
            [*params, words, stop - start, start],
        )
        return [row[0] for row in cursor.fetchall()]


@dataclass(frozen=True)
class RegisterFilters:
    direction: str = ""
    status: str = ""
    query: str = ""
    document_type: int | None = None
    classification: str = ""
    issuer: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    organisation: Any = None
    overdue: bool = False

    def apply(self, documents: QuerySet[Document]) -> QuerySet[Document]:
        if self.organisation is not None:
            documents = documents.filter(organisation=self.organisation)
        if self.direction:
            documents = documents.filter(direction=self.direction)
        if self.status:
            documents = documents.filter(status=self.status)
        if self.document_type:
            documents = documents.filter(document_type_id=self.document_type)
        if self.classification:
            documents = documents.filter(classification=self.classification)
        if self.issuer:
            documents = documents.filter(issuer_name__icontains=self.issuer)
        if self.date_from:
            documents = documents.filter(issued_on__gte=self.date_from)
        if self.date_to:
            documents = documents.filter(issued_on__lte=self.date_to)
        if self.overdue:
            documents = documents.filter(
                deadline__lt=timezone.localdate(),
                status__in=INCOMING_OPEN,
            )
        if self.query:
            documents = matching(documents, self.query)
        return documents


def register_window(user: Any, filters: RegisterFilters, start: int, stop: int) -> list[Document]:
    """Entries `start`–`stop` of a register as the user may see it, newest first; a search
    goes through `newest_matches()`."""
    unsearched = register_page(user, replace(filters, query=""))
    return newest_matches(unsearched, filters.query, start, stop)


def register_page(user: Any, filters: RegisterFilters) -> QuerySet[Document]:
    """A register as the user may see it, newest entry first."""
    documents = visible_documents(user).select_related("document_type", "organisation")
    return filters.apply(documents).order_by("-registered_at", "-id")


@dataclass
class Inbox:
    """What waits for one person, each list newest first."""

    to_handle: list[Assignment] = field(default_factory=list)
    to_review: list[ReviewStep] = field(default_factory=list)
    to_assign: list[Document] = field(default_factory=list)
    to_receive: list[Document] = field(default_factory=list)
    to_sign: list[Document] = field(default_factory=list)
    to_issue: list[Document] = field(default_factory=list)
    returned_drafts: list[Document] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(
            len(items)
            for items in (
                self.to_handle, self.to_review, self.to_assign, self.to_receive,
                self.to_sign, self.to_issue, self.returned_drafts,
            )
        )  # fmt: skip

    @property
    def overdue(self) -> int:
        today = timezone.localdate()
        late = [a for a in self.to_handle if a.deadline and a.deadline < today]
        return len(late) + sum(1 for d in self.to_assign if d.is_overdue)


INBOX_LIMIT = 100


def inbox(user: Any) -> Inbox:
    visible = visible_documents(user).select_related("document_type", "organisation")
    box = Inbox()
    box.to_handle = list(
        Assignment.objects.filter(
            user=user,
            done_at__isnull=True,
            document__in=visible.filter(status=DocumentStatus.ASSIGNED),
        )
        .select_related("document", "document__document_type", "document__organisation")
        .order_by("deadline", "-id")[:INBOX_LIMIT]
    )
    # A step is the reviewer's turn when no step before it in its round is still waiting.
    earlier = ReviewStep.objects.filter(
        document=OuterRef("document"),
        round=OuterRef("round"),
        position__lt=OuterRef("position"),
        decision=ReviewDecision.PENDING,
    )
    box.to_review = list(
        ReviewStep.objects.filter(
            reviewer=user,
            decision=ReviewDecision.PENDING,
            document__in=visible.filter(status=DocumentStatus.IN_REVIEW),
        )
        .exclude(Exists(earlier))
        .select_related("document", "document__document_type", "document__organisation")
        .order_by("-id")[:INBOX_LIMIT]
    )
    if scope_paths(user, Capability.DOC_ASSIGN):
        assignable = visible_documents(user, Capability.DOC_ASSIGN)
        box.to_assign = list(
            assignable.filter(status=DocumentStatus.REGISTERED)
            .select_related("document_type", "organisation")
            .order_by("-registered_at")[:INBOX_LIMIT]
        )
    if scope_paths(user, Capability.DOC_SIGN):
        box.to_sign = list(
            visible_documents(user, Capability.DOC_SIGN)
            .filter(status=DocumentStatus.APPROVED)
            .select_related("document_type", "organisation")
            .order_by("-updated_at")[:INBOX_LIMIT]
        )
    if scope_paths(user, Capability.DOC_REGISTER):
        clerk = visible_documents(user, Capability.DOC_REGISTER).select_related(
            "document_type", "organisation"
        )
        box.to_receive = list(
            clerk.filter(status=DocumentStatus.PENDING).order_by("-created_at")[:INBOX_LIMIT]
        )
        box.to_issue = list(
            clerk.filter(status__in=(DocumentStatus.SIGNED, DocumentStatus.ISSUED)).order_by(
                "-updated_at"
            )[:INBOX_LIMIT]
        )
    box.returned_drafts = list(
        visible.filter(created_by=user, status=DocumentStatus.DRAFT, reviews__isnull=False)
        .distinct()
        .order_by("-updated_at")[:INBOX_LIMIT]
    )
    return box
