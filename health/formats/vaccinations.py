"""Vaccinations from the national immunisation information system's export (Hệ thống thông tin
tiêm chủng quốc gia: one row per dose) and from the COVID-19 vaccination lists kept for
Project 06 (one row per person, the doses side by side: "Loại vắc xin mũi 1", "Ngày tiêm mũi 1",
"Số lô mũi 1", "Nơi tiêm mũi 1", … up to mũi 5). CSV or XLSX; columns are recognised by their
Vietnamese headings with or without marks.

A row that cannot be read becomes (line, reason) and the others are still read. Each dose has a
row key that does not depend on the line (the person, the vaccine, the dose, the day), so a
re-import of the same or a re-sorted file is recognised.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from edoc.text import fold
from health.formats.tables import Table, TableError, digits, read_date, read_table, text
from health.validation import check_cccd, check_date, parse_sex

__all__ = ["TableError", "VaccinationImport", "VaccinationRow", "read_vaccinations"]

MAX_DOSES = 5
# Labels translated only when a reason names them, not for every row.
BIRTH_DATE = gettext_lazy("Birth date")
DATE_GIVEN = gettext_lazy("Date given")
PERSON_HEADINGS: dict[str, set[str]] = {
    "citizen_id": {
        "so cccd", "cccd", "so cmnd cccd", "cmnd cccd", "cccd cmnd", "so dinh danh",
        "ma dinh danh", "so dinh danh ca nhan", "so can cuoc", "so can cuoc cong dan",
    },
    "full_name": {
        "ho ten", "ho va ten", "ho ten doi tuong", "ten doi tuong", "ho va ten doi tuong",
    },
    "birth_date": {"ngay sinh", "ngay thang nam sinh"},
    "sex": {"gioi tinh", "gioi"},
    "commune_code": {"ma xa", "ma phuong xa", "ma xa phuong", "ma dvhc xa", "ma don vi hanh chinh"},
}  # fmt: skip
DOSE_HEADINGS: dict[str, set[str]] = {
    "vaccine": {"vac xin", "vaccine", "ten vac xin", "loai vac xin", "ten vaccine"},
    "dose": {"mui", "mui tiem", "mui so", "mui thu", "lan tiem", "mui tiem thu"},
    "date": {"ngay tiem", "ngay tiem chung", "thoi gian tiem"},
    "facility": {"co so tiem", "noi tiem", "don vi tiem", "co so tiem chung", "diem tiem"},
    "lot": {"so lo", "lo vac xin", "so lo vac xin", "lo"},
}  # fmt: skip


def _wide_headings() -> dict[str, set[str]]:
    """The COVID-19 list's per-dose columns: "<heading> mui N" and "mui N <heading>"."""
    wide: dict[str, set[str]] = {}
    for number in range(1, MAX_DOSES + 1):
        for role in ("vaccine", "date", "facility", "lot"):
            names = set()
            for name in DOSE_HEADINGS[role]:
                names |= {
                    f"{name} mui {number}",
                    f"mui {number} {name}",
                    f"{name} mui thu {number}",
                }
            wide[f"{role}_{number}"] = names
    return wide


WIDE_HEADINGS = _wide_headings()
LABELS = {
    "full_name": "Họ và tên", "birth_date": "Ngày sinh", "vaccine": "Tên vắc xin",
    "dose": "Mũi tiêm", "date": "Ngày tiêm", "vaccine_1": "Loại vắc xin mũi 1",
    "date_1": "Ngày tiêm mũi 1",
}  # fmt: skip


@dataclass(frozen=True)
class VaccinationRow:
    """One dose given to one person, from one line of the file."""

    line: int
    citizen_id: str
    full_name: str
    birth_date: date
    sex: str | None  # validation.MALE / FEMALE / None
    commune_code: str
    vaccine: str
    dose: int
    date: date
    facility: str
    lot: str
    row_key: str
    warnings: tuple[str, ...] = ()  # the row is imported, but the clean-up should look at it


@dataclass
class VaccinationImport:
    """The doses read from a file and the lines that could not be read."""

    rows: list[VaccinationRow] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    layout: str = "long"  # "long": a row per dose; "wide": the COVID-19 list, a row per person


def parse_dose(value: Any) -> int:
    """A dose number from "2", 2.0, "Mũi 2", "mũi thứ 2". `ValueError` otherwise."""
    raw = text(value)
    match = re.fullmatch(r"(?:mui\s*)?(?:thu\s*)?(?:so\s*)?([0-9]{1,2})", fold(raw))
    if not match or not 1 <= int(match[1]) <= 10:
        raise ValueError(_("Dose “%(value)s” is not a dose number (1–10).") % {"value": raw})
    return int(match[1])


