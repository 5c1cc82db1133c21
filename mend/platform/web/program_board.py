"""The workplace program board in words: each step's state, its owner and its evidence, and
the trust pulses as a chart and a table.

The reader says what happened (which steps were completed and when, who owns which, each
pulse's answers and mean); this module only says how that reads on the board: which step is
next, "Done on 3 March", "Owner: Dana Reyes", "4 answers; results show …". The template then
prints these words and decides nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from mend.domain import vocabulary as v
from mend.platform.web import charts
from mend.platform.web.words import word
from mend.projections.metrics import PulsePoint, WorkplaceProgress

DONE, NEXT, NOT_STARTED = "done", "next", "not_started"


@dataclass(frozen=True)
class StepCard:
    step: str
    number: int
    title: str
    state: str  # done, next or not_started
    state_words: str  # "Done on 3 March", "Next", "Not started"
    note: str  # the evidence noted when it was done
    out_of_order: str  # "Taken before Accountability: <reason>", or empty
    owner_id: str  # empty when the step has no owner
    owner_words: str  # "Owner: Dana Reyes" or "No owner yet"
    #: For a step not done: the earlier steps still open, in words, which completing it now
    #: would go before (so the form asks why); empty when it is next or done.
    ahead_of: str
    forms_words: str  # the summary of the step's forms


@dataclass(frozen=True)
class PulseRow:
    day: str
    words: str  # "Mean 6.8 from 5 answers" or "4 answers; results show when …"
    published: bool


@dataclass(frozen=True)
class Board:
    steps: tuple[StepCard, ...]
    summary: str  # "3 of 8 steps done"
    pulses: tuple[PulseRow, ...]
    chart: charts.Chart
    #: The chart's text alternative: what it shows, in a sentence.
    chart_words: str


def listed(names: list[str]) -> str:
    """Names as a sentence lists them: "A", "A and B", "A, B and C"."""
    if len(names) < 2:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def day_words(moment: datetime, tz: tzinfo, now: datetime) -> str:
    """A day as people say it: "3 March", with the year only when it is not this year's."""
    day, today = moment.astimezone(tz), now.astimezone(tz)
    return f"{day.day} {day:%B}" + ("" if day.year == today.year else f" {day.year}")


def answers(n: int) -> str:
    return "1 answer" if n == 1 else f"{n} answers"


def pulse_words(pulse: PulsePoint) -> str:
    if pulse.published and pulse.mean is not None:
        return f"Mean {pulse.mean:.1f} from {answers(pulse.responses)}"
    return (f"{answers(pulse.responses)}; results show when the pulse closes with at least "
            f"{v.PULSE_MIN_RESPONSES}")


def _steps(progress: WorkplaceProgress, tz: tzinfo, now: datetime) -> tuple[StepCard, ...]:
    completed = {c.step: c for c in progress.completed}
    owners = {o.step: o for o in progress.owners}
    # What each completed step was taken before: the earlier steps not done at that moment.
    done_before: list[str] = []
    skipped: dict[str, list[str]] = {}
    for c in progress.completed:
        earlier = v.PROGRAM_STEPS[: v.PROGRAM_STEPS.index(c.step)]
        skipped[c.step] = [s for s in earlier if s not in done_before]
        done_before.append(c.step)
    first_open = next((s for s in v.PROGRAM_STEPS if s not in completed), None)
    cards = []
    for number, step in enumerate(v.PROGRAM_STEPS, start=1):
        done = completed.get(step)
        owner = owners.get(step)
        open_before = [word(s) for s in v.PROGRAM_STEPS[: number - 1] if s not in completed]
        if done is not None:
            state, state_words = DONE, f"Done on {day_words(done.occurred_at, tz, now)}"
        elif step == first_open:
            state, state_words = NEXT, "Next"
        else:
            state, state_words = NOT_STARTED, "Not started"
        out_of_order = ""
        if done is not None and done.reason and skipped.get(step):
            out_of_order = (f"Taken before {listed([word(s) for s in skipped[step]])}: "
                            f"{done.reason}")
        if owner is not None:
            owner_words = f"Owner: {owner.name or 'someone no longer named'}"
            forms_words = "Change the owner" if done else "Mark it done, or change the owner"
        else:
            owner_words = "No owner yet"
            forms_words = "Assign an owner" if done else "Mark it done, or assign an owner"
        cards.append(StepCard(
            step=step, number=number, title=word(step), state=state, state_words=state_words,
            note=done.note if done else "", out_of_order=out_of_order,
            owner_id=owner.account_id if owner else "", owner_words=owner_words,
            ahead_of="" if done or state == NEXT else listed(open_before),
            forms_words=forms_words,
        ))
    return tuple(cards)


def _chart_words(pulses: list[PulsePoint], tz: tzinfo, now: datetime) -> str:
    shown = [p for p in pulses if p.published and p.mean is not None]
    if not shown:
        return ""
    means = ", ".join(f"{p.mean:.1f}" for p in shown)
    if len(shown) == 1:
        return (f"One published pulse, on {day_words(shown[0].occurred_at, tz, now)}, with a "
                f"mean of {means} on a 0 to 10 scale.")
    return (f"Mean answer of {len(shown)} published pulses on a 0 to 10 scale, from "
            f"{day_words(shown[0].occurred_at, tz, now)} to "
            f"{day_words(shown[-1].occurred_at, tz, now)}: {means}.")


def board_of(progress: WorkplaceProgress, tz: tzinfo, now: datetime) -> Board:
    pulses = list(progress.pulses)
    return Board(
        steps=_steps(progress, tz, now),
        summary=f"{progress.steps_completed} of {len(v.PROGRAM_STEPS)} steps done",
        pulses=tuple(PulseRow(day_words(p.occurred_at, tz, now), pulse_words(p), p.published)
                     for p in pulses),
        chart=charts.pulse_chart(pulses, tz),
        chart_words=_chart_words(pulses, tz, now),
    )
