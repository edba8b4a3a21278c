"""Thẻ đảng viên điện tử: the member's electronic party card, signed by the platform (Ed25519).

No public source describes a QR code on the real party card (domain.md §1.2): this is our
design. The QR holds a short, signed statement — card number, name, cell, issue and expiry
dates, nothing else (no CCCD, birth date or phone) — that anyone can check offline with the
platform's published public key(s) and its signed revocation list.

Format (version 1), as the QR text or inside the verify URL's ``c`` parameter::

    DSC1.<base64url(payload)>.<base64url(signature)>

The payload is canonical JSON (sorted keys, no spaces, UTF-8, NFC). The signature covers the
ASCII bytes ``DSC1.<base64url(payload)>``, so it binds the encoding too, and the revocation list
is signed under a different prefix (``DSR1.``): a signature made for one can never pass for the
other. Base64url is decoded strictly (no padding, no stray bits): any altered byte of the text
fails. A key id — the first 8 bytes of SHA-256 of the raw public key, in hex — names the key, so
keys can be rotated while cards signed by the previous key are still published as valid.

`verify()` is a pure function: no database, no network, no settings.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dangso.core import audit, signed_payloads
from dangso.core.audit import Actor
from dangso.core.dates import format_date
from dangso.core.models import AuditEntry
from dangso.core.signed_payloads import (
    KeyMissing,
    KeyRing,
    KeySet,
    PayloadError,
    key_id,
    open_signed,
    sign_document,
    signature_holds,
    verify_document,
)
from dangso.members.choices import ON_ROLL
from dangso.members.models import Member

CARD_PREFIX = "DSC1"
REVOCATIONS_PREFIX = "DSR1"
FORMAT_VERSION = 1
ISSUE_ACTION = "handbook.card.issue"
MAX_TEXT_LENGTH = 2048  # a version-1 card is ~300-400 characters
_PAYLOAD_FIELDS = frozenset({"v", "kid", "no", "name", "cell", "org", "iat", "exp"})
_REVOCATION_FIELDS = frozenset({"v", "kid", "issued_at", "revoked", "sig"})
_KID = re.compile(r"[0-9a-f]{16}")
_CARD_NUMBER = re.compile(r"[0-9]{8}")


CardError = PayloadError  # a problem with the card keys or the published files
CardKeyMissing = KeyMissing


class CardNumberInvalid(PayloadError):
    """The member's record has a card number that is not 8 digits: the record needs fixing."""


class Status(models.TextChoices):
    VALID = "valid", _("Valid")
    MALFORMED = "malformed", _("Not a party card code")
    INVALID_SIGNATURE = "invalid_signature", _("Invalid signature")
    UNKNOWN_KEY = "unknown_key", _("Unknown key")
    EXPIRED = "expired", _("Expired")
    NOT_YET_VALID = "not_yet_valid", _("Not yet valid")
    REVOKED = "revoked", _("Revoked")
    REVOCATIONS_INVALID = "revocations_invalid", _("Revocation list not valid")


def key_ring() -> KeyRing:
    """The platform's card signing key (DANGSO_CARD_KEY_FILE, or under VAR_DIR/card/)."""
    configured = settings.DANGSO_CARD_KEY_FILE
    path = (
        Path(configured) if configured else Path(settings.VAR_DIR) / "card" / "card-signing-key.pem"
    )
    return KeyRing(
        path,
        retired_prefix="card-public-",
        keygen_command="dangso card keygen",
        allow_create=settings.DEBUG,
    )


def key_file() -> Path:
    return key_ring().path


def generate_key(*, rotate: bool = False) -> str:
    """Create the platform's card signing key; with `rotate`, retire the current one (its public
    key stays published, next to the key file, so that cards it signed keep verifying until
    they expire). Returns the new key id."""
    return key_ring().generate(rotate=rotate)


def signing_key() -> Ed25519PrivateKey:
    """The platform's private key. A development or demo site makes one on first use; a
    production site (DEBUG off) must have run `dangso card keygen`."""
    return key_ring().private_key()


