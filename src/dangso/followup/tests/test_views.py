import datetime

import pytest
import time_machine
from django.urls import reverse

from dangso.core.audit import Actor
from dangso.followup import actions
from dangso.followup.models import ProgressUpdate, Task
from dangso.followup.queries import task_figures
from dangso.testing.auth import login_verified
from dangso.testing.documents import pdf_bytes

pytestmark = pytest.mark.django_db


def _date(day):
    return day.strftime("%d/%m/%Y")


def test_province_assigns_in_the_ui_and_a_commune_hands_it_down(
    client, tree, communes, people, in_ten_days
):
    login_verified(client, people["province"])
    page = client.get(reverse("followup:new"), {"org": tree["province"].pk})
    assert page.status_code == 200 and "Đảng bộ xã Tam Sơn" in page.content.decode()
    # Bad input: no deadline, nobody chosen. The title typed is kept.
    bad = client.post(
        f"{reverse('followup:new')}?org={tree['province'].pk}",
        {"title": "Rà soát đảng viên", "deadline": "31/02/2026"},
    )
    text = bad.content.decode()
    assert bad.status_code == 200 and "Rà soát đảng viên" in text
    assert "Nhập một ngày hợp lệ" in text or "ngày" in text.lower()
    assert not Task.objects.exists()
    response = client.post(
        f"{reverse('followup:new')}?org={tree['province'].pk}",
        {
            "title": "Rà soát đảng viên",
            "deadline": _date(in_ten_days),
            "assignees": [org.pk for org in communes],
        },
    )
    task = Task.objects.get(parent=None)
    assert response.status_code == 302 and response.url == reverse(
        "followup:detail", args=[task.pk]
    )
    assert task.children.count() == 3

    login_verified(client, people["commune"])
    commune_task = task.children.get(organisation=tree["a"])
    page = client.get(reverse("followup:detail", args=[commune_task.pk])).content.decode()
    assert "Chi bộ thôn Đông" in page  # offered as a unit to hand down to
    response = client.post(
        reverse("followup:delegate", args=[commune_task.pk]),
        {"assignees": [tree["a1"].pk, tree["a2"].pk]},
    )
    assert response.status_code == 302 and commune_task.children.count() == 2
    # The province's task page is out of the commune's reach.
    assert client.get(reverse("followup:detail", args=[task.pk])).status_code == 404


def test_a_cell_reports_progress_with_evidence_and_bad_input_keeps_what_was_typed(
    client, tree, communes, people, in_ten_days
):
    task = actions.assign(
        {"title": "Học tập chuyên đề", "deadline": in_ten_days},
        organisation=tree["a"],
        assignees=[tree["a1"]],
        actor=Actor(people["commune"].pk, "x"),
    )
    cell_task = task.children.get()
    login_verified(client, people["cell"])
    url = reverse("followup:progress", args=[cell_task.pk])
    bad = client.post(url, {"percent": "150", "note": "Đã tổ chức học tập"})
    assert bad.status_code == 422
    text = bad.content.decode()
    assert "từ 0 đến 100" in text and "Đã tổ chức học tập" in text
    assert not ProgressUpdate.objects.exists()
    from django.core.files.uploadedfile import SimpleUploadedFile

    evidence = SimpleUploadedFile("bien-ban.pdf", pdf_bytes("Biên bản"), "application/pdf")
    response = client.post(
        url, {"percent": "60", "note": "Đã học 3/5 chuyên đề", "evidence": evidence}
    )
    assert response.status_code == 302
    page = client.get(reverse("followup:detail", args=[cell_task.pk])).content.decode()
    assert "60 %" in page and "bien-ban.pdf" in page
    item = ProgressUpdate.objects.get().evidence.get()
    file_response = client.get(reverse("followup:evidence", args=[cell_task.pk, item.pk]))
    assert file_response.status_code == 200 and file_response.content.startswith(b"%PDF")
    # Another commune's secretary cannot see it, nor report on it.
    login_verified(client, people["commune_b"])
    assert client.get(reverse("followup:detail", args=[cell_task.pk])).status_code == 404
    assert client.post(url, {"percent": "90", "note": "x"}).status_code == 404


