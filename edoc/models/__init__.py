"""eDoc domain models, one module per entity group."""

from .audit import AuditAnchor, AuditChainHead, AuditEntry
from .catalogs import (
    Confidentiality,
    DocumentType,
    ExternalOrganization,
    Field,
    RegisterBook,
    Urgency,
)
from .documents import (
    Assignment,
    Document,
    DocumentEvent,
    DocumentFile,
    DocumentGrant,
    FileText,
    OutgoingRecipient,
    ReadReceipt,
)
from .organisation import Agency, Delegation, Role, Unit, UnitKind, User

__all__ = [
    "Agency",
    "Assignment",
    "AuditAnchor",
    "AuditChainHead",
    "AuditEntry",
    "Confidentiality",
    "Delegation",
    "Document",
    "DocumentEvent",
    "DocumentFile",
    "DocumentGrant",
    "DocumentType",
    "ExternalOrganization",
    "Field",
    "FileText",
    "OutgoingRecipient",
    "ReadReceipt",
    "RegisterBook",
    "Role",
    "Unit",
    "UnitKind",
    "Urgency",
    "User",
]
