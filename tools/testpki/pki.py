"""The eDoc test PKI: certomancer architectures from certomancer.yml, served over local HTTP.

`start_test_pki()` generates (or reuses) the keys, binds an HTTP server on 127.0.0.1 (an
ephemeral port unless one is given), builds the certificates with that server's address in
their OCSP/CRL/CA-issuer URLs, writes PEM/PKCS#12 files and serves TSA, OCSP and CRLs from a
background thread. Used by tests/signing/conftest.py and tools/testpki/serve.py.

Test material only: keys are unencrypted and passphrases are public.
"""

from __future__ import annotations

import collections
import logging
import socketserver
import threading
from dataclasses import dataclass, field
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from asn1crypto import pem, x509
from certomancer.integrations.animator import Animator, AnimatorArchStore
from certomancer.registry import (
    ArchLabel,
    CertLabel,
    CertomancerConfig,
    PKIArchitecture,
    ServiceLabel,
)
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

CONFIG_PATH = Path(__file__).with_name("certomancer.yml")
TRUSTED_ARCH = "edoc-test"
UNTRUSTED_ARCH = "untrusted"
PKCS12_PASSPHRASE = "edoc-test"  # noqa: S105 (public test passphrase)

#: Signer certificates by label: (architecture, certificate label).
SIGNERS: dict[str, tuple[str, str]] = {
    "director": (TRUSTED_ARCH, "director"),
    "head": (TRUSTED_ARCH, "head"),
    "specialist": (TRUSTED_ARCH, "specialist"),
    "org": (TRUSTED_ARCH, "org"),
    "revoked": (TRUSTED_ARCH, "revoked"),
    "expired": (TRUSTED_ARCH, "expired"),
    "no_key_usage": (TRUSTED_ARCH, "no-key-usage"),
    "untrusted": (UNTRUSTED_ARCH, "stranger"),
    # The demo's signers (seed_signing registers them to the demo accounts).
    "giamdoc": (TRUSTED_ARCH, "giamdoc"),
    "phogiamdoc": (TRUSTED_ARCH, "phogiamdoc"),
}
KEY_LABELS: dict[str, list[str]] = {
    TRUSTED_ARCH: [
        "root",
        "interm",
        "ocsp",
        "tsa",
        "director",
        "head",
        "specialist",
        "org",
        "revoked",
        "expired",
        "no-key-usage",
        "giamdoc",
        "phogiamdoc",
    ],
    UNTRUSTED_ARCH: ["other-root", "stranger"],
}

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SignerMaterial:
    """One signer's certificate, key and chain, as objects, PEM files and a PKCS#12 file."""

    label: str
    cert: x509.Certificate
    chain: list[x509.Certificate]  # issuing CAs, nearest first, root last
    cert_pem: bytes
    key_pem: bytes
    cert_path: Path
    key_path: Path
    pkcs12: bytes
    pkcs12_path: Path
    passphrase: str = PKCS12_PASSPHRASE

    @property
    def subject(self) -> str:
        return self.cert.subject.human_friendly

    @property
    def common_name(self) -> str:
        return self.cert.subject.native["common_name"]


@dataclass
class TestPki:
    """The generated PKI and the running server that answers for it."""

    base_url: str
    directory: Path
    trusted: PKIArchitecture
    untrusted: PKIArchitecture
    root_cert: x509.Certificate
    interm_cert: x509.Certificate
    tsa_cert: x509.Certificate
    untrusted_root_cert: x509.Certificate
    root_pem_path: Path
    untrusted_root_pem_path: Path
    signers: dict[str, SignerMaterial] = field(default_factory=dict)
    server: PkiServer | None = None

    __test__ = False  # not a pytest test class

    @property
    def tsa_url(self) -> str:
        return f"{self.base_url}/{TRUSTED_ARCH}/tsa/tsa"

    @property
    def ocsp_url(self) -> str:
        return f"{self.base_url}/{TRUSTED_ARCH}/ocsp/interm"

    @property
    def crl_urls(self) -> dict[str, str]:
        return {
            "root": f"{self.base_url}/{TRUSTED_ARCH}/crls/root/latest.crl",
            "interm": f"{self.base_url}/{TRUSTED_ARCH}/crls/interm/latest.crl",
            "other-root": f"{self.base_url}/{UNTRUSTED_ARCH}/crls/other-root/latest.crl",
        }

    @property
    def root_pem(self) -> bytes:
        return self.root_pem_path.read_bytes()

    @property
    def untrusted_root_pem(self) -> bytes:
        return self.untrusted_root_pem_path.read_bytes()

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None


class _ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 (stdlib signature)
        logger.debug("testpki: " + format, *args)


