import datetime

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from dangso.accounts.roles import Role
from dangso.core.models import AuditEntry
from dangso.members.choices import MemberStatus
from dangso.members.models import Member
from dangso.quality import actions, views
from dangso.quality.models import DuplicateCandidate, MemberProblem, PairStatus
from dangso.quality.tests.conftest import twins
from dangso.testing.factories import MemberFactory, RoleFactory

TODAY = datetime.date.today()
HTMX = {"HTTP_HX_REQUEST": "true"}


def _fix_data(member, fields, **typed):
    data = {"fields": ",".join(fields)}
    for name in fields:
        value = typed.get(name, getattr(member, name))
        if isinstance(value, datetime.date):
            value = value.strftime("%d/%m/%Y")
        data[f"m{member.pk}-{name}"] = value or ""
    return data


# --- dashboard ----------------------------------------------------------------------------------


def test_dashboard_shows_the_clean_share_by_rule_and_children(sign_in, leader, tree):
    for _ in range(3):
        MemberFactory(organisation=tree["a1"])
    MemberFactory(organisation=tree["a2"], phone="12345")
    MemberFactory(organisation=tree["b1"], cccd=None)  # a warning: still clean
    actions.check_members()
    actions.snapshot_quality(TODAY - datetime.timedelta(days=1))

    response = sign_in(leader).get(reverse("quality:dashboard"))

    assert response.status_code == 200
    figures = response.context["figures"]
    assert (figures.members, figures.unclean, figures.percent_clean) == (5, 1, 80.0)
    assert figures.by_rule == {"phone.format": 1, "cccd.missing": 1}
    assert [(row.organisation, row.percent_clean) for row in response.context["rows"]] == [
        (tree["a"], 75.0),
        (tree["b"], 100.0),
    ]
    body = response.content.decode()
    assert 'id="quality-clean-percent" data-value="80.0"' in body
    assert "<polyline" in body  # the trend from yesterday's snapshot
    assert response.context["can_check"]


def test_dashboard_drills_down_within_scope_and_404s_outside(sign_in, officer, tree):
    MemberFactory(organisation=tree["a1"], phone="12345")
    MemberFactory(organisation=tree["b1"], phone="12345")
    actions.check_members()
    client = sign_in(officer)

    response = client.get(reverse("quality:dashboard"), {"organisation": tree["a1"].pk})
    assert response.context["figures"].members == 1
    assert response.context["parent"] == tree["a"]
    own = client.get(reverse("quality:dashboard"))
    assert own.context["figures"].members == 1
    assert own.context["parent"] is None  # the province is above the officer's scope
    assert (
        client.get(reverse("quality:dashboard"), {"organisation": tree["b"].pk}).status_code == 404
    )


def test_dashboard_query_count(sign_in, leader, tree, django_assert_max_num_queries):
    for cell in ("a1", "a2", "b1", "b2"):
        for _ in range(5):
            MemberFactory(organisation=tree[cell], phone="12345")
    actions.check_members()
    for days in range(5):
        actions.snapshot_quality(TODAY - datetime.timedelta(days=days))
    client = sign_in(leader)
    with django_assert_max_num_queries(12):  # + the unread notices
        assert client.get(reverse("quality:dashboard")).status_code == 200


def test_check_now_rechecks_the_subtree(sign_in, officer, tree):
    member = MemberFactory(organisation=tree["a1"], phone="12345")
    outside = MemberFactory(organisation=tree["b1"], phone="12345")
    client = sign_in(officer)

    response = client.post(reverse("quality:check", args=[tree["a"].pk]))

    assert response.status_code == 302
    assert MemberProblem.objects.filter(member=member).exists()
    assert not MemberProblem.objects.filter(member=outside).exists()
    assert client.post(reverse("quality:check", args=[tree["b"].pk])).status_code == 404
    assert client.get(reverse("quality:check", args=[tree["a"].pk])).status_code == 405


def test_check_now_of_a_big_subtree_is_queued(sign_in, officer, tree, monkeypatch):
    MemberFactory(organisation=tree["a1"], phone="12345")
    monkeypatch.setattr(views, "SYNC_CHECK_LIMIT", 0)

    sign_in(officer).post(reverse("quality:check", args=[tree["a"].pk]))

    assert not MemberProblem.objects.exists()
    job = DBTaskResult.objects.get()
    assert job.task_path == "dangso.quality.tasks.check_subtree"
    assert job.args_kwargs["args"][0] == tree["a"].pk


# --- worklist -----------------------------------------------------------------------------------


