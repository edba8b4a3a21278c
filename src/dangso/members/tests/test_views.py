import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from dangso.accounts.roles import Role
from dangso.core.dates import add_months
from dangso.core.models import AuditEntry
from dangso.members.choices import MemberStatus
from dangso.members.models import Member, MemberEvent
from dangso.testing.auth import login_verified
from dangso.testing.factories import MemberFactory, RoleFactory, UserFactory

TODAY = datetime.date.today()


def _state():
    """Everything a refused request must leave as it was."""
    return (
        list(Member.objects.order_by("pk").values()),
        list(MemberEvent.objects.order_by("pk").values()),
        AuditEntry.objects.exclude(action="member.view").count(),
    )


def _names(response) -> list[str]:
    assert response.status_code == 200, response.content[:500]
    return [member.full_name for member in response.context["page"].object_list]


def _form_data(member, **overrides):
    """The edit form as the page would post it back, with `overrides` typed over it."""
    data = {}
    for name in (
        "full_name", "other_names", "sex", "place_of_birth", "hometown", "residence",
        "ethnicity", "religion", "cccd", "card_number", "dossier_number", "general_education",
        "professional_qualification", "political_theory", "occupation", "position", "phone",
        "email",
    ):  # fmt: skip
        data[name] = getattr(member, name) or ""
    for name in ("date_of_birth", "admission_date", "official_date"):
        day = getattr(member, name)
        data[name] = day.strftime("%d/%m/%Y") if day else ""
    return {**data, **overrides}


def _applicant(cell, **overrides):
    data = {
        "organisation": cell.pk,
        "full_name": "phạm  thị hồng",
        "sex": "F",
        "date_of_birth": "12/04/1996",
        "cccd": "001196004321",
        "admission_date": "02/03/2025",
        "ethnicity": "01",
        "religion": "none",
        "professional_qualification": "none",
        "political_theory": "none",
        "phone": "0912 345 678",
        "decision_number": "15-QĐ/ĐU",
    }
    return {**data, **overrides}


# --- pages render, for whom ------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, needs_member",
    [
        ("site:home", False),
        ("members:list", False),
        ("members:create", False),
        ("members:detail", True),
        ("members:edit", True),
        ("members:event", True),
    ],
)
def test_each_page_renders_for_an_officer_in_scope(web, duc, name, needs_member):
    url = reverse(name, args=[duc.pk] if needs_member else [])
    response = web.get(url)
    assert response.status_code == 200
    assert b"<html" in response.content


@pytest.mark.parametrize(
    "name, needs_member",
    [("members:list", False), ("members:export", False), ("members:create", False),
     ("members:detail", True), ("members:edit", True), ("members:event", True)],
)  # fmt: skip
def test_anonymous_is_sent_to_sign_in(client, duc, name, needs_member):
    response = client.get(reverse(name, args=[duc.pk] if needs_member else []))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    "name, needs_member, status",
    [("members:list", False, 403), ("members:export", False, 403), ("members:create", False, 403),
     ("members:detail", True, 404), ("members:edit", True, 404), ("members:event", True, 404)],
)  # fmt: skip
@pytest.mark.parametrize("role", [None, Role.OFFICE, Role.MEMBER])
def test_without_the_capability_lists_are_forbidden_and_records_hidden(
    client, tree, duc, name, needs_member, status, role
):
    user = UserFactory()
    if role:
        RoleFactory(user=user, organisation=tree["a"], role=role)
    login_verified(client, user)
    response = client.get(reverse(name, args=[duc.pk] if needs_member else []))
    assert response.status_code == status
    assert "Nguyễn Văn Đức".encode() not in response.content


@pytest.mark.parametrize("name", ["members:detail", "members:edit", "members:event"])
def test_out_of_scope_record_is_404_on_get(web, outsider, name):
    response = web.get(reverse(name, args=[outsider.pk]))
    assert response.status_code == 404
    assert outsider.full_name.encode() not in response.content


def test_out_of_scope_edit_post_is_404_and_changes_nothing(web, outsider):
    before = _state()
    response = web.post(
        reverse("members:edit", args=[outsider.pk]), _form_data(outsider, phone="0987654321")
    )
    assert response.status_code == 404
    assert _state() == before


def test_out_of_scope_event_post_is_404_and_changes_nothing(web, outsider):
    before = _state()
    response = web.post(
        reverse("members:event", args=[outsider.pk]),
        {"kind": "died", "date": TODAY.strftime("%d/%m/%Y")},
    )
    assert response.status_code == 404
    assert _state() == before


