"""The owners' view of Mend's own machinery: the job queue, and the practice's outbox of
messages by state with its latest messages. Never a message's body or address: the page
says who a message was for, not what it said or where it went.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mend.domain import authorization as authz
from mend.domain.authorization import Actor
from mend.projections.queries import from_us
from mend.workers import queue_status
from mend.workers.ledger import Ledger
from mend.workers.outbox import Outbox
from mend.workers.queue import Jobs
from mend.workers.queue_status import QueueStatus

MESSAGES_SHOWN = 50


@dataclass(frozen=True)
class MessageLine:
    kind: str
    recipient: str
    state: str
    attempts: int
    next_attempt_at: datetime | None  # only while it is still to be sent
    reason: str
    created_at: datetime


@dataclass(frozen=True)
class OperationsView:
    queue: QueueStatus
    outbox: dict[str, int]
    messages: list[MessageLine]


class Operations:
    def __init__(self, jobs: Jobs, ledger: Ledger):
        self.jobs, self.ledger = jobs, ledger

    def for_owner(self, me: Actor) -> OperationsView:
        authz.require_owner(me, "see how jobs and messages are going")
        tenant = str(me.tenant_id)
        return OperationsView(queue_status.look(self.jobs),
                              Outbox(self.ledger).counts(tenant), self.messages(tenant))

    def messages(self, tenant_id: str, limit: int = MESSAGES_SHOWN) -> list[MessageLine]:
        """The practice's latest messages, newest first, with their recipients' names."""
        p = self.ledger.casebook.prefix()
        rows = self.ledger.rows(
            "SELECT o.kind, a.name, o.state, o.attempts, o.next_attempt_us, o.reason,"
            f" o.created_us FROM mend_outbox o LEFT JOIN {p}accounts a"
            " ON a.account_id = o.recipient_id WHERE o.tenant_id = :tenant"
            " ORDER BY o.created_us DESC, o.message_id LIMIT :limit",
            {"tenant": tenant_id, "limit": limit})
        return [MessageLine(
            kind=row["kind"], recipient=row["name"] or "", state=row["state"],
            attempts=int(row["attempts"]),
            next_attempt_at=(from_us(row["next_attempt_us"])
                             if row["state"] in ("queued", "sending") else None),
            reason=row["reason"] or "", created_at=from_us(row["created_us"]),
        ) for row in rows]
