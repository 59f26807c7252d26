"""Conditions and deadlines in words (issue 9, item 12): what the diagram, the steps table and
the test run show instead of expressions."""

from __future__ import annotations

import pytest
from django.utils import translation

from workflows.wording import deadline_label, describe_condition

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _vietnamese():
    with translation.override("vi"):
        yield


@pytest.mark.parametrize(
    ("condition", "words"),
    [
        (
            'type in ("QĐ","QC") and urgency != "normal"',
            "Loại văn bản là Quyết định hoặc Quy chế và độ khẩn khác Thường",
        ),
        ('type in ("NQ", "QĐ", "CT")', "Loại văn bản là Nghị quyết, Quyết định hoặc Chỉ thị"),
        ('type == ""', "Loại văn bản là Công văn"),
        ('type not in ("QĐ", "")', "Loại văn bản không thuộc Quyết định, Công văn"),
        ("confidential", "Văn bản mật"),
        (
            "not confidential or urgency_level >= 2",
            "Văn bản không mật hoặc mức độ khẩn từ 2 trở lên",
        ),
        ('confidentiality == "secret"', "Độ mật là Tối mật"),
        ('registry != "agency"', "Sổ văn bản khác sổ của cơ quan"),
        ("lead_is_person", "Xử lý chính được giao cho cá nhân"),
        ("lead_is_person == False", "Xử lý chính được giao cho đơn vị"),
        ("amount >= 50000000", "Số tiền từ 50.000.000 trở lên"),
        ('unit == "NVY"', "Đơn vị quản lý là Phòng Nghiệp vụ Y"),
        ('channel == "online"', "Hình thức nộp hồ sơ là trực tuyến"),
        ("field == None", "Lĩnh vực để trống"),
        (
            'confidential and (urgency == "flash" or direction == "outgoing")',
            "Văn bản mật và (độ khẩn là Hỏa tốc hoặc chiều văn bản là đi)",
        ),
        ('"normal" != urgency', "Độ khẩn khác Thường"),
    ],
)
def test_conditions_read_as_sentences(units, condition, words):
    assert describe_condition(condition) == words


def test_codes_without_a_catalog_entry_are_quoted():
    assert describe_condition('unit == "XYZ"') == "Đơn vị quản lý là “XYZ”"


def test_an_unreadable_condition_is_shown_as_written():
    assert describe_condition("amount >") == "amount >"


def test_english_when_english_is_chosen():
    with translation.override("en"):
        words = describe_condition('type in ("QĐ","QC") and urgency != "normal"')
    assert words == "Document type is Quyết định or Quy chế and urgency is not Thường"


def test_deadlines_in_words_with_vietnamese_decimals():
    assert deadline_label({"days": 0.5}) == "0,5 ngày làm việc"
    assert deadline_label({"days": 7.0}) == "7 ngày làm việc"
    assert deadline_label({"hours": 4}) == "4 giờ làm việc"
    assert deadline_label(None) == ""
