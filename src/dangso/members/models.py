import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import BooleanField, F, Func, Q, Value
from django.db.models.functions import Concat, Replace
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dangso.core.dates import add_months, age_in_years, format_date
from dangso.core.text import clean_spaces, fold, name_sort_key, normalise_name
from dangso.members.choices import (
    ETHNICITIES,
    ON_ROLL,
    EventKind,
    FlagKind,
    MemberStatus,
    Qualification,
    Religion,
    Sex,
    TheoryLevel,
)
from dangso.members.rules import PROBATION_MONTHS, check_record, normalise_phone
from dangso.orgs.models import Organisation

# The fields the rules of `members.rules` read.
RULE_FIELDS = (
    "full_name", "sex", "date_of_birth", "admission_date", "official_date", "cccd",
    "card_number", "dossier_number", "general_education", "phone", "email",
)  # fmt: skip


# Punctuation that separates the words of a name (as `member_name_runs()` in migration 0005).
_NAME_PUNCTUATION = str.maketrans("'-.,()/", "       ")


def name_words(text: str) -> list[str]:
    """The folded words of a name or query: 'Nguyễn Văn  Đức' → ['nguyen', 'van', 'duc']."""
    return fold(text).translate(_NAME_PUNCTUATION).split()


class _NameRunsMatch(Func):
    """`member_name_runs(name_folded) @@ '<run>':*` — PostgreSQL's indexed run search."""

    output_field = BooleanField()

    def __init__(self, expression: Any, run: str) -> None:
        super().__init__(expression)
        self.run = run

    def as_sql(  # type: ignore[override]
        self, compiler: Any, connection: Any, **extra: Any
    ) -> tuple[str, tuple[Any, ...]]:
        sql, params = compiler.compile(self.source_expressions[0])
        lexeme = self.run.replace("\\", "\\\\").replace("'", "''")
        return f"member_name_runs({sql}) @@ CAST(%s AS tsquery)", (*params, f"'{lexeme}':*")


class MemberQuerySet(models.QuerySet["Member"]):
    def on_roll(self) -> "MemberQuerySet":
        return self.filter(status__in=ON_ROLL)

    def search(self, query: str) -> "MemberQuerySet":
        """Folded-name search, or an exact CCCD (12 digits) or card number (8 digits).

        A name matches when the query's words appear in it side by side, in that order, from
        the start of a word, the last one possibly cut short: "van du" finds "Nguyễn Văn Dũng"
        and "Trần Văn Đức" while the name is being typed. PostgreSQL answers from an index of
        every name's word runs ("nguyen_van_dung", "van_dung", "dung"; migration 0005) in a
        few milliseconds at 5.5 M members; a trigram or per-word index reads posting lists of
        millions of rows for syllables like "nguyen" or "van" (limits.md). SQLite, the
        embedded default for small deployments, scans `name_folded` with LIKE.
        """
        query = query.strip()
        if query.isdigit() and len(query) == 12:
            return self.filter(cccd=query)
        if query.isdigit() and len(query) == 8:
            return self.filter(card_number=query)
        words = name_words(query)
        if not words:
            return self
        if connections[self.db].vendor == "postgresql":
            return self.filter(_NameRunsMatch(F("name_folded"), "_".join(words)))
        spaced: Any = F("name_folded")
        for mark in "'-.,()/":
            spaced = Replace(spaced, Value(mark), Value(" "))
        return self.alias(_spaced_name=Concat(Value(" "), spaced)).filter(
            _spaced_name__contains=" " + " ".join(words)
        )


