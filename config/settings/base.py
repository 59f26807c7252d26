"""Settings for every environment; each value comes from the environment (see README)."""

from pathlib import Path

from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from config.env import BASE_DIR, env, literal
from identity.keys import read_signing_keys

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="insecure-dev-key-change-me-in-production")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "csp",
    "identity.apps.AxesConfig",
    "django_celery_beat",
    "viewflow",
    "viewflow.workflow",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "edoc",
    "identity",
    "observability",
    "oauth2_provider",
    "workflows",
    "signing",
    "search",
    "onestop",
    "onestop.portal",
    "connectors",
    "payments",
    "health",
    "dashboard",
]

MIDDLEWARE = [
    # First: the request id (logs, queued tasks) and the latency of the whole answer.
    "observability.requests.RequestIdMiddleware",
    "observability.metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "edoc.middleware.ContentSecurityPolicyMiddleware",
    "identity.middleware.RelyingPartyFormActionMiddleware",
    "edoc.middleware.NoStoreMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "edoc.middleware.RequestContextMiddleware",
    "signing.audit.RefusalAuditMiddleware",
    "identity.middleware.SecondFactorMiddleware",
    "identity.sessions.UserSessionMiddleware",
    # Last: turns a login refused by a lockout into the login page with its message.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "edoc.context_processors.navigation",
                "workflows.context_processors.navigation",
                "connectors.context_processors.navigation",
            ],
        },
    },
]

# Widgets render through TEMPLATES, so templates/django/forms/ can adjust them (the empty
# choice reads "— Chọn —" instead of "---------").
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# --- Database: SQLite by default, PostgreSQL (or anything dj-database-url knows) via DATABASE_URL.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'edoc.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout let several clerks write at once without "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiles the dashboard's aggregates (correlated subqueries per document
    # make the planner's costs look high): 1-3 s of compilation for 50-150 ms of execution
    # (bench/dashboard.py in docs/benchmarks.md). Off, as suits short interactive queries.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "edoc.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "edoc:pending"
LOGOUT_REDIRECT_URL = "login"
# Password policy after the Government's guidance for information systems (TT 12/2022/TT-BTTTT,
# TCVN 11930:2017): at least 8 characters with lower and upper case letters, digits and other
# characters, none of the last passwords again, an optional maximum age.
EDOC_PASSWORD_MIN_LENGTH = env.int("EDOC_PASSWORD_MIN_LENGTH", default=8)
EDOC_PASSWORD_HISTORY = env.int("EDOC_PASSWORD_HISTORY", default=5)
EDOC_PASSWORD_MAX_AGE_DAYS = env.int("EDOC_PASSWORD_MAX_AGE_DAYS", default=0)  # 0: no expiry
# Signing in through an external OpenID Connect provider (the province's or the nation's
# identity service): off while the issuer is empty. Accounts are linked by a verified claim
# ("email": the provider's email with email_verified true; "citizen_id": the claim named by
# EDOC_OIDC_LOGIN_CITIZEN_ID_CLAIM against the user's sign-in profile), never created.
EDOC_OIDC_LOGIN_ISSUER = env.str("EDOC_OIDC_LOGIN_ISSUER", default="")
EDOC_OIDC_LOGIN_CLIENT_ID = env.str("EDOC_OIDC_LOGIN_CLIENT_ID", default="")
EDOC_OIDC_LOGIN_CLIENT_SECRET = literal("EDOC_OIDC_LOGIN_CLIENT_SECRET")
EDOC_OIDC_LOGIN_NAME = env.str("EDOC_OIDC_LOGIN_NAME", default="")
EDOC_OIDC_LOGIN_SCOPES = env.str("EDOC_OIDC_LOGIN_SCOPES", default="openid profile email")
EDOC_OIDC_LOGIN_LINK_CLAIMS = env.list("EDOC_OIDC_LOGIN_LINK_CLAIMS", default=["email"])
EDOC_OIDC_LOGIN_CITIZEN_ID_CLAIM = env.str("EDOC_OIDC_LOGIN_CITIZEN_ID_CLAIM", default="citizen_id")
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": EDOC_PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "identity.passwords.CharacterClassesValidator"},
    {
        "NAME": "identity.passwords.PasswordHistoryValidator",
        "OPTIONS": {"history": EDOC_PASSWORD_HISTORY},
    },
]
# Argon2 hashes new passwords; older PBKDF2 hashes still verify and are re-hashed at login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

