"""Fill the 2025 commune (and, for records of a 2025 commune, the district) of existing
records. Its own migration: on PostgreSQL the previous one's deferred index on health_person
cannot be built in a transaction that has updated the table."""

from django.db import migrations


def fill_communes_2025(apps, schema_editor) -> None:
    """Link the loaded 2008 communes to their 2025 successors and place the existing records
    (writes only the new derived fields; nothing is removed)."""
    from health.catalogues import load_successions
    from health.services import place_refresh

    unit_model = apps.get_model("health", "AdminUnit")
    succession_model = apps.get_model("health", "UnitSuccession")
    person_model = apps.get_model("health", "Person")
    if not unit_model.objects.filter(level="commune").exists():
        return
    load_successions(unit_model=unit_model, succession_model=succession_model)
    place_refresh(person_model=person_model, succession_model=succession_model)


class Migration(migrations.Migration):
    dependencies = [
        ("health", "0002_person_commune_2025_unit_successions"),
    ]

    operations = [
        migrations.RunPython(fill_communes_2025, migrations.RunPython.noop),
    ]
