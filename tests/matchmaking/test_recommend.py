"""Recommendations: the pure ranking (``recommend.py``) and the selector with reasons in words."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from tests.conftest import region
from tests.matchmaking.conftest import MatchWorld, user_of
from xiqia.core.text import words
from xiqia.directory.models import Industry
from xiqia.matchmaking import selectors, services
from xiqia.matchmaking.recommend import BM25, Person, recommend, tag_overlap


def person(pid: int, **extra: Any) -> Person:
    for key in ("offer_words", "seek_words"):
        if key in extra:
            extra[key] = tuple(words(extra[key]))
    for key in ("industries", "offers", "seeks", "languages"):
        if key in extra:
            extra[key] = frozenset(extra[key])
    return Person(id=pid, **extra)


def test_bm25_ranks_documents_sharing_rare_words() -> None:
    docs = [words("摄像头模组 供应"), words("手机 整机 制造"), words("手机 摄像头 镜头 模组")]
    index = BM25(docs)
    scores = index.scores(words("寻找 摄像头 模组 供应商"))
    assert set(scores) == {0, 2}
    assert scores[0] > scores[2]  # 供应 too, in a shorter document
    assert index.matching_words(words("摄像头 模组"), 2) == ["摄像头", "模组"]


def test_bm25_idf_is_never_negative() -> None:
    index = BM25([["a"], ["a"], ["a", "b"]])
    assert min(index.idf.values()) > 0


def test_recommend_prefers_complement_over_competitor() -> None:
    maker = person(1, industries={7}, offers={"manufacturing"}, seeks={"components"})
    competitor = person(2, industries={7}, offers={"manufacturing"}, seeks={"components"})
    supplier = person(3, industries={7}, offers={"components"}, seeks={"market"})
    ranked = recommend(maker, [maker, competitor, supplier])
    assert [r.person_id for r in ranked] == [3, 2]
    assert [r.kind for r in ranked[0].reasons] == ["they_offer", "industries"]
    baseline = tag_overlap(maker, [maker, competitor, supplier])
    assert [r.person_id for r in baseline] == [2, 3]


def test_recommend_uses_chinese_text() -> None:
    me = person(1, seeks={"components"}, seek_words="寻找 锂电池 电芯 供应商")
    battery = person(2, offers={"components"}, offer_words="动力锂电池 电芯 生产")
    screens = person(3, offers={"components"}, offer_words="显示屏 面板 生产")
    ranked = recommend(me, [me, battery, screens])
    assert ranked[0].person_id == 2
    text = [r for r in ranked[0].reasons if r.kind == "text"]
    assert text[0].items == ("锂电池",)


def test_recommend_leaves_out_excluded_and_self() -> None:
    me = person(1, seeks={"capital"})
    others = [person(i, offers={"capital"}) for i in (2, 3, 4)]
    ranked = recommend(me, [me, *others], exclude={3})
    assert [r.person_id for r in ranked] == [2, 4]


def test_recommend_learns_from_declined() -> None:
    me = person(1, seeks={"capital"}, industries={5})
    fund_a = person(2, offers={"capital"}, industries={5}, role="investor")
    fund_b = person(3, offers={"capital"}, industries={5}, role="investor")
    bank = person(4, offers={"capital"}, industries={6}, role="service")
    before = [r.person_id for r in recommend(me, [me, fund_a, fund_b, bank])]
    after = [r.person_id for r in recommend(me, [me, fund_a, fund_b, bank], declined={2})]
    assert before == [2, 3, 4]
    assert after == [4, 3]


def test_recommend_learns_from_accepted() -> None:
    me = person(1, seeks={"capital"})
    liked = person(2, offers={"capital"}, industries={5}, role="investor")
    similar = person(3, offers={"capital"}, industries={5}, role="investor")
    other = person(4, offers={"capital"}, industries={6}, role="service")
    ranked = recommend(me, [me, liked, other, similar], accepted={2})
    assert [r.person_id for r in ranked] == [3, 4]
    assert ranked[0].reasons[-1].kind == "similar"


def test_recommend_demotes_no_common_language() -> None:
    me = person(1, seeks={"capital"}, languages={"zh"})
    english = person(2, offers={"capital"}, languages={"en"})
    chinese = person(3, offers={"capital"}, languages={"zh", "en"})
    assert [r.person_id for r in recommend(me, [me, english, chinese])] == [3, 2]


# The selector -----------------------------------------------------------------------------------


@pytest.fixture
def terminals(db: Any) -> Industry:
    return Industry.objects.create(
        code="YB-IT", name_zh="智能终端", name_en="intelligent terminals"
    )


def test_recommendations_explain_in_words(mw: MatchWorld, terminals: Industry) -> None:
    maker = mw.person(
        "maker",
        industries=[terminals],
        offers=["manufacturing"],
        seeks=["components"],
        seeks_text="寻找 摄像头模组 供应商",
        regions=[region("500112")],
    )
    supplier = mw.person(
        "supplier",
        industries=[terminals],
        offers=["components"],
        offers_text="摄像头模组 镜头 生产",
    )
    with translation.override("en"):
        found = selectors.recommendations(maker)
    assert [s.profile for s in found] == [supplier]
    assert found[0].reasons[:2] == [
        "You seek component supply; they offer it.",
        "Both in intelligent terminals.",
    ]
    assert found[0].reasons[2].startswith("What they offer matches what you seek: ")
    with translation.override("zh-hans"):
        chinese = selectors.recommendations(maker)
    assert "智能终端" in chinese[0].reasons[1]


def test_recommendations_leave_out_hidden_both_ways(mw: MatchWorld) -> None:
    me = mw.person("me", seeks=["capital"])
    hidden_by_me, hides_me, shown = (
        mw.person(name, offers=["capital"]) for name in ("aa", "bb", "cc")
    )
    services.hide(profile=me, hidden=hidden_by_me, actor=user_of(me))
    services.hide(profile=hides_me, hidden=me, actor=user_of(hides_me))
    assert [s.profile for s in selectors.recommendations(me)] == [shown]


def test_recommendations_leave_out_open_requests_and_meetings(mw: MatchWorld) -> None:
    me = mw.person("me", seeks=["capital"])
    asked, met, fresh = (mw.person(name, offers=["capital"]) for name in ("aa", "bb", "cc"))
    services.request_send(sender=me, recipient=asked, actor=user_of(me))
    request = services.request_send(sender=met, recipient=me, actor=user_of(met))
    services.request_accept(request=request, actor=user_of(me))
    assert [s.profile for s in selectors.recommendations(me)] == [fresh]


def test_recommendations_learn_from_declined_requests(mw: MatchWorld, terminals: Industry) -> None:
    me = mw.person("me", seeks=["capital"])
    pushy = mw.person("pushy", offers=["capital"], industries=[terminals], role="investor")
    alike = mw.person("alike", offers=["capital"], industries=[terminals], role="investor")
    bank = mw.person("bank", offers=["capital"], role="service")
    assert selectors.recommendations(me)[0].profile in (alike, pushy)
    request = services.request_send(sender=pushy, recipient=me, actor=user_of(pushy))
    services.request_decline(request=request, actor=user_of(me))
    assert [s.profile for s in selectors.recommendations(me)] == [bank, alike]


def test_recommendations_leave_out_invisible(mw: MatchWorld) -> None:
    me = mw.person("me", seeks=["capital"])
    mw.person("shy", offers=["capital"], is_visible=False)
    assert selectors.recommendations(me) == []
