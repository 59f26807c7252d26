"""Forms of the staff UI. They only collect and clean input; services decide and write."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from edoc.models import (
    Confidentiality,
    Document,
    DocumentType,
    ExternalOrganization,
    Field,
    RegisterBook,
    Unit,
    Urgency,
    User,
)
from edoc.models.organisation import ASSIGNING_ROLES, LEADER_ROLES
from edoc.selectors import handling
from edoc.selectors.documents import AGENCY_REGISTRY, in_registry
from edoc.text import nfc

INCOMING_STATUSES = (
    Document.Status.REGISTERED,
    Document.Status.IN_PROGRESS,
    Document.Status.COMPLETED,
    Document.Status.RETURNED,
)
OUTGOING_STATUSES = (Document.Status.DRAFT, Document.Status.READY, Document.Status.ISSUED)


# The empty choice of a select (templates/django/forms/widgets/select_option.html shows the
# same words in place of Django's "---------").
CHOOSE = _("— Choose —")


class DateInput(forms.DateInput):
    """A native date picker; the value travels as ISO 8601 whatever the language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class MultiPick(forms.CheckboxSelectMultiple):
    """Units or people ticked in a scrolling list with a filter box (static/js/edoc.js); without
    JavaScript the same checkboxes, unfiltered. Replaces Ctrl-click list boxes."""

    template_name = "edoc/widgets/multi_pick.html"


def user_label(user: User) -> str:
    """Label as `Name — position (UNIT)`: short for a select, precise enough to choose."""
    label = str(user)
    if user.position:
        label = f"{label} — {user.position}"
    if user.unit_id:
        label = f"{label} ({user.unit.short_name or user.unit.name})"
    return label


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return user_label(obj)


class UserMultipleChoiceField(forms.ModelMultipleChoiceField):
    widget = MultiPick

    def label_from_instance(self, obj: User) -> str:
        return user_label(obj)


class BookChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: RegisterBook) -> str:
        return f"{obj.name} {obj.year}"


# --- Catalog querysets, scoped to the user's agency.


def agency_units(user: User) -> QuerySet[Unit]:
    if not user.unit_id:
        return Unit.objects.none()
    return Unit.objects.filter(agency_id=user.unit.agency_id, is_active=True).order_by(
        "sort_order", "name"
    )


def agency_users(user: User) -> QuerySet[User]:
    if not user.unit_id:
        return User.objects.none()
    return (
        User.objects.filter(unit__agency_id=user.unit.agency_id, is_active=True)
        .select_related("unit")
        .order_by("unit__sort_order", "unit__name", "last_name", "first_name")
    )


def agency_leaders(user: User) -> QuerySet[User]:
    return agency_users(user).filter(role__in=LEADER_ROLES)


def active_types() -> QuerySet[DocumentType]:
    return DocumentType.objects.filter(is_active=True)


def active_fields() -> QuerySet[Field]:
    return Field.objects.filter(is_active=True)


def active_organizations() -> QuerySet[ExternalOrganization]:
    return ExternalOrganization.objects.filter(is_active=True)


# --- Incoming registration.


