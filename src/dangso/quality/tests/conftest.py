import datetime

import pytest

from dangso.accounts.roles import Role
from dangso.testing.factories import MemberFactory, RoleFactory


@pytest.fixture
def secretary(tree):
    """The secretary of cell a1 (commune A): reads and edits that cell's records."""
    return RoleFactory(organisation=tree["a1"], role=Role.CELL_SECRETARY).user


@pytest.fixture
def officer(tree):
    """Organisation-department officer of commune A."""
    return RoleFactory(organisation=tree["a"], role=Role.ORGANISATION).user


@pytest.fixture
def leader(tree):
    """The province's administrator: every capability over the province."""
    return RoleFactory(organisation=tree["province"], role=Role.ADMIN).user


@pytest.fixture
def bad_cccd(tree):
    """A man born in 1980 whose CCCD's fourth digit says a woman (1 instead of 0)."""
    return MemberFactory(
        organisation=tree["a1"], full_name="Nguyễn Văn Đức", sex="M",
        date_of_birth=datetime.date(1980, 4, 12), cccd="027180004321",
    )  # fmt: skip


def twins(cell_a, cell_b, *, names=("Nguyễn Văn Đức", "Nguyen Van Duc"), **fields):
    """Two records of one person: same birth date and hometown, names written differently."""
    base = {
        "sex": "M",
        "date_of_birth": datetime.date(1979, 3, 8),
        "hometown": "Xã Yên Phong, tỉnh Bắc Ninh",
        **fields,
    }
    first = MemberFactory(organisation=cell_a, full_name=names[0], **base)
    second = MemberFactory(organisation=cell_b, full_name=names[1], cccd=None, **base)
    return first, second
