"""Sealing personal data into stored events with each subject's key, and opening it again.

The library's cipher sees only the bytes of a whole stored state; its mapper sees the event,
so the mapper is where each personal field (``personal_data``) is sealed with the key of the
person or case it belongs to. A sealed field is stored as ``{"_sealed_": subject, "v": …}``:
AES-GCM under the subject's key, with the event's place (originator id, version, topic) and
the field's name as associated data, so a sealed value copied into another event, another
version or another field fails to open instead of being read there.

When a subject's key has been deleted (erasure), its fields open as ``ERASED`` and replay
goes on: every rule of the domain reads ids, times and vocabularies, never these words.
A field written for a subject already erased is stored as ``{"_erased_": true}``, never
sealed under a new key. Snapshots of cases and accounts are sealed whole with their
aggregate's key; a snapshot that can no longer be opened raises ``SnapshotErased``, and the
store then forgets it and replays the events.
"""

from __future__ import annotations

import base64
import os
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.domain import Snapshot
from eventsourcing.persistence import Mapper, StoredEvent
from eventsourcing.utils import get_topic

from mend.domain.erased import ERASED, Erased
from mend.domain.keyring import NONCE_BYTES, Keyring
from mend.domain.personal_data import PERSONAL, SNAPSHOT_SUBJECTS, subject_of

SNAPSHOT_TOPIC = get_topic(Snapshot)
SEALED, ERASED_MARK = "_sealed_", "_erased_"


class SnapshotErased(Exception):
    """A snapshot sealed with a key that was deleted: replay the aggregate's events instead."""

    def __init__(self, originator_id: Any):
        super().__init__(f"the snapshot of {originator_id} was erased")
        self.originator_id = originator_id


def _place(originator_id: Any, version: int, topic: str, field: str) -> bytes:
    return f"{originator_id}\x00{version}\x00{topic}\x00{field}".encode()


@lru_cache(maxsize=4096)
def _cipher(key: bytes) -> AESGCM:
    return AESGCM(key)


def forget_ciphers() -> None:
    """Drop the ciphers made from keys (an erasure: none may outlive its key here)."""
    _cipher.cache_clear()


def seal(key: bytes, place: bytes, plaintext: bytes) -> str:
    nonce = os.urandom(NONCE_BYTES)
    return base64.b64encode(nonce + _cipher(key).encrypt(nonce, plaintext, place)).decode()


def unseal(key: bytes, place: bytes, value: str) -> bytes:
    raw = base64.b64decode(value)
    try:
        return _cipher(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], place)
    except InvalidTag:
        raise ValueError("a sealed value does not open here (MAC check failed): it was"
                         " altered, or moved from another event or field") from None


def is_sealed(value: Any) -> bool:
    return isinstance(value, dict) and (SEALED in value or ERASED_MARK in value)


