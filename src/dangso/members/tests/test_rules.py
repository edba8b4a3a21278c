import datetime

import pytest
from django.utils import timezone, translation

from dangso.core.dates import add_months
from dangso.members.models import RULE_FIELDS
from dangso.members.rules import RULES, WARNINGS, Problem, check_record, normalise_phone

TODAY = datetime.date(2025, 1, 1)
BIRTH = datetime.date(1990, 5, 17)
ADMISSION = datetime.date(2015, 6, 1)
# A record that breaks no rule: CCCD 027 (Bắc Ninh), 0 (man born in the 1900s), 90 (1990).
CLEAN = {
    "full_name": "Nguyễn Văn Đức",
    "sex": "M",
    "date_of_birth": BIRTH,
    "admission_date": ADMISSION,
    "official_date": datetime.date(2016, 6, 1),
    "cccd": "027090001234",
    "card_number": "12345678",
    "dossier_number": "012345BN",
    "general_education": "12/12",
    "phone": "0912345678",
    "email": "duc@example.vn",
}


def _check(**changes):
    return check_record({**CLEAN, **changes}, today=TODAY)


def _codes(**changes):
    return [problem.code for problem in _check(**changes)]


def test_a_clean_record_breaks_no_rule():
    assert check_record(CLEAN, today=TODAY) == []


@pytest.mark.parametrize(
    ("code", "field", "changes"),
    [
        ("name.format", "full_name", {"full_name": "Đức"}),
        ("name.format", "full_name", {"full_name": "Nguyễn Văn 2"}),
        ("name.format", "full_name", {"full_name": "   "}),
        ("cccd.missing", "cccd", {"cccd": ""}),
        ("cccd.missing", "cccd", {"cccd": None}),
        ("cccd.format", "cccd", {"cccd": "27090001234"}),
        ("cccd.format", "cccd", {"cccd": "02709000123A"}),
        ("cccd.province", "cccd", {"cccd": "003090001234"}),
        ("cccd.century_sex", "cccd", {"cccd": "027190001234"}),  # 1 = a woman
        ("cccd.century_sex", "cccd", {"cccd": "027290001234"}),  # 2 = born in the 2000s
        ("cccd.birth_year", "cccd", {"cccd": "027091001234"}),
        ("date.future", "admission_date",
         {"admission_date": datetime.date(2025, 6, 1), "official_date": None}),
        ("date.future", "date_of_birth",
         {"date_of_birth": datetime.date(2026, 1, 1), "admission_date": None,
          "official_date": None}),
        ("date.order", "admission_date", {"admission_date": BIRTH}),
        ("date.order", "official_date", {"official_date": ADMISSION}),
        ("date.order", "official_date", {"official_date": datetime.date(2015, 1, 1)}),
        ("age.admission_min", "admission_date",
         {"admission_date": datetime.date(2008, 5, 16), "official_date": None}),
        ("age.admission_max", "admission_date",
         {"date_of_birth": datetime.date(1950, 1, 1), "cccd": "027050001234"}),
        ("official.too_early", "official_date", {"official_date": datetime.date(2016, 5, 31)}),
        ("official.not_12_months", "official_date",
         {"official_date": datetime.date(2016, 6, 1) + datetime.timedelta(days=91)}),
        ("card.format", "card_number", {"card_number": "1234567"}),
        ("card.format", "card_number", {"card_number": "1234567A"}),
        ("dossier.format", "dossier_number", {"dossier_number": "12345BN"}),
        ("dossier.format", "dossier_number", {"dossier_number": "012345bn"}),
        ("dossier.format", "dossier_number", {"dossier_number": "012345ABCD"}),
        ("education.format", "general_education", {"general_education": "12"}),
        ("education.format", "general_education", {"general_education": "12/11"}),
        ("phone.format", "phone", {"phone": "912345678"}),
        ("phone.format", "phone", {"phone": "0912 345 678"}),
        ("email.format", "email", {"email": "duc@"}),
    ],
)  # fmt: skip
def test_each_rule_is_broken_by_a_minimal_bad_record(code, field, changes):
    problems = _check(**changes)
    assert code in [problem.code for problem in problems]
    problem = next(problem for problem in problems if problem.code == code)
    assert problem.field == field
    assert problem.message
    assert problem.is_blocking is (code not in WARNINGS)


