import datetime

import pytest
from openpyxl import load_workbook

from dangso.core import legacy
from dangso.core.models import AuditEntry
from dangso.imports import pipeline
from dangso.imports.models import ImportMode, ImportStatus, MemberImport
from dangso.imports.pipeline import import_file
from dangso.imports.readers import ImportFileError
from dangso.imports.tests.files import member, write_csv, write_xlsx
from dangso.members import actions
from dangso.members.choices import EventKind, MemberStatus
from dangso.members.models import Member, MemberEvent
from dangso.orgs.models import Organisation
from dangso.quality.actions import check_members
from dangso.quality.models import MemberProblem
from dangso.testing.factories import MemberFactory

DRY = ImportMode.DRY_RUN
ALL = ImportMode.ALL_OR_NOTHING
VALID = ImportMode.VALID_ONLY


@pytest.fixture
def good_file(tmp_path):
    rows = [member(i, cell="X01C1" if i % 3 else "X01C2") for i in range(1, 31)]
    return write_csv(tmp_path / "danh-sach.csv", rows)


def _report_rows(result):
    from django.core.files.storage import default_storage

    with default_storage.open(result.report, "rb") as handle:
        sheet = load_workbook(handle, read_only=True).active
        return [[*row, None, None, None, None][:4] for row in sheet.iter_rows(values_only=True)]


def test_dry_run_writes_only_the_job_and_the_report(tmp_path, tree, officer):
    rows = [member(1), member(2, date_of_birth="31/02/1980"), member(3, organisation="Z99")]
    path = write_csv(tmp_path / "a.csv", rows)
    audit_before = AuditEntry.objects.count()

    result = import_file(path, user=officer, scope=tree["a"], mode=DRY)

    assert result.status == ImportStatus.REPORTED
    assert (result.rows, result.valid, result.bad) == (3, 1, 2)
    assert Member.objects.count() == 0 and MemberEvent.objects.count() == 0
    assert AuditEntry.objects.count() == audit_before
    assert MemberImport.objects.get().sha256 == result.sha256 != ""
    lines = {error[0] for error in result.errors}
    assert lines == {3, 4}
    report = _report_rows(result)
    assert ["Dòng", "Cột", "Giá trị", "Lý do"] in report
    assert any(row[0] == 4 and row[1] == "Mã chi bộ" and row[2] == "Z99" for row in report)


def test_all_or_nothing_writes_a_clean_file(good_file, tree, officer):
    calls = []
    actions.follow_member_changes(lambda ids, orgs: calls.append((list(ids), list(orgs))))
    try:
        result = import_file(good_file, user=officer, scope=tree["a"], mode=ALL)
    finally:
        actions._member_followers.pop()
    assert result.status == ImportStatus.COMMITTED, result.message
    assert (result.rows, result.valid, result.bad, result.created) == (30, 30, 0, 30)
    assert Member.objects.count() == 30
    duc = Member.objects.get(cccd=member(14)["cccd"])
    assert duc.full_name == "Hoàng Thu Đức"
    assert duc.name_folded == "hoang thu duc"
    assert duc.status == MemberStatus.OFFICIAL
    assert duc.organisation == tree["a1"]
    assert MemberEvent.objects.filter(kind=EventKind.ADMITTED).count() == 30
    tree["a1"].refresh_from_db()
    tree["a2"].refresh_from_db()
    assert (tree["a1"].member_count, tree["a2"].member_count) == (20, 10)
    # New records are not re-checked by the followers: their problems come from the row checks.
    assert len(calls) == 1 and calls[0][0] == []
    assert sorted(calls[0][1]) == sorted([tree["a1"].pk, tree["a2"].pk])
    entry = AuditEntry.objects.get(action="member.import")
    assert entry.changes["created"] == [None, 30]
    assert entry.changes["sha256"] == [None, result.sha256]


def test_derived_name_columns_match_the_model(good_file, tree, officer):
    import_file(good_file, user=officer, scope=tree["a"], mode=ALL)
    for stored in Member.objects.all():
        fresh = Member(full_name=stored.full_name)
        fresh.full_name = stored.full_name
        from dangso.core.text import fold, name_sort_key, normalise_name

        assert stored.full_name == normalise_name(stored.full_name)
        assert stored.name_folded == fold(stored.full_name)
        assert stored.sort_key == name_sort_key(stored.full_name)


