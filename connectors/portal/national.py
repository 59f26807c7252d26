"""The national public-service portal's (Cổng Dịch vụ công quốc gia) dossier-sync vocabulary.

Sources (the official integration specification of the national portal — "Tài liệu đặc tả kỹ
thuật kết nối, tích hợp với Cổng DVCQG" — is not published openly; I could not find it):

- the request shape (`{"session", "madonvi", "service": "DongBoHoSoMC" | "CapNhatTienDoHoSoMC",
  "isUpdating", "data": [...]}`), the record's field names (MaHoSo, MaTTHC, TenTTHC, ChuHoSo,
  SoDienThoai, Email, NgayTiepNhan, NgayHenTra, TrangThaiHoSo, NgayTra, HinhThuc, DonViXuLy,
  TaiLieuNop …; progress: NguoiXuLy, ThoiDiemXuLy, NoiDungXuLy, TrangThai), the answer's
  `error_code` and the date format yyyyMMddHHmmss in Asia/Ho_Chi_Minh time: OpenCPS v2, the
  open-source one-stop software several provinces run, in its national-portal integration
  github.com/VietOpenCPS/opencps-v2, modules/backend-dossiermgt/backend-dossiermgt-service/
  src/main/java/org/opencps/dossiermgt/action/impl/DVCQGIntegrationActionImpl.java
  (createSyncDossierBodyRequest, createSyncDossierStatusBodyRequest, convertDate2String);
- the status codes 1–10 and their names: the same list ("TRANGTHAIHOSO") in several public
  one-stop implementations that sync with the national portal (e.g.
  github.com/HuanVu201/DichVuCong_KhoaLuan_PASETO, its national-portal sync service), and the
  one onestop's `Dossier.Status` already follows.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from onestop.models import Dossier
from workflows import calendar

# TrangThaiHoSo: the national code of each eDoc dossier status, in one table. A draft (0) is
# the citizen's own and never reaches the portal.
NATIONAL_STATUS: dict[int, int] = {
    Dossier.Status.NEW: 1,  # Mới đăng ký
    Dossier.Status.ACCEPTED: 2,  # Được tiếp nhận
    Dossier.Status.REJECTED: 3,  # Không được tiếp nhận
    Dossier.Status.PROCESSING: 4,  # Đang xử lý
    Dossier.Status.SUPPLEMENT: 5,  # Yêu cầu bổ sung giấy tờ
    Dossier.Status.FINANCIAL: 6,  # Yêu cầu thực hiện nghĩa vụ tài chính
    Dossier.Status.WITHDRAWN: 7,  # Công dân yêu cầu rút hồ sơ
    Dossier.Status.STOPPED: 8,  # Dừng xử lý
    Dossier.Status.DONE: 9,  # Đã xử lý xong
    Dossier.Status.RETURNED: 10,  # Đã trả kết quả
}

DATE_FORMAT = "%Y%m%d%H%M%S"  # yyyyMMddHHmmss


def portal_date(moment: datetime.datetime | None) -> str:
    """A moment as the portal writes it: yyyyMMddHHmmss, Vietnam time ("" for none)."""
    if moment is None:
        return ""
    return timezone.localtime(moment, calendar.VN_TZ).strftime(DATE_FORMAT)


def parse_portal_date(value: str) -> datetime.datetime:
    """Read yyyyMMddHHmmss (Vietnam time); ValueError when it is not one."""
    value = (value or "").strip()
    if len(value) != 14 or not value.isdigit():
        raise ValueError(value)
    return datetime.datetime.strptime(value, DATE_FORMAT).replace(tzinfo=calendar.VN_TZ)
