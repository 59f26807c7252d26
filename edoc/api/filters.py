"""Query-string filters of the list endpoints. They only narrow querysets that a selector built."""

from __future__ import annotations

import re

import django_filters
from django.core.validators import RegexValidator
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from edoc.models import Assignment, Document
from edoc.selectors.documents import AGENCY_REGISTRY, in_registry

_SYMBOL_RE = re.compile(r"^\s*(?P<number>[^/\s]+)\s*/\s*(?P<notation>\S+)\s*$")


class DocumentFilter(django_filters.FilterSet):
    direction = django_filters.ChoiceFilter(choices=Document.Direction.choices)
    status = django_filters.ChoiceFilter(choices=Document.Status.choices)
    document_type = django_filters.NumberFilter(
        field_name="document_type_id", help_text=_("Document type id.")
    )
    urgency = django_filters.CharFilter(field_name="urgency__code", help_text=_("Urgency code."))
    confidentiality = django_filters.CharFilter(
        field_name="confidentiality__code", help_text=_("Confidentiality code.")
    )
    owner_unit = django_filters.NumberFilter(
        field_name="owner_unit_id", help_text=_("Registering or drafting unit id.")
    )
    register_book = django_filters.NumberFilter(
        field_name="register_book_id", help_text=_("Register book id.")
    )
    registry = django_filters.CharFilter(
        method="filter_registry",
        validators=[
            RegexValidator(
                rf"^({AGENCY_REGISTRY}|\d+)$",
                _('Give "agency" or the id of a unit that keeps its own register books.'),
            )
        ],
        help_text=_(
            'Whose register books hold the entries: "agency" for the agency\'s own, or the id '
            "of a unit that keeps its own (a hospital, a health centre)."
        ),
    )
    year = django_filters.NumberFilter(
        method="filter_year",
        help_text=_("Year of the register book; for documents not yet in a book, year created."),
    )
    q = django_filters.CharFilter(
        method="filter_q",
        help_text=_('Text in the subject, number or notation; a symbol such as "15/KH-SYT" too.'),
    )

    class Meta:
        model = Document
        fields: list[str] = []

    def filter_year(self, queryset: QuerySet[Document], name: str, value: int) -> QuerySet:
        return queryset.filter(
            Q(register_book__year=value) | Q(register_book__isnull=True, created_at__year=value)
        )

    def filter_registry(self, queryset: QuerySet[Document], name: str, value: str) -> QuerySet:
        return in_registry(queryset, value)

    def filter_q(self, queryset: QuerySet[Document], name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        condition = (
            Q(subject__icontains=value) | Q(number__icontains=value) | Q(notation__icontains=value)
        )
        symbol = _SYMBOL_RE.match(value)
        if symbol:
            condition |= Q(number=symbol["number"], notation__iexact=symbol["notation"])
        return queryset.filter(condition)


class AssignmentFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=Assignment.Status.choices,
        help_text=_('"pending" lists what waits for you; omit it for your whole history.'),
    )
    role = django_filters.ChoiceFilter(choices=Assignment.Role.choices)
    document = django_filters.NumberFilter(field_name="document_id", help_text=_("Document id."))

    class Meta:
        model = Assignment
        fields: list[str] = []