def test_reimport_changes_nothing(good_file, tree, officer):
    import_file(good_file, user=officer, scope=tree["a"], mode=ALL)
    snapshot = sorted(Member.objects.values_list("pk", "full_name", "phone", "updated_at"))
    events, audit = MemberEvent.objects.count(), AuditEntry.objects.count()

    result = import_file(good_file, user=officer, scope=tree["a"], mode=ALL)

    assert result.status == ImportStatus.COMMITTED
    assert (result.created, result.updated, result.unchanged) == (0, 0, 30)
    assert sorted(Member.objects.values_list("pk", "full_name", "phone", "updated_at")) == snapshot
    assert MemberEvent.objects.count() == events
    assert AuditEntry.objects.count() == audit + 1  # the import itself, no entry per row


def test_upsert_updates_a_changed_phone_and_keeps_empty_cells(tmp_path, tree, officer):
    rows = [member(1), member(2)]
    import_file(write_csv(tmp_path / "a.csv", rows), user=officer, scope=tree["a"], mode=ALL)
    rows[0] = {**rows[0], "phone": "0912000111", "hometown": ""}

    result = import_file(write_csv(tmp_path / "b.csv", rows), user=officer, scope=tree["a"])

    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    changed = Member.objects.get(cccd=rows[0]["cccd"])
    assert changed.phone == "0912000111"
    assert changed.hometown == "Bắc Ninh"  # an empty cell keeps what is recorded
    assert Member.objects.count() == 2


def test_probationary_member_recognised_through_the_file(tmp_path, tree, officer):
    row = member(1, official_date="")
    import_file(write_csv(tmp_path / "a.csv", [row]), user=officer, scope=tree["a"])
    assert Member.objects.get().status == MemberStatus.PROBATIONARY
    official = member(1)["official_date"]

    result = import_file(
        write_csv(tmp_path / "b.csv", [{**row, "official_date": official}]),
        user=officer, scope=tree["a"],
    )  # fmt: skip

    assert result.updated == 1
    record = Member.objects.get()
    assert record.status == MemberStatus.OFFICIAL
    assert record.events.filter(kind=EventKind.MADE_OFFICIAL).count() == 1


def test_rows_without_cccd_or_card_number_are_always_new(tmp_path, tree, officer):
    path = write_csv(tmp_path / "a.csv", [member(1, cccd="", card_number="")])
    import_file(path, user=officer, scope=tree["a"])
    import_file(path, user=officer, scope=tree["a"])
    assert Member.objects.count() == 2


def test_rows_without_cccd_are_found_by_card_number(tmp_path, tree, officer):
    rows = [member(1, cccd=""), member(2, cccd=""), member(3)]
    path = write_csv(tmp_path / "a.csv", rows)
    import_file(path, user=officer, scope=tree["a"], mode=ALL)
    snapshot = sorted(Member.objects.values_list("pk", "full_name", "phone", "updated_at"))

    again = import_file(path, user=officer, scope=tree["a"], mode=ALL)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert sorted(Member.objects.values_list("pk", "full_name", "phone", "updated_at")) == snapshot
    rows[1] = {**rows[1], "phone": "0912000111"}
    changed = import_file(write_csv(tmp_path / "b.csv", rows), user=officer, scope=tree["a"])
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 2)
    assert Member.objects.get(card_number=rows[1]["card_number"]).phone == "0912000111"


def test_card_number_found_in_another_cell_is_not_moved(tmp_path, tree, officer):
    neighbour = MemberFactory(organisation=tree["a2"], cccd=None, card_number="10000001")
    result = import_file(
        write_csv(tmp_path / "a.csv", [member(1, cccd="")]), user=officer, scope=tree["a"]
    )
    assert result.bad == 1 and tree["a2"].code in result.errors[0][3]
    neighbour.refresh_from_db()
    assert neighbour.organisation == tree["a2"]


