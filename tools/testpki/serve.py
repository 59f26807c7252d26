"""Run the eDoc test PKI by hand: TSA, OCSP and CRLs on loopback, certificates on disk.

    .venv/bin/python tools/testpki/serve.py [--port 8765] [--dir var/testpki]

Keys are kept in DIR/keys between runs, so the root certificate (DIR/certs/root.cert.pem)
stays the same and can be uploaded once as a trust root in /admin/. Every signer's
certificate, key and PKCS#12 file (passphrase "edoc-test") is written to DIR/certs.
Certificates embed the port, so keep using the same --port. Test material only.
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tools.testpki.pki import PKCS12_PASSPHRASE, start_test_pki  # noqa: E402


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--dir", type=Path, default=REPO / "var" / "testpki")
    args = parser.parse_args(argv)

    pki = start_test_pki(args.dir.resolve(), port=args.port, host=args.host)
    certs = pki.directory / "certs"
    print(f"eDoc test PKI at {pki.base_url}", flush=True)
    print(f"  TSA (RFC 3161):   {pki.tsa_url}")
    print(f"  OCSP:             {pki.ocsp_url}")
    for name, url in pki.crl_urls.items():
        print(f"  CRL {name + ':':13} {url}")
    print(f"  trust root:       {pki.root_pem_path}")
    print(f"  untrusted root:   {pki.untrusted_root_pem_path}")
    print(f"  signers (PKCS#12, passphrase {PKCS12_PASSPHRASE!r}):")
    for name, material in pki.signers.items():
        print(f"    {name:13} {material.pkcs12_path}  ({material.common_name})")
    print(f"  certificates and keys: {certs}")
    print("Ctrl+C (or SIGTERM) stops.", flush=True)
    signal.signal(signal.SIGTERM, _stop)
    try:
        pki.server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        pki.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
