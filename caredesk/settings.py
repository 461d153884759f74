"""CareDesk settings: one file, read from environment variables.

SQLite (WAL) under var/ by default; PostgreSQL when DATABASE_URL says so. Every value that
differs between a laptop and a deployment comes from the environment through the helpers below.
"""

import datetime as dt
import json
import os
from pathlib import Path
from urllib.parse import unquote, urlparse

import structlog
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    return [v.strip() for v in value.split(",") if v.strip()] if value else default


def database_from_url(url: str) -> dict:
    """A Django DATABASES entry from postgres://user:pass@host:port/name (or SQLite default)."""
    if not url:
        path = Path(env_str("CAREDESK_SQLITE_PATH", str(BASE_DIR / "var" / "caredesk.sqlite3")))
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": path,
            # IMMEDIATE: a writing transaction takes the write lock at BEGIN, so two writers
            # queue on the busy timeout instead of failing on lock upgrade.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                ),
            },
            "TEST": {"NAME": env_str("CAREDESK_SQLITE_TEST_PATH") or None},
        }
    parts = urlparse(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise ValueError(f"DATABASE_URL scheme {parts.scheme!r} is not supported")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")) or "caredesk",
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        "CONN_MAX_AGE": int(env_str("DATABASE_CONN_MAX_AGE", "60")),
        "CONN_HEALTH_CHECKS": True,
        # No JIT: the visibility filter's cost estimate switched it on for queries that then
        # spent most of their time compiling (bench/hotpaths.md: the hand-over report 3.5 →
        # 1.0 s, the at-risk list 691 → 117 ms, the dashboard 2.7 → 1.2 s at 1,000,000 tickets).
        "OPTIONS": {"options": "-c jit=off"},
    }


DEBUG = env_bool("CAREDESK_DEBUG", False)
# A deployment says CAREDESK_PRODUCTION=1: HTTPS only, secure cookies, HSTS, and a real secret
# key or no start at all. `make run` and the tests run without it, on plain http://127.0.0.1.
PRODUCTION = env_bool("CAREDESK_PRODUCTION", False)
DEVELOPMENT_SECRET_KEY = "caredesk-development-only-not-for-production"
# What a deployment cannot do without (.env.example lists them first): a laptop's defaults for
# these would run, but wrongly (every request a 400 for its Host, links to 127.0.0.1).
REQUIRED_IN_PRODUCTION = [
    "CAREDESK_SECRET_KEY",
    "CAREDESK_AUDIT_KEY",
    "CAREDESK_ALLOWED_HOSTS",
    "CAREDESK_SITE_URL",
]
if PRODUCTION and (missing := [n for n in REQUIRED_IN_PRODUCTION if not env_str(n).strip()]):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "CAREDESK_PRODUCTION is set but these are not: " + ", ".join(missing) + ". Every "
        "variable is described in .env.example (docs/deploy.md: step by step)."
    )
if PRODUCTION and not env_str("CAREDESK_SITE_URL").startswith("https://"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "CAREDESK_PRODUCTION is set, so CAREDESK_SITE_URL must be the https:// address people "
        "use (a deployment redirects plain http to https)."
    )
# The development key is only for `make run` on a laptop; deployments set CAREDESK_SECRET_KEY.
SECRET_KEY = env_str("CAREDESK_SECRET_KEY") or DEVELOPMENT_SECRET_KEY
if PRODUCTION and (SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 50):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "CAREDESK_PRODUCTION is set but CAREDESK_SECRET_KEY is missing, the development key, or "
        "shorter than 50 characters. Generate one with: python -c 'import secrets; "
        "print(secrets.token_urlsafe(64))'"
    )
if PRODUCTION and DEBUG:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("CAREDESK_DEBUG must be off when CAREDESK_PRODUCTION is set.")
if PRODUCTION and os.environ.get("CAREDESK_CLOCK_OFFSET_FILE"):
    from django.core.exceptions import ImproperlyConfigured

    # The moved clock of the crash runs (caredesk/clock.py) has no place in a deployment.
    raise ImproperlyConfigured("CAREDESK_CLOCK_OFFSET_FILE must not be set in production.")
