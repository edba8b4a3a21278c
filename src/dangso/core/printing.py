"""Printed forms: HTML templates rendered to PDF by WeasyPrint, with nothing loaded from
outside (DESIGN rule 6: no base URL, and a fetcher that refuses every resource)."""

import html
from typing import Any

from django.utils.safestring import mark_safe

# The national emblem line of every Party document's header (HD 36-HD/VPTW).
PARTY_HEADER = "ĐẢNG CỘNG SẢN VIỆT NAM"


def css_string(value: str) -> str:
    """`value` as a quoted CSS string, safe inside the page's <style> element (running
    headers and footers are CSS `content`)."""
    escaped = "".join(
        f"\\{ord(char):x} " if char in '\\"<>&' or ord(char) < 32 else char for char in value
    )
    return mark_safe(f'"{escaped}"')  # every special character is escaped above


def html_to_pdf(html: str) -> bytes:
    import weasyprint

    return weasyprint.HTML(string=html, url_fetcher=_no_fetch).write_pdf()  # type: ignore[no-any-return]


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"printed forms load no external resource ({url})")


DEFAULT_TEXT = (
    "Nghị quyết về công tác chuyển đổi số trong các cơ quan Đảng: tăng cường ứng dụng công nghệ"
    " thông tin, bảo đảm an toàn, an ninh mạng và nâng cao hiệu quả lãnh đạo, chỉ đạo."
)


def make_pdf(pages: int = 1, text: str = DEFAULT_TEXT) -> bytes:
    """A simple PDF with Vietnamese text, one heading and paragraph per page: the demo's and
    the tests' sample documents."""
    body = "".join(
        f'<section style="break-after: page"><h1>Trang {n}</h1><p>{html.escape(text)}</p></section>'
        for n in range(1, pages + 1)
    )
    document = (
        '<html lang="vi"><head><meta charset="utf-8"><style>'
        "@page { size: A4; margin: 2cm } body { font-family: 'DejaVu Sans', sans-serif }"
        "section:last-child { break-after: auto }"
        f"</style></head><body>{body}</body></html>"
    )
    return html_to_pdf(document)