class IncomingRegisterForm(forms.Form):
    """Fields of an incoming document; the PDF is optional (manual registration)."""

    file = forms.FileField(
        label=_("PDF file"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
    register_book = BookChoiceField(
        label=_("Register book"),
        queryset=RegisterBook.objects.none(),
        required=False,
        empty_label=_("Automatic (by confidentiality)"),
    )
    document_type = forms.ModelChoiceField(
        label=_("Document type"),
        queryset=DocumentType.objects.none(),
        empty_label=CHOOSE,
        required=False,
    )
    number = forms.CharField(label=_("Number"), max_length=20, required=False)
    notation = forms.CharField(label=_("Notation"), max_length=60, required=False)
    issuer_organization = forms.ModelChoiceField(
        label=_("Issuing organisation (catalog)"),
        queryset=ExternalOrganization.objects.none(),
        required=False,
        empty_label=CHOOSE,
    )
    issuer = forms.CharField(label=_("Issuer"), max_length=255, required=False)
    place = forms.CharField(label=_("Place of issue"), max_length=100, required=False)
    issue_date = forms.DateField(label=_("Issue date"), required=False, widget=DateInput())
    subject = forms.CharField(
        label=_("Subject"), widget=forms.Textarea(attrs={"rows": 3}), required=True
    )
    signer_name = forms.CharField(label=_("Signer"), max_length=150, required=False)
    signer_position = forms.CharField(label=_("Signer's position"), max_length=150, required=False)
    urgency = forms.ModelChoiceField(
        label=_("Urgency"), queryset=Urgency.objects.all(), empty_label=None
    )
    confidentiality = forms.ModelChoiceField(
        label=_("Confidentiality"), queryset=Confidentiality.objects.all(), empty_label=None
    )
    field = forms.ModelChoiceField(
        label=_("Field"), queryset=Field.objects.none(), required=False, empty_label=CHOOSE
    )
    deadline = forms.DateField(label=_("Handling deadline"), required=False, widget=DateInput())
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    confirm_duplicate = forms.BooleanField(
        label=_("Register it anyway: I checked that it is not the same document"),
        required=False,
    )

    def __init__(self, *args: Any, books: list[RegisterBook] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        book_ids = [book.pk for book in books or []]
        self.fields["register_book"].queryset = RegisterBook.objects.filter(
            pk__in=book_ids
        ).order_by("-year", "is_confidential")
        self.fields["document_type"].queryset = active_types()
        self.fields["issuer_organization"].queryset = active_organizations()
        self.fields["field"].queryset = active_fields()
        self.fields["urgency"].initial = Urgency.objects.order_by("level").first()
        self.fields["confidentiality"].initial = Confidentiality.objects.order_by("level").first()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not cleaned.get("issuer") and cleaned.get("issuer_organization"):
            cleaned["issuer"] = cleaned["issuer_organization"].name
        return cleaned

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("file", None)
        data["on_duplicate"] = "flag" if data.pop("confirm_duplicate", False) else "refuse"
        return data


# --- Handling of incoming documents.


class AssignForm(forms.Form):
    lead_unit = forms.ModelChoiceField(
        label=_("Lead unit"), queryset=Unit.objects.none(), required=False, empty_label=CHOOSE
    )
    lead_user = UserChoiceField(
        label=_("Lead person"), queryset=User.objects.none(), required=False, empty_label=CHOOSE
    )
    coordinator_units = forms.ModelMultipleChoiceField(
        label=_("Coordinating units"),
        queryset=Unit.objects.none(),
        required=False,
        widget=MultiPick,
    )
    coordinator_users = UserMultipleChoiceField(
        label=_("Coordinating people"), queryset=User.objects.none(), required=False
    )
    information_units = forms.ModelMultipleChoiceField(
        label=_("Units for information"),
        queryset=Unit.objects.none(),
        required=False,
        widget=MultiPick,
    )
    information_users = UserMultipleChoiceField(
        label=_("People for information"), queryset=User.objects.none(), required=False
    )
    deadline = forms.DateField(label=_("Handling deadline"), required=False, widget=DateInput())
    directive = forms.CharField(
        label=_("Leader's directive"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = agency_units(user)
        people = agency_users(user)
        for name in ("lead_unit", "coordinator_units", "information_units"):
            self.fields[name].queryset = units
        for name in ("lead_user", "coordinator_users", "information_users"):
            self.fields[name].queryset = people

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not cleaned.get("lead_unit") and not cleaned.get("lead_user"):
            raise forms.ValidationError(_("Choose the lead handler (a unit or a person)."))
        return cleaned


class ForwardForm(forms.Form):
    to_unit = forms.ModelChoiceField(
        label=_("To unit"), queryset=Unit.objects.none(), required=False, empty_label=CHOOSE
    )
    to_user = UserChoiceField(
        label=_("To person"), queryset=User.objects.none(), required=False, empty_label=CHOOSE
    )
    deadline = forms.DateField(label=_("Handling deadline"), required=False, widget=DateInput())
    directive = forms.CharField(
        label=_("Instructions"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_unit"].queryset = agency_units(user)
        self.fields["to_user"].queryset = agency_users(user).exclude(pk=user.pk)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not cleaned.get("to_unit") and not cleaned.get("to_user"):
            raise forms.ValidationError(_("Choose whom to forward to."))
        return cleaned


class CompleteForm(forms.Form):
    comment = forms.CharField(
        label=_("Result / comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for returning"), widget=forms.Textarea(attrs={"rows": 2}), required=True
    )


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), required=True
    )


class ResubmitForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


# --- Outgoing documents.


class OutgoingForm(forms.Form):
    """An outgoing draft. On the edit page the confidentiality level and file are not shown."""

    document_type = forms.ModelChoiceField(
        label=_("Document type"), queryset=DocumentType.objects.none(), empty_label=CHOOSE
    )
    subject = forms.CharField(label=_("Subject"), widget=forms.Textarea(attrs={"rows": 3}))
    urgency = forms.ModelChoiceField(
        label=_("Urgency"), queryset=Urgency.objects.all(), empty_label=None
    )
    confidentiality = forms.ModelChoiceField(
        label=_("Confidentiality"), queryset=Confidentiality.objects.all(), empty_label=None
    )
    field = forms.ModelChoiceField(
        label=_("Field"), queryset=Field.objects.none(), required=False, empty_label=CHOOSE
    )
    signer = UserChoiceField(
        label=_("Signer"), queryset=User.objects.none(), required=False, empty_label=CHOOSE
    )
    recipient_units = forms.ModelMultipleChoiceField(
        label=_("Internal recipient units"),
        queryset=Unit.objects.none(),
        required=False,
        widget=MultiPick,
    )
    recipient_organizations = forms.ModelMultipleChoiceField(
        label=_("External recipient organisations"),
        queryset=ExternalOrganization.objects.none(),
        required=False,
        widget=MultiPick,
    )
    file = forms.FileField(
        label=_("PDF file"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args: Any, user: User, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["document_type"].queryset = active_types()
        self.fields["field"].queryset = active_fields()
        self.fields["signer"].queryset = agency_leaders(user)
        self.fields["recipient_units"].queryset = agency_units(user)
        self.fields["recipient_organizations"].queryset = active_organizations()
        self.fields["urgency"].initial = Urgency.objects.order_by("level").first()
        self.fields["confidentiality"].initial = Confidentiality.objects.order_by("level").first()
        if editing:
            del self.fields["confidentiality"]
            del self.fields["file"]


class FileVersionForm(forms.Form):
    file = forms.FileField(
        label=_("PDF file"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
    comment = forms.CharField(label=_("Comment"), max_length=255, required=False)


class SubmitForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class IssueForm(forms.Form):
    issue_date = forms.DateField(
        label=_("Issue date"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty for today."),
    )


# --- Delegation.


class DelegationForm(forms.Form):
    delegate = UserChoiceField(
        label=_("Delegate"), queryset=User.objects.none(), empty_label=CHOOSE
    )
    start_date = forms.DateField(label=_("From"), widget=DateInput())
    end_date = forms.DateField(label=_("To"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), max_length=255, required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["delegate"].queryset = agency_users(user).exclude(pk=user.pk)


# --- Document list filters.


class DocumentFilter(django_filters.FilterSet):
    """Filters of the incoming and outgoing lists. `direction` picks the date used."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_text")
    document_type = django_filters.ModelChoiceFilter(
        label=_("Document type"), queryset=DocumentType.objects.all(), empty_label=_("All types")
    )
    urgency = django_filters.ModelChoiceFilter(
        label=_("Urgency"), queryset=Urgency.objects.all(), empty_label=_("All")
    )
    confidentiality = django_filters.ModelChoiceFilter(
        label=_("Confidentiality"), queryset=Confidentiality.objects.all(), empty_label=_("All")
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=(), empty_label=_("All"))
    year = django_filters.NumberFilter(label=_("Year"), method="filter_year")
    date_from = django_filters.DateFilter(
        label=_("From date"), method="filter_date_from", widget=DateInput()
    )
    date_to = django_filters.DateFilter(
        label=_("To date"), method="filter_date_to", widget=DateInput()
    )
    registry = django_filters.ChoiceFilter(
        label=_("Registry"), choices=(), empty_label=_("All"), method="filter_registry"
    )
    # Drill-down from the operations dashboard (edoc.selectors.handling): incoming only.
    handling = django_filters.ChoiceFilter(
        label=_("Handling"),
        choices=(
            (handling.ON_TIME, _("Handled on time")),
            (handling.LATE, _("Handled late")),
            (handling.OVERDUE, _("Overdue now")),
            (handling.OPEN, _("Open, not overdue")),
        ),
        empty_label=_("All"),
        method="filter_handling",
    )
    handling_unit = django_filters.ModelChoiceFilter(
        label=_("Handling unit"),
        queryset=Unit.objects.all(),
        empty_label=_("All"),
        method="filter_handling_unit",
    )
    leader = django_filters.ModelChoiceFilter(
        label=_("Assigned by"),
        queryset=User.objects.filter(role__in=ASSIGNING_ROLES),
        empty_label=_("All"),
        method="filter_leader",
    )

    class Meta:
        model = Document
        fields: list[str] = []

    def __init__(self, *args: Any, direction: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.direction = direction
        statuses = (
            INCOMING_STATUSES if direction == Document.Direction.INCOMING else OUTGOING_STATUSES
        )
        self.filters["status"].extra["choices"] = [(s.value, s.label) for s in statuses]
        if direction == Document.Direction.INCOMING:
            self.filters["registry"].extra["choices"] = self._registry_choices()
        else:
            for name in ("handling", "handling_unit", "leader"):
                del self.filters[name]
        self.filters["q"].field.widget.attrs["placeholder"] = _("Subject, number, issuer…")
        self.filters["year"].field.widget.attrs.update({"min": 2000, "max": 2100})

    def _date_q(self, lookup: str, value: Any) -> Q:
        if self.direction == Document.Direction.INCOMING:
            return Q(**{f"received_at__date__{lookup}": value})
        return Q(**{f"issue_date__{lookup}": value}) | Q(
            issue_date__isnull=True, **{f"created_at__date__{lookup}": value}
        )

    def _registry_choices(self) -> list[tuple[str, str]]:
        """The agency's own books, then each unit keeping its own books with entries listed."""
        units = Unit.objects.filter(
            pk__in=self.queryset.order_by().values("register_book__unit_id")
        ).order_by("sort_order", "name")
        return [(AGENCY_REGISTRY, _("Agency's own books"))] + [
            (str(unit.pk), unit.name) for unit in units
        ]

    def filter_registry(
        self, queryset: QuerySet[Document], name: str, value: str
    ) -> QuerySet[Document]:
        return in_registry(queryset, value)

    def filter_handling(
        self, queryset: QuerySet[Document], name: str, value: str
    ) -> QuerySet[Document]:
        return handling.with_handling(queryset).filter(handling.handling_q(value))

    def filter_handling_unit(
        self, queryset: QuerySet[Document], name: str, value: Unit
    ) -> QuerySet[Document]:
        return handling.with_handling(queryset).filter(handling_unit_id__in=value.descendant_ids())

    def filter_leader(
        self, queryset: QuerySet[Document], name: str, value: User
    ) -> QuerySet[Document]:
        return handling.with_handling(queryset).filter(assigning_leader_id=value.pk)

    def filter_text(
        self, queryset: QuerySet[Document], name: str, value: str
    ) -> QuerySet[Document]:
        text = nfc(value)
        if not text:
            return queryset
        condition = (
            Q(subject__icontains=text)
            | Q(number__icontains=text)
            | Q(notation__icontains=text)
            | Q(issuer__icontains=text)
        )
        if "/" in text:
            number, _sep, notation = text.partition("/")
            condition |= Q(number=number.strip(), notation__icontains=notation.strip())
        return queryset.filter(condition)

    def filter_year(
        self, queryset: QuerySet[Document], name: str, value: Any
    ) -> QuerySet[Document]:
        if self.direction == Document.Direction.INCOMING:
            return queryset.filter(received_at__year=int(value))
        return queryset.filter(
            Q(issue_date__year=int(value)) | Q(issue_date__isnull=True, created_at__year=int(value))
        )

    def filter_date_from(
        self, queryset: QuerySet[Document], name: str, value: Any
    ) -> QuerySet[Document]:
        return queryset.filter(self._date_q("gte", value))

    def filter_date_to(
        self, queryset: QuerySet[Document], name: str, value: Any
    ) -> QuerySet[Document]:
        return queryset.filter(self._date_q("lte", value))
