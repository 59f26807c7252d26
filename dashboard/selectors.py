"""The dashboard's indicators, read through the other apps' access rules (a unit head counts
only the documents and dossiers they may see) and counted by the database: aggregate queries
grouped in SQL, never a Python loop over documents or dossiers.

Documents (incoming ones received in the range; outgoing ones issued in it):
- electronic share of documents exchanged: (incoming received electronically + outgoing sent
  electronically) / (incoming from outside the agency + outgoing issued to an outside
  organisation). Received electronically: registered from an electronic arrival (connectors);
  sent electronically: an edXML message queued to a partner for it.
- incoming by state, handled on time / late / overdue now / open per handling unit and per
  leader who assigned it (definitions in edoc.selectors.handling);
- median handling time: from registration to completion, of the documents completed;
- digitally signed share of issued documents: issued documents with a digital signature made
  in eDoc (signing's signature records) / issued documents;
- exchange per partner agency: documents sent (delivered, waiting, failed) and the average
  delivery delay; documents received and the average time until the clerk answered.

Public services and payments: onestop.reports and payments.selectors, which define them.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from connectors.models import Arrival, OutboxMessage
from dashboard.filters import DateRange, Filters
from dashboard.service_index import service_index
from edoc.models import Document, OutgoingRecipient, Unit, User
from edoc.selectors.access import AGENCY_WIDE_ROLES, visible_documents
from edoc.selectors.handling import LATE, ON_TIME, OPEN, OVERDUE, handling_q, with_handling
from onestop import access as onestop_access
from onestop import reports
from onestop.models import ApologyLetter
from payments import access as payments_access
from payments import selectors as payments_selectors
from signing.models import SignatureRecord

Direction, Status = Document.Direction, Document.Status


def share(part: int, whole: int) -> Decimal | None:
    """`part` of `whole` in percent with one decimal; None when `whole` is 0."""
    if not whole:
        return None
    return (Decimal(part * 100) / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def change(current: Decimal | int | None, previous: Decimal | int | None) -> Decimal | None:
    """The difference with the previous range (None when either is unknown)."""
    if current is None or previous is None:
        return None
    return Decimal(current) - Decimal(previous)


def list_url(name: str, **params: Any) -> str:
    query = {key: value for key, value in params.items() if value not in (None, "")}
    return f"{reverse(name)}?{urlencode(query)}" if query else reverse(name)


# --- Documents ---------------------------------------------------------------------------


def _incoming(
    visible: QuerySet[Document], filters: Filters, *date_ranges: DateRange
) -> QuerySet[Document]:
    """The `visible` incoming documents received in any of `date_ranges` (and of the filtered
    units), annotated with their handling (edoc.selectors.handling)."""
    queryset = with_handling(
        visible.filter(_within("received_at", date_ranges), direction=Direction.INCOMING)
    )
    if filters.unit_ids is not None:
        queryset = queryset.filter(handling_unit_id__in=filters.unit_ids)
    return queryset


def _issued(
    visible: QuerySet[Document], filters: Filters, *date_ranges: DateRange
) -> QuerySet[Document]:
    queryset = visible.filter(
        _within("issued_at", date_ranges), direction=Direction.OUTGOING, status=Status.ISSUED
    )
    if filters.unit_ids is not None:
        queryset = queryset.filter(owner_unit_id__in=filters.unit_ids)
    return queryset


def _within(name: str, date_ranges: tuple[DateRange, ...]) -> Q:
    """`name` (a timestamp) falls in one of the ranges."""
    condition = Q()
    for date_range in date_ranges:
        bounds = date_range.bounds
        condition |= Q(**{f"{name}__gte": bounds.start, f"{name}__lt": bounds.end})
    return condition


def _median_days(queryset: QuerySet[Document], count: int) -> Decimal | None:
    """The median of `handling_time` in days (one decimal) of the `count` documents with one:
    the middle row(s) by an ordered query, not by reading every row."""
    if not count:
        return None
    done = queryset.filter(handling_time__isnull=False).order_by("handling_time")
    middle = list(done.values_list("handling_time", flat=True)[(count - 1) // 2 : count // 2 + 1])
    return _days_of_median(sum(middle, datetime.timedelta()) / len(middle))


INCOMING_STATES = (Status.REGISTERED, Status.IN_PROGRESS, Status.COMPLETED, Status.RETURNED)


class _Median(Aggregate):
    """PostgreSQL's median (the mean of the two middle values for an even count, as
    `_median_days`), inside the headline's aggregate query."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def _days_of_median(value: datetime.timedelta | None) -> Decimal | None:
    if value is None:
        return None
    return Decimal(value.total_seconds() / 86400).quantize(Decimal("0.1"), ROUND_HALF_UP)