# --- Failed logins (django-axes): an account is locked after EDOC_LOGIN_FAILURE_LIMIT failures,
# a client address after EDOC_LOGIN_IP_FAILURE_LIMIT (higher: an office shares one address), for
# EDOC_LOGIN_LOCKOUT_MINUTES; an administrator lifts it earlier (admin "Access attempts", or
# `manage.py axes_reset_username <name>` / `axes_reset_ip <address>`).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's model backend, refusing users whose password sign-in is disabled (they sign in
    # through the external identity provider only).
    "identity.backends.PasswordBackend",
]
EDOC_LOGIN_FAILURE_LIMIT = env.int("EDOC_LOGIN_FAILURE_LIMIT", default=20)
EDOC_LOGIN_IP_FAILURE_LIMIT = env.int("EDOC_LOGIN_IP_FAILURE_LIMIT", default=100)
EDOC_LOGIN_LOCKOUT_MINUTES = env.int("EDOC_LOGIN_LOCKOUT_MINUTES", default=15)
AXES_HANDLER = "identity.lockout.AccountAndAddressHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = "identity.lockout.account_failure_limit"
AXES_COOLOFF_TIME = "identity.lockout.lockout_duration"
AXES_RESET_ON_SUCCESS = True  # failures in a row count; a successful login starts again
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # the lockout ends on time
AXES_LOCKOUT_CALLABLE = "identity.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "edoc.middleware.client_ip"
AXES_VERBOSE = False
# Behind a reverse proxy: the request header (e.g. X-Real-IP) the proxy sets to the client's
# address; the only place the address is then read from (audit, lockouts, rate limits).
EDOC_CLIENT_IP_HEADER = env.str("EDOC_CLIENT_IP_HEADER", default="")

# --- Signed-in sessions: how often (seconds) a request may write a session's "last used" time.
EDOC_SESSION_TOUCH_SECONDS = env.int("EDOC_SESSION_TOUCH_SECONDS", default=60)

# --- Internationalisation: Vietnamese by default, English available.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
# Our catalog first; then Vietnamese for the third-party texts shown (admin sections of Celery
# beat, viewflow, DRF tokens), kept by hand since makemessages does not see their sources.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_thirdparty"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Ho_Chi_Minh")
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files.
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "var" / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "config.staticfiles.AppDirectoriesFinder",  # without npm leftovers (node_modules)
]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
MEDIA_URL = "media/"