def row_key(citizen_id: str, full_name: str, birth_date: date, vaccine: str, dose: int,
            day: date) -> str:  # fmt: skip
    """A dose's key, the same whatever line or file it comes from."""
    person = citizen_id or f"{' '.join(fold(full_name).split())}|{birth_date.isoformat()}"
    source = f"{person}|{' '.join(fold(vaccine).split())}|{dose}|{day.isoformat()}"
    return hashlib.blake2b(source.encode(), digest_size=16).hexdigest()


def _person(cells: dict[str, Any]) -> tuple[str, str, date, str | None, str, list[str]]:
    full_name = text(cells.get("full_name"))
    if not full_name:
        raise ValueError(_("Missing the name."))
    birth = read_date(cells.get("birth_date"), BIRTH_DATE)
    problems = check_date(birth, BIRTH_DATE)
    if problems:
        raise ValueError(problems[0])
    sex = parse_sex(cells.get("sex"))
    citizen_id = digits(cells.get("citizen_id"), width=12)
    warnings = []
    if citizen_id:
        problems = check_cccd(citizen_id)
        if problems:
            raise ValueError(problems[0])
        warnings = check_cccd(citizen_id, birth, sex)
    return citizen_id, full_name, birth, sex, digits(cells.get("commune_code")), warnings


def _dose_row(line: int, person: tuple, vaccine: Any, dose: int, day: Any, facility: Any,
              lot: Any) -> VaccinationRow:  # fmt: skip
    citizen_id, full_name, birth, sex, commune, warnings = person
    name = text(vaccine)
    if not name:
        raise ValueError(_("Dose %(dose)s: missing the vaccine.") % {"dose": dose})
    given = read_date(day, DATE_GIVEN)
    problems = check_date(given, DATE_GIVEN)
    if given < birth:
        problems.append(
            _("Date given (%(given)s) before the birth date (%(birth)s).")
            % {"given": f"{given:%d/%m/%Y}", "birth": f"{birth:%d/%m/%Y}"}
        )
    if problems:
        raise ValueError(problems[0])
    return VaccinationRow(
        line=line, citizen_id=citizen_id, full_name=full_name, birth_date=birth, sex=sex,
        commune_code=commune, vaccine=name, dose=dose, date=given, facility=text(facility),
        lot=text(lot), row_key=row_key(citizen_id, full_name, birth, name, dose, given),
        warnings=tuple(warnings),
    )  # fmt: skip


def _read_long(table: Table, result: VaccinationImport) -> None:
    for line, cells in table.body():
        try:
            result.rows.append(
                _dose_row(line, _person(cells), cells.get("vaccine"), parse_dose(cells.get("dose")),
                          cells.get("date"), cells.get("facility"), cells.get("lot"))
            )  # fmt: skip
        except ValueError as error:
            result.errors.append((line, str(error)))


def _read_wide(table: Table, result: VaccinationImport) -> None:
    for line, cells in table.body():
        try:
            person = _person(cells)
            doses = [
                number for number in range(1, MAX_DOSES + 1)
                if text(cells.get(f"vaccine_{number}")) or text(cells.get(f"date_{number}"))
            ]  # fmt: skip
            if not doses:
                raise ValueError(_("The row has no dose."))
            rows = [
                _dose_row(line, person, cells.get(f"vaccine_{n}"), n, cells.get(f"date_{n}"),
                          cells.get(f"facility_{n}"), cells.get(f"lot_{n}"))
                for n in doses
            ]  # fmt: skip
        except ValueError as error:
            result.errors.append((line, str(error)))
            continue
        result.rows.extend(rows)


def read_vaccinations(data: bytes, filename: str) -> VaccinationImport:
    """The doses of an immunisation export or a COVID-19 vaccination list (.csv or .xlsx).
    `TableError` when the file is not such a table."""
    required = {"full_name", "birth_date"}
    try:
        table = read_table(
            data,
            filename,
            PERSON_HEADINGS | DOSE_HEADINGS,
            required | {"vaccine", "dose", "date"},
            LABELS,
        )
        result = VaccinationImport(layout="long")
        _read_long(table, result)
        return result
    except TableError as long_error:
        try:
            table = read_table(
                data,
                filename,
                PERSON_HEADINGS | WIDE_HEADINGS,
                required | {"vaccine_1", "date_1"},
                LABELS,
            )
        except TableError:
            raise TableError(
                _(
                    "%(error)s For the COVID-19 vaccination list (a row per person): the "
                    "columns Loại vắc xin mũi 1, Ngày tiêm mũi 1…"
                )
                % {"error": long_error}
            ) from None
    result = VaccinationImport(layout="wide")
    _read_wide(table, result)
    return result
