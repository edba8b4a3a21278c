from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dangso.orgs.models import Organisation


class ImportFormat(models.TextChoices):
    XLSX = "xlsx", "Excel (.xlsx)"
    CSV = "csv", "CSV"


class ImportMode(models.TextChoices):
    DRY_RUN = "dry_run", _("Check only (dry run)")
    ALL_OR_NOTHING = "all_or_nothing", _("All or nothing")
    VALID_ONLY = "valid_only", _("Valid rows only")


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    MAPPING = "mapping", _("Columns to confirm")
    QUEUED = "queued", _("Waiting for the worker")
    CHECKING = "checking", _("Checking")
    REPORTED = "reported", _("Checked")
    COMMITTING = "committing", _("Writing")
    COMMITTED = "committed", _("Written")
    FAILED = "failed", _("Failed")


# A job in one of these states has a task queued or running for it.
ACTIVE_STATUSES = frozenset({ImportStatus.QUEUED, ImportStatus.CHECKING, ImportStatus.COMMITTING})


class MemberImport(models.Model):
    """One member list file taken in: checked (dry run), reported, then written or not.

    The file stays in storage so that the check and the commit read the same bytes (its
    sha256 is kept and audited); the report of bad rows is an .xlsx beside it.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.PROTECT,
        related_name="member_imports",
    )
    address = models.CharField(_("address"), max_length=64, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="member_imports",
        help_text=_("Every row must belong to a Party cell under this organisation."),
    )
    file = models.FileField(_("file"), upload_to="imports/uploads/%Y/%m/", blank=True)
    # A file imported in place from the command line: its path (nothing copied to storage).
    source_path = models.CharField(max_length=1024, blank=True)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    format = models.CharField(_("format"), max_length=4, choices=ImportFormat.choices)
    headers = models.JSONField(_("header row"), default=list, blank=True)
    header_line = models.PositiveIntegerField(default=1)
    # Member field (or "organisation") → index of the file's column.
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    mode = models.CharField(
        _("mode"), max_length=20, choices=ImportMode.choices, default=ImportMode.DRY_RUN
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    step = models.CharField(_("step"), max_length=40, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    rows_done = models.PositiveBigIntegerField(default=0)
    rows_total = models.PositiveBigIntegerField(default=0)
    rows = models.PositiveBigIntegerField(_("rows"), default=0)
    valid = models.PositiveBigIntegerField(_("valid rows"), default=0)
    bad = models.PositiveBigIntegerField(_("bad rows"), default=0)
    created = models.PositiveBigIntegerField(_("created"), default=0)
    updated = models.PositiveBigIntegerField(_("updated"), default=0)
    unchanged = models.PositiveBigIntegerField(_("unchanged"), default=0)
    report = models.FileField(_("error report"), upload_to="imports/reports/", blank=True)
    errors_sample = models.JSONField(default=list, blank=True)
    error_message = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_path = "organisation__path"

    class Meta:
        verbose_name = _("member import")
        verbose_name_plural = _("member imports")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="import_user_idx"),
            models.Index(fields=["status"], name="import_status_idx"),
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def percent(self) -> int:
        if self.status in (ImportStatus.REPORTED, ImportStatus.COMMITTED):
            return 100
        if not self.rows_total:
            return 0
        return min(100, int(100 * self.rows_done / self.rows_total))

    @property
    def can_commit(self) -> bool:
        return self.status == ImportStatus.REPORTED and self.valid > 0