# Local files by default; an S3-compatible store (MinIO, Ceph, AWS) when a bucket is configured.
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env.str("AWS_S3_REGION_NAME", default=None),
            "access_key": env.str("AWS_ACCESS_KEY_ID", default=None),
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default=None),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT)},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Largest accepted upload for a document file, in megabytes.
EDOC_MAX_UPLOAD_MB = env.int("EDOC_MAX_UPLOAD_MB", default=50)
# Most pages accepted in one PDF (a page bomb would tie up text extraction, OCR and signing).
EDOC_MAX_PDF_PAGES = env.int("EDOC_MAX_PDF_PAGES", default=2000)
# Largest edXML message accepted (checked before parsing); its attachments may unpack to no more.
EDOC_EDXML_MAX_MB = env.int("EDOC_EDXML_MAX_MB", default=50)
# Document exchange: first retry after N seconds, doubling (capped at an hour), given up after
# MAX attempts; the inbound replay window; the HTTP timeout of one delivery.
# Secrets kept in the database (exchange routes' HMAC secrets) are encrypted with these Fernet
# keys, newest first (edoc.fields); empty: one key derived from DJANGO_SECRET_KEY.
EDOC_FIELD_ENCRYPTION_KEYS = env.list("EDOC_FIELD_ENCRYPTION_KEYS", default=[])
EDOC_EXCHANGE_RETRY_SECONDS = env.int("EDOC_EXCHANGE_RETRY_SECONDS", default=30)
EDOC_EXCHANGE_MAX_ATTEMPTS = env.int("EDOC_EXCHANGE_MAX_ATTEMPTS", default=12)
EDOC_EXCHANGE_REPLAY_SECONDS = env.int("EDOC_EXCHANGE_REPLAY_SECONDS", default=300)
EDOC_EXCHANGE_TIMEOUT_SECONDS = env.int("EDOC_EXCHANGE_TIMEOUT_SECONDS", default=30)
# The national document-exchange axis (VPCP) or the province's LGSP, as the VPCP SDK names its
# settings: `service.endpoint`, `systemid` (our code on the axis), `secret` (signs requests).
# Routes with the transport "axis" send through it; `connectors_fetch` / beat fetch from it.
EDOC_AXIS_ENDPOINT = env.str("EDOC_AXIS_ENDPOINT", default="")
EDOC_AXIS_SYSTEM_ID = env.str("EDOC_AXIS_SYSTEM_ID", default="")
EDOC_AXIS_SECRET = literal("EDOC_AXIS_SECRET")
EDOC_AXIS_FETCH_SECONDS = env.float("EDOC_AXIS_FETCH_SECONDS", default=60.0)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Redis: cache and Celery broker when REDIS_URL is set; otherwise in-process.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL or None)
# The embedded default runs tasks in-process; a broker switches to real workers.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
# `celery -A config beat` (services mode) stores its schedule in the database (admin-editable).
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "fire-workflow-timers": {"task": "workflows.tasks.fire_timers_task", "schedule": 60.0},
    "flush-search-index-queue": {"task": "search.tasks.flush_index_queue_task", "schedule": 60.0},
    "deliver-exchange-outbox": {"task": "connectors.deliver_due", "schedule": 60.0},
    "fetch-exchange-axis": {
        "task": "connectors.fetch_received",
        "schedule": EDOC_AXIS_FETCH_SECONDS,
    },
    # Payments: pending orders past their expiry asked about at their provider, then expired.
    "payments-expire-orders": {"task": "payments.expire_orders", "schedule": 300.0},
    # The operations dashboard of last week, e-mailed to the board on Monday mornings.
    "dashboard-weekly-report": {
        "task": "dashboard.weekly_report",
        "schedule": crontab(minute=0, hour=7, day_of_week="mon"),
    },
    "payments-resolve-refunds": {"task": "payments.resolve_refunds", "schedule": 300.0},
    # Signs the audit chain's head outside the database (timestamp authority / seal).
    # The public-service portal and Egov (connectors/portal): outbox sweep, online dossiers.
    "connectors-portal-sync": {"task": "connectors.portal_sync", "schedule": 60.0},
    "connectors-portal-pull": {
        "task": "connectors.portal_pull",
        "schedule": env.float("EDOC_DVC_PULL_SECONDS", default=300.0),
    },
    "anchor-audit-chain": {
        "task": "edoc.tasks.audit_anchor_task",
        "schedule": env.float("EDOC_AUDIT_ANCHOR_SECONDS", default=3600.0),
    },
}

# --- REST API.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "identity.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "edoc.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "eDoc API",
    "DESCRIPTION": "Official documents, files and assignments of the eDoc I-Office.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "status", "role" or "kind": give each choice set its own name.
    "ENUM_NAME_OVERRIDES": {
        "DirectionEnum": "edoc.models.documents.Direction",
        "DocumentStatusEnum": "edoc.models.documents.Status",
        "AssignmentStatusEnum": "edoc.models.documents.AssignmentStatus",
        "AssignmentRoleEnum": "edoc.models.documents.AssignmentRole",
        "UserRoleEnum": "edoc.models.organisation.Role",
        "UnitKindEnum": "edoc.models.organisation.UnitKind",
        "TaskStatusEnum": "workflows.models.runs.WorkItem.Status",
        "ProcessStatusEnum": "workflows.api.serializers.ProcessStatus",
    },
}

