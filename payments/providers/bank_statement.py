"""Bank statements (sao kê) as banks export them, CSV or XLSX: the credit lines, each with when it
was booked, the amount in VND, the description the payer typed (where a VietQR transfer carries
the order code) and the bank's reference.

Banks differ: a title block above the table, Vietnamese or English headers ("Ngày giao dịch",
"Số tiền ghi có (VND)", "Nội dung", "Số tham chiếu"…), one signed amount column or separate
credit/debit columns, "1.500.000" or "1,500,000", day-first dates. Descriptions come as banks
write them: without marks, upper-cased, with the code split by spaces or dashes.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from edoc.text import fold

GMT7 = timezone(timedelta(hours=7), "GMT+7")
# payments' order codes: "TT", the day (yymmdd) and 8 upper-case hex digits.
ORDER_CODE_PATTERN = r"TT[0-9]{6}[0-9A-F]{8}"
MAX_ROWS = 100_000
HEADER_ROWS = 30  # how far down a title block may push the table's header

COLUMNS = {
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
DATE_FORMATS = (
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y",
    "%d/%m/%y",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d",
)


class StatementError(ValueError):
    """The file is not a statement this parser can read (the message says why)."""


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


def parse_amount(value: Any) -> int | None:
    """A whole number of VND from a cell: 1500000, 1500000.0, "1.500.000", "1,500,000",
    "1.500.000,00", "+1 500 000 VND", "-200.000". None when empty; `ValueError` when it is
    not an amount or has a non-zero fraction."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"not an amount: {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float | Decimal):
        if value != int(value):
            raise ValueError(f"not a whole number of VND: {value}")
        return int(value)
    text = re.sub(r"(?i)\s|vnd|đ|₫", "", str(value))
    negative = text.startswith("-") or (text.startswith("(") and text.endswith(")"))
    text = text.strip("+-()")
    if not text:
        return None
    if re.fullmatch(r"[0-9]{1,3}([.,][0-9]{3})+", text) and len({*re.sub(r"[0-9]", "", text)}) == 1:
        number = Decimal(re.sub(r"[.,]", "", text))
    elif re.fullmatch(r"[0-9]{1,3}(\.[0-9]{3})*,[0-9]{1,2}|[0-9]+,[0-9]{1,2}", text):
        number = Decimal(text.replace(".", "").replace(",", "."))
    elif re.fullmatch(r"[0-9]{1,3}(,[0-9]{3})*\.[0-9]{1,2}|[0-9]+(\.[0-9]{1,2})?", text):
        number = Decimal(text.replace(",", ""))
    else:
        raise ValueError(f"not an amount: {value!r}")
    if number != number.to_integral_value():
        raise ValueError(f"not a whole number of VND: {value!r}")
    return -int(number) if negative else int(number)


def parse_time(value: Any) -> datetime | None:
    """A booking time from a cell (datetime, date or a day-first string), in GMT+7 when the
    cell has no zone. None when empty; `ValueError` when it is not a date."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=GMT7)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=GMT7)
    text = " ".join(str(value).split())
    for layout in DATE_FORMATS:
        try:
            return datetime.strptime(text, layout).replace(tzinfo=GMT7)
        except ValueError:
            continue
    raise ValueError(f"not a date: {value!r}")


def _header_name(cell: Any) -> str:
    text = re.sub(r"\(.*?\)", " ", fold(str(cell or "")))
    return " ".join(re.sub(r"[^a-z0-9 ]", " ", text).split())


def _columns(row: list[Any]) -> dict[str, int] | None:
    names = [_header_name(cell) for cell in row]
    found = {
        role: names.index(name)
        for role, synonyms in COLUMNS.items()
        for name in names
        if name in synonyms
    }
    if {"booked_at", "description"} <= found.keys() and found.keys() & {"credit", "amount"}:
        return found
    return None


def parse_rows(rows: list[list[Any]]) -> Statement:
    """The credit lines of a statement's rows (header found among the first rows)."""
    if len(rows) > MAX_ROWS:
        raise StatementError(f"the statement has more than {MAX_ROWS} rows")
    found = next(
        (
            (index, columns)
            for index, row in enumerate(rows[:HEADER_ROWS])
            if (columns := _columns(row))
        ),
        None,
    )
    if found is None:
        raise StatementError(
            "no header row with a date, a description and a credit or amount column"
        )
    header_index, columns = found
    statement = Statement()

    def cell(row: list[Any], role: str) -> Any:
        index = columns.get(role)
        return row[index] if index is not None and index < len(row) else None

    for number, row in enumerate(rows[header_index + 1 :], start=header_index + 2):
        if not any(value not in (None, "") for value in row):
            continue
        try:
            booked_at = parse_time(cell(row, "booked_at"))
            amount = parse_amount(cell(row, "credit" if "credit" in columns else "amount"))
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
                description=" ".join(str(cell(row, "description") or "").split()),
                reference=str(cell(row, "reference") or "").strip(),
                row=number,
            )
        )
    return statement


def parse_csv(data: bytes) -> Statement:
    """A CSV statement (UTF-8, with or without BOM, or Windows-1258; comma, semicolon or tab)."""
    for encoding in ("utf-8-sig", "cp1258"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1258 decodes nearly every byte string
        raise StatementError("the CSV file is neither UTF-8 nor Windows-1258 text")
    refusal = StatementError("the CSV file is empty")
    for delimiter in (",", ";", "\t"):  # the one under which a header row appears
        try:
            return parse_rows(list(csv.reader(io.StringIO(text), delimiter=delimiter)))
        except StatementError as error:
            refusal = error
    raise refusal


def parse_xlsx(data: bytes) -> Statement:
    """An XLSX statement: the first worksheet."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, InvalidOperation) as error:
        raise StatementError(f"not a readable XLSX file ({type(error).__name__})") from None
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(list(row))
            if len(rows) > MAX_ROWS:
                raise StatementError(f"the statement has more than {MAX_ROWS} rows")
        return parse_rows(rows)
    finally:
        workbook.close()


def parse_statement(data: bytes, filename: str) -> Statement:
    """A statement file by its extension (.csv or .xlsx)."""
    name = filename.lower()
    if name.endswith(".csv"):
        return parse_csv(data)
    if name.endswith(".xlsx"):
        return parse_xlsx(data)
    raise StatementError("a bank statement must be a .csv or .xlsx file")
