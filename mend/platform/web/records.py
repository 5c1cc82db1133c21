"""Keeping and erasing records, from the pages (owners): a legal hold on a case, erasing a
case or a person behind a page that says what erasure does, the practice's retention period,
and the clients' requests to erase their data. The routes join the case pages' and the admin
pages' blueprints as this module is imported; the rules are the domain's, as everywhere.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import flash, redirect, request, url_for

from mend.domain import authorization as authz, vocabulary as v
from mend.domain.errors import NotFound
from mend.platform import erasing, schemas as s
from mend.platform.auth import mend
from mend.platform.forms import load_form
from mend.platform.web.admin import bp as admin
from mend.platform.web.cases import _case_page, bp as case_pages
from mend.platform.web.pages import REFUSALS, actor, refusal, render, settle, staff_only, time_zone

#: What erasing does, and what it cannot undo, said the same on every page that offers it.
ERASURE_WORDS = (
    "Everything written in it will read “(erased)” wherever Mend shows it: pages, reports, "
    "exports and the history. The dates, the scores and a note of the erasure (who, when, "
    "why) stay.",
    "It cannot be undone, by anyone. Copies already downloaded or printed (reports, exports, "
    "a person's own data) are not erased: ask whoever holds them to delete them.",
)


def _reasons() -> list[tuple[str, str]]:
    return list(v.ERASURE_REASONS.items())


# ---------------------------------------------------------------------- a case
@case_pages.route("/cases/<uuid:case_id>/erase", methods=["GET", "POST"])
@staff_only
def erase_case(case_id: UUID):
    me = actor()
    detail = mend().reader.case(me, case_id)  # 404 when the case is not theirs to see
    authz.require_owner(me, "erase a case")
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            body = s.ErasureSchema().load({"reason": request.form.get("reason", "")})
            shredded = erasing.erase_case(me, case_id, body["reason"])
        except REFUSALS as error:
            status, errors = refusal(error)
            return _confirm(detail.title, case_id, None, errors, status)
        settle(shredded.saved.notification_id, case_id)
        flash("The case is erased. Its words now read “(erased)”; the views and files made "
              "from them are being cleared.")
        return redirect(url_for("case_pages.case_page", case_id=case_id))
    return _confirm(detail.title, case_id, None, errors)


def _confirm(title: str, case_id: UUID | None, person: Any, errors: dict[str, list[str]],
             status: int = 200) -> Any:
    return render("web/erase_confirm.html", status, title=title, case_id=case_id,
                  person=person, errors=errors, reasons=_reasons(), said=ERASURE_WORDS,
                  chosen=request.form.get("reason", ""))


@case_pages.route("/cases/<uuid:case_id>/legal-hold", methods=["POST"])
@staff_only
def place_hold(case_id: UUID):
    form = {k: request.form.get(k, "") for k in ("reason", "until") if request.form.get(k)}
    try:
        body = load_form(s.LegalHoldSchema(), request.form, time_zone())
        saved = erasing.erasure().place_hold(actor(), case_id, body["reason"], body["until"])
    except REFUSALS as error:
        status, errors = refusal(error)
        return _case_page(case_id, status, "LegalHold", form, errors)
    settle(saved.notification_id, case_id)
    flash("The legal hold is placed: the case cannot be erased while it stands.")
    return redirect(url_for("case_pages.case_page", case_id=case_id) + "#records")


@case_pages.route("/cases/<uuid:case_id>/legal-hold/lift", methods=["POST"])
@staff_only
def lift_hold(case_id: UUID):
    try:
        saved = erasing.erasure().lift_hold(actor(), case_id)
    except REFUSALS as error:
        status, errors = refusal(error)
        return _case_page(case_id, status, "LegalHold", {}, errors)
    settle(saved.notification_id, case_id)
    flash("The legal hold is lifted.")
    return redirect(url_for("case_pages.case_page", case_id=case_id) + "#records")


# ---------------------------------------------------------------------- a person
def _member(account_id: UUID) -> Any:
    me = actor()
    authz.require_owner(me, "erase a person's data")
    found = [m for m in mend().membership.members(me) if m.account_id == account_id]
    if not found:
        raise NotFound(f"No person {account_id}.")
    return found[0]


@admin.route("/admin/members/<uuid:account_id>/erase", methods=["GET", "POST"])
@staff_only
def erase_person(account_id: UUID):
    person = _member(account_id)
    if request.method == "POST":
        try:
            body = s.ErasureSchema().load({"reason": request.form.get("reason", "")})
            erasing.erase_person(actor(), account_id, body["reason"])
        except REFUSALS as error:
            status, errors = refusal(error)
            return _confirm(person.name, None, person, errors, status)
        flash(f"{person.name}'s data is erased: they can no longer sign in, and their words "
              "now read “(erased)”.")
        return redirect(url_for("admin.members"))
    return _confirm(person.name, None, person, {})


# ---------------------------------------------------------------------- retention
@admin.route("/admin/retention", methods=["POST"])
@staff_only
def set_retention():
    try:
        body = s.RetentionSchema().load({"years": _int(request.form.get("years", ""))})
        erasing.erasure().set_retention_years(actor(), body["years"])
    except REFUSALS as error:
        _, errors = refusal(error)
        flash(" ".join(m for ms in errors.values() for m in ms))
    else:
        flash(f"Clinical records are now kept for {body['years']} years.")
    return redirect(url_for("admin.operations") + "#retention")


def _int(text: str) -> Any:
    return int(text) if text.strip().isdigit() else text


# ---------------------------------------------------------------------- clients' requests
@admin.route("/admin/erasure-requests")
@staff_only
def erasure_requests():
    return _requests_page()


def _requests_page(status: int = 200, errors: dict[str, list[str]] | None = None,
                   failed: str = "") -> Any:
    me = actor()
    open_requests = erasing.requests().open_requests(me)
    names = {m.account_id: m.name for m in mend().membership.members(me)}
    return render("web/erasure_requests.html", status, requests=open_requests, names=names,
                  declines=list(v.ERASURE_DECLINE_REASONS.items()), errors=errors or {},
                  failed=failed, said=ERASURE_WORDS)


@admin.route("/admin/erasure-requests/<uuid:account_id>/approve", methods=["POST"])
@staff_only
def approve_request(account_id: UUID):
    try:
        erasing.approve_request(actor(), account_id)
    except REFUSALS as error:
        status, errors = refusal(error)
        return _requests_page(status, errors, str(account_id))
    flash("The request is approved and the person's data erased: they can no longer sign in.")
    return redirect(url_for("admin.erasure_requests"))


@admin.route("/admin/erasure-requests/<uuid:account_id>/decline", methods=["POST"])
@staff_only
def decline_request(account_id: UUID):
    try:
        erasing.requests().decline(actor(), account_id, request.form.get("reason", ""))
    except REFUSALS as error:
        status, errors = refusal(error)
        return _requests_page(status, errors, str(account_id))
    flash("The request is declined; the person sees the reason in their portal.")
    return redirect(url_for("admin.erasure_requests"))
