"""A small client for Mend's HTTP API, used by the end-to-end tests against a real server."""

from __future__ import annotations

import time
from typing import Any

import requests


class ApiClient:
    def __init__(self, base_url: str, token: str | None = None):
        self.base_url = base_url.rstrip("/")
        self.http = requests.Session()
        self.token = token
        self.csrf: str | None = None
        #: Seconds to wait for an answer.
        self.timeout = 10
        #: The answer to POST /auth/login, for a client signed in as a browser.
        self.signed_in: dict | None = None

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        headers = dict(extra or {})
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if self.csrf:
            headers.setdefault("X-CSRF-Token", self.csrf)
        return headers

    def get(self, path: str, headers: dict | None = None, **params: Any) -> requests.Response:
        return self.http.get(self.base_url + path, params=params, headers=self._headers(headers),
                             timeout=self.timeout)

    def post(self, path: str, json: Any = None, headers: dict | None = None,
             data: Any = None) -> requests.Response:
        return self.http.post(self.base_url + path, json=json, data=data,
                              headers=self._headers(headers), timeout=self.timeout)

    def wait_for_projections(self, timeout: float = 120) -> dict:
        """Wait until /healthz says the projections have applied every stored event.

        A server is up once its web workers answer, but the projections process may still be
        starting (it waits its turn to create tables, a while on a busy PostgreSQL); until it
        follows the store, writes wait out their read-your-writes timeout and answer before
        the views show them.
        """
        deadline = time.monotonic() + timeout
        while True:
            lag = self.get("/healthz").json()["projections"]
            if lag["head"] > 0 and lag["events_behind"] == 0:
                return lag
            assert time.monotonic() < deadline, f"projections are not following: {lag}"
            time.sleep(0.2)

    # ---------------------------------------------------------------- journeys
    def sign_up(self, slug: str, email: str, password: str, name: str = "Owner",
                kind: str = "practice") -> dict:
        response = self.post("/api/v1/tenants", {
            "name": slug.title(), "slug": slug, "kind": kind,
            "owner": {"email": email, "password": password, "name": name},
        })
        assert response.status_code == 201, response.text
        return response.json()

    def as_token(self, email: str, password: str, tenant: str | None = None) -> ApiClient:
        response = self.post("/api/v1/auth/tokens",
                             {"email": email, "password": password, "tenant": tenant})
        assert response.status_code == 201, response.text
        return ApiClient(self.base_url, response.json()["token"])

    def as_browser(self, email: str, password: str) -> ApiClient:
        """A new client signed in like a browser: a session cookie, and the CSRF token that
        every state change must send back (X-CSRF-Token)."""
        browser = ApiClient(self.base_url)
        response = browser.post("/api/v1/auth/login", {"email": email, "password": password})
        assert response.status_code == 200, response.text
        browser.signed_in = response.json()
        browser.csrf = browser.signed_in["csrf_token"]
        return browser

    def invite_and_accept(self, email: str, name: str, role: str, password: str) -> str:
        invited = self.post("/api/v1/members", {"email": email, "name": name, "role": role})
        assert invited.status_code == 201, invited.text
        accepted = ApiClient(self.base_url).post(
            f"/api/v1/invitations/{invited.json()['token']}/accept", {"password": password}
        )
        assert accepted.status_code == 200, accepted.text
        return accepted.json()["account_id"]
