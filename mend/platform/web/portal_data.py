"""A participant's "Download my data": the file is made by a job (``export.client``), a page
follows it, and only that participant takes the file. The routes join the portal's
blueprint as this module is imported."""

from __future__ import annotations

from uuid import UUID

from flask import redirect, url_for

from mend.platform.auth import mend
from mend.platform.web.pages import actor, signed_in
from mend.platform.web.portal import _client_only, bp
from mend.platform.web.run_pages import run_file, run_page
from mend.workers import exports


@bp.route("/portal/cases/<uuid:case_id>/my-data", methods=["POST"])
@signed_in
def start_my_data(case_id: UUID):
    if redirect_to := _client_only(case_id):
        return redirect_to
    run_id = exports.start_client_export(mend(), actor(), case_id)
    return redirect(url_for("portal.my_data_run", case_id=case_id, run_id=run_id))


@bp.route("/portal/cases/<uuid:case_id>/my-data/<uuid:run_id>")
@signed_in
def my_data_run(case_id: UUID, run_id: UUID):
    if redirect_to := _client_only(case_id):
        return redirect_to
    run = exports.readable_run(mend(), actor(), run_id, exports.CLIENT, case_id)
    return run_page(run, heading="My data",
                    back=(url_for("portal.my_data", case_id=case_id), "Back to my data"),
                    download_url=url_for("portal.my_data_file", case_id=case_id,
                                         run_id=run_id),
                    again_url=url_for("portal.start_my_data", case_id=case_id))


@bp.route("/portal/cases/<uuid:case_id>/my-data/<uuid:run_id>/file")
@signed_in
def my_data_file(case_id: UUID, run_id: UUID):
    if redirect_to := _client_only(case_id):
        return redirect_to
    return run_file(exports.readable_run(mend(), actor(), run_id, exports.CLIENT, case_id))
