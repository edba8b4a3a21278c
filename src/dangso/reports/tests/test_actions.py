import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from dangso.core.audit import Actor
from dangso.core.models import AuditEntry, Notification
from dangso.orgs.choices import OrgKind
from dangso.reports import actions
from dangso.reports.actions import FormSpec, IndicatorSpec
from dangso.reports.choices import IndicatorKind, SubmissionStatus
from dangso.reports.models import (
    Indicator,
    NodeApproval,
    ReportForm,
    ReportPeriod,
    Submission,
    SubmissionValue,
)
from dangso.reports.tests.conftest import INDICATORS, Q1, at, good_values, make_form

ACTOR = Actor.system("test")


def _submission(form, org) -> Submission:
    return Submission.objects.get(form=form, organisation=org, period_start=Q1)


def _values(submission) -> dict:
    return {
        value.indicator.code: value.number if value.number is not None else value.text
        for value in SubmissionValue.objects.filter(submission=submission).select_related(
            "indicator"
        )
    }


# --- defining a form ----------------------------------------------------------------------


def test_save_form_creates_indicators_in_order_and_audits(form):
    assert list(form.indicators.values_list("code", flat=True)) == [i.code for i in INDICATORS]
    entry = AuditEntry.objects.get(action="report.form.create")
    assert entry.object_id == str(form.pk)
    assert entry.org_path == form.organisation.path


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (IndicatorSpec("Sai Mã", "Chỉ tiêu", IndicatorKind.NUMBER), "the code may hold only"),
        (IndicatorSpec("a", "", IndicatorKind.NUMBER), "needs a label"),
        (IndicatorSpec("c", "Lựa chọn", IndicatorKind.CHOICE, options=["Có"]), "two different"),
        (IndicatorSpec("t", "Tổng", IndicatorKind.TOTAL, parts=["khong_co"]), "Total “Tổng”"),
        (IndicatorSpec("r", "Tỷ lệ", IndicatorKind.RATIO, parts=["so_chi_bo"]), "Ratio “Tỷ lệ”"),
        (IndicatorSpec("so_chi_bo", "Trùng", IndicatorKind.NUMBER), "Two indicators"),
    ],
)
def test_bad_indicator_definitions_are_refused(world, spec, message):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        make_form(world.tree["province"], indicators=[*INDICATORS, spec])
    assert any(message in text for text in refused.value.message_dict["indicators"])
    assert not ReportForm.objects.exists()
    assert not Indicator.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="report.").exists()


def test_bad_form_settings_are_refused(world):
    spec = FormSpec("", "ma sai", "weekly", 400, ["planet"])
    with pytest.raises(ValidationError) as refused:
        actions.save_form(None, spec, INDICATORS, owner=world.tree["province"], actor=ACTOR)
    assert set(refused.value.message_dict) == {
        "name", "code", "period_type", "due_days", "obliged_kinds"
    }  # fmt: skip
    assert not ReportForm.objects.exists()


def test_code_is_unique_per_owner(form, world):
    with pytest.raises(ValidationError) as refused:
        make_form(world.tree["province"])
    assert "code" in refused.value.message_dict
    assert make_form(world.tree["a"]).code == form.code  # another owner may reuse it


def test_indicators_are_frozen_in_kind_once_a_period_is_open(opened, world):
    spec = FormSpec(opened.name, opened.code, "quarter", 10, [OrgKind.COMMUNE])
    changed = [
        IndicatorSpec(i.code, i.label, IndicatorKind.TEXT if i.code == "so_chi_bo" else i.kind,
                      options=i.options, parts=i.parts)
        for i in INDICATORS
    ]  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        actions.save_form(opened, spec, changed, owner=world.tree["province"], actor=ACTOR)
    assert "indicators" in refused.value.message_dict
    with pytest.raises(ValidationError):
        actions.save_form(opened, spec, INDICATORS[1:], owner=world.tree["province"], actor=ACTOR)
    assert opened.indicators.get(code="so_chi_bo").kind == IndicatorKind.NUMBER
    assert opened.indicators.count() == len(INDICATORS)
    added = [*INDICATORS, IndicatorSpec("moi", "Chỉ tiêu mới", IndicatorKind.NUMBER)]
    relabelled = [IndicatorSpec(**{**vars(added[0]), "label": "Nam kết nạp"}), *added[1:]]
    actions.save_form(opened, spec, relabelled, owner=world.tree["province"], actor=ACTOR)
    assert opened.indicators.get(code="ket_nap_nam").label == "Nam kết nạp"
    assert opened.indicators.filter(code="moi").exists()


# --- periods ----------------------------------------------------------------------------


