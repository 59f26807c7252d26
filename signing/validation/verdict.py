"""The verdict on a verification report, recomputed from its facts: what changed after each
signature, its problems, whether it is ok, and the sentences a user reads (active language)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from signing.validation.reading import PdfUnreadable

ALLOWED_LEVELS = ("NONE", "LTA_UPDATES", "FORM_FILLING", "ANNOTATIONS")


def changes_after_signing(entry: dict[str, Any]) -> str:
    """What happened to the file after this signature, read from the report's facts:
    "NONE" (the file is exactly as signed), "LTA_UPDATES", "FORM_FILLING", "ANNOTATIONS"
    (allowed later revisions), "OTHER" (changes the signature does not allow), "APPENDED"
    (bytes after the signed revision that change nothing pyHanko can see, e.g. data written
    after the file's end) or "UNKNOWN" (changed, but the changes could not be assessed)."""
    level = entry.get("modification_level")
    if level == "OTHER" or entry.get("modifications_allowed") is False:
        return "OTHER"
    if not entry.get("modified_after_signing"):
        return "NONE"
    if level in ("LTA_UPDATES", "FORM_FILLING", "ANNOTATIONS"):
        return level
    return "APPENDED" if level == "NONE" else "UNKNOWN"


def signature_problems(entry: dict[str, Any]) -> list[str]:
    """The problem codes of one signature entry, from its facts."""
    problems = []
    if not entry["intact"]:
        problems.append("not_intact")
    if not entry["valid"]:
        problems.append("invalid")
    if entry["revoked"]:
        problems.append("revoked")
    elif not entry["trusted"]:
        problems.append("untrusted")
    timestamp = entry["timestamp"]
    if timestamp and not (timestamp["intact"] and timestamp["valid"] and timestamp["trusted"]):
        problems.append("timestamp")
    if changes_after_signing(entry) not in ALLOWED_LEVELS:
        problems.append("modified")
    return problems


def trust_problem_text(code: str | None) -> str:
    """A plain description of an ETSI sub-indication (translated)."""
    texts = {
        "NO_CERTIFICATE_CHAIN_FOUND": _("the certificate does not chain up to a trusted root"),
        "CHAIN_CONSTRAINTS_FAILURE": _("the certificate is not allowed to sign documents"),
        "OUT_OF_BOUNDS_NO_POE": _("the certificate had expired or was not yet valid"),
        "EXPIRED": _("the certificate had expired"),
        "NOT_YET_VALID": _("the certificate was not yet valid"),
        "CERTIFICATE_CHAIN_GENERAL_FAILURE": _(
            "the certificate chain could not be validated (e.g. revocation status unavailable)"
        ),
        "TRY_LATER": _("revocation status is not available yet; try again later"),
        "CRYPTO_CONSTRAINTS_FAILURE": _("the algorithms used are no longer considered secure"),
        "CRYPTO_CONSTRAINTS_FAILURE_NO_POE": _(
            "the algorithms used are no longer considered secure"
        ),
        "SIG_CONSTRAINTS_FAILURE": _("the signature does not meet the validation constraints"),
    }
    if not code:
        return _("the certificate could not be validated")
    return texts.get(code, _("the certificate could not be validated (%(code)s)") % {"code": code})


def modification_text(level: str | None) -> str:
    """What happened to the file after a signature (a code of `changes_after_signing`),
    translated."""
    return {
        "NONE": _("no changes after signing"),
        "LTA_UPDATES": _("only validation data (LTV) was added after signing"),
        "FORM_FILLING": _("only form filling after signing"),
        "ANNOTATIONS": _("only form filling and annotations after signing"),
        "OTHER": _("THE DOCUMENT WAS MODIFIED AFTER SIGNING"),
        "APPENDED": _("data was appended to the file after signing, outside the signed content"),
    }.get(level or "", _("changes after signing could not be assessed"))


@dataclass(frozen=True)
class SignatureVerdict:
    """What the report's facts say about one signature, in the active language."""

    ok: bool
    problems: tuple[str, ...]
    changes: str  # a code of changes_after_signing
    changes_text: str
    summary: str


@dataclass(frozen=True)
class ReportVerdict:
    """What the report's facts say about the whole file, in the active language."""

    ok: bool
    summary: str
    signatures: tuple[SignatureVerdict, ...]


def signature_verdict(entry: dict[str, Any]) -> SignatureVerdict:
    """The verdict on one signature entry of a report, recomputed from its facts (never from
    the verdicts stored with it): problems, ok, the changes after signing and the summary."""
    changes = changes_after_signing(entry)
    problems = tuple(signature_problems(entry))
    return SignatureVerdict(
        ok=not problems,
        problems=problems,
        changes=changes,
        changes_text=str(modification_text(changes)),
        summary=_signature_sentence(entry, problems, changes),
    )


def _signature_sentence(entry: dict[str, Any], problems: tuple[str, ...], changes: str) -> str:
    if "not_intact" in problems:
        return _("Not intact: the signed content was changed after signing.")
    if "invalid" in problems:
        return _("Invalid: the cryptographic signature does not match.")
    modified = "modified" in problems
    parts: list[str] = []
    if modified:
        parts.append(_("THE DOCUMENT WAS MODIFIED AFTER SIGNING"))
        if changes != "OTHER":
            parts.append(modification_text(changes))
    if entry["revoked"]:
        parts.append(_("invalid: the signer's certificate has been revoked"))
    elif not entry["trusted"]:
        parts.append(
            _("not trusted: %(reason)s")
            % {"reason": trust_problem_text(entry.get("trust_problem"))}
        )
    elif modified:
        parts.append(_("the signature itself is valid and trusted"))
    else:
        parts.append(_("valid and trusted"))
    if "timestamp" in problems:
        parts.append(_("the timestamp could not be validated"))
    if not modified:
        parts.append(modification_text(changes))
    text = "; ".join(str(part) for part in parts)
    return text[:1].upper() + text[1:]


LEVEL_ORDER = {"NONE": 0, "LTA_UPDATES": 1, "FORM_FILLING": 2, "ANNOTATIONS": 3}


def report_verdict(report: dict[str, Any]) -> ReportVerdict:
    """The verdict on a whole report, recomputed from its facts: the one function every
    summary, badge and "ok" shown to a user comes from (the /verify/ page, the document's
    "Chữ ký số" panel, the citizen portal's result check, `verify_pdf`)."""
    if report.get("error"):
        error = report["error"]
        unreadable = PdfUnreadable(str(error.get("code") or "damaged"), error.get("detail") or "")
        return ReportVerdict(ok=False, summary=unreadable.message, signatures=())
    entries = report.get("signatures") or []
    verdicts = tuple(signature_verdict(entry) for entry in entries)
    return ReportVerdict(
        ok=bool(verdicts) and all(v.ok for v in verdicts),
        summary=_report_sentence(entries, verdicts),
        signatures=verdicts,
    )


def _report_sentence(entries: list[dict[str, Any]], verdicts: tuple[SignatureVerdict, ...]) -> str:
    if not entries:
        return _("The PDF has no digital signature.")
    modified = [
        (entry, verdict)
        for entry, verdict in zip(entries, verdicts, strict=True)
        if "modified" in verdict.problems
    ]
    if modified:
        entry, verdict = modified[0]
        if verdict.changes == "OTHER":
            return _(
                "THE DOCUMENT WAS MODIFIED AFTER SIGNING: the changes after signature "
                "“%(field)s” are not allowed."
            ) % {"field": entry["field"]}
        return _(
            "THE DOCUMENT WAS MODIFIED AFTER SIGNING (signature “%(field)s”): %(changes)s."
        ) % {
            "field": entry["field"],
            "changes": verdict.changes_text,
        }
    bad = [verdict for verdict in verdicts if not verdict.ok]
    if not bad:
        level = max((v.changes for v in verdicts), key=lambda value: LEVEL_ORDER.get(value, 0))
        if len(entries) == 1:
            return _("Valid and trusted; %(changes)s") % {"changes": modification_text(level)}
        return _("All %(count)d signatures valid and trusted; %(changes)s") % {
            "count": len(entries),
            "changes": modification_text(level),
        }
    if len(entries) == 1:
        return bad[0].summary
    return _("%(bad)d of %(count)d signatures have problems: %(detail)s") % {
        "bad": len(bad),
        "count": len(entries),
        "detail": bad[0].summary,
    }


def signature_summary(entry: dict[str, Any]) -> str:
    """One sentence on one signature, in the active language."""
    return signature_verdict(entry).summary


def document_summary(report: dict[str, Any]) -> str:
    """One sentence on the whole file, in the active language."""
    return report_verdict(report).summary
