"""`seed_demo --organisation-only` for another agency (the second instance of the exchange
tests): its own name and code, no documents nor other apps' demo data. Apart from
test_seed_demo.py, whose module-wide seed is the Sở Y tế's."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from edoc.models import Agency, Document, ExternalOrganization, User


@pytest.mark.django_db
def test_another_agencys_organisation_only(settings):
    """`--organisation-only` with another agency's name: its agency (EDOC_AGENCY_CODE), units,
    users and external organisations; no documents nor other apps' demo data."""
    settings.EDOC_AGENCY_CODE = "000.00.00.H19"
    out = io.StringIO()
    call_command(
        "seed_demo",
        "--organisation-only",
        "--agency-name",
        "Ủy ban nhân dân tỉnh Đồng Nai",
        "--agency-short-name",
        "UBND",
        stdout=out,
    )
    agency = Agency.objects.get()
    assert (agency.code, agency.name, agency.short_name) == (
        "000.00.00.H19",
        "Ủy ban nhân dân tỉnh Đồng Nai",
        "UBND",
    )
    assert User.objects.filter(username="vanthu", unit__agency=agency).exists()
    assert ExternalOrganization.objects.exists() and not Document.objects.exists()
    assert "Process definitions" not in out.getvalue() and "Signing keys" not in out.getvalue()
