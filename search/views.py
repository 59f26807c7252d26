"""Search page and type-ahead suggestions (staff UI)."""

from __future__ import annotations

import math

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .backends.base import FILTER_KEYS
from .forms import SearchForm
from .selectors import result_documents
from .services import search_documents

SUGGESTIONS = 8
MIN_SUGGEST_CHARS = 2  # one letter would match most of the index


@login_required
def search_page(request: HttpRequest) -> HttpResponse:
    """Results with facets, date range, sort, highlighted snippets and pagination."""
    form = SearchForm(request.GET)
    context: dict = {"form": form, "filter_keys": FILTER_KEYS}
    status = 200
    if form.is_valid():
        query = form.search_query()
        result = search_documents(request.user, query)
        pages = max(1, math.ceil(result.total / query.page_size))
        context.update(
            query=query,
            result=result,
            items=result_documents(result, request.user),
            selected=query.filters,
            facets=[(key, result.facets.get(key, [])) for key in FILTER_KEYS],
            page=query.page,
            pages=pages,
            previous_page=query.page - 1 if query.page > 1 else None,
            next_page=query.page + 1 if query.page < pages else None,
        )
    else:
        status = 400
    return render(request, "search/results.html", context, status=status)


@login_required
def search_suggest(request: HttpRequest) -> HttpResponse:
    """Type-ahead: the best few documents for what has been typed so far (prefix search)."""
    form = SearchForm(request.GET)
    items = []
    if form.is_valid() and len(form.cleaned_data["q"]) >= MIN_SUGGEST_CHARS:
        query = form.search_query(prefix=True, page_size=SUGGESTIONS)
        query.page = 1
        result = search_documents(request.user, query)
        items = result_documents(result, request.user)
    return render(
        request, "search/partials/suggestions.html", {"items": items, "q": form.data.get("q", "")}
    )
