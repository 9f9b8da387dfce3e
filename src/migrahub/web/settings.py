"""Django settings of the web hub, from the hub's settings (``migrahub.config``, documented in ``SETTINGS.md``).

The hub is one database (a SQLite file or a PostgreSQL schema): the core tables (owned by ``migrahub.store``
migrations) and Django's own tables (auth, sessions, API tokens, login throttling) live side by side in it.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from migrahub import config
from migrahub.store.database import default_db_path, is_url, locate
from migrahub.web.databases import django_database, hub_secret_key

WEB_DIR = Path(__file__).resolve().parent


MIGRAHUB_DB = locate()  # a file path or a postgresql:// URL (str)
# files that belong to the hub (uploads, a SQLite hub's secret key) live beside its file, or in the working folder
_NAMED = default_db_path()
_HUB_FILES = Path("migrahub") if is_url(_NAMED) else Path(_NAMED).resolve()


def _secret_key(db: str) -> str:
    """``MIGRAHUB_SECRET_KEY``, else a random key generated once and kept: in a file (mode 0600) next to a SQLite
    hub, in the database of a PostgreSQL hub (so every web process on every machine signs with the same key)."""
    key = config.get("MIGRAHUB_SECRET_KEY")
    if key:
        return key
    if is_url(db):
        return hub_secret_key(db)
    path = _HUB_FILES.with_name(_HUB_FILES.name + "-secret-key")
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    key = secrets.token_urlsafe(50)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process wrote it first
        return path.read_text(encoding="ascii").strip()
    except OSError:  # read-only folder: a per-process key (sessions end at restart)
        return key
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key + "\n")
    return key


SECRET_KEY = _secret_key(MIGRAHUB_DB)
DEBUG = config.get("MIGRAHUB_DEBUG")
ALLOWED_HOSTS = list(config.get("MIGRAHUB_ALLOWED_HOSTS"))
CSRF_TRUSTED_ORIGINS = list(config.get("MIGRAHUB_CSRF_TRUSTED_ORIGINS"))
MIGRAHUB_ANONYMOUS_READ = config.get("MIGRAHUB_ANONYMOUS_READ")
MIGRAHUB_HTTPS = config.get("MIGRAHUB_HTTPS")
MIGRAHUB_UPLOAD_DIR = Path(config.get("MIGRAHUB_UPLOAD_DIR")
                           or _HUB_FILES.with_name(_HUB_FILES.name + "-uploads")).resolve()
# login throttling (migrahub.web.throttle): this many failures for one user name from one client lock that pair,
# and this many from one client across user names lock the client, for the window
MIGRAHUB_LOGIN_MAX_FAILURES = config.get("MIGRAHUB_LOGIN_MAX_FAILURES")
MIGRAHUB_LOGIN_MAX_CLIENT_FAILURES = config.get("MIGRAHUB_LOGIN_MAX_CLIENT_FAILURES")
MIGRAHUB_LOGIN_LOCK_MINUTES = config.get("MIGRAHUB_LOGIN_LOCK_MINUTES")
# reverse proxies (addresses or networks) whose X-Forwarded-For names the client; nobody else's header is believed
MIGRAHUB_TRUSTED_PROXIES = list(config.get("MIGRAHUB_TRUSTED_PROXIES"))
for _entry in MIGRAHUB_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_entry, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"MIGRAHUB_TRUSTED_PROXIES: {_entry!r} is not an IP address or network "
                                   "(e.g. 10.0.0.5 or 10.0.0.0/24)") from None

INSTALLED_APPS = [
    "migrahub.web.apps.HubAdminConfig",  # django.contrib.admin with the hub's throttled sign-in
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "migrahub.web.apps.WebConfig",
    "migrahub.web.monitor.apps.MonitorConfig",
    "migrahub.web.consult.apps.ConsultConfig",
    "migrahub.web.compare.apps.CompareConfig",
    "migrahub.web.connect.apps.ConnectConfig",
    "django_tasks_db", "migrahub.web.jobs.apps.JobsConfig",  # the job queue (docs/jobs.md)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "migrahub.web.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # after authentication, and before any CSRF check or view reads a body (those run after every middleware's
    # request phase): uploads are refused unread when the caller may not send them, and bounded while streaming
    "migrahub.web.middleware.RequestBodyGuardMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "migrahub.web.middleware.ReadAccessMiddleware",
]

ROOT_URLCONF = "migrahub.web.urls"
WSGI_APPLICATION = "migrahub.web.wsgi.application"

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
                "migrahub.web.views.context.hub",
            ],
            "autoescape": True,
        },
    },
]

DATABASES = {"default": django_database(MIGRAHUB_DB)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # background jobs in the hub database

# each process keeps its own cache; every cached view is keyed on the hub's state counters (web/hubcache.py), which
# every process reads from the database, so no process serves a stale view. Sessions and login throttling are kept
# in the database, shared by every process and machine.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "migrahub"}}

# the only backend: every sign-in form (the hub's and the admin's) is throttled by it
AUTHENTICATION_BACKENDS = ["migrahub.web.throttle.ThrottledModelBackend"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "search"
LOGOUT_REDIRECT_URL = "search"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = config.get("MIGRAHUB_STATIC_ROOT")  # only for `collectstatic` behind another web server
WHITENOISE_USE_FINDERS = True  # serve straight from the package: no collectstatic step for a self-hosted hub
WHITENOISE_AUTOREFRESH = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
MIGRAHUB_UPLOAD_MAX_BYTES = config.get("MIGRAHUB_UPLOAD_MAX_BYTES")

# secure headers (CSP and Permissions-Policy are added by migrahub.web.middleware)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 14 * 24 * 3600
if MIGRAHUB_HTTPS:  # behind a TLS-terminating reverse proxy
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = config.get("MIGRAHUB_HSTS_SECONDS")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# outgoing mail (alert digests, relayed messages, receipts): plain SMTP, STARTTLS or TLS from the environment
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = config.get("MIGRAHUB_SMTP_HOST")
EMAIL_PORT = config.get("MIGRAHUB_SMTP_PORT")
EMAIL_HOST_USER = config.get("MIGRAHUB_SMTP_USER")
EMAIL_HOST_PASSWORD = config.get("MIGRAHUB_SMTP_PASSWORD")
EMAIL_USE_TLS = config.get("MIGRAHUB_SMTP_STARTTLS")
EMAIL_USE_SSL = config.get("MIGRAHUB_SMTP_TLS")
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = config.get("MIGRAHUB_MAIL_FROM")
# the hub's public address, for links in e-mails and feeds written outside a request (e.g. https://hub.example.org)
MIGRAHUB_BASE_URL = config.get("MIGRAHUB_BASE_URL").rstrip("/")
