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
from onestop.blank_forms import BlankForm, blank_form_pdf
from onestop.models import ONESTOP_GROUP, PaperTemplate, Procedure, ProcedurePaper
from onestop.services import APOLOGY_KEY, paper_template_set
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
    basis: tuple[str, ...]  # the cited documents, one per line
    online: str = "full"
    papers: tuple[tuple[str, bool], ...] = field(default_factory=tuple)
    form: BlankForm | None = None  # the blank form of the first paper (the application)

    @property
    def legal_basis(self) -> str:
        return "\n".join(f"{line};" for line in self.basis)


APPLICATION = ("Đơn đề nghị theo mẫu", True)
PHOTO = ("02 ảnh màu 04 cm x 06 cm", False)

# The documents the procedures cite (their legal basis, one per line).
LAW_MEDICAL = "Luật Khám bệnh, chữa bệnh số 40/2009/QH12 ngày 23/11/2009"
DECREE_109 = (
    "Nghị định số 109/2016/NĐ-CP ngày 01/7/2016 của Chính phủ quy định cấp chứng chỉ hành "
    "nghề đối với người hành nghề và cấp giấy phép hoạt động đối với cơ sở khám bệnh, chữa bệnh"
)
FEES_MEDICAL = (
    "Thông tư số 278/2016/TT-BTC ngày 14/11/2016 của Bộ trưởng Bộ Tài chính quy định mức thu, "
    "chế độ thu, nộp, quản lý và sử dụng phí trong lĩnh vực y tế"
)
LAW_PHARMACY = "Luật Dược số 105/2016/QH13 ngày 06/4/2016"
DECREE_54 = (
    "Nghị định số 54/2017/NĐ-CP ngày 08/5/2017 của Chính phủ quy định chi tiết một số điều và "
    "biện pháp thi hành Luật Dược"
)
FEES_PHARMACY = (
    "Thông tư số 277/2016/TT-BTC ngày 14/11/2016 của Bộ trưởng Bộ Tài chính quy định mức thu, "
    "chế độ thu, nộp, quản lý và sử dụng phí trong lĩnh vực dược, mỹ phẩm"
)
LAW_FOOD = "Luật An toàn thực phẩm số 55/2010/QH12 ngày 17/6/2010"
DECREE_15 = (
    "Nghị định số 15/2018/NĐ-CP ngày 02/02/2018 của Chính phủ quy định chi tiết thi hành một "
    "số điều của Luật An toàn thực phẩm"
)
FEES_FOOD = (
    "Thông tư số 279/2016/TT-BTC ngày 14/11/2016 của Bộ trưởng Bộ Tài chính quy định mức thu, "
    "chế độ thu, nộp, quản lý và sử dụng phí trong công tác an toàn thực phẩm"
)
DECREE_98 = (
    "Nghị định số 98/2021/NĐ-CP ngày 08/11/2021 của Chính phủ về quản lý trang thiết bị y tế"
)

# The application forms (mẫu đơn) the procedures' first paper asks for.
PERSON = (
    "Họ và tên",
    "Ngày, tháng, năm sinh",
    "Số định danh cá nhân (số căn cước công dân), ngày cấp, nơi cấp",
    "Địa chỉ thường trú",
    "Điện thoại; thư điện tử",
)
ESTABLISHMENT = (
    "Tên cơ sở",
    "Địa chỉ",
    "Điện thoại; thư điện tử",
    "Họ và tên người đại diện theo pháp luật",
)
PRACTICE_FORM = BlankForm(
    title="Đơn đề nghị cấp chứng chỉ hành nghề khám bệnh, chữa bệnh đối với người Việt Nam",
    prescribed_by="Nghị định số 109/2016/NĐ-CP",
    fields=(
        *PERSON,
        "Văn bằng chuyên môn (tên văn bằng, nơi cấp, năm cấp)",
        "Nơi thực hành và thời gian thực hành",
        "Phạm vi hoạt động chuyên môn đề nghị cấp",
    ),
    request=(
        "Căn cứ Luật Khám bệnh, chữa bệnh, tôi đề nghị {agency} xem xét và cấp chứng chỉ hành "
        "nghề khám bệnh, chữa bệnh cho tôi."
    ),
    slug="don-de-nghi-cap-chung-chi-hanh-nghe-kcb",
)
PRACTICE_REISSUE_FORM = BlankForm(
    title="Đơn đề nghị cấp lại chứng chỉ hành nghề khám bệnh, chữa bệnh",
    prescribed_by="Nghị định số 109/2016/NĐ-CP",
    fields=(
        *PERSON,
        "Số chứng chỉ hành nghề đã được cấp; ngày cấp; nơi cấp",
        "Lý do đề nghị cấp lại (bị mất / bị hư hỏng)",
    ),
    request=(
        "Tôi đề nghị {agency} xem xét và cấp lại chứng chỉ hành nghề khám bệnh, chữa bệnh cho tôi."
    ),
    slug="don-de-nghi-cap-lai-chung-chi-hanh-nghe-kcb",
)


