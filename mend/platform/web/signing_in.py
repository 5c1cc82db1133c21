"""Getting in and out: sign-in, sign-out, the invitation link, the password, the tenant switch.

Sign-in runs on the same server-side sessions as the API's browser sign-in, with the same
limits on wrong passwords per address and per account.
"""

from __future__ import annotations

from datetime import timezone
from typing import Any

import marshmallow as ma
from flask import flash, redirect, request, session, url_for
from flask_login import current_user

from mend.domain.errors import InvalidValue, NotAuthenticated, NotFound
from mend.domain.tenancy import Account
from mend.platform import access_trail, auth, limits
from mend.platform import schemas as s
from mend.platform.auth import mend
from mend.platform.forms import form_errors, load_form
from mend.platform.web.pages import actor, error_page, pages_blueprint, render, safe_next, signed_in

bp = pages_blueprint("signing_in", __name__)


def _load(schema: ma.Schema) -> tuple[dict[str, Any] | None, dict[str, list[str]]]:
    """A form through its API schema: the body, or the errors by field. These forms hold no
    date, so no time zone is needed to read one."""
    try:
        return load_form(schema, request.form, timezone.utc), {}
    except ma.ValidationError as error:
        return None, form_errors(error)


def _home() -> str:
    return url_for("caseload.dashboard")


@bp.route("/login", methods=["GET", "POST"])
@limits.per_address
@limits.per_account
def sign_in():
    target = safe_next(request.values.get("next"), _home())
    if request.method == "GET":
        if current_user.is_authenticated:
            try:
                actor()
                return redirect(target)
            except NotAuthenticated:
                # Signed in, but a member of no practice any more (revoked): start afresh.
                auth.sign_out()
        return render("web/sign_in.html", next=target, values={}, errors={})
    body, errors = _load(s.LoginSchema())
    values = {"email": request.form.get("email", "")}
    if errors:
        return render("web/sign_in.html", 422, next=target, values=values, errors=errors)
    try:
        with auth.recording_failed_sign_in("session"):
            account = mend().membership.authenticate(body["email"], body["password"])
    except NotAuthenticated:
        # 401 counts against the sign-in limits, as the API's own sign-in does.
        return render("web/sign_in.html", 401, next=target, values=values,
                      errors={"form": ["That email and password do not match."]})
    auth.sign_in(account)
    tenants = mend().membership.tenants_of(account)
    if tenants:
        session["tenant"] = tenants[0][0].slug
    return redirect(target)


@bp.route("/logout", methods=["POST"])
def sign_out():
    auth.sign_out()
    flash("You are signed out.")
    return redirect(url_for("signing_in.sign_in"))


@bp.route("/logout-everywhere", methods=["POST"])
@signed_in
def sign_out_everywhere():
    mend().membership.sign_out_everywhere(actor().account_id)
    auth.sign_out()
    flash("You are signed out on every device.")
    return redirect(url_for("signing_in.sign_in"))


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
def change_password():
    if request.method == "GET":
        return render("web/password.html", errors={})
    body, errors = _load(s.PasswordChangeSchema())
    if not errors:
        try:
            mend().membership.change_password(actor().account_id, body["current_password"],
                                              body["new_password"])
        except InvalidValue as error:
            errors = {error.field: [error.message]}
        except NotAuthenticated:
            errors = {"current_password": ["That is not your current password."]}
    if errors:
        return render("web/password.html", 422, errors=errors)
    # A new password ends every earlier session, this one too: sign straight back in.
    auth.sign_in(mend().store.get(actor().account_id, Account))
    session["tenant"] = mend().membership.tenant_slug(actor().tenant_id)
    flash("Your password is changed. Every other session has been signed out.")
    return redirect(_home())


@bp.route("/account/tokens", methods=["GET", "POST"])
@signed_in
def tokens():
    """Personal API tokens: each shown once when made, listed by label, revoked here."""
    me = actor()
    made, errors, values = None, {}, {}
    if request.method == "POST":
        values = {"label": request.form.get("label", "")}
        body, errors = _load(s.TokenRequestSchema(only=("password", "label")))
        if not errors:
            account = mend().store.peek(me.account_id, Account)
            try:
                with auth.recording_failed_sign_in("token"):
                    made, _, _ = mend().membership.issue_token(
                        account.email, body["password"],
                        mend().membership.tenant_slug(me.tenant_id), body.get("label", ""))
            except NotAuthenticated:
                errors = {"password": ["That is not your password."]}
            except InvalidValue as error:
                errors = {error.field: [error.message]}
    # The new token is in this answer only, never in the session or a redirect.
    return render("web/tokens.html", 422 if errors else 200,
                  tokens=mend().membership.token_details(me), made=made, errors=errors,
                  values={} if made else values)


@bp.route("/account/tokens/<uuid:token_id>/revoke", methods=["POST"])
@signed_in
def revoke_token(token_id):
    mend().membership.revoke_token(actor(), token_id)
    flash("The token is revoked: it stops working at once.")
    return redirect(url_for("signing_in.tokens"))


@bp.route("/invitations/<string:token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    try:
        invitation = mend().membership.invitation(token)
    except NotFound as error:
        return error_page(404, "This invitation cannot be used", str(error))
    if request.method == "GET":
        return render("web/invitation.html", invitation=invitation, token=token,
                      values={"name": invitation.name}, errors={})
    body, errors = _load(s.AcceptSchema())
    values = {"name": request.form.get("name", "")}
    if not errors:
        try:
            saved = mend().membership.accept_invitation(token, body["password"], body["name"])
        except InvalidValue as error:
            errors = {error.field: [error.message]}
        except NotAuthenticated as error:
            errors = {"password": [str(error)]}
    if errors:
        return render("web/invitation.html", 422, invitation=invitation, token=token,
                      values=values, errors=errors)
    account = mend().store.get(saved.result, Account)
    access_trail.identify(mend().membership.actor_for(account.id, invitation.tenant_slug))
    auth.sign_in(account)
    session["tenant"] = invitation.tenant_slug
    flash(f"Welcome to {invitation.tenant_name}.")
    return redirect(_home())


@bp.route("/switch-tenant", methods=["POST"])
@signed_in
def switch_tenant():
    slug = request.form.get("tenant", "")
    try:
        mend().membership.actor_for(actor().account_id, slug)
    except NotAuthenticated:
        return error_page(404, "No such practice", "You are not a member of that practice.")
    session["tenant"] = slug
    return redirect(_home())
