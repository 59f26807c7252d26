"""Reads of the failed background jobs."""

from __future__ import annotations

from observability.models import FailedJob


def failed_jobs_waiting() -> int:
    """How many failed jobs have not been retried."""
    return FailedJob.objects.filter(retried_at__isnull=True).count()
