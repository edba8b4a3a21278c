import datetime

import pytest
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.utils import timezone

from dangso.accounts.actions import create_token
from dangso.accounts.models import ApiToken
from dangso.accounts.roles import Role
from dangso.core.audit import verify_chain
from dangso.core.models import AuditEntry
from dangso.members.choices import MemberStatus
from dangso.members.models import Member, MemberEvent
from dangso.testing.auth import login_verified
from dangso.testing.factories import MemberFactory, RoleFactory, UserFactory

LIST = "/api/v1/members/"
JSON = "application/json"
TODAY = datetime.date.today()


def _detail(member) -> str:
    return f"/api/v1/members/{member.pk}"


def _events(member) -> str:
    return f"/api/v1/members/{member.pk}/events"


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def _state():
    """Everything a refused request must leave as it was."""
    return (
        list(Member.objects.order_by("pk").values()),
        MemberEvent.objects.count(),
        AuditEntry.objects.count(),
    )


def _applicant(cell, **overrides):
    data = {
        "organisation": cell.pk,
        "full_name": "phạm  thị hồng",
        "sex": "F",
        "date_of_birth": "1996-04-12",
        "cccd": "001196004321",
        "admission_date": "2025-03-02",
        "phone": "0912 345 678",
        "decision_number": "15-QĐ/ĐU",
    }
    return {**data, **overrides}


# --- authentication -------------------------------------------------------------------------


def test_token_authenticates(duc, officer_api):
    assert _ids(officer_api.get(LIST)) == [duc.pk]


@pytest.mark.parametrize("problem", ["unknown", "revoked", "expired", "not bearer"])
def test_bad_token_is_refused(duc, officer, actor, problem):
    token, key = create_token(officer, name="test", actor=actor, days=30)
    if problem == "unknown":
        key = key[:-4] + "xxxx"
    elif problem == "revoked":
        ApiToken.objects.filter(pk=token.pk).update(is_revoked=True)
    elif problem == "expired":
        ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
    scheme = "Token" if problem == "not bearer" else "Bearer"
    response = Client(HTTP_AUTHORIZATION=f"{scheme} {key}").get(LIST)
    assert response.status_code == 401
    assert "items" not in response.json()


def test_token_of_an_inactive_user_is_refused(duc, officer, officer_api):
    officer.is_active = False
    officer.save()
    assert officer_api.get(LIST).status_code == 401


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", LIST), ("get", "detail"), ("get", "events"), ("post", LIST), ("patch", "detail")],
)
def test_anonymous_is_refused(duc, method, path):
    url = {"detail": _detail(duc), "events": _events(duc)}.get(path, path)
    before = _state()
    response = getattr(Client(), method)(url, {}, content_type=JSON)
    assert response.status_code == 401
    assert _state() == before


def test_session_of_a_member_reader_needs_the_second_factor(duc, client, officer):
    client.force_login(officer)
    assert client.get(LIST).status_code == 401
    assert client.get(_detail(duc)).status_code == 401
    login_verified(client, officer)
    assert _ids(client.get(LIST)) == [duc.pk]


def test_session_writes_need_the_csrf_token(duc, officer):
    client = login_verified(Client(enforce_csrf_checks=True), officer)
    before = _state()
    response = client.patch(_detail(duc), {"phone": "0987654321"}, content_type=JSON)
    assert response.status_code == 403
    assert _state() == before
    token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token
    response = client.patch(
        _detail(duc), {"phone": "0987654321"}, content_type=JSON, HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 200
    assert response.json()["phone"] == "0987654321"


def test_token_user_is_the_actor_even_with_another_session(duc, officer_api, tree):
    """With a token, the caller is the token's user, never a session's user."""
    other = RoleFactory(organisation=tree["central"], role=Role.ADMIN).user
    login_verified(officer_api, other)
    officer_api.get(_detail(duc))
    entry = AuditEntry.objects.get(action="member.view")
    assert entry.actor_id != other.pk


# --- scope ----------------------------------------------------------------------------------


def test_list_holds_only_members_in_scope(tree, duc, outsider, officer_api):
    in_a2 = MemberFactory(organisation=tree["a2"])
    assert _ids(officer_api.get(LIST)) == [duc.pk, in_a2.pk]


def test_list_without_member_capability_is_forbidden(tree, duc, token_client):
    office = RoleFactory(organisation=tree["central"], role=Role.OFFICE).user
    api = token_client(office)
    assert api.get(LIST).status_code == 403
    assert api.get(_detail(duc)).status_code == 403


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "detail", None),
        ("patch", "detail", {"phone": "0987654321"}),
        ("get", "events", None),
        ("post", "events", {"kind": "rewarded", "date": "2025-05-19", "detail": "Huy hiệu"}),
    ],
)
def test_out_of_scope_member_is_not_found_and_unchanged(outsider, officer_api, method, path, body):
    url = _detail(outsider) if path == "detail" else _events(outsider)
    before = _state()
    response = getattr(officer_api, method)(url, body or {}, content_type=JSON)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found"}
    assert _state() == before


