import io

import openpyxl
import pypdf
import pytest
from django.urls import reverse

from dangso.core.models import AuditEntry
from dangso.reports.choices import SubmissionStatus
from dangso.reports.models import NodeApproval, ReportForm, Submission, SubmissionValue
from dangso.reports.tests.conftest import CHOICES, Q1, at, good_values
from dangso.testing.factories import RoleFactory, UserFactory

ROWS = [
    {"code": "ket_nap", "label": "Số đảng viên kết nạp mới", "kind": "number", "unit": "người"},
    {"code": "so_chi_bo", "label": "Số chi bộ", "kind": "number", "required": "on"},
    {"code": "chi_bo_dung_ky", "label": "Số chi bộ sinh hoạt đúng định kỳ", "kind": "number",
     "required": "on"},
    {"code": "ty_le", "label": "Tỷ lệ chi bộ sinh hoạt đúng định kỳ", "kind": "ratio",
     "parts": "chi_bo_dung_ky, so_chi_bo", "unit": "%"},
    {"code": "tong", "label": "Tổng số chi bộ và đảng viên mới", "kind": "total",
     "parts": "ket_nap, so_chi_bo"},
    {"code": "danh_gia", "label": "Đánh giá chung", "kind": "text"},
    {"code": "muc_do", "label": "Mức độ hoàn thành", "kind": "choice",
     "options": "\n".join(CHOICES)},
]  # fmt: skip


