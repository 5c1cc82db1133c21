"""Who is calling: a bearer token (API clients) or a Flask-Login session (browsers).

A signed cookie alone cannot be taken back, so sessions also die on the server: each has an
id that sign-out records on the account (a replayed cookie is then refused), and each is
tied to the account's credentials version, which a password change or "sign out
everywhere" moves on. Sessions expire after SESSION_IDLE without a request (the cookie is
re-signed on every request and Flask refuses older signatures) and after SESSION_ABSOLUTE
in any case. Cookie-authenticated state changes must carry the session's CSRF token in the
X-CSRF-Token header; bearer requests need none.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from flask import Flask, after_this_request, current_app, g, request, session
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user

from mend.domain.authorization import Actor
from mend.domain.errors import Forbidden, NotAuthenticated, NotFound, WrongCredentials
from mend.domain.tenancy import Account

log = logging.getLogger(__name__)

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
SESSION_IDLE = timedelta(minutes=30)
SESSION_ABSOLUTE = timedelta(hours=12)
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
def load_user(user_id: str) -> SignedIn | None:
    account_id, _, version = user_id.partition(".")
    try:
        # Read only, once per request: the shared copy, not one of its own.
        account = mend().store.peek(UUID(account_id), Account)
    except (ValueError, NotFound):
        return None
    sid, started = session.get("sid"), session.get("started", 0)
    if (
        account is None
        or str(account.credentials_version) != version
        or not sid
        or sid in account.ended_sessions
        or time.time() - started > current_app.config["SESSION_ABSOLUTE"].total_seconds()
    ):
        return None
    return SignedIn(account.id, account.credentials_version)


def sign_in(account: Account) -> str:
    """Start a fresh session (never reuse the old one's id) and return its CSRF token."""
    session.clear()
    session.permanent = True
    session["sid"] = secrets.token_urlsafe(16)
    session["started"] = time.time()
    login_user(SignedIn(account.id, account.credentials_version))
    session["csrf"] = secrets.token_urlsafe(32)
    tenants = mend().membership.tenants_of(account)
    mend().membership.record_sign_in(account.id, session["sid"], "session",
                                     [tenant.id for tenant, _ in tenants])
    return session["csrf"]


def sign_out() -> None:
    """End this session on the server too, so the cookie is worthless even if kept."""
    if current_user.is_authenticated and session.get("sid"):
        mend().membership.end_session(current_user.account_id, session["sid"],
                                      current_app.config["SESSION_ABSOLUTE"])
    logout_user()
    session.clear()


def sign_out_everywhere() -> None:
    """End every browser session of the caller's account (signed in by session or token)."""
    mend().membership.sign_out_everywhere(current_actor().account_id)
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


@contextmanager
def recording_failed_sign_in(via: str) -> Iterator[None]:
    """Record a wrong password given for a known account in its tenants' audit feeds.

    The record is written once the answer has gone out, so answering takes as long whether
    or not the email belongs to an account (an unknown email leaves no record: there is no
    tenant whose owners could read it).
    """
    try:
        yield
    except WrongCredentials as wrong:
        if wrong.account_id is not None:
            membership = mend().membership
            account_id, address = wrong.account_id, request.remote_addr or ""

            def record() -> None:
                try:
                    membership.record_failed_sign_in(account_id, via, address)
                except Exception:  # the answer is gone; nobody is left to tell but the log
                    log.exception("could not record a failed sign-in")

            @after_this_request
            def after_the_answer(response):
                response.call_on_close(record)
                return response
        raise


def _require_csrf() -> None:
    if request.method in SAFE_METHODS:
        return
    expected = session.get("csrf", "")
    sent = request.headers.get("X-CSRF-Token", "")
    if not expected or not hmac.compare_digest(expected, sent):
        raise Forbidden("Missing or wrong X-CSRF-Token for a signed-in browser request.")


#: The blueprints whose routes need a signed-in caller unless marked public.
SIGNED_IN_BLUEPRINTS = ("access", "cases", "insights", "exports", "alerts", "me", "reports")


def public(view: Callable) -> Callable:
    """Mark a route that anyone may call (sign-up, sign-in, invitations)."""
    view.mend_public = True  # type: ignore[attr-defined]
    return view


def authenticate_first() -> None:
    """Who is calling is settled before the body is read: a stranger learns nothing from the
    route's validation messages, only that they must sign in (401)."""
    if request.blueprint not in SIGNED_IN_BLUEPRINTS or request.method == "OPTIONS":
        return
    view = current_app.view_functions.get(request.endpoint)
    if view is not None and not getattr(view, "mend_public", False):
        current_actor()


def init_app(app: Flask) -> None:
    app.config["PERMANENT_SESSION_LIFETIME"] = SESSION_IDLE  # Flask's own default is 31 days
    app.config["SESSION_ABSOLUTE"] = SESSION_ABSOLUTE
    app.config["SESSION_REFRESH_EACH_REQUEST"] = True
    login_manager.init_app(app)
    # The API answers 401 problems itself; no redirect to a login page.
    login_manager.unauthorized_handler(lambda: (_ for _ in ()).throw(NotAuthenticated("Sign in.")))
    app.before_request(authenticate_first)
