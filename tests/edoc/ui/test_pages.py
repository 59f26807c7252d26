"""Every page renders for the right role, refuses the wrong one, and speaks Vietnamese first."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from edoc.models import Assignment, Delegation, Document, ReadReceipt, RegisterBook
from edoc.services.handling import delegation_create, document_assign

pytestmark = pytest.mark.django_db


def test_anonymous_users_are_sent_to_the_login_page(client):
    response = client.get(reverse("edoc:pending"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    page = client.get(reverse("login"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Đăng nhập" in html
    assert 'id="login-form"' in html


def test_login_page_logs_in_with_the_real_form(client, users):
    response = client.post(
        reverse("login"), {"username": "vanthu", "password": "pw-vanthu"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("edoc:pending")
    assert "Văn bản chờ xử lý" in response.content.decode()


def test_layout_shows_user_menu_and_pending_count(client_for, users, incoming):
    incoming()
    html = client_for(users["director"]).get(reverse("edoc:pending")).content.decode()
    assert "eDoc — Sở Y tế" in html
    assert str(users["director"]) in html and "Giám đốc" in html and "Ban Giám đốc Sở" in html
    assert 'id="nav-pending-count">1<' in html
    assert 'id="header-search"' in html
    assert 'id="logout-form"' in html and 'id="lang-en"' in html
    # Clerk-only and staff-only entries.
    assert 'id="nav-register"' not in html
    assert 'id="nav-admin"' not in html
    clerk_html = client_for(users["clerk"]).get(reverse("edoc:pending")).content.decode()
    assert 'id="nav-register"' in clerk_html


@pytest.mark.parametrize(
    ("role", "url_name"),
    [
        ("specialist", "edoc:pending"),
        ("specialist", "edoc:incoming_list"),
        ("specialist", "edoc:outgoing_list"),
        ("specialist", "edoc:outgoing_create"),
        ("specialist", "edoc:register_books"),
        ("specialist", "edoc:delegations"),
        ("clerk", "edoc:incoming_register"),
        ("director", "edoc:delegations"),
        ("head", "edoc:pending"),
    ],
)
def test_pages_render_for_their_roles(client_for, users, catalogs, role, url_name):
    response = client_for(users[role]).get(reverse(url_name))
    assert response.status_code == 200


@pytest.mark.parametrize("role", ["specialist", "head", "director"])
def test_registration_is_for_clerks_only(client_for, users, role, sample_pdf):
    client = client_for(users[role])
    response = client.get(reverse("edoc:incoming_register"))
    assert response.status_code == 403
    assert "Không có quyền truy cập" in response.content.decode()
    response = client.post(reverse("edoc:incoming_propose"), {"file": _upload(sample_pdf)})
    assert response.status_code == 403


def test_documents_outside_ones_scope_are_404(client_for, users, incoming):
    document = incoming()
    outsider = client_for(users["other_specialist"])
    response = outsider.get(reverse("edoc:document_detail", args=[document.pk]))
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()
    file = document.latest_file()
    download = reverse("edoc:document_file_download", args=[document.pk, file.pk])
    assert outsider.get(download).status_code == 404
    comment = reverse("edoc:document_comment", args=[document.pk])
    assert outsider.post(comment, {"comment": "x"}).status_code == 404
    assert not ReadReceipt.objects.filter(
        document=document, user=users["other_specialist"]
    ).exists()


def test_vietnamese_by_default_english_by_cookie(client_for, users):
    vi = client_for(users["specialist"]).get(reverse("edoc:pending"))
    assert '<html lang="vi">' in vi.content.decode()
    assert "Văn bản chờ xử lý" in vi.content.decode()
    en = client_for(users["specialist"], language="en").get(reverse("edoc:pending"))
    html = en.content.decode()
    assert '<html lang="en">' in html
    assert "Pending documents" in html and "Văn bản chờ xử lý" not in html


def test_language_switch_posts_to_set_language(client_for, users):
    client = client_for(users["specialist"])
    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("edoc:incoming_list")}
    )
    assert response.status_code == 302
    html = client.get(reverse("edoc:incoming_list")).content.decode()
    assert "Incoming documents" in html


def test_pending_inbox_sections(client_for, users, incoming):
    director_doc = incoming(subject="Chờ phân công")
    assigned = incoming(subject="Đã giao cho chuyên viên")
    document_assign(user=users["director"], document=assigned, lead_user=users["specialist"])
    Assignment.objects.filter(document=assigned).update(
        deadline=timezone.localdate() - datetime.timedelta(days=1)
    )
    html = client_for(users["director"]).get(reverse("edoc:pending")).content.decode()
    assert 'id="inbox-to-assign"' in html and director_doc.subject in html

    html = client_for(users["specialist"]).get(reverse("edoc:pending")).content.decode()
    assert 'id="inbox-tasks"' in html
    assert "Đã giao cho chuyên viên" in html
    assert "row-overdue" in html and "Quá hạn" in html
    assert "Xử lý chính" in html and str(users["director"]) in html  # role, assigned by


def test_incoming_list_filters_and_paginates(client_for, users, incoming, catalogs):
    for index in range(27):
        incoming(subject=f"Văn bản thử số {index}")
    incoming(subject="Về việc phòng chống sốt xuất huyết", urgency=catalogs["urgent"])
    client = client_for(users["clerk"])
    url = reverse("edoc:incoming_list")

    first = client.get(url).content.decode()
    assert "28 văn bản" in first
    assert "Trang 1/2" in first
    second = client.get(url, {"page": 2}).content.decode()
    assert "Trang 2/2" in second

    found = client.get(url, {"q": "sốt xuất huyết"}).content.decode()
    assert "1 văn bản" in found and "phòng chống sốt xuất huyết" in found
    urgent = client.get(url, {"urgency": catalogs["urgent"].pk}).content.decode()
    assert "1 văn bản" in urgent and "Khẩn" in urgent
    by_status = client.get(url, {"status": Document.Status.IN_PROGRESS}).content.decode()
    assert "Không có văn bản nào phù hợp" in by_status
    this_year = client.get(url, {"year": timezone.localdate().year}).content.decode()
    assert "28 văn bản" in this_year
    today = timezone.localdate().isoformat()
    ranged = client.get(url, {"date_from": today, "date_to": today}).content.decode()
    assert "28 văn bản" in ranged
    symbol = client.get(url, {"q": "7/KH-UBND"}).content.decode()
    assert "28 văn bản" in symbol


def test_outgoing_list_shows_drafts_of_the_unit(client_for, users, catalogs):
    from edoc.services.documents import outgoing_create

    outgoing_create(
        user=users["specialist"],
        subject="Báo cáo công tác quý",
        document_type=catalogs["types"]["BC"],
        urgency=catalogs["normal"],
        confidentiality=catalogs["public"],
    )
    html = client_for(users["head"]).get(reverse("edoc:outgoing_list")).content.decode()
    assert "Báo cáo công tác quý" in html and "Dự thảo" in html
    html = client_for(users["other_specialist"]).get(reverse("edoc:outgoing_list")).content.decode()
    assert "Báo cáo công tác quý" not in html


def test_document_page_records_the_read_and_shows_numbers(client_for, users, incoming):
    document = incoming()
    response = client_for(users["director"]).get(
        reverse("edoc:document_detail", args=[document.pk])
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="incoming-number" class="incoming-number">{document.book_number}<' in html
    assert 'id="document-symbol" class="symbol">7/KH-UBND<' in html
    assert 'id="assign-form"' in html
    assert ReadReceipt.objects.filter(document=document, user=users["director"]).exists()
    assert "Người đã xem" in html and str(users["director"]) in html


def test_action_forms_only_for_those_allowed(client_for, users, incoming):
    document = incoming()
    url = reverse("edoc:document_detail", args=[document.pk])
    clerk_html = client_for(users["clerk"]).get(url).content.decode()
    assert 'id="assign-form"' not in clerk_html
    assert 'id="btn-complete"' not in clerk_html
    assert 'id="comment-form"' in clerk_html
    # A non-leader posting an assignment gets 403.
    response = client_for(users["clerk"]).post(
        reverse("edoc:document_assign", args=[document.pk]), {"lead_unit": document.owner_unit_id}
    )
    assert response.status_code == 403


def test_register_books_and_their_pages(client_for, users, incoming):
    document = incoming()
    book = document.register_book
    client = client_for(users["clerk"])
    html = client.get(reverse("edoc:register_books")).content.decode()
    assert reverse("edoc:register_book_detail", args=[book.pk]) in html
    detail = client.get(reverse("edoc:register_book_detail", args=[book.pk])).content.decode()
    assert document.subject in detail
    assert reverse("edoc:register_book_pdf", args=[book.pk]) in detail
    assert reverse("edoc:register_book_xlsx", args=[book.pk]) in detail
    # A book whose documents one cannot see does not exist for them.
    other = client_for(users["other_specialist"])
    assert other.get(reverse("edoc:register_book_detail", args=[book.pk])).status_code == 404
    assert other.get(reverse("edoc:register_book_pdf", args=[book.pk])).status_code == 404


def test_delegation_page_creates_and_revokes(client_for, users):
    client = client_for(users["director"])
    today = timezone.localdate()
    response = client.post(
        reverse("edoc:delegations"),
        {
            "delegate": users["deputy"].pk,
            "start_date": today.isoformat(),
            "end_date": (today + datetime.timedelta(days=3)).isoformat(),
            "reason": "Đi công tác",
        },
        follow=True,
    )
    assert "Đã tạo ủy quyền." in response.content.decode()
    delegation = Delegation.objects.get(delegator=users["director"])
    html = client_for(users["deputy"]).get(reverse("edoc:delegations")).content.decode()
    assert "Ủy quyền tôi được nhận" in html and "Đi công tác" in html
    assert 'id="delegation-form"' not in html or users["deputy"].can_assign

    # Someone else's delegation is not theirs to revoke.
    revoke = reverse("edoc:delegation_revoke", args=[delegation.pk])
    assert client_for(users["deputy"]).post(revoke).status_code == 404
    response = client.post(revoke, follow=True)
    assert "Đã thu hồi ủy quyền." in response.content.decode()
    delegation.refresh_from_db()
    assert delegation.revoked_at is not None


def test_delegation_errors_show_on_the_form(client_for, users):
    today = timezone.localdate()
    response = client_for(users["director"]).post(
        reverse("edoc:delegations"),
        {
            "delegate": users["deputy"].pk,
            "start_date": today.isoformat(),
            "end_date": (today - datetime.timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert "Ngày kết thúc trước ngày bắt đầu." in response.content.decode()
    assert not Delegation.objects.exists()


def test_specialists_cannot_delegate(client_for, users):
    client = client_for(users["specialist"])
    html = client.get(reverse("edoc:delegations")).content.decode()
    assert 'id="delegation-form"' not in html
    response = client.post(reverse("edoc:delegations"), {"delegate": users["head"].pk})
    assert response.status_code == 403


def test_on_behalf_of_is_shown_in_the_timeline(client_for, users, incoming):
    document = incoming()
    today = timezone.localdate()
    delegation_create(
        user=users["director"], delegate=users["head"], start_date=today, end_date=today
    )
    response = client_for(users["head"]).post(
        reverse("edoc:document_assign", args=[document.pk]),
        {"lead_user": users["specialist"].pk, "directive": "Xử lý ngay"},
        follow=True,
    )
    html = response.content.decode()
    assert "Đã phân công xử lý văn bản." in html
    assert f"theo ủy quyền của {users['director']}" in html


def test_register_book_model_is_unchanged_by_viewing(client_for, users, incoming):
    document = incoming()
    before = RegisterBook.objects.get(pk=document.register_book_id).last_number
    client_for(users["clerk"]).get(reverse("edoc:register_books"))
    assert RegisterBook.objects.get(pk=document.register_book_id).last_number == before


def _upload(content: bytes, name: str = "van-ban.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/pdf")
