"""The weekly dashboard PDF e-mailed to the board (Celery beat, or `dashboard_report --email`).

The board: the agency's active director and deputy directors with an e-mail address, or the
addresses of EDOC_DASHBOARD_REPORT_RECIPIENTS when it is set. The PDF is the dashboard of the
last seven days (up to yesterday) as the director sees it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from dashboard.exports import dashboard_pdf
from dashboard.filters import DateRange, Filters
from edoc.models import User
from edoc.models.organisation import LEADER_ROLES, Role
from edoc.services.audit import audit_record


@dataclass(frozen=True)
class WeeklyReport:
    range: DateRange
    viewer: User
    recipients: list[str]
    pdf: bytes


def last_week(today: datetime.date | None = None) -> DateRange:
    """The seven days before `today`."""
    today = today or timezone.localdate()
    return DateRange(today - datetime.timedelta(days=7), today - datetime.timedelta(days=1))


def board_viewer() -> User | None:
    """Whose dashboard the board receives: the director (else a deputy) of the first agency."""
    leaders = User.objects.filter(role__in=LEADER_ROLES, is_active=True, unit__isnull=False)
    return (
        leaders.filter(role=Role.DIRECTOR).order_by("pk").first() or leaders.order_by("pk").first()
    )


def board_recipients(viewer: User) -> list[str]:
    configured = [address for address in settings.EDOC_DASHBOARD_REPORT_RECIPIENTS if address]
    if configured:
        return configured
    return list(
        User.objects.filter(
            role__in=LEADER_ROLES,
            is_active=True,
            unit__agency_id=viewer.unit.agency_id,
        )
        .exclude(email="")
        .order_by("pk")
        .values_list("email", flat=True)
    )


def weekly_report(today: datetime.date | None = None) -> WeeklyReport | None:
    """The report to send (None when the agency has no director or deputy)."""
    viewer = board_viewer()
    if viewer is None:
        return None
    date_range = last_week(today)
    with override(settings.LANGUAGE_CODE):
        content = dashboard_pdf(viewer, Filters(date_range))
    return WeeklyReport(date_range, viewer, board_recipients(viewer), content)


def weekly_report_send(today: datetime.date | None = None) -> WeeklyReport | None:
    """Build and e-mail the weekly report; audited. None when there is nobody to send it to."""
    report = weekly_report(today)
    if report is None or not report.recipients:
        return None
    with override(settings.LANGUAGE_CODE):
        period = f"{report.range.date_from:%d/%m/%Y} – {report.range.date_to:%d/%m/%Y}"
        subject = _("Operations dashboard, %(period)s") % {"period": period}
        body = _(
            "The operations dashboard of %(period)s is attached (as %(user)s sees it). "
            "The live dashboard is in eDoc under “Operations dashboard”."
        ) % {"period": period, "user": report.viewer.get_full_name() or report.viewer.username}
    message = EmailMessage(subject, body, None, report.recipients)
    message.attach(
        f"bang-dieu-khien-{report.range.date_from:%Y%m%d}-{report.range.date_to:%Y%m%d}.pdf",
        report.pdf,
        "application/pdf",
    )
    message.send()
    with transaction.atomic():
        audit_record(
            actor=None,
            action="dashboard.report_email",
            details={
                "recipients": len(report.recipients),
                **report.range.query(),
            },
        )
    return report
