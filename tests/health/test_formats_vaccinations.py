"""Immunisation exports and COVID-19 vaccination lists (health.formats.vaccinations)."""

import unicodedata
from datetime import date, datetime

import pytest

from health.formats.tables import TableError, read_date
from health.formats.vaccinations import parse_dose, read_vaccinations
from health.validation import FEMALE, MALE
from tests.health.xlsx import xlsx

pytestmark = pytest.mark.usefixtures("vietnamese")

HEADER = (
    "STT,Họ và tên,Ngày sinh,Giới tính,Số CCCD,Mã xã,Tên vắc xin,Mũi tiêm,Ngày tiêm,Số lô,"
    "Cơ sở tiêm"
)
BINH = "Nguyễn Văn Bình,03/02/1985,Nam,075085004321,26041,Viêm gan B"
ROWS = [
    f"1,{BINH},Mũi 1,15/03/2020,LOT-1,TYT Tân Phong",
    f"2,{BINH},2,15/04/2020,LOT-2,TYT Tân Phong",
    "3,Lê Thị Thu,1990-05-01,Nữ,,26041,Sởi,1,2021-01-01,,",
]


def csv_bytes(*lines: str, newline: str = "\r\n", encoding: str = "utf-8-sig") -> bytes:
    return newline.join(lines).encode(encoding)


def test_a_long_export_gives_one_row_per_dose_with_crlf_and_bom():
    result = read_vaccinations(csv_bytes(HEADER, *ROWS), "tiemchung.csv")
    assert result.errors == [] and result.layout == "long"
    first, second, third = result.rows
    assert (first.line, first.citizen_id, first.full_name, first.sex) == (
        2,
        "075085004321",
        "Nguyễn Văn Bình",
        MALE,
    )
    assert (first.vaccine, first.dose, first.date, first.lot) == (
        "Viêm gan B",
        1,
        date(2020, 3, 15),
        "LOT-1",
    )
    assert first.facility == "TYT Tân Phong" and first.commune_code == "26041"
    assert second.dose == 2 and third.sex == FEMALE and third.citizen_id == ""
    assert third.birth_date == date(1990, 5, 1)
    assert len({row.row_key for row in result.rows}) == 3


def test_headings_without_marks_semicolons_and_a_title_block():
    header = "HO VA TEN;NGAY SINH;GIOI TINH;SO CCCD;VAC XIN;MUI;NGAY TIEM"
    title = "DANH SACH TIEM CHUNG;;;;;;"
    data = csv_bytes(
        title, "", header, "Tran Van An;01/01/2000;nam;075200001111;Sởi;1;01/06/2001", newline="\n"
    )
    (row,) = read_vaccinations(data, "a.CSV").rows
    assert row.line == 4 and row.full_name == "Tran Van An" and row.vaccine == "Sởi"


def test_row_keys_do_not_depend_on_the_line_or_the_names_marks():
    data = csv_bytes(HEADER, *reversed(ROWS))
    assert {r.row_key for r in read_vaccinations(data, "b.csv").rows} == {
        r.row_key for r in read_vaccinations(csv_bytes(HEADER, *ROWS), "a.csv").rows
    }
    decomposed = csv_bytes(HEADER, unicodedata.normalize("NFD", ROWS[2]))
    (row,) = read_vaccinations(decomposed, "c.csv").rows
    assert row.full_name == "Lê Thị Thu"  # NFC
    assert row.row_key == read_vaccinations(csv_bytes(HEADER, ROWS[2]), "d.csv").rows[0].row_key


def test_windows_1258_csv_is_read_and_normalised():
    header = "Ho va ten,Ngay sinh,Vac xin,Mui,Ngay tiem"
    line = "L\u00ea Thi\u0323 Thu,01/01/2000,S\u01a1\u0309i,1,01/06/2001"  # as cp1258 spells it
    (row,) = read_vaccinations(f"{header}\r\n{line}".encode("cp1258"), "w.csv").rows
    assert row.full_name == "Lê Thị Thu" and row.vaccine == "Sởi"


def test_bad_rows_are_reported_with_their_line_and_the_rest_is_read():
    bad = [
        "4,,03/02/1985,Nam,,,Sởi,1,01/01/2020,,",
        "5,Trần An,31/02/1985,Nam,,,Sởi,1,01/01/2020,,",
        "6,Trần An,01/02/1985,Nam,07508500432,,Sởi,1,01/01/2020,,",
        "7,Trần An,01/02/1985,Nam,,,Sởi,nhắc lại,01/01/2020,,",
        "8,Trần An,01/02/1985,Nam,,,,1,01/01/2020,,",
        "9,Trần An,01/02/1985,Nam,,,Sởi,1,01/01/2099,,",
        "10,Trần An,01/02/1985,Nam,,,Sởi,1,01/01/1980,,",
        "11,Trần An,01/02/1985,Nam,,,Sởi,1,,,",
    ]
    result = read_vaccinations(csv_bytes(HEADER, ROWS[0], *bad, ROWS[1]), "x.csv")
    assert [row.line for row in result.rows] == [2, 11]
    reasons = dict(result.errors)
    assert sorted(reasons) == list(range(3, 11))
    assert reasons[3] == "Thiếu họ tên."
    assert "31/02/1985" in reasons[4]
    assert "12 chữ số" in reasons[5]
    assert "nhắc lại" in reasons[6]
    assert "thiếu tên vắc xin" in reasons[7]
    assert "tương lai" in reasons[8]
    assert "trước ngày sinh" in reasons[9]
    assert "Thiếu ngày tiêm" in reasons[10]


