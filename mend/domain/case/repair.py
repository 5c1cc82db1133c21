"""The acts of repair: apologies, agreements, rituals and milestones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

from mend.domain import checks, vocabulary as v
from mend.domain.acting import MendAggregate
from mend.domain.errors import InvalidValue, RuleBroken


class Repair:
    """Rules of a Case (mixed into it). Each ``_past_tense`` method only changes state: ``Case``
    declares it as an event, and replay runs it alone."""

    def offer_apology(
        self,
        *,
        from_id: UUID,
        to_ids: list[UUID],
        text: str,
        names_harm: bool,
        takes_responsibility: bool,
        commits_to_change: bool,
        occurred_at: datetime | None = None,
    ) -> None:
        self._require_open()
        self._require_participant("from_id", from_id)
        if not isinstance(to_ids, (list, tuple)) or not to_ids:
            raise InvalidValue("to_ids", "must name at least one participant")
        if len(to_ids) > v.MAX_APOLOGY_RECIPIENTS:
            raise InvalidValue("to_ids", f"must name at most {v.MAX_APOLOGY_RECIPIENTS} people")
        for to_id in to_ids:
            self._require_participant("to_ids", to_id)
        if from_id in to_ids:
            raise InvalidValue("to_ids", "must not include the person apologising")
        if len(set(to_ids)) != len(to_ids):
            raise InvalidValue("to_ids", "must name each participant once")
        self._apology_offered(
            from_id,
            list(to_ids),
            checks.text("text", text),
            checks.flag("names_harm", names_harm),
            checks.flag("takes_responsibility", takes_responsibility),
            checks.flag("commits_to_change", commits_to_change),
            self._when(occurred_at),
        )

    def _apology_offered(
        self,
        from_id: UUID,
        to_ids: list[UUID],
        text: str,
        names_harm: bool,
        takes_responsibility: bool,
        commits_to_change: bool,
        occurred_at: datetime,
    ) -> None:
        pass

    def make_agreement(self, text: str, occurred_at: datetime | None = None) -> UUID:
        self._require_open()
        agreement_id = uuid4()
        self._agreement_made(agreement_id, checks.text("text", text), self._when(occurred_at))
        return agreement_id

    def _agreement_made(self, agreement_id: UUID, text: str, occurred_at: datetime) -> None:
        known = self._agreement_ids()
        if known is not None:
            known.append(str(agreement_id))

    def _agreement_ids(self) -> list[str] | None:
        """The ids of the case's agreements; None for a case loaded from a snapshot taken
        before agreements were tracked, which cannot tell the ones made before it. Such a
        case never starts a partial list (its next snapshot would pass it on as complete):
        ``Casework`` replays it from its first event when it must know."""
        return self.__dict__.get("agreements")

    @property
    def knows_its_agreements(self) -> bool:
        return self._agreement_ids() is not None

    def keep_agreement(
        self, agreement_id: UUID, note: str = "", occurred_at: datetime | None = None
    ) -> None:
        """Someone on the case kept one of its agreements (today, or on the day they say)."""
        self._require_open()
        known = self._agreement_ids()
        if known is None:
            raise RuleBroken("This case must be read from its first event to keep an agreement.")
        if not isinstance(agreement_id, UUID) or str(agreement_id) not in known:
            raise InvalidValue("agreement_id", "is not an agreement of this case")
        self._agreement_kept(
            agreement_id, checks.text("note", note, required=False), self._when(occurred_at)
        )

    @dataclass(frozen=True)
    class AgreementKept(MendAggregate.Event):
        """An agreement kept once: the case counts how often, and when last."""

        class_version = 1
        agreement_id: UUID
        note: str
        occurred_at: datetime

    def _agreement_kept(self, agreement_id: UUID, note: str, occurred_at: datetime) -> None:
        pass

    def practice_ritual(
        self, ritual: str, note: str = "", occurred_at: datetime | None = None
    ) -> None:
        self._require_open()
        ritual = checks.one_of("ritual", ritual, v.RITUALS)
        if ritual not in v.RITUALS_BY_KIND[self.kind]:
            fitting = ", ".join(v.RITUALS_BY_KIND[self.kind]) or "none: use the program's steps"
            raise InvalidValue("ritual", f"does not fit a {self.kind} case (fitting: {fitting})")
        self._ritual_practiced(
            ritual,
            checks.text("note", note, required=False),
            self._when(occurred_at),
        )

    def _ritual_practiced(self, ritual: str, note: str, occurred_at: datetime) -> None:
        pass

    def reach_milestone(
        self, title: str, note: str = "", occurred_at: datetime | None = None
    ) -> None:
        self._require_open()
        self._milestone_reached(
            checks.text("title", title, max_length=v.SHORT_MAX),
            checks.text("note", note, required=False),
            self._when(occurred_at),
        )

    def _milestone_reached(self, title: str, note: str, occurred_at: datetime) -> None:
        pass
