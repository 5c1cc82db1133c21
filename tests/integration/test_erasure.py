"""Erasure by key deletion, on both real stores: after a case or a person is erased, the raw
tables hold none of the erased words, nothing can open them, replay still works and shows
"(erased)", and every other case reads as before. A legal hold refuses erasure, and says
until when and why."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mend.domain import commands as cmd
from mend.domain.case import Case
from mend.domain.erased import Erased
from mend.domain.erasure import Erasure
from mend.domain.errors import Forbidden, RuleBroken
from mend.domain.membership import Membership
from mend.domain.store import MendStore
from mend.domain.tenancy import Account
from tests.integration.conftest import make_practice
from tests.integration.test_encryption import raw_store_bytes

SLUG = "erasing-practice"
ERASED_TITLE = "Thistlewood-Varga household"
ERASED_SUMMARY = "Marigold-abacus: the hidden second phone"
ERASED_NOTE = "Juniper-sextant: I felt heard tonight"
ERASED_JOURNAL = "Obsidian-kettle: I am not ready to forgive"
KEPT_TITLE = "Brightwater-Lund household"
KEPT_NOTE = "Saffron-compass: a calm week at last"


def open_case(practice, title: str, summary: str, client) -> object:
    cw, pat = practice.casework, practice.practitioner
    case_id = cw.open_case(pat, kind="couple", title=title, approach="therapy_guided",
                           breach_category="dishonesty", breach_summary=summary).result
    cw.record(pat, case_id, cmd.AddParticipant(account_id=client.account_id,
                                               relation="partner"))
    return case_id


def check_in(practice, client, case_id, note: str) -> None:
    practice.casework.record(client, case_id, cmd.RecordCheckIn(
        trust=6, emotional_safety=5, communication_ease=6, conflicts=1, note=note))


@pytest.fixture
def world(store: MendStore):
    practice = make_practice(store, slug=SLUG, clients=2)
    ana, ben = practice.clients
    erased = open_case(practice, ERASED_TITLE, ERASED_SUMMARY, ana)
    check_in(practice, ana, erased, ERASED_NOTE)
    practice.casework.record(ana, erased, cmd.WriteJournal(text=ERASED_JOURNAL))
    kept = open_case(practice, KEPT_TITLE, "Cobalt-meadow: late nights", ben)
    check_in(practice, ben, kept, KEPT_NOTE)
    return practice, erased, kept


def test_an_erased_case_reads_erased_and_nothing_in_the_store_can_open_its_words(
        settings, store, world):
    practice, erased, kept = world
    before = store.get(erased, Case)
    assert before.title == ERASED_TITLE and before.check_ins == 1

    shredded = Erasure(store).erase_case(practice.owner, erased, "client_request")
    assert shredded.keys_deleted == 2  # the case's, and Ana's own words in it

    # Replay works, on this store and a fresh one (no cache): the words read "(erased)",
    # everything else (figures, people, stage) is as it was.
    fresh = MendStore(env=settings.store_env())
    try:
        for reader in (store, fresh):
            case = reader.get(erased, Case)
            assert isinstance(case.title, Erased) and case.status == "erased"
            assert case.check_ins == 1 and case.has_participant(practice.clients[0].account_id)
            events = list(reader.events.get(erased))
            texts = [getattr(e, f) for e in events for f in ("summary", "note", "text")
                     if isinstance(getattr(e, f, None), str) and getattr(e, f)]
            assert texts and all(isinstance(t, Erased) for t in texts), texts
            erasure = [e for e in events if isinstance(e, Case.CaseErased)]
            assert [(e.reason, e.actor_id) for e in erasure] == [
                ("client_request", practice.owner.account_id)]
            # The other case is whole.
            other = reader.get(kept, Case)
            assert other.title == KEPT_TITLE
            notes = [e.note for e in reader.events.get(kept)
                     if isinstance(e, Case.CheckInRecorded)]
            assert notes == [KEPT_NOTE]
    finally:
        fresh.close()

    # The raw store: no erased word in any table, nor the key that sealed them.
    _, raw = raw_store_bytes(settings)
    for word in (ERASED_TITLE, ERASED_SUMMARY, ERASED_NOTE, ERASED_JOURNAL, KEPT_TITLE):
        assert word.encode() not in raw  # sealed words are never in the clear
    # ... and nothing is left that could open them: their keys' rows hold no key.
    with store.recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute("SELECT subject, wrapped FROM mend_subject_keys")
        rows = {r["subject"]: r["wrapped"] for r in cursor.fetchall()}
    assert rows[f"case:{erased}"] is None
    assert rows[f"person:{practice.clients[0].account_id}:case:{erased}"] is None
    assert rows[f"case:{kept}"] is not None

    # Nothing recorded on it afterwards is sealed under a new key: the case takes no more.
    with pytest.raises(RuleBroken):
        check_in(practice, practice.clients[0], erased, "After the erasure")


def test_erasing_a_person_erases_their_account_and_their_own_words_only(
        settings, store, world):
    practice, erased, kept = world
    ana = practice.clients[0]
    shredded = Erasure(store).erase_person(practice.owner, ana.account_id, "client_request",
                                           [erased])
    assert shredded.keys_deleted == 2  # Ana's account data, and her words in the case

    account = store.get(ana.account_id, Account)
    assert account.is_erased and isinstance(account.name, Erased)
    assert account.password_hash is None
    with pytest.raises(Exception):
        Membership(store).authenticate(f"client0@{SLUG}.example", "client-long-password")

    case = store.get(erased, Case)
    assert case.title == ERASED_TITLE  # the case's own words stay
    events = list(store.events.get(erased))
    assert isinstance(next(e for e in events if isinstance(e, Case.CheckInRecorded)).note,
                      Erased)
    assert isinstance(next(e for e in events if isinstance(e, Case.JournalEntryWritten)).text,
                      Erased)
    assert next(e for e in events if isinstance(e, Case.BreachDisclosed)).summary == \
        ERASED_SUMMARY
    assert [e.account_id for e in events if isinstance(e, Case.PersonErased)] == \
        [ana.account_id]
    # Ben is untouched.
    ben = store.get(practice.clients[1].account_id, Account)
    assert ben.name == "Client 1" and not ben.is_erased


def test_a_legal_hold_refuses_erasure_and_says_until_when_and_why(store, world):
    practice, erased, _ = world
    erasure = Erasure(store)
    erasure.place_hold(practice.owner, erased, "clinical_retention")
    case = store.get(erased, Case)
    from mend.domain.checks import utcnow
    until = case.held_until(utcnow())
    # Six years by default, the practice's retention period for clinical records.
    assert timedelta(days=6 * 365) <= until - utcnow() <= timedelta(days=6 * 366)
    with pytest.raises(RuleBroken, match=f"legal hold until {until.day} {until:%B %Y}") as refused:
        erasure.erase_case(practice.owner, erased, "client_request")
    assert "clinical records are kept" in str(refused.value)
    with pytest.raises(RuleBroken, match="legal hold"):
        erasure.erase_person(practice.owner, practice.clients[0].account_id,
                             "client_request", [erased])
    assert store.get(erased, Case).title == ERASED_TITLE  # nothing was erased

    erasure.lift_hold(practice.owner, erased)
    erasure.erase_case(practice.owner, erased, "client_request")
    assert isinstance(store.get(erased, Case).title, Erased)


def test_a_practice_sets_its_retention_period(store, world):
    practice, erased, _ = world
    erasure = Erasure(store)
    erasure.set_retention_years(practice.owner, 10)
    erasure.place_hold(practice.owner, erased, "clinical_retention")
    from mend.domain.checks import utcnow
    until = store.get(erased, Case).held_until(utcnow())
    assert timedelta(days=3650) <= until - utcnow() <= timedelta(days=3660)


def test_only_owners_erase_and_nobody_erases_an_owner_or_themselves(store, world):
    practice, erased, _ = world
    erasure = Erasure(store)
    for who in (practice.practitioner, practice.clients[0]):  # both on the case: they see it
        with pytest.raises(Forbidden, match="Only owners"):
            erasure.erase_case(who, erased, "client_request")
    with pytest.raises(RuleBroken, match="your own data"):
        erasure.erase_person(practice.owner, practice.owner.account_id, "client_request", [])
    with pytest.raises(Exception, match="reason"):
        erasure.erase_case(practice.owner, erased, "because I said so")
    assert store.get(erased, Case).title == ERASED_TITLE


def test_a_snapshot_sealed_with_an_erased_key_is_forgotten_and_the_case_replays(
        settings, store, world):
    practice, erased, _ = world
    for n in range(110):  # past the snapshot interval of 100
        check_in(practice, practice.clients[0], erased, f"Evening {n}")
    assert snapshots_of(store, erased) == 1
    # The keys went, but the snapshot stayed (a process that died in between): a reader
    # cannot open it, forgets it and replays the events instead.
    store.keyring.erase(case=str(erased))
    other = MendStore(env=settings.store_env())
    try:
        case = other.get(erased, Case)
        assert case.check_ins == 111 and isinstance(case.title, Erased)
        assert snapshots_of(other, erased) == 0
    finally:
        other.close()


def snapshots_of(store: MendStore, case_id) -> int:
    return len(store.snapshots.recorder.select_events(case_id))


def test_rotating_the_master_key_keeps_every_key_readable_under_the_new_one(settings):
    import dataclasses

    from mend.domain.keyring import new_master_key

    first, second = new_master_key(), new_master_key()
    keyed = dataclasses.replace(settings, master_key=first)
    store = MendStore(env=keyed.store_env())
    try:
        practice = make_practice(store, slug="rotating-practice", clients=1)
        case_id = open_case(practice, KEPT_TITLE, "Cobalt-meadow: late nights",
                            practice.clients[0])
    finally:
        store.close()
    rotating = dataclasses.replace(keyed, master_key=second, previous_master_keys=first)
    store = MendStore(env=rotating.store_env())
    try:
        assert store.keyring.rotate() >= 3  # the case's and each person's keys
        assert store.keyring.rotate() == 0  # all wrapped by the new key already
    finally:
        store.close()
    for master, readable in ((second, True), (first, False)):
        store = MendStore(env=dataclasses.replace(settings, master_key=master).store_env())
        try:
            if readable:
                assert store.get(case_id, Case).title == KEPT_TITLE
            else:
                with pytest.raises(KeyError, match="master key"):
                    store.get(case_id, Case)
        finally:
            store.close()
