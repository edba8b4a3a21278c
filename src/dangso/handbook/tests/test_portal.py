import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from dangso.core.audit import Actor
from dangso.core.files import Upload
from dangso.core.models import AuditEntry, Notification
from dangso.handbook import actions, study
from dangso.handbook.models import Publication, ReadingMark, StudyRecord, Thread
from dangso.testing.documents import pdf_bytes

pytestmark = pytest.mark.django_db


def _publish(org, user, title, text="Nội dung nghị quyết"):
    return actions.publish(
        {"title": title, "kind": "resolution"},
        organisation=org,
        actor=Actor(user.pk, user.username),
        upload=Upload("nghi-quyet.pdf", pdf_bytes(text)),
    )


def test_library_shows_what_the_cell_and_the_levels_above_published(
    office_client, member_client, other_client, people, tree
):
    # The commune office publishes through its page; a bad upload is refused, nothing stored.
    bad = office_client.post(
        reverse("handbook:publish"),
        {
            "organisation": tree["a"].pk,
            "kind": "resolution",
            "title": "Nghị quyết Đại hội",
            "upload": SimpleUploadedFile("nq.pdf", b"not a pdf", "application/pdf"),
        },
    )
    assert bad.status_code == 200 and not Publication.objects.exists()
    good = office_client.post(
        reverse("handbook:publish"),
        {
            "organisation": tree["a"].pk,
            "kind": "resolution",
            "title": "Nghị quyết Đại hội Đảng bộ xã Yên Phong",
            "upload": SimpleUploadedFile("nq.pdf", pdf_bytes("chuyển đổi số"), "application/pdf"),
        },
    )
    assert good.status_code == 302
    _publish(tree["province"], people["office"], "Chỉ thị của Tỉnh ủy về học tập")
    _publish(tree["b"], people["office"], "Thông báo riêng của phường Kinh Bắc")
    mine = member_client.get(reverse("handbook:library")).content.decode()
    assert "Nghị quyết Đại hội Đảng bộ xã Yên Phong" in mine
    assert "Chỉ thị của Tỉnh ủy" in mine and "phường Kinh Bắc" not in mine
    theirs = other_client.get(reverse("handbook:library")).content.decode()
    assert "Yên Phong" not in theirs and "phường Kinh Bắc" in theirs
    # Search without diacritics finds words of the file's text too.
    found = member_client.get(reverse("handbook:library"), {"q": "chuyen doi so"})
    assert "Yên Phong" in found.content.decode()
    assert "Tỉnh ủy" not in found.content.decode()
    # The member of b1 never reaches a1's document, nor its file.
    commune_doc = Publication.objects.get(organisation=tree["a"])
    assert (
        other_client.get(reverse("handbook:publication", args=[commune_doc.pk])).status_code == 404
    )
    assert (
        other_client.get(reverse("handbook:publication_file", args=[commune_doc.pk])).status_code
        == 404
    )


def test_reading_bookmarking_and_the_pdf_in_the_page(member_client, people, tree):
    item = _publish(tree["province"], people["office"], "Nghị quyết số 57-NQ/TW")
    home = member_client.get(reverse("handbook:home")).content.decode()
    assert "Nghị quyết số 57-NQ/TW" in home  # new, unread
    page = member_client.get(reverse("handbook:publication", args=[item.pk]))
    assert page.status_code == 200 and b"<iframe" in page.content
    assert ReadingMark.objects.get(publication=item).read_at is not None
    pdf = member_client.get(reverse("handbook:publication_file", args=[item.pk]))
    assert pdf.content.startswith(b"%PDF") and pdf["X-Frame-Options"] == "SAMEORIGIN"
    member_client.post(reverse("handbook:publication_mark", args=[item.pk]), {"do": "bookmark"})
    marked = member_client.get(reverse("handbook:library"), {"only": "bookmarked"})
    assert "57-NQ/TW" in marked.content.decode()
    unread = member_client.get(reverse("handbook:library"), {"only": "unread"})
    assert "57-NQ/TW" not in unread.content.decode()
    assert (
        member_client.post(
            reverse("handbook:publication_mark", args=[item.pk]), {"do": "nonsense"}
        ).status_code
        == 400
    )


