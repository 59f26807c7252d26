from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from edoc.forms import DateInput
from health.imports import import_validate
from health.models import (
    AdminUnit,
    Allergy,
    Facility,
    Icd10Code,
    ImportJob,
    MedicalVisit,
    RiskFactor,
    Sex,
    Vaccine,
)
from health.validation import normalise_icd10, parse_icd10_list


class CommuneChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: AdminUnit) -> str:
        if obj.edition == "2025":
            return _("%(commune)s — %(province)s (from 1 July 2025)") % {
                "commune": obj.name,
                "province": obj.parent.name if obj.parent else "",
            }
        return f"{obj.name} — {obj.parent.name}" if obj.parent else obj.name


class PersonForm(forms.Form):
    """Part I of QĐ 831 (administrative information) of a record, new or changed."""

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


class DateTimeInput(forms.DateTimeInput):
    """A native date-and-time picker; the value travels as ISO 8601 whatever the language."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class Icd10Input(forms.TextInput):
    """A code typed or chosen from the ICD-10 catalogue's search (htmx: the endpoint
    health:icd10_search answers the matching codes under the box; health/icd10.js puts the one
    clicked into it). `multiple` boxes take several codes separated by ";"."""

    template_name = "health/widgets/icd10.html"

    def __init__(self, multiple: bool = False) -> None:
        attrs = {
            "autocomplete": "off",
            "hx-get": reverse_lazy("health:icd10_search"),
            "hx-trigger": "input changed delay:300ms, search",
            "hx-sync": "this:replace",
            "class": "icd10-input",
        }
        if multiple:
            attrs["data-icd10-multiple"] = "1"
        super().__init__(attrs=attrs)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget_id = context["widget"]["attrs"].get("id") or f"id_{name}"
        context["widget"]["attrs"]["hx-target"] = f"#{widget_id}-results"
        context["results_id"] = f"{widget_id}-results"
        return context


class Icd10Field(forms.CharField):
    """One ICD-10 code of the catalogue ("i10", "E11.9†" accepted), cleaned to its `Icd10Code`."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 20)
        super().__init__(widget=Icd10Input(), **kwargs)

    def clean(self, value: Any) -> Icd10Code | None:
        text = super().clean(value)
        if not text:
            return None
        (code,) = _catalogue_codes(normalise_or_error(text))
        return code


class Icd10ListField(forms.CharField):
    """ICD-10 codes of the catalogue separated by ";" or ","."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 200)
        super().__init__(widget=Icd10Input(multiple=True), **kwargs)

    def clean(self, value: Any) -> list[Icd10Code]:
        text = super().clean(value)
        try:
            codes = parse_icd10_list(text, str(_("ICD-10 code")))
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None
        return _catalogue_codes(*dict.fromkeys(codes)) if codes else []


def normalise_or_error(text: str) -> str:
    """An ICD-10 code normalised, or the reason it is not one as a form error."""
    try:
        return normalise_icd10(text, str(_("ICD-10 code")))
    except ValueError as error:
        raise forms.ValidationError(str(error)) from None


def _catalogue_codes(*codes: str) -> list[Icd10Code]:
    """The catalogue's entries of `codes`, in their order; a form error names those missing."""
    found = {row.code: row for row in Icd10Code.objects.filter(code__in=codes)}
    missing = [code for code in codes if code not in found]
    if missing:
        raise forms.ValidationError(
            _("ICD-10 code %(codes)s is not in the catalogue."),
            params={"codes": ", ".join(missing)},
        )
    return [found[code] for code in codes]


class ConditionForm(forms.Form):
    """Part II, "Tiền sử bệnh tật": a chronic condition."""

    icd10 = Icd10Field(label=_("ICD-10 code (type a code or words of the name)"))
    since = forms.DateField(label=_("Diagnosis date"), widget=DateInput(), required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class AllergyForm(forms.Form):
    """Part II, "Dị ứng"."""

    kind = forms.ChoiceField(label=_("Kind of allergy"), choices=Allergy.Kind.choices)
    agent = forms.CharField(label=_("Allergen"), max_length=200)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class FamilyForm(forms.Form):
    """Part II, "Tiền sử gia đình": a relative's disease, by ICD-10 code or in words."""

    relation = forms.CharField(label=_("Relation (father, mother, sibling…)"), max_length=60)
    icd10 = Icd10Field(label=_("ICD-10 code"), required=False)
    disease = forms.CharField(label=_("Disease (in words)"), max_length=200, required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class RiskForm(forms.Form):
    """Part II, "Yếu tố nguy cơ": a habit or exposure."""

    kind = forms.ChoiceField(label=_("Kind of risk factor"), choices=RiskFactor.Kind.choices)
    detail = forms.CharField(label=_("Detail"), max_length=200, required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


HISTORY_FORMS: dict[str, type[forms.Form]] = {
    "condition": ConditionForm,
    "allergy": AllergyForm,
    "family": FamilyForm,
    "risk": RiskForm,
}


class VaccinationForm(forms.Form):
    """Part III: a dose recorded by hand."""

    vaccine = forms.ModelChoiceField(label=_("Vaccine"), queryset=Vaccine.objects.all())
    dose_number = forms.IntegerField(label=_("Dose"), min_value=1, max_value=10)
    given_on = forms.DateField(label=_("Date given"), widget=DateInput())
    facility = forms.ModelChoiceField(
        label=_("Facility"), queryset=Facility.objects.all(), required=False
    )
    lot_number = forms.CharField(label=_("Lot number"), max_length=40, required=False)


class VisitForm(forms.Form):
    """Part IV: a medical visit recorded by hand."""

    facility = forms.ModelChoiceField(label=_("Facility"), queryset=Facility.objects.all())
    admitted_at = forms.DateTimeField(label=_("Admitted"), widget=DateTimeInput())
    discharged_at = forms.DateTimeField(
        label=_("Discharged"), widget=DateTimeInput(), required=False
    )
    main_diagnosis = Icd10Field(label=_("Main diagnosis (ICD-10)"))
    secondary_diagnoses = Icd10ListField(
        label=_("Secondary diagnoses (ICD-10, separated by ;)"), required=False
    )
    outcome = forms.ChoiceField(
        label=_("Treatment outcome"),
        choices=[("", "—"), *MedicalVisit.Outcome.choices],
        required=False,
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
