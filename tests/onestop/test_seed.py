"""`seed_procedures`: the shipped catalogue, its processes, idempotent."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from edoc.models import User
from edoc.models.organisation import Role
from onestop.models import ONESTOP_GROUP, Procedure
from onestop.services import APOLOGY_KEY
from onestop.shipped import PROCEDURES
from workflows.models import ProcessDefinition

pytestmark = pytest.mark.django_db


def test_seed_procedures_is_idempotent(users, units):
    User.objects.create_user(username="quantri", unit=units["office"], role=Role.ADMIN)
    officer = User.objects.create_user(
        username="motcua", unit=units["office"], role=Role.SPECIALIST
    )
    out = io.StringIO()
    call_command("seed_procedures", stdout=out)
    assert f"Procedures: {len(PROCEDURES)} installed" in out.getvalue()
    assert officer.groups.filter(name=ONESTOP_GROUP).exists()
    assert Procedure.objects.count() == len(PROCEDURES) >= 10
    for procedure in Procedure.objects.all():
        assert procedure.papers.filter(mandatory=True).exists()
        assert procedure.definition.published_version() is not None
        assert procedure.handling_unit.short_name in ("NVY", "NVD")
    assert ProcessDefinition.objects.get(key=APOLOGY_KEY).published_version() is not None
    pharmacy = Procedure.objects.get(code="SYT-DUOC-01")
    assert pharmacy.fee == 500_000 and pharmacy.processing_days == 20

    Procedure.objects.filter(code="SYT-DUOC-01").update(fee=1)  # an admin's edit stays
    out = io.StringIO()
    call_command("seed_procedures", stdout=out)
    assert "Procedures: 0 installed" in out.getvalue()
    assert Procedure.objects.get(code="SYT-DUOC-01").fee == 1


def test_seed_procedures_needs_an_administrator(users):
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("seed_procedures")


def test_demo_dossiers_once(users, units):
    from onestop.models import Dossier

    User.objects.create_user(username="quantri", unit=units["office"], role=Role.ADMIN)
    User.objects.create_user(username="motcua", unit=units["office"], role=Role.SPECIALIST)
    out = io.StringIO()
    call_command("seed_procedures", demo_dossiers=True, stdout=out)
    assert "Demo dossiers: 7 created." in out.getvalue()
    statuses = sorted(Dossier.objects.values_list("status", flat=True))
    assert statuses == [1, 2, 2, 3, 5, 6, 8]  # 6: one waits for its fee (the payments demo)
    call_command("seed_procedures", demo_dossiers=True, stdout=io.StringIO())
    assert Dossier.objects.count() == 7


def test_paper_file_types_are_limited_to_checkable_ones(procedure):
    from django.core.exceptions import ValidationError

    paper = procedure.papers.first()
    paper.extensions = "pdf, DOCX"
    with pytest.raises(ValidationError) as error:
        paper.full_clean()
    assert "extensions" in error.value.message_dict
    paper.extensions = "PDF, png"
    paper.full_clean()
    assert paper.extension_list == ["pdf", "png"]
