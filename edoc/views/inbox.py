"""The pending inbox (văn bản chờ xử lý), the staff UI's home page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from edoc.selectors.documents import pending_inbox


@login_required
def pending(request: HttpRequest) -> HttpResponse:
    """Everything waiting for the user: tasks, for-information items, assignment, issuance."""
    return render(request, "edoc/pending.html", {"inbox": pending_inbox(request.user)})
