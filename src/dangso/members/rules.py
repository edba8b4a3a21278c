"""The rules a member record must follow, each with a code and a Vietnamese message.

One set of rules serves three callers: `Member.clean()` (forms and actions refuse a record that
breaks a blocking rule), the importer (every bad row reported with its column and reason) and
the data-quality checks (every record on the roll marked clean or needing fixing). The checks
are pure functions of a record's values, fast enough to run over millions of rows.

Blocking rules describe a record that is wrong; warnings describe one that needs a look
(no CCCD yet, recognition long after the 12 months, admission above 60 without the approval on
record) and do not stop an officer from saving other corrections.
"""

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dangso.core.dates import add_months, format_date, whole_months_between
from dangso.core.ids import cccd_problems, is_card_number, is_dossier_number

MIN_ADMISSION_AGE = 18
MAX_ADMISSION_AGE = 60
PROBATION_MONTHS = 12
PHONE = re.compile(r"0\d{9,10}")
EDUCATION = re.compile(r"(\d{1,2})/(10|12)")
_DIGIT = re.compile(r"\d")
# Addresses of the plainest form, which `validate_email` always accepts: they skip it (it
# costs microseconds each over millions of records); anything else goes through it.
_PLAIN_EMAIL = re.compile(
    r"[a-z0-9]+(?:[._-][a-z0-9]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}"
)

# Every rule: its code and what it checks, for dashboards and the worklist's filters.
RULES: dict[str, Any] = {
    "name.format": _("Full name: family and given name, letters only"),
    "cccd.missing": _("CCCD number not recorded"),
    "cccd.format": _("CCCD number: 12 digits"),
    "cccd.province": _("CCCD number: province code"),
    "cccd.century_sex": _("CCCD number: century and sex digit"),
    "cccd.birth_year": _("CCCD number: birth year digits"),
    "cccd.duplicate": _("CCCD number used by two records"),
    "date.future": _("Date in the future"),
    "date.order": _("Dates out of order (birth, admission, official)"),
    "age.admission_min": _("Under 18 at admission"),
    "age.admission_max": _("Over 60 at admission"),
    "official.too_early": _("Official less than 12 months after admission"),
    "official.not_12_months": _("Official date not 12 months after admission"),
    "card.format": _("Party card number: 8 digits"),
    "card.duplicate": _("Party card number used by two records"),
    "dossier.format": _("Dossier number: 6 digits and 1–3 letters"),
    "education.format": _("General education: grade/system"),
    "phone.format": _("Phone number"),
    "email.format": _("E-mail address"),
    "duplicate.likely": _("Probably the same person as another record"),
}
# "cccd.duplicate" and "card.duplicate" are found per file by the import (the same number on
# two lines: both rows refused) and cannot occur between records: the member table's unique
# constraints refuse a second record with a recorded number. `duplicate.likely` is written by
# `quality.actions.find_duplicates`; every other rule by `check_record`.
WARNINGS = frozenset(
    {"cccd.missing", "age.admission_max", "official.not_12_months", "cccd.duplicate",
     "card.duplicate", "duplicate.likely"}
)  # fmt: skip


@dataclass(frozen=True)
class Problem:
    code: str
    field: str
    message: str

    @property
    def is_blocking(self) -> bool:
        return self.code not in WARNINGS


def official_tolerance_days() -> int:
    """How long after the 12 months a recognition may be dated before it is flagged.

    domain.md §2.4: the cell considers recognition "promptly" once 12 months have passed; how
    promptly is not fixed anywhere we could read, so a deployment sets it (at least 0).
    """
    return max(0, int(getattr(settings, "DANGSO_OFFICIAL_TOLERANCE_DAYS", 90)))


def _end_of_probation(admission: datetime.date) -> datetime.date:
    """`add_months(admission, 12)`, without the calendar lookup (checked millions of times)."""
    if admission.month == 2 and admission.day == 29:
        return datetime.date(admission.year + 1, 2, 28)
    return admission.replace(year=admission.year + 1)


