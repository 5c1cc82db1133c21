"""The portal's forms for the practice of repair: a participant's own readiness checklist,
"we did this today" on a ritual and "we kept this today" on an agreement.

Each posts, runs the same typed command the API runs, and goes back to the portal page with
a word of what was saved; a refusal is the portal page again with the message beside the
form it came from. The routes join the portal's blueprint as this module is imported.
"""

from __future__ import annotations

from uuid import UUID

from mend.domain import commands as cmd
from mend.platform import schemas as s
from mend.platform.web.pages import signed_in
from mend.platform.web.portal import _client_only, _record, bp


@bp.route("/portal/cases/<uuid:case_id>/readiness", methods=["POST"])
@signed_in
def readiness(case_id: UUID):
    """The readiness checklist, answered for oneself (the event's actor is whose it is)."""
    return _client_only(case_id) or _record(
        case_id, "readiness", s.ReadinessSchema(), lambda body: cmd.AssessReadiness(**body),
        "Your readiness answers are saved.")


@bp.route("/portal/cases/<uuid:case_id>/rituals", methods=["POST"])
@signed_in
def ritual_done(case_id: UUID):
    """One tap: the ritual named in the form was done today."""
    return _client_only(case_id) or _record(
        case_id, "ritual", s.RitualSchema(), lambda body: cmd.PracticeRitual(**body),
        "Saved: you did this together today.")


@bp.route("/portal/cases/<uuid:case_id>/agreements/<uuid:agreement_id>/kept",
          methods=["POST"])
@signed_in
def agreement_kept(case_id: UUID, agreement_id: UUID):
    """One tap: this agreement was kept today."""
    return _client_only(case_id) or _record(
        case_id, f"agreement:{agreement_id}", s.NoteSchema(),
        lambda body: cmd.KeepAgreement(agreement_id=agreement_id, **body),
        "Saved: you kept this agreement today.")
