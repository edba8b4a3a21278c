from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count
from django.utils import translation

from dangso.accounts.models import RoleAssignment
from dangso.core.audit import verify_chain
from dangso.core.models import AuditEntry
from dangso.members.actions import recount_members
from dangso.members.choices import EventKind, MemberStatus
from dangso.members.demo import DEMO_PASSWORD, KNOWN_MEMBER_NAME, duplicate_count
from dangso.members.models import Member, MemberEvent
from dangso.members.rules import check_record
from dangso.orgs.choices import CELL_KINDS, OrgKind
from dangso.orgs.models import Organisation, OrganisationVersion

MEMBERS = 300
RECORDS = MEMBERS + duplicate_count(MEMBERS)  # with the planted second records
PLANTED_CODES = {
    "cccd.century_sex", "cccd.birth_year", "phone.format", "official.too_early",
    "education.format", "card.format",
}  # fmt: skip


def _demo(*args: str) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command("demo", "--members", str(MEMBERS), *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def demo(db):
    return _demo()


def test_builds_the_tree(demo):
    kinds = dict(Organisation.objects.values_list("kind").annotate(n=Count("pk")).order_by())
    assert kinds[OrgKind.CENTRAL] == 1
    assert kinds[OrgKind.PROVINCE] == 1
    assert kinds[OrgKind.UPPER_GRASSROOTS] == 1
    assert kinds[OrgKind.COMMUNE] == 15
    assert kinds[OrgKind.CELL] + kinds[OrgKind.GRASSROOTS_CELL] == 300
    province = Organisation.objects.get(kind=OrgKind.PROVINCE)
    assert (province.name, province.short_name) == ("Đảng bộ tỉnh Bắc Ninh", "TU")
    assert set(
        Organisation.objects.filter(kind=OrgKind.COMMUNE).values_list("short_name", flat=True)
    ) == {"ĐU"}
    assert Organisation.objects.exclude(path__startswith=province.parent.path).count() == 0
    # Made through the org actions: each has its open version and its audit entry.
    total = Organisation.objects.count()
    assert OrganisationVersion.objects.filter(valid_to__isnull=True).count() == total
    assert AuditEntry.objects.filter(action="org.create").count() == total


def test_members_are_realistic_records_with_some_legacy_slips(demo):
    members = list(Member.objects.select_related("organisation"))
    assert len(members) == RECORDS
    flawed = 0
    for member in members:
        blocking = [p.code for p in check_record(member.rule_values()) if p.is_blocking]
        if blocking:
            flawed += 1
            assert set(blocking) <= PLANTED_CODES, (member, blocking)
        else:
            member.full_clean()
        assert member.organisation.kind in CELL_KINDS
        if member.status == MemberStatus.PROBATIONARY:
            assert member.official_date is None and member.card_number is None
        else:
            assert member.official_date
    # about DEFECT_SHARE of the records carry one planted slip each
    assert 0.02 * MEMBERS <= flawed <= 0.12 * MEMBERS
    statuses = {member.status for member in members}
    assert {MemberStatus.OFFICIAL, MemberStatus.PROBATIONARY} <= statuses


def test_the_records_the_demo_logins_use_are_clean(demo):
    for member in (
        Member.objects.get(full_name="Nguyễn Văn Đức"),
        Member.objects.get(user__username="dangvien"),
    ):
        assert [p for p in check_record(member.rule_values()) if p.is_blocking] == []


def test_every_member_has_its_events(demo):
    admitted = MemberEvent.objects.filter(kind=EventKind.ADMITTED)
    assert admitted.count() == RECORDS
    official = Member.objects.exclude(status=MemberStatus.PROBATIONARY)
    made_official = MemberEvent.objects.filter(kind=EventKind.MADE_OFFICIAL)
    assert set(made_official.values_list("member_id", flat=True)) == set(
        official.values_list("pk", flat=True)
    )
    for event in made_official.select_related("member"):
        slipped = any(
            p.code == "official.too_early" for p in check_record(event.member.rule_values())
        )
        assert slipped or event.date == event.member.official_date


def test_member_counts_match_a_recount(demo):
    assert recount_members() == 0
    assert sum(Organisation.objects.values_list("member_count", flat=True)) == RECORDS


def test_known_member_is_in_the_first_commune(demo):
    commune = Organisation.objects.filter(kind=OrgKind.COMMUNE).order_by("pk").first()
    member = Member.objects.search("nguyen van duc").get()
    assert member.full_name == KNOWN_MEMBER_NAME
    assert member.sex == "M"
    assert member.organisation.parent == commune


def test_demo_users_and_roles(demo):
    from dangso.handbook.models import MemberAccount

    commune = Organisation.objects.filter(kind=OrgKind.COMMUNE).order_by("pk").first()
    province = Organisation.objects.get(kind=OrgKind.PROVINCE)
    secretary = RoleAssignment.objects.get(user__username="bithu.chibo")
    cell = secretary.organisation
    # Members of the demo cell who activated their handbook hold the member role there.
    activated = set(
        MemberAccount.objects.exclude(member__user__username="dangvien").values_list(
            "user__username", flat=True
        )
    )
    assert activated and all(name.startswith("dv") for name in activated)
    assert set(
        RoleAssignment.objects.filter(user__username__in=activated).values_list(
            "role", "organisation_id"
        )
    ) == {("member", cell.pk)}
    roles = {
        (username, role, org_id)
        for username, role, org_id in RoleAssignment.objects.exclude(
            user__username__in=activated
        ).values_list("user__username", "role", "organisation_id")
    }
    assert roles == {
        ("admin.tinh", "admin", province.pk),
        ("vanphong.xa", "office", commune.pk),
        ("vanphong.xa", "organisation", commune.pk),
        ("lanhdao.xa", "leader", commune.pk),
        ("vanthu.tinh", "office", province.pk),
        ("lanhdao.tinh", "leader", province.pk),
        ("bithu.chibo", "cell_secretary", cell.pk),
        ("dangvien", "member", cell.pk),
    }
    assert cell.parent == commune
    assert Member.objects.get(user__username="dangvien").organisation == cell
    for user in User.objects.all():
        assert user.check_password(DEMO_PASSWORD)
        assert user.get_full_name()
        validate_password(DEMO_PASSWORD, user)
    assert "dangvien" in demo and DEMO_PASSWORD in demo


def test_one_summary_entry_and_an_intact_chain(demo):
    entry = AuditEntry.objects.get(action="demo.load")
    assert entry.changes["members"] == [None, RECORDS]
    assert list(verify_chain()) == []


def test_running_twice_adds_nothing(demo):
    counts = (Organisation.objects.count(), Member.objects.count(), User.objects.count())
    output = _demo()
    assert "not loaded again" in output
    assert "admin.tinh" in output
    assert (Organisation.objects.count(), Member.objects.count(), User.objects.count()) == counts


def test_same_seed_gives_the_same_people(db):
    if connection.vendor != "sqlite":
        pytest.skip("--reset is for the embedded SQLite demo")
    _demo()
    first = list(Member.objects.order_by("pk").values_list("full_name", "cccd"))
    _demo("--reset")
    assert list(Member.objects.order_by("pk").values_list("full_name", "cccd")) == first
    assert Organisation.objects.count() == 318


def test_reset_is_refused_on_postgresql(demo):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with translation.override("en"), pytest.raises(CommandError, match="SQLite only"):
        _demo("--reset")
    assert Member.objects.count() == RECORDS


def test_documents_show_each_step_of_the_workflow(demo):
    from dangso.documents.choices import DocumentStatus
    from dangso.documents.models import Document

    statuses = set(Document.objects.values_list("status", flat=True))
    assert {
        DocumentStatus.SENT, DocumentStatus.PENDING, DocumentStatus.REGISTERED,
        DocumentStatus.ASSIGNED, DocumentStatus.CLOSED, DocumentStatus.IN_REVIEW,
    } <= statuses  # fmt: skip
    sent = Document.objects.filter(status=DocumentStatus.SENT).order_by("pk").first()
    assert sent.symbol.startswith("01-")
    signed = sent.attachments.get(current=True)
    assert signed.signature_report["status"] == "valid"
    assert any(document.is_overdue for document in Document.objects.all())
