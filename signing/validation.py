"""Verify the digital signatures of any PDF: a report per signature, as JSON and ETSI XML.

`pdf_verify(content, options)` reads the PDF with pyHanko, validates every signature with the
ETSI EN 319 102-1 processes of `pyhanko.sign.validation.ades` (basic validation for a
signature without timestamp, validation with time for B-T/B-LT, the long-term process when
document timestamps follow) against the given trust roots, and returns a `Verification`:
`report` (the JSON below), `etsi_xml` (ETSI TS 119 102-2, one SignatureValidationReport per
signature) and `ok`. It writes nothing. Revocation data embedded in the file (DSS, Adobe
revocation archival) is always used; OCSP/CRL are fetched online only when
`options.fetch_revocation` is set, and only for certificates on a path to a trust root
(certificates are never fetched from URLs found in the file: the chain must be embedded).

JSON report (schema "edoc.signature-verification/1"; keys are stable, values in English
codes except the Vietnamese summaries):

    schema            "edoc.signature-verification/1"
    verified_at       ISO 8601 time of the verification
    file              {"sha256", "size"}
    ok                true when there is at least one signature and every signature is ok
    signature_count   number of signatures (document timestamps not counted)
    summary           plain Vietnamese summary of the whole file; summary_en the same in English
    certification     {"field", "permission"} of the certification signature (DocMDP) or null
    trust_roots       [{"subject", "sha256"}] the roots this verification trusted
    fetch_revocation  whether OCSP/CRL could be fetched online
    document_timestamps  [{"field", "time", "tsa", "intact", "valid", "trusted"}]
    signatures        one object per signature, in file order:
      index           1, 2, …
      field           signature field name
      kind            "approval" | "certification"
      subfilter       e.g. "ETSI.CAdES.detached"
      signer          {"subject", "common_name", "organization", "issuer", "serial",
                       "sha256", "not_before", "not_after", "key_usage"}; subject and issuer
                      are RFC 4514 names ("CN=…, O=…, C=VN"), serial in hex, sha256 of the DER
      chain           certificates from the signer up to the trust root (or as far as the
                      file's certificates go): [{"subject", "issuer", "sha256", "not_before",
                      "not_after", "is_trust_root"}]
      signing_time    time claimed by the signer (not proof), or null
      timestamp       {"time", "tsa", "intact", "valid", "trusted"} of the RFC 3161 signature
                      timestamp, or null
      intact          the signed bytes are unchanged (digest matches)
      valid           the cryptographic signature is correct
      trusted         the certificate chains to a trust root, is valid, allowed to sign and
                      not revoked
      revoked         the signer's (or a CA's) certificate is revoked
      revocation      {"date", "reason"} when revoked, else null
      trust_problem   ETSI sub-indication of the trust failure (e.g.
                      "NO_CERTIFICATE_CHAIN_FOUND"), or null
      coverage        "ENTIRE_FILE" | "ENTIRE_REVISION" | "CONTIGUOUS_BLOCK_FROM_START" | "UNCLEAR"
      modified_after_signing  the file has revisions after this signature
      modification_level  "NONE" | "LTA_UPDATES" | "FORM_FILLING" | "ANNOTATIONS" | "OTHER" | null
      modifications_allowed  the later changes are allowed by the DocMDP policy (null: unknown)
      modification_note  why later changes were judged suspicious, or null
      docmdp_permission  "NO_CHANGES" | "FILL_FORMS" | "ANNOTATE" of a certification signature
      ltv             {"validation_info_embedded", "validatable_offline"}
      pades_level     "B-B" | "B-T" | "B-LT" | "B-LTA" (a guess from what the file contains)
      ades            {"indication": "TOTAL_PASSED" | "TOTAL_FAILED" | "INDETERMINATE",
                       "subindication", "process": "Basic" | "LTVM" | "LTA"}
      ok              intact, valid, trusted, timestamp (if any) good and only allowed changes
      problems        codes of what is wrong: "not_intact", "invalid", "revoked",
                      "untrusted", "timestamp", "modified"
      summary         plain Vietnamese summary of this signature; summary_en in English
    error             null, or {"code", "message"} when the signatures could not be read
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import hashlib
import io
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from edoc.pdfcheck import pdf_has_trailer, pdf_signature_count

logger = logging.getLogger(__name__)

SCHEMA = "edoc.signature-verification/1"
SIGNING_KEY_USAGES = frozenset({"digital_signature", "non_repudiation"})
ALLOWED_LEVELS = ("NONE", "LTA_UPDATES", "FORM_FILLING", "ANNOTATIONS")
ETSI_NAMESPACE = "http://uri.etsi.org/19102/v1.2.1#"


class PdfUnreadable(Exception):
    """The bytes are not a PDF pyHanko can read: `code` is "missing", "empty", "not_pdf",
    "too_large", "encrypted", "damaged" or "integrity" (a stored file that fails its SHA-256
    check); `message` is the explanation in the active language."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail

    @property
    def message(self) -> str:
        texts = {
            "missing": _("The file does not exist or cannot be opened."),
            "empty": _("The file is empty."),
            "not_pdf": _("The file is not a PDF document."),
            "encrypted": _(
                "The PDF is encrypted or password-protected; upload an unprotected copy."
            ),
            "too_large": _("The file is too large."),
            "integrity": _("The stored file no longer matches the SHA-256 recorded at upload."),
        }
        if self.code in texts:
            return texts[self.code]
        return _("The PDF is damaged and cannot be read (%(error)s).") % {
            "error": self.detail or self.code
        }


