"""Document exchange over the national document-exchange axis (VPCP pattern), through the real
stand-in process (tools/axis_standin): the Sở Y tế and the UBND live in one test database, and
each step runs as one of them (its EDOC_AXIS_* settings), as two eDoc instances would."""

from __future__ import annotations

import io

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command

from connectors.edxml.builder import outgoing_attachment
from connectors.exchange.inbound import message_receive
from connectors.exchange.outbox import deliver_due
from connectors.exchange.transport import TRANSPORTS
from connectors.models import Arrival, ExchangeRoute, OutboxMessage, StatusEntry
from edoc.background import wait_until_idle
from edoc.models import AuditEntry
from tests.connectors.axis_support import AxisStandIn, act_as
from tests.connectors.conftest import SYT, UBND
from tests.connectors.test_exchange import altered, issue_to_ubnd, unknown_status


@pytest.fixture
def axis():
    """The stand-in, not started (a test starts it, or first finds it down)."""
    server = AxisStandIn()
    yield server
    server.stop()


def axis_route(organization, ours: str) -> ExchangeRoute:
    return ExchangeRoute.objects.create(
        organization=organization,
        transport=ExchangeRoute.Transport.AXIS,
        base_url="https://axis.invalid",
        our_key_id=f"{ours}-axis",
        our_secret="unused",
        partner_key_id=f"{ours}-axis-partner",
        partner_secret="unused",
    )


@pytest.fixture
def axis_routes(catalogs, partner):
    return {
        "to_ubnd": axis_route(catalogs["ubnd"], "syt"),
        "to_syt": axis_route(partner["syt_org"], "ubnd"),
    }


def fetch(settings, axis, code: str) -> str:
    """`connectors_fetch` run as agency `code`: its output line."""
    act_as(settings, axis, code)
    out = io.StringIO()
    call_command("connectors_fetch", stdout=out)
    assert wait_until_idle(60)  # the statuses it queued are delivered
    return out.getvalue().strip()


@pytest.mark.django_db(transaction=True)
def test_two_agencies_exchange_a_document_and_its_status_over_the_axis(
    settings, users, catalogs, pdf_bytes, partner, axis_routes, axis
):
    axis.start()
    act_as(settings, axis, SYT)
    letter = issue_to_ubnd(users, catalogs, pdf_bytes)
    assert wait_until_idle(60)
    [sent] = OutboxMessage.objects.filter(kind="document")
    assert (sent.state, sent.attempts, sent.last_error) == ("sent", 1, "")
    [held] = axis.entries()
    assert (held["from"], held["to"], held["messageType"], held["status"]) == (
        SYT,
        UBND,
        "edoc",
        "inbox",
    )
    assert Arrival.objects.count() == 0  # the axis holds it until the UBND fetches

    assert fetch(settings, axis, UBND) == (
        "1 fetched: 1 arrived, 0 statuses recorded, 0 duplicates acknowledged, 0 refused."
    )
    [arrival] = Arrival.objects.all()
    assert (arrival.agency, arrival.route, arrival.subject) == (
        partner["agency"],
        axis_routes["to_syt"],
        letter.subject,
    )
    assert arrival.file_sha256 and arrival.sender_code == SYT
    document_entry = next(e for e in axis.entries() if e["messageType"] == "edoc")
    assert document_entry["status"] == "done"  # acknowledged once the arrival was committed
    [status_row] = OutboxMessage.objects.filter(kind="status")
    assert (status_row.business_type, status_row.state, status_row.route) == (
        "01",
        "sent",
        axis_routes["to_syt"],
    )
    status_entry = next(e for e in axis.entries() if e["messageType"] == "status")
    assert (status_entry["from"], status_entry["to"], status_entry["status"]) == (
        UBND,
        SYT,
        "inbox",
    )
    assert sent.statuses.count() == 0

    assert fetch(settings, axis, SYT) == (
        "1 fetched: 0 arrived, 1 statuses recorded, 0 duplicates acknowledged, 0 refused."
    )
    assert [status.code for status in sent.statuses.all()] == ["01"]
    assert {e["status"] for e in axis.entries()} == {"done"}
    assert fetch(settings, axis, UBND).startswith("0 fetched")
    assert fetch(settings, axis, SYT).startswith("0 fetched")


