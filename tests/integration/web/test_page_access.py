"""Who may open which page: every page route × every role × its own practice's case or
another's, as a person signed in with a browser session.

Pages never answer 401: a signed-out person is sent to sign in (and brought back after); a
client opening the workspace is sent to their own cases. A case of another practice, or one
the person is not on, is a 404 page that does not say whether it exists. The routes come from
the URL map, so a page added without an entry here fails the suite.
"""

from __future__ import annotations

from uuid import uuid4

import pytest

from tests.integration.web.conftest import ROLES, stored

PAGE_BLUEPRINTS = ("signing_in", "caseload", "case_pages", "portal", "admin", "alert_pages",
                   "report_pages")
SIGN_IN = "sign_in"  # a redirect to the sign-in page
MY_CASES = "my_cases"  # a redirect to the client's own cases
DASHBOARD = "dashboard"  # a redirect to the workspace's caseload
PORTAL_CASE = "portal_case"  # a redirect to the client's own case in the portal
WORKSPACE_CASE = "workspace_case"  # staff: a redirect to the workspace's page of the case
STAFF_ON_CASE = {"owner", "supervisor", "practitioner"}


def case_page(role: str, scope: str) -> object:
    if role == "anonymous":
        return SIGN_IN
    if role.startswith("client"):
        return MY_CASES
    return 200 if scope == "own" and role in STAFF_ON_CASE else 404


def record_note(role: str, scope: str) -> object:
    if role == "anonymous":
        return SIGN_IN
    if role.startswith("client"):
        return MY_CASES
    return 302 if scope == "own" and role in STAFF_ON_CASE else 404


def record_about(role: str, scope: str) -> object:
    """Resolving a red flag that is not the case's: the flag is a wrong value (422), not the
    case; the case itself is still refused as on every case route."""
    expected = record_note(role, scope)
    return 422 if expected == 302 else expected


def invite(role: str, scope: str) -> object:
    return record_note(role, scope)


def dashboard(role: str, scope: str) -> object:
    return SIGN_IN if role == "anonymous" else MY_CASES if role.startswith("client") else 200


def staff_page(allowed: set[str], refused: int = 403, allowed_status: int = 200):
    """A workspace page for some of the staff: 403 (in words) for the rest of the staff."""
    def expect(role: str, scope: str) -> object:
        if role == "anonymous":
            return SIGN_IN
        if role.startswith("client"):
            return MY_CASES
        return allowed_status if role in allowed else refused
    return expect


STAFF = {"owner", "supervisor", "practitioner", "practitioner_off"}


def signed_in_only(status: int):
    return lambda role, scope: SIGN_IN if role == "anonymous" else status


def portal_page(client_on_case: object):
    """A portal page of a case: the participant's own; staff go to the workspace's page of
    it (which answers for itself); anyone else's is a 404 page."""
    def expect(role: str, scope: str) -> object:
        if role == "anonymous":
            return SIGN_IN
        if not role.startswith("client"):
            return WORKSPACE_CASE
        return client_on_case if scope == "own" and role == "client" else 404
    return expect


def my_cases(role: str, scope: str) -> object:
    if role == "anonymous":
        return SIGN_IN
    if not role.startswith("client"):
        return DASHBOARD
    return PORTAL_CASE if role == "client" else 200  # one case: straight to it


