from __future__ import annotations

import pytest
from django.urls import reverse

from health.models import HealthAssignment

pytestmark = pytest.mark.django_db


def test_an_administrator_gives_a_health_role_and_a_wrong_level_is_a_form_error(
    admin_client, users, places
):
    url = reverse("admin:health_healthassignment_add")
    assert admin_client.get(url).status_code == 200
    data = {"user": users["clerk"].pk, "scope": "district", "area": places["province"].pk}
    refused = admin_client.post(url, data)
    assert (
        refused.status_code == 200 and "Địa bàn phải là đơn vị đúng cấp" in refused.content.decode()
    )
    assert not HealthAssignment.objects.exists()
    admin_client.post(url, data | {"area": places["bien_hoa"].pk, "can_export": "on"})
    role = HealthAssignment.objects.get()
    assert (role.user, role.area, role.can_export) == (users["clerk"], places["bien_hoa"], True)
