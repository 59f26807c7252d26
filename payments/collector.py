"""The payments app's fee collector (registered in `onestop.payments` at start-up)."""

from __future__ import annotations

from edoc.models import User
from onestop.models import Dossier
from onestop.payments import FeePayment


class PaymentsCollector:
    """A payment order when an officer asks for a dossier's fee; a numbered electronic receipt
    when the fee is settled (by a provider's callback, at the counter or by the officer's
    record of a payment)."""

    def fee_requested(self, dossier: Dossier) -> None:
        from payments.services import order_for_dossier

        order_for_dossier(dossier)

    def fee_settled(self, dossier: Dossier, payment: FeePayment, actor: User | None) -> str:
        from payments.services import collector_fee_settled

        return collector_fee_settled(dossier, payment, actor)
