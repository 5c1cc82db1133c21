"""Signed statements of the history chain's head, for an operator to keep outside the database.

A statement is a small JSON document::

    {"statement": "mend-history-head", "version": 1,
     "store": "postgresql://db.internal:5432/mend",
     "last_notification_id": 48213, "head_hash": "<64 hex digits>", "events": 48190,
     "made_at": "2025-03-04T00:00:02Z",
     "public_key": "<64 hex digits: the raw Ed25519 public key>",
     "signature": "<128 hex digits>"}

The signature is Ed25519 (RFC 8032, pure) over the UTF-8 of every other field as JSON with
sorted keys and no spaces (``json.dumps(fields, sort_keys=True, separators=(",", ":"))``).
Whoever rewrites the database can make the chain hold again over what they wrote, but
cannot make it reach a head an earlier statement holds, nor sign a statement without the key.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from Crypto.PublicKey import ECC
from Crypto.PublicKey.ECC import EccKey
from Crypto.Signature import eddsa

log = logging.getLogger(__name__)

KIND = "mend-history-head"
#: Where a development Mend keeps the key it made itself when none is configured.
DEVELOPMENT_KEY = Path("var") / "history-signing.key"


class StatementUnreadable(ValueError):
    """Raised when a file is not a statement of this kind."""


class SigningKeyMissing(RuntimeError):
    """Raised when a statement is to be signed in production without MEND_HISTORY_SIGNING_KEY."""


class ChainHead(Protocol):
    def history_head(self) -> tuple[int, bytes, int]: ...


@dataclass(frozen=True)
class Statement:
    store: str
    last_notification_id: int
    head_hash: str
    events: int
    made_at: str
    public_key: str
    signature: str
    statement: str = KIND
    version: int = 1

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Statement:
        try:
            fields = json.loads(text)
            statement = cls(**fields)
        except (ValueError, TypeError):
            raise StatementUnreadable("not a statement of a Mend history's head") from None
        numbers = (statement.last_notification_id, statement.events, statement.version)
        texts = (statement.store, statement.head_hash, statement.made_at,
                 statement.public_key, statement.signature)
        if (statement.statement != KIND or statement.version != 1
                or not all(type(n) is int for n in numbers)
                or not all(isinstance(t, str) for t in texts)):
            raise StatementUnreadable("not a statement of a Mend history's head")
        return statement

    def signature_holds(self) -> bool:
        try:
            key = eddsa.import_public_key(bytes.fromhex(self.public_key))
            eddsa.new(key, "rfc8032").verify(_signed_bytes(self), bytes.fromhex(self.signature))
        except ValueError:
            return False
        return True


def make_statement(recorder: ChainHead, store: str, key: EccKey,
                   now: datetime | None = None) -> Statement:
    """A signed statement of the chain's head as it is now."""
    last_id, head, events = recorder.history_head()
    made_at = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    unsigned = Statement(
        store=store, last_notification_id=last_id, head_hash=head.hex(), events=events,
        made_at=made_at.strftime("%Y-%m-%dT%H:%M:%SZ"), public_key=public_key_hex(key),
        signature="")
    signature = eddsa.new(key, "rfc8032").sign(_signed_bytes(unsigned))
    return Statement(**{**asdict(unsigned), "signature": signature.hex()})


def _signed_bytes(statement: Statement) -> bytes:
    fields = {k: v for k, v in asdict(statement).items() if k != "signature"}
    return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode("utf-8")


def public_key_hex(key: EccKey) -> str:
    return key.public_key().export_key(format="raw").hex()


def signing_key(configured: str | None, *, production: bool,
                development_key: Path = DEVELOPMENT_KEY) -> EccKey:
    """The configured key; in development without one, a key of its own kept in a file."""
    if configured:
        return key_from_seed(configured)
    if production:
        raise SigningKeyMissing("MEND_HISTORY_SIGNING_KEY is not set: history statements are"
                                " not signed in production without it")
    if not development_key.exists():
        development_key.parent.mkdir(parents=True, exist_ok=True)
        seed = base64.b64encode(os.urandom(32)).decode()
        try:
            descriptor = os.open(development_key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as out:
                out.write(seed + "\n")
        except FileExistsError:  # another process made it a moment ago: use theirs
            pass
    key = key_from_seed(development_key.read_text().strip())
    log.warning("history: MEND_HISTORY_SIGNING_KEY is unset; signing statements with the"
                " development key in %s (public key %s). Set your own in production.",
                development_key, public_key_hex(key))
    return key


def key_from_seed(seed: str) -> EccKey:
    """An Ed25519 key from the base64 of its 32-byte seed (ValueError when it is not one)."""
    try:
        raw = base64.b64decode(seed, validate=True)
    except binascii.Error:
        raise ValueError("not base64") from None
    if len(raw) != 32:
        raise ValueError("an Ed25519 seed is 32 bytes")
    return ECC.construct(curve="Ed25519", seed=raw)


def store_identity(database_url: str) -> str:
    """Where the store is, without credentials: which store a statement speaks of."""
    if database_url.startswith("sqlite:///"):
        return "sqlite:///" + str(Path(database_url[len("sqlite:///"):]).resolve())
    url = urlsplit(database_url)
    return f"postgresql://{url.hostname or '127.0.0.1'}:{url.port or 5432}{url.path}"


def read_statement(path: Path | str) -> Statement:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise StatementUnreadable(f"cannot read it ({type(error).__name__})") from None
    return Statement.from_json(text)
