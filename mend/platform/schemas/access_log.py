"""The access log as /api/v1/access-log and the owners' report page take and answer it."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields as f, validate

from mend.platform.schemas.base import Schema, one_of
from mend.platform.schemas.queries import past_instant
from mend.workers.access_log import ACTIONS, KINDS, OUTCOMES
from mend.workers.access_report import SORTS, AccessQuery

__all__ = ["AccessLogQuerySchema", "AccessEntrySchema", "AccessLogSchema"]


def _words(values: tuple[str, ...], what: str) -> f.List:
    return f.List(f.String(validate=one_of(values)), load_default=list,
                  validate=validate.Length(max=len(values)), metadata={
                      "description": f"Only these {what} ({', '.join(values)}); repeat to "
                                     "ask for several."})


class AccessLogQuerySchema(Schema):
    person = f.UUID(load_default=None, metadata={"description": "Only what this person did."})
    case = f.UUID(load_default=None, metadata={"description": "Only rows about this case."})
    since = past_instant("Only what happened at or after this instant.")
    until = f.AwareDateTime(load_default=None, metadata={
        "description": "Only what happened before this instant."})
    kind = _words(KINDS, "kinds of data")
    action = _words(ACTIONS, "actions")
    outcome = _words(OUTCOMES, "outcomes")
    sort = f.String(load_default="at", validate=one_of(SORTS), metadata={
        "description": "at (when), person (by name), case (by title), action or kind."})
    order = f.String(load_default=None, validate=one_of(("asc", "desc")), metadata={
        "description": "Newest first by default when sorting by time, A to Z otherwise."})
    limit = f.Integer(load_default=50, validate=validate.Range(1, 200))
    offset = f.Integer(load_default=0, validate=validate.Range(0, 1_000_000), metadata={
        "description": "Rows to skip: the previous page's `next`."})

    @ma.post_load
    def query(self, data: dict[str, Any], **kwargs: Any) -> AccessQuery:
        descending = data["order"] == "desc" if data["order"] else data["sort"] == "at"
        return AccessQuery(
            person=data["person"], case=data["case"], since=data["since"],
            until=data["until"], kinds=tuple(data["kind"]), actions=tuple(data["action"]),
            outcomes=tuple(data["outcome"]), sort=data["sort"], descending=descending,
            limit=data["limit"], offset=data["offset"])


class _PersonSchema(Schema):
    id = f.UUID()
    name = f.String(metadata={"description": "As the person is named now."})


class _CaseSchema(Schema):
    id = f.UUID()
    title = f.String(allow_none=True, metadata={
        "description": "As the case is titled now; null for no such case in the practice."})


class AccessEntrySchema(Schema):
    seq = f.Integer(metadata={"description": "The row's place in the log's chain."})
    at = f.AwareDateTime(metadata={"description": "When, in UTC, to the microsecond."})
    actor = f.Nested(_PersonSchema)
    role = f.String(metadata={"description": "The actor's role at the time."})
    case = f.Nested(_CaseSchema, allow_none=True)
    subject = f.Nested(_PersonSchema, allow_none=True, metadata={
        "description": "Whom a change of a privilege was about, when known."})
    kind = f.String(metadata={"description": ", ".join(KINDS)})
    action = f.String(metadata={"description": ", ".join(ACTIONS)})
    outcome = f.String(metadata={"description": ", ".join(OUTCOMES)})
    address = f.String(metadata={"description": "The client's address, as the server saw it."})
    request_id = f.String()
    summary = f.String(metadata={"description": "The row in plain words."})


class AccessLogSchema(Schema):
    entries = f.List(f.Nested(AccessEntrySchema))
    total = f.Integer(metadata={"description": "Rows matching the filters, in all."})
    next = f.Integer(allow_none=True, metadata={"description": "The next page's `offset`."})
