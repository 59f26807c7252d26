"""The review list's "resolve": a partial, excess or unmatched bank transfer is marked resolved
with a note (refund arranged, or matched by hand to an order, which credits the order through
the settle path once), audited; only finance staff resolve."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from edoc.models import AuditEntry
from onestop.models import FeeStatus
from payments import selectors, services
from payments.models import OrderState, PaymentOrder, Receipt, StatementTransfer
from payments.providers.base import PROVIDERS, register_provider
from payments.providers.vietqr import VietQrProvider

pytestmark = pytest.mark.django_db


@pytest.fixture
def vietqr():
    register_provider(
        VietQrProvider(bank_bin="970436", account_number="0011001234567", account_name="SO Y TE")
    )
    yield
    PROVIDERS.pop("vietqr", None)


def _import(officer, lines: list[tuple[str, str, str]]) -> None:
    rows = ["Ngày giao dịch;Số tham chiếu;Số tiền ghi có;Nội dung"]
    rows += [f"06/12/2026 09:00:00;{ref};{amount};{text}" for ref, amount, text in lines]
    services.statement_import(officer=officer, data="\n".join(rows).encode(), filename="s.csv")


def test_matching_by_hand_credits_the_order_once(owing, officer, vietqr):
    order = PaymentOrder.objects.get()
    # The payer mistyped the code; then sent the same amount again with another typo.
    _import(officer, [("FT100", "360.000", "NOP PHI HO SO"), ("FT101", "360.000", "PHI HS")])
    first, second = StatementTransfer.objects.order_by("reference")
    assert first.outcome == "unmatched"

    with pytest.raises(ValidationError):  # matching by hand needs the order
        services.transfer_resolve(
            user=officer, transfer=first, resolution="matched_by_hand", note="Gọi điện xác nhận"
        )
    with pytest.raises(ValidationError):  # and a note
        services.transfer_resolve(
            user=officer,
            transfer=first,
            resolution="matched_by_hand",
            note=" ",
            order_code=order.code,
        )
    services.transfer_resolve(
        user=officer,
        transfer=first,
        resolution="matched_by_hand",
        note="Người nộp gọi điện xác nhận",
        order_code=order.code.lower(),
    )
    order.refresh_from_db()
    owing.refresh_from_db()
    assert order.state == OrderState.PAID and order.provider_reference == "FT100"
    assert owing.fee_status == FeeStatus.PAID
    assert Receipt.objects.get().order == order
    first.refresh_from_db()
    assert (first.resolution, first.resolved_by, first.order) == ("matched_by_hand", officer, order)
    assert list(selectors.transfers_to_review()) == [second]
    assert AuditEntry.objects.filter(action="payment.transfer_resolved").count() == 1

    with pytest.raises(ValidationError):  # the transfer is resolved already
        services.transfer_resolve(user=officer, transfer=first, resolution="other", note="lần nữa")
    with pytest.raises(ValidationError):  # the order is paid: a second credit is refused
        services.transfer_resolve(
            user=officer,
            transfer=second,
            resolution="matched_by_hand",
            note="trùng",
            order_code=order.code,
        )
    second.refresh_from_db()
    assert second.resolution == "" and Receipt.objects.count() == 1
    assert AuditEntry.objects.filter(action="payment.transfer_resolved").count() == 1


def test_an_unknown_order_is_refused(officer, vietqr, owing):
    _import(officer, [("FT200", "50.000", "CK")])
    transfer = StatementTransfer.objects.get()
    with pytest.raises(ValidationError):
        services.transfer_resolve(
            user=officer,
            transfer=transfer,
            resolution="matched_by_hand",
            note="x",
            order_code="TT261206FFFFFFFF",
        )
    transfer.refresh_from_db()
    assert transfer.resolution == ""


def test_refund_arranged_on_the_page_and_refusals(client, owing, officer, users, vietqr):
    order = PaymentOrder.objects.get()
    _import(officer, [("FT300", "400.000", f"CK {order.code}")])  # excess
    transfer = StatementTransfer.objects.get()
    url = reverse("payments:transfer_resolve", args=[transfer.pk])

    with pytest.raises(PermissionDenied):
        services.transfer_resolve(
            user=users["clerk"], transfer=transfer, resolution="refund_arranged", note="x"
        )
    client.force_login(users["clerk"])
    assert client.post(url, {"resolution": "refund_arranged", "note": "x"}).status_code == 403

    client.force_login(officer)
    empty = client.post(url, {"resolution": "refund_arranged", "note": ""}, follow=True)
    assert "Ghi chú" in empty.content.decode()
    transfer.refresh_from_db()
    assert transfer.resolution == ""

    response = client.post(
        url, {"resolution": "refund_arranged", "note": "Hoàn 40.000 đ cho người nộp"}, follow=True
    )
    html = response.content.decode()
    assert "Đã xử lý giao dịch" in html
    transfer.refresh_from_db()
    assert transfer.resolution == "refund_arranged" and transfer.resolved_by == officer
    assert "Đã thỏa thuận hoàn tiền cho người nộp" in html  # in the resolved list
    order.refresh_from_db()
    assert order.state == OrderState.CREATED  # a refund arranged credits nothing
    entry = AuditEntry.objects.get(action="payment.transfer_resolved")
    assert entry.actor == officer and entry.details["resolution"] == "refund_arranged"
