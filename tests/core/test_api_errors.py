"""One error format for the whole API, in the request's language."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tests.conftest import World


def error(response) -> dict:
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"status", "code", "message", "fields"}
    assert body["error"]["status"] == response.status_code
    return body["error"]


def test_api_unauthenticated_write_answers_401_in_chinese_by_default(world: World) -> None:
    response = Client().post("/api/v1/organisations/", {}, content_type="application/json")

    body = error(response)
    assert response.status_code == 401
    assert body["code"] == "not_authenticated"
    assert body["message"] == "身份认证信息未提供。"


def test_api_error_follows_accept_language(world: World) -> None:
    response = Client().post(
        "/api/v1/organisations/", {}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert error(response)["message"] == "Authentication credentials were not provided."


def test_api_invalid_input_lists_fields_and_saves_nothing(world: World) -> None:
    from xiqia.directory.models import Organisation

    before = Organisation.objects.count()
    response = world.client_for("admin").post(
        "/api/v1/organisations/",
        json.dumps({"kind": "castle", "name_zh": "", "region": "500112"}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    body = error(response)
    assert response.status_code == 400
    assert body["code"] == "invalid"
    assert set(body["fields"]) == {
        "kind",
        "name_zh",
        "region",
    }  # 500112 is retired: not a current code
    assert Organisation.objects.count() == before


def test_api_invalid_credit_code_is_refused_by_the_service(world: World) -> None:
    response = world.client_for("admin").post(
        "/api/v1/organisations/",
        json.dumps(
            {
                "kind": "enterprise",
                "name_zh": "某企业",
                "region": "500107",
                "credit_code": "91500107MA5U000000",
            }
        ),
        content_type="application/json",
    )

    body = error(response)
    assert response.status_code == 400
    assert "credit_code" in body["fields"]
    assert "统一社会信用代码" in body["fields"]["credit_code"][0]


def test_api_forbidden_and_not_found_use_the_format(world: World) -> None:
    client = world.client_for("analyst")

    forbidden = client.patch(
        f"/api/v1/organisations/{world.yubei_org.pk}/", "{}", content_type="application/json"
    )
    missing = client.get("/api/v1/organisations/999999/")

    assert (forbidden.status_code, error(forbidden)["code"]) == (403, "permission_denied")
    assert (missing.status_code, error(missing)["code"]) == (404, "not_found")


@pytest.mark.django_db
def test_api_unknown_path_answers_json_404(settings) -> None:
    settings.DEBUG = False

    response = Client().get("/api/v1/no-such-thing/")

    assert response.status_code == 404
    assert error(response)["code"] == "not_found"


@pytest.mark.django_db
def test_openapi_schema_describes_the_endpoints() -> None:
    response = Client().get("/api/schema/", HTTP_ACCEPT="application/json")

    schema = json.loads(response.content)
    assert response.status_code == 200
    assert {"/api/v1/organisations/", "/api/v1/regions/", "/api/v1/people/", "/api/v1/me/"} <= set(
        schema["paths"]
    )


@pytest.mark.django_db
def test_api_docs_page_is_served_locally() -> None:
    html = Client().get("/api/docs/").content.decode()

    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower()