def _licence_form(kind: str) -> BlankForm:
    return BlankForm(
        title=f"Đơn đề nghị cấp giấy phép hoạt động đối với {kind}",
        prescribed_by="Nghị định số 109/2016/NĐ-CP",
        fields=(
            *ESTABLISHMENT,
            "Hình thức tổ chức",
            "Họ và tên người chịu trách nhiệm chuyên môn kỹ thuật; số chứng chỉ hành nghề",
            "Phạm vi hoạt động chuyên môn đề nghị cấp",
            "Thời gian làm việc hằng ngày",
        ),
        request=f"Cơ sở đề nghị {{agency}} xem xét và cấp giấy phép hoạt động đối với {kind}.",
        signer="NGƯỜI ĐẠI DIỆN THEO PHÁP LUẬT",
        slug="don-de-nghi-cap-giay-phep-hoat-dong",
    )


PHARMACIST_FORM = BlankForm(
    title="Đơn đề nghị cấp chứng chỉ hành nghề dược",
    prescribed_by="Nghị định số 54/2017/NĐ-CP",
    fields=(
        *PERSON,
        "Văn bằng chuyên môn",
        "Cơ sở và thời gian thực hành chuyên môn",
        "Vị trí hành nghề đề nghị ghi trên chứng chỉ",
    ),
    request=(
        "Căn cứ Luật Dược, tôi đề nghị {agency} xem xét và cấp chứng chỉ hành nghề dược cho tôi."
    ),
    slug="don-de-nghi-cap-chung-chi-hanh-nghe-duoc",
)


def _pharmacy_business_form(kind: str) -> BlankForm:
    return BlankForm(
        title="Đơn đề nghị cấp giấy chứng nhận đủ điều kiện kinh doanh dược",
        prescribed_by="Nghị định số 54/2017/NĐ-CP",
        fields=(
            *ESTABLISHMENT,
            f"Loại hình cơ sở kinh doanh: {kind}",
            "Họ và tên người chịu trách nhiệm chuyên môn về dược; số chứng chỉ hành nghề dược",
            "Phạm vi kinh doanh đề nghị cấp",
        ),
        request=(
            "Cơ sở đề nghị {agency} xem xét và cấp giấy chứng nhận đủ điều kiện kinh doanh dược."
        ),
        signer="NGƯỜI ĐẠI DIỆN THEO PHÁP LUẬT",
        slug="don-de-nghi-cap-giay-chung-nhan-du-dieu-kien-kinh-doanh-duoc",
    )


FOOD_SERVICE_FORM = BlankForm(
    title="Đơn đề nghị cấp giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm",
    prescribed_by="Luật An toàn thực phẩm số 55/2010/QH12 và các văn bản hướng dẫn",
    fields=(
        *ESTABLISHMENT,
        "Loại hình kinh doanh dịch vụ ăn uống",
        "Quy mô (số suất ăn mỗi ngày)",
        "Số người trực tiếp chế biến, phục vụ",
    ),
    request=(
        "Cơ sở đề nghị {agency} thẩm định và cấp giấy chứng nhận cơ sở đủ điều kiện an toàn "
        "thực phẩm đối với cơ sở kinh doanh dịch vụ ăn uống."
    ),
    signer="CHỦ CƠ SỞ",
    slug="don-de-nghi-cap-giay-chung-nhan-an-toan-thuc-pham",
)
FOOD_ADVERTISING_FORM = BlankForm(
    title="Đơn đề nghị xác nhận nội dung quảng cáo",
    prescribed_by="Nghị định số 15/2018/NĐ-CP",
    fields=(
        "Tên tổ chức, cá nhân đề nghị",
        "Địa chỉ",
        "Điện thoại; thư điện tử",
        "Tên sản phẩm quảng cáo",
        "Số bản công bố sản phẩm / giấy tiếp nhận đăng ký bản công bố",
        "Phương tiện quảng cáo",
    ),
    request="Đề nghị {agency} xem xét và xác nhận nội dung quảng cáo thực phẩm nêu trên.",
    signer="TỔ CHỨC, CÁ NHÂN ĐỀ NGHỊ",
    slug="don-de-nghi-xac-nhan-noi-dung-quang-cao",
)
EQUIPMENT_FORM = BlankForm(
    title="Văn bản công bố đủ điều kiện mua bán trang thiết bị y tế",
    prescribed_by="Nghị định số 98/2021/NĐ-CP",
    fields=(
        *ESTABLISHMENT,
        "Họ và tên người phụ trách chuyên môn; trình độ chuyên môn",
        "Loại trang thiết bị y tế mua bán (B, C, D)",
        "Địa chỉ kho bảo quản và phương tiện vận chuyển",
    ),
    request=(
        "Cơ sở công bố đủ điều kiện mua bán trang thiết bị y tế thuộc loại B, C, D theo quy "
        "định và gửi {agency} hồ sơ kèm theo."
    ),
    signer="NGƯỜI ĐẠI DIỆN THEO PHÁP LUẬT",
    slug="van-ban-cong-bo-du-dieu-kien-mua-ban-ttbyt",
)

