"""Fixtures of the staff UI and the API tests, for the tests that cross them (the text
pipeline: one proposal mapping for the form, the API and the import)."""

from tests.edoc.api.conftest import api  # noqa: F401
from tests.edoc.ui.conftest import client_for, sample_pdf  # noqa: F401
