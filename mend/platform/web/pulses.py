"""Anonymous pulses on the pages: answering in the portal or through a one-time link, and the
results in words once a pulse is over.

A link names its pulse and its person and is signed with the application's secret key
(itsdangerous, as Flask signs its sessions), so nothing about it is stored; "once" is the
case's own rule: a person who has answered cannot answer again, whichever way they came.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timezone
from typing import Any
from uuid import UUID

from flask import current_app, flash, redirect, request, url_for
from itsdangerous import BadSignature, URLSafeSerializer

from mend.domain import vocabulary as v
from mend.domain.authorization import Actor
from mend.domain.tenancy import Account
from mend.platform import schemas as s
from mend.platform.auth import mend
from mend.platform.forms import load_form
from mend.platform.web import words
from mend.platform.web.pages import (
    REFUSALS, actor, error_page, refusal, render, settle, signed_in, time_zone,
)
from mend.platform.web.portal import bp
from mend.projections.pulses import PulseView

SALT = "mend.pulse-link"


@dataclass(frozen=True)
class PulseLine:
    """One pulse as a page says it."""

    view: PulseView
    status: str
    results: str | None
    bands: tuple[str, ...]


def described(view: PulseView, tz: Any) -> PulseLine:
    closes = words.local(view.closes_at, tz)
    if view.published:
        results = (f"{view.answers} people answered. The mean is {words.score(view.mean)} "
                   "out of 10.")
        bands = tuple(f"{band.answers} answered {band.low}–{band.high} ({band.name})"
                      for band in view.bands)
        return PulseLine(view, f"Closed on {closes}.", results, bands)
    if view.closed:
        return PulseLine(view, f"Closed on {closes} with {words.plural(view.answers, 'answer')}."
                         f" Results are shown only when at least {v.PULSE_MIN_RESPONSES} "
                         "people answer, so that nobody's answer can be picked out.", None, ())
    return PulseLine(view, f"Open until {closes}: {view.answers} of {view.audience} have "
                     f"answered. Results show when it closes, if at least "
                     f"{v.PULSE_MIN_RESPONSES} people answer.", None, ())


def pulse_lines(me: Actor, case_id: UUID) -> list[PulseLine]:
    return [described(view, time_zone()) for view in mend().reader.pulses(me, case_id)]


# ---------------------------------------------------------------------- the one-time links
def link_token(case_id: UUID, pulse_id: UUID, account_id: UUID) -> str:
    return URLSafeSerializer(current_app.secret_key, salt=SALT).dumps(
        [str(case_id), str(pulse_id), str(account_id)])


def link_for(case_id: UUID, pulse_id: UUID, account_id: UUID) -> str:
    return (f"{mend().settings.public_url}"
            f"{url_for('portal.pulse_link', token=link_token(case_id, pulse_id, account_id))}")


def _read_token(token: str) -> tuple[UUID, UUID, UUID] | None:
    try:
        case_id, pulse_id, account_id = URLSafeSerializer(
            current_app.secret_key, salt=SALT).loads(token)
        return UUID(case_id), UUID(pulse_id), UUID(account_id)
    except (BadSignature, ValueError, TypeError):
        return None


def _link_actor(account_id: UUID, case_id: UUID) -> Actor | None:
    """The person the link was made for, in the case's tenant, if they still belong to it."""
    account = mend().store.find(account_id, Account)
    if account is None:
        return None
    for tenant, role in mend().membership.tenants_of(account):
        row = mend().casebook.visible_case(Actor(account_id, tenant.id, role), case_id)
        if row is not None:
            return Actor(account_id, tenant.id, role)
    return None


@bp.route("/pulse/<string:token>", methods=["GET", "POST"])
def pulse_link(token: str):
    """Answer a pulse without signing in: the link stands for its person, once."""
    found = _read_token(token)
    who = _link_actor(found[2], found[0]) if found else None
    if found is None or who is None:
        return error_page(404, "This link cannot be used",
                          "The link is not complete, or it is no longer yours to use.")
    case_id, pulse_id, _ = found
    view = next((p for p in mend().reader.pulses(who, case_id) if p.pulse_id == pulse_id), None)
    if view is None or not view.asked:
        return error_page(404, "This link cannot be used", "There is no such pulse.")
    errors: dict[str, list[str]] = {}
    if request.method == "POST" and not view.answered and not view.closed:
        try:
            body = load_form(s.PulseAnswerSchema(), request.form, timezone.utc)
            saved = mend().casework.answer_pulse(who, case_id, pulse_id, body["score"])
        except REFUSALS as error:
            errors = refusal(error)[1]
        else:
            settle(saved.notification_id, case_id)
            return render("web/pulse_link.html", view=view, answered_now=True, errors={},
                          ratings=range(v.RATING_MIN, v.RATING_MAX + 1), token=token)
    return render("web/pulse_link.html", 422 if errors else 200, view=view, answered_now=False,
                  errors=errors, ratings=range(v.RATING_MIN, v.RATING_MAX + 1), token=token,
                  closes=words.local(view.closes_at, timezone.utc))


@bp.route("/portal/cases/<uuid:case_id>/pulses/<uuid:pulse_id>", methods=["POST"])
@signed_in
def answer(case_id: UUID, pulse_id: UUID):
    """A signed-in participant's answer, from their portal page."""
    from mend.platform.web.portal import _case, _client_only

    if redirect_to := _client_only(case_id):
        return redirect_to
    try:
        body = load_form(s.PulseAnswerSchema(), request.form, time_zone())
        saved = mend().casework.answer_pulse(actor(), case_id, pulse_id, body["score"])
    except REFUSALS as error:
        status, errors = refusal(error)
        return _case(case_id, status, f"pulse:{pulse_id}", {}, errors)
    settle(saved.notification_id, case_id)
    flash("Thank you: your answer is in. Nobody will see it on its own.")
    return redirect(url_for("portal.case", case_id=case_id))