@dataclass(frozen=True)
class VerificationOptions:
    """What to trust and whether to go online."""

    trust_roots: tuple[x509.Certificate, ...] = ()
    fetch_revocation: bool = True


@dataclass
class Verification:
    """The result of one verification run."""

    report: dict[str, Any]
    etsi_xml: str = ""
    signatures: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.report.get("ok"))

    @property
    def signature_count(self) -> int:
        return int(self.report.get("signature_count", 0))

    @property
    def summary(self) -> str:
        return str(self.report.get("summary", ""))


def verification_options(extra_roots: Iterable[x509.Certificate] = ()) -> VerificationOptions:
    """Options from the admin-managed trust roots and signing settings (+ `extra_roots`)."""
    from signing.selectors import signing_settings_get, trust_root_certificates

    settings_row = signing_settings_get()
    return VerificationOptions(
        trust_roots=tuple(trust_root_certificates(extra_roots)),
        fetch_revocation=settings_row.fetch_revocation,
    )


# --------------------------------------------------------------------------- reading


def _open_reader(content: bytes):
    """A pyHanko reader on the bytes; PdfUnreadable with a clear message otherwise."""
    from pyhanko.pdf_utils import crypt
    from pyhanko.pdf_utils.reader import PdfFileReader

    if not content:
        raise PdfUnreadable("empty")
    if b"%PDF-" not in content[:1024]:
        raise PdfUnreadable("not_pdf")
    if not pdf_has_trailer(content):  # pyHanko would search for it for seconds, then fail
        raise PdfUnreadable("damaged", "no end-of-file marker at its end")
    try:
        reader = PdfFileReader(io.BytesIO(content), strict=False)
        handler = reader.security_handler
        if handler is not None and (
            not isinstance(handler, crypt.StandardSecurityHandler)
            or reader.decrypt("").status == crypt.AuthStatus.FAILED
        ):
            raise PdfUnreadable("encrypted")
        reader.root  # noqa: B018 (forces the catalogue to be read)
        reader.embedded_signatures  # noqa: B018 (and the signature fields)
    except PdfUnreadable:
        raise
    except Exception as exc:  # pyHanko raises many kinds on damaged files
        raise PdfUnreadable("damaged", type(exc).__name__) from exc
    return reader


# --------------------------------------------------------------------------- helpers


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_default_timezone())
    return value.isoformat()


DN_LABELS = {
    "common_name": "CN",
    "surname": "SN",
    "given_name": "GN",
    "serial_number": "SERIALNUMBER",
    "title": "T",
    "organizational_unit_name": "OU",
    "organization_name": "O",
    "organization_identifier": "organizationIdentifier",
    "locality_name": "L",
    "state_or_province_name": "ST",
    "country_name": "C",
    "email_address": "E",
    "user_id": "UID",
    "domain_component": "DC",
}


def distinguished_name(name: x509.Name) -> str:
    """A name as RFC 4514 reads it, most specific first: "CN=Trần Văn Hùng, O=…, C=VN"."""
    parts = []
    for rdn in reversed(list(name.chosen)):
        for attribute in rdn:
            key = attribute["type"].native
            label = DN_LABELS.get(key, key)  # unknown types show their OID
            value = attribute["value"].native
            value = str(value).replace("\\", "\\\\").replace(",", "\\,")
            parts.append(f"{label}={value}")
    return ", ".join(parts)


