"""Configuration: class defaults, then LISTENING_STATE_* environment variables, then overrides."""

from __future__ import annotations

import base64
import hmac
import secrets
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from flask import Flask


class DefaultConfig:
    """Defaults that let `make run` work with no configuration at all."""

    ENV_NAME = "development"
    DATABASE_URL = ""  # empty: SQLite file in the instance folder
    SECRET_KEY = ""  # required outside development; generated and kept in instance/ in development
    LANGUAGES = ("kk", "ru", "en")
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "Asia/Almaty"
    PAGE_SIZE = 20
    QUEUE_PAGE_SIZE = 50  # moderation queue: more items per page for people working through it
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # The server refuses a session cookie signed longer ago than this many seconds (it is
    # signed at sign-in and whenever the session changes), so a sign-in lasts about this long;
    # the cookie itself ends with the browser. Sessions are deliberately not "permanent":
    # Flask-Login's strong session protection only applies to non-permanent sessions.
    # "Keep me signed in" lasts REMEMBER_COOKIE_DURATION seconds. Cookies are Secure in
    # production (load_config).
    PERMANENT_SESSION_LIFETIME = 12 * 60 * 60
    REMEMBER_COOKIE_DURATION = 14 * 24 * 60 * 60
    # Strict-Transport-Security on HTTPS responses: a year, and 0 turns it off. Subdomains
    # only when every host under the domain serves HTTPS (browsers will refuse plain HTTP).
    HSTS_MAX_AGE = 365 * 24 * 60 * 60
    HSTS_INCLUDE_SUBDOMAINS = False
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # If Redis (the shared rate-limit store) stops answering, count in this process's memory
    # until it returns, rather than failing requests; see README "Rate limits".
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    SUBMISSION_RATE_LIMIT = "10 per minute;100 per day"
    LOGIN_RATE_LIMIT = "10 per minute"
    REGISTER_RATE_LIMIT = "5 per minute"
    FLAG_RATE_LIMIT = "10 per minute;50 per day"
    MODERATION_RATE_LIMIT = "120 per minute"
    REPORT_RATE_LIMIT = "30 per minute"  # saving, publishing and withdrawing consultation reports
    # Published comments reported by this many people are hidden until a moderator decides.
    FLAG_HIDE_THRESHOLD = 3
    # Moderation hints: shown from these scores on (they never reject anything by themselves).
    # 0.25: about 7 in 10 hints are real duplicates on the petitions (bench/README.md).
    DUPLICATE_HINT_MIN_SCORE = 0.25
    RISK_HINT_MIN_SCORE = 0.5
    # A new comment is compared with at most this many earlier ones of its consultation.
    DUPLICATE_HINT_WINDOW = 5000
    # Consultations whose analysed window each process keeps, and the memory they may hold
    # (about 16 MB for 5,000 short comments; bench/duplicate_window.py), least recently used
    # dropped first; a comment to any other consultation analyses its window again. Keep more
    # than the consultations open at once: with fewer, comments spread over them analyse a whole
    # window again and again.
    DUPLICATE_HINT_WINDOWS_KEPT = 64
    DUPLICATE_HINT_WINDOWS_MB = 256
    COUNCIL_DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
    COUNCIL_DOCUMENT_DIR = ""  # empty: instance/council_documents
    # Requests larger than a council document and its form are refused (413) before parsing.
    MAX_CONTENT_LENGTH = COUNCIL_DOCUMENT_MAX_BYTES + 1024 * 1024
    # Tests use a cheaper method; production keeps scrypt.
    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 - a hashing method's name, not a password
    # Staff sign-in (services/passwords.py, sign_in.py, two_factor.py; README "Staff sign-in").
    PASSWORD_MIN_LENGTH = 8  # citizens
    STAFF_PASSWORD_MIN_LENGTH = 12  # council members, ministry officers, administrators
    SIGN_IN_MAX_FAILURES = 5  # wrong passwords or codes in a row, then the account is locked
    SIGN_IN_LOCKOUT_MINUTES = 15
    SIGN_IN_LOCKOUT_CITIZENS = False  # citizens rely on the per-address LOGIN_RATE_LIMIT
    # None: required when ENV_NAME is "production"; staff without it are sent to enrol.
    TOTP_REQUIRED_FOR_STAFF: bool | None = None
    TOTP_ISSUER = "Listening State"  # the name authenticator apps show beside the code
    TOTP_PENDING_SECONDS = 300  # between the password and the code of a two-step sign-in
    # Fernet keys, comma-separated, that encrypt TOTP secrets (secret_box): the first encrypts,
    # all decrypt. Required outside development and testing, where it is derived from SECRET_KEY.
    TOTP_ENCRYPTION_KEYS: str | tuple[str, ...] = ""
    WTF_CSRF_TIME_LIMIT = None  # tied to the session, not a clock: long drafts must not expire
    # WTForms' own messages come from web.form_base.SiteForm, cached per language; Flask-WTF would
    # read their catalogue from disk on every request.
    WTF_I18N_ENABLED = False
    # Auto-route only above the threshold whose cross-validated precision reaches this.
    ROUTER_TARGET_PRECISION = 0.85
    MODEL_DIR = ""  # empty: instance/models; a shared directory when several hosts serve
    SHARED_DATA_DIR = ""  # empty: ../shared/data beside the checkout
    # Statutory deadlines on the working calendar (Administrative Procedural Code of the RK):
    # an appeal is answered within 15 working days, a non-competent body forwards it within 3,
    # and the answer may be extended once by at most 15 more working days.
    ANSWER_WORKING_DAYS = 15
    FORWARD_WORKING_DAYS = 3
    EXTENSION_MAX_WORKING_DAYS = 15
    DUE_SOON_WORKING_DAYS = 3  # "due soon" in inboxes: due within this many working days
    # Public monitoring page and its open data: the figures are computed on every request
    # unless kept this many seconds (0: never kept); the limit guards the aggregate queries.
    MONITORING_CACHE_SECONDS = 0
    MONITORING_RATE_LIMIT = "60 per minute"
    # E-mail: messages wait in the outbox table and a job (`flask outbox send`) sends them.
    # "smtp" sends through MAIL_SERVER; "outbox-page" sends nothing and shows the messages on
    # /admin/outbox. Empty: "smtp" when MAIL_SERVER is set, otherwise "outbox-page".
    MAIL_TRANSPORT = ""
    MAIL_SERVER = ""
    MAIL_PORT = 587
    MAIL_USE_TLS = True  # STARTTLS after connecting
    MAIL_USE_SSL = False  # TLS from the first byte (usually port 465); then STARTTLS is not used
    MAIL_USERNAME = ""
    MAIL_PASSWORD = ""  # from LISTENING_STATE_MAIL_PASSWORD only, never from a file in the repo
    MAIL_FROM = "Listening State <no-reply@localhost>"
    MAIL_TIMEOUT = 30  # seconds, for connecting and for each SMTP command
    MAIL_MAX_ATTEMPTS = 5  # then the message is FAILED and shown to administrators
    MAIL_RETRY_BASE_SECONDS = 60  # the wait doubles after each failed attempt
    MAIL_BATCH_SIZE = 20  # messages locked and sent per transaction
    # Links in e-mails: jobs run without a request, so the site's address is a setting.
    PUBLIC_BASE_URL = "http://127.0.0.1:5000"
    # Behind a reverse proxy: how many proxies set each X-Forwarded-* header (werkzeug's
    # ProxyFix). 0 trusts none, the safe default when clients reach the app directly.
    PROXY_FIX_X_FOR = 0
    PROXY_FIX_X_PROTO = 0
    PROXY_FIX_X_HOST = 0
    PROXY_FIX_X_PREFIX = 0
    ACCOUNT_SETTINGS_RATE_LIMIT = "20 per minute"
    # Per account: downloading all one's data reads every table; deleting checks the password.
    ACCOUNT_EXPORT_RATE_LIMIT = "5 per hour"
    ACCOUNT_DELETE_RATE_LIMIT = "5 per minute;20 per day"
    OUTBOX_ACTION_RATE_LIMIT = "60 per minute"
    THEMES_RATE_LIMIT = "30 per minute"  # theme rebuilds, publishing and exports, per address
    # JSON API (/api/v1), per client address: reads, and the stricter writes (comments, answers).
    API_READ_RATE_LIMIT = "300 per minute"
    API_WRITE_RATE_LIMIT = "10 per minute;100 per day"
    API_MAX_PER_PAGE = 100  # the largest per_page a list accepts
    # Background jobs: a background_job row records each job; JOB_BACKEND says what runs it.
    # "rq": pushed to Redis (REDIS_URL), run by `flask jobs worker`; "thread": a thread of the
    # web process; "table": the row waits for `flask jobs work`; "inline": the request that
    # queues it. Empty: "rq" when REDIS_URL is set, otherwise "thread" ("table" under TESTING).
    JOB_BACKEND = ""
    JOB_QUEUE_NAME = "listening_state"  # the RQ queue
    JOB_TIMEOUT_SECONDS = 6 * 3600  # RQ stops a job running longer (rebuilds take minutes)
    JOB_REPUSH_SECONDS = 30  # a row QUEUED this long and not waiting in Redis is pushed again
    OUTBOX_SEND_SECONDS = 60  # due e-mail is sent by a job queued this often
    DIGEST_LOCAL_HOUR = 7  # the daily digest is queued from this hour (BABEL_DEFAULT_TIMEZONE)
    JOB_POLL_SECONDS = 2.0  # an idle worker looks for new jobs this often
    # A comment stored but still unrouted this long after (its process or the database died in
    # between) is routed by the job sweep.
    INTAKE_RECOVERY_SECONDS = 60
    # True: a comment request only stores the comment; the job sweep routes, hints and themes
    # it (within JOB_POLL_SECONDS when a worker is idle). For floods of comments; see README.
    INTAKE_DEFERRED = False
    INTAKE_SWEEP_SECONDS = 30.0  # a sweep finishes deferred comments this long at most
    JOB_PROGRESS_SECONDS = 1.0  # progress is written at most this often
    JOB_HEARTBEAT_SECONDS = 15.0  # a running job's heartbeat is refreshed this often
    JOB_STALE_SECONDS = 600  # a RUNNING job without a heartbeat this long lost its worker
    JOB_MAX_ATTEMPTS = 3  # then a job whose worker keeps dying is FAILED, not queued again
    THEME_BUILDS_KEPT = 3  # theme builds kept per consultation or ministry; older are deleted


