"""Reports, without I/O: the tenant's record of them, the kinds every part knows, and cells a
spreadsheet would run as formulas made inert."""

from __future__ import annotations

import csv
import io
from uuid import uuid4

import pytest

from mend.domain import vocabulary as v
from mend.domain.errors import InvalidValue
from mend.domain.store import MendStore
from mend.domain.tenancy import Tenant
from mend.platform.reports.making import STEPS
from mend.platform.reports.sheets import inert
from mend.projections.summaries import REPORT_WORDS, summarise

#: The topics report events are stored under: kept for ever, like every stored topic.
REPORT_TOPICS = {"mend.domain.tenancy:Tenant.ReportMade",
                 "mend.domain.tenancy:Tenant.ReportDownloaded"}


def harbour() -> Tenant:
    return Tenant.register(name="Harbour Counselling", slug="harbour", kind="practice")


def test_reports_made_and_downloaded_are_stored_under_their_topics_and_load_back():
    store = MendStore(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    tenant, run_id, case_id = harbour(), uuid4(), uuid4()
    tenant.record_report("report.case_pdf", run_id, case_id)
    tenant.record_report_download("csv.caseload", uuid4(), None)
    store.save(tenant)

    rows = store.recorder.select_events(tenant.id)
    assert {row.topic for row in rows[1:]} == REPORT_TOPICS
    made, downloaded = list(store.events.get(tenant.id))[1:]
    assert (made.kind, made.run_id, made.case_id) == ("report.case_pdf", run_id, case_id)
    assert downloaded.case_id is None
    assert summarise(made) == "Report made: case report (PDF)"
    assert summarise(downloaded) == "Report downloaded: caseload (CSV)"


def test_a_report_of_a_kind_mend_does_not_make_is_refused_naming_the_field():
    with pytest.raises(InvalidValue) as refused:
        harbour().record_report("report.everything", uuid4(), None)
    assert refused.value.field == "kind"


def test_every_kind_of_report_has_its_steps_and_its_words():
    assert set(STEPS) == set(REPORT_WORDS) == set(v.REPORT_KINDS)
    assert all(kind.startswith(("report.", "csv.")) for kind in v.REPORT_KINDS)


@pytest.mark.parametrize("cell", ['=HYPERLINK("http://evil.test")', "+1+1", "-2+3", "@SUM(A1)",
                                  "\t=1", "\r=1"])
def test_a_cell_a_spreadsheet_would_run_is_made_text(cell):
    assert inert(cell) == "'" + cell


@pytest.mark.parametrize("cell, shown", [("Ana & Leo", "Ana & Leo"), (None, ""), (4.5, "4.5"),
                                         ("a = b", "a = b")])
def test_other_cells_are_left_as_they_are(cell, shown):
    assert inert(cell) == shown


def test_an_inert_cell_survives_the_csv_quoting():
    out = io.StringIO()
    csv.writer(out).writerow([inert('=cmd|" /C calc"!A0'), "ok"])
    assert next(csv.reader(io.StringIO(out.getvalue()))) == ["'=cmd|\" /C calc\"!A0", "ok"]
