"""The menu entry of the electronic arrivals, with the number waiting (clerks only)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from connectors.models import Arrival
from edoc.context_processors import staff_user
from edoc.selectors.access import is_agency_clerk


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = staff_user(request)
    if user is None or not is_agency_clerk(user):
        return {}
    waiting = Arrival.objects.filter(agency_id=user.unit.agency_id, state=Arrival.State.ARRIVED)
    return {"nav_arrivals_waiting": waiting.count()}
