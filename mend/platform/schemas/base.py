"""What every schema shares: unknown fields refused, unstorable text refused, the limits.

Unknown fields are rejected (marshmallow's default), so a body can never smuggle in a tenant,
an actor or a role. Ranges and closed sets come from the domain's vocabulary.
"""

from __future__ import annotations

from collections.abc import Mapping

import marshmallow as ma
from marshmallow import fields as f, validate

from mend.domain import vocabulary as v


TEXT = validate.Length(min=1, max=v.TEXT_MAX)


SHORT = validate.Length(min=1, max=v.SHORT_MAX)


NEW_PASSWORD = validate.Length(min=v.PASSWORD_MIN, max=v.PASSWORD_MAX)


#: A password being checked, not chosen: any length up to the cap, so a short wrong one is 401.
GIVEN_PASSWORD = validate.Length(max=v.PASSWORD_MAX)


RATING = validate.Range(v.RATING_MIN, v.RATING_MAX)


def one_of(values: tuple[str, ...]) -> validate.OneOf:
    return validate.OneOf(values)


def occurred_at() -> f.AwareDateTime:
    return f.AwareDateTime(
        load_default=None,
        metadata={"description": "When it happened (ISO 8601 with offset); defaults to now."},
    )


def optional_text() -> f.String:
    return f.String(load_default="", validate=validate.Length(max=v.TEXT_MAX))


def unstorable_text(data: object, path: str = "") -> dict[str, list[str]]:
    """Where the input holds text no store can keep: a NUL character (PostgreSQL's text
    refuses it, and a view that cannot be written stops every tenant's views) or a lone
    surrogate (not UTF-8 at all)."""
    if isinstance(data, str):
        try:
            data.encode("utf-8")
        except UnicodeEncodeError:
            return {path or "_schema": ["Must be valid Unicode text."]}
        return {path or "_schema": ["Must not contain NUL characters."]} if "\x00" in data else {}
    found: dict[str, list[str]] = {}
    if isinstance(data, Mapping):
        keys = data.keys()
        for key in keys:
            name = f"{path}.{key}" if path else str(key)
            found.update(unstorable_text(key, name))
            values = data.getlist(key) if hasattr(data, "getlist") else [data[key]]
            for value in values:
                found.update(unstorable_text(value, name))
    elif isinstance(data, (list, tuple)):
        for value in data:
            found.update(unstorable_text(value, path))
    return found


class Schema(ma.Schema):
    """Every schema raises on unknown fields (marshmallow's default, stated here on purpose),
    and refuses text that cannot be stored (see ``unstorable_text``) wherever it is."""

    class Meta:
        unknown = ma.RAISE

    @ma.pre_load
    def refuse_unstorable_text(self, data: object, **kwargs: object) -> object:
        if errors := unstorable_text(data):
            raise ma.ValidationError(errors)
        return data