@pytest.mark.parametrize(
    ("changes", "codes"),
    [
        ({"full_name": "Đức"}, ["name.format"]),
        ({"cccd": ""}, ["cccd.missing"]),
        ({"cccd": "027091001234"}, ["cccd.birth_year"]),
        ({"card_number": "1234"}, ["card.format"]),
        ({"official_date": datetime.date(2016, 5, 31)}, ["official.too_early"]),
        ({"admission_date": datetime.date(2008, 5, 16), "official_date": None},
         ["age.admission_min"]),
    ],
)  # fmt: skip
def test_a_minimal_bad_record_breaks_only_its_rule(changes, codes):
    assert _codes(**changes) == codes


def test_an_empty_record_lacks_a_name_and_a_cccd():
    assert [problem.code for problem in check_record({}, today=TODAY)] == [
        "name.format",
        "cccd.missing",
    ]


def test_optional_fields_may_be_empty():
    empty = {"card_number": "", "dossier_number": "", "general_education": "", "phone": "",
             "email": "", "official_date": None}  # fmt: skip
    assert _codes(**empty) == []


@pytest.mark.parametrize(
    ("code", "blocking"),
    [
        ("name.format", True), ("cccd.format", True), ("cccd.province", True),
        ("cccd.century_sex", True), ("cccd.birth_year", True), ("date.future", True),
        ("date.order", True), ("age.admission_min", True), ("official.too_early", True),
        ("card.format", True), ("dossier.format", True), ("education.format", True),
        ("phone.format", True), ("email.format", True),
        ("cccd.missing", False), ("age.admission_max", False),
        ("official.not_12_months", False), ("cccd.duplicate", False),
        ("card.duplicate", False), ("duplicate.likely", False),
    ],
)  # fmt: skip
def test_warnings_do_not_block(code, blocking):
    assert Problem(code, "cccd", "").is_blocking is blocking


def test_every_warning_and_every_problem_is_a_known_rule():
    assert set(WARNINGS) <= set(RULES)
    bad = {**CLEAN, "full_name": "X", "cccd": "12", "card_number": "1", "dossier_number": "1",
           "general_education": "1", "phone": "1", "email": "1",
           "official_date": datetime.date(2030, 1, 1)}  # fmt: skip
    problems = check_record(bad, today=TODAY)
    assert {problem.code for problem in problems} <= set(RULES)
    assert {problem.field for problem in problems} <= set(RULE_FIELDS)


def test_the_12_months_of_probation_are_counted_by_calendar_month():
    assert _codes(official_date=add_months(ADMISSION, 12)) == []
    assert _codes(official_date=add_months(ADMISSION, 12) - datetime.timedelta(days=1)) == [
        "official.too_early"
    ]
    # 29 February + 12 months is 28 February.
    leap = {
        "admission_date": datetime.date(2016, 2, 29),
        "official_date": datetime.date(2017, 2, 28),
    }
    assert _codes(**leap) == []


def test_admission_age_is_counted_from_the_18th_birthday():
    eighteenth = datetime.date(2008, 5, 17)
    assert _codes(admission_date=eighteenth, official_date=None) == []
    assert _codes(admission_date=eighteenth - datetime.timedelta(days=1), official_date=None) == [
        "age.admission_min"
    ]


@pytest.mark.parametrize(
    ("admission", "flagged"),
    [
        (datetime.date(2010, 1, 1), False),  # exactly 60
        (datetime.date(2010, 1, 31), False),  # 60 years and 30 days: not yet a whole month
        (datetime.date(2010, 2, 1), True),  # 60 years and 1 month: above 60, counted by month
        (datetime.date(2010, 12, 31), True),  # 60 years and 11 months
        (datetime.date(2011, 1, 1), True),
    ],
)
def test_admission_above_60_is_counted_by_month(admission, flagged):
    record = {**CLEAN, "date_of_birth": datetime.date(1950, 1, 1), "cccd": "027050001234",
              "admission_date": admission, "official_date": None}  # fmt: skip
    codes = [problem.code for problem in check_record(record, today=TODAY)]
    assert ("age.admission_max" in codes) is flagged


