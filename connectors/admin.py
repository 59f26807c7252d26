"""Admin of the connectors: each border registers its own models."""

from connectors.exchange import admin as exchange_admin  # noqa: F401 (registers)
from connectors.portal import admin as portal_admin  # noqa: F401 (registers)
