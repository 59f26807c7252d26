"""Procedures' blank forms (`PaperTemplate`): a PDF or DOCX file checked by extension and first
bytes, stored by content, audited; a replaced file no longer used is removed once committed."""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from edoc.models import User
from edoc.services.audit import audit_record
from edoc.services.files import StoredBlobs
from edoc.text import nfc
from onestop.models import TEMPLATE_TYPES, PaperTemplate, ProcedurePaper

TEMPLATE_MAX_MB = 10


def paper_template_check(name: str, content: bytes) -> tuple[str, str]:
    """A form template's file: PDF or DOCX by extension and first bytes, at most 10 MB.
    Returns (extension, content type)."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in TEMPLATE_TYPES:
        raise ValidationError(
            {"file": _("A form template is a PDF or Word (.docx) file.")}, code="file_type"
        )
    content_type, magic = TEMPLATE_TYPES[extension]
    if not content.startswith(magic):
        raise ValidationError(
            {"file": _("The file is not a real .%(ext)s file.") % {"ext": extension}},
            code="file_content",
        )
    if len(content) > TEMPLATE_MAX_MB * 1024 * 1024:
        raise ValidationError(
            {"file": _("The file is larger than %(limit)s MB.") % {"limit": TEMPLATE_MAX_MB}},
            code="too_large",
        )
    return extension, content_type


@transaction.atomic
def paper_template_set(
    *, user: User | None, paper: ProcedurePaper, title: str, name: str, content: bytes
) -> PaperTemplate:
    """Give a paper its blank form (PDF or DOCX, checked by extension and first bytes, at most
    10 MB), stored by content; a replaced file no longer used is removed once committed."""
    title, name = nfc(title), nfc(name)[-255:]
    extension, content_type = paper_template_check(name, content)
    if not title:
        raise ValidationError({"title": _("Give the form's name.")})
    sha256 = hashlib.sha256(content).hexdigest()
    blob = f"onestop/forms/{sha256[:2]}/{sha256}.{extension}"
    with StoredBlobs([(blob, content)]) as stored:  # removed again if the block fails
        blob = stored.names[blob]
        template = PaperTemplate.objects.filter(paper=paper).first() or PaperTemplate(paper=paper)
        previous = template.file.name if template.pk else ""
        template.title = title
        template.file.name = blob
        template.original_name = name
        template.content_type = content_type
        template.sha256 = sha256
        template.size = len(content)
        template.save()
        audit_record(
            actor=user,
            action="procedure.form_template",
            target=paper.procedure,
            details={"paper": paper.pk, "title": title, "sha256": sha256},
        )
    if previous and previous != blob:
        _delete_unused_templates_on_commit([previous])
    return template


def _delete_unused_templates_on_commit(names: list[str]) -> None:
    def cleanup() -> None:
        used = set(PaperTemplate.objects.filter(file__in=names).values_list("file", flat=True))
        for name in set(names) - used:
            default_storage.delete(name)

    transaction.on_commit(cleanup)
