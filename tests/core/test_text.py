"""Words for search and matching: Chinese segmented by jieba, English lower-cased."""

from xiqia.core.text import query_words, search_text, word_set, words


def test_a_chinese_compound_yields_its_parts_so_a_short_query_finds_it() -> None:
    assert {"航空", "物流", "物流园"} <= set(words("重庆航空物流园"))
    assert set(query_words("物流")) <= set(search_text("重庆航空物流园项目").split())


def test_english_is_lower_cased_and_stop_words_are_dropped() -> None:
    assert words("The Intelligent Terminals of Chongqing") == [
        "intelligent",
        "terminals",
        "chongqing",
    ]
    assert "的" not in words("智能终端的产业集群")


def test_mixed_text_and_empty_input() -> None:
    assert word_set("OPPO 智能终端", None, "") >= {"oppo", "智能", "终端"}
    assert words(None) == [] and search_text("") == ""


def test_search_text_keeps_each_word_once_in_first_order() -> None:
    assert search_text("物流 物流 logistics Logistics") == "logistics 物流"
