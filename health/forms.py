from django import forms
from django.utils.translation import gettext_lazy as _


class ExportReasonForm(forms.Form):
    """Why a record leaves the screen (Decree 13/2023: every export has its purpose)."""

    reason = forms.CharField(
        label=_("Reason for printing"), min_length=10, max_length=300, strip=True
    )
