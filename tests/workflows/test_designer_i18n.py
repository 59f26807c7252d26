"""The designer in Vietnamese: action names, the condition fields' help and the condition
checker's messages (issue 9, item 11)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from tests.workflows.test_designer import client_of, four_step_graph_for
from workflows.actions import ACTIONS
from workflows.services.definitions import definition_create, draft_save
from workflows.subjects import SUBJECT_FIELDS


@pytest.fixture(autouse=True)
def _language_as_before():
    """Requests activate their language on the test thread; leave it as it was."""
    before = translation.get_language()
    yield
    translation.activate(before)


def _both(text: object) -> tuple[str, str]:
    with translation.override("vi"):
        vietnamese = str(text)
    with translation.override("en"):
        english = str(text)
    return vietnamese, english


def test_every_action_has_a_vietnamese_name():
    same = [key for key, spec in ACTIONS.items() if len(set(_both(spec.label))) == 1]
    assert same == []


def test_every_condition_field_is_described_in_vietnamese():
    same = [name for name, text in SUBJECT_FIELDS.items() if len(set(_both(text))) == 1]
    assert same == []


@pytest.fixture
def designer(db):
    from edoc.models import User

    return User.objects.create_superuser(username="quantri", password="pw", email="q@example.org")


@pytest.mark.django_db
def test_the_editor_page_is_vietnamese(designer):
    definition = definition_create(user=designer, key="xin-y-kien", name="Xin ý kiến")
    draft_save(user=designer, definition=definition, graph=four_step_graph_for())
    client = client_of(designer, "vi")
    page = client.get(reverse("designer:edit", args=[definition.pk]) + "?step=draft")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Assign handling" not in text and "Phân công xử lý" in text
    for english in ("agency when registered", "True when the lead handler", "how a dossier came"):
        assert english not in text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("condition", "vietnamese"),
    [
        ("amount >", "sai cú pháp"),
        ("colour == 1", "không có trường"),
        ("__import__('os')", "không được dùng trong điều kiện"),
        ("type is None", "không được dùng trong điều kiện"),
    ],
)
def test_the_condition_checker_answers_in_vietnamese(designer, condition, vietnamese):
    client = client_of(designer, "vi")
    answer = client.get(reverse("designer:condition_check"), {"branch-0-condition": condition})
    assert vietnamese in answer.content.decode()