def test_dashboard_counts_each_task_once_per_level_and_finds_the_overdue_commune(
    client, tree, communes, people, in_ten_days
):
    clerk = Actor(people["province"].pk, "x")
    task = actions.assign(
        {"title": "Chuyển đổi số", "deadline": in_ten_days},
        organisation=tree["province"],
        assignees=communes,
        actor=clerk,
    )
    commune_a = task.children.get(organisation=tree["a"])
    cells = actions.delegate(commune_a, [tree["a1"], tree["a2"]], actor=clerk)
    actions.report_progress(cells[0], percent=100, note="Xong", actor=clerk)
    actions.report_progress(cells[1], percent=50, note="", actor=clerk)
    for org in communes[1:]:
        actions.report_progress(
            task.children.get(organisation=org), percent=100, note="Xong", actor=clerk
        )
    with time_machine.travel(in_ten_days + datetime.timedelta(days=2), tick=False):
        figures = task_figures(people["province"], tree["province"], datetime.date.today())
        assert figures.statuses.total == 1 and figures.statuses.overdue == 1
        by_unit = {child.organisation.code: child for child in figures.children}
        assert by_unit["X01"].statuses.total == 1 and by_unit["X01"].statuses.overdue == 1
        assert by_unit["X02"].statuses.done == 1 and by_unit["X02"].statuses.overdue == 0
        assert by_unit["X01"].progress == 75
        login_verified(client, people["province"])
        page = client.get(reverse("site:steering"), {"org": tree["province"].pk})
        text = page.content.decode()
        assert page.status_code == 200
        assert 'id="tasks-progress">92 %' in text  # (75 + 100 + 100) / 3, rounded
        assert "Đảng bộ xã Yên Phong" in text and "table-danger" in text
        # The overdue figure leads to the list behind it.
        listing = client.get(
            reverse("followup:list"), {"org": tree["a"].pk, "status": "overdue", "top": "1"}
        )
        assert "Chuyển đổi số" in listing.content.decode()
        assert listing.content.decode().count('data-status="overdue"') == 1
        members = client.get(reverse("site:steering_members"), {"org": tree["province"].pk})
        assert members.status_code == 200 and "chart-member-status" in members.content.decode()


def test_programme_completion_at_any_node(client, tree, communes, people, in_ten_days):
    clerk = Actor(people["province"].pk, "x")
    programme = actions.create_programme(
        {"name": "Đề án 204"}, organisation=tree["province"], actor=clerk
    )
    for title in ("Số hóa hồ sơ", "Sổ tay đảng viên", "Chữ ký số"):
        actions.assign(
            {"title": title, "deadline": in_ten_days, "programme": programme},
            organisation=tree["province"],
            assignees=[tree["a"]],
            actor=clerk,
        )
    first = Task.objects.get(title="Số hóa hồ sơ", organisation=tree["a"])
    actions.report_progress(first, percent=100, note="Xong", actor=clerk)
    login_verified(client, people["province"])
    text = client.get(reverse("followup:programmes")).content.decode()
    assert "1/3 — 33 %" in text
    with pytest.raises(Exception):  # noqa: B017 - a duplicate name is refused
        actions.create_programme({"name": "Đề án 204"}, organisation=tree["province"], actor=clerk)


def test_api_round_trip(token_client, tree, communes, people, in_ten_days):
    api = token_client(people["province"])
    created = api.post(
        "/api/v1/tasks/",
        {
            "organisation": tree["province"].pk,
            "assignees": [org.pk for org in communes],
            "title": "Báo cáo sơ kết",
            "deadline": in_ten_days.isoformat(),
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert len(body["children"]) == 3 and body["status"] == "not_started"
    child = next(item["id"] for item in body["children"] if item["organisation_id"] == tree["a"].pk)
    bad = api.post(f"/api/v1/tasks/{child}/progress", {"percent": "x"})
    assert bad.status_code == 422 and "percent" in bad.json()["errors"]
    good = api.post(f"/api/v1/tasks/{child}/progress", {"percent": "40", "note": "Đang làm"})
    assert good.status_code == 201
    figures = api.get(f"/api/v1/tasks/figures/{tree['province'].pk}").json()
    assert figures["statuses"]["total"] == 1 and figures["progress"] == 13.0
    listing = api.get("/api/v1/tasks/", {"organisation": tree["a"].pk, "top": True}).json()
    assert [item["organisation_id"] for item in listing["items"]] == [tree["a"].pk]
    other = token_client(people["commune_b"])
    assert other.get(f"/api/v1/tasks/{child}").status_code == 404
    refused = other.post(f"/api/v1/tasks/{child}/progress", {"percent": "90"})
    assert refused.status_code == 404 and Task.objects.get(pk=child).progress == 40
