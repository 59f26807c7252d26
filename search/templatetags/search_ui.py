"""Template tags of search: the extraction/OCR state of a document's file versions."""

from __future__ import annotations

from django import template

from search.selectors import file_text_states as select_file_text_states

register = template.Library()


@register.inclusion_tag("search/partials/file_text_states.html")
def file_text_states(document) -> dict:
    """Text extraction and OCR state of each file version (the caller may already see it)."""
    return {"states": select_file_text_states(document), "document": document}