def test_admission_above_60_with_the_approval_on_record_is_no_problem():
    over_60 = {"date_of_birth": datetime.date(1950, 1, 1), "cccd": "027050001234"}
    assert _codes(**over_60) == ["age.admission_max"]
    assert _codes(**over_60, over_60_approved=True) == []
    assert _codes(**over_60, over_60_approved=False) == ["age.admission_max"]


@pytest.mark.parametrize(
    ("tolerance", "days_late", "flagged"),
    [(90, 90, False), (90, 91, True), (0, 0, False), (0, 1, True), (400, 365, False)],
)
def test_late_recognition_is_flagged_after_the_configured_tolerance(
    settings, tolerance, days_late, flagged
):
    settings.DANGSO_OFFICIAL_TOLERANCE_DAYS = tolerance
    official = add_months(ADMISSION, 12) + datetime.timedelta(days=days_late)
    problems = _check(official_date=official)
    assert [problem.code for problem in problems] == (["official.not_12_months"] if flagged else [])
    if flagged:
        assert not problems[0].is_blocking
        assert str(days_late) in problems[0].message


def test_without_the_setting_the_tolerance_is_90_days(settings):
    del settings.DANGSO_OFFICIAL_TOLERANCE_DAYS
    late = add_months(ADMISSION, 12) + datetime.timedelta(days=91)
    assert _codes(official_date=late) == ["official.not_12_months"]
    assert _codes(official_date=late - datetime.timedelta(days=1)) == []


def test_cccd_century_is_checked_without_the_sex():
    assert _codes(sex="", cccd="027190001234") == []  # a woman's CCCD, sex not recorded
    assert _codes(sex="", cccd="027290001234") == ["cccd.century_sex"]


def test_cccd_is_checked_against_the_date_of_birth_only_when_known():
    assert _codes(date_of_birth=None, cccd="027099001234", admission_date=None) == []


def test_dates_in_the_future_are_measured_from_today_by_default():
    soon = timezone.localdate() + datetime.timedelta(days=30)
    problems = check_record({**CLEAN, "admission_date": soon, "official_date": None,
                             "date_of_birth": add_months(soon, -12 * 30),
                             "cccd": ""})  # fmt: skip
    problems = [problem for problem in problems if problem.code != "cccd.missing"]
    assert [(problem.code, problem.field) for problem in problems] == [
        ("date.future", "admission_date")
    ]


@pytest.mark.parametrize("education", ["12/12", "9/12", "1/12", "10/10", "7/10", "9/10"])
def test_general_education_as_grade_and_system(education):
    assert _codes(general_education=education) == []


@pytest.mark.parametrize("education", ["12", "12/11", "13/12", "11/10", "0/12", "12-12"])
def test_general_education_that_is_no_grade_of_its_system(education):
    assert _codes(general_education=education) == ["education.format"]


@pytest.mark.parametrize("phone", ["0912345678", "02438251234"])
def test_phone_numbers_of_10_or_11_digits(phone):
    assert _codes(phone=phone) == []


def test_messages_are_in_vietnamese():
    with translation.override("vi"):
        (problem,) = _check(full_name="Đức")
    assert problem.message == "Nhập đủ họ và tên, bằng chữ cái."


@pytest.mark.parametrize(
    ("raw", "phone"),
    [
        ("0912 345 678", "0912345678"),
        ("0912.345.678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("84912345678", "0912345678"),
        ("(024) 3825-1234", "02438251234"),
        ("0912345678", "0912345678"),
    ],
)
def test_normalise_phone(raw, phone):
    assert normalise_phone(raw) == phone
