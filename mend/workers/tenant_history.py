"""Which of the store's streams make up one tenant's history, written out in the log's order.

A tenant's history is its own stream, its cases, the ballot boxes of its cases' pulses, the
accounts of everyone its records name (members, invited people, participants and
practitioners, anyone who acted on it), and the index records that keep its slug, its open
invitation links and those people's emails unique. Every stream goes whole, from its first
event, so versions stay contiguous and each aggregate replays as it did.

An account can belong to several tenants; it is one stream, so it goes whole too: its events
in the other tenants carry only those tenants' ids (a sign-in, a joining), never their
records, and a Mend that does not hold those tenants passes them by. Bearer tokens stay
behind (a token is a credential of the Mend that issued it), and so do the idempotency
records of retried commands.

The history is read up to the log's head when the export begins, in two passes: the first
finds the streams (an account is known to belong only once a record names it), the second
writes their events in the order of the log, so the importing Mend's projections apply them
in the same order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from typing import Any, BinaryIO
from uuid import UUID

from eventsourcing.persistence import Notification
from eventsourcing.utils import get_topic

from mend.domain.ballots import BallotBox
from mend.domain.case import Case
from mend.domain.store import MendStore
from mend.domain.tenancy import EMAILS, INVITATIONS, SLUGS, Account, Index, Tenant
from mend.workers.history_file import HistoryWriter, plain_state

PAGE = 1000
#: The index records that move with a tenant; API tokens' stay behind.
MOVING_INDEXES = (SLUGS, INVITATIONS, EMAILS)
ACCOUNT_REGISTERED = get_topic(Account.AccountRegistered)
INDEX_CREATED = get_topic(Index.IndexCreated)
CASE_OPENED = get_topic(Case.CaseOpened)
BALLOT_BOX_MADE = get_topic(BallotBox.BallotBoxMade)
#: How a stream's kind is named in a file's counts.
KINDS = {Tenant: "tenants", Case: "cases", BallotBox: "ballot_boxes", Account: "accounts",
         Index: "indexes"}

#: Told (notifications read, notifications to read) as the export goes.
Progress = Callable[[int, int], None]


def notifications(store: MendStore, up_to: int) -> Iterator[Notification]:
    start = 0
    while page := store.recorder.select_notifications(
            start=start, limit=PAGE, stop=up_to, inclusive_of_start=False):
        yield from page
        start = page[-1].id


def tenant_streams(store: MendStore, tenant_id: UUID, up_to: int,
                   progress: Progress) -> dict[UUID, str]:
    """The tenant's streams up to that position of the log, each with its kind."""
    accounts: set[UUID] = set()
    named: set[UUID] = set()
    cases: set[UUID] = set()
    boxes: set[UUID] = set()
    indexes: dict[UUID, UUID] = {}  # index id -> what it points to
    for n in notifications(store, up_to):
        oid, topic = n.originator_id, n.topic
        if topic == ACCOUNT_REGISTERED:
            accounts.add(oid)
        elif topic == INDEX_CREATED:
            index = store.mapper.to_domain_event(n)
            if index.namespace in MOVING_INDEXES:
                indexes[oid] = index.ref
        elif oid == tenant_id or oid in cases:
            named |= ids_in(store.mapper.to_domain_event(n))
        elif topic == CASE_OPENED:
            opened = store.mapper.to_domain_event(n)
            if opened.tenant == tenant_id:
                cases.add(oid)
                named |= ids_in(opened)
        elif topic == BALLOT_BOX_MADE and store.mapper.to_domain_event(n).case_id in cases:
            boxes.add(oid)
        if n.id % PAGE == 0:
            progress(n.id, 2 * up_to)
    people = named & accounts
    streams = {tenant_id: KINDS[Tenant]}
    streams |= {i: KINDS[Case] for i in cases} | {i: KINDS[BallotBox] for i in boxes}
    streams |= {i: KINDS[Account] for i in people}
    streams |= {i: KINDS[Index] for i, ref in indexes.items() if ref == tenant_id or ref in people}
    return streams


def ids_in(value: Any) -> set[UUID]:
    """Every id an event (or a value in it) holds, written as a UUID or as its text."""
    if isinstance(value, UUID):
        return {value}
    if isinstance(value, str):
        try:
            return {UUID(value)} if len(value) == 36 else set()
        except ValueError:
            return set()
    if isinstance(value, dict):
        return {i for item in value.items() for part in item for i in ids_in(part)}
    if isinstance(value, (list, tuple, set, frozenset)):
        return {i for item in value for i in ids_in(item)}
    if hasattr(value, "__dict__"):
        return ids_in(vars(value))
    return set()


def write_history(store: MendStore, tenant_id: UUID, out: BinaryIO,
                  progress: Progress | None = None) -> dict[str, Any]:
    """Write the tenant's whole history as it stands now; returns the file's header."""
    tenant = store.get(tenant_id, Tenant)
    tell = progress or (lambda done, total: None)
    up_to = store.recorder.max_notification_id() or 0
    streams = tenant_streams(store, tenant_id, up_to, tell)
    writer = HistoryWriter()
    for n in notifications(store, up_to):
        if n.originator_id in streams:
            writer.add(n.id, n.originator_id, n.originator_version, n.topic,
                       plain_state(store.mapper, n))
        if n.id % PAGE == 0:
            tell(up_to + n.id, 2 * up_to)
    counts = {kind: 0 for kind in KINDS.values()}
    for kind in streams.values():
        counts[kind] += 1
    header = {"tenant": {"id": str(tenant.id), "slug": tenant.slug, "name": tenant.name},
              "exported_at": datetime.now(timezone.utc).isoformat(), "up_to": up_to,
              "streams": counts}
    writer.write(out, header)
    return {**header, "events": writer.events}
