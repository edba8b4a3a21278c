"""A cell secretary clears a record from the data-quality worklist in the browser, and the
province leader's share of clean records goes up.

The secretary signs in with both factors, opens the worklist from the menu, finds the member
whose CCCD says a woman though the record is a man's, corrects the fourth digit in place
(first a wrong number, refused with the reason and kept as typed), and the row turns clean
without leaving the page. The leader, signed in at the same time in another browser, sees the
percentage rise on the dashboard. Elements are found by ids and data attributes, so the test
holds whatever the wording of the Vietnamese catalogue.
"""

import datetime

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, Page, expect

from dangso.members.models import Member
from dangso.quality import actions
from dangso.quality.models import MemberProblem
from dangso.testing.browser import open_menu_item
from dangso.testing.factories import MemberFactory, RoleFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "mat-khau-thu-nghiem-204"
WRONG = "027180004321"  # digit 4 = 1: a woman born in the 1900s
RIGHT = "027080004321"  # digit 4 = 0: a man born in the 1900s


def _person(tree, username: str, role: str, where: str) -> tuple:
    user = UserFactory(username=username)
    RoleFactory(user=user, organisation=tree[where], role=role)
    return user, TOTPDevice.objects.create(user=user, name="điện thoại", confirmed=True)


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _sign_in(page: Page, url: str, user, device: TOTPDevice) -> None:
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(user.username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_label("Mã từ ứng dụng xác thực").fill(_code(device))
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.locator("#mainnav")).to_be_attached()


def _percent(page: Page) -> float:
    return float(page.locator("#quality-clean-percent").get_attribute("data-value") or "nan")


def test_secretary_fixes_a_cccd_and_the_leaders_share_rises(
    page: Page, browser: Browser, live_server, tree
):
    secretary, secretary_device = _person(tree, "bithu.chibo", "cell_secretary", "a1")
    leader, leader_device = _person(tree, "admin.tinh", "admin", "province")
    member = MemberFactory(
        organisation=tree["a1"], full_name="Nguyễn Văn Đức", sex="M",
        date_of_birth=datetime.date(1980, 4, 12), cccd=WRONG,
    )  # fmt: skip
    for cell in ("a1", "a2", "b1"):
        MemberFactory(organisation=tree[cell])
    actions.check_members()
    actions.snapshot_quality(datetime.date.today() - datetime.timedelta(days=1))
    page.set_default_timeout(10_000)

    leader_page = browser.new_page()
    leader_page.set_default_timeout(10_000)
    _sign_in(leader_page, live_server.url, leader, leader_device)
    leader_page.goto(f"{live_server.url}/quality/")
    assert _percent(leader_page) == 75.0
    expect(leader_page.locator("#quality-by-rule [data-rule='cccd.century_sex']")).to_be_visible()
    expect(leader_page.locator("#quality-trend")).to_be_visible()

    _sign_in(page, live_server.url, secretary, secretary_device)
    open_menu_item(page, "Tổ chức và đảng viên", "#nav-worklist")
    row = page.locator(f"#worklist-member-{member.pk}")
    expect(row).to_have_attribute("data-clean", "false")
    expect(row.locator("[data-rule='cccd.century_sex']")).to_contain_text(WRONG[3])
    expect(page.locator("[data-member]")).to_have_count(1)  # only the secretary's cell

    row.locator("[data-action='fix']").click()
    cccd = row.locator(f"#id_m{member.pk}-cccd")
    expect(cccd).to_have_value(WRONG)
    cccd.fill("0270800043")  # two digits short
    row.locator("[data-action='save']").click()
    expect(row.locator(".invalid-feedback")).to_be_visible()
    expect(row.locator(f"#id_m{member.pk}-cccd")).to_have_value("0270800043")
    assert Member.objects.get(pk=member.pk).cccd == WRONG

    row.locator(f"#id_m{member.pk}-cccd").fill(RIGHT)
    row.locator("[data-action='save']").click()
    expect(row).to_have_attribute("data-clean", "true")
    expect(row.locator("[data-status='clean']")).to_be_visible()
    page.screenshot(path="/tmp/dangso-worklist.png", full_page=True)
    assert Member.objects.get(pk=member.pk).cccd == RIGHT
    assert not MemberProblem.objects.filter(member=member).exists()

    leader_page.reload()
    assert _percent(leader_page) == 100.0
    expect(leader_page.locator("#quality-by-rule [data-rule='cccd.century_sex']")).to_have_count(0)
    leader_page.screenshot(path="/tmp/dangso-quality-dashboard.png", full_page=True)
    leader_page.context.close()