def test_cell_secretary_may_edit_but_not_record_events(client, tree, duc):
    user = RoleFactory(organisation=tree["a1"], role=Role.CELL_SECRETARY).user
    login_verified(client, user)
    assert client.get(reverse("members:edit", args=[duc.pk])).status_code == 200
    assert client.get(reverse("members:event", args=[duc.pk])).status_code == 404
    page = client.get(reverse("members:detail", args=[duc.pk]))
    assert page.context["can_edit"] and not page.context["can_record_event"]


# --- list, search, order ---------------------------------------------------------------------


def test_list_never_shows_out_of_scope_members(web, duc, outsider, probationer):
    names = _names(web.get(reverse("members:list"), {"status": "all"}))
    assert set(names) == {"Nguyễn Văn Đức", "Lê Minh Tuấn"}
    assert "Trần Thị Lan".encode() not in web.get(reverse("members:list")).content


@pytest.mark.parametrize(
    "query", ["nguyen van duc", "NGUYEN VAN ĐUC", "văn đức", "027090001234", "12345678"]
)
def test_search_by_folded_name_cccd_or_card(web, duc, probationer, query):
    assert _names(web.get(reverse("members:list"), {"q": query})) == ["Nguyễn Văn Đức"]


def test_search_does_not_reach_outside_the_scope(web, duc, outsider):
    assert _names(web.get(reverse("members:list"), {"q": "tran thi lan"})) == []
    assert _names(web.get(reverse("members:list"), {"q": outsider.cccd})) == []


def test_list_is_in_vietnamese_order(web, tree):
    for name in ["Nguyễn Văn Đức", "Trần Văn An", "Lê Thị Ánh", "Phạm Văn Dũng", "Nguyễn Thị Anh",
                 "Bùi Văn Ân", "Hoàng Thị Ăn", "Đỗ Văn An"]:  # fmt: skip
        MemberFactory(organisation=tree["a1"], full_name=name)
    # Given name first (a < ă < â < d < đ; no tone before sắc), then family and middle names.
    assert _names(web.get(reverse("members:list"))) == [
        "Đỗ Văn An",
        "Trần Văn An",
        "Nguyễn Thị Anh",
        "Lê Thị Ánh",
        "Hoàng Thị Ăn",
        "Bùi Văn Ân",
        "Phạm Văn Dũng",
        "Nguyễn Văn Đức",
    ]


def test_list_is_on_the_roll_by_default_and_filters(web, tree, duc, probationer):
    gone = MemberFactory(organisation=tree["a2"], full_name="Vũ Văn Hải", sex="M",
                         status=MemberStatus.DECEASED)  # fmt: skip
    url = reverse("members:list")
    assert gone.full_name not in _names(web.get(url))
    assert _names(web.get(url, {"status": "deceased"})) == [gone.full_name]
    assert _names(web.get(url, {"status": "probationary"})) == ["Lê Minh Tuấn"]
    assert _names(web.get(url, {"organisation": tree["a2"].pk, "status": "all"})) == [
        gone.full_name
    ]
    assert set(_names(web.get(url, {"organisation": tree["a"].pk}))) == {
        "Nguyễn Văn Đức",
        "Lê Minh Tuấn",
    }


def test_filter_by_an_organisation_out_of_scope_shows_nothing(web, tree, duc, outsider):
    response = web.get(reverse("members:list"), {"organisation": tree["b"].pk})
    assert _names(response) == []
    assert response.context["form"].errors


