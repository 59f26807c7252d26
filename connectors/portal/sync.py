"""A dossier's status change as the portal's requests (DongBoHoSoMC, then
CapNhatTienDoHoSoMC), written to the outbox in the change's transaction."""

from __future__ import annotations

from typing import Any

from connectors.models import PortalDossierLink, SyncMessage
from connectors.portal import conf
from connectors.portal.national import NATIONAL_STATUS, portal_date
from connectors.portal.outbox import outbox_write
from onestop.models import Dossier, DossierEvent, ReturnChannel


def ma_ho_so(dossier: Dossier) -> str:
    """The dossier's code on the portal: the portal's own for a dossier pulled from it, the
    one-stop code otherwise."""
    link = PortalDossierLink.objects.filter(dossier=dossier).first()
    return link.ma_ho_so if link else dossier.code or ""


def dossier_record(dossier: Dossier, code: str) -> dict[str, Any]:
    """The DongBoHoSoMC record of a dossier (field names of the national portal)."""
    procedure = dossier.procedure
    return {
        "MaHoSo": code,
        "MaTTHC": procedure.code,
        "TenTTHC": procedure.name,
        "ChuHoSo": dossier.applicant_name,
        "LoaiDoiTuong": "1",
        "SoDienThoai": dossier.applicant_phone,
        "Email": dossier.applicant_email,
        "TrichYeuHoSo": procedure.name,
        "NgayTiepNhan": portal_date(dossier.received_at or dossier.submitted_at),
        "NgayHenTra": portal_date(dossier.due_at),
        "TrangThaiHoSo": str(NATIONAL_STATUS[dossier.status]),
        "NgayTra": portal_date(dossier.returned_at),
        "HinhThuc": "1" if dossier.return_channel == ReturnChannel.POST else "0",
        "NgayKetThucXuLy": portal_date(dossier.finished_at),
        "DonViXuLy": procedure.handling_unit.name,
    }


def progress_record(dossier: Dossier, event: DossierEvent, code: str) -> dict[str, Any]:
    """The CapNhatTienDoHoSoMC record of one status change."""
    actor = event.actor
    return {
        "MaHoSo": code,
        "NguoiXuLy": (actor.get_full_name() or actor.get_username()) if actor else "",
        "ThoiDiemXuLy": portal_date(event.at),
        "NoiDungXuLy": event.public_message,
        "TrangThai": str(NATIONAL_STATUS[dossier.status]),
    }


def status_push_write(dossier: Dossier, event: DossierEvent) -> SyncMessage | None:
    """Write the push of this status change (or new appointment) to the outbox, idempotent by
    MaHoSo + national status + time of the change (+ the event's id). Nothing while the portal
    sync is off or for a draft."""
    if not conf.portal_url() or dossier.status not in NATIONAL_STATUS or not dossier.code:
        return None
    code = ma_ho_so(dossier)
    national = NATIONAL_STATUS[dossier.status]
    earlier = SyncMessage.objects.filter(target=SyncMessage.Target.PORTAL, dossier=dossier).exists()
    requests = [
        {
            "service": "DongBoHoSoMC",
            "isUpdating": "True" if earlier else "False",
            "data": [dossier_record(dossier, code)],
        },
        {"service": "CapNhatTienDoHoSoMC", "data": [progress_record(dossier, event, code)]},
    ]
    return outbox_write(
        target=SyncMessage.Target.PORTAL,
        # Two changes in one second (e.g. an apology approved right after a status) are two
        # pushes: the event's id keeps their keys apart; the same event is one push.
        key=f"{code}|{national}|{portal_date(event.at)}|{event.pk}",
        payload={"requests": requests},
        dossier=dossier,
        status_code=national,
    )
