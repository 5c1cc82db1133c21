"""The history chain: one SHA-256 link per stored event, each over the one before it.

For the stored event with notification id n (events in notification id order, whatever
gaps the ids have)::

    h_n = SHA-256( h_prev                      32 bytes: the link of the event before it
                 ‖ int64_be(notification_id)    8 bytes
                 ‖ uint32_be(len(o)) ‖ o        o = UTF-8 of the originator id
                 ‖ int64_be(originator_version) 8 bytes
                 ‖ uint32_be(len(t)) ‖ t        t = UTF-8 of the topic
                 ‖ SHA-256(state) )             32 bytes, over the stored state bytes

* ``h_prev`` of the first event is ``H0 = SHA-256(b"Mend history chain, version 1")``,
  ``47eb9f017106d8d83a4013603f7d6dc4a14dceb7cc199b66fd61b2e3a2351aca``.
* ``int64_be`` is the 8-byte big-endian two's complement of the integer (PostgreSQL's
  ``bigint``, ``int8send``); ``uint32_be`` the 4-byte big-endian length in bytes.
* The originator id is canonical: a UUID as its 36-character lowercase hyphenated form
  (``str(uuid)``; SQLite stores it as 32 hex digits, PostgreSQL as ``uuid``: both give the
  same string), any other id as the string it is.
* ``state`` is the column's bytes exactly as the recorder wrote them: compressed and
  encrypted when the store is, so the chain neither knows nor cares how the mapper made them,
  and erasing a key leaves it whole.

The fixed-width fields need no length; the two strings carry theirs, so no two different
events hash the same bytes. The links live in ``mend_history_chain(notification_id, hash)``,
written in the transaction that inserts the events (see ``recorders``).
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple
from uuid import UUID

H0 = hashlib.sha256(b"Mend history chain, version 1").digest()
CHAIN_TABLE = "mend_history_chain"

_INT64 = struct.Struct(">q")
_UINT32 = struct.Struct(">I")


class StoredRow(NamedTuple):
    """An event as the events table holds it."""

    notification_id: int
    originator_id: Any
    originator_version: int
    topic: str
    state: bytes


def canonical_id(originator_id: Any) -> str:
    if isinstance(originator_id, UUID):
        return str(originator_id)
    try:
        return str(UUID(str(originator_id)))
    except ValueError:  # a text id, or a row someone wrote by hand: hashed as it stands
        return str(originator_id)


def link(previous: bytes, row: StoredRow) -> bytes:
    originator = canonical_id(row.originator_id).encode("utf-8")
    topic = (row.topic or "").encode("utf-8")
    return hashlib.sha256(b"".join((
        previous,
        _INT64.pack(row.notification_id),
        _UINT32.pack(len(originator)), originator,
        _INT64.pack(row.originator_version),
        _UINT32.pack(len(topic)), topic,
        hashlib.sha256(bytes(row.state or b"")).digest(),
    ))).digest()


def links(previous: bytes, rows: Iterable[StoredRow]) -> Iterator[tuple[int, bytes]]:
    """(notification id, link) of each row in turn, rows in notification id order."""
    for row in rows:
        previous = link(previous, row)
        yield row.notification_id, previous
