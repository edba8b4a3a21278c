from dangso.accounts.scope import can, restrict, scope_paths
from dangso.members.models import Member
from dangso.orgs.models import Organisation
from dangso.testing.factories import MemberFactory, RoleFactory, UserFactory


def test_role_covers_the_whole_subtree_and_nothing_else(tree):
    inside = MemberFactory(organisation=tree["a1"])
    outside = MemberFactory(organisation=tree["b1"])
    role = RoleFactory(organisation=tree["a"], role="organisation")
    visible = restrict(Member.objects.all(), role.user, "member.view")
    assert list(visible) == [inside]
    assert not can(role.user, "member.view", outside)


def test_capability_comes_from_the_role(tree):
    role = RoleFactory(organisation=tree["a"], role="office")
    assert restrict(Member.objects.all(), role.user, "member.view").count() == 0
    assert restrict(Organisation.objects.all(), role.user, "org.view").count() == 3


def test_nested_roles_collapse_to_the_outermost(tree):
    user = UserFactory()
    RoleFactory(user=user, organisation=tree["province"], role="organisation")
    RoleFactory(user=user, organisation=tree["a"], role="organisation")
    assert scope_paths(user, "member.view") == [tree["province"].path]


def test_no_role_sees_nothing(db):
    MemberFactory()
    assert restrict(Member.objects.all(), UserFactory(), "member.view").count() == 0
