"""Moving the practice to another Mend (owners): one button makes the file of its whole
history as a job, a page follows the job, and any owner of the practice takes the file.
The routes join the admin blueprint as this module is imported."""

from __future__ import annotations

from uuid import UUID

from flask import redirect, url_for

from mend.platform.auth import mend
from mend.platform.web.admin import bp
from mend.platform.web.pages import actor, render, staff_only
from mend.platform.web.run_pages import STATE_WORDS, moment, run_file, run_page
from mend.workers import exports


@bp.route("/admin/moving")
@staff_only
def moving():
    runs = exports.tenant_exports(mend(), actor())
    return render("web/moving.html", runs=[(r, STATE_WORDS.get(r.state, r.state),
                                            moment(r.created_us)) for r in runs])


@bp.route("/admin/moving", methods=["POST"])
@staff_only
def start_moving():
    run_id = exports.start_tenant_export(mend(), actor())
    return redirect(url_for("admin.moving_run", run_id=run_id))


@bp.route("/admin/moving/<uuid:run_id>")
@staff_only
def moving_run(run_id: UUID):
    run = exports.readable_run(mend(), actor(), run_id, exports.TENANT)
    return run_page(run, heading="The practice's whole history",
                    back=(url_for("admin.moving"), "Back to moving the practice"),
                    download_url=url_for("admin.moving_file", run_id=run_id),
                    again_url=url_for("admin.start_moving"))


@bp.route("/admin/moving/<uuid:run_id>/file")
@staff_only
def moving_file(run_id: UUID):
    return run_file(exports.readable_run(mend(), actor(), run_id, exports.TENANT))