ALLOWED_HOSTS = env_list("CAREDESK_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
# Links in notifications point here; its origin is where people's forms come from.
SITE_URL = env_str("CAREDESK_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Behind a proxy on another port (or a name the proxy rewrites) the browser's Origin is not the
# Host Django sees: the site's own origin is always trusted, and any others named.
_site = urlparse(SITE_URL)
CSRF_TRUSTED_ORIGINS = [
    f"{_site.scheme}://{_site.netloc}",
    *env_list("CAREDESK_CSRF_TRUSTED_ORIGINS", []),
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    # Two-step sign-in: django-otp's TOTP device model (before caredesk.directory, whose admin
    # takes the device's admin page away again: devices change only through directory/totp.py).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "caredesk.audit",
    "caredesk.attachments",
    "caredesk.directory",
    "caredesk.calendars",
    "caredesk.stakeholders",
    "caredesk.timers",
    "caredesk.notify",
    "caredesk.tickets",
    "caredesk.inbound",
    "caredesk.escalation",
    "caredesk.fieldwork",
    "caredesk.complaints",
    "caredesk.satisfaction",
    # The analysis floor: one app per area, read-only over the floors below.
    "caredesk.insights.handover",
    "caredesk.insights.analytics",
    "caredesk.insights.cases",
    "caredesk.insights.risk",
    "caredesk.runtime",
    "caredesk.demo",
    "caredesk.web",
]

MIDDLEWARE = [
    # outermost of all: every answer, the error shape's 500 too, carries the request id
    "caredesk.runtime.middleware.RequestIdMiddleware",
    "caredesk.api.ErrorShapeMiddleware",  # outermost: it sees every /api/ answer, the 500 too
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "caredesk.web.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "caredesk.web.middleware.SessionLifetimeMiddleware",
    "caredesk.web.twostep.EnrolmentRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "caredesk.web.middleware.PersonTimezoneMiddleware",
    "caredesk.web.middleware.NoStoreWhenSignedInMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "caredesk.urls"
WSGI_APPLICATION = "caredesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {"default": database_from_url(env_str("DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# SQLite cannot treat empty scopes as equal in a unique constraint (W047); the role
# assignments service refuses such duplicates itself, and PostgreSQL has the constraint.
SILENCED_SYSTEM_CHECKS = ["models.W047"]
AUTH_USER_MODEL = "directory.Person"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

# Sign-in lock-out (django-axes), for /login/ and /admin/login/ alike: after
# CAREDESK_LOGIN_FAILURE_LIMIT wrong passwords for one username from one address, that pair is
# refused for CAREDESK_LOGIN_LOCKOUT_MINUTES (each try meanwhile starts the wait again). Per
# pair, so a stranger guessing cannot lock a colleague out from elsewhere; a success resets the
# count. An administrator lifts a lock by deleting the attempt in the admin (Axes · Access
# attempts) or with `manage.py axes_reset_username USERNAME`.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesBackend",  # first: it refuses a locked-out pair before any password check
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(env_str("CAREDESK_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(env_str("CAREDESK_LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "caredesk.web.lockout.lockout_response"
# Reverse proxies in front (nginx: 1) whose X-Forwarded-For names the client; 0 = none.
TRUSTED_PROXIES = int(env_str("CAREDESK_TRUSTED_PROXIES", "0"))
AXES_CLIENT_IP_CALLABLE = "caredesk.web.lockout.client_address"

# Two-step sign-in (TOTP, caredesk/directory/totp.py): staff may add an authenticator app on
# their Two-step verification page; then sign-in asks for its code after the password. With
# CAREDESK_TOTP_REQUIRED_FOR_ADMINS an administrator (role admin, superuser or Django staff)
# without one can do nothing but set one up. Wrong codes (or recovery codes): after
# CAREDESK_TOTP_FAILURE_LIMIT in a row, that person's code step is refused for
# CAREDESK_TOTP_LOCKOUT_MINUTES, whatever the address (the password is known by then). A
# sign-in waits CAREDESK_TOTP_PENDING_MINUTES for its code. API tokens are not affected.
TOTP_REQUIRED_FOR_ADMINS = env_bool("CAREDESK_TOTP_REQUIRED_FOR_ADMINS", False)
TOTP_FAILURE_LIMIT = int(env_str("CAREDESK_TOTP_FAILURE_LIMIT", "5"))
TOTP_LOCKOUT_MINUTES = int(env_str("CAREDESK_TOTP_LOCKOUT_MINUTES", "15"))
TOTP_PENDING_MINUTES = int(env_str("CAREDESK_TOTP_PENDING_MINUTES", "5"))
# The name authenticator apps show beside the account (several installations: name each).
OTP_TOTP_ISSUER = env_str("CAREDESK_TOTP_ISSUER", "CareDesk")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Requests per minute one API token may make (0: no limit); past it the API answers 429 with
# Retry-After. Counted in the `ratelimit` cache: per process unless CAREDESK_RATELIMIT_CACHE=db.
API_RATE_PER_MINUTE = int(env_str("CAREDESK_API_RATE_PER_MINUTE", "1200"))
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "ratelimit": (
        {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "caredesk_cache"}
        if env_str("CAREDESK_RATELIMIT_CACHE") == "db"
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ratelimit"}
    ),
}
# Sessions: signed out after this long without a request, and after this long in any case.
# (The idle clock is renewed at most once a minute, not on every request: see
# caredesk.web.middleware.SessionLifetimeMiddleware.)
SESSION_COOKIE_AGE = 60 * int(env_str("CAREDESK_SESSION_IDLE_MINUTES", "120"))
SESSION_MAX_HOURS = int(env_str("CAREDESK_SESSION_MAX_HOURS", "12"))

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
# Stored in UTC; shown in the viewer's zone, Asia/Shanghai unless the person chose another.
TIME_ZONE = env_str("CAREDESK_TIME_ZONE", "Asia/Shanghai")

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Deployments set CAREDESK_STATIC_ROOT and run collectstatic; `make run` serves from static/.
STATIC_ROOT = env_str("CAREDESK_STATIC_ROOT") or None
WHITENOISE_USE_FINDERS = True

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("CAREDESK_SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
# HTTPS: a production deployment redirects plain http and tells browsers to stay on https
# (HSTS, a year by default). Behind a TLS-terminating proxy, CAREDESK_PROXY_SSL_HEADER=1 trusts
# its X-Forwarded-Proto.
SECURE_SSL_REDIRECT = env_bool("CAREDESK_SSL_REDIRECT", PRODUCTION)
# Probes (a container's health check, a load balancer's) call the process over plain http on
# its own port: answer them instead of a redirect to https. They carry no cookie and no secret.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = int(env_str("CAREDESK_HSTS_SECONDS", "31536000" if PRODUCTION else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("CAREDESK_HSTS_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("CAREDESK_HSTS_PRELOAD", PRODUCTION)
if env_bool("CAREDESK_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content Security Policy (Django's own middleware): every script and style comes from this
# server (static/ holds htmx, Bootstrap and Swagger UI — operators' intranets have no CDN).
# Inline style attributes stay allowed: Bootstrap's and Swagger UI's components set them.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# Browser features no page of CareDesk uses, switched off (caredesk.web.middleware).
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), "
    "bluetooth=(), midi=(), magnetometer=(), gyroscope=(), accelerometer=(), "
    "display-capture=(), interest-cohort=()"
)

# Logs: one JSON object per line on stderr (CAREDESK_LOG_FORMAT=console: key=value lines for
# people), through structlog for CareDesk's own lines and the standard library's (Django's,
# gunicorn's) alike. Every line written while a request or the worker's handling of a row is
# under way carries its request id (caredesk.tracing). CAREDESK_LOG_LEVEL=INFO adds a line
# per request and per message and timer the worker finishes.
_log_chain = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]
structlog.configure(
    processors=[
        structlog.stdlib.filter_by_level,
        *_log_chain,
        structlog.processors.StackInfoRenderer(),
        structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
    ],
    logger_factory=structlog.stdlib.LoggerFactory(),
    wrapper_class=structlog.stdlib.BoundLogger,
    cache_logger_on_first_use=True,
)
LOG_FORMAT = env_str("CAREDESK_LOG_FORMAT", "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "structured": {
            "()": structlog.stdlib.ProcessorFormatter,
            "foreign_pre_chain": _log_chain,
            "processors": [
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                structlog.processors.KeyValueRenderer(
                    key_order=["timestamp", "level", "event", "request_id"], drop_missing=True
                )
                if LOG_FORMAT == "console"
                else structlog.processors.JSONRenderer(ensure_ascii=False),
            ],
        },
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    # satisfaction: a survey link is its own credential, so request lines and "Not Found"
    # warnings that name one are logged with the token replaced (caredesk.satisfaction.tokens).
    "filters": {"survey_links": {"()": "caredesk.satisfaction.tokens.RedactSurveyTokens"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "structured",
            "filters": ["survey_links"],
        },
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["survey_links"],
        },
    },
    "root": {"handlers": ["console"], "level": env_str("CAREDESK_LOG_LEVEL", "WARNING")},
    "loggers": {
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "django.request": {"filters": ["survey_links"]},
    },
}

# Operations: readiness (/readyz) and Prometheus metrics (/metrics).
# The worker counts as alive while its last heartbeat is at most this old.
READY_HEARTBEAT_MAX_AGE = int(env_str("CAREDESK_READY_HEARTBEAT_MAX_AGE", "60"))
# Unready when more messages than this are due and not yet sent.
READY_OUTBOX_MAX = int(env_str("CAREDESK_READY_OUTBOX_MAX", "1000"))
# /metrics: a bearer token when set; otherwise only these addresses or networks.
METRICS_TOKEN = env_str("CAREDESK_METRICS_TOKEN")
METRICS_ALLOW = env_list("CAREDESK_METRICS_ALLOW", ["127.0.0.1/32", "::1/128"])

# Notifications: outgoing mail (SMTP), webhook delivery, inbound mail attachments.
# Without CAREDESK_EMAIL_HOST (a laptop's `make run`) mail is written as files to var/mail/.
_smtp_host = env_str("CAREDESK_EMAIL_HOST")
MAILERS = {
    "default": (
        {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _smtp_host,
                "port": int(env_str("CAREDESK_EMAIL_PORT", "25")),
                "username": env_str("CAREDESK_EMAIL_USER"),
                "password": env_str("CAREDESK_EMAIL_PASSWORD"),
                "use_tls": env_bool("CAREDESK_EMAIL_USE_TLS", False),
                "use_ssl": env_bool("CAREDESK_EMAIL_USE_SSL", False),
                "timeout": int(env_str("CAREDESK_EMAIL_TIMEOUT", "20")),
            },
        }
        if _smtp_host
        else {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(BASE_DIR / "var" / "mail")},
        }
    )
}
DEFAULT_FROM_EMAIL = env_str("CAREDESK_FROM_EMAIL", "CareDesk <caredesk@caredesk.local>")
# The right-hand side of the Message-IDs CareDesk sends; replies are matched against it.
NOTIFY_EMAIL_DOMAIN = env_str("CAREDESK_EMAIL_DOMAIN", "caredesk.local")
NOTIFY_MAX_ATTEMPTS = int(env_str("CAREDESK_NOTIFY_MAX_ATTEMPTS", "8"))
NOTIFY_BACKOFF_BASE = float(env_str("CAREDESK_NOTIFY_BACKOFF_BASE", "30"))
NOTIFY_BACKOFF_CAP = float(env_str("CAREDESK_NOTIFY_BACKOFF_CAP", "3600"))
NOTIFY_HTTP_TIMEOUT = float(env_str("CAREDESK_NOTIFY_HTTP_TIMEOUT", "10"))
# A resolved ticket nobody confirms or reopens closes by itself after this silence (a reminder
# goes to the requester half-way); the customer may still reopen it for the grace period.
AUTO_CLOSE_DAYS = int(env_str("CAREDESK_AUTO_CLOSE_DAYS", "7"))
REOPEN_GRACE_DAYS = int(env_str("CAREDESK_REOPEN_GRACE_DAYS", "14"))
# satisfaction: surveys after closure (caredesk.satisfaction). A survey goes this long after a
# ticket (or complaint) closes, if the ticket is still closed then; to a share of the closures
# (the sampling rate, 0–1) and to one contact at most once in the cap's days; its link works for
# the link's days, once.
SURVEY_DELAY_HOURS = float(env_str("CAREDESK_SURVEY_DELAY_HOURS", "24"))
SURVEY_SAMPLING_RATE = float(env_str("CAREDESK_SURVEY_SAMPLING_RATE", "1"))
SURVEY_CAP_DAYS = int(env_str("CAREDESK_SURVEY_CAP_DAYS", "30"))
SURVEY_LINK_DAYS = int(env_str("CAREDESK_SURVEY_LINK_DAYS", "14"))
MEDIA_ROOT = Path(env_str("CAREDESK_MEDIA_ROOT") or BASE_DIR / "var" / "media")
MEDIA_URL = "media/"

