"""A small remote signing service speaking the Cloud Signature Consortium API v1 subset that
eDoc's remote backend (pyHanko's CSCSigner) uses. Test and development tooling: keys come from
PKCS#12 files named in a JSON configuration; it serves on loopback.

    python -m tools.remote_signer --config signer.json [--host 127.0.0.1] [--port 0]

prints `LISTENING http://HOST:PORT` on its first line of output, then serves until stopped.

Configuration:

    {
      "token": "bearer token eDoc must present",
      "credentials": [
        {"id": "giamdoc-1", "user": "giamdoc", "pkcs12": "/path/giamdoc.p12",
         "passphrase": "…", "pin": "123456", "scal": 2}
      ]
    }

`user` is the eDoc username the credential belongs to; `pin`, when set, must be given to
`credentials/authorize`; with `scal` 2 the authorisation is pinned to the hashes it names.
The protocol is described in tools/remote_signer/README.md.
"""

from __future__ import annotations

import argparse
import base64
import json
import logging
import secrets
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils
from cryptography.hazmat.primitives.serialization import pkcs12

from tools.loopback import serve_until_interrupted

logger = logging.getLogger("remote_signer")

SAD_LIFETIME_SECONDS = 300
MAX_BODY = 256 * 1024

HASHES = {
    "2.16.840.1.101.3.4.2.1": hashes.SHA256(),
    "2.16.840.1.101.3.4.2.2": hashes.SHA384(),
    "2.16.840.1.101.3.4.2.3": hashes.SHA512(),
}
RSA_ALGOS = {
    "1.2.840.113549.1.1.1": None,  # rsaEncryption: the hash comes from hashAlgo
    "1.2.840.113549.1.1.11": "2.16.840.1.101.3.4.2.1",
    "1.2.840.113549.1.1.12": "2.16.840.1.101.3.4.2.2",
    "1.2.840.113549.1.1.13": "2.16.840.1.101.3.4.2.3",
}
EC_ALGOS = {
    "1.2.840.10045.4.3.2": "2.16.840.1.101.3.4.2.1",
    "1.2.840.10045.4.3.3": "2.16.840.1.101.3.4.2.2",
    "1.2.840.10045.4.3.4": "2.16.840.1.101.3.4.2.3",
}


class ApiError(Exception):
    def __init__(self, status: int, error: str, description: str):
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description


@dataclass
class Credential:
    id: str
    user: str
    key: Any
    certificates: list[bytes]  # DER, signer's first
    pin: str = ""
    scal: int = 1

    @property
    def algorithms(self) -> list[str]:
        return list(RSA_ALGOS if isinstance(self.key, rsa.RSAPrivateKey) else EC_ALGOS)

    @property
    def key_length(self) -> int:
        return self.key.key_size


@dataclass
class Authorisation:
    credential_id: str
    remaining: int
    hashes: set[str] | None
    expires_at: float


@dataclass
class SignerState:
    token: str
    credentials: dict[str, Credential]
    sads: dict[str, Authorisation] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def load_config(path: Path) -> SignerState:
    config = json.loads(path.read_text(encoding="utf-8"))
    credentials: dict[str, Credential] = {}
    for entry in config.get("credentials", []):
        key, cert, others = pkcs12.load_key_and_certificates(
            Path(entry["pkcs12"]).read_bytes(), entry.get("passphrase", "").encode() or None
        )
        if key is None or cert is None:
            raise ValueError(f"{entry['pkcs12']}: no key and certificate")
        ders = [cert.public_bytes(serialization.Encoding.DER)] + [
            other.public_bytes(serialization.Encoding.DER) for other in others
        ]
        credentials[entry["id"]] = Credential(
            id=entry["id"],
            user=entry["user"],
            key=key,
            certificates=ders,
            pin=str(entry.get("pin", "")),
            scal=int(entry.get("scal", 1)),
        )
    return SignerState(token=config.get("token", ""), credentials=credentials)


def _sign_digest(credential: Credential, digest: bytes, hash_oid: str, sign_oid: str) -> bytes:
    key = credential.key
    if isinstance(key, rsa.RSAPrivateKey):
        if sign_oid not in RSA_ALGOS:
            raise ApiError(400, "invalid_request", "Unsupported signAlgo for an RSA key")
        implied = RSA_ALGOS[sign_oid]
        if implied is not None and implied != hash_oid:
            raise ApiError(400, "invalid_request", "hashAlgo does not match signAlgo")
        algorithm = HASHES[hash_oid]
        return key.sign(digest, padding.PKCS1v15(), utils.Prehashed(algorithm))
    if isinstance(key, ec.EllipticCurvePrivateKey):
        if EC_ALGOS.get(sign_oid) != hash_oid:
            raise ApiError(400, "invalid_request", "Unsupported signAlgo for an EC key")
        return key.sign(digest, ec.ECDSA(utils.Prehashed(HASHES[hash_oid])))
    raise ApiError(400, "invalid_request", "Unsupported key type")


