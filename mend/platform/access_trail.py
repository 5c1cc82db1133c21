"""Writing the access log from requests: every read of a case and every change of a privilege,
one row each, committed before the answer leaves.

The reader tells ``witness`` of each case it lets someone read (or refuses), with the kind of
data it hands out; the first word about a case in a request sends that case's row at once
(``AccessLog.sender``), so its insert and commit run in the database while the request goes
on reading and rendering. ``settle``, the first of the app's after-request
steps, then queues what is written only at the end (a list read, a file, a change:
``access_points``) and waits for every row of the request to be committed. A row that cannot
be written turns the answer into a 503: nothing is served unlogged. A request gets an id (a
sane ``X-Request-Id`` from the client or a proxy, else a new one), written on its rows and
returned in its answer.
"""

from __future__ import annotations

import ipaddress
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from flask import Flask, Response, g, has_request_context, make_response, request

from mend.domain.authorization import Actor
from mend.platform import access_points
from mend.platform.access_points import ACTS, Intent
from mend.platform.auth import mend
from mend.platform.errors import RETRY_AFTER_SECONDS, problem
from mend.workers.access_log import REQUEST_ID, AccessRow

log = logging.getLogger(__name__)

#: What reading each kind of data the reader hands out is called, when the route says not.
ACTION_OF_KIND = {"export": "export"}
#: Form and body fields that name the person a change is about.
SUBJECT_FIELDS = ("account_id", "item_id", "to_practitioner_id")


@dataclass
class Trail:
    """One request's rows: what its route reads or changes, what sends its rows, the cases
    they are about, and the cases noted for rows written at the end (with outcomes)."""

    intent: Intent | None
    checks_only: bool
    sender: Any = None
    cases: set[str | None] = field(default_factory=set)
    noted: dict[str, str] = field(default_factory=dict)


def request_id() -> str:
    if "request_id" not in g:
        sent = request.headers.get("X-Request-Id", "")
        g.request_id = sent if REQUEST_ID.fullmatch(sent) else uuid.uuid4().hex
    return g.request_id


def identify(actor: Actor) -> None:
    """Name the actor of a public route that learns who it is serving only as it runs (a
    token issued for a password)."""
    g.access_actor = actor


def _trail() -> Trail:
    if "access_trail" not in g:
        g.access_trail = Trail(access_points.intent(), access_points.checks_only())
    return g.access_trail


def _address() -> str:
    try:
        return str(ipaddress.ip_address(request.remote_addr or ""))
    except ValueError:  # a proxy's header that is no address
        return ""


def _send(trail: Trail, actor: Actor, kind: str, action: str, outcome: str,
          case_id: Any = None, subject_id: Any = None) -> None:
    if outcome == "not_found":  # not the tenant's: its log names none of another's ids
        case_id = subject_id = None
    row = AccessRow(tenant_id=str(actor.tenant_id), actor_id=str(actor.account_id),
                    actor_role=actor.role, kind=kind, action=action, outcome=outcome,
                    case_id=str(case_id) if case_id else None,
                    subject_id=str(subject_id) if subject_id else None,
                    address=_address(), request_id=request_id())
    if trail.sender is None:
        trail.sender = mend().access_log.sender()
    trail.sender.send(row)
    trail.cases.add(row.case_id)


def _actor(fallback: Actor | None = None) -> Actor | None:
    return g.get("access_actor") or g.get("actor") or fallback


def witness(reader_actor: Actor, case_id: UUID, kind: str, outcome: str) -> None:
    """The reader's word on one case (``Reader.witness``): its row is sent now, unless the
    request has one for the case already, or the route writes its row at the end."""
    if not has_request_context():
        return  # a job's read for a report or an export: its file's fetch is the read
    trail, key = _trail(), str(case_id)
    if trail.checks_only or key in trail.cases or key in trail.noted:
        return
    intent = trail.intent
    if intent is not None and intent.at_end and intent.action not in ACTS:
        trail.noted[key] = outcome
        return
    # The signed-in person, even when the reader is asked as someone else ("view as").
    actor = _actor(reader_actor)
    if intent is None or intent.action in ACTS:
        _send(trail, actor, kind, ACTION_OF_KIND.get(kind, "view"), outcome, case_id)
    else:
        _send(trail, actor, intent.kind, intent.action, outcome, case_id)


