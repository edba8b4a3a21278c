import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from dangso.accounts.roles import Role
from dangso.imports.columns import TEMPLATE_HEADERS
from dangso.imports.models import ImportMode, ImportStatus, MemberImport
from dangso.imports.pipeline import run_import
from dangso.imports.tests.files import member, write_csv
from dangso.members.models import Member
from dangso.testing.factories import RoleFactory


def _upload(client, path, organisation):
    with open(path, "rb") as handle:
        upload = SimpleUploadedFile(path.name, handle.read())
    return client.post(reverse("imports:upload"), {"file": upload, "organisation": organisation.pk})


def test_template_upload_check_and_commit(sign_in, officer, tree, tmp_path,
                                          django_capture_on_commit_callbacks):  # fmt: skip
    client = sign_in(officer)
    rows = [member(1), member(2, sex="?"), member(3)]
    path = write_csv(tmp_path / "danh-sach.csv", rows)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = _upload(client, path, tree["a"])
    job = MemberImport.objects.get()
    assert response.status_code == 302 and response.url == reverse("imports:detail", args=[job.pk])
    assert len(callbacks) == 1 and job.status == ImportStatus.QUEUED
    job.refresh_from_db()
    assert job.task_id and job.mode == ImportMode.DRY_RUN

    run_import(job.pk)  # what `dangso worker` does
    page = client.get(reverse("imports:status", args=[job.pk])).content.decode()
    assert "hx-trigger" not in page  # finished: the page stops polling
    assert "Giới tính" in page and "Commit all or nothing" in page and "disabled" in page
    assert Member.objects.count() == 0

    report = client.get(reverse("imports:report", args=[job.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(report.streaming_content))).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert ["Dòng", "Cột", "Giá trị", "Lý do"] in values
    assert any(row[0] == 3 and row[1] == "Giới tính" for row in values)

    refused = client.post(reverse("imports:commit", args=[job.pk]), {"mode": "all_or_nothing"})
    assert refused.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.REPORTED  # all or nothing with a bad row: refused at once

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:commit", args=[job.pk]), {"mode": "valid_only"})
    job.refresh_from_db()
    assert (job.status, job.mode) == (ImportStatus.QUEUED, ImportMode.VALID_ONLY)
    run_import(job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.COMMITTED and job.created == 2
    assert Member.objects.count() == 2


def test_other_headers_go_through_the_mapping(sign_in, officer, tree, tmp_path):
    client = sign_in(officer)
    headers = ["STT", "Họ tên", "Nam/Nữ", "Ngày tháng năm sinh", "CMND/CCCD", "Ngày kết nạp",
               "Chi bộ", "Ghi chú"]  # fmt: skip
    fields = ["", "full_name", "sex", "date_of_birth", "cccd", "admission_date", "organisation",
              ""]  # fmt: skip
    path = write_csv(tmp_path / "khac.csv", [member(1)], headers=headers, fields=fields)
    response = _upload(client, path, tree["a"])
    job = MemberImport.objects.get()
    assert job.status == ImportStatus.MAPPING
    assert response.url == reverse("imports:mapping", args=[job.pk])
    page = client.get(response.url).content.decode()
    assert "Ngày tháng năm sinh" in page
    form = {"full_name": "1", "sex": "2", "date_of_birth": "3", "cccd": "4",
            "admission_date": "5", "organisation": "6"}  # fmt: skip
    clash = client.post(response.url, {**form, "phone": "1"})
    assert clash.status_code == 200 and "already chosen" in clash.content.decode()
    missing = client.post(response.url, {**form, "organisation": ""})
    assert missing.status_code == 200
    done = client.post(response.url, form)
    assert done.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.QUEUED and job.mapping["organisation"] == 6
    run_import(job.pk)
    job.refresh_from_db()
    assert (job.status, job.valid) == (ImportStatus.REPORTED, 1)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.csv", b"", "The file is empty"),
        ("a.xlsx", b"PK\x03\x04 not really a zip", "damaged"),
        ("a.csv", "Mã hàng,Tên hàng\nA1,Bút\n".encode(), "No header row"),
        ("a.doc", b"\xd0\xcf\x11\xe0", "Only .xlsx and .csv"),
    ],
)
def test_bad_upload_is_refused_and_nothing_kept(sign_in, officer, tree, name, content, message,
                                                media):  # fmt: skip
    client = sign_in(officer)
    upload = SimpleUploadedFile(name, content)
    response = client.post(
        reverse("imports:upload"), {"file": upload, "organisation": tree["a"].pk}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not MemberImport.objects.exists()
    assert not list(media.rglob("*.*")) if media.exists() else True


def test_upload_over_the_size_limit(sign_in, officer, tree, tmp_path, settings):
    settings.DANGSO_IMPORT_MAX_BYTES = 2000
    path = write_csv(tmp_path / "a.csv", [member(i) for i in range(1, 20)])
    response = _upload(sign_in(officer), path, tree["a"])
    assert "largest file accepted" in response.content.decode()
    assert not MemberImport.objects.exists()


def test_upload_into_an_organisation_out_of_scope(sign_in, officer, tree, tmp_path):
    path = write_csv(tmp_path / "a.csv", [member(1)])
    response = _upload(sign_in(officer), path, tree["b"])
    assert response.status_code == 200  # the form refuses the choice
    assert not MemberImport.objects.exists()


def test_template_download(sign_in, officer):
    response = sign_in(officer).get(reverse("imports:template"))
    workbook = load_workbook(io.BytesIO(response.content))
    data, guide = workbook.worksheets
    assert [cell.value for cell in data[1]] == list(TEMPLATE_HEADERS)
    assert guide.title == "Hướng dẫn" and guide.max_row > 20


def test_job_pages_have_bounded_queries(sign_in, officer, tree, tmp_path,
                                        django_assert_max_num_queries):  # fmt: skip
    client = sign_in(officer)
    for index in range(3):
        path = write_csv(tmp_path / f"{index}.csv", [member(1), member(2, sex="?")])
        _upload(client, path, tree["a"])
    job = MemberImport.objects.first()
    run_import(job.pk)
    client.get(reverse("imports:upload"))
    for name, args in (("imports:upload", []), ("imports:detail", [job.pk]),
                       ("imports:status", [job.pk])):  # fmt: skip
        with django_assert_max_num_queries(9):  # + the unread notices in the menu
            assert client.get(reverse(name, args=args)).status_code == 200


def test_someone_else_in_scope_sees_the_job_others_do_not(sign_in, officer, tree, tmp_path,
                                                          client):  # fmt: skip
    path = write_csv(tmp_path / "a.csv", [member(1)])
    _upload(sign_in(officer), path, tree["a"])
    job = MemberImport.objects.get()
    colleague = RoleFactory(organisation=tree["province"], role=Role.ORGANISATION).user
    assert sign_in(colleague).get(reverse("imports:detail", args=[job.pk])).status_code == 200
    stranger = RoleFactory(organisation=tree["b"], role=Role.ORGANISATION).user
    assert sign_in(stranger).get(reverse("imports:detail", args=[job.pk])).status_code == 404
    reader = RoleFactory(organisation=tree["a"], role=Role.CELL_SECRETARY).user
    assert sign_in(reader).get(reverse("imports:detail", args=[job.pk])).status_code == 403


def test_large_upload_is_read_from_django_temporary_file(sign_in, officer, tree, tmp_path,
                                                         settings):  # fmt: skip
    import hashlib

    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 100  # anything larger goes to a temporary file
    path = write_csv(tmp_path / "a.csv", [member(i) for i in range(1, 20)])
    response = _upload(sign_in(officer), path, tree["a"])
    job = MemberImport.objects.get()
    assert response.status_code == 302
    assert job.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert job.file.read() == path.read_bytes()
