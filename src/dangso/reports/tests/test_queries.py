import datetime
from decimal import Decimal

import pytest

from dangso.core.audit import Actor
from dangso.orgs.actions import merge_organisations, move_organisation
from dangso.orgs.choices import OrgKind
from dangso.orgs.history import path_on, paths_on
from dangso.reports import actions, queries
from dangso.reports.choices import Aggregation, IndicatorKind
from dangso.reports.models import ReportPeriod, Submission
from dangso.reports.tests.conftest import Q1, at, good_values, make_form
from dangso.testing.factories import OrganisationFactory, RoleFactory

ACTOR = Actor.system("test")
Q2 = datetime.date(2026, 4, 1)


def _submit(form, org, start=Q1, **values):
    submission = Submission.objects.get(form=form, organisation=org, period_start=start)
    return actions.submit(submission, good_values(**values), ACTOR)


def _by_code(rows):
    return {row.indicator.code: row for row in rows}


def test_aggregate_sums_averages_divides_sums_and_counts_choices(opened, world):
    a, b, c = world.communes
    with at(6):
        _submit(
            opened, a, so_chi_bo="10", chi_bo_dung_ky="9", ty_le_du_hop="90", muc_do="Hoàn thành"
        )
        _submit(opened, b, so_chi_bo="30", chi_bo_dung_ky="15", ty_le_du_hop="80", ket_nap_nu="")
    period = ReportPeriod.objects.get(form=opened, start=Q1)
    rows = _by_code(queries.aggregate(opened, Q1, world.tree["province"].path))
    assert rows["so_chi_bo"].value == Decimal("40")
    assert rows["chi_bo_dung_ky"].value == Decimal("24")
    # Σ numerators / Σ denominators = 24/40 = 60 %, not the mean of 90 % and 50 % (70 %).
    assert rows["ty_le_dung_ky"].value == Decimal("60.00")
    assert rows["ty_le_du_hop"].value == Decimal("85.00")
    assert rows["ket_nap"].value == Decimal("8")  # 3+2 and 3+0
    assert rows["ket_nap_nu"].count == 1
    assert rows["muc_do"].choices == [("Hoàn thành tốt", 1), ("Hoàn thành", 1)]
    assert [name for name, _text in rows["danh_gia"].texts] == [a.name, b.name]
    assert (
        queries.aggregate(opened, Q1, world.tree["province"].path, approved_only=True)[3].value
        is None
    )
    progress = queries.node_progress(period, world.tree["province"].path)
    assert (progress.total.expected, progress.total.received) == (3, 2)
    assert [child.name for child in progress.children] == [b.name, c.name, a.name]
    assert progress.own is None


def test_a_number_may_add_up_by_average(world):
    indicators = [
        actions.IndicatorSpec("dien_tich", "Diện tích", IndicatorKind.NUMBER, Aggregation.AVERAGE)
    ]
    form = make_form(world.tree["province"], indicators=indicators)
    with at(5):
        actions.open_period(form, Q1, ACTOR)
        for commune, area in zip(world.communes, ("10", "20", "60"), strict=True):
            submission = Submission.objects.get(form=form, organisation=commune)
            actions.submit(submission, {"dien_tich": area}, ACTOR)
    (row,) = queries.aggregate(form, Q1, world.tree["province"].path)
    assert row.value == Decimal("30.00")


@pytest.fixture
def two_provinces(world):
    """A second province with one commune; a form of the Central Committee over both."""
    other = OrganisationFactory(
        code="T02", name="Đảng bộ tỉnh Lạng Sơn", short_name="TU", kind=OrgKind.PROVINCE,
        parent=world.tree["central"],
    )  # fmt: skip
    commune = OrganisationFactory(
        code="Y01", name="Đảng bộ xã Hữu Lũng", short_name="ĐU", kind=OrgKind.COMMUNE,
        parent=other,
    )  # fmt: skip
    form = make_form(world.tree["central"])
    with at(5):
        actions.open_period(form, Q1, ACTOR)
        for org in [*world.communes, commune]:
            _submit(form, org)
    return form, other, commune


