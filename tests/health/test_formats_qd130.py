"""QĐ 130 GIAMDINHHS envelopes: XML1 read into visits, bad HOSO reported one by one."""

import base64
from dataclasses import replace
from datetime import date, datetime

import pytest

from health.formats.qd130 import (
    Qd130Error,
    VisitRecord,
    build_envelope,
    parse_stamp,
    read_envelope,
    read_xml1,
    xml1_bytes,
)
from health.validation import FEMALE, GMT7, MALE

pytestmark = pytest.mark.usefixtures("vietnamese")

TODAY = date(2026, 12, 6)

VISIT = VisitRecord(
    facility_code="75001",
    visit_code="LK0001",
    patient_code="BN123",
    full_name="Nguyễn Thị Hồng Nhung",
    citizen_id="075190001234",
    birth_date=date(1990, 5, 1),
    sex=FEMALE,
    ethnicity_code="01",
    address="Khu phố 3, phường Tân Phong, Biên Hòa",
    province_code="75",
    district_code="731",
    commune_code="26041",
    phone="0912345678",
    insurance_card="GD4751234567890",
    registered_facility="75001",
    main_icd="I10",
    secondary_icds=("E11.9", "J06"),
    admitted_at=datetime(2025, 3, 1, 7, 45, tzinfo=GMT7),
    discharged_at=datetime(2025, 3, 4, 10, 0, tzinfo=GMT7),
    outcome="1",
    discharge_type="1",
    visit_type="03",
)


def hoso(xml1: bytes | None = None, *, raw: str | None = None, kind: str = "XML1") -> str:
    content = raw if raw is not None else base64.b64encode(xml1 or b"").decode()
    part = f"<LOAIHOSO>{kind}</LOAIHOSO><NOIDUNGFILE>{content}</NOIDUNGFILE>"
    return f"<HOSO><FILEHOSO>{part}</FILEHOSO></HOSO>"


def envelope(*items: str, ns: str = "") -> bytes:
    xmlns = f' xmlns="{ns}"' if ns else ""
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\r\n<GIAMDINHHS{xmlns}>'
        "<THONGTINDONVI><MACSKCB>75001"
        f"</MACSKCB></THONGTINDONVI><THONGTINHOSO><NGAYLAP>20250305</NGAYLAP><SOLUONGHOSO>"
        f"{len(items)}</SOLUONGHOSO><DANHSACHHOSO>{''.join(items)}</DANHSACHHOSO></THONGTINHOSO>"
        f"</GIAMDINHHS>"
    ).encode()


def test_a_built_envelope_reads_back_to_the_same_visits():
    second = replace(
        VISIT,
        visit_code="LK0002",
        full_name="Trần Văn An",
        sex=MALE,
        citizen_id="075085004321",
        birth_date=date(1985, 2, 3),
        secondary_icds=(),
    )
    data = build_envelope(
        [VISIT, second],
        "75001",
        date(2025, 3, 5),
        extra_parts={"XML2": b"<CHITIEU_CHITIET_THUOC/>"},
    )
    result = read_envelope(data, today=TODAY)
    assert result.errors == []
    assert result.visits == [VISIT, second]
    assert (result.facility_code, result.created, result.declared_count) == (
        "75001",
        date(2025, 3, 5),
        2,
    )
    assert result.visits[0].row_key == "75001:LK0001"


def test_fields_are_read_from_xml1():
    visit = read_xml1(xml1_bytes(VISIT), today=TODAY)
    assert visit.full_name == "Nguyễn Thị Hồng Nhung"
    assert visit.secondary_icds == ("E11.9", "J06")
    assert visit.admitted_at == datetime(2025, 3, 1, 7, 45, tzinfo=GMT7)
    assert visit.sex == FEMALE and visit.insurance_card == "GD4751234567890"


def test_birth_date_with_hour_and_decomposed_vietnamese_are_accepted():
    xml = xml1_bytes(VISIT).replace(b"<NGAY_SINH>19900501<", b"<NGAY_SINH>199005010830<")
    decomposed = "Nguyễn Thị Hồng Nhung".encode()
    import unicodedata

    xml = xml.replace(decomposed, unicodedata.normalize("NFD", "Nguyễn Thị Hồng Nhung").encode())
    visit = read_xml1(xml, today=TODAY)
    assert visit.birth_date == date(1990, 5, 1)
    assert visit.full_name == "Nguyễn Thị Hồng Nhung"  # NFC


