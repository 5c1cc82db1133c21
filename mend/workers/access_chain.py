"""The access log's hash chain: the canonical bytes of a row, the link each row carries, and
the walk that finds the first row that does not hold.

Each row's hash is SHA-256(the previous row's hash ‖ the row's canonical encoding); the first
row follows GENESIS. The encoding is a JSON array of the fields in a fixed order (no key order
to agree on, ``null`` apart from ``""``), prefixed with the format's number so a later format
can be told from this one. The row's number (``seq``) is inside it, so a row deleted, moved or
inserted breaks the link of the row after it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

FORMAT = 1
GENESIS = "0" * 64
#: The fields a link covers, in the order they are encoded: every stored field but the hash.
FIELDS = ("seq", "at_us", "tenant_id", "actor_id", "actor_role", "case_id", "subject_id",
          "kind", "action", "outcome", "address", "request_id")


def encode(row: Mapping[str, Any]) -> bytes:
    return json.dumps([FORMAT, *(row[name] for name in FIELDS)], separators=(",", ":"),
                      ensure_ascii=True).encode("ascii")


def link(previous: str, row: Mapping[str, Any]) -> str:
    """The hash a row carries after the row whose hash is ``previous``."""
    return hashlib.sha256(bytes.fromhex(previous) + encode(row)).hexdigest()


@dataclass(frozen=True)
class Break:
    """The first row that does not hold: what its hash should be and what is stored."""

    seq: int
    expected: str
    found: str
    reason: str


@dataclass(frozen=True)
class Verdict:
    rows: int
    head: str  # the last row's hash: keep it outside the database to catch a cut tail
    broken: Break | None

    @property
    def holds(self) -> bool:
        return self.broken is None


def walk(rows: Iterable[Mapping[str, Any]]) -> Verdict:
    """Check every row in ``seq`` order from the first; stops at the first broken link."""
    previous, count, expected_seq = GENESIS, 0, 1
    for row in rows:
        expected = link(previous, row)
        if row["seq"] != expected_seq:
            return Verdict(count, previous, Break(
                row["seq"], expected, row["hash"],
                f"row {expected_seq} is missing: the log jumps to row {row['seq']}"))
        if row["hash"] != expected:
            return Verdict(count, previous, Break(
                row["seq"], expected, row["hash"],
                "the row, or the one before it, is not as it was written"))
        previous, count, expected_seq = expected, count + 1, expected_seq + 1
    return Verdict(count, previous, None)