PROCEDURES: tuple[ProcedureSpec, ...] = (
    ProcedureSpec(
        "SYT-KCB-01",
        "Cấp chứng chỉ hành nghề khám bệnh, chữa bệnh đối với người Việt Nam",
        "kham-chua-benh",
        "NVY",
        Decimal(10),
        360_000,
        "Chứng chỉ hành nghề khám bệnh, chữa bệnh",
        (LAW_MEDICAL, DECREE_109, FEES_MEDICAL),
        papers=(
            APPLICATION,
            ("Bản sao hợp lệ văn bằng chuyên môn", True),
            ("Giấy xác nhận quá trình thực hành", True),
            ("Giấy chứng nhận đủ sức khỏe hành nghề", True),
            ("Phiếu lý lịch tư pháp", True),
            PHOTO,
        ),
        form=PRACTICE_FORM,
    ),
    ProcedureSpec(
        "SYT-KCB-02",
        "Cấp lại chứng chỉ hành nghề khám bệnh, chữa bệnh do bị mất hoặc hư hỏng",
        "kham-chua-benh",
        "NVY",
        Decimal(5),
        0,
        "Chứng chỉ hành nghề khám bệnh, chữa bệnh",
        (LAW_MEDICAL, DECREE_109),
        papers=(APPLICATION, ("Bản gốc chứng chỉ hành nghề bị hư hỏng (nếu có)", False), PHOTO),
        form=PRACTICE_REISSUE_FORM,
    ),
    ProcedureSpec(
        "SYT-KCB-03",
        "Cấp giấy phép hoạt động đối với phòng khám đa khoa",
        "kham-chua-benh",
        "NVY",
        Decimal(90),
        4_300_000,
        "Giấy phép hoạt động",
        (LAW_MEDICAL, DECREE_109, FEES_MEDICAL),
        online="partial",
        papers=(
            APPLICATION,
            ("Bản sao hợp lệ quyết định thành lập hoặc giấy chứng nhận đăng ký doanh nghiệp", True),
            ("Danh sách người hành nghề và chứng chỉ hành nghề", True),
            ("Bản kê khai cơ sở vật chất, thiết bị y tế", True),
            ("Hồ sơ nhân sự của người làm việc chuyên môn", True),
        ),
        form=_licence_form("phòng khám đa khoa"),
    ),
    ProcedureSpec(
        "SYT-KCB-04",
        "Cấp giấy phép hoạt động đối với phòng khám chuyên khoa",
        "kham-chua-benh",
        "NVY",
        Decimal(90),
        3_100_000,
        "Giấy phép hoạt động",
        (LAW_MEDICAL, DECREE_109, FEES_MEDICAL),
        online="partial",
        papers=(
            APPLICATION,
            ("Bản sao hợp lệ giấy chứng nhận đăng ký doanh nghiệp", True),
            ("Danh sách người hành nghề và chứng chỉ hành nghề", True),
            ("Bản kê khai cơ sở vật chất, thiết bị y tế", True),
        ),
        form=_licence_form("phòng khám chuyên khoa"),
    ),
    ProcedureSpec(
        "SYT-DUOC-01",
        "Cấp chứng chỉ hành nghề dược",
        "duoc-my-pham",
        "NVD",
        Decimal(20),
        500_000,
        "Chứng chỉ hành nghề dược",
        (f"{LAW_PHARMACY} (Điều 24)", DECREE_54, FEES_PHARMACY),
        papers=(
            APPLICATION,
            ("Bản sao có chứng thực văn bằng chuyên môn", True),
            ("Giấy chứng nhận đủ sức khỏe hành nghề dược", True),
            ("Giấy xác nhận thời gian thực hành chuyên môn", True),
            ("Phiếu lý lịch tư pháp", True),
            PHOTO,
        ),
        form=PHARMACIST_FORM,
    ),
    ProcedureSpec(
        "SYT-DUOC-02",
        "Cấp giấy chứng nhận đủ điều kiện kinh doanh dược đối với nhà thuốc",
        "duoc-my-pham",
        "NVD",
        Decimal(20),
        1_000_000,
        "Giấy chứng nhận đủ điều kiện kinh doanh dược",
        (LAW_PHARMACY, DECREE_54, FEES_PHARMACY),
        online="partial",
        papers=(
            APPLICATION,
            ("Tài liệu kỹ thuật về địa điểm, khu vực bảo quản, trang thiết bị", True),
            ("Bản sao có chứng thực chứng chỉ hành nghề dược", True),
            ("Giấy tờ pháp lý của cơ sở", True),
        ),
        form=_pharmacy_business_form("nhà thuốc"),
    ),
    ProcedureSpec(
        "SYT-DUOC-03",
        "Cấp giấy chứng nhận đủ điều kiện kinh doanh dược đối với quầy thuốc",
        "duoc-my-pham",
        "NVD",
        Decimal(20),
        1_000_000,
        "Giấy chứng nhận đủ điều kiện kinh doanh dược",
        (LAW_PHARMACY, DECREE_54, FEES_PHARMACY),
        online="partial",
        papers=(
            APPLICATION,
            ("Tài liệu kỹ thuật về địa điểm, khu vực bảo quản, trang thiết bị", True),
            ("Bản sao có chứng thực chứng chỉ hành nghề dược", True),
        ),
        form=_pharmacy_business_form("quầy thuốc"),
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
        (LAW_FOOD, DECREE_15, f"{FEES_FOOD} (mức phí của cơ sở phục vụ dưới 200 suất ăn)"),
        papers=(
            APPLICATION,
            ("Bản thuyết minh về cơ sở vật chất, trang thiết bị, dụng cụ", True),
            ("Giấy xác nhận đủ sức khỏe của chủ cơ sở và người trực tiếp chế biến", True),
            ("Giấy xác nhận đã được tập huấn kiến thức an toàn thực phẩm", True),
        ),
        form=FOOD_SERVICE_FORM,
    ),
    ProcedureSpec(
        "SYT-ATTP-02",
        "Cấp giấy xác nhận nội dung quảng cáo thực phẩm",
        "an-toan-thuc-pham",
        "NVY",
        Decimal(10),
        1_100_000,
        "Giấy xác nhận nội dung quảng cáo",
        (LAW_FOOD, DECREE_15, FEES_FOOD),
        papers=(
            APPLICATION,
            ("Bản công bố sản phẩm và giấy tiếp nhận", True),
            ("Mẫu nội dung dự kiến quảng cáo (kịch bản, ma-két)", True),
        ),
        form=FOOD_ADVERTISING_FORM,
    ),
    ProcedureSpec(
        "SYT-TTB-01",
        "Công bố đủ điều kiện mua bán trang thiết bị y tế thuộc loại B, C, D",
        "trang-thiet-bi",
        "NVD",
        Decimal(3),
        0,
        "Số công bố đủ điều kiện mua bán trang thiết bị y tế",
        (DECREE_98,),
        papers=(
            ("Văn bản công bố đủ điều kiện mua bán theo mẫu", True),
            ("Bản kê khai nhân sự", True),
        ),
        form=EQUIPMENT_FORM,
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
        existing = Procedure.objects.filter(agency=agency, code=spec.code).first()
        if existing is not None:
            _complete(admin, existing, spec)
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
            legal_basis=spec.legal_basis,
            handling_unit=unit,
            definition=definition,
        )
        ProcedurePaper.objects.bulk_create(
            ProcedurePaper(procedure=procedure, name=name, mandatory=mandatory, order=index)
            for index, (name, mandatory) in enumerate(spec.papers, start=1)
        )
        _add_form(admin, procedure, spec)
        created.append(procedure)
    return created


def _complete(admin: User, procedure: Procedure, spec: ProcedureSpec) -> None:
    """A shipped procedure installed before: fill in what it lacks (an empty legal basis, the
    application's blank form), never what an administrator entered."""
    if not procedure.legal_basis.strip():
        procedure.legal_basis = spec.legal_basis
        procedure.save(update_fields=["legal_basis"])
    _add_form(admin, procedure, spec)


def _add_form(admin: User, procedure: Procedure, spec: ProcedureSpec) -> None:
    """Render the spec's blank form onto its paper (the first one, when it is still the
    shipped one) unless that paper already has a form."""
    if spec.form is None or not spec.papers:
        return
    paper = procedure.papers.filter(name=spec.papers[0][0]).order_by("order", "pk").first()
    if paper is None or PaperTemplate.objects.filter(paper=paper).exists():
        return
    others = [name for name in procedure.papers.exclude(pk=paper.pk).values_list("name", flat=True)]
    content = blank_form_pdf(spec.form, agency_name=procedure.agency.name, papers=others)
    paper_template_set(
        user=admin,
        paper=paper,
        title=spec.form.title,
        name=f"{spec.form.slug}.pdf",
        content=content,
    )
