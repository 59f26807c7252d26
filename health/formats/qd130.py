"""Medical visits from the Ministry of Health's XML output for insurance claims, QĐ 130/QĐ-BYT
(18 January 2023, replacing QĐ 4210/QĐ-BYT 2017; amended by QĐ 4750/QĐ-BYT, 29 December 2023).

A file is a `GIAMDINHHS` envelope::

    <GIAMDINHHS>
      <THONGTINDONVI><MACSKCB>75001</MACSKCB></THONGTINDONVI>
      <THONGTINHOSO>
        <NGAYLAP>20250301</NGAYLAP>
        <SOLUONGHOSO>2</SOLUONGHOSO>
        <DANHSACHHOSO>
          <HOSO>
            <FILEHOSO><LOAIHOSO>XML1</LOAIHOSO><NOIDUNGFILE>(base64)</NOIDUNGFILE></FILEHOSO>
            <FILEHOSO><LOAIHOSO>XML2</LOAIHOSO>…</FILEHOSO>
          </HOSO>
        </DANHSACHHOSO>
      </THONGTINHOSO>
    </GIAMDINHHS>

Each HOSO is one visit (lượt khám chữa bệnh); its XML1 (Bảng 1, chỉ tiêu tổng hợp khám bệnh,
chữa bệnh, root `TONG_HOP`) summarises it. This module reads XML1 only (XML2…XML15 — drugs,
services, lab results… — are skipped). The XML1 fields read, as Bảng 1 of QĐ 130 lists them (the
order was checked against a HIS vendor's published export of table `TT_01_TONGHOP`, found with
the `code` search: MA_LK, STT, MA_BN, HO_TEN, SO_CCCD, NGAY_SINH, GIOI_TINH, MA_QUOCTICH,
MA_DANTOC, MA_NGHE_NGHIEP, DIA_CHI, MATINH_CU_TRU, MAHUYEN_CU_TRU, MAXA_CU_TRU, DIEN_THOAI,
MA_THE_BHYT, MA_DKBD, GT_THE_TU, GT_THE_DEN, …, MA_BENH_CHINH, MA_BENH_KT, …, NGAY_VAO,
NGAY_VAO_NOI_TRU, NGAY_RA, …, KET_QUA_DTRI, MA_LOAI_RV, …, MA_LOAI_KCB, MA_KHOA, MA_CSKCB, …):

- MA_LK: the visit's link code, unique within the facility (MA_CSKCB) — with it, the row key.
- NGAY_SINH: yyyyMMdd, or yyyyMMddHHmm (QĐ 4750 allows the hour for newborns).
- GIOI_TINH: 1 male, 2 female, 3 unknown.
- NGAY_VAO / NGAY_RA: yyyyMMddHHmm, Vietnam time.
- MA_BENH_CHINH: ICD-10; MA_BENH_KT: secondary ICD-10 codes separated by ";".
- KET_QUA_DTRI: 1 khỏi, 2 đỡ, 3 không thay đổi, 4 nặng hơn, 5 tử vong, 6 tiên lượng nặng xin
  về, 7 chưa xác định; MA_LOAI_RV: 1 ra viện, 2 chuyển tuyến, 3 trốn viện, 4 xin ra viện,
  5 chuyển tuyến theo yêu cầu.

Reading is bounded: the envelope is refused above MAX_FILE_BYTES, a part above MAX_PART_BYTES,
DTDs and entities are refused (defusedxml), and element names are compared without their
namespace. A HOSO that cannot be read becomes an error (its index, a reason) and the others are
still read. `build_envelope` writes such files (tests, bench).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from xml.etree.ElementTree import Element, ParseError, SubElement, tostring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.utils.translation import gettext as _

from edoc.text import nfc
from health.validation import (
    GMT7,
    check_visit_dates,
    normalise_icd10,
    parse_icd10_list,
    parse_sex,
)

MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_PART_BYTES = 5 * 1024 * 1024  # one visit's summary is a few kilobytes
MAX_ITEMS = 200_000


class Qd130Error(ValueError):
    """The file as a whole cannot be read (not XML, not a GIAMDINHHS envelope, too large)."""


@dataclass(frozen=True)
class VisitRecord:
    """One medical visit, from a HOSO's XML1."""

    facility_code: str  # MA_CSKCB
    visit_code: str  # MA_LK
    patient_code: str  # MA_BN
    full_name: str
    citizen_id: str  # SO_CCCD, "" when absent
    birth_date: date
    sex: str | None  # validation.MALE / FEMALE / None
    ethnicity_code: str
    address: str
    province_code: str
    district_code: str
    commune_code: str
    phone: str
    insurance_card: str
    registered_facility: str  # MA_DKBD
    main_icd: str
    secondary_icds: tuple[str, ...]
    admitted_at: datetime
    discharged_at: datetime | None
    outcome: str  # KET_QUA_DTRI
    discharge_type: str  # MA_LOAI_RV
    visit_type: str = ""  # MA_LOAI_KCB

    @property
    def row_key(self) -> str:
        """Stable across re-imports of the same visit: facility code and MA_LK."""
        return f"{self.facility_code}:{self.visit_code}"


