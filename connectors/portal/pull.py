"""Online dossiers submitted on the provincial portal, pulled into onestop.

The portal lists its new online dossiers (service `LayDanhSachHoSoMoi`, see
docs/connectors-portal.md); each becomes a one-stop dossier through onestop's own intake —
the citizen portal's path: `dossier_save_draft` then `dossier_submit_online` (status 1, the
dossier's one-stop code, the push of status 1 back to the portal). Idempotent by MaHoSo: a
dossier already pulled is skipped. A dossier the portal describes badly is refused whole
(nothing saved), audited ("portal.pull_refused") and reported; the others still come in.
"""

from __future__ import annotations

import base64
import binascii
import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from connectors.models import PortalDossierLink
from connectors.portal import client
from connectors.portal.national import parse_portal_date
from edoc.services.audit import audit_record
from edoc.text import nfc
from onestop import services as onestop_services
from onestop.models import Procedure

logger = logging.getLogger(__name__)

PULL_SERVICE = "LayDanhSachHoSoMoi"


@dataclass
class PullResult:
    created: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)


def _text(record: dict[str, Any], name: str, *, required: bool = False) -> str:
    value = record.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError(_("%(field)s is not text.") % {"field": name})
    value = nfc(value)
    if required and not value:
        raise ValidationError(_("%(field)s is missing.") % {"field": name})
    return value


def _files(record: dict[str, Any], procedure: Procedure) -> dict[int, SimpleUploadedFile]:
    """TaiLieuNop → onestop's files by paper: each item names its paper (TenThanhPhanHoSo,
    as the procedure lists it) and carries the file in base64 (NoiDung)."""
    items = record.get("TaiLieuNop") or []
    if not isinstance(items, list):
        raise ValidationError(_("TaiLieuNop is not a list."))
    papers = {nfc(paper.name): paper for paper in procedure.papers.all()}
    files: dict[int, SimpleUploadedFile] = {}
    for item in items:
        if not isinstance(item, dict):
            raise ValidationError(_("An item of TaiLieuNop is not an object."))
        paper_name = _text(item, "TenThanhPhanHoSo", required=True)
        paper = papers.get(paper_name)
        if paper is None:
            raise ValidationError(
                _("The procedure has no paper “%(paper)s”.") % {"paper": paper_name}
            )
        try:
            content = base64.b64decode(_text(item, "NoiDung", required=True), validate=True)
        except (binascii.Error, ValueError) as error:
            raise ValidationError(
                _("The file of “%(paper)s” is not valid base64.") % {"paper": paper_name}
            ) from error
        files[paper.pk] = SimpleUploadedFile(_text(item, "TenTepDinhKem", required=True), content)
    missing = [name for name, paper in papers.items() if paper.mandatory and paper.pk not in files]
    if missing:
        raise ValidationError(
            [_("Missing mandatory paper: %(paper)s") % {"paper": name} for name in missing]
        )
    return files


def dossier_pull_one(record: Any) -> tuple[str, bool]:
    """Bring one portal dossier in; returns (MaHoSo, created). Raises ValidationError (nothing
    saved) when the record cannot become a dossier."""
    if not isinstance(record, dict):
        raise ValidationError(_("The dossier is not a JSON object."))
    code = _text(record, "MaHoSo", required=True)
    if PortalDossierLink.objects.filter(ma_ho_so=code).exists():
        return code, False
    procedure_code = _text(record, "MaTTHC", required=True)
    procedure = Procedure.objects.filter(
        agency__code=settings.EDOC_AGENCY_CODE, code=procedure_code, active=True
    ).first()
    if procedure is None:
        raise ValidationError(
            _("No active procedure has the code %(code)s.") % {"code": procedure_code}
        )
    applicant = {
        "name": _text(record, "ChuHoSo", required=True),
        "phone": _text(record, "SoDienThoai", required=True),
        "id_number": _text(record, "SoGiayToChuHoSo"),
        "email": _text(record, "Email"),
        "address": _text(record, "DiaChiChuHoSo"),
    }
    submitted = _text(record, "NgayNop")
    if submitted:
        try:
            parse_portal_date(submitted)
        except ValueError as error:
            raise ValidationError(
                _("%(field)s is not a date yyyyMMddHHmmss.") % {"field": "NgayNop"}
            ) from error
    files = _files(record, procedure)
    try:
        _create(code, procedure, applicant, files, submitted)
    except IntegrityError:  # a concurrent pull took this MaHoSo first
        if PortalDossierLink.objects.filter(ma_ho_so=code).exists():
            return code, False
        raise
    return code, True


def _create(code: str, procedure: Procedure, applicant: dict, files: dict, submitted: str) -> None:
    with transaction.atomic():
        draft = onestop_services.dossier_save_draft(
            procedure=procedure, applicant=applicant, files=files
        )
        PortalDossierLink.objects.create(ma_ho_so=code, dossier=draft)
        dossier = onestop_services.dossier_submit_online(dossier=draft)
        audit_record(
            actor=None,
            action="portal.pull",
            target=dossier,
            details={"ma_ho_so": code, "procedure": procedure.code, "ngay_nop": submitted},
        )


def _message(error: ValidationError) -> str:
    return "; ".join(str(message) for message in error.messages)


def portal_pull() -> PullResult:
    """Ask the portal for its new online dossiers and bring each in (see the module's doc).
    Raises ConnectorError when the portal cannot be asked."""
    answer = client.portal_call({"service": PULL_SERVICE})
    records = answer.get("result")
    if not isinstance(records, list):
        raise client.ConnectorError("the portal's answer has no list of dossiers (result)")
    result = PullResult()
    for index, record in enumerate(records):
        label = (record.get("MaHoSo") if isinstance(record, dict) else None) or f"#{index + 1}"
        label = str(label)
        try:
            code, created = dossier_pull_one(record)
        except ValidationError as error:
            result.refused[label] = _message(error)
            with transaction.atomic():
                audit_record(
                    actor=None,
                    action="portal.pull_refused",
                    details={"ma_ho_so": label, "reason": result.refused[label]},
                )
            logger.warning("portal dossier %s refused: %s", label, result.refused[label])
            continue
        (result.created if created else result.skipped).append(code)
    return result
