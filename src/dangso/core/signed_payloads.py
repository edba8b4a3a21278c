"""Signed payloads for QR codes: short JSON statements signed with the platform's Ed25519 key.

The electronic party card and the congress's delegate cards both print one of these in a QR
code, and anyone can check it offline with the published public keys. Format::

    <PREFIX>.<base64url(payload)>.<base64url(signature)>

The payload is canonical JSON (sorted keys, no spaces, UTF-8, NFC). The signature covers the
ASCII bytes ``<PREFIX>.<base64url(payload)>``, so it binds the encoding and the kind of
statement: a signature made under one prefix never passes under another. Base64url is decoded
strictly (no padding, no stray bits), so any altered byte of the text fails. A key id — the
first 8 bytes of SHA-256 of the raw public key, in hex — names the key, so keys can be rotated
while statements signed by the previous key are still published as valid.

Checking (`open_signed`, `KeySet`, `verify_document`) is pure: no database, no network, no
settings. Only `KeyRing` touches the disk, where the private key lives (mode 0600).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import segno
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.utils.translation import gettext

_B64URL = re.compile(r"[A-Za-z0-9_-]*")
_PEM_BLOCK = re.compile(rb"-----BEGIN PUBLIC KEY-----.+?-----END PUBLIC KEY-----", re.DOTALL)
SIGNATURE_BYTES = 64


class PayloadError(Exception):
    """A problem with the keys or a published file, with a message for people."""


class KeyMissing(PayloadError):
    """A production site has no signing key yet: an administrator must make one."""


# --- encoding ----------------------------------------------------------------------------------


def b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64decode(text: str) -> bytes:
    """Strict base64url without padding: one spelling per byte string, or ValueError."""
    problem = gettext("The text holds characters that do not belong there, or was cut short.")
    if not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise ValueError(problem)
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error:
        raise ValueError(problem) from None
    if b64encode(data) != text:  # stray bits in the last character
        raise ValueError(problem)
    return data


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8, strings in NFC: the bytes that are signed."""
    return json.dumps(
        _nfc(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


def _nfc(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [_nfc(item) for item in value]
    if isinstance(value, dict):
        return {key: _nfc(item) for key, item in value.items()}
    return value


# --- keys --------------------------------------------------------------------------------------


def key_id(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).digest()[:8].hex()


def public_pem(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


class KeySet:
    """The public keys a verifier trusts, by key id."""

    def __init__(self, keys: Iterable[Ed25519PublicKey]) -> None:
        self._keys = {key_id(key): key for key in keys}

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def get(self, kid: str) -> Ed25519PublicKey | None:
        return self._keys.get(kid)

    def public_keys(self) -> list[Ed25519PublicKey]:
        return list(self._keys.values())

    @classmethod
    def from_pem(cls, data: bytes) -> KeySet:
        """One or more concatenated PEM public keys (a published ``public-key.pem``)."""
        blocks = _PEM_BLOCK.findall(data)
        if not blocks:
            raise PayloadError(gettext("The key file holds no public key (PEM)."))
        keys = []
        for block in blocks:
            try:
                key = serialization.load_pem_public_key(block)
            except ValueError:
                raise PayloadError(gettext("The key file holds a damaged public key.")) from None
            if not isinstance(key, Ed25519PublicKey):
                raise PayloadError(gettext("The key file holds a key that is not Ed25519."))
            keys.append(key)
        return cls(keys)

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> KeySet:
        """The ``keys`` of a published key set (JSON); each key id is checked."""
        entries = document.get("keys") if isinstance(document, Mapping) else None
        if not isinstance(entries, list) or not entries:
            raise PayloadError(gettext("The key set holds no keys."))
        keys = []
        for entry in entries:
            try:
                key = Ed25519PublicKey.from_public_bytes(b64decode(entry["public_key"]))
            except (KeyError, TypeError, ValueError):
                raise PayloadError(gettext("The key set holds a damaged public key.")) from None
            if entry.get("kid") != key_id(key):
                raise PayloadError(gettext("A key id in the key set does not match its key."))
            keys.append(key)
        return cls(keys)

    def to_pem(self) -> bytes:
        return b"".join(public_pem(key) for key in self._keys.values())

    def to_json(self) -> list[dict[str, str]]:
        return [
            {
                "kid": kid,
                "alg": "Ed25519",
                "public_key": b64encode(
                    key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
                ),
                "pem": public_pem(key).decode("ascii"),
            }
            for kid, key in self._keys.items()
        ]


class KeyRing:
    """The platform's private signing key in one file, and the public keys it retired, kept
    beside it as ``<retired_prefix><kid>.pem`` so that what they signed keeps verifying.

    `keygen_command` is what an administrator runs to make the key; a development or demo site
    (`allow_create`) makes one on first use instead.
    """

    def __init__(
        self, path: Path, *, retired_prefix: str, keygen_command: str, allow_create: bool
    ) -> None:
        self.path = path
        self.retired_prefix = retired_prefix
        self.keygen_command = keygen_command
        self.allow_create = allow_create

    def _exists_message(self) -> str:
        return gettext("A signing key already exists at %(path)s; use --rotate to replace it.") % {
            "path": self.path
        }

    def generate(self, *, rotate: bool = False) -> str:
        """Create the signing key; with `rotate`, retire the current one. Returns the new key
        id."""
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        exists = self.path.exists()
        if exists and not rotate:
            raise PayloadError(self._exists_message())
        if exists:
            old = self._load().public_key()
            retired = self.path.parent / f"{self.retired_prefix}{key_id(old)}.pem"
            retired.write_bytes(public_pem(old))
        key = Ed25519PrivateKey.generate()
        try:
            _write_private(self.path, key, replace=exists)
        except FileExistsError:
            raise PayloadError(self._exists_message()) from None
        return key_id(key.public_key())

    def _load(self) -> Ed25519PrivateKey:
        try:
            key = serialization.load_pem_private_key(self.path.read_bytes(), password=None)
        except (ValueError, TypeError):
            raise PayloadError(
                gettext("The signing key at %(path)s is damaged or protected by a password.")
                % {"path": self.path}
            ) from None
        if not isinstance(key, Ed25519PrivateKey):
            raise PayloadError(
                gettext("The signing key at %(path)s is not an Ed25519 key.") % {"path": self.path}
            )
        return key

    def private_key(self) -> Ed25519PrivateKey:
        if not self.path.exists():
            if not self.allow_create:
                raise KeyMissing(
                    gettext(
                        "The signing key is missing (%(path)s). An administrator must run: "
                        "%(command)s"
                    )
                    % {"path": self.path, "command": self.keygen_command}
                )
            with contextlib.suppress(PayloadError):  # made meanwhile by a concurrent request
                self.generate()
        return self._load()

    def published(self) -> KeySet:
        """The current public key and the retired ones still kept beside the key file."""
        keys = [self.private_key().public_key()]
        for path in sorted(self.path.parent.glob(f"{self.retired_prefix}*.pem")):
            keys.extend(KeySet.from_pem(path.read_bytes()).public_keys())
        return KeySet(keys)


def _write_private(path: Path, key: Ed25519PrivateKey, *, replace: bool) -> None:
    """Write a private key readable by its owner only (0600), never through a wider mode, and
    all at once: a reader sees no key or the whole key. Without `replace`, an existing key
    wins (FileExistsError)."""
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".signing-key-")  # mode 0600
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            os.replace(temporary, path)
        else:
            os.link(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


# --- statements --------------------------------------------------------------------------------


def sign(prefix: str, payload: Mapping[str, Any], key: Ed25519PrivateKey) -> str:
    """``<prefix>.<payload>.<signature>``: the text a QR code holds."""
    signed = f"{prefix}.{b64encode(canonical_json(dict(payload)))}"
    return f"{signed}.{b64encode(key.sign(signed.encode('ascii')))}"


def open_signed(text: str, prefix: str, *, max_length: int) -> tuple[str, dict[str, Any], bytes]:
    """(signed part, payload, signature) of a text, its signature not yet checked; ValueError
    (or a JSON/Unicode error) with a reason when the text is not of the form."""
    if len(text) > max_length:
        raise ValueError(gettext("The text is far too long for this code."))
    parts = text.split(".")
    if len(parts) != 3 or parts[0] != prefix:
        raise ValueError(
            gettext("The text does not have the form %(prefix)s.<data>.<signature>.")
            % {"prefix": prefix}
        )
    raw_payload, signature = b64decode(parts[1]), b64decode(parts[2])
    if len(signature) != SIGNATURE_BYTES:
        raise ValueError(gettext("The signature has the wrong length."))
    payload = json.loads(raw_payload.decode("utf-8"))
    if not isinstance(payload, dict):
        raise ValueError(gettext("The data is not a JSON object."))
    if canonical_json(payload) != raw_payload:
        raise ValueError(gettext("The data is not in canonical form."))
    return f"{parts[0]}.{parts[1]}", payload, signature


def signature_holds(public_key: Ed25519PublicKey, signed: str, signature: bytes) -> bool:
    try:
        public_key.verify(signature, signed.encode("ascii"))
    except InvalidSignature:
        return False
    return True


def sign_document(prefix: str, body: Mapping[str, Any], key: Ed25519PrivateKey) -> dict[str, Any]:
    """A published JSON document (a revocation list) with its signature in ``sig``; `body`
    names the signing key in ``kid``."""
    return {**body, "sig": b64encode(key.sign(_document_message(prefix, body)))}


def verify_document(
    prefix: str, document: Mapping[str, Any], keys: KeySet, *, fields: frozenset[str]
) -> dict[str, Any]:
    """The body of a signed document once its fields and signature are checked; PayloadError
    when it is damaged, altered or signed by a key the verifier does not trust."""
    if not isinstance(document, Mapping) or set(document) != fields:
        raise PayloadError(gettext("The published list does not have the expected fields."))
    body = {name: value for name, value in document.items() if name != "sig"}
    public_key = keys.get(document["kid"]) if isinstance(document["kid"], str) else None
    if public_key is None:
        raise PayloadError(
            gettext("The published list is signed with a key that is not published.")
        )
    try:
        signature = b64decode(document["sig"]) if isinstance(document["sig"], str) else b""
        public_key.verify(signature, _document_message(prefix, body))
    except (ValueError, InvalidSignature):
        raise PayloadError(
            gettext("The published list's signature is not valid: it was altered.")
        ) from None
    return body


def _document_message(prefix: str, body: Mapping[str, Any]) -> bytes:
    return f"{prefix}.".encode("ascii") + canonical_json(dict(body))


def qr_svg(content: str, *, css_class: str = "ds-qr") -> str:
    """The QR code as inline SVG, error correction M, scaled by its container (viewBox)."""
    qr = segno.make(content, error="m", boost_error=False, micro=False)
    return str(qr.svg_inline(scale=1, border=4, omitsize=True, svgclass=css_class))
