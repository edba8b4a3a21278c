"""The permission matrix of every UI and API endpoint (DESIGN rule 1).

For each endpoint and each of four callers — anonymous, signed in with no role, a role in
scope, the same role over another commune — the request gets the answer the rules demand.
A caller out of scope gets 404 (objects) or a list without the other commune's records; a
denied request changes nothing and shows nothing of the record. `test_every_endpoint_is_in_
the_matrix` fails when an endpoint is added without its row here.
"""

import dataclasses
import datetime

import pytest
from django.utils import timezone

from dangso.accounts.models import RoleAssignment
from dangso.core.audit import Actor
from dangso.core.models import AuditEntry
from dangso.members.models import Member, MemberEvent
from dangso.orgs.models import Organisation, OrganisationVersion
from dangso.quality.models import DuplicateCandidate
from dangso.testing.factories import MemberFactory, UserFactory
from dangso.testing.matrix import (
    CALLERS,
    SECRET_CCCD,
    SECRET_NAME,
    Endpoint,
    app_matrices,
    run_case,
    url_names,
)

TODAY = datetime.date.today()
# Valid payloads, so that a refusal comes from the scope check, not from validation.
APPLICANT = {
    "full_name": "Phạm Minh Tuấn", "sex": "M", "date_of_birth": "1990-05-01",
    "cccd": "027090005555", "admission_date": "2024-01-15", "ethnicity": "01",
    "religion": "none", "professional_qualification": "none", "political_theory": "none",
    "organisation": "{cell}",
}  # fmt: skip
UI_APPLICANT = {**APPLICANT, "date_of_birth": "01/05/1990", "admission_date": "15/01/2024"}
UI_RECEIVED = {
    **UI_APPLICANT, "official_date": "15/01/2025", "origin": "Đảng bộ xã Tân Lập, Hà Nội",
    "received_on": TODAY.strftime("%d/%m/%Y"),
}  # fmt: skip
UI_INCOMING = {
    "organisation": "{commune}", "document_type": "{type}", "issuer_name": "Ban Tuyên giáo",
    "summary": "Về việc học tập nghị quyết", "classification": "khong_mat", "urgency": "thuong",
}  # fmt: skip
UI_DRAFT = {
    "organisation": "{commune}", "document_type": "{type}", "issuing_body": "{body}",
    "summary": "Báo cáo kết quả", "classification": "khong_mat", "urgency": "thuong",
}  # fmt: skip
IN_A_WEEK = TODAY + datetime.timedelta(days=7)
UI_TASK = {
    "title": "Rà soát hồ sơ đảng viên", "deadline": IN_A_WEEK.strftime("%d/%m/%Y"),
    "assignees": ["{commune}"],
}  # fmt: skip
API_TASK = {
    "organisation": "{commune}", "assignees": ["{commune}"], "title": "Rà soát hồ sơ",
    "deadline": IN_A_WEEK.isoformat(),
}  # fmt: skip
API_INDICATORS = [{"code": "so_buoi", "label": "Số buổi sinh hoạt", "kind": "number"}]
UI_MEETING = {
    "cell": "{cell}", "kind": "regular", "title": "Sinh hoạt chi bộ", "date": "01/01/2030",
    "time": "19:30", "place": "Nhà văn hóa", "agenda": "",
}  # fmt: skip
API_MEETING = {
    "cell": "{cell}", "title": "Sinh hoạt chi bộ", "starts_at": "2030-01-01T19:30:00+07:00",
    "place": "Nhà văn hóa",
}  # fmt: skip
REWARD = {"kind": "rewarded", "date": TODAY.isoformat(), "detail": "Giấy khen"}
UI_REWARD = {**REWARD, "date": TODAY.strftime("%d/%m/%Y")}


