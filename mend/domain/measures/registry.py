"""Where definitions are found: the newest version by key, and any version by (key, version).

An administration stores the key and version it was given with; scoring it again years later
looks up that exact version, never the newest, so a corrected item or a new threshold never
rewrites an old result.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from mend.domain.errors import NotFound
from mend.domain.measures.csi import CSI4, CSI16
from mend.domain.measures.definitions import Instrument
from mend.domain.measures.phq import GAD7, PHQ9

#: Every definition Mend ships, each version kept once shipped. A new version is appended.
SHIPPED: tuple[Instrument, ...] = (PHQ9, GAD7, CSI16, CSI4)


@dataclass(frozen=True)
class Registry:
    """Definitions by (key, version); ``latest`` holds the newest version of each key."""

    versions: Mapping[tuple[str, int], Instrument]
    latest: Mapping[str, Instrument]

    @classmethod
    def of(cls, definitions: Iterable[Instrument]) -> Registry:
        versions: dict[tuple[str, int], Instrument] = {}
        for d in definitions:
            if (d.key, d.version) in versions:
                raise ValueError(f"{d.key} v{d.version} is defined twice")
            versions[(d.key, d.version)] = d
        latest: dict[str, Instrument] = {}
        for d in versions.values():
            if d.key not in latest or d.version > latest[d.key].version:
                latest[d.key] = d
        return cls(MappingProxyType(versions), MappingProxyType(latest))

    def lookup(self, key: str, version: int) -> Instrument:
        try:
            return self.versions[(key, version)]
        except KeyError:
            raise NotFound(f"No questionnaire {key!r} in version {version}.") from None


REGISTRY = Registry.of(SHIPPED)
#: The newest version of each shipped instrument, by key ("phq9", "gad7", "csi16", "csi4").
INSTRUMENTS = REGISTRY.latest
lookup = REGISTRY.lookup


#: The relationship questionnaires are about a partner: offered on couple cases only.
PARTNER_INSTRUMENTS = frozenset({"csi16", "csi4"})


def offered_on(case_kind: str) -> list[Instrument]:
    """The questionnaires a participant of a case of this kind may answer, in shipped order."""
    return [d for d in INSTRUMENTS.values()
            if case_kind == "couple" or d.key not in PARTNER_INSTRUMENTS]
