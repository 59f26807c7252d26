"""Delivering the rows of a transactional outbox to another system, for every outbox of the app
(the document exchange's `OutboxMessage`, the portal and Egov sync's `SyncMessage`).

A row is delivered at least once and no database lock is held while it is on the wire: a
worker claims the row (a lease: `claimed_until`, `claim_token`, the attempt counted) in one
short transaction, calls the other system outside any transaction, and records the answer in
another. Until the lease runs out no other worker sends the row; a worker that dies in between
leaves a lease that runs out, and the row is sent again (the other side keeps a message once by
its identity). A failure is retried after the shared backoff (`connectors.retry`), given up
after the outbox's last attempt where it has one; the due sweep tries whatever is due, and
stops trying a system that failed several times in a row where the outbox asks for it.

Each outbox says what is particular to it in an `Outbox` subclass: its rows still to deliver,
how one is sent, what success and giving up write, and whether a row waits for an earlier one.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime
import enum
import logging
import uuid
from collections.abc import Iterable
from typing import Any, ClassVar, Generic, TypeVar

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from connectors.retry import backoff_seconds

logger = logging.getLogger(__name__)

Row = TypeVar("Row", bound=models.Model)


class Attempt(enum.StrEnum):
    """What one delivery attempt came to."""

    DELIVERED = "delivered"
    RETRY = "retry"  # failed; tried again after the backoff
    GAVE_UP = "gave_up"  # failed for the last allowed time
    WAITING = "waiting"  # an earlier row it must follow is undelivered: not tried, not counted
    NOTHING = "nothing"  # not pending, or another worker's lease on it still runs
    SUPERSEDED = "superseded"  # sent, but another worker recorded the row meanwhile


POSTPONED = "postponed"  # in a sweep: not tried, its system failed too often in a row


@dataclasses.dataclass(frozen=True)
class Lease:
    """A worker's claim on one pending row: until `until` no other worker sends it."""

    message_id: int
    token: uuid.UUID
    until: datetime.datetime
    started: datetime.datetime  # when the attempt began (the backoff counts from here)