def test_open_period_creates_one_pending_report_per_obliged_unit_and_is_idempotent(form, world):
    with at(5):
        first = actions.open_period(form, Q1, ACTOR)
        again = actions.open_period(form, Q1, ACTOR)
    assert first.created == 3 and again.created == 0
    rows = Submission.objects.filter(form=form, period_start=Q1)
    assert sorted(rows.values_list("organisation__code", flat=True)) == ["X01", "X02", "X03"]
    assert set(rows.values_list("status", flat=True)) == {SubmissionStatus.PENDING}
    assert {s.period_path for s in rows} == {c.path for c in world.communes}
    period = ReportPeriod.objects.get(form=form, start=Q1)
    assert period.end == datetime.date(2026, 3, 31)
    assert period.due_on == datetime.date(2026, 4, 10)
    assert period.snapshot_on == datetime.date(2026, 3, 31)
    assert AuditEntry.objects.filter(action="report.period.open").count() == 2


def test_the_current_period_uses_todays_tree_and_future_ones_are_refused(form):
    with translation.override("en"), at(20, month=5):
        current = actions.open_period(form, datetime.date(2026, 4, 1), ACTOR)
        assert current.period.snapshot_on == datetime.date(2026, 5, 20)
        with pytest.raises(ValidationError) as refused:
            actions.open_period(form, datetime.date(2026, 7, 1), ACTOR)
        assert "has not begun" in refused.value.message_dict["start"][0]
        with pytest.raises(ValidationError):
            actions.open_period(form, datetime.date(2026, 2, 1), ACTOR)  # not a quarter's start
    assert ReportPeriod.objects.filter(form=form).count() == 1


# --- values -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "typed", "message"),
    [
        ("so_chi_bo", "mười", "“Số chi bộ” must be a number."),
        ("so_chi_bo", "-3", "“Số chi bộ” cannot be negative."),
        ("ty_le_du_hop", "120", "“Tỷ lệ đảng viên dự sinh hoạt” is a percentage"),
        ("ty_le_du_hop", "-1", "“Tỷ lệ đảng viên dự sinh hoạt” is a percentage"),
        ("muc_do", "Xuất sắc", "“Mức độ hoàn thành” must be one of"),
        ("danh_gia", "x" * 5001, "“Đánh giá chung” is too long"),
        ("ket_nap", "7", "“Tổng số đảng viên kết nạp mới” is computed"),
        ("so_chi_bo", "1e30", "“Số chi bộ” must be a number."),
        ("khong_co", "1", "There is no indicator “khong_co”"),
    ],
)
def test_bad_values_are_refused_with_the_indicator_named_and_nothing_written(
    opened, world, code, typed, message
):
    submission = _submission(opened, world.tree["a"])
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        actions.save_draft(submission, good_values(**{code: typed}), ACTOR)
    assert any(message in text for text in refused.value.message_dict[code])
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.PENDING
    assert not SubmissionValue.objects.exists()
    assert not AuditEntry.objects.filter(action="report.save").exists()


def test_required_may_be_empty_in_a_draft_but_not_on_submit(opened, world):
    submission = _submission(opened, world.tree["a"])
    actions.save_draft(submission, {"ket_nap_nam": "2"}, ACTOR)
    assert _values(submission) == {"ket_nap_nam": Decimal("2"), "ket_nap": Decimal("2")}
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        actions.submit(submission, None, ACTOR)
    assert refused.value.message_dict["so_chi_bo"] == ["“Số chi bộ” is required."]
    assert _submission(opened, world.tree["a"]).status == SubmissionStatus.DRAFT


def test_numbers_are_read_the_vietnamese_way_and_totals_and_ratios_computed(opened, world):
    submission = _submission(opened, world.tree["a"])
    with at(6):
        actions.submit(
            submission, good_values(ket_nap_nam="1.200", ket_nap_nu="3,5", so_chi_bo="8"), ACTOR
        )
    values = _values(submission)
    assert values["ket_nap_nam"] == Decimal("1200")
    assert values["ket_nap"] == Decimal("1203.5")
    assert values["ty_le_dung_ky"] == Decimal("112.5")  # 9 / 8 × 100
    assert values["ty_le_du_hop"] == Decimal("92.5")
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.SUBMITTED
    assert submission.on_time is True


def test_late_first_submission_stays_late_after_a_return(opened, world):
    submission = _submission(opened, world.tree["a"])
    with at(15):  # due 10/04
        actions.submit(submission, good_values(), ACTOR)
    actions.return_submission(submission, "Số liệu chưa khớp", world.leader, ACTOR)
    with at(16):
        actions.submit(submission, good_values(so_chi_bo="11"), ACTOR)
    submission.refresh_from_db()
    assert submission.on_time is False
    assert submission.first_submitted_at.date() == datetime.date(2026, 4, 15)


