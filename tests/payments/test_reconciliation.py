"""Daily reconciliation against the providers' settlement files (VNPAY, MoMo: their portals'
CSV/XLSX exports; VietQR: the bank statement): matched, missing on our side, missing on theirs,
amount mismatch; bad files refused with a clear message and nothing stored; the page, its XLSX
and who may see them."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from edoc.models import AuditEntry
from payments import services
from payments.models import ReconciliationLine, ReconciliationRun
from workflows.calendar import VN_TZ

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 12, 5)
AT = datetime.datetime(2026, 12, 5, 10, 15, tzinfo=VN_TZ)
HEADER = "STT;Mã GD VNPAY;Mã đơn hàng;Số tiền (VND);Thời gian thanh toán;Trạng thái"


def _vnpay_csv(rows: list[tuple[str, str, str, str]], title: str = "VNPAY") -> bytes:
    lines = [f"{title} - BÁO CÁO ĐỐI SOÁT GIAO DỊCH;;;;;", "Ngày 05/12/2026;;;;;", HEADER]
    lines += [
        f"{n};{ref};{code};{amount};05/12/2026 10:20:00;{status}"
        for n, (ref, code, amount, status) in enumerate(rows, 1)
    ]
    return "\n".join(lines).encode("utf-8")


@pytest.fixture
def day_orders(make_order):
    """VNPAY: A (matched), B (their amount differs), C (not in their file), D (open: they
    have it paid, we do not); a MoMo order paid the same day (not VNPAY's business)."""
    return {
        "A": make_order(360_000, "vnpay", paid_at=AT, reference="14000001"),
        "B": make_order(100_000, "vnpay", paid_at=AT, reference="14000002"),
        "C": make_order(50_000, "vnpay", paid_at=AT, reference="14000003"),
        "D": make_order(75_000, "vnpay", state="pending"),
        "M": make_order(90_000, "momo", paid_at=AT, reference="300001"),
    }


def _categories(run: ReconciliationRun) -> dict[str, str]:
    return dict(run.lines.values_list("order_code", "category"))


def test_vnpay_file_with_vietnamese_headings_sorts_each_transaction(officer, day_orders):
    o = day_orders
    data = _vnpay_csv(
        [
            ("14000001", o["A"].code, "360.000", "Thành công"),
            ("14000002", o["B"].code, "120.000", "Thành công"),
            ("14000004", o["D"].code, "75.000", "Thành công"),
            ("14000005", "TT261205FFFFFFFF", "10.000", "Thành công"),
            ("14000006", o["C"].code, "50.000", "Thất bại"),  # a failed try: left out
        ]
    )
    run = services.reconciliation_run(
        user=officer, provider_key="vnpay", day=DAY, data=data, filename="doisoat.csv"
    )
    assert _categories(run) == {
        o["A"].code: "matched",
        o["B"].code: "amount_mismatch",
        o["C"].code: "missing_theirs",
        o["D"].code: "missing_ours",
        "TT261205FFFFFFFF": "missing_ours",
    }
    assert (run.matched, run.amount_mismatch, run.missing_theirs, run.missing_ours) == (1, 1, 1, 2)
    assert run.their_total == 360_000 + 120_000 + 75_000 + 10_000
    assert run.our_total == 360_000 + 100_000 + 50_000
    assert run.skipped_rows == 1
    mismatch = run.lines.get(category="amount_mismatch")
    assert (mismatch.their_amount, mismatch.our_amount, mismatch.order) == (
        120_000,
        100_000,
        o["B"],
    )
    entry = AuditEntry.objects.filter(action="payment.reconciled").get()
    assert entry.actor == officer and entry.details["missing_ours"] == 2


def test_momo_xlsx_with_english_headings(officer, make_order):
    paid = make_order(200_000, "momo", paid_at=AT, reference="4100000001")
    other = make_order(150_000, "momo", paid_at=AT + datetime.timedelta(days=1))  # next day
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Order ID", "Trans ID", "Amount", "Payment time", "Status"])
    sheet.append([paid.code, 4100000001, 200000, datetime.datetime(2026, 12, 5, 9, 1), "Success"])
    sheet.append([other.code, 4100000002, 150000, datetime.datetime(2026, 12, 6, 9), "Success"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    run = services.reconciliation_run(
        user=officer, provider_key="momo", day=DAY, data=buffer.getvalue(), filename="momo.xlsx"
    )
    # The next day's transaction belongs to the next day's run.
    assert _categories(run) == {paid.code: "matched"}
    assert run.lines.get().their_reference == "4100000001"


def test_vietqr_is_reconciled_against_the_bank_statement(officer, make_order):
    paid = make_order(300_000, "vietqr", paid_at=AT, reference="FT1")
    data = "\n".join(
        [
            "Ngày giao dịch;Số tham chiếu;Số tiền ghi nợ;Số tiền ghi có;Nội dung",
            f"05/12/2026 08:00:00;FT1;;300.000;NGUYEN VAN AN CK {paid.code}",
            "05/12/2026 09:00:00;FT2;;2.000.000;Ung ho quy",
            "05/12/2026 09:30:00;FT3;15.000;;PHI SMS",
        ]
    ).encode()
    run = services.reconciliation_run(
        user=officer, provider_key="vietqr", day=DAY, data=data, filename="saoke.csv"
    )
    assert run.matched == 1 and run.missing_ours == 1 and run.missing_theirs == 0
    assert run.lines.get(category="missing_ours").their_reference == "FT2"


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("doisoat.pdf", b"%PDF-1.7", ".xlsx"),
        ("doisoat.csv", b"", "r\u1ed7ng"),  # "rỗng": empty
        ("doisoat.csv", HEADER.encode(), "kh\u00f4ng c\u00f3 giao d\u1ecbch"),  # header only
        ("doisoat.xlsx", b"PK\x03\x04 not really", "XLSX"),
        ("doisoat.csv", b"x" * (50 * 1024 * 1024), "MB"),
        (
            "saoke.csv",
            "Ngày giao dịch;Số tiền ghi có;Nội dung\n05/12/2026;1.000;CK\n".encode(),
            "VNPAY",
        ),
        (
            "momo.csv",
            _vnpay_csv([("1", "TT261205AAAAAAAA", "1.000", "Thành công")], "MoMo"),
            "MoMo",
        ),
    ],
    ids=["pdf", "empty", "header-only", "bad-xlsx", "50MB", "bank-statement", "momo-file"],
)
def test_bad_files_are_refused_and_store_nothing(officer, filename, data, message):
    from django.utils import translation

    with translation.override("vi"), pytest.raises(ValidationError) as refused:
        services.reconciliation_run(
            user=officer, provider_key="vnpay", day=DAY, data=data, filename=filename
        )
    assert message in " ".join(refused.value.messages)
    assert not ReconciliationRun.objects.exists() and not ReconciliationLine.objects.exists()
    assert not AuditEntry.objects.filter(action="payment.reconciled").exists()


def test_another_providers_orders_are_a_wrong_file(officer, day_orders):
    """A file whose orders are all MoMo's, given as VNPAY's, is refused."""
    data = _vnpay_csv([("1", day_orders["M"].code, "90.000", "Thành công")], title="Báo cáo")
    with pytest.raises(ValidationError):
        services.reconciliation_run(
            user=officer, provider_key="vnpay", day=DAY, data=data, filename="f.csv"
        )
    assert not ReconciliationRun.objects.exists()


def test_only_finance_staff_reconcile(users, day_orders, client):
    data = _vnpay_csv([("1", day_orders["A"].code, "360.000", "Thành công")])
    with pytest.raises(PermissionDenied):
        services.reconciliation_run(
            user=users["clerk"], provider_key="vnpay", day=DAY, data=data, filename="f.csv"
        )
    client.force_login(users["clerk"])
    assert client.get(reverse("payments:reconciliations")).status_code == 403
    upload = SimpleUploadedFile("f.csv", data)
    response = client.post(
        reverse("payments:reconciliations"),
        {"provider": "vnpay", "day": "2026-12-05", "file": upload},
    )
    assert response.status_code == 403 and not ReconciliationRun.objects.exists()


def test_the_page_and_its_xlsx(client, officer, users, day_orders):
    o = day_orders
    client.force_login(officer)
    upload = SimpleUploadedFile(
        "doisoat.csv",
        _vnpay_csv(
            [
                ("14000001", o["A"].code, "360.000", "Thành công"),
                ("14000002", o["B"].code, "120.000", "Thành công"),
            ]
        ),
    )
    response = client.post(
        reverse("payments:reconciliations"),
        {"provider": "vnpay", "day": "2026-12-05", "file": upload},
        follow=True,
    )
    html = response.content.decode()
    run = ReconciliationRun.objects.get()
    assert response.redirect_chain[-1][0] == reverse("payments:reconciliation", args=[run.pk])
    assert "Lệch số tiền" in html and "Có ở phía chúng ta, thiếu ở nhà cung cấp" in html
    assert o["B"].code in html and "120.000 đ" in html

    bad = client.post(
        reverse("payments:reconciliations"),
        {"provider": "vnpay", "day": "2026-12-05", "file": SimpleUploadedFile("x.csv", b"")},
    )
    assert bad.status_code == 400 and "rỗng" in bad.content.decode()
    assert ReconciliationRun.objects.count() == 1

    xlsx = client.get(reverse("payments:reconciliation_xlsx", args=[run.pk]))
    assert xlsx["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    body = {row[1]: row for row in rows if row[1] in (o["A"].code, o["B"].code, o["C"].code)}
    assert body[o["B"].code][0] == "Lệch số tiền"
    assert body[o["B"].code][2:4] == [120_000, 100_000]
    assert body[o["A"].code][0] == "Khớp" and body[o["C"].code][3] == 50_000

    client.force_login(users["clerk"])
    assert client.get(reverse("payments:reconciliation", args=[run.pk])).status_code == 403
    assert client.get(reverse("payments:reconciliation_xlsx", args=[run.pk])).status_code == 403


def test_the_wrong_kind_of_file_for_vietqr_and_momo(officer, day_orders):
    """VNPAY's export given as the bank statement, a bank statement given as MoMo's file."""
    vnpay_file = _vnpay_csv([("1", day_orders["A"].code, "360.000", "Thành công")])
    statement = "Ngày giao dịch;Số tiền ghi có;Nội dung\n05/12/2026;1.000;CK\n".encode()
    for provider_key, data in (("vietqr", vnpay_file), ("momo", statement)):
        with pytest.raises(ValidationError) as refused:
            services.reconciliation_run(
                user=officer, provider_key=provider_key, day=DAY, data=data, filename="f.csv"
            )
        assert "file" in refused.value.message_dict
    assert not ReconciliationRun.objects.exists()
