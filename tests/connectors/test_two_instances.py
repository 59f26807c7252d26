"""Exactly once, end to end, between two eDoc instances (issue 11 §4): the Sở Y tế (A) issues
documents to the UBND (B) through its REST API while B's server and worker are killed after the
first few and started again a while later; once both outboxes are idle every document arrived
at B exactly once, every 01 came back to A, and the 03 of B's clerk reaches A. A duplicate
delivery (the same message POSTed again) is acknowledged and stored once.

Two real instances (tests/connectors/instances.py): two databases, two runserver processes,
two Celery workers on two Redis databases, each with its `connectors_deliver` sweep."""

from __future__ import annotations

import time
import uuid

import pytest
import requests

from connectors.exchange.transport import INBOUND_PATH, request_signature
from tests.conftest import make_pdf
from tests.connectors.instances import UBND, Instance, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

DOCUMENTS = 12
DOWN_AFTER, UP_AFTER = 4, 8  # B is killed before the 5th document and back before the 9th
DOWN_SECONDS = 6  # at least this long


def arrivals(b: Instance) -> dict[str, int]:
    """B's electronic arrivals of documents, counted per DocumentId."""
    return dict(
        b.query(
            "select document_key, count(*) from connectors_arrival "
            "where business_type = '0' group by document_key"
        )
    )


def statuses(a: Instance, code: str) -> dict[int, int]:
    """The statuses `code` that came back to A, counted per sent document."""
    return dict(
        a.query(
            "select m.document_id, count(*) from connectors_statusentry s "
            "join connectors_outboxmessage m on m.id = s.message_id "
            "where s.code = %s group by m.document_id",
            (code,),
        )
    )


def sent_keys(a: Instance) -> dict[int, str]:
    """A's outbox: the DocumentId of each sent document."""
    return dict(
        a.query(
            "select document_id, document_key from connectors_outboxmessage where kind = 'document'"
        )
    )


def test_every_document_arrives_exactly_once_with_the_receiver_down_mid_run(two_instances):
    a, b = two_instances
    started = time.monotonic()
    issued: list[int] = []
    try:
        for number in range(DOCUMENTS):
            if number == DOWN_AFTER:
                b.stop(kill=True)  # B crashes: server and worker, mid-whatever
                down_at = time.monotonic()
            if number == UP_AFTER:
                time.sleep(max(0.0, DOWN_SECONDS - (time.monotonic() - down_at)))
                attempts_while_down = a.query(
                    "select count(*) from connectors_outboxmessage "
                    "where kind = 'document' and state = 'pending' and attempts >= 1 "
                    "and last_error like '%%ConnectionError%%'"
                )[0][0]
                b.start()
            document = a.issue(
                f"Kế hoạch phối hợp số {number + 1} giữa Sở Y tế và UBND tỉnh",
                make_pdf(["SỞ Y TẾ", f"Kế hoạch số {number + 1}", uuid.uuid4().hex]),
                to=UBND,
            )
            issued.append(document["id"])
    finally:
        b.start()
    assert attempts_while_down >= 1  # A did try while B was down, and failed
    assert two_instances.idle(90), "the outboxes did not empty"

    keys = sent_keys(a)
    assert sorted(keys) == sorted(issued)  # one outbox message per issued document
    assert arrivals(b) == {key: 1 for key in keys.values()}  # 0 lost, 0 duplicated
    assert statuses(a, "01") == {pk: 1 for pk in issued}  # every 01 back, once
    assert a.query("select count(*) from connectors_outboxmessage where state <> 'sent'") == [(0,)]

    registered = b.python(
        "import json\n"
        "from connectors.exchange.arrivals import arrival_register\n"
        "from connectors.models import Arrival\n"
        "from edoc.models import Confidentiality, Urgency, User\n"
        "clerk = User.objects.get(username='vanthu')\n"
        "done = [arrival_register(clerk, arrival, subject=arrival.subject,"
        " urgency=Urgency.objects.order_by('pk').first(),"
        " confidentiality=Confidentiality.objects.order_by('pk').first()).pk"
        " for arrival in Arrival.objects.filter(state='arrived').order_by('pk')]\n"
        "print(json.dumps(done))"
    )
    assert len(registered) == DOCUMENTS
    assert wait_for(lambda: statuses(a, "03") == {pk: 1 for pk in issued}, 60)

    # The same message POSTed again (a partner that lost our answer): acknowledged, stored once.
    payload = bytes(
        a.query("select payload from connectors_outboxmessage where kind = 'document'")[0][0]
    )
    timestamp, nonce = str(int(time.time())), uuid.uuid4().hex
    again = requests.post(
        b.url + INBOUND_PATH,
        data=payload,
        headers={
            "X-Edoc-Key": "a-key",
            "X-Edoc-Timestamp": timestamp,
            "X-Edoc-Nonce": nonce,
            "X-Edoc-Signature": request_signature(
                "secret-of-a", "POST", INBOUND_PATH, timestamp, nonce, payload
            ),
        },
        timeout=30,
    )
    assert (again.status_code, again.json()) == (200, {"result": "duplicate"})
    assert two_instances.idle(30)
    assert arrivals(b) == {key: 1 for key in keys.values()}
    assert statuses(a, "01") == {pk: 1 for pk in issued}
    assert b.query("select count(*) from connectors_outboxmessage where business_type = '01'") == [
        (DOCUMENTS,)
    ]
    elapsed = time.monotonic() - started
    assert elapsed < 180, f"the exchange took {elapsed:.0f} s"
