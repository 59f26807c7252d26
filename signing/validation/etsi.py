"""The ETSI TS 119 102-2 XML validation report (pyHanko writes one per signature)."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)

ETSI_NAMESPACE = "http://uri.etsi.org/19102/v1.2.1#"


def etsi_xml_one(embedded_sig, result) -> str:
    """The ETSI XML report of one signature, or "" when pyHanko cannot write it."""
    from pyhanko.sign.validation.report.tools import generate_report

    try:
        return generate_report(embedded_sig, result)
    except Exception:
        logger.warning("ETSI report could not be generated for one signature", exc_info=True)
        return ""


def etsi_xml_merge(parts: list[str]) -> str:
    """One ETSI TS 119 102-2 ValidationReport holding every signature's report and the union
    of their validation objects (pyHanko generates one report per signature)."""
    import xml.etree.ElementTree as ET  # noqa: S405 (only serialises; parsing below is defused)

    from defusedxml.ElementTree import fromstring

    if not parts:
        return ""
    if len(parts) == 1:
        return parts[0]
    ns = {"vr": ETSI_NAMESPACE}
    for prefix, uri in (
        ("vr", ETSI_NAMESPACE),
        ("XAdES", "http://uri.etsi.org/01903/v1.3.2#"),
        ("ds", "http://www.w3.org/2000/09/xmldsig#"),
        ("xs", "http://www.w3.org/2001/XMLSchema"),
    ):
        ET.register_namespace(prefix, uri)
    base = fromstring(parts[0].encode())
    objects = base.find("vr:SignatureValidationObjects", ns)
    seen = {vo.get("id") for vo in base.iterfind("vr:SignatureValidationObjects/*", ns)}
    last_report = base.findall("vr:SignatureValidationReport", ns)[-1]
    insert_at = list(base).index(last_report) + 1
    for part in parts[1:]:
        other = fromstring(part.encode())
        for report in other.findall("vr:SignatureValidationReport", ns):
            base.insert(insert_at, report)
            insert_at += 1
        for vo in other.iterfind("vr:SignatureValidationObjects/*", ns):
            if vo.get("id") in seen:
                continue
            seen.add(vo.get("id"))
            if objects is None:
                objects = ET.SubElement(base, f"{{{ETSI_NAMESPACE}}}SignatureValidationObjects")
            objects.append(vo)
    ET.indent(base, space="  ")
    body = ET.tostring(base, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
