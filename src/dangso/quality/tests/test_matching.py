import datetime

import pytest

from dangso.core.text import fold
from dangso.quality.matching import (
    Person,
    given_name_first,
    hometown_key,
    pairs_by_birth_date,
    pairs_in_group,
)

BORN = datetime.date(1979, 3, 8)
ADMITTED = datetime.date(2004, 3, 8)


def person(pk, name, *, sex="M", hometown="Xã Yên Phong, tỉnh Bắc Ninh", cccd="", phone="",
           admission=ADMITTED, cell=1) -> Person:  # fmt: skip
    return Person(pk, fold(name), sex, hometown_key(hometown), admission, phone, cccd, cell)


@pytest.mark.parametrize(
    "text",
    ["Xã Yên Phong, tỉnh Bắc Ninh", "Yên Phong - Bắc Ninh", "xã yên phong, Bắc Ninh",
     "YEN PHONG, BAC NINH", "Thị trấn Yên Phong, Tỉnh Bắc Ninh"],
)  # fmt: skip
def test_hometowns_written_differently_have_one_key(text):
    assert hometown_key(text) == "yen phong bac ninh"


def test_given_name_first():
    assert given_name_first("nguyen van duc") == "duc nguyen van"
    assert given_name_first("duc") == "duc"


def _found(people):
    return {(pair.member_a, pair.member_b) for pair in pairs_in_group(people)}


@pytest.mark.parametrize(
    "other",
    ["Nguyen Van Duc", "Nguyễn Văn Đưc", "NGUYỄN VĂN ĐỨC", "Nguyễn  Văn Đức", "Ngyễn Văn Đức",
     "Nguyễn Vản Đức"],
)  # fmt: skip
def test_spellings_of_one_name_on_the_same_day_pair_up(other):
    assert _found([person(1, "Nguyễn Văn Đức"), person(2, other)]) == {(1, 2)}


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # another given name, nothing else in common
        (person(1, "Nguyễn Văn Hùng", hometown="Xã Tam Giang, Bắc Ninh"),
         person(2, "Nguyễn Văn Dũng", hometown="Xã Đại Đồng, Bắc Ninh")),
        # the same name, but another hometown and another CCCD
        (person(1, "Trần Thị Lan", sex="F", hometown="Xã Tam Giang, Bắc Ninh",
                cccd="027179001111"),
         person(2, "Trần Thị Lan", sex="F", hometown="Phường Vũ Ninh, Bắc Ninh",
                cccd="001179987654")),
        # the same name, another sex and another hometown
        (person(1, "Nguyễn Thanh Bình", sex="M"),
         person(2, "Nguyễn Thanh Bình", sex="F", hometown="Xã Tam Giang, Bắc Ninh")),
        # names far apart
        (person(1, "Lê Minh Tuấn"), person(2, "Phạm Thị Hồng", sex="M")),
    ],
)  # fmt: skip
def test_different_people_do_not_pair(first, second):
    assert _found([first, second]) == set()


def test_a_typo_in_the_given_name_pairs_when_more_is_shared():
    shared = {"phone": "0912345678", "cccd": "027079001234"}
    near = person(2, "Nguyễn Văn Đứt", cccd="027079001235", phone=shared["phone"])
    assert _found([person(1, "Nguyễn Văn Đức", **shared), near]) == {(1, 2)}


def test_scores_rank_the_evidence():
    base = person(1, "Nguyễn Văn Đức", cccd="027079001234", phone="0912345678", cell=7)
    strong = person(2, "Nguyen Van Duc", cccd="027079001235", phone="0912345678", cell=7)
    weak = person(3, "Nguyễn Văn Đức", hometown="", admission=None, cell=8)
    scores = {(p.member_a, p.member_b): p.score for p in pairs_in_group([base, strong, weak])}
    assert scores[(1, 2)] > scores[(1, 3)] >= 0.35
    assert min(scores.values()) >= 0 and max(scores.values()) <= 1


def test_pairs_are_only_sought_within_a_birth_date():
    rows = [
        (BORN, person(1, "Nguyễn Văn Đức")),
        (BORN + datetime.timedelta(days=1), person(2, "Nguyễn Văn Đức")),
        (BORN + datetime.timedelta(days=1), person(3, "Nguyen Van Duc")),
    ]
    assert {(p.member_a, p.member_b) for p in pairs_by_birth_date(rows)} == {(2, 3)}
