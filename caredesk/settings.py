"""CareDesk settings: one file, read from environment variables.

SQLite (WAL) under var/ by default; PostgreSQL when DATABASE_URL says so. Every value that
differs between a laptop and a deployment comes from the environment through the helpers below.
"""

import os
from pathlib import Path
from urllib.parse import unquote, urlparse

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
    }


DEBUG = env_bool("CAREDESK_DEBUG", False)
# The development key is only for `make run` on a laptop; deployments set CAREDESK_SECRET_KEY.
SECRET_KEY = env_str("CAREDESK_SECRET_KEY") or "caredesk-development-only-not-for-production"
ALLOWED_HOSTS = env_list("CAREDESK_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CAREDESK_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "caredesk.audit",
    "caredesk.directory",
    "caredesk.stakeholders",
    "caredesk.timers",
    "caredesk.notify",
    "caredesk.tickets",
    "caredesk.inbound",
    "caredesk.escalation",
    "caredesk.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "caredesk.web.middleware.PersonTimezoneMiddleware",
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
AUTH_USER_MODEL = "directory.Person"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

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
SESSION_COOKIE_SECURE = env_bool("CAREDESK_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("CAREDESK_LOG_LEVEL", "WARNING")},
}

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
# Links in notifications point here.
SITE_URL = env_str("CAREDESK_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
MEDIA_ROOT = Path(env_str("CAREDESK_MEDIA_ROOT") or BASE_DIR / "var" / "media")
MEDIA_URL = "media/"

# Audit log: the worker seals records into a keyed hash chain (HMAC-SHA256) and writes signed
# checkpoints outside the database. The key must not live in the database it protects; the
# development key is only for `make run` on a laptop (`check --deploy` warns about it).
AUDIT_KEY = env_str("CAREDESK_AUDIT_KEY") or "caredesk-development-only-audit-key"
# An append-only file (default var/audit-checkpoints.log), or "syslog" (the local /dev/log) or
# "syslog://host:port" (UDP) to hand the lines to a log host.
AUDIT_CHECKPOINTS = env_str("CAREDESK_AUDIT_CHECKPOINTS") or str(
    BASE_DIR / "var" / "audit-checkpoints.log"
)
AUDIT_CHECKPOINT_ROWS = int(env_str("CAREDESK_AUDIT_CHECKPOINT_ROWS", "1000"))
AUDIT_CHECKPOINT_SECONDS = float(env_str("CAREDESK_AUDIT_CHECKPOINT_SECONDS", "30"))