EXPECTED = {
    ("GET", "/"): dashboard,
    ("GET", "/my-cases"): my_cases,
    ("GET", "/portal/cases/<uuid:case_id>"): portal_page(200),
    ("GET", "/cases/<uuid:case_id>/view-as/<uuid:person_id>"): case_page,
    ("POST", "/portal/cases/<uuid:case_id>/journal"): portal_page(302),
    ("POST", "/portal/cases/<uuid:case_id>/check-in"): portal_page(422),  # no scores sent
    ("POST", "/portal/cases/<uuid:case_id>/readiness"): portal_page(422),  # no checklist sent
    ("POST", "/portal/cases/<uuid:case_id>/rituals"): portal_page(422),  # no ritual named
    # An agreement that is not the case's: a wrong value, as resolving a stranger's flag is.
    ("POST", "/portal/cases/<uuid:case_id>/agreements/<uuid:agreement_id>/kept"):
        portal_page(422),
    # A pulse that is not the case's: a wrong value (422), as a stranger's agreement is.
    ("POST", "/portal/cases/<uuid:case_id>/pulses/<uuid:pulse_id>"): portal_page(422),
    ("GET", "/portal/cases/<uuid:case_id>/my-data"): portal_page(200),
    ("GET", "/portal/cases/<uuid:case_id>/who-opened"): portal_page(200),
    ("GET", "/portal/cases/<uuid:case_id>/my-data.json"): portal_page(200),
    ("GET", "/cases/<uuid:case_id>"): case_page,
    ("GET", "/cases/new"): dashboard,
    ("POST", "/cases/<uuid:case_id>/record/<string:name>"): record_note,
    ("POST", "/cases/<uuid:case_id>/record/<string:name>/<uuid:item_id>"): record_about,
    ("POST", "/cases/<uuid:case_id>/invite"): invite,
    ("POST", "/cases/<uuid:case_id>/remind"): record_note,
    # The program board of a workplace case; its form is sent without a step (422).
    ("GET", "/cases/<uuid:case_id>/program"): case_page,
    ("POST", "/cases/<uuid:case_id>/program/<string:name>"): record_about,
    ("GET", "/account/password"): signed_in_only(200),
    ("GET", "/account/tokens"): signed_in_only(200),
    ("GET", "/login"): lambda role, scope: 200 if role == "anonymous" else 302,
    ("GET", "/admin/members"): staff_page({"owner", "supervisor", "practitioner",
                                           "practitioner_off"}),
    ("GET", "/admin/audit"): staff_page({"owner"}),
    ("GET", "/admin/access"): staff_page({"owner"}),
    ("GET", "/admin/outcomes"): staff_page({"owner", "supervisor"}),
    ("GET", "/admin/operations"): staff_page({"owner"}),
    # The alerts inbox is the staff's; an alert id that is no alert is a 404 page.
    ("GET", "/alerts"): dashboard,
    ("POST", "/alerts/<uuid:alert_id>/acknowledge"): staff_page(set(), refused=404),
    ("POST", "/alerts/<uuid:alert_id>/resolve"): staff_page(set(), refused=404),
    ("GET", "/settings/alerts"): dashboard,
    ("POST", "/settings/alerts"): staff_page(STAFF, allowed_status=302),
    # Reminder settings are everyone's own; the form sent without a time zone is a 422.
    ("GET", "/portal/reminders"): signed_in_only(200),
    ("POST", "/portal/reminders"): signed_in_only(422),
    ("POST", "/portal/reminders/stop"): signed_in_only(302),
    ("POST", "/portal/reminders/start"): signed_in_only(302),
    ("GET", "/admin/moving"): staff_page({"owner"}),
}
#: Routes whose every answer is covered by tests of their own (test_signing_in.py).
COVERED_ELSEWHERE = {
    ("POST", "/login"), ("POST", "/logout"), ("POST", "/logout-everywhere"),
    ("POST", "/account/password"), ("POST", "/switch-tenant"),
    ("GET", "/invitations/<string:token>"), ("POST", "/invitations/<string:token>"),
    ("POST", "/cases/new"),  # test_case_forms.py
    # test_pulses.py: a one-time link stands for its person, signed in or not
    ("GET", "/pulse/<string:token>"), ("POST", "/pulse/<string:token>"),
    ("POST", "/account/tokens"), ("POST", "/account/tokens/<uuid:token_id>/revoke"),
    # test_data_export.py: starting exports, following their runs and taking their files
    ("POST", "/admin/moving"), ("GET", "/admin/moving/<uuid:run_id>"),
    ("GET", "/admin/moving/<uuid:run_id>/file"), ("POST", "/portal/cases/<uuid:case_id>/my-data"),
    ("GET", "/portal/cases/<uuid:case_id>/my-data/<uuid:run_id>"),
    ("GET", "/portal/cases/<uuid:case_id>/my-data/<uuid:run_id>/file"),
    # test_reports.py: asking for reports, following their runs and taking their files
    ("POST", "/cases/<uuid:case_id>/reports"), ("POST", "/reports"),
    ("GET", "/reports/<uuid:run_id>"), ("GET", "/reports/<uuid:run_id>/file"),
    # test_admin.py
    ("POST", "/admin/members/invite"), ("POST", "/admin/members/<uuid:account_id>/resend"),
    ("POST", "/admin/members/<uuid:account_id>/withdraw"),
    ("POST", "/admin/members/<uuid:account_id>/role"),
    ("POST", "/admin/members/<uuid:account_id>/revoke"),
    # test_erasure_pages.py: legal holds, erasing a case or a person, retention, requests
    ("GET", "/cases/<uuid:case_id>/erase"), ("POST", "/cases/<uuid:case_id>/erase"),
    ("POST", "/cases/<uuid:case_id>/legal-hold"),
    ("POST", "/cases/<uuid:case_id>/legal-hold/lift"),
    ("GET", "/admin/members/<uuid:account_id>/erase"),
    ("POST", "/admin/members/<uuid:account_id>/erase"), ("POST", "/admin/retention"),
    ("GET", "/admin/erasure-requests"),
    ("POST", "/admin/erasure-requests/<uuid:account_id>/approve"),
    ("POST", "/admin/erasure-requests/<uuid:account_id>/decline"),
    ("GET", "/portal/erase-my-data"), ("POST", "/portal/erase-my-data"),
    # test_portal_questionnaires.py: the participant's own, staff to the workspace, a
    # stranger's case and an unknown questionnaire a 404.
    ("GET", "/portal/cases/<uuid:case_id>/questionnaires/<string:key>"),
    ("POST", "/portal/cases/<uuid:case_id>/questionnaires/<string:key>"),
}


