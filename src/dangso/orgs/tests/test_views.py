import datetime

import pytest
from django.urls import reverse

from dangso.accounts.models import RoleAssignment
from dangso.accounts.roles import Role
from dangso.core.audit import Actor
from dangso.core.models import AuditEntry
from dangso.orgs import actions
from dangso.orgs.choices import OrgKind, OrgStatus
from dangso.orgs.models import Organisation, OrganisationVersion
from dangso.testing.factories import MemberFactory, OrganisationFactory, RoleFactory, UserFactory

MERGE_DAY = datetime.date(2025, 9, 1)
BEFORE = "01/08/2025"


def _state():
    """Everything a refused reorganisation must leave as it was."""
    return (
        list(Organisation.objects.order_by("pk").values()),
        list(OrganisationVersion.objects.order_by("pk").values()),
        AuditEntry.objects.count(),
    )


def _tree_names(nodes) -> list[str]:
    names = []
    for node in nodes:
        names.append(node.name)
        names.extend(_tree_names(node.children))
    return names


def _merge_communes(tree):
    """Communes A and B merged on MERGE_DAY into a new commune X03."""
    actor = Actor.system("test")
    target = actions.create_organisation(
        code="X03", name="Đảng bộ phường Yên Kinh", kind=OrgKind.COMMUNE,
        parent=tree["province"], valid_from=MERGE_DAY, actor=actor,
    )  # fmt: skip
    actions.merge_organisations([tree["a"], tree["b"]], into=target, on=MERGE_DAY, actor=actor)
    return target


# --- tree ------------------------------------------------------------------------------------


def test_tree_shows_the_scope_with_subtree_member_counts(client, office_a, tree):
    MemberFactory.create_batch(2, organisation=tree["a1"])
    MemberFactory(organisation=tree["a2"])
    MemberFactory(organisation=tree["b1"])
    client.force_login(office_a)
    response = client.get(reverse("orgs:tree"))
    assert response.status_code == 200
    (root,) = response.context["nodes"]
    assert (root.name, root.members) == ("Đảng bộ xã Yên Phong", 3)
    assert [(child.code, child.members) for child in root.children] == [("X01C1", 2), ("X01C2", 1)]
    content = response.content.decode()
    assert "Chi bộ thôn Đông" in content and "X01C1" in content
    assert "Kinh Bắc" not in content and "khu phố" not in content


def test_tree_counts_links_to_the_member_list_for_those_who_may_read_members(sign_in, tree):
    user = RoleFactory(organisation=tree["province"], role=Role.ORGANISATION).user
    MemberFactory(organisation=tree["b2"])
    content = sign_in(user).get(reverse("orgs:tree")).content.decode()
    assert f"{reverse('members:list')}?organisation={tree['b2'].pk}" in content
    (root,) = sign_in(user).get(reverse("orgs:tree")).context["nodes"]
    assert root.members == 1


def test_tree_query_count_does_not_grow_with_organisations(
    sign_in, tree, django_assert_max_num_queries
):
    user = RoleFactory(organisation=tree["central"], role=Role.ADMIN).user
    for index in range(20):
        cell = OrganisationFactory(code=f"X02C{index + 10}", parent=tree["b"])
        MemberFactory(organisation=cell)
    client = sign_in(user)
    with django_assert_max_num_queries(8):  # + the unread notices in the menu
        response = client.get(reverse("orgs:tree"), {"root": tree["province"].pk})
    assert response.context["nodes"][0].members == 20


def test_tree_is_cut_below_two_levels_with_a_link_to_open_deeper(client, tree):
    user = RoleFactory(organisation=tree["central"], role=Role.OFFICE).user
    client.force_login(user)
    response = client.get(reverse("orgs:tree"))
    names = _tree_names(response.context["nodes"])
    assert "Đảng bộ xã Yên Phong" in names and "Chi bộ thôn Đông" not in names
    assert f"?root={tree['a'].pk}" in response.content.decode()
    deeper = client.get(reverse("orgs:tree"), {"root": tree["a"].pk})
    assert "Chi bộ thôn Đông" in _tree_names(deeper.context["nodes"])


