"""Staff pages of the workflows app."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from workflows.selectors import inbox_work_items, work_item_get_for_user


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    return render(request, "workflows/inbox.html", {"items": inbox_work_items(request.user)})


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = work_item_get_for_user(request.user, pk)
    return render(request, "workflows/task.html", {"item": item})
