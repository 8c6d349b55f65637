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


# Tables that have no back-office page of their own, and why.
NO_ADMIN = {
    "investment.ProjectWord": "a search index rebuilt from the projects, never edited",
    "tourism.VoucherStock": "a campaign's stock left, in shares kept by the claim service",
}


def _inline_models() -> set[type]:
    return {
        inline.model
        for model_admin in admin.site._registry.values()
        for inline in getattr(model_admin, "inlines", [])
    }


def test_every_table_of_ours_is_in_the_admin() -> None:
    """Each table has its own page or is edited inline on its parent's."""
    reachable = set(admin.site._registry) | _inline_models()

    assert [
        m._meta.label for m in OURS if m not in reachable and m._meta.label not in NO_ADMIN
    ] == []


# Tables that keep no history table, and why. Append-only logs need none: every change is a
# new row. Rows with personal data keep none so that purging it purges every copy.
NO_HISTORY = {
    "tourism.VoucherStock": "a counter that every claim changes; the vouchers are the record",
    "fair.CheckIn": "append-only log",
    "fair.Scan": "append-only log",
    "fair.FairKey": "written once; its private half must have no second copy",
    "matchmaking.AvailabilityWindow": "part of a profile, replaced as a whole with it",
    "matchmaking.Hidden": "a person's own preference, added or removed, never edited",
    "matchmaking.SchedulePlan": "a computed snapshot; each run is a new row",
    "matchmaking.Notification": "append-only log",
    "investment.ProjectWord": "a search index rebuilt from the projects",
    "tourism.DiscountDecision": "append-only log",
    "tourism.Voucher": "holds ID numbers: a purge must leave no copy; its dates record its life",
    "tourism.IdempotencyKey": "a short-lived record of API calls",
    "tourism.LotteryEntry": "holds ID numbers: a purge must leave no copy; written once, then won",
    "tourism.PersonalDataAccess": "append-only audit log",
    "govservice.Case": "holds ID and phone numbers; its append-only transitions record its life",
    "govservice.CaseTransition": "append-only log",
    "govservice.CaseExtension": "append-only log of approved extensions",
    "govservice.Rating": "written once per case, never edited",
    "govservice.EnterpriseRequest": "holds a phone number: a purge must leave no copy",
    "govservice.RequestStep": "append-only log",
    "govservice.RequestReminder": "append-only log, one row per request and kind",
}


def test_every_business_table_keeps_change_history() -> None:
    assert [
        m._meta.label for m in OURS if not hasattr(m, "history") and m._meta.label not in NO_HISTORY
    ] == []


@pytest.mark.parametrize("model", OURS, ids=lambda m: m._meta.label)
def test_admin_list_and_change_pages_open(world: World, model) -> None:
    client = world.client_for("admin")
    info = (model._meta.app_label, model._meta.model_name)
    first = model.objects.order_by("pk").first()

    if model not in admin.site._registry:
        assert model in _inline_models() or model._meta.label in NO_ADMIN
        return
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
