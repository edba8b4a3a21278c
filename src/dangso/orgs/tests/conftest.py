import pytest
from django.test import Client

from dangso.accounts.actions import create_token
from dangso.accounts.roles import Role
from dangso.testing.factories import RoleFactory


@pytest.fixture
def token_client(actor):
    """A test client that calls the API with a fresh personal token of `user`."""

    def make(user) -> Client:
        _token, key = create_token(user, name="test", actor=actor)
        return Client(HTTP_AUTHORIZATION=f"Bearer {key}")

    return make


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


@pytest.fixture
def sign_in(client):
    """Sign the test client in as `user`, with the second factor done."""
    from dangso.testing.auth import login_verified

    def sign(user) -> Client:
        return login_verified(client, user)

    return sign
