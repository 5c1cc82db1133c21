"""Questionnaires answered on a case: each administration scored by the definition it was
given with, and recorded with its answers, its score and that definition's version."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from uuid import UUID

from mend.domain.errors import InvalidValue
from mend.domain.measures import INSTRUMENTS, Score, score


class Measures:
    """Rules of a Case (mixed into it). Each ``_past_tense`` method only changes state: ``Case``
    declares it as an event, and replay runs it alone."""

    def answer_questionnaire(
        self,
        *,
        participant_id: UUID,
        instrument: str,
        answers: Mapping[str, int],
        occurred_at: datetime | None = None,
    ) -> Score:
        """Score and record one person's answers to the newest version of ``instrument``."""
        self._require_open()
        self._require_participant("participant_id", participant_id)
        definition = INSTRUMENTS.get(instrument) if isinstance(instrument, str) else None
        if definition is None:
            raise InvalidValue("instrument", f"must be one of {', '.join(sorted(INSTRUMENTS))}")
        result = score(definition, answers)
        self._questionnaire_answered(
            participant_id, definition.key, definition.version,
            # The answers as one text: sealing seals words, and these are the person's own.
            json.dumps({i.key: answers[i.key] for i in definition.items},
                       separators=(",", ":")),
            result.total, result.band, result.clinical, list(result.safety),
            self._when(occurred_at),
        )
        return result

    def _questionnaire_answered(
        self,
        participant_id: UUID,
        instrument: str,
        version: int,
        answers: str,
        total: int,
        band: str,
        clinical: bool,
        safety: list[str],
        occurred_at: datetime,
    ) -> None:
        pass
