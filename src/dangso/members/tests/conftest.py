import datetime

import pytest
from django.test import Client

from dangso.accounts.roles import Role
from dangso.members.choices import MemberStatus
from dangso.testing.factories import MemberFactory, RoleFactory


@pytest.fixture
def officer(tree):
    """Organisation-department officer of commune A: reads, edits and records events there."""
    return RoleFactory(organisation=tree["a"], role=Role.ORGANISATION).user


@pytest.fixture
def officer_api(officer, token_client) -> Client:
    return token_client(officer)


@pytest.fixture
def duc(tree):
    """A member of cell a1 with a diacritic-heavy name, a CCCD and a card number."""
    return MemberFactory(
        organisation=tree["a1"],
        full_name="Nguyễn Văn Đức",
        sex="M",
        date_of_birth=datetime.date(1990, 5, 17),
        cccd="027090001234",
        card_number="12345678",
        admission_date=datetime.date(2015, 6, 1),
        official_date=datetime.date(2016, 6, 1),
    )


@pytest.fixture
def outsider(tree):
    """A member of commune B: out of the officer's scope."""
    return MemberFactory(organisation=tree["b1"], full_name="Trần Thị Lan", sex="F")


@pytest.fixture
def probationer(tree):
    return MemberFactory(
        organisation=tree["a1"],
        full_name="Lê Minh Tuấn",
        sex="M",
        date_of_birth=datetime.date(1995, 2, 3),
        admission_date=datetime.date(2024, 1, 10),
        official_date=None,
        status=MemberStatus.PROBATIONARY,
    )


# --- web pages (test_views) ------------------------------------------------------------------


@pytest.fixture
def web(sign_in, officer) -> Client:
    """The officer of commune A signed in with both factors, in a browser-like test client."""
    return sign_in(officer)