def test_tree_root_out_of_scope_is_404(client, office_a, tree):
    client.force_login(office_a)
    assert client.get(reverse("orgs:tree"), {"root": tree["b"].pk}).status_code == 404


@pytest.mark.parametrize("role", [None, Role.MEMBER])
def test_tree_is_forbidden_without_org_view(client, tree, role):
    user = UserFactory()
    if role:
        RoleFactory(user=user, organisation=tree["a"], role=role)
    client.force_login(user)
    assert client.get(reverse("orgs:tree")).status_code == 403


def test_tree_on_a_date_before_a_merge_shows_the_old_organisations(sign_in, tree):
    user = RoleFactory(organisation=tree["province"], role=Role.ADMIN).user
    _merge_communes(tree)
    client = sign_in(user)
    today = _tree_names(client.get(reverse("orgs:tree")).context["nodes"])
    assert "Đảng bộ phường Yên Kinh" in today and "Đảng bộ xã Yên Phong" not in today
    response = client.get(reverse("orgs:tree"), {"on": BEFORE})
    assert response.status_code == 200
    assert response.context["day"] == datetime.date(2025, 8, 1)
    then = _tree_names(response.context["nodes"])
    assert {"Đảng bộ xã Yên Phong", "Đảng bộ phường Kinh Bắc"} <= set(then)
    assert "Đảng bộ phường Yên Kinh" not in then


def test_tree_on_a_date_shows_names_as_they_were(sign_in, tree):
    user = RoleFactory(organisation=tree["a"], role=Role.ADMIN).user
    actions.rename_organisation(
        tree["a1"], name="Chi bộ thôn Đông Bắc", short_name="CB", on=MERGE_DAY,
        actor=Actor.system("test"),
    )  # fmt: skip
    client = sign_in(user)
    then = _tree_names(client.get(reverse("orgs:tree"), {"on": BEFORE}).context["nodes"])
    now = _tree_names(client.get(reverse("orgs:tree")).context["nodes"])
    assert "Chi bộ thôn Đông" in then and "Chi bộ thôn Đông Bắc" in now


def test_tree_on_a_date_includes_organisations_merged_into_the_scope(sign_in, tree):
    user = RoleFactory(organisation=tree["b"], role=Role.ORGANISATION).user
    target = _merge_communes(tree)
    assert RoleAssignment.objects.get(user=user).organisation_id == target.pk
    response = sign_in(user).get(reverse("orgs:tree"), {"on": BEFORE})
    then = _tree_names(response.context["nodes"])
    assert {"Đảng bộ xã Yên Phong", "Đảng bộ phường Kinh Bắc", "Chi bộ khu phố 1"} <= set(then)


@pytest.mark.parametrize("typed", ["31/02/2025", "2025-13-01", "hôm qua", "1/8"])
def test_tree_with_an_invalid_date_answers_with_a_message(client, office_a, typed):
    client.force_login(office_a)
    response = client.get(reverse("orgs:tree"), {"on": typed})
    assert response.status_code == 200
    assert response.context["date_form"].errors["on"]
    assert response.context["day"] is None
    assert f'value="{typed}"'.encode() in response.content


# --- detail ----------------------------------------------------------------------------------


