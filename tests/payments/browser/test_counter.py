"""Issue 12, counter: the one-stop officer takes a fee by card on the POS terminal from the
dossier's page (the approval code is required), the dossier moves on, the receipt is issued,
and the officer's cash book of the day lists it."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from onestop.models import Dossier, FeeStatus
from payments.models import Receipt
from tests.browser_support import login, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_officer_takes_a_card_payment_and_sees_the_cash_book(
    page, owing: Dossier, officer, screenshots
):
    login(page, officer.username)
    page.goto(f"/onestop/dossiers/{owing.pk}/")
    expect(page.locator("#dossier-payments .payment-order")).to_have_attribute(
        "data-state", "created"
    )
    page.check("#counter-pay-form input[value=pos]")
    submit(page, "#btn-counter-pay")  # without the approval code
    expect(page.locator("#messages")).to_contain_text("mã chuẩn chi")
    assert not Receipt.objects.exists()

    page.check("#counter-pay-form input[value=pos]")
    page.fill("#approval-code", "A1B2C3")
    submit(page, "#btn-counter-pay")
    receipt = Receipt.objects.get()
    expect(page.locator("#messages")).to_contain_text(receipt.reference)
    expect(page.locator("#dossier-payments .payment-order")).to_have_attribute("data-state", "paid")
    page.screenshot(path=os.path.join(screenshots, "payments-counter.png"), full_page=True)
    owing.refresh_from_db()
    assert owing.fee_status == FeeStatus.PAID and owing.status == Dossier.Status.PROCESSING

    page.click("#nav-cash-book")
    expect(page.locator("#cash-book .cash-book-line")).to_have_count(1)
    expect(page.locator("#cash-book")).to_contain_text("A1B2C3")
    expect(page.locator("#total-pos")).to_have_text("360.000 đ")
    page.screenshot(path=os.path.join(screenshots, "payments-cash-book.png"), full_page=True)
