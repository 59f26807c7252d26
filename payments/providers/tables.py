"""Tables as providers and banks export them (CSV or XLSX): the header row found among the first
rows by its column headings, whatever language, accents, case or unit suffix they come in
("Số tiền (VND)", "SO TIEN", "Amount"), and the cells read as whole VND amounts and GMT+7 times.

Bank statements (`bank_statement`) and providers' settlement files (`settlement`) say which
headings name which column; this module finds them and reads the cells.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from edoc.text import fold

GMT7 = timezone(timedelta(hours=7), "GMT+7")
MAX_ROWS = 100_000
MAX_FILE_BYTES = 10 * 1024 * 1024  # an exported day or month of transactions is far smaller
HEADER_ROWS = 30  # how far down a title block may push the table's header
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
    "%Y%m%d%H%M%S",  # VNPAY's vnp_PayDate
)

# Headings by role: {"amount": {"so tien", "amount"}, ...} (as `header_name` folds them).
Headings = dict[str, set[str]]


class TableError(ValueError):
    """The file is not a table this parser can read (the message says why)."""


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
    """A time from a cell (datetime, date or a day-first string), in GMT+7 when the cell has
    no zone. None when empty; `ValueError` when it is not a date."""
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


def header_name(cell: Any) -> str:
    """A heading folded for comparison: no marks, lower case, no "(VND)"-like suffix, words
    separated by single spaces ("Số tiền ghi có (VND)" → "so tien ghi co")."""
    text = re.sub(r"\(.*?\)", " ", fold(str(cell or "")))
    return " ".join(re.sub(r"[^a-z0-9 ]", " ", text).split())


def find_columns(row: list[Any], headings: Headings) -> dict[str, int]:
    """The roles whose heading is in `row`, with their column index (the first such column)."""
    names = [header_name(cell) for cell in row]
    return {
        role: names.index(name)
        for role, synonyms in headings.items()
        for name in names
        if name in synonyms
    }


@dataclass
class Table:
    """A table's rows, where its header is (0-based) and which column holds each role."""

    rows: list[list[Any]]
    header_index: int
    columns: dict[str, int]

    def cell(self, row: list[Any], role: str) -> Any:
        """The cell of `role` in `row` (None when the table has no such column)."""
        index = self.columns.get(role)
        return row[index] if index is not None and index < len(row) else None

    def body(self) -> Iterator[tuple[int, list[Any]]]:
        """The non-empty rows under the header, with their 1-based row number in the file."""
        for number, row in enumerate(self.rows[self.header_index + 1 :], self.header_index + 2):
            if any(value not in (None, "") for value in row):
                yield number, row

    @property
    def title(self) -> str:
        """The folded text above the header (a title block: "VNPAY - BÁO CÁO GIAO DỊCH")."""
        cells = (cell for row in self.rows[: self.header_index] for cell in row)
        return " ".join(header_name(cell) for cell in cells if cell not in (None, ""))


def locate(
    rows: list[list[Any]],
    headings: Headings,
    is_header: Callable[[dict[str, int]], bool],
    missing: str,
) -> Table:
    """The table in `rows`: its header is the first of the first rows whose columns satisfy
    `is_header`; `TableError(missing)` when there is none."""
    if len(rows) > MAX_ROWS:
        raise TableError(_("The file has more than %(rows)s rows.") % {"rows": MAX_ROWS})
    for index, row in enumerate(rows[:HEADER_ROWS]):
        columns = find_columns(row, headings)
        if is_header(columns):
            return Table(rows=rows, header_index=index, columns=columns)
    raise TableError(missing)


def _csv_table(data: bytes, locate_in: Callable[[list[list[Any]]], Table]) -> Table:
    """A CSV table (UTF-8, with or without BOM, or Windows-1258; comma, semicolon or tab: the
    delimiter under which a header row appears)."""
    for encoding in ("utf-8-sig", "cp1258"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1258 decodes nearly every byte string
        raise TableError(_("The CSV file is neither UTF-8 nor Windows-1258 text."))
    if not text.strip():
        raise TableError(_("The file is empty."))
    refusal = TableError(_("The file is empty."))
    for delimiter in (",", ";", "\t"):
        try:
            return locate_in(list(csv.reader(io.StringIO(text), delimiter=delimiter)))
        except TableError as error:
            refusal = error
    raise refusal


def _xlsx_table(data: bytes, locate_in: Callable[[list[list[Any]]], Table]) -> Table:
    """An XLSX table: the first worksheet."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, InvalidOperation) as error:
        raise TableError(
            _("Not a readable XLSX file (%(error)s).") % {"error": type(error).__name__}
        ) from None
    try:
        rows = []
        for row in workbook.worksheets[0].iter_rows(values_only=True):
            rows.append(list(row))
            if len(rows) > MAX_ROWS:
                raise TableError(_("The file has more than %(rows)s rows.") % {"rows": MAX_ROWS})
        if not rows:
            raise TableError(_("The file is empty."))
        return locate_in(rows)
    finally:
        workbook.close()


def check_size(size: int) -> None:
    """`TableError` for a file larger than MAX_FILE_BYTES (checked before it is read)."""
    if size > MAX_FILE_BYTES:
        raise TableError(
            _("The file is larger than %(size)s MB.") % {"size": MAX_FILE_BYTES // (1024 * 1024)}
        )


def read_table(
    data: bytes,
    filename: str,
    headings: Headings,
    is_header: Callable[[dict[str, int]], bool],
    missing: str,
) -> Table:
    """The table of a .csv or .xlsx file (by its extension), its header recognised by
    `headings` and `is_header`. `TableError` on an empty, too large, unreadable file or one
    without such a header (`missing` says what the header needs)."""
    if not data:
        raise TableError(_("The file is empty."))
    check_size(len(data))
    name = filename.lower()

    def locate_in(rows: list[list[Any]]) -> Table:
        return locate(rows, headings, is_header, missing)

    if name.endswith(".csv"):
        return _csv_table(data, locate_in)
    if name.endswith(".xlsx"):
        return _xlsx_table(data, locate_in)
    raise TableError(_("The file must be a .csv or .xlsx file."))
