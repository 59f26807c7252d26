"""How incoming documents were handled: when, by which unit, on whose assignment, in time or not.

One definition shared by the incoming list's filters and the operations dashboard:

- handling unit: the unit of the document's first lead assignment (the unit assigned, or the
  assigned person's unit); the leader: who made that assignment;
- handled at: the time of the latest "completed" event of the document;
- on time: completed, and completed by its handling deadline (local date) or with no deadline;
- late: completed after its handling deadline;
- overdue now: not completed (awaiting assignment or in progress) and the deadline has passed;
- open in time: not completed and the deadline (if any) not passed.

Everything is an SQL expression (subqueries on indexed foreign keys), so counts group in the
database.
"""

from __future__ import annotations

import datetime

from django.db.models import (
    DurationField,
    ExpressionWrapper,
    F,
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


def with_handling(queryset: QuerySet[Document]) -> QuerySet[Document]:
    """Annotate `handled_at`, `handled_on` (local date), `handling_unit_id`,
    `assigning_leader_id` and `handling_time` (handled_at − received_at). Once: a queryset
    already annotated is returned as it is."""
    if "handled_at" in queryset.query.annotations:
        return queryset
    lead = Assignment.objects.filter(
        document=OuterRef("pk"), role=Assignment.Role.LEAD, parent__isnull=True
    ).order_by("created_at", "pk")
    completed = DocumentEvent.objects.filter(
        document=OuterRef("pk"), action=DocumentEvent.Action.COMPLETED
    ).order_by("-created_at", "-pk")
    return queryset.annotate(
        handled_at=Subquery(completed.values("created_at")[:1]),
        handling_unit_id=Coalesce(
            Subquery(lead.values("unit_id")[:1]), Subquery(lead.values("user__unit_id")[:1])
        ),
        assigning_leader_id=Subquery(lead.values("assigned_by_id")[:1]),
    ).annotate(
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
