"""The one interface every transport implements, named after the operations of the national
document-exchange axis (VPCP SDK: sendEdoc, getReceivedEdocList, getEdoc, updateStatus).

A push transport (eDoc to eDoc over HTTPS: the partner POSTs to us) has nothing to fetch:
`fetch_received` returns an empty list. A pull transport (the axis) holds what was sent to us
until we fetch it, hand it to `connectors.exchange.inbound.message_receive`, and acknowledge
it once what it caused is committed, so a crash in between only makes it come again (and a
message that comes again is a duplicate: acknowledged, stored once)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from connectors.models import ExchangeRoute


class DeliveryError(Exception):
    """The other side could not be reached or did not take the request; the text says why
    (no secrets in it)."""


@dataclass(frozen=True)
class ReceivedHandle:
    """A message waiting for us on a pull transport: its id there, its sender's code, its
    kind as the transport lists it (`edoc` or `status`)."""

    id: str
    sender: str
    kind: str


@dataclass(frozen=True)
class SentStatus:
    """What the recipient's system told a pull transport about a message we sent (the
    axis's getSentEdocList): `status` one of the axis's values (`inbox` waiting, `done` taken,
    `fail` refused …), `description` the axis's text, `recipient` the recipient's code."""

    recipient: str
    status: str
    description: str = ""


# What `update_status` tells the axis about a received message (the SDK's values).
ACKNOWLEDGED = "done"
REFUSED = "fail"


class Transport(Protocol):
    def send(self, route: ExchangeRoute, payload: bytes) -> str | None:
        """Deliver one edXML message to the route's organisation, or raise DeliveryError:
        the transport's id of the message (to read its `sent_statuses`), or None."""

    def fetch_received(self) -> list[ReceivedHandle]:
        """The messages waiting for us (a push transport: none)."""

    def get(self, handle: ReceivedHandle) -> bytes:
        """One waiting message's edXML bytes."""

    def acknowledge(self, handle: ReceivedHandle) -> None:
        """The message is taken (its effects are committed): it is not listed again."""

    def update_status(self, handle: ReceivedHandle, status: str) -> None:
        """Tell the transport what became of a received message (`ACKNOWLEDGED`, `REFUSED`,
        or another of the axis's values)."""

    def sent_statuses(self, message_id: str) -> list[SentStatus]:
        """What the recipients' systems told the transport about a message we sent (by the
        id `send` returned; a push transport: none)."""
