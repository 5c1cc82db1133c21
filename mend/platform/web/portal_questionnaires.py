"""A questionnaire answered in the portal: its form read off the definition, posted to the
command the API runs. The routes join the portal's blueprint as this module is imported."""

from __future__ import annotations

from uuid import UUID

from flask import flash, redirect, request, url_for

from mend.domain import commands as cmd
from mend.domain.measures import INSTRUMENTS, Instrument, form_of
from mend.platform.auth import mend
from mend.platform.forms import load_form
from mend.platform.schemas.measures import answers_schema
from mend.platform.web.pages import (
    REFUSALS, actor, error_page, refusal, render, settle, signed_in, time_zone,
)
from mend.platform.web.portal import _client_only, bp

#: Shown at once to a person whose answers raise a safety item: their practitioners are
#: alerted too, but a message can wait in an inbox and this person may not.
HELP_NOW = ("If you are thinking about hurting yourself, please do not wait for your next "
            "session: call your local emergency number, or a crisis line, now.")
TOLD = " Your practitioner has been told and will be in touch."
#: A case no practitioner works yet alerts no one: the person is asked to tell the practice.
NOBODY_TOLD = " Please also tell your practice today."


@bp.route("/portal/cases/<uuid:case_id>/questionnaires/<string:key>", methods=["GET", "POST"])
@signed_in
def questionnaire(case_id: UUID, key: str):
    if redirect_to := _client_only(case_id):
        return redirect_to
    me = actor()
    definition = INSTRUMENTS.get(key)
    if definition is None:
        return error_page(404, "No such questionnaire", "Mend has no questionnaire by that name.")
    detail = mend().reader.case(me, case_id)  # another's case does not exist for them
    if request.method == "GET":
        return _page(detail, definition)
    values = {k: v for k, v in request.form.items() if k != "csrf_token"}
    try:
        answers = load_form(answers_schema(definition)(), request.form, time_zone())
        saved = mend().casework.record(me, case_id, cmd.AnswerQuestionnaire(
            instrument=key, answers=answers, participant_id=me.account_id))
    except REFUSALS as error:
        status, errors = refusal(error)
        return _page(detail, definition, status, values, errors)
    settle(saved.notification_id, case_id)
    if getattr(saved.result, "safety", ()):
        flash(HELP_NOW + (TOLD if detail.practitioner_people else NOBODY_TOLD))
    flash(f"Thank you: your answers to the {definition.title} are saved. Your practitioner "
          "will go through them with you.")
    return redirect(url_for("portal.case", case_id=case_id))


def _page(detail, definition: Instrument, status: int = 200,
          values: dict[str, str] | None = None, errors: dict[str, list[str]] | None = None):
    return render("web/portal/questionnaire.html", status, case=detail,
                  form=form_of(definition), values=values or {}, errors=errors or {})
