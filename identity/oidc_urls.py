"""The OpenID Connect provider's endpoints, mounted at /o/ (config/urls.py) in DOT's namespace
"oauth2_provider": authorize/, token/, revoke_token/, introspect/, userinfo/, logout/,
.well-known/openid-configuration, .well-known/jwks.json and
.well-known/oauth-authorization-server. Clients are registered in /admin/ only (DOT's
self-service application pages and dynamic registration are not mounted)."""

from django.urls import path
from oauth2_provider import urls as oauth2_urls
from oauth2_provider import views as oauth2_views

from identity.views import AuthorizationView

app_name = "oauth2_provider"

urlpatterns = [
    path("authorize/", AuthorizationView.as_view(), name="authorize"),
    path("token/", oauth2_views.TokenView.as_view(), name="token"),
    path("revoke_token/", oauth2_views.RevokeTokenView.as_view(), name="revoke-token"),
    path("introspect/", oauth2_views.IntrospectTokenView.as_view(), name="introspect"),
    path(
        ".well-known/oauth-authorization-server",
        oauth2_views.OAuthServerMetadataView.as_view(),
        name="oauth-server-metadata",
    ),
    *oauth2_urls.oidc_urlpatterns,
]

# RFC 8414 §3: the metadata of the issuer https://host/o is also found at the site's root, at
# /.well-known/oauth-authorization-server/o (config/urls.py mounts this list at "").
root_urlpatterns = [
    path(
        ".well-known/oauth-authorization-server/o",
        oauth2_views.OAuthServerMetadataView.as_view(),
        name="oauth-server-metadata-root",
    ),
]
