"""Why a signature was not made: one exception with a code and a message users can read."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class SigningRefused(ValidationError):
    """Signing did not happen and the document is unchanged.

    `code` tells the kind ("wrong_passphrase", "certificate_expired", "certificate_revoked",
    "key_usage", "untrusted", "encrypted", "certified_no_changes", "tsa_unavailable",
    "remote_unavailable", "token_unavailable", "not_your_step", "certificate_not_registered",
    …); `key_used` whether a private key had already been used when it failed (for the audit
    log). `field`, when set, names the task form field the message belongs to; `details` are
    facts for the audit entry (never a secret).
    """

    def __init__(
        self,
        message: str,
        code: str,
        *,
        field: str | None = None,
        key_used: bool = False,
        details: dict | None = None,
    ):
        self.refusal_code = code
        self.key_used = key_used
        self.field = field
        self.details = details or {}
        if field:
            super().__init__({field: [ValidationError(message, code=code)]})
        else:
            super().__init__(message, code=code)

    @property
    def text(self) -> str:
        return " ".join(self.messages)
