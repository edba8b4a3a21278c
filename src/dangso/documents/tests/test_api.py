"""The documents API: the whole journey, scope, classified documents, capabilities, bad input.

Files are real (WeasyPrint PDFs, a DOCX built part by part) and signatures are made with the
local test PKI. Assertions look at fields and error keys rather than wording, which the
catalogue translates.
"""

import base64
import hashlib
import urllib.parse
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from dangso.core.audit import Actor
from dangso.core.files import Upload
from dangso.core.models import AuditEntry
from dangso.core.pki import PASSPHRASE, local_pki
from dangso.documents import actions
from dangso.documents.actions import Handler
from dangso.documents.models import Attachment, Document, DocumentEvent, Grant
from dangso.documents.tests.test_files import make_docx
from dangso.testing.documents import doc_type, make_office, pdf_bytes
from dangso.testing.factories import UserFactory

API = "/api/v1/documents"
KEY = base64.b64encode(bytes(range(32))).decode()
PDF_NAME = "Công văn số 12 về chuyển đổi số.pdf"


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    """Files of each test in their own directory; the test CA is a trust anchor."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.DANGSO_FILE_KEY = KEY
    settings.DANGSO_UPLOAD_MAX_MB = 5
    settings.DANGSO_MAX_CLASSIFICATION = "mat"
    anchors = tmp_path / "anchors"
    anchors.mkdir()
    root = local_pki().root.cert.public_bytes(serialization.Encoding.PEM)
    (anchors / "ca.pem").write_bytes(root)
    settings.DANGSO_TRUST_ANCHORS_DIR = str(anchors)
    return tmp_path


@pytest.fixture
def offices(tree):
    return {
        "a": make_office(tree["a"]),
        "b": make_office(tree["b"]),
        "province": make_office(tree["province"]),
    }


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return pdf_bytes("Công văn về việc học tập nghị quyết")


def _file(content: bytes, name: str = PDF_NAME) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def _ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content[:1000]
    return response.json()


def _ids(response) -> list[int]:
    return [item["id"] for item in _ok(response)["items"]]


def _state():
    """Everything a refused request must leave as it was."""
    return (
        list(Document.objects.order_by("pk").values()),
        list(Attachment.objects.order_by("pk").values_list("pk", "current", "sha256")),
        DocumentEvent.objects.count(),
        Grant.objects.count(),
        AuditEntry.objects.exclude(action="token.create").count(),
    )


def _incoming_form(organisation: str = "X01", **overrides) -> dict:
    return {
        "organisation": organisation,
        "document_type": "CV",
        "symbol": "12-CV/BTG",
        "issuer_name": "Ban Tuyên giáo Tỉnh ủy",
        "issued_on": "2025-10-01",
        "summary": "Về việc học tập, quán triệt nghị quyết",
        **overrides,
    }


def _register(office, content: bytes, **fields) -> Document:
    """An incoming document in `office`'s register, made by the action itself."""
    data = {
        "document_type": doc_type("CV"),
        "issuer_name": "Ban Tổ chức Tỉnh ủy",
        "summary": "Về việc rà soát đảng viên",
        **fields,
    }
    return actions.register_incoming(
        data,
        organisation=office.organisation,
        uploads=[Upload("rà soát.pdf", content)],
        actor=Actor.for_user(office.clerk),
    )


# --- the journey ----------------------------------------------------------------------------


