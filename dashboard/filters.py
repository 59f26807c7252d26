"""The dashboard's filters: a date range (local days, both included), the previous range of
the same length, and an optional unit (with the units below it) among those the user sees."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from edoc.models import Unit, User
from edoc.selectors.access import scope_unit_ids
from onestop.reports import Period

DEFAULT_DAYS = 30
MAX_DAYS = 3 * 366


@dataclass(frozen=True)
class DateRange:
    date_from: datetime.date
    date_to: datetime.date

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    @property
    def previous(self) -> DateRange:
        """The range of the same length just before this one."""
        end = self.date_from - datetime.timedelta(days=1)
        return DateRange(end - datetime.timedelta(days=self.days - 1), end)

    @property
    def bounds(self) -> Period:
        """Aware datetimes [start, end) in Vietnam time."""
        return Period.of(self.date_from, self.date_to)

    def query(self) -> dict[str, str]:
        return {"date_from": self.date_from.isoformat(), "date_to": self.date_to.isoformat()}


@dataclass(frozen=True)
class Filters:
    range: DateRange
    unit: Unit | None = None

    @property
    def unit_ids(self) -> set[int] | None:
        """The chosen unit and the units below it; None: every unit the user sees."""
        return self.unit.descendant_ids() if self.unit is not None else None

    def query(self) -> dict[str, str]:
        values = self.range.query()
        if self.unit is not None:
            values["unit"] = str(self.unit.pk)
        return values


def default_range(today: datetime.date | None = None) -> DateRange:
    today = today or timezone.localdate()
    return DateRange(today - datetime.timedelta(days=DEFAULT_DAYS - 1), today)


class DashboardFilterForm(forms.Form):
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=Unit.objects.none(), required=False, empty_label=_("All units")
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(
            pk__in=scope_unit_ids(user), is_active=True
        ).order_by("sort_order", "name")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date is after the end date."))
        if start and end and (end - start).days >= MAX_DAYS:
            raise forms.ValidationError(_("Choose a period of at most three years."))
        return data

    def filters(self) -> Filters:
        """The valid filters, or the defaults (last 30 days, every unit)."""
        fallback = default_range()
        if not self.is_bound or not self.is_valid():
            return Filters(fallback)
        start = self.cleaned_data.get("date_from")
        end = self.cleaned_data.get("date_to") or fallback.date_to
        if start is None:
            start = end - datetime.timedelta(days=DEFAULT_DAYS - 1)
        return Filters(DateRange(start, end), self.cleaned_data.get("unit"))
