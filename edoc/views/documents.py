"""Document lists, the document page, file downloads and comments."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from edoc import forms
from edoc.models import Assignment, Document
from edoc.selectors.access import (
    assign_actor,
    assignment_actor,
    can_issue,
    can_register_incoming,
    document_get_for_user,
    edit_draft_actor,
    visible_documents,
)
from edoc.selectors.documents import document_list, draft_return_event
from edoc.services import handling
from edoc.services.files import FileIntegrityError
from edoc.services.handling import document_comment, document_mark_read
from edoc.views.common import form_add_service_errors, paginate

logger = logging.getLogger(__name__)
Direction = Document.Direction


def _list(request: HttpRequest, direction: str, template_title: str) -> HttpResponse:
    queryset = document_list(request.user, direction=direction).select_related(
        "issuer_organization"
    )
    document_filter = forms.DocumentFilter(
        request.GET or None, queryset=queryset, direction=direction
    )
    page = paginate(request, document_filter.qs)
    return render(
        request,
        "edoc/document_list.html",
        {
            "title": template_title,
            "direction": direction,
            "filter": document_filter,
            "page": page,
            "is_incoming": direction == Direction.INCOMING,
        },
    )


@login_required
def incoming_list(request: HttpRequest) -> HttpResponse:
    """Văn bản đến the user may see, filtered and paginated."""
    return _list(request, Direction.INCOMING, _("Incoming documents"))


@login_required
def outgoing_list(request: HttpRequest) -> HttpResponse:
    """Văn bản đi the user may see, filtered and paginated."""
    return _list(request, Direction.OUTGOING, _("Outgoing documents"))


# --- The document page.


def _action_assignments(request: HttpRequest, document: Document) -> list[dict[str, Any]]:
    """Pending assignments the user may act on, each with its action forms."""
    result = []
    pending = document.assignments.filter(status=Assignment.Status.PENDING).select_related(
        "unit", "user", "assigned_by"
    )
    for assignment in pending:
        actor = assignment_actor(request.user, assignment)
        if actor is None:
            continue
        result.append(
            {
                "assignment": assignment,
                "actor": actor,
                "forward_form": forms.ForwardForm(user=request.user, prefix=f"fw{assignment.pk}"),
                "complete_form": forms.CompleteForm(prefix=f"cp{assignment.pk}"),
                "return_form": forms.ReturnForm(prefix=f"rt{assignment.pk}")
                if assignment.role == Assignment.Role.LEAD
                else None,
            }
        )
    return result


def document_page(
    request: HttpRequest,
    document: Document,
    *,
    bound: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render the document page. `bound` replaces default action forms with submitted ones
    (so their errors show); keys are form names, or (assignment id, form name) pairs."""
    user = request.user
    bound = bound or {}
    has_lead = document.assignments.filter(
        role=Assignment.Role.LEAD, status=Assignment.Status.PENDING
    ).exists()
    assigner = assign_actor(user, document)
    if has_lead:
        assigner = None
    editor = edit_draft_actor(user, document)
    my_assignments = _action_assignments(request, document)
    placed: set[Any] = set()
    for item in my_assignments:
        for name in ("forward_form", "complete_form", "return_form"):
            key = (item["assignment"].pk, name)
            if key in bound:
                item[name] = bound[key]
                placed.add(key)
    # Errors of a task form whose task is no longer the user's (already handled, …) go on top.
    action_errors = [
        message
        for key, form in bound.items()
        if isinstance(key, tuple) and key not in placed
        for messages_ in form.errors.values()
        for message in messages_
    ]
    duplicate_visible = bool(
        document.duplicate_of_id
        and visible_documents(user).filter(pk=document.duplicate_of_id).exists()
    )
    source_visible = bool(
        document.source_document_id
        and visible_documents(user).filter(pk=document.source_document_id).exists()
    )
    can_resubmit = (
        can_register_incoming(user)
        and document.owner_unit_id == user.unit_id
        and document.status == Document.Status.RETURNED
    )
    context = {
        "document": document,
        "files": document.files.select_related("uploaded_by").order_by("-version"),
        "events": document.events.select_related("actor", "on_behalf_of", "assignment").order_by(
            "created_at", "pk"
        ),
        "assignments": document.assignments.select_related(
            "unit", "user", "assigned_by", "on_behalf_of", "closed_by"
        ).order_by("created_at", "pk"),
        "receipts": document.read_receipts.select_related("user__unit").order_by("first_read_at"),
        "recipients": document.recipients.select_related("unit", "organization", "internal_copy"),
        "duplicate_visible": duplicate_visible,
        "source_visible": source_visible,
        "assigner": assigner,
        "assign_form": bound.get("assign") or (forms.AssignForm(user=user) if assigner else None),
        "my_assignments": my_assignments,
        "editor": editor,
        "file_form": bound.get("file") or (forms.FileVersionForm() if editor else None),
        "submit_form": bound.get("submit") or (forms.SubmitForm() if editor else None),
        "can_issue": can_issue(user, document),
        "issue_form": bound.get("issue") or forms.IssueForm(),
        "can_resubmit": can_resubmit,
        "resubmit_form": bound.get("resubmit") or forms.ResubmitForm(),
        "comment_form": bound.get("comment") or forms.CommentForm(),
        "action_errors": action_errors,
        "draft_return": draft_return_event(document),
    }
    context["has_actions"] = bool(
        my_assignments or context["assign_form"] or can_resubmit or editor or context["can_issue"]
    )
    return render(request, "edoc/document_detail.html", context, status=status)