ENDPOINTS = [
    Endpoint("site:home", lists=True),
    Endpoint("site:audit", role="admin", lists=True),
    Endpoint("orgs:tree", role="office", lists=True),
    Endpoint("orgs:detail", role="office", target="org"),
    Endpoint("orgs:create_child", "post", role="admin", target="org"),
    Endpoint("orgs:rename", "post", role="admin", target="org"),
    Endpoint("orgs:move", "post", role="admin", target="org"),
    Endpoint("orgs:merge", "post", role="admin", target="org"),
    Endpoint("orgs:dissolve", "post", role="admin", target="org"),
    Endpoint("members:list", lists=True),
    Endpoint("members:export", lists=True),
    Endpoint("members:create"),
    Endpoint("members:create", "post", lists=True, payload=UI_APPLICANT),
    Endpoint("members:receive"),
    Endpoint("members:receive", "post", lists=True, payload=UI_RECEIVED),
    Endpoint("members:detail", target="member"),
    Endpoint("members:edit", target="member"),
    Endpoint("members:edit", "post", target="member", payload={"full_name": "Ai Đó Khác"}),
    Endpoint("members:event", target="member"),
    Endpoint("members:event", "post", target="member", payload=UI_REWARD),
    Endpoint("quality:dashboard", lists=True),
    Endpoint("quality:check", "post", target="org"),
    Endpoint("quality:worklist", lists=True),
    Endpoint("quality:fix", target="member"),
    Endpoint("quality:fix", "post", target="member", payload={"fields": "phone"}),
    Endpoint("quality:duplicates", lists=True),
    Endpoint("quality:merge", "post", target="pair", payload={"keep": "a"}),
    Endpoint("quality:dismiss", "post", target="pair"),
    Endpoint("api:list_organisations", role="office", api=True, lists=True),
    Endpoint("api:organisation_tree", role="office", api=True, lists=True),
    Endpoint("api:get_organisation", role="office", target="org", api=True),
    Endpoint("api:list_members", api=True, lists=True),
    Endpoint("api:admit_member", "post", api=True, lists=True, payload=APPLICANT),
    Endpoint("api:get_member", target="member", api=True),
    Endpoint(
        "api:update_member", "patch", target="member", api=True, payload={"phone": "0911111111"}
    ),
    Endpoint("api:list_events", target="member", api=True),
    Endpoint("api:record_event", "post", target="member", api=True, payload=REWARD),
    Endpoint("imports:upload", role="organisation", lists=True),
    Endpoint("imports:upload", "post", lists=True),
    Endpoint("imports:template", lists=True),
    Endpoint("imports:detail", target="import"),
    Endpoint("imports:status", target="import"),
    Endpoint("imports:mapping", target="import"),
    Endpoint("imports:mapping", "post", target="import"),
    Endpoint("imports:commit", "post", target="import", payload={"mode": "valid_only"}),
    Endpoint("imports:report", target="import"),
    Endpoint("documents:inbox", role="office", lists=True),
    Endpoint("documents:register", role="office", lists=True, kwargs={"direction": "in"}),
    Endpoint(
        "documents:register_export",
        role="office",
        lists=True,
        kwargs={"direction": "in", "fmt": "xlsx"},
    ),
    Endpoint("documents:incoming_new", role="office", lists=True),
    Endpoint("documents:incoming_new", "post", role="office", lists=True, payload=UI_INCOMING),
    Endpoint("documents:package_import", role="office", lists=True),
    Endpoint("documents:package_import", "post", role="office", lists=True),
    Endpoint("documents:draft_new", role="office", lists=True),
    Endpoint("documents:draft_new", "post", role="office", lists=True, payload=UI_DRAFT),
    Endpoint("documents:detail", role="office", target="document"),
    Endpoint("documents:edit", role="office", target="draft"),
    Endpoint("documents:edit", "post", role="office", target="draft", payload=UI_DRAFT),
    Endpoint("documents:attachment", role="office", target="attachment"),
    Endpoint("documents:office", role="office", target="commune"),
    Endpoint(
        "documents:office",
        "post",
        role="office",
        target="commune",
        payload={"do": "body", "body-name": "Ban Tổ chức", "body-symbol": "BTCX"},
    ),
    Endpoint("documents:package_export", role="office", target="document"),
    Endpoint("documents:step", "post", role="leader", target="document", kwargs={"name": "assign"}),
    Endpoint("followup:list", role="office", lists=True),
    Endpoint("followup:new", role="office", lists=True),
    Endpoint("followup:new", "post", role="office", lists=True, payload=UI_TASK),
    Endpoint("site:steering", role="leader", lists=True),
    Endpoint("site:steering_members", role="leader", lists=True),
    Endpoint("followup:programmes", role="office", lists=True),
    Endpoint(
        "followup:programmes",
        "post",
        role="office",
        lists=True,
        payload={"organisation": "{commune}", "name": "Đề án 204"},
    ),
    Endpoint("followup:detail", role="office", target="task"),
    Endpoint(
        "followup:progress",
        "post",
        role="cell_secretary",
        target="task",
        payload={"percent": "50", "note": "Đang làm"},
    ),
    Endpoint(
        "followup:delegate", "post", role="office", target="task", payload={"assignees": ["{org}"]}
    ),
    Endpoint("followup:grant", "post", role="office", target="task", payload={"username": "x"}),
    Endpoint("followup:evidence", role="office", target="evidence"),
    Endpoint("api:list_tasks", role="office", api=True, lists=True),
    Endpoint("api:assign_task", "post", role="office", api=True, lists=True, payload=API_TASK),
    Endpoint("api:list_programmes", role="office", api=True, lists=True),
    Endpoint(
        "api:create_programme",
        "post",
        role="office",
        api=True,
        lists=True,
        payload={"organisation": "{commune}", "name": "Đề án 204"},
    ),
    Endpoint("api:task_figures", role="leader", target="org", api=True),
    Endpoint("api:get_task", role="office", target="task", api=True),
    Endpoint("api:list_progress", role="office", target="task", api=True),
    Endpoint("api:report_progress", "post", role="cell_secretary", target="task", api=True),
    Endpoint(
        "api:delegate_task",
        "post",
        role="office",
        target="task",
        api=True,
        payload={"assignees": ["{org}"]},
    ),
    Endpoint("reports:form_list", role="office", lists=True),
    Endpoint("reports:form_create", role="office", lists=True),
    Endpoint(
        "reports:form_create",
        "post",
        role="office",
        lists=True,
        payload={"organisation": "{commune}", "name": "Báo cáo tháng", "code": "bc-thang"},
    ),
    Endpoint("reports:form_detail", role="office", target="form"),
    Endpoint("reports:form_edit", role="office", target="form"),
    Endpoint("reports:form_edit", "post", role="office", target="form", payload={"name": "X"}),
    Endpoint(
        "reports:open_period", "post", role="office", target="form", payload={"start": "2026-04-01"}
    ),
    Endpoint("reports:period", role="office", target="form_period", redirects=True),
    Endpoint("reports:period_node", role="office", target="period"),
    Endpoint("reports:approve_node", "post", role="leader", target="period"),
    Endpoint("reports:period_export", role="office", target="period", kwargs={"fmt": "xlsx"}),
    Endpoint("reports:submission", role="office", target="submission"),
    Endpoint(
        "reports:submission",
        "post",
        role="office",
        target="submission",
        payload={"do": "save", "danh_gia": "Tốt"},
    ),
    Endpoint("reports:approve_submission", "post", role="leader", target="submission"),
    Endpoint(
        "reports:return_submission",
        "post",
        role="leader",
        target="submission",
        payload={"reason": "Thiếu số liệu"},
    ),
    Endpoint(
        "reports:submission_export", role="office", target="submission", kwargs={"fmt": "pdf"}
    ),
    Endpoint("api:list_report_forms", role="office", api=True, lists=True),
    Endpoint(
        "api:create_report_form",
        "post",
        role="office",
        api=True,
        lists=True,
        payload={
            "organisation": "X01",
            "name": "Báo cáo tháng",
            "code": "bc-thang",
            "period_type": "month",
            "obliged_kinds": ["cell"],
            "indicators": API_INDICATORS,
        },
    ),
    Endpoint("api:get_report_form", role="office", target="form", api=True),
    Endpoint(
        "api:update_report_form",
        "put",
        role="office",
        target="form",
        api=True,
        payload={
            "organisation": "X01",
            "name": "Báo cáo quý",
            "code": "bc-quy",
            "period_type": "quarter",
            "obliged_kinds": ["cell"],
            "indicators": API_INDICATORS,
        },
    ),
    Endpoint("api:list_report_periods", role="office", target="form", api=True),
    Endpoint(
        "api:open_report_period",
        "post",
        role="office",
        target="form",
        api=True,
        payload={"start": "2026-04-01"},
    ),
    Endpoint("api:report_aggregate", role="office", target="period", api=True),
    Endpoint("api:approve_report_node", "post", role="leader", target="period", api=True),
    Endpoint("api:list_submissions", role="office", api=True, lists=True),
    Endpoint("api:get_submission", role="office", target="submission", api=True),
    Endpoint(
        "api:save_submission",
        "put",
        role="office",
        target="submission",
        api=True,
        payload={"values": {"danh_gia": "Tốt"}},
    ),
    Endpoint("api:submit_submission", "post", role="office", target="submission", api=True),
    Endpoint("api:approve_submission", "post", role="leader", target="submission", api=True),
    Endpoint(
        "api:return_submission",
        "post",
        role="leader",
        target="submission",
        api=True,
        payload={"reason": "Thiếu số liệu"},
    ),
    Endpoint("handbook:accounts", role="cell_secretary", lists=True),
    Endpoint(
        "handbook:accounts",
        "post",
        role="cell_secretary",
        lists=True,
        payload={"cell": "{cell}", "members": ["{member}"]},
    ),
    Endpoint("handbook:publish", role="office", lists=True),
    Endpoint(
        "handbook:publish",
        "post",
        role="office",
        lists=True,
        payload={"organisation": "{commune}", "kind": "notice", "title": "Thông báo"},
    ),
    Endpoint("handbook:campaigns", role="office", lists=True),
    Endpoint(
        "handbook:campaigns",
        "post",
        role="office",
        lists=True,
        payload={"organisation": "{commune}", "title": "Học tập", "deadline": "01/01/2030"},
    ),
    Endpoint("handbook:campaign_progress", role="office", target="campaign"),
    Endpoint("handbook:committee_threads", role="cell_secretary", lists=True),
    Endpoint("handbook:committee_thread", role="cell_secretary", target="thread"),
    Endpoint(
        "handbook:committee_thread",
        "post",
        role="cell_secretary",
        target="thread",
        payload={"do": "reply", "body": "Đã nhận."},
    ),
    Endpoint("api:list_documents", role="office", api=True, lists=True),
    Endpoint("api:get_inbox", role="office", api=True, lists=True),
    Endpoint("api:list_types", role="office", api=True, lists=True),
    Endpoint("api:list_issuing_bodies", role="office", api=True, lists=True),
    Endpoint("api:get_document", role="office", target="document", api=True),
    Endpoint("api:get_attachment", role="office", target="attachment", api=True),
    Endpoint("api:register_incoming", "post", role="office", api=True, lists=True),
    Endpoint("api:receive_document", "post", role="office", target="document", api=True),
    Endpoint(
        "api:return_document",
        "post",
        role="office",
        target="document",
        api=True,
        payload={"reason": "Gửi nhầm"},
    ),
    Endpoint(
        "api:assign_document",
        "post",
        role="leader",
        target="document",
        api=True,
        payload={"handlers": [{"username": "khong.ai", "role": "lead"}]},
    ),
    Endpoint("api:record_progress", "post", target="document", api=True),
    Endpoint("api:close_document", "post", role="leader", target="document", api=True),
    Endpoint("api:create_draft", "post", api=True, lists=True),
    Endpoint(
        "api:edit_draft", "patch", target="draft", api=True, payload={"summary": "Về việc khác"}
    ),
    Endpoint("api:edit_draft_with_files", "post", target="draft", api=True),
    Endpoint("api:attach_files", "post", role="office", target="document", api=True),
    Endpoint("api:submit_draft", "post", target="draft", api=True),
    Endpoint("api:review_draft", "post", target="draft", api=True, payload={"approve": True}),
    Endpoint("api:sign_document", "post", role="leader", target="draft", api=True),
    Endpoint("api:issue_document", "post", role="office", target="draft", api=True),
    Endpoint(
        "api:send_document",
        "post",
        role="office",
        target="draft",
        api=True,
        payload={"recipients": ["T01"]},
    ),
    Endpoint(
        "api:recall_document",
        "post",
        role="office",
        target="draft",
        api=True,
        payload={"recipient": "T01"},
    ),
    Endpoint(
        "api:grant_access",
        "post",
        role="office",
        target="document",
        api=True,
        payload={"username": "khong.ai"},
    ),
    Endpoint("meetings:list", role="leader", lists=True),
    Endpoint("meetings:new", role="cell_secretary", lists=True),
    Endpoint("meetings:new", "post", role="cell_secretary", lists=True, payload=UI_MEETING),
    Endpoint("meetings:rates", role="leader", lists=True),
    Endpoint("meetings:rates_cell", role="leader", target="org"),
    Endpoint("meetings:detail", role="leader", target="meeting"),
    Endpoint("meetings:minutes_pdf", role="leader", target="meeting"),
    Endpoint("meetings:material", role="leader", target="material"),
    Endpoint(
        "meetings:edit",
        "post",
        role="cell_secretary",
        target="meeting",
        payload={
            "kind": "regular",
            "title": "Đổi tên",
            "date": "01/01/2030",
            "time": "19:30",
            "place": "Hội trường",
        },
    ),
    Endpoint("meetings:materials", "post", role="cell_secretary", target="meeting"),
    Endpoint("meetings:material_remove", "post", role="cell_secretary", target="material"),
    Endpoint("meetings:publish", "post", role="cell_secretary", target="meeting"),
    Endpoint("meetings:open", "post", role="cell_secretary", target="meeting"),
    Endpoint("meetings:close", "post", role="cell_secretary", target="meeting"),
    Endpoint(
        "meetings:cancel",
        "post",
        role="cell_secretary",
        target="meeting",
        payload={"reason": "Trùng lịch"},
    ),
    Endpoint("meetings:attendance_check_in", "post", role="cell_secretary", target="attendee"),
    Endpoint(
        "meetings:attendance_leave",
        "post",
        role="cell_secretary",
        target="attendee",
        payload={"reason": "Ốm"},
    ),
    Endpoint(
        "meetings:minutes",
        "post",
        role="cell_secretary",
        target="meeting",
        payload={"chair": "Nguyễn Văn Hùng", "minutes_resolution": "Thống nhất"},
    ),
    Endpoint("meetings:minutes_finalise", "post", role="cell_secretary", target="meeting"),
    Endpoint("api:list_meetings", role="leader", api=True, lists=True),
    Endpoint(
        "api:schedule_meeting",
        "post",
        role="cell_secretary",
        api=True,
        lists=True,
        payload=API_MEETING,
    ),
    Endpoint("api:meeting_rates", role="leader", target="org", api=True),
    Endpoint("api:get_meeting", role="leader", target="meeting", api=True),
    Endpoint("api:meeting_attendance", role="leader", target="meeting", api=True),
    Endpoint("api:meeting_minutes", role="leader", target="meeting", api=True),
    Endpoint("api:add_materials", "post", role="cell_secretary", target="meeting", api=True),
    Endpoint("api:publish_meeting", "post", role="cell_secretary", target="meeting", api=True),
    Endpoint("api:open_meeting", "post", role="cell_secretary", target="meeting", api=True),
    Endpoint("api:close_meeting", "post", role="cell_secretary", target="meeting", api=True),
    Endpoint(
        "api:cancel_meeting",
        "post",
        role="cell_secretary",
        target="meeting",
        api=True,
        payload={"reason": "Trùng lịch"},
    ),
    Endpoint(
        "api:check_in_member",
        "post",
        role="cell_secretary",
        target="meeting",
        api=True,
        payload={"member": "{member}"},
    ),
    Endpoint(
        "api:record_minutes",
        "put",
        role="cell_secretary",
        target="meeting",
        api=True,
        payload={"chair": "Nguyễn Văn Hùng"},
    ),
    Endpoint("api:finalise_minutes", "post", role="cell_secretary", target="meeting", api=True),
]