# --- approval -----------------------------------------------------------------------------


def test_only_the_level_above_approves(opened, world):
    submission = _submission(opened, world.tree["a"])
    actions.submit(submission, good_values(), ACTOR)
    own = world.fillers["X01"]
    from dangso.testing.factories import RoleFactory

    RoleFactory(user=own, organisation=world.tree["a"], role="leader")
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        actions.approve_submission(submission, own, ACTOR)
    assert "Only the level above" in refused.value.messages[0]
    assert _submission(opened, world.tree["a"]).status == SubmissionStatus.SUBMITTED
    actions.approve_submission(submission, world.leader, ACTOR)
    assert _submission(opened, world.tree["a"]).status == SubmissionStatus.APPROVED


def test_a_commune_waits_for_its_cells(world):
    form = make_form(world.tree["province"], obliged_kinds=[OrgKind.COMMUNE, OrgKind.CELL])
    with at(5):
        actions.open_period(form, Q1, ACTOR)
    commune = _submission(form, world.tree["a"])
    actions.submit(commune, good_values(), ACTOR)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        actions.approve_submission(commune, world.leader, ACTOR)
    assert "2 reports below Đảng bộ xã Yên Phong are not approved yet" in refused.value.messages[0]


def test_return_needs_a_reason_and_is_refused_after_approval_above(opened, world):
    subs = [_submission(opened, commune) for commune in world.communes]
    for submission in subs:
        actions.submit(submission, good_values(), ACTOR)
    with pytest.raises(ValidationError) as refused:
        actions.return_submission(subs[0], "   ", world.leader, ACTOR)
    assert "reason" in refused.value.message_dict
    assert _submission(opened, world.tree["a"]).status == SubmissionStatus.SUBMITTED
    for submission in subs:
        actions.approve_submission(submission, world.leader, ACTOR)
    actions.approve_node(opened, Q1, world.tree["province"], world.leader, ACTOR)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        actions.return_submission(subs[0], "Sai số liệu", world.leader, ACTOR)
    assert "already approved" in refused.value.messages[0]
    assert _submission(opened, world.tree["a"]).status == SubmissionStatus.APPROVED


def test_approved_reports_are_locked(opened, world):
    submission = _submission(opened, world.tree["a"])
    actions.submit(submission, good_values(), ACTOR)
    actions.approve_submission(submission, world.leader, ACTOR)
    with pytest.raises(ValidationError) as refused:
        actions.save_draft(submission, good_values(so_chi_bo="1"), ACTOR)
    assert refused.value.code == "locked"
    assert _values(submission)["so_chi_bo"] == Decimal("10")


def test_submit_and_return_notify_and_every_step_is_audited(opened, world):
    submission = _submission(opened, world.tree["a"])
    actions.save_draft(submission, good_values(), Actor.for_user(world.fillers["X01"]))
    actions.submit(submission, None, Actor.for_user(world.fillers["X01"]))
    assert Notification.objects.filter(user=world.leader).count() == 1
    actions.return_submission(submission, "Bổ sung đánh giá", world.leader, ACTOR)
    assert Notification.objects.filter(user=world.fillers["X01"]).count() == 1
    assert not Notification.objects.filter(user=world.fillers["X02"]).exists()
    entries = AuditEntry.objects.filter(
        object_type="reports.submission", object_id=str(submission.pk)
    )
    assert list(entries.order_by("seq").values_list("action", flat=True)) == [
        "report.save", "report.submit", "report.return"
    ]  # fmt: skip
    assert entries.get(action="report.save").changes["so_chi_bo"] == [None, "10.0000"]
    assert entries.get(action="report.return").changes["reason"] == "Bổ sung đánh giá"


def test_node_approval_is_stored_once(opened, world):
    for commune in world.communes:
        submission = _submission(opened, commune)
        actions.submit(submission, good_values(), ACTOR)
        actions.approve_submission(submission, world.leader, ACTOR)
    first = actions.approve_node(opened, Q1, world.tree["province"], world.leader, ACTOR)
    again = actions.approve_node(opened, Q1, world.tree["province"], world.leader, ACTOR)
    assert first.pk == again.pk
    assert NodeApproval.objects.count() == 1
    assert AuditEntry.objects.filter(action="report.approve_node").count() == 1
    with pytest.raises(ValidationError) as refused:
        actions.approve_node(opened, Q1, world.tree["a"], world.leader, ACTOR)
    assert refused.value.code == "has_own_report"