@dataclass
class Qd130File:
    """What a GIAMDINHHS file holds: the visits read and the HOSO that could not be."""

    facility_code: str
    created: date | None
    declared_count: int | None
    visits: list[VisitRecord] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (1-based HOSO index, reason)


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1].upper() if isinstance(tag, str) else ""


def _child(element: Element, name: str) -> Element | None:
    return next((child for child in element if _local(child.tag) == name), None)


def _children(element: Element, name: str) -> list[Element]:
    return [child for child in element if _local(child.tag) == name]


def _text(element: Element | None, name: str) -> str:
    found = _child(element, name) if element is not None else None
    return nfc(found.text or "") if found is not None else ""


def _parse(data: bytes) -> Element:
    try:
        return fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise Qd130Error(
            _("The XML file declares a DTD or entities, which are not accepted.")
        ) from None
    except ParseError as error:
        raise Qd130Error(_("Not a valid XML file (%(error)s).") % {"error": error}) from None


def parse_stamp(value: str, label: str) -> datetime:
    """A QĐ 130 time: yyyyMMddHHmm (or yyyyMMdd, at midnight), Vietnam time."""
    text = value.strip()
    if len(text) in (8, 12) and text.isdigit() and text.isascii():
        hour, minute = (int(text[8:10]), int(text[10:12])) if len(text) == 12 else (0, 0)
        try:  # by hand: strptime is the slowest step of reading a visit
            return datetime(
                int(text[:4]), int(text[4:6]), int(text[6:8]), hour, minute, tzinfo=GMT7
            )
        except ValueError:
            pass
    raise ValueError(
        _("%(label)s “%(value)s” is not shaped yyyyMMdd or yyyyMMddHHmm.")
        % {"label": label, "value": text}
    )