# Audit log: the worker seals records into a keyed hash chain (HMAC-SHA256) and writes signed
# checkpoints outside the database. The key must not live in the database it protects; the
# development key is only for `make run` on a laptop (`check --deploy` warns about it).
AUDIT_KEY = env_str("CAREDESK_AUDIT_KEY") or "caredesk-development-only-audit-key"
if PRODUCTION and "development-only" in AUDIT_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "CAREDESK_PRODUCTION is set but CAREDESK_AUDIT_KEY is not: set a long random key, kept "
        "outside the database the audit log protects."
    )
# An append-only file (by default beside the database, below), or "syslog" (the local /dev/log) or
# "syslog://host:port" (UDP) to hand the lines to a log host.
# By default each database has its own log beside it (SQLite: next to its file; PostgreSQL: under
# var/, named after the database): a log that vouches for another database's chain would read
# as tampering after the demo database is made afresh.
_db = DATABASES["default"]
AUDIT_CHECKPOINTS = env_str("CAREDESK_AUDIT_CHECKPOINTS") or (
    f"{_db['NAME']}.audit-checkpoints.log"
    if _db["ENGINE"].endswith("sqlite3")
    else str(BASE_DIR / "var" / f"audit-checkpoints-{_db['HOST'] or 'local'}-{_db['NAME']}.log")
)
AUDIT_CHECKPOINT_ROWS = int(env_str("CAREDESK_AUDIT_CHECKPOINT_ROWS", "1000"))
AUDIT_CHECKPOINT_SECONDS = float(env_str("CAREDESK_AUDIT_CHECKPOINT_SECONDS", "30"))