def _name_part(name: x509.Name, key: str) -> str:
    value = name.native.get(key)
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    return str(value) if value else ""


def _cert_summary(cert: x509.Certificate) -> dict[str, Any]:
    validity = cert["tbs_certificate"]["validity"]
    return {
        "subject": distinguished_name(cert.subject),
        "issuer": distinguished_name(cert.issuer),
        "sha256": cert.sha256.hex(),
        "not_before": _iso(validity["not_before"].native),
        "not_after": _iso(validity["not_after"].native),
    }


def _signer_summary(cert: x509.Certificate) -> dict[str, Any]:
    summary = _cert_summary(cert)
    key_usage = cert.key_usage_value
    summary.update(
        {
            "common_name": _name_part(cert.subject, "common_name"),
            "organization": _name_part(cert.subject, "organization_name"),
            "serial": format(cert.serial_number, "x"),
            "key_usage": sorted(key_usage.native) if key_usage is not None else [],
        }
    )
    return summary


def _chain_from_certs(
    leaf: x509.Certificate, pool: Iterable[x509.Certificate], roots: Iterable[x509.Certificate]
) -> list[x509.Certificate]:
    """Walk issuer links from the leaf through the embedded certificates (and trust roots)."""
    candidates = {c.sha256: c for c in [*pool, *roots]}
    chain = [leaf]
    current = leaf
    for _step in range(10):
        if current.self_signed in ("yes", "maybe") and current.issuer == current.subject:
            break
        issuer = next(
            (
                c
                for c in candidates.values()
                if c.subject == current.issuer and c.sha256 not in {x.sha256 for x in chain}
            ),
            None,
        )
        if issuer is None:
            break
        chain.append(issuer)
        current = issuer
    return chain


def _chain_report(
    status, embedded_sig, roots: tuple[x509.Certificate, ...]
) -> list[dict[str, Any]]:
    root_hashes = {r.sha256 for r in roots}
    path = getattr(status, "validation_path", None) if status is not None else None
    if path is not None:
        certs = list(path.iter_certs(include_root=True))
        certs.reverse()  # leaf first
    else:
        certs = _chain_from_certs(embedded_sig.signer_cert, embedded_sig.other_embedded_certs, ())
    return [{**_cert_summary(c), "is_trust_root": c.sha256 in root_hashes} for c in certs]


def _timestamp_report(ts_status) -> dict[str, Any] | None:
    if ts_status is None:
        return None
    return {
        "time": _iso(ts_status.timestamp),
        "tsa": distinguished_name(ts_status.signing_cert.subject),
        "intact": bool(ts_status.intact),
        "valid": bool(ts_status.valid),
        "trusted": bool(ts_status.trusted),
    }


def _has_signature_timestamp(embedded_sig) -> bool:
    unsigned = embedded_sig.signer_info["unsigned_attrs"]
    if not unsigned:
        return False
    return any(attr["type"].native == "signature_time_stamp_token" for attr in unsigned)


def _embedded_validation_data(reader, embedded_sig) -> tuple[Any, bool]:
    """LocalKnowledge from the DSS and the Adobe archival attribute; whether any revocation
    data relevant to this signer is embedded."""
    from pyhanko.pdf_utils.generic import DecodePurpose
    from pyhanko.sign.general import NonexistentAttributeError, find_unique_cms_attribute
    from pyhanko.sign.validation.dss import DocumentSecurityStore, NoDSSFoundError
    from pyhanko.sign.validation.policy_decl import LocalKnowledge
    from pyhanko_certvalidator.revinfo.archival import CRLContainer, OCSPContainer

    ocsps: list[OCSPContainer] = []
    crls: list[CRLContainer] = []
    certs: list[x509.Certificate] = []
    try:
        dss = DocumentSecurityStore.read_dss(reader)
        for ref in dss.ocsps:
            data = ref.get_object().read_data(DecodePurpose.OCSP_RESPONSE)
            ocsps.extend(OCSPContainer.load_multi(asn1_ocsp.OCSPResponse.load(data)))
        for ref in dss.crls:
            data = ref.get_object().read_data(DecodePurpose.CRL)
            crls.append(CRLContainer(crl_data=asn1_crl.CertificateList.load(data)))
        certs = list(dss.load_certs())
    except NoDSSFoundError:
        pass
    except Exception:  # a damaged DSS must not stop the verification
        logger.warning("unreadable DSS", exc_info=True)
    try:
        archival = find_unique_cms_attribute(
            embedded_sig.signer_info["signed_attrs"], "adobe_revocation_info_archival"
        )
        crls.extend(CRLContainer(item) for item in archival["crl"] or ())
        ocsps.extend(OCSPContainer(item) for item in archival["ocsp"] or ())
    except (NonexistentAttributeError, ValueError, KeyError, TypeError):
        pass

    signer = embedded_sig.signer_cert
    relevant = any(crl.crl_data["tbs_cert_list"]["issuer"] == signer.issuer for crl in crls) or any(
        _ocsp_serial(o) == signer.serial_number for o in ocsps
    )
    return LocalKnowledge(known_ocsps=ocsps, known_crls=crls, known_certs=certs), relevant


