import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from dangso.core.audit import verify_chain
from dangso.core.models import AuditEntry
from dangso.members import actions
from dangso.members.choices import EventKind, MemberStatus
from dangso.members.models import Member, MemberEvent
from dangso.orgs.models import Organisation
from dangso.testing.factories import MemberFactory

TODAY = datetime.date.today()


def _applicant(**overrides):
    data = {
        "full_name": "nguyễn  văn đức",
        "sex": "M",
        "date_of_birth": datetime.date(1990, 5, 17),
        "cccd": "027090001234",
        "admission_date": datetime.date(2024, 3, 2),
        "phone": "0912 345 678",
    }
    return {**data, **overrides}


def _refusal(call):
    """The Vietnamese messages a refused action gives, all fields flattened."""
    with translation.override("vi"), pytest.raises(ValidationError) as info:
        call()
    return " ".join(info.value.messages)


def _nothing_written(counts):
    assert (
        Member.objects.count(),
        MemberEvent.objects.count(),
        AuditEntry.objects.count(),
    ) == counts


def _counts():
    return Member.objects.count(), MemberEvent.objects.count(), AuditEntry.objects.count()


def test_admit_creates_probationary_member_event_and_audit(tree, actor):
    member = actions.admit_member(_applicant(), organisation=tree["a1"], actor=actor)
    assert member.full_name == "Nguyễn Văn Đức"
    assert member.name_folded == "nguyen van duc"
    assert member.phone == "0912345678"
    assert member.status == MemberStatus.PROBATIONARY
    assert member.events.get().kind == EventKind.ADMITTED
    assert Organisation.objects.get(pk=tree["a1"].pk).member_count == 1
    assert AuditEntry.objects.filter(action="member.create", object_id=str(member.pk)).exists()
    assert list(verify_chain()) == []


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"cccd": "027190001234"}, "cccd"),  # fourth digit says female
        ({"cccd": "027091001234"}, "cccd"),  # year digits 91, born 1990
        ({"cccd": "12345"}, "cccd"),
        ({"date_of_birth": datetime.date(2007, 1, 1)}, "admission_date"),  # 17 at admission
        ({"date_of_birth": datetime.date(1960, 1, 1), "cccd": "027060001234"}, "admission_date"),
        ({"admission_date": TODAY + datetime.timedelta(days=3)}, "admission_date"),
        ({"phone": "12345"}, "phone"),
    ],
)
def test_admit_refuses_bad_input_and_writes_nothing(tree, actor, overrides, field):
    before = _counts()
    with pytest.raises(ValidationError) as info:
        actions.admit_member(_applicant(**overrides), organisation=tree["a1"], actor=actor)
    assert field in info.value.message_dict
    _nothing_written(before)
    assert Organisation.objects.get(pk=tree["a1"].pk).member_count == 0


def test_admission_above_60_with_approval(tree, actor):
    member = actions.admit_member(
        _applicant(date_of_birth=datetime.date(1962, 1, 1), cccd="027062001234"),
        organisation=tree["a1"], actor=actor, over_60_approved=True,
    )  # fmt: skip
    assert member.pk


def test_messages_are_vietnamese(tree, actor):
    message = _refusal(
        lambda: actions.admit_member(
            _applicant(date_of_birth=datetime.date(2007, 1, 1), cccd="027207001234"),
            organisation=tree["a1"],
            actor=actor,
        )
    )
    assert "18" in message and "tuổi" in message


def test_admission_in_a_committee_is_refused(tree, actor):
    with pytest.raises(ValidationError) as info:
        actions.admit_member(_applicant(), organisation=tree["a"], actor=actor)
    assert "organisation" in info.value.message_dict


def test_update_refuses_official_date_before_probation_ends(tree, actor):
    member = MemberFactory(organisation=tree["a1"])
    before = (Member.objects.get(pk=member.pk).official_date, AuditEntry.objects.count())
    with pytest.raises(ValidationError) as info:
        actions.update_member(
            member,
            {"official_date": member.admission_date + datetime.timedelta(days=30)},
            actor=actor,
        )
    assert "official_date" in info.value.message_dict
    assert (Member.objects.get(pk=member.pk).official_date, AuditEntry.objects.count()) == before


def test_update_records_before_and_after(tree, actor):
    member = MemberFactory(organisation=tree["a1"], phone="0912000111")
    actions.update_member(member, {"phone": "0987654321"}, actor=actor)
    entry = AuditEntry.objects.get(action="member.update", object_id=str(member.pk))
    assert entry.changes == {"phone": ["0912000111", "0987654321"]}


def test_made_official_needs_twelve_months(tree, actor):
    member = MemberFactory(
        organisation=tree["a1"], status=MemberStatus.PROBATIONARY, official_date=None,
        admission_date=TODAY - datetime.timedelta(days=200),
    )  # fmt: skip
    with pytest.raises(ValidationError):
        actions.record_event(member, EventKind.MADE_OFFICIAL, date=TODAY, actor=actor)
    assert Member.objects.get(pk=member.pk).status == MemberStatus.PROBATIONARY


def test_made_official_after_twelve_months(tree, actor):
    member = MemberFactory(
        organisation=tree["a1"], status=MemberStatus.PROBATIONARY, official_date=None,
        admission_date=datetime.date(2024, 1, 10),
    )  # fmt: skip
    actions.record_event(
        member, EventKind.MADE_OFFICIAL, date=datetime.date(2025, 1, 10), actor=actor
    )
    member.refresh_from_db()
    assert (member.status, member.official_date) == (
        MemberStatus.OFFICIAL,
        datetime.date(2025, 1, 10),
    )


