import pytest
from django.test import Client

from dangso.accounts.roles import Role
from dangso.testing.factories import RoleFactory


@pytest.fixture
def office_a(tree):
    """Party office staff of commune A: sees its organisations, no member records."""
    return RoleFactory(organisation=tree["a"], role=Role.OFFICE).user


@pytest.fixture
def office_api(office_a, token_client) -> Client:
    return token_client(office_a)


# --- web pages (test_views) ------------------------------------------------------------------


@pytest.fixture
def admin_b(tree):
    """A system administrator of commune B: may reorganise there, and only there."""
    return RoleFactory(organisation=tree["b"], role=Role.ADMIN).user
