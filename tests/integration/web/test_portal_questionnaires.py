"""A questionnaire answered in the portal: the form read off its definition, a wrong or
missing answer named beside its question, and help shown at once after a safety answer."""

from __future__ import annotations

import re

from tests.integration.web.conftest import stored
from tests.integration.web.test_portal import couple, portal  # noqa: F401  (a fixture)

PHQ9_CALM = {f"q{n}": "0" for n in range(1, 10)}


def test_the_portal_offers_the_questionnaires_and_the_form_holds_every_item(signed_in, couple):
    rosa = signed_in("client")
    page = portal(rosa, couple)
    for title in ("PHQ-9", "GAD-7", "CSI-16", "CSI-4"):  # a couple's case: the CSI too
        assert title in page
    form = rosa.get(f"/portal/cases/{couple}/questionnaires/phq9").get_data(as_text=True)
    assert len(re.findall(r'<fieldset', form)) == 9
    assert "Little interest or pleasure in doing things" in form
    assert form.count('type="radio" name="q9"') == 4
    assert "No permission required to reproduce" in form  # the authors' notice


def test_a_missing_answer_is_named_beside_its_question_and_nothing_is_written(
        app, signed_in, couple):
    rosa = signed_in("client")
    before = stored(app)
    answer = rosa.post(f"/portal/cases/{couple}/questionnaires/phq9",
                       {k: v for k, v in PHQ9_CALM.items() if k != "q4"})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422 and stored(app) == before
    assert 'id="q4-error"' in page
    assert re.search(r'name="q1" value="0" required checked', page)  # what was chosen stays


def test_a_safety_answer_shows_where_to_get_help_now(app, signed_in, couple):
    rosa = signed_in("client")
    answer = rosa.post(f"/portal/cases/{couple}/questionnaires/phq9", {**PHQ9_CALM, "q9": "1"})
    assert answer.status_code == 302
    page = portal(rosa, couple)
    assert "please do not wait for your next session" in page
    assert "Your practitioner has been told" in page  # a practitioner works this case
    assert "Thank you: your answers to the" in page

    calm = rosa.post(f"/portal/cases/{couple}/questionnaires/phq9", PHQ9_CALM)
    assert calm.status_code == 302
    page = portal(rosa, couple)
    assert "Thank you: your answers to the" in page
    assert "please do not wait for your next session" not in page


def test_the_partner_never_sees_the_answers_and_staff_are_sent_to_the_workspace(
        signed_in, couple):
    rosa, partner = signed_in("client"), signed_in("client_off")
    assert rosa.post(f"/portal/cases/{couple}/questionnaires/gad7",
                     {f"q{n}": "3" for n in range(1, 8)}).status_code == 302
    assert "GAD-7: 21" not in portal(partner, couple)
    staff = signed_in("practitioner")
    assert staff.get(f"/portal/cases/{couple}/questionnaires/gad7").status_code == 302
    assert signed_in("client").get(
        f"/portal/cases/{couple}/questionnaires/ors").status_code == 404
    stranger = signed_in("client", "other")  # a client of another practice
    assert stranger.get(f"/portal/cases/{couple}/questionnaires/gad7").status_code == 404
    assert stranger.post(f"/portal/cases/{couple}/questionnaires/gad7",
                         {f"q{n}": "0" for n in range(1, 8)}).status_code == 404
