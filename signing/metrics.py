"""Refused signing attempts for /metrics (observability.registry), counted from the audit log
(signing.audit.refusal_record), so every process reports the same total."""

from __future__ import annotations

from django.db.models import Count

from edoc.models import AuditEntry


def signing_failures() -> dict[tuple[str], int]:
    """Refused signing attempts so far, per reason code."""
    rows = (
        AuditEntry.objects.filter(action="signing.refused")
        .values("details__reason")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(str(row["details__reason"] or "unknown"),): row["n"] for row in rows}


def register() -> None:
    from observability.registry import register_gauge

    register_gauge(
        "signing_failures",
        "Refused signing attempts (audit action signing.refused), per reason.",
        signing_failures,
        labels=("reason",),
        kind="counter",
    )
