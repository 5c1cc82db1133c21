"""Routes for keeping and erasing records (owners): legal holds on a case, how long the
practice keeps records, and erasing a case or a person.

Erasure deletes the keys that sealed the words; what was made from them outside the store
(views, report and export files) is cleared by a job queued before the answer. A case under
a legal hold is refused with 409, saying until when and why. Anyone else than an owner gets
403 for what they can see and 404 for a case they are not on, as everywhere.
"""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from mend.domain.erasure import Shredded
from mend.platform import erasing, schemas as s
from mend.platform.api.cases import IDEMPOTENCY_KEY, recorded, remembered_by_key
from mend.platform.auth import current_actor

bp = Blueprint("erasure", __name__, url_prefix="/api/v1",
               description="Keeping and erasing records (owners)")


def erased(shredded: Shredded) -> dict[str, Any]:
    return {"case_ids": list(shredded.case_ids), "person_id": shredded.person_id,
            "erased_at": shredded.saved.recorded_at, "keys_deleted": shredded.keys_deleted}


@bp.route("/cases/<uuid:case_id>/erasure", methods=["POST"])
@bp.doc(parameters=[IDEMPOTENCY_KEY])
@bp.arguments(s.ErasureSchema)
@bp.response(200, s.ErasedSchema)
def erase_case(body, case_id):
    """Erase a case's words: what it holds in common and each person's own words in it.

    Cannot be undone, and copies already downloaded are not reached. 409 under a legal hold.
    """
    with remembered_by_key():
        return erased(erasing.erase_case(current_actor(), case_id, body["reason"]))


@bp.route("/people/<uuid:account_id>/erasure", methods=["POST"])
@bp.doc(parameters=[IDEMPOTENCY_KEY])
@bp.arguments(s.ErasureSchema)
@bp.response(200, s.ErasedSchema)
def erase_person(body, account_id):
    """Erase a person's data: their account (they can no longer sign in) and their own words
    in every case of this practice. 409 for an owner, for yourself, for someone who also has
    records with another practice, or when one of their cases is under a legal hold."""
    with remembered_by_key():
        return erased(erasing.erase_person(current_actor(), account_id, body["reason"]))


@bp.route("/cases/<uuid:case_id>/legal-hold", methods=["POST"])
@bp.doc(parameters=[IDEMPOTENCY_KEY])
@bp.arguments(s.LegalHoldSchema)
@bp.response(201, s.RecordedSchema)
def place_hold(body, case_id):
    """Place a legal hold: the case cannot be erased until `until` (by default the practice's
    retention period from today). Placing one again replaces it."""
    with remembered_by_key():
        saved = erasing.erasure().place_hold(current_actor(), case_id, body["reason"],
                                             body["until"])
    return recorded(saved)


@bp.route("/cases/<uuid:case_id>/legal-hold", methods=["DELETE"])
@bp.response(200, s.RecordedSchema)
def lift_hold(case_id):
    """Lift the legal hold on a case; 409 when there is none."""
    return recorded(erasing.erasure().lift_hold(current_actor(), case_id))


@bp.route("/settings/retention", methods=["PUT"])
@bp.arguments(s.RetentionSchema)
@bp.response(200, s.RetentionSchema)
def set_retention(body):
    """How many years the practice keeps clinical records (a new legal hold's default)."""
    erasing.erasure().set_retention_years(current_actor(), body["years"])
    return {"years": body["years"]}