def test_htmx_search_returns_only_the_results(web, duc, probationer):
    response = web.get(reverse("members:list"), {"q": "duc"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b'id="member-results"' in response.content
    assert _names(response) == ["Nguyễn Văn Đức"]
    assert "HX-Request" in response["Vary"]


def test_list_paginates(web, tree):
    MemberFactory.create_batch(55, organisation=tree["a1"])
    first = web.get(reverse("members:list"))
    assert len(_names(first)) == 50
    assert len(_names(web.get(reverse("members:list"), {"page": 2}))) == 5


def test_list_query_count_does_not_grow_with_rows(web, tree, django_assert_max_num_queries):
    for cell in ("a1", "a2"):
        MemberFactory.create_batch(15, organisation=tree[cell])
    with django_assert_max_num_queries(10):
        response = web.get(reverse("members:list"), {"q": "", "organisation": tree["a"].pk})
    assert len(_names(response)) == 30


# --- export ----------------------------------------------------------------------------------


def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    return workbook.active


def test_export_holds_the_filtered_in_scope_rows_with_real_dates(web, duc, outsider, probationer):
    sheet = _sheet(web.get(reverse("members:export"), {"status": "official"}))
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("STT", "Họ và tên", "Ngày sinh")
    assert [row[1] for row in rows[1:]] == ["Nguyễn Văn Đức"]
    born = sheet.cell(row=2, column=3)
    assert born.value == datetime.datetime(1990, 5, 17)
    assert born.number_format == "DD/MM/YYYY"
    assert rows[1][4] == "027090001234"


def test_export_neutralises_formula_like_text(web, tree):
    MemberFactory(organisation=tree["a1"], full_name="=HYPERLINK(\"http://x\") An",
                  hometown="+84 tỉnh Bắc Ninh")  # fmt: skip
    sheet = _sheet(web.get(reverse("members:export")))
    name, hometown = sheet.cell(row=2, column=2), sheet.cell(row=2, column=11)
    # Text as typed, stored as a string with Excel's quote prefix: never a formula.
    assert name.data_type == "s" and name.quotePrefix
    assert name.value.lower().startswith("=hyperlink")
    assert hometown.value == "+84 tỉnh Bắc Ninh" and hometown.quotePrefix


def test_export_is_audited_once_with_count_and_filters(web, tree, duc, probationer, officer):
    web.get(reverse("members:export"), {"q": "nguyen", "organisation": tree["a1"].pk})
    entry = AuditEntry.objects.get(action="member.export")
    assert entry.actor_id == officer.pk
    assert entry.changes["count"] == [None, 1]
    assert entry.changes["filters"][1]["q"] == "nguyen"
    assert entry.changes["filters"][1]["organisation"] == tree["a1"].pk
    assert entry.org_path == tree["a1"].path


def test_export_of_an_organisation_out_of_scope_exports_nothing(web, tree, outsider):
    response = web.get(reverse("members:export"), {"organisation": tree["b"].pk})
    assert response.status_code == 302
    assert not AuditEntry.objects.filter(action="member.export").exists()


# --- detail ----------------------------------------------------------------------------------


def test_detail_shows_the_record_and_logs_the_read(web, duc, officer):
    response = web.get(reverse("members:detail", args=[duc.pk]))
    assert response.status_code == 200
    assert b"027090001234" in response.content
    read = AuditEntry.objects.get(action="member.view")
    assert (read.object_id, read.actor_id) == (str(duc.pk), officer.pk)
    assert response.context["can_edit"] and response.context["can_record_event"]


def test_detail_query_count(web, duc, django_assert_max_num_queries):
    web.post(reverse("members:edit", args=[duc.pk]), _form_data(duc, phone="0987654321"))
    with django_assert_max_num_queries(14):
        response = web.get(reverse("members:detail", args=[duc.pk]))
    assert len(response.context["history"]) == 1


def test_a_member_reads_their_own_record_only(client, tree, duc, probationer):
    user = UserFactory()
    RoleFactory(user=user, organisation=tree["a1"], role=Role.MEMBER)
    Member.objects.filter(pk=duc.pk).update(user=user)
    client.force_login(user)  # the member role needs no second factor
    # A member's home is their handbook, which shows their own summary.
    dashboard = client.get(reverse("site:home"))
    assert dashboard.status_code == 302 and dashboard.url == reverse("handbook:home")
    assert duc.full_name in client.get(reverse("handbook:home")).content.decode()
    own = client.get(reverse("members:detail", args=[duc.pk]))
    assert own.status_code == 200
    assert not own.context["as_officer"] and not own.context["history"]
    assert AuditEntry.objects.filter(action="member.view", actor_id=user.pk).count() == 1
    assert client.get(reverse("members:detail", args=[probationer.pk])).status_code == 404
    assert client.get(reverse("members:edit", args=[duc.pk])).status_code == 404


# --- edit ------------------------------------------------------------------------------------


def test_opening_the_edit_form_is_an_audited_read(web, duc, officer):
    web.get(reverse("members:edit", args=[duc.pk]))
    read = AuditEntry.objects.get(action="member.view")
    assert (read.object_id, read.actor_id) == (str(duc.pk), officer.pk)


def test_edit_saves_and_the_change_is_in_the_history(web, duc):
    response = web.post(
        reverse("members:edit", args=[duc.pk]),
        _form_data(duc, phone="0987 654 321", occupation="Giáo viên"),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("members:detail", args=[duc.pk])
    duc.refresh_from_db()
    assert (duc.phone, duc.occupation) == ("0987654321", "Giáo viên")
    entry = AuditEntry.objects.get(action="member.update")
    assert entry.changes["occupation"] == ["", "Giáo viên"]
    assert entry.changes["phone"][1] == "0987654321"
    detail = web.get(response["Location"])
    assert entry in detail.context["history"]
    assert "Giáo viên" in detail.content.decode()


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"cccd": "12345"}, "cccd"),
        ({"cccd": "999090001234"}, "cccd"),
        ({"official_date": "01/12/2015"}, "official_date"),
        ({"date_of_birth": "31/02/1990"}, "date_of_birth"),
        ({"admission_date": "01/06/2005"}, "admission_date"),
        ({"full_name": "Đức"}, "full_name"),
        ({"phone": "12345"}, "phone"),
    ],
)
def test_edit_with_bad_input_shows_the_error_keeps_the_input_and_writes_nothing(
    web, duc, overrides, field
):
    before = _state()
    response = web.post(reverse("members:edit", args=[duc.pk]), _form_data(duc, **overrides))
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    value = next(iter(overrides.values()))
    assert f'value="{value}"'.encode() in response.content
    assert _state() == before