# Open to everyone, or only about the caller's own session: no organisation's data.
PUBLIC = {
    "accounts:login", "accounts:logout", "accounts:mfa", "accounts:password_change",
    "accounts:password_changed", "set_language", "api:openapi-json", "api:openapi-view",
    "api:api-root", "", "core:notifications",
    "handbook:activate", "handbook:manifest", "handbook:service_worker", "handbook:offline",
    "handbook:card_verify", "handbook:card_keys", "handbook:card_public_key",
    "handbook:card_revocations",
}  # fmt: skip
# The URL argument naming each kind of target in the API.
API_KEYS = {
    "member": "member_id", "document": "document_id", "draft": "document_id", "task": "task_id",
    "form": "form_id", "submission": "submission_id", "meeting": "meeting_id",
}  # fmt: skip


def test_every_endpoint_is_in_the_matrix():
    from dangso.handbook.tests.test_portal_scope import portal_names

    # Member portal pages have their own matrix (members of two cells, not roles); each app's
    # own matrix (`<app>/tests/test_matrix.py`) covers its endpoints.
    covered = {endpoint.name for endpoint in ENDPOINTS} | PUBLIC | portal_names()
    for matrix in app_matrices():
        covered |= {endpoint.name for endpoint in matrix.ENDPOINTS}
        covered |= set(getattr(matrix, "PUBLIC", ()))
    assert sorted(set(url_names()) - covered) == []


