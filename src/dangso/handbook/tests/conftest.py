import pytest
from django.test import Client

from dangso.core.audit import Actor
from dangso.handbook import actions
from dangso.testing.auth import login_verified
from dangso.testing.factories import MemberFactory, RoleFactory, UserFactory

PASSWORD = "Sổ-tay-2026-an-toàn"


@pytest.fixture
def people(tree):
    """A member of cell a1 with card and CCCD, a member of b1, a1's secretary, commune A's
    office."""
    member = MemberFactory(
        organisation=tree["a1"], full_name="Nguyễn Thị Hoa", sex="F", card_number="12345678"
    )
    other = MemberFactory(
        organisation=tree["b1"], full_name="Trần Văn Bình", sex="M", card_number="87654321"
    )
    secretary = UserFactory(username="bithu.a1")
    RoleFactory(user=secretary, organisation=tree["a1"], role="cell_secretary")
    office = UserFactory(username="vanphong.x01")
    RoleFactory(user=office, organisation=tree["a"], role="office")
    return {"member": member, "other": other, "secretary": secretary, "office": office}


def activated(member, secretary) -> Client:
    """The member, activated with a code from the secretary and signed in."""
    issued = actions.issue_codes([member], actor=Actor(secretary.pk, secretary.username))
    user = actions.activate(member.cccd, issued[0].code, PASSWORD)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def member_client(people):
    return activated(people["member"], people["secretary"])


@pytest.fixture
def other_client(people):
    return activated(people["other"], people["secretary"])


@pytest.fixture
def secretary_client(people):
    return login_verified(Client(), people["secretary"])


@pytest.fixture
def office_client(people):
    return login_verified(Client(), people["office"])
