"""Scoring one administration: every item answered once with one of its options, then summed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from mend.domain.errors import InvalidValue
from mend.domain.measures.definitions import Instrument


@dataclass(frozen=True)
class Score:
    """What one set of answers comes to. ``clinical`` is True past the clinical cut-off;
    ``safety`` names the safety items whose answers need a practitioner now."""

    instrument: str
    version: int
    total: int
    band: str
    clinical: bool
    safety: tuple[str, ...]


def score(definition: Instrument, answers: Mapping[str, int]) -> Score:
    """Score ``answers`` (item key → the chosen option's value) by ``definition``.

    Raises InvalidValue naming the first item that is unknown, unanswered, or answered with
    a value that is not one of that item's options.
    """
    checked = valid_answers(definition, answers)
    total = sum(item.points(checked[item.key]) for item in definition.items)
    return Score(
        instrument=definition.key,
        version=definition.version,
        total=total,
        band=definition.band_of(total),
        clinical=definition.cut_off.is_clinical(total),
        safety=tuple(s.item for s in definition.safety if checked[s.item] > s.above),
    )


def valid_answers(definition: Instrument, answers: Mapping[str, int]) -> dict[str, int]:
    if not isinstance(answers, Mapping):
        raise InvalidValue("answers", "must map each item to the value of its chosen option")
    known = {item.key for item in definition.items}
    for key in answers:
        if key not in known:
            raise InvalidValue(str(key), f"is not an item of {definition.title}")
    for item in definition.items:
        if item.key not in answers:
            raise InvalidValue(item.key, "must be answered")
        value = answers[item.key]
        # bool is an int subclass; True is not an answer.
        if isinstance(value, bool) or not isinstance(value, int) or value not in item.values:
            allowed = ", ".join(str(v) for v in sorted(item.values))
            raise InvalidValue(item.key, f"must be one of {allowed}")
    return dict(answers)
