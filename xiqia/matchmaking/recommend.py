"""Recommended counterparts: who should meet whom, and why. Plain data in and out (no Django).

A counterpart scores for, each weighted (``Weights``):

* **complementary needs**: they offer what you seek (the strongest signal), and they seek what
  you offer;
* **shared industries**;
* **regions**: their organisation lies in a region you are interested in, or the other way round;
* **text relevance**: BM25 of what you seek (your words, Chinese or English, segmented by jieba in
  ``xiqia.core.text.words``) against what they offer, and the reverse, each scaled to [0, 1] by
  the best score of that query;
* **learning from answers**: similarity (cosine over industries, tags, role and words) to the
  counterparts you accepted raises a candidate, to those you declined lowers it;
* **no common language** lowers a candidate.

Hidden people, people you already meet or have an open request with, and yourself are left out
by the caller (``exclude``). Each recommendation carries its reasons as data; the selector
turns them into translated sentences.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

__all__ = [
    "BM25",
    "Person",
    "Reason",
    "Recommendation",
    "Weights",
    "recommend",
    "tag_overlap",
]


@dataclass(frozen=True)
class Person:
    id: int
    role: str = ""
    industries: frozenset[int] = frozenset()
    offers: frozenset[str] = frozenset()
    seeks: frozenset[str] = frozenset()
    regions: tuple[str, ...] = ()  # region codes of interest (prefix match)
    home_region: str = ""  # the organisation's region code
    languages: frozenset[str] = frozenset()
    offer_words: tuple[str, ...] = ()
    seek_words: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reason:
    """Why: ``kind`` is one of industries, they_offer, they_seek, region (they are in a region
    you are interested in), region_back (the reverse), text (matching words), similar."""

    kind: str
    items: tuple = ()


@dataclass
class Recommendation:
    person_id: int
    score: float
    reasons: list[Reason] = field(default_factory=list)


@dataclass(frozen=True)
class Weights:
    they_offer: float = 3.0
    they_seek: float = 1.5
    industries: float = 1.5
    region: float = 0.75
    text: float = 2.5
    learned: float = 2.0
    no_language: float = 1.0


class BM25:
    """Okapi BM25 over tokenised documents, with an inverted index (idf never negative)."""

    def __init__(self, documents: Sequence[Sequence[str]], k1: float = 1.5, b: float = 0.75):
        self.k1, self.b = k1, b
        self.n = len(documents)
        self.lengths = [len(d) for d in documents]
        self.average = (sum(self.lengths) / self.n) if self.n else 1.0
        self.postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for index, document in enumerate(documents):
            for word, count in Counter(document).items():
                self.postings[word].append((index, count))
        self.idf = {
            word: math.log(1 + (self.n - len(p) + 0.5) / (len(p) + 0.5))
            for word, p in self.postings.items()
        }

    def scores(self, query: Iterable[str]) -> dict[int, float]:
        """Return the score of every document that shares a word with the query."""
        result: dict[int, float] = defaultdict(float)
        for word in set(query):
            for index, tf in self.postings.get(word, ()):
                norm = self.k1 * (1 - self.b + self.b * self.lengths[index] / (self.average or 1))
                result[index] += self.idf[word] * tf * (self.k1 + 1) / (tf + norm)
        return result

    def matching_words(self, query: Iterable[str], index: int, limit: int = 3) -> list[str]:
        """Return the query's words found in one document, for a reason shown to people.

        Longest first, leaving out single Chinese characters and the pieces of a word already
        chosen (jieba's search mode yields 摄像头 and also 摄像, 像头).
        """
        found = [
            w
            for w in set(query)
            if (len(w) > 1 or w.isascii())
            and any(i == index for i, _tf in self.postings.get(w, ()))
        ]
        chosen: list[str] = []
        for word in sorted(found, key=lambda w: (-len(w), -self.idf[w], w)):
            if not any(word in longer for longer in chosen):
                chosen.append(word)
        return chosen[:limit]


def _features(p: Person) -> Counter:
    feats: Counter = Counter()
    for i in p.industries:
        feats[f"i:{i}"] = 2
    for t in p.offers:
        feats[f"o:{t}"] = 1
    for t in p.seeks:
        feats[f"s:{t}"] = 1
    if p.role:
        feats[f"r:{p.role}"] = 1
    for w in set(p.offer_words):
        feats[f"w:{w}"] = 0.5
    return feats


def _cosine(a: Counter, b: Counter) -> float:
    if not a or not b:
        return 0.0
    dot = sum(v * b.get(k, 0) for k, v in a.items())
    if not dot:
        return 0.0
    return dot / math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))


def _in_regions(code: str, regions: Iterable[str]) -> bool:
    return bool(code) and any(code.startswith(_prefix(r)) for r in regions)


def _prefix(code: str) -> str:
    """The significant digits of a GB/T 2260 code (500000 → 50, 500100 → 5001)."""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def recommend(
    me: Person,
    people: Sequence[Person],
    *,
    exclude: Iterable[int] = (),
    accepted: Iterable[int] = (),
    declined: Iterable[int] = (),
    limit: int = 10,
    weights: Weights = Weights(),
    offer_index: BM25 | None = None,
) -> list[Recommendation]:
    """Rank ``people`` as counterparts for ``me``, best first, with reasons.

    ``accepted`` / ``declined``: ids of people ``me`` said yes / no to (learning).
    ``offer_index``: a BM25 over ``[p.offer_words for p in people]``, to share between calls.
    """
    skip = set(exclude) | {me.id}
    by_id = {p.id: p for p in people}
    if offer_index is None:
        offer_index = BM25([p.offer_words for p in people])
    forward = offer_index.scores(me.seek_words)  # what they offer vs what I seek
    best_forward = max(forward.values(), default=0.0)
    reverse_index = BM25([me.offer_words])
    good = [_features(by_id[i]) for i in accepted if i in by_id]
    bad = [_features(by_id[i]) for i in declined if i in by_id]
    skip |= set(accepted) | set(declined)
    results = []
    for index, them in enumerate(people):
        if them.id in skip:
            continue
        score = 0.0
        reasons: list[Reason] = []
        they_offer = sorted(me.seeks & them.offers)
        if they_offer:
            score += weights.they_offer * len(they_offer) / max(len(me.seeks), 1)
            reasons.append(Reason("they_offer", tuple(they_offer)))
        they_seek = sorted(them.seeks & me.offers)
        if they_seek:
            score += weights.they_seek * len(they_seek) / max(len(them.seeks), 1)
            reasons.append(Reason("they_seek", tuple(they_seek)))
        shared = sorted(me.industries & them.industries)
        if shared:
            score += weights.industries * min(1.0, 0.75 + 0.25 * (len(shared) - 1))
            reasons.append(Reason("industries", tuple(shared)))
        if _in_regions(them.home_region, me.regions):
            score += weights.region
            reasons.append(Reason("region", (them.home_region,)))
        elif _in_regions(me.home_region, them.regions):
            score += weights.region
            reasons.append(Reason("region_back", (me.home_region,)))
        text = 0.0
        if best_forward and index in forward:
            text += forward[index] / best_forward
            matched = offer_index.matching_words(me.seek_words, index)
            if matched:
                reasons.append(Reason("text", tuple(matched)))
        if them.seek_words and me.offer_words:
            back = reverse_index.scores(them.seek_words).get(0, 0.0)
            ceiling = sum(reverse_index.idf.get(w, 0.0) for w in set(them.seek_words)) or 1.0
            text += 0.5 * min(1.0, back / ceiling)
        score += weights.text * text
        if good or bad:
            feats = _features(them)
            like = max((_cosine(feats, g) for g in good), default=0.0)
            unlike = max((_cosine(feats, b) for b in bad), default=0.0)
            score += weights.learned * (like - unlike)
            if like >= 0.5 and like > unlike:
                reasons.append(Reason("similar"))
        if me.languages and them.languages and not (me.languages & them.languages):
            score -= weights.no_language
        if score > 0:
            results.append(Recommendation(them.id, score, reasons))
    results.sort(key=lambda r: (-r.score, r.person_id))
    return results[:limit]


def tag_overlap(
    me: Person, people: Sequence[Person], *, exclude: Iterable[int] = (), limit: int = 10
) -> list[Recommendation]:
    """The plain baseline: rank by the number of shared tags (industries, offers, seeks)."""
    skip = set(exclude) | {me.id}
    mine = {f"i:{i}" for i in me.industries} | set(me.offers) | set(me.seeks)
    results = []
    for them in people:
        if them.id in skip:
            continue
        theirs = {f"i:{i}" for i in them.industries} | set(them.offers) | set(them.seeks)
        shared = len(mine & theirs)
        if shared:
            results.append(Recommendation(them.id, float(shared)))
    results.sort(key=lambda r: (-r.score, r.person_id))
    return results[:limit]
