"""Thẻ đảng viên điện tử: the member's card page, the public verify page and the published keys.

The verify page and the key files are public (no sign-in): whoever is shown a card checks it.
They reveal nothing the card itself does not carry.
"""

import json
import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control, never_cache

from dangso.core.audit import Actor
from dangso.handbook import card
from dangso.handbook.portal import member_view

logger = logging.getLogger(__name__)

PUBLISHED_MAX_AGE = 300


@never_cache
@member_view
def card_page(request: HttpRequest) -> HttpResponse:
    """The signed-in member's own card: its face and the signed QR code."""
    member = request.member  # type: ignore[attr-defined]
    context: dict[str, object] = {"member": member}
    if member.card_number:
        try:
            issued = card.issue_card(member, actor=Actor.from_request(request))
        except card.CardNumberInvalid:
            context["bad_number"] = True
        except card.CardError as error:
            logger.error("Party card not issued: %s", error)
            context["problem"] = True
        else:
            context.update(issued=issued, qr=issued.qr_svg(), valid_days=card.valid_days())
    return render(request, "handbook/card/card.html", context)


def verify_page(request: HttpRequest) -> HttpResponse:
    """Anyone checks a card: the QR's link opens here, or the text is pasted."""
    raw = request.GET.get("c", "")
    context: dict[str, object] = {"raw": raw[: card.MAX_TEXT_LENGTH * 2]}
    if raw.strip():
        try:
            context["result"] = card.verify_online(raw)
        except card.CardError as error:
            logger.error("Party card verification unavailable: %s", error)
            context["unavailable"] = True
    response = render(request, "handbook/card/verify.html", context)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def _unavailable(error: card.CardError) -> JsonResponse:
    logger.error("Party card keys not published: %s", error)
    return JsonResponse(
        {"error": str(error)}, status=503, json_dumps_params={"ensure_ascii": False}
    )


@cache_control(public=True, max_age=PUBLISHED_MAX_AGE)
def keys(request: HttpRequest) -> HttpResponse:
    """The public keys and the current revocation list, in one JSON file for verifiers."""
    try:
        bundle = card.published_bundle()
    except card.CardError as error:
        return _unavailable(error)
    return JsonResponse(bundle, json_dumps_params={"ensure_ascii": False})


@cache_control(public=True, max_age=PUBLISHED_MAX_AGE)
def public_key(request: HttpRequest) -> HttpResponse:
    """The public keys as PEM (current first)."""
    try:
        pem = card.published_keys().to_pem()
    except card.CardError as error:
        return _unavailable(error)
    return HttpResponse(pem, content_type="application/x-pem-file")


@cache_control(public=True, max_age=PUBLISHED_MAX_AGE)
def revocations(request: HttpRequest) -> HttpResponse:
    """The signed revocation list alone."""
    try:
        document = card.current_revocations()
    except card.CardError as error:
        return _unavailable(error)
    return HttpResponse(
        json.dumps(document, ensure_ascii=False), content_type="application/json; charset=utf-8"
    )
