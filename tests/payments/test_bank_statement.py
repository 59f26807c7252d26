"""Bank statements as banks export them (CSV and XLSX, Vietnamese headers and descriptions): the
credit lines, their order codes, and clear errors for what is not a statement."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from openpyxl import Workbook

from payments.providers.bank_statement import (
    GMT7,
    StatementError,
    find_order_codes,
    parse_amount,
    parse_statement,
)
from payments.providers.vietqr import VietQrProvider

CSV = """SAO KÊ TÀI KHOẢN / ACCOUNT STATEMENT
Số tài khoản: 113366668888;;;;
Từ ngày 01/12/2026 đến ngày 06/12/2026;;;;
;;;;
STT;Ngày giao dịch;Số tham chiếu;Số tiền ghi nợ (VND);Số tiền ghi có (VND);Nội dung
1;05/12/2026 09:12:44;FT26339000001;;1.250.000;NGUYEN VAN AN CHUYEN TIEN TT 261205-A1B2 C3D4
2;05/12/2026 10:01:02;FT26339000002;55.000;;PHI QUAN LY TAI KHOAN
3;06/12/2026;FT26340000003;;300.000;Nguyễn Thị Bình nộp phí tt261206deadbeef hồ sơ cấp phép
4;06/12/2026 11:30:00;FT26340000004;;2.000.000;Ủng hộ quỹ khuyến học
;;;;;
;Tổng cộng;;55.000;3.550.000;
"""


def test_csv_statement_with_a_title_block_and_vietnamese_headers():
    statement = parse_statement(CSV.encode("utf-8-sig"), "SaoKe_122026.CSV")
    assert [(line.row, line.amount, line.reference) for line in statement.lines] == [
        (6, 1_250_000, "FT26339000001"),
        (8, 300_000, "FT26340000003"),
        (9, 2_000_000, "FT26340000004"),
    ]
    first, second, third = statement.lines
    assert first.booked_at == datetime(2026, 12, 5, 9, 12, 44, tzinfo=GMT7)
    assert first.order_codes == ["TT261205A1B2C3D4"]
    assert second.description.startswith("Nguyễn Thị Bình nộp phí")
    assert second.order_codes == ["TT261206DEADBEEF"]
    assert third.order_codes == []  # unmatched: for the review list
    assert [row for row, _ in statement.skipped] == [7, 11]  # the debit, the totals row
    # A line becomes the result of its order through the VietQR provider.
    provider = VietQrProvider(bank_bin="970415", account_number="113366668888")
    result = provider.statement_result(second)
    assert (result.order_code, result.amount) == ("TT261206DEADBEEF", 300_000)


def test_xlsx_statement_with_date_cells_and_numbers():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["NGÂN HÀNG TMCP CÔNG THƯƠNG VIỆT NAM - VIETINBANK"])
    sheet.append([])
    sheet.append(["Ngày hạch toán", "Diễn giải", "Nợ", "Có", "Mã giao dịch"])
    sheet.append(
        [datetime(2026, 12, 6, 8, 5), "CT DEN:TT261206A1B2C3D4 PHI THAM DINH", None, 150000, "9876"]
    )
    sheet.append([datetime(2026, 12, 6, 9, 0), "Rút tiền", 50000, None, "9877"])
    sheet.append(["06/12/2026", "IBFT tt-261206-0000ffff Trần Văn Cường", None, 75000.0, 9878])
    sheet.append(["Số dư cuối kỳ", None, None, 175000, None])
    data = io.BytesIO()
    workbook.save(data)

    statement = parse_statement(data.getvalue(), "statement.xlsx")
    assert [(line.amount, line.order_codes, line.reference) for line in statement.lines] == [
        (150_000, ["TT261206A1B2C3D4"], "9876"),
        (75_000, ["TT2612060000FFFF"], "9878"),
    ]
    assert statement.lines[0].booked_at == datetime(2026, 12, 6, 8, 5, tzinfo=GMT7)
    assert statement.lines[1].description == "IBFT tt-261206-0000ffff Trần Văn Cường"
    assert [row for row, _ in statement.skipped] == [5, 7]


@pytest.mark.parametrize(
    ("value", "amount"),
    [
        (1500000, 1_500_000),
        (1500000.0, 1_500_000),
        ("1.500.000", 1_500_000),
        ("1,500,000", 1_500_000),
        ("1.500.000,00", 1_500_000),
        ("1,500,000.00", 1_500_000),
        ("+1 500 000 VND", 1_500_000),
        ("1500000đ", 1_500_000),
        ("-200.000", -200_000),
        ("", None),
        (None, None),
    ],
)
def test_amounts_as_banks_write_them(value, amount):
    assert parse_amount(value) == amount


@pytest.mark.parametrize("value", ["1.500,50", "12abc", "1.50.000", 1500.5, "1,500.000"])
def test_what_is_not_a_whole_amount_is_refused(value):
    with pytest.raises(ValueError):
        parse_amount(value)


def test_order_codes_in_descriptions():
    assert find_order_codes("MBVCB.1234.TT261206A1B2C3D4.CT tu 0011") == ["TT261206A1B2C3D4"]
    assert find_order_codes("tt 261206 a1b2c3d4 và TT261206A1B2C3D4 lần 2") == ["TT261206A1B2C3D4"]
    assert find_order_codes("Đóng phí hồ sơ") == []


def test_what_is_not_a_statement_is_refused_clearly():
    with pytest.raises(StatementError, match=r"\.csv (or|hoặc) \.xlsx"):
        parse_statement(b"%PDF-1.7", "saoke.pdf")
    with pytest.raises(StatementError, match="(?i)not a readable XLSX|không đọc được tệp XLSX"):
        parse_statement(b"not a zip", "saoke.xlsx")
    with pytest.raises(StatementError, match="(?i)no header row|không tìm thấy dòng tiêu đề"):
        parse_statement(b"a,b,c\n1,2,3\n", "saoke.csv")
