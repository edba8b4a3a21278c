import datetime

import pytest

from dangso.orgs.choices import OrgKind
from dangso.testing.factories import OrganisationFactory, RoleFactory, UserFactory


@pytest.fixture
def communes(tree):
    """The province's three communes: the two of `tree` and a third with two cells."""
    commune_c = OrganisationFactory(
        code="X03",
        name="Đảng bộ xã Tam Sơn",
        short_name="ĐU",
        kind=OrgKind.COMMUNE,
        parent=tree["province"],
    )
    OrganisationFactory(code="X03C1", name="Chi bộ thôn Nam", parent=commune_c)
    return [tree["a"], tree["b"], commune_c]


@pytest.fixture
def people(tree, communes):
    """A province office clerk, a commune-A office clerk, a cell-a1 secretary."""

    def person(name, org, role):
        user = UserFactory(username=name, email=f"{name}@dang.vn")
        RoleFactory(user=user, organisation=org, role=role)
        return user

    return {
        "province": person("vanthu.tinh", tree["province"], "office"),
        "commune": person("vanthu.xa", tree["a"], "office"),
        "commune_b": person("vanthu.xa2", tree["b"], "office"),
        "cell": person("bithu.a1", tree["a1"], "cell_secretary"),
        "cell2": person("bithu.a2", tree["a2"], "cell_secretary"),
    }


@pytest.fixture
def in_ten_days():
    return datetime.date.today() + datetime.timedelta(days=10)