# --- eDoc as an OpenID Connect provider (identity/, django-oauth-toolkit) under /o/.
# The issuer: empty derives it from each request (scheme from X-Forwarded-Proto behind the
# proxy, production); set it in production, e.g. https://edoc.soyte.dongnai.gov.vn/o.
EDOC_OIDC_ISSUER = env.str("EDOC_OIDC_ISSUER", default="").rstrip("/")
# Signing keys (identity/keys.py): current.pem signs, retired/*.pem stay published in the JWKS.
# EDOC_OIDC_PRIVATE_KEY (a PEM, verbatim) replaces current.pem. `manage.py identity_keys rotate`.
EDOC_OIDC_KEY_DIR = Path(env.str("EDOC_OIDC_KEY_DIR", default=str(BASE_DIR / "var" / "oidc-keys")))
_oidc_keys = read_signing_keys(EDOC_OIDC_KEY_DIR, literal("EDOC_OIDC_PRIVATE_KEY"))
# DOT's models are swappable; identity's foreign keys name the application model's setting.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_ISS_ENDPOINT": EDOC_OIDC_ISSUER,
    "OIDC_RSA_PRIVATE_KEY": _oidc_keys.current,
    "OIDC_RSA_PRIVATE_KEYS_INACTIVE": _oidc_keys.retired,
    "OAUTH2_VALIDATOR_CLASS": "identity.oidc.EdocOAuth2Validator",
    "SCOPES_BACKEND_CLASS": "identity.oidc.ClientScopes",
    "SCOPES": {
        "openid": _("Sign you in with your eDoc account"),
        "profile": _("Your name and user name"),
        "email": _("Your e-mail address"),
        "unit": _("Your unit and its code"),
        "position": _("Your position"),
        "roles": _("Your roles in eDoc"),
        "agency": _("Your agency and its identifier"),
    },
    "DEFAULT_SCOPES": ["openid"],
    # Authorization code flow only, PKCE with S256 required of every client.
    "PKCE_REQUIRED": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    # Tokens only in the Authorization header, stored as checksums, `iss` in the code response.
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
    "OAUTH2_RESPONSE_TYPES_SUPPORTED": ["code"],
    "OAUTH2_GRANT_TYPES_SUPPORTED": ["authorization_code", "refresh_token"],
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "ACCESS_TOKEN_EXPIRE_SECONDS": env.int("EDOC_OIDC_ACCESS_TOKEN_SECONDS", default=3600),
    "ID_TOKEN_EXPIRE_SECONDS": env.int("EDOC_OIDC_ID_TOKEN_SECONDS", default=3600),
    "REFRESH_TOKEN_EXPIRE_SECONDS": env.int("EDOC_OIDC_REFRESH_TOKEN_SECONDS", default=30 * 86400),
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "REQUEST_APPROVAL_PROMPT": "force",  # consent each time, unless the app is the agency's own
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": True,
    "OIDC_RP_INITIATED_LOGOUT_STRICT_REDIRECT_URIS": True,
}

# --- Security defaults (production.py tightens the transport settings).
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"  # views that embed a PDF opt in with @xframe_options_sameorigin
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)

# Content-Security-Policy (django-csp): only this site's own scripts, stylesheets, fonts, frames
# and workers (no inline scripts, event handlers or style attributes, nothing from a CDN); images
# also as data: URIs, frames also as blob: URLs (a local PDF shown before it is uploaded). A view
# that needs more says so with csp.decorators.csp_update.
# EDOC_CSP_REPORT_ONLY=1 sends the policy as Content-Security-Policy-Report-Only (a trial run);
# EDOC_CSP_REPORT_URI receives the browsers' violation reports.
_CSP = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'", "blob:"],  # the chosen PDF, previewed before upload
        "worker-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'self'"],
        "form-action": ["'self'"],
        "report-uri": env.str("EDOC_CSP_REPORT_URI", default="") or None,
    }
}
if env.bool("EDOC_CSP_REPORT_ONLY", default=False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP
else:
    CONTENT_SECURITY_POLICY = _CSP
# Responses that must not be kept by browsers or proxies (Cache-Control: private, no-store):
# every response to a logged-in user and everything under these path prefixes.
EDOC_NO_STORE_PREFIXES = ["/api/"]

# --- Operations (observability/): probes, metrics, logs.
# /metrics answers a scraper sending "Authorization: Bearer <EDOC_METRICS_TOKEN>" or one whose
# address (edoc.middleware.client_ip) is in EDOC_METRICS_ALLOWED_IPS (addresses or networks);
# with neither set nobody may read it.
EDOC_METRICS_TOKEN = literal("EDOC_METRICS_TOKEN")
EDOC_METRICS_ALLOWED_IPS = env.list("EDOC_METRICS_ALLOWED_IPS", default=[])
# prometheus-client's multiprocess mode (gunicorn workers and Celery workers of one host share
# their metrics through files there; emptied before they start). Empty: per process.
PROMETHEUS_MULTIPROC_DIR = env.str("PROMETHEUS_MULTIPROC_DIR", default="")
# Seconds a readiness check waits for the broker before /readyz reports it down.
EDOC_READYZ_TIMEOUT = env.float("EDOC_READYZ_TIMEOUT", default=2.0)
# The probes (and the scrape, for an allow-listed scraper on the private network) are answered
# over plain HTTP too when SECURE_SSL_REDIRECT is on: a load balancer or kubelet probes the
# process directly.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
# Logs: "text" (readable, the default) or "json" (one JSON object a line, production's default:
# time, level, logger, message, request_id and the record's extra fields).
EDOC_LOG_FORMAT = env.str("EDOC_LOG_FORMAT", default="text")
# Celery workers log through LOGGING below (the request id and JSON lines included).
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": EDOC_LOG_FORMAT,
            "filters": ["request_id"],
        },
    },
    "filters": {"request_id": {"()": "observability.requests.RequestIdFilter"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # opensearch-py logs every request at INFO (and failed ones at WARNING).
        "opensearch": {"level": "ERROR"},
    },
}

