"""Query filters of the task list."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import BooleanFilter

from edoc.selectors.access import delegators_of
from workflows import access
from workflows.models import WorkItem
from workflows.selectors import due_soon_until


class TaskScope:
    MINE = "mine"
    CLAIMABLE = "claimable"
    DELEGATED = "delegated"
    choices = (
        (MINE, _("assigned to you")),
        (CLAIMABLE, _("group tasks you may claim")),
        (DELEGATED, _("tasks of leaders who delegated to you")),
    )


class TaskFilter(django_filters.FilterSet):
    scope = django_filters.ChoiceFilter(
        choices=TaskScope.choices,
        method="filter_scope",
        help_text=_(
            '"mine": assigned to you; "claimable": unclaimed group tasks you may claim; '
            '"delegated": tasks of a leader whose delegation to you is active. Omit for all.'
        ),
    )
    overdue = BooleanFilter(
        method="filter_overdue", help_text=_("true: past their deadline; false: not overdue.")
    )
    due_soon = BooleanFilter(
        method="filter_due_soon",
        help_text=_(
            "true: not yet overdue, due within one working day (office hours of working days)."
        ),
    )
    document = django_filters.NumberFilter(field_name="document_id", help_text=_("Document id."))
    definition = django_filters.CharFilter(
        field_name="run__version__definition__key", help_text=_("Process definition key.")
    )

    class Meta:
        model = WorkItem
        fields: list[str] = []

    def filter_scope(self, queryset: QuerySet[WorkItem], name: str, value: str) -> QuerySet:
        user = self.request.user
        if value == TaskScope.MINE:
            return queryset.filter(assignee_id=user.pk)
        if value == TaskScope.CLAIMABLE:
            return queryset.filter(access.claimable_q(user))
        if value == TaskScope.DELEGATED:
            return queryset.filter(assignee__in=delegators_of(user))
        return queryset

    def filter_overdue(self, queryset: QuerySet[WorkItem], name: str, value: bool) -> QuerySet:
        overdue = Q(deadline__lt=timezone.now())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_due_soon(self, queryset: QuerySet[WorkItem], name: str, value: bool) -> QuerySet:
        now = timezone.now()
        soon = Q(deadline__gte=now, deadline__lte=due_soon_until(now))
        return queryset.filter(soon) if value else queryset.exclude(soon)
