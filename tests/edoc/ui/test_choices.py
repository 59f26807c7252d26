"""Choosing in forms (issue 9, item 15): an empty choice reads "— Chọn —" (never "---------"),
and units and people are picked in a filterable checkbox list, not a Ctrl-click list box."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.db.models import BLANK_CHOICE_DASH
from django.urls import reverse
from django.utils import translation

from edoc.forms import AssignForm, OutgoingForm
from edoc.models import Unit

pytestmark = pytest.mark.django_db

DASHES = "---------"


def test_an_empty_choice_reads_choose_in_every_kind_of_select(units):
    class Sample(forms.Form):
        unit = forms.ModelChoiceField(queryset=Unit.objects.all(), required=False)
        kind = forms.ChoiceField(choices=BLANK_CHOICE_DASH + [("a", "A")], required=False)
        other = forms.TypedChoiceField(choices=[("", DASHES), ("1", "Một")], coerce=int)

    with translation.override("vi"):
        html = str(Sample())
    assert DASHES not in html
    assert html.count(">— Chọn —</option>") == 3
    with translation.override("en"):
        assert ">— Choose —</option>" in str(Sample())


def test_pages_with_blank_choices_show_no_dashes(client, users, units):
    from django.contrib.auth.models import Group

    from onestop.models import ONESTOP_GROUP

    officer = users["clerk"]
    officer.groups.add(Group.objects.get_or_create(name=ONESTOP_GROUP)[0])
    officer.is_staff = officer.is_superuser = True
    officer.save()
    client.force_login(officer)
    for url in (
        reverse("onestop:dossier_list"),
        reverse("admin:edoc_unit_add"),
        reverse("admin:edoc_registerbook_add"),
        reverse("admin:workflows_calendarday_add"),
    ):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
        assert DASHES not in page, url
        assert "— Chọn —" in page, url


def _checkbox_values(html: str, name: str) -> set[str]:
    pattern = rf'<input type="checkbox" name="{name}" value="(\d+)"'
    return set(re.findall(pattern, html))


@pytest.mark.parametrize(
    ("form_class", "names"),
    [
        (
            AssignForm,
            ["coordinator_units", "coordinator_users", "information_units", "information_users"],
        ),
        (OutgoingForm, ["recipient_units", "recipient_organizations"]),
    ],
)
def test_units_and_people_are_ticked_in_a_filterable_list(form_class, names, users, catalogs):
    form = form_class(user=users["director"])
    for name in names:
        html = str(form[name])
        assert "<select" not in html, name
        assert "data-multi-pick" in html and "data-multi-pick-filter" in html, name
        choices = {str(value) for value, _label in form.fields[name].choices}
        assert _checkbox_values(html, name) == choices, name


def test_the_document_page_posts_ticked_units(client, users, units, incoming):
    document = incoming()
    client.force_login(users["director"])
    page = client.get(reverse("edoc:document_detail", args=[document.pk])).content.decode()
    assert 'type="checkbox" name="coordinator_units"' in page
    assert "Hold Ctrl" not in page and "giữ phím Ctrl" not in page
    answer = client.post(
        reverse("edoc:document_assign", args=[document.pk]),
        {
            "lead_unit": units["medical"].pk,
            "coordinator_units": [units["pharmacy"].pk, units["centre"].pk],
            "information_users": [users["deputy"].pk],
        },
    )
    assert answer.status_code == 302
    assignments = document.assignments.all()
    coordinating = {a.unit_id for a in assignments if a.role == "coordinator"}
    assert coordinating == {units["pharmacy"].pk, units["centre"].pk}
    assert [a.user_id for a in assignments if a.role == "information"] == [users["deputy"].pk]
