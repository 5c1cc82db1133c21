"""A client's "Ask to erase my data": a page that says what erasure does, then records the
request; the same page shows its state (waiting for the practice, or declined and why).
The routes join the portal's blueprint as this module is imported."""

from __future__ import annotations

from flask import flash, redirect, request, url_for

from mend.domain import vocabulary as v
from mend.platform import erasing
from mend.platform.web.pages import REFUSALS, actor, refusal, render, signed_in
from mend.platform.web.portal import bp
from mend.platform.web.records import ERASURE_WORDS


@bp.route("/portal/erase-my-data", methods=["GET", "POST"])
@signed_in
def erase_my_data():
    me = actor()
    if me.is_staff:
        return redirect(url_for("caseload.dashboard"))
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            erasing.requests().ask(me)
        except REFUSALS as error:
            status, errors = refusal(error)
            return _page(status, errors)
        flash("Your request is sent to the practice. This page shows their answer.")
        return redirect(url_for("portal.erase_my_data"))
    return _page(200, errors)


def _page(status: int, errors: dict[str, list[str]]):
    mine = erasing.requests().mine(actor())
    reason = v.ERASURE_DECLINE_REASONS.get(mine.reason or "", "") if mine else ""
    return render("web/portal/erase_my_data.html", status, mine=mine, reason=reason,
                  errors=errors, said=ERASURE_WORDS)
