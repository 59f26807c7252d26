"""Identity's own records (the user model stays in edoc.User)."""

from identity.models.external import ExternalAccount, SignInProfile  # noqa: F401
