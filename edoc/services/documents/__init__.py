"""Writes on documents: register incoming, draft, version, submit and issue outgoing.

One module per seam: `incoming` (register books, registration), `editing` (metadata
corrections), `outgoing` (drafts, recipients, file versions, submit, approve, sent back),
`issuance` (Decree 30 numbering, issue, internal copies, archived issued documents), `grants`
(explicit access) and `common` (what they share). Callers import from the package.
"""

from edoc.services.documents.editing import EDITABLE_FIELDS, document_update
from edoc.services.documents.grants import document_grant, document_grant_participant
from edoc.services.documents.incoming import (
    PossibleDuplicate,
    books_for_clerk,
    default_incoming_book,
    incoming_register,
)
from edoc.services.documents.issuance import (
    format_outgoing_number,
    issued_document_record,
    outgoing_issue,
    outgoing_notation,
)
from edoc.services.documents.outgoing import (
    agency_clerks,
    document_file_add,
    document_returned_in_process,
    outgoing_approve,
    outgoing_create,
    outgoing_set_recipients,
    outgoing_submit,
)

__all__ = [
    "EDITABLE_FIELDS",
    "PossibleDuplicate",
    "agency_clerks",
    "books_for_clerk",
    "default_incoming_book",
    "document_file_add",
    "document_grant",
    "document_grant_participant",
    "document_returned_in_process",
    "document_update",
    "format_outgoing_number",
    "incoming_register",
    "issued_document_record",
    "outgoing_approve",
    "outgoing_create",
    "outgoing_issue",
    "outgoing_notation",
    "outgoing_set_recipients",
    "outgoing_submit",
]