def test_a_cccd_inconsistent_with_birth_or_sex_is_kept_with_a_warning():
    line = "1,Lê Thị Thu,01/05/1990,Nữ,075090001234,,Sởi,1,01/01/2021,,"
    (row,) = read_vaccinations(csv_bytes(HEADER, line), "x.csv").rows
    assert row.citizen_id == "075090001234"
    assert any("giới tính nam" in warning for warning in row.warnings)


def test_xlsx_with_date_cells_serial_numbers_and_numeric_codes():
    rows = [
        ["Họ và tên", "Ngày sinh", "Giới tính", "Mã định danh", "Vắc xin", "Mũi", "Ngày tiêm"],
        [
            "Phạm Thị Mai",
            datetime(1990, 5, 1),
            "Nữ",
            "075190001234",
            "Pfizer",
            1,
            datetime(2021, 9, 1, 8, 30),
        ],
        ["Phạm Thị Mai", date(1990, 5, 1), "Nữ", "075190001234", "Pfizer", 2.0, 44470],
        ["Võ Văn Tư", 19800101, "Nam", 75080001234, "Pfizer", 1, "01/10/2021"],
    ]
    result = read_vaccinations(xlsx(rows), "export.xlsx")
    first, second, third = result.rows
    assert third.citizen_id == "075080001234"  # the number Excel made of it, zero restored
    assert first.birth_date == date(1990, 5, 1) and first.date == date(2021, 9, 1)
    assert second.dose == 2 and second.date == date(2021, 10, 1)  # Excel day 44470
    assert result.errors == []


def test_the_covid_list_with_doses_side_by_side():
    rows = [
        ["DANH SÁCH NGƯỜI ĐÃ TIÊM VẮC XIN COVID-19"],
        [
            "Họ và tên",
            "Ngày sinh",
            "Giới tính",
            "Số CCCD",
            "Mã xã",
            "Loại vắc xin mũi 1",
            "Ngày tiêm mũi 1",
            "Số lô mũi 1",
            "Nơi tiêm mũi 1",
            "Loại vắc xin mũi 2",
            "Ngày tiêm mũi 2",
            "Số lô mũi 2",
            "Nơi tiêm mũi 2",
        ],
        [
            "Đỗ Văn Hùng",
            "12/12/1970",
            "Nam",
            "075070009999",
            "26041",
            "AstraZeneca",
            datetime(2021, 7, 1),
            "A1",
            "TTYT Biên Hòa",
            "AstraZeneca",
            "01/10/2021",
            "A2",
            "TTYT",
        ],
        [
            "Hồ Thị Lan",
            "01/01/1975",
            "Nữ",
            "",
            "26041",
            "Vero Cell",
            "01/08/2021",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
        ["Lỗi Ngày", "01/01/1975", "Nữ", "", "", "Pfizer", "32/13/2021", "", "", "", "", "", ""],
        ["Không Mũi", "01/01/1975", "Nữ", "", "", "", "", "", "", "", "", "", ""],
    ]
    result = read_vaccinations(xlsx(rows), "covid.xlsx")
    assert result.layout == "wide"
    assert [(r.line, r.full_name, r.dose, r.vaccine) for r in result.rows] == [
        (3, "Đỗ Văn Hùng", 1, "AstraZeneca"),
        (3, "Đỗ Văn Hùng", 2, "AstraZeneca"),
        (4, "Hồ Thị Lan", 1, "Vero Cell"),
    ]
    assert result.rows[1].lot == "A2" and result.rows[0].facility == "TTYT Biên Hòa"
    reasons = dict(result.errors)
    assert "32/13/2021" in reasons[5] and "không có mũi tiêm" in reasons[6]


@pytest.mark.parametrize(
    ("data", "name", "fragment"),
    [
        (b"", "a.csv", "trống"),
        (b"a,b\r\n1,2", "a.csv", "Họ và tên"),
        (b"PK\x03\x04garbage", "a.xlsx", "XLSX"),
        (b"x", "a.pdf", ".csv hoặc .xlsx"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(data, name, fragment):
    with pytest.raises(TableError, match=fragment):
        read_vaccinations(data, name)


@pytest.mark.parametrize(
    ("value", "dose"), [("1", 1), (2.0, 2), ("Mũi 3", 3), ("mui thu 2", 2), ("MŨI SỐ 4", 4)]
)
def test_parse_dose(value, dose):
    assert parse_dose(value) == dose


@pytest.mark.parametrize("value", ["", "0", "nhắc lại", "11", "1a"])
def test_parse_dose_refuses(value):
    with pytest.raises(ValueError, match="Mũi tiêm"):
        parse_dose(value)


@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("01/02/2003", date(2003, 2, 1)),
        ("2003-02-01", date(2003, 2, 1)),
        ("20030201", date(2003, 2, 1)),
        ("01-02-2003", date(2003, 2, 1)),
        ("01/02/2003 08:00", date(2003, 2, 1)),
        (37653, date(2003, 2, 1)),
    ],
)
def test_read_date(value, day):
    assert read_date(value, "Ngày sinh") == day