def _ocsp_serial(container) -> int | None:
    try:
        return container.extract_single_response()["cert_id"]["serial_number"].native
    except (KeyError, IndexError, TypeError, AttributeError, ValueError):
        return None


def _validation_spec(roots: tuple[x509.Certificate, ...], fetch: bool, knowledge):
    from pyhanko.sign.validation import KeyUsageConstraints
    from pyhanko.sign.validation.policy_decl import (
        CertificateFetchingRule,
        RevinfoOnlineFetchingRule,
        RevocationInfoGatheringSpec,
        SignatureValidationSpec,
    )
    from pyhanko_certvalidator.context import CertValidationPolicySpec
    from pyhanko_certvalidator.policy_decl import REQUIRE_REVINFO, CertRevTrustPolicy
    from pyhanko_certvalidator.registry import SimpleTrustManager

    return SignatureValidationSpec(
        cert_validation_policy=CertValidationPolicySpec(
            trust_manager=SimpleTrustManager.build(trust_roots=list(roots)),
            revinfo_policy=CertRevTrustPolicy(REQUIRE_REVINFO),
        ),
        revinfo_gathering_policy=RevocationInfoGatheringSpec(
            online_fetching_rule=(
                RevinfoOnlineFetchingRule.ALWAYS_FETCH
                if fetch
                else RevinfoOnlineFetchingRule.LOCAL_ONLY
            ),
            certificate_fetching_rule=CertificateFetchingRule.NEVER_FETCH,
        ),
        local_knowledge=knowledge,
        key_usage_settings=KeyUsageConstraints(
            key_usage=set(SIGNING_KEY_USAGES), match_all_key_usages=False
        ),
    )


def _passed(result) -> bool:
    from pyhanko.sign.ades.report import AdESStatus

    return result is not None and result.ades_subindic.status == AdESStatus.PASSED


def _legacy_context(options: VerificationOptions, certs: Iterable[x509.Certificate]):
    """A pyhanko-certvalidator context for timestamps checked on their own: revocation is
    soft (checked when available), OCSP/CRL are fetched only if allowed, and certificates
    are never fetched from URLs found in the file (the registry has no fetcher)."""
    from pyhanko_certvalidator import ValidationContext
    from pyhanko_certvalidator.registry import CertificateRegistry

    return ValidationContext(
        trust_roots=list(options.trust_roots),
        allow_fetching=options.fetch_revocation,
        revocation_mode="soft-fail",
        certificate_registry=CertificateRegistry.build(list(certs), cert_fetcher=None),
    )


async def _timestamp_alone(embedded_sig, options: VerificationOptions):
    """The status of the signature's timestamp token on its own, or None if unreadable."""
    from pyhanko.sign.validation import generic_cms
    from pyhanko.sign.validation.status import TimestampSignatureStatus

    context = _legacy_context(options, embedded_sig.other_embedded_certs)
    try:
        for token in generic_cms.extract_tst_data_iter(embedded_sig.signer_info, signed=False):
            values = await generic_cms.validate_tst_signed_data(
                token, context, generic_cms.message_imprint_checker(embedded_sig.signer_info)
            )
            return TimestampSignatureStatus(**values)
    except Exception:
        logger.info("signature timestamp not evaluable", exc_info=True)
    return None


