"""A month of documents handled through the real services, with the clock set (June 2026):

A medical, deadline 10/6, completed 3/6 (on time, 2 days)    B medical, deadline 2/6, completed
C pharmacy, deadline 3/6, still open (overdue on 20/6)          4/6 (late, 3 days)
D medical, deadline 30/7, open                                 E not assigned yet (no deadline)

All registered by the clerk on 1/6 at 9:00, assigned by the director; A arrived electronically
from a partner (an Arrival registered as A). Now is 20/6 at 9:00.
"""

from __future__ import annotations

import datetime

import pytest

from connectors.models import Arrival, ExchangeRoute
from edoc.models import Document
from edoc.services.documents import incoming_register
from edoc.services.handling import assignment_complete, document_assign, document_complete
from tests.onestop.conftest import Clock

JUNE = datetime.date(2026, 6, 1), datetime.date(2026, 6, 30)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def documents(users, units, catalogs, clock, agency):
    clock.set(datetime.datetime(2026, 6, 1, 9, 0))

    def register(subject: str):
        return incoming_register(
            user=users["clerk"],
            subject=subject,
            urgency=catalogs["normal"],
            confidentiality=catalogs["public"],
        )

    docs = {key: register(f"Văn bản {key}") for key in "ABCDE"}
    leads = {}
    for key, unit, deadline in (
        ("A", "medical", datetime.date(2026, 6, 10)),
        ("B", "medical", datetime.date(2026, 6, 2)),
        ("C", "pharmacy", datetime.date(2026, 6, 3)),
        ("D", "medical", datetime.date(2026, 7, 30)),
    ):
        leads[key] = document_assign(
            user=users["director"], document=docs[key], lead_unit=units[unit], deadline=deadline
        )[0]
    for key, day in (("A", 3), ("B", 4)):
        clock.set(datetime.datetime(2026, 6, day, 9, 0))
        assignment_complete(user=users["head"], assignment=leads[key])
        if Document.objects.get(pk=docs[key].pk).status == Document.Status.IN_PROGRESS:
            # Under a handling process (when the shipped processes are installed) its
            # approval step completes the document.
            document_complete(user=users["head"], document=docs[key])
    # Written after the handling (the exchange would answer the sender with statuses).
    route = ExchangeRoute.objects.create(
        organization=catalogs["ubnd"], transport=ExchangeRoute.Transport.AXIS
    )
    Arrival.objects.create(
        agency=agency,
        route=route,
        document_key="000.00.00.H19,2026/06/01,1",
        sender_code="000.00.00.H19",
        business_type="0",
        header={},
        subject="Văn bản A",
        state=Arrival.State.REGISTERED,
        document=docs["A"],
    )
    clock.set(datetime.datetime(2026, 6, 20, 9, 0))
    for document in docs.values():
        document.refresh_from_db()
    return docs


# The health app's fixtures (catalogues, places, people, officers) for the health panel.
from tests.health.conftest import (  # noqa: E402, F401
    codes,
    health_catalogues,
    officers,
    people,
    places,
)