def test_journey_from_commune_to_province(offices, token_client, pdf, tree):
    """A commune registers, assigns and answers a document; the province receives the answer."""
    commune, province = offices["a"], offices["province"]
    clerk, leader = token_client(commune.clerk), token_client(commune.leader)
    handler = token_client(commune.handler)

    incoming = _ok(clerk.post(f"{API}/incoming", {**_incoming_form(), "files": [_file(pdf)]}), 201)
    assert incoming["status"] == "registered"
    assert incoming["register_number"] == 1
    assert incoming["document_type"]["abbreviation"] == "CV"
    [attachment] = incoming["attachments"]
    assert attachment["name"] == PDF_NAME
    assert attachment["sha256"] == hashlib.sha256(pdf).hexdigest()
    assert attachment["size"] == len(pdf)
    assert attachment["signature"] is None
    assert any(
        item["id"] == incoming["id"] for item in _ok(leader.get(f"{API}/inbox"))["to_assign"]
    )

    assigned = _ok(
        leader.post(
            f"{API}/{incoming['id']}/assign",
            {"handlers": [{"username": commune.handler.username, "role": "lead"}],
             "note": "Đồng chí chủ trì trả lời"},
            content_type="application/json",
        )
    )  # fmt: skip
    assert assigned["status"] == "assigned"
    assert [a["user"]["username"] for a in assigned["assignments"]] == [commune.handler.username]
    inbox = _ok(handler.get(f"{API}/inbox"))
    assert [item["document"]["id"] for item in inbox["to_handle"]] == [incoming["id"]]

    draft = _ok(
        handler.post(
            f"{API}/drafts",
            {
                "organisation": "X01",
                "document_type": "BC",
                "issuing_body": commune.committee.pk,
                "place": "Yên Phong",
                "summary": "Báo cáo kết quả học tập nghị quyết",
                "recipients": "- Ban Thường vụ Tỉnh ủy;\n- Lưu Văn phòng.",
                "replies_to": incoming["id"],
                "files": [_file(pdf_bytes("Báo cáo kết quả"), "Báo cáo.pdf")],
            },
        ),
        201,
    )
    assert (draft["status"], draft["direction"]) == ("draft", "out")
    assert draft["replies_to_id"] == incoming["id"]

    submitted = _ok(
        handler.post(
            f"{API}/{draft['id']}/submit",
            {"reviewers": [commune.leader.username]},
            content_type="application/json",
        )
    )
    assert submitted["status"] == "in_review"
    assert [r["decision"] for r in submitted["reviews"]] == [""]

    approved = _ok(
        leader.post(
            f"{API}/{draft['id']}/review", {"approve": True}, content_type="application/json"
        )
    )
    assert approved["status"] == "approved"

    p12 = local_pki().signer.pkcs12()
    signed = _ok(
        leader.post(
            f"{API}/{draft['id']}/sign",
            {"p12": _file(p12, "chu-ky.p12"), "passphrase": PASSPHRASE, "title": "Bí thư"},
        )
    )
    assert signed["status"] == "signed"
    current = [a for a in signed["attachments"] if a["current"]]
    assert len(current) == 1 and len(signed["attachments"]) == 2
    assert current[0]["signature"]["status"] == "valid"
    assert current[0]["signature"]["signatures"][0]["signer_name"] == "Nguyễn Văn Đức"

    issued = _ok(clerk.post(f"{API}/{draft['id']}/issue"))
    assert (issued["status"], issued["symbol"], issued["number"]) == ("issued", "01-BC/ĐU", 1)
    answered = _ok(clerk.get(f"{API}/{incoming['id']}"))
    assert answered["status"] == "answered"

    sent = _ok(
        clerk.post(
            f"{API}/{draft['id']}/send", {"recipients": ["T01"]}, content_type="application/json"
        )
    )
    assert sent["status"] == "sent"
    assert [(d["recipient"]["code"], d["status"]) for d in sent["deliveries"]] == [("T01", "sent")]

    province_clerk = token_client(province.clerk)
    waiting = _ok(province_clerk.get(f"{API}/inbox"))["to_receive"]
    assert [item["symbol"] for item in waiting] == ["01-BC/ĐU"]
    received = _ok(province_clerk.post(f"{API}/{waiting[0]['id']}/receive"))
    assert (received["status"], received["register_number"]) == ("registered", 1)
    assert received["organisation"]["code"] == "T01"

    register = _ok(province_clerk.get(f"{API}/", {"direction": "in", "organisation": "T01"}))
    assert [item["id"] for item in register["items"]] == [received["id"]]
    delivered = _ok(clerk.get(f"{API}/{draft['id']}"))["deliveries"]
    assert [d["status"] for d in delivered] == ["received"]

    # The province reads the signed file the commune issued, byte for byte.
    [file] = [a for a in received["attachments"] if a["current"]]
    response = province_clerk.get(f"{API}/{received['id']}/attachments/{file['id']}")
    assert response.status_code == 200
    assert hashlib.sha256(response.content).hexdigest() == current[0]["sha256"]