@pytest.fixture
def world(tree, settings, tmp_path):
    """A target member and cell in commune A; the callers' roles at A or at B."""
    target = MemberFactory(
        organisation=tree["a1"], full_name=SECRET_NAME, sex="F",
        date_of_birth=datetime.date(1985, 6, 1), cccd=SECRET_CCCD,
    )  # fmt: skip
    MemberFactory(organisation=tree["b1"], full_name="Đinh Văn Bình")
    # A likely duplicate of the target in commune A, for the data-quality queue.
    twin = MemberFactory(
        organisation=tree["a2"], full_name="Quach Thi Dieu Linh", sex="F",
        date_of_birth=target.date_of_birth, cccd=None,
    )  # fmt: skip
    pair = DuplicateCandidate.objects.create(
        member_a=target, member_b=twin, score=0.9, reasons=["same_name"], found_at=target.updated_at
    )
    return {
        "tree": tree, "member": target, "org": tree["a1"], "pair": pair,
        "import": _checked_import(tree["a"], settings, tmp_path),
        **_documents(tree["a"]),
        **_tasks(tree),
        **_reports(tree),
        **_handbook(tree, target),
        **_meetings(tree, settings),
    }  # fmt: skip


def _documents(commune):
    """An incoming document of commune A whose summary names the secret member, and a draft."""
    from dangso.documents import actions as document_actions
    from dangso.testing.documents import doc_type, make_office, pdf_bytes

    office = make_office(commune, prefix="matrix")
    actor = Actor.system("test")
    document = document_actions.register_incoming(
        {"document_type": doc_type("CV"), "issuer_name": "Ban Tổ chức Tỉnh ủy",
         "summary": f"Về việc chuyển sinh hoạt của đồng chí {SECRET_NAME}"},
        organisation=commune, actor=actor,
        uploads=[document_actions.Upload("cong-van.pdf", pdf_bytes(SECRET_NAME))],
    )  # fmt: skip
    draft = document_actions.draft(
        {"document_type": doc_type("BC"), "issuing_body": office.committee,
         "summary": "Báo cáo tháng"},
        organisation=commune, actor=actor,
    )  # fmt: skip
    return {
        "document": document, "draft": draft, "attachment": document.attachments.get(),
        "commune": commune, "type": doc_type("CV"), "body": office.committee,
    }  # fmt: skip


