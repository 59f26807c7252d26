"""A demo relying party: signs in through eDoc's OpenID Connect provider and shows the ID
token's claims (authlib's OAuth 2.0 client with PKCE, joserfc for the ID token, wsgiref).

    python -m tools.oidc_demo_rp --issuer http://127.0.0.1:8000/o --client-id <id> \
        [--client-secret <secret>] [--port 8790] [--scope "openid profile email unit"]

Register it first in eDoc's /admin/ (README, "Signing in to other applications"): redirect URI
http://127.0.0.1:8790/callback, post-logout redirect URI http://127.0.0.1:8790/. Open
http://127.0.0.1:8790/ and press "Sign in with eDoc". Demo only: sessions live in memory.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import html
import json
import secrets
import time
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs, urlencode
from wsgiref.simple_server import WSGIRequestHandler, make_server

import requests
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

LEEWAY_SECONDS = 60


class LoginRefused(Exception):
    """The sign-in did not complete; `error` is the OAuth/OIDC error code."""

    def __init__(self, error: str, description: str = "") -> None:
        super().__init__(f"{error}: {description}" if description else error)
        self.error = error
        self.description = description


class RelyingParty:
    """One client of one OpenID provider: authorization URLs, callbacks, ID token checks."""

    def __init__(
        self,
        issuer: str,
        client_id: str,
        client_secret: str,
        redirect_uri: str,
        scope: str = "openid profile email",
        fetch_json: Any = None,
    ) -> None:
        self.issuer, self.client_id, self.client_secret = (
            issuer.rstrip("/"),
            client_id,
            client_secret,
        )
        self.redirect_uri, self.scope = redirect_uri, scope
        self.fetch_json = fetch_json or (lambda url: requests.get(url, timeout=10).json())
        self.metadata = self.fetch_json(f"{self.issuer}/.well-known/openid-configuration")
        if self.metadata.get("issuer") != self.issuer:  # OIDC Discovery §4.3
            raise LoginRefused("invalid_issuer", f"discovery names {self.metadata.get('issuer')!r}")
        self.pending: dict[str, tuple[str, str]] = {}  # state → (nonce, code verifier)

    def _session(self, state: str | None = None) -> OAuth2Session:
        return OAuth2Session(
            self.client_id,
            self.client_secret or None,
            scope=self.scope,
            redirect_uri=self.redirect_uri,
            state=state,
            code_challenge_method="S256",
            token_endpoint_auth_method="client_secret_basic" if self.client_secret else "none",
        )

    def authorization_url(self) -> str:
        """Where to send the browser; remembers its state, nonce and PKCE verifier."""
        state, nonce, verifier = (secrets.token_urlsafe(32) for _ in range(3))
        self.pending[state] = (nonce, verifier)
        url, _state = self._session().create_authorization_url(
            self.metadata["authorization_endpoint"],
            state=state,
            nonce=nonce,
            code_verifier=verifier,
        )
        return url

    def complete(self, callback_url: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """The callback: check `state`, exchange the code, validate the ID token; returns
        (claims, tokens). Raises LoginRefused with the standard error code otherwise."""
        params = {k: v[0] for k, v in parse_qs(callback_url.partition("?")[2]).items()}
        if "error" in params:
            raise LoginRefused(params["error"], params.get("error_description", ""))
        if params.get("iss", self.issuer) != self.issuer:  # RFC 9207: a mix-up of providers
            raise LoginRefused("invalid_issuer", "the response comes from another issuer")
        state = params.get("state", "")
        if state not in self.pending:  # RFC 6749 §10.12: not a request this client made
            raise LoginRefused("invalid_state", "unknown or reused state")
        nonce, verifier = self.pending.pop(state)
        try:
            tokens = self._session(state).fetch_token(
                self.metadata["token_endpoint"],
                authorization_response=callback_url,
                code_verifier=verifier,
            )
        except Exception as error:  # authlib's OAuthError carries the provider's error code
            raise LoginRefused(getattr(error, "error", "invalid_grant"), str(error)) from error
        return self.validate_id_token(tokens["id_token"], nonce, tokens.get("access_token")), tokens

    def validate_id_token(self, id_token: str, nonce: str, access_token: str | None = None) -> dict:
        """OpenID Connect Core §3.1.3.7: signature with the provider's JWKS (RS256), iss, aud,
        azp, exp, iat, nonce, at_hash. Raises LoginRefused("invalid_id_token", why)."""
        keys = KeySet.import_key_set(self.fetch_json(self.metadata["jwks_uri"]))
        try:
            token = jwt.decode(id_token, keys, algorithms=["RS256"])
            jwt.JWTClaimsRegistry(
                leeway=LEEWAY_SECONDS,
                iss={"essential": True, "value": self.issuer},
                aud={"essential": True, "value": self.client_id},
                sub={"essential": True},
                exp={"essential": True},
                iat={"essential": True},
                nonce={"essential": True, "value": nonce},
            ).validate(token.claims)
        except (JoseError, ValueError) as error:
            raise LoginRefused("invalid_id_token", f"{type(error).__name__}: {error}") from error
        claims = token.claims
        audience = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audience) > 1 and claims.get("azp") != self.client_id:
            raise LoginRefused("invalid_id_token", "azp is not this client")
        if claims["iat"] > time.time() + LEEWAY_SECONDS:
            raise LoginRefused("invalid_id_token", "issued in the future")
        if access_token is not None and claims.get("at_hash") != at_hash(access_token):
            raise LoginRefused("invalid_id_token", "at_hash does not match the access token")
        return claims

    def logout_url(self, id_token: str, post_logout_redirect_uri: str) -> str:
        """RP-initiated logout at the provider, back to `post_logout_redirect_uri`."""
        query = urlencode(
            {
                "id_token_hint": id_token,
                "client_id": self.client_id,
                "post_logout_redirect_uri": post_logout_redirect_uri,
            }
        )
        return f"{self.metadata['end_session_endpoint']}?{query}"


def at_hash(access_token: str) -> str:
    """The left half of the access token's SHA-256, base64url without padding (RS256)."""
    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).decode().rstrip("=")