# --- reading --------------------------------------------------------------------------------


def test_download_names_the_file_in_vietnamese(offices, token_client, pdf):
    document = _register(offices["a"], pdf)
    attachment = document.attachments.get()
    response = token_client(offices["a"].clerk).get(
        f"{API}/{document.pk}/attachments/{attachment.pk}"
    )
    assert response.status_code == 200
    assert response.content == pdf
    assert response["Content-Type"] == "application/pdf"
    encoded = urllib.parse.quote("rà soát.pdf")
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{encoded}"


def test_altered_file_is_not_served(offices, token_client, pdf, media):
    document = _register(offices["a"], pdf)
    attachment = document.attachments.get()
    with default_storage.open(attachment.storage_name, "wb") as stored:
        stored.write(pdf.replace(b"%%EOF", b"%%EOG"))
    response = token_client(offices["a"].clerk).get(
        f"{API}/{document.pk}/attachments/{attachment.pk}", HTTP_ACCEPT_LANGUAGE="vi"
    )
    assert response.status_code == 409
    assert response.json()["detail"]
    assert pdf[:100] not in response.content


def test_list_is_newest_first_a_page_at_a_time(offices, token_client, pdf):
    documents = [
        _register(offices["a"], pdf, summary=f"Về việc số {n}", symbol=f"{n}-CV/BTC")
        for n in range(1, 6)
    ]
    client = token_client(offices["a"].clerk)
    first = _ok(client.get(f"{API}/", {"limit": 2}))
    assert [item["id"] for item in first["items"]] == [documents[4].pk, documents[3].pk]
    second = _ok(client.get(f"{API}/", {"limit": 2, "cursor": first["next_cursor"]}))
    third = _ok(client.get(f"{API}/", {"limit": 2, "cursor": second["next_cursor"]}))
    assert [item["id"] for item in second["items"] + third["items"]] == [
        documents[2].pk, documents[1].pk, documents[0].pk,
    ]  # fmt: skip
    assert third["next_cursor"] is None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "ve viec so 3"}, [2]),  # no diacritics, đ as d
        ({"q": "3-CV/BTC"}, [2]),
        ({"type": "CV", "direction": "in", "status": "registered"}, [4, 3, 2, 1, 0]),
        ({"type": "NQ"}, []),
        ({"direction": "out"}, []),
        ({"issuer": "tổ chức"}, [4, 3, 2, 1, 0]),
        ({"date_from": "2025-10-02", "date_to": "2025-10-03"}, [2, 1]),
        ({"organisation": "X01", "classification": "khong_mat"}, [4, 3, 2, 1, 0]),
    ],
)
def test_list_filters(offices, token_client, pdf, query, expected):
    import datetime

    documents = [
        _register(
            offices["a"], pdf, summary=f"Về việc số {n}", symbol=f"{n}-CV/BTC",
            issued_on=datetime.date(2025, 10, n),
        )
        for n in range(1, 6)
    ]  # fmt: skip
    assert _ids(token_client(offices["a"].clerk).get(f"{API}/", query)) == [
        documents[i].pk for i in expected
    ]


def test_types_and_issuing_bodies(offices, token_client):
    client = token_client(offices["a"].clerk)
    types = _ok(client.get(f"{API}/types"))
    assert {"abbreviation": "NQ", "name": "Nghị quyết"}.items() <= types[0].items()
    bodies = _ok(client.get(f"{API}/issuing-bodies"))["items"]
    assert {body["symbol"] for body in bodies} == {"ĐU", "VPĐU"}
    assert {body["organisation"]["code"] for body in bodies} == {"X01"}