def document_headlines(
    user: User,
    filters: Filters,
    date_ranges: tuple[DateRange, ...],
    visible: QuerySet[Document] | None = None,
) -> list[dict[str, Any]]:
    """The documents' headline numbers of each range (with the incoming documents per state in
    `states`): one aggregate query over the incoming documents of all the ranges, one over the
    issued ones, and the median's middle rows per range; over `visible` (by default what
    `user` sees)."""
    if visible is None:
        visible = visible_documents(user)
    external = Q(source_document__isnull=True)
    incoming = _incoming(visible, filters, *date_ranges).annotate(
        from_arrival=Exists(Arrival.objects.filter(document=OuterRef("pk")))
    )
    issued = _issued(visible, filters, *date_ranges).annotate(
        to_outside=Exists(
            OutgoingRecipient.objects.filter(document=OuterRef("pk"), organization__isnull=False)
        ),
        sent_electronically=Exists(
            OutboxMessage.objects.filter(document=OuterRef("pk"), kind=OutboxMessage.Kind.DOCUMENT)
        ),
        signed=Exists(SignatureRecord.objects.filter(document=OuterRef("pk"))),
    )
    incoming_counts: dict[str, Aggregate] = {}
    issued_counts: dict[str, Count] = {}
    in_sql = connection.vendor == "postgresql"  # elsewhere the middle rows are read
    for index, date_range in enumerate(date_ranges):
        received = _within("received_at", (date_range,))
        conditions = {
            "received": Q(),
            "received_external": external,
            "received_electronic": external & Q(from_arrival=True),
            "on_time": handling_q(ON_TIME),
            "late": handling_q(LATE),
            "overdue": handling_q(OVERDUE),
            "open": handling_q(OPEN),
            "handled": Q(handling_time__isnull=False),
            **{f"state_{status.value}": Q(status=status) for status in INCOMING_STATES},
        }
        for key, condition in conditions.items():
            incoming_counts[f"{key}_{index}"] = Count("pk", filter=received & condition)
        if in_sql:
            incoming_counts[f"median_{index}"] = _Median(
                "handling_time", filter=received & conditions["handled"]
            )
        in_range = _within("issued_at", (date_range,))
        for key, condition in {
            "issued": Q(),
            "issued_signed": Q(signed=True),
            "sent_external": Q(to_outside=True) | Q(sent_electronically=True),
            "sent_electronic": Q(sent_electronically=True),
        }.items():
            issued_counts[f"{key}_{index}"] = Count("pk", filter=in_range & condition)
    totals = {**incoming.aggregate(**incoming_counts), **issued.aggregate(**issued_counts)}
    headlines = []
    for index, date_range in enumerate(date_ranges):
        suffix = f"_{index}"
        counts = {
            key.removesuffix(suffix): value for key, value in totals.items() if key.endswith(suffix)
        }
        counts["states"] = {
            status: counts.pop(f"state_{status.value}") for status in INCOMING_STATES
        }
        exchanged = counts["received_external"] + counts["sent_external"]
        counts["exchanged"] = exchanged
        counts["exchanged_electronic"] = counts["received_electronic"] + counts["sent_electronic"]
        counts["electronic_share"] = share(counts["exchanged_electronic"], exchanged)
        counts["on_time_share"] = share(counts["on_time"], counts["on_time"] + counts["late"])
        counts["signed_share"] = share(counts["issued_signed"], counts["issued"])
        handled = counts.pop("handled")
        counts["median_days"] = (
            _days_of_median(counts.pop("median"))
            if in_sql
            else _median_days(_incoming(visible, filters, date_range), handled)
        )
        headlines.append(counts)
    return headlines


def document_headline(user: User, filters: Filters, date_range: DateRange) -> dict[str, Any]:
    """The documents' headline numbers of one range."""
    return document_headlines(user, filters, (date_range,))[0]


