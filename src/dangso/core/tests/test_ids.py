import datetime

import pytest

from dangso.core.ids import FEMALE, MALE, cccd_problems, is_card_number, is_dossier_number


def codes(problems):
    return [problem.code for problem in problems]


def test_valid_cccd_has_no_problem():
    assert cccd_problems("001085012345", birth_date=datetime.date(1985, 3, 2), sex=MALE) == []
    assert cccd_problems("079301123456", birth_date=datetime.date(2001, 7, 9), sex=FEMALE) == []


@pytest.mark.parametrize(
    ("number", "birth", "sex", "expected"),
    [
        ("00108501234", datetime.date(1985, 1, 1), MALE, ["cccd.format"]),
        ("00108501234X", datetime.date(1985, 1, 1), MALE, ["cccd.format"]),
        ("003085012345", datetime.date(1985, 1, 1), MALE, ["cccd.province"]),
        ("001185012345", datetime.date(1985, 1, 1), MALE, ["cccd.century_sex"]),
        ("001285012345", datetime.date(1985, 1, 1), MALE, ["cccd.century_sex"]),
        ("001086012345", datetime.date(1985, 1, 1), MALE, ["cccd.birth_year"]),
    ],
)
def test_cccd_problems_name_the_broken_part(number, birth, sex, expected):
    assert codes(cccd_problems(number, birth_date=birth, sex=sex)) == expected


def test_card_and_dossier_formats():
    assert is_card_number("01234567")
    assert not is_card_number("1234567")
    assert is_dossier_number("123456HN")
    assert not is_dossier_number("12345HN")