def test_reading_the_document_page_does_not_multiply_queries(
    offices, token_client, pdf, django_assert_max_num_queries
):
    document = _register(offices["a"], pdf)
    for n in range(3):
        actions.attach(document, [Upload(f"phụ lục {n}.pdf", pdf)], actor=Actor.system("t"))
    actions.assign(
        document, [Handler(offices["a"].handler, "lead")], deadline=None,
        actor=Actor.for_user(offices["a"].leader),
    )  # fmt: skip
    client = token_client(offices["a"].clerk)
    with django_assert_max_num_queries(9):  # token, roles, document, its five lists
        body = _ok(client.get(f"{API}/{document.pk}"))
    assert len(body["attachments"]) == 4 and len(body["events"]) == 5
    for n in range(3):
        _register(offices["a"], pdf, summary=f"Về việc số {n}")
    with django_assert_max_num_queries(5):  # token (and its last use), roles, one page
        assert len(_ids(client.get(f"{API}/"))) == 4
    leader = token_client(offices["a"].leader)
    with django_assert_max_num_queries(12):
        assert len(_ok(leader.get(f"{API}/inbox"))["to_assign"]) == 3


# --- scope and classification ---------------------------------------------------------------


def test_another_commune_sees_nothing(offices, token_client, pdf):
    document = _register(offices["a"], pdf)
    attachment = document.attachments.get()
    b = offices["b"]
    for user in (b.clerk, b.leader, b.handler):
        client = token_client(user)
        assert client.get(f"{API}/{document.pk}").status_code == 404
        assert client.get(f"{API}/{document.pk}/attachments/{attachment.pk}").status_code == 404
        assert _ids(client.get(f"{API}/")) == []
        assert _ids(client.get(f"{API}/", {"q": "ra soat dang vien"})) == []
        assert client.get(f"{API}/", {"organisation": "X01"}).status_code == 404
        assert "rà soát" not in client.get(f"{API}/inbox").content.decode()
    before = _state()
    leader = token_client(b.leader)
    response = leader.post(
        f"{API}/{document.pk}/assign",
        {"handlers": [{"username": b.handler.username, "role": "lead"}]},
        content_type="application/json",
    )
    assert response.status_code == 404
    response = token_client(b.clerk).post(
        f"{API}/{document.pk}/close", {}, content_type="application/json"
    )
    assert response.status_code == 404
    assert _state() == before
    # The province above sees the commune's register.
    assert _ids(token_client(offices["province"].clerk).get(f"{API}/")) == [document.pk]


def test_classified_document_needs_a_grant(offices, token_client, pdf):
    a = offices["a"]
    secret = _register(a, pdf, classification="mat", summary="Về công tác bảo vệ chính trị nội bộ")
    # The handler in scope does not see it; the leaders, who assign it, do.
    handler = token_client(a.handler)
    assert handler.get(f"{API}/{secret.pk}").status_code == 404
    assert _ids(handler.get(f"{API}/")) == []
    assert _ids(handler.get(f"{API}/", {"q": "bao ve chinh tri"})) == []
    leader = token_client(a.leader)
    assert [d["id"] for d in _ok(leader.get(f"{API}/inbox"))["to_assign"]] == [secret.pk]

    clerk = token_client(a.clerk)
    reads = AuditEntry.objects.filter(action="document.read").count()
    assert _ok(clerk.get(f"{API}/{secret.pk}"))["classification"] == "mat"
    assert AuditEntry.objects.filter(action="document.read").count() == reads + 1

    _ok(
        clerk.post(
            f"{API}/{secret.pk}/grant",
            {"username": a.handler.username},
            content_type="application/json",
        )
    )
    assert _ok(handler.get(f"{API}/{secret.pk}"))["id"] == secret.pk
    assert _ids(handler.get(f"{API}/")) == [secret.pk]
    # Another commune's clerk cannot be granted it.
    response = clerk.post(
        f"{API}/{secret.pk}/grant",
        {"username": offices["b"].clerk.username},
        content_type="application/json",
    )
    assert response.status_code == 422 and "username" in response.json()["errors"]


def test_classified_file_is_audited_and_not_cached(offices, token_client, pdf):
    secret = _register(offices["a"], pdf, classification="mat")
    attachment = secret.attachments.get()
    reads = AuditEntry.objects.filter(action="document.read").count()
    response = token_client(offices["a"].clerk).get(
        f"{API}/{secret.pk}/attachments/{attachment.pk}"
    )
    assert response.content == pdf
    assert response["Cache-Control"] == "private, no-store"
    assert AuditEntry.objects.filter(action="document.read").count() == reads + 1


