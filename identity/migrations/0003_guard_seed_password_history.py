"""Every account's current password hash starts its history: a re-hash at login (PBKDF2 to
Argon2) is then told apart from a change, and an optional expiry counts from here."""

from django.conf import settings
from django.db import migrations
from django.utils import timezone

UNUSABLE_PREFIX = "!"  # django.contrib.auth.hashers.UNUSABLE_PASSWORD_PREFIX


def seed(apps, schema_editor):
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    PasswordHistory = apps.get_model("identity", "PasswordHistory")
    now = timezone.now()
    users = User.objects.exclude(password="").exclude(password__startswith=UNUSABLE_PREFIX)
    PasswordHistory.objects.bulk_create(
        PasswordHistory(user_id=user_id, password=password, created_at=now)
        for user_id, password in users.values_list("pk", "password").iterator()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("identity", "0002_guard_password_history_and_sessions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