# ---- masks: alarm-masking rules and the Alertmanager they are enforced in front of.
# The Alertmanager approved rules are pushed to as silences (http://host:9093); empty: none.
ALERTMANAGER_URL = env_str("ALERTMANAGER_URL").strip()
ALERTMANAGER_TIMEOUT = float(env_str("CAREDESK_ALERTMANAGER_TIMEOUT", "10"))
# How often the worker reads Alertmanager's silences to report the ones CareDesk did not make.
MASK_RECONCILE_SECONDS = float(env_str("CAREDESK_MASK_RECONCILE_SECONDS", "60"))
# A rule without an end given lasts this long; no rule lasts longer than the customer's maximum
# (per customer in the admin, *masking limits*), this one where the customer has none.
MASK_DEFAULT_HOURS = float(env_str("CAREDESK_MASK_DEFAULT_HOURS", "24"))
MASK_MAX_HOURS = float(env_str("CAREDESK_MASK_MAX_HOURS", "72"))
# The owner and the stakeholders are told this long before a rule ends.
MASK_WARN_MINUTES = float(env_str("CAREDESK_MASK_WARN_MINUTES", "60"))
# The alarm labels a rule's network elements and alarm codes become matchers on.
MASK_ELEMENT_LABEL = env_str("CAREDESK_MASK_ELEMENT_LABEL", "ne")
MASK_ALARM_LABEL = env_str("CAREDESK_MASK_ALARM_LABEL", "alarm_code")