def test_namespaces_and_crlf_are_tolerated():
    xml1 = (
        xml1_bytes(VISIT)
        .replace(b"<TONG_HOP>", b'<TONG_HOP xmlns="urn:x">')
        .replace(b"><", b">\r\n<")
    )
    result = read_envelope(envelope(hoso(xml1), ns="http://example.org/qd130"), today=TODAY)
    assert result.errors == [] and result.visits[0].visit_code == "LK0001"


def test_facility_code_falls_back_to_the_envelope():
    xml1 = xml1_bytes(replace(VISIT, facility_code=""))
    (visit,) = read_envelope(envelope(hoso(xml1)), today=TODAY).visits
    assert visit.facility_code == "75001"


def test_a_bad_hoso_is_reported_and_the_others_are_read():
    good = hoso(xml1_bytes(VISIT))
    items = [
        good,
        hoso(raw="@@not base64@@"),
        hoso(b"<TONG_HOP><MA_LK>X</MA_LK></TONG_HOP>"),
        hoso(xml1_bytes(VISIT), kind="XML2"),
        hoso(b"<TONG_HOP><unclosed></TONG_HOP>"),
        hoso(xml1_bytes(replace(VISIT, discharged_at=datetime(2025, 2, 1, tzinfo=GMT7)))),
        hoso(xml1_bytes(VISIT).replace(b"<NGAY_VAO>202503010745", b"<NGAY_VAO>2025-03-01")),
        hoso(xml1_bytes(VISIT).replace(b"<MA_BENH_CHINH>I10", b"<MA_BENH_CHINH>tim")),
        hoso(raw=""),
        good.replace("LK0001", "LK0001"),
    ]
    result = read_envelope(envelope(*items), today=TODAY)
    assert len(result.visits) == 2
    reasons = dict(result.errors)
    assert sorted(reasons) == [2, 3, 4, 5, 6, 7, 8, 9]
    assert "base64" in reasons[2]
    assert "thiếu HO_TEN, NGAY_SINH, NGAY_VAO" in reasons[3]
    assert "không có phần XML1" in reasons[4]
    assert "XML hợp lệ" in reasons[5]
    assert "Ngày ra (01/02/2025 00:00) trước ngày vào" in reasons[6]
    assert "NGAY_VAO “2025-03-01" in reasons[7]
    assert "ICD-10" in reasons[8]
    assert "trống" in reasons[9]


def test_future_admissions_are_impossible():
    future = replace(VISIT, admitted_at=datetime(2027, 1, 1, tzinfo=GMT7), discharged_at=None)
    (error,) = read_envelope(envelope(hoso(xml1_bytes(future))), today=TODAY).errors
    assert "tương lai" in error[1]


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"", "trống"),
        (b"not xml", "XML hợp lệ"),
        (b"<KHAC/>", "GIAMDINHHS"),
        (b"<GIAMDINHHS/>", "THONGTINHOSO"),
        (
            b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
            b"<GIAMDINHHS>&b;</GIAMDINHHS>",
            "DTD",
        ),
    ],
)
def test_unreadable_files_are_refused_as_a_whole(data, fragment):
    with pytest.raises(Qd130Error, match=fragment):
        read_envelope(data, today=TODAY)


def test_an_entity_inside_a_part_is_refused_for_that_item_only():
    bomb = b'<!DOCTYPE r [<!ENTITY a "x">]><TONG_HOP>&a;</TONG_HOP>'
    result = read_envelope(envelope(hoso(bomb), hoso(xml1_bytes(VISIT))), today=TODAY)
    assert [index for index, _ in result.errors] == [1] and "DTD" in result.errors[0][1]
    assert len(result.visits) == 1


def test_oversized_files_are_refused(monkeypatch):
    monkeypatch.setattr("health.formats.qd130.MAX_FILE_BYTES", 100)
    with pytest.raises(Qd130Error, match="lớn hơn"):
        read_envelope(envelope(hoso(xml1_bytes(VISIT))))


def test_parse_stamp_layouts():
    assert parse_stamp("202503010745", "NGAY_VAO") == datetime(2025, 3, 1, 7, 45, tzinfo=GMT7)
    assert parse_stamp("20250301", "NGAY_VAO") == datetime(2025, 3, 1, tzinfo=GMT7)
    for bad in ("20250230", "2025030107", "", "abcdefgh"):
        with pytest.raises(ValueError, match="yyyyMMdd"):
            parse_stamp(bad, "NGAY_VAO")


def test_an_empty_listing_reads_as_no_visits():
    result = read_envelope(envelope(), today=TODAY)
    assert result.visits == [] and result.errors == [] and result.declared_count == 0