async def _validate_one(embedded_sig, doc_ts_revisions: list[int], options: VerificationOptions):
    """The AdES result of one signature (api_status inside) and its embedded-data facts."""
    from pyhanko.sign.validation.ades import (
        ades_basic_validation,
        ades_lta_validation,
        ades_with_time_validation,
    )
    from pyhanko.sign.validation.policy_decl import PdfSignatureValidationSpec
    from pyhanko.sign.validation.status import PdfSignatureStatus, StandardCMSSignatureStatus

    knowledge, revinfo_embedded = _embedded_validation_data(embedded_sig.reader, embedded_sig)
    roots = options.trust_roots
    spec = _validation_spec(roots, options.fetch_revocation, knowledge)
    raw_digest = embedded_sig.compute_digest()
    integrity = embedded_sig.summarise_integrity_info()
    has_ts = _has_signature_timestamp(embedded_sig)

    async def run(validation_spec):
        if has_ts:
            return await ades_with_time_validation(
                embedded_sig.signed_data,
                validation_spec,
                raw_digest=raw_digest,
                extra_status_kwargs=dict(integrity),
                status_cls=PdfSignatureStatus,
            )
        # pyHanko 0.38's basic validation always builds a StandardCMSSignatureStatus:
        # validate without the PDF facts, then lift the status to a PdfSignatureStatus.
        basic = await ades_basic_validation(
            embedded_sig.signed_data, validation_spec, raw_digest=raw_digest
        )
        status = basic.api_status
        if status is not None and not isinstance(status, PdfSignatureStatus):
            values = {
                f.name: getattr(status, f.name)
                for f in dataclasses.fields(StandardCMSSignatureStatus)
                if f.init
            }
            status = PdfSignatureStatus(**values, **integrity)
        return dataclasses.replace(basic, api_status=status)

    result = await run(spec)
    process = "LTVM" if has_ts else "Basic"
    later_doc_ts = any(rev > embedded_sig.signed_revision for rev in doc_ts_revisions)
    if later_doc_ts and roots:
        try:
            lta = await ades_lta_validation(
                embedded_sig, PdfSignatureValidationSpec(signature_validation_spec=spec)
            )
            if _passed(lta) or not _passed(result):
                result, process = lta, "LTA"
        except Exception:
            logger.warning("long-term validation failed to run", exc_info=True)

    if has_ts and result.api_status is not None and result.api_status.timestamp_validity is None:
        # The signer's chain failed before the timestamp was looked at: evaluate it alone.
        timestamp = await _timestamp_alone(embedded_sig, options)
        if timestamp is not None:
            result = dataclasses.replace(
                result,
                api_status=dataclasses.replace(result.api_status, timestamp_validity=timestamp),
            )

    offline = False
    if _passed(result) and not options.fetch_revocation:
        offline = True
    elif _passed(result) and revinfo_embedded:
        offline_result = await run(_validation_spec(roots, False, knowledge))
        offline = _passed(offline_result)
    return result, process, revinfo_embedded, offline, later_doc_ts, has_ts


# --------------------------------------------------------------------------- report


def _modification_note(status) -> str | None:
    from pyhanko.sign.diff_analysis import DiffResult

    diff = getattr(status, "diff_result", None)
    if diff is None or isinstance(diff, DiffResult):
        return None
    return str(diff)[:500] or type(diff).__name__


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


def _signature_problems(entry: dict[str, Any]) -> list[str]:
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
    problems = tuple(_signature_problems(entry))
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


def _judge(report: dict[str, Any]) -> None:
    """Fill the verdicts of the report (ok, problems) and its Vietnamese and English
    summaries, all from `report_verdict`."""
    for language, key in (("en", "summary_en"), ("vi", "summary")):
        with translation.override(language):
            verdict = report_verdict(report)
            for entry, signature in zip(report["signatures"], verdict.signatures, strict=True):
                entry["problems"], entry["ok"] = list(signature.problems), signature.ok
                entry[key] = signature.summary
            report["ok"], report[key] = verdict.ok, verdict.summary


