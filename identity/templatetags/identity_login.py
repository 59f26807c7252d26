"""The login page's extra ways in (the external identity provider's button)."""

from __future__ import annotations

from django import template

from identity import external

register = template.Library()


@register.inclusion_tag("identity/external_button.html", takes_context=True)
def external_login_button(context) -> dict:
    """The "Đăng nhập bằng …" button, when an external provider is configured."""
    return {
        "enabled": external.enabled(),
        "provider": external.provider_name(),
        "next": context.get("next", ""),
    }
