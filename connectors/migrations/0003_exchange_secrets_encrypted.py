"""The routes' HMAC secrets encrypted at rest (edoc.fields.EncryptedTextField); going back
writes them in plain text again, so nothing is lost either way."""

from django.db import migrations

import edoc.fields

SECRETS = ("our_secret", "partner_secret")


def encrypt_stored(apps, schema_editor):
    route_model = apps.get_model("connectors", "ExchangeRoute")
    for route in route_model.objects.using(schema_editor.connection.alias):
        route.save(update_fields=SECRETS)  # read as plain text, written encrypted


def decrypt_stored(apps, schema_editor):
    route_model = apps.get_model("connectors", "ExchangeRoute")
    table = schema_editor.quote_name(route_model._meta.db_table)
    with schema_editor.connection.cursor() as cursor:
        for route in route_model.objects.using(schema_editor.connection.alias):
            cursor.execute(
                f"UPDATE {table} SET our_secret = %s, partner_secret = %s WHERE id = %s",
                [route.our_secret, route.partner_secret, route.pk],
            )


class Migration(migrations.Migration):
    dependencies = [("connectors", "0002_exchange")]

    operations = [
        migrations.AlterField(
            model_name="exchangeroute",
            name="our_secret",
            field=edoc.fields.EncryptedTextField(verbose_name="our secret"),
        ),
        migrations.AlterField(
            model_name="exchangeroute",
            name="partner_secret",
            field=edoc.fields.EncryptedTextField(verbose_name="partner's secret"),
        ),
        migrations.RunPython(encrypt_stored, decrypt_stored),
    ]
