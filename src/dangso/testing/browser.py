"""Signing in through the pages, as a person does, for the browser tests."""

from typing import Any

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

PASSWORD = "mat-khau-thu-nghiem-204"  # testing.factories.UserFactory's


def totp_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def sign_in(page: Page, url: str, user: Any) -> None:
    """Password, then the authenticator code when the account has a device."""
    page.context.clear_cookies()
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(user.username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    code_box = page.get_by_label("Mã từ ứng dụng xác thực")
    nav = page.locator("#mainnav")
    expect(code_box.or_(nav).first).to_be_attached()
    if code_box.count():
        code_box.fill(totp_code(TOTPDevice.objects.get(user=user)))
        page.get_by_role("button", name="Xác nhận").click()
    expect(nav).to_be_attached()


def open_menu_item(page: Page, area: str, item: str) -> None:
    """Open a page from the staff menu as a person does: the menu button on a phone, then the
    area of Party work, then the page (by its label, or by its id when `item` starts with #)."""
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
    page.locator("#mainnav").get_by_role("button", name=area).or_(
        page.locator("#mainnav").get_by_role("link", name=area)
    ).first.click()
    if item.startswith("#"):
        page.locator(item).click()
    else:
        page.locator("#mainnav").get_by_role("link", name=item, exact=True).click()
