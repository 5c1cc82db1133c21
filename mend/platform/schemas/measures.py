"""The marshmallow schema of an answers payload, generated from a questionnaire's definition.

One field per item, named by the item's key, required, a whole number, and one of that item's
option values; any other key is refused (marshmallow's RAISE, stated on purpose as the
platform's schemas do). A ValidationError's messages are keyed by the item, so a form can put
each message next to its question.
"""

from __future__ import annotations

from functools import cache

import marshmallow as ma
from marshmallow import fields, validate

from mend.domain.measures.definitions import Instrument, Item


class AnswersSchema(ma.Schema):
    """The base of every generated schema: unknown keys are refused."""

    class Meta:
        unknown = ma.RAISE


@cache
def answers_schema(definition: Instrument) -> type[AnswersSchema]:
    """The schema class for answers to this version of this instrument (built once)."""
    return AnswersSchema.from_dict(
        {item.key: _field(item) for item in definition.items},
        name=f"{definition.key.capitalize()}V{definition.version}AnswersSchema",
    )


def _field(item: Item) -> fields.Integer:
    allowed = ", ".join(str(v) for v in sorted(item.values))
    return fields.Integer(
        required=True,
        strict=True,  # a number, not "3"; a form's text is converted before loading
        validate=validate.OneOf(item.values, error=f"Must be one of {allowed}."),
        error_messages={"required": "Please answer this question."},
        metadata={"description": item.wording},
    )
