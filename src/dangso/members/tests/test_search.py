"""Folded-name search: the query's words side by side in the name, from a word's start, the last
one possibly cut short; the same answers on SQLite (LIKE) and PostgreSQL (word-run index)."""

import pytest
from django.db import connection

from dangso.members.models import Member
from dangso.testing.factories import MemberFactory

NAMES = [
    "Nguyễn Văn Đức",
    "Nguyễn Văn Dũng",
    "Trần Thị Đức Hạnh",
    "Lê Nguyên Văn",
    "Đỗ Thị Uyên",
    "H'hen Niê",
]


@pytest.fixture
def people(tree):
    for name in NAMES:
        MemberFactory(organisation=tree["a1"], full_name=name)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("nguyen van duc", ["Nguyễn Văn Đức"]),
        ("NGUYỄN VĂN ĐỨC", ["Nguyễn Văn Đức"]),
        ("  văn   đức ", ["Nguyễn Văn Đức"]),  # the old substring search's answers
        ("nguyen van du", ["Nguyễn Văn Dũng", "Nguyễn Văn Đức"]),  # typing: the last word cut
        ("nguyen van", ["Lê Nguyên Văn", "Nguyễn Văn Dũng", "Nguyễn Văn Đức"]),
        ("nguyen", ["Lê Nguyên Văn", "Nguyễn Văn Dũng", "Nguyễn Văn Đức"]),
        ("duc han", ["Trần Thị Đức Hạnh"]),
        ("uyen", ["Đỗ Thị Uyên"]),  # from a word's start: not the inside of "nguyen"
        ("thi, uyen", ["Đỗ Thị Uyên"]),
        ("hen nie", ["H'hen Niê"]),  # punctuation separates words
        ("duc nguyen", []),  # in the name's order
        ("nguyen duc", []),  # side by side
        ("van duc x", []),
    ],
)
def test_search_matches_runs_of_words(people, query, expected):
    names = sorted(Member.objects.search(query).values_list("full_name", flat=True))
    assert names == sorted(expected)


def test_an_empty_query_keeps_everyone(people):
    assert Member.objects.search(" ,. ").count() == len(NAMES)


def test_postgresql_answers_from_the_run_index(people):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = Member.objects.search("nguyen van du").explain()
    assert "member_name_runs" in plan
