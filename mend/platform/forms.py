"""HTML form bodies loaded through the same request schemas as the JSON API.

A browser sends every value as text, leaves unticked checkboxes out, repeats a key for a list,
sends an empty string for a field left blank, and a ``datetime-local`` value without an
offset. ``form_data`` turns such a body into what the JSON API would have received, guided by
the schema's declared fields and nothing else; ``load_form`` then loads it with the schema,
so a form gets the same command and the same per-field errors (named as the form's inputs are,
``breach.summary`` for nested fields) as the API.
"""

from __future__ import annotations

import re
from datetime import datetime, tzinfo
from typing import Any

import marshmallow as ma
from marshmallow import fields as f
from werkzeug.datastructures import MultiDict

from mend.platform.errors import field_messages

TRUE_WORDS = frozenset({"on", "true", "yes", "1"})
FALSE_WORDS = frozenset({"off", "false", "no", "0"})
INTEGER = re.compile(r"[+-]?\d{1,18}")


def load_form(schema: ma.Schema, form: MultiDict, tz: tzinfo) -> dict[str, Any]:
    """Load a form body with ``schema``; ValidationError names the form's fields."""
    return schema.load(form_data(schema, form, tz))


def form_data(schema: ma.Schema, form: MultiDict, tz: tzinfo, prefix: str = "") -> dict[str, Any]:
    """The JSON-shaped body a form stands for. Keys the schema does not declare (the CSRF
    token, the submit button) are left out; blank values count as not sent."""
    data: dict[str, Any] = {}
    for name, field in schema.load_fields.items():
        key = prefix + (field.data_key or name)
        value = _field_value(field, key, form, tz)
        if value is not _MISSING:
            data[field.data_key or name] = value
    return data


_MISSING = object()


def _field_value(field: f.Field, key: str, form: MultiDict, tz: tzinfo) -> Any:
    if isinstance(field, f.Nested):
        nested = field.schema
        value = form_data(nested, form, tz, prefix=f"{key}.")
        return value if value else _MISSING
    if isinstance(field, f.Dict):
        return _dict_value(field, key, form)
    if isinstance(field, f.List):
        values = [v for v in form.getlist(key) if v.strip() != ""]
        if not values:
            return _MISSING
        return [_scalar(field.inner, v, tz) for v in values]
    if isinstance(field, f.Boolean):
        # An unticked checkbox sends nothing at all: for a form, absent means no.
        values = [v for v in form.getlist(key) if v != ""]
        return _scalar(field, values[-1], tz) if values else False
    values = form.getlist(key)
    if not values or values[-1].strip() == "":
        return _MISSING
    return _scalar(field, values[-1], tz)


def _dict_value(field: f.Dict, key: str, form: MultiDict) -> Any:
    """A checklist: one checkbox per key, named ``key.item``. Items the schema's key field
    lists and the form leaves unticked are answered no."""
    prefix = f"{key}."
    sent = {k[len(prefix):]: form.getlist(k)[-1] for k in form if k.startswith(prefix)}
    if not sent and key not in form:
        return _MISSING
    listed = _choices(field.key_field) if field.key_field is not None else ()
    answers: dict[str, Any] = {item: False for item in listed}
    for item, value in sent.items():
        answers[item] = _boolean(value)
    return answers


def _choices(field: f.Field) -> tuple[str, ...]:
    for validator in field.validators:
        if isinstance(validator, ma.validate.OneOf):
            return tuple(validator.choices)
    return ()


def _scalar(field: f.Field | None, value: str, tz: tzinfo) -> Any:
    if isinstance(field, f.Integer) and INTEGER.fullmatch(value.strip()):
        return int(value.strip())
    if isinstance(field, f.Boolean):
        return _boolean(value)
    if isinstance(field, (f.AwareDateTime, f.DateTime)):
        return _local_moment(value, tz)
    return value


def _boolean(value: str) -> Any:
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return value  # left for the schema to refuse by name


def _local_moment(value: str, tz: tzinfo) -> str:
    """A ``datetime-local`` value ("2026-12-01T14:30") is a wall-clock time in the tenant's
    zone; a value that already carries an offset is kept as it is."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.isoformat()


def form_errors(error: ma.ValidationError) -> dict[str, list[str]]:
    """The messages of a failed load by input name, as the API's 422 names them."""
    return field_messages(error.messages)
