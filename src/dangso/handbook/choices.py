from django.db import models
from django.utils.translation import gettext_lazy as _


class PublicationKind(models.TextChoices):
    RESOLUTION = "resolution", _("Resolution")
    DIRECTIVE = "directive", _("Directive")
    CONCLUSION = "conclusion", _("Conclusion")
    REGULATION = "regulation", _("Regulation")
    GUIDANCE = "guidance", _("Guidance")
    STUDY = "study", _("Study material")
    NOTICE = "notice", _("Notice")
    OTHER = "other", _("Other")


class ThreadKind(models.TextChoices):
    QUESTION = "question", _("Question")
    OPINION = "opinion", _("Opinion")
    REQUEST = "request", _("Request")
    CORRECTION = "correction", _("Correction of my record")


class ThreadStatus(models.TextChoices):
    OPEN = "open", _("Waiting for an answer")
    ANSWERED = "answered", _("Answered")
    APPROVED = "approved", _("Correction approved")
    REFUSED = "refused", _("Correction refused")
    CLOSED = "closed", _("Closed")
