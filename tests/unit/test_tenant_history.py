"""A tenant's history file on in-memory stores: what goes in it, what stays behind, and that
every event arrives as it was stored."""

from __future__ import annotations

import gzip
from io import BytesIO
from uuid import UUID, uuid4

import pytest

from mend.domain import commands as cmd
from mend.domain.authorization import Actor
from mend.domain.casework import Casework
from mend.domain.errors import Forbidden, NotAuthenticated
from mend.domain.membership import Membership
from mend.domain.store import MendStore
from mend.domain.tenancy import SLUGS, Tenant
from mend.projections.summaries import summarise
from mend.workers.history_file import HistoryWriter, ImportRefused, read_history
from mend.workers.tenant_history import ids_in, write_history
from mend.workers.tenant_import import import_history

PASSWORD = "a long harbour passphrase"


def in_memory() -> MendStore:
    return MendStore(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


def practice(store: MendStore, slug: str) -> tuple[Actor, Actor, UUID]:
    """An owner and a client on one case, with a check-in and a private journal entry."""
    membership, casework = Membership(store), Casework(store)
    tenant_id, owner_id = membership.sign_up(
        name=slug.title(), slug=slug, kind="practice", owner_email=f"olive@{slug}.example",
        owner_password=PASSWORD, owner_name="Olive").result
    owner = Actor(owner_id, tenant_id, "owner")
    invitation = membership.invite(owner, email=f"cleo@{slug}.example", name="Cleo",
                                   role="client").result
    client = Actor(membership.accept_invitation(invitation.token, PASSWORD).result, tenant_id,
                   "client")
    case_id = casework.open_case(owner, kind="couple", title="Cleo and Dan",
                                 approach="self_guided", breach_category="dishonesty",
                                 breach_summary="A hidden loan.").result
    casework.record(owner, case_id, cmd.AddParticipant(account_id=client.account_id))
    casework.record(client, case_id, cmd.WriteJournal(text="Mine alone."))
    casework.record(owner, case_id, cmd.RecordCheckIn(
        trust=4, emotional_safety=5, communication_ease=6, conflicts=1,
        participant_id=client.account_id))
    return owner, client, case_id


def history_of(store: MendStore, slug: str) -> bytes:
    out = BytesIO()
    write_history(store, store.lookup(SLUGS, slug), out)
    return out.getvalue()


def test_every_event_arrives_with_its_id_version_topic_and_state_as_stored():
    source, target = in_memory(), in_memory()
    owner, client, case_id = practice(source, "harbour")
    imported = import_history(target, history_of(source, "harbour"))
    assert imported.streams == {"tenants": 1, "cases": 1, "accounts": 2, "indexes": 4}
    for originator_id in (owner.tenant_id, owner.account_id, client.account_id, case_id):
        assert target.recorder.select_events(originator_id) == (
            source.recorder.select_events(originator_id))


def test_another_tenants_records_and_api_tokens_stay_behind():
    source = in_memory()
    practice(source, "harbour")
    willow_owner, _, willow_case = practice(source, "willow")
    token, _, _ = Membership(source).issue_token("olive@harbour.example", PASSWORD)
    body = gzip.decompress(history_of(source, "harbour"))
    assert str(willow_case).encode() not in body and b"willow" not in body
    target = in_memory()
    import_history(target, history_of(source, "harbour"))
    moved = Membership(target)
    assert moved.authenticate("olive@harbour.example", PASSWORD).name == "Olive"
    with pytest.raises(NotAuthenticated):
        moved.actor_for_token(token)  # a credential of the Mend that issued it
    assert target.find(willow_owner.tenant_id, Tenant) is None


def test_a_person_who_joined_a_second_tenant_after_the_first_moved_is_kept_and_joins_it():
    source, target = in_memory(), in_memory()
    harbour_owner, cleo, _ = practice(source, "harbour")
    import_history(target, history_of(source, "harbour"))
    willow_owner, _, _ = practice(source, "willow")
    membership = Membership(source)
    invitation = membership.invite(willow_owner, email="cleo@harbour.example", name="Cleo",
                                   role="client").result
    membership.accept_invitation(invitation.token, PASSWORD)

    imported = import_history(target, history_of(source, "willow"))

    assert imported.kept_accounts == 1
    moved = Membership(target)
    account = moved.authenticate("cleo@harbour.example", PASSWORD)
    assert {t.slug: role for t, role in moved.tenants_of(account)} == {
        "harbour": "client", "willow": "client"}
    joined = list(target.events.get(cleo.account_id))[-1]
    assert type(joined).__name__ == "TenantJoined" and joined.actor_id is None


def test_a_file_is_read_back_line_for_line_and_refused_once_altered():
    writer = HistoryWriter()
    writer.add(1, uuid4(), 1, "mend.domain.tenancy:Tenant.TenantRegistered",
               b'{"name":"H\xc3\xa4fen","score":2.5,"when":null}')
    out = BytesIO()
    writer.write(out, {"tenant": {"id": str(uuid4()), "slug": "hafen", "name": "Häfen"}})
    [line] = read_history(out.getvalue()).lines
    assert line.state == b'{"name":"H\xc3\xa4fen","score":2.5,"when":null}'
    altered = gzip.compress(gzip.decompress(out.getvalue()).replace(b"2.5", b"3.5"))
    with pytest.raises(ImportRefused, match="checksum"):
        read_history(altered)


def test_only_an_owner_records_a_whole_export():
    store = in_memory()
    owner, client, _ = practice(store, "harbour")
    with pytest.raises(Forbidden, match="Only owners"):
        Membership(store).record_tenant_export(owner.tenant_id, client)
    Membership(store).record_tenant_export(owner.tenant_id, owner)
    exported = list(store.events.get(owner.tenant_id))[-1]
    assert type(exported) is Tenant.TenantExported and exported.actor_id == owner.account_id
    assert summarise(exported) == "Whole practice exported, to move to another Mend"


def test_the_export_is_stored_under_a_topic_kept_for_ever():
    from eventsourcing.utils import get_topic

    assert get_topic(Tenant.TenantExported) == "mend.domain.tenancy:Tenant.TenantExported"


def test_the_ids_an_event_names_are_found_as_uuids_or_as_their_text():
    one, two, three = uuid4(), uuid4(), uuid4()
    found = ids_in({"account_id": one, "to_ids": [str(two)], "members": {str(three): "owner"},
                    "note": "not an id", "score": 3})
    assert found == {one, two, three}