@login_required
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The document page; opening it records a read receipt."""
    document = document_get_for_user(request.user, pk)
    document_mark_read(user=request.user, document=document)
    return document_page(request, document)


@login_required
def document_file_download(request: HttpRequest, pk: int, file_pk: int) -> HttpResponse:
    """Serve one file version after its SHA-256 check; a mismatch serves nothing (409).

    The service records the download (or the integrity failure) in the audit log.
    """
    document = document_get_for_user(request.user, pk)
    document_file = get_object_or_404(document.files, pk=file_pk)
    if hasattr(document, "tombstone"):  # destroyed after its retention period: no file left
        messages.error(request, _("This document was destroyed; its files no longer exist."))
        return redirect("edoc:document_detail", pk=document.pk)
    try:
        content = handling.document_file_download(user=request.user, document_file=document_file)
    except FileIntegrityError:
        logger.error("Integrity check failed for document file %s", document_file.pk)
        return render(
            request,
            "edoc/file_integrity_error.html",
            {"document": document, "document_file": document_file},
            status=409,
        )
    response = HttpResponse(content, content_type=document_file.content_type or "application/pdf")
    # A file with active content (JavaScript, embedded files …) is only ever downloaded.
    inline = request.GET.get("inline") == "1" and not document_file.download_only
    response["Content-Disposition"] = content_disposition_header(
        not inline, document_file.original_name or "document.pdf"
    )
    return response


@login_required
@require_POST
def document_comment_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a comment; an htmx request gets the refreshed timeline back."""
    document = document_get_for_user(request.user, pk)
    form = forms.CommentForm(request.POST)
    if form.is_valid():
        try:
            document_comment(
                user=request.user, document=document, comment=form.cleaned_data["comment"]
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            if request.htmx:
                form = forms.CommentForm()
            else:
                messages.success(request, _("Your comment was added."))
                return redirect("edoc:document_detail", pk=document.pk)
    if request.htmx:
        events = document.events.select_related("actor", "on_behalf_of").order_by(
            "created_at", "pk"
        )
        return render(
            request,
            "edoc/partials/timeline.html",
            {"document": document, "events": events, "comment_form": form},
        )
    return document_page(request, document, bound={"comment": form})