def test_publishing_tells_the_members_and_classified_documents_never_go(
    people, tree, member_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        item = _publish(tree["a"], people["office"], "Kế hoạch học tập")
    people["member"].refresh_from_db()
    assert Notification.objects.filter(
        user=people["member"].user, key=f"publication:{item.pk}"
    ).exists()
    from django.core.exceptions import ValidationError

    from dangso.documents import actions as document_actions
    from dangso.testing.documents import doc_type

    secret = document_actions.register_incoming(
        {"document_type": doc_type("CV"), "issuer_name": "Ban Tổ chức", "summary": "Về việc X"},
        organisation=tree["a"],
        actor=Actor.system("test"),
    )
    secret.classification = "mat"
    with pytest.raises(ValidationError):
        actions.publish(
            {"kind": "other"}, organisation=tree["a"], document=secret, actor=Actor.system("test")
        )


def test_study_campaign_reflection_and_completion_per_cell(
    member_client, people, tree, office_client
):
    item = _publish(tree["a"], people["office"], "Tài liệu học tập Nghị quyết 57")
    deadline = (datetime.date.today() + datetime.timedelta(days=14)).strftime("%d/%m/%Y")
    response = office_client.post(
        reverse("handbook:campaigns"),
        {
            "organisation": tree["a"].pk,
            "title": "Học tập Nghị quyết 57-NQ/TW",
            "materials": [item.pk],
            "deadline": deadline,
            "reflection_required": "on",
        },
    )
    assert response.status_code == 302
    campaign = item.studycampaign_set.get()
    url = reverse("handbook:campaign", args=[campaign.pk])
    assert (
        "Học tập Nghị quyết 57-NQ/TW"
        in member_client.get(reverse("handbook:study")).content.decode()
    )
    short = member_client.post(url, {"reflection": "Tốt."})
    assert short.status_code == 422 and not StudyRecord.objects.exists()
    text = "Nghị quyết mở ra cơ hội chuyển đổi số; chi bộ sẽ số hóa hồ sơ trong quý tới."
    assert member_client.post(url, {"reflection": text}).status_code == 302
    rows = {row.cell.code: row for row in study.completion_by_cell(campaign)}
    assert rows["X01C1"].done == 1 and rows["X01C1"].members == 1 and rows["X01C1"].percent == 100
    progress = office_client.get(
        reverse("handbook:campaign_progress", args=[campaign.pk]), {"cell": tree["a1"].pk}
    ).content.decode()
    assert people["member"].full_name in progress and "chuyển đổi số" in progress


def test_a_question_is_answered_and_a_correction_changes_the_record_only_when_approved(
    member_client, secretary_client, people
):
    member = people["member"]
    asked = member_client.post(
        reverse("handbook:thread_new"),
        {"kind": "question", "subject": "Lịch nộp đảng phí", "body": "Tháng này nộp khi nào ạ?"},
    )
    thread = Thread.objects.get()
    assert asked.status_code == 302
    secretary_client.post(
        reverse("handbook:committee_thread", args=[thread.pk]),
        {"do": "reply", "body": "Nộp tại buổi sinh hoạt ngày 5."},
    )
    home = member_client.get(reverse("handbook:home")).content.decode()
    assert "Lịch nộp đảng phí" in home  # an unread answer
    page = member_client.get(reverse("handbook:thread", args=[thread.pk])).content.decode()
    assert "Nộp tại buổi sinh hoạt ngày 5." in page
    # A correction with a bad phone number is refused at once, nothing sent.
    bad = member_client.post(
        reverse("handbook:thread_new"),
        {"kind": "correction", "field": "phone", "requested_value": "12ab", "body": "Số mới"},
    )
    assert bad.status_code == 422 and Thread.objects.count() == 1
    member_client.post(
        reverse("handbook:thread_new"),
        {
            "kind": "correction",
            "field": "phone",
            "requested_value": "0912345678",
            "body": "Tôi đã đổi số điện thoại.",
        },
    )
    correction = Thread.objects.get(kind="correction")
    member.refresh_from_db()
    assert member.phone != "0912345678"  # not before approval
    refused = secretary_client.post(
        reverse("handbook:committee_thread", args=[correction.pk]),
        {"do": "decide", "decision": "refuse", "note": ""},
    )
    assert refused.status_code == 422  # a refusal needs its reason
    secretary_client.post(
        reverse("handbook:committee_thread", args=[correction.pk]),
        {"do": "decide", "decision": "approve", "note": ""},
    )
    member.refresh_from_db()
    assert member.phone == "0912345678"
    assert AuditEntry.objects.filter(action="member.update", object_id=str(member.pk)).exists()
    assert AuditEntry.objects.filter(action="handbook.correction").exists()


def test_members_see_only_their_own_threads_and_reflections(member_client, other_client, people):
    member_client.post(
        reverse("handbook:thread_new"),
        {"kind": "opinion", "subject": "Góp ý", "body": "Nên họp sớm hơn."},
    )
    thread = Thread.objects.get()
    assert other_client.get(reverse("handbook:thread", args=[thread.pk])).status_code == 404
    assert "Góp ý" not in other_client.get(reverse("handbook:threads")).content.decode()
    assert (
        other_client.post(reverse("handbook:thread", args=[thread.pk]), {"body": "x"}).status_code
        == 404
    )


def test_officials_without_a_member_record_cannot_use_the_portal(office_client):
    assert office_client.get(reverse("handbook:home")).status_code == 403
    assert Client().get(reverse("handbook:home")).status_code == 302  # to sign in


def test_usage_figures(member_client, people, tree):
    total, children = study.usage(tree["province"])
    assert total.members == 2 and total.activated == 1 and total.active == 1
    by_unit = {row.organisation.code: row for row in children}
    assert by_unit["X01"].percent_activated == 100 and by_unit["X02"].percent_activated == 0


def test_the_app_installs(client):
    manifest = client.get(reverse("handbook:manifest")).json()
    assert manifest["display"] == "standalone" and any(
        i["sizes"] == "512x512" for i in manifest["icons"]
    )
    worker = client.get(reverse("handbook:service_worker"))
    assert worker["Content-Type"].startswith("application/javascript")
    assert b"dangso-saved" in worker.content and b"/handbook/offline/" in worker.content


def test_api_for_the_members_own_apps(people, tree, token_client):
    from dangso.handbook.tests.conftest import activated

    activated(people["member"], people["secretary"])
    activated(people["other"], people["secretary"])
    people["member"].refresh_from_db()
    people["other"].refresh_from_db()
    item = _publish(tree["a"], people["office"], "Nghị quyết của Đảng ủy xã")
    api = token_client(people["member"].user)
    assert api.get("/api/v1/handbook/me").json()["card_number"] == "12345678"
    listing = api.get("/api/v1/handbook/library", {"q": "dang uy"}).json()
    assert [row["id"] for row in listing["items"]] == [item.pk]
    assert api.get(f"/api/v1/handbook/library/{item.pk}").json()["is_read"] is True
    bad = api.post(
        "/api/v1/handbook/threads",
        {"kind": "nonsense", "body": ""},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "kind" in bad.json()["errors"]
    made = api.post(
        "/api/v1/handbook/threads",
        {"kind": "question", "subject": "Hỏi", "body": "Khi nào họp?"},
        content_type="application/json",
    )
    assert made.status_code == 201
    other = token_client(people["other"].user)
    assert other.get(f"/api/v1/handbook/library/{item.pk}").status_code == 404
    assert (
        other.post(
            f"/api/v1/handbook/threads/{made.json()['id']}",
            {"body": "x"},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert token_client(people["office"]).get("/api/v1/handbook/me").status_code == 403


def test_a_large_audience_is_told_by_a_job_and_campaigns_tell_everyone(
    people, tree, member_client, monkeypatch, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    from dangso.handbook.tasks import tell_subtree_task

    people["member"].refresh_from_db()
    monkeypatch.setattr(actions, "NOTIFY_INLINE_LIMIT", 0)  # every audience counts as large
    with django_capture_on_commit_callbacks(execute=True):
        item = _publish(tree["province"], people["office"], "Nghị quyết của Tỉnh ủy")
    assert not Notification.objects.filter(key=f"publication:{item.pk}").exists()
    job = DBTaskResult.objects.get()
    assert job.args_kwargs["args"][0] == tree["province"].pk
    told = tell_subtree_task.call(*job.args_kwargs["args"], **job.args_kwargs["kwargs"])
    assert told == 1
    assert Notification.objects.filter(
        user=people["member"].user, key=f"publication:{item.pk}"
    ).exists()
    monkeypatch.setattr(actions, "NOTIFY_INLINE_LIMIT", 2_000)
    with django_capture_on_commit_callbacks(execute=True):
        campaign = actions.open_campaign(
            {"title": "Học tập Nghị quyết", "deadline": datetime.date.today()},
            organisation=tree["a"],
            materials=[item],
            actor=Actor.system("test"),
        )
    assert Notification.objects.filter(
        user=people["member"].user, key=f"campaign:{campaign.pk}"
    ).exists()