class ConfigError(RuntimeError):
    """Raised at start-up when a required setting is missing."""


def load_config(app: Flask, overrides: dict[str, Any] | None) -> None:
    """Apply defaults, the environment and overrides, then settle derived settings."""
    app.config.from_object(DefaultConfig)
    app.config.from_prefixed_env("LISTENING_STATE")
    if overrides:
        app.config.update(overrides)
    _settle_database(app)
    _settle_secret_key(app)
    _settle_totp_encryption_keys(app)
    _settle_mail(app)
    _settle_jobs(app)
    if app.config["TOTP_REQUIRED_FOR_STAFF"] is None:
        app.config["TOTP_REQUIRED_FOR_STAFF"] = app.config["ENV_NAME"] == "production"
    if app.config["ENV_NAME"] == "production":  # cookies travel over HTTPS only
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
    if app.config.get("RATELIMIT_STORAGE_URI") == "memory://" and app.config.get("REDIS_URL"):
        app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"]
        # A Redis that hangs must not hang every request: give up quickly and fall back.
        app.config.setdefault(
            "RATELIMIT_STORAGE_OPTIONS", {"socket_connect_timeout": 1, "socket_timeout": 1}
        )


def _settle_database(app: Flask) -> None:
    url = app.config.get("SQLALCHEMY_DATABASE_URI") or app.config["DATABASE_URL"]
    if not url:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{Path(app.instance_path) / 'listening_state.sqlite'}"
    # psycopg 3 is the PostgreSQL driver; accept the common short URL forms too.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix) :]
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    if url.startswith("postgresql"):
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True})


