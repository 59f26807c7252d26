"""The OpenID Connect provider's pages that eDoc adjusts (the rest are DOT's own views)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from oauth2_provider import views as oauth2_views

from edoc.services.audit import audit_record
from identity.forms import ApiTokenForm, CodeForm, VerifyForm
from identity.models import ApiToken, RememberedDevice
from identity.oidc import AUDIT_CONSENT_DENIED
from identity.policy import second_factor_required
from identity.services import tokens as token_services
from identity.services import twofactor


class AuthorizationView(oauth2_views.AuthorizationView):
    """DOT's authorization endpoint; a user refusing the consent screen is audited."""

    def form_valid(self, form: Any) -> HttpResponse:
        if not form.cleaned_data.get("allow"):
            audit_record(
                actor=self.request.user,
                action=AUDIT_CONSENT_DENIED,
                details={
                    "client_id": form.cleaned_data.get("client_id", "")[:100],
                    "scopes": form.cleaned_data.get("scope", "")[:255],
                },
            )
        return super().form_valid(form)


# Sign-in security pages: two-step verification (enrolment, the code after the password,
def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@login_required
def twofactor_account(request: HttpRequest) -> HttpResponse:
    """Bảo mật đăng nhập: the user's second factor, recovery codes, remembered devices."""
    user = request.user
    return render(
        request,
        "identity/twofactor_account.html",
        {
            "enrolled": twofactor.has_second_factor(user),
            "required": second_factor_required(user),
            "codes_left": twofactor.recovery_codes_left(user),
            "remembered": RememberedDevice.objects.filter(
                user=user, revoked_at__isnull=True
            ).order_by("-created_at"),
            "disable_form": CodeForm(prefix="disable"),
        },
    )


@sensitive_post_parameters("code")
@login_required
@require_http_methods(["GET", "POST"])
def twofactor_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: scan the QR code, confirm with a first code; the recovery
    codes are then shown once."""
    user = request.user
    if twofactor.has_second_factor(user):
        return redirect("identity:twofactor_account")
    device = twofactor.enrolment_device(user)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                codes = twofactor.enrolment_confirm(
                    user=user, device=device, code=form.cleaned_data["code"]
                )
            except ValidationError as error:
                form.add_error("code", error)
            else:
                twofactor.session_mark_verified(request, device)
                return render(
                    request,
                    "identity/recovery_codes.html",
                    {"codes": codes, "next": _next_url(request), "first": True},
                )
        status = 400
    return render(
        request,
        "identity/twofactor_setup.html",
        {
            "form": form,
            "qr": twofactor.totp_qr_data_uri(device),
            "secret": twofactor.totp_secret(device),
            "required": second_factor_required(user),
            "next": request.POST.get("next") or request.GET.get("next", ""),
        },
        status=status,
    )


@sensitive_post_parameters("code")
@login_required
@require_http_methods(["GET", "POST"])
def twofactor_verify(request: HttpRequest) -> HttpResponse:
    """The code after the password (or again before signing): TOTP or a recovery code."""
    user = request.user
    if not twofactor.has_second_factor(user):
        return redirect("identity:twofactor_setup")
    days = twofactor.remember_days()
    form = VerifyForm(request.POST or None, remember_days=days)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                device = twofactor.code_verify(
                    user=user, code=form.cleaned_data["code"], purpose="sign_in"
                )
            except ValidationError as error:
                form.add_error("code", error)
            else:
                twofactor.session_mark_verified(request, device)
                response = redirect(_next_url(request))
                if form.cleaned_data.get("remember"):
                    twofactor.remembered_device_create(
                        request=request, response=response, user=user
                    )
                return response
        status = 400
    return render(
        request,
        "identity/twofactor_verify.html",
        {
            "form": form,
            "next": request.POST.get("next") or request.GET.get("next", ""),
            "stepup": request.GET.get("stepup") == "1" or request.POST.get("stepup") == "1",
        },
        status=status,
    )


@login_required
@require_POST
def recovery_codes_regenerate(request: HttpRequest) -> HttpResponse:
    """Ten new recovery codes (the old ones stop working), shown once."""
    try:
        codes = twofactor.recovery_codes_regenerate(user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("identity:twofactor_account")
    return render(
        request,
        "identity/recovery_codes.html",
        {"codes": codes, "next": resolve_url("identity:twofactor_account"), "first": False},
    )


@sensitive_post_parameters("disable-code")
@login_required
@require_POST
def twofactor_disable(request: HttpRequest) -> HttpResponse:
    """Turn two-step verification off (only when policy does not require it), with a code."""
    user = request.user
    if second_factor_required(user):
        messages.error(request, _("Your account must keep two-step verification."))
        return redirect("identity:twofactor_account")
    form = CodeForm(request.POST, prefix="disable")
    try:
        if not form.is_valid():
            raise ValidationError(_("Enter a verification code."))
        twofactor.code_verify(user=user, code=form.cleaned_data["code"], purpose="disable")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("identity:twofactor_account")
    twofactor.twofactor_disable(user=user)
    messages.success(request, _("Two-step verification is off."))
    return redirect("identity:twofactor_account")


@login_required
@require_POST
def remembered_device_forget(request: HttpRequest, pk: int) -> HttpResponse:
    """Stop remembering one of the user's devices."""
    record = get_object_or_404(RememberedDevice, pk=pk, user=request.user)
    twofactor.remembered_device_revoke(user=request.user, record=record)
    messages.success(request, _("That device will be asked for a code again."))
    return redirect("identity:twofactor_account")


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    """Mã truy cập API: the user's tokens; POST creates one and shows its key once."""
    form = ApiTokenForm(request.POST or None)
    created_key = ""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                _token, created_key = token_services.api_token_create(
                    user=request.user,
                    name=form.cleaned_data["name"],
                    days=form.cleaned_data["days"],
                )
            except ValidationError as error:
                form.add_error(None, error)
                status = 400
            else:
                form = ApiTokenForm()
        else:
            status = 400
    return render(
        request,
        "identity/api_tokens.html",
        {
            "form": form,
            "created_key": created_key,
            "tokens": ApiToken.objects.filter(user=request.user).order_by("-created_at"),
        },
        status=status,
    )


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke one of the user's tokens."""
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    token_services.api_token_revoke(user=request.user, token=token)
    messages.success(request, _("The token %(name)s was revoked.") % {"name": token.name})
    return redirect("identity:api_tokens")
