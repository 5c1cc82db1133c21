"""Sign-up, sign-in, invitations and bearer tokens, and how passwords are (never) stored."""

from __future__ import annotations

import json
from datetime import timedelta
from types import SimpleNamespace

import pytest

from mend.domain import passwords
from mend.domain.authorization import Actor
from mend.domain.checks import utcnow
from mend.domain.errors import (
    AlreadyTaken, Forbidden, InvalidValue, NotAuthenticated, NotFound, RuleBroken,
)
from mend.domain.membership import Membership, secret_digest
from mend.domain.store import MendStore
from mend.domain.tenancy import (
    EMAILS, INVITATIONS, SLUGS, TOKENS, Account, Index, Tenant,
)

HANA_PASSWORD = "tide-pools-at-dawn-42"
ANA_PASSWORD = "ana's long walk home"
NILS_PASSWORD = "fjords and fika 1987"


def new_store() -> MendStore:
    return MendStore(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


def sign_up_harbor(membership: Membership, **changes):
    fields = dict(
        name="Harbor Counseling", slug="harbor-counseling", kind="practice",
        owner_email="hana@harbor.example", owner_password=HANA_PASSWORD, owner_name="Hana",
    )
    fields.update(changes)
    return membership.sign_up(**fields)


@pytest.fixture(scope="module")
def harbor() -> SimpleNamespace:
    """Harbor Counseling, its owner Hana, and Ana, a client who accepted her invitation.

    Shared by the tests that only read, or that add things nobody else here looks at.
    """
    store = new_store()
    membership = Membership(store)
    tenant_id, hana_id = sign_up_harbor(membership).result
    hana = membership.actor_for(hana_id)
    invitation = membership.invite(hana, email="Ana@Harbor.example", name="Ana", role="client")
    ana_id = membership.accept_invitation(invitation.result.token, ANA_PASSWORD).result
    return SimpleNamespace(
        store=store, membership=membership, tenant_id=tenant_id, hana=hana, ana_id=ana_id,
    )


def recorded(store: MendStore) -> int:
    return store.recorder.max_notification_id() or 0


# ---------------------------------------------------------------------------------------------
# Sign-up.

def test_signing_up_registers_the_tenant_with_its_founding_owner():
    store = new_store()
    membership = Membership(store)
    tenant_id, hana_id = sign_up_harbor(membership, owner_email=" Hana@Harbor.Example ").result
    tenant = store.get(tenant_id, Tenant)
    account = store.get(hana_id, Account)
    assert (tenant.name, tenant.slug, tenant.kind) == (
        "Harbor Counseling", "harbor-counseling", "practice"
    )
    assert tenant.members == {str(hana_id): "owner"}
    assert (account.email, account.name) == ("hana@harbor.example", "Hana")
    assert account.tenant_ids == [str(tenant_id)]
    assert store.lookup(SLUGS, "harbor-counseling") == tenant_id
    assert store.lookup(EMAILS, "hana@harbor.example") == hana_id
    assert membership.actor_for(hana_id) == Actor(hana_id, tenant_id, "owner")


def test_a_slug_that_is_taken_is_rejected_and_records_nothing(harbor):
    before = recorded(harbor.store)
    with pytest.raises(AlreadyTaken):
        sign_up_harbor(
            harbor.membership, name="Harbor Two", owner_email="someone@else.example",
            owner_password=NILS_PASSWORD,
        )
    assert recorded(harbor.store) == before
    assert harbor.store.lookup(EMAILS, "someone@else.example") is None


def test_an_email_that_is_taken_is_rejected_without_its_password_and_records_nothing(harbor):
    before = recorded(harbor.store)
    with pytest.raises(AlreadyTaken):
        sign_up_harbor(
            harbor.membership, slug="harbor-north", owner_email="HANA@harbor.example",
            owner_password="a different password",
        )
    assert recorded(harbor.store) == before
    assert harbor.store.lookup(SLUGS, "harbor-north") is None


def test_an_existing_account_that_proves_its_password_founds_a_second_tenant():
    store = new_store()
    membership = Membership(store)
    harbor_id, hana_id = sign_up_harbor(membership).result
    second_id, same_hana = sign_up_harbor(
        membership, name="Harbor Workplace", slug="harbor-workplace", kind="organization",
    ).result
    assert same_hana == hana_id
    assert store.get(hana_id, Account).tenant_ids == [str(harbor_id), str(second_id)]
    assert membership.actor_for(hana_id, "harbor-workplace").tenant_id == second_id


@pytest.mark.parametrize("password", ["short", "123456789", "", "x" * 9])
def test_a_password_shorter_than_ten_characters_is_rejected(password):
    store = new_store()
    with pytest.raises(InvalidValue) as caught:
        sign_up_harbor(Membership(store), owner_password=password)
    assert caught.value.field == "owner.password"
    assert recorded(store) == 0


@pytest.mark.parametrize("password", ["password123", "1234567890", "QWERTYUIOP", "Welcome123"])
def test_one_of_the_most_common_passwords_is_rejected_whatever_its_case(password):
    store = new_store()
    with pytest.raises(InvalidValue) as caught:
        sign_up_harbor(Membership(store), owner_password=password)
    assert caught.value.field == "owner.password"
    assert recorded(store) == 0


def test_a_password_that_is_not_text_is_rejected():
    with pytest.raises(InvalidValue):
        passwords.check_policy(12345678901)
    with pytest.raises(InvalidValue):
        passwords.check_policy("x" * 1025)


@pytest.mark.parametrize("field, changes", [
    ("slug", {"slug": "Harbor Counseling"}),
    ("slug", {"slug": "-harbor"}),
    ("slug", {"slug": ""}),
    ("kind", {"kind": "clinic"}),
    ("name", {"name": " "}),
    ("email", {"owner_email": "hana-at-harbor"}),
])
def test_a_sign_up_with_a_malformed_value_is_rejected_and_records_nothing(field, changes):
    store = new_store()
    with pytest.raises(InvalidValue) as caught:
        sign_up_harbor(Membership(store), **changes)
    assert caught.value.field == field
    assert recorded(store) == 0


# ---------------------------------------------------------------------------------------------
# Authentication.

def test_the_right_email_and_password_authenticate_whatever_the_case_of_the_email(harbor):
    account = harbor.membership.authenticate("HANA@harbor.example", HANA_PASSWORD)
    assert account.id == harbor.hana.account_id


@pytest.mark.parametrize("email, password", [
    ("hana@harbor.example", "tide-pools-at-dusk-42"),
    ("hana@harbor.example", ""),
    ("nobody@harbor.example", HANA_PASSWORD),
    ("not an email", HANA_PASSWORD),
])
def test_a_wrong_password_or_an_unknown_email_is_not_authenticated(harbor, email, password):
    with pytest.raises(NotAuthenticated):
        harbor.membership.authenticate(email, password)


def test_an_invited_account_without_a_password_yet_cannot_sign_in(harbor):
    invitation = harbor.membership.invite(
        harbor.hana, email="pending@harbor.example", name="Pending", role="client"
    ).result
    assert harbor.store.get(invitation.account_id, Account).password_hash is None
    for guess in ("", "None", HANA_PASSWORD):
        with pytest.raises(NotAuthenticated):
            harbor.membership.authenticate("pending@harbor.example", guess)


def test_an_account_acting_in_a_tenant_it_does_not_belong_to_is_not_authenticated(harbor):
    with pytest.raises(NotAuthenticated):
        harbor.membership.actor_for(harbor.ana_id, "northwind")


# ---------------------------------------------------------------------------------------------
# Invitations.

def test_an_accepted_invitation_makes_the_invitee_a_member_with_the_invited_role(harbor):
    tenant = harbor.store.get(harbor.tenant_id, Tenant)
    assert tenant.role_of(harbor.ana_id) == "client"
    assert str(harbor.ana_id) not in tenant.invitations
    ana = harbor.store.get(harbor.ana_id, Account)
    assert ana.email == "ana@harbor.example"
    assert ana.tenant_ids == [str(harbor.tenant_id)]
    assert harbor.membership.authenticate("ana@harbor.example", ANA_PASSWORD).id == ana.id
    assert harbor.membership.actor_for(ana.id) == Actor(ana.id, harbor.tenant_id, "client")


def test_an_invitation_can_be_used_only_once():
    store = new_store()
    membership = Membership(store)
    _, hana_id = sign_up_harbor(membership).result
    invitation = membership.invite(
        membership.actor_for(hana_id), email="leo@harbor.example", name="Leo", role="client"
    ).result
    membership.accept_invitation(invitation.token, "leo's first password")
    before = recorded(store)
    with pytest.raises(NotFound):
        membership.accept_invitation(invitation.token, "leo's second password")
    assert recorded(store) == before
    assert membership.authenticate("leo@harbor.example", "leo's first password").id == (
        invitation.account_id
    )


def test_an_invitation_token_that_never_existed_is_not_found(harbor):
    with pytest.raises(NotFound):
        harbor.membership.accept_invitation("made-up-token", "a fine long password")


def test_a_new_invitation_replaces_the_old_one():
    store = new_store()
    membership = Membership(store)
    _, hana_id = sign_up_harbor(membership).result
    hana = membership.actor_for(hana_id)
    first = membership.invite(hana, email="mia@harbor.example", name="Mia", role="client").result
    second = membership.invite(hana, email="mia@harbor.example", name="Mia", role="client").result
    assert first.account_id == second.account_id
    with pytest.raises(NotFound):
        membership.accept_invitation(first.token, "mia's long password")
    membership.accept_invitation(second.token, "mia's long password")


def test_an_expired_invitation_is_rejected_and_records_nothing():
    store = new_store()
    membership = Membership(store)
    tenant_id, _ = sign_up_harbor(membership).result
    leo = Account.register(email="leo@harbor.example", name="Leo", password_hash=None)
    tenant = store.get(tenant_id, Tenant)
    token = "an-invitation-that-ran-out"
    tenant.invite(
        account_id=leo.id, email=leo.email, role="client", token_hash=secret_digest(token),
        expires_at=utcnow() - timedelta(minutes=1),
    )
    store.save(
        tenant, leo, Index(namespace=EMAILS, value=leo.email, ref=leo.id),
        Index(namespace=INVITATIONS, value=secret_digest(token), ref=tenant.id),
    )
    before = recorded(store)
    with pytest.raises(RuleBroken):
        membership.accept_invitation(token, "leo's long password")
    assert recorded(store) == before
    assert store.get(tenant_id, Tenant).role_of(leo.id) is None
    assert store.get(leo.id, Account).password_hash is None


def test_the_tenant_rejects_an_expired_or_unknown_invitation_and_changes_nothing():
    tenant = Tenant.register(name="Harbor Counseling", slug="harbor-counseling", kind="practice")
    leo = Account.register(email="leo@harbor.example", name="Leo", password_hash=None)
    expires_at = utcnow() + timedelta(days=7)
    tenant.invite(account_id=leo.id, email=leo.email, role="practitioner", token_hash="abc",
                  expires_at=expires_at)
    version = tenant.version
    with pytest.raises(RuleBroken):
        tenant.accept_invitation(leo.id, "abc", now=expires_at + timedelta(seconds=1))
    with pytest.raises(RuleBroken):
        tenant.accept_invitation(leo.id, "not-the-token", now=utcnow())
    assert tenant.version == version
    assert tenant.role_of(leo.id) is None
    assert tenant.accept_invitation(leo.id, "abc", now=expires_at) == "practitioner"
    assert tenant.role_of(leo.id) == "practitioner"


def test_an_invitation_with_a_role_outside_the_four_is_rejected(harbor):
    before = recorded(harbor.store)
    with pytest.raises(InvalidValue) as caught:
        harbor.membership.invite(
            harbor.hana, email="rae@harbor.example", name="Rae", role="admin"
        )
    assert caught.value.field == "role"
    assert recorded(harbor.store) == before


def test_inviting_someone_who_is_already_a_member_is_rejected(harbor):
    before = recorded(harbor.store)
    with pytest.raises(RuleBroken):
        harbor.membership.invite(
            harbor.hana, email="ana@harbor.example", name="Ana", role="supervisor"
        )
    assert recorded(harbor.store) == before


def test_a_client_may_not_invite(harbor):
    ana = harbor.membership.actor_for(harbor.ana_id)
    with pytest.raises(Forbidden):
        harbor.membership.invite(ana, email="friend@harbor.example", name="Friend", role="owner")


def test_an_invitee_with_an_account_elsewhere_accepts_with_that_accounts_password():
    store = new_store()
    membership = Membership(store)
    _, hana_id = sign_up_harbor(membership).result
    northwind_id, nils_id = membership.sign_up(
        name="Northwind", slug="northwind", kind="organization",
        owner_email="nils@northwind.example", owner_password=NILS_PASSWORD, owner_name="Nils",
    ).result
    nils = membership.actor_for(nils_id)
    invitation = membership.invite(
        nils, email="hana@harbor.example", name="Hana", role="supervisor"
    ).result
    assert invitation.account_id == hana_id
    before = recorded(store)
    with pytest.raises(NotAuthenticated):
        membership.accept_invitation(invitation.token, "a brand new password")
    assert recorded(store) == before
    membership.accept_invitation(invitation.token, HANA_PASSWORD)
    assert membership.actor_for(hana_id, "northwind") == Actor(hana_id, northwind_id, "supervisor")
    assert membership.actor_for(hana_id, "harbor-counseling").role == "owner"


def test_accepting_an_invitation_with_a_weak_password_is_rejected_and_records_nothing():
    store = new_store()
    membership = Membership(store)
    _, hana_id = sign_up_harbor(membership).result
    invitation = membership.invite(
        membership.actor_for(hana_id), email="leo@harbor.example", name="Leo", role="client"
    ).result
    before = recorded(store)
    with pytest.raises(InvalidValue):
        membership.accept_invitation(invitation.token, "password123")
    assert recorded(store) == before
    membership.accept_invitation(invitation.token, "a better password for leo")


# ---------------------------------------------------------------------------------------------
# Bearer tokens.

def test_an_issued_token_resolves_to_the_actor_it_was_issued_for(harbor):
    token, _, actor = harbor.membership.issue_token(
        "ana@harbor.example", ANA_PASSWORD, "harbor-counseling", label="phone"
    )
    assert token.startswith("mend_")
    assert actor == Actor(harbor.ana_id, harbor.tenant_id, "client")
    assert harbor.membership.actor_for_token(token) == actor
    assert harbor.store.lookup(TOKENS, secret_digest(token)) == harbor.ana_id


def test_a_token_is_issued_only_for_the_right_password(harbor):
    before = recorded(harbor.store)
    with pytest.raises(NotAuthenticated):
        harbor.membership.issue_token("ana@harbor.example", "not ana's password")
    assert recorded(harbor.store) == before


def test_a_token_for_a_tenant_the_account_is_not_in_is_refused(harbor):
    with pytest.raises(NotAuthenticated):
        harbor.membership.issue_token("ana@harbor.example", ANA_PASSWORD, "northwind")


@pytest.mark.parametrize("token", ["", "mend_", "mend_made-up", "Bearer mend_x"])
def test_an_unknown_token_is_not_authenticated(harbor, token):
    with pytest.raises(NotAuthenticated):
        harbor.membership.actor_for_token(token)


def test_a_revoked_token_is_no_longer_authenticated_while_other_tokens_still_are(harbor):
    kept, _, _ = harbor.membership.issue_token("hana@harbor.example", HANA_PASSWORD, label="laptop")
    revoked, _, _ = harbor.membership.issue_token("hana@harbor.example", HANA_PASSWORD, label="old")
    hana = harbor.store.get(harbor.hana.account_id, Account)
    hana.revoke_token(Index.id_for(TOKENS, secret_digest(revoked)))
    harbor.store.save(hana)
    with pytest.raises(NotAuthenticated):
        harbor.membership.actor_for_token(revoked)
    assert harbor.membership.actor_for_token(kept) == harbor.hana
    with pytest.raises(InvalidValue) as caught:
        hana.revoke_token(Index.id_for(TOKENS, secret_digest(revoked)))
    assert caught.value.field == "token_id"


def test_a_token_stops_working_when_its_account_leaves_the_tenant():
    store = new_store()
    membership = Membership(store)
    tenant_id, hana_id = sign_up_harbor(membership).result
    invitation = membership.invite(
        membership.actor_for(hana_id), email="leo@harbor.example", name="Leo", role="client"
    ).result
    membership.accept_invitation(invitation.token, "leo's long password")
    token, _, _ = membership.issue_token("leo@harbor.example", "leo's long password")
    tenant = store.get(tenant_id, Tenant)
    tenant.revoke_membership(invitation.account_id)
    store.save(tenant)
    with pytest.raises(NotAuthenticated):
        membership.actor_for_token(token)


def test_a_tenant_keeps_at_least_one_owner():
    tenant = Tenant.register(name="Harbor Counseling", slug="harbor-counseling", kind="practice")
    hana = Account.register(email="hana@harbor.example", name="Hana", password_hash=None)
    tenant.add_founding_owner(hana.id)
    version = tenant.version
    with pytest.raises(RuleBroken):
        tenant.revoke_membership(hana.id)
    with pytest.raises(RuleBroken):
        tenant.grant_role(hana.id, "supervisor")
    with pytest.raises(RuleBroken):
        tenant.add_founding_owner(hana.id)
    assert tenant.version == version
    assert tenant.role_of(hana.id) == "owner"


# ---------------------------------------------------------------------------------------------
# Passwords: argon2id hashes, and never the password itself in the store.

def test_passwords_are_stored_as_argon2id_hashes(harbor):
    for account_id, password in ((harbor.hana.account_id, HANA_PASSWORD),
                                 (harbor.ana_id, ANA_PASSWORD)):
        stored_hash = harbor.store.get(account_id, Account).password_hash
        assert stored_hash.startswith("$argon2id$")
        assert passwords.verify_password(stored_hash, password)
        assert not passwords.verify_password(stored_hash, password + "!")


def test_no_password_or_token_in_clear_appears_in_any_stored_event():
    store = new_store()
    membership = Membership(store)
    _, hana_id = sign_up_harbor(membership).result
    hana = membership.actor_for(hana_id)
    invitation = membership.invite(hana, email="ana@harbor.example", name="Ana", role="client")
    membership.accept_invitation(invitation.result.token, ANA_PASSWORD)
    token, _, _ = membership.issue_token("ana@harbor.example", ANA_PASSWORD)
    membership.sign_up(
        name="Northwind", slug="northwind", kind="organization",
        owner_email="nils@northwind.example", owner_password=NILS_PASSWORD, owner_name="Nils",
    )
    notifications = store.recorder.select_notifications(start=1, limit=10_000)
    assert len(notifications) == recorded(store) > 10
    secrets = [HANA_PASSWORD, ANA_PASSWORD, NILS_PASSWORD, invitation.result.token, token]
    for notification in notifications:
        for secret in secrets:
            assert secret.encode() not in notification.state, (notification.topic, secret)
    # ...and every password hash that is stored is an argon2id one.
    hashes = [json.loads(n.state).get("password_hash") for n in notifications]
    hashes = [h for h in hashes if h is not None]
    assert len(hashes) == 3  # Hana and Nils signing up, Ana accepting her invitation
    assert all(h.startswith("$argon2id$") for h in hashes)


def test_an_owner_sets_the_tenants_time_zone_and_a_wrong_name_is_refused(harbor):
    owner = harbor.hana
    assert harbor.membership.time_zone_of(owner.tenant_id).key == "UTC"
    harbor.membership.set_time_zone(owner, "Europe/Berlin")
    assert harbor.membership.time_zone_of(owner.tenant_id).key == "Europe/Berlin"
    before = recorded(harbor.store)
    with pytest.raises(InvalidValue) as caught:
        harbor.membership.set_time_zone(owner, "Mars/Olympus_Mons")
    assert caught.value.field == "time_zone"
    with pytest.raises(RuleBroken):
        harbor.membership.set_time_zone(owner, "Europe/Berlin")
    assert recorded(harbor.store) == before


def test_only_an_owner_sets_the_time_zone(harbor):
    ana = harbor.membership.actor_for(harbor.ana_id)
    with pytest.raises(Forbidden):
        harbor.membership.set_time_zone(ana, "Europe/Berlin")
