"""Identity's own records (the user model stays in edoc.User)."""

from .oidc import ClientApplication, ClientPolicy, RedeemedCode  # noqa: F401
