"""Settings of the CoP lesson console.

Everything that differs between a laptop in a classroom and a served deployment comes from the
environment; the defaults are for development and say so.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_flag("DJANGO_DEBUG", False)
SECRET_KEY = os.environ.get(
    "DJANGO_SECRET_KEY", "dev-only-insecure-key-set-DJANGO_SECRET_KEY-in-production"
)
ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "*").split(",") if h]
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "template_partials.apps.SimpleAppConfig",
    "lessons",
    "activities",
]

MIDDLEWARE = [
    "copsite.middleware.BodySizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "copsite.middleware.DatabaseUnavailableMiddleware",
    "copsite.middleware.SignInRequiredForHtmxMiddleware",
    # Last, so that it sees the login view's answer and replaces it when the login is locked.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "copsite.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "copsite.context_processors.roles",
            ],
            "builtins": [
                "template_partials.templatetags.partials",
                "django.templatetags.i18n",
            ],
            # Parsed once per process: an explicit loaders list turns Django's caching off.
            "loaders": [
                (
                    "template_partials.loader.Loader",
                    [
                        (
                            "django.template.loaders.cached.Loader",
                            [
                                "django.template.loaders.filesystem.Loader",
                                "django.template.loaders.app_directories.Loader",
                            ],
                        )
                    ],
                )
            ],
        },
    }
]

WSGI_APPLICATION = "copsite.wsgi.application"

# Each process keeps its own: entries are renders and the open activity
# (activities/fast_path/caches.py), keyed by the revisions they were made from, so they never go
# stale and nothing is lost with a process.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "stages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "stages",
        "TIMEOUT": 15 * 60,
        "OPTIONS": {"MAX_ENTRIES": 10_000},
    },
}

# Joins per class per minute (activities/participant_views.py), over and above the per-address
# limit: a class is 20-60 phones; a lecture hall or the load benchmark's class may be larger.
COP_JOINS_PER_CLASS_PER_MINUTE = int(os.environ.get("COP_JOINS_PER_CLASS_PER_MINUTE", "200"))

SQLITE_PATH = Path(os.environ.get("COP_SQLITE_PATH", BASE_DIR / "var" / "db.sqlite3"))
SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{SQLITE_PATH}", conn_max_age=60, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Tests use a file, not memory: the browser tests' live server then reads through its own
    # connections, as a served app does, instead of sharing one in-memory connection.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / f"test-{os.getpid()}.sqlite3")}
    # Many phones write at once: WAL lets readers go on during a write, IMMEDIATE takes the write
    # lock at BEGIN so two writers queue on the busy timeout instead of failing mid-transaction.
    # Kept open across requests: opening a SQLite connection (functions, PRAGMAs, WAL index)
    # costs more than a whole unchanged poll (bench/history/2026-11-sessions-1-4.md, first session).
    DATABASES["default"]["CONN_MAX_AGE"] = 60
    # Writers queue in the kernel, not on SQLite's sleeping busy timeout (copsite/sqlite).
    DATABASES["default"]["ENGINE"] = "copsite.sqlite"
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 10,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA foreign_keys=ON;"
            "PRAGMA busy_timeout=10000;"
        ),
    }

elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No "SELECT 1" before each request's first query: it doubled an unchanged poll's round
    # trips. A connection the server dropped fails one request (a 503 the phone retries,
    # copsite.middleware) and is then closed and opened afresh.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
    # As SQLite's busy timeout: a request that meets a lock held too long gives up with a 503
    # (copsite.middleware) rather than holding its thread for as long as the lock is held.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c lock_timeout=10000"
    # Statements prepared once per connection: psycopg prepares one it has run five times, and
    # PostgreSQL then neither parses nor plans it again, most of what an unchanged poll's query
    # cost the server (bench/history/2026-11-sessions-1-4.md, fourth session, item 3). Django
    # leaves preparing off unless asked, for poolers such as PgBouncer in transaction mode, which
    # this app does not sit behind. A migration that changes a column's type needs the app
    # restarted, as a deploy does.
    DATABASES["default"]["OPTIONS"] |= {"server_side_binding": True, "prepare_threshold": 5}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# django-axes first: a locked user name + address is refused before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "after_login"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes), counted in the database: after this many wrong passwords for
# one user name from one address that pair is refused for the cool-off. Keyed on the pair, so
# neither a guesser behind the class's NAT nor one who types a colleague's name locks anyone else.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "copsite.login.locked_out"
AXES_VERBOSE = False

LANGUAGE_CODE = "en"
# The interface languages; lesson content stays in the language it is written in.
LANGUAGES = [("en", "English"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("COP_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
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

# Production (DJANGO_PRODUCTION=1) assumes HTTPS, usually behind a proxy that terminates TLS.
# A classroom laptop serving phones over plain HTTP on its own Wi-Fi leaves it off.
PRODUCTION = env_flag("DJANGO_PRODUCTION", False)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_flag("DJANGO_SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_flag("DJANGO_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", 31_536_000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if env_flag("DJANGO_BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# No inline script or style anywhere: every script is a static file.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Request bodies are small: an answer is at most 1,000 characters; lesson uploads have their own
# limit (LESSON_FILE_MAX_BYTES per file).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Uploaded files stay in memory, never in a temporary file (lessons/archive.py reads them there):
# the memory handler keeps a file up to FILE_UPLOAD_MAX_MEMORY_SIZE, and a bigger one is refused
# as it streams in (copsite/uploads.py), so no request body of any size reaches the disk.
FILE_UPLOAD_HANDLERS = ["copsite.uploads.MemoryOnlyUploadHandler"]
FILE_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
ANSWER_MAX_BODY_BYTES = 16 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("COP_LOG_LEVEL", "WARNING")},
}

# Lesson content limits: a lesson file larger than this is refused before it is parsed.
LESSON_FILE_MAX_BYTES = 512 * 1024
