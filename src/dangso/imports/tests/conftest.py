import pytest

from dangso.accounts.roles import Role
from dangso.testing.factories import RoleFactory


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploads, reports and job locks under the test's own folder; messages in English (the
    msgids) unless a test asks for the platform's Vietnamese."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VAR_DIR = tmp_path / "var"
    settings.LANGUAGE_CODE = "en"
    return settings.MEDIA_ROOT


@pytest.fixture
def officer(tree):
    """Organisation-department officer of commune A (X01): imports into cells X01C1, X01C2."""
    return RoleFactory(organisation=tree["a"], role=Role.ORGANISATION, user__username="can_bo").user


@pytest.fixture
def province_officer(tree):
    return RoleFactory(organisation=tree["province"], role=Role.ORGANISATION).user
