"""Generate one PDF of the product in a brand-new Python process (fonts registered, caches
filled or not, exactly as a freshly started server would).

    python -m tests.fresh_process_pdfs GENERATOR OUT.pdf [ARG ...]

Run by tests/test_pdf_fresh_process.py with DJANGO_SETTINGS_MODULE and a DATABASE_URL of an
already migrated SQLite file. Nothing PDF-related is imported before the generator runs.
"""

from __future__ import annotations

import datetime
import sys
from decimal import Decimal
from pathlib import Path


def _agency_and_users():
    from edoc.models import Agency, Unit, User
    from edoc.models.organisation import Role, UnitKind

    agency = Agency.objects.create(
        name="Sở Y tế Đồng Nai",
        short_name="SYT",
        code="000.00.23.H19",
        parent_name="UBND TỈNH ĐỒNG NAI",
        place_name="Đồng Nai",
    )
    office = Unit.objects.create(
        agency=agency, name="Văn phòng Sở", short_name="VP", kind=UnitKind.OFFICE
    )
    clerk = User.objects.create_user(
        username="vanthu",
        password="pw-vanthu",
        unit=office,
        role=Role.CLERK,
        position="Văn thư",
        first_name="Lan",
        last_name="Nguyễn Thị",
    )
    return agency, office, clerk


def _dossier():
    from django.utils import timezone

    from onestop.models import Dossier, Procedure, ProcedurePaper

    agency, office, clerk = _agency_and_users()
    procedure = Procedure.objects.create(
        agency=agency,
        code="1.004616",
        name="Cấp chứng chỉ hành nghề khám bệnh, chữa bệnh",
        processing_days=Decimal(10),
        fee=360_000,
        handling_unit=office,
    )
    ProcedurePaper.objects.create(procedure=procedure, name="Đơn đề nghị", order=1)
    now = timezone.now()
    dossier = Dossier.objects.create(
        code="000.00.23.H19-260105-0001",
        procedure=procedure,
        agency=agency,
        channel="counter",
        applicant_name="Nguyễn Văn Ân",
        applicant_phone="0912345678",
        received_at=now,
        due_at=now + datetime.timedelta(days=14),
        received_by=clerk,
        created_by=clerk,
    )
    return dossier, clerk


def receipt() -> bytes:
    from onestop.pdf import receipt_pdf

    dossier, _clerk = _dossier()
    return receipt_pdf(dossier, tracking_url="https://dichvucong.example.vn/portal/t/x/")


def payment_receipt() -> bytes:
    from django.db import transaction
    from django.utils import timezone

    from payments.models import OrderState, PaymentOrder
    from payments.pdf import receipt_pdf
    from payments.services import receipt_issue

    dossier, clerk = _dossier()
    with transaction.atomic():
        order = PaymentOrder.objects.create(
            code="TT260105ABCDEF01",
            agency=dossier.agency,
            dossier=dossier,
            obligation=f"dossier-fee:{dossier.pk}",
            purpose="Phí, lệ phí hồ sơ 000.00.23.H19-260105-0001",
            payer_name=dossier.applicant_name,
            amount=360_000,
            state=OrderState.PAID,
            provider="cash",
            expires_at=timezone.now(),
            paid_at=timezone.now(),
        )
        receipt = receipt_issue(order, actor=clerk)
    return receipt_pdf(receipt, verify_url="https://dichvucong.example.vn/payments/receipts/x/")


def apology() -> bytes:
    from django.utils import timezone

    from onestop.models import ApologyLetter
    from onestop.pdf import apology_pdf

    dossier, clerk = _dossier()
    letter = ApologyLetter.objects.create(
        dossier=dossier,
        new_due_date=datetime.date(2026, 2, 10),
        reason="Cần xác minh thêm văn bằng chuyên môn",
        status="approved",
        old_due_at=dossier.due_at,
        drafted_by=clerk,
        decided_by=clerk,
        decided_at=timezone.now(),
    )
    return apology_pdf(letter)


