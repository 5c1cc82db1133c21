"""The Flask application: the REST API, the pages, sign-in, health and the command line."""

from __future__ import annotations

import atexit
import logging

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from mend.bootstrap import bootstrap
from mend.config import Settings
from mend.platform import auth, cli, docs, errors, health, limits, security, web
from mend.platform.api import access, cases, exports, insights
from mend.platform.api import alerts, me
from mend.platform.api import reports
from mend.platform.api import erasure as erasure_api
# The access log's route joins the insights blueprint as it is imported.
from mend.platform.api import access_log  # noqa: F401
from mend.platform import access_cli, access_trail
from mend.workers import context

#: Bodies above this are refused with 413 before they are parsed.
MAX_BODY_BYTES = 256 * 1024


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.is_production,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=settings.is_production,
        API_TITLE="Mend",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        # Every operation needs a bearer token (or a signed-in session) unless it says
        # `security: []` (the public ones: sign-up, sign-in, tokens, invitations).
        API_SPEC_OPTIONS={"security": [{"bearer": []}]},
    )
    logging.basicConfig(level=logging.INFO)
    if settings.trusted_proxies:
        # Rate limits and the audit feed key on the client's address, not the proxy's.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies,
                                x_proto=settings.trusted_proxies)

    mend = bootstrap(settings)
    app.extensions["mend"] = mend
    context.install(mend)
    atexit.register(mend.close)
    if settings.scheduler == "inline":
        from mend.workers.scheduler import Scheduler

        scheduler = Scheduler(mend)
        scheduler.start()
        app.extensions["mend.scheduler"] = scheduler
        atexit.register(scheduler.stop)  # runs before mend.close: atexit goes last-in first

    api = errors.ProblemApi(app)
    api.spec.components.security_scheme(
        "bearer", {"type": "http", "scheme": "bearer"}
    )
    api.register_blueprint(access.bp)
    api.register_blueprint(cases.bp)
    api.register_blueprint(insights.bp)
    api.register_blueprint(exports.bp)
    api.register_blueprint(alerts.bp)
    api.register_blueprint(me.bp)
    api.register_blueprint(reports.bp)
    api.register_blueprint(erasure_api.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(docs.bp)
    errors.register(app)
    security.init_app(app, settings)
    limits.init_app(app, settings)
    auth.init_app(app)
    web.init_app(app)
    cli.init_app(app)
    app.cli.add_command(access_cli.access)
    access_trail.init_app(app)  # last: its after-request step must run first
    return app
