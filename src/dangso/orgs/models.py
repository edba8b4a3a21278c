import datetime

from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from dangso.orgs import paths
from dangso.orgs.choices import CELL_KINDS, OrgKind, OrgStatus


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def active(self) -> "OrganisationQuerySet":
        return self.filter(status=OrgStatus.ACTIVE)

    def subtree(self, root: "Organisation") -> "OrganisationQuerySet":
        return self.filter(path__startswith=root.path)

    def cells(self) -> "OrganisationQuerySet":
        return self.filter(kind__in=CELL_KINDS)


class Organisation(models.Model):
    """A Party organisation (tổ chức đảng): a node of the tree.

    `parent` is the truth; `path` ("/1/7/42/", ids from the root) is derived from it, indexed for
    prefix queries, and maintained only by the reorganisation actions in `orgs.actions`.
    """

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(
        _("short name"),
        max_length=20,
        blank=True,
        help_text=_("Used in document symbols, e.g. TU, ĐU."),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=OrgKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("path"), max_length=255, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=OrgStatus.choices, default=OrgStatus.ACTIVE
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
    )
    # Members on the roll whose cell is this organisation; kept by the members actions so
    # that trees and dashboards never recount millions of rows.
    member_count = models.PositiveIntegerField(_("members"), default=0, editable=False)

    objects = OrganisationQuerySet.as_manager()
    scope_path = "path"

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="org_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == OrgStatus.ACTIVE

    @property
    def is_cell(self) -> bool:
        return self.kind in CELL_KINDS

    def ancestor_ids(self) -> list[int]:
        return paths.ids_of(self.path)[:-1]

    def ancestors(self) -> QuerySet["Organisation"]:
        return Organisation.objects.filter(pk__in=self.ancestor_ids()).order_by("depth")


class OrganisationVersionQuerySet(models.QuerySet["OrganisationVersion"]):
    def on(self, day: datetime.date) -> "OrganisationVersionQuerySet":
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day), valid_from__lte=day)


class OrganisationVersion(models.Model):
    """How an organisation was named and placed from `valid_from` until `valid_to` (exclusive).

    Every reorganisation closes the current version and opens the next, so the tree can be
    shown as it stood on any date.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="versions"
    )
    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=20, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=OrgKind.choices)
    parent = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=40)

    objects = OrganisationVersionQuerySet.as_manager()

    class Meta:
        ordering = ["organisation", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(valid_to__isnull=True),
                name="one_open_version_per_org",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.valid_from}–{self.valid_to or ''})"


class Term(models.Model):
    """A committee term (nhiệm kỳ cấp ủy) of an organisation. It runs from the day after the
    congress closes to the closing day of the next; `ends_on` stays empty while it lasts.
    Outgoing documents number by it (numbers restart from 01 with each term, HD 36 §II.1.3)
    and a congress opens the next one."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT,
        related_name="terms",
    )  # fmt: skip
    name = models.CharField(_("name"), max_length=100)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)

    scope_path = "organisation__path"

    class Meta:
        verbose_name = _("committee term")
        verbose_name_plural = _("committee terms")
        ordering = ["organisation", "-starts_on"]

    def __str__(self) -> str:
        return self.name
