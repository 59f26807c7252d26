"""The plain record template (health.formats.records): reading it, and the template itself."""

import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from health.formats.records import (
    COLUMNS,
    TableError,
    person_key,
    read_records,
    template_csv,
    template_xlsx,
)
from health.validation import FEMALE, MALE
from tests.health.xlsx import xlsx

pytestmark = pytest.mark.usefixtures("vietnamese")

TITLES = [title for _, title, _, _ in COLUMNS]


def test_the_csv_template_reads_back_as_its_example_person():
    data = template_csv()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    result = read_records(data, "mau.csv")
    assert result.errors == []
    (row,) = result.rows
    assert row.line == 2
    assert (row.citizen_id, row.full_name, row.birth_date, row.sex) == (
        "075190001234", "Nguyễn Thị Hồng Nhung", date(1990, 5, 1), FEMALE,
    )  # fmt: skip
    assert row.chronic_conditions == ("I10", "E11.9")
    assert row.allergies == ("Penicillin", "hải sản")
    assert row.insurance_card == "GD4751234567890" and row.registered_facility == "75001"
    assert row.ethnicity == "Kinh" and row.commune_code == "26041" and row.phone == "0912345678"
    assert row.row_key == "075190001234" and row.warnings == ()


def test_the_xlsx_template_has_a_bold_header_a_date_cell_and_text_code_columns():
    data = template_xlsx()
    sheet = load_workbook(io.BytesIO(data)).active
    assert [cell.value for cell in sheet[1]] == TITLES
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.cell(row=2, column=3).value == datetime(1990, 5, 1)
    assert sheet.cell(row=2, column=1).number_format == "@"
    (row,) = read_records(data, "mau.xlsx").rows
    assert row.birth_date == date(1990, 5, 1) and row.full_name == "Nguyễn Thị Hồng Nhung"


def test_headings_without_marks_in_another_order_with_semicolons():
    data = (
        b"HO VA TEN;NGAY SINH;GIOI TINH;SO CCCD;SO DIEN THOAI;BENH MAN TINH\n"
        b"Tran Van An;01/01/2000;nam;075200001111;+84 912 345 678;j45\n"
    )
    (row,) = read_records(data, "x.csv").rows
    assert (row.full_name, row.sex, row.phone, row.chronic_conditions) == (
        "Tran Van An", MALE, "0912345678", ("J45",),
    )  # fmt: skip


def test_excel_numbers_lose_no_leading_zero():
    rows = [TITLES, [75190001234, "Lê Thị Thu", datetime(1990, 5, 1), "Nữ", "Kinh", "", 26041,
                     912345678, "", 75001, "", ""]]  # fmt: skip
    (row,) = read_records(xlsx(rows), "x.xlsx").rows
    assert (row.citizen_id, row.phone, row.registered_facility) == (
        "075190001234", "0912345678", "75001",
    )  # fmt: skip


def test_rows_without_cccd_get_a_key_from_name_birth_and_commune():
    key = person_key("", "Nguyễn Văn An", date(2000, 1, 1), "26041")
    assert key.startswith("h:") and key == person_key(
        "", "NGUYEN  VAN AN", date(2000, 1, 1), "26041"
    )
    assert key != person_key("", "Nguyễn Văn An", date(2000, 1, 1), "26042")


def test_bad_rows_are_reported_and_doubtful_ones_kept_with_warnings():
    header = ",".join(TITLES)
    lines = [
        header,
        ",Đinh Văn Khoa,01/01/2000,Nam,,,,,,,,",
        ",,01/01/2000,Nam,,,,,,,,",
        ",Khoa,2000/13/01,Nam,,,,,,,,",
        "12345,Khoa,01/01/2000,Nam,,,,,,,,",
        ",Khoa,01/01/2000,Nam,,,,,,,tim mạch,",
        ",Khoa,01/01/2999,Nam,,,,,,,,",
        "075200001111,Khoa,01/01/2000,Nữ,,,,12345,XX123,,,",
        ",Khoa,01/01/2000,khác,,,,,,,,",
    ]
    result = read_records("\r\n".join(lines).encode(), "x.csv")
    reasons = dict(result.errors)
    assert sorted(reasons) == [3, 4, 5, 6, 7]
    assert reasons[3] == "Thiếu họ và tên."
    assert "2000/13/01" in reasons[4]
    assert "12 chữ số" in reasons[5]
    assert "ICD-10" in reasons[6]
    assert "tương lai" in reasons[7]
    kept = {row.line: row for row in result.rows}
    assert sorted(kept) == [2, 8, 9]
    warnings = " ".join(kept[8].warnings)
    assert "giới tính nam" in warnings and "15 ký tự" in warnings and "Số điện thoại" in warnings
    assert kept[9].sex is None and "khác" in kept[9].warnings[0]


def test_a_file_without_name_and_birth_columns_is_refused():
    with pytest.raises(TableError, match="Họ và tên, Ngày sinh"):
        read_records("Số CCCD,Điện thoại\r\n075190001234,0912345678".encode(), "x.csv")


def test_tab_separated_files_and_a_header_without_rows():
    data = "Họ và tên\tNgày sinh\tSố CCCD\r\nTrần Thị Bé\t05/06/2007\t075307123456\r\n".encode()
    (row,) = read_records(data, "x.csv").rows
    assert (row.full_name, row.citizen_id) == ("Trần Thị Bé", "075307123456")
    empty = read_records("Họ và tên,Ngày sinh\r\n,\r\n".encode(), "x.csv")
    assert empty.rows == [] and empty.errors == []


def test_too_many_rows_are_refused(monkeypatch):
    monkeypatch.setattr("health.formats.tables.MAX_ROWS", 3)
    data = "\r\n".join(["Họ và tên,Ngày sinh"] + ["An,01/01/2000"] * 4).encode()
    with pytest.raises(TableError, match="hơn 3 dòng"):
        read_records(data, "x.csv")
