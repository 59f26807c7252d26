"""Delivery holds no database lock while the message is on the wire: the worker claims the
outbox row in a short transaction (a lease), POSTs outside any transaction and records the
answer in a second one. A slow partner (a proxy in front of the live server that holds each
request until told) shows the row readable and lockable by another connection meanwhile; a
crashed worker's claim expires and the sweep delivers the message."""

from __future__ import annotations

import datetime
import http.server
import threading
import urllib.request

import pytest
from django.db import transaction
from django.utils import timezone

from connectors.exchange.outbox import deliver, deliver_due, delivery_claim
from connectors.models import Arrival, ExchangeRoute, OutboxMessage
from edoc.background import wait_until_idle
from tests.connectors.test_exchange import issue_to_ubnd

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


class SlowPartner(http.server.ThreadingHTTPServer):
    """Forwards each POST to `target` once `release` is set; `arrived` is set when one comes."""

    def __init__(self, target: str):
        super().__init__(("127.0.0.1", 0), _Forward)
        self.target = target
        self.arrived = threading.Event()
        self.release = threading.Event()
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def close(self) -> None:
        self.release.set()
        self.shutdown()
        self.server_close()


class _Forward(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.arrived.set()
        self.server.release.wait(60)
        headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
        request = urllib.request.Request(  # noqa: S310 (loopback http)
            self.server.target + self.path, data=body, headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
                status, content = answer.status, answer.read()
        except urllib.error.HTTPError as error:
            status, content = error.code, error.read()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def slow_partner(routes):
    partner = SlowPartner(routes["url"])
    ExchangeRoute.objects.filter(pk=routes["to_ubnd"].pk).update(base_url=partner.url)
    yield partner
    partner.close()


def test_the_row_is_not_locked_while_the_message_is_on_the_wire(
    users, catalogs, pdf_bytes, routes, slow_partner
):
    issue_to_ubnd(users, catalogs, pdf_bytes)  # the background thread starts delivering
    assert slow_partner.arrived.wait(30)
    [row] = OutboxMessage.objects.filter(kind="document")
    with transaction.atomic():  # another connection locks and updates the row at once
        locked = OutboxMessage.objects.select_for_update(nowait=True).get(pk=row.pk)
        assert (locked.state, locked.attempts) == ("pending", 1)  # the claim is committed
        assert locked.claimed_until > timezone.now()
        OutboxMessage.objects.filter(pk=row.pk).update(last_error="seen by another connection")
    assert deliver(row.pk) is None  # claimed: a second worker does not send it meanwhile
    slow_partner.release.set()
    assert wait_until_idle(60)
    row.refresh_from_db()
    assert (row.state, row.attempts, row.claimed_until, row.last_error) == ("sent", 1, None, "")
    assert Arrival.objects.count() == 1
    assert row.statuses.get().code == "01"


def test_a_crashed_workers_claim_expires_and_the_sweep_delivers(
    users, catalogs, pdf_bytes, routes, settings
):
    settings.EDOC_EXCHANGE_RETRY_SECONDS = 30
    ExchangeRoute.objects.filter(pk=routes["to_ubnd"].pk).update(base_url="http://127.0.0.1:9")
    issue_to_ubnd(users, catalogs, pdf_bytes)
    assert wait_until_idle(60)
    [row] = OutboxMessage.objects.filter(kind="document")
    assert (row.state, row.attempts, row.claimed_until) == ("pending", 1, None)
    ExchangeRoute.objects.filter(pk=routes["to_ubnd"].pk).update(base_url=routes["url"])
    OutboxMessage.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())

    claim = delivery_claim(row.pk)  # a worker claims the message, then dies before sending
    assert claim is not None and delivery_claim(row.pk) is None
    assert deliver_due() == {}  # the claim holds: nobody sends it
    row.refresh_from_db()
    assert row.claimed_until == claim.until
    later = claim.until + datetime.timedelta(seconds=1)
    assert deliver_due(now=later) == {"sent": 1}  # the lease expired: the sweep delivers it
    assert wait_until_idle(60)
    row.refresh_from_db()
    assert (row.state, row.attempts, row.claimed_until) == ("sent", 3, None)
    assert Arrival.objects.count() == 1
