"""Anchors of the audit chain: its head, signed from time to time with a key the database does
not hold, so that whoever can write to the database cannot rewrite the log unnoticed.

The hash chain alone (edoc.services.audit) detects an edited entry only as long as nobody
recomputes the hashes after it, and a deleted tail only while the head row is not rewound.
An anchor fixes the chain's head at one moment (`sequence` entries, the last one's hash) with
one or more proofs made outside the database: an RFC 3161 timestamp of the configured
timestamp authority, or a signature with the organisation's key on its PKCS#11 token.
`audit_verify` then checks every anchor's proofs and that the chain still passes through each
anchored head: rewritten entries before an anchor, and a log truncated or rewound below the
last anchor, are named.

Layering: edoc is the lowest app and knows nothing of signatures. It defines the interface
(`AuditNotary`) and a registry; the signing app implements the timestamp and seal notaries and
registers them in its AppConfig.ready(). Anchoring runs from Celery beat (`audit_anchor_task`,
every `EDOC_AUDIT_ANCHOR_SECONDS`) and from `manage.py anchor_audit`.
"""

from __future__ import annotations

import abc
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from django.utils import timezone

from edoc.models import AuditAnchor, AuditChainHead, AuditEntry

logger = logging.getLogger(__name__)

ANCHOR_FORMAT = "edoc-audit-anchor/1"


class AnchorFailed(Exception):
    """A notary could not make its proof (service down, token missing …); `str()` says why."""


class AnchorUnavailable(Exception):
    """No anchor could be made: no notary is configured, or every one failed."""


@dataclass(frozen=True)
class ProofCheck:
    """Whether one proof holds for the anchor's message, and why not."""

    ok: bool
    problem: str = ""


class AuditNotary(abc.ABC):
    """Attests an anchor message with a key the database does not hold (implemented by an
    upper app and registered with `audit_notary_register`)."""

    kind: ClassVar[str]

    @abc.abstractmethod
    def available(self) -> bool:
        """Whether this notary is configured here (it may still fail when asked)."""

    @abc.abstractmethod
    def attest(self, message: bytes) -> dict[str, Any]:
        """A JSON-serialisable proof over `message` ("token": base64 DER, and what it says).
        Raises AnchorFailed."""

    @abc.abstractmethod
    def check(self, message: bytes, proof: dict[str, Any]) -> ProofCheck:
        """Whether `proof` is a valid, trusted proof over `message` (never raises)."""


_notaries: dict[str, AuditNotary] = {}


def audit_notary_register(notary: AuditNotary) -> None:
    """Make a notary available for anchoring and verification (one per kind)."""
    _notaries[notary.kind] = notary


def audit_notaries() -> dict[str, AuditNotary]:
    return dict(_notaries)


def anchor_message(sequence: int, head_hash: str) -> bytes:
    """What every proof of an anchor covers: the number of entries and the head's hash."""
    return f"{ANCHOR_FORMAT} {sequence} {head_hash}".encode()


def audit_anchor_create() -> AuditAnchor | None:
    """Anchor the chain's current head with every available notary. None when the head is
    already anchored (nothing new) or the log is empty. Raises AnchorUnavailable.

    The proofs are made outside any transaction (they may call a timestamp authority); the
    anchor row is written once they are in. Each anchor is also logged, so that a copy of it
    lives outside the database."""
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is None or head.length == 0:
        return None
    last = AuditAnchor.objects.order_by("-sequence", "-pk").first()
    if last is not None and (last.sequence, last.head_hash) == (head.length, head.last_hash):
        return None
    notaries = [notary for notary in _notaries.values() if notary.available()]
    if not notaries:
        raise AnchorUnavailable(
            "No anchoring key is configured: set the timestamp authority in the signing "
            "settings (/admin/) or the organisation's PKCS#11 token (EDOC_PKCS11_*)."
        )
    message = anchor_message(head.length, head.last_hash)
    proofs: dict[str, Any] = {}
    failures: list[str] = []
    for notary in notaries:
        try:
            proofs[notary.kind] = notary.attest(message)
        except AnchorFailed as error:
            failures.append(f"{notary.kind}: {error}")
    if not proofs:
        raise AnchorUnavailable("No anchor was made: " + "; ".join(failures))
    entry_id = AuditEntry.objects.filter(hash=head.last_hash).values_list("pk", flat=True).first()
    anchor = AuditAnchor.objects.create(
        created_at=timezone.now(),
        sequence=head.length,
        entry_id=entry_id or 0,
        head_hash=head.last_hash,
        proofs=proofs,
    )
    for failure in failures:
        logger.warning("audit anchor #%s made without %s", anchor.pk, failure)
    logger.info(
        "audit anchor #%s: %s entries, last #%s, head %s, proofs %s",
        anchor.pk,
        anchor.sequence,
        anchor.entry_id,
        anchor.head_hash,
        ", ".join(sorted(proofs)),
    )
    return anchor


@dataclass(frozen=True)
class AnchorsCheck:
    ok: bool
    checked: int
    first_bad_id: int | None = None
    problem: str = ""


def _label(anchor: AuditAnchor) -> str:
    return f"anchor #{anchor.pk} of {timezone.localtime(anchor.created_at):%Y-%m-%d %H:%M}"


def _proofs_problem(anchor: AuditAnchor) -> str:
    if not anchor.proofs:
        return f"{_label(anchor)} carries no proof (forged?)"
    message = anchor_message(anchor.sequence, anchor.head_hash)
    for kind, proof in sorted(anchor.proofs.items()):
        notary = _notaries.get(kind)
        if notary is None:
            return f"{_label(anchor)}: no notary for its {kind} proof is installed here"
        result = notary.check(message, proof)
        if not result.ok:
            return (
                f"{_label(anchor)}: its {kind} proof does not hold ({result.problem}); the "
                "anchor was forged or altered"
            )
    return ""


def audit_anchors_check(
    anchors: Sequence[AuditAnchor], heads: dict[int, tuple[int, str]], length: int
) -> AnchorsCheck:
    """Check each anchor's proofs, then that the chain of `length` entries passes through its
    head (`heads`: position → (entry id, hash) of the chain, at least at every anchored
    position). The first problem is named."""
    previous_id = 0
    for anchor in anchors:
        problem = _proofs_problem(anchor)
        if problem:
            return AnchorsCheck(False, 0, anchor.entry_id or None, problem)
        if anchor.sequence > length:
            return AnchorsCheck(
                False,
                0,
                anchor.entry_id or None,
                f"missing: the log was truncated or rewound below {_label(anchor)}, which "
                f"covers {anchor.sequence} entries (up to #{anchor.entry_id}); {length} remain",
            )
        entry_id, entry_hash = heads[anchor.sequence]
        if (entry_id, entry_hash) != (anchor.entry_id, anchor.head_hash):
            first = (
                AuditEntry.objects.filter(pk__gt=previous_id)
                .order_by("pk")
                .values_list("pk", flat=True)
                .first()
            )
            return AnchorsCheck(
                False,
                0,
                first,
                f"entries #{first}–#{entry_id} were rewritten or removed: the chain no longer "
                f"matches {_label(anchor)} (its hashes were recomputed after a change)",
            )
        previous_id = anchor.entry_id
    return AnchorsCheck(True, len(anchors))
