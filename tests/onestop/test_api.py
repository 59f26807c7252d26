"""Staff REST API of dossiers: visibility (404), list filters, detail with history and files,
and the OpenAPI schema."""

from __future__ import annotations

import pytest

from onestop import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(procedure, applicant, officer, all_files):
    return services.dossier_receive_at_counter(
        officer=officer, procedure=procedure, applicant=applicant, files=all_files(), note="nội bộ"
    )


def test_list_and_detail(client, dossier, users, officer):
    client.force_login(officer)
    listed = client.get("/api/onestop/dossiers/").json()
    assert [row["code"] for row in listed["results"]] == [dossier.code]
    assert listed["results"][0]["status"] == 2 and listed["results"][0]["days_left"] > 0
    assert client.get("/api/onestop/dossiers/", {"status": 5}).json()["results"] == []
    assert client.get("/api/onestop/dossiers/", {"procedure": "1.004616"}).json()["count"] == 1
    detail = client.get(f"/api/onestop/dossiers/{dossier.pk}/").json()
    assert [event["kind"] for event in detail["events"]] == ["received"]
    assert detail["events"][0]["internal_note"] == "nội bộ"
    assert len(detail["files"]) == 2


def test_outsiders_see_nothing(client, dossier, users):
    client.force_login(users["other_specialist"])
    assert client.get("/api/onestop/dossiers/").json()["results"] == []
    response = client.get(f"/api/onestop/dossiers/{dossier.pk}/")
    assert response.status_code == 404 and "error" in response.json()
    client.logout()
    assert client.get("/api/onestop/dossiers/").status_code in (401, 403)


def test_schema_lists_the_endpoints(client, officer):
    client.force_login(officer)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "/api/onestop/dossiers/" in schema and "/api/onestop/dossiers/{dossier_id}/" in schema
