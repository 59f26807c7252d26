"""The procedures eDoc ships with, their internal processes and the apology approval process
(installed by `python manage.py seed_procedures`, called by `seed_demo`; idempotent, editable).

Procedures: about ten Department of Health procedures with their legal processing times and
fees as set by the cited documents. Codes: the national public-service portal gives each
procedure a code (e.g. "1.00xxxx"); since we could not check those codes here, the catalogue
uses local codes ("SYT-…") that an administrator replaces with the national ones.

Internal process of a dossier (one definition per procedure, its step deadlines share the
procedure's legal time): acceptance by the one-stop officer starts it → the handling unit's head
gives the dossier to a specialist → the specialist appraises it and attaches the result
document (an outgoing document, drafted, signed and issued through the outgoing process) → the
unit head reviews → the director approves (the dossier is processed, status 9) → the one-stop
officer returns the result (status 10).

Apology letter: the unit head, then a leader of the agency approve; the end of the process
moves the appointment and tells the citizen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction

from edoc.models import Agency, Field, Unit, User
from onestop.models import ONESTOP_GROUP, Procedure, ProcedurePaper
from onestop.services import APOLOGY_KEY
from workflows.models import ProcessDefinition
from workflows.services.definitions import definition_create, version_publish

HALF = Decimal("0.5")


@dataclass(frozen=True)
class ProcedureSpec:
    code: str
    name: str
    field: str  # edoc Field code
    unit: str  # handling unit's abbreviation
    days: Decimal
    fee: int
    result: str
    basis: str
    online: str = "full"
    papers: tuple[tuple[str, bool], ...] = field(default_factory=tuple)


APPLICATION = ("Đơn đề nghị theo mẫu", True)
PHOTO = ("02 ảnh màu 04 cm x 06 cm", False)

PROCEDURES: tuple[ProcedureSpec, ...] = (
    ProcedureSpec(
        "SYT-KCB-01",
        "Cấp chứng chỉ hành nghề khám bệnh, chữa bệnh đối với người Việt Nam",
        "kham-chua-benh",
        "NVY",
        Decimal(10),
        360_000,
        "Chứng chỉ hành nghề khám bệnh, chữa bệnh",
        "Luật Khám bệnh, chữa bệnh; phí theo Thông tư 278/2016/TT-BTC",
        papers=(
            APPLICATION,
            ("Bản sao hợp lệ văn bằng chuyên môn", True),
            ("Giấy xác nhận quá trình thực hành", True),
            ("Giấy chứng nhận đủ sức khỏe hành nghề", True),
            ("Phiếu lý lịch tư pháp", True),
            PHOTO,
        ),
    ),
    ProcedureSpec(
        "SYT-KCB-02",
        "Cấp lại chứng chỉ hành nghề khám bệnh, chữa bệnh do bị mất hoặc hư hỏng",
        "kham-chua-benh",
        "NVY",
        Decimal(5),
        0,
        "Chứng chỉ hành nghề khám bệnh, chữa bệnh",
        "Luật Khám bệnh, chữa bệnh",
        papers=(APPLICATION, ("Bản gốc chứng chỉ hành nghề bị hư hỏng (nếu có)", False), PHOTO),
    ),
    ProcedureSpec(
        "SYT-KCB-03",
        "Cấp giấy phép hoạt động đối với phòng khám đa khoa",
        "kham-chua-benh",
        "NVY",
        Decimal(90),
        4_300_000,
        "Giấy phép hoạt động",
        "Luật Khám bệnh, chữa bệnh; phí theo Thông tư 278/2016/TT-BTC",
        online="partial",
        papers=(
            APPLICATION,
            ("Bản sao hợp lệ quyết định thành lập hoặc giấy chứng nhận đăng ký doanh nghiệp", True),
            ("Danh sách người hành nghề và chứng chỉ hành nghề", True),
            ("Bản kê khai cơ sở vật chất, thiết bị y tế", True),
            ("Hồ sơ nhân sự của người làm việc chuyên môn", True),
        ),
    ),
    ProcedureSpec(
        "SYT-KCB-04",
        "Cấp giấy phép hoạt động đối với phòng khám chuyên khoa",
        "kham-chua-benh",
        "NVY",
        Decimal(90),
        3_100_000,
        "Giấy phép hoạt động",
        "Luật Khám bệnh, chữa bệnh; phí theo Thông tư 278/2016/TT-BTC",
        online="partial",
        papers=(
            APPLICATION,
            ("Bản sao hợp lệ giấy chứng nhận đăng ký doanh nghiệp", True),
            ("Danh sách người hành nghề và chứng chỉ hành nghề", True),
            ("Bản kê khai cơ sở vật chất, thiết bị y tế", True),
        ),
    ),
    ProcedureSpec(
        "SYT-DUOC-01",
        "Cấp chứng chỉ hành nghề dược",
        "duoc-my-pham",
        "NVD",
        Decimal(20),
        500_000,
        "Chứng chỉ hành nghề dược",
        "Luật Dược 2016 (Điều 24); phí theo Thông tư 277/2016/TT-BTC",
        papers=(
            APPLICATION,
            ("Bản sao có chứng thực văn bằng chuyên môn", True),
            ("Giấy chứng nhận đủ sức khỏe hành nghề dược", True),
            ("Giấy xác nhận thời gian thực hành chuyên môn", True),
            ("Phiếu lý lịch tư pháp", True),
            PHOTO,
        ),
    ),
    ProcedureSpec(
        "SYT-DUOC-02",
        "Cấp giấy chứng nhận đủ điều kiện kinh doanh dược đối với nhà thuốc",
        "duoc-my-pham",
        "NVD",
        Decimal(20),
        1_000_000,
        "Giấy chứng nhận đủ điều kiện kinh doanh dược",
        "Luật Dược 2016; Nghị định 54/2017/NĐ-CP; phí theo Thông tư 277/2016/TT-BTC",
        online="partial",
        papers=(
            APPLICATION,
            ("Tài liệu kỹ thuật về địa điểm, khu vực bảo quản, trang thiết bị", True),
            ("Bản sao có chứng thực chứng chỉ hành nghề dược", True),
            ("Giấy tờ pháp lý của cơ sở", True),
        ),
    ),
    ProcedureSpec(
        "SYT-DUOC-03",
        "Cấp giấy chứng nhận đủ điều kiện kinh doanh dược đối với quầy thuốc",
        "duoc-my-pham",
        "NVD",
        Decimal(20),
        1_000_000,
        "Giấy chứng nhận đủ điều kiện kinh doanh dược",
        "Luật Dược 2016; Nghị định 54/2017/NĐ-CP; phí theo Thông tư 277/2016/TT-BTC",
        online="partial",
        papers=(
            APPLICATION,
            ("Tài liệu kỹ thuật về địa điểm, khu vực bảo quản, trang thiết bị", True),
            ("Bản sao có chứng thực chứng chỉ hành nghề dược", True),
        ),
    ),
    ProcedureSpec(
        "SYT-ATTP-01",
        "Cấp giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm đối với cơ sở kinh doanh "
        "dịch vụ ăn uống",
        "an-toan-thuc-pham",
        "NVY",
        Decimal(20),
        700_000,
        "Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm",
        "Luật An toàn thực phẩm 2010; phí theo Thông tư 279/2016/TT-BTC (dưới 200 suất ăn)",
        papers=(
            APPLICATION,
            ("Bản thuyết minh về cơ sở vật chất, trang thiết bị, dụng cụ", True),
            ("Giấy xác nhận đủ sức khỏe của chủ cơ sở và người trực tiếp chế biến", True),
            ("Giấy xác nhận đã được tập huấn kiến thức an toàn thực phẩm", True),
        ),
    ),
    ProcedureSpec(
        "SYT-ATTP-02",
        "Cấp giấy xác nhận nội dung quảng cáo thực phẩm",
        "an-toan-thuc-pham",
        "NVY",
        Decimal(10),
        1_100_000,
        "Giấy xác nhận nội dung quảng cáo",
        "Nghị định 15/2018/NĐ-CP; phí theo Thông tư 279/2016/TT-BTC",
        papers=(
            APPLICATION,
            ("Bản công bố sản phẩm và giấy tiếp nhận", True),
            ("Mẫu nội dung dự kiến quảng cáo (kịch bản, ma-két)", True),
        ),
    ),
    ProcedureSpec(
        "SYT-TTB-01",
        "Công bố đủ điều kiện mua bán trang thiết bị y tế thuộc loại B, C, D",
        "trang-thiet-bi",
        "NVD",
        Decimal(3),
        0,
        "Số công bố đủ điều kiện mua bán trang thiết bị y tế",
        "Nghị định 98/2021/NĐ-CP",
        papers=(
            ("Văn bản công bố đủ điều kiện mua bán theo mẫu", True),
            ("Bản kê khai nhân sự", True),
        ),
    ),
)


def _step(step_id, name, action, assignee, days, nxt, *, allow_return=True) -> dict[str, Any]:
    return {
        "id": step_id,
        "name": name,
        "type": "user",
        "action": action,
        "assignee": assignee,
        "deadline": {"days": float(days)},
        "next": nxt,
        "allow_return": allow_return,
    }


def step_days(total: Decimal) -> dict[str, Decimal]:
    """Share the legal time among the steps: half a day for each hand-over, one day for the
    reviews of procedures of ten days or more, the rest for the specialist's appraisal."""
    review = Decimal(1) if total >= 10 else HALF
    shares = {"assign": HALF, "review": review, "approve": review, "return": HALF}
    shares["appraise"] = max(HALF, total - sum(shares.values()))
    return shares


