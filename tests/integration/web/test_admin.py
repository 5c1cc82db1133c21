"""Running the practice from the pages: inviting, new links and withdrawn ones, roles,
revoking, the audit feed with its filters, and outcome analytics."""

from __future__ import annotations

import re

from tests.integration.web.conftest import Browser

LINK = re.compile(r"/invitations/([\w-]+)")


def flashed_link(page: str) -> str:
    [token] = LINK.findall(page.split('class="flash"', 1)[1].split("</div>", 1)[0])
    return token


def test_an_owner_invites_a_member_who_joins_then_changes_their_role_and_revokes_them(
        app, practices, signed_in):
    owner = signed_in("owner")
    owner.get("/admin/members")
    invited = owner.post("/admin/members/invite", {
        "name": "Ada Lane", "email": "ada@harbor.test", "role": "practitioner"})
    assert invited.headers["Location"] == "/admin/members"
    token = flashed_link(owner.get("/admin/members").get_data(as_text=True))

    ada = Browser(app.test_client())
    ada.get(f"/invitations/{token}")
    ada.post(f"/invitations/{token}", {"password": "Ada's own long passphrase"})
    assert "My open cases" in ada.get("/").get_data(as_text=True)

    page = owner.get("/admin/members").get_data(as_text=True)
    ada_id = [m.account_id for m in app.extensions["mend"].membership.members(
        practices["own"].people["owner"]) if m.email == "ada@harbor.test"][0]
    assert owner.post(f"/admin/members/{ada_id}/role", {"role": "supervisor"}).status_code == 302
    assert "The practice's cases" in ada.get("/").get_data(as_text=True)  # now oversees
    assert owner.post(f"/admin/members/{ada_id}/revoke").status_code == 302
    assert ada.get("/").headers["Location"].startswith("/login")  # the open session is over
    assert ada.get("/login?next=/").status_code == 200  # and the sign-in page, not a loop
    assert "Ada Lane" not in owner.get("/admin/members").get_data(as_text=True)
    assert page  # the page before showed her as active


def test_a_new_link_replaces_the_old_and_a_withdrawn_one_stops_working(app, practices,
                                                                         signed_in):
    owner = signed_in("owner")
    owner.get("/admin/members")
    owner.post("/admin/members/invite", {"name": "Ben", "email": "ben@harbor.test",
                                         "role": "client"})
    first = flashed_link(owner.get("/admin/members").get_data(as_text=True))
    ben_id = [m.account_id for m in app.extensions["mend"].membership.members(
        practices["own"].people["owner"]) if m.email == "ben@harbor.test"][0]
    owner.post(f"/admin/members/{ben_id}/resend")
    second = flashed_link(owner.get("/admin/members").get_data(as_text=True))
    stranger = Browser(app.test_client())
    assert stranger.get(f"/invitations/{first}").status_code == 404
    assert stranger.get(f"/invitations/{second}").status_code == 200
    assert owner.post(f"/admin/members/{ben_id}/withdraw").status_code == 302
    assert stranger.get(f"/invitations/{second}").status_code == 404


def test_staff_invite_clients_but_only_owners_invite_staff_or_change_roles(app, practices,
                                                                           signed_in):
    pat = signed_in("practitioner")
    page = pat.get("/admin/members").get_data(as_text=True)
    assert "Change role" not in page and "Revoke" not in page
    assert '<option value="practitioner"' not in page.split('id="f-role"')[1]
    refused = pat.post("/admin/members/invite", {"name": "Eve", "email": "eve@harbor.test",
                                                 "role": "owner"})
    assert refused.status_code == 403 and "Only owners invite staff." in refused.get_data(
        as_text=True)
    client_id = practices["own"].people["client"].account_id
    assert pat.post(f"/admin/members/{client_id}/role", {"role": "owner"}).status_code == 403
    ok = pat.post("/admin/members/invite", {"name": "Cy", "email": "cy@harbor.test",
                                            "role": "client"})
    assert ok.status_code == 302
    bad = pat.post("/admin/members/invite", {"name": "", "email": "nope", "role": "client"})
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "Not a valid email address." in text and 'value="nope"' in text


def test_the_audit_feed_filters_by_person_kind_and_day(app, practices, signed_in):
    owner = signed_in("owner")
    pat_id = practices["own"].people["practitioner"].account_id
    signed_in("practitioner")  # a sign-in to find
    everything = owner.get("/admin/audit").get_data(as_text=True)
    assert "Signed in (browser)" in everything and "Case opened" in everything
    theirs = owner.get(f"/admin/audit?who={pat_id}&what=sign_ins").get_data(as_text=True)
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th><td data-label="Who">([^<]+)', theirs)
    assert rows and {who for _, who in rows} == {"Practitioner harbor"}
    assert {what for what, _ in rows} <= {"Signed in (browser)", "Signed out"}
    none = owner.get("/admin/audit?since=2001-01-01&until=2001-01-02").get_data(as_text=True)
    assert "Nothing recorded matches." in none
    wrong = owner.get("/admin/audit?since=yesterday").get_data(as_text=True)
    assert "Give a date like 2026-12-02." in wrong


def test_outcomes_show_a_table_and_a_chart_with_its_words(app, practices, signed_in):
    mend = app.extensions["mend"]
    from mend.domain import commands as cmd

    owner = practices["own"].people["owner"]
    mend.casework.record(owner, practices["own"].case_id,
                         cmd.CloseCase(outcome="reconciled", note="Done."))
    page = signed_in("supervisor").get("/admin/outcomes").get_data(as_text=True)
    assert "<title id=\"o-title\">Success rate by approach</title>" in page
    assert "Therapy-guided: 100 % of 1 closed." in page
    assert re.search(r"<th scope=\"row\">Therapy-guided</th><td>1</td><td>1</td>", page)
