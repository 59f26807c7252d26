"""Anchors of the audit chain (its head signed with a key the database does not hold), made
append-only like the log itself."""

from django.db import migrations, models

from edoc.db_guards import install_audit_guard, remove_audit_guard

ANCHORS = ("edoc_auditanchor",)


def triggers(apps, schema_editor):
    install_audit_guard(schema_editor.connection, ANCHORS)


def drop_triggers(apps, schema_editor):
    remove_audit_guard(schema_editor.connection, ANCHORS)


class Migration(migrations.Migration):

    dependencies = [
        ('edoc', '0005_document_event_return_actions'),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditAnchor',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(verbose_name='time')),
                ('sequence', models.PositiveBigIntegerField(db_index=True, verbose_name='entries anchored')),
                ('entry_id', models.BigIntegerField(verbose_name='last entry')),
                ('head_hash', models.CharField(max_length=64, verbose_name='hash of the last entry')),
                ('proofs', models.JSONField(default=dict, verbose_name='proofs')),
            ],
            options={
                'verbose_name': 'audit anchor',
                'verbose_name_plural': 'audit anchors',
                'ordering': ['sequence', 'pk'],
            },
        ),
        migrations.RunPython(triggers, drop_triggers),
    ]