# --- capabilities ---------------------------------------------------------------------------


def _json(body: dict) -> dict:
    return {"data": body, "content_type": "application/json"}


# (endpoint, who lacks the capability, request body); every one is answered 403.
REFUSED = [
    ("incoming", "leader", {"data": _incoming_form()}),
    ("incoming", "handler", {"data": _incoming_form()}),
    ("{id}/receive", "handler", {}),
    ("{id}/return", "leader", _json({"reason": "Gửi nhầm"})),
    ("{id}/assign", "clerk", _json({"handlers": [{"username": "x01.handler", "role": "lead"}]})),
    ("{id}/assign", "handler", _json({"handlers": [{"username": "x01.handler", "role": "lead"}]})),
    ("{id}/issue", "leader", {}),
    ("{id}/issue", "handler", {}),
    ("{id}/send", "leader", _json({"recipients": ["T01"]})),
    ("{id}/recall", "handler", _json({"recipient": "T01"})),
    ("{id}/sign", "clerk", {"data": {"passphrase": PASSPHRASE}}),
    ("{id}/sign", "handler", {"data": {"passphrase": PASSPHRASE}}),
    ("{id}/grant", "handler", _json({"username": "x01.leader"})),
    ("{id}/attachments", "handler", {"data": {}}),
]


@pytest.mark.parametrize(("endpoint", "who", "body"), REFUSED)
def test_write_without_the_capability_is_refused(offices, token_client, pdf, endpoint, who, body):
    document = _register(offices["a"], pdf)
    client = token_client(getattr(offices["a"], who))
    before = _state()
    response = client.post(f"{API}/{endpoint.format(id=document.pk)}", **body)
    assert response.status_code == 403, response.content
    assert _state() == before


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", ""), ("get", "inbox"), ("get", "types"), ("get", "issuing-bodies"), ("get", "{id}"),
     ("post", "{id}/close"), ("post", "{id}/review")],
)  # fmt: skip
def test_no_role_no_documents(offices, token_client, pdf, method, path):
    document = _register(offices["a"], pdf)
    client = token_client(UserFactory())
    before = _state()
    url = f"{API}/{path.format(id=document.pk)}"
    if method == "get":
        response = client.get(url)
    else:
        body = {"approve": True} if path.endswith("review") else {}
        response = client.post(url, body, content_type="application/json")
    assert response.status_code == 403
    assert _state() == before


def test_only_the_reviewer_whose_turn_it_is_reviews(offices, token_client, pdf):
    a = offices["a"]
    draft = actions.draft(
        {"document_type": doc_type("TB"), "summary": "Thông báo lịch họp",
         "issuing_body": a.office},
        organisation=a.organisation, uploads=[Upload("tb.pdf", pdf)],
        actor=Actor.for_user(a.handler),
    )  # fmt: skip
    actions.submit(draft, [a.leader], actor=Actor.for_user(a.handler))
    before = _state()
    response = token_client(a.clerk).post(
        f"{API}/{draft.pk}/review", {"approve": True}, content_type="application/json"
    )
    assert response.status_code == 422
    assert _state() == before


# --- bad input ------------------------------------------------------------------------------


def _assigned(offices, pdf) -> Document:
    a = offices["a"]
    document = _register(a, pdf)
    return actions.assign(
        document, [Handler(a.handler, "lead")], deadline=None, actor=Actor.for_user(a.leader)
    )


def _approved(offices, pdf) -> Document:
    a = offices["a"]
    draft = actions.draft(
        {"document_type": doc_type("CV"), "summary": "Về việc chuẩn bị đại hội",
         "issuing_body": a.committee},
        organisation=a.organisation, uploads=[Upload("cv.pdf", pdf)],
        actor=Actor.for_user(a.handler),
    )  # fmt: skip
    return actions.submit(draft, [], actor=Actor.for_user(a.handler))


