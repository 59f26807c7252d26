"""Production's log lines: one JSON object each, with the request id, and no credentials."""

from __future__ import annotations

import io
import json
import logging

from django.conf import settings
from django.utils.module_loading import import_string

from observability.requests import RequestIdFilter, current_request_id


def _handler(formatter: str) -> tuple[logging.Handler, io.StringIO]:
    """The console handler as settings.LOGGING configures it, writing to a buffer."""
    config = dict(settings.LOGGING["formatters"][formatter])
    factory = import_string(config.pop("()")) if "()" in config else logging.Formatter
    if factory is logging.Formatter:
        config = {"fmt": config.pop("format")}
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(factory(**config))
    handler.addFilter(RequestIdFilter())
    return handler, stream


def _log(handler: logging.Handler, *args, **kwargs) -> None:
    logger = logging.getLogger("tests.observability.json")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.error(*args, **kwargs)
    finally:
        logger.removeHandler(handler)


def test_json_lines_carry_the_request_id_and_no_credentials():
    handler, stream = _handler("json")
    token = current_request_id.set("req-42")
    try:
        try:
            raise ConnectionError("cannot reach amqp://edoc:hunter2@mq.internal:5672//")
        except ConnectionError:
            _log(handler, "broker %s down", "redis://:hunter2@cache:6379/0", exc_info=True)
    finally:
        current_request_id.reset(token)
    line = json.loads(stream.getvalue())
    assert line["request_id"] == "req-42"
    assert line["level"] == "ERROR" and line["logger"] == "tests.observability.json"
    assert line["message"] == "broker redis://***@cache:6379/0 down"
    assert "amqp://***@mq.internal" in line["exc_info"]
    assert "hunter2" not in stream.getvalue()


def test_text_lines_name_the_request_id():
    handler, stream = _handler("text")
    _log(handler, "outside any request")
    assert "[None] outside any request" in stream.getvalue()


def test_production_writes_json(settings):
    assert settings.EDOC_LOG_FORMAT in {"text", "json"}
    source = (settings.BASE_DIR / "config" / "settings" / "production.py").read_text()
    assert 'env.str("EDOC_LOG_FORMAT", default="json")' in source