@dataclass
class HandlingRow:
    key: int | None
    label: str
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    open: int = 0
    links: dict[str, str] = field(default_factory=dict)

    @property
    def on_time_share(self) -> Decimal | None:
        return share(self.on_time, self.on_time + self.late)


def _unit_names(ids: set[int]) -> dict[int, str]:
    return dict(Unit.objects.filter(pk__in=ids).values_list("pk", "name"))


def _user_names(ids: set[int]) -> dict[int, str]:
    return {
        user.pk: str(user.get_full_name() or user.username)
        for user in User.objects.filter(pk__in=ids)
    }


HANDLING_KEYS = ("handling_unit_id", "assigning_leader_id")


def _handling_groups(incoming: QuerySet[Document]) -> list[dict[str, Any]]:
    """The documents received and their handling counts per (day of reception, handling
    unit, assigning leader), in one grouped query: a few hundred groups at most, rolled up per
    day by `documents_panel` and per unit and per leader by `_handling_rows`."""
    return list(
        incoming.annotate(day=TruncDate("received_at", tzinfo=timezone.get_current_timezone()))
        .values("day", *HANDLING_KEYS)
        .annotate(
            received=Count("pk"),
            on_time=Count("pk", filter=handling_q(ON_TIME)),
            late=Count("pk", filter=handling_q(LATE)),
            overdue=Count("pk", filter=handling_q(OVERDUE)),
            open=Count("pk", filter=handling_q(OPEN)),
        )
        .order_by()
    )


def _handling_rows(
    groups: list[dict[str, Any]],
    key: str,
    names_of: Callable[[set[int]], dict[int, str]],
    link: dict[str, str],
    param: str,
) -> list[HandlingRow]:
    names = names_of({group[key] for group in groups if group[key] is not None})
    rows: dict[int, HandlingRow] = {}
    for group in groups:
        pk = group[key]
        if pk is None:
            continue
        row = rows.setdefault(pk, HandlingRow(pk, names.get(pk, "—")))
        row.on_time += group["on_time"]
        row.late += group["late"]
        row.overdue += group["overdue"]
        row.open += group["open"]
    for pk, row in rows.items():
        for state in (ON_TIME, LATE, OVERDUE, OPEN):
            row.links[state] = list_url("edoc:incoming_list", **link, handling=state, **{param: pk})
    return sorted(rows.values(), key=lambda row: (-row.overdue, row.label))


def _duration(later: str, earlier: str) -> ExpressionWrapper:
    return ExpressionWrapper(F(later) - F(earlier), output_field=DurationField())


def _days(value: datetime.timedelta | None) -> Decimal | None:
    if value is None:
        return None
    return Decimal(value.total_seconds() / 86400).quantize(Decimal("0.01"), ROUND_HALF_UP)


def exchange_by_partner(
    user: User, date_range: DateRange, visible_documents_of_user: QuerySet[Document] | None = None
) -> list[dict[str, Any]]:
    """Per partner agency: documents sent to it and received from it in the range, with the
    delays (one grouped query each way); `visible_documents_of_user`: what `user` sees, when
    the caller has it."""
    bounds = date_range.bounds
    if visible_documents_of_user is None:
        visible_documents_of_user = visible_documents(user)
    visible = visible_documents_of_user.values("pk")
    sent = (
        OutboxMessage.objects.filter(
            kind=OutboxMessage.Kind.DOCUMENT,
            created_at__gte=bounds.start,
            created_at__lt=bounds.end,
            document_id__in=visible,
        )
        .values("route__organization__name")
        .annotate(
            sent=Count("pk"),
            delivered=Count("pk", filter=Q(state=OutboxMessage.State.SENT)),
            waiting=Count("pk", filter=Q(state=OutboxMessage.State.PENDING)),
            failed=Count("pk", filter=Q(state=OutboxMessage.State.FAILED)),
            delivery_delay=Avg(_duration("sent_at", "created_at")),
        )
        .order_by()
    )
    arrivals = Arrival.objects.filter(received_at__gte=bounds.start, received_at__lt=bounds.end)
    if user.role in AGENCY_WIDE_ROLES and user.unit_id:
        arrivals = arrivals.filter(
            Q(document_id__in=visible) | Q(document__isnull=True, agency_id=user.unit.agency_id)
        )
    else:
        arrivals = arrivals.filter(document_id__in=visible)
    received = (
        arrivals.values("route__organization__name")
        .annotate(
            received=Count("pk"),
            unanswered=Count("pk", filter=Q(state=Arrival.State.ARRIVED)),
            answer_delay=Avg(_duration("handled_at", "received_at")),
        )
        .order_by()
    )
    partners: dict[str, dict[str, Any]] = {}
    empty = {
        "sent": 0,
        "delivered": 0,
        "waiting": 0,
        "failed": 0,
        "delivery_days": None,
        "received": 0,
        "unanswered": 0,
        "answer_days": None,
    }
    for group in sent:
        row = partners.setdefault(group["route__organization__name"], dict(empty))
        row.update({key: group[key] for key in ("sent", "delivered", "waiting", "failed")})
        row["delivery_days"] = _days(group["delivery_delay"])
    for group in received:
        row = partners.setdefault(group["route__organization__name"], dict(empty))
        row.update(received=group["received"], unanswered=group["unanswered"])
        row["answer_days"] = _days(group["answer_delay"])
    return [{"partner": name, **row} for name, row in sorted(partners.items())]


