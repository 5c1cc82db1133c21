"""Query strings of the read routes: paging, filters, and the as_of / known_at instants."""

from __future__ import annotations

from datetime import datetime, timezone

import marshmallow as ma
from marshmallow import fields as f, validate

from mend.domain import vocabulary as v
from mend.platform.schemas.base import Schema, one_of
from mend.projections.event_records import CASE_EVENT_TYPES


class ListQuerySchema(Schema):
    after = f.String(load_default=None, validate=validate.Length(max=100))
    limit = f.Integer(load_default=50, validate=validate.Range(1, 200))


def not_in_future(value: datetime) -> None:
    # A case as of next year is a guess, not a record; and a far-off date would make the
    # weekly series run for thousands of weeks.
    if value > datetime.now(timezone.utc):
        raise ma.ValidationError("Must not be in the future.")


def past_instant(description: str | None = None) -> f.AwareDateTime:
    return f.AwareDateTime(load_default=None, validate=not_in_future,
                           metadata={"description": description} if description else {})


class TimelineQuerySchema(Schema):
    as_of = past_instant("Only what happened up to this instant.")
    known_at = past_instant("Only what the record held at this instant.")
    type = f.List(
        f.String(validate=validate.OneOf(CASE_EVENT_TYPES)), load_default=list,
        metadata={"description": "Event types in snake_case; repeat to ask for several."},
    )
    # Two positions that fit a BIGINT: a longer number would overflow the store's column.
    after = f.String(load_default=None, validate=validate.Regexp(r"^\d{1,18}-\d{1,18}$"),
                     metadata={"description": "The previous page's `next`."})
    limit = f.Integer(load_default=100, validate=validate.Range(1, 500))
    visibility = f.String(load_default=None, validate=one_of(v.VISIBILITIES), metadata={
        "description": "Only entries of this visibility (among those the caller may read)."})
    person = f.UUID(load_default=None, metadata={
        "description": "Only entries this person recorded or that name them."})
    order = f.String(load_default="oldest", validate=one_of(("oldest", "newest")), metadata={
        "description": "`newest` pages from the latest entry backwards."})


class MetricsQuerySchema(Schema):
    as_of = past_instant("The case as of this instant (by when things happened); default now.")
    known_at = past_instant(
        "Only what the record held at this instant (by when it was recorded).")


class CaseloadQuerySchema(Schema):
    after = f.String(load_default=None, validate=validate.Regexp(r"^\d{1,9}$"),
                     metadata={"description": "The previous page's `next`."})
    limit = f.Integer(load_default=50, validate=validate.Range(1, 200))
    practitioner = f.UUID(load_default=None)
    kind = f.String(load_default=None, validate=one_of(v.CASE_KINDS))
    stage = f.String(load_default=None, validate=one_of(v.STAGES))
    risk = f.String(load_default=None, validate=one_of(("low", "medium", "high")))
    status = f.String(load_default=None, validate=one_of(("open", "closed")))
    title = f.String(load_default=None, validate=validate.Length(max=v.SHORT_MAX),
                     metadata={"description": "Cases whose title contains these words."})


class AuditQuerySchema(Schema):
    before = f.Integer(load_default=None, validate=validate.Range(min=1))
    limit = f.Integer(load_default=100, validate=validate.Range(1, 500))
    actor = f.UUID(load_default=None, metadata={"description": "Only what this person did."})
    type = f.List(
        f.String(validate=validate.Regexp(r"^[a-z_]{1,64}$")), load_default=list,
        validate=validate.Length(max=50),
        metadata={"description": "Entry types in snake_case; repeat to ask for several."},
    )
    since = past_instant("Only what was recorded at or after this instant.")
    until = f.AwareDateTime(load_default=None, metadata={
        "description": "Only what was recorded before this instant."})
