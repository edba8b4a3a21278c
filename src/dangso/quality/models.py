"""Data quality of member records: the problems each record has, the daily figures per
organisation, and the pairs of records that are probably the same person.

Everything here is derived from the member table by `quality.actions` and can be rebuilt at
any time (`dangso check-members`, `dangso find-duplicates`); only the decisions on duplicate
pairs (merged, not the same person) are facts of their own.
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from dangso.members.models import Member
from dangso.members.rules import RULES, WARNINGS
from dangso.orgs.models import Organisation

# Codes of the rules that make a record "needs fixing"; warnings are listed but leave it clean.
BLOCKING_CODES = tuple(code for code in RULES if code not in WARNINGS)


class MemberProblem(models.Model):
    """One rule of `members.rules.RULES` that a member's record breaks, on one field.

    The row keeps the code and the offending value; the sentence a person reads is rendered
    from the rule when the problem is shown (`quality.queries.problem_lines`), so that it comes
    in the reader's language and with the rule's current wording.

    Only members on the roll have problems, and each row also keeps the member's cell: the
    figures of a subtree are then counted from this table and the organisations alone, without
    reading the member table (a province's members are a scan of millions of rows). Every
    action that moves a member or takes one off the roll calls `members_changed`, whose
    re-check rewrites the member's rows, so the cell stays the member's own.
    """

    # No database constraints: the problems are rebuilt in bulk by id ranges, and a foreign
    # key check would lock each member row against concurrent edits (see `quality.actions`).
    member = models.ForeignKey(
        Member,
        on_delete=models.CASCADE,
        related_name="problems",
        db_constraint=False,
        db_index=False,  # the (member, code) index below serves
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,  # the (organisation, code, member) index below serves
    )
    code = models.CharField(_("rule"), max_length=40)
    field = models.CharField(_("field"), max_length=40)
    value = models.CharField(_("value"), max_length=255, blank=True)
    detected_at = models.DateTimeField(_("detected at"))

    scope_path = "organisation__path"

    class Meta:
        verbose_name = _("record problem")
        verbose_name_plural = _("record problems")
        indexes = [
            # A member's problems; the worklist's "has a problem" test.
            models.Index(fields=["member", "code"], name="problem_member_code_idx"),
            # Figures of a subtree (joined to the organisations by path) and counts by rule.
            models.Index(
                fields=["organisation", "code", "member"], name="problem_org_code_member_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.field})"

    @property
    def is_blocking(self) -> bool:
        return self.code not in WARNINGS


class QualitySnapshot(models.Model):
    """The figures of an organisation's whole subtree on one day: the trend on the dashboard.

    One row per organisation (cells and every level above), each holding its subtree's totals,
    so that any organisation's trend is read from its own rows without summing its cells.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="quality_snapshots"
    )
    day = models.DateField(_("day"))
    members = models.PositiveIntegerField(_("members on the roll"))
    clean_records = models.PositiveIntegerField(_("clean records"))
    # {rule code: members on the roll breaking it}; rules nobody breaks are left out.
    by_rule = models.JSONField(_("members by rule"), default=dict)

    scope_path = "organisation__path"

    class Meta:
        verbose_name = _("quality snapshot")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "day"], name="snapshot_org_day"),
            models.CheckConstraint(
                condition=Q(clean_records__lte=F("members")), name="snapshot_clean_records"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.day}: {self.clean_records}/{self.members}"


class PairStatus(models.TextChoices):
    OPEN = "open", _("To review")
    MERGED = "merged", _("Merged")
    DISMISSED = "dismissed", _("Not the same person")


class DuplicateCandidate(models.Model):
    """Two records that are probably the same person, waiting for an officer's decision.

    `member_a` has the smaller id, so that a pair is stored once. A decided pair (merged, or
    not the same person) is kept, so that the next search does not propose it again.
    """

    member_a = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    member_b = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(_("score"))
    # Codes of `quality.matching.REASONS`: what the two records have in common.
    reasons = models.JSONField(_("reasons"), default=list)
    status = models.CharField(
        _("status"), max_length=20, choices=PairStatus.choices, default=PairStatus.OPEN
    )
    found_at = models.DateTimeField(_("found at"))
    decided_by = models.CharField(_("decided by"), max_length=150, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    # A pair is shown only to those who also reach `member_b` (`quality.queries.pairs`).
    scope_path = "member_a__organisation__path"

    class Meta:
        verbose_name = _("likely duplicate")
        verbose_name_plural = _("likely duplicates")
        constraints = [
            models.UniqueConstraint(fields=["member_a", "member_b"], name="duplicate_pair"),
            models.CheckConstraint(
                condition=Q(member_a__lt=F("member_b")), name="duplicate_pair_ordered"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=1), name="duplicate_score_range"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "score"], name="duplicate_status_score_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.member_a_id} ~ {self.member_b_id} ({self.score:.2f})"

    @property
    def is_open(self) -> bool:
        return self.status == PairStatus.OPEN
