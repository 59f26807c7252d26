"""Forms of the payments app's staff pages."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from payments.models import TransferResolution

RECONCILIATION_PROVIDERS = (
    ("vnpay", "VNPAY"),
    ("momo", "MoMo"),
    ("vietqr", _("VietQR (the bank's statement)")),
)


class ReconciliationForm(forms.Form):
    """A provider's settlement file for a day."""

    provider = forms.ChoiceField(label=_("Provider"), choices=RECONCILIATION_PROVIDERS)
    day = forms.DateField(
        label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    # Empty files get the reconciliation's own message ("the file is empty").
    file = forms.FileField(
        label=_("Settlement file (.csv or .xlsx)"),
        allow_empty_file=True,
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


class ReportForm(forms.Form):
    """A report's period (both days included) and provider."""

    date_from = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def period(self, today: datetime.date) -> tuple[datetime.date, datetime.date]:
        """The period asked for (this month so far by default), earliest day first."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        date_from = data.get("date_from") or today.replace(day=1)
        date_to = data.get("date_to") or today
        return (date_to, date_from) if date_to < date_from else (date_from, date_to)


class ResolveTransferForm(forms.Form):
    """How a transfer on the review list was settled."""

    resolution = forms.ChoiceField(label=_("Resolution"), choices=TransferResolution.choices)
    order_code = forms.CharField(label=_("Order code"), max_length=32, required=False)
    note = forms.CharField(
        label=_("Note"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
