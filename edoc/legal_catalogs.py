"""Catalogs fixed by law: Decree 30/2020/NĐ-CP document types (Art. 7, Appendix III),
urgency and confidentiality levels. Seeded by migration; admins may edit them afterwards."""

from __future__ import annotations

DOCUMENT_TYPES: list[tuple[str, str]] = [
    ("Nghị quyết", "NQ"), ("Quyết định", "QĐ"), ("Chỉ thị", "CT"), ("Quy chế", "QC"),
    ("Quy định", "QyĐ"), ("Thông cáo", "TC"), ("Thông báo", "TB"), ("Hướng dẫn", "HD"),
    ("Chương trình", "CTr"), ("Kế hoạch", "KH"), ("Phương án", "PA"), ("Đề án", "ĐA"),
    ("Dự án", "DA"), ("Báo cáo", "BC"), ("Biên bản", "BB"), ("Tờ trình", "TTr"),
    ("Hợp đồng", "HĐ"), ("Công văn", ""), ("Công điện", "CĐ"), ("Bản ghi nhớ", "BGN"),
    ("Bản thỏa thuận", "BTT"), ("Giấy ủy quyền", "GUQ"), ("Giấy mời", "GM"),
    ("Giấy giới thiệu", "GGT"), ("Giấy nghỉ phép", "GNP"), ("Phiếu gửi", "PG"),
    ("Phiếu chuyển", "PC"), ("Phiếu báo", "PB"),
]  # fmt: skip
URGENCY: list[tuple[str, str, int]] = [
    ("Thường", "normal", 0), ("Khẩn", "urgent", 1), ("Thượng khẩn", "very-urgent", 2),
    ("Hỏa tốc", "flash", 3),
]  # fmt: skip
CONFIDENTIALITY: list[tuple[str, str, int]] = [
    ("Thường", "normal", 0), ("Mật", "confidential", 1), ("Tối mật", "secret", 2),
    ("Tuyệt mật", "top-secret", 3),
]  # fmt: skip


def ensure_legal_catalogs(apps=None) -> None:
    """Create any missing legal catalog row and the audit chain head (idempotent)."""
    if apps is None:
        from django.apps import apps
    document_type = apps.get_model("edoc", "DocumentType")
    for order, (name, abbreviation) in enumerate(DOCUMENT_TYPES, start=1):
        document_type.objects.get_or_create(
            name=name, defaults={"abbreviation": abbreviation, "sort_order": order}
        )
    for model_name, rows in (("Urgency", URGENCY), ("Confidentiality", CONFIDENTIALITY)):
        model = apps.get_model("edoc", model_name)
        for name, code, level in rows:
            model.objects.get_or_create(code=code, defaults={"name": name, "level": level})
    apps.get_model("edoc", "AuditChainHead").objects.get_or_create(
        pk=1, defaults={"last_hash": "0" * 64, "length": 0}
    )
