"""Portal forms: the applicant and one upload per required paper, the dossier look-up and a
supplement upload. File checks here (extension, size) mirror the papers' rules so the
citizen sees a message next to the field; the services check again (content included)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from edoc.text import nfc
from onestop.models import ProcedurePaper
from onestop.services import DEFAULT_EXTRA_MB, EXTRA_PAPER, MAGIC, normalise_phone

PHONE_RE = re.compile(r"^0\d{9,10}$")
ID_NUMBER_RE = re.compile(r"^(\d{9}|\d{12})$")


EXTRA_FIELD = "paper_other"


def paper_field(paper: ProcedurePaper) -> str:
    """The form field name of a paper's upload."""
    return f"paper_{paper.pk}"


def _paper_file_field(paper: ProcedurePaper) -> forms.FileField:
    """An optional upload for the paper (mandatory papers are checked in the form's clean,
    so that a draft may leave them out), limited to its file types in the browser too."""
    return forms.FileField(
        label=paper.name,
        required=False,
        widget=forms.FileInput(attrs={"accept": ",".join(f".{e}" for e in paper.extension_list)}),
        help_text=_("%(types)s, up to %(size)s MB.")
        % {"types": ", ".join(paper.extension_list).upper(), "size": paper.max_size_mb},
    )


class NfcForm(forms.Form):
    """A form whose text inputs come out NFC-normalised and stripped."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        return {key: nfc(value) for key, value in cleaned.items()}


class ApplicantForm(NfcForm):
    """Who submits the dossier. Phone and ID number later let the citizen look it up."""

    name = forms.CharField(label=_("Full name"), max_length=200)
    phone = forms.CharField(
        label=_("Mobile phone number"),
        max_length=20,
        help_text=_("We send status changes to this number; it also unlocks the tracking page."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    id_number = forms.CharField(
        label=_("Citizen ID number"),
        max_length=20,
        required=False,
        help_text=_("12 digits (or the old 9-digit ID card)."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    address = forms.CharField(label=_("Address"), max_length=500, required=False)

    def __init__(
        self,
        *args: Any,
        papers: list[ProcedurePaper],
        stored: Mapping[int, Any],
        submitting: bool = True,
        **kwargs: Any,
    ):
        """`papers` are the procedure's required papers; `stored` the draft's file of those
        already uploaded, by paper id (their upload becomes optional); `submitting` False for
        "save draft", where mandatory papers may still be missing."""
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["address"].widget.attrs["autocomplete"] = "street-address"
        self.papers = papers
        self.stored = stored
        self.submitting = submitting
        for paper in papers:
            self.fields[paper_field(paper)] = _paper_file_field(paper)

    def paper_rows(self) -> list[dict[str, Any]]:
        """The upload fields with their paper, for the template."""
        return [
            {
                "paper": paper,
                "field": self[paper_field(paper)],
                "stored": self.stored.get(paper.pk),
            }
            for paper in self.papers
        ]

    def clean_phone(self) -> str:
        phone = normalise_phone(self.cleaned_data["phone"])
        if not PHONE_RE.match(phone):
            raise forms.ValidationError(_("Enter a mobile number such as 0912345678."))
        return phone

    def clean_id_number(self) -> str:
        value = re.sub(r"\s", "", self.cleaned_data["id_number"])
        if value and not ID_NUMBER_RE.match(value):
            raise forms.ValidationError(_("An ID number has 12 digits (or 9 for an old ID card)."))
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for paper in self.papers:
            name = paper_field(paper)
            upload: UploadedFile | None = cleaned.get(name)
            if upload:
                error = paper_file_error(paper, upload)
                if error:
                    self.add_error(name, error)
            elif self.submitting and paper.mandatory and paper.pk not in self.stored:
                self.add_error(name, _("This paper is mandatory: attach the file."))
        return cleaned

    def applicant(self) -> dict[str, str]:
        """The applicant fields as the core services take them (those that failed the form's
        checks empty)."""
        return {
            key: self.cleaned_data.get(key, "")
            for key in ("name", "phone", "id_number", "email", "address")
        }

    def passed_uploads(self) -> dict[int, UploadedFile]:
        """The uploads that passed the form's checks, by paper id, also when others failed."""
        self.is_valid()
        return {
            paper.pk: self.files[paper_field(paper)]
            for paper in self.papers
            if self.files.get(paper_field(paper)) and paper_field(paper) not in self.errors
        }

    def files_by_paper(self) -> dict[int, UploadedFile]:
        return {
            paper.pk: self.cleaned_data[paper_field(paper)]
            for paper in self.papers
            if self.cleaned_data.get(paper_field(paper))
        }


