"""Recording failed background jobs and re-sending them (audited)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from celery import current_app
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from edoc.services.audit import SECRET_KEYS, audit_record
from observability.models import FailedJob
from observability.redaction import without_credentials

SECRET_NAME = re.compile("|".join(sorted(SECRET_KEYS)) + "|key|credential", re.IGNORECASE)
EXCEPTION_LENGTH = 2000


def _keepable(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


def failed_job_record(
    *,
    task_name: str,
    task_id: str,
    args: Sequence[Any] | None,
    kwargs: Mapping[str, Any] | None,
    exception: BaseException,
    request_id: str | None = None,
) -> FailedJob:
    """Keep one failed run. Keyword arguments named like secrets (password, token, key…) and
    values that are not JSON are left out, and the job is then marked as not retryable."""
    kept_kwargs: dict[str, Any] = {}
    retryable = True
    for name, value in (kwargs or {}).items():
        if SECRET_NAME.search(name) or not _keepable(value):
            kept_kwargs[name] = "***"
            retryable = False
        else:
            kept_kwargs[name] = value
    kept_args = list(args or [])
    if not _keepable(kept_args):
        kept_args = ["***"] * len(kept_args)
        retryable = False
    text = without_credentials(f"{type(exception).__name__}: {exception}")
    return FailedJob.objects.create(
        task_name=task_name[:200],
        task_id=(task_id or "")[:255],
        args=kept_args,
        kwargs=kept_kwargs,
        retryable=retryable,
        exception=text[:EXCEPTION_LENGTH],
        request_id=(request_id or "")[:128],
    )


def failed_job_retry(*, actor: Any, job: FailedJob) -> str:
    """Send the job's task again with its arguments; returns the new task id. Refused (with a
    ValidationError) for a job already retried, one whose arguments were not kept, or a task
    this installation no longer has. Audited as "jobs.retry"."""
    with transaction.atomic():
        job = FailedJob.objects.select_for_update().get(pk=job.pk)
        if job.retried_at is not None:
            raise ValidationError(_("This job has already been retried."))
        if not job.retryable:
            raise ValidationError(
                _("This job's arguments were not kept (secrets or unsupported values).")
            )
        task = current_app.tasks.get(job.task_name)
        if task is None:
            raise ValidationError(_("No task called %(name)s exists.") % {"name": job.task_name})
        job.retried_at = timezone.now()
        job.retried_by = actor
        job.save(update_fields=["retried_at", "retried_by"])
        audit_record(
            actor=actor,
            action="jobs.retry",
            target=job,
            details={"task": job.task_name, "task_id": job.task_id},
        )
    # Sent after the commit: a worker (or the in-process run) sees the job marked as retried,
    # and a retry that fails again is recorded as a new failed job.
    result = task.apply_async(args=job.args, kwargs=job.kwargs)
    FailedJob.objects.filter(pk=job.pk).update(retry_task_id=result.id or "")
    return result.id or ""
