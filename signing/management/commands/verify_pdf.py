"""`python manage.py verify_pdf FILE.pdf [--trust-root CA.pem ...] [--json] [--etsi-xml OUT]`.

Prints the verification report of every signature in the PDF (human-readable, or the JSON
report of signing.validation.report with --json). Exit status:

- 0: at least one signature, and every signature is intact, valid and trusted and only
  allowed changes (form filling, validation data, annotations allowed by DocMDP) follow it;
- 1: anything else — no signature, a signature not intact / invalid / untrusted / revoked,
  or a disallowed change after signing;
- 2: the file is missing or not a readable PDF (not a PDF, damaged, encrypted), or a
  --trust-root file is unreadable.

The admin-managed trust roots and revocation setting apply; --trust-root adds roots for
this run only.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from signing.selectors import certificates_load
from signing.validation.reading import PdfUnreadable
from signing.validation.report import unreadable_report
from signing.validation.verdict import report_verdict
from signing.validation.verify import pdf_verify

EXIT_OK, EXIT_NOT_VALID, EXIT_UNREADABLE = 0, 1, 2


def _yes_no(value: bool | None) -> str:
    if value is None:
        return "—"
    return _("yes") if value else _("no")


class Command(BaseCommand):
    help = (
        "Verify the digital signatures of a PDF. Exit status 0 when every signature is "
        "intact, valid, trusted and followed only by allowed changes; 1 otherwise (also for "
        "an unsigned PDF); 2 when the file is not a readable PDF."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Path of the PDF file.")
        parser.add_argument(
            "--trust-root",
            action="append",
            default=[],
            metavar="CA.pem",
            help="An extra trusted root certificate (PEM or DER) for this run; repeatable.",
        )
        parser.add_argument("--json", action="store_true", help="Print the JSON report.")
        parser.add_argument(
            "--etsi-xml",
            metavar="OUT.xml",
            help="Also write the ETSI TS 119 102-2 XML report to this file.",
        )

    def handle(self, *args, **options) -> None:
        extra_roots = []
        for name in options["trust_root"]:
            try:
                extra_roots.extend(certificates_load(Path(name).read_bytes()))
            except OSError as exc:
                raise CommandError(
                    f"Cannot read trust root {name}: {exc.strerror or exc}", returncode=2
                )
            except ValueError:
                raise CommandError(f"{name} is not a PEM or DER certificate.", returncode=2)

        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as exc:
            error = PdfUnreadable("missing", exc.strerror or str(exc))
            self._fail(path, b"", error, options)
            return
        try:
            verification = pdf_verify(content, extra_roots=extra_roots)
        except PdfUnreadable as error:
            self._fail(path, content, error, options)
            return

        if options["etsi_xml"] and verification.etsi_xml:
            Path(options["etsi_xml"]).write_text(verification.etsi_xml, encoding="utf-8")
        if options["json"]:
            self.stdout.write(json.dumps(verification.report, ensure_ascii=False, indent=2))
        else:
            self._print_human(path, verification.report)
        if not verification.ok:
            sys.exit(EXIT_NOT_VALID)

    def _fail(self, path: Path, content: bytes, error: PdfUnreadable, options) -> None:
        if options["json"]:
            self.stdout.write(
                json.dumps(unreadable_report(content, error), ensure_ascii=False, indent=2)
            )
        self.stderr.write(f"{path}: {error.message}")
        sys.exit(EXIT_UNREADABLE)

    def _print_human(self, path: Path, report: dict[str, Any]) -> None:
        write = self.stdout.write
        write(_("File") + f": {path}")
        write(f"SHA-256: {report['file']['sha256']}")
        if not report["trust_roots"]:
            write(_("Warning: no trust root is configured; no signature can be trusted."))
        if not report["signatures"]:
            write(_("The PDF has no digital signature."))
            return
        verdict = report_verdict(report)
        for entry, signature in zip(report["signatures"], verdict.signatures, strict=True):
            write("")
            kind = _("certification") if entry["kind"] == "certification" else _("approval")
            write(
                _("Signature %(index)d: field “%(field)s” (%(kind)s)")
                % {"index": entry["index"], "field": entry["field"], "kind": kind}
            )
            if entry["signer"]:
                write(f"  {_('Signer')}: {entry['signer']['subject']}")
            if entry["chain"]:
                names = [
                    c["subject"] + (f" [{_('trust root')}]" if c["is_trust_root"] else "")
                    for c in entry["chain"]
                ]
                write(f"  {_('Certificate chain')}: " + " → ".join(names))
            if entry["signing_time"]:
                write(f"  {_('Signing time (claimed)')}: {entry['signing_time']}")
            timestamp = entry["timestamp"]
            if timestamp:
                write(
                    "  "
                    + _("Timestamp")
                    + f": {timestamp['time'] or '—'} — {timestamp['tsa'] or '—'}"
                    f" ({_('trusted')}: {_yes_no(timestamp['trusted'])})"
                )
            intact, trusted = _("Intact"), _("Trusted")
            write(
                f"  {intact}: {_yes_no(entry['intact'])} · {_('Valid')}: "
                f"{_yes_no(entry['valid'])} · {trusted}: {_yes_no(entry['trusted'])} · "
                f"{_('Revoked')}: {_yes_no(entry['revoked'])}"
            )
            level = entry["modification_level"]
            write(
                f"  {_('Coverage')}: {entry['coverage']} · {_('Changes after signing')}: "
                f"{level or '—'} ({signature.changes_text})"
            )
            if entry["docmdp_permission"]:
                write(f"  DocMDP: {entry['docmdp_permission']}")
            ltv = entry["ltv"]
            write(
                f"  PAdES: {entry['pades_level'] or '—'} · LTV: "
                f"{_('validation data embedded')}: {_yes_no(ltv['validation_info_embedded'])}"
            )
            write(
                f"  ETSI: {entry['ades']['indication']} / {entry['ades']['subindication']}"
                f" ({entry['ades']['process']})"
            )
            write(f"  ⇒ {signature.summary}")
        write("")
        write(f"{_('Result')}: {verdict.summary}")
