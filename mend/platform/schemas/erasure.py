"""Legal holds, erasure and how long records are kept: what /api/v1 takes and answers for
a case's or a person's records."""

from __future__ import annotations

from marshmallow import fields as f, validate

from mend.domain import vocabulary as v
from mend.platform.schemas.base import Schema, one_of

__all__ = ["ErasureSchema", "ErasedSchema", "LegalHoldSchema", "RetentionSchema"]


def _listed(words: dict[str, str]) -> str:
    return "; ".join(f"{code}: {said}" for code, said in words.items())


class ErasureSchema(Schema):
    reason = f.String(required=True, validate=one_of(tuple(v.ERASURE_REASONS)),
                      metadata={"description": _listed(v.ERASURE_REASONS)})


class ErasedSchema(Schema):
    case_ids = f.List(f.UUID(), metadata={"description": "The cases whose words were erased."})
    person_id = f.UUID(allow_none=True, metadata={
        "description": "The person whose account and own words were erased, if one was."})
    erased_at = f.AwareDateTime()
    keys_deleted = f.Integer()


class LegalHoldSchema(Schema):
    reason = f.String(required=True, validate=one_of(tuple(v.HOLD_REASONS)),
                      metadata={"description": _listed(v.HOLD_REASONS)})
    until = f.AwareDateTime(load_default=None, metadata={
        "description": "When the hold ends; defaults to the practice's retention period "
                       "from today."})


class RetentionSchema(Schema):
    years = f.Integer(required=True, strict=True,
                      validate=validate.Range(1, v.MAX_RETENTION_YEARS),
                      metadata={"description": "How many years clinical records are kept."})
