"""Carry DRF's authtoken tokens over to identity's expiring ApiToken (the key's SHA-256 only;
they keep working with the same key and expire EDOC_API_TOKEN_DAYS after this migration).
The authtoken rows are left in place (nothing is lost); they no longer authenticate."""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import migrations
from django.utils import timezone


def carry_over(apps, schema_editor):
    Token = apps.get_model("authtoken", "Token")
    ApiToken = apps.get_model("identity", "ApiToken")
    expires = timezone.now() + timedelta(days=max(1, int(settings.EDOC_API_TOKEN_DAYS)))
    existing = set(ApiToken.objects.values_list("key_hash", flat=True))
    new = []
    for token in Token.objects.all().iterator():
        key_hash = hashlib.sha256(token.key.encode()).hexdigest()
        if key_hash in existing:
            continue
        new.append(
            ApiToken(
                user_id=token.user_id,
                name="Token (before expiring tokens)",
                key_hash=key_hash,
                prefix=token.key[:8],
                created_at=token.created,
                expires_at=expires,
            )
        )
    ApiToken.objects.bulk_create(new, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("identity", "0004_twofactor_api_tokens"),
        ("authtoken", "0004_alter_tokenproxy_options"),
    ]

    operations = [migrations.RunPython(carry_over, migrations.RunPython.noop)]
