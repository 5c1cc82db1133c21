"""Guessing passwords is limited per account and per address, with or without Redis."""

from __future__ import annotations

import dataclasses

import pytest

from mend.platform import create_app
from tests.conftest import REDIS_URL, RUN_ID
from tests.integration.conftest import PASSWORD, Auth

#: An address of this run's own: the limiter's counters outlive an app within the process
#: (one Limiter serves every app), so another test's guesses for a shared address count.
RUTH = f"ruth-{RUN_ID}@harbor.test"


@pytest.mark.parametrize("redis", ["up", "down"])
def test_the_sixth_wrong_password_within_a_minute_is_refused_even_the_right_one(
    sqlite_settings, redis_prefix, redis
):
    redis_url = REDIS_URL if redis == "up" else "redis://127.0.0.1:1/0"  # nothing listens
    settings = dataclasses.replace(sqlite_settings, redis_url=redis_url, redis_prefix=redis_prefix)
    app = create_app(settings)
    client = app.test_client()
    auth = Auth(client)
    auth.sign_up("harbor", RUTH)

    wrong = [client.post("/api/v1/auth/tokens", json={"email": RUTH,
                                                       "password": f"guess number {i}"})
             for i in range(5)]
    assert {r.status_code for r in wrong} == {401}
    blocked = client.post("/api/v1/auth/tokens",
                          json={"email": RUTH, "password": PASSWORD})
    assert blocked.status_code == 429
    assert blocked.mimetype == "application/problem+json"
    # Another account from the same address is not locked out by Ruth's guesses.
    auth.sign_up("willow", "wen@willow.test", name="Wen")
    assert client.post("/api/v1/auth/tokens", json={"email": "wen@willow.test",
                                                     "password": PASSWORD}).status_code == 201
    app.extensions["mend"].close()


def test_unknown_and_known_emails_are_refused_alike(sqlite_settings):
    app = create_app(sqlite_settings)
    client = app.test_client()
    Auth(client).sign_up("harbor", RUTH)
    known = client.post("/api/v1/auth/login", json={"email": RUTH,
                                                     "password": "not the password"})
    unknown = client.post("/api/v1/auth/login", json={"email": "nobody@harbor.test",
                                                       "password": "not the password"})
    assert known.status_code == unknown.status_code == 401
    assert known.json == unknown.json
    app.extensions["mend"].close()
