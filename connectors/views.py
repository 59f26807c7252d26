"""Electronic arrivals: the clerk's queue of documents other agencies sent, each opened with
the registration form prefilled from the message, registered or refused with a reason."""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from connectors.exchange.arrivals import (
    arrival_file_read,
    arrival_proposal,
    arrival_refuse,
    arrival_register,
    change_answer,
)
from connectors.exchange.outbox import (
    delivery_retry,
    document_recall,
    document_replace_send,
    document_update_send,
)
from connectors.models import Arrival, OutboxMessage
from edoc import forms
from edoc.models import Document, RegisterBook, Urgency
from edoc.selectors.access import document_get_for_user, is_agency_clerk
from edoc.services.documents import books_for_clerk
from edoc.services.files import pdf_validate
from edoc.services.proposals import proposed_fields
from edoc.views.incoming import register_from_form


class ArrivalRegisterForm(forms.IncomingRegisterForm):
    """edoc's registration form without the file: the file is the one that arrived."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["file"]


class RefuseForm(django_forms.Form):
    reason = django_forms.CharField(
        label=gettext_lazy("Reason for refusing"),
        widget=django_forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
    )


def _arrivals_for(request: HttpRequest):
    if not is_agency_clerk(request.user):
        raise PermissionDenied(_("Only clerks answer electronic arrivals."))
    return Arrival.objects.filter(agency_id=request.user.unit.agency_id).select_related(
        "route__organization", "document"
    )


@login_required
def arrival_list(request: HttpRequest) -> HttpResponse:
    arrivals = _arrivals_for(request)
    return render(
        request,
        "connectors/arrival_list.html",
        {
            "waiting": arrivals.filter(state=Arrival.State.ARRIVED),
            "answered": arrivals.exclude(state=Arrival.State.ARRIVED)[:50],
        },
    )


def _initial(arrival: Arrival) -> tuple[dict[str, Any], set[str]]:
    filled = proposed_fields(arrival_proposal(arrival))
    initial: dict[str, Any] = dict(filled)
    proposed = set(filled)
    header = arrival.header
    initial["issuer_organization"] = arrival.route.organization_id
    proposed.add("issuer_organization")
    if header.get("due_date"):
        initial["deadline"] = header["due_date"]
        proposed.add("deadline")
    if header.get("signer_position"):
        initial["signer_position"] = header["signer_position"]
        proposed.add("signer_position")
    urgency = Urgency.objects.filter(level=_int(header.get("priority"))).first()
    if urgency:
        initial["urgency"] = urgency.pk
    return initial, proposed


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@login_required
def arrival_detail(request: HttpRequest, pk: int) -> HttpResponse:
    arrival = get_object_or_404(_arrivals_for(request), pk=pk)
    books = books_for_clerk(request.user, kind=RegisterBook.Kind.INCOMING)
    duplicates = None
    refuse_form = RefuseForm()
    initial, proposed = _initial(arrival)
    form = ArrivalRegisterForm(initial=initial, books=books)
    if (
        request.method == "POST"
        and arrival.state == Arrival.State.ARRIVED
        and not arrival.is_change
    ):
        form = ArrivalRegisterForm(request.POST, books=books)
        if form.is_valid():
            document, duplicates = register_from_form(
                request,
                form,
                lambda: arrival_register(request.user, arrival, **form.service_kwargs()),
            )
            if document is not None:
                return redirect("edoc:document_detail", pk=document.pk)
    return render(
        request,
        "connectors/arrival_detail.html",
        {
            "arrival": arrival,
            "form": form,
            "proposed": proposed,
            "duplicates": duplicates,
            "refuse_form": refuse_form,
            "proposal_hint": _("From the electronic message — please check"),
            "proposal_notice": _(
                "Fields marked in blue were filled from the electronic message. Check them "
                "against the document before registering."
            ),
        },
    )


@login_required
@require_POST
def arrival_refuse_view(request: HttpRequest, pk: int) -> HttpResponse:
    arrival = get_object_or_404(_arrivals_for(request), pk=pk)
    form = RefuseForm(request.POST)
    if form.is_valid():
        try:
            arrival_refuse(request.user, arrival, form.cleaned_data["reason"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The document was refused; the sender is told why."))
            return redirect("connectors:arrival_list")
    else:
        messages.error(request, _("Give the reason for refusing the document."))
    return redirect("connectors:arrival_detail", pk=arrival.pk)


@login_required
def arrival_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The arrived PDF, as a download (audited); a stored file that fails its check: 409."""
    arrival = get_object_or_404(_arrivals_for(request), pk=pk)
    try:
        content = arrival_file_read(request.user, arrival)
    except ValidationError as error:
        return HttpResponse(" ".join(error.messages), status=409, content_type="text/plain")
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        True, arrival.file_name or "document.pdf"
    )
    return response


