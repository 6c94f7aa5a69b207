"""Kaohe's settings: one file, the environment for what differs between machines.

A fresh checkout runs with SQLite and no environment at all (``make run``). Production sets
``KAOHE_PRODUCTION=1`` and the variables listed in ``docs/deploy.md``; ``manage.py check
--deploy --fail-level WARNING`` passes with them (a test keeps it so).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    return os.getenv(name, default).strip().lower() in ("1", "true", "yes", "on")


def envint(name: str, default: int) -> int:
    return int(os.getenv(name, str(default)))


def envsecret(name: str, default: str) -> str:
    """A secret from NAME, or from the file named by NAME_FILE (for container secrets)."""
    path = os.getenv(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.getenv(name, default)


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


PRODUCTION = envbool("KAOHE_PRODUCTION", "false")
DEBUG = envbool("KAOHE_DEBUG", "false") and not PRODUCTION

if PRODUCTION:
    SECRET_KEY = envsecret("KAOHE_SECRET_KEY", "")
    if len(SECRET_KEY) < 50:
        raise RuntimeError("KAOHE_SECRET_KEY must be set to 50 or more random characters in production")
else:
    SECRET_KEY = envsecret("KAOHE_SECRET_KEY", "insecure-development-key-never-use-it-in-production")

# Behind nginx, the client's address is the last one nginx appends to X-Forwarded-For; trust the
# header only when a proxy that sets it stands in front (login throttling and the audit log use it).
KAOHE_TRUST_X_FORWARDED_FOR = envbool("KAOHE_TRUST_X_FORWARDED_FOR", "false")

ALLOWED_HOSTS = envlist("KAOHE_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("KAOHE_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "simple_history",
    "rules.apps.AutodiscoverRulesConfig",
    "django_cas_ng",
    "django_tasks_db",
    "kaohe.lib",
    "kaohe.org",
    "kaohe.audit",
    "kaohe.plans",
    "kaohe.progress",
    "kaohe.initiatives",
    "kaohe.supervision",
    "kaohe.bulletins",
    "kaohe.home",
    "kaohe.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "kaohe.audit.middleware.AuditContextMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "kaohe.org.middleware.SessionTimeoutMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "kaohe.org.middleware.AccessPolicyMiddleware",
    "kaohe.org.middleware.PasswordExpiryMiddleware",
    "kaohe.lib.upload_limits.UploadLimitMiddleware",
]

ROOT_URLCONF = "kaohe.urls"
WSGI_APPLICATION = "kaohe.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "kaohe" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kaohe.org.context_processors.access_context",
            ],
        },
    },
]

# SQLite is the default so that a checkout runs with nothing else installed; production sets
# DATABASE_URL=postgres://… . IMMEDIATE transactions and a busy timeout keep concurrent writers
# from failing with "database is locked".
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'var' / 'kaohe.sqlite3'}",
        conn_max_age=envint("KAOHE_DB_CONN_MAX_AGE", 0 if not PRODUCTION else 600),
    )
}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = DATABASES["default"].get("CONN_MAX_AGE", 0) > 0
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "org.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "django_cas_ng.backends.CASBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Passwords. ASVS 5.0 by default: length, not composition, and no forced rotation. Schools
# evaluated under 等级保护 switch on complexity and rotation with KAOHE_PASSWORD_POLICY=dengbao.
PASSWORD_POLICY = os.getenv("KAOHE_PASSWORD_POLICY", "asvs")
if PASSWORD_POLICY not in ("asvs", "dengbao"):
    raise RuntimeError("KAOHE_PASSWORD_POLICY must be 'asvs' or 'dengbao'")
PASSWORD_MIN_LENGTH = envint("KAOHE_PASSWORD_MIN_LENGTH", 8)
PASSWORD_MAX_AGE_DAYS = envint("KAOHE_PASSWORD_MAX_AGE_DAYS", 90 if PASSWORD_POLICY == "dengbao" else 0)
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "name", "email")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "kaohe.org.passwords.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {
        "NAME": "kaohe.org.passwords.ContextWordsValidator",
        "OPTIONS": {"words": envlist("KAOHE_PASSWORD_CONTEXT_WORDS", "kaohe,考核,jzu,焦作大学,password,mima")},
    },
]
if PASSWORD_POLICY == "dengbao":
    AUTH_PASSWORD_VALIDATORS.append(
        {"NAME": "kaohe.org.passwords.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}}
    )

# Login throttling (ASVS 6.3.1, 等保 登录失败处理): per account and per client address.
LOGIN_FAILURE_LIMIT = envint("KAOHE_LOGIN_FAILURE_LIMIT", 5)
LOGIN_FAILURE_WINDOW_MINUTES = envint("KAOHE_LOGIN_FAILURE_WINDOW_MINUTES", 30)
LOGIN_IP_USERNAME_LIMIT = envint("KAOHE_LOGIN_IP_USERNAME_LIMIT", 20)

# Sessions: idle timeout (等保 超时退出) and an absolute lifetime.
SESSION_IDLE_TIMEOUT_MINUTES = envint("KAOHE_SESSION_IDLE_MINUTES", 30)
SESSION_COOKIE_AGE = envint("KAOHE_SESSION_ABSOLUTE_HOURS", 8) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Single sign-on (统一身份认证) through CAS, switched on by naming the server. Only people who
# already exist in Kaohe may log in this way: roles come from the office, not from CAS.
CAS_SERVER_URL = os.getenv("KAOHE_CAS_SERVER_URL", "")
CAS_VERSION = os.getenv("KAOHE_CAS_VERSION", "3")
# CAS attributes are not copied onto people: django-cas-ng would set any attribute the server
# sends (is_superuser included) on the user object. Names come from the office's own records.
CAS_CREATE_USER = False
CAS_APPLY_ATTRIBUTES_TO_USER = False
CAS_REDIRECT_URL = "/"
CAS_LOGOUT_COMPLETELY = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "kaohe" / "locale"]
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Collected files exist only in production (collectstatic); development serves from the finders.
STATIC_ROOT = BASE_DIR / "staticfiles" if PRODUCTION else None
STATICFILES_DIRS = [BASE_DIR / "kaohe" / "static"]
# Uploaded files live outside any public folder and are only ever served through views that
# check access: there is deliberately no MEDIA_URL route.
MEDIA_ROOT = Path(os.getenv("KAOHE_FILES_DIR", str(BASE_DIR / "var" / "files")))
FILE_UPLOAD_TEMP_DIR = os.getenv("KAOHE_UPLOAD_TEMP_DIR") or None
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Evidence limits (docs/evidence.md): per file, per request, per report, per department and year.
# A request over the limits is refused before its body is read (kaohe.lib.upload_limits).
EVIDENCE_MAX_FILE_BYTES = envint("KAOHE_EVIDENCE_MAX_FILE_MB", 20) * 1024 * 1024
UPLOAD_MAX_REQUEST_BYTES = envint("KAOHE_UPLOAD_MAX_REQUEST_MB", 100) * 1024 * 1024
EVIDENCE_MAX_FILES_PER_REPORT = envint("KAOHE_EVIDENCE_MAX_FILES", 20)
EVIDENCE_DEPARTMENT_YEAR_BYTES = envint("KAOHE_EVIDENCE_DEPARTMENT_YEAR_MB", 2048) * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = EVIDENCE_MAX_FILES_PER_REPORT
FILE_UPLOAD_HANDLERS = [
    "kaohe.lib.upload_limits.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Behind nginx, downloads are handed to it with X-Accel-Redirect to this internal location
# (deploy/nginx.conf.example); empty: Django streams the file itself.
EVIDENCE_ACCEL_REDIRECT = os.getenv("KAOHE_EVIDENCE_ACCEL_REDIRECT", "")
# Traffic lights: a node not complete turns yellow this many days before it is due.
TRAFFIC_LIGHT_WARN_DAYS = envint("KAOHE_WARN_DAYS", 3)
# Overdue nodes reach the head's to-do list after this many days, the office's after the second.
ESCALATE_HEAD_DAYS = envint("KAOHE_ESCALATE_HEAD_DAYS", 3)
ESCALATE_OFFICE_DAYS = envint("KAOHE_ESCALATE_OFFICE_DAYS", 7)
IMPORT_MAX_BYTES = envint("KAOHE_IMPORT_MAX_BYTES", 5 * 1024 * 1024)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Evidence files under MEDIA_ROOT/evidence/, random names, never served from a URL of their own.
    "evidence": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = envbool("KAOHE_SSL_REDIRECT", "true")
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = envint("KAOHE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = envbool("KAOHE_HSTS_PRELOAD", "true")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Background work (imports) runs as django.tasks; the database backend needs no other server.
# `make run` starts a worker beside the web server; tests run tasks at once.
TASKS = {
    "default": {
        "BACKEND": os.getenv("KAOHE_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
# Progress of background work is shared through the cache: files by default (one machine),
# a shared cache (Redis, Memcached) where several machines serve Kaohe: see docs/deploy.md.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": os.getenv("KAOHE_CACHE_DIR", str(BASE_DIR / "var" / "cache")),
    }
}

# E-mail (Django 6.1 MAILERS): SMTP in production, the console elsewhere.
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend"
        if PRODUCTION
        else "django.core.mail.backends.console.EmailBackend",
        "OPTIONS": {
            "host": os.getenv("KAOHE_SMTP_HOST", "localhost"),
            "port": envint("KAOHE_SMTP_PORT", 465),
            "username": os.getenv("KAOHE_SMTP_USER", ""),
            "password": envsecret("KAOHE_SMTP_PASSWORD", ""),
            "use_ssl": envbool("KAOHE_SMTP_SSL", "true"),
            "timeout": 10,
        }
        if PRODUCTION
        else {},
    }
}
DEFAULT_FROM_EMAIL = os.getenv("KAOHE_FROM_EMAIL", "kaohe@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.getenv("KAOHE_LOG_LEVEL", "INFO")},
    # WeasyPrint logs a line per page at INFO.
    "loggers": {"django.request": {"level": "ERROR"}, "weasyprint": {"level": "WARNING"}},
}

# The school's name, used in headings and in the bulletin's red header.
SCHOOL_NAME = os.getenv("KAOHE_SCHOOL_NAME", "焦作大学")

# The bulletin's PDF (docs/bulletin.md): LibreOffice converts the .docx, with a fontconfig file that
# maps the official font names to the free fonts; WeasyPrint lays out the HTML where LibreOffice is
# absent. KAOHE_BULLETIN_PDF=weasyprint chooses WeasyPrint always.
BULLETIN_FONTCONFIG = Path(
    os.getenv("KAOHE_BULLETIN_FONTCONFIG", str(BASE_DIR / "deploy" / "fontconfig" / "fonts.conf"))
)
BULLETIN_SOFFICE = os.getenv("KAOHE_SOFFICE", "soffice")
BULLETIN_PDF_ENGINE = os.getenv("KAOHE_BULLETIN_PDF", "libreoffice")
BULLETIN_PDF_TIMEOUT_SECONDS = envint("KAOHE_BULLETIN_PDF_TIMEOUT", 120)
SITE_TITLE = _("Kaohe target management and performance assessment")
