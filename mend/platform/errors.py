"""Every error becomes application/problem+json here, in one place (RFC 9457)."""

from __future__ import annotations

import http
import logging
from typing import Any

import marshmallow as ma
from apispec import BasePlugin
from flask import Flask, current_app, jsonify, request
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from eventsourcing.persistence import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed

from mend.domain import errors as domain

log = logging.getLogger(__name__)

PROBLEM = "application/problem+json"

#: The domain's error tree mapped to statuses, most specific first.
STATUSES: list[tuple[type[domain.MendError], int, str]] = [
    (domain.InvalidValue, 422, "Invalid input"),
    (domain.NotFound, 404, "Not found"),
    (domain.Forbidden, 403, "Forbidden"),
    (domain.NotAuthenticated, 401, "Not signed in"),
    (domain.AlreadyTaken, 409, "Already taken"),
    (domain.ConcurrentWrite, 409, "Conflict"),
    (domain.RuleBroken, 409, "Rule of the record"),
]


class ProblemSchema(ma.Schema):
    type = ma.fields.String()
    title = ma.fields.String()
    status = ma.fields.Integer()
    detail = ma.fields.String()
    errors = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.Raw(),
        metadata={"description": "Per-field messages, for 422"},
    )


def problem(status: int, title: str, detail: str = "", errors: dict | None = None,
            headers: dict | None = None) -> Any:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status,
                            "detail": detail}
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def field_messages(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """webargs nests errors by location ({"json": {"trust": [...]}}); clients want field names."""
    if isinstance(messages, dict):
        flat: dict[str, list[str]] = {}
        for key, value in messages.items():
            name = str(key) if key not in ("json", "query", "_schema") else ""
            if key == "_schema":
                name = prefix or "body"
            path = f"{prefix}.{name}" if prefix and name else (name or prefix)
            flat.update(field_messages(value, path))
        return flat
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return {prefix or "body": messages}
    return {prefix or "body": [str(messages)]}


class ProblemResponsesPlugin(BasePlugin):
    """Documents, on every operation, the problem+json answers it may give (DESIGN §6).

    401 and 403 on every operation that needs a signed-in caller (one documented with
    `security: []` is public), 404 where the path names something, and on every POST 400
    (body not JSON), 409 (a rule of the record or a write conflict), 413 (body too large),
    415 (body not JSON) and 422 (invalid input). Routes that answer more (429 on sign-in, 401
    on a public route checking a password) say so themselves with `alt_response`.
    """

    def operation_helper(self, path=None, operations=None, **kwargs: Any) -> None:
        has_path_parameters = "{" in (path or "") or "<" in str(kwargs.get("rule", ""))
        for method, operation in (operations or {}).items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            statuses: list[int] = []
            if operation.get("security") != []:
                statuses += [401, 403]
            if has_path_parameters:
                statuses.append(404)
            if method != "get":
                statuses += [400, 409, 413, 415, 422]
            documented = {str(code) for code in responses}
            for status in statuses:
                if str(status) not in documented:
                    responses[status] = http.HTTPStatus(status).name


class ProblemApi(Api):
    """flask-smorest's Api, answering every HTTP error as problem+json, and saying so.

    Error responses are documented per status with the problem+json media type (no catch-all
    `default`), so a client or a contract test can tell which statuses an operation gives.
    """

    ERROR_SCHEMA = ProblemSchema
    DEFAULT_ERROR_RESPONSE_NAME = None

    def __init__(self, app: Flask | None = None, **kwargs: Any):
        spec_kwargs = dict(kwargs.pop("spec_kwargs", None) or {})
        spec_kwargs["extra_plugins"] = [*spec_kwargs.get("extra_plugins", ()),
                                        ProblemResponsesPlugin()]
        super().__init__(app, spec_kwargs=spec_kwargs, **kwargs)

    def _register_responses(self) -> None:
        """One response component per HTTP status, as application/problem+json."""
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM)
            self.spec.components.response(status.name, response, lazy=True)

    def handle_http_exception(self, error: HTTPException) -> Any:
        from mend.platform.web import pages  # the pages build on this module

        if pages.wants_page():
            return pages.http_error_page(error)
        data = getattr(error, "data", None) or {}
        errors = data.get("errors") or data.get("messages")
        if isinstance(error, InternalServerError):
            # Never leak internals: the traceback goes to the log, the client gets a plain line.
            log.error("internal error", exc_info=getattr(error, "original_exception", None))
            return problem(500, "Internal error", "Something went wrong on our side.")
        headers = dict(data.get("headers") or {})
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            headers["Allow"] = ", ".join(sorted(error.valid_methods))
        detail = data.get("message") or error.description or ""
        if errors:
            flat = field_messages(errors)
            detail = ("Some fields are invalid." if error.code == 422
                      else flat.get("body", [detail])[0])
        return problem(error.code or 500, error.name, detail,
                       field_messages(errors) if errors else None, headers=headers)


def refuse_non_json_bodies() -> Any:
    """A body that is not declared JSON is refused with 415 before any parsing (API only)."""
    if (
        request.path.startswith("/api/v1/")
        and request.method in ("POST", "PUT", "PATCH")
        and (request.content_length or request.headers.get("Transfer-Encoding"))
        and not request.is_json
    ):
        return problem(415, "Unsupported Media Type", "Send the body as application/json.")
    return None


#: How long a client should wait before retrying while the store does not answer.
RETRY_AFTER_SECONDS = 5


def refuse_oversized_streams() -> Any:
    """A body sent in chunks announces no length: Werkzeug stops reading it at the limit and
    hands on what it read, which then fails as "invalid JSON". Read it here, and a body that
    fills the limit is a 413, as it is when its length is announced."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if request.content_length is None and limit and request.headers.get("Transfer-Encoding"):
        if len(request.get_data(cache=True)) >= limit:
            return problem(413, "Content Too Large",
                           f"The body is over the {limit // 1024} KiB limit.")
    return None


def register(app: Flask) -> None:
    app.before_request(refuse_non_json_bodies)
    app.before_request(refuse_oversized_streams)

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def store_unavailable(error: Exception) -> Any:
        # The connection may have dropped after the commit was sent: the write may be recorded.
        log.warning("the store did not answer: %s", type(error).__name__)
        detail = "The record store is not answering just now."
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            detail += (" What you sent may or may not have been recorded: retrying with the same"
                       " Idempotency-Key is safe and records it at most once.")
        return problem(503, "Service Unavailable", detail,
                       headers={"Retry-After": str(RETRY_AFTER_SECONDS)})

    @app.errorhandler(RecursionError)
    def nested_too_deeply(error: RecursionError) -> Any:
        # Python's JSON parser recurses per level: a small body nested thousands deep.
        if request.is_json and request.content_length != 0:
            return problem(400, "Bad Request", "The JSON body is nested too deeply.")
        log.error("recursion too deep", exc_info=error)
        return problem(500, "Internal error", "Something went wrong on our side.")

    @app.errorhandler(domain.MendError)
    def mend_error(error: domain.MendError) -> Any:
        for kind, status, title in STATUSES:
            if isinstance(error, kind):
                if isinstance(error, domain.InvalidValue):
                    return problem(status, title, str(error), {error.field: [error.message]})
                headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
                return problem(status, title, str(error), headers=headers)
        return problem(400, "Bad request", str(error))
