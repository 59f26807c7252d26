"""Fixtures for the working-day calendar: a clean calendar cache around every test."""

from __future__ import annotations

import pytest

from workflows import calendar


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    """Each test's database is rolled back, so no year loaded in one test may leak to the next."""
    calendar.invalidate_cache()
    yield
    calendar.invalidate_cache()


@pytest.fixture
def calendar_admin(db):
    from edoc.models import User

    return User.objects.create_superuser(
        username="quantri", password="pw-quantri", email="quantri@example.org"
    )


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed(): ...` runs the services' on-commit hooks (cache refresh) at the end
    of the block, as a real commit would; the test's own transaction is still rolled back."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