def published_keys() -> KeySet:
    """The current public key and the retired ones still kept next to the key file."""
    return key_ring().published()


# --- the card ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Card:
    """What a card says, once its signature is checked."""

    card_number: str
    full_name: str
    cell_name: str
    cell_code: str
    issued: datetime.date
    expires: datetime.date
    kid: str


@dataclass(frozen=True)
class IssuedCard:
    card: Card
    text: str  # DSC1.…
    url: str  # the verify page with the text, what the QR holds

    def qr_svg(self) -> str:
        return qr_svg(self.url)


def valid_days() -> int:
    return int(settings.DANGSO_CARD_VALID_DAYS)


def sign_card(
    member: Member, *, today: datetime.date, key: Ed25519PrivateKey, days: int = 365
) -> str:
    """The QR text of a member's card issued `today`."""
    if not member.card_number:
        raise CardError(gettext("This member has no party card number."))
    if not _CARD_NUMBER.fullmatch(member.card_number):
        raise CardNumberInvalid(
            gettext("The party card number on record (%(number)s) is not 8 digits.")
            % {"number": member.card_number}
        )
    kid = key_id(key.public_key())
    payload = {
        "v": FORMAT_VERSION,
        "kid": kid,
        "no": member.card_number,
        "name": member.full_name,
        "cell": member.organisation.name,
        "org": member.organisation.code,
        "iat": today.isoformat(),
        "exp": (today + datetime.timedelta(days=days)).isoformat(),
    }
    return signed_payloads.sign(CARD_PREFIX, payload, key)


def verify_url(text: str) -> str:
    base = settings.DANGSO_BASE_URL
    return f"{base}{reverse('handbook:card_verify')}?c={text}"


def qr_svg(content: str) -> str:
    return signed_payloads.qr_svg(content, css_class="ds-card-qr")


def issue_card(member: Member, *, actor: Actor, today: datetime.date | None = None) -> IssuedCard:
    """Issue the member's card for today; the first issue of the day is audited."""
    today = today or timezone.localdate()
    text = sign_card(member, today=today, key=signing_key(), days=valid_days())
    card = _decode(text)
    if card is None:
        raise CardError(gettext("The card could not be issued from this member's record."))
    start = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    already = AuditEntry.objects.filter(
        object_type=member._meta.label_lower,
        object_id=str(member.pk),
        action=ISSUE_ACTION,
        at__gte=start,
    ).exists()
    if not already:
        audit.record(
            actor, ISSUE_ACTION, member, changes={"kid": card.kid, "expires": card.expires}
        )
    return IssuedCard(card=card, text=text, url=verify_url(text))


# --- revocation --------------------------------------------------------------------------------


class Revocations(Protocol):
    @property
    def issued_at(self) -> datetime.datetime: ...

    def is_revoked(self, card_number: str) -> bool: ...


@dataclass(frozen=True)
class RevocationList:
    """A signed list of card numbers that no longer verify, checked before use."""

    kid: str
    issued_at: datetime.datetime
    card_numbers: frozenset[str] = field(default_factory=frozenset)

    def is_revoked(self, card_number: str) -> bool:
        return card_number in self.card_numbers

    @classmethod
    def load(cls, document: bytes | str | Mapping[str, Any], keys: KeySet) -> RevocationList:
        """Parse and check a published list; CardError when it is damaged, altered or signed by
        a key the verifier does not trust."""
        parsed: Any = document
        if isinstance(document, bytes | str):
            try:
                parsed = json.loads(document)
            except (ValueError, UnicodeDecodeError):
                raise CardError(gettext("The revocation list is not valid JSON.")) from None
        body = verify_document(REVOCATIONS_PREFIX, parsed, keys, fields=_REVOCATION_FIELDS)
        revoked = body["revoked"]
        if (
            type(body["v"]) is not int
            or body["v"] != FORMAT_VERSION
            or not isinstance(revoked, list)
            or not all(isinstance(number, str) for number in revoked)
        ):
            raise CardError(gettext("The revocation list has an unknown format version."))
        try:
            issued_at = datetime.datetime.fromisoformat(body["issued_at"])
        except (TypeError, ValueError):
            raise CardError(gettext("The revocation list has no valid issue time.")) from None
        return cls(kid=body["kid"], issued_at=issued_at, card_numbers=frozenset(revoked))


