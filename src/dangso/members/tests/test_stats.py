"""The subtree counts of `members.stats` stay equal to a fresh GROUP BY through every action."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import translation

from dangso.members import actions, stats
from dangso.members.choices import EventKind, MemberStatus
from dangso.members.models import Member, MemberCount
from dangso.members.queries import member_statistics
from dangso.orgs.actions import merge_organisations
from dangso.testing.factories import MemberFactory

TODAY = datetime.date.today()


def _applicant(number: int, **overrides):
    born = datetime.date(1970 + number, 1, 1)  # 1 January: age by year is the exact age
    data = {
        "full_name": f"Nguyễn Văn {['An', 'Bình', 'Cường', 'Dũng', 'Đức', 'Hải'][number]}",
        "sex": "M",
        "date_of_birth": born,
        "cccd": f"027{born.year % 100:03d}00{number:04d}",
        "admission_date": datetime.date(2024, 3, 2),
    }
    return {**data, **overrides}


def _assert_counts_right():
    assert stats.stored_counts() == stats.fresh_counts()


@pytest.fixture
def admitted(tree, actor):
    members = [
        actions.admit_member(_applicant(0), organisation=tree["a1"], actor=actor),
        actions.admit_member(_applicant(1), organisation=tree["a2"], actor=actor),
        actions.admit_member(
            _applicant(2, sex="F", full_name="Trần Thị Lan", cccd="027172001234"),
            organisation=tree["b1"], actor=actor,
        ),
    ]  # fmt: skip
    return members


def test_admissions_are_counted_at_every_level_above_the_cell(tree, admitted):
    _assert_counts_right()
    province = stats.subtree_counts([tree["province"]])
    assert sum(province.values()) == 3
    assert province[(MemberStatus.PROBATIONARY, "F", 1972)] == 1
    assert not MemberCount.objects.filter(organisation=tree["a1"]).exists()  # cells: live


def test_transfer_moves_the_count_between_communes(tree, admitted, actor):
    actions.record_event(
        admitted[0], EventKind.TRANSFERRED, date=TODAY, to_organisation=tree["b2"], actor=actor
    )
    _assert_counts_right()
    assert sum(stats.subtree_counts([tree["a"]]).values()) == 1
    assert sum(stats.subtree_counts([tree["b"]]).values()) == 2
    assert sum(stats.subtree_counts([tree["central"]]).values()) == 3


def test_death_changes_the_status_counted(tree, admitted, actor):
    actions.record_event(admitted[1], EventKind.DIED, date=TODAY, actor=actor)
    _assert_counts_right()
    figures = member_statistics(Member.objects.all(), TODAY, roots=[tree["province"]])
    assert (figures["on_roll"], figures["status_deceased"]) == (2, 1)


def test_edit_of_birth_date_moves_the_member_to_another_year(tree, admitted, actor):
    actions.update_member(admitted[0], {"date_of_birth": datetime.date(1965, 1, 1),
                                        "cccd": "027065000000"}, actor=actor)  # fmt: skip
    _assert_counts_right()
    counts = stats.subtree_counts([tree["a"]])
    assert counts[(MemberStatus.PROBATIONARY, "M", 1965)] == 1
    assert counts[(MemberStatus.PROBATIONARY, "M", 1970)] == 0


def test_merging_communes_moves_their_counts(tree, admitted, actor):
    merge_organisations([tree["a"]], into=tree["b"], on=TODAY, actor=actor)
    _assert_counts_right()
    assert sum(stats.subtree_counts([tree["b"]]).values()) == 3
    assert sum(stats.subtree_counts([tree["province"]]).values()) == 3


def test_many_parents_at_once_rebuild_everything(tree, admitted, actor, monkeypatch):
    MemberCount.objects.all().delete()
    monkeypatch.setattr(stats, "REBUILD_ABOVE", 0)
    actions.record_event(admitted[2], EventKind.DIED, date=TODAY, actor=actor)
    _assert_counts_right()


def test_rebuild_equals_a_fresh_group_by(tree):
    for cell, sex, year in [("a1", "M", 1950), ("a1", "F", 1990), ("b2", "F", 1990)]:
        MemberFactory(organisation=tree[cell], sex=sex, date_of_birth=datetime.date(year, 1, 1))
    MemberFactory(organisation=tree["b1"], status=MemberStatus.DECEASED)
    assert stats.rebuild_member_counts() == MemberCount.objects.count() > 0
    _assert_counts_right()


@pytest.mark.parametrize("root", ["central", "province", "a", "a1"])
def test_statistics_from_counts_equal_the_live_count(tree, root):
    for cell, sex, year, status in [
        ("a1", "M", 1950, MemberStatus.OFFICIAL), ("a1", "F", 1990, MemberStatus.OFFICIAL),
        ("a2", "F", 2000, MemberStatus.PROBATIONARY), ("b2", "M", 1975, MemberStatus.EXEMPT),
        ("a1", "M", 1980, MemberStatus.DECEASED),
    ]:  # fmt: skip
        MemberFactory(organisation=tree[cell], sex=sex, status=status,
                      date_of_birth=datetime.date(year, 1, 1))  # fmt: skip
    stats.rebuild_member_counts()
    organisation = tree[root]
    live = member_statistics(
        Member.objects.filter(organisation__path__startswith=organisation.path), TODAY
    )
    assert member_statistics(Member.objects.all(), TODAY, roots=[organisation]) == live


def test_recount_command_rebuilds_the_counts(tree):
    MemberFactory(organisation=tree["b2"], sex="F", date_of_birth=datetime.date(1988, 1, 1))
    out = io.StringIO()
    with translation.override("en"):
        call_command("recount", stdout=out)
    _assert_counts_right()
    assert MemberCount.objects.filter(organisation=tree["central"]).exists()
    assert "rows" in out.getvalue()


def test_counts_follow_a_subtree_move(tree, actor):
    from dangso.orgs.actions import move_organisation

    MemberFactory(organisation=tree["a1"], sex="M", date_of_birth=datetime.date(1980, 5, 5))
    MemberFactory(organisation=tree["a2"], sex="F", date_of_birth=datetime.date(1990, 5, 5))
    stats.rebuild_member_counts()
    move_organisation(tree["a1"], new_parent=tree["b"], on=TODAY, actor=actor)
    _assert_counts_right()
