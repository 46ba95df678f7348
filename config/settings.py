"""Paper Club settings, read from the environment in this one place.

With nothing set you get the embedded default: SQLite file, Celery on a broker of files in .run/
(no service to run), email printed to the console, DEBUG on. Production sets DJANGO_DEBUG=0 plus SECRET_KEY,
ALLOWED_HOSTS, DATABASE_URL and REDIS_URL; see README.md.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = env_str("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if DEBUG:
    SECRET_KEY = SECRET_KEY or "django-insecure-development-only-key-never-use-in-production"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]", "testserver"]
else:
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("Production mode (DJANGO_DEBUG=0) needs SECRET_KEY (50+ chars).")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("Production mode (DJANGO_DEBUG=0) needs ALLOWED_HOSTS.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

SITE_NAME = "Paper Club"
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Social sign-in: a provider is installed and offered only when both its client id and its
# secret are set; with one of the two missing its sign-in could not work.
_social_apps: dict[str, dict[str, str]] = {}
for _provider in ("github", "google", "orcid"):
    _client_id = env_str(f"{_provider.upper()}_CLIENT_ID")
    _secret = env_str(f"{_provider.upper()}_SECRET")
    if _client_id and _secret:
        _social_apps[_provider] = {"client_id": _client_id, "secret": _secret}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    # Paper search's tsvector column; harmless on SQLite, where it stays empty.
    "django.contrib.postgres",
    "papers",
    "groups",
    *(f"allauth.socialaccount.providers.{provider}" for provider in _social_apps),
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Production serves its collected static files itself; runserver does it in development.
    *([] if DEBUG else ["whitenoise.middleware.WhiteNoiseMiddleware"]),
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "groups.middleware.UserTimezoneMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "django.template.context_processors.csp",
                "django.template.context_processors.tz",
            ],
        },
    },
]

# Database: SQLite file by default, PostgreSQL (psycopg 3) from DATABASE_URL.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
# False in the embedded default (the SQLite file); demo data is only ever loaded then.
DATABASE_FROM_ENV = bool(env_str("DATABASE_URL"))
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("CONN_MAX_AGE", 60))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
IS_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: Celery broker and result backend, and the cache (allauth's rate limits need a real one).
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "paperclub"),
            # Redis unreachable (not only refusing): a request waits at most this long for it.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery sends every task through a broker; only the test suite runs them in-process (eager,
# turned on in tests/conftest.py). Without REDIS_URL the broker is kombu's filesystem transport:
# messages are files under RUN_DIR/celery/ (config.celery makes the folders), so `make run`'s
# worker and beat run the schedule as production does, with no service to install. There is no
# result backend there: nothing waits on a task's result.
RUN_DIR = Path(env_str("RUN_DIR", str(BASE_DIR / ".run")))
CELERY_BROKER_URL = REDIS_URL or "filesystem://localhost//"
CELERY_RESULT_BACKEND = REDIS_URL or None
if not REDIS_URL:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # One folder both ways: what the web process writes is what the worker reads.
        "data_folder_in": str(RUN_DIR / "celery" / "messages"),
        "data_folder_out": str(RUN_DIR / "celery" / "messages"),
        "control_folder": str(RUN_DIR / "celery" / "control"),
    }
    CELERY_BEAT_SCHEDULE_FILENAME = str(RUN_DIR / "celery" / "beat-schedule")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_TIMEZONE = "UTC"

AUTH_USER_MODEL = "groups.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    # Grants members of the groups that nominated a hidden paper its page.
    "groups.access.NominatedPaperBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: email login, no username, rate limits on (allauth's defaults).
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
# Sign-up also takes the browser's time zone (a hidden field; UTC without JavaScript); the adapter
# saves it and names the product in allauth's emails.
ACCOUNT_FORMS = {"signup": "groups.accounts.forms.SignupForm"}
ACCOUNT_ADAPTER = "groups.accounts.adapter.AccountAdapter"
# Mandatory everywhere by default: it is also what lets sign-up hide whether an address is taken.
# In the embedded default the verification email (with its link) is printed to the console.
ACCOUNT_EMAIL_VERIFICATION = env_str("ACCOUNT_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Paper Club] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_PROVIDERS = {provider: {"APP": app} for provider, app in _social_apps.items()}

# Email (Django 6.1 MAILERS): console by default; SMTP when EMAIL_HOST is set; any other
# backend (django-anymail, say) by its dotted path in EMAIL_BACKEND.
if env_str("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env_str("EMAIL_HOST"),
                "port": env_int("EMAIL_PORT", 587),
                "username": env_str("EMAIL_HOST_USER"),
                "password": env_str("EMAIL_HOST_PASSWORD"),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
                "timeout": 20,
            },
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
        }
    }
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Paper Club <noreply@paperclub.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Security. Content-Security-Policy everywhere: only our own scripts, styles and images
# (paper thumbnails come from Hugging Face's CDN, listed explicitly).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", "https://cdn-thumbnails.huggingface.co"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [
        CSP.SELF,
        "https://github.com",
        "https://accounts.google.com",
        "https://orcid.org",
    ],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if env_bool("BEHIND_TLS_PROXY", True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django": {"handlers": ["console"], "level": "WARNING", "propagate": False}},
}

# Discussion sessions: reminders go to members who answered going or maybe, this long before the
# start (SESSION_REMINDER_LEAD_MINUTES, default 24 hours). Beat runs the sender every
# SESSION_REMINDER_EVERY_MINUTES; each reminder is claimed in the database, so overlap is harmless.
SESSION_REMINDER_LEAD = timedelta(minutes=env_int("SESSION_REMINDER_LEAD_MINUTES", 24 * 60))
SESSION_REMINDER_EVERY_MINUTES = env_int("SESSION_REMINDER_EVERY_MINUTES", 5)
# Time polls: beat closes them at their deadline and, POLL_REMINDER_LEAD_HOURS before it, reminds
# once the invitees who have not answered (both every POLL_EVERY_MINUTES).
POLL_REMINDER_LEAD = timedelta(hours=env_int("POLL_REMINDER_LEAD_HOURS", 24))
POLL_EVERY_MINUTES = env_int("POLL_EVERY_MINUTES", 5)
# Quorum: a session whose going + maybe count is under its group's quorum QUORUM_LEAD_HOURS
# before its start warns the organizers once (checked every SESSION_REMINDER_EVERY_MINUTES).
QUORUM_LEAD = timedelta(hours=env_int("QUORUM_LEAD_HOURS", 48))
# Readiness: READINESS_LEAD_HOURS before a session, if fewer than half of those going have read
# or skimmed the paper, the organizers are warned once (checked every
# SESSION_REMINDER_EVERY_MINUTES). Agenda questions become note threads once a session started
# (opened by beat at the same interval, or at once when an organizer marks it done).
READINESS_LEAD = timedelta(hours=env_int("READINESS_LEAD_HOURS", 24))

# Papers: the daily import from Hugging Face and arXiv (papers/tasks.py, papers/clients/) runs
# at PAPERS_IMPORT_HOUR (UTC) and catches up on the days missed in the last
# PAPERS_IMPORT_LOOKBACK_DAYS. arXiv asks for one request every 3 seconds at most.
PAPERS_IMPORT_HOUR = env_int("PAPERS_IMPORT_HOUR", 6)
PAPERS_IMPORT_LOOKBACK_DAYS = env_int("PAPERS_IMPORT_LOOKBACK_DAYS", 3)
PAPERS_HF_PAGE_SIZE = env_int("PAPERS_HF_PAGE_SIZE", 100)
PAPERS_ARXIV_MIN_INTERVAL = env_float("PAPERS_ARXIV_MIN_INTERVAL", 3.0)
# While a person waits on a page (adding a paper, nominating one we do not have), arXiv gets one
# try of at most this many seconds per step (connect, send, answer); imports keep the retries.
PAPERS_INTERACTIVE_TIMEOUT = env_float("PAPERS_INTERACTIVE_TIMEOUT", 3.0)
PAPERS_PER_PAGE = env_int("PAPERS_PER_PAGE", 50)

# Email digests and notifications: the trending-papers digest goes out after each successful daily
# import of today or yesterday, and beat sends any still missing at DIGEST_HOUR (UTC); each person
# gets a day's digest once. Group notifications are sent as they happen, or collected into one
# daily summary sent at NOTIFICATION_SUMMARY_HOUR (UTC). Unsubscribe links stay valid for
# EMAIL_UNSUBSCRIBE_MAX_AGE_DAYS; EMAIL_UNSUBSCRIBE_MAILTO adds a mailto: List-Unsubscribe target.
DIGEST_HOUR = env_int("DIGEST_HOUR", 9)
DIGEST_MAX_AGE_DAYS = 1
NOTIFICATION_SUMMARY_HOUR = env_int("NOTIFICATION_SUMMARY_HOUR", 7)
EMAIL_UNSUBSCRIBE_MAX_AGE = env_int("EMAIL_UNSUBSCRIBE_MAX_AGE_DAYS", 90) * 24 * 3600
EMAIL_UNSUBSCRIBE_MAILTO = env_str("EMAIL_UNSUBSCRIBE_MAILTO")
# An immediate notification or digest still waiting this long after it was recorded, never tried,
# lost its task (the broker was down when it was queued): beat queues it again.
EMAIL_REQUEUE_AFTER = timedelta(minutes=env_int("EMAIL_REQUEUE_AFTER_MINUTES", 10))
# A notification, digest or session email claimed (status "sending") this long ago and still not
# sent lost its worker mid-send: beat gives it back and queues it again. Longer than
# CELERY_TASK_TIME_LIMIT, so that a worker still sending is never overtaken (an email would go
# twice).
EMAIL_CLAIM_TIMEOUT = timedelta(minutes=env_int("EMAIL_CLAIM_TIMEOUT_MINUTES", 35))

# Abuse limits (groups/limits.py): per person and per IP address, counted in the cache (Redis in
# production). Each action's env variable RATE_LIMIT_<ACTION> overrides both, "per-user,per-ip"
# in django-ratelimit's notation ("30/10m,120/10m"; "none" for no limit). Actions that send email
# to an address the person typed are refused while the cache cannot count (fail_closed); the
# others go ahead. RATE_LIMIT_PROXY_COUNT: how many proxies in front add to X-Forwarded-For
# (0: the client's address is REMOTE_ADDR).
RATE_LIMITS_ENABLED = env_bool("RATE_LIMITS_ENABLED", True)
RATE_LIMIT_PROXY_COUNT = env_int("RATE_LIMIT_PROXY_COUNT", 0)


def rate_limit(action: str, what: str, rates: str, *, fail_closed: bool = False) -> dict:
    per_user, per_ip = (
        None if rate.strip().lower() == "none" else rate.strip()
        for rate in env_str(f"RATE_LIMIT_{action.upper()}", rates).split(",")
    )
    return {"what": what, "per_user": per_user, "per_ip": per_ip, "fail_closed": fail_closed}


RATE_LIMITS = {
    "invite_email": rate_limit(
        "invite_email", "invitations by email", "20/h,50/h", fail_closed=True
    ),
    "join_request": rate_limit("join_request", "join requests", "10/h,30/h"),
    "flag": rate_limit("flag", "flags", "30/h,60/h"),
    "note": rate_limit("note", "notes and replies", "30/10m,120/10m"),
    "nomination": rate_limit("nomination", "nominations", "20/h,60/h"),
    "question": rate_limit("question", "questions", "20/10m,60/10m"),
    "digest_subscribe": rate_limit(
        "digest_subscribe", "digest subscriptions", "10/h,30/h", fail_closed=True
    ),
    # Downloads of a group's history (groups/history/exports.py): each reads the whole history.
    "export": rate_limit("export", "history exports", "20/h,60/h"),
}
RATELIMIT_CACHE_PREFIX = "rl:"

# Reading groups: an open ballot page asks every BALLOT_POLL_SECONDS whether the ballot changed
# (a conditional GET answered 304 while it did not), so other members' votes appear without a
# reload.
BALLOT_POLL_SECONDS = env_int("BALLOT_POLL_SECONDS", 5)


def _every_minutes(task: str, minutes: int) -> dict:
    """A beat entry every `minutes`; a run that waited longer than that is superseded by the
    next one (it expires)."""
    return {
        "task": task,
        "schedule": crontab(minute=f"*/{minutes}"),
        "options": {"expires": minutes * 60},
    }


# Celery beat: every periodic task, in one place. Hours are UTC (CELERY_TIMEZONE).
CELERY_BEAT_SCHEDULE = {
    "send-session-reminders": _every_minutes(
        "groups.send_session_reminders", SESSION_REMINDER_EVERY_MINUTES
    ),
    "check-session-quorums": _every_minutes(
        "groups.check_session_quorums", SESSION_REMINDER_EVERY_MINUTES
    ),
    "check-session-readiness": _every_minutes(
        "groups.check_session_readiness", SESSION_REMINDER_EVERY_MINUTES
    ),
    "open-agenda-threads": _every_minutes(
        "groups.open_agenda_threads", SESSION_REMINDER_EVERY_MINUTES
    ),
    "close-time-polls": _every_minutes("groups.close_time_polls", POLL_EVERY_MINUTES),
    "send-poll-reminders": _every_minutes("groups.send_poll_reminders", POLL_EVERY_MINUTES),
    "papers-import-daily": {
        "task": "papers.import_daily_catch_up",
        "schedule": crontab(minute=0, hour=PAPERS_IMPORT_HOUR),
    },
    # Imports queue the search indexing after their commit; this sweep is the safety net, so
    # a new paper is searchable within a minute even when that task was lost (papers.indexing).
    "papers-search-index": {
        "task": "papers.search_index_fill",
        "schedule": crontab(minute="*"),
        "options": {"expires": 60},
    },
    "send-digests": {
        "task": "groups.send_digests",
        "schedule": crontab(minute=0, hour=DIGEST_HOUR),
    },
    "send-notification-summaries": {
        "task": "groups.send_notification_summaries",
        "schedule": crontab(minute=0, hour=NOTIFICATION_SUMMARY_HOUR),
    },
    "requeue-pending-notifications": {
        "task": "groups.requeue_pending_notifications",
        "schedule": crontab(minute="*/5"),
        # Runs that piled up while no worker was there: the next one does the same work.
        "options": {"expires": 5 * 60},
    },
}