@pytest.mark.parametrize(
    ("case", "field"),
    [
        ("missing summary", "summary"),
        ("unknown type", "document_type"),
        ("out-of-scope register", "organisation"),
        ("empty file", "__all__"),
        ("docx renamed pdf", "__all__"),
        ("unknown username in assign", "handlers"),
        ("assign to another commune", "handlers"),
        ("wrong p12 passphrase", "passphrase"),
        ("not a p12", "p12"),
        ("unknown recipient", "recipients"),
        ("draft without issuing body", "issuing_body"),
        ("null summary in a draft edit", "summary"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(offices, token_client, pdf, case, field):
    a = offices["a"]
    clerk, leader = token_client(a.clerk), token_client(a.leader)
    vi = {"HTTP_ACCEPT_LANGUAGE": "vi"}
    if case in ("unknown username in assign", "assign to another commune"):
        target = _register(a, pdf)
    elif case in ("wrong p12 passphrase", "not a p12"):
        target = _approved(offices, pdf)
    elif case == "unknown recipient":
        target = _approved(offices, pdf)
        target.status = "signed"
        target.save()
        actions.issue(target, actor=Actor.for_user(a.clerk))
    elif case == "null summary in a draft edit":
        target = actions.draft(
            {"document_type": doc_type("CV"), "summary": "Dự thảo", "issuing_body": a.committee},
            organisation=a.organisation, actor=Actor.for_user(a.handler),
        )  # fmt: skip
    before = _state()

    if case == "missing summary":
        response = clerk.post(f"{API}/incoming", {**_incoming_form(summary=""), **{}}, **vi)
    elif case == "unknown type":
        response = clerk.post(f"{API}/incoming", _incoming_form(document_type="XYZ"), **vi)
    elif case == "out-of-scope register":
        response = clerk.post(f"{API}/incoming", _incoming_form(organisation="X02"), **vi)
    elif case == "empty file":
        form = {**_incoming_form(), "files": [_file(b"")]}
        response = clerk.post(f"{API}/incoming", form, **vi)
    elif case == "docx renamed pdf":
        form = {**_incoming_form(), "files": [_file(make_docx("Kính gửi"), "công văn.pdf")]}
        response = clerk.post(f"{API}/incoming", form, **vi)
    elif case in ("unknown username in assign", "assign to another commune"):
        username = "khong.ai" if case.startswith("unknown") else offices["b"].handler.username
        response = leader.post(
            f"{API}/{target.pk}/assign",
            {"handlers": [{"username": username, "role": "lead"}]},
            content_type="application/json", **vi,
        )  # fmt: skip
    elif case in ("wrong p12 passphrase", "not a p12"):
        p12 = local_pki().signer.pkcs12() if case.startswith("wrong") else pdf
        response = leader.post(
            f"{API}/{target.pk}/sign", {"p12": _file(p12, "ky.p12"), "passphrase": "sai"}, **vi
        )
    elif case == "unknown recipient":
        response = clerk.post(
            f"{API}/{target.pk}/send", {"recipients": ["T01", "KHONGCO"]},
            content_type="application/json", **vi,
        )  # fmt: skip
    elif case == "draft without issuing body":
        response = token_client(a.handler).post(
            f"{API}/drafts",
            {"organisation": "X01", "document_type": "CV", "summary": "Dự thảo",
             "files": [_file(pdf)]},
            **vi,
        )  # fmt: skip
    else:
        response = token_client(a.handler).patch(
            f"{API}/{target.pk}/draft", {"summary": None}, content_type="application/json", **vi
        )

    assert response.status_code == 422, response.content
    body = response.json()
    assert field in body["errors"], body
    assert body["detail"] and all(body["errors"][field])
    assert response["Content-Language"] == "vi"
    assert _state() == before
    assert not list(Path(default_storage.location).rglob("*.pdf"))  # nothing new stored


def test_over_size_file_is_refused(offices, token_client, pdf, settings):
    settings.DANGSO_UPLOAD_MAX_MB = 1
    big = pdf + b"\n%" + b"0" * (1024 * 1024)
    before = _state()
    response = token_client(offices["a"].clerk).post(
        f"{API}/incoming", {**_incoming_form(), "files": [_file(big)]}
    )
    assert response.status_code == 422
    assert _state() == before


def test_unknown_field_in_json_is_refused(offices, token_client, pdf):
    document = _register(offices["a"], pdf)
    response = token_client(offices["a"].leader).post(
        f"{API}/{document.pk}/assign",
        {"handlers": [], "handler": "x01.handler"},
        content_type="application/json",
    )
    assert response.status_code == 422


# --- the rest of the workflow ---------------------------------------------------------------


def test_progress_close_and_attach(offices, token_client, pdf):
    a = offices["a"]
    document = _assigned(offices, pdf)
    handler = token_client(a.handler)
    body = _ok(
        handler.post(
            f"{API}/{document.pk}/progress",
            {"note": "Đã tổng hợp ý kiến", "done": "true",
             "files": [_file(make_docx("Kết quả"), "kết quả.docx")]},
        )
    )  # fmt: skip
    assert [f["kind"] for f in body["attachments"]] == ["main", "result"]
    assert body["assignments"][0]["done_at"] is not None
    # The clerk adds an annex to the incoming document.
    added = _ok(
        token_client(a.clerk).post(
            f"{API}/{document.pk}/attachments", {"annexes": [_file(pdf, "phụ lục.pdf")]}
        ),
        201,
    )
    assert [(f["name"], f["kind"]) for f in added] == [("phụ lục.pdf", "annex")]
    # The leader, not a handler, closes it as the one who assigns.
    closed = _ok(
        token_client(a.leader).post(
            f"{API}/{document.pk}/close", {"note": "Xong"}, content_type="application/json"
        )
    )
    assert closed["status"] == "closed"


def test_edit_draft_json_and_multipart(offices, token_client, pdf):
    a = offices["a"]
    draft = actions.draft(
        {"document_type": doc_type("CV"), "summary": "Dự thảo", "issuing_body": a.committee},
        organisation=a.organisation, actor=Actor.for_user(a.handler),
    )  # fmt: skip
    client = token_client(a.handler)
    edited = _ok(
        client.patch(
            f"{API}/{draft.pk}/draft",
            {"summary": "Về việc  tổ chức hội nghị", "issuing_body": a.office.pk},
            content_type="application/json",
        )
    )
    assert edited["summary"] == "Về việc tổ chức hội nghị"
    assert edited["issuing_body"]["symbol"] == "VPĐU"
    assert edited["document_type"]["abbreviation"] == "CV"
    with_file = _ok(
        client.post(f"{API}/{draft.pk}/draft", {"urgency": "khan", "files": [_file(pdf)]})
    )
    assert with_file["urgency"] == "khan"
    assert with_file["summary"] == "Về việc tổ chức hội nghị"
    assert [f["name"] for f in with_file["attachments"]] == [PDF_NAME]


def test_recall_before_receipt_and_return(offices, token_client, pdf):
    a = offices["a"]
    document = _approved(offices, pdf)
    document.status = "signed"
    document.save()
    clerk = token_client(a.clerk)
    _ok(clerk.post(f"{API}/{document.pk}/issue"))
    _ok(
        clerk.post(
            f"{API}/{document.pk}/send",
            {"recipients": ["T01", "X02"]},
            content_type="application/json",
        )
    )
    recalled = _ok(
        clerk.post(
            f"{API}/{document.pk}/recall",
            {"recipient": "X02", "reason": "Gửi nhầm"},
            content_type="application/json",
        )
    )
    fates = {d["recipient"]["code"]: d["status"] for d in recalled["deliveries"]}
    assert fates == {"T01": "sent", "X02": "recalled"}
    assert _ok(token_client(offices["b"].clerk).get(f"{API}/inbox"))["to_receive"] == []

    province = token_client(offices["province"].clerk)
    [waiting] = _ok(province.get(f"{API}/inbox"))["to_receive"]
    returned = _ok(
        province.post(
            f"{API}/{waiting['id']}/return",
            {"reason": "Thiếu phụ lục"},
            content_type="application/json",
        )
    )
    assert returned["status"] == "returned"
    fates = {
        d["recipient"]["code"]: d["status"]
        for d in _ok(clerk.get(f"{API}/{document.pk}"))["deliveries"]
    }
    assert fates == {"T01": "returned", "X02": "recalled"}
