import pytest

from dangso.testing.documents import Office, make_office


@pytest.fixture
def province(tree) -> Office:
    """The province's document office: issuing bodies TU/VPTU, a term, clerk, leader, handler."""
    return make_office(tree["province"])


@pytest.fixture
def commune(tree) -> Office:
    """Commune A's document office (ĐU/VPĐU)."""
    return make_office(tree["a"])


@pytest.fixture
def commune_b(tree) -> Office:
    """Commune B's document office, out of commune A's scope."""
    return make_office(tree["b"])
