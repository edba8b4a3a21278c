import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from dangso.imports.columns import TEMPLATE_HEADERS
from dangso.imports.models import ImportStatus, MemberImport
from dangso.imports.tests.files import member, write_csv
from dangso.members.models import Member


def _run(*args):
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("import-members", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_dry_run_prints_the_summary_and_the_bad_rows(tmp_path, tree, officer):
    path = write_csv(tmp_path / "a.csv", [member(1), member(2, sex="?"), member(3)])
    out, err = _run(str(path), "--org", "X01", "--user", "can_bo", "--dry-run")
    assert "Rows: 3 · valid: 2 · bad: 1" in out
    assert "3\tGiới tính\t?" in out
    assert "loi-nhap" in out  # the report's path
    assert "rows read" in err
    assert Member.objects.count() == 0
    assert MemberImport.objects.get().status == ImportStatus.REPORTED


def test_all_or_nothing_refuses_with_a_bad_row(tmp_path, tree, officer):
    path = write_csv(tmp_path / "a.csv", [member(1), member(2, sex="?")])
    with pytest.raises(CommandError, match="Nothing was written"):
        _run(str(path), "--org", "X01", "--user", "can_bo")
    assert Member.objects.count() == 0


def test_valid_only_writes(tmp_path, tree, officer):
    path = write_csv(tmp_path / "a.csv", [member(1), member(2, sex="?")])
    out, _err = _run(str(path), "--org", "X01", "--user", "can_bo", "--valid-only")
    assert "created: 1" in out and "Written." in out
    assert Member.objects.count() == 1


def test_refused_file_and_bad_arguments(tmp_path, tree, officer):
    (tmp_path / "a.csv").write_bytes(b"")
    with pytest.raises(CommandError, match="empty"):
        _run(str(tmp_path / "a.csv"), "--org", "X01", "--user", "can_bo")
    with pytest.raises(CommandError, match="No organisation"):
        _run(str(tmp_path / "a.csv"), "--org", "NOPE", "--user", "can_bo")
    with pytest.raises(CommandError, match="may not import"):
        _run(str(write_csv(tmp_path / "b.csv", [member(1)])), "--org", "X02", "--user", "can_bo")
    assert not MemberImport.objects.exists()


def test_template(tmp_path, db):
    _run("--template", str(tmp_path / "mau.xlsx"))
    sheet = load_workbook(tmp_path / "mau.xlsx").worksheets[0]
    assert [cell.value for cell in sheet[1]] == list(TEMPLATE_HEADERS)
