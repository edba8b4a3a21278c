"""An incoming document is handled and answered, across two organisations, in the browser.

A commune clerk registers an incoming PDF; the commune leader assigns it; the handler drafts
the answer and sends it for review; the leader approves and signs it with a personal
certificate; the clerk numbers it (with the organisation's digital seal) and sends it to the
province, whose clerk receives it into the province's incoming register, where the answer
shows with valid signatures. Run at desktop and at phone size; the pages speak Vietnamese.
"""

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from dangso.core.pki import PASSPHRASE, local_pki
from dangso.documents.models import Document
from dangso.testing.browser import sign_in as _sign_in
from dangso.testing.documents import make_office, pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1280, "height": 860}, "phone": {"width": 390, "height": 844}}


def _open_from_inbox(page: Page, url: str, section: str, text: str) -> None:
    page.goto(f"{url}/documents/")
    expect(page.get_by_role("heading", name="Việc của tôi")).to_be_visible()
    expect(page.get_by_role("heading", name=section)).to_be_visible()
    page.get_by_role("link", name=text).first.click()


@pytest.mark.parametrize("size", SIZES)
def test_incoming_document_is_answered_signed_numbered_and_sent_up(
    page: Page, live_server, tree, tmp_path: Path, size: str
):
    page.set_viewport_size(SIZES[size])
    url = live_server.url
    commune, province = make_office(tree["a"]), make_office(tree["province"])
    TOTPDevice.objects.create(user=commune.handler, name="điện thoại", confirmed=True)
    pki = local_pki()
    anchors = Path(settings.DANGSO_TRUST_ANCHORS_DIR)
    anchors.mkdir(parents=True, exist_ok=True)
    from cryptography.hazmat.primitives import serialization

    (anchors / "test-root.pem").write_bytes(pki.root.cert.public_bytes(serialization.Encoding.PEM))
    incoming_pdf = tmp_path / "cong-van-den.pdf"
    incoming_pdf.write_bytes(pdf_bytes("Về việc báo cáo kết quả học tập Nghị quyết"))
    answer_pdf = tmp_path / "bao-cao.pdf"
    answer_pdf.write_bytes(pdf_bytes("Báo cáo kết quả học tập Nghị quyết của Đảng bộ xã"))
    personal_p12 = tmp_path / "ca-nhan.p12"
    personal_p12.write_bytes(pki.signer.pkcs12())
    seal_p12 = tmp_path / "to-chuc.p12"
    seal_p12.write_bytes(pki.organisation.pkcs12())

    # 1. The commune clerk registers the incoming PDF.
    _sign_in(page, url, commune.clerk)
    page.goto(f"{url}/documents/incoming/new/")
    expect(page.get_by_role("heading", name="Vào sổ văn bản đến")).to_be_visible()
    page.select_option("select[name=organisation]", str(tree["a"].pk))
    page.select_option("select[name=document_type]", label="Công văn")
    page.fill("input[name=symbol]", "15-CV/BTGDVTU")
    page.fill("input[name=issuer_name]", "Ban Tuyên giáo và Dân vận Tỉnh ủy")
    page.fill("textarea[name=summary]", "Về việc báo cáo kết quả học tập Nghị quyết")
    page.set_input_files("input[name=attachments]", str(incoming_pdf))
    page.get_by_role("button", name="Vào sổ").click()
    expect(page.get_by_text("Đã vào sổ văn bản đến số 1.")).to_be_visible()

    # 2. The leader assigns it to the handler, with a deadline.
    _sign_in(page, url, commune.leader)
    _open_from_inbox(page, url, "Đã vào sổ — chờ giao xử lý", "15-CV/BTGDVTU")
    assign = page.locator("#step-assign")
    assign.locator("select[name=lead]").select_option(label="Lê Thị Chuyên Viên")
    deadline = datetime.date.today() + datetime.timedelta(days=7)
    assign.locator("input[name=deadline]").fill(deadline.strftime("%d/%m/%Y"))
    assign.get_by_role("button", name="Giao").click()
    expect(page.get_by_text("Đã giao xử lý.")).to_be_visible()

    # 3. The handler drafts the answer and sends it to the leader for review.
    _sign_in(page, url, commune.handler)
    _open_from_inbox(page, url, "Cần xử lý", "15-CV/BTGDVTU")
    page.get_by_role("link", name="Soạn văn bản trả lời").click()
    page.select_option("select[name=document_type]", label="Báo cáo")
    page.select_option("select[name=issuing_body]", label=str(commune.committee))
    page.fill("textarea[name=summary]", "Báo cáo kết quả học tập Nghị quyết")
    page.fill("input[name=place]", "Yên Phong")
    page.set_input_files("input[name=attachments]", str(answer_pdf))
    page.get_by_role("button", name="Lưu dự thảo").click()
    submit = page.locator("#step-submit")
    submit.locator("select[name=reviewer_1]").select_option(label="Nguyễn Văn Lãnh Đạo")
    submit.get_by_role("button", name="Chuyển đi").click()
    expect(page.get_by_text("Đã chuyển.")).to_be_visible()

    # 4. The leader approves and signs with a personal certificate.
    _sign_in(page, url, commune.leader)
    _open_from_inbox(page, url, "Dự thảo cần duyệt", "Báo cáo kết quả học tập")
    review = page.locator("#step-review")
    review.get_by_label("Duyệt", exact=True).check()
    review.get_by_role("button", name="Ghi ý kiến").click()
    sign = page.locator("#step-sign")
    sign.locator("input[name=certificate]").set_input_files(str(personal_p12))
    sign.locator("input[name=passphrase]").fill(PASSPHRASE)
    sign.locator("input[name=title]").fill("Bí thư Đảng ủy")
    sign.get_by_role("button", name="Ký", exact=True).click()
    expect(page.get_by_text("Đã ký số.")).to_be_visible()

    # 5. The clerk numbers it with the organisation's seal and sends it to the province.
    _sign_in(page, url, commune.clerk)
    _open_from_inbox(page, url, "Đã ký — chờ cấp số và gửi", "Báo cáo kết quả học tập")
    issue = page.locator("#step-issue")
    issue.locator("input[name=certificate]").set_input_files(str(seal_p12))
    issue.locator("input[name=passphrase]").fill(PASSPHRASE)
    issue.get_by_role("button", name="Cấp số và phát hành").click()
    expect(page.get_by_role("heading", name="Báo cáo 01-BC/ĐU")).to_be_visible()
    send = page.locator("#step-send")
    send.get_by_label(tree["province"].name).check()
    send.get_by_role("button", name="Gửi", exact=True).click()
    expect(page.locator(f"[data-delivery={tree['province'].code}]")).to_contain_text("Đã gửi")

    # 6. The province clerk receives it; it stands in the province's incoming register.
    _sign_in(page, url, province.clerk)
    _open_from_inbox(page, url, "Văn bản đến từ tổ chức khác — chờ tiếp nhận", "01-BC/ĐU")
    page.locator("#step-receive").get_by_role("button", name="Tiếp nhận").click()
    expect(page.get_by_text("Đã tiếp nhận vào sổ văn bản đến.")).to_be_visible()
    expect(page.locator("[data-signature-status]").first).to_have_attribute(
        "data-signature-status", "valid"
    )
    page.goto(f"{url}/documents/register/in/")
    expect(page.get_by_role("heading", name="Sổ văn bản đến")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="01-BC/ĐU")
    expect(row).to_contain_text("Báo cáo kết quả học tập Nghị quyết")
    expect(row).to_contain_text("Đã vào sổ")

    incoming = Document.objects.get(organisation=tree["province"], symbol="01-BC/ĐU")
    assert incoming.register_number == 1
    original = Document.objects.get(organisation=tree["a"], symbol="15-CV/BTGDVTU")
    assert original.status == "answered"
