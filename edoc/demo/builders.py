"""Printed documents for the Đồng Nai demo: an incoming document of an issuer on a topic, or a
draft of the department itself, as `edoc.pdfgen.OfficialDocument`s (pure functions; the seeding
in `edoc.demo.documents` registers them through the services).
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from edoc.demo.issuers import Issuer, Signer
from edoc.demo.topics import OutgoingTopic, Topic
from edoc.pdfgen import OfficialDocument

# Who proposes a Quyết định ("Theo đề nghị của ..."), by issuer.
PROPOSERS = {
    "ubnd": "Giám đốc Sở Y tế",
    "byt": "Vụ trưởng Vụ Kế hoạch - Tài chính",
    "qld": "Trưởng phòng Quản lý chất lượng thuốc",
    "stc": "Trưởng phòng Tài chính hành chính sự nghiệp",
    "snv": "Trưởng phòng Tổ chức, biên chế và tổ chức phi chính phủ",
    "skhdt": "Trưởng phòng Khoa giáo - Văn xã",
}


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


# --- Helpers ------------------------------------------------------------------------------


def quarter_of(day: datetime.date) -> int:
    return (day.month - 1) // 3 + 1


def fill(template: str, day: datetime.date) -> str:
    """Fill {year} {prev} {next} {quarter} {month} from a date."""
    return template.format(
        year=day.year,
        prev=day.year - 1,
        next=day.year + 1,
        quarter=("I", "II", "III", "IV")[quarter_of(day) - 1],
        month=day.month,
    )


def working_day(day: datetime.date) -> datetime.date:
    """The same day, or the next Monday when it falls on a weekend."""
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


def _short_date(day: datetime.date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def _basis_lines(basis: tuple[str, ...], last: str) -> list[str]:
    lines = [f"Căn cứ {item};" for item in basis]
    if lines:
        lines[-1] = lines[-1].rstrip(";") + ";"
    lines.append(last)
    return lines


@dataclass
class IncomingSpec:
    """One incoming document to create: what is printed, and what the clerk should confirm."""

    issuer: Issuer
    topic: Topic
    type_name: str
    issue_date: datetime.date
    number: str = ""
    notation: str = ""
    subject: str = ""
    signer: Signer | None = None
    confidential: bool = False
    urgent: bool = False
    document: OfficialDocument | None = None
    extra: dict = field(default_factory=dict)


def incoming_notation(issuer: Issuer, type_name: str, rng: random.Random) -> str:
    from edoc.extraction import DOCUMENT_TYPE_ABBREVIATIONS

    abbreviation = DOCUMENT_TYPE_ABBREVIATIONS.get(type_name, "")
    if abbreviation:
        return f"{abbreviation}-{issuer.abbreviation}"
    return f"{issuer.abbreviation}-{rng.choice(issuer.letter_units)}"


def build_incoming(spec: IncomingSpec, rng: random.Random) -> OfficialDocument:
    """The printed document of an incoming spec (addressed to the Department of Health)."""
    issuer, topic, day = spec.issuer, spec.topic, spec.issue_date
    signer = spec.signer or rng.choice(issuer.signers)
    details = list(topic.details)
    rng.shuffle(details)
    details = details[: rng.randint(2, len(details))]
    me = issuer.name_in_text
    deadline = working_day(day + datetime.timedelta(days=rng.choice((10, 15, 20, 30))))
    addressees: list[str] = []
    authority_title = ""
    archive = f"Lưu: {issuer.archive}"
    recipients = ["Như trên"]
    body: list[str]

    if spec.type_name == "Công văn":
        if issuer.internal or rng.random() < 0.5:
            addressees = ["Sở Y tế tỉnh Đồng Nai"]
        else:
            addressees = [
                "Sở Y tế",
                rng.choice(["Sở Tài chính", "Sở Nội vụ", "Sở Thông tin và Truyền thông"]),
                "UBND các huyện, thành phố",
            ]
        opening = (
            f"Thực hiện {topic.basis[0]}, {me} đề nghị Sở Y tế {topic.purpose}, cụ thể như sau:"
            if topic.basis
            else f"Để {topic.purpose}, {me} đề nghị các cơ quan, đơn vị thực hiện một số nội dung "
            "sau:"
        )
        if issuer.internal:
            opening = (
                f"{me} kính báo cáo Sở Y tế về việc {fill(topic.subjects['Công văn'], day)} "
                "như sau:"
            )
        body = [opening]
        body += [f"{index}. {text}" for index, text in enumerate(details, start=1)]
        body.append(
            f"Đề nghị các cơ quan, đơn vị triển khai thực hiện và báo cáo kết quả về {me} trước "
            f"ngày {_short_date(deadline)}./."
            if not issuer.internal
            else f"{me} kính đề nghị Sở Y tế xem xét, hỗ trợ./."
        )
    elif spec.type_name == "Quyết định":
        authority_title = (
            issuer.decision_authority
            if issuer.key == "ubnd"
            else issuer.decision_authority or f"THỦ TRƯỞNG {issuer.header}"
        )
        body = _basis_lines(
            ("Luật Tổ chức chính quyền địa phương ngày 19/6/2015", *topic.basis)
            if issuer.key == "ubnd"
            else topic.basis,
            f"Theo đề nghị của {PROPOSERS.get(issuer.key, 'Chánh Văn phòng')}.",
        )
        body.append("# QUYẾT ĐỊNH:")
        body.append(
            f"Điều 1. {_upper_first(spec.subject.removeprefix('Về việc '))}, nhằm {topic.purpose}."
        )
        body += [f"- {text}" for text in details]
        body.append("Điều 2. Quyết định này có hiệu lực kể từ ngày ký.")
        body.append(
            "Điều 3. Chánh Văn phòng, Giám đốc Sở Y tế, Thủ trưởng các cơ quan, đơn vị có liên "
            "quan chịu trách nhiệm thi hành Quyết định này./."
        )
        recipients = ["Như Điều 3", "Lãnh đạo cơ quan"]
    elif spec.type_name == "Giấy mời":
        meeting = working_day(day + datetime.timedelta(days=rng.randint(3, 8)))
        body = [
            f"{me} trân trọng kính mời đại diện lãnh đạo Sở Y tế tham dự "
            f"{_lower_first(spec.subject.removeprefix('Dự '))}.",
            f"Thời gian: 08 giờ 00 phút, ngày {_short_date(meeting)}.",
            f"Địa điểm: Hội trường {rng.choice(['A', 'B', 'tầng 3'])}, {me}.",
            "Đề nghị quý đại biểu chuẩn bị ý kiến tham luận về nội dung: "
            + _lower_first(details[0]),
            "Rất mong quý đại biểu tham dự đúng thời gian./.",
        ]
        recipients = ["Như trên", "Các đơn vị có liên quan"]
    elif spec.type_name == "Tờ trình":
        addressees = ["Sở Y tế tỉnh Đồng Nai"]
        body = _basis_lines(
            topic.basis,
            f"{me} kính trình Sở Y tế xem xét, phê duyệt nội dung như sau:",
        )
        body.append("## I. SỰ CẦN THIẾT")
        body.append(
            f"Để {topic.purpose}, việc {_lower_first(spec.subject)} là cần thiết, phù hợp với "
            "nhu cầu khám bệnh, chữa bệnh của người dân trên địa bàn."
        )
        body.append("## II. NỘI DUNG ĐỀ NGHỊ")
        body += [f"{index}. {text}" for index, text in enumerate(details, start=1)]
        body.append(f"{me} kính trình Sở Y tế xem xét, phê duyệt./.")
    elif spec.type_name == "Báo cáo":
        body = _basis_lines(topic.basis, f"{me} báo cáo kết quả thực hiện như sau:")
        body.append("## I. KẾT QUẢ THỰC HIỆN")
        body += [f"{index}. {text}" for index, text in enumerate(details, start=1)]
        body.append("## II. TỒN TẠI, HẠN CHẾ")
        body.append(
            "Một số đơn vị chưa bố trí đủ nhân lực chuyên trách; hạ tầng công nghệ thông tin tại "
            "một số trạm y tế chưa bảo đảm; kinh phí thực hiện còn hạn chế."
        )
        body.append("## III. ĐỀ XUẤT, KIẾN NGHỊ")
        body.append(
            f"Để {topic.purpose}, {me} kính đề nghị cấp có thẩm quyền quan tâm, hỗ trợ kinh phí "
            "và hướng dẫn chuyên môn./."
        )
    else:  # Kế hoạch, Thông báo, Hướng dẫn
        body = _basis_lines(topic.basis, f"{me} ban hành {spec.type_name} như sau:")
        body.append("## I. MỤC ĐÍCH, YÊU CẦU")
        body.append(
            f"Nhằm {topic.purpose}; xác định rõ trách nhiệm của từng cơ quan, đơn vị trong tổ "
            "chức thực hiện."
        )
        body.append("## II. NỘI DUNG THỰC HIỆN")
        body += [f"{index}. {text}" for index, text in enumerate(details, start=1)]
        body.append("## III. TỔ CHỨC THỰC HIỆN")
        body.append(
            f"Sở Y tế chủ trì, phối hợp với các sở, ngành, UBND các huyện, thành phố triển khai "
            f"thực hiện; định kỳ báo cáo kết quả về {me} trước ngày {_short_date(deadline)}./."
        )
    recipients.append(archive)
    return OfficialDocument(
        governing_body=issuer.governing_body,
        issuer=issuer.header,
        number=spec.number,
        notation=spec.notation,
        place=issuer.place,
        date=day,
        type_name=spec.type_name,
        subject=spec.subject,
        body=body,
        recipients=recipients,
        signing_authority=signer.authority,
        signer_position=signer.position,
        signer_name=signer.name,
        addressees=addressees,
        authority_title=authority_title,
    )


def build_outgoing(
    topic: OutgoingTopic,
    subject: str,
    day: datetime.date | None,
    *,
    signer_name: str,
    signer_position: str,
    unit_short: str,
    recipient_names: list[str],
    rng: random.Random,
    today: datetime.date,
) -> OfficialDocument:
    """A draft of the department (number left blank for the clerk). It carries every point of
    its topic, in an order of its own: which words a draft holds must not depend on the random
    draws before it (they follow the arrivals of the day, and so the time of the seed)."""
    details = list(topic.details)
    rng.shuffle(details)
    reference = day or today
    deadline = working_day(reference + datetime.timedelta(days=15))
    addressees: list[str] = []
    authority_title = ""
    if topic.type_name == "Công văn":
        addressees = recipient_names or ["Các đơn vị trực thuộc"]
        body = [
            f"Nhằm {_lower_first(subject)}, Sở Y tế đề nghị các đơn vị thực hiện các nội dung sau:"
        ]
        body += [f"{index}. {text}" for index, text in enumerate(details, start=1)]
        body.append(
            f"Các đơn vị báo cáo kết quả thực hiện về Sở Y tế (qua {_unit_label(unit_short)}) "
            f"trước ngày {_short_date(deadline)}./."
        )
    elif topic.type_name == "Quyết định":
        authority_title = "GIÁM ĐỐC SỞ Y TẾ"
        body = [
            "Căn cứ Quyết định số 08/2021/QĐ-UBND ngày 10/3/2021 của UBND tỉnh Đồng Nai quy định "
            "chức năng, nhiệm vụ, quyền hạn và cơ cấu tổ chức của Sở Y tế;",
            "Theo đề nghị của Chánh Văn phòng Sở.",
            "# QUYẾT ĐỊNH:",
            f"Điều 1. {_upper_first(subject.removeprefix('Về việc '))}.",
        ]
        body += [f"- {text}" for text in details]
        body += [
            "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.",
            "Điều 3. Chánh Văn phòng Sở, Trưởng các phòng chức năng, Thủ trưởng các đơn vị trực "
            "thuộc chịu trách nhiệm thi hành Quyết định này./.",
        ]
    else:
        if topic.type_name == "Tờ trình":
            addressees = ["Ủy ban nhân dân tỉnh Đồng Nai"]
        body = [
            "Căn cứ Quyết định số 5316/QĐ-BYT ngày 22/12/2020 của Bộ trưởng Bộ Y tế ban hành "
            "Chương trình chuyển đổi số y tế đến năm 2025 và định hướng đến năm 2030;"
            if topic.digital
            else "Căn cứ chức năng, nhiệm vụ, quyền hạn của Sở Y tế;",
            f"Sở Y tế {'kính trình' if topic.type_name == 'Tờ trình' else 'ban hành'} "
            f"{topic.type_name} với các nội dung như sau:",
            "## I. MỤC ĐÍCH, YÊU CẦU",
            "Nâng cao chất lượng chăm sóc sức khỏe nhân dân; hướng tới mô hình Ngành Y tế thông "
            "minh trên nền tảng công nghệ 4.0.",
            "## II. NỘI DUNG",
        ]
        body += [f"{index}. {text}" for index, text in enumerate(details, start=1)]
        body += [
            "## III. TỔ CHỨC THỰC HIỆN",
            f"{_unit_label(unit_short)} chủ trì, phối hợp với các phòng chức năng, các đơn vị "
            "trực thuộc triển khai thực hiện; trong quá trình thực hiện, nếu có khó khăn, vướng "
            "mắc, các đơn vị báo cáo về Sở Y tế để được hướng dẫn, giải quyết./.",
        ]
    recipients = (
        (["Như trên"] if addressees else [])
        + (recipient_names[:4] or ["Các đơn vị trực thuộc"])
        + ["Giám đốc, các Phó Giám đốc Sở", f"Lưu: VT, {unit_short}"]
    )
    authority = "" if signer_position.upper() == "GIÁM ĐỐC" else "KT. GIÁM ĐỐC"
    return OfficialDocument(
        governing_body="UBND TỈNH ĐỒNG NAI",
        issuer="SỞ Y TẾ",
        number="",
        notation="",  # filled in by the caller
        place="Đồng Nai",
        date=None,
        type_name=topic.type_name,
        subject=subject,
        body=body,
        recipients=recipients,
        signing_authority=authority,
        signer_position=signer_position.upper(),
        signer_name=signer_name,
        addressees=addressees if topic.type_name in ("Công văn", "Tờ trình") else [],
        authority_title=authority_title,
    )


_UNIT_LABELS = {
    "VP": "Văn phòng Sở",
    "NVY": "Phòng Nghiệp vụ Y",
    "NVD": "Phòng Nghiệp vụ Dược",
    "KHTC": "Phòng Kế hoạch - Tài chính",
    "TCCB": "Phòng Tổ chức cán bộ",
    "TTra": "Thanh tra Sở",
}


def _unit_label(short: str) -> str:
    return _UNIT_LABELS.get(short, "Văn phòng Sở")
