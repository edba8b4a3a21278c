"""The converter's fast path and its general path agree on every good row."""

import datetime

import pytest

from dangso.core.text import fold, name_sort_key, normalise_name
from dangso.imports import readers
from dangso.imports.columns import BY_FIELD, TEMPLATE_HEADERS, suggest_mapping
from dangso.imports.rows import RowConverter, _copy_line, _sqlite_row
from dangso.imports.tests.files import FIELDS, as_cells, member, write_csv


def _converter(copy_format: bool) -> RowConverter:
    return RowConverter(
        headers=TEMPLATE_HEADERS,
        mapping=suggest_mapping(TEMPLATE_HEADERS).mapping,
        cells={"X01C1": 11, "X01C2": 12},
        cell_names={fold("Chi bộ thôn Đông"): 11},
        scope_name="Đảng bộ xã Yên Phong",
        today=datetime.date(2026, 1, 1),
        copy_format=copy_format,
    )


ROWS = [
    member(1),
    member(2, official_date="", phone="", card_number="", email="an@example.vn"),
    member(3, full_name="  nguyễn   văn  an ", hometown="Hà\\Nội", ethnicity="Mường"),
    member(4, organisation="Chi bộ thôn Đông", cccd=""),
    member(5, full_name="Nguyễn\u0301 Thị Hoa", religion="", dossier_number="012345 hn"),
]


@pytest.mark.parametrize("copy_format", [True, False])
def test_fast_path_equals_general_path(copy_format):
    converter = _converter(copy_format)
    for line, cells in enumerate(as_cells(ROWS), start=2):
        general, errors, record = converter.convert_row(line, cells)
        assert not errors, errors
        expected = _copy_line(general) if copy_format else _sqlite_row(general)
        fast = converter.fast_row(line, list(cells))
        if fast is not None:
            assert converter._encode(fast[0], fast=True) == expected
            assert fast[1] == record


def test_fast_path_takes_the_common_rows():
    converter = _converter(True)
    fast = [converter.fast_row(line, cells) for line, cells in enumerate(as_cells(ROWS[:3]), 2)]
    assert all(fast)
    assert "\\\\" in converter._encode(fast[2][0], fast=True)  # Hà\\Nội, escaped for COPY


def test_derived_name_columns():
    converter = _converter(False)
    for raw in ("nguyễn  văn đức", "Lê Thị Ánh", "Đỗ", "Trần Văn A Bình"):
        full, folded, key = converter.name(raw)
        assert full == normalise_name(raw)
        assert folded == fold(full)
        assert key == name_sort_key(full)


def test_units_cover_every_record(tmp_path):
    rows = [member(i, full_name=f'Nguyễn "Văn"\n{i}' if i % 7 == 0 else member(i)["full_name"])
            for i in range(1, 300)]  # fmt: skip
    path = write_csv(tmp_path / "a.csv", rows)
    info = readers.inspect(path, "a.csv")
    records = [
        record
        for unit in readers.iter_csv(path, info, block_bytes=1000)
        for record in readers.csv_records(unit)
    ]
    assert len(records) == len(rows)
    assert [cells[0] for _line, cells in records] == [row["full_name"] for row in rows]
    assert records[-1][0] == 2 + len(rows) - 1 + len([i for i in range(1, 300) if i % 7 == 0])


def test_columns_of_the_template_are_the_generators():
    from dangso.members import synthetic

    assert tuple(TEMPLATE_HEADERS) == synthetic.TEMPLATE_HEADERS
    assert [BY_FIELD[name].header for name in FIELDS] == list(TEMPLATE_HEADERS)