def register_book() -> bytes:
    from edoc.exports import register_book_pdf
    from edoc.models import Confidentiality, Urgency
    from edoc.selectors.documents import register_book_entries
    from edoc.services.documents import incoming_register

    _agency, _office, clerk = _agency_and_users()
    document = incoming_register(
        user=clerk,
        subject="Về việc triển khai chuyển đổi số ngành y tế",
        urgency=Urgency.objects.order_by("level").first(),
        confidentiality=Confidentiality.objects.order_by("level").first(),
        issuer="Ủy ban nhân dân tỉnh Đồng Nai",
        number="101",
        notation="KH-UBND",
    )
    book = document.register_book
    return register_book_pdf(book, register_book_entries(clerk, book))


def official_document() -> bytes:
    from edoc.pdfgen import render_pdf, sample_document

    return render_pdf(sample_document())


def demo_paper() -> bytes:
    from onestop.demo import _pdf

    return _pdf("Đơn đề nghị cấp chứng chỉ hành nghề", "Nguyễn Văn Ân")


def signed(p12_path: str, seal_p12_path: str, passphrase: str, draft_path: str) -> bytes:
    """The whole signing chain on a draft: the director's signature with its stamp, the number
    and date filled in, then the organisation seal (PKCS#12 keys of the test PKI)."""
    from django.utils import timezone

    from signing import fields as pdf_fields
    from signing.backends.pkcs12 import Pkcs12Key
    from signing.services.numbering import date_line
    from signing.services.pdf import SigningPolicy, sign_pdf_bytes
    from signing.stamps import PersonalStamp, SealStamp
    from signing.validation.verify import (
        run_coroutine as run,
    )  # also where a loop runs (Playwright)

    now = timezone.now()
    policy = SigningPolicy(
        tsa_url="", fetch_revocation=False, embed_validation_info=False, lta=False
    )
    plan = pdf_fields.FieldPlan()
    content = run(
        sign_pdf_bytes(
            Path(draft_path).read_bytes(),
            Pkcs12Key(Path(p12_path).read_bytes(), passphrase),
            field_name=plan.main_field,
            plan=plan,
            stamp=PersonalStamp(name="Trần Văn Hùng", position="Giám đốc", signed_at=now),
            policy=policy,
            now=now,
        )
    ).content
    content = fill_numbers(content, "Số: 15/KH-SYT", date_line("Đồng Nai", now.date()))
    return run(
        sign_pdf_bytes(
            content,
            Pkcs12Key(Path(seal_p12_path).read_bytes(), passphrase),
            field_name=pdf_fields.SEAL_FIELD,
            plan=plan,
            stamp=SealStamp(agency_name="Sở Y tế Đồng Nai", signed_at=now),
            policy=policy,
            now=now,
        )
    ).content


def fill_numbers(content: bytes, number: str, date: str) -> bytes:
    """What issuance does to a signed draft: fill the number and date fields."""
    import io

    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    from signing import fields as pdf_fields

    writer = IncrementalPdfFileWriter(io.BytesIO(content), strict=False)
    pdf_fields.fill_text_fields(
        writer, {pdf_fields.NUMBER_FIELD: number, pdf_fields.DATE_FIELD: date}
    )
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def seal_picture() -> bytes:
    """The seal's PNG (not a PDF: written as is)."""
    from signing.stamps import seal_png

    return seal_png("Sở Y tế Đồng Nai", "UBND tỉnh Đồng Nai")


GENERATORS = {
    "receipt": receipt,
    "apology": apology,
    "payment_receipt": payment_receipt,
    "register_book": register_book,
    "official_document": official_document,
    "demo_paper": demo_paper,
    "signed": signed,
    "seal_picture": seal_picture,
}


def main(argv: list[str]) -> None:
    name, out, *args = argv
    import django

    django.setup()
    from reportlab.pdfbase import pdfmetrics

    # A fresh process: Django is set up, no PDF has been made, no font registered.
    assert not any(font.startswith("EdocSerif") for font in pdfmetrics.getRegisteredFontNames())
    Path(out).write_bytes(GENERATORS[name](*args))


if __name__ == "__main__":
    main(sys.argv[1:])
