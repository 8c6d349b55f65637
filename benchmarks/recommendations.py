"""Recommendation quality on generated fairs with known good matches: precision@10, recall@10.

The generated fair: industry clusters, each with sub-topics that have their own vocabulary
(Chinese, or English for a quarter of the people). In every sub-topic there are makers (seek
component supply, their words name the parts they need), suppliers (offer those parts),
investors (offer capital, seek projects, name the sub-topic they fund) and project owners or
promotion offices (offer projects, land, policy support; seek capital). Good matches, the truth:
maker ↔ supplier and investor ↔ project owner of the same sub-topic. Noise: a fifth of the
people carry a wrong extra industry, a tenth none, and everyone's text has filler words.

Compared, for a sample of people, over the same candidates:

* the plain **tag-overlap** baseline (number of shared industries and offer/seek tags);
* **ours** (``recommend.recommend``: complementary needs, industries, regions, BM25 text);
* **ours after answers**: each person accepted 2 true matches and declined the 3 wrong people
  ours ranked highest; those 5 are then left out of every method's candidates and truth.

Run: ``.venv/bin/python benchmarks/recommendations.py`` (``--help`` for options). It prints the
table and rewrites its section of ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from xiqia.core.text import words  # noqa: E402
from xiqia.matchmaking.recommend import BM25, Person, recommend, tag_overlap  # noqa: E402

START, END = "<!-- bench:recommendations:start -->", "<!-- bench:recommendations:end -->"

# cluster -> sub-topic -> (Chinese words, English words) naming the product and its parts
TOPICS = {
    1: [
        ("智能手机 摄像头 模组 镜头", "smartphone camera module lens"),
        ("显示屏 面板 触控 玻璃盖板", "display panel touch cover glass"),
        ("锂电池 电芯 快充 电源管理", "lithium battery cell fast charging"),
        ("可穿戴 手表 传感器 蓝牙", "wearable watch sensor bluetooth"),
    ],
    2: [
        ("集成电路 晶圆 封装 测试", "integrated circuit wafer packaging test"),
        ("功率半导体 碳化硅 器件", "power semiconductor silicon carbide device"),
        ("存储芯片 闪存 控制器", "memory chip flash controller"),
        ("传感芯片 MEMS 麦克风", "sensor chip mems microphone"),
    ],
    3: [
        ("新能源汽车 电驱 电机 电控", "electric vehicle drive motor inverter"),
        ("汽车 座椅 内饰 总成", "automotive seat interior assembly"),
        ("摩托车 发动机 曲轴 缸体", "motorcycle engine crankshaft cylinder"),
        ("智能网联 车载 雷达 域控制器", "connected car radar domain controller"),
    ],
    4: [
        ("航空物流 货运 冷链 仓储", "air cargo cold chain warehousing"),
        ("快递 分拣 中转 配送", "express parcel sorting delivery"),
        ("跨境电商 保税 清关", "cross-border ecommerce bonded customs"),
        ("农产品 批发 交易 冷库", "agricultural produce wholesale cold storage"),
    ],
    5: [
        ("生物医药 原料药 制剂", "biopharma active ingredient formulation"),
        ("医疗器械 影像 设备", "medical device imaging equipment"),
        ("体外诊断 试剂 检测", "in vitro diagnostics reagent testing"),
        ("中医药 中药材 饮片", "traditional medicine herbs decoction"),
    ],
    6: [
        ("大数据 数据中心 云计算 服务器", "big data centre cloud server"),
        ("工业互联网 平台 软件", "industrial internet platform software"),
        ("人工智能 算法 视觉 识别", "artificial intelligence vision recognition"),
        ("软件外包 信息安全 运维", "software outsourcing security operations"),
    ],
}
FILLER_ZH = [
    "企业",
    "发展",
    "合作",
    "优质",
    "领先",
    "专业",
    "团队",
    "市场",
    "服务",
    "客户",
    "质量",
    "创新",
    "规模",
    "产品",
    "项目",
]
FILLER_EN = [
    "company",
    "growth",
    "quality",
    "leading",
    "team",
    "market",
    "service",
    "customers",
    "innovation",
]
REGIONS = ["500112", "500107", "510114", "500103", "440300", "310115", "110108"]
KINDS = ("maker", "supplier", "investor", "owner")
TAGS = {
    "maker": ({"manufacturing", "market"}, {"components", "technology"}),
    "supplier": ({"components", "technology"}, {"market", "manufacturing"}),
    "investor": ({"capital"}, {"projects"}),
    "owner": ({"projects", "land", "policy"}, {"capital"}),
}
PARTNER = {"maker": "supplier", "supplier": "maker", "investor": "owner", "owner": "investor"}


def _text(rng: random.Random, topic: tuple[str, str], english: bool, n: int) -> str:
    vocab = (topic[1] if english else topic[0]).split()
    filler = FILLER_EN if english else FILLER_ZH
    chosen = rng.sample(vocab, k=min(n, len(vocab))) + rng.sample(filler, k=3)
    rng.shuffle(chosen)
    return " ".join(chosen)


def generate(n: int, seed: int) -> tuple[list[Person], dict[int, set[int]]]:
    """Return people and, per person, the ids of their good matches."""
    rng = random.Random(seed)  # noqa: S311 (reproducible synthetic data)
    people: list[Person] = []
    group: dict[int, tuple[int, int, str]] = {}
    for pid in range(n):
        cluster = rng.choice(list(TOPICS))
        sub = rng.randrange(len(TOPICS[cluster]))
        kind = rng.choice(KINDS)
        topic = TOPICS[cluster][sub]
        english = rng.random() < 0.25
        offers, seeks = TAGS[kind]
        industries = {cluster}
        if rng.random() < 0.2:
            industries.add(rng.choice([c for c in TOPICS if c != cluster]))
        if rng.random() < 0.1:
            industries = set()
        # a maker names the parts it needs; a supplier the parts it makes; an investor the
        # sub-topic it funds; an owner its project's sub-topic
        offer_text = "" if kind in ("maker", "investor") else _text(rng, topic, english, 3)
        seek_text = _text(rng, topic, english, 3) if kind in ("maker", "investor") else ""
        if kind == "maker":
            offer_text = _text(rng, topic, english, 1)
        people.append(
            Person(
                id=pid,
                role=kind,
                industries=frozenset(industries),
                offers=frozenset(offers),
                seeks=frozenset(seeks),
                regions=tuple(rng.sample(REGIONS, k=2)),
                home_region=rng.choice(REGIONS),
                languages=frozenset({"zh", "en"} if english else {"zh"}),
                offer_words=tuple(words(offer_text)),
                seek_words=tuple(words(seek_text)),
            )
        )
        group[pid] = (cluster, sub, kind)
    by_group: dict[tuple[int, int, str], set[int]] = {}
    for pid, key in group.items():
        by_group.setdefault(key, set()).add(pid)
    truth = {
        pid: by_group.get((cluster, sub, PARTNER[kind]), set())
        for pid, (cluster, sub, kind) in group.items()
    }
    return people, truth


def _measure(ranked: list[int], truth: set[int], k: int = 10) -> tuple[float, float]:
    hits = len(set(ranked[:k]) & truth)
    return hits / k, (hits / min(len(truth), k) if truth else 0.0)


def run(n: int, sample: int, seed: int) -> tuple[dict[str, tuple[float, float]], float]:
    people, truth = generate(n, seed)
    index = BM25([p.offer_words for p in people])
    rng = random.Random(seed + 1)  # noqa: S311
    chosen = rng.sample([p for p in people if len(truth[p.id]) >= 4], k=sample)
    sums = {"baseline": [0.0, 0.0], "ours": [0.0, 0.0], "ours after answers": [0.0, 0.0]}
    for me in chosen:
        plain = [r.person_id for r in recommend(me, people, offer_index=index, limit=50)]
        wrong = [pid for pid in plain if pid not in truth[me.id]][:3]
        right = rng.sample(sorted(truth[me.id]), k=2)
        answered = set(wrong) | set(right)
        held_out = truth[me.id] - answered
        base = [r.person_id for r in tag_overlap(me, people, exclude=answered)]
        ours = [r.person_id for r in recommend(me, people, exclude=answered, offer_index=index)]
        learned = [
            r.person_id
            for r in recommend(me, people, accepted=right, declined=wrong, offer_index=index)
        ]
        for name, ranked in (("baseline", base), ("ours", ours), ("ours after answers", learned)):
            p, r = _measure(ranked, held_out)
            sums[name][0] += p
            sums[name][1] += r
    mean_truth = sum(len(truth[me.id]) - 2 for me in chosen) / sample
    return {name: (p / sample, r / sample) for name, (p, r) in sums.items()}, mean_truth


def _write_docs(rows: list[tuple[int, dict, float, float]], cmd: str) -> None:
    lines = [
        START,
        "## Matchmaking: recommendation quality (`benchmarks/recommendations.py`)",
        "",
        f"Last run {datetime.date.today().isoformat()}, command `{cmd}`, on {os.cpu_count()} "
        f"cores, Python {platform.python_version()}.",
        "",
        "Generated fairs with known good matches (maker ↔ supplier, investor ↔ project owner of "
        "the same sub-topic; a quarter write English, the rest Chinese; noisy industry tags). "
        "Precision@10 and recall@10 (recall against min(10, good matches)) averaged over a "
        "sample of people. *Ours after answers*: each person accepted 2 good matches and "
        "declined the 3 wrong people ranked highest; those 5 are left out of every method's "
        "candidates and truth, so the rows compare the same task.",
        "",
        "With few people a person has few good matches left to find, which caps precision@10 "
        "(the column *good matches* gives their mean number after the answers).",
        "",
        "| people (sample) | good matches | method | precision@10 | recall@10 | time, 3 methods |",
        "|---|---:|---|---:|---:|---:|",
    ]
    for n, result, truth, seconds in rows:
        for name, (p, r) in result.items():
            lines.append(
                f"| {n:,} ({SAMPLE}) | {truth:.1f} | {name} | {p:.3f} | {r:.3f} | {seconds:.1f} s |"
            )
    lines += [END, ""]
    section = "\n".join(lines)
    path = ROOT / "docs" / "benchmarks.md"
    text = path.read_text(encoding="utf-8")
    if START in text and END in text:
        text = re.sub(
            re.escape(START) + r".*?" + re.escape(END) + r"\n?", section, text, flags=re.S
        )
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")


SAMPLE = 200


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="500,2000", help="people per generated fair")
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--no-docs", action="store_true", help="do not rewrite the docs")
    args = parser.parse_args()
    rows = []
    print(f"{'people':>7} {'method':<20} {'P@10':>6} {'R@10':>6}")
    for n in (int(x) for x in args.sizes.split(",")):
        t0 = time.perf_counter()
        result, truth = run(n, SAMPLE, args.seed)
        seconds = time.perf_counter() - t0
        rows.append((n, result, truth, seconds))
        for name, (p, r) in result.items():
            print(f"{n:>7} {name:<20} {p:6.3f} {r:6.3f}")
        print(f"{'':>7} ({seconds:.1f} s; {truth:.1f} good matches per person)")
    if not args.no_docs:
        _write_docs(rows, ".venv/bin/python benchmarks/recommendations.py")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
