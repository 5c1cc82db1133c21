"""Validated questionnaires as versioned data: their definitions, scoring, and what a change means.

Shipped: the PHQ-9 and GAD-7 (free to reproduce, by their notice) and the CSI-16 and CSI-4
(described by their authors as freely available for research and clinical use).

Not shipped, because using them needs a licence or the authors' permission: the Outcome and
Session Rating Scales (ORS/SRS), the Revised Dyadic Adjustment Scale (RDAS), the Dyadic Trust
Scale, and Rempel, Holmes and Zanna's Trust in Close Relationships scale. A practice that holds
the licence adds one as data: an ``Instrument`` value with the licensed wording and notice,
passed to ``Registry.of`` with the shipped ones. No code changes.

``definitions`` holds the format, ``phq`` and ``csi`` the shipped instruments, ``registry``
the lookup, ``scoring`` and ``change`` the rules, ``forms`` the form read off a definition.
The marshmallow schema of an answers payload is generated in ``mend.platform.schemas.measures``.
"""

from __future__ import annotations

from mend.domain.measures.change import (
    Change, ThresholdUnknown, classify, clinically_significant, reliable_change,
)
from mend.domain.measures.definitions import (
    Attribution, Band, CutOff, Instrument, Item, ReliabilityFigures, ReliableChange, SafetyItem,
    jacobson_truax,
)
from mend.domain.measures.forms import Form, FormField, form_of
from mend.domain.measures.registry import (
    INSTRUMENTS, REGISTRY, SHIPPED, Registry, lookup, offered_on,
)
from mend.domain.measures.scoring import Score, score

__all__ = [
    "offered_on",
    "Attribution", "Band", "Change", "CutOff", "Form", "FormField", "INSTRUMENTS", "Instrument",
    "Item", "REGISTRY", "Registry", "ReliabilityFigures", "ReliableChange", "SHIPPED",
    "SafetyItem", "Score", "ThresholdUnknown", "classify", "clinically_significant", "form_of",
    "jacobson_truax", "lookup", "reliable_change", "score",
]
