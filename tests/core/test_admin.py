"""The back office has a working list and form for every table of ours."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin

from tests.conftest import World

OURS = [
    m
    for m in apps.get_models()
    if m.__module__.startswith("xiqia.") and not m.__name__.startswith("Historical")
]


def test_every_table_of_ours_is_in_the_admin() -> None:
    assert [m.__name__ for m in OURS if m not in admin.site._registry] == []


# Append-only logs: every change is a new row, so they keep no history table of their own.
LOGS = {"CheckIn", "Scan", "FairKey"}


def test_every_business_table_keeps_change_history() -> None:
    assert [m.__name__ for m in OURS if not hasattr(m, "history") and m.__name__ not in LOGS] == []


@pytest.mark.parametrize("model", OURS, ids=lambda m: m._meta.label)
def test_admin_list_and_change_pages_open(world: World, model) -> None:
    client = world.client_for("admin")
    info = (model._meta.app_label, model._meta.model_name)
    first = model.objects.order_by("pk").first()

    model_admin = admin.site._registry[model]
    assert client.get("/admin/{}/{}/".format(*info)).status_code == 200
    add_status = client.get("/admin/{}/{}/add/".format(*info)).status_code
    assert add_status == (200 if model_admin.has_add_permission(_request(world)) else 403)
    if first is not None:  # tables the world leaves empty still get their list and form checked
        assert client.get("/admin/{}/{}/{}/change/".format(*info, first.pk)).status_code == 200
        if hasattr(model, "history"):
            assert client.get("/admin/{}/{}/{}/history/".format(*info, first.pk)).status_code == 200


def _request(world: World):
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = world.users["admin"]
    return request


def test_admin_user_page_shows_phone_masked(world: World) -> None:
    from xiqia.accounts import services

    person = services.user_create(
        username="li", password="a-long-enough-password", phone="13912345678"
    )

    html = (
        world.client_for("admin").get(f"/admin/accounts/user/{person.pk}/change/").content.decode()
    )

    assert "139****5678" in html and "13912345678" not in html


def test_admin_refuses_organisation_in_retired_region_with_form_error(world: World) -> None:
    from xiqia.core.models import Region
    from xiqia.directory.models import Organisation

    yubei = Region.objects.get(code="500112")
    response = world.client_for("admin").post(
        "/admin/directory/organisation/add/",
        {"kind": "enterprise", "name_zh": "新企业", "region": yubei.pk},
    )

    assert response.status_code == 200  # the form again, with the error
    assert "已停用" in response.content.decode()
    assert not Organisation.objects.filter(name_zh="新企业").exists()