def test_worklist_lists_only_the_secretarys_cell(sign_in, secretary, tree, bad_cccd):
    MemberFactory(organisation=tree["a2"], phone="12345", full_name="Đinh Văn Bình")
    MemberFactory(organisation=tree["b1"], phone="12345", full_name="Hoàng Thị Mai")
    MemberFactory(organisation=tree["a1"], full_name="Phạm Văn Nam")
    actions.check_members()

    response = sign_in(secretary).get(reverse("quality:worklist"))

    assert response.status_code == 200
    items = response.context["items"]
    assert [item["member"] for item in items] == [bad_cccd]
    (line,) = items[0]["lines"]
    assert line.code == "cccd.century_sex" and "(1)" in line.message and line.is_blocking
    assert items[0]["fields"] == ["sex", "date_of_birth", "cccd"]
    body = response.content.decode()
    assert "Đinh Văn Bình" not in body and "Hoàng Thị Mai" not in body
    assert "Phạm Văn Nam" not in body  # clean records are not on the worklist


def test_worklist_filters_by_rule_and_rejects_other_scopes(sign_in, officer, tree, bad_cccd):
    phone = MemberFactory(organisation=tree["a2"], phone="12345")
    actions.check_members()
    client = sign_in(officer)

    by_rule = client.get(reverse("quality:worklist"), {"rule": "phone.format"})
    assert [item["member"] for item in by_rule.context["items"]] == [phone]
    by_cell = client.get(reverse("quality:worklist"), {"organisation": tree["a1"].pk})
    assert [item["member"] for item in by_cell.context["items"]] == [bad_cccd]
    assert (
        client.get(reverse("quality:worklist"), {"organisation": tree["b"].pk}).status_code == 404
    )


def test_worklist_query_count(sign_in, officer, tree, django_assert_max_num_queries):
    for index in range(30):
        MemberFactory(organisation=tree["a1" if index % 2 else "a2"], phone="12345", cccd=None)
    actions.check_members()
    client = sign_in(officer)
    with django_assert_max_num_queries(10):  # + the unread notices
        response = client.get(reverse("quality:worklist"))
    assert len(response.context["items"]) == views.WORKLIST_PAGE


def test_fix_in_place_turns_the_record_clean(sign_in, secretary, tree, bad_cccd):
    actions.check_members()
    client = sign_in(secretary)
    url = reverse("quality:fix", args=[bad_cccd.pk])
    form = client.get(url, **HTMX)
    assert form.status_code == 200
    assert f'name="m{bad_cccd.pk}-cccd"' in form.content.decode()
    fields = ["sex", "date_of_birth", "cccd"]

    response = client.post(url, _fix_data(bad_cccd, fields, cccd="027080004321"), **HTMX)

    assert response.status_code == 200
    assert 'data-clean="true"' in response.content.decode()
    bad_cccd.refresh_from_db()
    assert bad_cccd.cccd == "027080004321"
    assert not MemberProblem.objects.filter(member=bad_cccd).exists()
    change = AuditEntry.objects.get(action="member.update", object_id=str(bad_cccd.pk))
    assert change.changes == {"cccd": ["027180004321", "027080004321"]}


