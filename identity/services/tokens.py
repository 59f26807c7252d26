"""REST API tokens with an expiry: created (key shown once), listed and revoked by their owner.

Only the key's SHA-256 is stored. Sent as "Authorization: Token <key>" (identity.authentication).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from edoc.models import User
from edoc.services.audit import audit_record
from identity.models import ApiToken

# last_used_at is written at most this often per token (not on every request).
LAST_USED_RESOLUTION = timedelta(minutes=1)


def api_token_hash(key: str) -> str:
    """The stored form of a key."""
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_max_days() -> int:
    """The longest life of a token (EDOC_API_TOKEN_DAYS)."""
    return max(1, int(settings.EDOC_API_TOKEN_DAYS))


@transaction.atomic
def api_token_create(*, user: User, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """A new token of `user` valid `days` (at most EDOC_API_TOKEN_DAYS); returns it and its key,
    which is never shown again."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name.")}, code="required")
    days = api_token_max_days() if days is None else days
    if not 1 <= days <= api_token_max_days():
        raise ValidationError(
            {"days": _("Between 1 and %(max)d days.") % {"max": api_token_max_days()}},
            code="invalid",
        )
    key = secrets.token_hex(20)
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        key_hash=api_token_hash(key),
        prefix=key[:8],
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    audit_record(
        actor=user,
        action="identity.api_token_created",
        target=token,
        details={"name": token.name, "prefix": token.prefix, "expires": token.expires_at},
    )
    return token, key


def api_token_issue(user: User) -> str:
    """The key of a new token for /api/auth/token/ (edoc.hooks' token issuer)."""
    _token, key = api_token_create(user=user, name=_("Obtained through /api/auth/token/"))
    return key


@transaction.atomic
def api_token_revoke(*, user: User, token: ApiToken) -> None:
    """Revoke one of `user`'s tokens (already revoked: nothing changes)."""
    if token.user_id != user.pk:
        raise ValidationError(_("Not your token."), code="not_yours")
    if token.revoked_at is not None:
        return
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(
        actor=user,
        action="identity.api_token_revoked",
        target=token,
        details={"name": token.name, "prefix": token.prefix},
    )


def api_token_authenticate(key: str) -> ApiToken | None:
    """The active token with this key (its user active), its last use noted; else None."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=api_token_hash(key), revoked_at__isnull=True)
        .first()
    )
    now = timezone.now()
    if token is None or token.expires_at <= now or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
