"""Authentication backends of eDoc."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend


def password_disabled(user) -> bool:
    """Whether the user may sign in only through the external identity provider."""
    profile = getattr(user, "sign_in_profile", None) if user.pk else None
    return bool(profile and profile.password_disabled)


class PasswordBackend(ModelBackend):
    """Django's user name and password check, refused for users whose password is disabled.

    Sessions keep working (get_user is unchanged): the external sign-in logs users in with
    this backend once their link is established."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None and password_disabled(user):
            return None
        return user
