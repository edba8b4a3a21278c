"""A commune clerk's journey in the browser, in Vietnamese, on a desktop and on a phone:
sign in with both factors, find a member by an unaccented name, correct a field and find the
change in the record's history (read from the audit log)."""

import datetime

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from dangso.core.models import AuditEntry
from dangso.members.models import Member
from dangso.testing.browser import open_menu_item
from dangso.testing.factories import MemberFactory, RoleFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "mat-khau-thu-nghiem-204"
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def clerk(tree):
    user = UserFactory(username="vanphong.xa", first_name="Văn phòng", last_name="Đảng ủy xã")
    RoleFactory(user=user, organisation=tree["a"], role="office")
    RoleFactory(user=user, organisation=tree["a"], role="organisation")
    device = TOTPDevice.objects.create(user=user, name="điện thoại", confirmed=True)
    return user, device


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_clerk_finds_and_corrects_a_member(page: Page, live_server, tree, clerk, viewport):
    user, device = clerk
    member = MemberFactory(
        organisation=tree["a1"], full_name="Nguyễn Văn Đức", sex="M",
        date_of_birth=datetime.date(1980, 4, 12), cccd="027080004321", phone="0912345678",
    )  # fmt: skip
    MemberFactory(  # the same name in another commune: out of the clerk's scope
        organisation=tree["b1"], full_name="Nguyễn Văn Đức", sex="M",
        date_of_birth=datetime.date(1975, 2, 3), cccd="027075009876",
    )  # fmt: skip
    page.set_default_timeout(10_000)
    page.set_viewport_size(VIEWPORTS[viewport])

    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    page.get_by_label("Tên đăng nhập").fill(user.username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()

    expect(page.get_by_role("heading", name="Xác thực hai lớp")).to_be_visible()
    page.get_by_label("Mã từ ứng dụng xác thực").fill(_code(device))
    page.get_by_role("button", name="Xác nhận").click()

    open_menu_item(page, "Tổ chức và đảng viên", "Đảng viên")
    expect(page.get_by_role("heading", name="Đảng viên", exact=True)).to_be_visible()
    page.get_by_role("searchbox").fill("nguyen van duc")
    results = page.locator("#member-results")
    expect(results.get_by_role("link", name="Nguyễn Văn Đức")).to_have_count(1)
    results.get_by_role("link", name="Nguyễn Văn Đức").click()

    expect(page.get_by_role("heading", name="Nguyễn Văn Đức")).to_be_visible()
    expect(page.get_by_text("027080004321")).to_be_visible()
    page.locator("main").get_by_role("link", name="Sửa").click()
    phone = page.get_by_label("Điện thoại")
    phone.fill("12345")
    page.locator("main").get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("Số điện thoại gồm 10 hoặc 11 chữ số")).to_be_visible()
    expect(page.get_by_label("Điện thoại")).to_have_value("12345")  # what was typed is kept
    page.get_by_label("Điện thoại").fill("0987654321")
    page.locator("main").get_by_role("button", name="Lưu").click()

    expect(page.get_by_role("heading", name="Nguyễn Văn Đức")).to_be_visible()
    history = page.locator("table", has=page.get_by_text("Thay đổi"))
    expect(history.get_by_text("0987654321")).to_be_visible()
    expect(history.get_by_text("điện thoại")).to_be_visible()
    page.screenshot(path=f"/tmp/dangso-clerk-{viewport}.png", full_page=True)

    member.refresh_from_db()
    assert member.phone == "0987654321"
    change = AuditEntry.objects.get(action="member.update", object_id=str(member.pk))
    assert change.changes == {"phone": ["0912345678", "0987654321"]}
    assert change.actor_name == user.username
    assert Member.objects.filter(full_name="Nguyễn Văn Đức").count() == 2
