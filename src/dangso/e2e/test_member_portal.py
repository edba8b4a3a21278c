"""A member's handbook on a phone: activation, summary, a resolution, study, a meeting.

At 390 px: the member activates with the code the secretary gave, sees their summary, opens a
resolution in the library, marks the study done with a reflection, confirms the meeting and
checks in by the meeting's QR link. The secretary's attendance list and the commune leader's
handbook-use figures change accordingly. The pages speak Vietnamese.
"""

import datetime
import re

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from dangso.core.audit import Actor
from dangso.core.files import Upload
from dangso.handbook import actions as handbook
from dangso.meetings import actions as meetings
from dangso.testing.browser import sign_in
from dangso.testing.documents import pdf_bytes
from dangso.testing.factories import MemberFactory, RoleFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
PASSWORD = "Mật-khẩu-của-tôi-2026"
REFLECTION = "Nghị quyết 57 đặt khoa học, công nghệ làm đột phá; chi bộ sẽ số hóa hồ sơ."


def test_member_activates_studies_confirms_and_checks_in_on_a_phone(page: Page, live_server, tree):
    url = live_server.url
    page.set_default_timeout(10_000)
    page.set_viewport_size(PHONE)
    member = MemberFactory(
        organisation=tree["a1"], full_name="Lê Thị Mai", sex="F", card_number="20261121"
    )
    MemberFactory(organisation=tree["a2"], full_name="Phạm Văn Nam", sex="M")
    secretary = UserFactory(username="bithu.dong", first_name="Bí thư chi bộ thôn Đông")
    RoleFactory(user=secretary, organisation=tree["a1"], role="cell_secretary")
    TOTPDevice.objects.create(user=secretary, name="điện thoại", confirmed=True)
    leader = UserFactory(username="lanhdao.xa")
    RoleFactory(user=leader, organisation=tree["a"], role="leader")
    office = Actor(secretary.pk, secretary.username)
    resolution = handbook.publish(
        {"title": "Nghị quyết số 57-NQ/TW về khoa học, công nghệ", "kind": "resolution"},
        organisation=tree["a"],
        actor=office,
        upload=Upload("nq57.pdf", pdf_bytes("Nghị quyết số 57-NQ/TW")),
    )
    handbook.open_campaign(
        {
            "title": "Học tập Nghị quyết số 57-NQ/TW",
            "deadline": datetime.date.today() + datetime.timedelta(days=10),
        },
        organisation=tree["a"],
        materials=[resolution],
        actor=office,
    )
    meeting = meetings.schedule(
        {
            "kind": "regular",
            "title": "Sinh hoạt chi bộ định kỳ tháng 11",
            "place": "Nhà văn hóa thôn",
            "starts_at": timezone.now() + datetime.timedelta(minutes=30),
        },
        cell=tree["a1"],
        actor=office,
    )
    meetings.publish(meeting, actor=office)
    code = handbook.issue_codes([member], actor=office)[0].code

    # The leader's figures before: nobody in the commune uses the handbook yet.
    sign_in(page, url, leader)
    page.goto(f"{url}/tasks/dashboard/?org={tree['a'].pk}")
    expect(page.locator("#usage-activated")).to_have_text("0 %")

    # 1. The member activates on their phone and lands on their summary.
    page.context.clear_cookies()
    page.goto(f"{url}/handbook/activate/")
    expect(page.get_by_role("heading", name="Kích hoạt Sổ tay đảng viên")).to_be_visible()
    page.get_by_label(re.compile("^Số CCCD hoặc số thẻ đảng viên")).fill("20261121")
    page.get_by_label(re.compile("^Mã kích hoạt")).fill(code)
    page.get_by_label(re.compile("^Mật khẩu mới$|^Mật khẩu mới \\*")).fill(PASSWORD)
    page.get_by_label(re.compile("^Nhập lại mật khẩu mới")).fill(PASSWORD)
    page.get_by_role("button", name="Kích hoạt").click()
    expect(page.get_by_text("Tài khoản Sổ tay của đồng chí đã sẵn sàng.")).to_be_visible()
    summary = page.locator("#my-summary")
    expect(summary).to_contain_text("Lê Thị Mai")
    expect(summary).to_contain_text("20261121")
    expect(summary).to_contain_text("Chi bộ thôn Đông")

    # 2. A resolution from the library, shown in the page.
    page.get_by_role("link", name="Thư viện").click()
    page.get_by_role("link", name="Nghị quyết số 57-NQ/TW").click()
    expect(
        page.get_by_role("heading", name="Nghị quyết số 57-NQ/TW về khoa học, công nghệ")
    ).to_be_visible()
    expect(page.locator("iframe.ds-pdf-frame")).to_be_attached()

    # 3. The study, marked done with a reflection.
    page.get_by_role("link", name="Học tập", exact=True).click()
    page.get_by_role("link", name="Học tập Nghị quyết số 57-NQ/TW").click()
    page.get_by_label("Bài thu hoạch").fill(REFLECTION)
    page.get_by_role("button", name="Đã học tập — nộp thu hoạch").click()
    expect(page.get_by_text("Đã ghi nhận đồng chí hoàn thành học tập.")).to_be_visible()

    # 4. The meeting: confirmed, then checked in by the QR link once the secretary opens it.
    page.get_by_role("link", name="Sinh hoạt", exact=True).click()
    page.get_by_role("link", name=re.compile("Sinh hoạt chi bộ định kỳ tháng 11")).click()
    page.get_by_role("button", name="Xác nhận tham dự").click()
    expect(page.get_by_role("button", name="Xác nhận tham dự")).to_be_disabled()
    meetings.open_meeting(meeting, actor=office)
    meeting.refresh_from_db()
    page.goto(f"{url}/meetings/check-in/{meeting.check_in_token}/")
    page.get_by_role("button", name="Tôi có mặt").click()
    expect(page.get_by_text(re.compile("điểm danh", re.IGNORECASE)).first).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"the page scrolls sideways at phone width ({width}px)"

    # 5. The secretary sees the member present; the leader sees the commune's use change.
    sign_in(page, url, secretary)
    page.goto(f"{url}/meetings/{meeting.pk}/")
    expect(page.locator(f"#attendance-{member.pk}")).to_contain_text("Lê Thị Mai")
    expect(page.locator(f"#attendance-{member.pk} .bi-check-circle-fill")).to_be_visible()
    sign_in(page, url, leader)
    page.goto(f"{url}/tasks/dashboard/?org={tree['a'].pk}")
    expect(page.locator("#usage-activated")).to_have_text("50 %")  # 1 of the commune's 2
    expect(page.locator("#usage-active")).to_have_text("50 %")