def _tasks(tree):
    """A task of commune A handed down to its cell a1, whose evidence names the secret member."""
    from dangso.followup import actions as task_actions
    from dangso.testing.documents import pdf_bytes

    actor = Actor.system("test")
    task = task_actions.assign(
        {"title": f"Kiểm tra hồ sơ của đồng chí {SECRET_NAME}", "deadline": IN_A_WEEK},
        organisation=tree["a"], assignees=[tree["a1"]], actor=actor,
    )  # fmt: skip
    cell_task = task.children.get()
    update = task_actions.report_progress(
        cell_task, percent=10, note=SECRET_NAME, actor=actor,
        uploads=[task_actions.Upload("minh-chung.pdf", pdf_bytes(SECRET_NAME))],
    )  # fmt: skip
    return {"task": cell_task, "evidence": update.evidence.get()}


def _handbook(tree, member):
    """A study campaign of commune A, and the secret member's question to cell a1's
    committee."""
    from dangso.core.files import Upload
    from dangso.handbook import actions as handbook_actions
    from dangso.testing.documents import pdf_bytes

    actor = Actor.system("test")
    material = handbook_actions.publish(
        {"title": "Nghị quyết Đại hội", "kind": "resolution"}, organisation=tree["a"],
        actor=actor, upload=Upload("nq.pdf", pdf_bytes("Nghị quyết")),
    )  # fmt: skip
    campaign = handbook_actions.open_campaign(
        {"title": "Học tập Nghị quyết", "deadline": TODAY + datetime.timedelta(days=30)},
        organisation=tree["a"], materials=[material], actor=actor,
    )  # fmt: skip
    thread = handbook_actions.open_thread(
        member, {"kind": "question", "subject": "Hỏi về đảng phí", "body": SECRET_NAME},
        actor=actor,
    )  # fmt: skip
    return {"campaign": campaign, "thread": thread, "member_record": member}


