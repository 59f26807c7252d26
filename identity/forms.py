"""Forms of the sign-in security pages."""

from __future__ import annotations

import unicodedata

from django import forms
from django.utils.translation import gettext_lazy as _

from identity.services.tokens import api_token_max_days


class CodeForm(forms.Form):
    """A six-digit code of the authenticator app (or, where allowed, a recovery code)."""

    code = forms.CharField(
        label=_("Verification code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )

    def clean_code(self) -> str:
        return unicodedata.normalize("NFC", self.cleaned_data["code"]).strip()


class VerifyForm(CodeForm):
    remember = forms.BooleanField(label=_("Remember this device for 30 days"), required=False)

    def __init__(self, *args, remember_days: int = 30, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = _(
            "The six digits your authenticator app shows, or one of your recovery codes."
        )
        if remember_days <= 0:
            del self.fields["remember"]
        elif remember_days != 30:
            self.fields["remember"].label = _("Remember this device for %(days)d days") % {
                "days": remember_days
            }


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. the script or application that uses it."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        most = api_token_max_days()
        self.fields["days"] = forms.IntegerField(
            label=_("Valid for (days)"), min_value=1, max_value=most, initial=most
        )

    def clean_name(self) -> str:
        return unicodedata.normalize("NFC", self.cleaned_data["name"]).strip()