class Outbox(Generic[Row]):
    """The delivery of one outbox table. Its rows have `attempts`, `next_attempt_at`,
    `last_error`, `claimed_until` and `claim_token`; subclasses fill in the rest."""

    model: ClassVar[type[models.Model]]
    pending: ClassVar[Q]  # rows still to deliver
    errors: ClassVar[tuple[type[Exception], ...]]  # the other side's failures (retried)
    error_length: ClassVar[int]  # how much of the failure's text `last_error` keeps

    # --- what each outbox says ---------------------------------------------------------
    def retry_base_seconds(self) -> float:
        """The first wait after a failure (doubled after each one, see connectors.retry)."""
        raise NotImplementedError

    def lease_seconds(self, row: Row) -> int:
        """How long a claim lasts: longer than one delivery may take, so that only a crashed
        or hung worker's claim runs out."""
        raise NotImplementedError

    def max_attempts(self) -> int | None:
        """After this many failed attempts the row is given up; None: tried until delivered."""
        return None

    def load(self, message_id: int) -> Row:
        return self.model.objects.get(pk=message_id)

    def send(self, row: Row) -> Any:
        """Hand the row to the other system; raise one of `errors` when it is not taken. What
        it returns is handed to `delivered_fields`."""
        raise NotImplementedError

    def waits(self, row: Row) -> bool:
        """Whether the row waits for an earlier undelivered one (it is then not tried)."""
        return False

    def claimed_fields(self, lease: Lease) -> dict[str, Any]:
        """Further fields written with the claim."""
        return {}

    def delivered_fields(self, sent: Any) -> dict[str, Any]:
        """The fields a delivered row gets (`sent`: what `send` returned)."""
        raise NotImplementedError

    def gave_up_fields(self) -> dict[str, Any]:
        """The fields a given-up row gets (when `max_attempts` is set)."""
        return {}

    # --- shared ------------------------------------------------------------------------
    def retry_delay(self, attempts: int) -> datetime.timedelta:
        """How long a row waits after `attempts` failed deliveries."""
        return datetime.timedelta(seconds=backoff_seconds(attempts, self.retry_base_seconds()))

    def claim(
        self, message_id: int, now: datetime.datetime | None = None, *, row: Row | None = None
    ) -> Lease | None:
        """Claim a pending row for one attempt (counted now), in its own short transaction;
        None when it is not pending or another worker's claim still runs. `now` is the
        sweep's clock (a claim that ran out by then is taken over); `row`, when the caller
        has read it already."""
        now = now or timezone.now()
        row = row or self.model.objects.filter(self.pending, pk=message_id).first()
        if row is None:
            return None
        lease = Lease(
            message_id,
            uuid.uuid4(),
            now + datetime.timedelta(seconds=self.lease_seconds(row)),
            timezone.now(),
        )
        claimed = (
            self.model.objects.filter(self.pending, pk=message_id)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
            .update(
                claimed_until=lease.until,
                claim_token=lease.token,
                attempts=F("attempts") + 1,
                **self.claimed_fields(lease),
            )
        )
        return lease if claimed else None

    def deliver(self, message_id: int, now: datetime.datetime | None = None) -> Attempt:
        """Try one row now: claim it, send it outside any transaction, record the answer.
        Never raises for the other side's failure."""
        row = self.model.objects.filter(self.pending, pk=message_id).first()
        if row is None:
            return Attempt.NOTHING
        if self.waits(row):
            return Attempt.WAITING
        lease = self.claim(message_id, now, row=row)
        if lease is None:
            return Attempt.NOTHING
        row = self.load(message_id)
        try:
            sent = self.send(row)
        except self.errors as error:
            return self._record_failure(row, lease, str(error))
        # acknowledged: delivered, whoever holds the claim now
        recorded = self.model.objects.filter(self.pending, pk=row.pk).update(
            claimed_until=None, claim_token=None, last_error="", **self.delivered_fields(sent)
        )
        logger.info("%s %s delivered", self.model.__name__, row)
        return Attempt.DELIVERED if recorded else Attempt.SUPERSEDED

    def _record_failure(self, row: Row, lease: Lease, error: str) -> Attempt:
        last_error = error[: self.error_length]
        logger.warning(
            "%s %s: attempt %s failed: %s", self.model.__name__, row, row.attempts, last_error
        )
        limit = self.max_attempts()
        gave_up = limit is not None and row.attempts >= limit
        recorded = self.model.objects.filter(
            self.pending, pk=row.pk, claim_token=lease.token
        ).update(  # only our own claim: another worker took over a claim that ran out
            claimed_until=None,
            claim_token=None,
            last_error=last_error,
            next_attempt_at=lease.started + self.retry_delay(row.attempts),
            **(self.gave_up_fields() if gave_up else {}),
        )
        if not recorded:
            return Attempt.SUPERSEDED
        return Attempt.GAVE_UP if gave_up else Attempt.RETRY

    def due(self, now: datetime.datetime, *, ignore_backoff: bool = False) -> models.QuerySet:
        """The pending rows whose next attempt is due (all pending rows with
        `ignore_backoff`), less those on the wire (another worker's claim still runs)."""
        rows = self.model.objects.filter(self.pending).exclude(claimed_until__gt=now)
        if not ignore_backoff:
            rows = rows.filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        return rows

    def sweep(
        self,
        rows: Iterable[tuple[int, str]],
        now: datetime.datetime,
        *,
        postpone_after: int | None = None,
    ) -> collections.Counter[str]:
        """Try each (row id, system) in turn: the count of each `Attempt`. With
        `postpone_after`, a system that failed that many times in a row in this sweep is not
        tried again (its rows counted `POSTPONED`; they stay due): it is down, and the sweep
        does not spend a timeout on each of its rows."""
        counts: collections.Counter[str] = collections.Counter()
        failures_in_a_row: collections.Counter[str] = collections.Counter()
        for message_id, system in list(rows):
            if postpone_after is not None and failures_in_a_row[system] >= postpone_after:
                counts[POSTPONED] += 1
                continue
            attempt = self.deliver(message_id, now)
            counts[attempt] += 1
            if attempt == Attempt.DELIVERED:
                failures_in_a_row[system] = 0
            elif attempt in (Attempt.RETRY, Attempt.GAVE_UP):
                failures_in_a_row[system] += 1
        return counts
