"""Celery signal receivers: the request id travels in a message header into the task (and its
logs), task outcomes are counted for /metrics, failures are kept for the retry page."""

from __future__ import annotations

import logging
from contextvars import Token
from typing import Any

from celery import signals

from observability.metrics import task_outcome
from observability.requests import TASK_HEADER, current_request_id
from observability.services import failed_job_record

logger = logging.getLogger("observability.jobs")
# The request-id token of each running task (by task id), reset when the task ends.
_tokens: dict[str, Token] = {}


def _header_request_id(task: Any) -> str | None:
    request = task.request
    # A worker merges custom headers into the request; an in-process run keeps them apart.
    return getattr(request, TASK_HEADER, None) or (request.headers or {}).get(TASK_HEADER)


def put_request_id(headers: dict[str, Any] | None = None, **_: Any) -> None:
    """before_task_publish: the current request's (or task's) id goes with the message."""
    request_id = current_request_id.get()
    if headers is not None and request_id and TASK_HEADER not in headers:
        headers[TASK_HEADER] = request_id


def task_started(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    """task_prerun: the message's request id becomes the task's (its log records carry it)."""
    request_id = _header_request_id(task)
    if request_id and task_id:
        _tokens[task_id] = current_request_id.set(request_id)
    logger.info("task started", extra={"task_name": task.name, "task_id": task_id})


def task_finished(
    task_id: str | None = None, task: Any = None, state: Any = None, **_: Any
) -> None:
    """task_postrun: log the end and forget the task's request id."""
    logger.info("task finished", extra={"task_name": task.name, "task_id": task_id, "state": state})
    token = _tokens.pop(task_id, None) if task_id else None
    if token is not None:
        current_request_id.reset(token)


def task_succeeded(sender: Any = None, **_: Any) -> None:
    task_outcome(sender.name, "succeeded")


def task_retried(sender: Any = None, **_: Any) -> None:
    task_outcome(sender.name, "retried")


def task_failed(
    sender: Any = None,
    task_id: str | None = None,
    exception: BaseException | None = None,
    args: Any = None,
    kwargs: Any = None,
    **_: Any,
) -> None:
    """task_failure: count it, log it (name and class, not arguments) and keep it for retry."""
    task_outcome(sender.name, "failed")
    logger.error(
        "task failed",
        extra={"task_name": sender.name, "task_id": task_id, "error": type(exception).__name__},
    )
    try:
        failed_job_record(
            task_name=sender.name,
            task_id=task_id or "",
            args=args,
            kwargs=kwargs,
            exception=exception or RuntimeError("unknown"),
            request_id=current_request_id.get(),
        )
    except Exception:  # the database itself may be what failed; the log keeps the failure
        logger.exception("the failed job %s could not be recorded", task_id)


def connect() -> None:
    """Connect the receivers (AppConfig.ready)."""
    signals.before_task_publish.connect(put_request_id, dispatch_uid="obs-request-id")
    signals.task_prerun.connect(task_started, dispatch_uid="obs-task-started")
    signals.task_postrun.connect(task_finished, dispatch_uid="obs-task-finished")
    signals.task_success.connect(task_succeeded, dispatch_uid="obs-task-succeeded")
    signals.task_retry.connect(task_retried, dispatch_uid="obs-task-retried")
    signals.task_failure.connect(task_failed, dispatch_uid="obs-task-failed")
