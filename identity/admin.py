"""Administrators register the OpenID Connect provider's client applications in /admin/:
DOT's Application (name, redirect URIs, confidential or public, skip_authorization for the
agency's own apps) with the scopes each may request."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from oauth2_provider.admin import ApplicationAdmin
from oauth2_provider.models import get_application_model

from identity.models import ClientPolicy
from identity.models.oidc import DEFAULT_ALLOWED_SCOPES


def _scope_choices() -> list[tuple[str, str]]:
    return [
        (name, f"{name} — {label}") for name, label in settings.OAUTH2_PROVIDER["SCOPES"].items()
    ]


class ClientPolicyForm(forms.ModelForm):
    allowed_scopes = forms.MultipleChoiceField(
        label=_("allowed scopes"),
        choices=_scope_choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The scopes this application may request; others are refused."),
    )

    class Meta:
        model = ClientPolicy
        fields = ["allowed_scopes"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = self.instance.allowed_scopes if self.instance.pk else DEFAULT_ALLOWED_SCOPES
        self.initial["allowed_scopes"] = current.split()

    def clean_allowed_scopes(self) -> str:
        scopes = self.cleaned_data["allowed_scopes"]
        if "openid" not in scopes:
            raise forms.ValidationError(_("An OpenID Connect client needs the openid scope."))
        return " ".join(name for name, _label in _scope_choices() if name in scopes)

    def has_changed(self) -> bool:
        return True  # a new application gets its policy even when the defaults are kept


class ClientPolicyInline(admin.StackedInline):
    model = ClientPolicy
    form = ClientPolicyForm
    can_delete = False
    min_num = 1
    max_num = 1


class EdocApplicationAdmin(ApplicationAdmin):
    inlines = [ClientPolicyInline]


Application = get_application_model()
if admin.site.is_registered(Application):
    admin.site.unregister(Application)
admin.site.register(Application, EdocApplicationAdmin)
