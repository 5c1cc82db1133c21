"""The escalation ladder: an alert on a case goes to every practitioner assigned to it, into
their inbox and by email, as each of them chose.

An alert's id is made from its case, kind and cause (the red flag, the crossing, the missed
check-in streak), so a cause noticed twice raises one alert. The alert, its inbox rows and its
messages are written in one transaction with whatever noticed the cause.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import NAMESPACE_URL, uuid5

from mend.workers import outbox
from mend.workers.preferences import ALERT_KINDS, Preferences

#: What each alert says, in a subject line and a sentence. No names, no case titles, nothing
#: clinical beyond the kind of alert: an email can be read over a shoulder.
WORDS = {
    "safety_flag": ("A safety concern was raised",
                    "A safety red flag was raised, or a safety question answered, on a case"),
    "risk_high": ("A case turned high risk", "The risk on a case turned high"),
    "missed_check_ins": ("Two check-ins missed",
                         "A client on a case missed two check-ins in a row"),
    "boundary_crossed": ("A boundary was crossed", "A boundary was crossed on a case"),
}
assert set(WORDS) == set(ALERT_KINDS)


def alert_id_for(case_id: str, kind: str, cause: str) -> str:
    return str(uuid5(NAMESPACE_URL, f"/mend/alert/{case_id}/{kind}/{cause}"))


@dataclass(frozen=True)
class Raised:
    alert_id: str
    message_ids: list[str]


def raise_alert(cursor: Any, preferences: Preferences, *, tenant_id: str, case_id: str,
                kind: str, cause: str, practitioners: list[str], practice: str,
                case_link: str, now_us: int, person_id: str | None = None) -> Raised | None:
    """Raise an alert inside the caller's transaction; None when it was raised before."""
    alert_id = alert_id_for(case_id, kind, cause)
    added = cursor.execute(
        "INSERT INTO mend_alerts (alert_id, tenant_id, case_id, kind, person_id, raised_us)"
        " VALUES (:alert_id, :tenant_id, :case_id, :kind, :person_id, :now)"
        " ON CONFLICT (alert_id) DO NOTHING",
        {"alert_id": alert_id, "tenant_id": tenant_id, "case_id": case_id, "kind": kind,
         "person_id": person_id, "now": now_us})
    if not added:
        return None
    subject, sentence = WORDS[kind]
    message_ids = []
    for account_id in practitioners:
        choice = preferences.alerts_of(tenant_id, account_id, cursor)[kind]
        if choice.in_inbox:
            cursor.execute(
                "INSERT INTO mend_alert_recipients (alert_id, account_id)"
                " VALUES (:alert_id, :account_id) ON CONFLICT DO NOTHING",
                {"alert_id": alert_id, "account_id": account_id})
        if choice.by_email:
            message_id = outbox.add(
                cursor, dedup_key=f"alert:{alert_id}:{account_id}", tenant_id=tenant_id,
                kind=f"alert.{kind}", recipient_id=account_id,
                subject=f"{practice}: {subject.lower()}",
                body=(f"{sentence}.\n\nOpen it in Mend to see what happened and to acknowledge"
                      f" it:\n{case_link}\n\n— {practice}, through Mend\n"),
                now_us=now_us)
            if message_id:
                message_ids.append(message_id)
    return Raised(alert_id, message_ids)
