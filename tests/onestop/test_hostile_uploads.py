"""Crafted PDFs on the one-stop counter and the citizen portal (issue 9 #17, #22): parser-limit
and page-bomb PDFs are refused at the paper's field, nothing saved; a PDF with active content
is never served inline."""

from __future__ import annotations

import pytest
from django.urls import reverse

from onestop.models import Dossier
from tests.crafted_pdfs import active_content_pdf, huge_array_pdf, many_pages_pdf
from tests.onestop import test_portal, test_portal_tracking
from tests.onestop.test_portal_tracking import (  # noqa: F401 (fixtures)
    _open,
    accepted,
    submitted,
    waiting,
)

pytestmark = pytest.mark.django_db

_fresh_rate_limits = test_portal._fresh_rate_limits
citizen = test_portal.citizen

HOSTILE = {
    "array": (huge_array_pdf, "Cấu trúc tệp PDF vượt quá giới hạn"),
    "pages": (many_pages_pdf, "Tệp PDF có 200.000 trang"),
}


@pytest.fixture(params=sorted(HOSTILE))
def hostile(request, upload):
    build, message = HOSTILE[request.param]
    return upload("pdf", "van-bang.pdf", content=build()), message


def test_counter_intake_refuses(client, officer, procedure, papers, upload, hostile, settings):
    bad, message = hostile
    client.force_login(officer)
    response = client.post(
        reverse("onestop:intake", args=[procedure.pk]),
        {
            "applicant_name": "Lê Văn Cường",
            "applicant_phone": "0987 654 321",
            f"file_{papers[0].pk}": upload("pdf"),
            f"file_{papers[1].pk}": bad,
        },
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Dossier.objects.exists() and test_portal._media_files(settings) == []


def test_portal_submission_refuses(
    citizen, procedure, papers, applicant, upload, hostile, settings
):
    bad, message = hostile
    files = {papers[0].pk: upload("pdf"), papers[1].pk: bad}
    response = citizen.post(
        reverse("portal:submit", args=[procedure.code]),
        test_portal._form(applicant, papers, files),
    )
    assert response.status_code == 400
    assert f"“{papers[1].name}”: {message}" in response.content.decode()
    # Nothing is submitted and the hostile file is not stored; the paper that passed is kept in
    # the citizen's private draft (only the refused one is chosen again).
    draft = Dossier.objects.get()
    assert draft.status == Dossier.Status.DRAFT
    assert list(draft.files.values_list("paper_id", flat=True)) == [papers[0].pk]
    assert len(test_portal._media_files(settings)) == 1


def test_portal_supplement_refuses(citizen, waiting, papers, hostile):  # noqa: F811
    bad, message = hostile
    test_portal_tracking._open(citizen, waiting)
    response = citizen.post(reverse("portal:supplement"), {f"paper_{papers[1].pk}": bad})
    assert response.status_code == 400
    assert message in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == Dossier.Status.SUPPLEMENT and waiting.files.count() == 2


def test_paper_with_active_content_is_never_served_inline(
    client, officer, procedure, papers, upload
):
    client.force_login(officer)
    response = client.post(
        reverse("onestop:intake", args=[procedure.pk]),
        {
            "applicant_name": "Lê Văn Cường",
            "applicant_phone": "0987 654 321",
            f"file_{papers[0].pk}": upload("pdf"),
            f"file_{papers[1].pk}": upload("pdf", "van-bang.pdf", content=active_content_pdf()),
        },
    )
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    plain = dossier.files.get(paper=papers[0])
    active = dossier.files.get(paper=papers[1])
    url = "onestop:paper_download"
    shown = client.get(reverse(url, args=[dossier.pk, plain.pk]), {"inline": "1"})
    assert shown["Content-Disposition"].startswith("inline")
    served = client.get(reverse(url, args=[dossier.pk, active.pk]), {"inline": "1"})
    assert served.status_code == 200
    assert served["Content-Disposition"].startswith("attachment")