def test_edit_of_a_cccd_already_used_is_refused(web, duc, probationer):
    before = _state()
    response = web.post(
        reverse("members:edit", args=[probationer.pk]), _form_data(probationer, cccd=duc.cccd)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["cccd"]
    assert _state() == before


def test_edit_of_a_deceased_member_is_refused(web, tree):
    gone = MemberFactory(organisation=tree["a1"], status=MemberStatus.DECEASED)
    before = _state()
    response = web.post(reverse("members:edit", args=[gone.pk]), _form_data(gone, phone=""))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert _state() == before


# --- events ----------------------------------------------------------------------------------


def test_event_recognises_a_probationer_as_official(web, probationer):
    day = add_months(probationer.admission_date, 12)
    response = web.post(
        reverse("members:event", args=[probationer.pk]),
        {"kind": "made_official", "date": day.strftime("%d/%m/%Y"), "decision_number": "7-QĐ"},
    )
    assert response.status_code == 302
    probationer.refresh_from_db()
    assert (probationer.status, probationer.official_date) == (MemberStatus.OFFICIAL, day)
    assert MemberEvent.objects.get(member=probationer).decision_number == "7-QĐ"


def test_event_before_12_months_of_probation_is_refused(web, probationer):
    before = _state()
    day = add_months(probationer.admission_date, 6)
    response = web.post(
        reverse("members:event", args=[probationer.pk]),
        {"kind": "made_official", "date": day.strftime("%d/%m/%Y")},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["date"]
    assert _state() == before


def test_event_on_a_deceased_member_is_refused(web, tree):
    gone = MemberFactory(organisation=tree["a1"], status=MemberStatus.DECEASED)
    before = _state()
    response = web.post(
        reverse("members:event", args=[gone.pk]),
        {"kind": "rewarded", "date": TODAY.strftime("%d/%m/%Y"), "detail": "Giấy khen"},
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "Giấy khen".encode() in response.content
    assert _state() == before


def test_event_transfer_to_a_cell_out_of_scope_is_refused(web, tree, duc):
    before = _state()
    response = web.post(
        reverse("members:event", args=[duc.pk]),
        {
            "kind": "transferred",
            "date": TODAY.strftime("%d/%m/%Y"),
            "to_organisation": tree["b1"].pk,
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["to_organisation"]
    assert _state() == before


def test_event_transfer_within_the_scope(web, tree, duc):
    response = web.post(
        reverse("members:event", args=[duc.pk]),
        {
            "kind": "transferred",
            "date": TODAY.strftime("%d/%m/%Y"),
            "to_organisation": tree["a2"].pk,
        },
    )
    assert response.status_code == 302
    duc.refresh_from_db()
    assert duc.organisation_id == tree["a2"].pk


# --- admission -------------------------------------------------------------------------------


def test_admission_creates_a_probationary_member(web, tree):
    response = web.post(reverse("members:create"), _applicant(tree["a2"]))
    member = Member.objects.get(cccd="001196004321")
    assert response.status_code == 302
    assert response["Location"] == reverse("members:detail", args=[member.pk])
    assert (member.full_name, member.status) == ("Phạm Thị Hồng", MemberStatus.PROBATIONARY)
    assert member.date_of_birth == datetime.date(1996, 4, 12)
    assert MemberEvent.objects.get(member=member).decision_number == "15-QĐ/ĐU"


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"date_of_birth": "12/04/2008", "cccd": "001208004321"}, "admission_date"),
        ({"cccd": "0011960043"}, "cccd"),
        ({"cccd": "001096004321"}, "cccd"),
        ({"admission_date": "2/3/25x"}, "admission_date"),
        ({"date_of_birth": "12/04/1960", "cccd": "001160004321"}, "admission_date"),
    ],
)
def test_admission_with_bad_input_shows_the_error_and_writes_nothing(web, tree, overrides, field):
    before = _state()
    response = web.post(reverse("members:create"), _applicant(tree["a2"], **overrides))
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert 'value="phạm  thị hồng"'.encode() in response.content
    assert _state() == before


def test_admission_over_60_with_approval(web, tree):
    data = _applicant(tree["a2"], date_of_birth="12/04/1960", cccd="001160004321")
    response = web.post(reverse("members:create"), {**data, "over_60_approved": "on"})
    assert response.status_code == 302
    assert Member.objects.filter(cccd="001160004321").exists()


def test_admission_into_a_cell_out_of_scope_is_refused(web, tree):
    before = _state()
    response = web.post(reverse("members:create"), _applicant(tree["b1"]))
    assert response.status_code == 200
    assert response.context["form"].errors["organisation"]
    assert _state() == before


# --- dashboard -------------------------------------------------------------------------------


def test_dashboard_counts_the_scope(web, tree, duc, outsider, probationer):
    MemberFactory(organisation=tree["a2"], sex="F", status=MemberStatus.DECEASED)
    MemberFactory(
        organisation=tree["a2"], sex="F", date_of_birth=add_months(TODAY, -12 * 30 - 1),
        admission_date=add_months(TODAY, -12 * 5), official_date=None,
        status=MemberStatus.PROBATIONARY,
    )  # fmt: skip
    stats = web.get(reverse("site:home")).context["stats"]
    assert stats["on_roll"] == 3
    assert (stats["status_official"], stats["status_probationary"]) == (1, 2)
    assert stats["status_deceased"] == 1
    assert (stats["sex_M"], stats["sex_F"]) == (2, 1)
    bands = [stats[f"age_{band}"] for band in ("under_30", "30_45", "46_60", "over_60")]
    assert bands == [0, 3, 0, 0]


def test_dashboard_draws_svg_bars(web, duc):
    content = web.get(reverse("site:home")).content
    assert content.count(b"<svg") == 3
    assert b"<rect" in content


def test_dashboard_query_count(web, tree, django_assert_max_num_queries):
    MemberFactory.create_batch(20, organisation=tree["a1"])
    with django_assert_max_num_queries(8):
        assert web.get(reverse("site:home")).status_code == 200


def test_dashboard_welcomes_a_user_without_member_view(client, tree):
    user = RoleFactory(organisation=tree["a"], role=Role.OFFICE).user
    client.force_login(user)
    response = client.get(reverse("site:home"))
    assert response.status_code == 200
    assert "stats" not in response.context
    assert tree["a"].name in response.content.decode()


def test_receive_a_transferred_member_through_the_page(web, tree):
    response = web.post(
        "/members/receive/",
        {
            "organisation": tree["a1"].pk, "full_name": "hoàng  thị thu trang", "sex": "F",
            "date_of_birth": "02/09/1988", "cccd": "001188004567", "admission_date": "19/05/2012",
            "official_date": "19/05/2013", "ethnicity": "01", "religion": "none",
            "professional_qualification": "bachelor", "political_theory": "intermediate",
            "origin": "Chi bộ 3, Đảng bộ phường Hàng Bài, Hà Nội", "received_on": "01/11/2026",
            "decision_number": "125-GGT/ĐU",
        },
    )  # fmt: skip
    member = Member.objects.get(full_name="Hoàng Thị Thu Trang")
    assert response.status_code == 302 and response.url == f"/members/{member.pk}/"
    assert member.status == "official"
    assert member.events.get().kind == "received"


def test_receive_without_origin_keeps_what_was_typed(web, tree):
    before = Member.objects.count()
    response = web.post(
        "/members/receive/",
        {"organisation": tree["a1"].pk, "full_name": "Hoàng Thị Thu Trang", "sex": "F",
         "date_of_birth": "02/09/1988", "admission_date": "19/05/2012", "ethnicity": "01",
         "religion": "none", "professional_qualification": "none", "political_theory": "none",
         "received_on": "01/11/2026"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "origin" in response.context["form"].errors
    assert response.context["form"]["full_name"].value() == "Hoàng Thị Thu Trang"
    assert Member.objects.count() == before
