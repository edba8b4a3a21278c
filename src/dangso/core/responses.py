"""Files sent to the browser: one way to name them and to say how they open."""

from urllib.parse import quote

from django.http import HttpResponse


def file_response(content: bytes, content_type: str, name: str) -> HttpResponse:
    """`content` as a file called `name` (UTF-8, RFC 6266): a PDF opens in the browser, anything
    else downloads; the browser never guesses another type."""
    response = HttpResponse(content, content_type=content_type)
    disposition = "inline" if content_type == "application/pdf" else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(name)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response
