from django import forms
from django.utils.translation import gettext_lazy as _

from edoc.forms import DateInput
from health.models import AdminUnit, Sex


class CommuneChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: AdminUnit) -> str:
        if obj.edition == "2025":
            return _("%(commune)s — %(province)s (from 1 July 2025)") % {
                "commune": obj.name,
                "province": obj.parent.name if obj.parent else "",
            }
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


class ReportForm(forms.Form):
    """The plan's first table: the date and the grouping."""

    on = forms.DateField(label=_("Records as of"), widget=DateInput())
    grouping = forms.ChoiceField(label=_("Group by"), choices=())

    def __init__(self, *args, **kwargs) -> None:
        from health.reports import GROUPINGS

        super().__init__(*args, **kwargs)
        self.fields["grouping"].choices = list(GROUPINGS.items())

    def clean_on(self):
        from django.utils import timezone

        on = self.cleaned_data["on"]
        if on > timezone.localdate():
            raise forms.ValidationError(_("Choose a date that is not in the future."))
        return on


class ReportExportForm(ReportForm):
    """An export of the table: the format and why it leaves the screen."""

    format = forms.ChoiceField(choices=(("xlsx", "XLSX"), ("pdf", "PDF")))
    reason = forms.CharField(
        label=_("Reason for exporting"), min_length=10, max_length=300, strip=True
    )
