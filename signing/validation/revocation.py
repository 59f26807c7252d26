"""The revocation data a signed PDF carries itself (its DSS, the Adobe archival attribute)."""

from __future__ import annotations

import logging
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509

logger = logging.getLogger(__name__)


def embedded_validation_data(reader, embedded_sig) -> tuple[Any, bool]:
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
