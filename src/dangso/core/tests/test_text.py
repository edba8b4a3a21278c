import pytest

from dangso.core.text import fold, name_sort_key, nfc, normalise_name


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Nguyễn Văn Đức", "nguyen van duc"),
        ("Lê Đình Dũng", "le dinh dung"),
        ("ĐẶNG THỊ NGỌC HUYỀN", "dang thi ngoc huyen"),
        ("  Trần   Hồng  Nhung ", "tran hong nhung"),
        ("Nguye\u0302\u0303n", "nguyen"),  # decomposed (NFD) input
    ],
)
def test_fold_removes_marks_and_maps_d_with_stroke(text, folded):
    assert fold(text) == folded


def test_nfc_composes_decomposed_text():
    assert nfc("Nguye\u0302\u0303n") == "Nguyễn"


def test_normalise_name_capitalises_each_word():
    assert normalise_name("  nguyễn  văn đức ") == "Nguyễn Văn Đức"
    assert normalise_name("ĐẶNG THỊ HUYỀN") == "Đặng Thị Huyền"


def test_names_sort_by_given_name_then_family_in_vietnamese_order():
    names = [
        "Trần Văn Đức",
        "Nguyễn Văn Dũng",
        "Lê Thị Anh",
        "Nguyễn Thị Ánh",
        "Phạm Văn Ân",
        "Bùi Thị Ăn",
        "Nguyễn Văn Anh",
        "Hoàng Minh Ơn",
        "Vũ Văn Ôn",
        "Đỗ Văn On",
    ]
    ordered = sorted(names, key=name_sort_key)
    assert ordered == [
        "Lê Thị Anh",
        "Nguyễn Văn Anh",
        "Nguyễn Thị Ánh",
        "Bùi Thị Ăn",
        "Phạm Văn Ân",
        "Nguyễn Văn Dũng",
        "Trần Văn Đức",
        "Đỗ Văn On",
        "Vũ Văn Ôn",
        "Hoàng Minh Ơn",
    ]
