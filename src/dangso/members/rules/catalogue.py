"""The member rules, each declared once (see `members.rules` for how to add one).

Order matters: a record's problems are listed in the order of `MEMBER_RULES`, as forms and the
import report show them.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from dangso.core.ids import PROVINCE_CODES
from dangso.members.rules.declare import Rule, condition, pattern
from dangso.members.rules.expr import (
    BOOL,
    DATE,
    TEXT,
    Call,
    Expr,
    Field,
    Setting,
    Today,
    case,
)

MIN_ADMISSION_AGE = 18
MAX_ADMISSION_AGE = 60
PROBATION_MONTHS = 12
PHONE_PATTERN = r"0\d{9,10}"
EDUCATION_PATTERN = r"(\d{1,2})/(10|12)"
CCCD_PATTERN = r"\d{12}"
CARD_PATTERN = r"\d{8}"
# Số lý lịch: 6 digits and 1–3 letters naming the provincial committee (domain.md §2.3).
DOSSIER_PATTERN = r"\d{6}[A-ZĐ]{1,3}"
# Addresses of the plainest form, which `validate_email` always accepts: they skip it (it
# costs microseconds each over millions of records); anything else goes through it.
PLAIN_EMAIL_PATTERN = (
    r"[a-z0-9]+(?:[._-][a-z0-9]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}"
)

# The fields the rules read and their kinds (`Member.rule_values()` gives all but the flag).
FIELDS: dict[str, str] = {
    "full_name": TEXT, "sex": TEXT, "date_of_birth": DATE, "admission_date": DATE,
    "official_date": DATE, "cccd": TEXT, "card_number": TEXT, "dossier_number": TEXT,
    "general_education": TEXT, "phone": TEXT, "email": TEXT, "over_60_approved": BOOL,
}  # fmt: skip


def official_tolerance_days() -> int:
    """How long after the 12 months a recognition may be dated before it is flagged.

    domain.md §2.4: the cell considers recognition "promptly" once 12 months have passed; how
    promptly is not fixed anywhere we could read, so a deployment sets it (at least 0).
    """
    return max(0, int(getattr(settings, "DANGSO_OFFICIAL_TOLERANCE_DAYS", 90)))


def _is_email(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


name = Field("full_name")
sex = Field("sex")
birth = Field("date_of_birth")
admission = Field("admission_date")
official = Field("official_date")
cccd = Field("cccd")
email = Field("email")
education = Field("general_education")

admission_months = birth.months_until(admission)  # ages at admission are counted by month
end_of_probation = admission.add_months(PROBATION_MONTHS)
days_late = end_of_probation.days_until(official)
cccd_ok = cccd.matches(CCCD_PATTERN)
cccd_digit = cccd.slice(3, 4).to_int()
birth_century = birth.year() // 100
expected_digit: Expr = (birth_century - 19) * 2 + case((sex.eq("F"), 1), otherwise=0)
plain_email = (email.length() <= 254) & email.matches(PLAIN_EMAIL_PATTERN)
grade = education.extract(EDUCATION_PATTERN, 1).to_int()
system = education.extract(EDUCATION_PATTERN, 2).to_int()


def _future(field: str) -> Rule:
    return condition("date.future", field, Field(field) > Today(),
                     _("This date is in the future."))  # fmt: skip


# fmt: off
MEMBER_RULES: tuple[Rule, ...] = (
    condition(
        "name.format", "full_name", (name.word_count() < 2) | name.contains(r"\d").or_false(),
        _("Enter the family name and the given name, in letters."),
    ),
    _future("date_of_birth"),
    _future("admission_date"),
    _future("official_date"),
    condition(
        "date.order", "admission_date", admission <= birth,
        _("The admission date must come after the date of birth."),
    ),
    condition(
        "age.admission_min", "admission_date",
        (admission > birth) & (admission_months // 12 < MIN_ADMISSION_AGE),
        _("At admission the member was %(age)s years old; the minimum is 18."),
        {"age": admission_months // 12},
    ),
    condition(
        "age.admission_max", "admission_date",
        (admission > birth) & (admission_months > MAX_ADMISSION_AGE * 12)
        & ~Field("over_60_approved").or_false(),
        _("At admission the member was %(age)s years old; above 60 needs the approval of a "
          "committee directly under the Central Committee."),
        {"age": admission_months // 12},
    ),
    condition(
        "date.order", "official_date", official <= admission,
        _("The official date must come after the admission date."),
    ),
    condition(
        "official.too_early", "official_date",
        (official > admission) & (official < end_of_probation),
        _("The official date must be at least 12 months after admission (not before %(day)s)."),
        {"day": end_of_probation.format_date()},
    ),
    condition(
        "official.not_12_months", "official_date",
        (official > admission) & (official >= end_of_probation)
        & (days_late > Setting(official_tolerance_days)),
        _("Recognised %(days)s days after the 12 months of probation ended (%(day)s); check "
          "the date."),
        {"days": days_late, "day": end_of_probation.format_date()},
    ),
    condition("cccd.missing", "cccd", cccd.absent(), _("The CCCD number is not recorded yet.")),
    pattern("cccd.format", "cccd", CCCD_PATTERN, _("A CCCD number has exactly 12 digits.")),
    condition(
        "cccd.province", "cccd", cccd_ok & ~cccd.slice(0, 3).isin(sorted(PROVINCE_CODES)),
        _("The first three digits (%(code)s) are not a province code."),
        {"code": cccd.slice(0, 3)},
    ),
    condition(
        "cccd.century_sex", "cccd",
        cccd_ok & birth.present() & sex.isin(("M", "F")).or_false() & cccd_digit.ne(expected_digit),
        _("The fourth digit (%(digit)s) does not match the sex and birth century (expected "
          "%(expected)s)."),
        {"digit": cccd_digit, "expected": expected_digit},
    ),
    condition(
        "cccd.century_sex", "cccd",
        cccd_ok & birth.present() & ~sex.isin(("M", "F")).or_false()
        & (cccd_digit // 2 + 19).ne(birth_century),
        _("The fourth digit (%(digit)s) does not match the birth century."),
        {"digit": cccd_digit},
    ),
    condition(
        "cccd.birth_year", "cccd",
        cccd_ok & birth.present() & cccd.slice(4, 6).ne((birth.year() - birth_century * 100)
                                                        .two_digits()),
        _("Digits 5–6 (%(digits)s) do not match the birth year %(year)s."),
        {"digits": cccd.slice(4, 6), "year": birth.year()},
    ),
    pattern("card.format", "card_number", CARD_PATTERN, _("A party card number has 8 digits.")),
    pattern(
        "dossier.format", "dossier_number", DOSSIER_PATTERN,
        _("A dossier number is 6 digits followed by 1 to 3 capital letters."),
    ),
    condition(
        "education.format", "general_education",
        education.present()
        & ~(education.matches(EDUCATION_PATTERN) & (grade >= 1) & (grade <= system)),
        _("Write general education as grade/system, e.g. 12/12 or 10/10."),
    ),
    pattern("phone.format", "phone", PHONE_PATTERN,
            _("A Vietnamese phone number has 10 or 11 digits starting with 0.")),
    condition(
        "email.format", "email",
        email.present() & ~plain_email & ~Call(_is_email, email.where(~plain_email)),
        _("Enter a valid e-mail address."),
    ),
)
# fmt: on