class PkiServer:
    """A threaded HTTP server on loopback; its WSGI application is attached after binding,
    so the certificates can embed the port it got."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, quiet: bool = True):
        self._app = None
        self.httpd = make_server(
            host,
            port,
            self._dispatch,
            server_class=_ThreadingWSGIServer,
            handler_class=_QuietHandler if quiet else WSGIRequestHandler,
        )
        self.host = host
        self.port = self.httpd.server_address[1]
        #: Paths requested so far (tests check what a verification fetched).
        self.requests: collections.deque[str] = collections.deque(maxlen=1000)
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def _dispatch(self, environ, start_response):
        self.requests.append(environ.get("PATH_INFO", ""))
        if self._app is None:
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"test PKI not ready"]
        return self._app(environ, start_response)

    def set_app(self, app) -> None:
        self._app = app

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, name="testpki-http", daemon=True
        )
        self._thread.start()

    def wait(self) -> None:
        """Block until the server thread ends (Ctrl+C interrupts)."""
        while self._thread is not None and self._thread.is_alive():
            self._thread.join(timeout=0.5)

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)


def ensure_keys(key_dir: Path, key_size: int = 2048) -> None:
    """Generate the RSA keys that are missing in key_dir (existing keys are kept)."""
    key_dir.mkdir(parents=True, exist_ok=True)
    for labels in KEY_LABELS.values():
        for label in labels:
            path = key_dir / f"{label}.key.pem"
            if path.exists():
                continue
            key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
            path.write_bytes(
                key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            )


def _pem_cert(cert: x509.Certificate) -> bytes:
    return pem.armor("CERTIFICATE", cert.dump())


def _material(arch: PKIArchitecture, name: str, label: str, out: Path) -> SignerMaterial:
    cert_label = CertLabel(label)
    cert = arch.get_cert(cert_label)
    chain = [arch.get_cert(c) for c in arch.get_chain(cert_label)]
    key_info = arch.key_set.get_private_key(arch.get_cert_spec(cert_label).subject_key)
    key_pem = pem.armor("PRIVATE KEY", key_info.dump())
    pkcs12 = arch.package_pkcs12(cert_label, password=PKCS12_PASSPHRASE.encode())
    cert_path = out / f"{name}.cert.pem"
    key_path = out / f"{name}.key.pem"
    pkcs12_path = out / f"{name}.p12"
    cert_path.write_bytes(_pem_cert(cert))
    key_path.write_bytes(key_pem)
    pkcs12_path.write_bytes(pkcs12)
    return SignerMaterial(
        label=name,
        cert=cert,
        chain=chain,
        cert_pem=_pem_cert(cert),
        key_pem=key_pem,
        cert_path=cert_path,
        key_path=key_path,
        pkcs12=pkcs12,
        pkcs12_path=pkcs12_path,
    )


def build_test_pki(directory: Path, base_url: str) -> TestPki:
    """Build both architectures with URLs under base_url; write PEM and PKCS#12 files."""
    key_dir = directory / "keys"
    out = directory / "certs"
    ensure_keys(key_dir)
    out.mkdir(parents=True, exist_ok=True)
    config = CertomancerConfig.from_file(
        str(CONFIG_PATH), key_search_dir=str(key_dir), external_url_prefix=base_url
    )
    trusted = config.get_pki_arch(ArchLabel(TRUSTED_ARCH))
    untrusted = config.get_pki_arch(ArchLabel(UNTRUSTED_ARCH))
    root = trusted.get_cert(CertLabel("root"))
    other_root = untrusted.get_cert(CertLabel("other-root"))
    pki = TestPki(
        base_url=base_url,
        directory=directory,
        trusted=trusted,
        untrusted=untrusted,
        root_cert=root,
        interm_cert=trusted.get_cert(CertLabel("interm")),
        tsa_cert=trusted.get_cert(CertLabel("tsa")),
        untrusted_root_cert=other_root,
        root_pem_path=out / "root.cert.pem",
        untrusted_root_pem_path=out / "untrusted-root.cert.pem",
    )
    pki.root_pem_path.write_bytes(_pem_cert(root))
    pki.untrusted_root_pem_path.write_bytes(_pem_cert(other_root))
    (out / "interm.cert.pem").write_bytes(_pem_cert(pki.interm_cert))
    (out / "tsa.cert.pem").write_bytes(_pem_cert(pki.tsa_cert))
    for name, (arch_label, cert_label) in SIGNERS.items():
        arch = trusted if arch_label == TRUSTED_ARCH else untrusted
        pki.signers[name] = _material(arch, name, cert_label, out)
    # Warm the services once, so the first request in a test does not pay for it.
    trusted.service_registry.get_tsa_info(ServiceLabel("tsa"))
    return pki


def start_test_pki(directory: Path, port: int = 0, host: str = "127.0.0.1") -> TestPki:
    """Bind the server, build the PKI for its address, then serve TSA/OCSP/CRL in a thread."""
    server = PkiServer(host=host, port=port)
    try:
        pki = build_test_pki(directory, server.base_url)
        server.set_app(
            Animator(
                AnimatorArchStore(
                    {ArchLabel(TRUSTED_ARCH): pki.trusted, ArchLabel(UNTRUSTED_ARCH): pki.untrusted}
                ),
                with_web_ui=True,
                allow_time_override=False,
            )
        )
    except BaseException:
        server.stop()
        raise
    server.start()
    pki.server = server
    return pki
