"""Bank statements (sao kê) as banks export them, CSV or XLSX: the credit lines, each with when it
was booked, the amount in VND, the description the payer typed (where a VietQR transfer carries
the order code) and the bank's reference.

Banks differ: a title block above the table, Vietnamese or English headers ("Ngày giao dịch",
"Số tiền ghi có (VND)", "Nội dung", "Số tham chiếu"…), one signed amount column or separate
credit/debit columns, "1.500.000" or "1,500,000", day-first dates. Descriptions come as banks
write them: without marks, upper-cased, with the code split by spaces or dashes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from edoc.text import fold
from payments.providers.tables import (
    GMT7,
    MAX_ROWS,
    Headings,
    Table,
    TableError,
    locate,
    parse_amount,
    parse_time,
    read_table,
)

__all__ = ["GMT7", "MAX_ROWS", "StatementError", "parse_amount", "parse_time", "parse_statement"]

# payments' order codes: "TT", the day (yymmdd) and 8 upper-case hex digits.
ORDER_CODE_PATTERN = r"TT[0-9]{6}[0-9A-F]{8}"

COLUMNS: Headings = {
    "booked_at": {
        "ngay giao dich",
        "ngay gd",
        "ngay",
        "ngay hach toan",
        "ngay ghi so",
        "ngay hieu luc",
        "thoi gian",
        "thoi gian giao dich",
        "ngay gio giao dich",
        "transaction date",
        "posting date",
        "value date",
        "date",
    },
    "credit": {
        "so tien ghi co",
        "ghi co",
        "co",
        "so tien co",
        "phat sinh co",
        "so tien vao",
        "tien vao",
        "credit",
        "credit amount",
    },
    "debit": {"so tien ghi no", "ghi no", "no", "phat sinh no", "tien ra", "debit", "debit amount"},
    "amount": {"so tien", "so tien giao dich", "amount", "transaction amount"},
    "description": {
        "noi dung",
        "noi dung giao dich",
        "noi dung chuyen khoan",
        "dien giai",
        "mo ta",
        "chi tiet giao dich",
        "description",
        "transaction details",
        "details",
        "remark",
    },
    "reference": {
        "so tham chieu",
        "ma tham chieu",
        "ma giao dich",
        "ma gd",
        "so giao dich",
        "so but toan",
        "so chung tu",
        "so ct",
        "reference",
        "reference number",
        "ref",
        "transaction id",
    },
}
# The file is not a statement this parser can read (the message says why).
StatementError = TableError


@dataclass(frozen=True)
class StatementLine:
    """One credit: `row` is its row in the file (1-based), for messages."""

    booked_at: datetime
    amount: int
    description: str
    reference: str
    row: int

    @property
    def order_codes(self) -> list[str]:
        """The order codes in the description."""
        return find_order_codes(self.description)

    def as_params(self) -> dict[str, str]:
        """The line as strings (a callback result's `raw`, kept for audit)."""
        return {
            "booked_at": self.booked_at.isoformat(),
            "amount": str(self.amount),
            "description": self.description,
            "reference": self.reference,
        }


@dataclass
class Statement:
    """The credit lines, and the rows left out with why (totals, debits, unreadable rows)."""

    lines: list[StatementLine] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)


def find_order_codes(description: str, pattern: str = ORDER_CODE_PATTERN) -> list[str]:
    """The order codes in `description`, each once, in order. Marks, case, spaces, dashes and
    dots are ignored ("tt 261206-a1b2 c3d4" finds "TT261206A1B2C3D4")."""
    compact = "".join(re.findall(r"[A-Z0-9]+", fold(description).upper()))
    return list(dict.fromkeys(re.findall(pattern, compact)))


def _is_header(columns: dict[str, int]) -> bool:
    return {"booked_at", "description"} <= columns.keys() and bool(
        columns.keys() & {"credit", "amount"}
    )


def _statement(table: Table) -> Statement:
    statement = Statement()
    amount_role = "credit" if "credit" in table.columns else "amount"
    for number, row in table.body():
        try:
            booked_at = parse_time(table.cell(row, "booked_at"))
            amount = parse_amount(table.cell(row, amount_role))
        except ValueError as error:
            statement.skipped.append((number, str(error)))
            continue
        if booked_at is None:
            statement.skipped.append((number, "no date"))
            continue
        if amount is None or amount <= 0:
            statement.skipped.append((number, "not a credit"))
            continue
        statement.lines.append(
            StatementLine(
                booked_at=booked_at,
                amount=amount,
                description=" ".join(str(table.cell(row, "description") or "").split()),
                reference=str(table.cell(row, "reference") or "").strip(),
                row=number,
            )
        )
    return statement


def _no_header() -> str:
    return _(
        "No header row with a date, a description and a credit or amount column: "
        "is this the bank's statement?"
    )


def parse_rows(rows: list[list[Any]]) -> Statement:
    """The credit lines of a statement's rows (header found among the first rows)."""
    return _statement(locate(rows, COLUMNS, _is_header, _no_header()))


def parse_statement(data: bytes, filename: str) -> Statement:
    """A statement file by its extension (.csv or .xlsx)."""
    return _statement(read_table(data, filename, COLUMNS, _is_header, _no_header()))