def _settle_secret_key(app: Flask) -> None:
    if app.config["SECRET_KEY"]:
        return
    if app.config["ENV_NAME"] not in ("development", "testing"):
        raise ConfigError("LISTENING_STATE_SECRET_KEY must be set outside development.")
    key_file = Path(app.instance_path) / "secret_key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    app.config["SECRET_KEY"] = key_file.read_text().strip()


def _settle_totp_encryption_keys(app: Flask) -> None:
    value = app.config["TOTP_ENCRYPTION_KEYS"]
    keys = [key.strip() for key in (value.split(",") if isinstance(value, str) else value)]
    keys = [key for key in keys if key]
    if not keys:
        if app.config["ENV_NAME"] not in ("development", "testing"):
            raise ConfigError(
                "LISTENING_STATE_TOTP_ENCRYPTION_KEYS must be set outside development "
                "(comma-separated Fernet keys, the first encrypts; see README)."
            )
        # Derived rather than generated: the secret key is itself kept (in instance/ in
        # development), and processes sharing it (the tests' servers) then agree on this key.
        digest = hmac.digest(app.config["SECRET_KEY"].encode(), b"totp-encryption-key", "sha256")
        keys = [base64.urlsafe_b64encode(digest).decode("ascii")]
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (TypeError, ValueError):
            raise ConfigError(
                f"LISTENING_STATE_TOTP_ENCRYPTION_KEYS: key {position} is not a Fernet key "
                "(32 url-safe base64-encoded bytes; see README)."
            ) from None  # the message must not repeat the key
    app.config["TOTP_ENCRYPTION_KEYS"] = tuple(keys)


MAIL_TRANSPORTS = ("smtp", "outbox-page")


def _settle_mail(app: Flask) -> None:
    transport = app.config["MAIL_TRANSPORT"] or (
        "smtp" if app.config["MAIL_SERVER"] else "outbox-page"
    )
    if transport not in MAIL_TRANSPORTS:
        raise ConfigError("LISTENING_STATE_MAIL_TRANSPORT must be smtp or outbox-page.")
    if transport == "smtp" and not app.config["MAIL_SERVER"]:
        raise ConfigError("LISTENING_STATE_MAIL_SERVER must be set to send e-mail by SMTP.")
    app.config["MAIL_TRANSPORT"] = transport


JOB_BACKENDS = ("rq", "thread", "table", "inline")


def _settle_jobs(app: Flask) -> None:
    backend = app.config["JOB_BACKEND"]
    if not backend:  # tests run jobs themselves: nothing may run behind their back
        testing = app.config.get("TESTING")
        backend = "table" if testing else "rq" if app.config.get("REDIS_URL") else "thread"
    if backend not in JOB_BACKENDS:
        raise ConfigError("LISTENING_STATE_JOB_BACKEND must be rq, thread, table or inline.")
    if backend == "rq" and not app.config.get("REDIS_URL"):
        raise ConfigError("LISTENING_STATE_JOB_BACKEND=rq needs LISTENING_STATE_REDIS_URL.")
    app.config["JOB_BACKEND"] = backend
