import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation

from dangso.accounts.actions import create_token, user_for_token
from dangso.accounts.models import ApiToken
from dangso.core.models import AuditEntry
from dangso.testing.factories import UserFactory


def _run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    with translation.override("en"):
        call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _refused(*args: str) -> str:
    with translation.override("en"), pytest.raises(CommandError) as info:
        call_command("token", *args, stdout=StringIO(), stderr=StringIO())
    assert info.value.returncode == 1
    return str(info.value)


def test_create_prints_a_working_key_once(db):
    user = UserFactory(username="vanphong")
    out, err = _run("create", "vanphong", "--name", "Đồng bộ", "--days", "30")
    key = out.strip()
    assert key.startswith("ds_")
    assert user_for_token(key) == user
    token = ApiToken.objects.get(user=user)
    assert token.name == "Đồng bộ"
    assert token.expires_at is not None
    expected = timezone.now() + datetime.timedelta(days=30)
    assert abs(token.expires_at - expected) < datetime.timedelta(minutes=1)
    assert token.prefix in err and key not in err
    assert AuditEntry.objects.filter(action="token.create").count() == 1


def test_create_without_days_never_expires(db):
    UserFactory(username="vanphong")
    _run("create", "vanphong")
    assert ApiToken.objects.get().expires_at is None


def test_unknown_user_is_refused(db):
    assert "No user named nobody" in _refused("create", "nobody")
    assert "No user named nobody" in _refused("list", "nobody")
    assert not ApiToken.objects.exists()


def test_inactive_user_and_bad_days_are_refused(db):
    UserFactory(username="old", is_active=False)
    UserFactory(username="vanphong")
    assert "inactive" in _refused("create", "old")
    assert "--days" in _refused("create", "vanphong", "--days", "0")
    assert not ApiToken.objects.exists()


def test_list_shows_prefixes_never_keys(db, actor):
    user = UserFactory(username="vanphong")
    token, key = create_token(user, name="Báo cáo", actor=actor)
    out, _ = _run("list", "vanphong")
    assert token.prefix in out and "Báo cáo" in out and "active" in out
    assert key not in out


def test_list_without_tokens(db):
    UserFactory(username="vanphong")
    assert "has no tokens" in _run("list", "vanphong")[0]


def test_revoke_by_prefix(db, actor):
    user = UserFactory(username="vanphong")
    token, key = create_token(user, name="Báo cáo", actor=actor)
    out, _ = _run("revoke", token.prefix)
    assert "revoked" in out
    assert user_for_token(key) is None
    assert AuditEntry.objects.filter(action="token.revoke").count() == 1
    assert "revoked" in _run("list", "vanphong")[0]
    assert "No active token" in _refused("revoke", token.prefix)


def test_revoke_needs_a_known_long_enough_prefix(db):
    assert "at least the first 6" in _refused("revoke", "ds_")
    assert "No active token" in _refused("revoke", "ds_zzzzzzz")


def test_missing_subcommand_is_refused(db):
    with pytest.raises(CommandError):
        call_command("token")
