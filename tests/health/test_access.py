from __future__ import annotations

import pytest
from django.http import Http404

from health import access
from health.models import HealthAssignment
from tests.health.conftest import assign

pytestmark = pytest.mark.django_db


def test_a_district_officer_sees_only_their_district(people, officers):
    an, binh = people["an"], people["binh"]
    assert list(access.visible_people(officers["bien_hoa"])) == [an]
    assert list(access.visible_people(officers["long_thanh"])) == [binh]
    assert access.can_view_person(officers["bien_hoa"], an)
    assert not access.can_view_person(officers["bien_hoa"], binh)
    with pytest.raises(Http404):
        access.person_or_404(officers["bien_hoa"], binh.pk)


def test_the_province_officer_sees_both_and_nobody_else_sees_anything(people, officers):
    assert set(access.visible_people(officers["province"])) == set(people.values())
    assert not access.visible_people(officers["none"]).exists()
    assert not access.has_health_role(officers["none"])
    officers["bien_hoa"].is_active = False
    assert not access.visible_people(officers["bien_hoa"]).exists()


def test_commune_and_facility_officers(people, places, facility, users, codes):
    assign(users["centre_clerk"], "commune", places["long_thanh_commune"])
    assert list(access.visible_people(users["centre_clerk"])) == [people["binh"]]
    assign(users["centre_head"], "facility", facility=facility)
    assert not access.visible_people(users["centre_head"]).exists()
    people["an"].insurance_facility = facility
    people["an"].save()
    assert list(access.visible_people(users["centre_head"])) == [people["an"]]


def test_export_and_merge_rights(officers):
    assert access.can_export(officers["bien_hoa"])
    assert not access.can_export(officers["long_thanh"])
    assert not access.can_merge(officers["bien_hoa"])
    assert not access.can_export(officers["none"])


def test_an_assignment_names_an_area_or_a_facility_not_both(users, places):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        HealthAssignment.objects.create(user=users["clerk"], scope="district")


@pytest.mark.parametrize(
    ("value", "masked"),
    [("079123456789", "0791******89"), ("0912345678", "0912****78"), ("", ""), ("123", "***")],
)
def test_mask(value, masked):
    assert access.mask(value) == masked


def test_an_assignment_area_matches_its_scope(users, places):
    from django.core.exceptions import ValidationError

    wrong = HealthAssignment(user=users["clerk"], scope="district", area=places["province"])
    with pytest.raises(ValidationError) as error:
        wrong.full_clean()
    assert "area" in error.value.message_dict
    HealthAssignment(user=users["clerk"], scope="province", area=places["province"]).full_clean()
