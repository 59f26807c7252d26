# ruff: noqa: F401, F811 (pytest fixtures imported from test_axis)
"""The sender reads what the recipient's system told the axis about the documents we sent
(the SDK's getSentEdocList), through the real stand-in (tools/axis_standin): a system that
marks our message `fail` without sending an edXML 02 back no longer leaves our document page
showing it simply delivered."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from connectors.exchange.transport import TRANSPORTS
from connectors.exchange.transports.base import ReceivedHandle
from connectors.models import OutboxMessage
from edoc.background import wait_until_idle
from edoc.models import AuditEntry
from tests.connectors.axis_support import act_as
from tests.connectors.conftest import SYT, UBND
from tests.connectors.test_axis import axis, axis_routes, fetch
from tests.connectors.test_exchange import issue_to_ubnd

pytestmark = pytest.mark.django_db(transaction=True)


def fetch_verbose(settings, axis, code: str) -> list[str]:
    """`connectors_fetch --verbosity 2` run as agency `code`: its output lines."""
    act_as(settings, axis, code)
    out = io.StringIO()
    call_command("connectors_fetch", verbosity=2, stdout=out)
    assert wait_until_idle(60)
    return out.getvalue().strip().splitlines()


@pytest.fixture
def sent_letter(settings, users, catalogs, pdf_bytes, partner, axis_routes, axis):
    """A letter the Sở Y tế sent to the UBND over the running stand-in, and its outbox row."""
    axis.start()
    act_as(settings, axis, SYT)
    letter = issue_to_ubnd(users, catalogs, pdf_bytes)
    assert wait_until_idle(60)
    [sent] = OutboxMessage.objects.filter(kind="document")
    [entry] = axis.entries()
    assert (sent.state, sent.transport_id) == ("sent", entry["docId"])  # sendEdoc's DocId
    return letter, sent


def panel(client, users, letter) -> str:
    client.force_login(users["clerk"])
    page = client.get(f"/documents/{letter.pk}/").content.decode()
    return page.split('id="exchange"', 1)[1].split("</section>", 1)[0]


def test_a_message_the_recipients_system_marks_fail_shows_refused_by_the_axis(
    settings, users, axis, sent_letter, client
):
    letter, sent = sent_letter
    # another vendor's system at the UBND refuses the message on the axis, and sends no 02
    act_as(settings, axis, UBND)
    handle = ReceivedHandle(id=sent.transport_id, sender=SYT, kind="edoc")
    TRANSPORTS["axis"].update_status(handle, "fail")

    lines = fetch_verbose(settings, axis, SYT)
    assert lines == [
        "0 fetched: 0 arrived, 0 statuses recorded, 0 duplicates acknowledged, 0 refused.",
        "sent documents' axis status: 1 fail",
    ]
    sent.refresh_from_db()
    assert (sent.state, sent.transport_status) == ("sent", "fail")
    assert sent.transport_status_description == "refused by the recipient's system"
    assert sent.statuses.count() == 0  # no edXML status came back
    [audit] = AuditEntry.objects.filter(action="connectors.axis_refused")
    assert audit.details["recipient"] == UBND and audit.details["message"] == sent.transport_id

    html = panel(client, users, letter)
    assert f'id="axis-refused-{sent.pk}"' in html
    assert 'data-axis-status="fail"' in html
    assert "Bị từ chối trên Trục liên thông" in html
    assert "refused by the recipient&#x27;s system" in html

    # a final status is not read again
    assert fetch_verbose(settings, axis, SYT)[1] == "sent documents' axis status: no change"


def test_the_axis_status_follows_the_message_from_waiting_to_taken(
    settings, users, axis, sent_letter, client
):
    letter, sent = sent_letter
    assert fetch_verbose(settings, axis, SYT)[1] == "sent documents' axis status: 1 inbox"
    assert 'data-axis-status="inbox"' in panel(client, users, letter)
    assert fetch_verbose(settings, axis, SYT)[1] == "sent documents' axis status: no change"

    assert fetch(settings, axis, UBND).startswith("1 fetched: 1 arrived")  # taken: done
    lines = fetch_verbose(settings, axis, SYT)  # the 01 arrives, and the axis says done
    assert lines == [
        "1 fetched: 0 arrived, 1 statuses recorded, 0 duplicates acknowledged, 0 refused.",
        "sent documents' axis status: 1 done",
    ]
    html = panel(client, users, letter)
    assert 'data-axis-status="done"' in html and "Hệ thống nơi nhận đã nhận" in html
    assert f'id="axis-refused-{sent.pk}"' not in html
    assert not AuditEntry.objects.filter(action="connectors.axis_refused").exists()


def test_a_sent_status_the_axis_cannot_read_is_left_for_the_next_run(settings, axis, sent_letter):
    _, sent = sent_letter
    OutboxMessage.objects.filter(pk=sent.pk).update(transport_id="not-on-the-axis")
    [_, line] = fetch_verbose(settings, axis, SYT)
    assert line.startswith("sent documents' axis status: no change; not read: not-on-the-axis:")
    assert "HTTP 404" in line
    sent.refresh_from_db()
    assert sent.transport_status == ""
