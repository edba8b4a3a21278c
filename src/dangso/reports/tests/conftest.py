import datetime
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.conf import settings

from dangso.core.audit import Actor
from dangso.orgs.choices import OrgKind
from dangso.reports import actions
from dangso.reports.actions import FormSpec, IndicatorSpec
from dangso.reports.choices import IndicatorKind
from dangso.testing.factories import OrganisationFactory, RoleFactory

Q1 = datetime.date(2026, 1, 1)  # first quarter of 2026, due 10/04/2026
DURING_Q2 = datetime.datetime(2026, 4, 5, 9, 0, tzinfo=datetime.UTC)

CHOICES = ["Hoàn thành xuất sắc", "Hoàn thành tốt", "Hoàn thành", "Không hoàn thành"]
INDICATORS = [
    IndicatorSpec(
        "ket_nap_nam", "Số đảng viên nam kết nạp mới", IndicatorKind.NUMBER, unit="người"
    ),
    IndicatorSpec("ket_nap_nu", "Số đảng viên nữ kết nạp mới", IndicatorKind.NUMBER, unit="người"),
    IndicatorSpec(
        "ket_nap",
        "Tổng số đảng viên kết nạp mới",
        IndicatorKind.TOTAL,
        parts=["ket_nap_nam", "ket_nap_nu"],
        unit="người",
    ),
    IndicatorSpec("so_chi_bo", "Số chi bộ", IndicatorKind.NUMBER, required=True, unit="chi bộ"),
    IndicatorSpec(
        "chi_bo_dung_ky", "Số chi bộ sinh hoạt đúng định kỳ", IndicatorKind.NUMBER, required=True
    ),
    IndicatorSpec(
        "ty_le_dung_ky",
        "Tỷ lệ chi bộ sinh hoạt đúng định kỳ",
        IndicatorKind.RATIO,
        parts=["chi_bo_dung_ky", "so_chi_bo"],
        unit="%",
    ),
    IndicatorSpec("ty_le_du_hop", "Tỷ lệ đảng viên dự sinh hoạt", IndicatorKind.PERCENT),
    IndicatorSpec("danh_gia", "Đánh giá chung", IndicatorKind.TEXT),
    IndicatorSpec("muc_do", "Mức độ hoàn thành", IndicatorKind.CHOICE, options=CHOICES),
]


def good_values(**overrides: Any) -> dict[str, Any]:
    values = {
        "ket_nap_nam": "3", "ket_nap_nu": "2", "so_chi_bo": "10", "chi_bo_dung_ky": "9",
        "ty_le_du_hop": "92,5", "danh_gia": "Hoàn thành các chỉ tiêu của quý.",
        "muc_do": "Hoàn thành tốt",
    }  # fmt: skip
    values.update(overrides)
    return values


@dataclass
class World:
    tree: dict
    communes: list
    designer: Any  # office at the province: designs forms, opens periods
    leader: Any  # leader at the province: approves communes' reports
    fillers: dict  # commune code -> user with the organisation role there


@pytest.fixture
def world(tree) -> World:
    """The tree with a third commune; a province office and leader; an officer per commune."""
    tree["c"] = OrganisationFactory(
        code="X03", name="Đảng bộ xã Tam Giang", short_name="ĐU", kind=OrgKind.COMMUNE,
        parent=tree["province"],
    )  # fmt: skip
    tree["c1"] = OrganisationFactory(code="X03C1", name="Chi bộ thôn Bắc", parent=tree["c"])
    communes = [tree["a"], tree["b"], tree["c"]]
    designer = RoleFactory(organisation=tree["province"], role="office").user
    leader = RoleFactory(organisation=tree["province"], role="leader").user
    fillers = {
        commune.code: RoleFactory(organisation=commune, role="organisation").user
        for commune in communes
    }
    return World(tree, communes, designer, leader, fillers)


def make_form(owner: Any, **overrides: Any) -> Any:
    spec = FormSpec(
        name=overrides.pop("name", "Báo cáo công tác phát triển đảng viên"),
        code=overrides.pop("code", "phat-trien-dang-vien"),
        period_type=overrides.pop("period_type", "quarter"),
        due_days=overrides.pop("due_days", 10),
        obliged_kinds=overrides.pop("obliged_kinds", [OrgKind.COMMUNE]),
    )
    return actions.save_form(
        None, spec, overrides.pop("indicators", INDICATORS), owner=owner,
        actor=Actor.system("test"),
    )  # fmt: skip


@pytest.fixture
def form(world):
    return make_form(world.tree["province"])


@pytest.fixture
def opened(form):
    """The form with its first quarter of 2026 opened early in April."""
    with time_machine.travel(DURING_Q2, tick=False):
        actions.open_period(form, Q1, Actor.system("test"))
    return form


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def at(day: int, month: int = 4, hour: int = 9) -> Any:
    """Travel to a day of 2026 (Hà Nội time), frozen."""
    moment = datetime.datetime(
        2026, month, day, hour, tzinfo=datetime.timezone(datetime.timedelta(hours=7))
    )
    return time_machine.travel(moment, tick=False)