FORM_OVERHEAD_BYTES = 256 * 1024  # the text fields and multipart headers around the files


def upload_limit_bytes(papers: list[ProcedurePaper], *, extra: bool = False) -> int:
    """The largest request a form with one upload per paper (and one other paper) may send:
    checked on the declared Content-Length before Django reads the body."""
    megabytes = sum(min(paper.max_size_mb, settings.EDOC_MAX_UPLOAD_MB) for paper in papers)
    if extra:
        megabytes += DEFAULT_EXTRA_MB
    return megabytes * 1024 * 1024 + FORM_OVERHEAD_BYTES


def paper_file_error(paper: ProcedurePaper, upload: UploadedFile) -> str | None:
    """Why the upload does not fit the paper's rules (type, size), or None."""
    extension = (upload.name or "").rsplit(".", 1)[-1].lower() if "." in (upload.name or "") else ""
    if extension not in paper.extension_list:
        return _("Wrong file type “%(name)s”: accepted types are %(types)s.") % {
            "name": upload.name,
            "types": ", ".join(paper.extension_list).upper(),
        }
    limit_mb = min(paper.max_size_mb, settings.EDOC_MAX_UPLOAD_MB)
    if upload.size > limit_mb * 1024 * 1024:
        return _("The file is larger than %(size)s MB.") % {"size": limit_mb}
    if upload.size == 0:
        return _("The file is empty.")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in MAGIC.get(extension, ())):
        return _("“%(name)s” is not a real %(type)s file.") % {
            "name": upload.name,
            "type": extension.upper(),
        }
    return None


class LookupForm(NfcForm):
    """Dossier code plus the applicant's phone number or ID number."""

    code = forms.CharField(
        label=_("Dossier code"),
        max_length=40,
        help_text=_("As printed on the receipt, e.g. 000.00.23.H19-260315-0001."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    secret = forms.CharField(
        label=_("Phone number or ID number"),
        max_length=20,
        help_text=_("The phone number or ID number given when submitting."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip().upper()


class SupplementForm(NfcForm):
    """The citizen's answer to a supplement request: a file per requested paper (or per paper
    of the procedure when the officer named none), one other paper and a short message."""

    message = forms.CharField(
        label=_("Message to the officer"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, papers: list[ProcedurePaper], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.papers = papers
        for paper in papers:
            self.fields[paper_field(paper)] = _paper_file_field(paper)
        self.fields[EXTRA_FIELD] = forms.FileField(
            label=_("Other paper"),
            required=False,
            widget=forms.FileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
            help_text=_("PDF, JPG or PNG, up to %(size)s MB.") % {"size": DEFAULT_EXTRA_MB},
        )
        self.order_fields([*self.file_field_names(), "message"])

    def file_field_names(self) -> list[str]:
        return [*(paper_field(paper) for paper in self.papers), EXTRA_FIELD]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for paper in self.papers:
            upload = cleaned.get(paper_field(paper))
            error = paper_file_error(paper, upload) if upload else None
            if error:
                self.add_error(paper_field(paper), error)
        if not any(cleaned.get(name) for name in self.file_field_names()):
            raise forms.ValidationError(_("Attach at least one file."), code="no_file")
        return cleaned

    def files_by_paper(self) -> dict[int, UploadedFile]:
        files = {
            paper.pk: self.cleaned_data[paper_field(paper)]
            for paper in self.papers
            if self.cleaned_data.get(paper_field(paper))
        }
        if self.cleaned_data.get(EXTRA_FIELD):
            files[EXTRA_PAPER] = self.cleaned_data[EXTRA_FIELD]
        return files
