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
from .retention import DestructionRequest, DocumentTombstone, RetentionRule

__all__ = [
    "Agency",
    "Assignment",
    "AuditAnchor",
    "AuditChainHead",
    "AuditEntry",
    "Confidentiality",
    "Delegation",
    "DestructionRequest",
    "Document",
    "DocumentEvent",
    "DocumentFile",
    "DocumentGrant",
    "DocumentTombstone",
    "DocumentType",
    "ExternalOrganization",
    "Field",
    "FileText",
    "OutgoingRecipient",
    "ReadReceipt",
    "RegisterBook",
    "RetentionRule",
    "Role",
    "Unit",
    "UnitKind",
    "Urgency",
    "User",
]
