"""Words of a text, for search and matching, in Chinese and English alike.

Chinese has no spaces: jieba segments it, in search mode, so a long compound yields its parts as
well (航空物流园 → 航空, 物流, 物流园, 航空物流园) and a query for 物流 finds it. English is
lower-cased and split on anything that is not a letter or digit. Stop words of both languages are
dropped. Everything runs offline: jieba's dictionary ships with the package.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from functools import lru_cache

import jieba

_LATIN = re.compile(r"[a-z0-9]+(?:[.'-][a-z0-9]+)*")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_lock = threading.Lock()

_STOP_WORDS = (
    # Chinese function words and the filler of project descriptions.
    "的 了 和 与 及 或 等 在 是 为 对 将 把 被 从 向 以 于 其 之 也 并 而 由 个 有 这 那 就 都 "
    "我们 你们 他们 我 你 他 她 它 本 该 各 每 一个 一 二 三 进行 通过 相关 主要 以及 "
    # English.
    "a an and are as at be by for from has have in into is it its of on or our that the their "
    "this to was were will with we you they"
)
STOP_WORDS = frozenset(_STOP_WORDS.split())


@lru_cache(maxsize=1)
def _tokenizer() -> jieba.Tokenizer:
    jieba.setLogLevel(logging.WARNING)  # it announces loading its dictionary on stderr
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def words(text: str | None) -> list[str]:
    """The words of ``text`` in order, with repeats: the input of TF, BM25 or a search index."""
    if not text:
        return []
    text = text.lower()
    result: list[str] = [w for w in _LATIN.findall(text) if w not in STOP_WORDS]
    tokenizer = _tokenizer()
    for run in _HAN.findall(text):
        with _lock:  # jieba's tokenizer is not safe to share between threads while it loads
            pieces = list(tokenizer.cut_for_search(run, HMM=False))
        result.extend(p for p in pieces if p.strip() and p not in STOP_WORDS)
    return result


def word_set(*texts: str | None) -> set[str]:
    """The distinct words of all ``texts`` together."""
    return {w for text in texts for w in words(text)}


def search_text(*texts: str | None) -> str:
    """The words of ``texts`` joined by spaces, to store beside a record for full-text search."""
    return " ".join(dict.fromkeys(w for text in texts for w in words(text)))


def query_words(query: str | None) -> list[str]:
    """The distinct words of a search box's input, in order."""
    return list(dict.fromkeys(words(query)))


def add_words(words_to_add: Iterable[str]) -> None:
    """Teach the segmenter domain words (cluster and park names) so they stay whole too."""
    tokenizer = _tokenizer()
    with _lock:
        for word in words_to_add:
            tokenizer.add_word(word)
