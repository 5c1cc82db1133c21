"""The outbox: every message Mend sends is first a row here, written in the same transaction
as the fact that causes it (an alert raised, a reminder falling due), then delivered by a job.

A message's id comes from its dedup key, so writing it twice writes it once and every retry
of a send carries the same Message-ID. Delivery claims a message with a lease: a worker
killed mid-send leaves it "sending" until the lease runs out, and the sweeper then queues it
again; a message can therefore be sent twice in that one case, recognisably, under one
Message-ID, but never lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import NAMESPACE_URL, uuid5

from mend.workers.ledger import Ledger
from mend.workers.marks_in_flight import MarksInFlight

SECOND = 1_000_000
#: How long a claimed message is left alone before another delivery may try it.
LEASE_US = 60 * SECOND
#: The pause before each retry of a failed send; after the last, the message is "failed".
BACKOFF_US = tuple(s * SECOND for s in (30, 120, 600, 1800, 7200))
#: A queued message not delivered this long after it was due was lost on its way (Redis away,
#: a job dropped): the sweeper queues it again.
OVERDUE_US = 60 * SECOND


def message_id_for(dedup_key: str) -> str:
    return str(uuid5(NAMESPACE_URL, f"/mend/message/{dedup_key}"))


@dataclass(frozen=True)
class Message:
    message_id: str
    tenant_id: str
    kind: str
    recipient_id: str
    subject: str
    body: str
    attempts: int


def add(cursor: Any, *, dedup_key: str, tenant_id: str, kind: str, recipient_id: str,
        subject: str, body: str, now_us: int, not_before_us: int | None = None) -> str | None:
    """Queue a message inside the caller's transaction; None when that key was queued before."""
    message_id = message_id_for(dedup_key)
    added = cursor.execute(
        "INSERT INTO mend_outbox (message_id, dedup_key, tenant_id, kind, recipient_id, address,"
        " subject, body, state, next_attempt_us, created_us) VALUES (:message_id, :dedup_key,"
        " :tenant_id, :kind, :recipient_id, '', :subject, :body, 'queued', :next, :now)"
        " ON CONFLICT (dedup_key) DO NOTHING",
        {"message_id": message_id, "dedup_key": dedup_key, "tenant_id": tenant_id,
         "kind": kind, "recipient_id": recipient_id, "subject": subject, "body": body,
         "next": max(now_us, not_before_us or 0), "now": now_us},
    )
    return message_id if added else None


def add_many(cursor: Any, rows: list[dict[str, Any]]) -> None:
    """Queue many messages at once (the tick's reminders); each row as ``add`` takes it, with
    ``message_id`` filled in. Rows whose key was queued before are left as they are."""
    if not rows:
        return
    cursor.executemany(
        "INSERT INTO mend_outbox (message_id, dedup_key, tenant_id, kind, recipient_id, address,"
        " subject, body, state, next_attempt_us, created_us) VALUES (:message_id, :dedup_key,"
        " :tenant_id, :kind, :recipient_id, '', :subject, :body, 'queued', :next, :now)"
        " ON CONFLICT (dedup_key) DO NOTHING", rows)


class Outbox:
    def __init__(self, ledger: Ledger):
        self.ledger = ledger

    def claim(self, message_id: str, now_us: int) -> Message | None:
        """Take a message to send now: queued and due, or sending with its lease run out.

        The claim is not flushed to disk before PostgreSQL answers (one fsync a message
        saved): a database crash can forget it, which only puts the message back in the
        queue, since "sent" is flushed (and its flush carries the claim with it). The message
        is never lost: it was written with the fact that caused it."""
        rows = self.ledger.mark(
            "UPDATE mend_outbox SET state = 'sending', attempts = attempts + 1,"
            " lease_until_us = :lease WHERE message_id = :message_id AND ("
            "(state = 'queued' AND next_attempt_us <= :now)"
            " OR (state = 'sending' AND lease_until_us <= :now))"
            " RETURNING message_id, tenant_id, kind, recipient_id, subject, body, attempts",
            {"message_id": message_id, "now": now_us, "lease": now_us + LEASE_US},
            flush=False)
        return Message(**rows[0]) if rows else None

    def sent(self, message_id: str, address: str, now_us: int,
             marks: MarksInFlight | None = None) -> None:
        """Flushed on commit: a "sent" forgotten in a crash would send it again. Waited for
        here, or, given ``marks``, sent to be waited for by the next delivery."""
        sql = ("UPDATE mend_outbox SET state = 'sent', sent_us = :now, address = :address,"
               " reason = '' WHERE message_id = :message_id")
        params = {"message_id": message_id, "now": now_us, "address": address}
        if marks is None:
            self.ledger.mark(sql, params)
        else:
            marks.send(sql, params)

    def retry_later(self, message_id: str, attempts: int, reason: str, now_us: int) -> str:
        """After a failed send: queue it again after its pause, or give up; returns the state."""
        state = "failed" if attempts > len(BACKOFF_US) else "queued"
        pause = BACKOFF_US[min(attempts, len(BACKOFF_US)) - 1]
        self.ledger.run([(
            "UPDATE mend_outbox SET state = :state, next_attempt_us = :next,"
            " lease_until_us = 0, reason = :reason WHERE message_id = :message_id",
            {"message_id": message_id, "state": state, "next": now_us + pause,
             "reason": reason[:200]})])
        return state

    def give_up(self, message_id: str, reason: str) -> None:
        """A message that can never go (no such person, no address): failed, with the reason."""
        self.ledger.run([(
            "UPDATE mend_outbox SET state = 'failed', lease_until_us = 0, reason = :reason"
            " WHERE message_id = :message_id", {"message_id": message_id, "reason": reason})])

    def due(self, now_us: int, limit: int = 5000) -> list[str]:
        """Messages whose delivery job should have run by now and has not: retries whose
        pause is over, messages held for quiet hours, messages overdue (their job was lost)
        and sends whose lease ran out. Once handed out (``swept``) a message is left alone
        for a minute, so a worker with a long queue is not sent it again and again."""
        rows = self.ledger.rows(
            "SELECT message_id FROM mend_outbox WHERE swept_us <= :now - :overdue AND ("
            "(state = 'queued' AND (attempts > 0 OR next_attempt_us > created_us)"
            " AND next_attempt_us <= :now)"
            " OR (state = 'queued' AND next_attempt_us <= :now - :overdue)"
            " OR (state = 'sending' AND lease_until_us <= :now))"
            " ORDER BY next_attempt_us LIMIT :limit",
            {"now": now_us, "overdue": OVERDUE_US, "limit": limit})
        return [row["message_id"] for row in rows]

    def swept(self, message_ids: list[str], now_us: int) -> None:
        """Note that these were queued again just now (after the queue took them)."""
        if message_ids:
            with self.ledger.transaction() as cursor:
                cursor.executemany(
                    "UPDATE mend_outbox SET swept_us = :now WHERE message_id = :message_id",
                    [{"now": now_us, "message_id": m} for m in message_ids])

    def counts(self, tenant_id: str | None = None) -> dict[str, int]:
        sql = "SELECT state, COUNT(*) AS n FROM mend_outbox"
        params: dict[str, Any] = {}
        if tenant_id is not None:
            sql += " WHERE tenant_id = :tenant_id"
            params["tenant_id"] = tenant_id
        found = {row["state"]: row["n"] for row in self.ledger.rows(sql + " GROUP BY state",
                                                                     params)}
        return {state: found.get(state, 0) for state in ("queued", "sending", "sent", "failed")}
