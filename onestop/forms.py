"""Forms of the one-stop staff pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from edoc.forms import CHOOSE
from edoc.models import Document, Field, Unit
from onestop.models import (
    ApologyLetter,
    Dossier,
    OnlineLevel,
    Procedure,
    ProcedurePaper,
    ReturnChannel,
)


class ApplicantForm(forms.Form):
    applicant_name = forms.CharField(label=_("Applicant's full name"), max_length=200)
    applicant_phone = forms.CharField(label=_("Phone"), max_length=20)
    applicant_id_number = forms.CharField(label=_("ID number"), max_length=20, required=False)
    applicant_email = forms.EmailField(label=_("E-mail"), required=False)
    applicant_address = forms.CharField(label=_("Address"), max_length=500, required=False)
    note = forms.CharField(
        label=_("Note (staff only)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def applicant(self) -> dict[str, str]:
        return {
            key: self.cleaned_data.get(f"applicant_{key}", "")
            for key in ("name", "phone", "id_number", "email", "address")
        }


class IntakeForm(ApplicantForm):
    """Counter intake: the applicant, then one row per required paper (upload and/or checked)."""

    def __init__(self, *args: Any, procedure: Procedure, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.procedure = procedure
        self.papers: list[ProcedurePaper] = list(procedure.papers.all())
        for paper in self.papers:
            accept = ",".join(f".{ext}" for ext in paper.extension_list)
            self.fields[f"file_{paper.pk}"] = forms.FileField(
                label=paper.name,
                required=False,
                widget=forms.ClearableFileInput(attrs={"accept": accept}),
            )
            self.fields[f"checked_{paper.pk}"] = forms.BooleanField(
                label=_("original checked"), required=False
            )
        self.fields["file_extra"] = forms.FileField(label=_("Other paper"), required=False)

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "paper": paper,
                "file": self[f"file_{paper.pk}"],
                "checked": self[f"checked_{paper.pk}"],
            }
            for paper in self.papers
        ]

    def files_by_paper(self) -> dict[int, Any]:
        files = {paper.pk: self.cleaned_data.get(f"file_{paper.pk}") for paper in self.papers}
        if self.cleaned_data.get("file_extra"):
            files[0] = self.cleaned_data["file_extra"]
        return {key: value for key, value in files.items() if value}

    def checked(self) -> list[int]:
        return [paper.pk for paper in self.papers if self.cleaned_data.get(f"checked_{paper.pk}")]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (the citizen reads it)"), widget=forms.Textarea(attrs={"rows": 3})
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note (staff only)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class SupplementForm(forms.Form):
    message = forms.CharField(
        label=_("What the citizen must add"), widget=forms.Textarea(attrs={"rows": 3})
    )
    papers = forms.ModelMultipleChoiceField(
        label=_("Papers concerned"),
        queryset=ProcedurePaper.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, dossier: Dossier, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["papers"].queryset = dossier.procedure.papers.all()


class PaymentRequestForm(forms.Form):
    amount = forms.IntegerField(label=_("Amount (VND)"), min_value=1)
    message = forms.CharField(label=_("Message"), required=False)


class PaymentRecordForm(forms.Form):
    exempt = forms.BooleanField(label=_("Exempt from the fee"), required=False)
    reference = forms.CharField(label=_("Receipt or transaction number"), required=False)


def offer_result_documents(field: forms.ModelChoiceField, user, dossier: Dossier) -> None:
    """The result choice offers only issued, signed documents; it still looks up any outgoing
    document of the agency the user may see, so that the service refuses another choice with
    its reason (not signed, not issued) instead of a bare "invalid choice"."""
    from onestop.selectors import result_documents

    field.queryset = result_documents(user, dossier, eligible=False)
    offered = result_documents(user, dossier).select_related("document_type")
    field.choices = [("", field.empty_label or "")] + [
        (document.pk, str(document)) for document in offered
    ]


class ResultForm(forms.Form):
    result_document = forms.ModelChoiceField(
        label=_("Result document (issued, signed outgoing document)"),
        queryset=Document.objects.none(),
        empty_label=CHOOSE,
    )

    def __init__(self, *args: Any, user, dossier: Dossier, **kwargs: Any):
        super().__init__(*args, **kwargs)
        offer_result_documents(self.fields["result_document"], user, dossier)


class ReturnForm(forms.Form):
    channel = forms.ChoiceField(label=_("Returned"), choices=ReturnChannel.choices)


class ApologyForm(forms.Form):
    new_due_date = forms.DateField(
        label=_("New appointment date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(
        label=_("Reason for the delay"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ApologyCancelForm(forms.Form):
    letter = forms.ModelChoiceField(
        label=_("Apology letter"), queryset=ApologyLetter.objects.none()
    )
    reason = forms.CharField(
        label=_("Why it is withdrawn"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, dossier: Dossier, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["letter"].queryset = dossier.apologies.filter(
            status=ApologyLetter.Status.PENDING
        )


class DossierFilterForm(forms.Form):
    q = forms.CharField(label=_("Code, applicant or phone"), required=False)
    status = forms.TypedChoiceField(
        label=_("Status"),
        choices=[("", _("All"))] + [c for c in Dossier.Status.choices if c[0] != 0],
        coerce=int,
        empty_value=None,
        required=False,
    )
    procedure = forms.ModelChoiceField(
        label=_("Procedure"), queryset=Procedure.objects.none(), required=False
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    # Drill-down from the reports and the operations dashboard (onestop.reports.COLUMNS).
    outcome = forms.ChoiceField(
        label=_("Counted as"),
        choices=[
            ("", _("All")),
            ("received_online", _("Received online")),
            ("received_counter", _("Received at the counter")),
            ("on_time", _("Resolved on time")),
            ("late", _("Resolved late")),
            ("in_progress", _("In progress")),
            ("overdue", _("Overdue now")),
        ],
        required=False,
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    unit = forms.ModelChoiceField(
        label=_("Handling unit"), queryset=Unit.objects.none(), required=False
    )
    field = forms.ModelChoiceField(label=_("Field"), queryset=Field.objects.all(), required=False)
    level = forms.ChoiceField(
        label=_("Online level"), choices=[("", _("All")), *OnlineLevel.choices], required=False
    )
    apology = forms.BooleanField(label=_("With an apology letter"), required=False)

    def __init__(self, *args: Any, procedures, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["procedure"].queryset = procedures
        self.fields["unit"].queryset = Unit.objects.filter(
            pk__in=procedures.values("handling_unit_id")
        )


class ReportFilterForm(forms.Form):
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    group_by = forms.ChoiceField(
        label=_("Per"),
        choices=[("procedure", _("Procedure")), ("unit", _("Handling unit"))],
        required=False,
    )