def test_detail_shows_versions_children_and_members(client, office_a, tree):
    MemberFactory(organisation=tree["a1"])
    actions.rename_organisation(
        tree["a"], name="Đảng bộ xã Yên Phong Mới", short_name="ĐU", on=MERGE_DAY,
        actor=Actor.system("test"),
    )  # fmt: skip
    client.force_login(office_a)
    response = client.get(reverse("orgs:detail", args=[tree["a"].pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Đảng bộ xã Yên Phong Mới" in content and "01/09/2025" in content
    assert [v.name for v in response.context["versions"]] == [
        "Đảng bộ xã Yên Phong Mới",
        "Đảng bộ xã Yên Phong",
    ]
    assert {c.code for c in response.context["children"]} == {"X01C1", "X01C2"}
    assert response.context["subtree_members"] == 1
    assert not response.context["forms"]  # office staff do not reorganise


def test_detail_of_a_merged_organisation_links_both_ways(sign_in, tree):
    user = RoleFactory(organisation=tree["province"], role=Role.ADMIN).user
    target = _merge_communes(tree)
    client = sign_in(user)
    old = client.get(reverse("orgs:detail", args=[tree["a"].pk]))
    assert old.status_code == 200
    assert reverse("orgs:detail", args=[target.pk]).encode() in old.content
    assert not old.context["forms"]  # a merged organisation is history
    new = client.get(reverse("orgs:detail", args=[target.pk]))
    assert {org.code for org in new.context["merged_from"]} == {"X01", "X02"}
    assert new.context["visible_ids"] == {tree["a"].pk, tree["b"].pk}


@pytest.mark.parametrize("key", ["b", "b1", "province", "central"])
def test_detail_out_of_scope_is_404(client, office_a, tree, key):
    client.force_login(office_a)
    response = client.get(reverse("orgs:detail", args=[tree[key].pk]))
    assert response.status_code == 404
    assert tree[key].name.encode() not in response.content


def test_detail_query_count(sign_in, admin_b, tree, django_assert_max_num_queries):
    for index in range(10):
        OrganisationFactory(code=f"X02C{index + 10}", parent=tree["b"])
    client = sign_in(admin_b)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("orgs:detail", args=[tree["b"].pk]))
    assert set(response.context["forms"]) == {"child", "rename", "move", "merge", "dissolve"}


# --- reorganisations -------------------------------------------------------------------------


def test_rename_through_the_page(sign_in, admin_b, tree):
    response = sign_in(admin_b).post(
        reverse("orgs:rename", args=[tree["b1"].pk]),
        {"rename-name": "Chi bộ khu phố Một", "rename-short_name": "CB", "rename-on": "01/09/2025"},
    )
    assert response.status_code == 302
    org = Organisation.objects.get(pk=tree["b1"].pk)
    assert org.name == "Chi bộ khu phố Một"
    assert org.versions.get(valid_to__isnull=True).valid_from == MERGE_DAY
    assert AuditEntry.objects.get(action="org.rename").object_id == str(org.pk)


def test_rename_before_the_last_change_is_refused_and_changes_nothing(sign_in, admin_b, tree):
    before = _state()
    response = sign_in(admin_b).post(
        reverse("orgs:rename", args=[tree["b1"].pk]),
        {"rename-name": "Chi bộ khu phố Một", "rename-short_name": "", "rename-on": "01/01/2020"},
    )
    assert response.status_code == 200
    assert response.context["forms"]["rename"].non_field_errors()
    assert 'value="Chi bộ khu phố Một"'.encode() in response.content
    assert _state() == before


@pytest.mark.parametrize("action", ["rename", "dissolve", "create_child", "merge", "move"])
def test_reorganising_out_of_scope_is_404_and_changes_nothing(sign_in, admin_b, tree, action):
    before = _state()
    response = sign_in(admin_b).post(
        reverse(f"orgs:{action}", args=[tree["a1"].pk]),
        {"rename-name": "X", "rename-on": "01/09/2025", "dissolve-on": "01/09/2025",
         "dissolve-confirm": "on"},
    )  # fmt: skip
    assert response.status_code == 404
    assert _state() == before


def test_reorganising_without_org_manage_is_404(client, office_a, tree):
    client.force_login(office_a)
    before = _state()
    response = client.post(
        reverse("orgs:dissolve", args=[tree["a2"].pk]),
        {"dissolve-on": "01/09/2025", "dissolve-confirm": "on"},
    )
    assert response.status_code == 404
    assert _state() == before


def test_get_on_a_reorganisation_url_is_refused(sign_in, admin_b, tree):
    response = sign_in(admin_b).get(reverse("orgs:rename", args=[tree["b1"].pk]))
    assert response.status_code == 405


def test_create_child_and_duplicate_code(sign_in, admin_b, tree):
    client = sign_in(admin_b)
    data = {"child-code": "X02C3", "child-name": "Chi bộ khu phố 3", "child-short_name": "CB",
            "child-kind": OrgKind.CELL, "child-on": "01/09/2025"}  # fmt: skip
    response = client.post(reverse("orgs:create_child", args=[tree["b"].pk]), data)
    created = Organisation.objects.get(code="X02C3")
    assert response["Location"] == reverse("orgs:detail", args=[created.pk])
    assert created.parent_id == tree["b"].pk
    before = _state()
    again = client.post(reverse("orgs:create_child", args=[tree["b"].pk]), data)
    assert again.status_code == 200
    assert again.context["forms"]["child"].errors["code"]
    assert _state() == before


def test_merge_cells_through_the_page(sign_in, admin_b, tree):
    member = MemberFactory(organisation=tree["b2"])
    client = sign_in(admin_b)
    page = client.get(reverse("orgs:detail", args=[tree["b1"].pk]))
    assert [o.code for o in page.context["forms"]["merge"].fields["sources"].queryset] == ["X02C2"]
    response = client.post(
        reverse("orgs:merge", args=[tree["b1"].pk]),
        {"merge-sources": [tree["b2"].pk], "merge-on": "01/09/2025"},
    )
    assert response.status_code == 302
    source = Organisation.objects.get(pk=tree["b2"].pk)
    assert (source.status, source.merged_into_id) == (OrgStatus.MERGED, tree["b1"].pk)
    member.refresh_from_db()
    assert member.organisation_id == tree["b1"].pk


def test_merge_of_a_source_out_of_scope_is_refused(sign_in, admin_b, tree):
    before = _state()
    response = sign_in(admin_b).post(
        reverse("orgs:merge", args=[tree["b1"].pk]),
        {"merge-sources": [tree["a1"].pk], "merge-on": "01/09/2025"},
    )
    assert response.status_code == 200
    assert response.context["forms"]["merge"].errors["sources"]
    assert _state() == before


def test_move_through_the_page(sign_in, tree):
    user = RoleFactory(organisation=tree["province"], role=Role.ADMIN).user
    response = sign_in(user).post(
        reverse("orgs:move", args=[tree["a1"].pk]),
        {"move-new_parent": tree["b"].pk, "move-on": "01/09/2025"},
    )
    assert response.status_code == 302
    moved = Organisation.objects.get(pk=tree["a1"].pk)
    assert moved.parent_id == tree["b"].pk and moved.path.startswith(tree["b"].path)


def test_dissolve_with_members_is_refused_with_the_reason(sign_in, admin_b, tree):
    MemberFactory(organisation=tree["b2"])
    before = _state()
    response = sign_in(admin_b).post(
        reverse("orgs:dissolve", args=[tree["b2"].pk]),
        {"dissolve-on": "01/09/2025", "dissolve-confirm": "on"},
    )
    assert response.status_code == 200
    assert response.context["forms"]["dissolve"].non_field_errors()
    assert _state() == before


def test_dissolve_an_empty_cell(sign_in, admin_b, tree):
    response = sign_in(admin_b).post(
        reverse("orgs:dissolve", args=[tree["b2"].pk]),
        {"dissolve-on": "01/09/2025", "dissolve-confirm": "on"},
    )
    assert response.status_code == 302
    assert Organisation.objects.get(pk=tree["b2"].pk).status == OrgStatus.DISSOLVED
