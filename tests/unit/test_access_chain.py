"""The access log's chain and encoding, without a store: what a row may hold, the bytes a
link covers, and a walk that finds the first row changed, dropped, moved or forged."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from uuid import uuid4

import pytest

from mend.workers.access_chain import FIELDS, GENESIS, encode, link, walk
from mend.workers.access_log import AccessRow, _chained

TENANT, ELENA, CASE = str(uuid4()), str(uuid4()), str(uuid4())


def a_read(**changes) -> AccessRow:
    row = AccessRow(tenant_id=TENANT, actor_id=ELENA, actor_role="owner", kind="timeline",
                    action="view", outcome="allowed", case_id=CASE, address="10.0.0.7",
                    request_id="req-1", at_us=1_780_000_000_000_000)
    return replace(row, **changes)


def chain(count: int) -> list[dict]:
    return _chained([a_read(at_us=1_780_000_000_000_000 + n) for n in range(count)], None)


def test_the_encoding_is_a_json_array_of_every_field_in_a_fixed_order():
    row = {**vars(a_read(case_id=None)), "seq": 7}
    assert encode(row) == (
        f'[1,7,1780000000000000,"{TENANT}","{ELENA}","owner",null,null,"timeline","view",'
        f'"allowed","10.0.0.7","req-1"]').encode()
    assert set(FIELDS) == set(row) - {"hash"}


def test_an_absent_case_and_an_empty_address_are_told_apart():
    with_none = {**vars(a_read(case_id=None, address="")), "seq": 1}
    assert b"null" in encode(with_none) and b'""' in encode(with_none)


def test_a_link_is_sha256_of_the_previous_hash_and_the_row():
    row = {**vars(a_read()), "seq": 1}
    assert link(GENESIS, row) == hashlib.sha256(bytes(32) + encode(row)).hexdigest()


def test_rows_are_numbered_and_chained_from_the_head_they_follow():
    first = _chained([a_read()], None)
    following = _chained([a_read(), a_read()], {"seq": 1, "hash": first[0]["hash"]})
    assert [r["seq"] for r in first + following] == [1, 2, 3]
    assert walk(first + following).holds


def test_a_changed_field_breaks_its_own_link():
    rows = chain(5)
    rows[2] = {**rows[2], "actor_role": "client"}
    verdict = walk(rows)
    assert not verdict.holds and verdict.broken.seq == 3 and verdict.rows == 2
    assert verdict.broken.found == rows[2]["hash"] != verdict.broken.expected


def test_a_dropped_row_is_named_as_missing():
    rows = chain(5)
    verdict = walk(rows[:2] + rows[3:])
    assert verdict.broken.seq == 4 and "row 3 is missing" in verdict.broken.reason


def test_two_rows_swapped_are_caught_and_a_rehashed_forgery_too():
    rows = chain(4)
    assert walk([rows[0], rows[2], rows[1], rows[3]]).broken.seq == 3
    forged = dict(rows[1], kind="case")
    forged["hash"] = link(rows[0]["hash"], forged)  # rehashed, but the next link no longer
    assert walk([rows[0], forged, rows[2], rows[3]]).broken.seq == 3


def test_every_row_holding_gives_the_head_to_keep_outside():
    rows = chain(3)
    verdict = walk(rows)
    assert verdict.holds and verdict.rows == 3 and verdict.head == rows[-1]["hash"]
    assert walk([]).head == GENESIS


@pytest.mark.parametrize("change", [
    {"kind": "the case notes of Ana"}, {"action": "read"}, {"outcome": "ok, she cried"},
    {"actor_role": "admin"}, {"case_id": "Ana & Leo"}, {"address": "Ana's phone"},
    {"request_id": "see note: affair"}, {"tenant_id": "harbor"},
])
def test_a_row_refuses_anything_but_ids_closed_words_and_an_address(change):
    with pytest.raises(ValueError):
        a_read(**change)
