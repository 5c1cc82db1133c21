"""The delivery job: sends one message of the outbox, once, or says why it could not."""

from __future__ import annotations

import smtplib
import time
from datetime import datetime, timezone

from mend.workers import mailer
from mend.workers.context import current
from mend.workers.ledger import now_us
from mend.workers.marks_in_flight import marks_for
from mend.workers.notices import Notices
from mend.workers.outbox import Outbox
from mend.workers.queue import job


def moment(at: str) -> datetime:
    """The time a job was given (the scheduler's clock, which tests control), or now."""
    return datetime.fromisoformat(at) if at else datetime.now(timezone.utc)


#: A worker's recent look-ups of names and addresses: a reminder run sends many messages to
#: few people, and each look-up reads the store. A changed address is used within a minute.
_ADDRESSES: dict[str, tuple[float, tuple[str, str] | None]] = {}
ADDRESS_TTL = 60.0


def _address_of(mend, account_id: str) -> tuple[str, str] | None:
    now = time.monotonic()
    cached = _ADDRESSES.get(account_id)
    if cached is None or now - cached[0] > ADDRESS_TTL:
        if len(_ADDRESSES) > 10_000:
            _ADDRESSES.clear()
        cached = _ADDRESSES[account_id] = (now, Notices(mend).address_of(account_id))
    return cached[1]


@job
def deliver(message_id: str, at: str = "") -> str:
    mend = current()
    box = Outbox(mend.ledger)
    marks = marks_for(mend.ledger)
    marks.settle()  # the last delivery's "sent", before anything of this one
    at_us = int(moment(at).timestamp() * 1_000_000)
    message = box.claim(message_id, at_us)
    if message is None:
        return "nothing to send"  # sent already, being sent, or not due yet
    person = _address_of(mend, message.recipient_id)
    if person is None or not person[1]:
        box.give_up(message_id, "no address for this person")
        return "failed"
    email = mailer.compose(mend.settings, message_id=message_id, to_name=person[0],
                           to_address=person[1], subject=message.subject, body=message.body)
    try:
        mailer.send(mend.settings, email)
    except (smtplib.SMTPException, OSError) as error:
        return box.retry_later(message_id, message.attempts, mailer.reason(error), at_us)
    box.sent(message_id, person[1], max(at_us, now_us()), marks)
    return "sent"
