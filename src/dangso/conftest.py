import pytest
from django.test import Client

from dangso.accounts.actions import create_token
from dangso.core.audit import Actor
from dangso.orgs.choices import OrgKind
from dangso.testing.auth import login_verified
from dangso.testing.factories import OrganisationFactory


@pytest.fixture
def actor() -> Actor:
    return Actor.system("test")


@pytest.fixture
def tree(db):
    """Central → province → two communes, each with two cells."""
    central = OrganisationFactory(code="TW", name="Ban Chấp hành Trung ương", kind=OrgKind.CENTRAL)
    province = OrganisationFactory(
        code="T01", name="Đảng bộ tỉnh Bắc Ninh", short_name="TU", kind=OrgKind.PROVINCE,
        parent=central,
    )  # fmt: skip
    commune_a = OrganisationFactory(
        code="X01", name="Đảng bộ xã Yên Phong", short_name="ĐU", kind=OrgKind.COMMUNE,
        parent=province,
    )  # fmt: skip
    commune_b = OrganisationFactory(
        code="X02", name="Đảng bộ phường Kinh Bắc", short_name="ĐU", kind=OrgKind.COMMUNE,
        parent=province,
    )  # fmt: skip
    cells = {
        "a1": OrganisationFactory(code="X01C1", name="Chi bộ thôn Đông", parent=commune_a),
        "a2": OrganisationFactory(code="X01C2", name="Chi bộ thôn Tây", parent=commune_a),
        "b1": OrganisationFactory(code="X02C1", name="Chi bộ khu phố 1", parent=commune_b),
        "b2": OrganisationFactory(code="X02C2", name="Chi bộ khu phố 2", parent=commune_b),
    }
    return {"central": central, "province": province, "a": commune_a, "b": commune_b, **cells}


@pytest.fixture
def token_client(actor):
    """A test client that calls the API with a fresh personal token of `user`."""

    def make(user) -> Client:
        _token, key = create_token(user, name="test", actor=actor)
        return Client(HTTP_AUTHORIZATION=f"Bearer {key}")

    return make


@pytest.fixture
def sign_in(client):
    """Sign the test client in as `user`, with the second factor done."""

    def sign(user) -> Client:
        return login_verified(client, user)

    return sign
