"""The shape of a questionnaire's definition: its items, its scoring and what its numbers mean.

A definition is data. Adding an instrument, or a new version of one, is writing one more
``Instrument`` value; the scoring, the change rules and the forms read nothing else. Each
definition checks itself when it is built, so a typing slip in an item's options or a band
edge fails at import, not in front of a client.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

Better = Literal["lower", "higher"]

#: A response option as the form shows it: the points it scores, the words the person reads.
Option = tuple[int, str]


@dataclass(frozen=True)
class Item:
    """One question, worded exactly as its authors publish it, with its own options.

    ``reverse_keyed`` items score ``lowest + highest - value`` of their own options. Where a
    form prints an item's options the other way round but gives each its points (the CSI
    does), the points are written on the options instead and the item is not reverse-keyed.
    ``lead_in`` is a line the form prints just before this item (a section's instruction).
    """

    key: str
    wording: str
    options: tuple[Option, ...]
    reverse_keyed: bool = False
    lead_in: str = ""

    @property
    def values(self) -> tuple[int, ...]:
        return tuple(value for value, _ in self.options)

    def points(self, value: int) -> int:
        return min(self.values) + max(self.values) - value if self.reverse_keyed else value


@dataclass(frozen=True)
class Band:
    """A severity band: totals from ``lowest`` (inclusive) up to the next band's lowest."""

    lowest: int
    label: str


@dataclass(frozen=True)
class CutOff:
    """Where the clinical range begins. ``clinical`` says which side of ``value`` it is on:
    PHQ-9 totals of 10 or more are clinical (``at_or_above``), CSI-16 totals under 51.5 are
    (``below``). Leaving the clinical range is the recovery criterion."""

    value: float
    clinical: Literal["at_or_above", "below"]
    source: str

    def is_clinical(self, total: int) -> bool:
        return total >= self.value if self.clinical == "at_or_above" else total < self.value

    def clinical_words(self) -> str:
        """The clinical side in plain words: "10 or more", "below 51.5"."""
        if self.clinical == "at_or_above":
            return f"{self.value:g} or more"
        return f"below {self.value:g}"

    def recovered_words(self) -> str:
        """The non-clinical side in plain words: "below 10", "51.5 or more"."""
        if self.clinical == "at_or_above":
            return f"below {self.value:g}"
        return f"{self.value:g} or more"


def jacobson_truax(sd: float, reliability: float) -> float:
    """The smallest difference between two totals that chance is unlikely (p < .05) to
    explain: 1.96 × SD × √2 × √(1 − r) (Jacobson & Truax, 1991)."""
    return 1.96 * sd * math.sqrt(2) * math.sqrt(1 - reliability)


@dataclass(frozen=True)
class ReliabilityFigures:
    """The published SD and reliability a Jacobson–Truax threshold is computed from."""

    sd: float
    reliability: float
    source: str

    @property
    def threshold(self) -> float:
        return jacobson_truax(self.sd, self.reliability)


@dataclass(frozen=True)
class ReliableChange:
    """How many points a total must move to count as real change, and why that many.

    ``points`` is None when no sourced figure exists: Mend then refuses to call any change
    reliable rather than guess. When ``figures`` are given, ``points`` must be their
    threshold rounded up to a whole point, since totals are whole numbers and a difference
    just under the threshold is not reliable.
    """

    points: float | None
    basis: str
    figures: ReliabilityFigures | None = None

    @classmethod
    def from_figures(cls, figures: ReliabilityFigures, basis: str) -> ReliableChange:
        return cls(math.ceil(figures.threshold), basis, figures)


@dataclass(frozen=True)
class SafetyItem:
    """An item whose answer above ``above`` must reach a practitioner whatever the total."""

    item: str
    above: int


@dataclass(frozen=True)
class Attribution:
    """Who made the instrument, and the notice they ask to be shown with it, word for word."""

    authors: tuple[str, ...]
    year: int
    notice: str
    citation: str


@dataclass(frozen=True)
class Instrument:
    """One version of one questionnaire. An administration records ``(key, version)`` and is
    always scored by that version, so a definition, once shipped, is never edited."""

    key: str
    version: int
    title: str
    purpose: str
    instructions: str
    items: tuple[Item, ...]
    score_range: tuple[int, int]
    bands: tuple[Band, ...]
    better: Better
    cut_off: CutOff
    reliable_change: ReliableChange
    attribution: Attribution
    safety: tuple[SafetyItem, ...] = field(default=())

    def __post_init__(self) -> None:
        _check_items(self)
        _check_range_and_bands(self)
        _check_direction(self)

    def item(self, key: str) -> Item | None:
        return next((item for item in self.items if item.key == key), None)

    def band_of(self, total: int) -> str:
        return [band.label for band in self.bands if band.lowest <= total][-1]


def _check_items(d: Instrument) -> None:
    keys = [item.key for item in d.items]
    if not keys or len(set(keys)) != len(keys):
        raise ValueError(f"{d.key} v{d.version}: item keys must be present and unique")
    for item in d.items:
        if len(item.options) < 2 or len(set(item.values)) != len(item.values):
            raise ValueError(f"{d.key} v{d.version}: {item.key} needs distinct option values")
    for safety in d.safety:
        if d.item(safety.item) is None:
            raise ValueError(f"{d.key} v{d.version}: safety item {safety.item} is not an item")


def _check_range_and_bands(d: Instrument) -> None:
    lowest = sum(min(item.values) for item in d.items)
    highest = sum(max(item.values) for item in d.items)
    if d.score_range != (lowest, highest):
        raise ValueError(f"{d.key} v{d.version}: the items add up to {lowest}–{highest}, "
                         f"not {d.score_range[0]}–{d.score_range[1]}")
    edges = [band.lowest for band in d.bands]
    if not edges or edges[0] != lowest or edges != sorted(set(edges)) or edges[-1] > highest:
        raise ValueError(f"{d.key} v{d.version}: bands must start at {lowest} and rise")


def _check_direction(d: Instrument) -> None:
    # Lower is better exactly when the clinical range lies at the top of the scale.
    if (d.better == "lower") != (d.cut_off.clinical == "at_or_above"):
        raise ValueError(f"{d.key} v{d.version}: the cut-off's clinical side contradicts "
                         f"'{d.better} is better'")
    figures, points = d.reliable_change.figures, d.reliable_change.points
    if figures is not None and points != math.ceil(figures.threshold):
        raise ValueError(f"{d.key} v{d.version}: reliable change of {points} points does not "
                         f"follow from its figures ({figures.threshold:.2f})")
