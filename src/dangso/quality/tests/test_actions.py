import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from dangso.core.dates import add_months
from dangso.core.models import AuditEntry
from dangso.members import actions as member_actions
from dangso.members.choices import EventKind, MemberStatus
from dangso.members.models import Member, MemberEvent
from dangso.orgs.models import Organisation
from dangso.quality import actions
from dangso.quality.models import DuplicateCandidate, MemberProblem, PairStatus, QualitySnapshot
from dangso.quality.tests.conftest import twins
from dangso.testing.factories import MemberFactory, UserFactory

TODAY = datetime.date.today()
BIRTH = datetime.date(1980, 4, 12)
ADMITTED = datetime.date(2010, 5, 20)


def _codes(member) -> set[str]:
    return set(MemberProblem.objects.filter(member=member).values_list("code", flat=True))


# Each rule a record can break, and how a record breaks it (a man born on BIRTH).
BROKEN = {
    "name.format": {"full_name": "Nguyễn"},
    "cccd.missing": {"cccd": None},
    "cccd.format": {"cccd": "02708000432"},
    "cccd.province": {"cccd": "003080004321"},
    "cccd.century_sex": {"cccd": "027180004321"},
    "cccd.birth_year": {"cccd": "027081004321"},
    "date.future": {"official_date": TODAY + datetime.timedelta(days=30)},
    "age.admission_min": {"admission_date": add_months(BIRTH, 12 * 17),
                          "official_date": add_months(BIRTH, 12 * 18)},
    "age.admission_max": {"date_of_birth": datetime.date(1950, 1, 1), "cccd": "027050004321",
                          "admission_date": datetime.date(2012, 1, 1),
                          "official_date": datetime.date(2013, 1, 1)},
    "official.too_early": {"official_date": add_months(ADMITTED, 6)},
    "official.not_12_months": {"official_date": add_months(ADMITTED, 30)},
    "card.format": {"card_number": "1234567"},
    "dossier.format": {"dossier_number": "12345"},
    "education.format": {"general_education": "12"},
    "phone.format": {"phone": "12345"},
    "email.format": {"email": "ai-do@"},
}  # fmt: skip


@pytest.mark.parametrize("code", BROKEN)
def test_each_rule_lands_as_a_problem(tree, code):
    fields = {"sex": "M", "date_of_birth": BIRTH, "cccd": "027080004321",
              "admission_date": ADMITTED, "official_date": add_months(ADMITTED, 12),
              **BROKEN[code]}  # fmt: skip
    clean = MemberFactory(organisation=tree["a1"], full_name="Trần Minh Tâm")
    broken = MemberFactory(organisation=tree["a1"], **fields)

    result = actions.check_members()

    assert code in _codes(broken)
    assert _codes(clean) == set()
    assert result.members == 2
    problem = MemberProblem.objects.get(member=broken, code=code)
    value = getattr(broken, problem.field)
    assert problem.value == ("" if value is None else str(value if not hasattr(value, "isoformat")
                                                            else value.isoformat()))  # fmt: skip


def test_a_run_replaces_old_problems_and_forgets_records_off_the_roll(tree):
    member = MemberFactory(organisation=tree["a1"], phone="12345")
    gone = MemberFactory(organisation=tree["a1"], phone="12345")
    actions.check_members()
    assert _codes(member) == _codes(gone) == {"phone.format"}
    Member.objects.filter(pk=member.pk).update(phone="0912345678")
    Member.objects.filter(pk=gone.pk).update(status=MemberStatus.DECEASED)

    actions.check_members()

    assert _codes(member) == set()
    assert _codes(gone) == set()


def test_a_subtree_check_leaves_the_rest_alone(tree):
    inside = MemberFactory(organisation=tree["a1"], phone="12345")
    outside = MemberFactory(organisation=tree["b1"], phone="12345")

    result = actions.check_members(under=tree["a"].path)

    assert result.members == 1 and result.unclean == 1
    assert _codes(inside) == {"phone.format"}
    assert _codes(outside) == set()


