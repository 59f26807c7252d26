"""The search request, shared by the page, the type-ahead and the API."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from edoc.text import nfc

from .backends import SearchQuery
from .backends.base import FILTER_KEYS, MAX_PAGE_SIZE, MAX_QUERY_CHARS, SORTS

MAX_VALUES_PER_FILTER = 50
MAX_PAGE = 1000
DATE_INPUTS = ["%Y-%m-%d", "%d/%m/%Y"]


class SearchForm(forms.Form):
    """GET parameters: q, type, year, issuer, unit, urgency, status, direction (each repeatable),
    date_from, date_to, sort, page, page_size. A query longer than the limit is cut, not refused."""

    q = forms.CharField(label=_("Search"), required=False, strip=True)
    date_from = forms.DateField(label=_("From"), required=False, input_formats=DATE_INPUTS)
    date_to = forms.DateField(label=_("To"), required=False, input_formats=DATE_INPUTS)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[("relevance", _("Relevance")), ("date", _("Newest first"))],
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE)
    page_size = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE_SIZE)

    def clean_q(self) -> str:
        return nfc(self.cleaned_data.get("q") or "")[:MAX_QUERY_CHARS]

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        filters: dict[str, list[str]] = {}
        for key in FILTER_KEYS:
            values = [nfc(v)[:255] for v in self.data.getlist(key) if v and nfc(v)]
            if not values:
                continue
            if len(values) > MAX_VALUES_PER_FILTER:
                self.add_error(None, _("Too many values for one filter."))
                continue
            if key in ("year", "unit", "type") and not all(v.isdigit() for v in values):
                self.add_error(None, _("Filter “%(key)s” takes numbers only.") % {"key": key})
                continue
            filters[key] = list(dict.fromkeys(values))
        cleaned["filters"] = filters
        return cleaned

    def search_query(self, *, prefix: bool = False, page_size: int = 20) -> SearchQuery:
        """The validated request (call after is_valid())."""
        data = self.cleaned_data
        return SearchQuery(
            text=data.get("q") or "",
            filters=data.get("filters") or {},
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            sort=data.get("sort") if data.get("sort") in SORTS else "relevance",
            page=data.get("page") or 1,
            page_size=data.get("page_size") or page_size,
            prefix=prefix,
        )
