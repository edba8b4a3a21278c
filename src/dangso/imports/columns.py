"""The columns of a member list file: our template's Vietnamese headers, the headers other
offices use for the same data, and the suggested mapping of a file's header row to them.

Header texts are fixed Vietnamese (the file is a document passed between offices, like the
exports of `members.exports`); the descriptions on the template's second sheet likewise.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from dangso.core.text import fold


@dataclass(frozen=True)
class Column:
    field: str  # Member field name, or "organisation" for the cell's code
    header: str  # the template's header text
    required: bool = False
    synonyms: tuple[str, ...] = ()  # other header texts for the same data
    help: str = ""  # what the template's second sheet says about the column
    width: int = 16


COLUMNS: tuple[Column, ...] = (
    Column("full_name", "Họ và tên", True,
           ("Họ tên", "Họ và tên đảng viên", "Họ tên đảng viên", "Tên đảng viên", "Họ, tên",
            "Họ và tên khai sinh", "Ho ten", "Full name", "Name"),
           "Họ, chữ đệm và tên theo giấy khai sinh. Bắt buộc.", 28),
    Column("other_names", "Tên gọi khác", False, ("Bí danh", "Tên khác"),
           "Tên gọi khác, bí danh (nếu có).", 18),
    Column("sex", "Giới tính", True, ("Nam/Nữ", "Nam, nữ", "Phái", "Sex", "Gender"),
           "Nam hoặc Nữ. Bắt buộc.", 10),
    Column("date_of_birth", "Ngày sinh", True,
           ("Ngày tháng năm sinh", "Ngày, tháng, năm sinh", "Sinh ngày", "NTNS",
            "Date of birth"),
           "Ngày/tháng/năm, ví dụ 05/09/1985. Bắt buộc.", 12),
    Column("place_of_birth", "Nơi sinh", False, ("Nơi sinh (xã, huyện, tỉnh)",),
           "Xã/phường, tỉnh/thành phố nơi sinh.", 24),
    Column("hometown", "Quê quán", False, ("Nguyên quán", "Quê"), "Quê quán.", 24),
    Column("residence", "Nơi thường trú", False,
           ("Thường trú", "Địa chỉ thường trú", "Nơi ở hiện nay", "Chỗ ở hiện nay",
            "Địa chỉ", "Nơi cư trú"),
           "Nơi thường trú.", 28),
    Column("ethnicity", "Dân tộc", False, ("Dân tộc (54 dân tộc)",),
           "Tên một trong 54 dân tộc (Kinh, Tày, Thái, Mường, …) hoặc mã 01–54. "
           "Để trống: Kinh.", 10),
    Column("religion", "Tôn giáo", False, (),
           "Không, Phật giáo, Công giáo, Tin lành, Cao Đài, Hòa Hảo, Hồi giáo hoặc Khác. "
           "Để trống: Không.", 12),
    Column("cccd", "Số CCCD", False,
           ("CCCD", "CMND/CCCD", "Số CMND/CCCD", "CMND", "Số CMND", "Căn cước công dân",
            "Số căn cước", "Số căn cước công dân", "Số định danh", "Số định danh cá nhân",
            "Mã định danh", "Số ĐDCN"),
           "Số định danh cá nhân, 12 chữ số. Dùng để nhận ra đảng viên đã có: nhập lại cùng "
           "số CCCD thì cập nhật hồ sơ đó; dòng không có số CCCD luôn tạo hồ sơ mới.", 15),
    Column("card_number", "Số thẻ đảng viên", False,
           ("Số thẻ", "Số thẻ Đảng", "Thẻ đảng viên", "Số thẻ ĐV"),
           "8 chữ số (thẻ cấp từ năm 2003).", 12),
    Column("dossier_number", "Số lý lịch", False, ("Số LL", "Số lý lịch đảng viên"),
           "6 chữ số và 1–3 chữ cái của đảng bộ tỉnh, ví dụ 012345HN.", 12),
    Column("admission_date", "Ngày vào Đảng", True,
           ("Ngày kết nạp", "Ngày kết nạp Đảng", "Ngày kết nạp vào Đảng", "Ngày vào Đảng CSVN",
            "Vào Đảng", "Admission date"),
           "Ngày kết nạp vào Đảng, ngày/tháng/năm. Bắt buộc.", 14),
    Column("official_date", "Ngày chính thức", False,
           ("Ngày công nhận chính thức", "Ngày chuyển chính thức", "Ngày chính thức vào Đảng",
            "Chính thức"),
           "Ngày được công nhận đảng viên chính thức; để trống nếu còn dự bị.", 14),
    Column("organisation", "Mã chi bộ", True,
           ("Chi bộ", "Mã tổ chức đảng", "Mã TCĐ", "Tên chi bộ", "Chi bộ sinh hoạt",
            "Sinh hoạt tại chi bộ"),
           "Mã của chi bộ đảng viên sinh hoạt (trong phạm vi tổ chức đảng nhập danh sách). "
           "Bắt buộc.", 12),
    Column("general_education", "Trình độ phổ thông", False,
           ("Giáo dục phổ thông", "Trình độ văn hóa", "Văn hóa", "GDPT"),
           "Lớp/hệ, ví dụ 12/12 hoặc 10/10.", 10),
    Column("professional_qualification", "Chuyên môn nghiệp vụ", False,
           ("Trình độ chuyên môn", "Chuyên môn", "Trình độ chuyên môn nghiệp vụ", "CMNV"),
           "Không, Sơ cấp, Trung cấp, Cao đẳng, Đại học, Thạc sĩ hoặc Tiến sĩ.", 14),
    Column("political_theory", "Lý luận chính trị", False,
           ("Trình độ lý luận chính trị", "Trình độ lý luận", "LLCT", "Lý luận"),
           "Không, Sơ cấp, Trung cấp, Cao cấp hoặc Cử nhân.", 12),
    Column("occupation", "Nghề nghiệp", False, ("Nghề nghiệp hiện nay", "Nghề"),
           "Nghề nghiệp hiện nay.", 18),
    Column("position", "Chức vụ", False, ("Chức vụ hiện nay", "Chức vụ đảng", "Chức danh"),
           "Chức vụ (đảng, chính quyền, đoàn thể).", 18),
    Column("phone", "Điện thoại", False,
           ("Số điện thoại", "SĐT", "SDT", "ĐT", "Điện thoại di động", "Di động"),
           "Số di động Việt Nam, 10 chữ số.", 13),
    Column("email", "Email", False, ("E-mail", "Thư điện tử", "Địa chỉ email"),
           "Địa chỉ thư điện tử.", 24),
)  # fmt: skip

BY_FIELD: dict[str, Column] = {column.field: column for column in COLUMNS}
REQUIRED_FIELDS: tuple[str, ...] = tuple(column.field for column in COLUMNS if column.required)
TEMPLATE_HEADERS: tuple[str, ...] = tuple(column.header for column in COLUMNS)

_PUNCTUATION = re.compile(r"[^0-9a-z]+")
_NUMBERING = re.compile(r"^\(?\d+\)?\s+|\s+\(?\d+\)?$")
# Below this score a header is not suggested for a column (rapidfuzz WRatio, 0–100).
FUZZY_THRESHOLD = 88


def fold_header(text: str) -> str:
    """'Họ và tên (1)' → 'ho va ten': the form headers are compared in."""
    folded = _PUNCTUATION.sub(" ", fold(text)).strip()
    return _NUMBERING.sub("", folded).strip()


_KNOWN: dict[str, str] = {}
for _column in COLUMNS:
    for _text in (_column.header, *_column.synonyms):
        _KNOWN.setdefault(fold_header(_text), _column.field)
_KNOWN_KEYS = list(_KNOWN)


@dataclass(frozen=True)
class Suggestion:
    mapping: dict[str, int]  # field → column index in the file
    exact: bool  # every mapped header matched a known header exactly
    recognised: int  # header cells matched to some column
    template: bool = False  # every mapped header is our template's own


def match_header(text: str) -> tuple[str | None, bool]:
    """The field a header names, and whether the match was exact (not fuzzy)."""
    folded = fold_header(text)
    if not folded:
        return None, False
    if folded in _KNOWN:
        return _KNOWN[folded], True
    found = process.extractOne(folded, _KNOWN_KEYS, scorer=fuzz.WRatio)
    if found is not None and found[1] >= FUZZY_THRESHOLD and len(folded) >= 4:
        return _KNOWN[found[0]], False
    return None, False


def suggest_mapping(headers: Sequence[str]) -> Suggestion:
    """Map each known column to the first header naming it (exact matches win)."""
    mapping: dict[str, int] = {}
    fuzzy: dict[str, int] = {}
    recognised = 0
    for index, header in enumerate(headers):
        field, exact = match_header(header)
        if field is None:
            continue
        recognised += 1
        if exact:
            mapping.setdefault(field, index)
        else:
            fuzzy.setdefault(field, index)
    used = set(mapping.values())
    all_exact = True
    for field, index in fuzzy.items():
        if field not in mapping and index not in used:
            mapping[field] = index
            used.add(index)
            all_exact = False
    template = all_exact and all(
        fold_header(headers[index]) == fold_header(BY_FIELD[field].header)
        for field, index in mapping.items()
    )
    return Suggestion(mapping=mapping, exact=all_exact, recognised=recognised, template=template)


def missing_required(mapping: dict[str, int]) -> list[str]:
    """Template headers of the required columns `mapping` leaves out."""
    return [BY_FIELD[field].header for field in REQUIRED_FIELDS if field not in mapping]