def _signature_entry(
    index: int,
    embedded_sig,
    result,
    process: str,
    revinfo_embedded: bool,
    offline: bool,
    later_doc_ts: bool,
    has_ts: bool,
    roots: tuple[x509.Certificate, ...],
) -> dict[str, Any]:
    status = result.api_status
    docmdp = embedded_sig.docmdp_level
    level = status.modification_level.name if status.modification_level is not None else None
    revocation = None
    if status.revocation_details is not None:
        details = status.revocation_details
        revocation = {
            "date": _iso(details.revocation_date),
            "reason": details.revocation_reason.native,
            "ca_revoked": bool(details.ca_revoked),
        }
    trust_problem = status.trust_problem_indic
    ades_status = result.ades_subindic.status.name
    if has_ts:
        pades = "B-LTA" if later_doc_ts else ("B-LT" if revinfo_embedded else "B-T")
    else:
        pades = "B-B"
    entry: dict[str, Any] = {
        "index": index,
        "field": embedded_sig.field_name,
        "kind": "certification" if docmdp is not None else "approval",
        "subfilter": str(embedded_sig.sig_object.get("/SubFilter", ""))[1:],
        "signer": _signer_summary(embedded_sig.signer_cert),
        "chain": _chain_report(status, embedded_sig, roots),
        "signing_time": _iso(embedded_sig.self_reported_timestamp),
        "timestamp": _timestamp_report(status.timestamp_validity) if has_ts else None,
        "intact": bool(status.intact),
        "valid": bool(status.valid),
        "trusted": bool(status.trusted),
        "revoked": bool(status.revoked),
        "revocation": revocation,
        "trust_problem": trust_problem.name if trust_problem is not None else None,
        "coverage": status.coverage.name if status.coverage is not None else "UNCLEAR",
        "modified_after_signing": status.coverage is None or status.coverage.name != "ENTIRE_FILE",
        "modification_level": level,
        "modifications_allowed": status.docmdp_ok,
        "modification_note": _modification_note(status),
        "docmdp_permission": docmdp.name if docmdp is not None else None,
        "ltv": {"validation_info_embedded": revinfo_embedded, "validatable_offline": offline},
        "pades_level": pades,
        "ades": {
            "indication": {"PASSED": "TOTAL_PASSED", "FAILED": "TOTAL_FAILED"}.get(
                ades_status, ades_status
            ),
            "subindication": result.ades_subindic.name,
            "process": process,
        },
    }
    if has_ts and entry["timestamp"] is None:
        entry["timestamp"] = {
            "time": None,
            "tsa": "",
            "intact": False,
            "valid": False,
            "trusted": False,
        }
    entry["problems"] = _signature_problems(entry)
    entry["ok"] = not entry["problems"]
    return entry


def _broken_signature_entry(index: int, embedded_sig, exc: Exception) -> dict[str, Any]:
    """A signature pyHanko could not evaluate at all: reported as not intact."""
    try:
        signer = _signer_summary(embedded_sig.signer_cert)
    except Exception:
        signer = None
    entry: dict[str, Any] = {
        "index": index,
        "field": getattr(embedded_sig, "field_name", ""),
        "kind": "approval",
        "subfilter": "",
        "signer": signer,
        "chain": [],
        "signing_time": None,
        "timestamp": None,
        "intact": False,
        "valid": False,
        "trusted": False,
        "revoked": False,
        "revocation": None,
        "trust_problem": None,
        "coverage": "UNCLEAR",
        "modified_after_signing": True,
        "modification_level": None,
        "modifications_allowed": None,
        "modification_note": f"{type(exc).__name__}: {exc}"[:500],
        "docmdp_permission": None,
        "ltv": {"validation_info_embedded": False, "validatable_offline": False},
        "pades_level": None,
        "ades": {"indication": "TOTAL_FAILED", "subindication": "FORMAT_FAILURE", "process": ""},
    }
    entry["problems"] = ["not_intact", "invalid"]
    entry["ok"] = False
    return entry


async def _document_timestamps(reader, options: VerificationOptions) -> list[dict[str, Any]]:
    from pyhanko.sign.validation import async_validate_pdf_timestamp

    found = []
    for embedded in reader.embedded_timestamp_signatures:
        entry: dict[str, Any] = {"field": embedded.field_name}
        try:
            context = _legacy_context(options, embedded.other_embedded_certs)
            status = await async_validate_pdf_timestamp(embedded, validation_context=context)
            entry.update(
                {
                    "time": _iso(status.timestamp),
                    "tsa": distinguished_name(status.signing_cert.subject),
                    "intact": bool(status.intact),
                    "valid": bool(status.valid),
                    "trusted": bool(status.trusted),
                }
            )
        except Exception as exc:
            logger.info("document timestamp not evaluable: %s", exc)
            entry.update(
                {"time": None, "tsa": "", "intact": False, "valid": False, "trusted": False}
            )
        found.append(entry)
    return found


