"""Providers' settlement (đối soát) files, as their merchant portals export them (CSV or XLSX):
one row per transaction with our order code, the amount, the time, the status and the
provider's own transaction number.

Neither VNPAY nor MoMo publishes the layout of its reconciliation file (VNPAY sends it by e-mail
or SFTP, MoMo's business portal exports a transaction list), so the columns are recognised by
their headings, Vietnamese or English, with or without marks (the accepted headings are
`COLUMNS`, documented in docs/payments.md). VietQR transfers are reconciled against the bank's
statement (`bank_statement`): each credit line names its order in the description.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from payments.providers.bank_statement import find_order_codes, parse_statement
from payments.providers.tables import (
    Headings,
    Table,
    TableError,
    header_name,
    parse_amount,
    parse_time,
    read_table,
)

COLUMNS: Headings = {
    "order_code": {
        "ma don hang",
        "ma dh",
        "ma don hang merchant",
        "ma giao dich merchant",
        "ma gd merchant",
        "ma tham chieu don hang",
        "ma thanh toan",
        "ma hoa don",
        "vnp txnref",
        "txnref",
        "txn ref",
        "order id",
        "orderid",
        "order code",
        "order reference",
        "merchant order id",
        "merchant txn ref",
        "partner order id",
    },
    "amount": {
        "so tien",
        "so tien giao dich",
        "so tien thanh toan",
        "tong tien",
        "gia tri giao dich",
        "amount",
        "transaction amount",
        "total amount",
    },
    "paid_at": {
        "ngay giao dich",
        "thoi gian giao dich",
        "ngay thanh toan",
        "thoi gian thanh toan",
        "ngay gio giao dich",
        "thoi gian",
        "ngay",
        "ngay tao",
        "vnp paydate",
        "pay date",
        "payment date",
        "payment time",
        "transaction date",
        "transaction time",
        "response time",
        "date",
        "created at",
    },
    "status": {
        "trang thai",
        "trang thai giao dich",
        "tinh trang",
        "ket qua",
        "status",
        "transaction status",
        "result",
        "result code",
        "resultcode",
    },
    "reference": {
        "ma giao dich vnpay",
        "ma gd vnpay",
        "ma giao dich momo",
        "ma gd momo",
        "ma giao dich",
        "ma gd",
        "so giao dich",
        "vnp transactionno",
        "transaction no",
        "transaction id",
        "trans id",
        "transid",
    },
    "description": {"noi dung", "thong tin don hang", "mo ta", "vnp orderinfo", "order info"},
}
# Status cells (folded) that mean the payment went through; any other status is left out.
SUCCESS = {"thanh cong", "giao dich thanh cong", "da thanh toan", "hoan thanh", "success"}
SUCCESS |= {"successful", "succeeded", "paid", "completed", "00", "0"}
# How each provider names itself in its files' headings and titles.
PROVIDER_NAMES = {"vnpay": ("vnpay", "vnp "), "momo": ("momo",)}
PROVIDER_LABELS = {"vnpay": "VNPAY", "momo": "MoMo", "vietqr": "VietQR"}


@dataclass(frozen=True)
class SettlementLine:
    """One successful transaction the provider lists: `row` is its row in the file."""

    order_code: str
    amount: int
    paid_at: datetime
    reference: str
    row: int


@dataclass
class Settlement:
    """The successful transactions, and the rows left out with why (failed, unreadable)."""

    lines: list[SettlementLine] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)


def _is_header(columns: dict[str, int]) -> bool:
    return {"amount", "paid_at"} <= columns.keys() and bool(
        columns.keys() & {"order_code", "description"}
    )


def _other_provider(table: Table, provider_key: str) -> str | None:
    """The other provider a file names in its title or headings (a MoMo file given as
    VNPAY's), or None."""
    header = " ".join(header_name(cell) for cell in table.rows[table.header_index])
    text = f" {table.title} {header} "
    for other, names in PROVIDER_NAMES.items():
        if other != provider_key and any(f" {name.strip()} " in text for name in names):
            return other
    return None


def _order_code(table: Table, row: list[Any]) -> str:
    """The order a row is for: our order code in its order column (or, without one, in its
    description); else the order column as written."""
    written = " ".join(str(table.cell(row, "order_code") or "").split())
    codes = find_order_codes(written) or find_order_codes(str(table.cell(row, "description") or ""))
    if len(codes) == 1:
        return codes[0]
    return written[:100]


def _settlement(table: Table) -> Settlement:
    settlement = Settlement()
    for number, row in table.body():
        try:
            amount = parse_amount(table.cell(row, "amount"))
            paid_at = parse_time(table.cell(row, "paid_at"))
        except ValueError as error:
            settlement.skipped.append((number, str(error)))
            continue
        status = header_name(table.cell(row, "status"))
        if "status" in table.columns and status not in SUCCESS:
            settlement.skipped.append((number, f"status {status or '-'}"))
            continue
        if amount is None or amount <= 0 or paid_at is None:
            settlement.skipped.append((number, "no amount or no date"))
            continue
        code = _order_code(table, row)
        if not code:
            settlement.skipped.append((number, "no order code"))
            continue
        settlement.lines.append(
            SettlementLine(
                order_code=code,
                amount=amount,
                paid_at=paid_at,
                reference=str(table.cell(row, "reference") or "").strip()[:100],
                row=number,
            )
        )
    return settlement


def _statement_settlement(data: bytes, filename: str) -> Settlement:
    """The bank statement's credits as VietQR's settlement: the order is the one order code
    in the description (else the description itself, which then matches no order)."""
    statement = parse_statement(data, filename)
    settlement = Settlement(skipped=list(statement.skipped))
    for line in statement.lines:
        codes = line.order_codes
        settlement.lines.append(
            SettlementLine(
                order_code=codes[0] if len(codes) == 1 else line.description[:100],
                amount=line.amount,
                paid_at=line.booked_at,
                reference=line.reference[:100],
                row=line.row,
            )
        )
    return settlement


def parse_settlement(data: bytes, filename: str, provider_key: str) -> Settlement:
    """The successful transactions of `provider_key`'s settlement file (.csv or .xlsx; the
    bank statement for VietQR). `TableError` for a file that is empty, too large, unreadable,
    has no transaction table or is another provider's, or lists no transaction."""
    if provider_key == "vietqr":
        settlement = _statement_settlement(data, filename)
    else:
        missing = _(
            "No header row with an order code, an amount and a date column: is this "
            "%(provider)s's reconciliation file?"
        ) % {"provider": PROVIDER_LABELS.get(provider_key, provider_key)}
        table = read_table(data, filename, COLUMNS, _is_header, missing)
        other = _other_provider(table, provider_key)
        if other is not None:
            raise TableError(
                _("This is %(other)s's file, not %(provider)s's.")
                % {"other": PROVIDER_LABELS[other], "provider": PROVIDER_LABELS[provider_key]}
            )
        settlement = _settlement(table)
    if not settlement.lines and not settlement.skipped:
        raise TableError(_("The file lists no transaction."))
    return settlement
