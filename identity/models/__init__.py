"""Identity's own records (the user model stays in edoc.User)."""

from identity.models.twofactor import ApiToken, RememberedDevice  # noqa: F401
