"""Brute-force limits on sign-in, from flask-limiter.

Failed sign-ins count per address and per account (the email asked for). The counters live
in Redis when REDIS_URL is set, so every web process shares them; while Redis is down they
fall back to this process's memory rather than letting guesses through unlimited.
"""

from __future__ import annotations

import hashlib

from flask import Flask, Response, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from mend.config import Settings

PER_ADDRESS = "20 per minute;200 per day"
PER_ACCOUNT = "5 per minute;50 per day"

limiter = Limiter(key_func=get_remote_address)


def failed(response: Response) -> bool:
    return response.status_code == 401


def account_key() -> str:
    # The API sends JSON; the sign-in page sends a form with the same field.
    body = request.get_json(silent=True) if request.is_json else request.form
    email = body.get("email") if isinstance(body, dict) else None
    if not email:
        return f"address:{get_remote_address()}"
    # A digest, not the address: the counters live in Redis, which is no place for emails.
    digest = hashlib.sha256(str(email).strip().lower().encode()).hexdigest()[:32]
    return f"account:{digest}"


per_address = limiter.limit(PER_ADDRESS, deduct_when=failed)
per_account = limiter.limit(PER_ACCOUNT, key_func=account_key, deduct_when=failed)


def init_app(app: Flask, settings: Settings) -> None:
    app.config.update(
        RATELIMIT_STORAGE_URI=settings.redis_url or "memory://",
        RATELIMIT_KEY_PREFIX=f"{settings.redis_prefix}-limits",
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True,
        RATELIMIT_SWALLOW_ERRORS=True,
        RATELIMIT_HEADERS_ENABLED=True,
    )
    limiter.init_app(app)
