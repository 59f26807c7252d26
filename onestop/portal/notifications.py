"""Citizen notifications on every dossier status change: e-mail and SMS.

`on_dossier_status_changed` is the receiver of `onestop.signals.dossier_status_changed`
(connected in PortalConfig.ready; the signal is sent once the officer's transaction has
committed). It only queues `notify_status_change_task`, which sends, per channel:

- an e-mail through Django's e-mail backend (EMAIL_BACKEND) when the applicant gave an
  address;
- an SMS through the gateway named by the EDOC_SMS_BACKEND setting (a dotted path to a
  `SmsBackend` subclass; default `LoggingSmsBackend`, which only writes the message to the
  log with the phone number masked).

Messages are in Vietnamese, carry the dossier code, the national status name, the public
message of the event (never the officers' internal notes or names) and the tracking link.
Every attempt is stored as a `NotificationAttempt` and logged; a failing mail server or
gateway is recorded and never raised into the officer's request.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from onestop.portal.models import NotificationAttempt
from onestop.portal.web import PORTAL_LANGUAGE

if TYPE_CHECKING:
    from onestop.models import Dossier, DossierEvent

logger = logging.getLogger(__name__)

DEFAULT_SMS_BACKEND = "onestop.portal.notifications.LoggingSmsBackend"


class SmsBackend:
    """Interface of an SMS gateway.

    Subclass it and point EDOC_SMS_BACKEND at the subclass (dotted path). The class is
    instantiated without arguments (read credentials from settings in `__init__`) and
    `send` is called once per message. `send` must raise an exception when the gateway
    does not accept the message; the caller records the failure and carries on.
    """

    def send(self, phone: str, text: str) -> None:
        """Send `text` (Vietnamese, UTF-8, at most a few hundred characters) to `phone`
        (digits as the citizen typed them, e.g. "0912345678")."""
        raise NotImplementedError


class LoggingSmsBackend(SmsBackend):
    """The default gateway: writes the message to the log, with the phone number masked and
    the tracking link's token cut out (the link is a credential)."""

    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", mask_phone(phone), TRACKING_TOKEN_RE.sub(r"\1…/", text))


TRACKING_TOKEN_RE = re.compile(r"(/portal/t/)[^/\s]+/?")