REDIRECTS = {MY_CASES: "/my-cases", DASHBOARD: "/", PORTAL_CASE: "/portal/cases/{own}",
             WORKSPACE_CASE: "/cases/{case}"}


def test_every_page_route_has_its_access_declared(app):
    routes = {
        (method, rule.rule) for rule in app.url_map.iter_rules()
        if rule.endpoint.partition(".")[0] in PAGE_BLUEPRINTS
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes == set(EXPECTED) | COVERED_ELSEWHERE


@pytest.fixture(scope="module")
def boards(app, practices) -> dict[str, object]:
    """A workplace case in each practice for the program board's routes (only workplace cases
    have one), worked by the practitioner who works the couple case. The client stays out of
    it, so that they keep the single case the portal's routes expect."""
    from mend.domain import commands as cmd

    mend, found = app.extensions["mend"], {}
    for scope, practice in practices.items():
        owner = practice.people["owner"]
        case_id = mend.casework.open_case(
            owner, kind="workplace", title=f"{practice.slug.title()} depot",
            approach="therapy_guided", breach_category="data_breach",
            breach_summary="Pay slips went to the whole depot.").originator_id
        saved = mend.casework.record(owner, case_id, cmd.AssignPractitioner(
            account_id=practice.people["practitioner"].account_id))
        mend.wait_for_projections(saved.notification_id, 10)
        found[scope] = case_id
    return found


def path_of(rule: str, practices, scope: str, boards: dict | None = None) -> str:
    name = "ResolveRedFlag" if "<uuid:item_id>" in rule else "NoteSession"
    case_id = practices[scope].case_id
    if "/program" in rule and boards is not None:
        name, case_id = "AssignStepOwner", boards[scope]
    return (rule.replace("<uuid:case_id>", str(case_id))
            .replace("<string:name>", name).replace("<uuid:item_id>", str(uuid4()))
            .replace("<uuid:agreement_id>", str(uuid4())).replace("<uuid:pulse_id>", str(uuid4()))
            .replace("<uuid:alert_id>", str(uuid4()))
            .replace("<uuid:person_id>", str(practices[scope].people["client"].account_id)))


@pytest.mark.parametrize("scope", ["own", "other"])
@pytest.mark.parametrize("role", ("anonymous", *ROLES))
@pytest.mark.parametrize("route", sorted(EXPECTED))
def test_each_role_gets_the_page_or_refusal_declared(app, practices, boards, signed_in, route,
                                                      role, scope):
    method, rule = route
    expected = EXPECTED[route](role, scope)
    person = signed_in(role)
    path = path_of(rule, practices, scope, boards)
    before = stored(app)
    if method == "GET":
        answer = person.get(path)
    else:
        answer = person.post(path, {"text": f"A note by {role}.", "name": f"Invited by {role}",
                                    "email": f"{role}-{uuid4().hex[:6]}@invited.test"})
    if expected == SIGN_IN:
        assert answer.status_code == 302
        assert answer.headers["Location"].startswith("/login?next=")
    elif expected in REDIRECTS:
        target = REDIRECTS[expected].format(own=practices["own"].case_id,
                                            case=practices[scope].case_id)
        assert (answer.status_code, answer.headers["Location"]) == (302, target)
    else:
        assert answer.status_code == expected, answer.get_data(as_text=True)[:300]
    if expected == 404:
        page = answer.get_data(as_text=True)
        assert answer.mimetype == "text/html" and "Not found" in page
        assert "couple" not in page  # nothing of the case, not even its title
    if method == "POST" and expected != 302:
        assert stored(app) == before  # a refused form records nothing


def test_a_form_without_its_csrf_token_is_refused_and_records_nothing(app, practices,
                                                                        signed_in):
    owner = signed_in("owner")
    before = stored(app)
    path = path_of("/cases/<uuid:case_id>/record/<string:name>", practices, "own")
    answer = owner.post(path, {"text": "Forged."}, csrf=False)
    assert answer.status_code == 400 and "This form has expired" in answer.get_data(as_text=True)
    answer = owner.client.post(path, data={"text": "Forged.", "csrf_token": "not-the-token"})
    assert answer.status_code == 400
    assert stored(app) == before
