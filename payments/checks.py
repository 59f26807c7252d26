"""System checks: a wrong provider fee setting fails at start-up, not in the first report."""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from payments.fees import payment_fees


@checks.register()
def check_payment_fees(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """EDOC_PAYMENT_FEES must parse into fees per method."""
    try:
        payment_fees()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="payments.E001")]
    return []