def _meetings(tree, settings):
    """Cell a1's meeting in session, its material, the secret member on its roll."""
    from dangso.meetings import actions as meeting_actions
    from dangso.testing.documents import pdf_bytes

    settings.DANGSO_MEETING_MATERIALS_HOURS = 0
    actor = Actor.system("test")
    meeting = meeting_actions.schedule(
        {"title": "Sinh hoạt chi bộ tháng này", "place": "Nhà văn hóa", "agenda": SECRET_NAME,
         "starts_at": timezone.now() + datetime.timedelta(minutes=30)},
        cell=tree["a1"], actor=actor,
    )  # fmt: skip
    meeting_actions.add_materials(
        meeting, [meeting_actions.Upload("tai-lieu.pdf", pdf_bytes(SECRET_NAME))], actor=actor
    )
    meeting_actions.publish(meeting, actor=actor)
    meeting_actions.open_meeting(meeting, actor=actor)
    return {"meeting": meeting, "material": meeting.materials.get()}


def _reports(tree):
    """Commune A's quarterly report form for its cells, opened; cell a1's draft names the
    secret member."""
    from dangso.reports import actions as report_actions
    from dangso.reports.actions import FormSpec, IndicatorSpec
    from dangso.reports.choices import IndicatorKind

    actor = Actor.system("test")
    form = report_actions.save_form(
        None,
        FormSpec(name="Báo cáo sinh hoạt chi bộ", code="sinh-hoat", period_type="quarter",
                 due_days=10, obliged_kinds=["cell"]),
        [IndicatorSpec("so_buoi", "Số buổi sinh hoạt", IndicatorKind.NUMBER),
         IndicatorSpec("danh_gia", "Đánh giá chung", IndicatorKind.TEXT)],
        owner=tree["a"], actor=actor,
    )  # fmt: skip
    start = datetime.date(2026, 1, 1)
    report_actions.open_period(form, start, actor)
    submission = form.submissions.get(organisation=tree["a1"])
    report_actions.save_draft(submission, {"so_buoi": "3", "danh_gia": SECRET_NAME}, actor)
    return {"form": form, "submission": submission, "period_start": start}


