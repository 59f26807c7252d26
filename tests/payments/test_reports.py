"""Payment reports per period, provider and procedure: number and amount paid, the cashless
share, and what each provider charged (EDOC_PAYMENT_FEES: a percentage rounded half up to whole
VND per transaction, plus a fixed amount per transaction); the page, its XLSX, who may see it;
a wrong fee setting fails at start-up with a clear message."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from payments import selectors
from payments.checks import check_payment_fees
from payments.fees import Fee, parse_fees
from workflows.calendar import VN_TZ

FEES = "vnpay=1.1%+1650,momo=1.5%,vietqr=0,pos=0.8%"


def test_the_fee_setting_is_parsed():
    fees = parse_fees(FEES)
    assert fees == {
        "vnpay": Fee(Decimal("1.1"), 1650),
        "momo": Fee(Decimal("1.5"), 0),
        "vietqr": Fee(Decimal(0), 0),
        "pos": Fee(Decimal("0.8"), 0),
    }
    assert parse_fees("") == {} and parse_fees(" vnpay = 2000 ") == {"vnpay": Fee(Decimal(0), 2000)}
    assert parse_fees("momo=1650+1.5%") == {"momo": Fee(Decimal("1.5"), 1650)}


def test_fee_arithmetic_rounds_half_up_per_transaction():
    fees = parse_fees(FEES)
    assert fees["vnpay"].of(360_000) == 3_960 + 1_650
    assert fees["momo"].of(12_345) == 185  # 185.175
    assert fees["momo"].of(100_100) == 1_502  # 1501.5: half up
    assert fees["momo"].of(100_033) == 1_500  # 1500.495
    assert fees["pos"].of(200_000) == 1_600
    assert fees["vietqr"].of(300_000) == 0


@pytest.mark.parametrize(
    "value",
    ["vnpay=abc", "vnpay=1.1%+", "momo", "vnpay=1%,vnpay=2%", "pos=150%", "vnpay=-5", "=1%"],
)
def test_a_wrong_fee_setting_is_refused_clearly(value, settings):
    with pytest.raises(ImproperlyConfigured, match="EDOC_PAYMENT_FEES"):
        parse_fees(value)
    settings.EDOC_PAYMENT_FEES = value
    errors = check_payment_fees()
    assert [error.id for error in errors] == ["payments.E001"]
    assert "EDOC_PAYMENT_FEES" in errors[0].msg
    settings.EDOC_PAYMENT_FEES = FEES
    assert check_payment_fees() == []


AT = datetime.datetime(2026, 11, 10, 9, 30, tzinfo=VN_TZ)


@pytest.fixture
def known_orders(make_order, owing, settings):
    """November 2026: VNPAY 2 × 360.000 (one a dossier's fee), MoMo 100.100, VietQR 300.000,
    POS 200.000, cash 150.000; not counted: one paid on 31/10, a pending one."""
    settings.EDOC_PAYMENT_FEES = FEES
    make_order(360_000, "vnpay", paid_at=AT, dossier=owing)
    make_order(360_000, "vnpay", paid_at=AT + datetime.timedelta(days=5))
    make_order(100_100, "momo", paid_at=AT)
    make_order(300_000, "vietqr", paid_at=AT)
    make_order(200_000, "pos", paid_at=AT)
    make_order(150_000, "cash", paid_at=datetime.datetime(2026, 11, 30, 23, 59, tzinfo=VN_TZ))
    make_order(999_000, "vnpay", paid_at=datetime.datetime(2026, 10, 31, 23, 59, tzinfo=VN_TZ))
    make_order(50_000, "momo", state="pending")
    return owing


NOV = (datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))


@pytest.mark.django_db
def test_report_numbers_against_a_known_set_of_orders(officer, known_orders):
    with translation.override("vi"):
        report = selectors.payment_report(officer, date_from=NOV[0], date_to=NOV[1])
    rows = {row.key: (row.count, row.amount, row.fee) for row in report.providers}
    assert rows == {
        "vnpay": (2, 720_000, 2 * (3_960 + 1_650)),
        "momo": (1, 100_100, 1_502),
        "vietqr": (1, 300_000, 0),
        "pos": (1, 200_000, 1_600),
        "cash": (1, 150_000, 0),
    }
    total = report.total
    assert (total.count, total.amount, total.fee) == (6, 1_470_100, 11_220 + 1_502 + 1_600)
    assert total.cashless_amount == 1_320_100
    assert report.cashless_share == Decimal("89.8")  # 1.320.100 / 1.470.100
    procedures = {row.key: (row.label, row.count, row.amount) for row in report.procedures}
    assert procedures == {
        str(known_orders.procedure.pk): (known_orders.procedure.name, 1, 360_000),
        "": ("Khoản thu khác", 5, 1_110_100),  # orders of no dossier
    }


@pytest.mark.django_db
def test_the_report_page_its_xlsx_and_who_may_see_it(client, officer, users, known_orders):
    client.force_login(officer)
    url = reverse("payments:report")
    html = client.get(url, {"date_from": "2026-11-01", "date_to": "2026-11-30"}).content.decode()
    assert "1.470.100 đ" in html and "89,8" in html and "11.220 đ" in html
    assert known_orders.procedure.name in html

    response = client.get(
        url, {"date_from": "2026-11-01", "date_to": "2026-11-30", "format": "xlsx"}
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = [list(r) for r in load_workbook(io.BytesIO(response.content)).active.values]
    by_label = {row[0]: row[1:5] for row in rows if row and row[0]}
    assert by_label["VNPAY"][:3] == [2, 720_000, 11_220]
    assert by_label["Tổng cộng"][:3] == [6, 1_470_100, 14_322]

    client.force_login(users["clerk"])
    assert client.get(url).status_code == 403
    assert client.get(url, {"format": "xlsx"}).status_code == 403


@pytest.mark.django_db
def test_the_report_shows_its_default_period_in_the_filter(client, officer):
    client.force_login(officer)
    html = client.get(reverse("payments:report")).content.decode()
    today = selectors.local_today()
    assert f'value="{today.replace(day=1):%Y-%m-%d}"' in html
    assert f'value="{today:%Y-%m-%d}"' in html


@pytest.fixture
def known_refunds(known_orders, users):
    """Refunds in November 2026: VNPAY 60.000 of the dossier's fee and 100.000 of the other
    VNPAY order, the cash order's 150.000 in full; not counted: a failed MoMo one, a pending
    VNPAY one, one done on 1/12."""
    from payments.models import PaymentOrder, Refund

    def refund(order, amount, at, state="done"):
        made = Refund.objects.create(
            order=order,
            amount=amount,
            reason="Hoàn",
            method=order.provider,
            state=state,
            created_by=users["director"],
        )
        Refund.objects.filter(pk=made.pk).update(created_at=at)

    vnpay_fee, vnpay_other = PaymentOrder.objects.filter(provider="vnpay", amount=360_000)
    if vnpay_fee.dossier_id is None:
        vnpay_fee, vnpay_other = vnpay_other, vnpay_fee
    cash = PaymentOrder.objects.get(provider="cash")
    momo = PaymentOrder.objects.get(provider="momo", state="paid")
    refund(vnpay_fee, 60_000, AT + datetime.timedelta(days=1))
    refund(vnpay_other, 100_000, AT + datetime.timedelta(days=6))
    refund(cash, 150_000, datetime.datetime(2026, 11, 30, 23, 59, 30, tzinfo=VN_TZ))
    refund(momo, 100_100, AT, state="failed")
    refund(vnpay_other, 10_000, AT, state="pending")
    refund(vnpay_other, 20_000, datetime.datetime(2026, 12, 1, 0, 0, 1, tzinfo=VN_TZ))
    return known_orders


@pytest.mark.django_db
def test_the_report_subtracts_the_refunds_of_the_period(client, officer, known_refunds):
    report = selectors.payment_report(officer, date_from=NOV[0], date_to=NOV[1])
    rows = {
        row.key: (row.amount, row.refund_count, row.refunded, row.net) for row in report.providers
    }
    assert rows == {
        "vnpay": (720_000, 2, 160_000, 560_000),
        "momo": (100_100, 0, 0, 100_100),
        "vietqr": (300_000, 0, 0, 300_000),
        "pos": (200_000, 0, 0, 200_000),
        "cash": (150_000, 1, 150_000, 0),
    }
    total = report.total
    assert (total.amount, total.refunded, total.net) == (1_470_100, 310_000, 1_160_100)
    procedures = {row.key: (row.refunded, row.net) for row in report.procedures}
    assert procedures == {
        str(known_refunds.procedure.pk): (60_000, 300_000),
        "": (250_000, 860_100),
    }

    client.force_login(officer)
    url = reverse("payments:report")
    period = {"date_from": "2026-11-01", "date_to": "2026-11-30"}
    html = client.get(url, period).content.decode()
    assert "310.000 đ" in html and "1.160.100 đ" in html and "Đã hoàn trả" in html
    response = client.get(url, {**period, "format": "xlsx"})
    rows = [list(r) for r in load_workbook(io.BytesIO(response.content)).active.values]
    header = next(row for row in rows if row and row[1] == "Số giao dịch")
    by_label = {
        row[0]: dict(zip(header[1:], row[1:], strict=True)) for row in rows if row and row[0]
    }
    assert by_label["VNPAY"]["Đã hoàn trả"] == 160_000
    assert by_label["VNPAY"]["Thực thu (sau hoàn trả)"] == 560_000
    assert by_label["Tổng cộng"]["Đã hoàn trả"] == 310_000
    assert by_label["Tổng cộng"]["Thực thu (sau hoàn trả)"] == 1_160_100