def _dates(record: Mapping[str, Any], today: datetime.date) -> list[Problem]:
    problems = []
    birth = record.get("date_of_birth")
    admission = record.get("admission_date")
    official = record.get("official_date")
    if (birth and birth > today) or (admission and admission > today) or (
        official and official > today
    ):  # fmt: skip
        for field, day in (("date_of_birth", birth), ("admission_date", admission),
                           ("official_date", official)):  # fmt: skip
            if day and day > today:
                problems.append(
                    Problem("date.future", field, gettext("This date is in the future."))
                )
    if birth and admission and admission <= birth:
        problems.append(
            Problem("date.order", "admission_date",
                    gettext("The admission date must come after the date of birth."))
        )  # fmt: skip
    elif birth and admission:
        # Ages at admission are counted by month: 60 years and 1 month is above 60.
        months = whole_months_between(birth, admission)
        age = months // 12
        if age < MIN_ADMISSION_AGE:
            problems.append(
                Problem(
                    "age.admission_min",
                    "admission_date",
                    gettext("At admission the member was %(age)s years old; the minimum is 18.")
                    % {"age": age},
                )
            )
        elif months > MAX_ADMISSION_AGE * 12 and not record.get("over_60_approved"):
            problems.append(
                Problem(
                    "age.admission_max",
                    "admission_date",
                    gettext(
                        "At admission the member was %(age)s years old; above 60 needs the "
                        "approval of a committee directly under the Central Committee."
                    )
                    % {"age": age},
                )
            )
    if admission and official:
        earliest = (
            _end_of_probation(admission)
            if PROBATION_MONTHS == 12
            else add_months(admission, PROBATION_MONTHS)
        )
        late = (official - earliest).days
        if official <= admission:
            problems.append(
                Problem("date.order", "official_date",
                        gettext("The official date must come after the admission date."))
            )  # fmt: skip
        elif official < earliest:
            problems.append(
                Problem(
                    "official.too_early",
                    "official_date",
                    gettext(
                        "The official date must be at least 12 months after admission "
                        "(not before %(day)s)."
                    )
                    % {"day": format_date(earliest)},
                )
            )
        elif late > 0 and late > official_tolerance_days():
            problems.append(
                Problem(
                    "official.not_12_months",
                    "official_date",
                    gettext(
                        "Recognised %(days)s days after the 12 months of probation ended "
                        "(%(day)s); check the date."
                    )
                    % {"days": late, "day": format_date(earliest)},
                )
            )
    return problems


def _identifiers(record: Mapping[str, Any]) -> list[Problem]:
    problems = []
    cccd = record.get("cccd") or ""
    if not cccd:
        problems.append(
            Problem("cccd.missing", "cccd", gettext("The CCCD number is not recorded yet."))
        )
    else:
        problems.extend(
            Problem(problem.code, "cccd", problem.message)
            for problem in cccd_problems(
                cccd, birth_date=record.get("date_of_birth"), sex=record.get("sex")
            )
        )
    card = record.get("card_number") or ""
    if card and not is_card_number(card):
        problems.append(
            Problem("card.format", "card_number", gettext("A party card number has 8 digits."))
        )
    dossier = record.get("dossier_number") or ""
    if dossier and not is_dossier_number(dossier):
        problems.append(
            Problem("dossier.format", "dossier_number",
                    gettext("A dossier number is 6 digits followed by 1 to 3 capital letters."))
        )  # fmt: skip
    return problems


_EDUCATION_SEEN: dict[str, bool] = {}  # a handful of distinct values over millions of records


def _is_education(education: str) -> bool:
    """'12/12', '9/12' (a grade of a 10- or 12-year system); remembered per value."""
    valid = _EDUCATION_SEEN.get(education)
    if valid is None:
        grade = EDUCATION.fullmatch(education)
        valid = grade is not None and 1 <= int(grade[1]) <= int(grade[2])
        if len(_EDUCATION_SEEN) < 1000:
            _EDUCATION_SEEN[education] = valid
    return valid


def _contact(record: Mapping[str, Any]) -> list[Problem]:
    problems = []
    education = record.get("general_education") or ""
    if education and not _is_education(education):
        problems.append(
            Problem("education.format", "general_education",
                    gettext("Write general education as grade/system, e.g. 12/12 or 10/10."))
        )  # fmt: skip
    phone = record.get("phone") or ""
    if phone and not PHONE.fullmatch(phone):
        problems.append(
            Problem("phone.format", "phone",
                    gettext("A Vietnamese phone number has 10 or 11 digits starting with 0."))
        )  # fmt: skip
    email = record.get("email") or ""
    if email and not (len(email) <= 254 and _PLAIN_EMAIL.fullmatch(email)):
        try:
            validate_email(email)
        except ValidationError:
            problems.append(
                Problem("email.format", "email", gettext("Enter a valid e-mail address."))
            )
    return problems


def value_text(value: Any) -> str:
    """A problem's offending value as the data-quality table keeps it."""
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)[:255]


def check_record(record: Mapping[str, Any], *, today: datetime.date | None = None) -> list[Problem]:
    """Every rule `record` breaks. `record` maps Member field names to clean Python values
    (dates as dates, empty text as ""); set-level rules (duplicates) are checked elsewhere."""
    today = today or timezone.localdate()
    problems = []
    name = record.get("full_name") or ""
    if len(name.split()) < 2 or _DIGIT.search(name):
        problems.append(
            Problem("name.format", "full_name",
                    gettext("Enter the family name and the given name, in letters."))
        )  # fmt: skip
    problems.extend(_dates(record, today))
    problems.extend(_identifiers(record))
    problems.extend(_contact(record))
    return problems


def normalise_phone(phone: str) -> str:
    """'0912 345 678', '+84 912.345.678' → '0912345678'."""
    phone = re.sub(r"[\s.\-()]", "", phone)
    if phone.startswith("+84"):
        phone = "0" + phone[3:]
    elif phone.startswith("84") and len(phone) == 11:
        phone = "0" + phone[2:]
    return phone
