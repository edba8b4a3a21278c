"""Tasks (nhiệm vụ) assigned by Party committees, their programmes, progress and evidence.

A task is led by one organisation (and optionally one person there), supported by others, and
due on a deadline. Delegating it down the tree makes sub-tasks; a task with sub-tasks takes its
progress, start and completion from them. Status is never stored: it follows from the facts
(`started_on`, `completed_on`, `deadline`) and today's date, in SQL (`queries.with_status`) and in
Python (`Task.status`) by the same rules (`choices.status_of`).
"""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangso.followup.choices import Reminder, TaskStatus, status_of


class Programme(models.Model):
    """A programme or plan grouping tasks (e.g. "Đề án 204"), owned by an organisation."""

    organisation = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="programmes",
    )
    name = models.CharField(_("name"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_path = "organisation__path"

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="programme_name_once"),
        ]

    def __str__(self) -> str:
        return self.name


class Task(models.Model):
    title = models.CharField(_("task"), max_length=500)
    description = models.TextField(_("content"), blank=True)
    expected_result = models.TextField(_("expected result"), blank=True)
    # Where the task comes from: a registered document (resolution, conclusion, plan…) and/or
    # a free text such as "Kết luận số 12-KL/TW" for documents outside the platform.
    source_document = models.ForeignKey(
        "documents.Document",
        verbose_name=_("source document"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    source_text = models.CharField(_("source"), max_length=255, blank=True)
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("delegated from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    organisation = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=_("lead organisation"),
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    lead_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person in charge"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_tasks",
    )
    supporters = models.ManyToManyField(
        "orgs.Organisation",
        verbose_name=_("supporting organisations"),
        blank=True,
        related_name="supported_tasks",
    )
    assigned_by = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=_("assigned by"),
        on_delete=models.PROTECT,
        related_name="assigned_tasks",
    )
    assigned_on = models.DateField(_("assigned on"))
    deadline = models.DateField(_("deadline"))
    # Facts, kept by the actions (from the last progress report, or rolled up from sub-tasks).
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    started_on = models.DateField(_("started on"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    # Tasks on the Tuyệt mật list (Quy chế 08-QC/TW): only those granted see them.
    confidential = models.BooleanField(_("confidential"), default=False)
    # Which reminder was last sent (a fact about the notices, not the task's status).
    reminded = models.CharField(max_length=10, choices=Reminder.choices, blank=True)
    # Title and source folded (no diacritics, đ → d, lower case) for search; set by the actions.
    search_text = models.TextField(blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_path = "organisation__path"

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["deadline", "pk"]
        indexes = [
            models.Index(fields=["organisation", "deadline"], name="task_org_deadline"),
            models.Index(fields=["deadline"], name="task_open_deadline",
                         condition=models.Q(completed_on__isnull=True)),
        ]  # fmt: skip
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="task_progress"),
        ]

    def __str__(self) -> str:
        return self.title

    def status_on(self, today: datetime.date) -> str:
        return status_of(self.completed_on, self.deadline, self.started_on, today)

    @property
    def status(self) -> str:
        return self.status_on(timezone.localdate())

    @property
    def status_label(self) -> str:
        return str(TaskStatus(self.status).label)

    @property
    def days_left(self) -> int:
        return (self.deadline - timezone.localdate()).days


class TaskGrant(models.Model):
    """Access to a confidential task, given by name."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="grants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["task", "user"], name="task_grant_once"),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} → {self.user_id}"


class ProgressUpdate(models.Model):
    """One progress report on a task: a percentage, what was done, and its evidence."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="updates")
    percent = models.PositiveSmallIntegerField(_("progress (%)"))
    note = models.TextField(_("what was done"), blank=True)
    reported_on = models.DateField(_("reported on"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_name = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.task_id}: {self.percent}%"


class Evidence(models.Model):
    """A file proving a progress report: stored by SHA-256 like document attachments."""

    update = models.ForeignKey(ProgressUpdate, on_delete=models.CASCADE, related_name="evidence")
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=200)
    encrypted = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.name