class Api:
    """The endpoints, as plain functions of (state, body)."""

    def __init__(self, state: SignerState):
        self.state = state

    def _credential(self, body: dict) -> Credential:
        credential = self.state.credentials.get(str(body.get("credentialID", "")))
        if credential is None:
            raise ApiError(400, "invalid_request", "Invalid parameter credentialID")
        return credential

    def info(self, body: dict) -> dict:
        return {
            "specs": "1.0.4.0",
            "name": "eDoc remote signer (test tooling)",
            "logo": "",
            "region": "VN",
            "lang": "vi-VN",
            "description": "Cloud Signature Consortium API subset for eDoc",
            "authType": ["external"],
            "methods": [
                "credentials/list",
                "credentials/info",
                "credentials/authorize",
                "signatures/signHash",
            ],
        }

    def credentials_list(self, body: dict) -> dict:
        user = str(body.get("userID", ""))
        ids = [c.id for c in self.state.credentials.values() if c.user == user]
        limit = int(body.get("maxResults") or len(ids) or 1)
        return {"credentialIDs": ids[:limit]}

    def credentials_info(self, body: dict) -> dict:
        credential = self._credential(body)
        wanted = body.get("certificates", "single")
        certs = credential.certificates if wanted == "chain" else credential.certificates[:1]
        if wanted == "none":
            certs = []
        return {
            "key": {
                "status": "enabled",
                "algo": credential.algorithms,
                "len": credential.key_length,
            },
            "cert": {
                "status": "valid",
                "certificates": [base64.b64encode(der).decode() for der in certs],
            },
            "authMode": "explicit",
            "PIN": {"presence": "true" if credential.pin else "false", "format": "N"},
            "SCAL": str(credential.scal),
            "multisign": 1 if credential.scal == 2 else 10,
        }

    def credentials_authorize(self, body: dict) -> dict:
        credential = self._credential(body)
        count = int(body.get("numSignatures") or 0)
        if count < 1:
            raise ApiError(400, "invalid_request", "numSignatures must be at least 1")
        if credential.pin and not secrets.compare_digest(
            str(body.get("PIN", "")).encode(), credential.pin.encode()
        ):
            logger.warning("authorize %s: wrong PIN", credential.id)
            raise ApiError(400, "invalid_pin", "The PIN is invalid")
        pinned = body.get("hash")
        if credential.scal == 2 and (not isinstance(pinned, list) or len(pinned) != count):
            raise ApiError(400, "invalid_request", "SCAL 2 requires the hashes to sign")
        sad = secrets.token_urlsafe(24)
        with self.state.lock:
            self.state.sads[sad] = Authorisation(
                credential_id=credential.id,
                remaining=count,
                hashes=set(pinned) if isinstance(pinned, list) else None,
                expires_at=time.monotonic() + SAD_LIFETIME_SECONDS,
            )
        return {"SAD": sad, "expiresIn": SAD_LIFETIME_SECONDS}

    def signatures_sign_hash(self, body: dict) -> dict:
        credential = self._credential(body)
        hashes_b64 = body.get("hash")
        if not isinstance(hashes_b64, list) or not hashes_b64:
            raise ApiError(400, "invalid_request", "Missing hash")
        hash_oid = str(body.get("hashAlgo", ""))
        sign_oid = str(body.get("signAlgo", ""))
        if hash_oid not in HASHES:
            raise ApiError(400, "invalid_request", "Unsupported hashAlgo")
        with self.state.lock:
            grant = self.state.sads.get(str(body.get("SAD", "")))
            if (
                grant is None
                or grant.credential_id != credential.id
                or grant.expires_at < time.monotonic()
                or grant.remaining < len(hashes_b64)
                or (grant.hashes is not None and not set(hashes_b64) <= grant.hashes)
            ):
                raise ApiError(400, "invalid_request", "Invalid or expired SAD")
            grant.remaining -= len(hashes_b64)
            if grant.remaining == 0:
                del self.state.sads[str(body["SAD"])]
        signatures = []
        for value in hashes_b64:
            digest = base64.b64decode(value)
            if len(digest) != HASHES[hash_oid].digest_size:
                raise ApiError(400, "invalid_request", "Hash length does not match hashAlgo")
            signatures.append(
                base64.b64encode(_sign_digest(credential, digest, hash_oid, sign_oid)).decode()
            )
        logger.info("signHash %s: %d signature(s)", credential.id, len(signatures))
        return {"signatures": signatures}

    ROUTES = {
        "/csc/v1/info": ("info", False),
        "/csc/v1/credentials/list": ("credentials_list", True),
        "/csc/v1/credentials/info": ("credentials_info", True),
        "/csc/v1/credentials/authorize": ("credentials_authorize", True),
        "/csc/v1/signatures/signHash": ("signatures_sign_hash", True),
    }


def make_handler(api: Api) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "eDocRemoteSigner/1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            logger.debug(format, *args)

        def _reply(self, status: int, payload: dict) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            route = Api.ROUTES.get(self.path.split("?", 1)[0])
            if route is None:
                self._reply(404, {"error": "not_found", "error_description": "Unknown endpoint"})
                return
            name, needs_token = route
            expected = f"Bearer {api.state.token}"
            if (
                needs_token
                and api.state.token
                and not secrets.compare_digest(
                    self.headers.get("Authorization", "").encode(), expected.encode()
                )
            ):
                self._reply(
                    401, {"error": "invalid_token", "error_description": "Bad access token"}
                )
                return
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self._reply(413, {"error": "invalid_request", "error_description": "Too large"})
                return
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
                if not isinstance(body, dict):
                    raise ValueError
                self._reply(200, getattr(api, name)(body))
            except ApiError as error:
                self._reply(
                    error.status, {"error": error.error, "error_description": error.description}
                )
            except (ValueError, KeyError, TypeError):
                self._reply(
                    400, {"error": "invalid_request", "error_description": "Malformed request"}
                )

    return Handler


def serve(config: Path, host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    """Bind the server (not started): call serve_forever() on the result."""
    state = load_config(config)
    server = ThreadingHTTPServer((host, port), make_handler(Api(state)))
    server.daemon_threads = True
    return server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        stream=sys.stderr,
        format="remote_signer: %(message)s",
    )
    server = serve(args.config, args.host, args.port)
    host, port = server.server_address[:2]
    print(f"LISTENING http://{host}:{port}", flush=True)
    serve_until_interrupted(server)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
