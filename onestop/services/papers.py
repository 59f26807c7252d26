"""Papers of a dossier: each upload checked (file type by extension and by content, size,
damaged or hostile PDFs), stored by content and attached; a refused or failed write leaves no
orphan file."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from edoc.pdfcheck import PdfProblem, pdf_inspect
from edoc.services.files import StoredBlobs, UploadProblem, upload_read
from edoc.text import nfc
from onestop.models import (
    SUPPORTED_EXTENSIONS,
    Dossier,
    DossierPaper,
    Procedure,
    ProcedurePaper,
    paper_blob_name,
)

EXTRA_PAPER = 0  # key of `files` for a paper outside the procedure's list


DEFAULT_EXTENSIONS = SUPPORTED_EXTENSIONS  # for a paper outside the procedure's list


MAGIC = {
    "pdf": (b"%PDF-",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}


CONTENT_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
}


DEFAULT_EXTRA_MB = 10


@dataclass(frozen=True)
class ValidatedPaper:
    """An uploaded paper that passed every check, held in memory until it is stored."""

    paper: ProcedurePaper | None
    content: bytes
    name: str
    extension: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES.get(self.extension, "application/octet-stream")


def paper_validate(upload: IO[bytes], paper: ProcedurePaper | None) -> ValidatedPaper:
    """Refuse empty, oversized and wrongly typed files (by extension and by content)."""
    label = paper.name if paper else _("Other paper")
    name = nfc(getattr(upload, "name", "") or "")[-255:]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    allowed = paper.extension_list if paper else list(DEFAULT_EXTENSIONS)
    if extension not in allowed or extension not in MAGIC:
        raise ValidationError(
            _("“%(paper)s”: the file type .%(ext)s is not accepted (allowed: %(allowed)s).")
            % {"paper": label, "ext": extension or "?", "allowed": ", ".join(allowed)},
            code="file_type",
        )
    limit_mb = min(paper.max_size_mb if paper else DEFAULT_EXTRA_MB, settings.EDOC_MAX_UPLOAD_MB)
    limit = limit_mb * 1024 * 1024
    too_large = ValidationError(
        _("“%(paper)s”: the file is larger than %(limit)s MB.")
        % {"paper": label, "limit": limit_mb},
        code="too_large",
    )
    try:
        content = upload_read(upload, limit=limit)
    except UploadProblem as problem:
        if problem.code == "empty":
            raise ValidationError(
                _("“%(paper)s”: the file is empty.") % {"paper": label}, code="empty"
            )
        raise too_large
    if not any(content.startswith(magic) for magic in MAGIC[extension]):
        raise ValidationError(
            _("“%(paper)s”: the file is not a real .%(ext)s file.")
            % {"paper": label, "ext": extension},
            code="file_content",
        )
    if extension == "pdf":  # damaged, page-bomb and parser-bomb PDFs are refused (bounded)
        try:
            pdf_inspect(content, max_pages=settings.EDOC_MAX_PDF_PAGES)
        except PdfProblem as problem:
            raise ValidationError(
                _("“%(paper)s”: %(problem)s") % {"paper": label, "problem": problem.message},
                code=problem.code,
            )
    return ValidatedPaper(paper=paper, content=content, name=name, extension=extension)


def _validate_files(
    procedure: Procedure, files: Mapping[int, Any] | None
) -> tuple[list[ValidatedPaper], list[str]]:
    """Validate every upload; collect all problems so the citizen sees them at once."""
    papers = {paper.pk: paper for paper in procedure.papers.all()}
    validated: list[ValidatedPaper] = []
    problems: list[str] = []
    for key, upload in (files or {}).items():
        if upload is None:
            continue
        key = int(key or EXTRA_PAPER)
        if key != EXTRA_PAPER and key not in papers:
            problems.append(_("A file was given for a paper this procedure does not have."))
            continue
        try:
            validated.append(paper_validate(upload, papers.get(key)))
        except ValidationError as error:
            problems.extend(error.messages)
    return validated, problems


def _stored_papers(papers: Iterable[ValidatedPaper]) -> StoredBlobs:
    """edoc's content-addressed store for these papers (named by hash and extension): the
    files it wrote are deleted again if the block fails, so no orphan file is left."""
    return StoredBlobs(
        (paper_blob_name(item.sha256, item.extension), item.content) for item in papers
    )


def _delete_unreferenced_on_commit(names: list[str]) -> None:
    """Once the transaction commits, remove stored papers no dossier refers to any more
    (a draft's replaced papers); files are shared by content, so others may still use them."""

    def cleanup() -> None:
        used = set(DossierPaper.objects.filter(file__in=names).values_list("file", flat=True))
        for name in set(names) - used:
            default_storage.delete(name)

    if names:
        transaction.on_commit(cleanup)


def _attach(
    dossier: Dossier, items: list[ValidatedPaper], stored: StoredBlobs, *, round_no: int, user
) -> list[DossierPaper]:
    attached = []
    for item in items:
        record = DossierPaper(
            dossier=dossier,
            paper=item.paper,
            round=round_no,
            sha256=item.sha256,
            size=item.size,
            original_name=item.name,
            content_type=item.content_type,
            uploaded_by=user,
        )
        record.file.name = stored.names[paper_blob_name(item.sha256, item.extension)]
        record.save()
        attached.append(record)
    return attached


def missing_mandatory(dossier: Dossier, *, extra: Iterable[ProcedurePaper] = ()) -> list[str]:
    """Names of mandatory papers without a file (counting `extra` as present)."""
    present = set(dossier.files.exclude(paper=None).values_list("paper_id", flat=True))
    present |= {paper.pk for paper in extra if paper is not None}
    return [
        paper.name
        for paper in dossier.procedure.papers.filter(mandatory=True)
        if paper.pk not in present
    ]
