import io

import pytest
from django.core.management import CommandError, call_command

from dangso.accounts.models import RoleAssignment
from dangso.core.models import AuditEntry
from dangso.orgs.models import Organisation


def _run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_a_new_deployment_gets_its_first_organisation_user_and_role(db, monkeypatch):
    _run("org", "create", "TW", "Ban Chấp hành Trung ương", "--kind", "central")
    _run("org", "create", "T01", "Đảng bộ tỉnh Bắc Ninh", "--kind", "province", "--parent", "TW")
    monkeypatch.setattr("sys.stdin", io.StringIO("Chi-bo-thon-Dong-2026\n"))
    _run("user", "create", "admin.tinh", "--password-stdin", "--first-name", "Nguyễn Văn")
    listing = _run("user", "grant", "admin.tinh", "admin", "T01")
    assert "Đảng bộ tỉnh Bắc Ninh" in listing
    assert RoleAssignment.objects.get().organisation == Organisation.objects.get(code="T01")
    assert set(AuditEntry.objects.values_list("action", flat=True)) >= {
        "org.create", "user.create", "role.grant",
    }  # fmt: skip
    assert "T01" in _run("org", "list", "TW")


def test_weak_password_and_unknown_codes_are_refused(db, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("12345678\n"))
    with pytest.raises(CommandError):
        _run("user", "create", "yeu", "--password-stdin")
    with pytest.raises(CommandError):
        _run("org", "create", "X1", "Đảng bộ xã", "--kind", "commune", "--parent", "KHONG")
    with pytest.raises(CommandError):
        _run("user", "grant", "khong.co", "admin", "T01")
