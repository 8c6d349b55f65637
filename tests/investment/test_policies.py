"""Who sees and edits which investment records (the policies in xiqia.investment.policies)."""

from __future__ import annotations

import pytest

from tests.investment.conftest import InvestmentWorld, make_event
from xiqia.accounts import access
from xiqia.accounts.access import Action
from xiqia.investment import services
from xiqia.investment.models import Cluster, Deal, Project


@pytest.fixture
def catalogue(inv: InvestmentWorld) -> dict[str, Project]:
    def project(title: str, region: object, published: bool) -> Project:
        return services.project_create(
            actor=None,
            region=region,
            title_zh=title,
            is_published=published,  # type: ignore[arg-type]
        )

    return {
        "public": project("公开项目", inv.liangjiang, True),
        "draft": project("渝北草稿", inv.liangjiang, False),
        "jiulongpo": project("九龙坡草稿", inv.jiulongpo, False),
    }


def visible_projects(inv: InvestmentWorld, role: str) -> set[str]:
    user = None if role == "anonymous" else inv.world.users[role]
    return set(access.scope(user, Project.objects.all()).values_list("title_zh", flat=True))


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", {"公开项目"}),
        ("participant", {"公开项目"}),
        ("yubei_officer", {"公开项目", "渝北草稿"}),
        ("liangjiang_officer", {"公开项目", "渝北草稿"}),
        ("jiulongpo_officer", {"公开项目", "九龙坡草稿"}),
        ("analyst", {"公开项目", "渝北草稿", "九龙坡草稿"}),
        ("admin", {"公开项目", "渝北草稿", "九龙坡草稿"}),
    ],
)
def test_project_visibility_by_role(
    inv: InvestmentWorld, catalogue: dict[str, Project], role: str, expected: set[str]
) -> None:
    assert visible_projects(inv, role) == expected


def test_project_change_only_in_the_officers_region(
    inv: InvestmentWorld, catalogue: dict[str, Project]
) -> None:
    users = inv.world.users
    assert access.allows(users["yubei_officer"], Action.CHANGE, catalogue["draft"])
    assert not access.allows(users["jiulongpo_officer"], Action.CHANGE, catalogue["draft"])
    assert not access.allows(users["analyst"], Action.CHANGE, catalogue["draft"])


def test_deal_visibility_public_sees_published_fair_results(inv: InvestmentWorld) -> None:
    hidden = make_event(inv.world, "闭门签约", 21, published=False)
    inv.deal(title_zh="公开签约")
    inv.deal(title_zh="闭门签约", event=hidden, signed_at=hidden.starts_at.date())
    inv.deal(title_zh="会外签约", event=None)
    inv.deal(title_zh="九龙坡签约", event=None, host_region=inv.jiulongpo, cluster=None)

    def seen(role: str) -> set[str]:
        user = None if role == "anonymous" else inv.world.users[role]
        return set(access.scope(user, Deal.objects.all()).values_list("title_zh", flat=True))

    assert seen("anonymous") == {"公开签约"}
    assert seen("yubei_officer") == {"公开签约", "闭门签约", "会外签约"}
    assert seen("jiulongpo_officer") == {"公开签约", "九龙坡签约"}
    assert seen("analyst") == {"公开签约", "闭门签约", "会外签约", "九龙坡签约"}


def test_deal_visibility_investor_members_see_their_organisation(inv: InvestmentWorld) -> None:
    inv.deal(title_zh="会外签约", event=None, investor=inv.world.yubei_org)
    member = inv.world.users["yubei_member"]
    assert list(access.scope(member, Deal.objects.all()).values_list("title_zh", flat=True)) == [
        "会外签约"
    ]


def test_cluster_is_public_and_edited_by_its_region(inv: InvestmentWorld) -> None:
    users = inv.world.users
    assert access.scope(None, Cluster.objects.all()).count() == 1
    assert access.allows(users["liangjiang_officer"], Action.CHANGE, inv.cluster)
    assert not access.allows(users["jiulongpo_officer"], Action.CHANGE, inv.cluster)
    assert access.can_create(users["jiulongpo_officer"], Cluster, Cluster(region=inv.jiulongpo))
    assert not access.can_create(users["jiulongpo_officer"], Cluster, Cluster(region=inv.yubei))
