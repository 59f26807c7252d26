"""From a PDF's metadata proposal (`edoc.extraction`) to registration fields: the one mapping
the registration form, the API and `import_documents` share.

`proposal_for_upload` makes the proposal from the upload's one reading of its text
(`ValidatedPdf.text`), OCR of a scanned first or last page included (bounded). `proposed_fields`
maps it: each proposal key to its registration field; the type and the issuing organisation
matched in the catalogs (ignoring case and diacritics); the date as a date; a value too long for
its field dropped (not a plausible value). Fields the caller already has (`given`) are left
alone, and the proposal's issuer is not used when the caller chose the issuing organisation (it
names the issuer). Read-only: nothing is written.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from edoc.extraction import PROPOSAL_KEYS, propose_from_text
from edoc.models import Document, DocumentType, ExternalOrganization
from edoc.services.files import ValidatedPdf
from edoc.text import fold, nfc

#: Proposal key → registration field (the proposal's "type" maps to document_type below).
PROPOSAL_FIELDS = {
    "number": "number",
    "notation": "notation",
    "issuer": "issuer",
    "place": "place",
    "date": "issue_date",
    "subject": "subject",
    "signer": "signer_name",
}
#: Every field a proposal may fill.
PROPOSED_FIELD_NAMES = (*PROPOSAL_FIELDS.values(), "document_type", "issuer_organization")


def proposal_for_upload(pdf: ValidatedPdf, *, read_scans: bool = True) -> dict[str, Any]:
    """The proposal of an upload, from the reading its text is stored from (no second parse).
    A scanned first or last page is read by OCR within PROPOSAL_OCR_SECONDS and cached under
    the file's SHA-256; `read_scans=False` takes only what was read already (the form's
    registration after the clerk saw the proposal: no OCR inside the registration request)."""
    return propose_from_text(
        pdf.text, pdf.source, ocr=True if read_scans else "cached", sha256=pdf.sha256
    )


def empty_proposal() -> dict[str, Any]:
    return dict.fromkeys(PROPOSAL_KEYS)


@dataclass(frozen=True)
class ProposalCatalog:
    """The catalog rows a proposal is matched against, by their folded names (active types;
    active organisations by name and abbreviation). A bulk import reads it once per run."""

    types: dict[str, DocumentType]
    organizations: dict[str, ExternalOrganization]


def _name_key(name: str) -> str:
    return " ".join(fold(nfc(name)).split())


def proposal_catalog() -> ProposalCatalog:
    types: dict[str, DocumentType] = {}
    for doc_type in DocumentType.objects.filter(is_active=True):
        types.setdefault(fold(doc_type.name), doc_type)
    organizations: dict[str, ExternalOrganization] = {}
    for org in ExternalOrganization.objects.filter(is_active=True):
        organizations.setdefault(_name_key(org.name), org)
        if org.short_name:
            organizations.setdefault(fold(org.short_name), org)
    return ProposalCatalog(types=types, organizations=organizations)


def match_document_type(
    name: str | None, catalog: ProposalCatalog | None = None
) -> DocumentType | None:
    """The active catalog type whose name matches `name`, ignoring case and diacritics."""
    if not name:
        return None
    return (catalog or proposal_catalog()).types.get(fold(nfc(name)))


def match_organization(
    name: str | None, catalog: ProposalCatalog | None = None
) -> ExternalOrganization | None:
    """The active external organisation whose name or abbreviation matches `name`."""
    if not name:
        return None
    return (catalog or proposal_catalog()).organizations.get(_name_key(name))


def _plausible(name: str, value: str) -> str | None:
    value = nfc(value)
    limit = getattr(Document._meta.get_field(name), "max_length", None)
    if not value or (limit and len(value) > limit):
        return None
    return value


def proposed_fields(
    proposal: Mapping[str, Any],
    given: Mapping[str, Any] | None = None,
    *,
    catalog: ProposalCatalog | None = None,
) -> dict[str, Any]:
    """Registration fields filled from `proposal` (field → value: strings, a date, catalog
    rows), for the fields not in `given` (what the clerk typed, or the API request sent).
    Values that do not fit their field are left out."""
    given = given or {}
    fields: dict[str, Any] = {}
    for key, name in PROPOSAL_FIELDS.items():
        value = proposal.get(key)
        if name in given or not value:
            continue
        if name == "issuer" and given.get("issuer_organization"):
            continue  # the chosen organisation names the issuer
        if name == "issue_date":
            with contextlib.suppress(ValueError):  # not a date: left empty
                fields[name] = datetime.date.fromisoformat(str(value))
            continue
        plausible = _plausible(name, str(value))
        if plausible is not None:
            fields[name] = plausible
    if "document_type" not in given:
        doc_type = match_document_type(proposal.get("type"), catalog)
        if doc_type is not None:
            fields["document_type"] = doc_type
    if "issuer_organization" not in given and "issuer" in fields:
        organization = match_organization(fields["issuer"], catalog)
        if organization is not None:
            fields["issuer_organization"] = organization
    return fields
