"""A province's task goes down the tree and its progress comes back up, in the browser.

The province office assigns a task to three communes with a deadline; one commune hands it
down to two of its cells; the cells report progress; the clock passes the deadline; the
province's leader opens the steering dashboard and sees the rolled-up percentage and the one
overdue commune, at desktop and at phone width. The pages speak Vietnamese.
"""

import datetime
import re

import pytest
import time_machine
from playwright.sync_api import Page, expect

from dangso.core.audit import Actor
from dangso.followup import actions
from dangso.followup.models import Task
from dangso.orgs.choices import OrgKind
from dangso.testing.browser import open_menu_item, sign_in
from dangso.testing.factories import OrganisationFactory, RoleFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Triển khai Nghị quyết số 57-NQ/TW về chuyển đổi số"


def _person(username: str, organisation, role: str):
    user = UserFactory(username=username, first_name=username)
    RoleFactory(user=user, organisation=organisation, role=role)
    return user


def test_task_is_delegated_reported_and_rolled_up_on_the_dashboard(page: Page, live_server, tree):
    url = live_server.url
    page.set_viewport_size({"width": 1280, "height": 900})
    page.set_default_timeout(10_000)
    commune_c = OrganisationFactory(code="X03", name="Đảng bộ xã Tam Sơn", short_name="ĐU",
                                    kind=OrgKind.COMMUNE, parent=tree["province"])  # fmt: skip
    province_clerk = _person("vanthu.tinh", tree["province"], "office")
    province_leader = _person("lanhdao.tinh", tree["province"], "leader")
    commune_clerk = _person("vanthu.xa", tree["a"], "office")
    cell_secretaries = [_person("bithu.dong", tree["a1"], "cell_secretary"),
                        _person("bithu.tay", tree["a2"], "cell_secretary")]  # fmt: skip
    deadline = datetime.date.today() + datetime.timedelta(days=10)

    # 1. The province office assigns the task to its three communes.
    sign_in(page, url, province_clerk)
    page.goto(f"{url}/tasks/new/?org={tree['province'].pk}")
    expect(page.get_by_role("heading", name="Giao nhiệm vụ")).to_be_visible()
    page.get_by_label(re.compile("^Nhiệm vụ")).fill(TITLE)
    page.get_by_label("Nguồn giao").fill("Nghị quyết số 57-NQ/TW")
    page.get_by_label(re.compile("^Thời hạn")).fill(deadline.strftime("%d/%m/%Y"))
    for name in ("Đảng bộ xã Yên Phong", "Đảng bộ phường Kinh Bắc", "Đảng bộ xã Tam Sơn"):
        page.get_by_label(name, exact=True).and_(page.locator("[name=assignees]")).check()
    page.get_by_role("button", name="Giao", exact=True).click()
    expect(page.get_by_text("Đã giao nhiệm vụ.")).to_be_visible()
    expect(page.locator("#sub-tasks tbody tr")).to_have_count(3)
    task = Task.objects.get(parent=None)

    # 2. Commune Yên Phong hands its share down to its two cells.
    sign_in(page, url, commune_clerk)
    page.goto(f"{url}/tasks/")
    page.get_by_role("link", name=TITLE).click()
    page.get_by_label("Chi bộ thôn Đông").check()
    page.get_by_label("Chi bộ thôn Tây").check()
    page.get_by_role("button", name="Giao", exact=True).click()
    expect(page.get_by_text("Đã giao nhiệm vụ cho cấp dưới.")).to_be_visible()
    expect(page.locator("#sub-tasks tbody tr")).to_have_count(2)

    # 3. The cells report progress; a bad figure is refused and what was typed is kept.
    for secretary, percent in zip(cell_secretaries, ("100", "50"), strict=True):
        sign_in(page, url, secretary)
        page.goto(f"{url}/tasks/")
        page.get_by_role("link", name=TITLE).click()
        page.get_by_label(re.compile(r"^Tiến độ \(%\)")).fill("150")
        page.get_by_label("Nội dung đã thực hiện").fill("Đã tổ chức quán triệt cho đảng viên")
        page.get_by_role("button", name="Cập nhật tiến độ").click()
        expect(page.get_by_text("Nhập tiến độ là số nguyên từ 0 đến 100.")).to_be_visible()
        expect(page.get_by_label("Nội dung đã thực hiện")).to_have_value(
            "Đã tổ chức quán triệt cho đảng viên"
        )
        page.get_by_label(re.compile(r"^Tiến độ \(%\)")).fill(percent)
        page.get_by_role("button", name="Cập nhật tiến độ").click()
        expect(page.get_by_text("Đã cập nhật tiến độ.")).to_be_visible()
        expect(page.locator("#task-progress")).to_contain_text(f"{percent} %")

    # The other two communes finish on time (their offices report through the API/actions).
    for org in (tree["b"], commune_c):
        actions.report_progress(task.children.get(organisation=org), percent=100,
                                note="Hoàn thành", actor=Actor.system("test"))  # fmt: skip

    # 4. Past the deadline, the province's leader opens the dashboard.
    with time_machine.travel(deadline + datetime.timedelta(days=1), tick=True):
        sign_in(page, url, province_leader)
        open_menu_item(page, "Điều hành", "Bảng điều hành")
        expect(
            page.get_by_role("heading", name="Bảng điều hành · Đảng bộ tỉnh Bắc Ninh")
        ).to_be_visible()
        expect(page.locator("#tasks-progress")).to_have_text("92 %")  # (75 + 100 + 100) / 3
        expect(page.locator("#tasks-overdue")).to_have_text("1")
        overdue_row = page.locator("#units tr.table-danger")
        expect(overdue_row).to_have_count(1)
        expect(overdue_row).to_contain_text("Đảng bộ xã Yên Phong")
        expect(page.locator("#chart-task-status canvas")).to_be_visible()
        # The members panel arrives after the page.
        expect(page.locator("#members-on-roll")).to_be_visible()
        # Drill down: the overdue commune's dashboard, then the list behind the figure.
        overdue_row.get_by_role("link", name="Đảng bộ xã Yên Phong").click()
        expect(
            page.get_by_role("heading", name="Bảng điều hành · Đảng bộ xã Yên Phong")
        ).to_be_visible()
        expect(page.locator("#tasks-progress")).to_have_text("75 %")
        page.locator("#tasks-overdue").click()
        expect(page.locator("[data-status=overdue]")).to_have_count(1)
        expect(page.get_by_role("link", name=TITLE)).to_be_visible()

        # At phone width the dashboard still shows the figures and the overdue commune.
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{url}/tasks/dashboard/?org={tree['province'].pk}")
        expect(page.locator("#tasks-overdue")).to_be_visible()
        expect(page.locator("#units tr.table-danger")).to_contain_text("Đảng bộ xã Yên Phong")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390 + 1, f"the page scrolls sideways at phone width ({width}px)"
