"""Who must sign in with a second factor.

Administrators (staff, superusers) always; beyond them, the rules the apps above register at
start-up (identity is layer 1 and names none of them): e.g. signing registers "holds a signing
step or the organisation seal" in its AppConfig.ready(). settings.EDOC_2FA_POLICY=False turns
the requirement off (users who enrolled are still asked for their code).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings

SecondFactorRule = Callable[[Any], bool]

_rules: dict[str, SecondFactorRule] = {}


def register_second_factor_rule(rule: SecondFactorRule, *, name: str | None = None) -> None:
    """Add a rule "this user must have a second factor" (called from an AppConfig.ready())."""
    _rules[name or f"{rule.__module__}.{rule.__qualname__}"] = rule


def second_factor_rules() -> dict[str, SecondFactorRule]:
    """The registered rules by name."""
    return dict(_rules)


def second_factor_required(user: Any) -> bool:
    """True when policy obliges `user` to sign in with a second factor."""
    if not getattr(settings, "EDOC_2FA_POLICY", True):
        return False
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff or user.is_superuser:
        return True
    return any(rule(user) for rule in _rules.values())
