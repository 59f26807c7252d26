"""Models of the connectors app, one module per border: `portal` (the provincial
public-service portal's dossier sync and the Egov licensing sync)."""

from connectors.models.portal import (
    Licence,
    LicenceProcedure,
    OutboxMessage,
    PortalDossierLink,
)

__all__ = ["Licence", "LicenceProcedure", "OutboxMessage", "PortalDossierLink"]
