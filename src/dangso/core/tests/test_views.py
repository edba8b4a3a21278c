from django.urls import reverse

from dangso.core import audit
from dangso.testing.auth import login_verified
from dangso.testing.factories import MemberFactory, RoleFactory


def _entries(response):
    return list(response.context["page"].object_list)


def test_audit_log_shows_only_entries_in_scope(client, tree, actor):
    inside = MemberFactory(organisation=tree["a1"], full_name="Trần Thị Hoa")
    outside = MemberFactory(organisation=tree["b1"], full_name="Lê Văn Nam")
    audit.record(actor, "member.update", inside, changes={"phone": ["1", "2"]})
    audit.record(actor, "member.update", outside, changes={"phone": ["3", "4"]})
    role = RoleFactory(organisation=tree["a"], role="inspection")
    response = login_verified(client, role.user).get(reverse("site:audit"))
    assert response.status_code == 200
    assert [entry.object_repr for entry in _entries(response)] == ["Trần Thị Hoa"]
    assert "Lê Văn Nam" not in response.content.decode()


def test_audit_log_filters_by_object_and_by_user(client, tree, actor):
    first = MemberFactory(organisation=tree["a1"])
    second = MemberFactory(organisation=tree["a1"])
    audit.record(actor, "member.update", first)
    audit.record(audit.Actor.system("other"), "member.update", second)
    role = RoleFactory(organisation=tree["province"], role="admin")
    login_verified(client, role.user)
    by_object = client.get(
        reverse("site:audit"), {"object_type": "members.member", "object_id": str(first.pk)}
    )
    assert [entry.object_id for entry in _entries(by_object)] == [str(first.pk)]
    by_user = client.get(reverse("site:audit"), {"actor": "other"})
    assert [entry.actor_name for entry in _entries(by_user)] == ["other"]


def test_audit_log_needs_the_capability(client, tree):
    role = RoleFactory(organisation=tree["province"], role="organisation")
    assert login_verified(client, role.user).get(reverse("site:audit")).status_code == 403


def test_audit_log_query_count_is_bounded(client, tree, actor, django_assert_max_num_queries):
    for _ in range(30):
        audit.record(actor, "member.update", MemberFactory(organisation=tree["a1"]))
    role = RoleFactory(organisation=tree["province"], role="admin")
    login_verified(client, role.user)
    with django_assert_max_num_queries(10):
        client.get(reverse("site:audit"))
