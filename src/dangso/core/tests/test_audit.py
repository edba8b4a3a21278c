import pytest
from django.db import DatabaseError, connection, transaction

from dangso.core import audit
from dangso.core.models import AuditEntry, AuditHead
from dangso.testing.factories import MemberFactory


@pytest.fixture
def tamperable(db):
    """Lift PostgreSQL's append-only trigger, as an intruder with the owner's rights could."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER audit_append_only")


def _chain(actor, n=4):
    member = MemberFactory()
    for index in range(n):
        audit.record(actor, "member.update", member, changes={"phone": [str(index), "x"]})
    return member


def _breaks():
    return list(audit.verify_chain())


def test_intact_chain_verifies(db, actor):
    _chain(actor)
    assert _breaks() == []


def test_altered_entry_breaks_the_chain(tamperable, actor):
    _chain(actor)
    AuditEntry.objects.filter(seq=2).update(changes={"phone": ["0", "forged"]})
    assert [b.seq for b in _breaks()] == [2]


def test_removed_entry_breaks_the_chain(tamperable, actor):
    _chain(actor)
    AuditEntry.objects.filter(seq=3).delete()
    assert [b.seq for b in _breaks()] == [3]


def test_removed_last_entry_breaks_the_chain(tamperable, actor):
    _chain(actor)
    AuditEntry.objects.filter(seq=4).delete()
    assert [b.seq for b in _breaks()] == [4]


def test_reordered_entries_break_the_chain(tamperable, actor):
    _chain(actor)
    first, second = AuditEntry.objects.get(seq=2), AuditEntry.objects.get(seq=3)
    with connection.cursor() as cursor:
        table = AuditEntry._meta.db_table
        cursor.execute(f"UPDATE {table} SET seq = 999999 WHERE id = %s", [first.pk])
        cursor.execute(f"UPDATE {table} SET seq = 2 WHERE id = %s", [second.pk])
        cursor.execute(f"UPDATE {table} SET seq = 3 WHERE id = %s", [first.pk])
    assert [b.seq for b in _breaks()] == [2]


def test_entries_carry_the_scope_path_of_their_object(db, actor):
    member = _chain(actor, n=1)
    entry = AuditEntry.objects.get(seq=1)
    assert entry.org_path == member.organisation.path
    assert AuditHead.objects.get().last_seq == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL trigger")
def test_postgresql_refuses_to_rewrite_the_log(db, actor):
    _chain(actor, n=1)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(seq=1).update(action="forged")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(seq=1).delete()


@pytest.mark.parametrize(
    "action",
    ["auth.login", "member.update", "member.view", "member.event.died", "org.merge", "demo.load"],
)
def test_actions_have_names_people_read(action):
    assert audit.action_label(action) != action


def test_unknown_action_shows_its_code():
    assert audit.action_label("something.new") == "something.new"
