"""`working_days` and `holidays`: exact output for scripts, clear errors without tracebacks."""

from __future__ import annotations

import datetime
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from workflows import services
from workflows.models import DayKind

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]

HOLIDAYS_2027 = """\
2027-01-01\tTết Dương lịch
2027-02-05\tTết Nguyên đán
2027-02-06\tTết Nguyên đán
2027-02-07\tTết Nguyên đán
2027-02-08\tTết Nguyên đán
2027-02-09\tTết Nguyên đán
2027-02-10\tNghỉ bù Tết Nguyên đán
2027-02-11\tNghỉ bù Tết Nguyên đán
2027-04-16\tGiỗ Tổ Hùng Vương
2027-04-30\tNgày Chiến thắng
2027-05-01\tQuốc tế Lao động
2027-05-03\tNghỉ bù Quốc tế Lao động
2027-09-02\tQuốc khánh
2027-09-03\tQuốc khánh
"""


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_working_days_prints_the_iso_date_only():
    # Giỗ Tổ on Sunday 26/4/2026 gives Monday 27/4 off; 30/4 and 1/5 are holidays.
    assert run("working_days", "--from", "2026-04-24", "--add", "3") == "2026-05-04\n"
    assert run("working_days", "--from", "2026-04-24", "--add", "0") == "2026-04-24\n"
    assert run("working_days", "--from", "2026-05-04", "--add", "-3") == "2026-04-24\n"


def test_working_days_follows_admin_changes(calendar_admin, committed):
    with committed():
        services.add_calendar_day(
            actor=calendar_admin,
            date=datetime.date(2026, 4, 28),
            kind=DayKind.DAY_OFF,
            name="Nghỉ thêm",
        )
    assert run("working_days", "--from", "2026-04-24", "--add", "3") == "2026-05-05\n"


def test_holidays_lists_the_year_tab_separated():
    assert run("holidays", "--year", "2027") == HOLIDAYS_2027


def test_holidays_as_json():
    payload = json.loads(run("holidays", "--year", "2027", "--json"))
    assert payload[0] == {"date": "2027-01-01", "name": "Tết Dương lịch"}
    assert [(row["date"], row["name"]) for row in payload] == [
        tuple(line.split("\t")) for line in HOLIDAYS_2027.splitlines()
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("working_days", "--from", "2026-02-30", "--add", "3"), "not a valid date"),
        (("working_days", "--from", "24/04/2026", "--add", "3"), "expected YYYY-MM-DD"),
        (("working_days", "--from", "2026-04-24", "--add", "three"), "not a whole number"),
        (("working_days", "--from", "2100-12-30", "--add", "5"), "1900 to 2100"),
        (("holidays", "--year", "20x7"), "is not a year"),
        (("holidays", "--year", "2101"), "1900 to 2100"),
    ],
)
def test_bad_arguments_raise_a_command_error(args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def manage(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ("working_days", "--from", "2026-13-01", "--add", "3"),
            1,
            "CommandError: --from: '2026-13-01' is not a valid date (expected YYYY-MM-DD).",
        ),
        (
            ("working_days", "--from", "2026-04-24"),
            2,
            "the following arguments are required: --add",
        ),
        (("holidays", "--year", "1800"), 1, "CommandError: --year: the calendar covers 1900"),
    ],
)
def test_bad_arguments_exit_non_zero_without_a_traceback(args, code, message):
    result = manage(*args)
    assert result.returncode == code
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
