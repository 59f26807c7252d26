"""Fixtures of the identity tests: second-factor devices and the codes they accept now."""

from __future__ import annotations

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from edoc.models import AuditEntry


def code_of(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The six digits `device` accepts now (or `steps_ahead` time steps later)."""
    drift = device.drift + steps_ahead
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, drift):06d}"


def enrol(user, codes: tuple[str, ...] = ("aaaa2222", "bbbb3333")) -> TOTPDevice:
    """A confirmed TOTP device and a recovery-code device for `user`, no code used yet."""
    device = TOTPDevice.objects.create(user=user, name="eDoc", confirmed=True)
    static = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    for code in codes:
        StaticToken.objects.create(device=static, token=code)
    return device


def actions(prefix: str = "identity.") -> list[str]:
    return list(
        AuditEntry.objects.filter(action__startswith=prefix)
        .order_by("pk")
        .values_list("action", flat=True)
    )


@pytest.fixture
def policy(settings):
    """The second-factor policy as in production (the suite runs with it off)."""
    settings.EDOC_2FA_POLICY = True
    return settings


@pytest.fixture
def admin_user(users):
    user = users["clerk"]
    user.is_staff = user.is_superuser = True
    user.save()
    return user


def unthrottle(user) -> None:
    """Lift django-otp's wait after a wrong code (1 s, then 2, 4 …), as time would."""
    for device in TOTPDevice.objects.filter(user=user):
        device.throttle_reset()
    for device in StaticDevice.objects.filter(user=user):
        device.throttle_reset()
