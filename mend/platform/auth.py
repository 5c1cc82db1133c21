"""Who is calling: a bearer token (API clients) or a Flask-Login session (browsers).

A session is tied to the account's credentials version, so a password change ends every
session that was signed in before it. Cookie-authenticated state changes must also carry
the session's CSRF token in the X-CSRF-Token header; bearer requests need none.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from uuid import UUID

from flask import Flask, current_app, g, request, session
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user

from mend.domain.authorization import Actor
from mend.domain.errors import Forbidden, NotAuthenticated
from mend.domain.tenancy import Account

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
login_manager = LoginManager()


@dataclass
class SignedIn(UserMixin):
    account_id: UUID
    credentials_version: int

    def get_id(self) -> str:
        return f"{self.account_id}.{self.credentials_version}"


def mend():
    return current_app.extensions["mend"]


@login_manager.user_loader
def load_user(session_id: str) -> SignedIn | None:
    account_id, _, version = session_id.partition(".")
    try:
        account = mend().store.find(UUID(account_id), Account)
    except ValueError:
        return None
    if account is None or str(account.credentials_version) != version:
        return None
    return SignedIn(account.id, account.credentials_version)


def sign_in(account: Account) -> str:
    """Start a fresh session (never reuse the old one's id) and return its CSRF token."""
    session.clear()
    login_user(SignedIn(account.id, account.credentials_version))
    session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def sign_out() -> None:
    logout_user()
    session.clear()


def current_actor() -> Actor:
    """The caller as an actor in one tenant; NotAuthenticated when there is none."""
    if "actor" in g:
        return g.actor
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthenticated("Use 'Authorization: Bearer <token>'.")
        actor = mend().membership.actor_for_token(token.strip())
        slug = request.headers.get("X-Mend-Tenant")
        if slug and slug != mend().membership.tenant_slug(actor.tenant_id):
            raise NotAuthenticated("This token belongs to another tenant.")
    elif current_user.is_authenticated:
        _require_csrf()
        actor = mend().membership.actor_for(
            current_user.account_id, request.headers.get("X-Mend-Tenant")
        )
    else:
        raise NotAuthenticated("Sign in, or send a bearer token.")
    g.actor = actor
    return actor


def _require_csrf() -> None:
    if request.method in SAFE_METHODS:
        return
    expected = session.get("csrf", "")
    sent = request.headers.get("X-CSRF-Token", "")
    if not expected or not hmac.compare_digest(expected, sent):
        raise Forbidden("Missing or wrong X-CSRF-Token for a signed-in browser request.")


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    # The API answers 401 problems itself; no redirect to a login page.
    login_manager.unauthorized_handler(lambda: (_ for _ in ()).throw(NotAuthenticated("Sign in.")))
