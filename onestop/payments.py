"""How a dossier's fee is collected: the seam the payments app (layer 5) fills in.

onestop owns the obligation — `Dossier.fee_amount` and `fee_status`, status 6 (financial
obligation) — and the one service that settles it, `onestop.services.dossier_fee_settle`: the
fee marked paid or exempt, a line in the dossier's history, the audit entry and, for a dossier
waiting in status 6, the move back to processing with the citizen's notification.

Who takes the money is the registered `FeeCollector`. By default it is `CounterCash`, what
exists today: the citizen pays at the one-stop counter and the officer records it, or an
exemption, with the number of the receipt (`onestop.services.dossier_record_payment`). The
payments app registers its own collector from its `AppConfig.ready()`
(`register_fee_collector(...)`): it hears when an officer asks for a fee, and issues its receipt
when a fee is settled, whether recorded at the counter or confirmed by a provider's callback
(VNPAY, MoMo, VietQR, a POS terminal), for which it calls `dossier_fee_settle` with the method,
the amount received and the provider's reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from edoc.models import User
    from onestop.models import Dossier

COUNTER = "counter"  # cash at the one-stop counter, recorded by the officer


@dataclass(frozen=True)
class FeePayment:
    """How a fee was settled: `method` ("counter", or a collector's own key such as "vnpay"),
    the amount received in VND (None: the amount due), the receipt or the provider's
    transaction reference, or an exemption (nothing received)."""

    method: str = COUNTER
    amount: int | None = None
    reference: str = ""
    exempt: bool = False


@runtime_checkable
class FeeCollector(Protocol):
    """Who collects dossiers' fees. Both hooks run inside the service's transaction with the
    dossier's row locked; a `ValidationError` they raise refuses the change and nothing is
    saved."""

    def fee_requested(self, dossier: Dossier) -> None:
        """An officer asked for the fee (the dossier is now in status 6, `dossier.fee_amount`
        is the amount due): e.g. open a payment order, or replace one of another amount."""

    def fee_settled(self, dossier: Dossier, payment: FeePayment, actor: User | None) -> str:
        """The fee is being marked paid or exempt (`actor` is None when a provider's callback
        settles it): e.g. number and issue the receipt. Returns the receipt reference kept in
        the dossier's history."""


class CounterCash:
    """Today's collection: cash at the one-stop counter, recorded by the officer with the
    number of the receipt they handed over; nothing to prepare when a fee is asked for."""

    def fee_requested(self, dossier: Dossier) -> None:
        return None

    def fee_settled(self, dossier: Dossier, payment: FeePayment, actor: User | None) -> str:
        return payment.reference


_collector: FeeCollector = CounterCash()


def register_fee_collector(collector: FeeCollector) -> FeeCollector:
    """Make `collector` the one that collects fees (called once at start-up by the payments
    app); returns the one it replaces."""
    global _collector
    if not isinstance(collector, FeeCollector):
        raise TypeError(f"{collector!r} does not implement onestop.payments.FeeCollector")
    previous, _collector = _collector, collector
    return previous


def fee_collector() -> FeeCollector:
    """The registered fee collector (`CounterCash` until another app registers one)."""
    return _collector
