"""The password policy's own rules (Django password validators) and its history.

`PasswordHistoryValidator.password_changed` is Django's hook run after every saved password
change (own change form, the admin, `changepassword`): it keeps the new hash in the history,
and when the password really changed it ends the user's other sessions and writes the audit
entry.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from edoc.services.audit import audit_record
from identity.models import PasswordHistory

CHARACTER_CLASSES = 4  # lower case, upper case, digit, other


def _character_classes(password: str) -> int:
    return sum(
        (
            any(character.islower() for character in password),
            any(character.isupper() for character in password),
            any(character.isdigit() for character in password),
            any(not character.isalnum() for character in password),
        )
    )


class CharacterClassesValidator:
    """Lower and upper case letters, digits and other characters (Vietnamese letters count)."""

    def __init__(self, required: int = CHARACTER_CLASSES):
        self.required = required

    def validate(self, password: str, user: Any = None) -> None:
        if _character_classes(password) < self.required:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return _(
            "Your password must contain lower case and upper case letters, digits and other "
            "characters (such as @ # $ %)."
        )


class PasswordHistoryValidator:
    """None of the user's last `history` passwords again."""

    def __init__(self, history: int = 5):
        self.history = history

    def validate(self, password: str, user: Any = None) -> None:
        if not self.history or user is None or not getattr(user, "pk", None):
            return
        recent = PasswordHistory.objects.filter(user=user)[: self.history]
        if any(check_password(password, entry.password) for entry in recent):
            raise ValidationError(
                ngettext(
                    "Your password must differ from your last password.",
                    "Your password must differ from your last %(count)d passwords.",
                    self.history,
                )
                % {"count": self.history},
                code="password_reused",
            )

    def get_help_text(self) -> str:
        return ngettext(
            "Your password cannot be your last password again.",
            "Your password cannot be one of your last %(count)d passwords.",
            self.history,
        ) % {"count": self.history}

    @transaction.atomic
    def password_changed(self, password: str, user: Any) -> None:
        """Keep the new hash; on a real change also end the other sessions and audit it."""
        if not getattr(user, "pk", None) or not user.has_usable_password():
            return
        latest = PasswordHistory.objects.filter(user=user).first()
        if latest is not None and check_password(password, latest.password):
            # The same password set again (e.g. by an administrator): not a change. (A re-hash
            # at login with a newer hasher does not come here: Django skips this hook for it.)
            PasswordHistory.objects.filter(pk=latest.pk).update(password=user.password)
            return
        PasswordHistory.objects.create(user=user, password=user.password, created_at=timezone.now())
        stale = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)
        PasswordHistory.objects.filter(pk__in=list(stale[max(self.history, 1) :])).delete()
        from identity.sessions import current_session, sessions_end_for_password_change

        ended = sessions_end_for_password_change(user)
        actor = current_session().user or user
        audit_record(
            actor=actor,
            action="auth.password_changed",
            target=user,
            details={"sessions_ended": ended},
        )


def password_history_start(user: Any) -> None:
    """A new account's first password starts its history (create_user saves the hash without
    the password_changed hook)."""
    if user.password and user.has_usable_password():
        PasswordHistory.objects.create(user=user, password=user.password, created_at=timezone.now())


def password_set_at(user: Any) -> datetime:
    """When the user's current password was set (its age, for the optional expiry)."""
    latest = PasswordHistory.objects.filter(user=user).values_list("created_at", flat=True)
    return latest.first() or user.date_joined


def password_expires_at(user: Any) -> datetime | None:
    """When the password must be changed (None: no expiry configured)."""
    days = settings.EDOC_PASSWORD_MAX_AGE_DAYS
    if days <= 0 or not user.has_usable_password():
        return None
    return password_set_at(user) + timedelta(days=days)
