"""Token, throttling, the OpenAPI schema and docs, catalogs, list filters."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from edoc.models import Document, RegisterBook
from edoc.services.documents import incoming_register, outgoing_create
from edoc.services.files import pdf_validate


@pytest.mark.django_db
def test_token_is_issued_for_valid_credentials_and_works(api, users, audit):
    watch = audit()
    response = api(None).post(
        "/api/auth/token/", {"username": "vanthu", "password": "pw-vanthu"}, format="json"
    )
    assert response.status_code == 200, response.json()
    token = response.json()["token"]
    assert response.json()["user"]["username"] == "vanthu"
    assert watch.actions() == ["identity.api_token_created", "auth.token"]
    assert "pw-vanthu" not in str([entry.details for entry in watch.entries()])

    client = api(None)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/documents/").status_code == 200
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    response = client.get("/api/documents/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


@pytest.mark.django_db
def test_wrong_password_is_refused_and_recorded(api, users, audit):
    watch = audit()
    response = api(None).post(
        "/api/auth/token/", {"username": "vanthu", "password": "sai"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_credentials"
    [entry] = watch.entries()
    assert entry.action == "auth.token_denied" and entry.details == {"username": "vanthu"}


@pytest.mark.django_db
def test_token_endpoint_is_rate_limited_per_address(api, users):
    client = api(None)
    statuses = [
        client.post(
            "/api/auth/token/", {"username": "vanthu", "password": f"sai-{n}"}, format="json"
        ).status_code
        for n in range(11)
    ]
    assert statuses == [400] * 10 + [429]
    response = client.post(
        "/api/auth/token/", {"username": "vanthu", "password": "pw-vanthu"}, format="json"
    )
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    assert int(response["Retry-After"]) > 0
    # A forged X-Forwarded-For does not reset the counter.
    response = client.post(
        "/api/auth/token/",
        {"username": "vanthu", "password": "pw-vanthu"},
        format="json",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    assert response.status_code == 429


@pytest.mark.django_db
def test_schema_and_docs_are_served(api, users):
    response = api(None).get("/api/schema/")
    assert response.status_code == 200
    schema = response.content.decode()
    for path in (
        "/api/documents/{document_id}/files/{file_id}/download/",
        "/api/documents/incoming/",
        "/api/assignments/{assignment_id}/complete/",
        "/api/auth/token/",
    ):
        assert path in schema
    assert "auth_token" in schema  # the throttle scope is documented
    response = api(None).get("/api/docs/")
    assert response.status_code == 200
    assert b"swagger-ui" in response.content


def test_schema_generates_without_warnings(tmp_path):
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml")
    )


@pytest.mark.django_db
def test_catalogs(api, users, catalogs):
    api(users["clerk"]).post(  # creates this year's incoming book
        "/api/documents/incoming/", {"subject": "Về việc A"}, format="multipart"
    )
    body = api(users["clerk"]).get("/api/catalogs/").json()
    assert {"id": catalogs["types"]["KH"].pk, "name": "Kế hoạch", "abbreviation": "KH"} in body[
        "document_types"
    ]
    assert [u["code"] for u in body["urgencies"]] == ["normal", "urgent", "very-urgent", "flash"]
    assert [c["code"] for c in body["confidentialities"]][:2] == ["normal", "confidential"]
    assert {u["short_name"] for u in body["units"]} >= {"VP", "NVY", "NVD", "TTYTBH"}
    assert "giamdoc" in {u["username"] for u in body["users"]}
    assert body["external_organizations"][0]["code"] == "000.00.00.H19"
    [book] = body["register_books"]
    assert (book["kind"], book["year"], book["is_confidential"]) == (
        "incoming",
        timezone.localdate().year,
        False,
    )
    assert api(users["specialist"]).get("/api/catalogs/").json()["register_books"] == []
    assert RegisterBook.objects.count() == 1  # reading the catalogs created nothing


@pytest.mark.django_db
def test_list_filters(api, users, catalogs):
    def incoming(subject: str, **fields) -> Document:
        return incoming_register(
            user=users["clerk"],
            subject=subject,
            urgency=fields.pop("urgency", catalogs["normal"]),
            confidentiality=catalogs["public"],
            **fields,
        )

    plan = incoming(
        "Kế hoạch phòng chống dịch",
        number="15",
        notation="KH-UBND",
        document_type=catalogs["types"]["KH"],
        urgency=catalogs["urgent"],
    )
    decision = incoming("Quyết định khen thưởng", number="215", notation="QĐ-UBND")
    draft = outgoing_create(
        user=users["clerk"],
        subject="Công văn trả lời",
        document_type=catalogs["types"]["CV"],
        urgency=catalogs["normal"],
        confidentiality=catalogs["public"],
    )
    client = api(users["clerk"])

    def ids(**params) -> list[int]:
        response = client.get("/api/documents/", params)
        assert response.status_code == 200, response.json()
        return sorted(row["id"] for row in response.json()["results"])

    assert ids() == sorted([plan.pk, decision.pk, draft.pk])
    assert ids(direction="incoming") == sorted([plan.pk, decision.pk])
    assert ids(direction="outgoing", status="draft") == [draft.pk]
    assert ids(urgency="urgent") == [plan.pk]
    assert ids(document_type=catalogs["types"]["KH"].pk) == [plan.pk]
    assert ids(q="khen thưởng") == [decision.pk]
    assert ids(q="15/KH-UBND") == [plan.pk]
    assert ids(q="215") == [decision.pk]
    assert ids(year=timezone.localdate().year) == sorted([plan.pk, decision.pk, draft.pk])
    assert ids(year=2001) == []
    response = client.get("/api/documents/", {"page_size": 2})
    assert response.json()["count"] == 3 and len(response.json()["results"]) == 2
    assert response.json()["next"]
    response = client.get("/api/documents/", {"direction": "sideways"})
    assert response.status_code == 400
    assert "direction" in response.json()["error"]["fields"]


@pytest.mark.django_db
def test_assignment_list_filters_by_status(api, users, units, catalogs, pdf_bytes):
    from edoc.services.handling import assignment_complete, document_assign

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    documents = [
        incoming_register(
            user=users["clerk"],
            subject=f"Văn bản {n}",
            urgency=catalogs["normal"],
            confidentiality=catalogs["public"],
            pdf=pdf_validate(io.BytesIO(pdf_bytes([f"Văn bản {n}"])), "vb.pdf"),
        )
        for n in range(2)
    ]
    done, waiting = (
        document_assign(
            user=users["director"], document=d, lead_user=users["specialist"], deadline=tomorrow
        )[0]
        for d in documents
    )
    assignment_complete(user=users["specialist"], assignment=done)
    client = api(users["specialist"])
    pending = client.get("/api/assignments/", {"status": "pending"}).json()["results"]
    assert [a["id"] for a in pending] == [waiting.pk]
    everything = client.get("/api/assignments/").json()["results"]
    assert {a["id"]: a["status"] for a in everything} == {
        done.pk: "completed",
        waiting.pk: "pending",
    }
    assert client.get("/api/assignments/", {"status": "nope"}).status_code == 400


@pytest.mark.django_db
def test_lists_do_not_query_per_row(api, users, units, catalogs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from edoc.services.handling import document_assign

    def add(count: int) -> None:
        for n in range(count):
            document = incoming_register(
                user=users["clerk"],
                subject=f"Văn bản số {n}",
                urgency=catalogs["normal"],
                confidentiality=catalogs["public"],
                document_type=catalogs["types"]["KH"],
            )
            document_assign(user=users["director"], document=document, lead_user=users["head"])

    def queries(url: str, user) -> int:
        client = api(user)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    add(2)
    few = queries("/api/documents/", users["clerk"]), queries("/api/assignments/", users["head"])
    add(5)
    many = queries("/api/documents/", users["clerk"]), queries("/api/assignments/", users["head"])
    assert few == many
