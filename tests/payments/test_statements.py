"""VietQR transfers matched from the bank's statement: a line with one order code and the
order's amount pays it (once, however often the statement is imported again); partial,
excess and unmatched transfers go to the review list; only one-stop officers import."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from onestop import services as onestop_services
from onestop.models import FeeStatus
from payments import services
from payments.models import CallbackLog, OrderState, PaymentOrder, Receipt, StatementTransfer
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


def _statement(lines: list[tuple[str, str, str]]) -> bytes:
    rows = ["Ngày giao dịch;Số tham chiếu;Số tiền ghi nợ;Số tiền ghi có;Nội dung"]
    rows += [f"06/12/2026 09:00:00;{ref};;{amount};{text}" for ref, amount, text in lines]
    return "\n".join(rows).encode("utf-8")


def test_a_statement_pays_orders_and_sends_the_rest_to_review(
    owing, officer, vietqr, procedure, applicant, all_files
):
    order = PaymentOrder.objects.get()
    order, where = services.order_start(
        order=order,
        provider_key="vietqr",
        client_ip="203.0.113.5",
        return_url="https://x/r/",
        ipn_url="https://x/i/",
    )
    assert order.code in where.payload
    other = onestop_services.dossier_receive_at_counter(
        officer=officer, procedure=procedure, applicant=applicant, files=all_files()
    )
    onestop_services.dossier_request_payment(officer=officer, dossier=other)
    partial = PaymentOrder.objects.get(state="created")
    data = _statement(
        [
            ("FT001", "360.000", f"NGUYEN VAN AN CK {order.code}"),
            ("FT002", "100.000", f"CK {partial.code} dot 1"),
            ("FT003", "2.000.000", "Ung ho quy khuyen hoc"),
        ]
    )
    summary = services.statement_import(officer=officer, data=data, filename="saoke.csv")
    assert (summary.matched, summary.review, summary.duplicates) == (1, 2, 0)
    order.refresh_from_db()
    owing.refresh_from_db()
    assert order.state == OrderState.PAID and order.provider_reference == "FT001"
    assert owing.fee_status == FeeStatus.PAID
    assert Receipt.objects.get().order == order
    outcomes = dict(StatementTransfer.objects.values_list("reference", "outcome"))
    assert outcomes == {"FT001": "matched", "FT002": "partial", "FT003": "unmatched"}
    assert PaymentOrder.objects.get(pk=partial.pk).state == OrderState.CREATED

    again = services.statement_import(officer=officer, data=data, filename="saoke.csv")
    assert (again.matched, again.review, again.duplicates) == (0, 0, 3)
    assert Receipt.objects.count() == 1 and CallbackLog.objects.count() == 1


def test_an_excess_transfer_goes_to_review_and_only_officers_import(owing, officer, users, vietqr):
    order = PaymentOrder.objects.get()
    data = _statement([("FT009", "400.000", f"CK {order.code}")])
    with pytest.raises(PermissionDenied):
        services.statement_import(officer=users["clerk"], data=data, filename="s.csv")
    services.statement_import(officer=officer, data=data, filename="s.csv")
    transfer = StatementTransfer.objects.get()
    assert (transfer.outcome, transfer.order) == ("excess", order)
    order.refresh_from_db()
    assert order.state == OrderState.CREATED and not Receipt.objects.exists()


def test_the_statement_page(client, owing, officer, vietqr):
    client.force_login(officer)
    order = PaymentOrder.objects.get()
    upload = SimpleUploadedFile(
        "saoke.csv", _statement([("FT010", "360.000", f"CK {order.code}"), ("FT011", "1", "x")])
    )
    response = client.post(reverse("payments:statements"), {"file": upload}, follow=True)
    html = response.content.decode()
    assert "1 giao dịch khớp" in html and "FT011" in html
    assert 'class="statement-transfer"' in html
    bad = client.post(
        reverse("payments:statements"),
        {"file": SimpleUploadedFile("a.pdf", b"%PDF-1.7")},
        follow=True,
    )
    assert ".csv" in bad.content.decode()


def test_the_citizen_is_shown_the_vietqr_code(client, owing, vietqr):
    from onestop.selectors import tracking_token

    client.get(reverse("portal:track_token", args=[tracking_token(owing)]))
    response = client.post(reverse("payments:pay"), {"method": "vietqr"})
    html = response.content.decode()
    order = PaymentOrder.objects.get(state="pending")
    assert order.provider == "vietqr"
    assert 'id="payment-qr-image" ' in html and 'src="data:image/svg+xml' in html
    assert order.code in html and "360.000 đ" in html


def test_a_too_large_statement_is_refused_before_it_is_read(client, officer, vietqr):
    client.force_login(officer)
    big = SimpleUploadedFile("saoke.csv", b"x" * (10 * 1024 * 1024 + 1))
    response = client.post(reverse("payments:statements"), {"file": big}, follow=True)
    assert "10 MB" in response.content.decode()
    assert not StatementTransfer.objects.exists()