def test_missing_member_is_not_found(db, officer_api):
    assert officer_api.get("/api/v1/members/999999").status_code == 404


def test_edit_needs_the_edit_capability_in_scope(tree, duc, token_client):
    """An inspector reads the record but may not change it."""
    inspector = RoleFactory(organisation=tree["a"], role=Role.INSPECTION).user
    api = token_client(inspector)
    assert api.get(_detail(duc)).status_code == 200
    before = _state()
    assert api.patch(_detail(duc), {"phone": "0987654321"}, content_type=JSON).status_code == 403
    assert _state() == before


# --- list: search, filters, pages -------------------------------------------------------------


@pytest.mark.parametrize("query", ["nguyen van duc", "NGUYỄN VĂN ĐỨC", "van duc", "027090001234",
                                   "12345678"])  # fmt: skip
def test_search_by_folded_name_cccd_or_card(tree, duc, officer_api, query):
    MemberFactory(organisation=tree["a1"], full_name="Nguyễn Văn Dũng", sex="M")
    response = officer_api.get(LIST, {"q": query})
    assert _ids(response) == [duc.pk]
    assert response.json()["items"][0]["full_name"] == "Nguyễn Văn Đức"


def test_cccd_search_is_exact(duc, officer_api):
    assert _ids(officer_api.get(LIST, {"q": "027090001235"})) == []
    assert _ids(officer_api.get(LIST, {"q": "02709000123"})) == []


def test_search_does_not_reach_out_of_scope(outsider, officer_api):
    assert _ids(officer_api.get(LIST, {"q": outsider.cccd})) == []
    assert _ids(officer_api.get(LIST, {"q": "tran thi lan"})) == []


def test_filter_by_organisation_takes_its_subtree(tree, duc, officer_api):
    in_a2 = MemberFactory(organisation=tree["a2"])
    assert _ids(officer_api.get(LIST, {"organisation": tree["a"].pk})) == [duc.pk, in_a2.pk]
    assert _ids(officer_api.get(LIST, {"organisation": tree["a2"].pk})) == [in_a2.pk]


@pytest.mark.parametrize("name", ["b", "b1", "province"])
def test_filter_by_organisation_out_of_scope_is_not_found(tree, outsider, officer_api, name):
    response = officer_api.get(LIST, {"organisation": tree[name].pk})
    assert response.status_code == 404


def test_filters_status_sex_and_roll(tree, duc, officer_api):
    woman = MemberFactory(organisation=tree["a1"], sex="F")
    dead = MemberFactory(organisation=tree["a2"], sex="M", status=MemberStatus.DECEASED)
    assert _ids(officer_api.get(LIST)) == [duc.pk, woman.pk]
    assert _ids(officer_api.get(LIST, {"on_roll": "false"})) == [duc.pk, woman.pk, dead.pk]
    assert _ids(officer_api.get(LIST, {"status": "deceased"})) == [dead.pk]
    assert _ids(officer_api.get(LIST, {"sex": "F"})) == [woman.pk]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "alive"}, "status"),
        ({"sex": "X"}, "sex"),
        ({"limit": 201}, "limit"),
        ({"limit": 0}, "limit"),
        ({"cursor": "not-a-cursor!"}, "cursor"),
        ({"organisation": "a1"}, "organisation"),
    ],
)
def test_bad_list_parameters_are_explained(duc, officer_api, params, field):
    response = officer_api.get(LIST, params)
    assert response.status_code == 422
    body = response.json()
    assert body["errors"][field]
    assert field in body["detail"]


