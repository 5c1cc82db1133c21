"""Running the practice: members and invitations, the audit feed, and outcome analytics.

Owners invite anyone, change roles and revoke; the rest of the staff see the members and
invite clients. The audit feed is the owners'; outcome analytics are for supervisors too.
Who may do which is the domain's rule: these pages offer what it allows and show its refusals.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from uuid import UUID

import marshmallow as ma
from flask import flash, redirect, request, url_for

from mend.domain import authorization as authz
from mend.domain import vocabulary as v
from mend.domain.errors import InvalidValue, RuleBroken
from mend.platform import schemas as s
from mend.platform.auth import mend
from mend.platform.forms import form_errors
from mend.platform.web import words
from mend.platform.web.pages import (
    actor,
    flash_invitation,
    pages_blueprint,
    render,
    staff_only,
    time_zone,
)

bp = pages_blueprint("admin", __name__)

AUDIT_PAGE = 50
#: The audit feed's "what" filter: a few kinds of entry a person looks for, by their types.
AUDIT_KINDS = {
    "sign_ins": ("Sign-ins and sign-outs", ("signed_in", "sign_in_failed", "session_ended",
                                            "signed_out_everywhere")),
    "members": ("Members and roles", ("member_invited", "invitation_accepted",
                                      "invitation_withdrawn", "role_granted", "role_revoked")),
    "exports": ("Records exported", ("case_exported", "tenant_exported")),
    "reports": ("Reports made and downloaded", ("report_made", "report_downloaded")),
    "cases": ("Cases opened and closed", ("case_opened", "case_closed", "case_reopened")),
    "tokens": ("API tokens", ("api_token_issued", "api_token_revoked")),
}


# ---------------------------------------------------------------------- members
@bp.route("/admin/members")
@staff_only
def members():
    return _members_page()


def _members_page(status: int = 200, values: dict[str, Any] | None = None,
                  errors: dict[str, list[str]] | None = None) -> Any:
    me = actor()
    people = sorted(mend().membership.members(me), key=lambda m: (m.status, m.name.lower()))
    return render("web/members.html", status, people=people, values=values or {},
                  errors=errors or {}, is_owner=me.role == "owner",
                  roles=[(r, words.word(r)) for r in v.ROLES if authz.may_invite(me, r)],
                  all_roles=[(r, words.word(r)) for r in v.ROLES], me_id=me.account_id)


@bp.route("/admin/members/invite", methods=["POST"])
@staff_only
def invite():
    form = {k: request.form.get(k, "") for k in ("email", "name", "role")}
    try:
        body = s.InviteSchema().load({k: v for k, v in form.items() if v})
        saved = mend().membership.invite(actor(), **body)
    except ma.ValidationError as error:
        return _members_page(422, form, form_errors(error))
    except InvalidValue as error:
        return _members_page(422, form, {error.field: [error.message]})
    except RuleBroken as error:
        return _members_page(409, form, {"form": [str(error)]})
    flash_invitation(body["name"], saved.result)
    return redirect(url_for("admin.members"))


@bp.route("/admin/members/<uuid:account_id>/resend", methods=["POST"])
@staff_only
def resend(account_id: UUID):
    """A new link for an open invitation; the one sent before stops working."""
    me = actor()
    [person] = [m for m in mend().membership.members(me)
                if m.account_id == account_id and m.status == "invited"] or [None]
    if person is None:
        return _members_page(404, errors={"form": ["That person has no open invitation."]})
    saved = mend().membership.invite(me, email=person.email, name=person.name, role=person.role)
    flash_invitation(person.name, saved.result)
    return redirect(url_for("admin.members"))


@bp.route("/admin/members/<uuid:account_id>/withdraw", methods=["POST"])
@staff_only
def withdraw(account_id: UUID):
    mend().membership.withdraw_invitation(actor(), account_id)
    flash("The invitation is withdrawn; its link no longer works.")
    return redirect(url_for("admin.members"))


@bp.route("/admin/members/<uuid:account_id>/role", methods=["POST"])
@staff_only
def change_role(account_id: UUID):
    try:
        body = s.RoleSchema().load({"role": request.form.get("role", "")})
        mend().membership.change_role(actor(), account_id, body["role"])
    except ma.ValidationError as error:
        return _members_page(422, errors=form_errors(error))
    except (InvalidValue, RuleBroken) as error:
        return _members_page(409, errors={"form": [str(error)]})
    flash("The role is changed; it applies from their next page.")
    return redirect(url_for("admin.members"))


@bp.route("/admin/members/<uuid:account_id>/revoke", methods=["POST"])
@staff_only
def revoke(account_id: UUID):
    try:
        mend().membership.revoke_member(actor(), account_id)
    except (InvalidValue, RuleBroken) as error:
        return _members_page(409, errors={"form": [str(error)]})
    flash("The membership is ended: their sessions and tokens here stop working now.")
    return redirect(url_for("admin.members"))


# ---------------------------------------------------------------------- audit
@bp.route("/admin/audit")
@staff_only
def audit():
    me, tz = actor(), time_zone()
    values = {k: request.args.get(k, "") for k in ("who", "what", "since", "until", "before")}
    errors: dict[str, list[str]] = {}
    query: dict[str, Any] = {"before": None, "who": None, "types": (), "since": None,
                             "until": None}
    try:
        if values["before"]:
            query["before"] = int(values["before"])
        if values["who"]:
            query["who"] = UUID(values["who"])
    except ValueError:
        errors["form"] = ["That filter is not one this page offers."]
    if values["what"] in AUDIT_KINDS:
        query["types"] = AUDIT_KINDS[values["what"]][1]
    for name, shift in (("since", timedelta(0)), ("until", timedelta(days=1))):
        if values[name]:
            try:  # a day in the practice's zone: from its start, or up to its end
                day = datetime.strptime(values[name], "%Y-%m-%d").date()
                query[name] = datetime.combine(day, time(), tz) + shift
            except ValueError:
                errors[name] = ["Give a date like 2026-12-02."]
    entries, more = mend().reader.audit(me, limit=AUDIT_PAGE, **query)
    people = sorted(mend().membership.members(me), key=lambda m: m.name.lower())
    args = {k: val for k, val in values.items() if val and k != "before"}
    return render("web/audit.html", entries=entries, more=more, values=values, errors=errors,
                  people=people, kinds=[(k, label) for k, (label, _) in AUDIT_KINDS.items()],
                  args=args)


# ---------------------------------------------------------------------- outcomes
@bp.route("/admin/outcomes")
@staff_only
def outcomes():
    rows = mend().reader.outcomes(actor())
    return render("web/outcomes.html", rows=rows)
