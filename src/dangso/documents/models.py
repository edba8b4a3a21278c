"""Documents of a Party organisation: registers, numbering, handling, review, interchange.

A `Document` sits in one organisation's register (incoming, outgoing or internal). Everything
that happens to it is an append-only `DocumentEvent`; the fields on the document hold its
present state. Numbers are taken from `Counter` rows under a row lock (`documents.numbering`).
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangso.core.classification import Classification
from dangso.documents.choices import (
    DEFAULT_TYPES,
    INCOMING_OPEN,
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
from dangso.orgs.models import Organisation


class DocumentType(models.Model):
    """A kind of Party document and the abbreviation used in its symbol (NQ, QĐ, CV, …)."""

    abbreviation = models.CharField(_("abbreviation"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=100)
    active = models.BooleanField(_("in use"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("document type")
        verbose_name_plural = _("document types")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


def ensure_document_types() -> None:
    """The HD 36 types the migration seeds, back again after a flush (tests, `demo --reset`)."""
    for position, (abbreviation, name) in enumerate(DEFAULT_TYPES, start=1):
        DocumentType.objects.get_or_create(
            abbreviation=abbreviation, defaults={"name": name, "position": position}
        )


class IssuingBody(models.Model):
    """A body that issues documents in its own number series: a committee (TU, ĐU) or one of
    its advisory bodies (VPTU, BTCTU). It belongs to the Party organisation it serves."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT,
        related_name="issuing_bodies",
    )  # fmt: skip
    name = models.CharField(_("name"), max_length=200)
    symbol = models.CharField(
        _("symbol"), max_length=20, help_text=_("The part after the slash, e.g. TU, VPTU.")
    )
    active = models.BooleanField(_("in use"), default=True)

    scope_path = "organisation__path"

    class Meta:
        verbose_name = _("issuing body")
        verbose_name_plural = _("issuing bodies")
        ordering = ["organisation__path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "symbol"], name="issuing_body_symbol")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.symbol})"


class Congress(models.Model):
    """A congress (đại hội): its documents share one series across all types, from the
    preparatory session to the closing day (HD 36 §II.1.3)."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT,
        related_name="congresses",
    )  # fmt: skip
    name = models.CharField(_("name"), max_length=200)
    opens_on = models.DateField(_("opens on (preparatory session)"))
    closes_on = models.DateField(_("closes on"))
    symbol = models.CharField(
        _("symbol"), max_length=20, default="ĐH", help_text=_("The part after the slash.")
    )

    scope_path = "organisation__path"

    class Meta:
        verbose_name = _("congress")
        verbose_name_plural = _("congresses")
        ordering = ["organisation", "-opens_on"]

    def __str__(self) -> str:
        return self.name


class Counter(models.Model):
    """A running number (document series or register), taken under a row lock."""

    key = models.CharField(max_length=200, unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}={self.last}"


class Document(models.Model):
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT,
        related_name="documents", help_text=_("Whose register the document is in."),
    )  # fmt: skip
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    status = models.CharField(_("status"), max_length=20, choices=DocumentStatus.choices)
    document_type = models.ForeignKey(
        DocumentType, verbose_name=_("type"), on_delete=models.PROTECT, related_name="+"
    )
    # Number and symbol: ours once issued; the sender's as written on an incoming document.
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    symbol = models.CharField(_("number and symbol"), max_length=100, blank=True)
    issuing_body = models.ForeignKey(
        IssuingBody, verbose_name=_("issuing body"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="documents",
    )  # fmt: skip
    issuer_name = models.CharField(_("issued by"), max_length=255, blank=True)
    place = models.CharField(_("place"), max_length=100, blank=True)
    issued_on = models.DateField(_("date of the document"), null=True, blank=True)
    term = models.ForeignKey(
        "orgs.Term",
        verbose_name=_("committee term"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    congress = models.ForeignKey(
        Congress, verbose_name=_("congress"), null=True, blank=True, on_delete=models.PROTECT,
        help_text=_("Congress documents are numbered in one series across all types."),
    )  # fmt: skip
    signer_name = models.CharField(_("signer"), max_length=150, blank=True)
    signer_title = models.CharField(_("signer's title"), max_length=150, blank=True)
    signing_authority = models.CharField(
        _("signing authority"), max_length=5, choices=SigningAuthority.choices, blank=True
    )
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("signer (user)"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    summary = models.TextField(_("summary (trích yếu)"))
    recipients = models.TextField(_("recipients (nơi nhận)"), blank=True)
    classification = models.CharField(
        _("classification"), max_length=10, choices=Classification.choices,
        default=Classification.UNCLASSIFIED,
    )  # fmt: skip
    urgency = models.CharField(
        _("urgency"), max_length=12, choices=Urgency.choices, default=Urgency.NORMAL
    )
    # The register's own running number (số đến / số đi) and when the entry was made.
    register_number = models.PositiveIntegerField(_("register number"), null=True, blank=True)
    # The period the register number runs in: the year, or the term (DANGSO_REGISTER_RESET).
    register_period = models.CharField(max_length=20, blank=True)
    registered_at = models.DateTimeField(_("registered at"), null=True, blank=True)
    received_on = models.DateField(_("received on"), null=True, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    replies_to = models.ForeignKey(
        "self", verbose_name=_("answers"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="replies",
    )  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Folded (no diacritics, đ→d, lower case) symbol, summary, issuer and attachment text, for
    # full-text search on both databases (`documents.search`).
    search_text = models.TextField(blank=True, editable=False)

    scope_path = "organisation__path"

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-registered_at", "-id"]
        indexes = [
            models.Index(
                fields=["organisation", "direction", "-registered_at", "-id"], name="doc_register"
            ),
            # Newest first across a whole scope: a search pages through it (queries.py).
            models.Index(fields=["-registered_at", "-id"], name="doc_registered"),
            models.Index(
                fields=["organisation", "direction", "status", "-registered_at", "-id"],
                name="doc_register_status",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "direction", "register_period", "register_number"],
                condition=Q(register_number__isnull=False),
                name="doc_register_number_once",
            ),
        ]

    def __str__(self) -> str:
        return self.symbol or self.summary[:60]

    @property
    def is_classified(self) -> bool:
        return self.classification != Classification.UNCLASSIFIED

    @property
    def is_overdue(self) -> bool:
        return bool(
            self.deadline and self.deadline < timezone.localdate() and self.status in INCOMING_OPEN
        )


class Attachment(models.Model):
    """A file of a document, stored once by its SHA-256 (`documents.files`)."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="attachments")
    kind = models.CharField(
        _("kind"), max_length=10, choices=AttachmentKind.choices, default=AttachmentKind.MAIN
    )
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=255)
    encrypted = models.BooleanField(default=False)
    pages = models.PositiveIntegerField(null=True, blank=True)
    text = models.TextField(blank=True, editable=False)
    # A signed version replaces the file it signed; the earlier one stays for the record.
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    current = models.BooleanField(default=True)
    # The latest signature validation report (`documents.verification.ValidationReport.to_json()`).
    signature_report = models.JSONField(null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    scope_path = "document__organisation__path"

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["document", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def signature(self) -> Any:
        """The stored validation report, read back (its sentences in the reader's language)."""
        if not self.signature_report:
            return None
        from dangso.core.verification import ValidationReport

        return ValidationReport.from_json(self.signature_report)


class Assignment(models.Model):
    """Who handles an incoming document, in which role, by when."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("handler"), on_delete=models.PROTECT,
        related_name="document_assignments",
    )  # fmt: skip
    role = models.CharField(_("role"), max_length=10, choices=HandlingRole.choices)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    scope_path = "document__organisation__path"

    class Meta:
        ordering = ["document", "role", "id"]
        constraints = [models.UniqueConstraint(fields=["document", "user"], name="assignment_once")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class ReviewStep(models.Model):
    """One step of an outgoing draft's review; steps are decided in `position` order."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="reviews")
    position = models.PositiveSmallIntegerField()
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), on_delete=models.PROTECT,
        related_name="document_reviews",
    )  # fmt: skip
    decision = models.CharField(
        _("decision"), max_length=10, choices=ReviewDecision.choices, blank=True
    )
    comment = models.TextField(_("comment"), blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # A returned draft goes round again: earlier rounds stay for the record.
    round = models.PositiveSmallIntegerField(default=1)

    scope_path = "document__organisation__path"

    class Meta:
        ordering = ["document", "round", "position"]

    def __str__(self) -> str:
        return f"{self.reviewer} #{self.position}"


class Delivery(models.Model):
    """An outgoing document sent to one organisation inside the system, and its fate there."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="deliveries")
    recipient = models.ForeignKey(
        Organisation, verbose_name=_("recipient"), on_delete=models.PROTECT, related_name="+"
    )
    incoming = models.OneToOneField(
        Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="delivery"
    )
    status = models.CharField(_("status"), max_length=10, choices=DeliveryStatus.choices)
    sent_at = models.DateTimeField()
    changed_at = models.DateTimeField()

    scope_path = "document__organisation__path"

    class Meta:
        ordering = ["document", "recipient__path"]
        constraints = [
            models.UniqueConstraint(fields=["document", "recipient"], name="delivery_once")
        ]

    def __str__(self) -> str:
        return f"{self.document} → {self.recipient}"


class Grant(models.Model):
    """An explicit grant to read one classified document (DESIGN rule 3)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="grants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="document_grants"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["document", "user"], name="grant_once")]

    def __str__(self) -> str:
        return f"{self.document} → {self.user}"


class DocumentEvent(models.Model):
    """Something that happened to a document (append-only; the audit log holds the proof)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=20, choices=EventKind.choices)
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["document", "at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%d/%m/%Y %H:%M}"
