from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from health import access
from health.models import DuplicateCandidate, MedicalVisit, Person, Vaccination

pytestmark = pytest.mark.django_db


def test_seed_health_needs_the_catalogues():
    with pytest.raises(CommandError, match="health_catalogues load"):
        call_command("seed_health", stdout=StringIO())


def test_seed_health_is_idempotent_and_gives_the_demo_roles(health_catalogues, users):
    users["centre_head"].username = "giamdoc_ttyt_bienhoa"
    users["centre_head"].save()
    users["head"].username = "truongphong"
    users["head"].save()
    call_command("seed_health", stdout=StringIO())
    counts = (Person.objects.count(), Vaccination.objects.count(), MedicalVisit.objects.count())
    out = StringIO()
    call_command("seed_health", stdout=out)
    assert "0 people created" in out.getvalue()
    assert (Person.objects.count(), Vaccination.objects.count(), MedicalVisit.objects.count()) == (
        counts
    )
    assert counts == (7, 7, 1)  # five people, two of them typed again (doubtful duplicates)
    assert access.visible_people(users["head"]).count() == 7
    assert access.can_export(users["head"])
    bien_hoa = access.visible_people(users["centre_head"])
    assert bien_hoa.count() == 5 and {p.district.code for p in bien_hoa} == {"731"}
    # The review queue has the two pairs to show, none merged by itself.
    pairs = DuplicateCandidate.objects.filter(status="open", verdict="doubtful")
    assert {(p.first.full_name, p.second.full_name) for p in pairs} == {
        ("Nguyễn Văn An", "Nguyen Van An"),
        ("Trần Thị Bình", "Tran Thi Binh"),
    }