def documents_panel(user: User, filters: Filters) -> dict[str, Any]:
    """Everything the documents panel shows."""
    date_range = filters.range
    visible = visible_documents(user)  # the access rules' own queries, once for the panel
    current, previous = document_headlines(
        user, filters, (date_range, date_range.previous), visible
    )
    incoming = _incoming(visible, filters, date_range)
    base = {**date_range.query()}
    by_state = [
        {
            "status": status,
            "label": status.label,
            "count": count,
            "link": list_url("edoc:incoming_list", **base, status=status.value),
        }
        for status, count in current["states"].items()
    ]
    groups = _handling_groups(incoming)
    received_per_day: Counter[datetime.date] = Counter()
    for group in groups:
        received_per_day[group["day"]] += group["received"]
    days = [
        date_range.date_from + datetime.timedelta(days=offset) for offset in range(date_range.days)
    ]
    per_day = [(day, received_per_day.get(day, 0)) for day in days]
    unit_link = dict(base)
    links = {
        "received": list_url("edoc:incoming_list", **base, handling_unit=_unit_param(filters)),
        "issued": list_url("edoc:outgoing_list", **base, status=Status.ISSUED),
    }
    for state in (ON_TIME, LATE, OVERDUE, OPEN):
        links[state] = list_url(
            "edoc:incoming_list", **base, handling=state, handling_unit=_unit_param(filters)
        )
    return {
        "current": current,
        "previous": previous,
        "changes": {
            key: change(current[key], previous[key])
            for key in (
                "received",
                "electronic_share",
                "on_time_share",
                "median_days",
                "signed_share",
                "overdue",
            )
        },
        "by_state": by_state,
        "by_unit": _handling_rows(
            groups, "handling_unit_id", _unit_names, unit_link, "handling_unit"
        ),
        "by_leader": _handling_rows(
            groups, "assigning_leader_id", _user_names, unit_link, "leader"
        ),
        "partners": exchange_by_partner(user, date_range, visible),
        "per_day": per_day,
        "links": links,
    }


def _unit_param(filters: Filters) -> int | None:
    return filters.unit.pk if filters.unit is not None else None


# --- Public services ----------------------------------------------------------------------


def service_totals(
    user: User | None,
    filters: Filters,
    date_range: DateRange,
    dossiers: QuerySet | None = None,
    rows: list[dict] | None = None,
) -> dict[str, Any]:
    """The dossiers' counts (onestop.reports) of one range with the online and on-time shares,
    over what `user` sees (or `dossiers`); from `rows` (a report of that range) when given."""
    if rows is None:
        rows = reports.dossier_report(
            user,
            date_from=date_range.date_from,
            date_to=date_range.date_to,
            group_by="level",
            unit_ids=filters.unit_ids,
            dossiers=dossiers,
        )
    totals: dict[str, Any] = reports.report_totals(rows)
    received = totals["received_online"] + totals["received_counter"]
    totals["received"] = received
    totals["online_share"] = share(totals["received_online"], received)
    totals["on_time_share"] = share(totals["on_time"], totals["on_time"] + totals["late"])
    return totals


