"""The breach as disclosed, and the readiness checklist before repair begins."""

from __future__ import annotations

from datetime import datetime

from mend.domain import checks, vocabulary as v
from mend.domain.errors import InvalidValue


class Disclosure:
    """Rules of a Case (mixed into it). Each ``_past_tense`` method only changes state: ``Case``
    declares it as an event, and replay runs it alone."""

    def disclose_breach(
        self, category: str, summary: str, occurred_at: datetime | None = None
    ) -> None:
        self._require_open()
        self._breach_disclosed(
            checks.one_of("category", category, v.BREACH_CATEGORIES),
            checks.text("summary", summary),
            self._when(occurred_at),
        )

    def _breach_disclosed(self, category: str, summary: str, occurred_at: datetime) -> None:
        self.breaches.append({"category": category})

    def assess_readiness(
        self, answers: dict[str, bool], note: str = "", occurred_at: datetime | None = None
    ) -> None:
        self._require_open()
        if not isinstance(answers, dict) or not answers:
            raise InvalidValue("answers", "must answer at least one checklist item")
        for item, answer in answers.items():
            checks.one_of("answers", item, v.READINESS_ITEMS)
            checks.flag(f"answers.{item}", answer)
        note = checks.text("note", note, required=False)
        self._readiness_assessed(dict(answers), note, self._when(occurred_at))

    def _readiness_assessed(
        self, answers: dict[str, bool], note: str, occurred_at: datetime
    ) -> None:
        pass
