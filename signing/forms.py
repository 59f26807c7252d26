"""The signing form of a "sign" step: a PKCS#12 key file and its passphrase, or remote signing
(ký số từ xa) with the user's PIN; optionally a picture of the handwritten signature.

The key file and the passphrase stay in memory: the form reads the (small) upload into bytes,
never renders the passphrase back, and the values go straight to the signing service.
"""

from __future__ import annotations

import io
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from signing.backends import KeyBackend, Pkcs12Key, RemoteKey
from signing.backends.pkcs12 import MAX_PKCS12_BYTES
from signing.conf import remote_settings

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
