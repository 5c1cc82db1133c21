"""Whether a person's scores really moved: reliable change, recovery, and the words for both.

A difference counts only when it reaches the instrument's reliable-change threshold; smaller
ones are what measurement error alone can produce. Recovery (Jacobson & Truax's clinically
significant change) is a reliable improvement that also leaves the clinical range, by the
instrument's published cut-off.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from mend.domain import checks
from mend.domain.errors import RuleBroken
from mend.domain.measures.definitions import Instrument

Direction = Literal["improved", "no_change", "deteriorated"]
Outcome = Literal["recovered", "improved", "no_change", "deteriorated"]


class ThresholdUnknown(RuleBroken):
    """Raised when reliable change is asked of an instrument whose definition carries no
    sourced threshold: Mend says it cannot tell rather than guess."""


def reliable_change(definition: Instrument, first: int, latest: int) -> Direction:
    """"improved" or "deteriorated" when the totals differ by at least the threshold, in the
    instrument's direction of better; otherwise "no_change"."""
    threshold = threshold_of(definition)
    difference = _total(definition, "latest", latest) - _total(definition, "first", first)
    if abs(difference) < threshold:
        return "no_change"
    went_down = difference < 0
    return "improved" if went_down == (definition.better == "lower") else "deteriorated"


def clinically_significant(definition: Instrument, first: int, latest: int) -> bool:
    """A reliable improvement that starts in the clinical range and ends outside it."""
    cut_off = definition.cut_off
    return (reliable_change(definition, first, latest) == "improved"
            and cut_off.is_clinical(first) and not cut_off.is_clinical(latest))


def threshold_of(definition: Instrument) -> float:
    points = definition.reliable_change.points
    if points is None:
        raise ThresholdUnknown(
            f"{definition.title} has no sourced reliable-change threshold, so Mend cannot "
            "tell real change from chance on it.")
    return points


@dataclass(frozen=True)
class Change:
    """The outcome between two administrations, with a sentence for each reader."""

    outcome: Outcome
    first: int
    latest: int
    for_client: str
    for_practitioner: str


def classify(definition: Instrument, first: int, latest: int) -> Change:
    direction = reliable_change(definition, first, latest)
    recovered = clinically_significant(definition, first, latest)
    outcome: Outcome = "recovered" if recovered else direction
    return Change(
        outcome, first, latest,
        for_client=client_sentence(definition, first, latest, outcome),
        for_practitioner=practitioner_sentence(definition, first, latest, outcome),
    )


def client_sentence(definition: Instrument, first: int, latest: int, outcome: Outcome) -> str:
    if latest == first:
        return "Your score is the same as at the start."
    moved = f"Your score has {_moved(first, latest)} by {_points(abs(latest - first))}"
    if outcome == "no_change":
        return f"{moved}, a change small enough that chance alone could explain it."
    sentence = f"{moved}, a change larger than chance would explain"
    if outcome == "recovered":
        mark = definition.cut_off.recovered_words()
        return f"{sentence}, and it is now {mark}, the level this questionnaire counts as recovery."
    if outcome == "deteriorated":
        return f"{sentence}. Your practitioner will go through it with you."
    return f"{sentence}."


def practitioner_sentence(
    definition: Instrument, first: int, latest: int, outcome: Outcome
) -> str:
    cut_off, threshold = definition.cut_off, _points(threshold_of(definition))
    way = "down" if latest < first else "up"
    moved = "no change" if latest == first else f"{way} {_points(abs(latest - first))}"
    head = f"{definition.title} went from {first} to {latest} ({moved})."
    clinical = f"the clinical range ({cut_off.clinical_words()})"
    if outcome == "recovered":
        return f"{head} Reliable improvement (threshold {threshold}), out of {clinical}: recovered."
    if outcome == "deteriorated":
        where = ("still outside" if not cut_off.is_clinical(latest)
                 else "still in" if cut_off.is_clinical(first) else "now in")
        return f"{head} Reliable deterioration (threshold {threshold}); {where} {clinical}."
    if outcome == "improved":
        why = ("still in" if cut_off.is_clinical(latest) else "started outside") + f" {clinical}"
        return f"{head} Reliable improvement (threshold {threshold}); {why}, so not recovery."
    crossed = cut_off.is_clinical(first) != cut_off.is_clinical(latest)
    tail = " It crossed the cut-off, but by too little to count." if crossed else ""
    return f"{head} No reliable change (threshold {threshold}).{tail}"


def _total(definition: Instrument, field: str, total: int) -> int:
    return checks.integer_between(field, total, *definition.score_range)


def _moved(first: int, latest: int) -> str:
    return "come down" if latest < first else "gone up"


def _points(n: float) -> str:
    return f"{n:g} point" if n == 1 else f"{n:g} points"
