"""Fixtures for investment: Yubei's cluster and park, two events of the 2021 test fair."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile
from django.utils import translation

from tests.conftest import World, make_org, region
from xiqia.core.models import Region
from xiqia.core.origin import Origin
from xiqia.core.uploads import minimal_pdf
from xiqia.fair.models import Event
from xiqia.investment import services
from xiqia.investment.models import Cluster, Deal, Park

SHANGHAI = ZoneInfo("Asia/Shanghai")
YI = Decimal(100_000_000)


@pytest.fixture(autouse=True)
def _english(settings: Any) -> Any:
    """These tests read messages in English, whatever the Chinese catalogue holds."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@dataclass
class InvestmentWorld:
    world: World
    yubei: Region  # 500112 as it was in 2021
    liangjiang: Region  # 500157, in force today, succeeded Yubei
    jiulongpo: Region
    cluster: Cluster
    park: Park
    opening: Event  # 20 May 2021
    promotion: Event  # 22 May 2021
    investor: Any
    other_investor: Any

    def deal(self, **extra: Any) -> Deal:
        values: dict[str, Any] = {
            "actor": None,
            "investor": self.investor,
            "host_region": self.yubei,
            "amount": 2 * YI,
            "kind": "contract",
            "signed_at": datetime.date(2021, 5, 20),
            "title_zh": "智能终端产业园",
            "event": self.opening,
            "cluster": self.cluster,
        }
        values.update(extra)
        return services.deal_record(**values)


# The first bytes of a file of each kind the uploads accept (core.uploads checks them).
# PDFs must also parse (a blank one-page PDF does); images are checked by their first bytes.
SIGNATURES = {"jpg": b"\xff\xd8\xff\xe0", "png": b"\x89PNG\r\n\x1a\n"}
PDF = minimal_pdf("evidence")


def evidence(name: str = "licence.pdf") -> ContentFile:
    extension = name.rsplit(".", 1)[-1]
    content = PDF if extension == "pdf" else SIGNATURES[extension] + b" evidence"
    return ContentFile(content, name=name)


def make_event(world: World, title: str, day: int, published: bool = True) -> Event:
    return Event.objects.create(
        fair=world.fair,
        kind="forum",
        title_zh=title,
        title_en=title,
        starts_at=datetime.datetime(2021, 5, day, 9, 0, tzinfo=SHANGHAI),
        ends_at=datetime.datetime(2021, 5, day, 12, 0, tzinfo=SHANGHAI),
        is_published=published,
    )


@pytest.fixture
def inv(world: World, settings: Any, tmp_path: Any) -> InvestmentWorld:
    settings.MEDIA_ROOT = str(tmp_path)
    yubei = region("500112")
    cluster = Cluster.objects.create(
        region=yubei,
        name_zh="智能终端产业集群",
        name_en="Intelligent terminals",
        target_amount=1000 * YI,
        target_year=2025,
        origin=Origin.FACT,
    )
    park = Park.objects.create(region=yubei, name_zh="空港工业园区", origin=Origin.FACT)
    park.clusters.add(cluster)
    return InvestmentWorld(
        world=world,
        yubei=yubei,
        liangjiang=Region.objects.current().get(code="500157"),
        jiulongpo=region("500107"),
        cluster=cluster,
        park=park,
        opening=make_event(world, "开幕式", 20),
        promotion=make_event(world, "推介会", 22),
        investor=make_org("测试投资集团", "500000", kind="investor"),
        other_investor=make_org("另一投资公司", "510114", kind="investor"),
    )
