"""The one exception the edXML parser raises: a stable code and a one-line reason."""

from __future__ import annotations

from django.utils.translation import gettext as _


class EdxmlError(Exception):
    """A message eDoc refuses. `code` is stable (logs, API error envelopes, edXML status
    replies): too_large, not_well_formed, forbidden_xml, too_deep, not_edxml, missing_field,
    duplicate_field, bad_date, bad_timestamp, bad_document_id, unknown_status,
    unknown_business_type, bad_base64, bad_zip, attachment_too_large. `message` is one line in
    the active language (Vietnamese in the UI)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = " ".join(str(message).split())  # one line, whatever a value held

    def __str__(self) -> str:
        return self.message


def missing(path: str) -> EdxmlError:
    return EdxmlError(
        "missing_field", _("The mandatory element %(path)s is missing or empty.") % {"path": path}
    )


def duplicated(path: str) -> EdxmlError:
    return EdxmlError(
        "duplicate_field", _("The element %(path)s appears more than once.") % {"path": path}
    )


def bad_value(code: str, path: str, value: str, expected: str) -> EdxmlError:
    return EdxmlError(
        code,
        _("%(path)s: “%(value)s” is not %(expected)s.")
        % {"path": path, "value": value[:60], "expected": expected},
    )