def read_xml1(data: bytes, facility_code: str = "", today: date | None = None) -> VisitRecord:
    """The visit of one XML1 part (root TONG_HOP, or a wrapper holding it). `ValueError` with a
    reason (gettext) when a required field is missing or impossible."""
    root = _parse(data)
    summary = (
        root
        if _local(root.tag) == "TONG_HOP"
        else next((node for node in root.iter() if _local(node.tag) == "TONG_HOP"), None)
    )
    if summary is None:
        raise ValueError(_("XML1 has no TONG_HOP element."))

    fields: dict[str, str] = {}
    for child in summary:  # the first of a repeated field counts, as _child would read it
        fields.setdefault(_local(child.tag), child.text or "")

    def text(name: str) -> str:
        return nfc(fields.get(name, ""))

    missing = [name for name in ("MA_LK", "HO_TEN", "NGAY_SINH", "NGAY_VAO") if not text(name)]
    facility = text("MA_CSKCB") or facility_code
    if not facility:
        missing.append("MA_CSKCB")
    if missing:
        raise ValueError(_("XML1 lacks %(fields)s.") % {"fields": ", ".join(missing)})
    birth = parse_stamp(text("NGAY_SINH"), "NGAY_SINH").date()
    admitted = parse_stamp(text("NGAY_VAO"), "NGAY_VAO")
    discharged = parse_stamp(text("NGAY_RA"), "NGAY_RA") if text("NGAY_RA") else None
    reasons = check_visit_dates(admitted, discharged, birth, today)
    if reasons:
        raise ValueError(" ".join(reasons))
    main = normalise_icd10(text("MA_BENH_CHINH"), "MA_BENH_CHINH") if text("MA_BENH_CHINH") else ""
    secondary = parse_icd10_list(text("MA_BENH_KT"), "MA_BENH_KT")
    return VisitRecord(
        facility_code=facility,
        visit_code=text("MA_LK"),
        patient_code=text("MA_BN"),
        full_name=" ".join(text("HO_TEN").split()),
        citizen_id=text("SO_CCCD"),
        birth_date=birth,
        sex=parse_sex(text("GIOI_TINH")),
        ethnicity_code=text("MA_DANTOC"),
        address=text("DIA_CHI"),
        province_code=text("MATINH_CU_TRU"),
        district_code=text("MAHUYEN_CU_TRU"),
        commune_code=text("MAXA_CU_TRU"),
        phone=text("DIEN_THOAI"),
        insurance_card=text("MA_THE_BHYT").upper(),
        registered_facility=text("MA_DKBD"),
        main_icd=main,
        secondary_icds=secondary,
        admitted_at=admitted,
        discharged_at=discharged,
        outcome=text("KET_QUA_DTRI"),
        discharge_type=text("MA_LOAI_RV"),
        visit_type=text("MA_LOAI_KCB"),
    )


