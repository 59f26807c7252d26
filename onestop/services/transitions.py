"""What every write on a dossier shares: the locked row, the events of its history, a status
change (the row, its event, the audit entry, the signal once committed), the guards on status
and reason, audited refusals, and the dossier's internal process started or cancelled."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from edoc.models import User
from edoc.services.audit import audit_record
from onestop.models import Dossier, DossierEvent
from onestop.signals import dossier_status_changed, dossier_status_recorded
from workflows import calendar

Status = Dossier.Status


def _event(
    dossier: Dossier,
    kind: str,
    *,
    actor: User | None,
    from_status: int | None = None,
    to_status: int | None = None,
    public: str = "",
    internal: str = "",
) -> DossierEvent:
    return DossierEvent.objects.create(
        dossier=dossier,
        kind=kind,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        public_message=public,
        internal_note=internal,
    )


def _notify_on_commit(dossier: Dossier, event: DossierEvent) -> None:
    transaction.on_commit(
        lambda: dossier_status_changed.send(sender=Dossier, dossier=dossier, event=event)
    )


def _announce(dossier: Dossier, event: DossierEvent) -> None:
    """A change the citizen and the upper apps hear of (a status, a new appointment):
    `dossier_status_recorded` now, in the transaction; `dossier_status_changed` on commit."""
    dossier_status_recorded.send(sender=Dossier, dossier=dossier, event=event)
    _notify_on_commit(dossier, event)


def _transition(
    dossier: Dossier,
    to: int,
    kind: str,
    *,
    actor: User | None,
    public: str = "",
    internal: str = "",
    fields: Iterable[str] = (),
    details: dict | None = None,
) -> DossierEvent:
    """Record a status change: the row, its event, the audit entry, `dossier_status_recorded`
    in the transaction and `dossier_status_changed` once it commits."""
    old = dossier.status
    dossier.status = to
    dossier.save(update_fields=["status", "updated_at", *fields])
    event = _event(
        dossier,
        kind,
        actor=actor,
        from_status=old,
        to_status=to,
        public=public,
        internal=internal,
    )
    audit_record(
        actor=actor,
        action=f"dossier.{kind}",
        target=dossier,
        details={"from": old, "to": to, **(details or {})},
    )
    _announce(dossier, event)
    return event


def _locked(dossier: Dossier) -> Dossier:
    return (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("procedure", "agency")
        .get(pk=dossier.pk)
    )


def _refusals_audited(action: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A service whose permission refusal is audited ("dossier.refused"): the service's own
    transaction has rolled back, so the entry is written in a transaction of its own (when the
    caller holds an outer transaction, the entry shares its fate)."""

    def decorate(service: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(service)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return service(*args, **kwargs)
            except PermissionDenied as error:
                with transaction.atomic():
                    audit_record(
                        actor=kwargs.get("officer") or kwargs.get("user"),
                        action="dossier.refused",
                        target=kwargs.get("dossier"),
                        details={"action": action, "message": str(error)},
                    )
                raise

        return run

    return decorate


def _require_status(dossier: Dossier, allowed: Iterable[int], what: str) -> None:
    allowed = tuple(allowed)
    if dossier.status not in allowed:
        raise ValidationError(
            _("Cannot %(what)s: the dossier is “%(status)s”.")
            % {"what": what, "status": dossier.get_status_display()},
            code="wrong_status",
        )


def _require_reason(reason: str, field: str = "reason") -> None:
    if not reason:
        raise ValidationError({field: _("Give the reason; the citizen will read it.")})


def _format_date(moment: datetime.datetime | None) -> str:
    if moment is None:
        return ""
    return timezone.localtime(moment, calendar.VN_TZ).strftime("%H:%M %d/%m/%Y")


def _start_process(dossier: Dossier, user: User) -> None:
    """Start the procedure's internal process on the dossier (when it has one)."""
    definition = dossier.procedure.definition
    if definition is None or definition.published_version() is None:
        return
    from workflows.services.processes import process_start

    run = process_start(user=user, definition=definition, subject=dossier)
    dossier.run = run
    dossier.save(update_fields=["run", "updated_at"])


def _cancel_run(run_id: int | None, user: User, reason: str) -> None:
    from workflows.models import ProcessRun
    from workflows.services.processes import process_cancel

    run = ProcessRun.objects.filter(pk=run_id, finished_at__isnull=True).first()
    if run is not None:
        process_cancel(user=user, run=run, reason=reason)
