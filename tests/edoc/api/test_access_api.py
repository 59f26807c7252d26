"""Who sees what through the API: a document one may not see is a 404 on every endpoint,
absent from lists, and leaves no audit entry; one may see but not act on is a 403."""

from __future__ import annotations

import datetime
import io

import pytest
from django.utils import timezone

from edoc.models import Assignment, AuditEntry, Document
from edoc.services.documents import incoming_register
from edoc.services.files import pdf_validate
from edoc.services.handling import document_assign
from tests.edoc.api.conftest import upload

TOMORROW = timezone.localdate() + datetime.timedelta(days=1)


@pytest.fixture
def documents(users, units, catalogs, pdf_bytes):
    """An open document handled by Nghiệp vụ Y, and a confidential one, each with a file."""

    def registered(subject: str, confidentiality, marker: str) -> Document:
        return incoming_register(
            user=users["clerk"],
            subject=subject,
            urgency=catalogs["normal"],
            confidentiality=confidentiality,
            pdf=pdf_validate(io.BytesIO(pdf_bytes([subject, marker])), "vb.pdf"),
        )

    open_document = registered("Về việc phòng chống sốt xuất huyết", catalogs["public"], "open")
    document_assign(
        user=users["director"],
        document=open_document,
        lead_unit=units["medical"],
        deadline=TOMORROW,
    )
    secret = registered("Về việc bảo vệ bí mật nhà nước", catalogs["secret"], "secret")
    return {"open": open_document, "secret": secret}


def endpoints(document: Document) -> list[tuple[str, str, dict, str]]:
    file_id = document.files.get().pk
    base = f"/api/documents/{document.pk}/"
    return [
        ("get", base, {}, "json"),
        ("patch", base, {"note": "xem trộm"}, "json"),
        ("get", f"{base}files/{file_id}/download/", {}, "json"),
        ("post", f"{base}files/", {"file": upload(b"%PDF-1.4 not really")}, "multipart"),
        ("post", f"{base}comments/", {"comment": "?"}, "json"),
        ("post", f"{base}assignments/", {"lead_unit": document.owner_unit_id}, "json"),
        ("post", f"{base}submit/", {}, "json"),
        ("post", f"{base}issue/", {}, "json"),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "which"),
    [
        ("other_specialist", "open"),  # another unit's specialist
        ("centre_clerk", "open"),  # an affiliated unit
        ("director", "secret"),  # no grant for the confidential document
        ("specialist", "secret"),
    ],
)
def test_invisible_documents_are_404_everywhere_and_leave_no_trace(
    api, users, documents, who, which
):
    document = documents[which]
    client = api(users[who])
    before = AuditEntry.objects.count()
    for method, url, data, fmt in endpoints(document):
        response = getattr(client, method)(url, data, format=fmt)
        assert response.status_code == 404, (method, url, response.status_code)
        error = response.json()["error"]
        assert (error["code"], error["fields"]) == ("not_found", {}) and error["message"]
    listed = client.get("/api/documents/", {"page_size": 200}).json()
    assert document.pk not in [row["id"] for row in listed["results"]]
    assert AuditEntry.objects.count() == before
    assert not document.read_receipts.filter(user=users[who]).exists()


@pytest.mark.django_db
def test_visible_documents_per_role(api, users, documents):
    expected = {
        "clerk": {documents["open"].pk, documents["secret"].pk},  # registered both
        "director": {documents["open"].pk},
        "head": {documents["open"].pk},  # lead unit
        "specialist": {documents["open"].pk},  # member of the lead unit
        "other_specialist": set(),
        "centre_clerk": set(),
    }
    for who, ids in expected.items():
        listed = api(users[who]).get("/api/documents/").json()
        assert {row["id"] for row in listed["results"]} == ids, who
        assert listed["count"] == len(ids)


@pytest.mark.django_db
def test_acting_without_the_right_is_403_and_leaves_no_trace(api, users, documents):
    document = documents["open"]
    lead = document.assignments.get(role=Assignment.Role.LEAD)
    specialist = api(users["specialist"])  # sees the document (lead unit) but holds nothing
    before = AuditEntry.objects.count()
    for url, data in (
        (f"/api/assignments/{lead.pk}/complete/", {}),
        (f"/api/assignments/{lead.pk}/forward/", {"to_user": users["specialist"].pk}),
        (f"/api/assignments/{lead.pk}/return/", {"reason": "Không phải việc của tôi"}),
        (f"/api/documents/{document.pk}/assignments/", {"lead_unit": document.owner_unit_id}),
    ):
        response = specialist.post(url, data, format="json")
        assert response.status_code == 403, (url, response.json())
        assert response.json()["error"]["code"] == "permission_denied"
    response = specialist.patch(f"/api/documents/{document.pk}/", {"note": "?"}, format="json")
    assert response.status_code == 403
    assert AuditEntry.objects.count() == before
    lead.refresh_from_db()
    assert lead.status == Assignment.Status.PENDING


@pytest.mark.django_db
def test_assignments_of_invisible_documents_are_404(api, users, documents):
    lead = documents["open"].assignments.get(role=Assignment.Role.LEAD)
    client = api(users["other_specialist"])
    before = AuditEntry.objects.count()
    for action in ("complete", "forward", "return"):
        response = client.post(f"/api/assignments/{lead.pk}/{action}/", {}, format="json")
        assert response.status_code == 404
    assert client.get("/api/assignments/").json()["results"] == []
    assert AuditEntry.objects.count() == before


@pytest.mark.django_db
def test_anonymous_requests_get_401(api, documents):
    client = api(None)
    for url in ("/api/documents/", f"/api/documents/{documents['open'].pk}/", "/api/catalogs/"):
        response = client.get(url)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "not_authenticated"
        assert response["WWW-Authenticate"] == "Token"