def _outcome(status: int) -> str:
    if status < 400:
        return "allowed"
    return {403: "denied", 404: "not_found"}.get(status, "failed" if status >= 500
                                                  else "refused")


def _subject(response: Response) -> str | None:
    """Whom a change is about: the id in its path or its body, or the one its answer names
    (an invitation's new account)."""
    found = [(request.view_args or {}).get(name) for name in SUBJECT_FIELDS]
    body = request.get_json(silent=True) if request.is_json else request.form
    if isinstance(body, dict) or hasattr(body, "getlist"):
        found += [body.get(name) for name in SUBJECT_FIELDS]
    answer = response.get_json(silent=True) if response.is_json else None
    if isinstance(answer, dict):
        found.append(answer.get("account_id"))
    for value in found:
        try:
            return str(UUID(str(value)))
        except ValueError:  # absent, or not an id: the change is about no one in particular
            continue
    return None


def _send_at_end(trail: Trail, response: Response) -> None:
    """The rows a route writes once its answer is known: a list read, a file, a change."""
    intent, actor = trail.intent, _actor()
    if intent is None or actor is None or trail.checks_only:
        return
    status = response.status_code
    if intent.action in ACTS:
        _send(trail, actor, intent.kind, intent.action, _outcome(status),
              (request.view_args or {}).get("case_id"), _subject(response))
        return
    if trail.cases or (300 <= status < 400 and not trail.noted):
        return  # read as it was allowed, or sent elsewhere before anything was read
    action = intent.action
    if action == "export" and response.mimetype == "text/html" and status < 300:
        action = "print"  # a printable page opens in the browser, to be printed from there
    cases = trail.noted or {str((request.view_args or {}).get("case_id") or ""): ""}
    for case_id, noted in cases.items():
        _send(trail, actor, intent.kind, action, noted or _outcome(status), case_id or None)


def settle(response: Response) -> Response:
    """Send the rows due at the end, then wait until every row of the request is on disk;
    refuse the answer (503) if one cannot be."""
    response.headers["X-Request-Id"] = request_id()
    try:
        trail = _trail()
        _send_at_end(trail, response)
        if trail.sender is not None:
            trail.sender.finish()
    except Exception as error:  # the log's store is away, or did not answer in time
        log.warning("an answer was refused: its access-log row was not written (%s)",
                    type(error).__name__)
        return _unavailable()
    finally:
        _let_go()  # settled: a refused answer's page is not logged again
    return response


def _let_go(error: BaseException | None = None) -> None:
    """Give back the request's connection, however the request ended (an error in another
    after-request step skips ``settle``; its answer is an error then)."""
    trail = g.pop("access_trail", None)
    if trail is not None and trail.sender is not None:
        trail.sender.close()


def _unavailable() -> Response:
    detail = "The access log cannot be written just now, so nothing is shown. Try again shortly."
    from mend.platform.web import pages  # the pages build on this module's package

    refused = None
    if pages.wants_page():
        try:
            refused = make_response(pages.error_page(503, "Not available just now", detail))
        except Exception:  # the page itself needs the store: answer plainly instead
            refused = None
    refused = refused or problem(503, "Service Unavailable", detail)
    refused.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    refused.headers["X-Request-Id"] = request_id()
    return refused


def init_app(app: Flask) -> None:
    """Call last in the factory: after-request steps registered last run first, so a
    refused answer still gets the security headers added after it."""
    if app.extensions["mend"].settings.access_log == "off":
        app.after_request(_with_request_id)
        return
    app.extensions["mend"].reader.witness = witness
    app.after_request(settle)
    app.teardown_request(_let_go)


def _with_request_id(response: Response) -> Response:
    response.headers["X-Request-Id"] = request_id()
    return response
