"""The OpenID Connect signing keys: rotation keeps the retired key published, so ID tokens it
signed still verify; `identity_keys` manages the folder; `check --deploy` wants a key."""

from __future__ import annotations

import base64
import datetime
import json
import stat

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from identity import keys
from identity.checks import check_oidc_signing_key_deploy
from tests.identity.test_oidc_provider import sign_in

pytestmark = pytest.mark.django_db


def _header(token: str) -> dict:
    part = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def provider_settings(directory):
    found = keys.read_signing_keys(directory)
    return {
        **settings.OAUTH2_PROVIDER,
        "OIDC_RSA_PRIVATE_KEY": found.current,
        "OIDC_RSA_PRIVATE_KEYS_INACTIVE": found.retired,
    }


def test_an_id_token_signed_before_a_rotation_still_verifies_after_it(
    tmp_path, client, users, internal_app, relying_party
):
    keys.ensure(tmp_path)
    with override_settings(OAUTH2_PROVIDER=provider_settings(tmp_path)):
        authorization, before = sign_in(client, users, internal_app)
        old_kid = client.get("/o/.well-known/jwks.json").json()["keys"][0]["kid"]
    keys.rotate(tmp_path)
    with override_settings(OAUTH2_PROVIDER=provider_settings(tmp_path)):
        published = [key["kid"] for key in client.get("/o/.well-known/jwks.json").json()["keys"]]
        assert len(published) == 2 and published[1] == old_kid  # current first, then retired
        rp = relying_party(internal_app)
        claims = rp.validate_id_token(before["id_token"], authorization.nonce)
        assert claims["sub"] == str(users["director"].pk)
        authorization, after = sign_in(client, users, internal_app)
        assert _header(after["id_token"])["kid"] == published[0]
        rp.validate_id_token(after["id_token"], authorization.nonce, after["access_token"])
    # Once the retired key is pruned, its tokens no longer verify.
    for path in keys.retired_files(tmp_path):
        path.unlink()
    with override_settings(OAUTH2_PROVIDER=provider_settings(tmp_path)):
        from tools.oidc_demo_rp import LoginRefused

        with pytest.raises(LoginRefused):
            relying_party(internal_app).validate_id_token(before["id_token"], "unused")


def test_identity_keys_command_writes_rotates_lists_and_prunes(tmp_path, settings):
    settings.EDOC_OIDC_KEY_DIR = tmp_path
    call_command("identity_keys", "ensure")
    current = tmp_path / keys.CURRENT
    assert stat.S_IMODE(current.stat().st_mode) == 0o600
    first = current.read_text()
    call_command("identity_keys", "ensure")
    assert current.read_text() == first  # ensure never replaces a key
    call_command("identity_keys", "rotate")
    [retired] = keys.retired_files(tmp_path)
    assert retired.read_text() == first and current.read_text() != first
    assert stat.S_IMODE(retired.stat().st_mode) == 0o600
    with pytest.raises(CommandError):
        call_command("identity_keys", "prune")
    call_command("identity_keys", "prune", "--days", "1")
    assert retired.exists()  # retired just now
    old = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=10)
    retired.rename(retired.with_name(f"{old:%Y%m%dT%H%M%S%fZ}.pem"))
    call_command("identity_keys", "prune", "--days", "7")
    assert keys.retired_files(tmp_path) == []


def test_the_environment_key_replaces_the_current_file(tmp_path):
    keys.ensure(tmp_path)
    from_env = keys.generate_private_key_pem()
    assert keys.read_signing_keys(tmp_path, from_env).current.strip() == from_env.strip()


def test_check_deploy_wants_a_signing_key():
    assert check_oidc_signing_key_deploy() == []
    without = {**settings.OAUTH2_PROVIDER, "OIDC_RSA_PRIVATE_KEY": ""}
    with override_settings(OAUTH2_PROVIDER=without):
        [error] = check_oidc_signing_key_deploy()
    assert error.id == "identity.E001"