def _checked_import(organisation, settings, tmp_path):
    """Someone's checked member list for commune A, its report naming the secret member."""
    import io

    from django.core.files.base import ContentFile

    from dangso.imports.models import ImportFormat, ImportStatus, MemberImport
    from dangso.imports.report import write_report

    settings.MEDIA_ROOT = tmp_path / "media"
    error = [3, "Giới tính", SECRET_NAME, "?"]
    job = MemberImport(
        user=UserFactory(), organisation=organisation, original_name="danh-sach.csv",
        format=ImportFormat.CSV, headers=["Họ và tên"], mapping={"full_name": 0},
        status=ImportStatus.REPORTED, rows=2, valid=1, bad=1, errors_sample=[error],
    )  # fmt: skip
    out = io.BytesIO()
    write_report([tuple(error)], out)
    job.report.save("loi.xlsx", ContentFile(out.getvalue()), save=False)
    job.save()
    return job


def _with_special_kwargs(endpoint):
    """Targets named by two ids in their URL."""
    target = endpoint.target

    def kwargs(world):
        if target == "attachment":
            key = "document_id" if endpoint.api else "pk"
            return {key: world["document"].pk, "attachment_id": world["attachment"].pk}
        if target == "evidence":
            return {"pk": world["task"].pk, "evidence_id": world["evidence"].pk}
        if target in ("period", "form_period"):
            found = {"form_id" if endpoint.api else "pk": world["form"].pk,
                     "start": world["period_start"].isoformat()}  # fmt: skip
            if target == "period":
                found["org_id"] = world["commune"].pk
            return found
        second = ("material_id", world["material"]) if target == "material" else (
            "member_id", world["member"])  # fmt: skip
        return {"pk": world["meeting"].pk, second[0]: second[1].pk}

    if target in ("attachment", "evidence", "period", "form_period", "material", "attendee"):
        return dataclasses.replace(endpoint, url_kwargs=kwargs)
    return endpoint


