"""The file a tenant's history travels in: gzip'd JSON lines, a header, then one event a line.

Line one is the header: the format and its version, the tenant, how many streams of each kind
and how many events follow, and the SHA-256 of everything after the header line, so that a
damaged or altered file is refused before anything is written. Every further line is one
stored event, in the order of the source's log: its position there (``n``), its originator id
and version, its topic, and its state as the library's JSON transcoder wrote it, decrypted
and uncompressed, its sealed personal words opened. The importing Mend seals them with its
own subjects' keys and compresses and encrypts it with its own cipher (or none), so a history
moves between Mends of different keys; words erased before the export stay erased. The
states hold every word of the record: the file is as sensitive as the database it came from.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import tempfile
import zlib
from dataclasses import dataclass
from typing import Any, BinaryIO
from uuid import UUID

from eventsourcing.persistence import Mapper, StoredEvent

from mend.domain.errors import MendError
from mend.domain.sealing import SealingMapper

FORMAT = "mend-tenant-history"
VERSION = 1
#: Event lines are kept in memory up to this many bytes, then on disk until the file is made.
SPOOL_BYTES = 16 * 1024 * 1024


class ImportRefused(MendError):
    """Raised when a history cannot be imported: the file is damaged or of another kind, or
    the Mend already holds the tenant, its slug or its people's emails; nothing is written."""


@dataclass(frozen=True)
class HistoryLine:
    position: int
    originator_id: UUID
    version: int
    topic: str
    #: The state as the JSON transcoder wrote it: no cipher, no compression.
    state: bytes


def plain_state(mapper: Mapper, stored: StoredEvent) -> bytes:
    """A stored state as the transcoder wrote it, before the store's cipher and compressor,
    with its personal words opened (those erased stay marked so) for the keys of another Mend."""
    if isinstance(mapper, SealingMapper):
        return mapper.open_state(stored)
    state = stored.state
    if mapper.cipher:
        state = mapper.cipher.decrypt(state)
    if mapper.compressor:
        state = mapper.compressor.decompress(state)
    return state


def stored_state(mapper: Mapper, line: HistoryLine) -> bytes:
    """A line's state as this store keeps it: sealed, compressed, then encrypted, if it does."""
    if isinstance(mapper, SealingMapper):
        return mapper.seal_state(line.originator_id, line.version, line.topic, line.state)
    state = line.state
    if mapper.compressor:
        state = mapper.compressor.compress(state)
    if mapper.cipher:
        state = mapper.cipher.encrypt(state)
    return state


def _dumps(value: Any) -> bytes:
    # The transcoder's own separators: a state read back is byte for byte what was written.
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf8")


class HistoryWriter:
    """Takes the events one by one, then writes the file with their count and checksum."""

    def __init__(self) -> None:
        self._body = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
        self._digest = hashlib.sha256()
        self.events = 0

    def add(self, position: int, originator_id: UUID, version: int, topic: str,
            state: bytes) -> None:
        line = _dumps({"n": position, "id": str(originator_id), "v": version, "topic": topic,
                       "state": json.loads(state)}) + b"\n"
        self._body.write(line)
        self._digest.update(line)
        self.events += 1

    def write(self, out: BinaryIO, header: dict[str, Any]) -> None:
        header = {"format": FORMAT, "version": VERSION, **header, "events": self.events,
                  "body_sha256": self._digest.hexdigest()}
        # mtime 0: the same history makes the same bytes.
        with gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as packed:
            packed.write(_dumps(header) + b"\n")
            self._body.seek(0)
            shutil.copyfileobj(self._body, packed)
        self._body.close()


@dataclass(frozen=True)
class History:
    header: dict[str, Any]
    lines: list[HistoryLine]


def read_history(data: bytes) -> History:
    """The header and events of a file, once it is whole, of this format, and unaltered."""
    try:
        raw = gzip.decompress(data)
    except (OSError, EOFError, zlib.error):
        raise ImportRefused("The file is not a whole Mend export: it is not gzip, or it was"
                            " cut short.") from None
    head, _, body = raw.partition(b"\n")
    header = _object(head, "its header")
    if header.get("format") != FORMAT:
        raise ImportRefused("The file is not a Mend tenant export.")
    if header.get("version") != VERSION:
        raise ImportRefused(f"The file is of export version {header.get('version')}; this"
                            f" Mend reads version {VERSION}.")
    if hashlib.sha256(body).hexdigest() != header.get("body_sha256"):
        raise ImportRefused("The file is damaged: its events do not match its checksum.")
    texts = body.split(b"\n")
    if texts[-1] == b"":
        texts.pop()  # the newline that ends the last line
    lines = [_line(number, text) for number, text in enumerate(texts, start=2)]
    if len(lines) != header.get("events"):
        raise ImportRefused(f"The file holds {len(lines)} events; its header says"
                            f" {header.get('events')}.")
    return History(header, lines)


def _object(text: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise ImportRefused(f"The file is damaged: {what} is not a JSON object.")
    return value


def _line(number: int, text: bytes) -> HistoryLine:
    item = _object(text, f"line {number}")
    try:
        return HistoryLine(position=int(item["n"]), originator_id=UUID(item["id"]),
                           version=int(item["v"]), topic=str(item["topic"]),
                           state=_dumps(item["state"]))
    except (KeyError, TypeError, ValueError):
        raise ImportRefused(f"The file is damaged: line {number} is not an event.") from None
