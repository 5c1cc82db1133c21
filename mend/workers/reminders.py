"""The check-in reminder job: reminds a case's participants when a check-in is overdue."""

from __future__ import annotations

from uuid import UUID

from mend.domain.acting import acting
from mend.domain.case import Case
from mend.domain.errors import NotFound, RuleBroken
from mend.workers.context import current


def send_checkin_reminder(case_id: str) -> str:
    """Record a reminder if one is due; safe to run twice (the second finds it already sent)."""
    store = current().store

    def command():
        case = store.get(UUID(case_id), Case)
        with acting(None, case.tenant):
            case.remind_check_in()
        return [case], None

    try:
        saved = store.retrying(command)
    except NotFound:
        return "no such case"
    except RuleBroken as broken:
        return f"skipped: {broken}"
    return f"reminded (event {saved.version})"
