"""Append to and verify the hash-chained audit log and its anchors (see audit_anchors)."""

from __future__ import annotations

import hashlib
import ipaddress
import json
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from edoc.middleware import NO_REQUEST, current_request_context
from edoc.models import AuditAnchor, AuditChainHead, AuditEntry

GENESIS_HASH = "0" * 64
# Keys whose values must never reach the log, whatever a caller passes.
SECRET_KEYS = {"password", "passphrase", "pin", "secret", "token", "private_key"}


def _canonical(entry: AuditEntry) -> bytes:
    payload = {
        "created_at": entry.created_at.isoformat(),
        "actor_id": entry.actor_id,
        "actor_username": entry.actor_username,
        "on_behalf_of_username": entry.on_behalf_of_username,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "ip_address": entry.ip_address,
        "user_agent": entry.user_agent,
        "details": entry.details,
        "prev_hash": entry.prev_hash,
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode()


def audit_entry_hash(entry: AuditEntry) -> str:
    """SHA-256 over the entry's canonical JSON, which includes the previous entry's hash."""
    return hashlib.sha256(_canonical(entry)).hexdigest()


def _normalise_ip(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address(value)) if value else None
    except ValueError:
        return None


def _scrub(details: dict[str, Any]) -> dict[str, Any]:
    return {key: ("***" if key.lower() in SECRET_KEYS else value) for key, value in details.items()}


@dataclass(frozen=True)
class AuditRecord:
    """One entry to append (the arguments of `audit_record`)."""

    actor: Any
    action: str
    target: models.Model | None = None
    on_behalf_of: Any = None
    details: dict[str, Any] | None = None


@transaction.atomic(savepoint=False)
def audit_record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    on_behalf_of: Any = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. Runs inside the caller's transaction, so it is rolled back with it."""
    record = AuditRecord(actor, action, target, on_behalf_of, details)
    return audit_record_many([record])[0]


@transaction.atomic(savepoint=False)  # no savepoint: a failed append fails the caller's work
def audit_record_many(records: list[AuditRecord]) -> list[AuditEntry]:
    """Append entries in their order, chained as one `audit_record` each would chain them, with
    one turn of the chain's head (a batch of an import: three queries, not three per entry).
    Runs inside the caller's transaction, so it is rolled back with it."""
    if not records:
        return []
    context = current_request_context.get() or NO_REQUEST
    # Locking the head row first: concurrent appends line up behind it until this transaction
    # ends. The head row is created by migration 0002.
    head = AuditChainHead.objects.select_for_update().get(pk=1)
    entries = []
    previous = head.last_hash
    for record in records:
        target, actor = record.target, record.actor
        # Round-trip through JSON so the hash is computed over exactly what the database stores.
        clean_details = json.loads(json.dumps(_scrub(record.details or {}), default=str))
        entry = AuditEntry(
            created_at=timezone.now(),
            actor=actor if getattr(actor, "pk", None) else None,
            actor_username=getattr(actor, "username", "") or "",
            on_behalf_of_username=getattr(record.on_behalf_of, "username", "") or "",
            action=record.action,
            object_type=target._meta.model_name if target is not None else "",
            object_id=str(target.pk) if target is not None else "",
            object_repr=str(target)[:255] if target is not None else "",
            ip_address=_normalise_ip(context.ip_address),
            user_agent=context.user_agent,
            details=clean_details,
            prev_hash=previous,
        )
        entry.hash = previous = audit_entry_hash(entry)
        entries.append(entry)
    if len(entries) == 1:
        entries[0].save()
    else:  # one INSERT; the rows take ascending ids in list order, the chain's order
        AuditEntry.objects.bulk_create(entries)
    AuditChainHead.objects.filter(pk=1).update(
        length=F("length") + len(records), last_hash=previous
    )
    return entries


@dataclass(frozen=True)
class AuditVerification:
    ok: bool
    checked: int
    first_bad_id: int | None = None
    problem: str = ""
    anchors: int = 0  # anchors whose proofs and heads were checked
    unanchored: int = 0  # entries after the last anchor
    last_anchor: AuditAnchor | None = None


def audit_verify(*, anchors: bool = True) -> AuditVerification:
    """Walk the chain from the start and report the first entry whose hash or link is wrong;
    then (unless `anchors` is false) check every anchor (edoc.services.audit_anchors)."""
    from edoc.services.audit_anchors import audit_anchors_check

    anchored = list(AuditAnchor.objects.order_by("sequence", "pk")) if anchors else []
    positions = {anchor.sequence for anchor in anchored}
    heads: dict[int, tuple[int, str]] = {}
    expected_prev = GENESIS_HASH
    checked = 0
    last_id = 0
    for entry in AuditEntry.objects.order_by("pk").iterator(chunk_size=2000):
        checked += 1
        if entry.prev_hash != expected_prev:
            return AuditVerification(
                False, checked, entry.pk, "link to the previous entry is broken (entry removed?)"
            )
        if audit_entry_hash(entry) != entry.hash:
            return AuditVerification(False, checked, entry.pk, "content does not match its hash")
        if checked in positions:
            heads[checked] = (entry.pk, entry.hash)
        expected_prev = entry.hash
        last_id = entry.pk
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_hash != expected_prev or head.length != checked):
        return AuditVerification(
            False, checked, last_id or None, "the log was truncated after this entry"
        )
    if not anchored:
        return AuditVerification(True, checked, unanchored=checked)
    result = audit_anchors_check(anchored, heads, checked)
    if not result.ok:
        return AuditVerification(False, checked, result.first_bad_id, result.problem)
    return AuditVerification(
        True,
        checked,
        anchors=result.checked,
        unanchored=checked - anchored[-1].sequence,
        last_anchor=anchored[-1],
    )
