"""The program board of a workplace case: its eight steps in order, who owns each, the
evidence of those done, and the trust pulses over time.

It is one of the case pages (their blueprint, so the same sign-in, refusals and error pages
hold), for staff only. Its forms post the same typed commands as the case page and the API
(completing a step, assigning its owner) through the same request schemas, and come back to
the board: on success by a redirect, on a refusal as the board again with the message beside
its field.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from uuid import UUID

from flask import abort, flash, redirect, request, url_for

from mend.domain import vocabulary as v
from mend.platform.auth import mend
from mend.platform.forms import load_form
from mend.platform.web.cases import bp
from mend.platform.web.command_forms import CASE_FORMS
from mend.platform.web.pages import REFUSALS, actor, refusal, render, settle, staff_only, time_zone
from mend.platform.web.program_board import board_of
from mend.platform.web.words import word

#: The commands the board's forms record, each once per step.
BOARD_FORMS = ("CompleteProgramStep", "AssignStepOwner")


@bp.route("/cases/<uuid:case_id>/program")
@staff_only
def program_board(case_id: UUID):
    return _board(case_id)


def _board(case_id: UUID, status: int = 200, failed: str | None = None,
           values: dict[str, str] | None = None,
           errors: dict[str, list[str]] | None = None) -> Any:
    me, reader = actor(), mend().reader
    detail = reader.case(me, case_id)
    progress = reader.progress(me, case_id)  # not found for a case of another kind
    people = [(str(p.account_id), p.name or "Unnamed") for p in detail.participants]
    people += [(str(p.id), p.name or "Unnamed") for p in detail.practitioner_people]
    forms = [name for name in BOARD_FORMS
             if detail.status == "open" and CASE_FORMS[name].command.allowed(me)]
    errors = errors or {}
    # A refusal about no step of the board (a step that is not one of the eight) goes above
    # the steps, since there is no step to show it beside.
    loose = [] if failed else [f"{word(k)}: {' '.join(m)}" if k != "form" else " ".join(m)
                               for k, m in errors.items()]
    return render("web/program.html", status, case=detail,
                  board=board_of(progress, time_zone(), datetime.now(timezone.utc)),
                  people=people, forms=forms, failed=failed, values=values or {},
                  errors=errors, loose_errors=loose)


@bp.route("/cases/<uuid:case_id>/program/<string:name>", methods=["POST"])
@staff_only
def record_on_board(case_id: UUID, name: str):
    if name not in BOARD_FORMS:
        abort(404)
    form = CASE_FORMS[name]
    step = request.form.get("step", "")
    values = {k: request.form.get(k, "") for k in request.form if k != "csrf_token"}
    try:
        body = load_form(form.route.schema(), request.form, time_zone())
        saved = mend().casework.record(actor(), case_id, form.command(**body))
    except REFUSALS as error:
        status, errors = refusal(error)
        failed = f"{name}:{step}" if step in v.PROGRAM_STEPS else None
        return _board(case_id, status, failed, values, errors)
    settle(saved.notification_id, case_id)
    done = "done" if name == "CompleteProgramStep" else "owner assigned"
    flash(f"{word(step)}: {done}.")
    return redirect(url_for("case_pages.program_board", case_id=case_id) + f"#step-{step}")
