"""Staff UI views (placeholder until the UI lands)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from edoc.selectors.documents import pending_inbox


@login_required
def pending(request: HttpRequest) -> HttpResponse:
    return render(request, "edoc/pending.html", {"inbox": pending_inbox(request.user)})