def dossier_graph(total: Decimal) -> dict[str, Any]:
    days = step_days(total)
    unit_head = {"rule": "role", "role": "unit_head", "unit": "owner_unit"}
    return {
        "start": "assign",
        "steps": [
            _step(
                "assign",
                "Lãnh đạo phòng phân công chuyên viên",
                "dossier_assign",
                unit_head,
                days["assign"],
                "appraise",
                allow_return=False,
            ),
            _step(
                "appraise",
                "Chuyên viên thẩm định, trình kết quả",
                "dossier_result",
                {"rule": "subject_handler"},
                days["appraise"],
                "review",
                allow_return=False,
            ),
            _step(
                "review", "Lãnh đạo phòng xem xét", "approve", unit_head, days["review"], "approve"
            ),
            _step(
                "approve",
                "Lãnh đạo Sở phê duyệt kết quả",
                "dossier_finish",
                {"rule": "role", "role": ["director", "deputy_director"], "unit": "agency"},
                days["approve"],
                "return",
            ),
            _step(
                "return",
                "Bộ phận một cửa trả kết quả",
                "dossier_return",
                {"rule": "group", "group": ONESTOP_GROUP},
                days["return"],
                "done",
                allow_return=False,
            ),
            {"id": "done", "name": "Hoàn thành", "type": "end"},
        ],
    }


