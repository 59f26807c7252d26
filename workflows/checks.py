"""System checks: a wrong office-hours setting fails at start-up, not at the first deadline."""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from workflows.calendar import working_periods


@checks.register()
def check_working_hours(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """EDOC_WORKING_HOURS must parse into ordered office-hour periods."""
    try:
        working_periods()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="workflows.E001")]
    return []
