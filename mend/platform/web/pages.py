"""What every page shares: who is signed in and in which tenant, rendering, and error pages.

The signed-in person acts in one tenant at a time, kept in the session (``tenant``: a slug)
and changed with the switcher in the header. Anyone not signed in who opens a page is sent
to the sign-in page and brought back after.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo
from uuid import UUID

import marshmallow as ma
from flask import Blueprint, Flask, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from mend.domain.authorization import Actor
from mend.domain.errors import (
    Forbidden,
    InvalidValue,
    MendError,
    NotAuthenticated,
    NotFound,
    RuleBroken,
)
from mend.domain.tenancy import Account
from mend.platform.api.cases import READ_YOUR_WRITES_TIMEOUT
from mend.platform.auth import mend
from mend.platform.forms import form_errors
from mend.platform.web import words


def actor() -> Actor:
    """The signed-in person in the tenant they chose; NotAuthenticated when signed out."""
    if "actor" in g:
        return g.actor
    if not current_user.is_authenticated:
        raise NotAuthenticated("Sign in.")
    try:
        found = mend().membership.actor_for(current_user.account_id, session.get("tenant"))
    except NotAuthenticated:
        # The chosen tenant is gone (revoked, or left): fall back to any other of theirs.
        session.pop("tenant", None)
        found = mend().membership.actor_for(current_user.account_id)
    g.actor = found
    return found


def signed_in(view: Callable) -> Callable:
    """A page for signed-in people: others go to the sign-in page and come back after."""

    @wraps(view)
    def page(*args: Any, **kwargs: Any) -> Any:
        try:
            actor()
        except NotAuthenticated:
            return redirect(url_for("signing_in.sign_in", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return page


def staff_only(view: Callable) -> Callable:
    """A workspace page: a client is sent to their own cases instead."""

    @wraps(view)
    def page(*args: Any, **kwargs: Any) -> Any:
        if not actor().is_staff:
            return redirect(url_for("portal.my_cases"))
        return view(*args, **kwargs)

    return signed_in(page)


def time_zone() -> ZoneInfo:
    """The signed-in tenant's zone: dates on pages and in forms are read in it."""
    if "time_zone" not in g:
        g.time_zone = mend().membership.time_zone_of(actor().tenant_id)
    return g.time_zone


def safe_next(target: str | None, default: str) -> str:
    """Where to go after signing in: only a path on this site, never another origin."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\\" in target:
        return default
    return target


def header() -> dict[str, Any]:
    """The signed-in person, their tenants for the switcher, and the current tenant."""
    if not current_user.is_authenticated:
        return {"me": None}
    try:
        me = actor()
    except NotAuthenticated:
        return {"me": None}
    account = mend().store.peek(me.account_id, Account)
    tenants = [
        {"slug": tenant.slug, "name": tenant.name, "role": role,
         "current": tenant.id == me.tenant_id}
        for tenant, role in mend().membership.tenants_of(account)
    ]
    current = next(t for t in tenants if t["current"])
    return {"me": {"name": account.name, "email": account.email, "role": me.role,
                   "is_staff": me.is_staff, "is_overseer": me.role in ("owner", "supervisor"),
                   "is_owner": me.role == "owner"},
            "tenants": tenants, "tenant": current}


def flash_invitation(name: str, invitation: Any) -> None:
    """The one-time link of a new invitation, to copy and send (shown once, as the API does)."""
    link = f"{mend().settings.public_url}/invitations/{invitation.token}"
    until = words.local(invitation.expires_at, time_zone())
    flash(f"{name} is invited. Send them this link; it works once, until {until}: {link}")


def settle(notification_id: int, case_id: UUID) -> None:
    """Wait, briefly, for the views to show the write, so the next page includes it."""
    try:
        mend().wait_for_projections(notification_id, READ_YOUR_WRITES_TIMEOUT, case_id=case_id)
    except TimeoutError:
        pass


#: What a form's refusal is answered with, and where its messages go.
REFUSALS = (ma.ValidationError, InvalidValue, RuleBroken)


def refusal(error: Exception) -> tuple[int, dict[str, list[str]]]:
    """A refused form's status and its messages by input name ("form" for the whole form):
    a wrong value is 422 beside its field, a broken rule 409 above the form."""
    if isinstance(error, ma.ValidationError):
        return 422, form_errors(error)
    if isinstance(error, InvalidValue):
        return 422, {error.field: [error.message]}
    return 409, {"form": [str(error)]}


def render(template: str, status: int = 200, **context: Any) -> Any:
    return render_template(template, **context), status


def error_page(status: int, title: str, detail: str) -> Any:
    """A plain page for an error met while browsing (the API answers problem+json)."""
    return render("web/error.html", status, status_code=status, title=title, detail=detail)


def domain_error_page(error: MendError) -> Any:
    """A refusal met on a page, in words; signing in again where the session has ended."""
    if isinstance(error, NotAuthenticated):
        return redirect(url_for("signing_in.sign_in", next=request.full_path.rstrip("?")))
    if isinstance(error, NotFound):
        return error_page(404, "Not found",
                          "There is nothing here, or it is not yours to see.")
    if isinstance(error, Forbidden):
        return error_page(403, "Not allowed", str(error))
    return error_page(400, "That could not be done", str(error))


def http_error_page(error: HTTPException) -> Any:
    if isinstance(error, CSRFError):
        return error_page(400, "This form has expired",
                          "The page was open too long or came from elsewhere. Go back, reload "
                          "the page and send the form again.")
    if error.code == 429:
        return error_page(429, "Too many attempts",
                          "Too many wrong passwords were tried. Wait a minute and try again.")
    if error.code == 404:
        return error_page(404, "Not found", "There is no page at this address.")
    if isinstance(error, MethodNotAllowed):
        page, status = error_page(405, "Not here", "This page cannot be used that way.")
        return page, status, {"Allow": ", ".join(sorted(error.valid_methods or ()))}
    if error.code and error.code >= 500:
        return error_page(error.code, "Something went wrong",
                          "Something went wrong on our side. Please try again shortly.")
    return error_page(error.code or 400, error.name, error.description or "")


def wants_page() -> bool:
    """A browser asking for a page: one that names HTML among what it accepts (a bare
    ``*/*`` is a script or a probe, which gets the JSON problem like the API's clients)."""
    if request.path.startswith("/api/"):
        return False
    return any(kind in ("text/html", "application/xhtml+xml")
               for kind, _ in request.accept_mimetypes)


def pages_blueprint(name: str, import_name: str) -> Blueprint:
    """A blueprint of pages: its refusals and errors are pages too, not problem+json."""
    bp = Blueprint(name, import_name)
    bp.register_error_handler(MendError, domain_error_page)
    bp.register_error_handler(HTTPException, http_error_page)
    return bp


def init_app(app: Flask) -> None:
    app.context_processor(header)
    app.jinja_env.filters.update(words.FILTERS)
    app.jinja_env.filters["local"] = lambda moment, style="moment": words.local(
        moment, time_zone(), style)
    app.jinja_env.globals.update(words.GLOBALS)
