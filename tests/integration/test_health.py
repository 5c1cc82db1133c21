"""/healthz tells an operator when the read models have fallen behind the store."""

from __future__ import annotations

from dataclasses import replace

from mend.platform import create_app, health


def test_health_turns_degraded_while_the_projections_lag_and_ok_once_they_catch_up(
        settings, monkeypatch):
    app = create_app(replace(settings, projections="external"))  # no runner in this process
    try:
        client = app.test_client()
        assert client.post("/api/v1/tenants", json={
            "name": "Harbor", "slug": "harbor", "kind": "practice",
            "owner": {"email": "ruth@harbor.test", "password": "a long harbor passphrase",
                      "name": "Ruth"},
        }).status_code == 201
        monkeypatch.setattr(health, "PROJECTIONS_STALE_SECONDS", 0.0)
        lagging = client.get("/healthz")
        assert lagging.status_code == 200
        assert lagging.json["status"] == "degraded"
        assert lagging.json["projections"]["events_behind"] > 0

        app.extensions["mend"].runner.catch_up()
        caught_up = client.get("/healthz").json
        assert caught_up["status"] == "ok"
        assert caught_up["projections"]["events_behind"] == 0
    finally:
        app.extensions["mend"].close()
