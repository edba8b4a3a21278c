"""Settings for Đảng số, fed by DANGSO_* environment variables and DATABASE_URL.

Defaults give a working development platform on an embedded SQLite file under var/.
Production sets DANGSO_DEBUG=0, DANGSO_SECRET_KEY, DANGSO_ALLOWED_HOSTS and DATABASE_URL.
"""

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from dangso.env import ConfigError, env_bool, env_choice, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = Path(env_str("DANGSO_HOME", str(BASE_DIR.parent.parent)))
VAR_DIR = Path(env_str("DANGSO_VAR_DIR", str(PROJECT_DIR / "var")))

DEBUG = env_bool("DANGSO_DEBUG", True)
SECRET_KEY = env_str("DANGSO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ConfigError("DANGSO_SECRET_KEY must be set when DANGSO_DEBUG=0")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
ALLOWED_HOSTS = env_list("DANGSO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DANGSO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_htmx",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "dangso.core",
    "dangso.orgs",
    "dangso.accounts",
    "dangso.members",
    "dangso.quality",
    "dangso.imports",
    "dangso.documents",
    "dangso.reports",
    "dangso.followup",
    "dangso.handbook",
    "dangso.meetings",
    "dangso.site",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "dangso.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "dangso.accounts.middleware.MfaRequiredMiddleware",
]

ROOT_URLCONF = "dangso.site.urls"
WSGI_APPLICATION = "dangso.wsgi.application"

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
                "dangso.site.context_processors.platform",
            ],
        },
    },
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'dangso.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed while a write is in progress; IMMEDIATE avoids upgrade deadlocks.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    INSTALLED_APPS.append("django.contrib.postgres")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
# Officials sign in with their user name; members also with their CCCD or party card number.
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "dangso.handbook.auth.MemberNumberBackend",
]
LOGIN_REDIRECT_URL = "site:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login throttling: after this many failures for one username within the window, the account
# is locked for the window.
DANGSO_LOGIN_MAX_FAILURES = env_int("DANGSO_LOGIN_MAX_FAILURES", 5, minimum=1)
DANGSO_LOGIN_LOCK_MINUTES = env_int("DANGSO_LOGIN_LOCK_MINUTES", 15, minimum=1)
# TOTP is required for every role that reads member records. Only a demo may turn it off.
DANGSO_MFA_REQUIRED = env_bool("DANGSO_MFA_REQUIRED", True)
OTP_TOTP_ISSUER = "Đảng số"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("DANGSO_SESSION_SECONDS", 8 * 3600, minimum=300)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
HTTPS = env_bool("DANGSO_HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("DANGSO_HSTS_SECONDS", 31536000, minimum=0)
# The reverse proxy in front of us sets X-Forwarded-For; trust it only when told to.
DANGSO_TRUST_X_FORWARDED_FOR = env_bool("DANGSO_TRUST_X_FORWARDED_FOR", False)

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
FORMAT_MODULE_PATH = ["dangso.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("DANGSO_STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_ROOT = Path(env_str("DANGSO_MEDIA_ROOT", str(VAR_DIR / "media")))
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

# Highest classification this deployment's network may hold (DESIGN rule 3): a network on the
# Internet holds only unclassified documents (domain.md §4.4), so that is the default.
DANGSO_MAX_CLASSIFICATION = env_choice(
    "DANGSO_MAX_CLASSIFICATION", "khong_mat", ["khong_mat", "mat", "toi_mat", "tuyet_mat"]
)
# Key that encrypts classified attachments at rest: 32 bytes, base64 (urlsafe or standard).
# Without it, classified files are refused even where the classification is allowed.
DANGSO_FILE_KEY = env_str("DANGSO_FILE_KEY", "")
# Largest attachment accepted, in MiB.
DANGSO_UPLOAD_MAX_MB = env_int("DANGSO_UPLOAD_MAX_MB", 50, minimum=1)
# Trust anchors for signature validation: a directory of CA certificates (PEM or DER), e.g. the
# Ban Cơ yếu root and intermediate CAs. Signatures chaining to nothing here are "untrusted".
DANGSO_TRUST_ANCHORS_DIR = env_str("DANGSO_TRUST_ANCHORS_DIR", str(VAR_DIR / "trust"))
# RFC 3161 timestamp authority; when set, signatures are made at PAdES B-T (or B-LT/B-LTA with
# DANGSO_SIGNATURE_LEVEL), otherwise B-B.
DANGSO_TSA_URL = env_str("DANGSO_TSA_URL", "")
DANGSO_SIGNATURE_LEVEL = env_choice("DANGSO_SIGNATURE_LEVEL", "B-T", ["B-T", "B-LT", "B-LTA"])
# Incoming and outgoing register numbers restart each "year" (as for state bodies, ND 30/2020)
# or each committee "term"; the Party rule is not published (domain.md §4.5, a gap).
DANGSO_REGISTER_RESET = env_choice("DANGSO_REGISTER_RESET", "year", ["year", "term"])

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DANGSO_LOG_LEVEL", "WARNING")},
    # pyHanko logs a traceback for every untrusted certificate it validates; the report says it.
    "loggers": {"pyhanko": {"level": "ERROR"}, "pyhanko_certvalidator": {"level": "ERROR"}},
}

NINJA_PAGINATION_PER_PAGE = 50

# Background jobs (imports, checks) run from the database queue by `dangso worker`.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}
# Uploads: the largest member file accepted (a province's list is a few hundred MB as CSV).
DANGSO_IMPORT_MAX_BYTES = env_int("DANGSO_IMPORT_MAX_MB", 2048, minimum=1) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Days after the 12 months of probation within which a recognition date is not flagged.
DANGSO_OFFICIAL_TOLERANCE_DAYS = env_int("DANGSO_OFFICIAL_TOLERANCE_DAYS", 90, minimum=0)

# E-mail for notifications: on when DANGSO_EMAIL_HOST is set; the in-app notice is always kept.
EMAIL_HOST = env_str("DANGSO_EMAIL_HOST", "")
DANGSO_EMAIL_ENABLED = bool(EMAIL_HOST)
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if DANGSO_EMAIL_ENABLED
    else "django.core.mail.backends.dummy.EmailBackend"
)
EMAIL_PORT = env_int("DANGSO_EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("DANGSO_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("DANGSO_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DANGSO_EMAIL_TLS", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("DANGSO_EMAIL_FROM", "dangso@localhost")
# How links in e-mails start (the address people open the platform at).
DANGSO_BASE_URL = env_str("DANGSO_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# Days before a task's deadline when its handlers are reminded.
DANGSO_TASK_REMIND_DAYS = env_int("DANGSO_TASK_REMIND_DAYS", 3, minimum=0)

# Cell meetings (Hướng dẫn 42-HD/BTCTW): materials on the handbook at least this many hours
# before the meeting; a meeting lasts at least this many minutes (with a thematic session, the
# second figure).
DANGSO_MEETING_MATERIALS_HOURS = env_int("DANGSO_MEETING_MATERIALS_HOURS", 24, minimum=0)
DANGSO_MEETING_MIN_MINUTES = env_int("DANGSO_MEETING_MIN_MINUTES", 90, minimum=0)
DANGSO_MEETING_THEMATIC_MIN_MINUTES = env_int("DANGSO_MEETING_THEMATIC_MIN_MINUTES", 120, minimum=0)
# Handbook activation codes stay valid this many days.
DANGSO_ACTIVATION_DAYS = env_int("DANGSO_ACTIVATION_DAYS", 30, minimum=1)
# The electronic party card (handbook.card): the platform's Ed25519 signing key (empty: under
# VAR_DIR/card/), how long a card is valid, how long the published revocation list is cached.
DANGSO_CARD_KEY_FILE = env_str("DANGSO_CARD_KEY_FILE", "")
DANGSO_CARD_VALID_DAYS = env_int("DANGSO_CARD_VALID_DAYS", 365, minimum=1)
DANGSO_CARD_REVOCATIONS_SECONDS = env_int("DANGSO_CARD_REVOCATIONS_SECONDS", 300, minimum=0)
