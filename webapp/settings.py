"""meshwatch settings: everything comes from the environment, read once here.

Every variable is listed in README.md (and, once the chart lands, helm/values.yaml).
"""

from __future__ import annotations

import logging
import secrets
import sys
from pathlib import Path

import dj_database_url

from webapp.accounts.config import check_auth_mode, header_meta_key, parse_networks, parse_rate
from webapp.env import (
    env_bool,
    env_choice,
    env_duration,
    env_float,
    env_int,
    env_list,
    env_secret,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
log = logging.getLogger("meshwatch.settings")

DEBUG = env_bool("MESHWATCH_DEBUG", False)
SECRET_KEY = env_secret("MESHWATCH_SECRET_KEY")
if not SECRET_KEY:
    # A random key keeps a single process working; sessions end when it restarts and
    # replicas would not share logins, so production sets MESHWATCH_SECRET_KEY.
    SECRET_KEY = secrets.token_urlsafe(50)
    MESHWATCH_SECRET_KEY_GENERATED = True
else:
    MESHWATCH_SECRET_KEY_GENERATED = False

ALLOWED_HOSTS = env_list("MESHWATCH_ALLOWED_HOSTS", ["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env_list("MESHWATCH_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "webapp.accounts",
    "webapp.inventory",
    "webapp.traffic",
    "webapp.dns",
    "webapp.security",
    "webapp.live",
    "webapp.api",
    "webapp.ui",
    "webapp.alerts",
    "webapp.insights",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "webapp.accounts.middleware.HeaderAuthMiddleware",
    "webapp.accounts.middleware.LoginRequiredMiddleware",
    "webapp.accounts.middleware.LoginRateLimitMiddleware",
    "webapp.accounts.middleware.AuditContextMiddleware",
    "webapp.accounts.middleware.SecurityHeadersMiddleware",
    "webapp.api.problems.ProblemMiddleware",  # every error under /api/ as problem+json
]

ROOT_URLCONF = "webapp.urls"
ASGI_APPLICATION = "webapp.asgi.application"
WSGI_APPLICATION = None

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
                "webapp.ui.context.meshwatch",
            ],
        },
    },
]

