"""The codes of the member rules: what each checks (for dashboards and filters), and which are
warnings (a record that needs a look, not one that is wrong)."""

from typing import Any

from django.utils.translation import gettext_lazy as _

# Every rule code and what it checks, for dashboards and the worklist's filters.
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
# `quality.actions.find_duplicates`; every other rule is declared below.
WARNINGS = frozenset(
    {"cccd.missing", "age.admission_max", "official.not_12_months", "cccd.duplicate",
     "card.duplicate", "duplicate.likely"}
)  # fmt: skip

__all__ = ["RULES", "WARNINGS"]