def test_cursor_pagination_walks_every_member_once(tree, officer_api):
    members = MemberFactory.create_batch(7, organisation=tree["a1"])
    MemberFactory.create_batch(2, organisation=tree["b1"])
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = officer_api.get(LIST, params).json()
        pages += 1
        assert len(page["items"]) <= 3
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == [member.pk for member in members]


def test_exact_page_boundary_ends_with_no_cursor(tree, officer_api):
    MemberFactory.create_batch(3, organisation=tree["a1"])
    page = officer_api.get(LIST, {"limit": 3}).json()
    assert len(page["items"]) == 3
    assert page["next_cursor"] is None


def test_list_query_count_does_not_grow_with_members(
    tree, officer_api, django_assert_max_num_queries
):
    MemberFactory.create_batch(15, organisation=tree["a1"])
    MemberFactory.create_batch(15, organisation=tree["a2"])
    officer_api.get(LIST)  # the token's first use is stamped once
    with django_assert_max_num_queries(4):
        response = officer_api.get(LIST, {"organisation": tree["a"].pk, "limit": 50})
    assert len(response.json()["items"]) == 30


# --- the full record ------------------------------------------------------------------------


def test_detail_is_the_full_record_and_its_read_is_audited(duc, officer, officer_api):
    response = officer_api.get(_detail(duc), REMOTE_ADDR="10.2.3.4")
    assert response.status_code == 200
    body = response.json()
    assert body["cccd"] == "027090001234"
    assert body["date_of_birth"] == "1990-05-17"
    assert body["organisation"]["id"] == duc.organisation_id
    assert body["temporary_organisation"] is None
    entry = AuditEntry.objects.get(action="member.view")
    assert (entry.object_id, entry.actor_id, entry.address) == (str(duc.pk), officer.pk, "10.2.3.4")
    assert entry.org_path == duc.organisation.path
    assert list(verify_chain()) == []


def test_events_are_listed_oldest_first_and_the_read_audited(duc, officer_api, actor):
    from dangso.members import actions

    actions.record_event(duc, "rewarded", date=datetime.date(2020, 5, 19), detail="Giấy khen",
                         actor=actor)  # fmt: skip
    actions.record_event(duc, "disciplined", date=datetime.date(2018, 1, 2), detail="Khiển trách",
                         actor=actor)  # fmt: skip
    response = officer_api.get(_events(duc))
    assert response.status_code == 200
    assert [(e["kind"], e["date"]) for e in response.json()] == [
        ("disciplined", "2018-01-02"),
        ("rewarded", "2020-05-19"),
    ]
    assert response.json()[0]["from_organisation"]["id"] == duc.organisation_id
    assert AuditEntry.objects.filter(action="member.view", object_id=str(duc.pk)).exists()


# --- edits ----------------------------------------------------------------------------------


def test_patch_changes_only_given_fields_with_audit(duc, officer_api):
    response = officer_api.patch(
        _detail(duc), {"phone": "+84 987 654 321", "occupation": "Giáo viên"}, content_type=JSON
    )
    assert response.status_code == 200, response.content
    duc.refresh_from_db()
    assert (duc.phone, duc.occupation, duc.full_name) == (
        "0987654321",
        "Giáo viên",
        "Nguyễn Văn Đức",
    )
    assert response.json()["phone"] == "0987654321"
    entry = AuditEntry.objects.get(action="member.update")
    assert entry.changes["occupation"] == ["", "Giáo viên"]


def test_patch_with_invalid_cccd_changes_nothing(duc, officer_api):
    before = _state()
    response = officer_api.patch(_detail(duc), {"cccd": "027190001234", "phone": "0987654321"},
                                 content_type=JSON)  # fmt: skip
    assert response.status_code == 422
    body = response.json()
    assert body["errors"]["cccd"]
    assert "cccd" in body["detail"]
    assert _state() == before