def test_a_merged_commune_stays_under_its_old_province_in_past_periods(world, two_provinces):
    form, other, commune_y = two_provinces
    commune_x = world.tree["a"]
    merge_organisations([commune_x], into=commune_y, on=datetime.date(2026, 4, 15), actor=ACTOR)
    move_organisation(world.tree["b"], new_parent=other, on=datetime.date(2026, 4, 15), actor=ACTOR)
    province = world.tree["province"]
    province.refresh_from_db()
    other.refresh_from_db()
    q1 = ReportPeriod.objects.get(form=form, start=Q1)

    old = queries.node_progress(q1, queries.node_path_in(q1, province))
    assert old.total.expected == 3 and old.total.received == 3
    assert {child.organisation_id for child in old.children} == {c.pk for c in world.communes}
    rows = _by_code(queries.aggregate(form, Q1, queries.node_path_in(q1, province)))
    assert rows["so_chi_bo"].value == Decimal("30")
    assert queries.node_progress(q1, queries.node_path_in(q1, other)).total.expected == 1

    with at(5, month=7):
        actions.open_period(form, Q2, ACTOR)
    q2 = ReportPeriod.objects.get(form=form, start=Q2)
    new = queries.node_progress(q2, queries.node_path_in(q2, province))
    assert {child.organisation_id for child in new.children} == {world.tree["c"].pk}
    moved = queries.node_progress(q2, queries.node_path_in(q2, other))
    assert {child.organisation_id for child in moved.children} == {commune_y.pk, world.tree["b"].pk}
    assert not Submission.objects.filter(period_start=Q2, organisation=commune_x).exists()


def test_paths_on_follows_the_dated_tree(world):
    other = OrganisationFactory(code="T02", kind=OrgKind.PROVINCE, parent=world.tree["central"])
    commune = world.tree["b"]
    move_organisation(commune, new_parent=other, on=datetime.date(2026, 4, 15), actor=ACTOR)
    commune.refresh_from_db()
    before = paths_on(datetime.date(2026, 3, 31))
    after = paths_on(datetime.date(2026, 4, 15))
    assert before[commune.pk] == f"{world.tree['province'].path}{commune.pk}/"
    assert (
        before[world.tree["b1"].pk]
        == f"{world.tree['province'].path}{commune.pk}/{world.tree['b1'].pk}/"
    )
    assert after[commune.pk] == commune.path
    assert path_on(commune, datetime.date(2026, 3, 31)) == before[commune.pk]
    assert path_on(commune, datetime.date(2026, 5, 1)) == commune.path
    assert path_on(commune, datetime.date(2020, 1, 1)) is None
    within = paths_on(datetime.date(2026, 3, 31), world.tree["province"].path)
    assert commune.pk in within and other.pk not in within


def test_dashboard_progress_is_per_form_and_child_in_few_queries(
    opened, world, django_assert_max_num_queries
):
    with at(6):
        _submit(opened, world.tree["a"])
    with at(20):
        _submit(opened, world.tree["b"])
    viewer = RoleFactory(organisation=world.tree["province"], role="leader").user
    with django_assert_max_num_queries(8):
        (progress,) = queries.dashboard_progress(viewer, world.tree["province"])
    assert progress.form == opened
    assert progress.period_start == Q1
    assert progress.period_label
    assert (progress.expected, progress.received, progress.on_time) == (3, 2, 1)
    assert progress.completeness == pytest.approx(66.7)
    assert progress.timeliness == pytest.approx(33.3)
    assert progress.url.endswith(f"/{Q1.isoformat()}/{world.tree['province'].pk}/")
    by_id = {child.organisation_id: child for child in progress.children}
    assert by_id[world.tree["a"].pk].completeness == 100.0
    assert by_id[world.tree["b"].pk].timeliness == 0.0
    assert by_id[world.tree["c"].pk].received == 0
    # A commune officer sees the province's form at the commune; nothing outside scope.
    officer = world.fillers["X01"]
    (mine,) = queries.dashboard_progress(officer, world.tree["a"])
    assert (mine.expected, mine.received) == (1, 1)
    assert queries.dashboard_progress(officer, world.tree["b"]) == []


def test_forms_visible_in_scope_and_from_above(form, world):
    own = make_form(world.tree["b"], code="rieng")
    officer_a = world.fillers["X01"]
    assert set(queries.visible_forms(officer_a)) == {form}
    assert set(queries.visible_forms(world.designer)) == {form, own}
    assert set(queries.designable_forms(officer_a)) == set()
