"""Structural checks of CCCD, insurance cards, dates and dose order (health.validation)."""

from datetime import date, datetime

import pytest
from django.utils import translation

from health.formats.qd130 import Qd130Error, read_envelope
from health.formats.records import read_records
from health.formats.tables import TableError
from health.validation import (
    FEMALE,
    GMT7,
    MALE,
    century_sex_digit,
    check_cccd,
    check_date,
    check_dose_order,
    check_insurance_card,
    check_visit_dates,
    parse_sex,
)

pytestmark = pytest.mark.usefixtures("vietnamese")

TODAY = date(2026, 12, 6)


@pytest.mark.parametrize(
    ("value", "sex"),
    [("Nam", MALE), ("NỮ", FEMALE), ("nu", FEMALE), ("1", MALE), ("2", FEMALE), (" f ", FEMALE)],
)
def test_parse_sex_reads_vietnamese_words_with_or_without_marks_and_qd130_codes(value, sex):
    assert parse_sex(value) == sex


@pytest.mark.parametrize("value", ["3", "", None, "khác"])
def test_parse_sex_is_none_when_unknown(value):
    assert parse_sex(value) is None


def test_century_sex_digit_follows_circular_59():
    assert century_sex_digit(1985, MALE) == "0"
    assert century_sex_digit(1985, FEMALE) == "1"
    assert century_sex_digit(2003, MALE) == "2"
    assert century_sex_digit(2003, FEMALE) == "3"
    assert century_sex_digit(2100, FEMALE) == "5"


def test_a_consistent_cccd_passes():
    assert check_cccd("075190001234", date(1990, 5, 1), FEMALE) == []
    assert check_cccd("075205001234", date(2005, 1, 9), MALE) == []
    assert check_cccd("001085123456") == []


@pytest.mark.parametrize(
    "value", ["07519000123", "0751900012345", "07519000123a", "", "０７５１９０００１２３４"]
)
def test_a_cccd_not_of_twelve_ascii_digits_is_refused(value):
    (reason,) = check_cccd(value)
    assert "12 chữ số" in reason


def test_an_unknown_province_code_is_reported():
    (reason,) = check_cccd("003190001234")
    assert "mã tỉnh" in reason and "003" in reason


def test_the_century_digit_must_match_the_birth_year():
    (reason,) = check_cccd("075290001234", date(1990, 5, 1), MALE)
    assert "thế kỷ" in reason and "1990" in reason


def test_the_year_digits_must_match_the_birth_year():
    (reason,) = check_cccd("075091001234", date(1990, 5, 1), MALE)
    assert "năm sinh 1990" in reason


def test_the_sex_digit_must_match_the_sex():
    (reason,) = check_cccd("075090001234", date(1990, 5, 1), FEMALE)
    assert "giới tính nam" in reason and "ghi nữ" in reason


@pytest.mark.parametrize(
    "card", ["DN4750123456789", "gd4751234567890", "HC1010000000001", "7512345678"]
)
def test_valid_insurance_cards_and_the_ten_digit_bhxh_code_pass(card):
    assert check_insurance_card(card) == []


@pytest.mark.parametrize(
    ("card", "fragment"),
    [
        ("DN475012345678", "15 ký tự"),
        ("D14750123456789", "chữ cái"),
        ("DN6750123456789", "mức hưởng"),
        ("DN4030123456789", "mã tỉnh"),
        ("DN47501234567X9", "10 chữ số"),
        ("", "15 ký tự"),
    ],
)
def test_malformed_insurance_cards_say_why(card, fragment):
    reasons = check_insurance_card(card)
    assert reasons and fragment in " ".join(reasons)


def test_dates_in_the_future_or_before_1900_are_impossible():
    assert check_date(date(2026, 12, 6), "Ngày sinh", TODAY) == []
    assert "tương lai" in check_date(date(2026, 12, 7), "Ngày sinh", TODAY)[0]
    assert "trước năm 1900" in check_date(date(1899, 12, 31), "Ngày sinh", TODAY)[0]
    assert check_date(datetime(2020, 1, 1, 8, tzinfo=GMT7), "Ngày vào", TODAY) == []


def test_a_discharge_before_its_admission_is_impossible():
    admitted = datetime(2025, 3, 15, 8, 30, tzinfo=GMT7)
    assert check_visit_dates(admitted, datetime(2025, 3, 16, 9, tzinfo=GMT7), today=TODAY) == []
    (reason,) = check_visit_dates(admitted, datetime(2025, 3, 10, 9, tzinfo=GMT7), today=TODAY)
    assert "Ngày ra (10/03/2025 09:00) trước ngày vào (15/03/2025 08:30)" in reason


def test_an_admission_before_birth_is_impossible():
    (reason,) = check_visit_dates(
        datetime(2000, 1, 1, tzinfo=GMT7), None, birth_date=date(2001, 1, 1), today=TODAY
    )
    assert "trước ngày sinh" in reason


def test_doses_in_order_pass_and_vaccine_names_compare_without_marks():
    doses = [
        ("Vắc xin Sởi", 1, date(2020, 1, 1)),
        ("vac xin soi", 2, date(2020, 3, 1)),
        ("Pfizer", 2, date(2021, 1, 1)),
    ]
    assert check_dose_order(doses) == []


def test_a_later_dose_before_an_earlier_one_is_reported():
    doses = [("AstraZeneca", 1, date(2021, 9, 1)), ("ASTRAZENECA", 2, date(2021, 7, 1))]
    (reason,) = check_dose_order(doses)
    assert "mũi 2 (01/07/2021) tiêm trước mũi 1 (01/09/2021)" in reason


def test_one_dose_twice_on_different_days_is_reported():
    (reason,) = check_dose_order(
        [("Pfizer", 1, date(2021, 9, 1)), ("Pfizer", 1, date(2021, 10, 1))]
    )
    assert "mũi 1 được ghi hai lần" in reason
    assert (
        check_dose_order([("Pfizer", 1, date(2021, 9, 1)), ("Pfizer", 1, date(2021, 9, 1))]) == []
    )


def test_reasons_are_translatable_and_vietnamese_by_default():
    """English msgids, Vietnamese msgstr (health/locale): what Vietnamese users read is
    unchanged, and another active language gets its own words."""
    with translation.override("en"):
        assert check_cccd("0751") == ["A CCCD has exactly 12 digits (got “0751”)."]
        (reason,) = check_dose_order([("MR", 2, date(2021, 7, 1)), ("MR", 1, date(2021, 9, 1))])
        assert reason == "MR: dose 2 (01/07/2021) given before dose 1 (01/09/2021)."
        with pytest.raises(TableError, match="Empty file."):
            read_records(b"", "a.csv")
        with pytest.raises(Qd130Error, match="The root element is X, not GIAMDINHHS"):
            read_envelope(b"<X/>")
    assert check_cccd("0751") == ["Số CCCD phải gồm đúng 12 chữ số (nhận được “0751”)."]
    with pytest.raises(TableError, match="Tệp trống."):
        read_records(b"", "a.csv")