def test_patch_with_a_cccd_already_used_is_refused(tree, duc, officer_api):
    other = MemberFactory(organisation=tree["a1"])
    response = officer_api.patch(_detail(other), {"cccd": duc.cccd}, content_type=JSON)
    assert response.status_code == 422
    assert response.json()["errors"]["cccd"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"sex": "X"}, "sex"),
        ({"full_name": None}, "full_name"),
        ({"date_of_birth": "17/05/1990"}, "date_of_birth"),
        ({"ethnicity": "99"}, "ethnicity"),
        ({"status": "official"}, "status"),  # not an editable field
        ({"organisation": 1}, "organisation"),
    ],
)
def test_patch_refuses_what_the_schema_does_not_allow(duc, officer_api, body, field):
    before = _state()
    response = officer_api.patch(_detail(duc), body, content_type=JSON)
    assert response.status_code == 422
    assert response.json()["errors"][field]
    assert _state() == before


def test_patch_blank_cccd_clears_it(duc, officer_api):
    response = officer_api.patch(_detail(duc), {"cccd": ""}, content_type=JSON)
    assert response.status_code == 200
    assert Member.objects.get(pk=duc.pk).cccd is None


@pytest.mark.parametrize(
    ("language", "detail", "message"),
    [
        ("vi", "Dữ liệu không hợp lệ: full_name.", "Trường này không thể để trống."),
        ("en", "The data is not valid: full_name.", "This field cannot be null."),
    ],
)
def test_errors_speak_the_request_language(duc, officer_api, language, detail, message):
    response = officer_api.patch(
        _detail(duc),
        {"full_name": None},
        content_type=JSON,
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.json()["detail"] == detail
    assert response.json()["errors"]["full_name"] == [message]


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("vi", "Chọn một chi bộ trong phạm vi quản lý của mình."),
        ("en", "Choose a Party cell within your scope."),
    ],
)
def test_rule_refusals_speak_the_request_language(tree, officer_api, language, message):
    response = officer_api.post(
        LIST, _applicant(tree["b1"]), content_type=JSON, HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.json()["errors"] == {"organisation": [message]}


def test_patch_of_a_deceased_member_is_refused(tree, officer_api):
    dead = MemberFactory(organisation=tree["a1"], status=MemberStatus.DECEASED)
    before = _state()
    response = officer_api.patch(_detail(dead), {"phone": "0987654321"}, content_type=JSON)
    assert response.status_code == 422
    assert _state() == before


# --- admission ------------------------------------------------------------------------------


def test_admit_a_member(tree, officer, officer_api):
    response = officer_api.post(LIST, _applicant(tree["a1"]), content_type=JSON)
    assert response.status_code == 201, response.content
    body = response.json()
    member = Member.objects.get(pk=body["id"])
    assert (member.full_name, member.phone, member.status) == (
        "Phạm Thị Hồng", "0912345678", MemberStatus.PROBATIONARY,
    )  # fmt: skip
    assert member.organisation_id == tree["a1"].pk
    assert member.events.get().decision_number == "15-QĐ/ĐU"
    assert AuditEntry.objects.get(action="member.create").actor_id == officer.pk
    assert body["official_date"] is None


def test_admit_two_members_without_cccd(tree, officer_api):
    for name in ("Hà Văn Nam", "Hà Văn Bắc"):
        data = _applicant(tree["a1"], full_name=name, sex="M", cccd="")
        assert officer_api.post(LIST, data, content_type=JSON).status_code == 201


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"organisation": "b1"}, "organisation"),  # out of scope
        ({"organisation": "a"}, "organisation"),  # not a cell
        ({"organisation": 999999}, "organisation"),
        ({"date_of_birth": "2010-01-01"}, "admission_date"),  # under 18
        ({"sex": None}, "sex"),
        ({"cccd": "12345"}, "cccd"),
        ({"status": "official"}, "status"),
    ],
)
def test_admission_refused_writes_nothing(tree, officer_api, overrides, field):
    overrides = {k: tree[v].pk if k == "organisation" and v in tree else v
                 for k, v in overrides.items()}  # fmt: skip
    before = _state()
    response = officer_api.post(LIST, _applicant(tree["a1"], **overrides), content_type=JSON)
    assert response.status_code == 422
    assert response.json()["errors"][field]
    assert _state() == before


def test_admission_needs_the_event_capability(tree, token_client):
    secretary = token_client(RoleFactory(organisation=tree["a1"], role=Role.CELL_SECRETARY).user)
    before = _state()
    response = secretary.post(LIST, _applicant(tree["a1"]), content_type=JSON)
    assert response.status_code == 403
    assert _state() == before