# --- E-mail: written to files under var/mail by default; SMTP when EMAIL_BACKEND says so.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(BASE_DIR / "var" / "mail"))
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="edoc@localhost")
# The weekly dashboard PDF goes to these addresses; empty: the agency's director and deputies.
EDOC_DASHBOARD_REPORT_RECIPIENTS = env.list("EDOC_DASHBOARD_REPORT_RECIPIENTS", default=[])

# --- Second factor (identity): TOTP with recovery codes, required for administrators and for
# whoever holds a signing step or the seal (EDOC_2FA_POLICY=0 turns the requirement off; users
# with a device are still asked for it); a remembered device skips the code for at most 30 days;
# signing asks again when the last code is older than EDOC_SIGNING_REAUTH_SECONDS (0: never);
# REST API tokens expire after EDOC_API_TOKEN_DAYS.
EDOC_2FA_POLICY = env.bool("EDOC_2FA_POLICY", default=True)
EDOC_2FA_REMEMBER_DAYS = min(env.int("EDOC_2FA_REMEMBER_DAYS", default=30), 30)
EDOC_SIGNING_REAUTH_SECONDS = env.int("EDOC_SIGNING_REAUTH_SECONDS", default=900)
EDOC_API_TOKEN_DAYS = env.int("EDOC_API_TOKEN_DAYS", default=90)
OTP_TOTP_ISSUER = env.str("EDOC_2FA_ISSUER", default="eDoc")

# --- eDoc domain settings.
# Public signature verification page: attempts per client address per window (seconds).
EDOC_VERIFY_RATE_LIMIT = env.int("EDOC_VERIFY_RATE_LIMIT", default=20)
EDOC_VERIFY_RATE_WINDOW = env.int("EDOC_VERIFY_RATE_WINDOW", default=3600)
EDOC_AGENCY_CODE = env.str("EDOC_AGENCY_CODE", default="000.00.23.H19")
# Office hours of a working day, for deadlines counted in working hours or fractions of a day
# (workflows.calendar): comma-separated HH:MM-HH:MM periods, local time (Asia/Ho_Chi_Minh).
# A working day is their sum: 8 hours by default, so 0.5 day = 4 working hours.
EDOC_WORKING_HOURS = env.str("EDOC_WORKING_HOURS", default="07:30-11:30,13:30-17:30")
# One-stop dossiers: the public site's address (QR codes on receipts point there) and how long
# a tracking link stays valid.
EDOC_PUBLIC_BASE_URL = env.str("EDOC_PUBLIC_BASE_URL", default="http://127.0.0.1:8000")
EDOC_TRACKING_TOKEN_MAX_AGE_DAYS = env.int("EDOC_TRACKING_TOKEN_MAX_AGE_DAYS", default=730)
# Citizen portal rate limits per client address, "<attempts>/<seconds>": dossier look-ups and
# tracking links, drafts and submissions, supplement uploads.
EDOC_PORTAL_LOOKUP_RATE = env.str("EDOC_PORTAL_LOOKUP_RATE", default="10/600")
EDOC_PORTAL_SUBMIT_RATE = env.str("EDOC_PORTAL_SUBMIT_RATE", default="20/3600")
EDOC_PORTAL_UPLOAD_RATE = env.str("EDOC_PORTAL_UPLOAD_RATE", default="30/3600")
# Payments (payments/): how long a payment order stays payable, the electronic receipts' series,
# and how old a provider's callback (its payment time) may be before it is refused as a replay.
EDOC_PAYMENT_ORDER_MINUTES = env.int("EDOC_PAYMENT_ORDER_MINUTES", default=30)
EDOC_RECEIPT_SERIES = env.str("EDOC_RECEIPT_SERIES", default="BLĐT")
EDOC_PAYMENT_CALLBACK_WINDOW_SECONDS = env.int(
    "EDOC_PAYMENT_CALLBACK_WINDOW_SECONDS", default=24 * 3600
)
# What each method's provider charges per transaction (payments/fees.py, checked at start-up):
# "vnpay=1.1%+1650,momo=1.5%,vietqr=0,pos=0.8%"; empty: no fees.
EDOC_PAYMENT_FEES = env.str("EDOC_PAYMENT_FEES", default="")

