"""The read-model world, built once per real store for every test module of this package."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from mend.bootstrap import Mend
from mend.config import Settings
from mend.platform import create_app
from tests.integration.reading.world import (
    UTC,
    Replica,
    World,
    at,
    build_world,
    new_settings,
    replica,
)


# ---------------------------------------------------------------------- stores
@pytest.fixture(scope="package", params=["sqlite", "postgres"])
def settings(request, tmp_path_factory, pg_databases) -> Settings:
    """The conftest's pair of real stores, once for the package: the world is costly."""
    return new_settings(request.param, tmp_path_factory, pg_databases)


@pytest.fixture(scope="package")
def world(settings, tmp_path_factory, pg_databases) -> Iterator[World]:
    app = create_app(settings)
    app.testing = True
    mend: Mend = app.extensions["mend"]
    try:
        yield build_world(
            app,
            mend,
            settings,
            lambda: new_settings(
                "sqlite" if settings.is_sqlite else "postgres", tmp_path_factory, pg_databases
            ),
        )
    finally:
        mend.close()


@pytest.fixture(scope="package")
def replicas(world) -> Iterator[dict[str, Replica]]:
    """ "as_of": only what had happened by each case's date; "known_at": only what the record
    held at each case's recorded instant."""
    cases = world.cases
    # each date is also the occurred_at of events of its case: they are in, the next are not
    happened_by = {
        cases["home"]: world.day(6),
        cases["maya"]: at(2025, 6, 4, 12),
        cases["ana_leo"]: at(2025, 6, 23, 20, 15),
    }
    known_by = {cases["home"]: world.home_known, cases["work"]: world.between}
    always = datetime.max.replace(tzinfo=UTC)
    built = {
        "as_of": replica(
            world, lambda e: e.occurred_at <= happened_by.get(e.originator_id, always)
        ),
        "known_at": replica(world, lambda e: e.timestamp <= known_by.get(e.originator_id, always)),
    }
    built["as_of"].dates, built["known_at"].dates = happened_by, known_by
    yield built
    for close in reversed(world.closers):
        close()
    world.closers.clear()
