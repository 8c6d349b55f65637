"""The API keeps the promises its OpenAPI schema makes, for every operation and every account.

Schemathesis reads the schema from the app itself (``/api/schema/`` through the WSGI handler),
generates requests for every operation from it, valid ones and invalid ones, sends them as an
anonymous caller and with the API token of each demo account (one account per role), and checks
each answer: no server error, a documented status code and content type, and a body that
matches the documented schema. The test world gives the requests real objects to hit: path ids are
drawn from the objects
of each operation's model as well as from the whole range.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

# One demo account per role (load_demo prints them), and no account at all.
from tests.conftest import ROLES, World

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Examples per operation and account, valid and invalid input mixed: few enough for CI (the
# module runs in well under three minutes on two cores), derandomized so that a run repeats.
EXAMPLES = 6
# Path parameters that are not the object's key: a fixed, real value.
FIXED = {"name": "approve"}

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def api_schema(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Any]:
    from xiqia.wsgi import application

    # As Django's test client does: a request must not close the test transaction's connection.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        with django_db_blocker.unblock():
            yield schemathesis.openapi.from_wsgi("/api/schema/", application)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def token_headers(world: World, role: str) -> dict[str, str]:
    if role == "anonymous":
        return {}
    key = Token.objects.get_or_create(user=world.users[role])[0].key
    return {"Authorization": f"Token {key}"}


def real_ids(operation: Any) -> list[Any]:
    """A few primary keys of the objects the operation's view works on (none if unknown)."""
    from django.urls import Resolver404, resolve

    try:
        view = resolve(
            operation.path.replace("{id}", "1").replace("{slug}", "x").replace("{code}", "x")
        ).func
    except Resolver404:
        return []
    cls = getattr(view, "cls", None)
    meta = getattr(getattr(cls, "serializer_class", None), "Meta", None)
    model = getattr(meta, "model", None) or getattr(getattr(cls, "queryset", None), "model", None)
    if model is None:
        return []
    field = next((f for f in ("slug", "code") if f"{{{f}}}" in operation.path), "pk")
    return list(model._default_manager.order_by("-pk").values_list(field, flat=True)[:4])


def strategies(operation: Any) -> st.SearchStrategy[Any]:
    """Cases for an operation: parameters from the whole range, and on real objects."""
    options = [
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    ]
    names = [p.name for p in operation.path_parameters]
    for value in real_ids(operation) if names else []:
        fixed = {n: FIXED.get(n, value) for n in names}
        options.append(operation.as_strategy(path_parameters=fixed))
    return st.one_of(options)


def run_operation(operation: Any, headers: dict[str, str]) -> list[str]:
    failures: list[str] = []

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategies(operation))
    def check(case: Any) -> None:
        try:
            case.call_and_validate(headers=headers, checks=CHECKS)
        except (
            Exception,
            FailureGroup,
        ) as exc:  # collected: every operation's failures are reported together
            failures.append(f"{operation.label}: {type(exc).__name__}: {exc}"[:2000])

    check()
    return failures


@pytest.mark.parametrize("role", ROLES)
def test_api_answers_as_its_schema_says(api_schema: Any, world: World, role: str) -> None:
    headers = token_headers(world, role)
    failures: list[str] = []
    for result in api_schema.get_all_operations():
        failures.extend(run_operation(result.ok(), headers))

    assert failures == [], "\n\n".join(failures)


def operation(schema: Any, method: str, path: str) -> Any:
    return schema[path][method]


def test_api_schema_check_fails_on_a_broken_serializer(
    api_schema: Any, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xiqia.directory import api

    # A serializer that answers a number where the schema promises a string.
    original = api.IndustryOutput.to_representation
    monkeypatch.setattr(
        api.IndustryOutput,
        "to_representation",
        lambda self, obj: {**original(self, obj), "code": 39},
    )

    failures = run_operation(
        operation(api_schema, "GET", "/api/v1/industries/{id}/"), token_headers(world, "admin")
    )

    assert failures
    assert all(
        "/api/v1/industries/{id}/" in f and "Response violates schema" in f for f in failures
    )
