"""The routes' HMAC secrets are encrypted at rest (edoc.fields): the database holds no secret
in plain text, keys rotate with `manage.py secrets_rotate`, a lost key is a clear error that
changes nothing, and the migration encrypts what older versions stored (and back)."""

from __future__ import annotations

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from connectors.models import ExchangeRoute
from edoc.fields import SecretUnreadable
from edoc.models import AuditEntry
from tests.connectors.conftest import route

pytestmark = pytest.mark.django_db

OLD, NEW, STRANGER = (Fernet.generate_key().decode() for _ in range(3))


def _stored(pk: int) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT our_secret, partner_secret FROM connectors_exchangeroute WHERE id = %s", [pk]
        )
        return cursor.fetchone()


def test_the_database_holds_no_secret_in_plain_text(catalogs):
    saved = route(catalogs["ubnd"], "https://ubnd.example.vn", "syt", "ubnd")
    ours, theirs = _stored(saved.pk)
    assert ours.startswith("fernet:") and "secret-of-syt" not in ours
    assert theirs.startswith("fernet:") and "secret-of-ubnd" not in theirs
    again = ExchangeRoute.objects.get(pk=saved.pk)
    assert (again.our_secret, again.partner_secret) == ("secret-of-syt", "secret-of-ubnd")


def test_keys_rotate_and_a_lost_key_is_a_clear_error_that_changes_nothing(catalogs):
    with override_settings(EDOC_FIELD_ENCRYPTION_KEYS=[OLD]):
        saved = route(catalogs["ubnd"], "https://ubnd.example.vn", "syt", "ubnd")
    written_with_old = _stored(saved.pk)
    with override_settings(EDOC_FIELD_ENCRYPTION_KEYS=[NEW, OLD]):
        assert ExchangeRoute.objects.get(pk=saved.pk).our_secret == "secret-of-syt"
        out = StringIO()
        call_command("secrets_rotate", stdout=out)
        assert "1 rows" in out.getvalue()
    assert _stored(saved.pk) != written_with_old
    assert AuditEntry.objects.filter(action="secrets.rotate").count() == 1
    with override_settings(EDOC_FIELD_ENCRYPTION_KEYS=[NEW]):  # the old key retired
        assert ExchangeRoute.objects.get(pk=saved.pk).partner_secret == "secret-of-ubnd"
    with override_settings(EDOC_FIELD_ENCRYPTION_KEYS=[STRANGER]):
        before = _stored(saved.pk)
        with pytest.raises(SecretUnreadable, match="EDOC_FIELD_ENCRYPTION_KEYS"):
            ExchangeRoute.objects.get(pk=saved.pk)
        with pytest.raises(CommandError, match="cannot be decrypted") as raised:
            call_command("secrets_rotate")
        assert raised.value.returncode == 1
        assert _stored(saved.pk) == before
    assert AuditEntry.objects.filter(action="secrets.rotate").count() == 1


def test_a_malformed_key_is_named_in_the_error(catalogs):
    with (
        override_settings(EDOC_FIELD_ENCRYPTION_KEYS=["not-a-key"]),
        pytest.raises(ImproperlyConfigured, match="Fernet key"),
    ):
        route(catalogs["ubnd"], "https://ubnd.example.vn", "syt", "ubnd")


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_stored_secrets_and_going_back_restores_them(catalogs):
    from django.db.migrations.executor import MigrationExecutor

    before = [("connectors", "0002_exchange")]
    after = MigrationExecutor(connection).loader.graph.leaf_nodes()
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(before)
        old = MigrationExecutor(connection).loader.project_state(before).apps
        old_route = old.get_model("connectors", "ExchangeRoute").objects.create(
            organization_id=catalogs["ubnd"].pk,
            base_url="https://ubnd.example.vn",
            our_key_id="syt-key",
            our_secret="plain-ours",
            partner_key_id="ubnd-key",
            partner_secret="plain-theirs",
        )
        assert _stored(old_route.pk) == ("plain-ours", "plain-theirs")

        MigrationExecutor(connection).migrate(after)
        ours, theirs = _stored(old_route.pk)
        assert ours.startswith("fernet:") and theirs.startswith("fernet:")
        migrated = ExchangeRoute.objects.get(pk=old_route.pk)
        assert (migrated.our_secret, migrated.partner_secret) == ("plain-ours", "plain-theirs")

        MigrationExecutor(connection).migrate(before)
        assert _stored(old_route.pk) == ("plain-ours", "plain-theirs")
    finally:
        MigrationExecutor(connection).migrate(after)
