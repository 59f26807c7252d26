"""The ETSI EN 319 102-1 validation processes of one signature (pyHanko's AdES validation):
basic, with time, long-term; what to trust, what to fetch, which key usages allow signing."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable

from asn1crypto import x509

from signing.validation.options import VerificationOptions
from signing.validation.revocation import embedded_validation_data

logger = logging.getLogger(__name__)

SIGNING_KEY_USAGES = frozenset({"digital_signature", "non_repudiation"})


def _has_signature_timestamp(embedded_sig) -> bool:
    unsigned = embedded_sig.signer_info["unsigned_attrs"]
    if not unsigned:
        return False
    return any(attr["type"].native == "signature_time_stamp_token" for attr in unsigned)


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


def legacy_context(options: VerificationOptions, certs: Iterable[x509.Certificate]):
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

    context = legacy_context(options, embedded_sig.other_embedded_certs)
    try:
        for token in generic_cms.extract_tst_data_iter(embedded_sig.signer_info, signed=False):
            values = await generic_cms.validate_tst_signed_data(
                token, context, generic_cms.message_imprint_checker(embedded_sig.signer_info)
            )
            return TimestampSignatureStatus(**values)
    except Exception:
        logger.info("signature timestamp not evaluable", exc_info=True)
    return None


async def validate_one(embedded_sig, doc_ts_revisions: list[int], options: VerificationOptions):
    """The AdES result of one signature (api_status inside) and its embedded-data facts."""
    from pyhanko.sign.validation.ades import (
        ades_basic_validation,
        ades_lta_validation,
        ades_with_time_validation,
    )
    from pyhanko.sign.validation.policy_decl import PdfSignatureValidationSpec
    from pyhanko.sign.validation.status import PdfSignatureStatus, StandardCMSSignatureStatus

    knowledge, revinfo_embedded = embedded_validation_data(embedded_sig.reader, embedded_sig)
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
