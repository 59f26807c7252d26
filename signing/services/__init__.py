"""Signing outgoing documents (being split into modules)."""

from signing.services.pdf import (  # noqa: F401
    SigningPolicy,
    date_line,
    issue_receiver,
    run,
    sign_document,
    sign_pdf_bytes,
    sign_step_for,
    signature_plan,
)
