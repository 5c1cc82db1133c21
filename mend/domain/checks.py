"""Small value checks shared by the aggregates; each names the field it rejects."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone

from mend.domain import vocabulary as v
from mend.domain.errors import InvalidValue


def one_of(field: str, value: object, allowed: Iterable[str]) -> str:
    allowed = tuple(allowed)
    if not isinstance(value, str) or value not in allowed:
        raise InvalidValue(field, f"must be one of {', '.join(allowed)}")
    return value


def integer_between(field: str, value: object, low: int, high: int | None = None) -> int:
    # bool is an int subclass; True is not a rating.
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidValue(field, "must be a whole number")
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise InvalidValue(field, f"must be {bound}")
    return value


def text(field: str, value: object, *, required: bool = True, max_length: int = v.TEXT_MAX) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise InvalidValue(field, "must be text")
    if required and not value.strip():
        raise InvalidValue(field, "must not be empty")
    if len(value) > max_length:
        raise InvalidValue(field, f"must be at most {max_length} characters")
    return value


def flag(field: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise InvalidValue(field, "must be true or false")
    return value


def moment(field: str, value: object, *, now: datetime, not_before: datetime | None) -> datetime:
    """An occurred_at: timezone-aware, not in the future, not before the record began."""
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise InvalidValue(field, "must be a date and time with a UTC offset")
    value = value.astimezone(timezone.utc)
    if value > now:
        raise InvalidValue(field, "must not be in the future")
    if not_before is not None and value < not_before:
        raise InvalidValue(field, "must not be before the case was opened")
    return value


def utcnow() -> datetime:
    return datetime.now(timezone.utc)
