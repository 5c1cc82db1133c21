"""The pages: a workspace for practitioners, supervisors and owners, a portal for clients,
and the way in.

A page is a route that loads, calls the reader or a command, and renders; a form posts, runs
the same typed command the API runs, and redirects, so the next page shows what was recorded.
Nothing here decides who may see or do what: the reader and the commands do.
"""

from __future__ import annotations

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from mend.platform.web import admin, caseload, cases, pages, portal, signing_in
# The program board adds its routes to the case pages' blueprint as it is imported.
from mend.platform.web import program  # noqa: F401
# The portal's readiness, ritual and agreement forms join the portal's blueprint likewise.
from mend.platform.web import portal_practice  # noqa: F401
# Moving the practice (owners) and a participant's own data, each made by a job, likewise.
from mend.platform.web import moving, portal_data  # noqa: F401
# The portal's reminder settings and the owners' operations page join theirs likewise.
from mend.platform.web import operations, portal_reminders  # noqa: F401
# Keeping and erasing records (owners), and a client's request to erase theirs, likewise.
from mend.platform.web import portal_erasure, portal_questionnaires, records  # noqa: F401
# The owners' access report and the portal's "who opened my case" likewise.
from mend.platform.web import access_pages  # noqa: F401
from mend.platform.web import alerts
from mend.platform.web import reports as report_pages

csrf = CSRFProtect()

#: The JSON API keeps its own CSRF rule (the X-CSRF-Token header for browser sessions; none
#: for bearer tokens), so only the pages' forms carry Flask-WTF's token.
API_BLUEPRINTS = ("access", "cases", "insights", "exports", "alerts", "me", "reports",
                  "erasure")


def init_app(app: Flask) -> None:
    # A form's token lives as long as the session it belongs to; the session's own idle and
    # absolute limits end both.
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    app.config.setdefault("WTF_CSRF_SSL_STRICT", False)  # TLS ends at the reverse proxy
    csrf.init_app(app)
    for name in API_BLUEPRINTS:
        csrf.exempt(app.blueprints[name])
    for bp in (signing_in.bp, caseload.bp, cases.bp, portal.bp, admin.bp, alerts.bp,
               report_pages.bp):
        app.register_blueprint(bp)
    pages.init_app(app)
