from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from edoc.forms import DateInput
from health.imports import import_validate
from health.models import AdminUnit, ImportJob, Sex


class CommuneChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: AdminUnit) -> str:
        return f"{obj.name} — {obj.parent.name}" if obj.parent else obj.name


class PersonForm(forms.Form):
    """Part I of QĐ 831 (administrative information) of a new record."""

    full_name = forms.CharField(label=_("Full name"), max_length=120)
    birth_date = forms.DateField(label=_("Birth date"), widget=DateInput())
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices)
    citizen_id = forms.CharField(label=_("Citizen ID"), max_length=12, required=False)
    ethnicity = forms.CharField(label=_("Ethnicity"), max_length=60, required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    commune = CommuneChoice(label=_("Commune"), queryset=AdminUnit.objects.none())
    phone = forms.CharField(label=_("Phone"), max_length=15, required=False)
    insurance_card = forms.CharField(
        label=_("Health insurance card"), max_length=15, required=False
    )

    def __init__(self, *args, communes, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes


class ExportReasonForm(forms.Form):
    """Why a record leaves the screen (Decree 13/2023: every export has its purpose)."""

    reason = forms.CharField(
        label=_("Reason for printing"), min_length=10, max_length=300, strip=True
    )


class ImportForm(forms.Form):
    """A file to import, of a kind the officer's role allows; read before the job exists."""

    kind = forms.ChoiceField(label=_("The file holds"))
    file = forms.FileField(label=_("File"))

    def __init__(self, *args, kinds: set[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, v) for k, v in ImportJob.Kind.choices if k in kinds]
        self.validated = None

    def clean(self) -> dict:
        data = super().clean()
        if data.get("kind") and data.get("file"):
            try:
                self.validated = import_validate(data["kind"], data["file"], data["file"].name)
            except ValidationError as error:
                self.add_error("file", error)
        return data
