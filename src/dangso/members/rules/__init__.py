"""The rules a member record must follow, each declared once and executed two ways.

Every rule is data (`catalogue.MEMBER_RULES`): a code, the field its problem is shown on, the
condition under which a record breaks it — built from fields, patterns, ranges, code tables
and conditions across fields (`expr`) — and a Vietnamese message with its parameters. The
declarations are compiled (`declare`) to:

- `check_record(record)`: one record's problems, for forms, the API, `Member.clean()`, the
  member-change followers and the handbook's correction requests;
- `check_frame(frame)`: the same problems for a whole polars frame of records at once, for the
  import of a national file and the bulk data-quality checks.

A test runs every rule both ways over generated rows with planted defects and asserts that the
two give identical problems (`tests/test_rules_vectorised.py`).

Blocking rules describe a record that is wrong; warnings describe one that needs a look (no
CCCD yet, recognition long after the 12 months, admission above 60 without the approval on
record) and do not stop an officer from saving other corrections.

Adding a rule (a few lines in `catalogue.py`, with its code in `RULES` and, for a warning, in
`WARNINGS`; its msgid translated in `members/locale/vi`):

    # a pattern after a normalisation: an identifier typed with full-width digits
    pattern("dossier.format", "dossier_number", DOSSIER_PATTERN, _("…"), normalise=nfkc)
    # a range over a derived value: age bounds at admission
    value_range("age.admission_min", "admission_date", _("… %(age)s …"), low=18,
                of=lambda day: birth.months_until(day) // 12,
                params={"age": birth.months_until(admission) // 12})
    # a date that must not come before a fixed day (the Party was founded on 03/02/1930)
    condition("date.admission_plausible", "admission_date",
              admission < datetime.date(1930, 2, 3), _("…"))
    # a code table
    code_table("ethnicity.unknown", "ethnicity", [code for code, _ in ETHNICITIES], _("…"))

Rules over several records (số lý lịch unique within a province, CCCD unique) are not record
rules: the import finds repeats within a file in one grouping (`imports`) and the database's
unique constraints refuse them between records; declare the code in `RULES` and find them there.
"""

import datetime
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from dangso.members.rules import declare
from dangso.members.rules.catalogue import (
    CARD_PATTERN,
    CCCD_PATTERN,
    DOSSIER_PATTERN,
    EDUCATION_PATTERN,
    FIELDS,
    MAX_ADMISSION_AGE,
    MEMBER_RULES,
    MIN_ADMISSION_AGE,
    PHONE_PATTERN,
    PROBATION_MONTHS,
    official_tolerance_days,
)
from dangso.members.rules.codes import RULES, WARNINGS
from dangso.members.rules.declare import Problem, Rule, problems_of

if TYPE_CHECKING:
    import polars as pl

PHONE = re.compile(PHONE_PATTERN)
EDUCATION = re.compile(EDUCATION_PATTERN)


def check_record(record: Mapping[str, Any], *, today: datetime.date | None = None) -> list[Problem]:
    """Every rule `record` breaks. `record` maps Member field names to clean Python values
    (dates as dates, empty text as ""); set-level rules (duplicates) are checked elsewhere."""
    return declare.check_record(record, MEMBER_RULES, today or timezone.localdate())


def check_frame(
    frame: "pl.DataFrame",
    *,
    today: datetime.date | None = None,
    messages: bool = True,
    rules: Sequence[Rule] = MEMBER_RULES,
) -> "pl.DataFrame":
    """Every rule each row of `frame` breaks (columns named as the Member fields; dates as
    dates): a frame (row, order, code, field, message) sorted by row, then rule. `messages`
    False leaves the messages of warnings empty (what a bulk check stores needs none)."""
    wanted = True if messages else (lambda rule: rule.code not in WARNINGS)
    return declare.check_frame(frame, rules, FIELDS, today or timezone.localdate(), messages=wanted)


def value_text(value: Any) -> str:
    """A problem's offending value as the data-quality table keeps it."""
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)[:255]


def normalise_phone(phone: str) -> str:
    """'0912 345 678', '+84 912.345.678' → '0912345678'."""
    phone = re.sub(r"[\s.\-()]", "", phone)
    if phone.startswith("+84"):
        phone = "0" + phone[3:]
    elif phone.startswith("84") and len(phone) == 11:
        phone = "0" + phone[2:]
    return phone


__all__ = [
    "CARD_PATTERN",
    "CCCD_PATTERN",
    "DOSSIER_PATTERN",
    "EDUCATION",
    "MAX_ADMISSION_AGE",
    "MEMBER_RULES",
    "MIN_ADMISSION_AGE",
    "PHONE",
    "PROBATION_MONTHS",
    "RULES",
    "WARNINGS",
    "Problem",
    "Rule",
    "check_frame",
    "check_record",
    "normalise_phone",
    "official_tolerance_days",
    "problems_of",
    "value_text",
]
