"""The API documentation page at /api/v1/docs, served entirely from this server.

Swagger UI's files come from the swagger-ui-bundle package, so the page works without
internet access and under a Content-Security-Policy that allows only this origin.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, send_from_directory
from swagger_ui_bundle import swagger_ui_path

bp = Blueprint("docs", __name__, url_prefix="/api/v1/docs")

STATIC = Path(__file__).parent / "static"
ASSETS = ("swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png")

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Mend API</title>
  <link rel="icon" href="/api/v1/docs/assets/favicon-32x32.png">
  <link rel="stylesheet" href="/api/v1/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="api-docs"></div>
  <script src="/api/v1/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/api/v1/docs/assets/docs.js"></script>
</body>
</html>
"""


@bp.get("")
def page() -> Response:
    return Response(PAGE, mimetype="text/html")


@bp.get("/assets/<name>")
def asset(name: str) -> Response:
    if name == "docs.js":
        return send_from_directory(STATIC, name, max_age=3600)
    if name not in ASSETS:
        abort(404)
    return send_from_directory(swagger_ui_path, name, max_age=86_400)
