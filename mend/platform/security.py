"""Security headers on every response, from flask-talisman.

The API serves JSON and, later, pages that load only their own scripts and styles: the
policy allows nothing from elsewhere and no framing at all. HSTS only in production, where
Mend is served over HTTPS; TLS itself is the reverse proxy's job, so no redirect here.
"""

from __future__ import annotations

from flask import Flask
from flask_talisman import Talisman

from mend.config import Settings

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def init_app(app: Flask, settings: Settings) -> None:
    Talisman(
        app,
        force_https=False,
        strict_transport_security=settings.is_production,
        strict_transport_security_max_age=31_536_000,
        session_cookie_secure=settings.is_production,
        content_security_policy=CONTENT_SECURITY_POLICY,
        frame_options="DENY",
        referrer_policy="no-referrer",
        x_content_type_options=True,
    )
