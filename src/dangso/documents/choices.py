"""The closed vocabularies of Party documents (HD 36-HD/VPTW, QĐ 337, NĐ 63/2026; domain.md §4)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from dangso.core.classification import CLASSIFICATION_RANK, Classification  # noqa: F401  documents carry them


class Direction(models.TextChoices):
    INCOMING = "in", _("Incoming")
    OUTGOING = "out", _("Outgoing")
    INTERNAL = "internal", _("Internal")


class Urgency(models.TextChoices):
    NORMAL = "thuong", _("Normal")
    URGENT = "khan", _("Urgent (Khẩn)")
    VERY_URGENT = "thuong_khan", _("Very urgent (Thượng khẩn)")
    FLASH = "hoa_toc", _("Immediate (Hỏa tốc)")


class SigningAuthority(models.TextChoices):
    """How the signer signs (HD 36): in their own right, or T/M, K/T, T/L."""

    OWN = "", _("In own right")
    ON_BEHALF = "T/M", _("On behalf of the committee (T/M)")
    DEPUTY = "K/T", _("As deputy (K/T)")
    BY_ORDER = "T/L", _("By order (T/L)")


class DocumentStatus(models.TextChoices):
    # incoming
    PENDING = "pending", _("Awaiting receipt")
    REGISTERED = "registered", _("Registered")
    ASSIGNED = "assigned", _("Being handled")
    CLOSED = "closed", _("Closed")
    ANSWERED = "answered", _("Answered")
    RETURNED = "returned", _("Returned to sender")
    # outgoing and internal
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved, to be signed")
    SIGNED = "signed", _("Signed, to be numbered")
    ISSUED = "issued", _("Numbered and issued")
    SENT = "sent", _("Sent")
    RECALLED = "recalled", _("Recalled")


INCOMING_OPEN = (DocumentStatus.REGISTERED, DocumentStatus.ASSIGNED)


class HandlingRole(models.TextChoices):
    LEAD = "lead", _("Lead (chủ trì)")
    SUPPORT = "support", _("Support (phối hợp)")
    INFORM = "inform", _("For information (để biết)")


class DeliveryStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    RECEIVED = "received", _("Received")
    HANDLED = "handled", _("Handled")
    RECALLED = "recalled", _("Recalled")
    RETURNED = "returned", _("Returned")


class AttachmentKind(models.TextChoices):
    MAIN = "main", _("Document")
    ANNEX = "annex", _("Annex")
    RESULT = "result", _("Handling result")


class EventKind(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    QUEUED = "queued", _("Arrived from another organisation")
    ASSIGNED = "assigned", _("Assigned")
    PROGRESS = "progress", _("Progress recorded")
    HANDLER_DONE = "handler_done", _("Handler finished")
    CLOSED = "closed", _("Closed")
    ANSWERED = "answered", _("Answered by an outgoing document")
    RETURNED = "returned", _("Returned to sender")
    DRAFTED = "drafted", _("Drafted")
    EDITED = "edited", _("Edited")
    ATTACHED = "attached", _("File attached")
    SUBMITTED = "submitted", _("Sent for review")
    REVIEWED = "reviewed", _("Reviewed")
    SIGNED = "signed", _("Signed")
    NUMBERED = "numbered", _("Numbered")
    SENT = "sent", _("Sent")
    RECEIVED = "received", _("Received by a recipient")
    HANDLED = "handled", _("Handled by a recipient")
    RECALLED = "recalled", _("Recalled")
    GRANTED = "granted", _("Access granted")
    SIGNATURE_CHECKED = "signature_checked", _("Signatures validated")


class ReviewDecision(models.TextChoices):
    PENDING = "", _("Waiting")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned for changes")


# The document types of HD 36 / QĐ 66 with their abbreviations (domain.md §4.1), seeded by a
# migration and editable afterwards. Central "quy định" share the QĐ series in practice.
DEFAULT_TYPES = (
    ("NQ", "Nghị quyết"), ("QĐ", "Quyết định"), ("CT", "Chỉ thị"), ("KL", "Kết luận"),
    ("QC", "Quy chế"), ("QĐi", "Quy định"), ("TB", "Thông báo"), ("HD", "Hướng dẫn"),
    ("CV", "Công văn"), ("BC", "Báo cáo"), ("KH", "Kế hoạch"), ("CTr", "Chương trình"),
    ("TT", "Thông tri"), ("QTr", "Quy trình"), ("TTr", "Tờ trình"), ("BB", "Biên bản"),
    ("GM", "Giấy mời"), ("GGT", "Giấy giới thiệu"),
)  # fmt: skip
