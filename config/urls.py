"""Root URLs: staff UI, admin, REST API with its OpenAPI schema, i18n."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from identity import oidc_urls
from search.api import SearchApi
from signing import urls as signing_urls

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("observability.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Content-Security-Policy: Swagger UI's init script is served by the split view's ?script
    # URL, not inline. Redoc cannot run under the policy (it loads its logo from a CDN, starts a
    # blob: worker and injects styles before it knows a nonce): its old URL shows Swagger UI.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", RedirectView.as_view(pattern_name="api-docs"), name="api-redoc"),
    path("api/search/", SearchApi.as_view(), name="api-search"),
    path("api/", include("edoc.api.urls")),
    path("api/", include("workflows.api.urls")),
    path("api/onestop/", include("onestop.api.urls")),
    path("api/connectors/", include("connectors.api_urls")),
    path("workflows/designer/", include("workflows.designer.urls")),
    path("workflows/", include("workflows.urls")),
    path("signing/", include("signing.sign_urls")),
    path("signing/", include(signing_urls.staff_urls)),
    path("verify/", include(signing_urls.public_urls)),
    path("onestop/", include("onestop.urls")),
    path("portal/", include("onestop.portal.urls")),
    path("search/", include("search.urls")),
    path("connectors/portal/", include("connectors.portal.urls")),
    path("connectors/", include("connectors.urls")),
    path("payments/", include("payments.urls")),
    path("health/", include("health.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("identity/", include("identity.urls")),
    path("o/", include("identity.oidc_urls")),  # the OpenID Connect provider
    path("", include(oidc_urls.root_urlpatterns)),
    path("", include("edoc.urls")),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
