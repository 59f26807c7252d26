"""CSV and XLSX tables whose columns are named by Vietnamese headings, with or without marks
("Ngày sinh", "NGAY SINH", "Ngày sinh (dd/mm/yyyy)"), the header row found among the first rows
(exports often put a title block above it), and the cells read as text and dates.

payments/providers/tables.py does the same for bank statements; health keeps its own (apps of
one layer stay independent) until that helper moves to the shared core.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.utils.translation import gettext as _

from edoc.text import fold, nfc

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_ROWS = 1_000_000
HEADER_ROWS = 30
DATE_LAYOUTS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%Y%m%d", "%d/%m/%y")


CODE_SEPARATORS = re.compile(r"[\s.]")


def _nfc_stripped(value: str) -> str:
    """`edoc.text.nfc` of a string, without normalising what is already NFC (most cells: ASCII
    or typed as NFC), the per-cell cost of reading a large table."""
    if not value.isascii() and not unicodedata.is_normalized("NFC", value):
        value = unicodedata.normalize("NFC", value)
    return value.strip()


class TableError(ValueError):
    """The file is not a table that can be read (the message, translated, says why)."""


def heading(cell: Any) -> str:
    """A heading folded for comparison: "Số CCCD/CMND (*)" → "so cccd cmnd"."""
    text = re.sub(r"\(.*?\)", " ", fold(str(cell or "")))
    return " ".join(re.sub(r"[^a-z0-9 ]", " ", text).split())


@dataclass
class Table:
    """A table's rows, its header's index and the column of each role found."""

    rows: list[list[Any]]
    header_index: int
    columns: dict[str, int]

    def body(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """Each non-empty row under the header: its 1-based line in the file and its cells by
        role (None where the row is short)."""
        for line, row in enumerate(self.rows[self.header_index + 1 :], self.header_index + 2):
            if any(cell not in (None, "") and str(cell).strip() for cell in row):
                yield (
                    line,
                    {
                        role: row[index] if index < len(row) else None
                        for role, index in self.columns.items()
                    },
                )


def _locate(
    rows: list[list[Any]],
    headings: dict[str, set[str]],
    required: set[str],
    labels: dict[str, str],
) -> Table:
    for index, row in enumerate(rows[:HEADER_ROWS]):
        names = [heading(cell) for cell in row]
        columns: dict[str, int] = {}
        for role, synonyms in headings.items():
            found = next((i for i, name in enumerate(names) if name in synonyms), None)
            if found is not None:
                columns[role] = found
        if required <= columns.keys():
            return Table(rows, index, columns)
    names = sorted(labels.get(role, role) for role in required)
    raise TableError(
        _("No heading row with the columns: %(columns)s.") % {"columns": ", ".join(names)}
    )


def _csv_rows(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1258", errors="replace")
    lines = text.splitlines()[:HEADER_ROWS]
    delimiter = max((",", ";", "\t"), key=lambda d: sum(line.count(d) for line in lines))
    rows = []
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        rows.append([_nfc_stripped(cell) for cell in row])
        if len(rows) > MAX_ROWS:
            raise TableError(_("The file has more than %(count)s rows.") % {"count": MAX_ROWS})
    return rows


def _xlsx_rows(data: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise TableError(
            _("The XLSX file cannot be read (%(error)s).") % {"error": type(error).__name__}
        ) from None
    try:
        rows = []
        for row in workbook.worksheets[0].iter_rows(values_only=True):
            rows.append([nfc(cell) for cell in row])
            if len(rows) > MAX_ROWS:
                raise TableError(_("The file has more than %(count)s rows.") % {"count": MAX_ROWS})
        return rows
    finally:
        workbook.close()


def read_table(
    data: bytes,
    filename: str,
    headings: dict[str, set[str]],
    required: set[str],
    labels: dict[str, str] | None = None,
) -> Table:
    """The table of a .csv (UTF-8 with or without BOM, or Windows-1258; comma, semicolon or tab;
    LF or CRLF) or .xlsx file (first sheet), whose header row names at least the `required`
    roles (`labels` names them in the error). `TableError` otherwise."""
    if not data:
        raise TableError(_("Empty file."))
    if len(data) > MAX_FILE_BYTES:
        raise TableError(
            _("The file is larger than %(size)s MB.") % {"size": MAX_FILE_BYTES // (1024 * 1024)}
        )
    name = filename.lower()
    if name.endswith(".csv"):
        rows = _csv_rows(data)
    elif name.endswith(".xlsx"):
        rows = _xlsx_rows(data)
    else:
        raise TableError(_("The file must be .csv or .xlsx."))
    if not any(rows):
        raise TableError(_("Empty file."))
    return _locate(rows, headings, required, labels or {})


def text(value: Any) -> str:
    """A cell as NFC text, single-spaced ("" for empty); whole floats lose their ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(_nfc_stripped(str(value)).split())


def digits(value: Any, width: int = 0) -> str:
    """A code cell (CCCD, phone, commune code) as text without spaces or dots. A number cell
    (Excel drops the leading zero of 075…, 09…) is padded with zeros to `width`."""
    code = CODE_SEPARATORS.sub("", text(value))
    if width and isinstance(value, int | float) and not isinstance(value, bool):
        return code.zfill(width)
    return code


def read_date(value: Any, label: str) -> date:
    """A date cell: an XLSX date/datetime, an Excel serial number, or day-first text
    (dd/mm/yyyy, dd-mm-yyyy, yyyy-mm-dd, yyyymmdd). `ValueError` with a reason (gettext)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 19000101 <= value <= 99991231:  # yyyymmdd typed as a number
            return read_date(str(int(value)), label)
        if 1 <= value < 2958466:  # an Excel serial day (1900 date system)
            return date(1899, 12, 30) + timedelta(days=int(value))
        raise ValueError(_not_a_date(label, value))
    raw = text(value)
    if not raw:
        raise ValueError(_("Missing %(label)s.") % {"label": label.lower()})
    candidate = raw.split(" ")[0]
    for layout in DATE_LAYOUTS:
        try:
            return datetime.strptime(candidate, layout).date()  # noqa: DTZ007 - a calendar day
        except ValueError:
            continue
    raise ValueError(_not_a_date(label, raw))


def _not_a_date(label: str, value: Any) -> str:
    return _("%(label)s “%(value)s” is not a valid date (dd/mm/yyyy).") % {
        "label": label,
        "value": value,
    }
