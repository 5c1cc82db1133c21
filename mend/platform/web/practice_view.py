"""The practice of repair as the pages show it: readiness checklists by whom they are, rituals
with when they were last done, agreements with how often they were kept.

Counts and dates come folded from the reader's standing; this module only decides how they
read, in the tenant's time zone, so the templates print sentences and hold no rule.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo

from mend.domain import vocabulary as v
from mend.platform.web import words
from mend.projections.standing import Agreement, CaseStanding, Readiness

#: The readiness checklist as a participant answers it for themselves.
READINESS_FOR_ONESELF = {
    "breach_accepted": "I accept that the breach happened, without denying or playing it down",
    "emotions_acknowledged": "I let myself feel and name my emotions about it",
    "motivation_clear": "I know why I want to try to rebuild",
    "committed_to_honesty": "I am committed to full honesty, not just part of it",
    "boundaries_set": "We have clear boundaries for how we talk and behave",
    "checkins_scheduled": "We have regular check-ins planned",
    "independent_reflection": "I take time to reflect on my own, or keep a journal",
    "external_support": "I have support outside of us: a counselor, or people I trust",
    "prepared_for_setbacks": "I expect setbacks, and know progress is not a straight line",
    "tracking_progress": "We keep track of our progress and notice small wins",
    "monthly_review_of_intentions": "We look at our intentions and boundaries again each month",
    "knows_exit_is_possible": "I know I can leave if safety or respect do not come back",
}

#: Each ritual in plain words: its name, and one line on what it is.
RITUAL_WORDS = {
    "daily_checkin": ("Daily check-in", "A few minutes each day to say how you are."),
    "transparency_hour": ("Transparency hour",
                          "Time set aside to share your thoughts and plans openly."),
    "gratitude_note": ("Gratitude note", "A note, written or spoken, of something you value."),
    "letter": ("A letter", "Writing to each other what is hard to say out loud."),
    "positive_prediction": ("Positive prediction",
                            "Saying one thing you trust the other will do."),
    "sharing_fears": ("Sharing a fear", "Saying a worry out loud, and being heard."),
    "family_dinner": ("Family dinner", "A meal together, every one of you at the table."),
    "regret_circle": ("Regret circle", "Each of you shares one regret and one apology."),
    "storytelling_night": ("Storytelling night",
                           "Stories of the hard times your family came through."),
    "joint_session": ("Joint session", "A session together with your counselor."),
    "intergenerational_journal": ("Family journal",
                                  "A journal the generations write in together."),
    "digital_detox": ("Time without screens", "Phones away, time in person."),
    "gratitude_leader": ("Gratitude leader",
                         "One of you, in turn, points out what went well."),
}


def _day(moment: datetime, tz: tzinfo) -> str:
    return words.local(moment, tz, "day")


def _ago(moment: datetime, now: datetime, tz: tzinfo) -> str:
    """"today", "yesterday", "3 days ago", counted in the tenant's days."""
    return words.ago(moment.astimezone(tz), now.astimezone(tz))


def _times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


# ---------------------------------------------------------------------- readiness
@dataclass(frozen=True)
class ReadinessLine:
    """One person's latest checklist: "Ana's own answers, 3 Mar 2026: 4 of 12"."""

    headline: str
    items: tuple[tuple[str, bool], ...]
    note: str
    own: bool


def _whose(readiness: Readiness, participants: Collection[str], me: str | None) -> str:
    if readiness.actor_id is not None and readiness.actor_id == me:
        return "Your own answers"
    name = readiness.actor_name or "Someone"
    if readiness.actor_id in participants:
        return f"{name}'s own answers"
    return f"{name}'s assessment"


def readiness_line(readiness: Readiness, participants: Collection[str], tz: tzinfo,
                   me: str | None = None, plain: dict[str, str] | None = None) -> ReadinessLine:
    label = (plain or {}).get
    items = tuple((label(item) or words.word(item), answer)
                  for item, answer in readiness.answers.items())
    return ReadinessLine(
        headline=(f"{_whose(readiness, participants, me)}, {_day(readiness.assessed_at, tz)}: "
                  f"{readiness.ready} of {len(readiness.answers)} ready"),
        items=items, note=readiness.note,
        own=readiness.actor_id in participants,
    )


def readiness_lines(standing: CaseStanding, participants: Collection[str],
                    tz: tzinfo) -> tuple[ReadinessLine, ...]:
    """Each person's latest checklist for the workspace, the most recent first."""
    return tuple(readiness_line(r, participants, tz) for r in standing.readiness_by_person)


# ---------------------------------------------------------------------- agreements
def kept(agreement: Agreement, now: datetime, tz: tzinfo) -> str:
    """How often an agreement was kept: "Kept 3 times, last on 2 Mar 2026"."""
    if not agreement.kept or agreement.last_kept_at is None:
        return "Not marked as kept yet"
    when = _ago(agreement.last_kept_at, now, tz)
    last = f"last {when}" if when in ("today", "yesterday") else (
        f"last on {_day(agreement.last_kept_at, tz)}")
    return f"Kept {_times(agreement.kept)}, {last}"


@dataclass(frozen=True)
class AgreementRow:
    id: str
    text: str
    made: str
    kept: str


def agreement_rows(standing: CaseStanding, now: datetime,
                   tz: tzinfo) -> tuple[AgreementRow, ...]:
    return tuple(AgreementRow(a.id, a.text, f"Made {_day(a.made_at, tz)}", kept(a, now, tz))
                 for a in standing.agreements)


# ---------------------------------------------------------------------- rituals
@dataclass(frozen=True)
class RitualRow:
    code: str
    name: str
    about: str
    last: str


def ritual_rows(kind: str, standing: CaseStanding, now: datetime,
                tz: tzinfo) -> tuple[RitualRow, ...]:
    """The rituals that fit the case's kind, in the vocabulary's order."""
    rows = []
    for code in v.RITUALS_BY_KIND[kind]:
        name, about = RITUAL_WORDS.get(code, (words.word(code), ""))
        done = standing.practice_of(code)
        if done is None:
            last = "Not done yet"
        else:
            last = f"Last done {_ago(done.last_at, now, tz)}"
            if done.times > 1:
                last += f" · {done.times} times in all"
        rows.append(RitualRow(code, name, about, last))
    return tuple(rows)


# ---------------------------------------------------------------------- the portal's section
@dataclass(frozen=True)
class PortalPractice:
    rituals: tuple[RitualRow, ...]
    agreements: tuple[AgreementRow, ...]
    #: The participant's own latest checklist, if they answered one.
    mine: ReadinessLine | None
    #: The checklist to fill in: (item, its words, ticked), ticked as last answered.
    checklist: tuple[tuple[str, str, bool], ...]


def portal_practice(standing: CaseStanding, kind: str, me: str, participants: Iterable[str],
                    now: datetime, tz: tzinfo) -> PortalPractice:
    own = standing.own_readiness(me)
    answered = own.answers if own else {}
    return PortalPractice(
        rituals=ritual_rows(kind, standing, now, tz),
        agreements=agreement_rows(standing, now, tz),
        mine=(readiness_line(own, set(participants), tz, me, READINESS_FOR_ONESELF)
              if own else None),
        checklist=tuple((item, READINESS_FOR_ONESELF[item], bool(answered.get(item)))
                        for item in v.READINESS_ITEMS),
    )
