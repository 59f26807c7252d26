"""Second factor: TOTP enrolment, recovery codes, verification, remembered devices.

The devices are django-otp's: one TOTP device (RFC 6238; django-otp keeps its last accepted
time step, so a code is accepted once) and one static device holding the ten single-use
recovery codes. Every enrolment, failure, recovery-code use and device change is audited.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from base64 import b32encode
from datetime import timedelta

import django_otp
import segno
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from edoc.middleware import client_ip
from edoc.models import User
from edoc.services.audit import audit_record
from identity.models import RememberedDevice

RECOVERY_CODE_COUNT = 10
RECOVERY_DEVICE_NAME = "recovery"
TOTP_DEVICE_NAME = "eDoc"
# When the session last proved the second factor by a code (seconds since the epoch).
VERIFIED_AT_SESSION_KEY = "identity_2fa_verified_at"
REMEMBER_COOKIE = "edoc_2fa_remember"
REMEMBER_SALT = "identity.remembered-device"


def has_second_factor(user: User) -> bool:
    """True when `user` has a confirmed TOTP device."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def enrolment_device(user: User) -> TOTPDevice:
    """The unconfirmed TOTP device being enrolled (created with a fresh key on first call)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)


def totp_secret(device: TOTPDevice) -> str:
    """The key in base32, for typing into an authenticator app (groups of four)."""
    text = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def totp_qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// URI as a QR code, an SVG data: URI (no script, no inline style)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def _clean(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _wait(device: Device | None) -> dict | None:
    """django-otp's throttling (after each wrong code the next try waits 1, 2, 4 … seconds):
    why `device` refuses to check a code now, or None."""
    if device is None:
        return None
    allowed, why = device.verify_is_allowed()
    return None if allowed else (why or {})


def _refused(user: User, purpose: str, why: dict | None = None) -> ValidationError:
    """Audit a refused code; the error says to wait when the device was throttled."""
    allowed = why is None
    audit_record(
        actor=user,
        action="identity.2fa_failed",
        target=user,
        details={"purpose": purpose, "throttled": not allowed},
    )
    if not allowed and why and why.get("locked_until"):
        seconds = max(1, int((why["locked_until"] - timezone.now()).total_seconds()) + 1)
        return ValidationError(
            _("Too many wrong codes. Wait %(seconds)d seconds, then try again.")
            % {"seconds": seconds},
            code="throttled",
        )
    return ValidationError(
        _("The code is wrong or was already used. Enter the current code of your app."),
        code="invalid_code",
    )


def enrolment_confirm(*, user: User, device: TOTPDevice, code: str) -> list[str]:
    """Confirm `device` with its first code; returns the ten new recovery codes (shown once).
    A wrong code is audited and refused (ValidationError), nothing is confirmed."""
    if device.user_id != user.pk or device.confirmed:
        raise ValidationError(_("Start the enrolment again."), code="stale")
    why = _wait(device)
    if not device.verify_token(_clean(code)):
        raise _refused(user, "enrolment", why)
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        codes = _recovery_codes_replace(user)
        audit_record(actor=user, action="identity.2fa_enrolled", target=user)
    return codes


def _recovery_codes_replace(user: User) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _i in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def recovery_codes_regenerate(*, user: User) -> list[str]:
    """Ten new recovery codes for a user with a second factor; the old ones stop working."""
    if not has_second_factor(user):
        raise ValidationError(_("Set up the authenticator app first."), code="no_device")
    codes = _recovery_codes_replace(user)
    audit_record(actor=user, action="identity.recovery_codes_regenerated", target=user)
    return codes


def recovery_codes_left(user: User) -> int:
    """How many unused recovery codes `user` has."""
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def code_verify(*, user: User, code: str, purpose: str) -> Device:
    """The device that accepts `code` (a TOTP code, or a recovery code, used up by it).
    A wrong, reused or throttled code is audited and refused with a ValidationError."""
    cleaned = _clean(code)
    if cleaned.isdigit():
        devices = TOTPDevice.objects.filter(user=user, confirmed=True)
    else:
        devices = StaticDevice.objects.filter(user=user, confirmed=True)
    why = None
    for device in devices:
        why = _wait(device)
        if device.verify_token(cleaned):
            if isinstance(device, StaticDevice):
                audit_record(
                    actor=user,
                    action="identity.recovery_code_used",
                    target=user,
                    details={"purpose": purpose, "left": recovery_codes_left(user)},
                )
            else:
                audit_record(
                    actor=user,
                    action="identity.2fa_verified",
                    target=user,
                    details={"purpose": purpose},
                )
            return device
    raise _refused(user, purpose, why)


def session_mark_verified(request: HttpRequest, device: Device, *, by_code: bool = True) -> None:
    """The session is verified with `device` (django-otp); `by_code`: a code was typed now
    (what signing's step-up looks at; a remembered device is not)."""
    request.session.cycle_key()
    django_otp.login(request, device)
    if by_code:
        request.session[VERIFIED_AT_SESSION_KEY] = time.time()


def verified_within(request: HttpRequest, seconds: int) -> bool:
    """True when this session's user typed a code less than `seconds` ago."""
    verified_at = request.session.get(VERIFIED_AT_SESSION_KEY)
    return verified_at is not None and time.time() - float(verified_at) < seconds


@transaction.atomic
def twofactor_disable(*, user: User, actor: User | None = None) -> None:
    """Remove the user's second factor (devices, recovery codes, remembered browsers); by the
    user, or by an administrator (`actor`) when the phone and the codes are lost: policy then
    sends the user to a new enrolment at their next page."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    RememberedDevice.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    audit_record(
        actor=actor or user,
        action="identity.2fa_disabled",
        target=user,
        details={"by_admin": actor is not None and actor.pk != user.pk},
    )


# --- Remembered devices.


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def remember_days() -> int:
    """How long a remembered device skips the code (never more than 30 days)."""
    return max(0, min(int(settings.EDOC_2FA_REMEMBER_DAYS), 30))


def remembered_device_create(
    *, request: HttpRequest, response: HttpResponse, user: User
) -> RememberedDevice:
    """Remember this browser for `remember_days()`: a server-side record and a signed cookie."""
    secret = secrets.token_urlsafe(32)
    now = timezone.now()
    record = RememberedDevice.objects.create(
        user=user,
        secret_hash=_hash(secret),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:255],
        ip_address=client_ip(request),
        created_at=now,
        expires_at=now + timedelta(days=remember_days()),
    )
    audit_record(
        actor=user,
        action="identity.device_remembered",
        target=user,
        details={"device": record.pk, "days": remember_days()},
    )
    response.set_signed_cookie(
        REMEMBER_COOKIE,
        f"{record.pk}:{secret}",
        salt=REMEMBER_SALT,
        max_age=remember_days() * 86400,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return record


def remembered_device_match(request: HttpRequest, user: User) -> RememberedDevice | None:
    """This browser's remembered-device record for `user`, if its cookie is genuine and the
    record neither expired nor revoked."""
    try:
        value = request.get_signed_cookie(
            REMEMBER_COOKIE, salt=REMEMBER_SALT, max_age=remember_days() * 86400
        )
    except (KeyError, signing.BadSignature):
        return None
    record_id, _sep, secret = value.partition(":")
    if not record_id.isdigit() or not secret:
        return None
    record = RememberedDevice.objects.filter(pk=int(record_id), user=user).first()
    if record is None or not record.is_active:
        return None
    if not hmac.compare_digest(record.secret_hash, _hash(secret)):
        return None
    RememberedDevice.objects.filter(pk=record.pk).update(last_used_at=timezone.now())
    return record


def remembered_device_revoke(*, user: User, record: RememberedDevice) -> None:
    """End a remembered device of `user`'s now."""
    if record.user_id != user.pk:
        raise ValidationError(_("Not your device."), code="not_yours")
    if record.revoked_at is None:
        record.revoked_at = timezone.now()
        record.save(update_fields=["revoked_at"])
        audit_record(
            actor=user,
            action="identity.device_forgotten",
            target=user,
            details={"device": record.pk},
        )
