"""The form a questionnaire is answered on, read off its definition: no form is written by hand.

A page renders ``Form`` as it comes: the instructions, then one field per item in order, each
with its wording as the label and its options as choices in the order the authors print them,
and the authors' notice at the foot.
"""

from __future__ import annotations

from dataclasses import dataclass

from mend.domain.measures.definitions import Instrument, Option


@dataclass(frozen=True)
class FormField:
    """One item as an input: ``name`` is the key its answer is sent under."""

    name: str
    label: str
    choices: tuple[Option, ...]
    lead_in: str = ""
    required: bool = True


@dataclass(frozen=True)
class Form:
    instrument: str
    version: int
    title: str
    instructions: str
    fields: tuple[FormField, ...]
    notice: str


def form_of(definition: Instrument) -> Form:
    return Form(
        instrument=definition.key,
        version=definition.version,
        title=definition.title,
        instructions=definition.instructions,
        fields=tuple(
            FormField(item.key, item.wording, item.options, item.lead_in)
            for item in definition.items
        ),
        notice=definition.attribution.notice,
    )