# --- database: DATABASE_URL, SQLite file by default --------------------------------------
_DEFAULT_SQLITE = f"sqlite:///{BASE_DIR / 'meshwatch.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        env_secret("DATABASE_URL", _DEFAULT_SQLITE),
        conn_max_age=env_int("MESHWATCH_DB_CONN_MAX_AGE", 0, minimum=0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while a cycle writes; IMMEDIATE makes writers queue for
    # the lock at BEGIN rather than fail halfway; the timeout rides out the wait.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- channel layer and scheduling: REDIS_URL, in-memory and in-process when unset ---------
REDIS_URL = env_secret("REDIS_URL")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [{"address": REDIS_URL}],
                "capacity": env_int("MESHWATCH_CHANNEL_CAPACITY", 1000, minimum=10),
                "expiry": 60,
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1

# --- meshwatch ---------------------------------------------------------------------------
MESHWATCH_AUTH = env_choice("MESHWATCH_AUTH", "login", ("login", "anonymous", "header"))
MESHWATCH_INTERVAL_S = env_duration("MESHWATCH_INTERVAL", "15s")
# History: raw cycle rows, then 5-minute rollups (webapp/traffic/rollups.py). Nothing older
# than the rollup retention is kept, whatever its resolution. MESHWATCH_RETENTION, the one
# retention of old, meant how much history to keep: it stands in for the rollup retention.
MESHWATCH_RAW_RETENTION_S = env_duration("MESHWATCH_RAW_RETENTION", "24h")
MESHWATCH_ROLLUP_RETENTION_S = env_duration(
    "MESHWATCH_ROLLUP_RETENTION", env_str("MESHWATCH_RETENTION", "30d")
)
if env_str("MESHWATCH_RETENTION"):
    log.warning("MESHWATCH_RETENTION is deprecated; set MESHWATCH_ROLLUP_RETENTION instead")
MESHWATCH_BACKFILL_S = env_duration("MESHWATCH_BACKFILL", "1h")
MESHWATCH_SIMULATOR_SEED = env_int("MESHWATCH_SIMULATOR_SEED", 7)
MESHWATCH_MESH = env_choice(
    "MESHWATCH_MESH", "auto", ("auto", "istio", "linkerd", "istio,linkerd")
)
MESHWATCH_PROMETHEUS_TIMEOUT_S = env_duration("MESHWATCH_PROMETHEUS_TIMEOUT", "10s")
MESHWATCH_MAX_EDGES = env_int("MESHWATCH_MAX_EDGES", 20000, minimum=1)
MESHWATCH_CLUSTER_NAME = env_str("MESHWATCH_CLUSTER_NAME", "default")
MESHWATCH_LIVE_HISTORY = env_int("MESHWATCH_LIVE_HISTORY", 100, minimum=1)
MESHWATCH_HEALTH_5XX_FAILURE = env_float("MESHWATCH_HEALTH_5XX_FAILURE", 0.10)
MESHWATCH_HEALTH_4XX_DEGRADED = env_float("MESHWATCH_HEALTH_4XX_DEGRADED", 0.10)
MESHWATCH_HEALTH_4XX_FAILURE = env_float("MESHWATCH_HEALTH_4XX_FAILURE", 0.20)
MESHWATCH_HEALTH_GRPC_FAILURE = env_float("MESHWATCH_HEALTH_GRPC_FAILURE", 0.10)
# Alert webhooks (webapp/alerts): the SSRF allow-list (CIDRs), per-attempt timeout, retry
# backoff (doubling from BACKOFF up to BACKOFF_MAX, jittered), the age after which a failing
# delivery becomes a dead letter, and how often the sweeper looks for due deliveries.
MESHWATCH_WEBHOOK_ALLOW = env_list("MESHWATCH_WEBHOOK_ALLOW", [])
MESHWATCH_WEBHOOK_TIMEOUT_S = env_duration("MESHWATCH_WEBHOOK_TIMEOUT", "5s")
MESHWATCH_WEBHOOK_BACKOFF_S = env_duration("MESHWATCH_WEBHOOK_BACKOFF", "10s")
MESHWATCH_WEBHOOK_BACKOFF_MAX_S = env_duration("MESHWATCH_WEBHOOK_BACKOFF_MAX", "1h")
MESHWATCH_WEBHOOK_MAX_AGE_S = env_duration("MESHWATCH_WEBHOOK_MAX_AGE", "24h")
MESHWATCH_WEBHOOK_SWEEP_S = env_duration("MESHWATCH_WEBHOOK_SWEEP", "10s")
# Where users reach meshwatch, for links in notifications (empty: no links).
MESHWATCH_EXTERNAL_URL = env_str("MESHWATCH_EXTERNAL_URL")
PROMETHEUS_URL = env_str("PROMETHEUS_URL")
KUBECONFIG = env_str("KUBECONFIG")
# The watcher (`manage.py watch_cluster`, webapp/inventory/lease.py): its lease, and the
# informers' page size and watch length. In a pod without KUBECONFIG: the service account.
MESHWATCH_KUBE_CONTEXT = env_str("MESHWATCH_KUBE_CONTEXT")
MESHWATCH_WATCH_LEASE_TTL_S = env_duration("MESHWATCH_WATCH_LEASE_TTL", "15s")
MESHWATCH_WATCH_HANDOVER_S = env_duration("MESHWATCH_WATCH_HANDOVER", "10m")
MESHWATCH_WATCH_PAGE_SIZE = env_int("MESHWATCH_WATCH_PAGE_SIZE", 500, minimum=1)
MESHWATCH_WATCH_TIMEOUT_S = env_duration("MESHWATCH_WATCH_TIMEOUT", "5m")

# --- auth --------------------------------------------------------------------------------
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Header mode (behind oauth2-proxy or an ingress auth-url): who the proxy says the user is,
# believed only from the proxies' own addresses (the direct peer, never X-Forwarded-For).
MESHWATCH_ALLOW_ANONYMOUS = env_bool("MESHWATCH_ALLOW_ANONYMOUS", False)
MESHWATCH_AUTH_HEADER_USER = header_meta_key(
    "MESHWATCH_AUTH_HEADER_USER", env_str("MESHWATCH_AUTH_HEADER_USER") or "X-Forwarded-User")
MESHWATCH_AUTH_HEADER_EMAIL = header_meta_key(
    "MESHWATCH_AUTH_HEADER_EMAIL", env_str("MESHWATCH_AUTH_HEADER_EMAIL") or "X-Forwarded-Email")
MESHWATCH_AUTH_HEADER_GROUPS = header_meta_key(
    "MESHWATCH_AUTH_HEADER_GROUPS",
    env_str("MESHWATCH_AUTH_HEADER_GROUPS") or "X-Forwarded-Groups")
MESHWATCH_AUTH_TRUSTED_PROXIES = parse_networks(
    "MESHWATCH_AUTH_TRUSTED_PROXIES", env_list("MESHWATCH_AUTH_TRUSTED_PROXIES", []))
MESHWATCH_AUTH_ADMIN_GROUPS = env_list("MESHWATCH_AUTH_ADMIN_GROUPS", [])
check_auth_mode(MESHWATCH_AUTH, debug=DEBUG, allow_anonymous=MESHWATCH_ALLOW_ANONYMOUS,
                trusted_proxies=MESHWATCH_AUTH_TRUSTED_PROXIES,
                command=sys.argv[1] if len(sys.argv) > 1 else "")
# API tokens: the expiry of a new token in days (0: none); login failures and token
# creations allowed per client address and per username, counted in the database.
MESHWATCH_TOKEN_DEFAULT_DAYS = env_int("MESHWATCH_TOKEN_DEFAULT_DAYS", 0, minimum=0)
MESHWATCH_AUTH_RATE_LIMIT = parse_rate(
    "MESHWATCH_AUTH_RATE_LIMIT", env_str("MESHWATCH_AUTH_RATE_LIMIT") or "10/5m")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("MESHWATCH_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# HSTS only when meshwatch is served over TLS; subdomains and preload are the domain
# owner's decisions (and preload is hard to undo), so their checks are silenced.
SECURE_HSTS_SECONDS = env_int("MESHWATCH_HSTS_SECONDS", 0, minimum=0)
SILENCED_SYSTEM_CHECKS = ["security.W005", "security.W021"]
# Redirect plain HTTP to HTTPS, except the probes and /metrics the kubelet and Prometheus
# reach over plain HTTP inside the cluster.
SECURE_SSL_REDIRECT = env_bool("MESHWATCH_SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto (and strips it from clients).
if env_bool("MESHWATCH_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "webapp.accounts.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["webapp.accounts.permissions.MeshwatchAccess"],
    "DEFAULT_SCHEMA_CLASS": "webapp.api.schema.MeshwatchSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # Every error is RFC 9457 problem details (webapp/api/problems.py).
    "EXCEPTION_HANDLER": "webapp.api.problems.exception_handler",
    # Every list pages, sorts and windows the same way (webapp/api/lists.py).
    "DEFAULT_PAGINATION_CLASS": "webapp.api.lists.Pagination",
    "DEFAULT_FILTER_BACKENDS": [
        "webapp.api.lists.EqualFilter",
        "webapp.api.lists.TimeWindow",
        "webapp.api.lists.DeclaredOrdering",
    ],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "meshwatch API",
    "DESCRIPTION": "Live service graph, mesh telemetry and network health of a Kubernetes cluster.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_NAME_OVERRIDES": {"TokenScopeEnum": "webapp.accounts.models.Scope"},
    # The schema and the docs pages are authenticated like everything else.
    "SERVE_PERMISSIONS": ["webapp.accounts.permissions.MeshwatchAccess"],
    # Swagger UI from drf-spectacular-sidecar's static files: no CDN, since many clusters
    # (and this project's CI) have no internet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "persistAuthorization": False},
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "webapp.api.schema.describe_pages",
    ],
}

# --- static files: the frontend build lands in webapp/ui/static/ui/ --------------------
STATIC_URL = "/static/"
# Set for `collectstatic` in images; unset, WhiteNoise serves straight from the app folders.
STATIC_ROOT = env_str("MESHWATCH_STATIC_ROOT") or None
WHITENOISE_USE_FINDERS = True  # serve straight from app folders; no collectstatic needed

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

# `text` for people (the demo), `json` for log pipelines: one object per line with the cycle
# it belongs to (webapp/logs.py). Celery workers then log through this config too, instead of
# replacing the root logger with their own text format.
MESHWATCH_LOG_FORMAT = env_choice("MESHWATCH_LOG_FORMAT", "text", ("text", "json"))
CELERY_WORKER_HIJACK_ROOT_LOGGER = MESHWATCH_LOG_FORMAT == "text"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "json": {"()": "webapp.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": MESHWATCH_LOG_FORMAT}
    },
    "root": {"handlers": ["console"], "level": env_str("MESHWATCH_LOG_LEVEL", "INFO").upper()},
    "loggers": {"daphne": {"level": "WARNING"}, "django.channels.server": {"level": "WARNING"}},
}
