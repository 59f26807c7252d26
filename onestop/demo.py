"""Demo dossiers for `seed_demo` (through the services, so codes, events, processes and audit
entries are real): a few received at the counter, a few submitted online, one waiting for a
supplement, one refused, one stopped, one waiting for its fee. Created once, on an agency
without dossiers."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from reportlab.pdfgen import canvas

from edoc.fonts import register_fonts
from edoc.models import Agency, User
from edoc.models.organisation import Role
from onestop import services
from onestop.models import Dossier, Procedure

APPLICANTS = (
    ("Nguyễn Văn Hải", "0913 201 301", "075090001234", "Phường Tân Phong, TP. Biên Hòa"),
    ("Trần Thị Ngọc Ánh", "0987 202 302", "075190004321", "Phường Xuân An, TP. Long Khánh"),
    ("Lê Minh Tuấn", "0908 203 303", "075088005678", "Xã Phước Thiền, huyện Nhơn Trạch"),
    ("Phạm Thu Hà", "0935 204 304", "075195008765", "Thị trấn Trảng Bom, huyện Trảng Bom"),
    ("Võ Quốc Bảo", "0971 205 305", "075092002468", "Phường Long Bình, TP. Biên Hòa"),
    ("Đặng Thị Hồng", "0962 206 306", "075187001357", "Xã Hố Nai 3, huyện Trảng Bom"),
    ("Bùi Văn Thành", "0944 207 307", "075085009753", "Phường Trảng Dài, TP. Biên Hòa"),
)


def _pdf(title: str, applicant: str) -> bytes:
    font = register_fonts()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, invariant=True)
    pdf.setFont(font, 14)
    pdf.drawString(60, 780, title)
    pdf.setFont(font, 12)
    pdf.drawString(60, 750, f"Người đề nghị: {applicant}")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _files(procedure: Procedure, applicant: str) -> dict[int, SimpleUploadedFile]:
    return {
        paper.pk: SimpleUploadedFile(f"thanh-phan-{paper.order}.pdf", _pdf(paper.name, applicant))
        for paper in procedure.papers.filter(mandatory=True)
    }


def _unit_head_or_leader(dossier: Dossier) -> User | None:
    """Who stops a dossier: the handling unit's head, else the agency's director."""
    people = User.objects.filter(is_active=True).order_by("pk")
    return (
        people.filter(unit=dossier.procedure.handling_unit, role=Role.UNIT_HEAD).first()
        or people.filter(unit__agency=dossier.agency, role=Role.DIRECTOR).first()
    )


def seed_demo_dossiers(*, agency: Agency, officer: User) -> list[Dossier]:
    """The demo dossiers; none when the agency already has some."""
    if Dossier.objects.filter(agency=agency).exists():
        return []
    procedures = list(Procedure.objects.filter(agency=agency, active=True).order_by("code"))
    online = [p for p in procedures if p.accepts_online]
    if not procedures or not online:
        return []
    created = []

    def applicant(index: int) -> dict[str, str]:
        name, phone, id_number, address = APPLICANTS[index % len(APPLICANTS)]
        return {"name": name, "phone": phone, "id_number": id_number, "address": address}

    for index in range(3):  # at the counter: received, processing starts
        procedure = procedures[index % len(procedures)]
        created.append(
            services.dossier_receive_at_counter(
                officer=officer,
                procedure=procedure,
                applicant=applicant(index),
                files=_files(procedure, applicant(index)["name"]),
            )
        )
    for index in range(3, 7):  # online: new, accepted, supplement requested, refused
        procedure = online[index % len(online)]
        draft = services.dossier_save_draft(
            procedure=procedure,
            applicant=applicant(index),
            files=_files(procedure, applicant(index)["name"]),
        )
        created.append(services.dossier_submit_online(dossier=draft))
    # One waits for its fee (status 6), to pay on the portal with the demo's test providers.
    services.dossier_request_payment(
        officer=officer, dossier=created[1], amount=created[1].procedure.fee or 150_000
    )
    services.dossier_accept(officer=officer, dossier=created[4])
    services.dossier_accept(officer=officer, dossier=created[5])
    services.dossier_request_supplement(
        officer=officer,
        dossier=created[5],
        message="Đề nghị bổ sung bản sao có chứng thực văn bằng chuyên môn.",
    )
    services.dossier_reject(
        officer=officer,
        dossier=created[6],
        reason="Hồ sơ không thuộc thẩm quyền giải quyết của Sở Y tế.",
    )
    services.dossier_stop(
        officer=_unit_head_or_leader(created[2]) or officer,
        dossier=created[2],
        reason="Cơ sở không đáp ứng điều kiện về nhân sự theo quy định.",
    )
    return created