def designer_post(province, rows=ROWS, **overrides):
    data = {
        "organisation": province.pk, "name": "Báo cáo công tác phát triển đảng viên",
        "code": "phat-trien-dang-vien", "period_type": "quarter", "due_days": "10",
        "obliged_kinds": ["commune"], "active": "on",
        "ind-TOTAL_FORMS": str(len(rows) + 1), "ind-INITIAL_FORMS": "0",
        "ind-MIN_NUM_FORMS": "0", "ind-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    for index, row in enumerate(rows):
        data.update({f"ind-{index}-{key}": value for key, value in row.items()})
        data.setdefault(f"ind-{index}-aggregation", "sum")
        data[f"ind-{index}-aggregation"] = row.get("aggregation", "sum")
    data[f"ind-{len(rows)}-aggregation"] = "sum"  # an untouched empty row
    data[f"ind-{len(rows)}-kind"] = "number"
    data.update(overrides)
    return data


def _fill(client, submission, **values):
    return client.post(
        reverse("reports:submission", args=[submission.pk]),
        {**_ui_values(**values), "do": "submit"},
    )


def _ui_values(**values):
    base = {"ket_nap": "2", "so_chi_bo": "10", "chi_bo_dung_ky": "9",
            "danh_gia": "Tốt", "muc_do": "Hoàn thành tốt"}  # fmt: skip
    base.update(values)
    return base


def test_form_defined_in_the_ui_three_communes_one_late_one_silent(world, english, sign_in):
    """The issue's scenario, through the pages."""
    province = world.tree["province"]
    a, b, c = world.communes
    with at(2):
        client = sign_in(world.designer)
        response = client.post(reverse("reports:form_create"), designer_post(province))
        assert response.status_code == 302, (
            response.context["form"].errors,
            response.context["formset"].errors,
            response.context["formset"].non_form_errors(),
            response.context["indicator_errors"],
        )
        form = ReportForm.objects.get()
        assert list(form.indicators.values_list("code", flat=True)) == [r["code"] for r in ROWS]
        assert form.indicators.get(code="ty_le").parts == ["chi_bo_dung_ky", "so_chi_bo"]
        response = client.post(
            reverse("reports:open_period", args=[form.pk]), {"start": "2026-01-01"}
        )
        assert response.status_code == 302
        assert Submission.objects.filter(form=form, period_start=Q1).count() == 3

    subs = {s.organisation_id: s for s in Submission.objects.filter(form=form)}
    with at(8):  # on time: due 10/04/2026
        response = _fill(
            sign_in(world.fillers["X01"]), subs[a.pk], so_chi_bo="10", chi_bo_dung_ky="9"
        )
        assert response.status_code == 302
    with at(14):  # late
        response = _fill(
            sign_in(world.fillers["X02"]),
            subs[b.pk],
            so_chi_bo="30",
            chi_bo_dung_ky="15",
            ket_nap="1",
        )
        assert response.status_code == 302
    # X03 never submits.

    with at(15):
        client = sign_in(world.leader)
        url = reverse("reports:period_node", args=[form.pk, "2026-01-01", province.pk])
        response = client.get(url)
        page = response.content.decode()
        assert response.status_code == 200
        ctx = response.context
        assert ctx["progress"].total.completeness == pytest.approx(66.7)  # 2 of 3
        assert ctx["progress"].total.timeliness == pytest.approx(33.3)  # 1 of 3
        assert "66,7 %" in page and "33,3 %" in page
        rows = {row.indicator.code: row for row in ctx["rows"]}
        assert rows["so_chi_bo"].value == 40 and rows["chi_bo_dung_ky"].value == 24
        assert rows["ket_nap"].value == 3
        assert rows["tong"].value == 43
        assert str(rows["ty_le"].value) == "60.00"  # 24/40, not the mean of 90 % and 50 %
        assert "Late" in page

        approve = reverse("reports:approve_node", args=[form.pk, "2026-01-01", province.pk])
        response = client.post(approve, follow=True)
        assert (
            "3 reports under Đảng bộ tỉnh Bắc Ninh are not approved yet"
            in response.content.decode()
        )
        assert not NodeApproval.objects.exists()
        for commune in (a, b):
            client.post(reverse("reports:approve_submission", args=[subs[commune.pk].pk]))
        assert Submission.objects.filter(status=SubmissionStatus.APPROVED).count() == 2
        response = client.post(approve, follow=True)
        assert "1 of the 3 reports" in response.content.decode()
        assert not NodeApproval.objects.exists()
        _fill(sign_in(world.fillers["X03"]), subs[c.pk])
        client = sign_in(world.leader)
        client.post(reverse("reports:approve_submission", args=[subs[c.pk].pk]))
        response = client.post(approve, follow=True)
        assert NodeApproval.objects.filter(organisation=province).exists()
        assert AuditEntry.objects.filter(action="report.approve_node").exists()


def test_bad_values_in_the_page_keep_what_was_typed_and_write_nothing(
    opened, world, english, sign_in
):
    submission = Submission.objects.get(form=opened, organisation=world.tree["a"])
    client = sign_in(world.fillers["X01"])
    response = client.post(
        reverse("reports:submission", args=[submission.pk]),
        {**good_values(so_chi_bo="-4", muc_do="Bịa ra"), "do": "save"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "“Số chi bộ” cannot be negative." in page
    assert "“Mức độ hoàn thành” must be one of" in page
    assert 'value="-4"' in page
    assert not SubmissionValue.objects.exists()
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.PENDING


def test_designer_errors_show_and_nothing_is_written(world, english, sign_in):
    client = sign_in(world.designer)
    rows = [*ROWS[:3], {"code": "ty_le", "label": "Tỷ lệ", "kind": "ratio", "parts": "so_chi_bo"}]
    response = client.post(
        reverse("reports:form_create"), designer_post(world.tree["province"], rows)
    )
    assert response.status_code == 200
    assert "Ratio “Tỷ lệ”: give the codes of two number indicators" in response.content.decode()
    assert not ReportForm.objects.exists()


def test_another_communes_report_is_404_and_unchanged(opened, world, sign_in):
    other = Submission.objects.get(form=opened, organisation=world.tree["b"])
    client = sign_in(world.fillers["X01"])
    assert client.get(reverse("reports:submission", args=[other.pk])).status_code == 404
    response = client.post(
        reverse("reports:submission", args=[other.pk]), {**good_values(), "do": "submit"}
    )
    assert response.status_code == 404
    for name in ("submission_export",):
        assert client.get(reverse(f"reports:{name}", args=[other.pk, "xlsx"])).status_code == 404
    node = reverse("reports:period_node", args=[opened.pk, "2026-01-01", world.tree["b"].pk])
    assert client.get(node).status_code == 404
    other.refresh_from_db()
    assert other.status == SubmissionStatus.PENDING
    assert not SubmissionValue.objects.exists()
    assert not AuditEntry.objects.filter(action__in=["report.submit", "report.export"]).exists()


def test_a_filler_cannot_approve_and_no_role_is_403(opened, world, sign_in):
    submission = Submission.objects.get(form=opened, organisation=world.tree["a"])
    client = sign_in(world.fillers["X01"])
    assert (
        client.post(reverse("reports:approve_submission", args=[submission.pk])).status_code == 403
    )
    assert client.get(reverse("reports:form_create")).status_code == 403
    nobody = sign_in(UserFactory())
    assert nobody.get(reverse("reports:form_list")).status_code == 403
    assert nobody.get(reverse("reports:submission", args=[submission.pk])).status_code == 403


def test_pages_render(opened, world, sign_in, django_assert_max_num_queries):
    client = sign_in(world.designer)
    submission = Submission.objects.get(form=opened, organisation=world.tree["a"])
    for url in (
        reverse("reports:form_list"),
        reverse("reports:form_detail", args=[opened.pk]),
        reverse("reports:form_edit", args=[opened.pk]),
        reverse("reports:submission", args=[submission.pk]),
    ):
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("reports:period", args=[opened.pk, "2026-01-01"])).status_code == 302
    url = reverse("reports:period_node", args=[opened.pk, "2026-01-01", world.tree["province"].pk])
    with django_assert_max_num_queries(25):
        assert client.get(url).status_code == 200


def _filled(opened, world):
    submission = Submission.objects.get(form=opened, organisation=world.tree["a"])
    from dangso.core.audit import Actor
    from dangso.reports import actions

    with at(6):
        actions.submit(submission, good_values(ket_nap_nam="1.234"), Actor.system("test"))
    return submission


def test_submission_exports_to_xlsx_and_pdf(opened, world, sign_in):
    submission = _filled(opened, world)
    client = sign_in(world.fillers["X01"])
    response = client.get(reverse("reports:submission_export", args=[submission.pk, "xlsx"]))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = {row[1]: row[3] for row in sheet.iter_rows(values_only=True) if len(row) > 3}
    assert cells["Số đảng viên nam kết nạp mới"] == 1234
    assert cells["Tổng số đảng viên kết nạp mới"] == 1236
    assert cells["Mức độ hoàn thành"] == "Hoàn thành tốt"
    response = client.get(reverse("reports:submission_export", args=[submission.pk, "pdf"]))
    assert response.content.startswith(b"%PDF")
    text = "".join(
        page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.content)).pages
    )
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text
    assert "BÁO CÁO" in text
    assert "Báo cáo công tác phát triển đảng viên" in text
    assert "ĐẢNG BỘ XÃ YÊN PHONG" in text
    assert "1.234" in text
    assert AuditEntry.objects.filter(action="report.export").count() == 2


