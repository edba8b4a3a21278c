"""The central audit log: append-only and hash-chained (DESIGN rule 2).

Every write, and every read of a member's full record, appends one entry in the same
transaction as the change it records. Each entry's hash covers its content and the previous
entry's hash, and a one-row head keeps the last sequence number and hash, so that altering,
removing or reordering any entry, including the newest, breaks `dangso audit verify`.
"""

import datetime
import decimal
import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Model
from django.http import HttpRequest

from dangso.core.models import AuditEntry, AuditHead

GENESIS_HASH = "0" * 64
# Human names of audit actions, given by the apps that write them (`label_actions`).
_ACTION_LABELS: dict[str, Any] = {}
_LOCK_KEY = 204_2024  # advisory-lock key that serialises appends on PostgreSQL


@dataclass(frozen=True)
class Actor:
    """Who does something and from where: a signed-in user, a token, or a command."""

    user_id: int | None
    name: str
    address: str = ""

    @classmethod
    def from_request(cls, request: HttpRequest) -> "Actor":
        user = request.user
        return cls(
            user_id=user.pk if user.is_authenticated else None,
            name=user.get_username() if user.is_authenticated else "",
            address=client_address(request),
        )

    @classmethod
    def for_user(cls, user: Any, address: str = "") -> "Actor":
        return cls(user_id=user.pk, name=user.get_username(), address=address)

    @classmethod
    def system(cls, name: str) -> "Actor":
        return cls(user_id=None, name=name, address="")


def client_address(request: HttpRequest) -> str:
    if settings.DANGSO_TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")


def to_json_value(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, Model):
        return value.pk
    return value


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Fields whose value changed, as {field: [old, new]}."""
    return {
        field: [to_json_value(before.get(field)), to_json_value(after[field])]
        for field in after
        if before.get(field) != after[field]
    }


def _entry_hash(fields: Mapping[str, Any]) -> str:
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _hashed_fields(entry: AuditEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "at": entry.at.astimezone(datetime.UTC).isoformat(),
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "address": entry.address,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "org_path": entry.org_path,
        "changes": entry.changes,
        "prev_hash": entry.prev_hash,
    }


def scope_path_of(obj: Model | None) -> str:
    """The organisation path an object is scoped by (its `scope_path` followed through)."""
    value: Any = obj
    lookup = getattr(obj, "scope_path", "")
    if not lookup:
        return ""
    for part in lookup.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return ""
    return str(value)


def record(
    actor: Actor,
    action: str,
    obj: Model | None = None,
    *,
    object_type: str = "",
    object_id: str = "",
    changes: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the chain. Call inside the transaction of the change it records."""
    if obj is not None:
        object_type = obj._meta.label_lower
        object_id = str(obj.pk)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        head, _ = AuditHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"last_seq": 0, "last_hash": GENESIS_HASH}
        )
        entry = AuditEntry(
            seq=head.last_seq + 1,
            at=datetime.datetime.now(datetime.UTC).replace(microsecond=0),
            actor_id=actor.user_id,
            actor_name=actor.name[:150],
            address=actor.address[:64],
            action=action,
            object_type=object_type,
            object_id=object_id,
            object_repr=str(obj)[:200] if obj is not None else "",
            org_path=scope_path_of(obj),
            changes=json.loads(json.dumps(dict(changes or {}), default=to_json_value)),
            prev_hash=head.last_hash,
        )
        entry.hash = _entry_hash(_hashed_fields(entry))
        entry.save(force_insert=True)
        head.last_seq, head.last_hash = entry.seq, entry.hash
        head.save(update_fields=["last_seq", "last_hash"])
    return entry


def label_actions(labels: Mapping[str, Any]) -> None:
    """Give audit action codes the names people read (lazy translations)."""
    _ACTION_LABELS.update(labels)


def action_label(action: str) -> str:
    return str(_ACTION_LABELS.get(action, action))


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str


def verify_chain() -> Iterator[ChainBreak]:
    """Yield the first break in the chain, if any (it stops there: later entries follow it)."""
    expected_seq, prev_hash = 1, GENESIS_HASH
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=5000):
        if entry.seq != expected_seq:
            yield ChainBreak(expected_seq, f"entry {expected_seq} is missing (next is {entry.seq})")
            return
        if entry.prev_hash != prev_hash:
            yield ChainBreak(entry.seq, "does not link to the entry before it (reordered?)")
            return
        if _entry_hash(_hashed_fields(entry)) != entry.hash:
            yield ChainBreak(entry.seq, "content does not match its hash (altered)")
            return
        expected_seq, prev_hash = entry.seq + 1, entry.hash
    head = AuditHead.objects.filter(pk=1).first()
    last_seq = expected_seq - 1
    if head is None:
        if last_seq:
            yield ChainBreak(last_seq, "the chain head is missing")
        return
    if head.last_seq != last_seq or head.last_hash != prev_hash:
        yield ChainBreak(
            last_seq + 1,
            f"the chain ends at {last_seq} but its head says {head.last_seq} (removed?)",
        )