def test_blocks_of_ids_cover_gaps(tree, monkeypatch):
    monkeypatch.setattr(actions, "BLOCK", 2)
    members = [MemberFactory(organisation=tree["a1"], phone="12345") for _ in range(5)]
    Member.objects.filter(pk=members[2].pk).update(status=MemberStatus.REMOVED)

    result = actions.check_members()

    assert result.members == 4
    assert MemberProblem.objects.count() == 4


def test_fixing_a_record_turns_it_clean_at_once(tree, actor, bad_cccd):
    actions.check_members()
    assert _codes(bad_cccd) == {"cccd.century_sex"}

    member_actions.update_member(bad_cccd, {"cccd": "027080004321"}, actor=actor)

    assert _codes(bad_cccd) == set()


def test_a_new_member_is_checked_when_admitted(tree, actor):
    member = member_actions.admit_member(
        {"full_name": "Lê Thị Hoa", "sex": "F", "date_of_birth": datetime.date(1996, 2, 1),
         "admission_date": datetime.date(2024, 3, 1), "phone": "0912345678"},
        organisation=tree["a1"], actor=actor,
    )  # fmt: skip
    assert _codes(member) == {"cccd.missing"}


def test_check_scope_is_audited(tree, actor):
    MemberFactory(organisation=tree["a1"], phone="12345")
    result = actions.check_scope(tree["a"], actor=actor)
    entry = AuditEntry.objects.get(action="quality.check")
    assert entry.changes == {"members": [None, 1], "unclean": [None, 1]}
    assert entry.org_path == tree["a"].path
    assert result.unclean == 1


def test_snapshot_adds_cells_up_the_tree(tree):
    MemberFactory(organisation=tree["a1"], phone="12345")
    MemberFactory(organisation=tree["a1"])
    MemberFactory(organisation=tree["a2"], cccd=None)  # a warning only: still clean
    MemberFactory(organisation=tree["b1"])
    actions.check_members()

    written = actions.snapshot_quality(TODAY)

    figures = {
        s.organisation_id: (s.members, s.clean_records, s.by_rule)
        for s in QualitySnapshot.objects.filter(day=TODAY)
    }
    assert written == len(figures)
    assert figures[tree["a1"].pk] == (2, 1, {"phone.format": 1})
    assert figures[tree["a"].pk] == (3, 2, {"phone.format": 1, "cccd.missing": 1})
    assert figures[tree["province"].pk] == (4, 3, {"phone.format": 1, "cccd.missing": 1})
    assert tree["b2"].pk not in figures  # no members, no row
    actions.snapshot_quality(TODAY)  # the same day again replaces its rows
    assert QualitySnapshot.objects.filter(day=TODAY).count() == written


# --- likely duplicates --------------------------------------------------------------------------


def _pairs() -> set[frozenset[int]]:
    return {
        frozenset(pair)
        for pair in DuplicateCandidate.objects.values_list("member_a_id", "member_b_id")
    }


def test_vietnamese_spellings_of_one_person_are_found(tree):
    born = datetime.date(1979, 3, 8)
    common = {"sex": "M", "date_of_birth": born, "hometown": "Xã Yên Phong, tỉnh Bắc Ninh"}
    accented = MemberFactory(organisation=tree["a1"], full_name="Nguyễn Văn Đức", **common)
    plain = MemberFactory(organisation=tree["a2"], full_name="Nguyen Van Duc", cccd=None,
                          **{**common, "hometown": "Yên Phong - Bắc Ninh"})  # fmt: skip
    one_mark = MemberFactory(organisation=tree["a1"], full_name="Nguyễn Văn Đưc", cccd=None,
                             **common)  # fmt: skip
    # Not the same person: another birthday; another name on the same day.
    MemberFactory(organisation=tree["a1"], full_name="Nguyễn Văn Đức", sex="M",
                  date_of_birth=datetime.date(1982, 7, 1))  # fmt: skip
    MemberFactory(organisation=tree["a1"], full_name="Trần Thị Lan", sex="F", date_of_birth=born)

    result = actions.find_duplicates()

    assert _pairs() == {
        frozenset({accented.pk, plain.pk}),
        frozenset({accented.pk, one_mark.pk}),
        frozenset({plain.pk, one_mark.pk}),
    }
    assert result.found == result.new == 3 and result.members == 5
    pair = DuplicateCandidate.objects.get(member_a=accented, member_b=plain)
    assert pair.score >= 0.9 and pair.status == PairStatus.OPEN
    assert {"same_name", "same_birth_date", "same_hometown"} <= set(pair.reasons)
    assert MemberProblem.objects.filter(code="duplicate.likely", member=accented).count() == 2