# --- events ---------------------------------------------------------------------------------


def test_record_recognition_as_official(probationer, officer_api):
    response = officer_api.post(
        _events(probationer), {"kind": "made_official", "date": "2025-01-15",
                               "decision_number": "20-QĐ/ĐU"}, content_type=JSON,
    )  # fmt: skip
    assert response.status_code == 201, response.content
    assert response.json()["kind"] == "made_official"
    probationer.refresh_from_db()
    assert probationer.status == MemberStatus.OFFICIAL
    assert probationer.official_date == datetime.date(2025, 1, 15)


def test_transfer_within_the_scope(tree, duc, officer_api):
    response = officer_api.post(
        _events(duc), {"kind": "transferred", "date": str(TODAY), "to_organisation": tree["a2"].pk},
        content_type=JSON,
    )  # fmt: skip
    assert response.status_code == 201, response.content
    assert response.json()["to_organisation"]["id"] == tree["a2"].pk
    assert Member.objects.get(pk=duc.pk).organisation_id == tree["a2"].pk


def test_transfer_to_a_cell_out_of_scope_is_refused(tree, duc, officer_api):
    before = _state()
    response = officer_api.post(
        _events(duc), {"kind": "transferred", "date": str(TODAY), "to_organisation": tree["b1"].pk},
        content_type=JSON,
    )  # fmt: skip
    assert response.status_code == 422
    assert response.json()["errors"]["to_organisation"]
    assert _state() == before


def test_event_on_a_deceased_member_is_refused(tree, officer_api):
    dead = MemberFactory(
        organisation=tree["a1"], status=MemberStatus.DECEASED, full_name="Võ Văn Kiệt"
    )
    before = _state()
    response = officer_api.post(
        _events(dead), {"kind": "rewarded", "date": "2025-05-19", "detail": "Huy hiệu 30 năm"},
        content_type=JSON,
    )  # fmt: skip
    assert response.status_code == 422
    body = response.json()
    assert "Võ Văn Kiệt" in body["detail"]
    assert body["errors"]["__all__"]
    assert _state() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "admitted", "date": "2025-05-19"}, "kind"),  # only through admission
        ({"kind": "ascended", "date": "2025-05-19"}, "kind"),
        ({"kind": "rewarded", "date": "2025-05-19"}, "detail"),
        ({"kind": "rewarded", "date": str(TODAY + datetime.timedelta(days=2)), "detail": "x"},
         "date"),
        ({"kind": "rewarded"}, "date"),
    ],
)  # fmt: skip
def test_bad_event_is_refused(duc, officer_api, body, field):
    before = _state()
    response = officer_api.post(_events(duc), body, content_type=JSON)
    assert response.status_code == 422
    assert response.json()["errors"][field]
    assert _state() == before


def test_events_need_the_event_capability(tree, duc, token_client):
    secretary = token_client(RoleFactory(organisation=tree["a1"], role=Role.CELL_SECRETARY).user)
    before = _state()
    response = secretary.post(
        _events(duc), {"kind": "rewarded", "date": "2025-05-19", "detail": "Giấy khen"},
        content_type=JSON,
    )  # fmt: skip
    assert response.status_code == 403
    assert _state() == before


def test_no_role_user_gets_nothing(duc, token_client):
    api = token_client(UserFactory())
    assert api.get(LIST).status_code == 403
    assert api.get(_detail(duc)).status_code == 403


@pytest.mark.parametrize(
    ("language", "sex", "birth"),
    [
        ("vi", "Chọn một trong: 'M', 'F'.", "Ghi ngày theo dạng NNNN-TT-NN."),
        ("en", "Choose one of: 'M', 'F'.", "Enter a date as YYYY-MM-DD."),
    ],
)
def test_schema_errors_speak_the_request_language(duc, officer_api, language, sex, birth):
    response = officer_api.patch(
        _detail(duc),
        {"sex": "X", "date_of_birth": "31/12/1990"},
        content_type=JSON,
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 422
    assert response.json()["errors"]["sex"] == [sex]
    assert response.json()["errors"]["date_of_birth"] == [birth]
