"""The demo loader: the source document's facts, generated data kept apart, idempotent."""

from __future__ import annotations

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from xiqia.accounts.models import User
from xiqia.core import personal
from xiqia.core.origin import Origin
from xiqia.directory.models import Organisation

# One load for the module (the demo_db fixture), on one worker under pytest-xdist.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]


def row_counts() -> dict[str, int]:
    return {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m._meta.app_label != "sessions"
    }


def load() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_demo_loader_twice_changes_nothing(demo_db: str) -> None:
    first = row_counts()
    snapshot = sorted(
        Organisation.objects.values_list("name_zh", "name_en", "region__code", "origin")
    )

    load()

    assert row_counts() == first  # history tables included: the second run wrote nothing
    assert (
        sorted(Organisation.objects.values_list("name_zh", "name_en", "region__code", "origin"))
        == snapshot
    )


def test_demo_loads_source_document_facts_as_facts(demo_db: str) -> None:

    facts = Organisation.objects.filter(origin=Origin.FACT)
    assert facts.get(name_zh="中铝萨帕").region.code == "500107"
    assert facts.get(name_zh="中车成都机车车辆有限公司").region.code == "510114"
    assert facts.get(name_zh="中通快递").parent.name_zh == "木耳航空物流园"
    assert facts.get(name_zh="OPPO").region.current_successor().code == "500157"
    assert facts.filter(kind="park", region__code="500112").count() == 9


def test_demo_generated_records_are_marked_and_synthetic(demo_db: str) -> None:

    generated = Organisation.objects.filter(origin=Origin.GENERATED)
    assert generated.count() == 18
    assert all(o.credit_code and o.name_en.startswith("Demo company") for o in generated)
    people = User.objects.exclude(id_number=None)
    assert people.count() == 24
    assert all(p.origin == Origin.GENERATED for p in people)
    # Obviously synthetic: birth date 1900-01-01 and a checksum that validates.
    assert all(p.id_number.reveal()[6:14] == "19000101" for p in people)
    assert all(personal.ric.is_valid(p.id_number.reveal()) for p in people)


def test_demo_prints_one_account_per_role(demo_db: str) -> None:
    output = demo_db

    for username in (
        "admin",
        "organiser",
        "yubei",
        "jiulongpo",
        "xindu",
        "oppo",
        "participant",
        "analyst",
    ):
        assert f"  {username} " in output
