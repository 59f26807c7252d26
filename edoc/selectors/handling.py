"""How incoming documents were handled: when, by which unit, on whose assignment, in time or not.

One definition shared by the incoming list's filters and the operations dashboard:

- handling unit: the unit of the document's first lead assignment (the unit assigned, or the
  assigned person's unit); the leader: who made that assignment;
- handled at: the time of the latest "completed" event of the document;
- on time: completed, and completed by its handling deadline (local date) or with no deadline;
- late: completed after its handling deadline;
- overdue now: not completed (awaiting assignment or in progress) and the deadline has passed;
- open in time: not completed and the deadline (if any) not passed.

The three facts (handled at, handling unit, assigning leader) are stored on the document
(`Document.handled_at`, `handling_unit`, `assigning_leader`) by the services that write lead
assignments and completion events, from `handling_fact_expressions`; the states are conditions
on those columns, so counts group in the database without a subquery per document.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import (
    DurationField,
    ExpressionWrapper,
    F,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from edoc.models import Assignment, Document, DocumentEvent

ON_TIME, LATE, OVERDUE, OPEN = "on_time", "late", "overdue", "open"
HANDLING_STATES = (ON_TIME, LATE, OVERDUE, OPEN)
UNFINISHED = (Document.Status.REGISTERED, Document.Status.IN_PROGRESS)


def handling_fact_expressions(
    assignment_model: type[Model] = Assignment, event_model: type[Model] = DocumentEvent
) -> dict[str, Any]:
    """The stored handling facts as SQL expressions over a document's assignments and events
    (for `QuerySet.update`): `handled_at`, `handling_unit_id`, `assigning_leader_id`. The
    models are parameters so that a migration can pass its historical ones."""
    lead = assignment_model.objects.filter(
        document=OuterRef("pk"), role=Assignment.Role.LEAD, parent__isnull=True
    ).order_by("created_at", "pk")
    completed = event_model.objects.filter(
        document=OuterRef("pk"), action=DocumentEvent.Action.COMPLETED
    ).order_by("-created_at", "-pk")
    return {
        "handled_at": Subquery(completed.values("created_at")[:1]),
        "handling_unit_id": Subquery(
            lead.annotate(handling_unit=Coalesce("unit_id", "user__unit_id")).values(
                "handling_unit"
            )[:1]
        ),
        "assigning_leader_id": Subquery(lead.values("assigned_by_id")[:1]),
    }


def with_handling(queryset: QuerySet[Document]) -> QuerySet[Document]:
    """Annotate `handled_on` (local date of the stored `handled_at`) and `handling_time`
    (handled_at − received_at). Once: a queryset already annotated is returned as it is."""
    if "handled_on" in queryset.query.annotations:
        return queryset
    return queryset.annotate(
        handled_on=TruncDate("handled_at", tzinfo=timezone.get_current_timezone()),
        handling_time=ExpressionWrapper(
            F("handled_at") - F("received_at"), output_field=DurationField()
        ),
    )


def handling_q(state: str, *, today: datetime.date | None = None) -> Q:
    """The condition of one handling state on a queryset annotated by `with_handling`."""
    today = today or timezone.localdate()
    # A completed document without a completion event (none in eDoc's own handling) has no
    # handling date: with a deadline it is neither on time nor late.
    completed = Q(status=Document.Status.COMPLETED)
    if state == ON_TIME:
        return completed & (Q(deadline__isnull=True) | Q(handled_on__lte=F("deadline")))
    if state == LATE:
        return completed & Q(deadline__isnull=False, handled_on__gt=F("deadline"))
    if state == OVERDUE:
        return Q(status__in=UNFINISHED, deadline__lt=today)
    if state == OPEN:
        return Q(status__in=UNFINISHED) & (Q(deadline__isnull=True) | Q(deadline__gte=today))
    raise ValueError(f"unknown handling state {state!r}")
