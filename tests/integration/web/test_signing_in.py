"""Getting in and out through the pages: sign-in with its limits, sign-out that holds,
the invitation link, the password, and the practice switcher."""

from __future__ import annotations

import uuid

from tests.integration.web.conftest import PASSWORD, Browser


def test_a_wrong_password_is_refused_in_words_and_the_right_one_brings_you_back(
        app, practices, browser):
    email = practices["own"].emails["practitioner"]
    browser.get("/login")
    wrong = browser.post("/login", {"email": email, "password": "not the password",
                                    "next": "/account/password"})
    assert wrong.status_code == 401
    assert "That email and password do not match." in wrong.get_data(as_text=True)
    assert f'value="{email}"' in wrong.get_data(as_text=True)  # the email is kept
    assert browser.get("/").headers["Location"] == "/login?next=/"
    right = browser.post("/login", {"email": email, "password": PASSWORD,
                                    "next": "/account/password"})
    assert (right.status_code, right.headers["Location"]) == (302, "/account/password")
    assert "Practitioner harbor" in browser.get("/").get_data(as_text=True)


def test_after_sign_in_only_a_path_of_this_site_is_followed(app, practices, browser):
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:x"):
        person = Browser(app.test_client())
        person.get("/login")
        answer = person.post("/login", {"email": practices["own"].emails["owner"],
                                        "password": PASSWORD, "next": target})
        assert answer.headers["Location"] == "/", target


def test_guessing_is_limited_on_the_page_as_on_the_api(app, browser):
    email = f"guess-{uuid.uuid4().hex[:8]}@nowhere.test"  # the limiter outlives one app
    browser.get("/login")
    for _ in range(5):
        assert browser.post("/login", {"email": email, "password": "guess"}).status_code == 401
    blocked = browser.post("/login", {"email": email, "password": "guess"})
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.get_data(as_text=True)


def test_a_session_signed_out_stays_signed_out_even_with_its_cookie_kept(app, practices,
                                                                           signed_in):
    owner = signed_in("owner")
    kept = owner.client.get_cookie("session").value
    assert owner.post("/logout").headers["Location"] == "/login"
    replay = app.test_client()
    replay.set_cookie("session", kept)
    assert replay.get("/").headers["Location"].startswith("/login")


def test_an_invitation_link_sets_a_password_and_signs_the_person_in(app, practices, browser):
    mend = app.extensions["mend"]
    owner = practices["own"].people["owner"]
    invitation = mend.membership.invite(owner, email="newcomer@harbor.test", name="Noor",
                                        role="practitioner").result
    page = browser.get(f"/invitations/{invitation.token}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Join Harbor Counselling" in text
    assert "newcomer@harbor.test" in text and "as practitioner" in text
    short = browser.post(f"/invitations/{invitation.token}", {"password": "short"})
    assert short.status_code == 422 and 'id="f-password-error"' in short.get_data(as_text=True)
    joined = browser.post(f"/invitations/{invitation.token}",
                          {"password": "Noor's own long passphrase", "name": "Noor Haddad"})
    assert (joined.status_code, joined.headers["Location"]) == (302, "/")
    assert "Noor Haddad · Practitioner at Harbor Counselling" in browser.get("/").get_data(
        as_text=True)
    used = Browser(app.test_client()).get(f"/invitations/{invitation.token}")
    assert used.status_code == 404 and "cannot be used" in used.get_data(as_text=True)


def test_a_new_password_ends_the_other_sessions_and_keeps_this_one(app, practices, signed_in):
    mine, elsewhere = signed_in("supervisor"), signed_in("supervisor")
    mine.get("/account/password")
    wrong = mine.post("/account/password", {"current_password": "not it",
                                            "new_password": "a new long passphrase"})
    assert wrong.status_code == 422
    assert "is not this account&#39;s password" in wrong.get_data(as_text=True)
    changed = mine.post("/account/password", {"current_password": PASSWORD,
                                              "new_password": "a new long passphrase"})
    assert changed.status_code == 302
    assert mine.get("/").status_code == 200
    assert elsewhere.get("/").headers["Location"].startswith("/login")
    mine.post("/account/password", {"current_password": "a new long passphrase",
                                    "new_password": PASSWORD})


def test_someone_in_two_practices_switches_between_them(app, practices, signed_in):
    mend = app.extensions["mend"]
    other_owner = practices["other"].people["owner"]
    invitation = mend.membership.invite(other_owner, email=practices["own"].emails["owner"],
                                        name="Olive", role="supervisor").result
    mend.membership.accept_invitation(invitation.token, PASSWORD)
    person = signed_in("owner")
    page = person.get("/").get_data(as_text=True)
    assert "Owner at Harbor Counselling" in page and "Willow Counselling" in page
    switched = person.post("/switch-tenant", {"tenant": "willow"})
    assert switched.headers["Location"] == "/"
    page = person.get("/").get_data(as_text=True)
    assert "Supervisor at Willow Counselling" in page and "Willow couple" in page
    assert "Harbor couple" not in page
    refused = person.post("/switch-tenant", {"tenant": "nowhere"})
    assert refused.status_code == 404


def test_a_personal_token_is_shown_once_listed_by_label_and_revoked(app, practices, signed_in):
    import re

    pat = signed_in("practitioner")
    pat.get("/account/tokens")
    wrong = pat.post("/account/tokens", {"label": "Reports", "password": "not mine"})
    assert wrong.status_code == 422 and "That is not your password." in wrong.get_data(
        as_text=True)
    made = pat.post("/account/tokens", {"label": "Weekly reports", "password": PASSWORD})
    page = made.get_data(as_text=True)
    [token] = re.findall(r'<code class="secret">([^<]+)</code>', page)
    assert "Weekly reports" in page
    api = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert api.get("/api/v1/cases", headers=headers).status_code == 200
    again = pat.get("/account/tokens").get_data(as_text=True)
    assert token not in again and "Weekly reports" in again  # shown once, listed after
    assert token not in (pat.client.get_cookie("session").value or "")
    token_id = re.search(r'/account/tokens/([0-9a-f-]{36})/revoke', again).group(1)
    assert pat.post(f"/account/tokens/{token_id}/revoke").status_code == 302
    assert api.get("/api/v1/cases", headers=headers).status_code == 401
    assert "Weekly reports" not in pat.get("/account/tokens").get_data(as_text=True)