def revoked_card_numbers() -> list[str]:
    """Card numbers of members who are no longer on the roll (died, removed, expelled,
    transferred out, merged): one query over the member table."""
    numbers = (
        Member.objects.exclude(status__in=ON_ROLL)
        .filter(card_number__isnull=False)
        .exclude(card_number="")
        .order_by("card_number")
        .values_list("card_number", flat=True)
    )
    return [number for number in numbers if number]


def sign_revocations(
    card_numbers: Iterable[str], *, key: Ed25519PrivateKey, now: datetime.datetime
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "v": FORMAT_VERSION,
        "kid": key_id(key.public_key()),
        "issued_at": now.astimezone(datetime.UTC).replace(microsecond=0).isoformat(),
        "revoked": sorted(set(card_numbers)),
    }
    return sign_document(REVOCATIONS_PREFIX, body, key)


def build_revocations() -> dict[str, Any]:
    """Today's signed revocation list, from the member roll."""
    return sign_revocations(revoked_card_numbers(), key=signing_key(), now=timezone.now())


def current_revocations() -> dict[str, Any]:
    """The published revocation list, rebuilt at most every DANGSO_CARD_REVOCATIONS_SECONDS."""
    seconds = settings.DANGSO_CARD_REVOCATIONS_SECONDS
    if seconds <= 0:
        return build_revocations()
    cache_key = f"handbook:card:revocations:{key_id(signing_key().public_key())}"
    document = cache.get(cache_key)
    if document is None:
        document = build_revocations()
        cache.set(cache_key, document, seconds)
    return document  # type: ignore[no-any-return]


def published_bundle() -> dict[str, Any]:
    """What offline verifiers download: the public keys and the current revocation list."""
    return {
        "format": f"{CARD_PREFIX}/{REVOCATIONS_PREFIX}",
        "keys": published_keys().to_json(),
        "revocations": current_revocations(),
    }


class LiveRevocations:
    """The platform's own answer: a card is revoked unless its number belongs to a member on the
    roll now (one query), so a member who left a minute ago is already refused."""

    @property
    def issued_at(self) -> datetime.datetime:
        return timezone.now()

    def is_revoked(self, card_number: str) -> bool:
        return not Member.objects.filter(card_number=card_number, status__in=ON_ROLL).exists()


# --- verification ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    status: str
    card: Card | None = None  # set once the signature is good
    detail: str | Promise = ""
    revocations_issued_at: datetime.datetime | None = None

    @property
    def is_valid(self) -> bool:
        return self.status == Status.VALID

    @property
    def label(self) -> str:
        return str(Status(self.status).label)

    @property
    def message(self) -> str:
        card = self.card
        if self.status == Status.VALID:
            return gettext("This electronic party card is valid.")
        if self.status == Status.EXPIRED and card:
            return gettext("This card expired on %(day)s.") % {"day": format_date(card.expires)}
        if self.status == Status.NOT_YET_VALID and card:
            return gettext("This card is not valid before %(day)s.") % {
                "day": format_date(card.issued)
            }
        if self.status == Status.REVOKED:
            return gettext(
                "This card has been revoked: its holder is no longer on the roll of a party cell."
            )
        if self.status == Status.UNKNOWN_KEY:
            return gettext(
                "This card was signed with a key that is not among the platform's published keys."
            )
        if self.status == Status.INVALID_SIGNATURE:
            return gettext(
                "The signature is not valid: the card was altered or was not issued by the "
                "platform."
            )
        if self.status == Status.REVOCATIONS_INVALID:
            return gettext("The revocation list cannot be trusted, so the card cannot be checked.")
        return gettext(
            "This is not an electronic party card code, or it is incomplete. Scan the QR code "
            "again or copy the whole text."
        )


