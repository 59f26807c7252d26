"""The Labour Code's default calendar: lunar dates, holidays and compensatory days (no database)."""

from __future__ import annotations

import datetime

import pytest

from workflows.calendar import (
    default_holidays,
    hung_kings_day,
    lunar_new_year,
)

D = datetime.date


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2024, D(2024, 2, 10)),
        (2025, D(2025, 1, 29)),
        (2026, D(2026, 2, 17)),
        (2027, D(2027, 2, 6)),
        # The Vietnamese calendar (UTC+7) differs from the Chinese one (UTC+8) in some years:
        (1985, D(1985, 1, 21)),  # China: 1985-02-20
        (2030, D(2030, 2, 2)),  # China: 2030-02-03
    ],
)
def test_lunar_new_year_is_vietnamese(year, expected):
    assert lunar_new_year(year) == expected


@pytest.mark.parametrize(
    ("year", "expected"),
    [(2024, D(2024, 4, 18)), (2025, D(2025, 4, 7)), (2026, D(2026, 4, 26))],
)
def test_hung_kings_day(year, expected):
    assert hung_kings_day(year) == expected


def test_years_outside_the_lunar_library_are_refused():
    with pytest.raises(ValueError, match="1900 to 2100"):
        default_holidays(2101)


def test_defaults_2025():
    assert default_holidays(2025) == [
        (D(2025, 1, 1), "Tết Dương lịch"),
        # 28 Jan (29 tháng Chạp, the last day of Giáp Thìn) and mùng 1–4; mùng 4 is a Saturday.
        (D(2025, 1, 28), "Tết Nguyên đán"),
        (D(2025, 1, 29), "Tết Nguyên đán"),
        (D(2025, 1, 30), "Tết Nguyên đán"),
        (D(2025, 1, 31), "Tết Nguyên đán"),
        (D(2025, 2, 1), "Tết Nguyên đán"),
        (D(2025, 2, 3), "Nghỉ bù Tết Nguyên đán"),
        (D(2025, 4, 7), "Giỗ Tổ Hùng Vương"),
        (D(2025, 4, 30), "Ngày Chiến thắng"),
        (D(2025, 5, 1), "Quốc tế Lao động"),
        # 2/9 is a Tuesday: Monday 1/9 joins the weekend (as announced: 30/8–2/9).
        (D(2025, 9, 1), "Quốc khánh"),
        (D(2025, 9, 2), "Quốc khánh"),
    ]


def test_defaults_2026():
    assert default_holidays(2026) == [
        (D(2026, 1, 1), "Tết Dương lịch"),
        # 29 tháng Chạp (Monday) to mùng 4 (Friday): with the weekends, 14–22 February.
        (D(2026, 2, 16), "Tết Nguyên đán"),
        (D(2026, 2, 17), "Tết Nguyên đán"),
        (D(2026, 2, 18), "Tết Nguyên đán"),
        (D(2026, 2, 19), "Tết Nguyên đán"),
        (D(2026, 2, 20), "Tết Nguyên đán"),
        # Giỗ Tổ is a Sunday: compensatory day off on Monday 27/4.
        (D(2026, 4, 26), "Giỗ Tổ Hùng Vương"),
        (D(2026, 4, 27), "Nghỉ bù Giỗ Tổ Hùng Vương"),
        (D(2026, 4, 30), "Ngày Chiến thắng"),
        (D(2026, 5, 1), "Quốc tế Lao động"),
        # 2/9 is a Wednesday: neither neighbour joins a weekend; 1/9 by convention.
        (D(2026, 9, 1), "Quốc khánh"),
        (D(2026, 9, 2), "Quốc khánh"),
    ]