def test_all_or_nothing_with_a_bad_row_writes_nothing(tmp_path, tree, officer):
    rows = [member(1), member(2, sex="?"), member(3)]
    result = import_file(write_csv(tmp_path / "a.csv", rows), user=officer, scope=tree["a"])
    assert result.status == ImportStatus.REPORTED
    assert (result.valid, result.bad, result.created) == (2, 1, 0)
    assert "Nothing was written" in result.message
    assert Member.objects.count() == 0


def test_valid_only_writes_the_good_rows(tmp_path, tree, officer):
    rows = [member(1), member(2, sex="?"), member(3), member(4, full_name="")]
    result = import_file(
        write_csv(tmp_path / "a.csv", rows), user=officer, scope=tree["a"], mode=VALID
    )
    assert result.status == ImportStatus.COMMITTED
    assert (result.rows, result.valid, result.bad, result.created) == (4, 2, 2, 2)
    assert sorted(Member.objects.values_list("cccd", flat=True)) == sorted(
        [rows[0]["cccd"], rows[2]["cccd"]]
    )
    assert {error[0] for error in result.errors} == {3, 5}
    headers = {error[1] for error in result.errors}
    assert headers == {"Giới tính", "Họ và tên"}


def test_rules_of_a_member_record_make_a_row_bad(tmp_path, tree, officer):
    young = member(1, admission_date="01/01/1985")  # born 1970: 15 at admission
    bad_cccd = member(2, cccd="12345")
    no_cccd = member(3, cccd="")  # a warning only
    result = import_file(
        write_csv(tmp_path / "a.csv", [young, bad_cccd, no_cccd]),
        user=officer, scope=tree["a"], mode=VALID,
    )  # fmt: skip
    assert (result.valid, result.bad) == (1, 2)
    by_line = {error[0]: error for error in result.errors}
    assert by_line[2][1] == "Ngày vào Đảng" and "18" in by_line[2][3]
    assert by_line[3][1] == "Số CCCD"


def test_duplicate_cccd_in_one_file_makes_both_rows_bad(tmp_path, tree, officer):
    first = member(1)
    rows = [first, member(2), {**member(3), "cccd": first["cccd"], "card_number": ""}]
    result = import_file(
        write_csv(tmp_path / "a.csv", rows), user=officer, scope=tree["a"], mode=VALID
    )
    assert (result.valid, result.bad, result.created) == (1, 2, 1)
    reasons = {error[0]: error[3] for error in result.errors}
    assert "line 4" in reasons[2] and "line 2" in reasons[4]
    assert Member.objects.get().cccd == member(2)["cccd"]


def test_rows_for_cells_out_of_scope_are_refused(tmp_path, tree, officer):
    rows = [member(1), member(2, cell="X02C1"), member(3, cell="NOPE")]
    path = write_csv(tmp_path / "a.csv", rows)
    result = import_file(path, user=officer, scope=tree["a"])
    assert result.status == ImportStatus.REPORTED and Member.objects.count() == 0
    errors = {error[0]: error for error in result.errors}
    assert set(errors) == {3, 4}
    assert errors[3][2] == "X02C1" and "Đảng bộ xã Yên Phong" in errors[3][3]

    with pytest.raises(ImportFileError):
        import_file(path, user=officer, scope=tree["b"])
    assert MemberImport.objects.count() == 1


def test_cccd_recorded_in_another_cell_is_not_moved(tmp_path, tree, officer):
    outsider = MemberFactory(organisation=tree["b1"], cccd=member(1)["cccd"])
    neighbour = MemberFactory(organisation=tree["a2"], cccd=member(2)["cccd"])
    rows = [member(1), member(2), member(3)]
    result = import_file(
        write_csv(tmp_path / "a.csv", rows), user=officer, scope=tree["a"], mode=VALID
    )
    assert (result.valid, result.bad, result.created) == (1, 2, 1)
    errors = {error[0]: error[3] for error in result.errors}
    assert "outside" in errors[2] and tree["b1"].code not in errors[2]
    assert tree["a2"].code in errors[3]
    outsider.refresh_from_db()
    neighbour.refresh_from_db()
    assert outsider.organisation == tree["b1"] and neighbour.organisation == tree["a2"]


