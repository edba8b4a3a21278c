import pytest

from dangso.core.audit import Actor
from dangso.orgs.choices import OrgKind
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
