"""The API answers as its OpenAPI document says, whatever it is sent: schemathesis against
/api/v1/openapi.json on the real server (gunicorn over PostgreSQL, tests/e2e/conftest.py).

Every operation of the document is called with inputs generated from its schemas, with a
tenant owner's bearer token (the document's `bearer` security scheme), in three plans:

* valid inputs with generated ids (the ids mostly name nothing: 404s, 422s),
* valid inputs with real ids (a case of the right kind, its boundary and red flag, a member,
  a token, an invitation), so the commands reach the domain's own rules,
* invalid inputs (wrong types, missing or unknown fields, out-of-range values).

Each answer is checked: no 5xx; the status is one the operation documents; the body has the
documented media type and conforms to the documented schema, headers too; invalid input is
refused with a 4xx; and an operation that documents the bearer scheme refuses a request
without it or with a wrong one. Set MEND_FUZZ_SEED to replay a run (it is printed).
"""

from __future__ import annotations

import os
import random
import time
from collections import Counter
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance, ignored_auth, negative_data_rejection,
    response_headers_conformance, response_schema_conformance, status_code_conformance,
)

from tests.e2e.api_client import ApiClient

PASSWORD = "a long fuzzing passphrase"
#: Examples per operation in each plan (at most: an operation with few inputs has fewer):
#: near three thousand in all (and the auth probes' requests on top), which two cores answer
#: in under two minutes.
PLANS = (
    ("valid, generated ids", GenerationMode.POSITIVE, False, 20),
    ("valid, real ids", GenerationMode.POSITIVE, True, 32),
    ("invalid", GenerationMode.NEGATIVE, False, 20),
)
#: Past this, the remaining plans are cut short rather than the suite running long.
BUDGET_SECONDS = 130
CHECKS = [
    not_a_server_error, status_code_conformance, content_type_conformance,
    response_headers_conformance, response_schema_conformance,
]
NEGATIVE_CHECKS = [*CHECKS, negative_data_rejection]
#: The bearer token is ours to send, not generated; and a query may carry parameters the
#: operation does not name (they are ignored, as is usual for a query), while a body may not.
CONFIG = """
[generation]
with-security-parameters = false

[[operations]]
include-method = "GET"
generation.allow-extra-parameters = false
"""
WORKPLACE_ONLY = ("/progress", "/program-steps", "/pulses")


@pytest.fixture(scope="module")
def owner(server) -> dict[str, Any]:
    """A tenant with people and cases to aim at; its owner's token authenticates the fuzzing."""
    anonymous = ApiClient(server)
    anonymous.sign_up("fuzz", "fay@fuzz.test", PASSWORD, "Fay")
    fay = anonymous.as_token("fay@fuzz.test", PASSWORD)
    client_id = fay.invite_and_accept("cleo@fuzz.test", "Cleo", "client", "cleo's passphrase")
    other_id = fay.invite_and_accept("cory@fuzz.test", "Cory", "client", "cory's passphrase")
    practitioner_id = fay.invite_and_accept("pim@fuzz.test", "Pim", "practitioner",
                                            "pim's own passphrase")
    cases = {}
    for kind in ("couple", "workplace"):
        opened = fay.post("/api/v1/cases", {
            "kind": kind, "title": f"Fuzz {kind}", "approach": "therapy_guided",
            "breach": {"category": "dishonesty", "summary": "Generated on purpose."}})
        assert opened.status_code == 201, opened.text
        case_id = cases[kind] = opened.json()["case_id"]
        for account_id in (client_id, other_id):
            assert fay.post(f"/api/v1/cases/{case_id}/participants",
                            {"account_id": account_id}).status_code == 201
        assert fay.post(f"/api/v1/cases/{case_id}/practitioners",
                        {"account_id": practitioner_id}).status_code == 201
    main = cases["couple"]
    boundary = fay.post(f"/api/v1/cases/{main}/boundaries", {"text": "No phones at dinner."})
    flag = fay.post(f"/api/v1/cases/{main}/red-flags", {"code": "gaslighting"})
    spare = anonymous.post("/api/v1/auth/tokens", {"email": "fay@fuzz.test",
                                                   "password": PASSWORD}).json()
    member_id = fay.invite_and_accept("mo@fuzz.test", "Mo", "client", "mo's own passphrase")
    invitation = fay.post("/api/v1/members", {"email": "ivy@fuzz.test", "name": "Ivy",
                                              "role": "client"}).json()
    return {
        "token": fay.token, "cases": cases, "client_id": client_id,
        "practitioner_id": practitioner_id, "boundary_id": boundary.json()["boundary_id"],
        "flag_id": flag.json()["flag_id"], "token_id": spare["token_id"],
        "member_id": member_id, "invitation": invitation["token"],
    }


