"""Settings, read from the environment in this one place.

DATABASE_URL   sqlite:///path or mysql://user:pass@host:port/name (default: db.sqlite3 here)
SECRET_KEY     required when DEBUG is off
DEBUG          1/0 (default 1 for local development)
ALLOWED_HOSTS  comma-separated
EMAIL_URL-ish: EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD,
               EMAIL_USE_TLS, DEFAULT_FROM_EMAIL
SMS_BACKEND    dotted path of the text-message backend (console by default); SMS_FILE_PATH for the file one
SECURE_SSL     1 turns on the HTTPS settings (default: on when DEBUG is off)
CACHE_URL      redis://host:port/db for a cache shared by every worker (default: each process its own)
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-local-development-only-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "core.apps.SchoolAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "core",
    "students",
    "attendance",
    "interventions",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.RequestContextMiddleware",
    # Last, as django-axes asks: turns a locked-out login's answer into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "school_support.urls"

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
                "core.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "school_support.wsgi.application"


def cache_settings(url: str) -> dict:
    """CACHES for CACHE_URL: Redis (`redis://…`, `rediss://…`) shared by every worker, or, when empty,
    a local-memory cache per process (the feedback page's rate limit then counts per worker)."""
    if not url:
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    if url.split("://", 1)[0] in ("redis", "rediss"):
        return {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}
    raise ImproperlyConfigured(f"CACHE_URL must be a redis:// or rediss:// address, not {url.split(':', 1)[0]!r}.")


CACHES = cache_settings(os.environ.get("CACHE_URL", ""))

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        # Each worker keeps its connection between requests (a new MariaDB connection costs a request about
        # 3 ms) and checks it before reusing it after an idle spell, so a dropped one is replaced, not an error.
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.mysql":
    DATABASES["default"].setdefault("OPTIONS", {}).update({"charset": "utf8mb4", "isolation_level": "read committed"})
    DATABASES["default"]["TEST"] = {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # Take the write lock when a transaction begins. A deferred transaction that reads and then
            # writes (check for a duplicate, then insert) cannot wait for the lock: SQLite refuses the
            # upgrade at once with "database is locked". Begun IMMEDIATE, the second one waits instead.
            "transaction_mode": "IMMEDIATE",
            # How long, in seconds, a connection waits for another's write lock before giving up.
            "timeout": 20,
            # Write-ahead log: readers are not blocked by a writer, nor a writer by readers. Kept in the
            # database file, so running it on every connection costs nothing; no effect in memory.
            "init_command": "PRAGMA journal_mode=WAL",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Shared school laptops: a session lasts 8 hours at most, and ends with the browser unless "Remember me"
# was ticked at login (core/auth.py).
SESSION_COOKIE_AGE = 8 * 60 * 60

# Login protection (django-axes): 10 failed logins for one username from one address lock that pair out
# for 15 minutes, on the login pages and the token endpoint alike (both authenticate through these
# backends, axes' first). Attempts during the lockout are refused without extending it; a success
# clears the count. Admins unlock in Django admin (Access attempts: delete the row).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "core.auth.UserBackend",
]
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_CALLABLE = "core.auth.lockout_username"
AXES_CLIENT_IP_CALLABLE = "core.middleware.client_ip"
AXES_LOCKOUT_CALLABLE = "core.auth.lockout_response"
# Our audit log records lockouts; axes' own log of every successful login would grow without a bound.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Email: console by default, SMTP when configured.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "School Support <no-reply@localhost>")

# Text messages to guardians: a dotted path to a BaseSMSBackend subclass (interventions/communications/sms.py).
SMS_BACKEND = os.environ.get("SMS_BACKEND", "interventions.communications.sms.ConsoleSMSBackend")
SMS_FILE_PATH = os.environ.get("SMS_FILE_PATH", str(BASE_DIR / "sent-sms"))

# HTTPS hardening: on by default in production.
if env_bool("SECURE_SSL", not DEBUG):
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp 4) on every response: scripts, styles, fonts, images and API calls
# from our own origin only; no inline script or style (our JS is in static files, htmx's indicator style
# is in app.css, Swagger UI's set-up comes from the split view), no plugins, no framing. `data:` images:
# Pico and Swagger UI draw their icons (checkbox ticks, select arrows) as data-URI SVGs in their CSS.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Retention of the audit log, in days (7 years by default).
AUDIT_RETENTION_DAYS = int(os.environ.get("AUDIT_RETENTION_DAYS", str(7 * 365)))
# How many proxies of ours (nginx, a load balancer) append to X-Forwarded-For before a request reaches
# gunicorn: the audit log's client IP is read that many entries from the header's right end. 0 (the
# default, also when gunicorn faces clients directly) ignores the header: clients can forge it.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

REST_FRAMEWORK = {
    # JWT first so that an unauthenticated request gets 401 with WWW-Authenticate, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework_simplejwt.authentication.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=int(os.environ.get("JWT_ACCESS_MINUTES", "15"))),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=int(os.environ.get("JWT_REFRESH_DAYS", "1"))),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "School Support API",
    "DESCRIPTION": "Attendance, early-warning alerts and intervention meetings for secondary schools.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a `status` with different choices; name each enum after its model.
    "ENUM_NAME_OVERRIDES": {
        "StudentStatusEnum": "students.models.Student.Status",
        "AttendanceStatusEnum": "attendance.models.AttendanceRecord.Status",
        "AlertStatusEnum": "interventions.models.Alert.Status",
        "MeetingStatusEnum": "interventions.models.InterventionMeeting.Status",
        "InquiryStatusEnum": "students.admissions.models.Inquiry.Status",
        "FollowUpStatusEnum": "students.admissions.models.FollowUp.Status",
        "FeedbackStatusEnum": "interventions.feedback.models.Feedback.Status",
        "FeedbackChannelEnum": "interventions.feedback.models.FeedbackLink.Channel",
        "ContactChannelEnum": "interventions.communications.models.Channel",
        # Alert severity and meeting urgency share the choices low|medium|high.
        "LevelEnum": "interventions.models.InterventionMeeting.Urgency",
        "RoleEnum": "core.models.User.Role",
        "EnrollmentSourceEnum": "interventions.programs.models.Enrollment.Source",
        "InquirySourceEnum": "students.admissions.models.Inquiry.Source",
        "ProgramStatusEnum": "interventions.models.Intervention.Status",
        "ProgramTierEnum": "interventions.programs.models.Tier",
        "SessionStatusEnum": "interventions.models.InterventionSession.Status",
        "EnrollmentStatusEnum": "interventions.models.Enrollment.Status",
        "EnrollmentEndEnum": "interventions.programs.api.ENROLLMENT_END_CHOICES",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