def test_no_event_on_a_deceased_member(tree, actor):
    member = MemberFactory(organisation=tree["a1"])
    actions.record_event(member, EventKind.DIED, date=TODAY, actor=actor)
    assert Organisation.objects.get(pk=tree["a1"].pk).member_count == 0
    before = _counts()
    message = _refusal(
        lambda: actions.record_event(
            member, EventKind.REWARDED, date=TODAY, detail="Giấy khen", actor=actor
        )
    )
    assert "từ trần" in message
    _nothing_written(before)
    with pytest.raises(ValidationError):
        actions.update_member(member, {"phone": "0987654321"}, actor=actor)


def test_transfer_within_the_system_moves_the_member_and_counts(tree, actor):
    member = MemberFactory(organisation=tree["a1"])
    actions.record_event(
        member, EventKind.TRANSFERRED, date=TODAY, to_organisation=tree["b1"], actor=actor
    )
    member.refresh_from_db()
    assert member.organisation_id == tree["b1"].pk
    assert Organisation.objects.get(pk=tree["a1"].pk).member_count == 0
    assert Organisation.objects.get(pk=tree["b1"].pk).member_count == 1
    assert actions.recount_members() == 0


@pytest.mark.parametrize(
    ("kind", "details"),
    [
        (EventKind.TRANSFERRED, {}),
        (EventKind.TRANSFERRED_OUT, {}),
        (EventKind.TEMPORARY_OUT, {"destination": "Đảng bộ Trường Đại học Bách khoa"}),
        (EventKind.EXEMPTION_ENDED, {}),
        (EventKind.REWARDED, {}),
    ],
)
def test_events_missing_what_they_need_are_refused(tree, actor, kind, details):
    member = MemberFactory(organisation=tree["a1"])
    before = _counts()
    with pytest.raises(ValidationError):
        actions.record_event(member, kind, date=TODAY, actor=actor, **details)
    _nothing_written(before)


def test_temporary_transfer_and_return(tree, actor):
    member = MemberFactory(organisation=tree["a1"])
    actions.record_event(
        member, EventKind.TEMPORARY_OUT, date=TODAY, to_organisation=tree["b1"],
        until=TODAY + datetime.timedelta(days=200), actor=actor,
    )  # fmt: skip
    member.refresh_from_db()
    assert member.temporary_organisation_id == tree["b1"].pk
    actions.record_event(member, EventKind.TEMPORARY_RETURN, date=TODAY, actor=actor)
    member.refresh_from_db()
    assert member.temporary_organisation_id is None


def test_removed_member_leaves_the_roll(tree, actor):
    member = MemberFactory(organisation=tree["a1"])
    actions.record_event(
        member, EventKind.REMOVED, date=TODAY, decision_number="12-QĐ/ĐU", actor=actor
    )
    with pytest.raises(ValidationError):
        actions.record_event(member, EventKind.EXEMPTED, date=TODAY, actor=actor)
    assert Member.objects.on_roll().count() == 0


def test_members_without_cccd_or_card_do_not_collide(tree, actor):
    for name, cccd in (("Lê Văn An", ""), ("Lê Văn Bình", "")):
        actions.admit_member(
            _applicant(full_name=name, cccd=cccd, card_number=""), organisation=tree["a1"],
            actor=actor,
        )  # fmt: skip
    assert Member.objects.filter(cccd=None, card_number=None).count() == 2


def test_receive_an_official_member_from_outside_the_system(tree, actor):
    data = _applicant(admission_date=datetime.date(2012, 5, 19),
                      official_date=datetime.date(2013, 5, 19))  # fmt: skip
    member = actions.receive_member(
        data, organisation=tree["a1"], received_on=TODAY, actor=actor,
        origin="Chi bộ 3, Đảng bộ phường Hàng Bài, Hà Nội", decision_number="15-GGT/TU",
    )  # fmt: skip
    assert member.status == MemberStatus.OFFICIAL
    event = member.events.get()
    assert (event.kind, event.destination) == (
        EventKind.RECEIVED,
        "Chi bộ 3, Đảng bộ phường Hàng Bài, Hà Nội",
    )
    assert Organisation.objects.get(pk=tree["a1"].pk).member_count == 1
    assert AuditEntry.objects.filter(action="member.receive").count() == 1


@pytest.mark.parametrize(
    ("details", "field"),
    [
        ({"origin": ""}, "origin"),
        ({"received_on": TODAY + datetime.timedelta(days=1)}, "received_on"),
        ({"received_on": datetime.date(2000, 1, 1)}, "received_on"),
    ],
)
def test_receive_refuses_bad_input(tree, actor, details, field):
    arguments = {"origin": "Đảng bộ xã Tân Lập", "received_on": TODAY, **details}
    before = _counts()
    with pytest.raises(ValidationError) as info:
        actions.receive_member(_applicant(), organisation=tree["a1"], actor=actor, **arguments)
    assert field in info.value.message_dict
    _nothing_written(before)


def test_recount_repairs_a_drifted_counter(tree):
    from django.core.management import call_command

    MemberFactory(organisation=tree["a1"])
    Organisation.objects.filter(pk=tree["a1"].pk).update(member_count=7)
    call_command("recount", stdout=io.StringIO())
    assert Organisation.objects.get(pk=tree["a1"].pk).member_count == 1


@pytest.mark.parametrize("days", [30, 800])
def test_temporary_transfer_lasts_three_months_to_two_years(tree, actor, days):
    member = MemberFactory(organisation=tree["a1"])
    with pytest.raises(ValidationError) as info:
        actions.record_event(
            member, EventKind.TEMPORARY_OUT, date=TODAY, to_organisation=tree["b1"],
            until=TODAY + datetime.timedelta(days=days), actor=actor,
        )  # fmt: skip
    assert "until" in info.value.message_dict
