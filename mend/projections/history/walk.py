"""Walking the history chain: every event's link made again from the stored event and
compared with the stored link, a page at a time, so a store of millions is walked in the
memory of one page.

The walk stops at the first broken link: an event whose stored bytes no longer give its
link (a byte flipped, two rows swapped: the first of them), an event without a link, or a
link without its event (a deleted row). Cutting off the tail leaves a chain that holds; only
a statement made before the cut can tell, by its notification id and head hash.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol, TypeVar

from mend.projections.history.chain import H0, StoredRow, canonical_id, link
from mend.projections.history.statements import Statement

PAGE = 1_000
T = TypeVar("T", StoredRow, tuple[int, bytes])


class ChainedRecorder(Protocol):
    def history_ends(self) -> tuple[int | None, int | None]: ...
    def event_page(self, after: int, upto: int, limit: int) -> list[StoredRow]: ...
    def link_page(self, after: int, upto: int, limit: int) -> list[tuple[int, bytes]]: ...


@dataclass(frozen=True)
class BrokenLink:
    """The first place the chain does not hold."""

    notification_id: int
    #: "altered" (the event no longer gives its link), "unlinked" (no link stored for the
    #: event) or "missing" (a link whose event is gone).
    kind: str
    expected: bytes | None
    found: bytes | None
    originator_id: str | None = None
    originator_version: int | None = None
    topic: str | None = None


@dataclass(frozen=True)
class Verdict:
    #: Events that hold, from the first up to the break or the end.
    events: int
    last_notification_id: int
    head: bytes
    broken: BrokenLink | None = None
    #: What is wrong with the statement given, if one was and anything is.
    statement_problem: str | None = None

    @property
    def holds(self) -> bool:
        return self.broken is None and self.statement_problem is None


def walk(recorder: ChainedRecorder, statement: Statement | None = None,
         page: int = PAGE) -> Verdict:
    """Walk the chain as it stands now (events stored during the walk are left for the next)."""
    ends = recorder.history_ends()
    upto = max(ends[0] or 0, ends[1] or 0)
    events = _paged(lambda after: recorder.event_page(after, upto, page))
    stored = _paged(lambda after: recorder.link_page(after, upto, page))
    previous, count, last_id, at_statement = H0, 0, 0, None
    goal = statement.last_notification_id if statement else None
    broken = None
    for notification_id, event, found in _side_by_side(events, stored):
        broken = _judge(previous, notification_id, event, found)
        if broken is not None:
            break
        previous, count, last_id = found, count + 1, notification_id
        if notification_id == goal:
            at_statement = (previous, count)
    problem = None
    if statement is not None:
        problem = _statement_problem(statement, at_statement, broken, last_id, count)
    return Verdict(count, last_id, previous, broken, problem)


def _judge(previous: bytes, notification_id: int, event: StoredRow | None,
           found: bytes | None) -> BrokenLink | None:
    if event is None:
        return BrokenLink(notification_id, "missing", None, found)
    expected = link(previous, event)
    if found == expected:
        return None
    return BrokenLink(notification_id, "unlinked" if found is None else "altered", expected, found,
                      canonical_id(event.originator_id), event.originator_version, event.topic)


def _statement_problem(statement: Statement, at_statement: tuple[bytes, int] | None,
                       broken: BrokenLink | None, last_id: int, count: int) -> str | None:
    if not statement.signature_holds():
        return "its signature does not hold: the statement was altered or not signed by its key"
    goal = statement.last_notification_id
    if goal == 0:
        at_statement = (H0, 0)
    if at_statement is None:
        if broken is not None and broken.notification_id <= goal:
            return (f"it cannot be checked: the chain breaks first, at notification id"
                    f" {broken.notification_id} (the statement's is {goal})")
        if last_id < goal:
            return (f"the store has been cut below it: the store ends at notification id"
                    f" {last_id} ({count} events), the statement at {goal}"
                    f" ({statement.events} events)")
        return f"the store holds no event at its notification id {goal}"
    head, events = at_statement
    if head.hex() != statement.head_hash:
        return (f"the chain at notification id {goal} has head {head.hex()},"
                f" the statement {statement.head_hash}")
    if events != statement.events:
        return (f"the store holds {events} events up to notification id {goal},"
                f" the statement {statement.events}")
    return None


def _paged(fetch: Callable[[int], list[T]]) -> Iterator[T]:
    after = 0
    while rows := fetch(after):
        yield from rows
        after = rows[-1][0]


def _side_by_side(events: Iterator[StoredRow], stored: Iterator[tuple[int, bytes]]
                  ) -> Iterator[tuple[int, StoredRow | None, bytes | None]]:
    """(notification id, event or None, stored link or None) in notification id order."""
    merged = heapq.merge(((row[0], 0, row) for row in events),
                         ((row[0], 1, row) for row in stored))
    pending: tuple[int, StoredRow | None, bytes | None] | None = None
    for notification_id, side, row in merged:
        if pending is not None and pending[0] != notification_id:
            yield pending
            pending = None
        if pending is None:
            pending = (notification_id, None, None)
        if side == 0:
            pending = (notification_id, row, pending[2])
        else:
            pending = (notification_id, pending[1], row[1])
    if pending is not None:
        yield pending
