"""Audit entries of signing, including refusals that must outlive a rolled-back transaction.

A refused signature raises inside the transaction of whatever completes the task, which rolls
back, audit entries included. So a refusal recorded while a request is being served (and a
transaction is open) is kept aside and written by `RefusalAuditMiddleware` once the view has
returned, in a transaction of its own. Outside a request, or outside any transaction, it is
written at once. Entries never hold secrets: `edoc.services.audit` masks the usual names too.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from django.db import connection, transaction

from edoc.services.audit import audit_record

_pending: ContextVar[list[dict[str, Any]] | None] = ContextVar(
    "signing_pending_refusals", default=None
)


def _write(entry: dict[str, Any]) -> None:
    with transaction.atomic():
        audit_record(**entry)


def refusal_record(*, actor: Any, target: Any, code: str, details: dict[str, Any]) -> None:
    """Audit one refused signing attempt (action "signing.refused")."""
    entry = {
        "actor": actor,
        "action": "signing.refused",
        "target": target,
        "details": {"reason": code, **details},
    }
    pending = _pending.get()
    if pending is not None and connection.in_atomic_block:
        pending.append(entry)
    else:
        _write(entry)


class RefusalAuditMiddleware:
    """Writes the refusals of the request after its view (and its transactions) finished."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _pending.set([])
        try:
            return self.get_response(request)
        finally:
            pending = _pending.get() or []
            _pending.reset(token)
            for entry in pending:
                _write(entry)
