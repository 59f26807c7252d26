"""The signing form of a "sign" step: a PKCS#12 key file and its passphrase, or remote signing
(ký số từ xa) with the user's PIN; optionally a picture of the handwritten signature. And the
form a user sends their own signing certificate with (`CertificateRequestForm`).

The key file and the passphrase stay in memory: the form reads the (small) upload into bytes,
never renders the passphrase back, and the values go straight to the signing service.
"""

from __future__ import annotations

import io
from typing import Any

from django import forms
from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from signing.backends import KeyBackend, Pkcs12Key, RemoteKey
from signing.backends.pkcs12 import MAX_PKCS12_BYTES
from signing.conf import remote_settings
from signing.models import SignerCertificate
from signing.selectors import signer_certificates_of
from signing.signer_certificates import signer_certificate_read

PKCS12, REMOTE = "pkcs12", "remote"
MAX_IMAGE_BYTES = 1024 * 1024


class SignForm(forms.Form):
    method = forms.ChoiceField(
        label=_("How do you sign?"),
        widget=forms.RadioSelect,
        choices=[
            (PKCS12, _("With my key file (PKCS#12: .p12, .pfx)")),
            (REMOTE, _("Remote signing")),
        ],
        initial=PKCS12,
    )
    pkcs12_file = forms.FileField(
        label=_("Key file (.p12, .pfx)"),
        required=False,
        help_text=_("Used for this signature only, in memory; never stored."),
    )
    passphrase = forms.CharField(
        label=_("Passphrase of the key file"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    pin = forms.CharField(
        label=_("PIN of your remote signing key"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("For remote signing, when your signing service asks for one."),
    )
    signature_image = forms.FileField(
        label=_("Picture of your signature (optional, PNG or JPEG)"), required=False
    )

    def __init__(self, *args: Any, user, work_item=None, **kwargs: Any):
        self.user = user
        self.work_item = work_item
        super().__init__(*args, **kwargs)
        if not remote_settings().configured:
            self.fields["method"].choices = [self.fields["method"].choices[0]]
            del self.fields["pin"]
        self.fields["method"].help_text = registered_certificates_text(user)

    def clean_signature_image(self) -> bytes | None:
        upload = self.cleaned_data.get("signature_image")
        if not upload:
            return None
        if upload.size > MAX_IMAGE_BYTES:
            raise forms.ValidationError(_("The picture is larger than 1 MB."))
        content = upload.read()
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(io.BytesIO(content)) as picture:
                picture.verify()
                if picture.format not in ("PNG", "JPEG"):
                    raise forms.ValidationError(_("The picture must be a PNG or JPEG file."))
        except (UnidentifiedImageError, OSError, SyntaxError):
            raise forms.ValidationError(_("The picture must be a PNG or JPEG file."))
        return content

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("method") == PKCS12:
            upload = data.pop("pkcs12_file", None)
            if not upload:
                self.add_error("pkcs12_file", _("Choose your key file."))
            elif upload.size > MAX_PKCS12_BYTES:
                self.add_error("pkcs12_file", _("This is not a PKCS#12 key file (.p12 or .pfx)."))
            else:
                data["pkcs12_data"] = upload.read()
            if not data.get("passphrase"):
                self.add_error("passphrase", _("Enter the passphrase of your key file."))
        else:
            data.pop("pkcs12_file", None)
        return data


def key_backend(data: dict[str, Any], *, user) -> KeyBackend:
    """The key the form's cleaned data designates, for `user`."""
    if data.get("method") == REMOTE:
        return RemoteKey(user_id=user.get_username(), pin=data.get("pin") or "")
    return Pkcs12Key(data.get("pkcs12_data") or b"", data.get("passphrase") or "")


def registered_certificates_text(user) -> str:
    """Which certificates `user` may sign with (shown next to the signing form)."""
    approved = [
        f"{c.common_name} ({gettext('serial')} {c.serial}, "
        f"{gettext('valid until')} {formats.date_format(c.not_after, 'SHORT_DATE_FORMAT')})"
        for c in signer_certificates_of(user).filter(status=SignerCertificate.Status.APPROVED)
    ]
    if not approved:
        return gettext(
            "You have no approved signing certificate: send yours under “Signing "
            "certificates” (left menu); an administrator approves it."
        )
    return gettext("You sign only with your registered certificate: %(certificates)s.") % {
        "certificates": "; ".join(approved)
    }


class CertificateRequestForm(forms.Form):
    """A signing certificate to register: the certificate file, or the holder's key file with
    its passphrase (only the certificate is read from it). Cleaned data: `certificate`,
    `source`. Also the base of the admin's registration form."""

    certificate_file = forms.FileField(
        label=_("Certificate or key file"),
        help_text=_(
            "The certificate (.cer, .crt, .pem; DER or PEM), or the key file (.p12, .pfx) with "
            "its passphrase: only the certificate is read from it, the key is never kept."
        ),
    )
    passphrase = forms.CharField(
        label=_("Passphrase (key file only)"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        upload = data.pop("certificate_file", None)
        passphrase = data.pop("passphrase", "") or ""
        if upload is None:
            return data
        content = upload.read(MAX_PKCS12_BYTES + 1)
        try:
            data["certificate"], data["source"] = signer_certificate_read(
                content, file_name=upload.name or "", passphrase=passphrase
            )
        except forms.ValidationError as error:
            self.add_error("certificate_file", error)
        return data