def test_card_number_of_another_member_is_refused(tmp_path, tree, officer):
    MemberFactory(organisation=tree["a1"], card_number=member(1)["card_number"])
    result = import_file(write_csv(tmp_path / "a.csv", [member(1)]), user=officer, scope=tree["a"])
    assert result.bad == 1 and result.errors[0][1] == "Số thẻ đảng viên"


def test_mixed_encodings_are_repaired(tmp_path, tree, officer):
    rows = [
        member(1, full_name=legacy.from_unicode("Nguyễn Văn Đức", "tcvn3"),
               hometown=legacy.from_unicode("Xã Đông Phong, tỉnh Bắc Ninh", "tcvn3")),
        member(2, full_name="Trần Thị Hồng Nhung"),
        member(3, full_name=legacy.from_unicode("Lê Thị Ánh", "vni")),
    ]  # fmt: skip
    path = write_csv(tmp_path / "a.csv", rows)
    result = import_file(path, user=officer, scope=tree["a"])
    assert result.status == ImportStatus.COMMITTED, result.errors
    names = dict(Member.objects.values_list("cccd", "full_name"))
    assert names[rows[0]["cccd"]] == "Nguyễn Văn Đức"
    assert names[rows[1]["cccd"]] == "Trần Thị Hồng Nhung"
    assert names[rows[2]["cccd"]] == "Lê Thị Ánh"
    assert Member.objects.get(cccd=rows[0]["cccd"]).hometown == "Xã Đông Phong, tỉnh Bắc Ninh"


def test_legacy_code_page_file_is_read(tmp_path, tree, officer):
    """A CSV saved by an old Excel: TCVN3 text in Windows-1252 bytes."""
    rows = [
        member(i, full_name=name)
        for i, name in enumerate(["Nguyễn Văn Đức", "Phạm Thị Hương", "Đỗ Minh Tuấn"], 1)
    ]
    headers = [legacy.from_unicode(h, "tcvn3") for h in (
        "Họ và tên", "Tên gọi khác", "Giới tính", "Ngày sinh", "Nơi sinh", "Quê quán",
        "Nơi thường trú", "Dân tộc", "Tôn giáo", "Số CCCD", "Số thẻ đảng viên", "Số lý lịch",
        "Ngày vào Đảng", "Ngày chính thức", "Mã chi bộ", "Trình độ phổ thông",
        "Chuyên môn nghiệp vụ", "Lý luận chính trị", "Nghề nghiệp", "Chức vụ", "Điện thoại",
        "Email")]  # fmt: skip
    rows = [{key: legacy.from_unicode(value, "tcvn3") for key, value in row.items()}
            for row in rows]  # fmt: skip
    path = write_csv(tmp_path / "a.csv", rows, headers=headers, encoding="cp1252")
    result = import_file(path, user=officer, scope=tree["a"])
    assert result.status == ImportStatus.COMMITTED, result.errors
    assert sorted(Member.objects.values_list("full_name", flat=True)) == [
        "Nguyễn Văn Đức", "Phạm Thị Hương", "Đỗ Minh Tuấn",
    ]  # fmt: skip


def test_excel_file_with_numbers_and_dates(tmp_path, tree, officer):
    row = member(1)
    cells = [
        row["full_name"], "", "Nam", datetime.date(1980, 3, 5), "", "", "", "Kinh", "",
        float(int("0270" + "80" + "000001")), 10000001.0, "", datetime.datetime(2005, 3, 5),
        44000.0, "X01C1", "12/12", "", "", "", "", 912345678.0, "",
    ]  # fmt: skip
    path = write_xlsx(tmp_path / "a.xlsx", [cells])
    result = import_file(path, user=officer, scope=tree["a"])
    assert result.status == ImportStatus.COMMITTED, result.errors
    stored = Member.objects.get()
    assert stored.cccd == "027080000001"
    assert stored.date_of_birth == datetime.date(1980, 3, 5)
    assert stored.admission_date == datetime.date(2005, 3, 5)
    assert stored.official_date == datetime.date(2020, 6, 18)  # Excel serial 44000
    assert stored.phone == "0912345678"