def test_a_close_name_needs_more_in_common(tree):
    born = datetime.date(1979, 3, 8)
    MemberFactory(organisation=tree["a1"], full_name="Nguyễn Văn Hùng", sex="M",
                  date_of_birth=born, hometown="Xã Tam Giang, tỉnh Bắc Ninh")  # fmt: skip
    MemberFactory(organisation=tree["b1"], full_name="Nguyễn Văn Dũng", sex="M",
                  date_of_birth=born, hometown="Phường Kinh Bắc, tỉnh Bắc Ninh")  # fmt: skip
    assert actions.find_duplicates().found == 0


def test_a_dismissed_pair_is_not_proposed_again(tree, actor):
    twins(tree["a1"], tree["a2"])
    actions.find_duplicates()
    pair = DuplicateCandidate.objects.get()

    actions.dismiss_duplicate(pair, actor)
    again = actions.find_duplicates()

    pair.refresh_from_db()
    assert pair.status == PairStatus.DISMISSED and pair.decided_by == actor.name
    assert again.new == 0 and again.decided == 1
    assert DuplicateCandidate.objects.count() == 1
    assert not MemberProblem.objects.filter(code="duplicate.likely").exists()
    assert AuditEntry.objects.filter(action="quality.duplicate.dismiss").count() == 1
    with pytest.raises(ValidationError):
        actions.dismiss_duplicate(pair, actor)


def test_an_open_pair_no_longer_found_is_withdrawn(tree):
    _first, second = twins(tree["a1"], tree["a2"])
    actions.find_duplicates()
    Member.objects.filter(pk=second.pk).update(date_of_birth=datetime.date(1979, 3, 9))

    actions.find_duplicates()

    assert not DuplicateCandidate.objects.exists()
    assert not MemberProblem.objects.filter(code="duplicate.likely").exists()


def test_merge_keeps_both_histories(tree, actor):
    user = UserFactory()
    keep, remove = twins(tree["a1"], tree["b1"], card_number=None)
    Member.objects.filter(pk=remove.pk).update(card_number="12345678", user=user)
    remove.refresh_from_db()
    MemberEvent.objects.create(member=remove, kind=EventKind.REWARDED, date=TODAY,
                               detail="Giấy khen", recorded_by="x")  # fmt: skip
    actions.find_duplicates()
    pair = DuplicateCandidate.objects.get()
    counts = dict(Organisation.objects.values_list("pk", "member_count"))

    actions.merge_duplicate(pair, keep=keep, actor=actor)

    keep.refresh_from_db()
    remove.refresh_from_db()
    pair.refresh_from_db()
    assert pair.status == PairStatus.MERGED and pair.decided_at is not None
    assert remove.status == MemberStatus.MERGED and remove.merged_into == keep
    assert keep.card_number == "12345678" and remove.card_number is None  # moved over
    assert keep.cccd and remove.cccd is None
    assert keep.user == user and remove.user is None
    assert list(remove.events.values_list("kind", flat=True)) == [
        EventKind.REWARDED, EventKind.MERGED,
    ]  # fmt: skip
    assert keep.events.filter(kind=EventKind.MERGED, detail__contains=f"#{remove.pk}").exists()
    after = dict(Organisation.objects.values_list("pk", "member_count"))
    assert after[tree["b1"].pk] == counts[tree["b1"].pk] - 1
    assert after[tree["a1"].pk] == counts[tree["a1"].pk]
    merged = AuditEntry.objects.get(action="member.merged", object_id=str(remove.pk))
    assert merged.changes["status"] == ["official", "merged"]
    assert AuditEntry.objects.get(action="member.merge").changes["card_number"] == [
        None, "12345678",
    ]  # fmt: skip
    assert not MemberProblem.objects.filter(member=remove).exists()
    assert not MemberProblem.objects.filter(code="duplicate.likely").exists()


