"""The demo seed: complete, realistic, made through the services, and idempotent."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.db import transaction

from edoc.models import (
    Agency,
    Assignment,
    AuditEntry,
    Confidentiality,
    Document,
    DocumentGrant,
    DocumentType,
    ExternalOrganization,
    Field,
    Unit,
    UnitKind,
    Urgency,
    User,
)
from edoc.models.organisation import Role
from edoc.selectors.documents import is_overdue, pending_inbox
from edoc.services.audit import audit_verify

COUNTED = (Document, User, Unit, AuditEntry, Assignment, Field, ExternalOrganization)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


@pytest.fixture(scope="module")
def seeded_once(django_db_setup, django_db_blocker):
    """Seed once for the whole module, inside a transaction rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = io.StringIO()
        call_command("seed_demo", "--count", "60", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def seeded(seeded_once, db) -> str:
    return seeded_once


def test_second_run_creates_nothing(seeded):
    before = counts()
    assert before["Document"] >= 60
    out = io.StringIO()
    call_command("seed_demo", "--count", "60", stdout=out)
    assert counts() == before
    assert "already" in out.getvalue()
    assert audit_verify().ok


def test_audit_chain_verifies_and_every_document_is_audited(seeded):
    result = audit_verify()
    assert result.ok, result.problem
    registered = set(
        AuditEntry.objects.filter(
            action__in=["document.register", "document.create", "document.register_internal"]
        ).values_list("object_id", flat=True)
    )
    assert registered == {str(pk) for pk in Document.objects.values_list("pk", flat=True)}


def test_agency_and_unit_tree(seeded):
    agency = Agency.objects.get()
    agency.full_clean()
    assert (agency.name, agency.short_name, agency.parent_name, agency.place_name) == (
        "Sở Y tế Đồng Nai",
        "SYT",
        "UBND TỈNH ĐỒNG NAI",
        "Đồng Nai",
    )
    board = Unit.objects.get(name="Ban Giám đốc Sở")
    assert board.kind == UnitKind.BOARD and board.parent is None
    offices = set(Unit.objects.filter(kind=UnitKind.OFFICE).values_list("short_name", flat=True))
    assert {"VP", "TTra", "NVY", "NVD", "KHTC", "TCCB"} <= offices
    assert Unit.objects.filter(kind=UnitKind.HOSPITAL).count() >= 5
    centres = Unit.objects.filter(kind=UnitKind.HEALTH_CENTRE)
    assert centres.count() == 11
    assert all(re.match(r"Trung tâm Y tế (huyện|thành phố) ", c.name) for c in centres)
    stations = Unit.objects.filter(kind=UnitKind.COMMUNE_STATION)
    assert stations.exists()
    assert all(s.parent.kind == UnitKind.HEALTH_CENTRE for s in stations)
    for unit in Unit.objects.all():
        unit.full_clean()
    for organization in ExternalOrganization.objects.all():
        organization.full_clean()


def test_demo_logins(seeded):
    expected = {
        "vanthu": (Role.CLERK, "Văn phòng Sở"),
        "chuyenvien": (Role.SPECIALIST, "Phòng Nghiệp vụ Y"),
        "truongphong": (Role.UNIT_HEAD, "Phòng Nghiệp vụ Y"),
        "giamdoc": (Role.DIRECTOR, "Ban Giám đốc Sở"),
        "phogiamdoc": (Role.DEPUTY_DIRECTOR, "Ban Giám đốc Sở"),
        "admin": (Role.ADMIN, "Văn phòng Sở"),
        "vanthu_ttyt_bienhoa": (Role.CLERK, "Trung tâm Y tế thành phố Biên Hòa"),
        "chuyenvien_duoc": (Role.SPECIALIST, "Phòng Nghiệp vụ Dược"),
    }
    for username, (role, unit) in expected.items():
        user = User.objects.get(username=username)
        assert (user.role, user.unit.name) == (role, unit)
        assert user.check_password("demo12345")
    assert User.objects.get(username="truongphong").position == "Trưởng phòng"
    assert User.objects.get(username="giamdoc").position == "Giám đốc"
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    assert set(Role.values) <= set(User.objects.values_list("role", flat=True))
    assert User.objects.get(username="giamdoc").get_full_name() == "Trần Minh Đức"


def test_incoming_documents_match_what_extraction_proposed(seeded):
    incoming = Document.objects.filter(
        direction=Document.Direction.INCOMING, source_document__isnull=True
    )
    assert incoming.count() >= 40
    for document in incoming.select_related("document_type"):
        proposal = document.extraction_proposal
        assert proposal["number"] == document.number
        assert proposal["notation"] == document.notation
        assert proposal["date"] == document.issue_date.isoformat()
        assert proposal["type"] == document.document_type.name
        assert proposal["subject"] == document.subject
        assert proposal["signer"] == document.signer_name
        assert document.files.get().sha256
        assert document.book_number
    assert incoming.filter(issuer_organization__code="000.00.00.H19").exists()


def test_outgoing_numbers_and_internal_copy(seeded):
    issued = Document.objects.filter(
        direction=Document.Direction.OUTGOING, status=Document.Status.ISSUED
    )
    assert issued.exists()
    for document in issued:
        assert re.fullmatch(r"\d{2,}", document.number)
        assert document.notation.startswith("SYT-") or document.notation.endswith("-SYT")
    assert Document.objects.filter(
        direction=Document.Direction.OUTGOING, status=Document.Status.DRAFT
    ).exists()
    copy = Document.objects.get(
        source_document__isnull=False, owner_unit__name="Trung tâm Y tế thành phố Biên Hòa"
    )
    assert copy.direction == Document.Direction.INCOMING
    assert copy.register_book.unit == copy.owner_unit


def test_pending_lists_and_confidential_documents(seeded):
    leader = User.objects.get(username="giamdoc")
    assert pending_inbox(leader).to_assign
    tasks = Assignment.objects.filter(status=Assignment.Status.PENDING)
    assert tasks.exists()
    assert any(is_overdue(a.deadline) for a in tasks)
    assert pending_inbox(User.objects.get(username="vanthu")).to_issue
    confidential = Document.objects.filter(confidentiality__level__gt=0)
    assert confidential.exists()
    for document in confidential:
        assert DocumentGrant.objects.filter(document=document).exists()


def _demo_key(login: str):
    from signing.management.commands.seed_signing import demo_pki_dir
    from tools.testpki.pki import PKCS12_PASSPHRASE

    return (demo_pki_dir() / "demo" / f"{login}.p12").read_bytes(), PKCS12_PASSPHRASE


def test_every_demo_signer_has_their_own_registered_key(seeded):
    """Issue 9 #2: one test key per signing user, registered to their account."""
    from signing.backends.pkcs12 import pkcs12_certificate
    from signing.certificates import holder_name
    from signing.management.commands.seed_signing import DEMO_SIGNERS
    from signing.models import SignerCertificate, TrustRoot

    assert "giamdoc.p12" in seeded and "edoc-test" in seeded
    for login in DEMO_SIGNERS:
        user = User.objects.get(username=login)
        data, passphrase = _demo_key(login)
        certificate = pkcs12_certificate(data, passphrase)
        (registration,) = SignerCertificate.objects.filter(user=user)
        assert registration.status == SignerCertificate.Status.APPROVED
        assert registration.sha256 == certificate.sha256.hex()
        assert holder_name(certificate) == user.get_full_name()
        assert registration.title == user.position
    leaders = User.objects.filter(role__in=[Role.DIRECTOR, Role.DEPUTY_DIRECTOR])
    assert set(leaders.values_list("username", flat=True)) <= set(DEMO_SIGNERS)
    assert TrustRoot.objects.filter(name__contains="eDoc Test Root CA", is_active=True).exists()


def test_a_demo_signer_signs_with_their_own_key_only(seeded):
    """The `make run` scenario: giamdoc signs a draft with var/testpki/demo/giamdoc.p12;
    phogiamdoc's key is refused for him."""
    from edoc.services.documents import outgoing_create
    from edoc.services.files import file_read_verified, pdf_validate
    from signing.backends import Pkcs12Key
    from signing.errors import SigningRefused
    from signing.models import SignatureRecord
    from signing.services.signing import sign_document
    from tests.conftest import make_pdf
    from tests.signing.pdf_tools import visible_text
    from workflows.models import WorkItem
    from workflows.services.processes import work_item_complete

    director = User.objects.get(username="giamdoc")
    draft = outgoing_create(
        user=User.objects.get(username="chuyenvien"),
        subject="Kế hoạch thử ký số bằng khóa của mình",
        document_type=DocumentType.objects.get(abbreviation="KH"),
        urgency=Urgency.objects.get(code="normal"),
        confidentiality=Confidentiality.objects.get(code="normal"),
        signer=director,
        recipient_units=[],
        pdf=pdf_validate(io.BytesIO(make_pdf(["KẾ HOẠCH"])), "ke-hoach.pdf"),
    )
    for _step in range(6):
        item = WorkItem.objects.filter(document=draft, status=WorkItem.Status.OPEN).get()
        if item.action == "sign":
            break
        work_item_complete(user=item.assignee, work_item=item)
    assert item.action == "sign" and item.assignee == director

    with pytest.raises(SigningRefused) as refused:
        sign_document(user=director, document=draft, key=Pkcs12Key(*_demo_key("phogiamdoc")))
    assert "Lê Thị Thanh Hương" in refused.value.messages[0]
    record = sign_document(user=director, document=draft, key=Pkcs12Key(*_demo_key("giamdoc")))
    assert record.kind == SignatureRecord.Kind.CERTIFICATION
    stamp = visible_text(file_read_verified(record.signed_file))
    assert "Trần Minh Đức" in stamp and "Giám đốc" in stamp


@pytest.mark.django_db
def test_the_demo_arrivals_keep_their_order_whatever_the_time_of_the_seed():
    """The documents, their numbers and plans follow the arrivals' order: a seed run in the
    morning, at noon or in the evening makes the same ones (the search quality test reads
    them), and every arrival is before the moment of the seed."""
    import datetime
    import types

    from django.utils import timezone

    from edoc.demo.documents import DocumentSeeder

    orders, today = [], datetime.date(2026, 12, 7)  # a Monday
    for hour in (7, 9, 11, 12, 13, 17, 23):
        seeder = DocumentSeeder(types.SimpleNamespace(users={}), count=200, seed=2023)
        seeder.today = today
        seeder.now = timezone.make_aware(datetime.datetime.combine(today, datetime.time(hour, 5)))
        specs = seeder.incoming_specs(200)
        assert all(spec.extra["received_at"] < seeder.now for spec in specs), hour
        arrived_today = [s for s in specs if timezone.localdate(s.extra["received_at"]) == today]
        assert len(arrived_today) >= 2 or hour < 9, hour
        orders.append([(spec.subject, spec.issue_date) for spec in specs])
    assert all(order == orders[0] for order in orders)