def test_a_bad_fix_keeps_what_was_typed_and_says_why(sign_in, secretary, tree, bad_cccd):
    actions.check_members()
    client = sign_in(secretary)
    url = reverse("quality:fix", args=[bad_cccd.pk])

    response = client.post(
        url, _fix_data(bad_cccd, ["sex", "date_of_birth", "cccd"], cccd="02708000"), **HTMX
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert 'value="02708000"' in body and "is-invalid" in body
    bad_cccd.refresh_from_db()
    assert bad_cccd.cccd == "027180004321"
    assert MemberProblem.objects.filter(member=bad_cccd, code="cccd.century_sex").exists()


def test_fix_without_htmx_is_a_page_and_a_redirect(sign_in, secretary, tree, bad_cccd):
    actions.check_members()
    client = sign_in(secretary)
    url = reverse("quality:fix", args=[bad_cccd.pk])
    assert "core/base.html" in [t.name for t in client.get(url).templates]
    response = client.post(url, _fix_data(bad_cccd, ["cccd"], cccd="027080004321"))
    assert response.status_code == 302 and response.url == reverse("quality:worklist")


def test_fix_out_of_scope_is_404(sign_in, secretary, tree):
    other = MemberFactory(organisation=tree["a2"], phone="12345")
    client = sign_in(secretary)
    url = reverse("quality:fix", args=[other.pk])
    assert client.get(url, **HTMX).status_code == 404
    assert client.post(url, _fix_data(other, ["phone"], phone="0912345678")).status_code == 404
    other.refresh_from_db()
    assert other.phone == "12345"


# --- duplicates ---------------------------------------------------------------------------------


@pytest.fixture
def pairs(tree):
    """A pair within commune A, one within commune B, and one across the two."""
    in_a = twins(tree["a1"], tree["a2"])
    in_b = twins(tree["b1"], tree["b2"], names=("Trần Thị Lan", "Tran Thi Lan"), sex="F",
                 date_of_birth=datetime.date(1985, 1, 2))  # fmt: skip
    across = twins(tree["a1"], tree["b1"], names=("Lê Minh Tuấn", "Le Minh Tuan"),
                   date_of_birth=datetime.date(1990, 9, 9))  # fmt: skip
    actions.find_duplicates()
    return {
        name: DuplicateCandidate.objects.get(member_a=first, member_b=second)
        for name, (first, second) in {"a": in_a, "b": in_b, "across": across}.items()
    }


def _shown(response) -> set[int]:
    assert response.status_code == 200
    return {card["pair"].pk for card in response.context["cards"]}


def test_a_commune_officer_sees_only_pairs_wholly_in_the_commune(sign_in, officer, pairs):
    response = sign_in(officer).get(reverse("quality:duplicates"))
    assert _shown(response) == {pairs["a"].pk}
    body = response.content.decode()
    assert "Trần Thị Lan" not in body and "Le Minh Tuan" not in body


def test_the_province_sees_every_pair(sign_in, leader, pairs):
    assert _shown(sign_in(leader).get(reverse("quality:duplicates"))) == {
        pair.pk for pair in pairs.values()
    }


def test_pair_rows_mark_the_differences(sign_in, officer, pairs):
    (card,) = sign_in(officer).get(reverse("quality:duplicates")).context["cards"]
    differs = {row["name"] for row in card["rows"] if row["differs"]}
    assert {"full_name", "cccd", "organisation"} <= differs
    assert "date_of_birth" not in differs and "hometown" not in differs


def test_merge_from_the_queue(sign_in, officer, pairs):
    pair = pairs["a"]
    response = sign_in(officer).post(
        reverse("quality:merge", args=[pair.pk]), {"keep": "b"}, **HTMX
    )
    assert response.status_code == 200 and 'data-decided="true"' in response.content.decode()
    pair.refresh_from_db()
    assert pair.status == PairStatus.MERGED
    assert Member.objects.get(pk=pair.member_a_id).status == MemberStatus.MERGED
    assert Member.objects.get(pk=pair.member_a_id).merged_into_id == pair.member_b_id


def test_merge_needs_a_side_and_an_open_pair(sign_in, officer, pairs):
    client = sign_in(officer)
    url = reverse("quality:merge", args=[pairs["a"].pk])
    assert 'data-decided="false"' in client.post(url, {}, **HTMX).content.decode()
    client.post(reverse("quality:dismiss", args=[pairs["a"].pk]))
    response = client.post(url, {"keep": "a"})
    assert response.status_code == 302
    assert Member.objects.filter(status=MemberStatus.MERGED).count() == 0


def test_dismiss_from_the_queue(sign_in, officer, pairs):
    response = sign_in(officer).post(reverse("quality:dismiss", args=[pairs["a"].pk]))
    assert response.status_code == 302
    pairs["a"].refresh_from_db()
    assert pairs["a"].status == PairStatus.DISMISSED


@pytest.mark.parametrize("pair", ["b", "across"])
@pytest.mark.parametrize("action", ["merge", "dismiss"])
def test_deciding_a_pair_out_of_scope_is_404(sign_in, officer, pairs, pair, action):
    response = sign_in(officer).post(reverse(f"quality:{action}", args=[pairs[pair].pk]),
                                     {"keep": "a"})  # fmt: skip
    assert response.status_code == 404
    pairs[pair].refresh_from_db()
    assert pairs[pair].status == PairStatus.OPEN


def test_duplicates_query_count(sign_in, tree, django_assert_max_num_queries):
    for day in range(1, 13):
        twins(tree["a1"], tree["a2"], date_of_birth=datetime.date(1970, 1, day))
    actions.find_duplicates()
    client = sign_in(RoleFactory(organisation=tree["a"], role=Role.ORGANISATION).user)
    with django_assert_max_num_queries(8):  # + the unread notices
        response = client.get(reverse("quality:duplicates"))
    assert len(response.context["cards"]) == 12