def test_parallel_reading_gives_the_same_result(tmp_path, tree, officer, monkeypatch):
    rows = [member(i, cell="X01C1") for i in range(1, 400)]
    rows[10] = {**rows[10], "full_name": 'Nguyễn\nVăn, "An"'}
    rows[20] = {**rows[20], "sex": "?"}
    path = write_csv(tmp_path / "a.csv", rows)
    inline = import_file(path, user=officer, scope=tree["a"], mode=DRY)

    monkeypatch.setattr(pipeline, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr("dangso.imports.readers._BLOCK_BYTES", 4096)
    parallel = import_file(path, user=officer, scope=tree["a"], mode=DRY)

    assert (parallel.rows, parallel.valid, parallel.bad) == (inline.rows, inline.valid, 1)
    assert parallel.errors == inline.errors
    assert inline.errors[0][0] == 23  # physical line: row 11 spans two lines


def test_unknown_user_scope_is_refused(tmp_path, tree, officer):
    with pytest.raises(ImportFileError):
        import_file(
            write_csv(tmp_path / "a.csv", [member(1)]), user=officer,
            scope=Organisation.objects.get(code="T01"),
        )  # fmt: skip
    assert not MemberImport.objects.exists()


def _schema(table):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s ORDER BY 1", [table]
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass ORDER BY 1",
            [table],
        )
        return indexes, cursor.fetchall()


def test_bulk_load_rebuilds_indexes_and_constraints(good_file, tree, officer, monkeypatch):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the bulk load is PostgreSQL's")
    from dangso.imports import staging

    before = {table: _schema(table) for table in ("members_member", "members_memberevent")}
    monkeypatch.setattr(staging, "BULK_MIN_ROWS", 1)
    result = import_file(good_file, user=officer, scope=tree["a"])
    assert result.created == 30
    assert {table: _schema(table) for table in before} == before
    assert Member.objects.filter(name_folded__contains="duc").exists()
    again = import_file(good_file, user=officer, scope=tree["a"])  # not bulk: 30 on record
    assert again.unchanged == 30


def test_sha256_is_the_files(tmp_path, tree, officer):
    import hashlib

    path = write_csv(tmp_path / "a.csv", [member(1)])
    path.write_bytes(path.read_bytes() + b"\r\n\r\n  \r\n")
    result = import_file(path, user=officer, scope=tree["a"], mode=DRY)
    assert result.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_reasons_are_written_in_the_platform_language(tmp_path, tree, officer, settings):
    from django.utils import translation
    from django.utils.translation import gettext

    settings.LANGUAGE_CODE = "vi"
    path = write_csv(tmp_path / "a.csv", [member(1, full_name="")])
    result = import_file(path, user=officer, scope=tree["a"], mode=DRY)
    with translation.override("vi"):
        assert result.errors[0][3] == gettext("A value is required.")


def test_report_values_cannot_run_as_formulas(tmp_path, tree, officer):
    path = write_csv(tmp_path / "a.csv", [member(1, full_name='=HYPERLINK("http://x")')])
    result = import_file(path, user=officer, scope=tree["a"], mode=DRY)
    from django.core.files.storage import default_storage

    with default_storage.open(result.report, "rb") as handle:
        sheet = load_workbook(handle).active
        cells = [c for row in sheet.iter_rows() for c in row if c.value == '=HYPERLINK("http://x")']
    assert cells and all(c.data_type == "s" and c.quotePrefix for c in cells)


def test_new_records_get_the_problems_the_rules_find(tmp_path, tree, officer):
    late = datetime.datetime.strptime(member(2)["official_date"], "%d/%m/%Y").date()
    rows = [
        member(1, cccd=""),  # cccd.missing
        member(2, official_date=(late + datetime.timedelta(days=200)).strftime("%d/%m/%Y")),
        member(3),
    ]
    import_file(write_csv(tmp_path / "a.csv", rows), user=officer, scope=tree["a"], mode=ALL)

    def stored() -> list[tuple[object, ...]]:
        fields = ("member_id", "organisation_id", "code", "field", "value")
        return sorted(MemberProblem.objects.values_list(*fields))

    written = stored()
    assert {row[2] for row in written} == {"cccd.missing", "official.not_12_months"}
    check_members(Member.objects.values_list("pk", flat=True))
    assert stored() == written