# --- The provincial public-service portal's dossier sync and Egov licensing (connectors/portal).
# An empty URL turns that sync off. Tokens are read verbatim (config.env.literal).
EDOC_DVC_SYNC_URL = env.str("EDOC_DVC_SYNC_URL", default="")
EDOC_DVC_SYNC_TOKEN = literal("EDOC_DVC_SYNC_TOKEN")
EDOC_DVC_AGENCY_CODE = env.str("EDOC_DVC_AGENCY_CODE", default="")
EDOC_EGOV_URL = env.str("EDOC_EGOV_URL", default="")
EDOC_EGOV_TOKEN = literal("EDOC_EGOV_TOKEN")
EDOC_CONNECTOR_TIMEOUT = env.float("EDOC_CONNECTOR_TIMEOUT", default=10.0)
EDOC_CONNECTOR_RETRY_SECONDS = env.float("EDOC_CONNECTOR_RETRY_SECONDS", default=30.0)
# --- Payment providers (payments/providers). Secrets are read verbatim (config.env.literal) and
# never logged; a provider whose code or secret is empty is not offered.
VNPAY_TMN_CODE = env.str("VNPAY_TMN_CODE", default="")
VNPAY_HASH_SECRET = literal("VNPAY_HASH_SECRET")
VNPAY_PAYMENT_URL = env.str(
    "VNPAY_PAYMENT_URL", default="https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"
)
VNPAY_API_URL = env.str(
    "VNPAY_API_URL", default="https://sandbox.vnpayment.vn/merchant_webapi/api/transaction"
)
MOMO_PARTNER_CODE = env.str("MOMO_PARTNER_CODE", default="")
MOMO_ACCESS_KEY = literal("MOMO_ACCESS_KEY")
MOMO_SECRET_KEY = literal("MOMO_SECRET_KEY")
MOMO_ENDPOINT = env.str("MOMO_ENDPOINT", default="https://test-payment.momo.vn")
VIETQR_BANK_BIN = env.str("VIETQR_BANK_BIN", default="")
VIETQR_ACCOUNT_NUMBER = env.str("VIETQR_ACCOUNT_NUMBER", default="")
VIETQR_ACCOUNT_NAME = env.str("VIETQR_ACCOUNT_NAME", default="")
# The providers above are TEST ones (`make run`'s demo: the stand-in of tools/payment_standin
# and a demo bank account): the citizen's page says so. Never set in production.
EDOC_PAYMENT_TEST_PROVIDERS = env.bool("EDOC_PAYMENT_TEST_PROVIDERS", default=False)
# SMS gateway for citizens' notifications: dotted path to an onestop.portal.notifications.SmsBackend
# subclass; the default only logs the message (phone number masked).
EDOC_SMS_BACKEND = env.str(
    "EDOC_SMS_BACKEND", default="onestop.portal.notifications.LoggingSmsBackend"
)

# --- Full-text search: "database" (SQLite FTS5 / PostgreSQL tsvector) or "opensearch".
SEARCH_BACKEND = env.str("SEARCH_BACKEND", default="database")
OPENSEARCH_URL = env.str("OPENSEARCH_URL", default="")
OPENSEARCH_INDEX = env.str("OPENSEARCH_INDEX", default="edoc-documents")
# Seconds before an OpenSearch request counts as failed (searches then fall back to the database).
OPENSEARCH_TIMEOUT = env.float("OPENSEARCH_TIMEOUT", default=3.0)
# A relevance-ranked page within the best this-many matches is ranked in two requests: the
# matches, total and facets with a cheap rank, then the whole rank on these candidates only
# (search.backends.opensearch.request.window_body). 0: always one request over every match.
OPENSEARCH_RANK_WINDOW = env.int("OPENSEARCH_RANK_WINDOW", default=500)
# OCR of scanned pages (Tesseract, Debian tesseract-ocr-vie); languages and render resolution.
SEARCH_OCR_LANGUAGES = env.str("SEARCH_OCR_LANGUAGES", default="vie")
SEARCH_OCR_DPI = env.int("SEARCH_OCR_DPI", default=200)
# Most scanned pages of one file read by OCR (the others are named on the document page).
SEARCH_OCR_MAX_PAGES = env.int("SEARCH_OCR_MAX_PAGES", default=50)
