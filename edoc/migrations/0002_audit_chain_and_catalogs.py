"""Audit chain head, append-only triggers on the audit log, and the legal catalogs
(Decree 30/2020/NĐ-CP document types, urgency and confidentiality levels)."""

from django.db import migrations

from edoc.db_guards import install_audit_guard, remove_audit_guard
from edoc.legal_catalogs import ensure_legal_catalogs


def seed(apps, schema_editor):
    ensure_legal_catalogs(apps)


def triggers(apps, schema_editor):
    install_audit_guard(schema_editor.connection)


def drop_triggers(apps, schema_editor):
    remove_audit_guard(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("edoc", "0001_initial")]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(triggers, drop_triggers),
    ]