@pytest.mark.django_db(transaction=True)
def test_the_axis_down_delivery_and_fetch_retry_and_nothing_is_lost(
    settings, users, catalogs, pdf_bytes, partner, axis_routes, axis
):
    act_as(settings, axis, SYT)  # the stand-in is not running yet
    issue_to_ubnd(users, catalogs, pdf_bytes)
    assert wait_until_idle(60)
    [sent] = OutboxMessage.objects.filter(kind="document")
    assert (sent.state, sent.attempts) == ("pending", 1)
    assert "the axis is unreachable (sendEdoc)" in sent.last_error
    act_as(settings, axis, UBND)
    with pytest.raises(CommandError, match="the axis is unreachable") as down:
        call_command("connectors_fetch")
    assert down.value.returncode == 1

    axis.start()
    act_as(settings, axis, SYT)
    assert deliver_due(now=sent.next_attempt_at) == {"sent": 1}
    assert fetch(settings, axis, UBND).startswith("1 fetched: 1 arrived")
    assert fetch(settings, axis, SYT).startswith("1 fetched: 0 arrived, 1 statuses recorded")
    assert [status.code for status in sent.statuses.all()] == ["01"]
    assert Arrival.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_message_listed_again_is_acknowledged_and_stored_once(
    settings, users, catalogs, pdf_bytes, partner, axis_routes, axis
):
    axis.start()
    act_as(settings, axis, SYT)
    issue_to_ubnd(users, catalogs, pdf_bytes)
    assert wait_until_idle(60)
    [sent] = OutboxMessage.objects.filter(kind="document")
    TRANSPORTS["axis"].send(axis_routes["to_ubnd"], bytes(sent.payload))  # sent twice

    act_as(settings, axis, UBND)
    transport = TRANSPORTS["axis"]
    first, second = transport.fetch_received()
    assert (first.sender, first.kind) == (SYT, "edoc")
    message_receive(axis_routes["to_syt"], transport.get(first))  # then the process dies
    assert wait_until_idle(60)
    assert Arrival.objects.count() == 1
    assert [e["status"] for e in axis.entries() if e["messageType"] == "edoc"] == ["inbox"] * 2

    assert fetch(settings, axis, UBND) == (
        "2 fetched: 0 arrived, 0 statuses recorded, 2 duplicates acknowledged, 0 refused."
    )
    assert [e["status"] for e in axis.entries() if e["messageType"] == "edoc"] == ["done"] * 2
    assert Arrival.objects.count() == 1
    assert OutboxMessage.objects.filter(kind="status").count() == 1  # one 01, not three
    assert fetch(settings, axis, SYT).startswith("1 fetched: 0 arrived, 1 statuses recorded")
    assert StatusEntry.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_bad_secret_is_refused_with_a_clear_error(
    settings, users, catalogs, pdf_bytes, partner, axis_routes, axis
):
    axis.start()
    act_as(settings, axis, SYT, secret="not-the-secret")
    issue_to_ubnd(users, catalogs, pdf_bytes)
    assert wait_until_idle(60)
    [sent] = OutboxMessage.objects.filter(kind="document")
    assert sent.state == "pending"
    assert sent.last_error == (
        "the axis refused sendEdoc: HTTP 401, ErrorCode 401: "
        "invalid signature (XroadVnpt-hash-header)"
    )
    assert "not-the-secret" not in sent.last_error
    assert axis.entries() == []
    act_as(settings, axis, UBND, secret="not-the-secret")
    with pytest.raises(CommandError) as refused:
        call_command("connectors_fetch")
    assert str(refused.value) == (
        "connectors_fetch: the axis refused getReceivedEdocList: HTTP 401, ErrorCode 401: "
        "invalid signature (XroadVnpt-hash-header)"
    )


@pytest.mark.django_db(transaction=True)
def test_a_refused_message_is_told_to_the_axis_audited_and_stored_nowhere(
    settings, users, catalogs, partner, axis_routes, axis
):
    axis.start()
    act_as(settings, axis, UBND)
    TRANSPORTS["axis"].send(axis_routes["to_syt"], unknown_status())
    assert fetch(settings, axis, SYT) == (
        "1 fetched: 0 arrived, 0 statuses recorded, 0 duplicates acknowledged, 1 refused."
    )
    [entry] = axis.entries()
    assert entry["status"] == "fail"
    [audit] = AuditEntry.objects.filter(action="connectors.inbound_refused")
    assert audit.details["code"] == "unknown_document"
    assert (audit.details["transport"], audit.details["sender"]) == ("axis", UBND)
    assert StatusEntry.objects.count() == 0 and Arrival.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_message_from_an_organisation_without_an_axis_route_is_refused(
    settings, users, catalogs, partner, axis_routes, axis
):
    axis.start()
    axis_routes["to_ubnd"].delete()  # the Sở Y tế no longer exchanges with the UBND
    act_as(settings, axis, UBND)
    TRANSPORTS["axis"].send(axis_routes["to_syt"], unknown_status())
    assert fetch(settings, axis, SYT).endswith("1 refused.")
    [audit] = AuditEntry.objects.filter(action="connectors.inbound_refused")
    assert audit.details["code"] == "unknown_sender"
    assert [entry["status"] for entry in axis.entries()] == ["fail"]


