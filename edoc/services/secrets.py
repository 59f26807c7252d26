"""Re-encrypting the secrets kept in the database (edoc.fields) under the newest key."""

from __future__ import annotations

from django.apps import apps
from django.db import models, transaction
from django.db.models.functions import Cast

from edoc.fields import EncryptedTextField, secret_rotate
from edoc.services.audit import audit_record


def encrypted_fields() -> list[tuple[type[models.Model], list[str]]]:
    """Every model with encrypted fields, and the names of those fields."""
    found = []
    for model in apps.get_models():
        names = [
            field.name
            for field in model._meta.concrete_fields
            if isinstance(field, EncryptedTextField)
        ]
        if names:
            found.append((model, names))
    return found


@transaction.atomic
def secrets_rotate() -> dict[str, int]:
    """Re-encrypt every stored secret under the first key of EDOC_FIELD_ENCRYPTION_KEYS (plain
    text left by older versions gets encrypted): rows rewritten per model label. All or
    nothing: a value no key decrypts stops it with `SecretUnreadable`, changing nothing."""
    counts: dict[str, int] = {}
    for model, names in encrypted_fields():
        stored = model._base_manager.select_for_update().values_list(
            "pk", *(Cast(name, output_field=models.TextField()) for name in names)
        )
        rewritten = 0
        for pk, *values in stored:
            model._base_manager.filter(pk=pk).update(
                **{
                    name: secret_rotate(value) if value else value
                    for name, value in zip(names, values, strict=True)
                }
            )
            rewritten += 1
        counts[model._meta.label] = rewritten
    audit_record(actor=None, action="secrets.rotate", details={"rows": counts})
    return counts
