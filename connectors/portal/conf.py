"""Deployment values of the portal and Egov connectors (config/settings/base.py reads them
from the environment through config/env.py)."""

from __future__ import annotations

from django.conf import settings


def portal_url() -> str:
    """The portal's sync endpoint (empty: the portal sync is off)."""
    return settings.EDOC_DVC_SYNC_URL


def egov_url() -> str:
    """Egov licensing's base URL (empty: the licence sync is off)."""
    return settings.EDOC_EGOV_URL
