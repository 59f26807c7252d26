"""Identity's own records (the user model stays in edoc.User)."""

from identity.models.external import ExternalAccount, SignInProfile  # noqa: F401
from identity.models.guard import PasswordHistory, UserSession  # noqa: F401
from identity.models.twofactor import ApiToken, RememberedDevice  # noqa: F401

from .oidc import ClientApplication, ClientPolicy, RedeemedCode  # noqa: F401