@pytest.mark.django_db
def test_connectors_fetch_without_axis_routes_fetches_nothing(settings):
    settings.EDOC_AXIS_ENDPOINT = ""
    out = io.StringIO()
    call_command("connectors_fetch", stdout=out)
    assert out.getvalue().strip() == (
        "0 fetched: 0 arrived, 0 statuses recorded, 0 duplicates acknowledged, 0 refused."
    )


@pytest.mark.django_db
def test_connectors_fetch_with_an_axis_route_but_no_settings_says_what_is_missing(
    settings, catalogs
):
    settings.EDOC_AXIS_ENDPOINT = ""
    axis_route(catalogs["ubnd"], "syt")
    with pytest.raises(CommandError, match="the axis is not configured .EDOC_AXIS_ENDPOINT"):
        call_command("connectors_fetch")


@pytest.mark.django_db(transaction=True)
def test_beat_waits_the_shared_backoff_after_a_failed_fetch(settings, catalogs, partner, axis):
    from django.core.cache import cache

    from connectors.exchange.fetch import FAILURES_KEY, NEXT_KEY, fetch_due

    cache.delete_many([FAILURES_KEY, NEXT_KEY])
    settings.EDOC_EXCHANGE_RETRY_SECONDS = 30
    axis_route(partner["syt_org"], "ubnd")
    act_as(settings, axis, UBND)  # the stand-in is down
    failed = fetch_due()
    assert "the axis is unreachable (getReceivedEdocList)" in failed.left[0]
    assert cache.get(FAILURES_KEY) == 1
    assert fetch_due() is None  # within the 30 s backoff: not tried
    cache.set(NEXT_KEY, 0, timeout=None)  # the backoff has run out
    assert fetch_due().left  # still down: tried again, 60 s now
    assert cache.get(FAILURES_KEY) == 2
    axis.start()
    cache.set(NEXT_KEY, 0, timeout=None)
    assert fetch_due().counts == {}
    assert cache.get(FAILURES_KEY) is None and cache.get(NEXT_KEY) is None


@pytest.mark.django_db(transaction=True)
def test_a_refused_document_gets_02_with_the_reason_back_over_the_axis(
    settings, users, catalogs, pdf_bytes, partner, axis_routes, axis
):
    act_as(settings, axis, SYT)  # the stand-in is down: the document stays in the outbox
    issue_to_ubnd(users, catalogs, pdf_bytes)
    assert wait_until_idle(60)
    [sent] = OutboxMessage.objects.filter(kind="document")
    html = outgoing_attachment(
        "cong_van.pdf", b"<html><body>not a pdf</body></html>", "application/pdf"
    )
    axis.start()
    TRANSPORTS["axis"].send(
        axis_routes["to_ubnd"], altered(bytes(sent.payload), attachments=[html])
    )

    assert fetch(settings, axis, UBND).endswith(
        "0 arrived, 0 statuses recorded, 0 duplicates acknowledged, 1 refused."
    )
    assert Arrival.objects.count() == 0
    [refusal] = OutboxMessage.objects.filter(kind="status")
    assert (refusal.business_type, refusal.state, refusal.route) == (
        "02",
        "sent",
        axis_routes["to_syt"],
    )
    assert [e["status"] for e in axis.entries() if e["messageType"] == "edoc"] == ["fail"]
    assert fetch(settings, axis, SYT).startswith("1 fetched: 0 arrived, 1 statuses recorded")
    [status] = sent.statuses.all()
    assert status.code == "02" and "cong_van.pdf" in status.description

    act_as(settings, axis, SYT)  # the same refused message listed again: no second 02
    TRANSPORTS["axis"].send(
        axis_routes["to_ubnd"], altered(bytes(sent.payload), attachments=[html])
    )
    assert fetch(settings, axis, UBND).endswith("1 refused.")
    assert OutboxMessage.objects.filter(kind="status").count() == 1


def test_beat_fetches_from_the_axis_and_https_routes_have_nothing_to_fetch():
    from config.celery import app

    entry = django_settings.CELERY_BEAT_SCHEDULE["fetch-exchange-axis"]
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks
    assert entry["schedule"] == django_settings.EDOC_AXIS_FETCH_SECONDS
    assert TRANSPORTS["edoc-https"].fetch_received() == []
