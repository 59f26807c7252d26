"""JSON errors for every API failure: {"error": {"code", "message", "fields"}}.

`code` is stable and meant for scripts: "not_found", "permission_denied", "not_authenticated",
"throttled", "file_integrity", or for a 400 the validation code when every message shares one
("required", "not_pdf", "encrypted", "already_done", …) and "invalid" otherwise.
`fields` maps input field names to their messages ("non_field_errors" for the rest).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.exceptions import ErrorDetail
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from edoc.services.files import FileIntegrityError
from edoc.services.numbering import RegisterBookClosed

GENERIC_CODE = "invalid"


class FileIntegrityConflict(exceptions.APIException):
    """A stored file no longer matches its recorded SHA-256: it is not served."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _(
        "The stored file fails its integrity check (SHA-256 mismatch) and is not served. "
        "Report this to the system administrator."
    )
    default_code = "file_integrity"


def _error_details(errors: list[DjangoValidationError]) -> list[ErrorDetail]:
    return [
        ErrorDetail(message, code=error.code or GENERIC_CODE)
        for error in errors
        for message in error.messages
    ]


def django_validation_to_drf(exc: DjangoValidationError) -> exceptions.ValidationError:
    """Keep Django's field names and error codes ("already_done", "not_pdf", …)."""
    if hasattr(exc, "error_dict"):
        fields = {
            ("non_field_errors" if name == NON_FIELD_ERRORS else name): _error_details(errors)
            for name, errors in exc.error_dict.items()
        }
        return exceptions.ValidationError(fields)
    return exceptions.ValidationError({"non_field_errors": _error_details(exc.error_list)})


def _leaves(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _leaves(item)
    else:
        yield value


def _validation_body(data: Any) -> dict[str, Any]:
    fields = data if isinstance(data, dict) else {"non_field_errors": data}
    leaves = list(_leaves(fields))
    messages = [str(leaf) for leaf in leaves]
    codes = {getattr(leaf, "code", None) or GENERIC_CODE for leaf in leaves}
    return {
        "code": codes.pop() if len(codes) == 1 else GENERIC_CODE,
        "message": messages[0] if len(messages) == 1 else "; ".join(messages[:5]),
        "fields": fields,
    }


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Map domain and Django errors to DRF ones, then wrap every error in one envelope."""
    if isinstance(exc, DjangoValidationError):
        exc = django_validation_to_drf(exc)
    elif isinstance(exc, DjangoPermissionDenied):
        # A refusal may carry its own code (e.g. "second_factor_required").
        exc = exceptions.PermissionDenied(str(exc) or None, code=getattr(exc, "code", None))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, FileIntegrityError):
        exc = FileIntegrityConflict()
    elif isinstance(exc, RegisterBookClosed):
        exc = exceptions.ValidationError({"register_book": [ErrorDetail(str(exc), "closed")]})
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        body = _validation_body(data)
        response.status_code = status.HTTP_400_BAD_REQUEST
    else:
        detail = data.get("detail", "") if isinstance(data, dict) else data
        body = {
            "code": getattr(detail, "code", None) or exc.__class__.__name__.lower(),
            "message": str(detail),
            "fields": {},
        }
    response.data = {"error": body}
    return response
