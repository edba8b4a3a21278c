import datetime

import pytest
from django.core.exceptions import ValidationError

from dangso.accounts.models import RoleAssignment
from dangso.members.models import Member, MemberEvent
from dangso.orgs import actions
from dangso.orgs.choices import OrgKind, OrgStatus
from dangso.orgs.models import Organisation
from dangso.testing.factories import MemberFactory, RoleFactory

MERGE_DAY = datetime.date(2025, 9, 1)


def _names(nodes):
    return sorted(node.name for node in nodes)


def test_create_derives_path_and_opens_a_version(tree, actor):
    cell = actions.create_organisation(
        code="X01C9", name="Chi bộ thôn Bắc", kind=OrgKind.CELL, parent=tree["a"],
        valid_from=datetime.date(2025, 8, 1), actor=actor,
    )  # fmt: skip
    assert cell.path == f"{tree['a'].path}{cell.pk}/"
    assert cell.versions.get().valid_to is None


def test_cell_cannot_hold_organisations(tree, actor):
    with pytest.raises(ValidationError):
        actions.create_organisation(
            code="BAD", name="Tổ đảng", kind=OrgKind.CELL, parent=tree["a1"],
            valid_from=datetime.date(2025, 8, 1), actor=actor,
        )  # fmt: skip


def test_merge_moves_cells_members_and_roles_and_keeps_history(tree, actor):
    member = MemberFactory(organisation=tree["b1"])
    direct = MemberFactory(organisation=tree["b1"])
    role = RoleFactory(organisation=tree["b"], role="organisation")
    target = actions.create_organisation(
        code="X03", name="Đảng bộ phường Yên Kinh", kind=OrgKind.COMMUNE, parent=tree["province"],
        valid_from=MERGE_DAY, actor=actor,
    )  # fmt: skip

    result = actions.merge_organisations(
        [tree["a"], tree["b"]], into=target, on=MERGE_DAY, actor=actor
    )

    assert result.moved_children == 4
    for key in ("a1", "a2", "b1", "b2"):
        cell = Organisation.objects.get(pk=tree[key].pk)
        assert cell.parent_id == target.pk
        assert cell.path.startswith(target.path)
    old = Organisation.objects.get(pk=tree["a"].pk)
    assert (old.status, old.merged_into_id, old.valid_to) == (
        OrgStatus.MERGED,
        target.pk,
        MERGE_DAY,
    )
    assert RoleAssignment.objects.get(pk=role.pk).organisation_id == target.pk
    assert Member.objects.get(pk=member.pk).organisation.path.startswith(target.path)
    assert Member.objects.get(pk=direct.pk).organisation_id == tree["b1"].pk

    before = actions.tree_on(datetime.date(2025, 8, 1))
    province_before = before[0].children[0]
    assert _names(province_before.children) == ["Đảng bộ phường Kinh Bắc", "Đảng bộ xã Yên Phong"]
    after = actions.tree_on(MERGE_DAY)
    province_after = after[0].children[0]
    assert _names(province_after.children) == ["Đảng bộ phường Yên Kinh"]
    assert len(province_after.children[0].children) == 4


def test_merging_cells_moves_their_members_with_an_event(tree, actor):
    member = MemberFactory(organisation=tree["a2"])
    actions.merge_organisations([tree["a2"]], into=tree["a1"], on=MERGE_DAY, actor=actor)
    member.refresh_from_db()
    assert member.organisation_id == tree["a1"].pk
    assert MemberEvent.objects.get(member=member).kind == "reorganised"
    assert Organisation.objects.get(pk=tree["a1"].pk).member_count == 1
    assert Organisation.objects.get(pk=tree["a2"].pk).member_count == 0


def test_move_subtree_repaths_descendants(tree, actor):
    actions.move_organisation(tree["a1"], new_parent=tree["b"], on=MERGE_DAY, actor=actor)
    cell = Organisation.objects.get(pk=tree["a1"].pk)
    assert cell.path == f"{tree['b'].path}{cell.pk}/"


def test_move_into_own_subtree_is_refused(tree, actor):
    with pytest.raises(ValidationError):
        actions.move_organisation(tree["a"], new_parent=tree["a1"], on=MERGE_DAY, actor=actor)


def test_rename_is_dated(tree, actor):
    actions.rename_organisation(
        tree["a"], name="Đảng bộ xã Yên Phong mới", short_name="ĐU", on=MERGE_DAY, actor=actor
    )
    old = actions.tree_on(datetime.date(2025, 8, 1))[0].children[0].children
    assert "Đảng bộ xã Yên Phong" in _names(old)


def test_dissolve_refuses_an_organisation_with_members(tree, actor):
    MemberFactory(organisation=tree["a1"])
    with pytest.raises(ValidationError):
        actions.dissolve_organisation(
            Organisation.objects.get(pk=tree["a1"].pk), on=MERGE_DAY, actor=actor
        )
    actions.dissolve_organisation(tree["a2"], on=MERGE_DAY, actor=actor)
    assert Organisation.objects.get(pk=tree["a2"].pk).status == OrgStatus.DISSOLVED
