"""The demo organisation: the Đồng Nai Department of Health, its unit tree, demo users, fields
and external organisations, created where missing (existing rows are never changed)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from edoc.demo.issuers import ISSUERS, OTHER_ORGANIZATIONS
from edoc.demo.topics import FIELDS
from edoc.models import Agency, ExternalOrganization, Field, Unit, UnitKind, User
from edoc.models.organisation import Role
from edoc.services.audit import audit_record

DEMO_PASSWORD = "demo12345"  # noqa: S105 - published demo credentials, printed by the command
AGENCY_NAME = "Sở Y tế Đồng Nai"

OFFICES = (
    ("Văn phòng Sở", "VP"),
    ("Thanh tra Sở", "TTra"),
    ("Phòng Tổ chức cán bộ", "TCCB"),
    ("Phòng Kế hoạch - Tài chính", "KHTC"),
    ("Phòng Nghiệp vụ Y", "NVY"),
    ("Phòng Nghiệp vụ Dược", "NVD"),
)
# Hospitals named in the provincial digital-transformation plan.
HOSPITALS = (
    ("Bệnh viện Đa khoa Đồng Nai", "BVĐKĐN"),
    ("Bệnh viện Đa khoa Thống Nhất", "BVĐKTN"),
    ("Bệnh viện Đa khoa khu vực Long Khánh", "BVĐKKVLK"),
    ("Bệnh viện Nhi đồng Đồng Nai", "BVNĐ"),
    ("Bệnh viện Da liễu Đồng Nai", "BVDL"),
)
HEALTH_CENTRES = (
    ("Trung tâm Y tế thành phố Biên Hòa", "TTYT-BH"),
    ("Trung tâm Y tế thành phố Long Khánh", "TTYT-LK"),
    ("Trung tâm Y tế huyện Trảng Bom", "TTYT-TB"),
    ("Trung tâm Y tế huyện Xuân Lộc", "TTYT-XL"),
    ("Trung tâm Y tế huyện Long Thành", "TTYT-LT"),
    ("Trung tâm Y tế huyện Định Quán", "TTYT-ĐQ"),
    ("Trung tâm Y tế huyện Nhơn Trạch", "TTYT-NT"),
    ("Trung tâm Y tế huyện Tân Phú", "TTYT-TP"),
    ("Trung tâm Y tế huyện Thống Nhất", "TTYT-TN"),
    ("Trung tâm Y tế huyện Cẩm Mỹ", "TTYT-CM"),
    ("Trung tâm Y tế huyện Vĩnh Cửu", "TTYT-VC"),
)
COMMUNE_STATIONS = (
    ("TTYT-BH", "Trạm Y tế phường Tân Phong", "TYT-TPH"),
    ("TTYT-BH", "Trạm Y tế phường Trảng Dài", "TYT-TD"),
    ("TTYT-BH", "Trạm Y tế phường Hố Nai", "TYT-HN"),
    ("TTYT-XL", "Trạm Y tế thị trấn Gia Ray", "TYT-GR"),
    ("TTYT-XL", "Trạm Y tế xã Xuân Hiệp", "TYT-XH"),
)


@dataclass(frozen=True)
class DemoUser:
    username: str
    family: str  # họ và tên đệm
    given: str  # tên
    role: str
    unit: str  # unit short name
    position: str


# Names are fictional; get_full_name() puts them in Vietnamese order (last_name first_name).
USERS = (
    DemoUser("vanthu", "Nguyễn Thị Thu", "Trang", Role.CLERK, "VP", "Văn thư"),
    DemoUser("chuyenvien", "Võ Thành", "Nam", Role.SPECIALIST, "NVY", "Chuyên viên"),
    DemoUser("truongphong", "Phạm Thị", "Hoa", Role.UNIT_HEAD, "NVY", "Trưởng phòng"),
    DemoUser("giamdoc", "Trần Minh", "Đức", Role.DIRECTOR, "BGĐ", "Giám đốc"),
    DemoUser("phogiamdoc", "Lê Thị Thanh", "Hương", Role.DEPUTY_DIRECTOR, "BGĐ", "Phó Giám đốc"),
    DemoUser("admin", "Hoàng Quốc", "Bảo", Role.ADMIN, "VP", "Quản trị hệ thống"),
    DemoUser("chanhvanphong", "Bùi Văn", "Thắng", Role.UNIT_HEAD, "VP", "Chánh Văn phòng"),
    DemoUser("chuyenvien_vp", "Đặng Ngọc", "Hân", Role.SPECIALIST, "VP", "Chuyên viên"),
    DemoUser("truongphong_duoc", "Hồ Văn", "Bình", Role.UNIT_HEAD, "NVD", "Trưởng phòng"),
    DemoUser("chuyenvien_duoc", "Đỗ Anh", "Tú", Role.SPECIALIST, "NVD", "Chuyên viên"),
    DemoUser("truongphong_khtc", "Ngô Thị Kim", "Loan", Role.UNIT_HEAD, "KHTC", "Trưởng phòng"),
    DemoUser("truongphong_tccb", "Huỳnh Thanh", "Phong", Role.UNIT_HEAD, "TCCB", "Trưởng phòng"),
    DemoUser("chanhthanhtra", "Mai Xuân", "Lộc", Role.UNIT_HEAD, "TTra", "Chánh Thanh tra"),
    DemoUser("vanthu_ttyt_bienhoa", "Trương Thị", "Mai", Role.CLERK, "TTYT-BH", "Văn thư"),
    DemoUser(
        "giamdoc_ttyt_bienhoa", "Lý Văn", "Sơn", Role.UNIT_HEAD, "TTYT-BH", "Giám đốc Trung tâm"
    ),
)


@dataclass
class Org:
    agency: Agency
    units: dict[str, Unit]
    users: dict[str, User]
    fields: dict[str, Field]
    organizations: dict[str, ExternalOrganization]
    created: Counter

    def summary(self) -> str:
        """What `seed_organisation` created ("already in place" when nothing)."""
        made = ", ".join(f"{n} {what} created" for what, n in self.created.items() if n)
        return "Organisation: " + (made or "already in place")


@transaction.atomic
def seed_organisation(name: str = AGENCY_NAME, short_name: str = "SYT") -> Org:
    """Agency (`EDOC_AGENCY_CODE`; another agency's demo gives its own name), unit tree, users,
    fields and external organisations (created where missing); what was created is audited as
    the demo administrator's."""
    created: Counter = Counter()

    def get_or_create(model, counter: str, defaults: dict | None = None, **lookup):
        obj, made = model.objects.get_or_create(defaults=defaults or {}, **lookup)
        created[counter] += made
        return obj

    code = getattr(settings, "EDOC_AGENCY_CODE", "000.00.23.H19")
    agency = Agency.objects.filter(code=code).first() or Agency.objects.filter(name=name).first()
    if agency is None:
        agency = Agency.objects.create(
            name=name,
            short_name=short_name,
            code=code,
            parent_name="UBND TỈNH ĐỒNG NAI",
            place_name="Đồng Nai",
        )
        created["agencies"] += 1

    units: dict[str, Unit] = {}
    order = 0

    def unit(name: str, short: str, kind: str, parent: Unit | None = None, code: str = "") -> None:
        nonlocal order
        order += 10
        units[short] = get_or_create(
            Unit,
            "units",
            defaults={
                "short_name": short,
                "kind": kind,
                "parent": parent,
                "code": code,
                "sort_order": order,
            },
            agency=agency,
            name=name,
        )

    unit("Ban Giám đốc Sở", "BGĐ", UnitKind.BOARD)
    for name, short in OFFICES:
        unit(name, short, UnitKind.OFFICE)
    for index, (name, short) in enumerate(HOSPITALS, start=1):
        unit(name, short, UnitKind.HOSPITAL, code=f"000.{index:02d}.23.H19")
    for index, (name, short) in enumerate(HEALTH_CENTRES, start=11):
        unit(name, short, UnitKind.HEALTH_CENTRE, code=f"000.{index:02d}.23.H19")
    for parent, name, short in COMMUNE_STATIONS:
        unit(name, short, UnitKind.COMMUNE_STATION, parent=units[parent])

    users: dict[str, User] = {}
    for spec in USERS:
        user = User.objects.filter(username=spec.username).first()
        if user is None:
            user = User.objects.create_user(
                username=spec.username,
                password=DEMO_PASSWORD,
                first_name=spec.given,
                last_name=spec.family,
                email=f"{spec.username}@soyte.dongnai.gov.vn",
                unit=units[spec.unit],
                role=spec.role,
                position=spec.position,
                is_staff=spec.role == Role.ADMIN,
                is_superuser=spec.role == Role.ADMIN,
            )
            created["users"] += 1
        users[spec.username] = user

    fields = {
        code: get_or_create(Field, "fields", defaults={"name": name}, code=code)
        for code, name in FIELDS
    }
    organizations: dict[str, ExternalOrganization] = {}
    for issuer in ISSUERS:
        if issuer.internal:
            continue
        organizations[issuer.key] = get_or_create(
            ExternalOrganization,
            "organizations",
            defaults={
                "name": issuer.name,
                "short_name": issuer.short_name[:30],
                "email": issuer.email,
            },
            code=issuer.code,
        )
    for name, short, org_code, email in OTHER_ORGANIZATIONS:
        get_or_create(
            ExternalOrganization,
            "organizations",
            defaults={"name": name, "short_name": short, "email": email},
            code=org_code,
        )
    if sum(created.values()):
        audit_record(
            actor=users["admin"],
            action="demo.seed_organisation",
            target=agency,
            details=dict(created),
        )
    return Org(agency, units, users, fields, organizations, created)


def demo_logins(org: Org) -> list[str]:
    """The demo accounts, one line each, as `seed_demo` prints them."""
    lines = [f"Demo logins (password: {DEMO_PASSWORD}):"]
    for spec in USERS:
        lines.append(
            f"  {spec.username:<22} {spec.role:<16} {spec.family} {spec.given}, "
            f"{spec.position} — {org.units[spec.unit].name}"
        )
    return lines