PAGE = """<!DOCTYPE html><html lang="vi"><meta charset="utf-8"><title>Ứng dụng thử nghiệm</title>
<h1>Ứng dụng thử nghiệm đăng nhập bằng eDoc</h1>{body}</html>"""


def make_app(rp: RelyingParty, base_url: str) -> Any:
    """The relying party as a WSGI application: /, /login, /callback, /logout."""
    sessions: dict[str, dict[str, Any]] = {}

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        path, cookie = environ.get("PATH_INFO", "/"), SimpleCookie(environ.get("HTTP_COOKIE", ""))
        session_id = cookie["rp_session"].value if "rp_session" in cookie else ""
        headers: list[tuple[str, str]] = [("Content-Type", "text/html; charset=utf-8")]
        status, body = "200 OK", ""
        if path == "/login":
            status, headers = "302 Found", [("Location", rp.authorization_url())]
        elif path == "/callback":
            query = environ.get("QUERY_STRING", "")
            try:
                claims, tokens = rp.complete(f"{rp.redirect_uri}?{query}")
            except LoginRefused as refusal:
                status = "400 Bad Request"
                error, description = html.escape(refusal.error), html.escape(refusal.description)
                body = f'<p id="rp-error">Đăng nhập bị từ chối: <code>{error}</code></p>'
                body += f"<p>{description}</p>"
            else:
                session_id = secrets.token_urlsafe(32)
                sessions[session_id] = {"claims": claims, "id_token": tokens["id_token"]}
                status, headers = "302 Found", [("Location", base_url + "/")]
                headers.append(
                    ("Set-Cookie", f"rp_session={session_id}; HttpOnly; Path=/; SameSite=Lax")
                )
        elif path == "/logout" and session_id in sessions:
            id_token = sessions.pop(session_id)["id_token"]
            status, headers = "302 Found", [("Location", rp.logout_url(id_token, base_url + "/"))]
        elif session_id in sessions:
            claims = sessions[session_id]["claims"]
            shown = html.escape(json.dumps(claims, ensure_ascii=False, indent=2))
            name = html.escape(str(claims.get("name", "")))
            body = f'<p id="rp-user">Xin chào {name}</p><pre id="rp-claims">{shown}</pre>'
            body += '<p><a href="/logout" id="rp-logout">Đăng xuất</a></p>'
        else:
            body = '<p><a href="/login" id="rp-login">Đăng nhập bằng eDoc</a></p>'
        start_response(status, headers)
        return [PAGE.format(body=body).encode("utf-8")] if body else []

    return app


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("--issuer", default="http://127.0.0.1:8000/o")
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", default="", help="only for a confidential client")
    parser.add_argument("--scope", default="openid profile email unit position roles agency")
    parser.add_argument("--port", type=int, default=8790)
    args = parser.parse_args()
    base_url = f"http://127.0.0.1:{args.port}"
    rp = RelyingParty(
        args.issuer, args.client_id, args.client_secret, base_url + "/callback", args.scope
    )
    server = make_server("127.0.0.1", args.port, make_app(rp, base_url), handler_class=QuietHandler)
    print(f"Demo relying party on {base_url}/ (Ctrl+C stops it)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