def test_every_portal_page_fits_a_360_px_phone(page: Page, live_server, tree):
    """No portal page scrolls sideways at 360 px, the narrowest phones in use."""
    url = live_server.url
    page.set_default_timeout(10_000)
    page.set_viewport_size({"width": 360, "height": 760})
    member = MemberFactory(
        organisation=tree["a1"], full_name="Hoàng Thị Thu Hương", sex="F", card_number="20261122"
    )
    secretary = UserFactory(username="bithu.dong")
    RoleFactory(user=secretary, organisation=tree["a1"], role="cell_secretary")
    office = Actor(secretary.pk, secretary.username)
    document = handbook.publish(
        {"title": "Hướng dẫn số 42-HD/BTCTW về nâng cao chất lượng sinh hoạt chi bộ trong "
         "tình hình mới", "kind": "guidance"},
        organisation=tree["a"], actor=office, upload=Upload("hd42.pdf", pdf_bytes("HD 42")),
    )  # fmt: skip
    campaign = handbook.open_campaign(
        {"title": "Học tập Hướng dẫn 42", "deadline": datetime.date.today()},
        organisation=tree["a"], materials=[document], actor=office,
    )  # fmt: skip
    meeting = meetings.schedule(
        {"kind": "thematic", "title": "Sinh hoạt chuyên đề về chuyển đổi số", "place": "Hội trường",
         "starts_at": timezone.now() + datetime.timedelta(days=3)},
        cell=tree["a1"], actor=office,
    )  # fmt: skip
    meetings.publish(meeting, actor=office)
    code = handbook.issue_codes([member], actor=office)[0].code
    user = handbook.activate(member.cccd, code, PASSWORD)
    thread = handbook.open_thread(
        member, {"kind": "request", "subject": "Đề nghị chi bộ bố trí sinh hoạt buổi tối",
                 "body": "Nhiều đảng viên đi làm ban ngày."},
        actor=Actor(user.pk, member.full_name),
    )  # fmt: skip
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill("20261122")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.locator("#my-summary")).to_contain_text("Hoàng Thị Thu Hương")
    pages = [
        "/handbook/", "/handbook/library/", f"/handbook/library/{document.pk}/",
        "/handbook/study/", f"/handbook/study/{campaign.pk}/", "/handbook/messages/",
        "/handbook/messages/new/", f"/handbook/messages/{thread.pk}/", "/handbook/card/",
        "/meetings/my/", f"/meetings/my/{meeting.pk}/",
    ]  # fmt: skip
    for path in pages:
        response = page.goto(f"{url}{path}")
        assert response is not None and response.status == 200, path
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 361, f"{path} scrolls sideways at 360 px ({width}px)"
        # The bottom navigation stays on screen with its five tabs.
        expect(page.locator(".ds-portal-nav a")).to_have_count(5)