def apology_graph() -> dict[str, Any]:
    return {
        "start": "unit_review",
        "steps": [
            _step(
                "unit_review",
                "Lãnh đạo phòng xem xét phiếu xin lỗi",
                "approve",
                {"rule": "role", "role": "unit_head", "unit": "owner_unit"},
                HALF,
                "approve",
                allow_return=False,
            ),
            _step(
                "approve",
                "Lãnh đạo Sở duyệt phiếu xin lỗi",
                "approve",
                {"rule": "role", "role": ["director", "deputy_director"], "unit": "agency"},
                HALF,
                "done",
            ),
            {"id": "done", "name": "Hoàn thành", "type": "end"},
        ],
    }


def _definition(admin: User, key: str, name: str, graph: dict[str, Any]) -> ProcessDefinition:
    existing = ProcessDefinition.objects.filter(key=key).first()
    if existing is not None:
        return existing
    definition = definition_create(
        user=admin, key=key, name=name, subject_kind="dossier", graph=graph
    )
    version_publish(user=admin, definition=definition)
    return definition


@transaction.atomic
def install_procedures(*, admin: User, agency: Agency) -> list[Procedure]:
    """Create the shipped procedures, their papers and processes where missing (never changes
    what an administrator edited). Returns the procedures created."""
    Group.objects.get_or_create(name=ONESTOP_GROUP)
    _definition(
        admin, APOLOGY_KEY, "Duyệt phiếu xin lỗi và hẹn lại ngày trả kết quả", apology_graph()
    )
    units = {unit.short_name: unit for unit in Unit.objects.filter(agency=agency)}
    created = []
    for spec in PROCEDURES:
        if Procedure.objects.filter(agency=agency, code=spec.code).exists():
            continue
        unit = units.get(spec.unit) or admin.unit
        definition = _definition(
            admin,
            f"onestop-{spec.code.lower()}",
            f"Giải quyết hồ sơ: {spec.name}"[:200],
            dossier_graph(spec.days),
        )
        procedure = Procedure.objects.create(
            agency=agency,
            code=spec.code,
            name=spec.name,
            field=Field.objects.filter(code=spec.field).first(),
            online_level=spec.online,
            processing_days=spec.days,
            fee=spec.fee,
            result_type=spec.result,
            legal_basis=spec.basis,
            handling_unit=unit,
            definition=definition,
        )
        ProcedurePaper.objects.bulk_create(
            ProcedurePaper(procedure=procedure, name=name, mandatory=mandatory, order=index)
            for index, (name, mandatory) in enumerate(spec.papers, start=1)
        )
        created.append(procedure)
    return created
