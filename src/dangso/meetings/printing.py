"""The minutes of a cell meeting (biên bản sinh hoạt chi bộ) as a PDF, in the HD 36 layout.

Top left the organisation above the cell and the cell in capitals; top right "ĐẢNG CỘNG SẢN
VIỆT NAM" underlined, and the place and date in italics; the title; the meeting's time, place,
chair and minute-taker; attendance as the minutes state it (present, absent with leave and the
reasons, absent without leave) taken from the check-in list; the content; the signatures of the
minute-taker and the chair. Like the other printed forms, the fixed words are Vietnamese
whatever the interface language; draft minutes say so across the top.
"""

import re

from django.template.loader import render_to_string
from django.utils import timezone

from dangso.core.printing import PARTY_HEADER, css_string, html_to_pdf
from dangso.core.text import nfc
from dangso.meetings.choices import MeetingKind
from dangso.meetings.models import Meeting
from dangso.meetings.queries import minutes_attendance

_UNIT_WORDS = re.compile(
    r"^(đảng bộ|chi bộ|đảng ủy)\s+(xã|phường|thị trấn|đặc khu|tỉnh|thành phố|khu phố|thôn)?\s*",
    re.IGNORECASE,
)


def locality(meeting: Meeting) -> str:
    """The place name of the date line: the commune of the organisation above the cell
    ("Đảng bộ xã Yên Phong" → "Yên Phong"), dotted when there is no such name."""
    parent = meeting.cell.parent
    name = _UNIT_WORDS.sub("", nfc(parent.name)).strip() if parent is not None else ""
    return name if name and len(name) <= 40 else "…………"


def render_minutes_pdf(meeting: Meeting) -> bytes:
    start = timezone.localtime(meeting.opened_at or meeting.starts_at)
    end = timezone.localtime(meeting.closed_at) if meeting.closed_at else None
    day = timezone.localtime(meeting.starts_at)
    parent = meeting.cell.parent
    attendance = minutes_attendance(meeting)
    subtitle = "ĐỊNH KỲ KẾT HỢP CHUYÊN ĐỀ" if meeting.kind == MeetingKind.THEMATIC else "ĐỊNH KỲ"
    sections = [
        ("Thông tin thời sự, chủ trương, chính sách mới", meeting.minutes_news),
        ("Kiểm điểm việc thực hiện nhiệm vụ tháng trước", meeting.minutes_review),
        ("Nhiệm vụ, giải pháp tháng tới", meeting.minutes_tasks),
        ("Ý kiến thảo luận", meeting.minutes_discussion),
        ("Nghị quyết, kết luận của chi bộ", meeting.minutes_resolution),
    ]
    html = render_to_string(
        "meetings/minutes_print.html",
        {
            "meeting": meeting,
            "party_header": PARTY_HEADER,
            "parent_name": nfc(parent.name).upper() if parent else "",
            "organisation_name": nfc(meeting.cell.name).upper(),
            "date_line": f"{locality(meeting)}, ngày {day.day:02d} tháng {day.month:02d} "
            f"năm {day.year}",
            "subtitle": subtitle,
            "start": start,
            "end": end,
            "attendance": attendance,
            "sections": [(number, title, text) for number, (title, text) in enumerate(sections, 1)],
            "draft": not meeting.minutes_final,
            "footer_css": css_string(f"{meeting.cell.name} — {meeting.title}"[:120]),
            "page_label_css": css_string("Trang"),
        },
    )
    return html_to_pdf(html)
