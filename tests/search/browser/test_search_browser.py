"""Issue 5, done when: a user types `ke hoach chuyen doi so` in the header search box, finds the
plan documents ranked first, sees facets, and cannot find a confidential document of another unit.
Runs on whichever backend SEARCH_BACKEND selects (CI: OpenSearch)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser_support import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_from_the_header_finds_plans_first_with_facets_and_no_leak(page, corpus):
    docs = corpus.docs
    login(page, "chuyenvien")
    page.goto("/incoming/")
    box = page.locator("#search-q")
    box.press_sequentially("chuyen do", delay=40)
    # Type-ahead (htmx, prefix search) proposes the plan while typing.
    expect(page.locator(f'#suggestion-list a[data-document="{docs["plan"].pk}"]')).to_be_visible()
    box.fill("ke hoach chuyen doi so")
    with page.expect_navigation():
        box.press("Enter")
    assert "/search/" in page.url

    hits = page.locator("#search-hits .search-hit")
    expect(hits.first).to_be_visible()
    ranked = [int(value) for value in hits.evaluate_all("els => els.map(e => e.dataset.document)")]
    assert set(ranked[:2]) == {docs["plan"].pk, docs["granted"].pk}  # the plans (Kế hoạch)
    assert ranked[2] == docs["letter"].pk
    assert docs["confidential"].pk not in ranked and docs["other_unit"].pk not in ranked
    expect(page.locator("#result-count")).to_contain_text("3")
    expect(hits.first.locator("mark").first).to_be_visible()

    facets = page.locator("#facets")
    expect(facets.locator("#facet-type")).to_contain_text("Kế hoạch")
    expect(facets.locator("#facet-type")).to_contain_text("2")
    expect(facets.locator("#facet-unit")).not_to_contain_text("Văn phòng Sở")

    # Ticking a facet filters the results (the page reloads with the filter).
    with page.expect_navigation():
        facets.locator("#facet-type label", has_text="Công văn").locator("input").check()
    ranked = page.locator("#search-hits .search-hit").evaluate_all(
        "els => els.map(e => Number(e.dataset.document))"
    )
    assert ranked == [docs["letter"].pk]

    # The confidential plan of the pharmacy unit cannot be found, by its words or its number.
    for text in ("kho thuốc dự trữ", "17/KH-NVD"):
        page.goto("/search/?q=" + text)
        expect(page.locator("#search-empty")).to_be_visible()
        expect(page.locator("#result-count")).to_contain_text("0")
        expect(page.locator("#facets fieldset")).to_have_count(0)