def test_merging_withdraws_the_removed_records_other_pairs(tree, actor):
    keep, remove = twins(tree["a1"], tree["a2"])
    third = MemberFactory(
        organisation=tree["b1"], full_name="Nguyễn Văn Đức", sex="M",
        date_of_birth=keep.date_of_birth, hometown=keep.hometown, cccd=None,
    )  # fmt: skip
    actions.find_duplicates()
    assert DuplicateCandidate.objects.count() == 3
    pair = DuplicateCandidate.objects.get(member_a=keep, member_b=remove)

    actions.merge_duplicate(pair, keep=keep, actor=actor)

    assert set(DuplicateCandidate.objects.values_list("member_a_id", "member_b_id", "status")) == {
        (keep.pk, remove.pk, PairStatus.MERGED),
        (keep.pk, third.pk, PairStatus.OPEN),
    }
    assert set(
        MemberProblem.objects.filter(code="duplicate.likely").values_list("member_id", flat=True)
    ) == {keep.pk, third.pk}


def test_a_merged_record_cannot_be_merged_again(tree, actor):
    keep, remove = twins(tree["a1"], tree["a2"])
    member_actions.merge_members(keep, remove, actor=actor)
    with pytest.raises(ValidationError):
        member_actions.merge_members(keep, remove, actor=actor)
    with pytest.raises(ValidationError):
        member_actions.merge_members(keep, keep, actor=actor)


# --- commands -----------------------------------------------------------------------------------


def test_check_members_command(tree):
    MemberFactory(organisation=tree["a1"], phone="12345")
    MemberFactory(organisation=tree["b1"])
    out = io.StringIO()
    call_command("check-members", stdout=out)
    assert "2" in out.getvalue() and QualitySnapshot.objects.filter(day=TODAY).exists()
    out = io.StringIO()
    call_command("check-members", "--org", "X01", stdout=out)
    assert AuditEntry.objects.filter(action="quality.check", org_path=tree["a"].path).exists()
    with pytest.raises(CommandError):
        call_command("check-members", "--org", "NOPE")


def test_find_duplicates_command(tree):
    twins(tree["a1"], tree["a2"])
    out = io.StringIO()
    call_command("find-duplicates", stdout=out)
    assert "1" in out.getvalue()
    assert AuditEntry.objects.filter(action="quality.find_duplicates").exists()


def test_a_long_list_of_ids_is_checked_in_bounded_queries(tree):
    member = MemberFactory(organisation=tree["a1"], phone="12345")
    result = actions.check_members(range(1, 50_000))  # more than SQLite's variable limit
    assert result.members == 1 and _codes(member) == {"phone.format"}


def test_a_transferred_members_problems_follow_them(tree, actor):
    member = MemberFactory(organisation=tree["a1"], phone="12345")
    actions.check_members()
    member_actions.record_event(
        member, EventKind.TRANSFERRED, date=TODAY, to_organisation=tree["b1"], actor=actor
    )
    assert set(MemberProblem.objects.values_list("organisation_id", flat=True)) == {tree["b1"].pk}
    member_actions.record_event(
        member, EventKind.TRANSFERRED_OUT, date=TODAY, destination="Đảng bộ tỉnh Hưng Yên",
        actor=actor,
    )  # fmt: skip
    assert not MemberProblem.objects.exists()


def test_a_subtree_check_drops_problems_of_members_who_left_it(tree):
    member = MemberFactory(organisation=tree["a1"], phone="12345")
    actions.check_members()
    Member.objects.filter(pk=member.pk).update(organisation=tree["b1"])  # no re-check
    actions.check_members(under=tree["a"].path)
    assert not MemberProblem.objects.exists()
