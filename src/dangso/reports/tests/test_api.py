import json

from dangso.core.models import AuditEntry
from dangso.reports.choices import SubmissionStatus
from dangso.reports.models import ReportForm, Submission, SubmissionValue
from dangso.reports.tests.conftest import CHOICES, at, good_values
from dangso.testing.factories import UserFactory

API = "/api/v1/reports"
FORM = {
    "organisation": "T01",
    "name": "Báo cáo công tác phát triển đảng viên",
    "code": "ptdv",
    "period_type": "quarter",
    "due_days": 10,
    "obliged_kinds": ["commune"],
    "indicators": [
        {"code": "so_chi_bo", "label": "Số chi bộ", "kind": "number", "required": True},
        {"code": "chi_bo_dung_ky", "label": "Số chi bộ sinh hoạt đúng kỳ", "kind": "number"},
        {
            "code": "ty_le",
            "label": "Tỷ lệ",
            "kind": "ratio",
            "parts": ["chi_bo_dung_ky", "so_chi_bo"],
        },
        {"code": "muc_do", "label": "Mức độ hoàn thành", "kind": "choice", "options": CHOICES},
    ],
}


def _post(client, url, body):
    return client.post(
        url, json.dumps(body), content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )


def test_round_trip(world, token_client):
    designer = token_client(world.designer)
    with at(3):
        response = _post(designer, f"{API}/forms", FORM)
        assert response.status_code == 201, response.content
        form_id = response.json()["id"]
        assert [i["code"] for i in response.json()["indicators"]] == [
            "so_chi_bo", "chi_bo_dung_ky", "ty_le", "muc_do"
        ]  # fmt: skip
        response = _post(designer, f"{API}/forms/{form_id}/periods", {"start": "2026-01-01"})
        assert response.status_code == 200, response.content
        assert response.json()["created"] == 3
        assert response.json()["period"]["due_on"] == "2026-04-10"
        again = _post(designer, f"{API}/forms/{form_id}/periods", {"start": "2026-01-01"})
        assert again.json()["created"] == 0

    filler = token_client(world.fillers["X01"])
    listed = filler.get(f"{API}/submissions", {"form": form_id, "period": "2026-01-01"}).json()
    assert [item["organisation"]["code"] for item in listed["items"]] == ["X01"]
    submission_id = listed["items"][0]["id"]
    response = filler.put(
        f"{API}/submissions/{submission_id}/values",
        json.dumps({"values": {"so_chi_bo": "-1"}}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 422
    assert response.json()["errors"]["so_chi_bo"] == ["“Số chi bộ” cannot be negative."]
    assert not SubmissionValue.objects.exists()
    with at(8):
        response = _post(
            filler,
            f"{API}/submissions/{submission_id}/submit",
            {"values": {"so_chi_bo": 10, "chi_bo_dung_ky": 9, "muc_do": "Hoàn thành"}},
        )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "submitted" and body["on_time"] is True
    assert float(body["values"]["ty_le"]) == 90.0

    leader = token_client(world.leader)
    response = _post(leader, f"{API}/submissions/{submission_id}/return", {"reason": ""})
    assert response.status_code == 422
    response = _post(leader, f"{API}/submissions/{submission_id}/approve", {})
    assert response.status_code == 200 and response.json()["status"] == "approved"

    node = f"{API}/forms/{form_id}/periods/2026-01-01/nodes/{world.tree['province'].pk}"
    response = leader.get(node)
    assert response.status_code == 200
    aggregate = response.json()
    assert aggregate["progress"]["expected"] == 3
    assert aggregate["progress"]["received"] == 1
    assert aggregate["progress"]["completeness"] == 33.3
    values = {row["code"]: row for row in aggregate["indicators"]}
    assert float(values["so_chi_bo"]["value"]) == 10
    assert values["muc_do"]["choices"] == {"Hoàn thành": 1}
    assert len(aggregate["children"]) == 3
    response = _post(leader, f"{node}/approve", {})
    assert response.status_code == 422
    assert response.json()["detail"].startswith("2 of the 3 reports under Đảng bộ tỉnh Bắc Ninh")
    assert AuditEntry.objects.filter(action="report.submit").count() == 1
    assert AuditEntry.objects.filter(action="report.approve").count() == 1


def test_scope_and_capabilities(opened, world, token_client):
    other = Submission.objects.get(form=opened, organisation=world.tree["b"])
    filler = token_client(world.fillers["X01"])
    assert filler.get(f"{API}/submissions/{other.pk}").status_code == 404
    response = _post(filler, f"{API}/submissions/{other.pk}/submit", {"values": good_values()})
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == SubmissionStatus.PENDING
    assert filler.get(f"{API}/submissions").json()["items"][0]["organisation"]["code"] == "X01"
    assert len(filler.get(f"{API}/submissions").json()["items"]) == 1
    node = f"{API}/forms/{opened.pk}/periods/2026-01-01/nodes/{world.tree['b'].pk}"
    assert filler.get(node).status_code == 404
    # Fillers may read the province's form, not change it nor open its periods.
    assert filler.get(f"{API}/forms/{opened.pk}").status_code == 200
    assert (
        _post(filler, f"{API}/forms/{opened.pk}/periods", {"start": "2026-04-01"}).status_code
        == 403
    )
    assert _post(filler, f"{API}/forms", {**FORM, "organisation": "X01"}).status_code == 403
    own = Submission.objects.get(form=opened, organisation=world.tree["a"])
    assert _post(filler, f"{API}/submissions/{own.pk}/approve", {}).status_code == 403
    nobody = token_client(UserFactory())
    assert nobody.get(f"{API}/forms").status_code == 403
    assert nobody.get(f"{API}/submissions").status_code == 403
    assert ReportForm.objects.count() == 1


def test_designer_out_of_scope_gets_unknown_owner(world, token_client):
    from dangso.testing.factories import RoleFactory

    commune_office = RoleFactory(organisation=world.tree["a"], role="office").user
    response = _post(token_client(commune_office), f"{API}/forms", FORM)  # T01 is above it
    assert response.status_code == 422
    assert "organisation" in response.json()["errors"]
    assert not ReportForm.objects.exists()