def card_text(raw: str) -> str:
    """The DSC1 text from what a person pasted or scanned: the text itself or the verify URL
    (``…/card/verify/?c=DSC1…``); line breaks and spaces are dropped."""
    raw = raw.strip()
    if "?" in raw and "c=" in raw:
        values = parse_qs(urlsplit(raw).query).get("c")
        raw = values[0] if values else ""
    return "".join(raw.split())


def _split(text: str) -> tuple[str, dict[str, Any], bytes]:
    """(signed part, payload, signature) or ValueError with a reason."""
    return open_signed(text, CARD_PREFIX, max_length=MAX_TEXT_LENGTH)


def _card(payload: Mapping[str, Any]) -> Card:
    if (
        set(payload) != _PAYLOAD_FIELDS
        or type(payload["v"]) is not int
        or payload["v"] != FORMAT_VERSION
    ):
        raise ValueError(gettext("Unknown card format version."))
    texts = [payload[name] for name in ("kid", "no", "name", "cell", "org", "iat", "exp")]
    if not all(isinstance(text, str) and text for text in texts):
        raise ValueError(gettext("A field of the card is empty."))
    if not _KID.fullmatch(payload["kid"]) or not _CARD_NUMBER.fullmatch(payload["no"]):
        raise ValueError(gettext("The card number or key id is not well formed."))
    issued = datetime.date.fromisoformat(payload["iat"])
    expires = datetime.date.fromisoformat(payload["exp"])
    if issued.isoformat() != payload["iat"] or expires.isoformat() != payload["exp"]:
        raise ValueError(gettext("A date of the card is not well formed."))
    if expires < issued:
        raise ValueError(gettext("The card expires before it is issued."))
    return Card(
        card_number=payload["no"],
        full_name=payload["name"],
        cell_name=payload["cell"],
        cell_code=payload["org"],
        issued=issued,
        expires=expires,
        kid=payload["kid"],
    )


def _decode(text: str) -> Card | None:
    """The card's fields without any check (for the issuer's own display)."""
    try:
        return _card(_split(text)[1])
    except (ValueError, RecursionError):
        return None


def verify(
    text: str,
    keys: KeySet,
    revocations: Revocations | bytes | str | Mapping[str, Any],
    today: datetime.date,
) -> Verification:
    """Check a card offline: the signature against the published keys, the dates against
    `today`, the number against the revocation list (itself checked first when given as the
    published document). Never raises on bad input."""
    text = card_text(text)
    try:
        signed, payload, signature = _split(text)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
        return Verification(Status.MALFORMED, detail=gettext("The card data cannot be read."))
    except ValueError as error:
        return Verification(Status.MALFORMED, detail=str(error))
    kid = payload.get("kid")
    public_key = keys.get(kid) if isinstance(kid, str) else None
    if public_key is None:
        return Verification(Status.UNKNOWN_KEY)
    if not signature_holds(public_key, signed, signature):
        return Verification(Status.INVALID_SIGNATURE)
    try:
        card = _card(payload)
    except ValueError as error:
        return Verification(Status.MALFORMED, detail=str(error))
    if not hasattr(revocations, "is_revoked"):
        try:
            revocations = RevocationList.load(revocations, keys)  # type: ignore[arg-type]
        except PayloadError as error:
            return Verification(Status.REVOCATIONS_INVALID, card=card, detail=str(error))
    assert not isinstance(revocations, bytes | str | Mapping)
    issued_at = revocations.issued_at
    if revocations.is_revoked(card.card_number):
        status = Status.REVOKED
    elif today < card.issued:
        status = Status.NOT_YET_VALID
    elif today > card.expires:
        status = Status.EXPIRED
    else:
        status = Status.VALID
    return Verification(status, card=card, revocations_issued_at=issued_at)


def verify_online(raw: str, today: datetime.date | None = None) -> Verification:
    """The public verify page's check: the published keys and the member roll as it is now."""
    return verify(raw, published_keys(), LiveRevocations(), today or timezone.localdate())
