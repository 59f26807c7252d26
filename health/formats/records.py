"""The plain record template (CSV or XLSX): one row per person with the administrative part of the
personal health record of QĐ 831/QĐ-BYT (2017) — section "Thông tin hành chính" (citizen ID, full
name, birth date, sex, ethnicity, address, commune, phone, health-insurance card and its
registered facility) — and, from section "Tiền sử, các yếu tố nguy cơ", the chronic conditions
(ICD-10 codes) and allergies.

`read_records` reads a filled template into `PersonRow`s (bad rows as (line, reason));
`template_csv` and `template_xlsx` give the empty template with one example row.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from edoc.text import fold
from health.formats.tables import TableError, digits, heading, read_date, read_table, text
from health.validation import (
    check_cccd,
    check_date,
    check_insurance_card,
    parse_icd10_list,
    parse_sex,
)

__all__ = ["COLUMNS", "PersonRow", "RecordImport", "TableError", "read_records", "template_csv",
           "template_xlsx"]  # fmt: skip

# (role, template heading, other headings accepted, example value)
COLUMNS: list[tuple[str, str, set[str], str]] = [
    ("citizen_id", "Số CCCD", {"cccd", "so dinh danh", "ma dinh danh", "so can cuoc"},
     "075190001234"),
    ("full_name", "Họ và tên", {"ho ten", "ten"}, "Nguyễn Thị Hồng Nhung"),
    ("birth_date", "Ngày sinh", {"ngay thang nam sinh"}, "01/05/1990"),
    ("sex", "Giới tính", {"gioi"}, "Nữ"),
    ("ethnicity", "Dân tộc", {"dan toc"}, "Kinh"),
    ("address", "Địa chỉ", {"dia chi thuong tru", "noi o hien tai"}, "Khu phố 3, phường Tân Phong"),
    ("commune_code", "Mã xã", {"ma phuong xa", "ma xa phuong"}, "26041"),
    ("phone", "Điện thoại", {"so dien thoai", "sdt", "dien thoai lien he"}, "0912345678"),
    ("insurance_card", "Số thẻ BHYT", {"the bhyt", "ma the bhyt", "so the bao hiem y te"},
     "GD4751234567890"),
    ("registered_facility", "Nơi đăng ký KCB ban đầu",
     {"noi dang ky kcb ban dau", "noi dkkcb ban dau", "noi dkkcbbd", "ma dkbd"}, "75001"),
    ("chronic_conditions", "Bệnh mạn tính (mã ICD-10)",
     {"benh man tinh", "benh man tinh icd 10", "ma benh man tinh"}, "I10; E11.9"),
    ("allergies", "Dị ứng", {"di ung", "tien su di ung"}, "Penicillin; hải sản"),
]  # fmt: skip
HEADINGS = {role: {heading(title)} | others for role, title, others, _ in COLUMNS}
TEXT_COLUMNS = {"citizen_id", "commune_code", "phone", "insurance_card", "registered_facility"}
LABELS = {role: title for role, title, _, _ in COLUMNS}
# Labels translated only when a reason names them, not for every row.
BIRTH_DATE = gettext_lazy("Birth date")
CHRONIC_CONDITIONS = gettext_lazy("Chronic conditions")
PHONE_SEPARATORS = re.compile(r"[\s.\-()]")
PHONE = re.compile(r"0[0-9]{9}")
ALLERGY_SEPARATORS = re.compile(r"[;\n]")


@dataclass(frozen=True)
class PersonRow:
    """One person of the record template."""

    line: int
    citizen_id: str
    full_name: str
    birth_date: date
    sex: str | None  # validation.MALE / FEMALE / None
    ethnicity: str
    address: str
    commune_code: str
    phone: str
    insurance_card: str
    registered_facility: str
    chronic_conditions: tuple[str, ...]  # ICD-10 codes
    allergies: tuple[str, ...]
    row_key: str
    warnings: tuple[str, ...] = ()  # imported, but for the clean-up to look at


@dataclass
class RecordImport:
    """The persons read from a template file and the lines that could not be read."""

    rows: list[PersonRow] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)


def person_key(citizen_id: str, full_name: str, birth_date: date, commune_code: str) -> str:
    """A person row's key: the CCCD, or else a digest of the folded name, birth date, commune."""
    if citizen_id:
        return citizen_id
    source = f"{' '.join(fold(full_name).split())}|{birth_date.isoformat()}|{commune_code}"
    return "h:" + hashlib.blake2b(source.encode(), digest_size=16).hexdigest()


