import datetime

import pytest
from django.test import Client

from dangso.accounts.roles import Role
from dangso.orgs import actions
from dangso.testing.auth import login_verified
from dangso.testing.factories import MemberFactory, RoleFactory, UserFactory

LIST = "/api/v1/orgs/"
TREE = "/api/v1/orgs/tree"


def _detail(org) -> str:
    return f"/api/v1/orgs/{org.pk}"


def _ids(response) -> set[int]:
    return {item["id"] for item in response.json()["items"]}


def _tree_names(nodes) -> list:
    return [(node["name"], _tree_names(node["children"])) for node in nodes]


def test_list_holds_only_the_callers_subtree(tree, office_api):
    response = office_api.get(LIST)
    assert response.status_code == 200
    assert _ids(response) == {tree["a"].pk, tree["a1"].pk, tree["a2"].pk}
    assert response.json()["next_cursor"] is None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"kind": "cell"}, {"a1", "a2"}),
        ({"kind": "commune"}, {"a"}),
        ({"parent": "a"}, {"a1", "a2"}),
        ({"parent": "b"}, set()),  # out of scope: nothing, not B's children
        ({"status": "merged"}, set()),
    ],
)
def test_list_filters(tree, office_api, query, expected):
    params = {k: tree[v].pk if k == "parent" else v for k, v in query.items()}
    response = office_api.get(LIST, params)
    assert response.status_code == 200
    assert _ids(response) == {tree[name].pk for name in expected}


def test_list_refuses_an_unknown_kind(office_api):
    response = office_api.get(LIST, {"kind": "province_x"})
    assert response.status_code == 422
    assert "kind" in response.json()["errors"]


def test_list_pages_with_a_cursor(tree, token_client):
    admin = RoleFactory(organisation=tree["central"], role=Role.ADMIN).user
    api = token_client(admin)
    seen, cursor = [], None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = api.get(LIST, params).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 8
    assert seen == sorted(seen)


def test_anonymous_is_refused(tree):
    response = Client().get(LIST)
    assert response.status_code == 401


def test_user_without_a_role_is_forbidden(tree, token_client):
    api = token_client(UserFactory())
    assert api.get(LIST).status_code == 403
    assert api.get(TREE).status_code == 403
    assert api.get(_detail(tree["a"])).status_code == 403


def test_session_without_second_factor_is_enough_for_roles_that_read_no_member(
    tree, client, office_a
):
    client.force_login(office_a)
    assert client.get(LIST).status_code == 200


def test_unverified_session_of_a_member_reader_is_refused(tree, client):
    reader = RoleFactory(organisation=tree["a"], role=Role.INSPECTION).user
    client.force_login(reader)
    assert client.get(LIST).status_code == 401
    login_verified(client, reader)
    assert client.get(LIST).status_code == 200


def test_tree_is_nested_within_the_scope(tree, office_api):
    response = office_api.get(TREE)
    assert response.status_code == 200
    assert _tree_names(response.json()) == [
        ("Đảng bộ xã Yên Phong", [("Chi bộ thôn Tây", []), ("Chi bộ thôn Đông", [])])
    ]
    assert response.json()[0]["parent_id"] == tree["province"].pk


def test_tree_of_the_whole_party(tree, token_client):
    admin = RoleFactory(organisation=tree["central"], role=Role.ADMIN).user
    roots = token_client(admin).get(TREE).json()
    assert [root["id"] for root in roots] == [tree["central"].pk]
    province = roots[0]["children"][0]
    assert {child["id"] for child in province["children"]} == {tree["a"].pk, tree["b"].pk}


def test_tree_on_a_past_date_shows_the_names_of_then(tree, office_api, actor):
    actions.rename_organisation(
        tree["a1"], name="Chi bộ thôn Đông Nam", short_name="CB", on=datetime.date(2025, 9, 1),
        actor=actor,
    )  # fmt: skip
    before = office_api.get(TREE, {"on": "2025-08-15"}).json()
    now = office_api.get(TREE).json()
    assert "Chi bộ thôn Đông" in [child["name"] for child in before[0]["children"]]
    assert "Chi bộ thôn Đông Nam" in [child["name"] for child in now[0]["children"]]
    assert office_api.get(TREE, {"on": "2020-01-01"}).json() == []


def test_past_tree_leaves_out_what_has_left_the_scope(tree, office_api, actor):
    actions.move_organisation(
        tree["a2"], new_parent=tree["b"], on=datetime.date(2025, 9, 1), actor=actor
    )
    before = office_api.get(TREE, {"on": "2025-08-15"}).json()
    assert [child["id"] for child in before[0]["children"]] == [tree["a1"].pk]


def test_tree_refuses_a_bad_date(office_api):
    response = office_api.get(TREE, {"on": "15/08/2025"})
    assert response.status_code == 422
    assert "on" in response.json()["errors"]


def test_detail_has_parent_path_subtree_members_and_versions(tree, office_api, actor):
    MemberFactory.create_batch(2, organisation=tree["a1"])
    MemberFactory(organisation=tree["a2"])
    actions.rename_organisation(
        tree["a"], name="Đảng bộ xã Yên Phong mới", short_name="ĐU",
        on=datetime.date(2025, 9, 1), actor=actor,
    )  # fmt: skip
    response = office_api.get(_detail(tree["a"]))
    assert response.status_code == 200
    body = response.json()
    assert body["parent_id"] == tree["province"].pk
    assert body["path"] == tree["a"].path
    assert body["kind"] == "commune"
    assert body["subtree_member_count"] == 3
    assert body["member_count"] == 0
    assert [(v["name"], v["valid_from"], v["valid_to"]) for v in body["versions"]] == [
        ("Đảng bộ xã Yên Phong", "2025-07-01", "2025-09-01"),
        ("Đảng bộ xã Yên Phong mới", "2025-09-01", None),
    ]


@pytest.mark.parametrize("name", ["b", "b1", "province", "central"])
def test_detail_out_of_scope_is_not_found(tree, office_api, name):
    response = office_api.get(_detail(tree[name]))
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found"}


def test_detail_of_a_missing_organisation_is_not_found(tree, office_api):
    assert office_api.get("/api/v1/orgs/999999").status_code == 404


def test_openapi_schema_is_served(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Đảng số API"
    assert {"/api/v1/orgs/", "/api/v1/orgs/tree", "/api/v1/members/"} <= set(schema["paths"])


def test_docs_redirect_and_need_no_internet(db):
    response = Client().get("/api/docs")
    assert response.status_code == 302
    assert response["Location"] == "/api/v1/docs"
    page = Client().get("/api/v1/docs")
    assert page.status_code == 200
    assert b"cdn." not in page.content
