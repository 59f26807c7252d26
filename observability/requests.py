"""The request id: taken from X-Request-ID (or generated), sent back in the response, put on
every log record and carried into the Celery tasks a request queues (a message header)."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest, HttpResponse

from observability.redaction import without_credentials

HEADER = "X-Request-ID"
TASK_HEADER = "edoc_request_id"
# What a client or proxy may choose as an id: short, no spaces or control characters (it is
# logged and echoed); anything else is replaced by a generated one.
ACCEPTED_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

current_request_id: ContextVar[str | None] = ContextVar("edoc_request_id", default=None)


def request_id_for(request: HttpRequest) -> str:
    """The client's X-Request-ID when it is a plain token, else a new random one."""
    given = request.headers.get(HEADER, "")
    return given if ACCEPTED_ID.match(given) else uuid.uuid4().hex


class RequestIdMiddleware:
    """Sets the request id for the request's duration (logs, queued tasks) and answers it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_for(request)
        request.request_id = request_id
        token = current_request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response[HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """The console handler's filter: records made before the record factory was installed
    (start-up) get `request_id` too, so that formats naming it never fail; credentials in URLs
    of the message or its traceback (a library's error naming its broker URL) become ***."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id.get()
        message = record.getMessage()
        masked = without_credentials(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = without_credentials(record.exc_text)
            record.exc_info = None  # formatters use exc_text as it is
        return True


def install_log_record_factory() -> None:
    """Every log record gets `request_id` (None outside a request or task), whichever handler
    or formatter writes it (Django's, Celery's, a test's)."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "edoc_request_id", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id.get()
        return record

    factory.edoc_request_id = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)
