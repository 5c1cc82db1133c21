"""The record in plain words: codes as the practitioner says them, figures and dates as text.

Only wording lives here (how a stage, a risk reason or a due date reads); what is due, what a
risk is and who sees it are decided by the domain and the reader.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from typing import Any

#: Codes whose plain capitalised form would read wrongly.
SPECIAL = {
    "ai_assisted": "AI-assisted",
    "therapy_guided": "Therapy-guided",
    "self_guided": "Self-guided",
    "moving_forward": "Moving forward",
    "others_fear_for_safety": "Others fear for their safety",
    "no_remorse_repeated_dishonesty": "No remorse, repeated dishonesty",
    "check_in_recorded": "Check-in",
    "check_in_reminder_sent": "Check-in reminder",
    "red_flag_raised": "Red flag raised",
    "case_opened": "Case opened",
    # The readiness checklist, as the practitioner asks it.
    "breach_accepted": "The breach is accepted as it happened",
    "emotions_acknowledged": "The feelings it caused are acknowledged",
    "motivation_clear": "Both know why they want to repair",
    "committed_to_honesty": "Committed to honesty from now on",
    "boundaries_set": "Boundaries are set",
    "checkins_scheduled": "Check-ins are scheduled",
    "independent_reflection": "Each reflects on their own",
    "external_support": "Support outside the relationship",
    "prepared_for_setbacks": "Prepared for setbacks",
    "tracking_progress": "Progress is tracked",
    "monthly_review_of_intentions": "Intentions reviewed monthly",
    "knows_exit_is_possible": "Knows that leaving is an option",
}

#: Who may read an entry, as the timeline's filter says it.
VISIBILITY_WORDS = {
    "shared": "Shared with the clients",
    "staff": "Staff only",
    "private": "Private to its author",
}

STAGE_HELP = {
    "aftermath": "The breach has come to light; safety and the facts come first.",
    "honest_conversations": "Both sides tell what happened and how it landed.",
    "restoring": "New habits, boundaries and agreements are tried and kept.",
    "moving_forward": "Trust holds without constant checking.",
}

#: One line per DESIGN §4 figure, as the case page shows it next to the number.
FIGURE_HELP = {
    "trust_score": "Mean trust over every check-in of the last 28 days (0–10).",
    "emotional_safety": "Mean emotional safety over the last 28 days (0–10).",
    "communication_ease": "Mean communication ease over the last 28 days (0–10).",
    "baseline": "Mean trust of the first three check-ins.",
    "significant_change_on": "First day the trust score stood 2 or more above the baseline.",
    "months_to_significant_change": "From opening to that day, in months.",
    "checkin_adherence": "Check-ins recorded against those due over the last 56 days.",
    "conflicts_per_week": "Conflicts reported per person per week, over the last 28 days.",
    "setbacks": "Setbacks recorded in the last 30 and 90 days.",
    "days_since_setback": "Days since the latest setback.",
    "risk": "High on a safety flag, 3+ setbacks in 30 days or a 2-point trust drop.",
}


def word(code: str | None) -> str:
    """A code as words: ``honest_conversations`` is "Honest conversations"."""
    if not code:
        return ""
    if code in SPECIAL:
        return SPECIAL[code]
    text = code.replace("_", " ").replace("-", " ")
    return text[:1].upper() + text[1:]


def risk_reason(reason: str) -> str:
    """A risk reason of the metrics (``safety_red_flag:abuse_history``) as a sentence."""
    kind, _, detail = reason.partition(":")
    if kind == "safety_red_flag":
        return f"Safety red flag open: {word(detail).lower()}"
    if kind == "open_red_flag":
        return f"Red flag open: {word(detail).lower()}"
    return {
        "setbacks_30d>=3": "Three or more setbacks in the last 30 days",
        "setbacks_30d==2": "Two setbacks in the last 30 days",
        "trust_drop>=2.0": "Trust fell 2 points or more in 28 days",
        "no_checkin_2_periods": "No check-in for more than two periods",
    }.get(reason, word(reason))


def days(n: int) -> str:
    return "1 day" if abs(n) == 1 else f"{abs(n)} days"


def due(moment: datetime | None, now: datetime) -> str:
    """When a check-in is due, relative to now: "due in 3 days", "3 days overdue"."""
    if moment is None:
        return "none due"
    delta = (moment.date() - now.date()).days
    if moment <= now:
        return "due today" if delta == 0 else f"{days(delta)} overdue"
    if delta <= 0:
        return "due today"
    return "due tomorrow" if delta == 1 else f"due in {days(delta)}"


def ago(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "never"
    delta = (now.date() - moment.date()).days
    if delta <= 0:
        return "today"
    return "yesterday" if delta == 1 else f"{days(delta)} ago"


def local(moment: datetime | date | None, tz: tzinfo, style: str = "moment") -> str:
    """A stored UTC instant in the tenant's zone: "2 Dec 2026, 14:30", or the day alone."""
    if moment is None:
        return ""
    if isinstance(moment, datetime):
        moment = moment.astimezone(tz)
        if style == "moment":
            return f"{moment.day} {moment:%b %Y, %H:%M}"
        if style == "input":  # the value a datetime-local input takes
            return f"{moment:%Y-%m-%dT%H:%M}"
    return f"{moment.day} {moment:%b %Y}"


def score(value: float | None, places: int = 1) -> str:
    return "—" if value is None else f"{value:.{places}f}"


def share(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100)} %"


def change(value: float | None) -> str:
    """A change of a score: "+1.2", "−0.4", "no change"."""
    if value is None:
        return ""
    if abs(value) < 0.05:
        return "no change"
    return f"+{value:.1f}" if value > 0 else f"−{abs(value):.1f}"


def progress(trust: float | None, baseline: float | None) -> str:
    """A client's progress in one sentence: where the shared trust score stands, and where
    it stood when they began (the baseline of the first check-ins)."""
    if trust is None:
        return "Your shared trust score appears after your first check-ins."
    now = f"Your shared trust score is {trust:.1f}"
    if baseline is None:
        return f"{now}."
    if abs(trust - baseline) < 0.05:
        return f"{now}, the same as when you began."
    way = "up" if trust > baseline else "down"
    return f"{now}, {way} from {baseline:.1f} when you began."


FILTERS: dict[str, Any] = {
    "word": word, "risk_reason": risk_reason, "score": score, "share": share,
    "change": change,
}
GLOBALS: dict[str, Any] = {"STAGE_HELP": STAGE_HELP, "FIGURE_HELP": FIGURE_HELP}


def plural(n: int, noun: str) -> str:
    """A count and its noun: "1 answer", "4 answers"."""
    return f"{n} {noun}" + ("" if n == 1 else "s")