class Member(models.Model):
    """A party member's record: the fields of the Phiếu đảng viên (mẫu 2-HSĐV)."""

    full_name = models.CharField(_("full name"), max_length=120)
    other_names = models.CharField(_("other names"), max_length=120, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    date_of_birth = models.DateField(_("date of birth"))
    place_of_birth = models.CharField(_("place of birth"), max_length=255, blank=True)
    hometown = models.CharField(_("hometown"), max_length=255, blank=True)
    residence = models.CharField(_("residence"), max_length=255, blank=True)
    ethnicity = models.CharField(_("ethnicity"), max_length=2, choices=ETHNICITIES, default="01")
    religion = models.CharField(
        _("religion"), max_length=20, choices=Religion.choices, default=Religion.NONE
    )
    cccd = models.CharField(_("CCCD number"), max_length=12, null=True, blank=True, unique=True)
    card_number = models.CharField(
        _("party card number"), max_length=8, null=True, blank=True, unique=True
    )
    dossier_number = models.CharField(_("dossier number"), max_length=10, blank=True)
    admission_date = models.DateField(_("admission date"))
    official_date = models.DateField(_("official date"), null=True, blank=True)
    # Indexed by member_org_status_idx (organisation first).
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("Party cell"),
        on_delete=models.PROTECT,
        related_name="members",
        db_index=False,
    )
    temporary_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("temporarily active at"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="temporary_members",
        db_index=False,  # member_temporary_org_idx: the few members with one
    )
    temporary_until = models.DateField(_("temporary until"), null=True, blank=True)
    general_education = models.CharField(_("general education"), max_length=5, blank=True)
    professional_qualification = models.CharField(
        _("professional qualification"),
        max_length=20,
        choices=Qualification.choices,
        default=Qualification.NONE,
    )
    political_theory = models.CharField(
        _("political theory"), max_length=20, choices=TheoryLevel.choices, default=TheoryLevel.NONE
    )
    occupation = models.CharField(_("occupation"), max_length=120, blank=True)
    position = models.CharField(_("position"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=15, blank=True)
    email = models.CharField(_("e-mail"), max_length=254, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=MemberStatus.choices, default=MemberStatus.PROBATIONARY
    )
    # A duplicate record merged into another keeps its row (and its history) and points there.
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_records",
        db_index=False,  # member_merged_into_idx: the few merged records
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member",
    )
    # Derived from full_name on save: diacritic-free for search, Vietnamese order for lists.
    # Searched through the word-run index of migration 0005 (PostgreSQL), ordered through
    # member_sort_key_idx of 0007 (binary collation, as `members.queries.vietnamese_order`
    # sorts; a plain index on either would never be read on PostgreSQL).
    name_folded = models.CharField(max_length=120, editable=False)
    sort_key = models.CharField(max_length=255, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MemberQuerySet.as_manager()
    scope_path = "organisation__path"

    class Meta:
        verbose_name = _("party member")
        verbose_name_plural = _("party members")
        # Every index is rebuilt by a bulk import (`imports.staging`): only those a query reads.
        indexes = [
            models.Index(fields=["organisation", "status"], name="member_org_status_idx"),
            # Foreign keys that are almost always empty: only the rows that have one.
            models.Index(
                fields=["temporary_organisation"],
                name="member_temporary_org_idx",
                condition=Q(temporary_organisation__isnull=False),
            ),
            models.Index(
                fields=["merged_into"],
                name="member_merged_into_idx",
                condition=Q(merged_into__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(official_date__isnull=True)
                | Q(official_date__gt=models.F("admission_date")),
                name="member_official_after_admission",
            ),
            models.CheckConstraint(
                condition=Q(admission_date__gt=models.F("date_of_birth")),
                name="member_admission_after_birth",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        self.full_name = normalise_name(self.full_name)
        # Unique identifiers: an empty one is "not known", never a value two members share.
        self.cccd = self.cccd or None
        self.card_number = self.card_number or None
        self.name_folded = fold(self.full_name)
        self.sort_key = name_sort_key(self.full_name)
        if "update_fields" in kwargs and "full_name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_folded", "sort_key"}
        super().save(*args, **kwargs)

    @property
    def is_on_roll(self) -> bool:
        return self.status in ON_ROLL

    @property
    def party_age_years(self) -> int | None:
        """Tuổi đảng: counted from admission once the member is official (HD 01-HD/TW,
        domain.md §2.4); a probationary member has none yet. Periods without Party activity
        are not recorded yet, so they are not subtracted."""
        if self.official_date is None:
            return None
        return age_in_years(self.admission_date, timezone.localdate())

    def clean(self) -> None:
        """The blocking rules of `members.rules`, each message on its field (in Vietnamese)."""
        self.full_name = normalise_name(self.full_name or "")
        for name in ("other_names", "place_of_birth", "hometown", "residence", "occupation",
                     "position"):  # fmt: skip
            setattr(self, name, clean_spaces(getattr(self, name) or ""))
        if self.phone:
            self.phone = normalise_phone(self.phone)
        errors: dict[str, list[str]] = {}
        for problem in check_record(self.rule_values()):
            if problem.is_blocking:
                errors.setdefault(problem.field, []).append(problem.message)
        if self.organisation_id and not self.organisation.is_cell:
            errors.setdefault("organisation", []).append(
                gettext("A member is recorded in a Party cell.")
            )
        if errors:
            raise ValidationError(errors)

    def rule_values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in RULE_FIELDS}

    def can_become_official(self, on: datetime.date) -> bool:
        return self.status == MemberStatus.PROBATIONARY and on >= add_months(
            self.admission_date, PROBATION_MONTHS
        )


class MemberEvent(models.Model):
    """One step of a member's life in the Party. Append-only; written by `members.actions`."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("event"), max_length=30, choices=EventKind.choices)
    date = models.DateField(_("date"))
    decision_number = models.CharField(_("decision number"), max_length=60, blank=True)
    from_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    destination = models.CharField(_("destination"), max_length=255, blank=True)
    detail = models.CharField(_("detail"), max_length=255, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    recorded_by = models.CharField(_("recorded by"), max_length=150, blank=True)

    scope_path = "member__organisation__path"

    class Meta:
        verbose_name = _("member event")
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {format_date(self.date)}"


class MemberCount(models.Model):
    """Members in an organisation's subtree by status, sex and birth year.

    Kept for every organisation that is not a cell, so that a province's dashboard reads a few
    hundred rows instead of grouping 160,000 members (a cell's thirty are counted live). Written
    only by `members.stats`: by the member-change follower, and rebuilt by `dangso recount`.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    status = models.CharField(max_length=20)
    sex = models.CharField(max_length=1)
    birth_year = models.PositiveSmallIntegerField()
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "status", "sex", "birth_year"], name="member_count_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.status} {self.sex} {self.birth_year}: {self.count}"


class MemberFlag(models.Model):
    """Grounds against a member in one year, kept up to date by the app that holds the facts
    (fees, cell meetings) through `members.actions.flag_member`, and read by the procedures that
    act on them (xóa tên). `months` lists the months concerned ("YYYY-MM"); the flag is raised
    when they reach the rule's threshold and stays with its history when cleared."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(_("grounds"), max_length=30, choices=FlagKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    months = models.JSONField(_("months"), default=list)
    raised_at = models.DateTimeField(_("raised at"), null=True, blank=True)
    cleared_at = models.DateTimeField(_("cleared at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)

    scope_path = "member__organisation__path"

    class Meta:
        verbose_name = _("member flag")
        constraints = [
            models.UniqueConstraint(fields=["member", "kind", "year"], name="member_flag_key"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year}: {len(self.months)}"

    @property
    def is_raised(self) -> bool:
        return self.raised_at is not None and self.cleared_at is None