def _dossier_links(base: dict[str, Any], rows: list[dict], param: str) -> list[dict]:
    for row in rows:
        row["links"] = {
            key: list_url("onestop:dossier_list", **base, outcome=key, **{param: row["key"]})
            for key in reports.OUTCOMES
        }
    return rows


def services_panel(user: User, filters: Filters) -> dict[str, Any] | None:
    """Dossiers received and resolved in the range per procedure, field and online level, and
    the apology letters; None for a user who sees no dossiers."""
    if not onestop_access.is_onestop_staff(user):
        return None
    date_range = filters.range
    base: dict[str, Any] = {**date_range.query(), "unit": _unit_param(filters)}
    # What the user sees (the access rules' queries once), of the filtered units.
    dossiers = onestop_access.visible_dossiers(user)
    if filters.unit_ids is not None:
        dossiers = dossiers.filter(procedure__handling_unit_id__in=filters.unit_ids)
    groupings = (("procedure", "procedure"), ("field", "field"), ("level", "level"))
    rows = reports.dossier_reports(
        user,
        date_from=date_range.date_from,
        date_to=date_range.date_to,
        group_bys=tuple(group_by for group_by, _param in groupings),
        dossiers=dossiers,
    )
    current = service_totals(user, filters, date_range, rows=rows["level"])
    previous = service_totals(user, filters, date_range.previous, dossiers)
    groups = {
        group_by: _dossier_links(base, rows[group_by], param) for group_by, param in groupings
    }
    bounds = date_range.bounds
    letters = ApologyLetter.objects.filter(
        dossier__in=dossiers.values("pk"), drafted_at__gte=bounds.start, drafted_at__lt=bounds.end
    )
    apology_counts = dict(letters.values_list("status").annotate(count=Count("pk")).order_by())  # type: ignore[arg-type]
    apologies = [
        {"label": label, "count": apology_counts.get(value, 0), "status": value}
        for value, label in ApologyLetter.Status.choices
    ]
    return {
        "current": current,
        "previous": previous,
        "changes": {
            key: change(current[key], previous[key])
            for key in ("received", "online_share", "on_time_share", "overdue")
        },
        "index": service_index(dossiers, date_range, current),
        "groups": groups,
        "apologies": apologies,
        "apologies_total": sum(item["count"] for item in apologies),
        "apologies_link": list_url("onestop:dossier_list", **base, apology="1"),
        "links": {
            key: list_url("onestop:dossier_list", **base, outcome=key) for key in reports.OUTCOMES
        },
    }


# --- Payments ----------------------------------------------------------------------------


def payments_panel(user: User, filters: Filters) -> dict[str, Any] | None:
    """The payment report of the range and of the previous one (payments.selectors), for those
    who may read it (one-stop officers, the agency's leaders); None for others."""
    if payments_access.report_agency_id(user) is None:
        return None
    date_range = filters.range
    current = payments_selectors.payment_report(
        user, date_from=date_range.date_from, date_to=date_range.date_to
    )
    previous_range = date_range.previous
    previous = payments_selectors.payment_report(
        user, date_from=previous_range.date_from, date_to=previous_range.date_to
    )
    return {
        "report": current,
        "previous": previous,
        "changes": {
            "amount": change(current.total.amount, previous.total.amount),
            "count": change(current.total.count, previous.total.count),
            "cashless_share": change(current.cashless_share, previous.cashless_share),
            "fee": change(current.total.fee, previous.total.fee),
        },
        "link": list_url("payments:report", **date_range.query()),
    }


def public_panel(agency_id: int, date_range: DateRange) -> dict[str, Any]:
    """The public page's numbers: the agency's dossiers counted (no dossier, no person shown),
    the same definitions as the services panel, and the service index."""
    dossiers = reports.public_dossiers(agency_id)
    filters = Filters(date_range)
    levels = reports.dossier_report(
        None,
        date_from=date_range.date_from,
        date_to=date_range.date_to,
        group_by="level",
        dossiers=dossiers,
    )
    current = service_totals(None, filters, date_range, rows=levels)
    return {
        "current": current,
        "levels": levels,
        "index": service_index(dossiers, date_range, current),
    }