def _xml1_of(hoso: Element) -> bytes:
    for part in _children(hoso, "FILEHOSO"):
        if _text(part, "LOAIHOSO").upper() != "XML1":
            continue
        content = re.sub(r"\s+", "", _text(part, "NOIDUNGFILE"))
        if not content:
            raise ValueError(_("The XML1 part has no content (NOIDUNGFILE is empty)."))
        if len(content) > MAX_PART_BYTES * 4 // 3 + 4:
            raise ValueError(_("The XML1 part is too large."))
        try:
            return base64.b64decode(content, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError(_("The NOIDUNGFILE of XML1 is not valid base64.")) from None
    raise ValueError(_("The HOSO has no XML1 part."))


def envelope_root(data: bytes) -> Element:
    """The GIAMDINHHS root of a file (size, XML and root tag checked); `Qd130Error` otherwise."""
    if not data:
        raise Qd130Error(_("Empty file."))
    if len(data) > MAX_FILE_BYTES:
        raise Qd130Error(
            _("The file is larger than %(size)s MB.") % {"size": MAX_FILE_BYTES // (1024 * 1024)}
        )
    root = _parse(data)
    if _local(root.tag) != "GIAMDINHHS":
        raise Qd130Error(
            _("The root element is %(tag)s, not GIAMDINHHS (QĐ 130).") % {"tag": _local(root.tag)}
        )
    return root


def count_records(data: bytes) -> int:
    """How many HOSO a GIAMDINHHS file holds, without reading their XML1 (the upload check)."""
    return sum(1 for node in envelope_root(data).iter() if _local(node.tag) == "HOSO")


def read_envelope(data: bytes, today: date | None = None) -> Qd130File:
    """The visits of a GIAMDINHHS file, each HOSO read on its own (errors listed, never raised).
    `Qd130Error` when the file itself is not such an envelope."""
    root = envelope_root(data)
    facility = _text(_child(root, "THONGTINDONVI"), "MACSKCB")
    info = _child(root, "THONGTINHOSO")
    if info is None:
        raise Qd130Error(_("The file lacks THONGTINHOSO."))
    created = None
    if _text(info, "NGAYLAP"):
        try:
            created = parse_stamp(_text(info, "NGAYLAP")[:8], "NGAYLAP").date()
        except ValueError:
            created = None
    count_text = _text(info, "SOLUONGHOSO")
    declared = int(count_text) if count_text.isdigit() else None
    listing = _child(info, "DANHSACHHOSO")
    items = _children(listing, "HOSO") if listing is not None else []
    if len(items) > MAX_ITEMS:
        raise Qd130Error(_("The file has more than %(count)s HOSO.") % {"count": MAX_ITEMS})
    result = Qd130File(facility_code=facility, created=created, declared_count=declared)
    for index, hoso in enumerate(items, 1):
        try:
            result.visits.append(read_xml1(_xml1_of(hoso), facility, today))
        except (ValueError, Qd130Error) as error:
            result.errors.append((index, str(error)))
    return result


def _stamp(value: datetime | date) -> str:
    return value.strftime("%Y%m%d%H%M") if isinstance(value, datetime) else value.strftime("%Y%m%d")


def xml1_bytes(visit: VisitRecord, number: int = 1) -> bytes:
    """The XML1 (TONG_HOP) of `visit`, UTF-8."""
    summary = Element("TONG_HOP")
    sex = {"M": "1", "F": "2"}.get(visit.sex or "", "3")
    values = {
        "MA_LK": visit.visit_code,
        "STT": str(number),
        "MA_BN": visit.patient_code,
        "HO_TEN": visit.full_name,
        "SO_CCCD": visit.citizen_id,
        "NGAY_SINH": _stamp(visit.birth_date),
        "GIOI_TINH": sex,
        "MA_QUOCTICH": "000",
        "MA_DANTOC": visit.ethnicity_code,
        "DIA_CHI": visit.address,
        "MATINH_CU_TRU": visit.province_code,
        "MAHUYEN_CU_TRU": visit.district_code,
        "MAXA_CU_TRU": visit.commune_code,
        "DIEN_THOAI": visit.phone,
        "MA_THE_BHYT": visit.insurance_card,
        "MA_DKBD": visit.registered_facility,
        "MA_BENH_CHINH": visit.main_icd,
        "MA_BENH_KT": ";".join(visit.secondary_icds),
        "NGAY_VAO": _stamp(visit.admitted_at),
        "NGAY_RA": _stamp(visit.discharged_at) if visit.discharged_at else "",
        "KET_QUA_DTRI": visit.outcome,
        "MA_LOAI_RV": visit.discharge_type,
        "MA_LOAI_KCB": visit.visit_type,
        "MA_CSKCB": visit.facility_code,
    }
    for name, value in values.items():
        SubElement(summary, name).text = value
    return tostring(summary, encoding="utf-8", xml_declaration=True)


def build_envelope(
    visits: Iterable[VisitRecord],
    facility_code: str,
    created: date,
    extra_parts: dict[str, bytes] | None = None,
) -> bytes:
    """A GIAMDINHHS file with one HOSO per visit (its XML1, then `extra_parts` such as
    {"XML2": b"<CHITIEU_CHITIET_THUOC/>"} in each)."""
    root = Element("GIAMDINHHS")
    SubElement(SubElement(root, "THONGTINDONVI"), "MACSKCB").text = facility_code
    info = SubElement(root, "THONGTINHOSO")
    SubElement(info, "NGAYLAP").text = created.strftime("%Y%m%d")
    count = SubElement(info, "SOLUONGHOSO")
    listing = SubElement(info, "DANHSACHHOSO")
    total = 0
    for total, visit in enumerate(visits, 1):  # noqa: B007 - the count is read after the loop
        hoso = SubElement(listing, "HOSO")
        parts = {"XML1": xml1_bytes(visit, total), **(extra_parts or {})}
        for kind, content in parts.items():
            part = SubElement(hoso, "FILEHOSO")
            SubElement(part, "LOAIHOSO").text = kind
            SubElement(part, "NOIDUNGFILE").text = base64.b64encode(content).decode("ascii")
    count.text = str(total)
    return tostring(root, encoding="utf-8", xml_declaration=True)
