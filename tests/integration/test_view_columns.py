"""A view made before a column existed gains it when opened, and its figures are redone."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from mend.bootstrap import build_casebook
from mend.domain import commands as cmd
from mend.domain.store import MendStore
from mend.projections.freshness import refresh_stale_metrics
from mend.projections.runner import ProjectionRunner
from mend.projections.tables import ADDED_COLUMNS, TABLES, names
from tests.integration.conftest import make_practice


def test_a_generation_without_the_added_columns_gains_them_and_recomputes(settings):
    view = build_casebook(settings)
    store = MendStore(env=settings.store_env())
    try:
        generation = view.current_generation()
        prefix = names(generation)
        # Make the cases table as it was before the added columns.
        view._run([(f"DROP TABLE {prefix}cases", {})])
        old = next(s for s in TABLES if "{p}cases (" in s)
        for _, column, declaration in ADDED_COLUMNS:
            old = old.replace(f",\n        {column} {declaration}", "")
        view._run([(old.format(p=prefix), {})])
        assert not {c for _, c, _ in ADDED_COLUMNS} & view._columns(prefix + "cases")

        practice = make_practice(store, slug="columns", clients=1)
        opened = datetime.now(timezone.utc) - timedelta(days=40)
        case_id = practice.casework.open_case(
            practice.owner, kind="couple", title="Older view", approach="self_guided",
            breach_category="dishonesty", breach_summary="Hid it.", occurred_at=opened,
        ).originator_id
        casework, owner = practice.casework, practice.owner
        client_id = practice.clients[0].account_id
        casework.record(owner, case_id, cmd.AddParticipant(account_id=client_id))
        for day, trust in ((35, 3), (33, 3), (31, 3), (10, 7), (5, 8)):
            casework.record(owner, case_id, cmd.RecordCheckIn(
                participant_id=client_id, trust=trust, emotional_safety=5,
                communication_ease=5, conflicts=0,
                occurred_at=datetime.now(timezone.utc) - timedelta(days=day)))
        casework.record(owner, case_id, cmd.RaiseRedFlag(code="abuse_history"))

        view.create_generation(generation)  # as every process does when it opens the view
        assert {c for _, c, _ in ADDED_COLUMNS} <= view._columns(prefix + "cases")
        ProjectionRunner(store, view).catch_up()
        refresh_stale_metrics(view, generation)
        [row] = view.caseload(owner, now=datetime.now(timezone.utc))
        assert row.risk == "high" and row.risk_reasons == ("safety_red_flag:abuse_history",)
        assert row.trust_change == 4.5  # 7.5 now against 3.0 as of 28 days ago
        view.create_generation(generation)  # opening it again changes nothing
    finally:
        store.close()
        view.datastore.close()