def _person(line: int, cells: dict[str, Any]) -> PersonRow:
    full_name = text(cells.get("full_name"))
    if not full_name:
        raise ValueError(_("Missing the full name."))
    birth = read_date(cells.get("birth_date"), BIRTH_DATE)
    problems = check_date(birth, BIRTH_DATE)
    if problems:
        raise ValueError(problems[0])
    sex_text = text(cells.get("sex"))
    sex = parse_sex(sex_text)
    warnings: list[str] = []
    if sex_text and sex is None:
        warnings.append(_("Sex “%(value)s” is neither Nam nor Nữ.") % {"value": sex_text})
    citizen_id = digits(cells.get("citizen_id"), width=12)
    if citizen_id:
        problems = check_cccd(citizen_id)
        if problems:
            raise ValueError(problems[0])
        warnings += check_cccd(citizen_id, birth, sex)
    card = digits(cells.get("insurance_card")).upper()
    if card:
        warnings += check_insurance_card(card)
    phone = PHONE_SEPARATORS.sub("", digits(cells.get("phone"), width=10))
    if phone.startswith("+84"):
        phone = "0" + phone[3:]
    if phone and not PHONE.fullmatch(phone):
        warnings.append(
            _("Phone number “%(value)s” is not 10 digits starting with 0.") % {"value": phone}
        )
    chronic = parse_icd10_list(text(cells.get("chronic_conditions")), CHRONIC_CONDITIONS)
    allergies = tuple(
        part.strip()
        for part in ALLERGY_SEPARATORS.split(text(cells.get("allergies")))
        if part.strip()
    )
    commune = digits(cells.get("commune_code"), width=5)
    return PersonRow(
        line=line, citizen_id=citizen_id, full_name=full_name, birth_date=birth, sex=sex,
        ethnicity=text(cells.get("ethnicity")), address=text(cells.get("address")),
        commune_code=commune, phone=phone, insurance_card=card,
        registered_facility=digits(cells.get("registered_facility"), width=5),
        chronic_conditions=chronic, allergies=allergies,
        row_key=person_key(citizen_id, full_name, birth, commune), warnings=tuple(warnings),
    )  # fmt: skip


def read_records(data: bytes, filename: str) -> RecordImport:
    """The persons of a filled record template (.csv or .xlsx). A row without a readable name,
    birth date, CCCD (when given) or ICD-10 list is reported as (line, reason); the others are
    read. `TableError` when the file is not such a table."""
    table = read_table(data, filename, HEADINGS, {"full_name", "birth_date"}, LABELS)
    result = RecordImport()
    for line, cells in table.body():
        try:
            result.rows.append(_person(line, cells))
        except ValueError as error:
            result.errors.append((line, str(error)))
    return result


def template_csv() -> bytes:
    """The template as CSV: UTF-8 with BOM (Excel opens it with the marks), CRLF, a header row
    and one example row."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([column[1] for column in COLUMNS])
    writer.writerow([example for *_, example in COLUMNS])
    return out.getvalue().encode("utf-8-sig")


def template_xlsx() -> bytes:
    """The template as XLSX: a bold header row, one example row, code columns formatted as text
    (so Excel keeps the leading zero of 075…, 09…), the birth date as a dd/mm/yyyy date cell."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Hồ sơ sức khỏe"
    sheet.append([column[1] for column in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, (role, title, _synonyms, example) in enumerate(COLUMNS, 1):
        cell = sheet.cell(row=2, column=index)
        if role == "birth_date":
            cell.value = read_date(example, title)
            cell.number_format = "dd/mm/yyyy"
        else:
            cell.value = example
        column = sheet.column_dimensions[get_column_letter(index)]
        column.width = max(14, len(title) + 4)
        if role in TEXT_COLUMNS:
            column.number_format = "@"
            cell.number_format = "@"
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
