"""Audit chain head, append-only triggers on the audit log, and the legal catalogs
(Decree 30/2020/NĐ-CP document types, urgency and confidentiality levels)."""

from django.db import migrations

DOCUMENT_TYPES = [
    ("Nghị quyết", "NQ"), ("Quyết định", "QĐ"), ("Chỉ thị", "CT"), ("Quy chế", "QC"),
    ("Quy định", "QyĐ"), ("Thông cáo", "TC"), ("Thông báo", "TB"), ("Hướng dẫn", "HD"),
    ("Chương trình", "CTr"), ("Kế hoạch", "KH"), ("Phương án", "PA"), ("Đề án", "ĐA"),
    ("Dự án", "DA"), ("Báo cáo", "BC"), ("Biên bản", "BB"), ("Tờ trình", "TTr"),
    ("Hợp đồng", "HĐ"), ("Công văn", ""), ("Công điện", "CĐ"), ("Bản ghi nhớ", "BGN"),
    ("Bản thỏa thuận", "BTT"), ("Giấy ủy quyền", "GUQ"), ("Giấy mời", "GM"),
    ("Giấy giới thiệu", "GGT"), ("Giấy nghỉ phép", "GNP"), ("Phiếu gửi", "PG"),
    ("Phiếu chuyển", "PC"), ("Phiếu báo", "PB"),
]
URGENCY = [("Thường", "normal", 0), ("Khẩn", "urgent", 1), ("Thượng khẩn", "very-urgent", 2),
           ("Hỏa tốc", "flash", 3)]
CONFIDENTIALITY = [("Thường", "normal", 0), ("Mật", "confidential", 1), ("Tối mật", "secret", 2),
                   ("Tuyệt mật", "top-secret", 3)]

SQLITE_TRIGGERS = [
    "CREATE TRIGGER edoc_audit_no_update BEFORE UPDATE ON edoc_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
    "CREATE TRIGGER edoc_audit_no_delete BEFORE DELETE ON edoc_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS edoc_audit_no_update;", "DROP TRIGGER IF EXISTS edoc_audit_no_delete;"]
POSTGRES_TRIGGERS = [
    """CREATE OR REPLACE FUNCTION edoc_audit_append_only() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION 'the audit log is append-only'; END; $$ LANGUAGE plpgsql;""",
    "CREATE TRIGGER edoc_audit_no_change BEFORE UPDATE OR DELETE ON edoc_auditentry "
    "FOR EACH ROW EXECUTE FUNCTION edoc_audit_append_only();",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS edoc_audit_no_change ON edoc_auditentry;",
    "DROP FUNCTION IF EXISTS edoc_audit_append_only();",
]


def seed(apps, schema_editor):
    AuditChainHead = apps.get_model("edoc", "AuditChainHead")
    AuditChainHead.objects.get_or_create(pk=1, defaults={"last_hash": "0" * 64, "length": 0})
    DocumentType = apps.get_model("edoc", "DocumentType")
    for order, (name, abbreviation) in enumerate(DOCUMENT_TYPES, start=1):
        DocumentType.objects.get_or_create(
            name=name, defaults={"abbreviation": abbreviation, "sort_order": order}
        )
    for model_name, rows in (("Urgency", URGENCY), ("Confidentiality", CONFIDENTIALITY)):
        model = apps.get_model("edoc", model_name)
        for name, code, level in rows:
            model.objects.get_or_create(code=code, defaults={"name": name, "level": level})


def triggers(apps, schema_editor):
    statements = {"sqlite": SQLITE_TRIGGERS, "postgresql": POSTGRES_TRIGGERS}
    for sql in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


def drop_triggers(apps, schema_editor):
    statements = {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}
    for sql in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("edoc", "0001_initial")]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(triggers, drop_triggers),
    ]
