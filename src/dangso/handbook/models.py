"""Sổ tay đảng viên: members' accounts, the library, resolution study and the two-way channel."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangso.handbook.choices import PublicationKind, ThreadKind, ThreadStatus


class MemberAccount(models.Model):
    """A member's handbook account: their sign-in (a User with the member role) and use."""

    member = models.OneToOneField(
        "members.Member", on_delete=models.CASCADE, related_name="handbook_account"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="handbook_account"
    )
    activated_at = models.DateTimeField(_("activated at"))
    # The last day the member used the portal: written at most once a day per member.
    last_seen = models.DateField(_("last seen"), null=True, blank=True, db_index=True)

    scope_path = "member__organisation__path"

    class Meta:
        verbose_name = _("handbook account")
        verbose_name_plural = _("handbook accounts")

    def __str__(self) -> str:
        return str(self.member)


class ActivationCode(models.Model):
    """A one-time code the cell secretary hands to a member: first sign-in, or a new password.

    Only the code's hash is kept; a new code replaces any unused one of the same member.
    """

    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="activation_codes"
    )
    code_hash = models.CharField(max_length=128)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)

    scope_path = "member__organisation__path"

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(used_at__isnull=True), name="one_open_code"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} @ {self.issued_at:%Y-%m-%d}"


class Publication(models.Model):
    """A document an organisation publishes to the members of its subtree (the library)."""

    organisation = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        related_name="publications",
    )
    document = models.ForeignKey(
        "documents.Document",
        verbose_name=_("document"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="publications",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=PublicationKind.choices)
    title = models.CharField(_("title"), max_length=500)
    summary = models.TextField(_("summary"), blank=True)
    # The file members read: the document's main file, or one uploaded for members.
    file_name = models.CharField(max_length=200, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    file_storage_name = models.CharField(max_length=200, blank=True)
    file_size = models.PositiveBigIntegerField(default=0)
    content_type = models.CharField(max_length=100, blank=True)
    search_text = models.TextField(blank=True, editable=False)
    published_at = models.DateTimeField(_("published at"), db_index=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    scope_path = "organisation__path"

    class Meta:
        verbose_name = _("library document")
        verbose_name_plural = _("library")
        ordering = ["-published_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "published_at"], name="publication_org")]

    def __str__(self) -> str:
        return self.title


class ReadingMark(models.Model):
    """What a member did with a library document: read it, bookmarked it."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="marks")
    read_at = models.DateTimeField(null=True, blank=True)
    bookmarked = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "publication"], name="one_mark"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id}:{self.publication_id}"


class StudyCampaign(models.Model):
    """Học tập nghị quyết: an organisation asks the members of its subtree to study materials
    by a deadline and to hand in a short reflection (thu hoạch)."""

    organisation = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="study_campaigns",
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    materials = models.ManyToManyField(Publication, verbose_name=_("materials"), blank=True)
    opens_on = models.DateField(_("opens on"))
    deadline = models.DateField(_("deadline"))
    reflection_required = models.BooleanField(_("reflection required"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_path = "organisation__path"

    class Meta:
        verbose_name = _("study campaign")
        verbose_name_plural = _("study campaigns")
        ordering = ["-opens_on", "-pk"]

    def __str__(self) -> str:
        return self.title


class StudyRecord(models.Model):
    """One member's part in a campaign: done, with the reflection."""

    campaign = models.ForeignKey(StudyCampaign, on_delete=models.CASCADE, related_name="records")
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    # The member's cell when they did it, so completion per cell survives transfers.
    cell = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    done_at = models.DateTimeField(_("done at"))
    reflection = models.TextField(_("reflection"), blank=True)

    scope_path = "cell__path"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "member"], name="one_study_record"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.member_id}"


class Thread(models.Model):
    """A question, opinion, request or record correction a member sends to the cell committee."""

    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="handbook_threads"
    )
    cell = models.ForeignKey(
        "orgs.Organisation", verbose_name=_("cell"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ThreadKind.choices)
    subject = models.CharField(_("subject"), max_length=200)
    status = models.CharField(
        _("status"), max_length=20, choices=ThreadStatus.choices, default=ThreadStatus.OPEN
    )
    # A correction of the member's own record: the field and the value asked for.
    field = models.CharField(_("field"), max_length=40, blank=True)
    requested_value = models.CharField(_("requested value"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    member_unread = models.BooleanField(default=False)

    scope_path = "cell__path"

    class Meta:
        verbose_name = _("message thread")
        verbose_name_plural = _("message threads")
        ordering = ["-updated_at", "-pk"]

    def __str__(self) -> str:
        return self.subject

    @property
    def field_label(self) -> str:
        """The name of the record's field a correction asks to change."""
        if not self.field:
            return ""
        from dangso.members.models import Member

        return str(getattr(Member._meta.get_field(self.field), "verbose_name", self.field))


class Message(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_name = models.CharField(max_length=150)
    from_committee = models.BooleanField(default=False)
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.body[:60]
