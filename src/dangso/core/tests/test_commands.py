from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import translation

from dangso.core import audit
from dangso.core.models import AuditEntry, AuditHead
from dangso.testing.factories import MemberFactory


@pytest.fixture
def chain(db, actor):
    """Four entries, with PostgreSQL's append-only trigger lifted, as an intruder could."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER audit_append_only")
    member = MemberFactory()
    for index in range(4):
        audit.record(actor, "member.update", member, changes={"phone": [str(index), "x"]})


def _verify() -> str:
    out = StringIO()
    with translation.override("en"):
        call_command("audit", "verify", stdout=out)
    return out.getvalue()


def _broken() -> str:
    with translation.override("en"), pytest.raises(CommandError) as info:
        call_command("audit", "verify", stdout=StringIO())
    assert info.value.returncode == 1
    return str(info.value)


def test_intact_chain(chain):
    assert "Audit chain intact: 4 entries" in _verify()


def test_empty_log_is_intact(db):
    assert "Audit chain intact: 0 entries" in _verify()


def test_altered_entry(chain):
    AuditEntry.objects.filter(seq=2).update(actor_name="someone else")
    message = _broken()
    assert "entry 2" in message and "altered" in message


def test_deleted_entry(chain):
    AuditEntry.objects.filter(seq=3).delete()
    assert "entry 3" in _broken()


def test_deleted_newest_entry(chain):
    AuditEntry.objects.filter(seq=4).delete()
    assert "entry 4" in _broken()


def test_reset_head_is_detected(chain):
    AuditHead.objects.update(last_seq=2)
    assert "entry 5" in _broken()


def test_reordered_entries(chain):
    table = AuditEntry._meta.db_table
    first, second = AuditEntry.objects.get(seq=2), AuditEntry.objects.get(seq=3)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET seq = 999999 WHERE id = %s", [first.pk])
        cursor.execute(f"UPDATE {table} SET seq = 2 WHERE id = %s", [second.pk])
        cursor.execute(f"UPDATE {table} SET seq = 3 WHERE id = %s", [first.pk])
    assert "entry 2" in _broken()


def test_unknown_subcommand_is_refused(db):
    with pytest.raises(CommandError):
        call_command("audit", "repair")