# ---- attachments: files on tickets (and the records that register as owners).
# Stored outside the web root (nothing serves this directory: every download passes a
# permission check in caredesk.attachments.views). The allow-list names sniffed types (the
# file's first bytes decide, never its name): png jpeg gif webp pdf zip text.
ATTACHMENTS_DIR = Path(env_str("CAREDESK_ATTACHMENTS_DIR") or BASE_DIR / "var" / "attachments")
ATTACHMENTS_MAX_BYTES = int(env_str("CAREDESK_ATTACHMENTS_MAX_MB", "10")) * 1024 * 1024
ATTACHMENTS_ALLOWED = env_list(
    "CAREDESK_ATTACHMENTS_ALLOWED", ["png", "jpeg", "gif", "webp", "pdf", "zip", "text"]
)
# ---- end of attachments

# ---- reports: the half-year report's runs (caredesk.insights.analytics) and its scheduled packs.
# Built files live here, outside the web root: every download passes a permission check.
REPORTS_DIR = Path(env_str("CAREDESK_REPORTS_DIR") or BASE_DIR / "var" / "reports")
# Scheduled packs, a JSON list (see docs/analytics.md): each {"name", "kind": "monthly" or
# "half_year", "as": the username whose view of the figures it shows, optional "customer",
# "office", "language", "people": usernames mailed the files, "endpoints": ids of group robots
# posted a link}. A period's pack is built once its period ended this many hours ago.
try:
    REPORT_SCHEDULES = json.loads(env_str("CAREDESK_REPORT_SCHEDULES") or "[]")
except ValueError as _exc:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"CAREDESK_REPORT_SCHEDULES is not JSON: {_exc}") from _exc
if not isinstance(REPORT_SCHEDULES, list):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("CAREDESK_REPORT_SCHEDULES is a JSON list of schedules")
REPORT_PACK_DELAY_HOURS = float(env_str("CAREDESK_REPORT_PACK_DELAY_HOURS", "2"))
# ---- end of reports
