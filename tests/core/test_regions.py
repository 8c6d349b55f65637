"""Regions: GB/T 2260 codes with validity periods, successions and English names."""

from __future__ import annotations

import datetime

import pytest

from xiqia.core.models import Region
from xiqia.core.regions import RegionTable, infer_successors, parse_loc_dat, romanise, sync_regions

pytestmark = pytest.mark.django_db


def test_retired_region_resolves_to_successor_for_today() -> None:
    yubei = Region.objects.valid_in(2021).get(code="500112")

    today = yubei.current_successor()

    assert (today.code, today.name_zh, today.is_current) == ("500157", "两江新区", True)


def test_retired_region_keeps_its_name_in_history() -> None:
    yubei = Region.objects.get(code="500112")

    assert (yubei.name_zh, yubei.valid_from, yubei.valid_to) == ("渝北区", 1997, 2025)
    assert yubei.was_valid_on(datetime.date(2021, 5, 20))
    assert not yubei.was_valid_on(datetime.date(2026, 1, 1))
    assert not Region.objects.current().filter(code="500112").exists()


def test_region_recoded_by_name_is_linked() -> None:
    """Jiulongpo was 510213 under Sichuan until Chongqing became a municipality in 1997."""
    old = Region.objects.get(code="510213")

    assert old.current_successor().code == "500107"
    assert Region.objects.get(code="510125").current_successor().code == "510114"  # 新都县 → 新都区


def test_renamed_code_has_one_row_per_name() -> None:
    names = list(Region.objects.filter(code="500101").values_list("name_zh", "valid_to"))

    assert names == [("万县区", 1997), ("万州区", None)]


def test_current_region_is_its_own_successor() -> None:
    jiulongpo = Region.objects.current().get(code="500107")

    assert jiulongpo.current_successor() == jiulongpo


def test_valid_in_year_picks_the_period_in_force() -> None:
    assert Region.objects.valid_in(2021).filter(code="500157").count() == 0
    assert Region.objects.valid_in(2026).get(code="500157").name_zh == "两江新区"


def test_region_prefix_covers_its_subtree() -> None:
    chongqing = Region.objects.current().get(code="500000")
    chengdu = Region.objects.get(code="510100")

    assert (chongqing.prefix, chengdu.prefix) == ("50", "5101")


def test_sync_regions_is_idempotent() -> None:
    before = Region.objects.count()

    written = sync_regions(Region)

    assert written == 0
    assert Region.objects.count() == before


def test_parse_handles_inverted_and_open_periods() -> None:
    text = '21 province="辽宁省"\n  0311 county="[1983-1982]郊区,[1983-1995]旧堡区,[1996-]千山区"\n'

    table = parse_loc_dat(text)

    periods = [(r.name_zh, r.valid_from, r.valid_to) for r in table.records]
    assert periods == [("郊区", 1982, 1982), ("旧堡区", 1983, 1995), ("千山区", 1996, None)]


def test_infer_successors_prefers_curated_merge_over_name() -> None:
    table: RegionTable = parse_loc_dat(
        '50 province="重庆市"\n  0112 county="[1997-2025]渝北区"\n  0157 county="[2025-]两江新区"\n'
    )

    infer_successors(table, [("500112", 2025, "500157")])

    assert table.records[0].successor == ("500157", 2025)


@pytest.mark.parametrize(
    ("name", "level", "english"),
    [
        ("渝北区", "county", "Yubei District"),
        ("成都市", "prefecture", "Chengdu"),
        ("新都区", "county", "Xindu District"),
        ("西安市", "prefecture", "Xi'an"),
        ("两江新区", "county", "Liangjiang New Area"),
        ("四川省", "province", "Sichuan Province"),
        ("石柱土家族自治县", "county", "Shizhutujiazu Autonomous County"),
    ],
)
def test_romanise_gives_usual_english_forms(name: str, level: str, english: str) -> None:
    assert romanise(name, level) == english


def test_lineage_of_merged_region_holds_its_predecessors() -> None:
    yubei = Region.objects.valid_in(2021).get(code="500112")
    liangjiang = Region.objects.current().get(code="500157")

    codes = set(Region.objects.filter(pk__in=yubei.lineage_ids()).values_list("code", flat=True))

    # With their Sichuan codes before Chongqing became a municipality in 1997.
    assert codes == {"510211", "510218", "500105", "500112", "500157"}
    assert yubei.lineage_ids() == liangjiang.lineage_ids()


def test_lineage_of_unchanged_region_holds_no_neighbour_or_subtree() -> None:
    jiulongpo = Region.objects.current().get(code="500107")
    chongqing = Region.objects.current().get(code="500000")

    jiulongpo_codes = set(
        Region.objects.filter(pk__in=jiulongpo.lineage_ids()).values_list("code", flat=True)
    )

    assert jiulongpo_codes == {"500107", "510213"}  # re-coded from Sichuan in 1997
    assert chongqing.pk in chongqing.lineage_ids()
    assert not Region.objects.filter(pk__in=chongqing.lineage_ids(), code="500107").exists()
