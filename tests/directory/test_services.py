"""Directory writes: the rules live in the services, whoever calls them."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.conftest import World, region
from xiqia.directory import services
from xiqia.directory.models import Organisation


def test_organisation_create_records_who_in_history(world: World) -> None:
    officer = world.users["jiulongpo_officer"]

    org = services.organisation_create(
        actor=officer, kind="enterprise", name_zh="西南铝配套企业", region=region("500107")
    )

    record = org.history.get()
    assert (record.history_type, record.history_user) == ("+", officer)


def test_organisation_update_keeps_a_history_of_changes(world: World) -> None:
    officer = world.users["yubei_officer"]

    services.organisation_update(actor=officer, organisation=world.yubei_org, name_en="Renamed Co.")

    latest, first = world.yubei_org.history.order_by("-history_date")[:2]
    assert (first.name_en, latest.name_en, latest.history_user) == (
        "渝北测试企业",
        "Renamed Co.",
        officer,
    )
    assert latest.diff_against(first).changed_fields == ["name_en"]


def test_officer_cannot_create_outside_region(world: World) -> None:
    with pytest.raises(PermissionDenied):
        services.organisation_create(
            actor=world.users["yubei_officer"],
            kind="enterprise",
            name_zh="越界企业",
            region=region("510114"),
        )
    assert not Organisation.objects.filter(name_zh="越界企业").exists()


def test_officer_cannot_move_organisation_out_of_region(world: World) -> None:
    with pytest.raises(PermissionDenied):
        services.organisation_update(
            actor=world.users["jiulongpo_officer"],
            organisation=world.jiulongpo_org,
            region=region("510114"),
        )
    world.jiulongpo_org.refresh_from_db()
    assert world.jiulongpo_org.region.code == "500107"


def test_new_entry_in_retired_region_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as refusal:
        services.organisation_create(
            actor=None, kind="enterprise", name_zh="新企业", region=region("500112")
        )

    assert "region" in refusal.value.message_dict


def test_invalid_credit_code_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as refusal:
        services.organisation_create(
            actor=None,
            kind="enterprise",
            name_zh="某企业",
            region=region("500107"),
            credit_code="91500107MA5U000000",
        )

    assert "credit_code" in refusal.value.message_dict


def test_valid_credit_code_is_accepted_once(world: World) -> None:
    code = "91110000600037341L"  # public example from python-stdnum's documentation
    services.organisation_create(
        actor=None, kind="enterprise", name_zh="甲", region=region("500107"), credit_code=code
    )

    with pytest.raises(ValidationError):
        services.organisation_create(
            actor=None, kind="enterprise", name_zh="乙", region=region("500107"), credit_code=code
        )


def test_parent_cycle_is_refused(world: World) -> None:
    child = services.organisation_create(
        actor=None,
        kind="enterprise",
        name_zh="子公司",
        region=region("500107"),
        parent=world.jiulongpo_org,
    )

    with pytest.raises(ValidationError) as refusal:
        services.organisation_update(actor=None, organisation=world.jiulongpo_org, parent=child)

    assert "parent" in refusal.value.message_dict


def test_officer_of_retired_region_creates_in_its_successor(world: World) -> None:
    from xiqia.core.models import Region

    liangjiang = Region.objects.current().get(code="500157")

    org = services.organisation_create(
        actor=world.users["yubei_officer"],
        kind="enterprise",
        name_zh="两江新企业",
        region=liangjiang,
    )

    assert org.region.code == "500157"
    with pytest.raises(PermissionDenied):
        services.organisation_create(
            actor=world.users["yubei_officer"],
            kind="enterprise",
            name_zh="越界",
            region=region("500107"),
        )
