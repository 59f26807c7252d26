"""Models of the connectors app, one module per border: `exchange` (documents exchanged with
other agencies over edXML) and `portal` (the provincial public-service portal's dossier sync
and the Egov licensing sync)."""

from connectors.models.exchange import Arrival, ExchangeRoute, OutboxMessage, StatusEntry
from connectors.models.portal import Licence, LicenceProcedure, PortalDossierLink, SyncMessage

__all__ = [
    "Arrival",
    "ExchangeRoute",
    "Licence",
    "LicenceProcedure",
    "OutboxMessage",
    "PortalDossierLink",
    "StatusEntry",
    "SyncMessage",
]
