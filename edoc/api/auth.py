"""API token for scripts: username and password in, token out; rate-limited per client address."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from edoc.api.common import ApiView, InputSerializer, error_responses
from edoc.api.serializers import UserRefSerializer
from edoc.middleware import client_ip
from edoc.services.auth import auth_token_obtain

THROTTLE_SCOPE = "auth_token"
THROTTLE_DEFAULT_RATE = "10/minute"


class TokenObtainThrottle(SimpleRateThrottle):
    """Scope "auth_token": REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["auth_token"], else
    10/minute, counted per client address (REMOTE_ADDR, as for the audit log; a client
    cannot dodge it with X-Forwarded-For)."""

    scope = THROTTLE_SCOPE

    def get_rate(self) -> str:
        rates = api_settings.DEFAULT_THROTTLE_RATES or {}
        return rates.get(self.scope) or THROTTLE_DEFAULT_RATE

    def get_cache_key(self, request: Request, view: object) -> str:
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request) or "unknown"}


@extend_schema_serializer(component_name="TokenObtain")
class TokenObtainInputSerializer(InputSerializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


@extend_schema_serializer(component_name="Token")
class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField(
        help_text=_('Send it as "Authorization: Token <token>" on every request.')
    )
    user = UserRefSerializer()


class TokenObtainApi(ApiView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [TokenObtainThrottle]

    @extend_schema(
        tags=["auth"],
        operation_id="auth_token_obtain",
        summary=_("Obtain your API token"),
        description=_(
            "Returns a new token, valid EDOC_API_TOKEN_DAYS days (90 by default); list and revoke "
            "your tokens on /identity/tokens/. "
            "Rate-limited: 10 requests per minute per client address by default (throttle scope "
            "'auth_token'); beyond that 429 with a Retry-After header. Successful and refused "
            "attempts are recorded in the audit log."
        ),
        auth=[],
        request=TokenObtainInputSerializer,
        responses={
            200: TokenOutputSerializer,
            400: error_responses(400)[400],
            429: OpenApiResponse(
                error_responses(429)[429].response,
                description=_("Too many attempts from your address; retry after Retry-After."),
            ),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = TokenObtainInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user, key = auth_token_obtain(**serializer.validated_data, request=request._request)
        return Response(TokenOutputSerializer({"token": key, "user": user}).data)