def real_ids(path: str, owner: dict[str, Any]) -> dict[str, str]:
    """Real values for the path parameters of one operation."""
    values = {
        "case_id": owner["cases"]["workplace" if path.endswith(WORKPLACE_ONLY) else "couple"],
        "boundary_id": owner["boundary_id"], "flag_id": owner["flag_id"],
        "token_id": owner["token_id"], "token": owner["invitation"],
        "account_id": (owner["member_id"] if path.startswith("/api/v1/members/")
                       else owner["practitioner_id"] if "/practitioners/" in path
                       else owner["client_id"]),
    }
    return {name: values[name] for name in values if "{" + name + "}" in path}


def has_inputs(operation) -> bool:
    return any(True for _ in operation.iter_parameters()) or (
        "requestBody" in operation.definition.raw)


def fuzzer(strategy, max_examples: int, run_seed: int, call) -> Any:
    """A Hypothesis test calling `call` on each case `strategy` generates."""

    @seed(run_seed)
    @settings(max_examples=max_examples, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate, Phase.shrink],
              suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def fuzz(case):
        call(case)

    return fuzz


def test_every_operation_answers_as_documented_whatever_it_is_sent(server, owner, monkeypatch):
    schema = schemathesis.openapi.from_url(f"{server}/api/v1/openapi.json",
                                           config=schemathesis.Config.from_str(CONFIG))
    assert "bearer" in schema.raw_schema["components"]["securitySchemes"]
    run_seed = int(os.environ.get("MEND_FUZZ_SEED") or random.randrange(2**32))
    headers = {"Authorization": f"Bearer {owner['token']}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    statuses: Counter[int] = Counter()  # of every request sent, the auth probes' too
    examples: Counter[str] = Counter()
    refused_by_gunicorn = 0
    send = requests.Session.send

    def counted(self, request, **kwargs):
        response = send(self, request, **kwargs)
        statuses.update([response.status_code])
        return response

    monkeypatch.setattr(requests.Session, "send", counted)
    failures: list[str] = []
    started = time.monotonic()

    for name, mode, with_real_ids, max_examples in PLANS:
        for operation in operations:
            if time.monotonic() - started > BUDGET_SECONDS:
                break
            fixed = real_ids(operation.path, owner) if with_real_ids else None
            if with_real_ids and not fixed:
                continue  # nothing to aim at: the first plan covers it
            if mode is GenerationMode.NEGATIVE and not has_inputs(operation):
                continue  # nothing to get wrong
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=fixed)
            checks = NEGATIVE_CHECKS if mode is GenerationMode.NEGATIVE else CHECKS
            if operation.definition.raw.get("security") != []:
                checks = [*checks, ignored_auth]  # documented as needing the bearer token

            def exchange(case, checks=checks, name=name):
                nonlocal refused_by_gunicorn
                examples[name] += 1
                response = case.call(base_url=server, headers=headers, timeout=15)
                content_type = str(response.headers.get("content-type"))
                if response.status_code == 414 and "html" in content_type:
                    # gunicorn's own answer to a request line over its limit (4094 bytes):
                    # the request never reached the app, whose answers are what is documented
                    refused_by_gunicorn += 1
                    return
                case.validate_response(response, checks=checks, headers=headers,
                                       transport_kwargs={"base_url": server,
                                                         "headers": headers, "timeout": 15})

            fuzz = fuzzer(strategy, max_examples, run_seed, exchange)
            try:
                fuzz()
            except (Exception, BaseExceptionGroup) as failure:  # every operation's, together
                failures.append(f"{operation.label} ({name}):\n{failure}")

    elapsed = time.monotonic() - started
    print(f"\nschemathesis (seed {run_seed}): {sum(examples.values())} examples, "
          f"{sum(statuses.values())} requests ({refused_by_gunicorn} refused by gunicorn as "
          f"too long), over {len(operations)} operations in "
          f"{elapsed:.0f}s; examples by plan {dict(examples)}; "
          f"statuses {dict(sorted(statuses.items()))}")
    assert not failures, "\n\n".join(failures)
    assert sum(examples.values()) >= 1500, "too few examples to matter"
    assert not any(status >= 500 for status in statuses)
