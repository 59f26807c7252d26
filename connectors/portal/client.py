"""The JSON-over-HTTP calls to the public-service portal and to Egov licensing.

The portal (the national portal's LGSP pattern, see `connectors.portal.national`): every call
is a POST of `{"session": token, "madonvi": agency code, "service": …, …}` to one sync
endpoint; the answer's `error_code` 0 means done. Egov: `POST <base>/api/licences` with
`Authorization: Bearer <token>`; any 2xx means done. The JSON shapes: docs/connectors-portal.md.
Tokens are sent, never logged or stored with the messages.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings

from connectors.portal import conf

MAX_ANSWER_BYTES = 50 * 1024 * 1024


class ConnectorError(Exception):
    """The other side could not be reached or refused the request (the message says why)."""


def _post(url: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    if not url.startswith(("https://", "http://")):
        raise ConnectorError(f"{url!r} is not an http(s) URL")
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(  # noqa: S310 (http/https only, checked above)
        url,
        data=data,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})},
    )
    try:
        timeout = settings.EDOC_CONNECTOR_TIMEOUT
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
            raw = answer.read(MAX_ANSWER_BYTES + 1)
    except urllib.error.HTTPError as error:
        detail = error.read(500).decode("utf-8", "replace")
        raise ConnectorError(f"HTTP {error.code} from {url}: {detail}") from error
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise ConnectorError(f"{url} unreachable: {reason}") from error
    if len(raw) > MAX_ANSWER_BYTES:
        raise ConnectorError(f"the answer of {url} is larger than {MAX_ANSWER_BYTES} bytes")
    try:
        return json.loads(raw.decode("utf-8")) if raw else {}
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ConnectorError(f"{url} answered with something that is not JSON") from error


def portal_call(body: dict[str, Any]) -> dict[str, Any]:
    """Call one portal service; returns its answer, raises ConnectorError unless error_code is 0."""
    url = conf.portal_url()
    if not url:
        raise ConnectorError("EDOC_DVC_SYNC_URL is not set")
    answer = _post(
        url,
        {"session": settings.EDOC_DVC_SYNC_TOKEN, "madonvi": settings.EDOC_DVC_AGENCY_CODE, **body},
    )
    if not isinstance(answer, dict):
        raise ConnectorError("the portal's answer is not a JSON object")
    if str(answer.get("error_code", "")).strip() not in {"0", "00"}:
        raise ConnectorError(
            f"the portal refused {body.get('service')}: error_code={answer.get('error_code')!r} "
            f"{answer.get('message', '')}".strip()
        )
    return answer


def egov_send(body: dict[str, Any]) -> dict[str, Any]:
    """Send one licence record to Egov; raises ConnectorError unless it is taken."""
    base = conf.egov_url()
    if not base:
        raise ConnectorError("EDOC_EGOV_URL is not set")
    answer = _post(
        base.rstrip("/") + "/api/licences",
        body,
        headers={"Authorization": f"Bearer {settings.EDOC_EGOV_TOKEN}"},
    )
    return answer if isinstance(answer, dict) else {}