@login_required
@require_POST
def change_answer_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The clerk agrees to a recall, update or replacement (15) or refuses it with a reason
    (16)."""
    arrival = get_object_or_404(_arrivals_for(request), pk=pk)
    agree = request.POST.get("answer") == "agree"
    try:
        change_answer(request.user, arrival, agree=agree, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("connectors:arrival_detail", pk=arrival.pk)
    messages.success(request, _("Your answer was sent to the sender."))
    return redirect("connectors:arrival_list")


@login_required
@require_POST
def delivery_retry_view(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Gửi lại": a delivery that was given up goes again (the agency's clerks)."""
    message = get_object_or_404(OutboxMessage, pk=pk, kind=OutboxMessage.Kind.DOCUMENT)
    document = document_get_for_user(request.user, message.document_id)
    try:
        delivery_retry(user=request.user, message=message)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The document is being sent again."))
    return redirect(f"{reverse('edoc:document_detail', args=[document.pk])}#exchange")


@login_required
@require_POST
def document_recall_view(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Thu hồi": the agency's clerk recalls an issued document from its external recipients."""
    document = document_get_for_user(request.user, pk)
    try:
        document_recall(user=request.user, document=document, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The recall was sent to the recipients."))
    return redirect(f"{reverse('edoc:document_detail', args=[document.pk])}#exchange")


class UpdateSendForm(django_forms.Form):
    """ "Cập nhật": the reason and the corrected metadata of an issued document."""

    reason = django_forms.CharField(max_length=1000)
    subject = django_forms.CharField(max_length=2000)
    due_date = django_forms.DateField(required=False)
    file = django_forms.FileField(required=False)


def _form_errors(form: django_forms.Form) -> str:
    return " ".join(message for errors in form.errors.values() for message in errors)


@login_required
@require_POST
def document_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Cập nhật": the agency's clerk sends an issued document's corrections to its external
    recipients."""
    document = document_get_for_user(request.user, pk)
    form = UpdateSendForm(request.POST, request.FILES)
    try:
        if not form.is_valid():
            raise ValidationError(_form_errors(form))
        upload = form.cleaned_data["file"]
        document_update_send(
            user=request.user,
            document=document,
            reason=form.cleaned_data["reason"],
            subject=form.cleaned_data["subject"],
            due_date=form.cleaned_data["due_date"],
            pdf=pdf_validate(upload, upload.name) if upload else None,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The update was sent to the recipients."))
    return redirect(f"{reverse('edoc:document_detail', args=[document.pk])}#exchange")


@login_required
@require_POST
def document_replace_view(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Thay thế": the agency's clerk sends another issued document as this one's
    replacement."""
    document = document_get_for_user(request.user, pk)
    replacement = Document.objects.filter(
        pk=_int(request.POST.get("replacement")) or 0, agency_id=document.agency_id
    ).first()
    try:
        if replacement is None:
            raise ValidationError(_("Choose the document that replaces this one."))
        document_replace_send(
            user=request.user,
            document=document,
            replacement=replacement,
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The replacement was sent to the recipients."))
    return redirect(f"{reverse('edoc:document_detail', args=[document.pk])}#exchange")