class SealingMapper(Mapper):
    """The library's mapper, sealing and opening personal fields on the way."""

    #: Attached by the store once its recorder (and so the key table) exists.
    keyring: Keyring | None = None

    # -- writing
    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        sealed = self.sealed_state(domain_event)
        if sealed is None:
            return super().to_stored_event(domain_event)
        copy = object.__new__(type(domain_event))
        object.__setattr__(copy, "__dict__", sealed)
        return super().to_stored_event(copy)

    def sealed_state(self, domain_event: Any) -> dict[str, Any] | None:
        """The event's state with its personal fields sealed; None when it has none."""
        topic = get_topic(type(domain_event))
        state = vars(domain_event)
        if topic == SNAPSHOT_TOPIC:
            whose = SNAPSHOT_SUBJECTS.get(state["topic"])
            if whose is None:
                return None
            plaintext = {"state": self.transcoder.encode(state["state"])}
            fields: dict[str, str | None] = {
                "state": subject_of(whose, state["originator_id"], state)}
            return self._sealed(state, topic, fields, plaintext)
        rules = PERSONAL.get(topic)
        return None if rules is None else self._seal_fields(state, topic, rules)

    def _seal_fields(self, state: dict[str, Any], topic: str,
                     rules: dict[str, str]) -> dict[str, Any] | None:
        fields: dict[str, str | None] = {}
        plaintext: dict[str, bytes] = {}
        for field, whose in rules.items():
            value = state.get(field)
            if isinstance(value, Erased) or (isinstance(value, dict) and ERASED_MARK in value):
                fields[field], plaintext[field] = None, b""
            elif isinstance(value, str) and value:
                subject = subject_of(whose, state["originator_id"], state)
                if subject is not None:
                    fields[field] = subject
                    plaintext[field] = value.encode()
        return self._sealed(state, topic, fields, plaintext) if fields else None

    def _sealed(self, state: dict[str, Any], topic: str, fields: dict[str, str | None],
                plaintext: dict[str, bytes]) -> dict[str, Any]:
        originator_id, version = state["originator_id"], state["originator_version"]
        assert self.keyring is not None, "the store attaches a keyring before saving"
        keys = self.keyring.keys_for_writing({s for s in fields.values() if s is not None})
        sealed = dict(state)
        for field, subject in fields.items():
            key = keys.get(subject) if subject is not None else None
            if key is None:
                sealed[field] = {ERASED_MARK: True}
            else:
                sealed[field] = {SEALED: subject, "v": seal(
                    key, _place(originator_id, version, topic, field), plaintext[field])}
        return sealed

    # -- reading
    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        domain_event = super().to_domain_event(stored_event)
        topic = stored_event.topic
        if topic == SNAPSHOT_TOPIC:
            state = vars(domain_event)
            value = state.get("state")
            if is_sealed(value):
                opened = self._open(value, stored_event, "state")
                if isinstance(opened, Erased):
                    raise SnapshotErased(stored_event.originator_id)
                state["state"] = self.transcoder.decode(opened)
            return domain_event
        rules = PERSONAL.get(topic)
        if rules:
            state = vars(domain_event)
            for field in rules:
                value = state.get(field)
                if is_sealed(value):
                    opened = self._open(value, stored_event, field)
                    state[field] = opened if isinstance(opened, Erased) else opened.decode()
        return domain_event

    # -- moving house: states as the transcoder writes them, words in the clear
    def open_state(self, stored_event: StoredEvent) -> bytes:
        """A stored event's state undeciphered, uncompressed and its personal fields opened
        (erased ones stay marked erased), for another Mend to seal with its own keys."""
        state = self._undress(stored_event.state)
        rules = PERSONAL.get(stored_event.topic)
        if not rules:
            return state
        decoded = self.transcoder.decode(state)
        for field in rules:
            value = decoded.get(field)
            if is_sealed(value) and SEALED in value:
                opened = self._open(value, stored_event, field)
                decoded[field] = {ERASED_MARK: True} if isinstance(opened, Erased) \
                    else opened.decode()
        return self.transcoder.encode(decoded)

    def seal_state(self, originator_id: Any, version: int, topic: str, state: bytes) -> bytes:
        """The state of ``open_state`` as this store keeps it: sealed with this store's keys,
        then compressed and enciphered as the store does."""
        rules = PERSONAL.get(topic)
        if rules:
            decoded = self.transcoder.decode(state)
            decoded.update(originator_id=originator_id, originator_version=version)
            sealed = self._seal_fields(decoded, topic, rules)
            if sealed is not None:
                sealed.pop("originator_id")
                sealed.pop("originator_version")
                state = self.transcoder.encode(sealed)
        if self.compressor:
            state = self.compressor.compress(state)
        if self.cipher:
            state = self.cipher.encrypt(state)
        return state

    def _undress(self, state: bytes) -> bytes:
        if self.cipher:
            state = self.cipher.decrypt(state)
        if self.compressor:
            state = self.compressor.decompress(state)
        return state

    def _open(self, value: dict[str, Any], stored_event: StoredEvent, field: str) -> Any:
        if ERASED_MARK in value:
            return ERASED
        assert self.keyring is not None, "the store attaches a keyring before reading"
        key = self.keyring.key_for_reading(value[SEALED])
        if key is None:
            return ERASED
        place = _place(stored_event.originator_id, stored_event.originator_version,
                       stored_event.topic, field)
        return unseal(key, place, value["v"])