def test_defaults_2027():
    assert default_holidays(2027) == [
        (D(2027, 1, 1), "Tết Dương lịch"),
        # Mùng 1 is Saturday 6/2: Tết is Fri 5/2 to Tue 9/2; Sat and Sun give Wed and Thu.
        (D(2027, 2, 5), "Tết Nguyên đán"),
        (D(2027, 2, 6), "Tết Nguyên đán"),
        (D(2027, 2, 7), "Tết Nguyên đán"),
        (D(2027, 2, 8), "Tết Nguyên đán"),
        (D(2027, 2, 9), "Tết Nguyên đán"),
        (D(2027, 2, 10), "Nghỉ bù Tết Nguyên đán"),
        (D(2027, 2, 11), "Nghỉ bù Tết Nguyên đán"),
        (D(2027, 4, 16), "Giỗ Tổ Hùng Vương"),
        (D(2027, 4, 30), "Ngày Chiến thắng"),
        # 1/5 is a Saturday: compensatory day off on Monday 3/5.
        (D(2027, 5, 1), "Quốc tế Lao động"),
        (D(2027, 5, 3), "Nghỉ bù Quốc tế Lao động"),
        # 2/9 is a Thursday: Friday 3/9 joins the weekend.
        (D(2027, 9, 2), "Quốc khánh"),
        (D(2027, 9, 3), "Quốc khánh"),
    ]


def test_two_holidays_on_a_weekend_give_two_compensatory_days():
    # 2022: 30/4 Saturday and 1/5 Sunday -> Monday 2/5 and Tuesday 3/5 (as announced).
    days = dict(default_holidays(2022))
    assert days[D(2022, 5, 2)] == "Nghỉ bù Ngày Chiến thắng"
    assert days[D(2022, 5, 3)] == "Nghỉ bù Quốc tế Lao động"


def test_compensation_skips_the_next_holiday():
    # 2023 (as announced: 29/4–3/5): Giỗ Tổ on Saturday 29/4, 30/4 Sunday, 1/5 Monday,
    # so the two compensatory days are Tuesday 2/5 and Wednesday 3/5.
    days = {day: name for day, name in default_holidays(2023) if day.month in (4, 5)}
    assert days == {
        D(2023, 4, 29): "Giỗ Tổ Hùng Vương",
        D(2023, 4, 30): "Ngày Chiến thắng",
        D(2023, 5, 1): "Quốc tế Lao động",
        D(2023, 5, 2): "Nghỉ bù Giỗ Tổ Hùng Vương",
        D(2023, 5, 3): "Nghỉ bù Ngày Chiến thắng",
    }


def test_new_year_on_a_saturday():
    days = dict(default_holidays(2028))
    assert days[D(2028, 1, 1)] == "Tết Dương lịch"
    assert days[D(2028, 1, 3)] == "Nghỉ bù Tết Dương lịch"


@pytest.mark.parametrize(
    ("year", "national_day_days"),
    [
        # Monday 2/9: Tuesday 3/9 (announced for 2024: 31/8–3/9).
        (2024, {D(2024, 9, 2): "Quốc khánh", D(2024, 9, 3): "Quốc khánh"}),
        # Tuesday 2/9: Monday 1/9.
        (2025, {D(2025, 9, 1): "Quốc khánh", D(2025, 9, 2): "Quốc khánh"}),
        # Wednesday 2/9: a tie, 1/9.
        (2026, {D(2026, 9, 1): "Quốc khánh", D(2026, 9, 2): "Quốc khánh"}),
        # Thursday 2/9: Friday 3/9.
        (2027, {D(2027, 9, 2): "Quốc khánh", D(2027, 9, 3): "Quốc khánh"}),
        # Friday 2/9: Thursday 1/9 (announced for 2022: 1–4/9).
        (2022, {D(2022, 9, 1): "Quốc khánh", D(2022, 9, 2): "Quốc khánh"}),
        # Saturday 2/9: Friday 1/9 and compensatory Monday 4/9 (announced for 2023: 1–4/9).
        (
            2023,
            {
                D(2023, 9, 1): "Quốc khánh",
                D(2023, 9, 2): "Quốc khánh",
                D(2023, 9, 4): "Nghỉ bù Quốc khánh",
            },
        ),
        # Sunday 2/9: Monday 3/9 and compensatory Tuesday 4/9.
        (
            2029,
            {
                D(2029, 9, 2): "Quốc khánh",
                D(2029, 9, 3): "Quốc khánh",
                D(2029, 9, 4): "Nghỉ bù Quốc khánh",
            },
        ),
    ],
)
def test_national_day_adjacent_day(year, national_day_days):
    days = {
        day: name for day, name in default_holidays(year) if day.month in (8, 9) and day.day <= 5
    }
    assert days == national_day_days
