"""Issue 9 #4: a likely duplicate is announced on the proposal, before "Vào sổ" takes a number;
registering it anyway needs the clerk's explicit confirmation."""

from __future__ import annotations

import pytest
from django.urls import reverse

from edoc.models import AuditEntry, Document, RegisterBook, User
from edoc.models.organisation import Role
from tests.edoc.ui.test_flows import register_form, upload

pytestmark = pytest.mark.django_db


def _incoming_book_counter(clerk) -> int:
    return RegisterBook.objects.get(
        agency=clerk.unit.agency, unit=None, kind="incoming", is_confidential=False
    ).last_number


def test_the_proposal_warns_before_a_number_is_taken(client_for, users, catalogs, sample_pdf):
    clerk = client_for(users["clerk"])
    clerk.post(reverse("edoc:incoming_register"), register_form(catalogs, file=upload(sample_pdf)))
    first = Document.objects.get()

    # The same PDF again: the proposal says so, with a link to the earlier entry.
    html = clerk.post(
        reverse("edoc:incoming_propose"), {"file": upload(sample_pdf)}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'id="duplicate-proposal"' in html
    assert reverse("edoc:document_detail", args=[first.pk]) in html
    assert "Số đến 1" in html and "cùng tệp" in html
    assert 'name="confirm_duplicate"' in html

    # "Vào sổ" without the confirmation: refused, no number used, nothing stored.
    audit_before = AuditEntry.objects.count()
    response = clerk.post(
        reverse("edoc:incoming_register"), register_form(catalogs, file=upload(sample_pdf))
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="duplicate-proposal"' in html and 'name="confirm_duplicate"' in html
    assert "Văn bản này có thể đã được vào sổ" in html  # the error on the confirmation box
    assert Document.objects.count() == 1 and _incoming_book_counter(users["clerk"]) == 1
    assert AuditEntry.objects.count() == audit_before

    # Confirmed: registered, with the next number, flagged and linked to the first.
    response = clerk.post(
        reverse("edoc:incoming_register"),
        register_form(catalogs, file=upload(sample_pdf), confirm_duplicate="on"),
    )
    assert response.status_code == 302
    second = Document.objects.latest("pk")
    assert second.book_number == 2 and second.duplicate_of == first


def test_the_same_reference_typed_by_hand_is_caught_on_registering(client_for, users, catalogs):
    clerk = client_for(users["clerk"])
    clerk.post(reverse("edoc:incoming_register"), register_form(catalogs))  # no file
    first = Document.objects.get()
    html = clerk.post(reverse("edoc:incoming_register"), register_form(catalogs)).content.decode()
    assert 'id="duplicate-proposal"' in html and "cùng cơ quan ban hành" in html
    assert reverse("edoc:document_detail", args=[first.pk]) in html
    assert Document.objects.count() == 1 and _incoming_book_counter(users["clerk"]) == 1
    clerk.post(reverse("edoc:incoming_register"), register_form(catalogs, confirm_duplicate="on"))
    assert Document.objects.count() == 2


def test_a_duplicate_the_clerk_may_not_open_is_announced_without_its_content(
    client_for, users, units, catalogs, sample_pdf
):
    """A confidential entry of another clerk: it exists, nothing more is said."""
    colleague = User.objects.create_user(
        username="vanthu2", unit=units["office"], role=Role.CLERK, first_name="Hà"
    )
    secret_subject = "Phương án bảo vệ bí mật nhà nước năm 2026"
    client_for(colleague).post(
        reverse("edoc:incoming_register"),
        register_form(
            catalogs,
            file=upload(sample_pdf),
            subject=secret_subject,
            confidentiality=catalogs["secret"].pk,
        ),
    )
    hidden = Document.objects.get()
    assert hidden.is_confidential

    html = (
        client_for(users["clerk"])
        .post(reverse("edoc:incoming_propose"), {"file": upload(sample_pdf)})
        .content.decode()
    )
    assert 'id="duplicate-proposal"' in html and 'class="duplicate-hidden"' in html
    assert reverse("edoc:document_detail", args=[hidden.pk]) not in html
    assert secret_subject not in html