async def _verify_all(reader, options: VerificationOptions):
    from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY

    doc_ts_revisions = [ts.signed_revision for ts in reader.embedded_timestamp_signatures]
    entries: list[dict[str, Any]] = []
    xml_parts: list[str] = []
    for index, embedded_sig in enumerate(reader.embedded_regular_signatures, start=1):
        try:
            embedded_sig.compute_integrity_info(diff_policy=DEFAULT_DIFF_POLICY)
            result, process, embedded, offline, later_ts, has_ts = await _validate_one(
                embedded_sig, doc_ts_revisions, options
            )
            entries.append(
                _signature_entry(
                    index,
                    embedded_sig,
                    result,
                    process,
                    embedded,
                    offline,
                    later_ts,
                    has_ts,
                    options.trust_roots,
                )
            )
        except Exception as exc:
            logger.info("signature %s not evaluable", index, exc_info=True)
            entries.append(_broken_signature_entry(index, embedded_sig, exc))
            continue
        xml = _etsi_xml_one(embedded_sig, result)
        if xml:
            xml_parts.append(xml)
    timestamps = await _document_timestamps(reader, options)
    return entries, xml_parts, timestamps


def _etsi_xml_one(embedded_sig, result) -> str:
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


def run_coroutine(coroutine):
    """Run a coroutine to completion from synchronous code. asyncio.run() refuses to run
    where an event loop is already running in this thread (an ASGI server, a Playwright
    session in tests): then the coroutine runs on its own loop in a worker thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def pdf_verify(
    content: bytes,
    options: VerificationOptions | None = None,
    *,
    extra_roots: Iterable[x509.Certificate] = (),
) -> Verification:
    """Verify every signature of a PDF. Raises PdfUnreadable for a file that is not a
    readable PDF; a PDF without signatures gives a report with signature_count 0.

    Without `options`, the admin-managed trust roots (plus `extra_roots`) and settings apply.
    """
    options = options or verification_options(extra_roots)
    if content[:1024].count(b"%PDF-") and pdf_signature_count(content) == 0:
        entries, xml_parts, timestamps = [], [], []  # nothing signed: pyHanko need not read it
    else:
        reader = _open_reader(content)
        entries, xml_parts, timestamps = run_coroutine(_verify_all(reader, options))
    certification = next(
        (
            {"field": e["field"], "permission": e["docmdp_permission"]}
            for e in entries
            if e["kind"] == "certification"
        ),
        None,
    )
    report: dict[str, Any] = {
        "schema": SCHEMA,
        "verified_at": timezone.now().isoformat(),
        "file": {"sha256": hashlib.sha256(content).hexdigest(), "size": len(content)},
        "ok": False,  # _judge
        "signature_count": len(entries),
        "summary": "",
        "summary_en": "",
        "certification": certification,
        "trust_roots": [
            {"subject": distinguished_name(r.subject), "sha256": r.sha256.hex()}
            for r in options.trust_roots
        ],
        "fetch_revocation": options.fetch_revocation,
        "document_timestamps": timestamps,
        "signatures": entries,
        "error": None,
    }
    _judge(report)
    return Verification(report=report, etsi_xml=etsi_xml_merge(xml_parts), signatures=entries)


def unreadable_report(content: bytes, error: PdfUnreadable) -> dict[str, Any]:
    """The JSON report of a file that could not be read as a PDF."""
    summaries = {}
    for language in ("vi", "en"):
        with translation.override(language):
            summaries[language] = error.message
    return {
        "schema": SCHEMA,
        "verified_at": timezone.now().isoformat(),
        "file": {"sha256": hashlib.sha256(content).hexdigest(), "size": len(content)},
        "ok": False,
        "signature_count": 0,
        "summary": summaries["vi"],
        "summary_en": summaries["en"],
        "certification": None,
        "trust_roots": [],
        "fetch_revocation": False,
        "document_timestamps": [],
        "signatures": [],
        "error": {"code": error.code, "message": summaries["en"], "detail": error.detail},
    }


__all__ = [
    "SCHEMA",
    "PdfUnreadable",
    "Verification",
    "VerificationOptions",
    "distinguished_name",
    "ReportVerdict",
    "SignatureVerdict",
    "changes_after_signing",
    "document_summary",
    "etsi_xml_merge",
    "modification_text",
    "pdf_verify",
    "report_verdict",
    "run_coroutine",
    "signature_summary",
    "signature_verdict",
    "trust_problem_text",
    "unreadable_report",
    "verification_options",
]
