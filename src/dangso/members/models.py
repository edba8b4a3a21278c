import datetime
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dangso.core.dates import add_months, age_in_years, format_date
from dangso.core.ids import cccd_problems, is_card_number, is_dossier_number
from dangso.core.text import clean_spaces, fold, name_sort_key, normalise_name
from dangso.members.choices import (
    ETHNICITIES,
    ON_ROLL,
    EventKind,
    MemberStatus,
    Qualification,
    Religion,
    Sex,
    TheoryLevel,
)
from dangso.orgs.models import Organisation

MIN_ADMISSION_AGE = 18
MAX_ADMISSION_AGE = 60
PROBATION_MONTHS = 12
_PHONE = re.compile(r"0\d{9,10}")
_EDUCATION = re.compile(r"\d{1,2}/(10|12)")


class MemberQuerySet(models.QuerySet["Member"]):
    def on_roll(self) -> "MemberQuerySet":
        return self.filter(status__in=ON_ROLL)

    def search(self, query: str) -> "MemberQuerySet":
        """Folded-name search, or an exact CCCD (12 digits) or card number (8 digits)."""
        query = query.strip()
        if query.isdigit() and len(query) == 12:
            return self.filter(cccd=query)
        if query.isdigit() and len(query) == 8:
            return self.filter(card_number=query)
        folded = fold(query)
        if not folded:
            return self
        return self.filter(name_folded__contains=folded)


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
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("Party cell"), on_delete=models.PROTECT, related_name="members"
    )
    temporary_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("temporarily active at"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="temporary_members",
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
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member",
    )
    # Derived from full_name on save: diacritic-free for search, Vietnamese order for lists.
    name_folded = models.CharField(max_length=120, editable=False, db_index=True)
    sort_key = models.CharField(max_length=255, editable=False, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MemberQuerySet.as_manager()
    scope_path = "organisation__path"

    class Meta:
        verbose_name = _("party member")
        verbose_name_plural = _("party members")
        indexes = [models.Index(fields=["organisation", "status"], name="member_org_status_idx")]
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
    def party_age_years(self) -> int:
        return age_in_years(self.admission_date, timezone.localdate())

    def clean(self) -> None:
        """Field checks of the Phiếu đảng viên, each with a Vietnamese message on its field."""
        errors: dict[str, list[str]] = {}
        today = timezone.localdate()
        self.full_name = normalise_name(self.full_name or "")
        for name in ("other_names", "place_of_birth", "hometown", "residence", "occupation",
                     "position"):  # fmt: skip
            setattr(self, name, clean_spaces(getattr(self, name) or ""))
        if len(self.full_name.split(" ")) < 2:
            errors.setdefault("full_name", []).append(
                gettext("Enter the family name and the given name.")
            )
        birth, admission, official = self.date_of_birth, self.admission_date, self.official_date
        for field, day in (("date_of_birth", birth), ("admission_date", admission),
                           ("official_date", official)):  # fmt: skip
            if day and day > today:
                errors.setdefault(field, []).append(gettext("This date is in the future."))
        if birth and admission:
            age = age_in_years(birth, admission)
            if age < MIN_ADMISSION_AGE:
                errors.setdefault("admission_date", []).append(
                    gettext("At admission the member was %(age)s years old; the minimum is 18.")
                    % {"age": age}
                )
        if admission and official and official < add_months(admission, PROBATION_MONTHS):
            errors.setdefault("official_date", []).append(
                gettext(
                    "The official date must be at least 12 months after admission "
                    "(not before %(day)s)."
                )
                % {"day": format_date(add_months(admission, PROBATION_MONTHS))}
            )
        if self.cccd:
            problems = cccd_problems(self.cccd, birth_date=birth, sex=self.sex)
            if problems:
                errors.setdefault("cccd", []).extend(problem.message for problem in problems)
        if self.card_number and not is_card_number(self.card_number):
            errors.setdefault("card_number", []).append(
                gettext("A party card number has 8 digits.")
            )
        if self.dossier_number and not is_dossier_number(self.dossier_number):
            errors.setdefault("dossier_number", []).append(
                gettext("A dossier number is 6 digits followed by 1 to 3 capital letters.")
            )
        if self.general_education and not _EDUCATION.fullmatch(self.general_education):
            errors.setdefault("general_education", []).append(
                gettext("Write general education as grade/system, e.g. 12/12 or 10/10.")
            )
        if self.phone:
            self.phone = re.sub(r"[\s.\-]", "", self.phone).replace("+84", "0", 1)
            if not _PHONE.fullmatch(self.phone):
                errors.setdefault("phone", []).append(
                    gettext("A Vietnamese phone number has 10 or 11 digits starting with 0.")
                )
        if self.email:
            try:
                validate_email(self.email)
            except ValidationError:
                errors.setdefault("email", []).append(gettext("Enter a valid e-mail address."))
        if self.organisation_id and not self.organisation.is_cell:
            errors.setdefault("organisation", []).append(
                gettext("A member is recorded in a Party cell.")
            )
        if errors:
            raise ValidationError(errors)

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
