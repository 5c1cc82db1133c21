"""Every word a person wrote or is known by is sealed with its subject's key: the demo
practice's whole history, read back raw, has no text field that the list of personal data
(``mend.domain.personal_data``) does not seal or explicitly call structural."""

from __future__ import annotations

import json

import pytest

from mend.bootstrap import bootstrap
from mend.config import Settings
from mend.demo import seed_demo
from mend.domain.personal_data import PERSONAL, STRUCTURAL, subject_of
from mend.domain.sealing import SEALED

#: Fields every event carries that are never personal.
COMMON = {"timestamp", "originator_topic", "class_version"}


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    path = tmp_path_factory.mktemp("sealed-demo")
    mend = bootstrap(Settings(database_url=f"sqlite:///{path}/m.sqlite"), start_runner=False)
    seed_demo(mend)
    events = list(mend.store.recorder.select_notifications(start=1, limit=1_000_000))
    yield events
    mend.close()


def test_every_text_field_of_every_stored_event_is_sealed_or_structural(stored):
    unlisted: dict[str, set[str]] = {}
    for event in stored:
        state = json.loads(event.state)
        personal = PERSONAL.get(event.topic, {})
        for field, value in state.items():
            if field in COMMON or not isinstance(value, str) or not value:
                continue
            if field in personal and subject_of(personal[field], event.originator_id,
                                                 state) is None:
                continue  # personal only in some events of its kind (an index of a slug)
            if field in personal:
                unlisted.setdefault(event.topic, set()).add(f"{field} (in the clear)")
            elif field not in STRUCTURAL.get(event.topic, set()):
                unlisted.setdefault(event.topic, set()).add(field)
    assert not unlisted, f"text fields neither sealed nor structural: {unlisted}"


def test_the_personal_fields_are_stored_sealed(stored):
    sealed = {(e.topic, f) for e in stored for f, v in json.loads(e.state).items()
              if isinstance(v, dict) and SEALED in v}
    for must in (("mend.domain.case:Case.JournalEntryWritten", "text"),
                 ("mend.domain.case:Case.BreachDisclosed", "summary"),
                 ("mend.domain.tenancy:Account.AccountRegistered", "email"),
                 ("mend.domain.tenancy:Index.IndexCreated", "value")):
        assert must in sealed