def _state():
    from dangso.documents.models import Assignment, Attachment, Document, Grant, IssuingBody
    from dangso.followup.models import Programme, ProgressUpdate, Task, TaskGrant
    from dangso.handbook.models import ActivationCode, Message, Publication, StudyCampaign
    from dangso.imports.models import MemberImport
    from dangso.meetings.models import Attendance, Material, Meeting
    from dangso.reports.models import NodeApproval, ReportForm, Submission, SubmissionValue

    return (
        sorted(Meeting.objects.values_list("cell_id", "status", "title", "chair", "minutes_final")),
        Material.objects.count(),
        sorted(Attendance.objects.values_list("member_id", "response", "reason", "checked_in_at")),
        sorted(MemberImport.objects.values_list("pk", "status", "mode", "mapping")),
        Member.objects.count(),
        MemberEvent.objects.count(),
        AuditEntry.objects.exclude(action__in=["token.create", "member.view"]).count(),
        Organisation.objects.count(),
        OrganisationVersion.objects.count(),
        RoleAssignment.objects.count(),
        sorted(DuplicateCandidate.objects.values_list("status", flat=True)),
        sorted(Member.objects.values_list("full_name", "status", "phone", "organisation_id")),
        sorted(Organisation.objects.values_list("name", "status", "parent_id")),
        sorted(Document.objects.values_list("organisation_id", "status", "summary")),
        Attachment.objects.count(),
        Assignment.objects.count(),
        Grant.objects.count(),
        sorted(IssuingBody.objects.values_list("organisation_id", "symbol", "active")),
        sorted(Task.objects.values_list("organisation_id", "progress", "parent_id")),
        ProgressUpdate.objects.count(),
        Programme.objects.count(),
        TaskGrant.objects.count(),
        sorted(ReportForm.objects.values_list("organisation_id", "name", "code")),
        sorted(Submission.objects.values_list("organisation_id", "status", "return_reason")),
        sorted(
            SubmissionValue.objects.values_list("submission_id", "indicator_id", "number", "text")
        ),
        NodeApproval.objects.count(),
        ActivationCode.objects.count(),
        sorted(Publication.objects.values_list("organisation_id", "title", "withdrawn_at")),
        StudyCampaign.objects.count(),
        Message.objects.count(),
    )


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda endpoint: endpoint.id)
def test_permission_matrix(caller, endpoint, world):
    run_case(
        caller, _with_special_kwargs(endpoint), world, _state, api_keys=API_KEYS,
        extra_check=_export_hides_the_secret,
    )  # fmt: skip


def _export_hides_the_secret(endpoint, response):
    if endpoint.name == "members:export":
        assert SECRET_NAME.encode() not in _xlsx_text(response)


def _xlsx_text(response) -> bytes:
    import io

    from openpyxl import load_workbook

    content = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    return " ".join(str(cell) for row in sheet.iter_rows(values_only=True) for cell in row).encode()