def mask_phone(phone: str) -> str:
    """ "0912345678" → "091****678": enough to tell numbers apart in a log, not to call."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) <= 6:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 6) + digits[-3:]


def mask_email(address: str) -> str:
    """ "nguyen.van.a@example.vn" → "n***@example.vn"."""
    local, _sep, domain = address.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


@lru_cache(maxsize=8)
def _backend_class(path: str) -> type[SmsBackend]:
    backend = import_string(path)
    if not (isinstance(backend, type) and issubclass(backend, SmsBackend)):
        raise TypeError(f"EDOC_SMS_BACKEND {path!r} is not a SmsBackend subclass")
    return backend


def sms_backend() -> SmsBackend:
    """A new instance of the configured SMS gateway (EDOC_SMS_BACKEND)."""
    return _backend_class(getattr(settings, "EDOC_SMS_BACKEND", DEFAULT_SMS_BACKEND))()


# --------------------------------------------------------------------------- messages


@dataclass(frozen=True)
class StatusMessage:
    subject: str
    body: str
    sms: str


def status_message(dossier: Dossier, event: DossierEvent | None) -> StatusMessage:
    """The Vietnamese e-mail and SMS about the dossier's current status: code, procedure,
    national status name, the event's public message, the appointment and the tracking
    link. Internal notes and staff names are never part of it."""
    from onestop.selectors import tracking_url

    # The status the event recorded: a worker may send this after later changes.
    code = event.to_status if event is not None and event.to_status is not None else dossier.status
    with translation.override(PORTAL_LANGUAGE):
        status = str(dossier.Status(code).label)
        public_message = (event.public_message if event else "").strip()
        context = {
            "dossier": dossier,
            "procedure": dossier.procedure.name,
            "agency": dossier.agency.name,
            "status": status,
            "public_message": public_message,
            "due_at": dossier.due_at if code not in dossier.CLOSED else None,
            "url": tracking_url(dossier),
        }
        subject = _("Dossier %(code)s: %(status)s") % {"code": dossier.code, "status": status}
        body = render_to_string("portal/notifications/status_email.txt", context)
        sms = _("%(agency)s: dossier %(code)s - %(status)s.") % {
            "agency": dossier.agency.short_name or dossier.agency.name,
            "code": dossier.code,
            "status": status,
        }
        if context["due_at"]:
            # The appointment first: a long public message is cut, the date must not be.
            appointment = timezone.localtime(context["due_at"]).strftime("%d/%m/%Y")
            sms += " " + _("Appointment: %(date)s.") % {"date": appointment}
        if public_message:
            sms += " " + Truncator(public_message).chars(SMS_MESSAGE_CHARS)
        sms += " " + _("Details: %(url)s") % {"url": context["url"]}
    return StatusMessage(subject=f"[{dossier.agency.name}] {subject}", body=body, sms=sms)


# --------------------------------------------------------------------------- sending

SMS_MESSAGE_CHARS = 120
MAX_ATTEMPTS = 3
RETRY_SECONDS = 300


def on_dossier_status_changed(
    sender: Any, dossier: Dossier, event: DossierEvent | None = None, **kwargs: Any
) -> None:
    """dossier_status_changed receiver: queue the notifications. Never raises (a broker that
    is down must not break the officer's action; it is logged)."""
    if dossier.status == dossier.Status.DRAFT or not dossier.code:
        return
    event_id = getattr(event, "pk", None)
    channels = []
    if dossier.applicant_email:
        channels.append(NotificationAttempt.Channel.EMAIL)
    if dossier.applicant_phone:
        channels.append(NotificationAttempt.Channel.SMS)
    for channel in channels:
        try:
            notify_status_change_task.delay(dossier.pk, event_id, channel)
        except Exception:
            logger.exception(
                "could not queue the %s notification of dossier %s", channel, dossier.code
            )


def _send(channel: str, dossier: Dossier, message: StatusMessage) -> str:
    """Send one message; returns the masked recipient. Raises what the backend raises."""
    if channel == NotificationAttempt.Channel.EMAIL:
        send_mail(message.subject, message.body, None, [dossier.applicant_email])
        return mask_email(dossier.applicant_email)
    sms_backend().send(dossier.applicant_phone, message.sms)
    return mask_phone(dossier.applicant_phone)


def notify_dossier(
    *, dossier: Dossier, event: DossierEvent | None, channel: str, attempt: int = 1
) -> NotificationAttempt:
    """Send one notification of the dossier's status on one channel and record the attempt
    (sent or failed, with the error); never raises for a failing mail server or gateway."""
    message = status_message(dossier, event)
    recipient = (
        mask_email(dossier.applicant_email)
        if channel == NotificationAttempt.Channel.EMAIL
        else mask_phone(dossier.applicant_phone)
    )
    error = ""
    try:
        recipient = _send(channel, dossier, message)
    except Exception as exc:  # any gateway or SMTP failure: recorded, not raised
        error = f"{type(exc).__name__}: {exc}"[:500]
    row = NotificationAttempt.objects.create(
        dossier=dossier,
        event=event,
        channel=channel,
        recipient=recipient,
        attempt=attempt,
        ok=not error,
        error=error,
    )
    if error:
        logger.warning(
            "notification %s of dossier %s to %s failed (attempt %s): %s",
            channel,
            dossier.code,
            recipient,
            attempt,
            error,
        )
    else:
        logger.info(
            "notification %s of dossier %s sent to %s (attempt %s, status %s)",
            channel,
            dossier.code,
            recipient,
            attempt,
            dossier.status,
        )
    return row


@shared_task(bind=True, name="portal.notify_status_change", ignore_result=True)
def notify_status_change_task(
    self: Any, dossier_id: int, event_id: int | None, channel: str, attempt: int = 1
) -> bool:
    """Worker side of `on_dossier_status_changed`. A failed send is retried (in a worker,
    not in the embedded eager mode) up to MAX_ATTEMPTS times, RETRY_SECONDS apart."""
    from onestop.models import Dossier, DossierEvent

    dossier = Dossier.objects.select_related("procedure", "agency").filter(pk=dossier_id).first()
    if dossier is None:
        return False
    event = DossierEvent.objects.filter(pk=event_id, dossier=dossier).first() if event_id else None
    try:
        row = notify_dossier(dossier=dossier, event=event, channel=channel, attempt=attempt)
    except Exception:  # e.g. the database is unreachable: logged, never raised to the caller
        logger.exception("notification %s of dossier %s crashed", channel, dossier_id)
        return False
    if not row.ok and attempt < MAX_ATTEMPTS and not self.request.is_eager:
        notify_status_change_task.apply_async(
            (dossier_id, event_id, channel, attempt + 1), countdown=RETRY_SECONDS * attempt
        )
    return row.ok
