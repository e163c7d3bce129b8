"""Settings, read from the environment.

The embedded defaults run the app locally on SQLite with no other service. Production
(``DJANGO_ENV=production``) refuses to start without ``DJANGO_SECRET_KEY``. Every
variable is listed in ``.env.example``.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PC_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DJANGO_ENV = os.environ.get("DJANGO_ENV", "development")
PRODUCTION = DJANGO_ENV == "production"

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_ENV=production.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

DEBUG = env_bool("DJANGO_DEBUG", not PRODUCTION)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "" if PRODUCTION else "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

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
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "cases",
    # Portal accounts (/portal/accounts/): sign-up, e-mail verification, password reset,
    # login throttling. Only its account app: no social logins.
    "allauth",
    "allauth.account",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "cases.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "protection_center.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
    {
        # The applicant's public pages: compiled templates, for the hottest page.
        "NAME": "jinja2",
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "protection_center.jinja_env.environment",
            "context_processors": ["protection_center.jinja_env.translations"],
        },
    },
]

WSGI_APPLICATION = "protection_center.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, worker, beat) share the file in the embedded run.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Covering indexes (INCLUDE columns) serve PostgreSQL; SQLite builds them without the
# extra columns, which is fine for the embedded run.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# Django's model permissions (the roles' groups), then the boundaries on objects: staff
# have their role's permissions on their own center's cases (cases/permissions.py).
# Portal users (never staff) log in by e-mail through allauth's backend and have the
# applicant's permissions on their entity's cases, or on those of the entities that
# authorised their agency (PortalBackend).
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "cases.permissions.CenterBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "cases.permissions.PortalBackend",
]

# Portal accounts (django-allauth, cases.portal_accounts.PortalAccountAdapter).
ACCOUNT_ADAPTER = "cases.portal_accounts.PortalAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
# Failed logins: per address and per e-mail entered (whether or not it has an account),
# counted in the cache; past the limit the form says so and nothing more.
PORTAL_LOGIN_FAILURES_PER_ADDRESS = os.environ.get("PORTAL_LOGIN_FAILURES_PER_ADDRESS", "20/10m")
PORTAL_LOGIN_FAILURES_PER_ACCOUNT = os.environ.get("PORTAL_LOGIN_FAILURES_PER_ACCOUNT", "5/15m")
ACCOUNT_RATE_LIMITS = {
    "login_failed": (
        f"{PORTAL_LOGIN_FAILURES_PER_ADDRESS}/ip,{PORTAL_LOGIN_FAILURES_PER_ACCOUNT}/key"
    ),
}
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/portal/"
ACCOUNT_LOGOUT_REDIRECT_URL = "/portal/"
# Sessions end after PORTAL_SESSION_HOURS without a request, and when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("PORTAL_SESSION_HOURS", "8")) * 3600
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Messages can carry a new access code: keep them server-side, not in a cookie.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "protection_center.staticfiles.AppDirectoriesFinder",
]
# Case documents and notices (cases.models.CaseDocument) go through the default storage:
# files under MEDIA_ROOT (var/media/), or an S3-compatible bucket when S3_BUCKET is set.
# They are never served from a URL of the storage: only through views that check
# permission (MEDIA_URL is unused).
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or VAR_DIR / "media")
_FILES_STORAGE: dict[str, object] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": MEDIA_ROOT, "file_permissions_mode": 0o640},
}
if os.environ.get("S3_BUCKET"):
    _FILES_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["S3_BUCKET"],
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("S3_REGION") or None,
            "access_key": os.environ.get("S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("S3_PREFIX", "documents"),
            # Private objects, never overwritten (names are random, checked anyway).
            "default_acl": "private",
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
STORAGES = {
    "default": _FILES_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Source maps are fetched only by a browser's developer tools: not worth compressing
# (the API docs' maps are 2.5 MB, most of the production build's time).
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [
    *Compressor.SKIP_COMPRESS_EXTENSIONS,
    "map",
]

CACHES = {
    "default": (
        {
            "BACKEND": "protection_center.cache.RedisCache",
            "LOCATION": os.environ["CACHE_URL"],
            # An unreachable server (no answer at all) costs a page a second, not minutes:
            # the cache only saves work (cases.optional_cache).
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        if os.environ.get("CACHE_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Celery: Redis when CELERY_BROKER_URL is set; otherwise a filesystem queue under var/
# so the embedded run needs no broker server.
_QUEUE_DIR = VAR_DIR / "celery-queue"
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://localhost/")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {"data_folder_in": str(_QUEUE_DIR), "data_folder_out": str(_QUEUE_DIR)}
    if CELERY_BROKER_URL.startswith("filesystem")
    else {}
)
CELERY_BROKER_CONNECTION_TIMEOUT = float(os.environ.get("CELERY_BROKER_CONNECTION_TIMEOUT", "2"))
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# The address people use to reach this site; links in e-mails start with it.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "protection-center@localhost")

if PRODUCTION:
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint logs each rendering step, fontTools each font subset: notices are many.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Public status page (cases.services.access): lookups of a case by reference and access
# code allowed per client address (all lookups; failed ones) and per reference (failed
# lookups) in each window of STATUS_RATE_LIMIT_WINDOW seconds; more get 429. Counters
# live in the cache, so set CACHE_URL when running more than one web process.
STATUS_RATE_LIMIT_PER_ADDRESS = int(os.environ.get("STATUS_RATE_LIMIT_PER_ADDRESS", "60"))
STATUS_RATE_LIMIT_FAILED_PER_ADDRESS = int(
    os.environ.get("STATUS_RATE_LIMIT_FAILED_PER_ADDRESS", "10")
)
STATUS_RATE_LIMIT_PER_REFERENCE = int(os.environ.get("STATUS_RATE_LIMIT_PER_REFERENCE", "5"))
STATUS_RATE_LIMIT_WINDOW = int(os.environ.get("STATUS_RATE_LIMIT_WINDOW", "600"))
# How long a signed status link (/status/c/<token>/) stays valid.
STATUS_LINK_MAX_AGE_DAYS = int(os.environ.get("STATUS_LINK_MAX_AGE_DAYS", "90"))
# Rendered status pages are kept in the cache at most this many seconds, under the
# versions of what they show (cases.services.status_pages): a change is seen at once in
# every process, with any cache. 0 turns keeping off.
STATUS_PAGE_CACHE_SECONDS = int(os.environ.get("STATUS_PAGE_CACHE_SECONDS", "900"))

# Uploaded documents (cases.services.documents): the largest file accepted, in bytes
# (default 20 MB), and the most pixels an image may have (decompression bombs).
DOCUMENT_MAX_BYTES = int(os.environ.get("DOCUMENT_MAX_BYTES", str(20 * 1024 * 1024)))
DOCUMENT_MAX_PIXELS = int(os.environ.get("DOCUMENT_MAX_PIXELS", "40000000"))

# The REST API (cases.api): personal tokens (``Authorization: Token <token>``) for
# programs, the staff session for the browsable docs; cursor pages; a request budget
# per token (per user for sessions) in the cache, so set CACHE_URL with several web
# processes.
API_THROTTLE_RATE = os.environ.get("API_THROTTLE_RATE", "600/min")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "cases.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["cases.api.throttling.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": API_THROTTLE_RATE},
    "DEFAULT_PAGINATION_CLASS": "cases.api.pagination.Cursor",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "cases.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Protection Center API",
    "DESCRIPTION": "Cases, their clocks, events and documents; submissions and transitions.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The docs' JavaScript and CSS from our own static files: no CDN on closed networks.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "PatentTypeEnum": "cases.choices.PatentType",
        "CaseStateEnum": "cases.choices.CaseState",
    },
}
# API (cases.services.idempotency): days an Idempotency-Key's first answer is kept; a
# daily task deletes older ones.
IDEMPOTENCY_KEY_DAYS = int(os.environ.get("IDEMPOTENCY_KEY_DAYS", "7"))
# Webhooks (cases.services.webhooks): seconds to connect and to read the answer; hosts
# (names or addresses) allowed even though they are loopback, link-local or private
# (empty in production: an endpoint must not reach into the center's network).
WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", "5"))
WEBHOOK_ALLOWED_PRIVATE_HOSTS = env_list("WEBHOOK_ALLOWED_PRIVATE_HOSTS")
# Staff workbench (cases.services): the latest correction due date staff may give, in
# working days after the request (the published rule is 5; a request beyond this is a
# typing mistake).
CORRECTION_DUE_MAX_WORKDAYS = int(os.environ.get("CORRECTION_DUE_MAX_WORKDAYS", "30"))
