"""Xiqia settings: one module, configured from the environment.

Every value has a safe development default, so a fresh clone runs with no configuration.
With ``XIQIA_ENV=production`` the module refuses to start on a development secret, a
development personal-data key or an empty ``ALLOWED_HOSTS``.

A secret may be given directly (``SECRET_KEY=...``) or as a file (``SECRET_KEY_FILE=/run/...``).
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent


def env(name: str, default: str = "") -> str:
    """Return an environment value, reading ``<name>_FILE`` when that is set instead."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        return Path(file_path).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    """Return a boolean environment value; anything but the usual spellings is an error."""
    raw = env(name, "")
    if raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    """Return an integer environment value, failing loudly on anything else."""
    raw = env(name, "")
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


XIQIA_ENV = env("XIQIA_ENV", "development")
if XIQIA_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured(
        f"XIQIA_ENV must be development, test or production, got {XIQIA_ENV!r}"
    )
PRODUCTION = XIQIA_ENV == "production"

DEV_SECRET_KEY = "django-insecure-xiqia-development-only-do-not-use-in-production"  # noqa: S105
SECRET_KEY = env("SECRET_KEY", DEV_SECRET_KEY)
DEBUG = env_bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = [h.strip() for h in env("ALLOWED_HOSTS", "").split(",") if h.strip()]
if not PRODUCTION:
    ALLOWED_HOSTS += ["127.0.0.1", "localhost", "[::1]", "testserver"]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in env("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

# Personal data (ID and phone numbers): Fernet keys for encryption at rest, newest first
# (older keys still decrypt, so keys can be rotated), and a separate key for the keyed hash
# used for look-up and uniqueness. Development derives both from a fixed phrase.
DEV_PERSONAL_DATA_KEY = "eGlxaWEtZGV2ZWxvcG1lbnQta2V5LW5vdC1zZWNyZXQ="
PERSONAL_DATA_KEYS = [
    k.strip() for k in env("PERSONAL_DATA_KEYS", DEV_PERSONAL_DATA_KEY).split(",") if k.strip()
]
DEV_PERSONAL_DATA_HASH_KEY = "xiqia-development-hash-key"
PERSONAL_DATA_HASH_KEY = env("PERSONAL_DATA_HASH_KEY", DEV_PERSONAL_DATA_HASH_KEY)

if PRODUCTION:
    problems = []
    if SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 40:
        problems.append("SECRET_KEY is the development key or shorter than 40 characters")
    if DEV_PERSONAL_DATA_KEY in PERSONAL_DATA_KEYS:
        problems.append("PERSONAL_DATA_KEYS contains the development key")
    if PERSONAL_DATA_HASH_KEY == DEV_PERSONAL_DATA_HASH_KEY:
        problems.append("PERSONAL_DATA_HASH_KEY is the development key")
    if not ALLOWED_HOSTS:
        problems.append("ALLOWED_HOSTS is empty")
    if DEBUG:
        problems.append("DEBUG is on")
    if problems:
        raise ImproperlyConfigured("Refusing to start in production: " + "; ".join(problems) + ".")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "axes",
    "csp",
    "simple_history",
    # Xiqia's modules, in dependency order (the demo loader runs them in this order).
    "xiqia.core",
    "xiqia.directory",
    "xiqia.accounts",
    "xiqia.fair",
    "xiqia.matchmaking",
    "xiqia.investment",
    "xiqia.govservice",
    "xiqia.tourism",
    "xiqia.dashboard",
]

MIDDLEWARE = [
    # Under /api/, what Django answers itself in HTML becomes the API's error body.
    "xiqia.core.api.ApiErrorMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Gate scans and voucher claims with an API token skip the rest (xiqia/core/hotpaths.py).
    "xiqia.core.hotpaths.HotPathMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes last: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "xiqia.urls"
WSGI_APPLICATION = "xiqia.wsgi.application"
ASGI_APPLICATION = "xiqia.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "xiqia.accounts.context_processors.principal",
            ],
        },
    },
]

# Database: SQLite by default, anything dj-database-url understands via DATABASE_URL.
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})
    # WAL lets readers and one writer work at once; a writer waits instead of failing.
    DATABASES["default"]["OPTIONS"].update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: local memory by default, Redis via REDIS_URL (shared across app servers).
REDIS_URL = env("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "xiqia",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if XIQIA_ENV == "test":
    # Tests hash many passwords; a slow hasher would only measure itself.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "dashboard:home"

# Login lockout: after AXES_FAILURE_LIMIT failures for one username from one address,
# that pair is locked out for the cool-off period.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# Behind nginx every request comes from the proxy: name how many proxies to trust, so lockout
# and rate limits key on the real client (see xiqia/core/client_ip.py).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "xiqia.core.client_ip.client_ip"
# Attempted user names are stored as a keyed hash, never as typed (xiqia/accounts/lockout.py).
AXES_HANDLER = "xiqia.accounts.lockout.LockoutHandler"
AXES_USERNAME_CALLABLE = "xiqia.accounts.lockout.client_username"
AXES_SENSITIVE_PARAMETERS = ["username"]

# Internationalisation: Chinese first, English complete.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
NODE_MODULES = BASE_DIR / "node_modules"
# Front-end packages come from the npm registry (package.json) and are served from here,
# never from a CDN: the platform must work on a closed network.
STATICFILES_DIRS = [
    PACKAGE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
    # ES modules: the gate scanner verifies badge signatures offline with them.
    ("vendor/noble-ed25519", NODE_MODULES / "@noble" / "ed25519"),
    ("vendor/noble-hashes", NODE_MODULES / "@noble" / "hashes"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Outside production WhiteNoise serves straight from the finders (no collectstatic needed).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
FORMS_URLFIELD_ASSUME_HTTPS = True
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "/media/"

# Security headers. The Content-Security-Policy is on in every environment so that
# development and tests meet the same rules as production: no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True

# Voucher claims (tourism): per account and per client address, in DRF's "N/period" form.
VOUCHER_CLAIM_RATE_ACCOUNT = env("VOUCHER_CLAIM_RATE_ACCOUNT", "10/min")
VOUCHER_CLAIM_RATE_IP = env("VOUCHER_CLAIM_RATE_IP", "120/min")
# Rows a new campaign's stock is split over (xiqia/tourism/stock.py): concurrent claims commit side
# by side up to this many. A change applies to campaigns saved afterwards.
VOUCHER_STOCK_SHARDS = env_int("VOUCHER_STOCK_SHARDS", 16)
# The Redis gate in front of first-come campaigns (xiqia/tourism/gate.py): on with Redis, off when
# empty. It answers the crowd's refusals without the database; the database stays the truth.
VOUCHER_GATE_URL = env("VOUCHER_GATE_URL", REDIS_URL)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "xiqia.accounts.tokens.CachedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["xiqia.core.permissions.AccessPolicyPermission"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # JSON nested too deeply is refused as malformed (xiqia/core/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "xiqia.core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "xiqia.core.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"login": "20/min"},
    "NUM_PROXIES": TRUSTED_PROXY_COUNT or None,
}
# Seconds an API token's user and roles are remembered (xiqia/accounts/tokens.py); 0: never.
AUTH_CACHE_SECONDS = env_int("AUTH_CACHE_SECONDS", 30)
SPECTACULAR_SETTINGS = {
    "TITLE": "Xiqia API",
    "DESCRIPTION": _(
        "The Xiqia platform's REST API. Authenticate with a token: 'Authorization: Token <key>'."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The one error body, declared once and referenced by every operation (xiqia/core/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "xiqia.core.schema.document_errors",
    ],
    "ENUM_NAME_OVERRIDES": {
        # Investment: several choice sets share the field names "kind" and "status".
        "DealKindEnum": "xiqia.investment.models.DealKind",
        "DealDocumentKindEnum": "xiqia.investment.models.DealDocumentKind",
        "EvidenceKindEnum": "xiqia.investment.models.EvidenceKind",
        "ProjectStatusEnum": "xiqia.investment.models.ProjectStatus",
        "DealStatusEnum": "xiqia.investment.models.DealStatus",
        # Matchmaking: a participant's role is not an account role; offers and seeks share tags.
        "ParticipantRoleEnum": "xiqia.matchmaking.models.ParticipantRole",
        "NeedEnum": "xiqia.matchmaking.models.Need",
        "RequestStatusEnum": "xiqia.matchmaking.models.RequestStatus",
        "MeetingStatusEnum": "xiqia.matchmaking.models.MeetingStatus",
    },
}

# Every handler masks ID and mobile numbers (xiqia/core/logs.py): the console, Django's own
# loggers (which reach the root's console instead of Django's unfiltered default handler) and
# the development server's request log. gunicorn's access log: GunicornLogger in the same module.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"personal_data": {"()": "xiqia.core.logs.PersonalDataFilter"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["personal_data"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["personal_data"],
        },
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "INFO"},
    },
}