def test_aggregate_exports_to_xlsx_and_pdf(opened, world, sign_in):
    _filled(opened, world)
    client = sign_in(world.leader)
    args = [opened.pk, "2026-01-01", world.tree["province"].pk]
    response = client.get(reverse("reports:period_export", args=[*args, "xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = {row[1]: row[3] for row in sheet.iter_rows(values_only=True) if len(row) > 3}
    assert cells["Số chi bộ"] == 10
    assert cells["Tỷ lệ chi bộ sinh hoạt đúng định kỳ"] == 90
    response = client.get(reverse("reports:period_export", args=[*args, "pdf"]))
    text = "".join(
        page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.content)).pages
    )
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text
    assert "BÁO CÁO TỔNG HỢP" in text
    assert "Báo cáo công tác phát triển đảng viên" in text
    assert "T/M BAN THƯỜNG VỤ" in text
    assert client.get(reverse("reports:period_export", args=[*args, "doc"])).status_code == 404


def test_return_through_the_page_needs_a_reason(opened, world, english, sign_in):
    submission = _filled(opened, world)
    client = sign_in(world.leader)
    url = reverse("reports:return_submission", args=[submission.pk])
    response = client.post(url, {"reason": " "}, follow=True)
    assert "Give the reason for returning the report." in response.content.decode()
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.SUBMITTED
    client.post(url, {"reason": "Thiếu đánh giá"})
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.RETURNED
    assert submission.return_reason == "Thiếu đánh giá"


def test_an_office_at_the_commune_sees_the_province_form(opened, world, sign_in):
    officer = RoleFactory(organisation=world.tree["a"], role="office").user
    client = sign_in(officer)
    page = client.get(reverse("reports:form_detail", args=[opened.pk])).content.decode()
    assert (
        reverse("reports:period_node", args=[opened.pk, "2026-01-01", world.tree["a"].pk]) in page
    )
    assert reverse("reports:open_period", args=[opened.pk]) not in page
    response = client.post(
        reverse("reports:open_period", args=[opened.pk]), {"start": "2026-04-01"}
    )
    assert response.status_code == 404
