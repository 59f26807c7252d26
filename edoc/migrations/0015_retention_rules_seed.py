"""Seed the retention period of the common document types (Circular 10/2022/TT-BNV, Appendix I:
retention periods of documents formed in the activities of agencies). A document type maps to
the Appendix's lines only roughly (an annual plan and a monthly one are both "Kế hoạch"), so
each row takes the longest period its lines give and cites them; the agency's archivist
adjusts the rows in the admin (Quy định, thời hạn bảo quản → "Retention rules")."""

from django.db import migrations

BASIS = "Thông tư 10/2022/TT-BNV, Phụ lục I"
PERMANENT = None
#: type name → (years or PERMANENT, the Appendix lines it follows)
RULES = {
    "Nghị quyết": (PERMANENT, "hồ sơ xây dựng, ban hành văn bản của cơ quan: vĩnh viễn"),
    "Quyết định": (PERMANENT, "hồ sơ xây dựng, ban hành văn bản của cơ quan: vĩnh viễn"),
    "Chỉ thị": (PERMANENT, "hồ sơ xây dựng, ban hành văn bản chỉ đạo: vĩnh viễn"),
    "Quy chế": (PERMANENT, "hồ sơ xây dựng, ban hành quy chế, quy định: vĩnh viễn"),
    "Quy định": (PERMANENT, "hồ sơ xây dựng, ban hành quy chế, quy định: vĩnh viễn"),
    "Hướng dẫn": (PERMANENT, "hồ sơ xây dựng, ban hành hướng dẫn: vĩnh viễn"),
    "Chương trình": (PERMANENT, "chương trình, kế hoạch, báo cáo công tác năm: vĩnh viễn"),
    "Kế hoạch": (
        PERMANENT,
        "kế hoạch, báo cáo công tác năm, nhiều năm: vĩnh viễn; 6 tháng, 9 tháng: 20 năm; "
        "quý, tháng: 05 năm",
    ),
    "Báo cáo": (
        PERMANENT,
        "kế hoạch, báo cáo công tác năm, nhiều năm: vĩnh viễn; 6 tháng, 9 tháng: 20 năm; "
        "quý, tháng: 05 năm",
    ),
    "Đề án": (PERMANENT, "hồ sơ xây dựng đề án, dự án được phê duyệt: vĩnh viễn"),
    "Dự án": (PERMANENT, "hồ sơ xây dựng đề án, dự án được phê duyệt: vĩnh viễn"),
    "Thông báo": (10, "tập thông báo ý kiến, kết luận cuộc họp: 10 năm"),
    "Công văn": (10, "công văn trao đổi về công tác: 10 năm (một số nhóm 05 năm)"),
    "Công điện": (10, "công văn trao đổi về công tác: 10 năm"),
    "Giấy mời": (5, "văn bản gửi để biết, giấy mời hội họp: 05 năm"),
    "Giấy giới thiệu": (5, "văn bản gửi để biết: 05 năm"),
    "Phiếu gửi": (5, "văn bản gửi để biết: 05 năm"),
    "Phiếu chuyển": (5, "văn bản gửi để biết: 05 năm"),
    "Phiếu báo": (5, "văn bản gửi để biết: 05 năm"),
}
#: Law on Archives 2011, Art. 21: permanent records go to the historical archive within 10
#: years of the year the work ended.
TRANSFER_AFTER_YEARS = 10


def seed(apps, schema_editor):
    document_type = apps.get_model("edoc", "DocumentType")
    rule = apps.get_model("edoc", "RetentionRule")
    for name, (years, lines) in RULES.items():
        kind = document_type.objects.filter(name=name).first()
        if kind is None or rule.objects.filter(document_type=kind).exists():
            continue
        rule.objects.create(
            document_type=kind,
            years=years,
            transfer_after_years=TRANSFER_AFTER_YEARS if years is None else None,
            basis=f"{BASIS}: {lines}",
        )


class Migration(migrations.Migration):
    dependencies = [("edoc", "0014_retention_rules_and_destruction")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
