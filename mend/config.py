"""Settings from the environment: the only module that reads os.environ."""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from mend.domain.keyring import parse_master_keys

DEFAULT_SECRET_KEY = "dev-only-secret-key-change-me"
DEFAULT_DATABASE_URL = "sqlite:///var/mend.sqlite"


class ConfigurationError(RuntimeError):
    """Raised when the settings are unsafe or unusable; the process refuses to start."""


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    redis_url: str | None = None
    secret_key: str = DEFAULT_SECRET_KEY
    environment: str = "development"
    cipher_key: str | None = None
    public_url: str = "http://127.0.0.1:5000"
    #: "inline" runs the projection runner inside the web process; "external" leaves it to
    #: `flask --app wsgi projections run` (the projections service of docker-compose).
    projections: str = "inline"
    redis_prefix: str = "mend"
    #: How many reverse proxies stand in front of the web processes and may be believed about
    #: the client's address (X-Forwarded-For); 0 believes none of them.
    trusted_proxies: int = 0
    #: Where messages go: an SMTP server, or (no host) the console.
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    #: "starttls" (port 587), "tls" (implicit TLS, port 465) or "none" (a relay on loopback).
    smtp_security: str = "starttls"
    mail_from: str = "Mend <mend@localhost>"
    #: "inline" runs the scheduler (notices, ticks, sweeps) in the web process; "external"
    #: leaves it to `python -m mend.workers.scheduler`; "off" runs none (tests build apps so).
    scheduler: str = "off"
    #: Seconds between ticks of the scheduler.
    tick_seconds: int = 60
    #: The Ed25519 key (base64 of its 32-byte seed) that signs statements of the history's
    #: head; unset, development signs with a key of its own under ./var, production not at all.
    history_signing_key: str | None = field(default=None, repr=False)
    #: The folder the daily statements of the history's head are written to.
    history_statements: str = "var/statements"
    #: "on" writes a row of the access log for every read of a case; "off" is for the API
    #: benchmark's baseline only, and production refuses it.
    access_log: str = "on"
    #: The master key that wraps every data subject's key (base64 of 32 bytes), and the
    #: ones it replaced, still read until `flask --app wsgi keys rotate` has run.
    master_key: str | None = field(default=None, repr=False)
    previous_master_keys: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        settings = cls(
            database_url=env.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
            redis_url=env.get("REDIS_URL") or None,
            secret_key=env.get("SECRET_KEY") or DEFAULT_SECRET_KEY,
            environment=env.get("MEND_ENV", "development"),
            cipher_key=env.get("MEND_CIPHER_KEY") or None,
            public_url=(env.get("MEND_PUBLIC_URL") or "http://127.0.0.1:5000").rstrip("/"),
            projections=env.get("MEND_PROJECTIONS", "inline"),
            redis_prefix=env.get("MEND_REDIS_PREFIX", "mend"),
            trusted_proxies=_count("MEND_TRUSTED_PROXIES", env.get("MEND_TRUSTED_PROXIES", "0")),
            smtp_host=env.get("MEND_SMTP_HOST") or None,
            smtp_port=_count("MEND_SMTP_PORT", env.get("MEND_SMTP_PORT", "587")),
            smtp_username=env.get("MEND_SMTP_USERNAME") or None,
            smtp_password=env.get("MEND_SMTP_PASSWORD") or None,
            smtp_security=env.get("MEND_SMTP_SECURITY", "starttls"),
            mail_from=env.get("MEND_MAIL_FROM") or "Mend <mend@localhost>",
            scheduler=env.get("MEND_SCHEDULER", "inline"),
            tick_seconds=_count("MEND_TICK_SECONDS", env.get("MEND_TICK_SECONDS", "60")),
            history_signing_key=env.get("MEND_HISTORY_SIGNING_KEY") or None,
            history_statements=env.get("MEND_HISTORY_STATEMENTS") or "var/statements",
            access_log=env.get("MEND_ACCESS_LOG", "on"),
            master_key=env.get("MEND_MASTER_KEY") or None,
            previous_master_keys=env.get("MEND_MASTER_KEY_PREVIOUS") or None,
        )
        settings.check()
        return settings

    def check(self) -> None:
        if self.environment not in ("development", "production"):
            raise ConfigurationError("MEND_ENV must be development or production")
        if self.is_production and self.secret_key == DEFAULT_SECRET_KEY:
            raise ConfigurationError("Refusing to start in production with the default SECRET_KEY")
        if self.is_production and not self.master_key:
            raise ConfigurationError("Refusing to start in production without MEND_MASTER_KEY")
        try:
            parse_master_keys(f"{self.master_key or ''} {self.previous_master_keys or ''}")
        except ValueError as error:
            raise ConfigurationError(f"MEND_MASTER_KEY: {error}") from None
        if self.projections not in ("inline", "external"):
            raise ConfigurationError("MEND_PROJECTIONS must be inline or external")
        if self.smtp_security not in ("starttls", "tls", "none"):
            raise ConfigurationError("MEND_SMTP_SECURITY must be starttls, tls or none")
        if self.scheduler not in ("inline", "external", "off"):
            raise ConfigurationError("MEND_SCHEDULER must be inline, external or off")
        if self.tick_seconds < 1:
            raise ConfigurationError("MEND_TICK_SECONDS must be 1 or more")
        if self.history_signing_key and not _is_ed25519_seed(self.history_signing_key):
            raise ConfigurationError("MEND_HISTORY_SIGNING_KEY must be the base64 of 32 bytes")
        if self.access_log not in ("on", "off"):
            raise ConfigurationError("MEND_ACCESS_LOG must be on or off")
        if self.is_production and self.access_log == "off":
            raise ConfigurationError("Refusing to start in production with the access log off")
        if not self.database_url.startswith(("sqlite:///", "postgresql://", "postgres://")):
            raise ConfigurationError("DATABASE_URL must be sqlite:///PATH or postgresql://...")

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite:///")

    def store_env(self) -> dict[str, str]:
        """The eventsourcing library's settings for the event store."""
        env = dict(self._persistence_env(suffix=""))
        # Aggregates stay in memory between requests; each get still reads the events stored
        # since (any process may have written them), so a revoked token or a role change
        # counts from the next request, without replaying whole histories every time.
        env["AGGREGATE_CACHE_MAXSIZE"] = "10000"
        # Every stored event extends the history's hash chain, in the transaction of its insert.
        env["APPLICATION_RECORDER_TOPIC"] = (
            "mend.projections.history.chained_sqlite:ChainedSQLiteRecorder" if self.is_sqlite
            else "mend.projections.history.chained_postgres:ChainedPostgresRecorder")
        # Personal data is sealed field by field with each data subject's key (erasure).
        env["MAPPER_TOPIC"] = "mend.domain.sealing:SealingMapper"
        if self.master_key:
            env["MEND_MASTER_KEYS"] = f"{self.master_key} {self.previous_master_keys or ''}"
        if self.cipher_key:
            env["CIPHER_TOPIC"] = "eventsourcing.cipher:AESCipher"
            env["CIPHER_KEY"] = self.cipher_key
            env["COMPRESSOR_TOPIC"] = "eventsourcing.compressor:ZlibCompressor"
        return env

    def views_env(self) -> dict[str, str]:
        """Read models live beside the store: their own SQLite file, or the same database."""
        return self._persistence_env(suffix="-views")

    def _persistence_env(self, suffix: str) -> dict[str, str]:
        if self.is_sqlite:
            path = self.database_url[len("sqlite:///"):]
            if path != ":memory:":
                path = str(Path(path).with_name(Path(path).stem + suffix + Path(path).suffix))
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            return {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": path,
                "SQLITE_LOCK_TIMEOUT": "10",
            }
        url = urlsplit(self.database_url)
        return {
            "PERSISTENCE_MODULE": "mend.postgres_factory:Factory",
            "POSTGRES_DBNAME": url.path.lstrip("/") or "postgres",
            "POSTGRES_HOST": url.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(url.port or 5432),
            "POSTGRES_USER": unquote(url.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(url.password or ""),
            # The pool keeps POOL_SIZE connections open for good and opens up to MAX_OVERFLOW
            # more under load. Each process has two pools (store and views); two gunicorn
            # workers, a projections runner and a job worker with ten idle connections each
            # would take most of PostgreSQL's default 100 while doing nothing.
            "POSTGRES_POOL_SIZE": "2",
            "POSTGRES_MAX_OVERFLOW": "18",
            # How long a request waits for a connection (the library's default is 30 s): a
            # store that is down is answered with 503 in seconds, not after half a minute.
            "POSTGRES_CONNECT_TIMEOUT": "1",
        }


def _count(name: str, value: str) -> int:
    if not value.strip().isdigit():
        raise ConfigurationError(f"{name} must be a whole number, 0 or more")
    return int(value)


def _is_ed25519_seed(value: str) -> bool:
    try:
        return len(base64.b64decode(value, validate=True)) == 32
    except ValueError:
        return False
