"""Load China's administrative division codes (GB/T 2260) with their history.

The code table with its validity years comes from python-stdnum (``stdnum/cn/loc.dat``), the
same data that validates resident ID numbers. Successions are inferred where a name continues
under a new code or a new name continues a code, and taken from ``data/region_successors.csv``
where a region was merged into another. English names are romanised with pypinyin; the demo's
facts override them with their established English forms.

Everything here is plain data in, plain data out; :func:`sync_regions` writes it to the table.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from pypinyin import Style, lazy_pinyin

# Characters read differently in place names than pypinyin's default (成都, 新都, 丰都).
_PLACE_READINGS = {"都": "du"}

_PERIOD_RE = re.compile(r"^\[(\d{4})?-(\d{4})?\](.+)$")

# Longest suffix first, so 自治县 wins over 县.
_SUFFIXES: list[tuple[str, str]] = [
    ("特别行政区", "Special Administrative Region"),
    ("维吾尔自治区", "Uygur Autonomous Region"),
    ("壮族自治区", "Zhuang Autonomous Region"),
    ("回族自治区", "Hui Autonomous Region"),
    ("自治区", "Autonomous Region"),
    ("自治州", "Autonomous Prefecture"),
    ("自治县", "Autonomous County"),
    ("自治旗", "Autonomous Banner"),
    ("市辖区", "City Districts"),
    ("新区", "New Area"),
    ("林区", "Forestry District"),
    ("地区", "Prefecture"),
    ("省", "Province"),
    ("区", "District"),
    ("县", "County"),
    ("旗", "Banner"),
    ("盟", "League"),
    ("市", "City"),
]


@dataclass
class RegionRecord:
    code: str
    name_zh: str
    level: str
    valid_from: int | None
    valid_to: int | None
    name_en: str = ""
    successor: tuple[str, int | None] | None = None  # (code, valid_from) of the successor

    @property
    def key(self) -> tuple[str, int | None]:
        return (self.code, self.valid_from)


@dataclass
class RegionTable:
    records: list[RegionRecord] = field(default_factory=list)

    def by_key(self) -> dict[tuple[str, int | None], RegionRecord]:
        return {r.key: r for r in self.records}


def _level(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "prefecture"
    return "county"


def romanise(name_zh: str, level: str) -> str:
    """Return an English name in the usual form: pinyin stem, translated level word."""
    stem, english_suffix = name_zh, ""
    if name_zh in {"市辖区", "县", "市"}:
        return {"市辖区": "City Districts", "县": "Counties", "市": "Cities"}[name_zh]
    for suffix, english in _SUFFIXES:
        if name_zh.endswith(suffix) and len(name_zh) > len(suffix):
            stem, english_suffix = name_zh[: -len(suffix)], english
            break
    syllables = lazy_pinyin(stem, style=Style.NORMAL, errors="ignore")
    if len(syllables) == len(stem):
        syllables = [_PLACE_READINGS.get(ch, s) for ch, s in zip(stem, syllables, strict=True)]
    word = ""
    for i, syllable in enumerate(syllables):
        if i and syllable[:1] in {"a", "o", "e"}:
            word += "'"
        word += syllable
    word = word.capitalize()
    # A prefecture-level or province-level city is known by its stem alone (成都市: Chengdu).
    if english_suffix == "City" and level in {"province", "prefecture"}:
        return word
    return f"{word} {english_suffix}".strip()


def parse_loc_dat(text: str) -> RegionTable:
    """Parse stdnum's numdb-format ``loc.dat`` into one record per code and period."""
    table = RegionTable()
    seen: set[tuple[str, int | None]] = set()
    province = ""
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        indented = line.startswith(" ")
        prefix, _, rest = line.strip().partition(" ")
        if not indented:
            province = prefix
            continue
        code = province + prefix
        value = rest.split("=", 1)[1].strip().strip('"')
        for part in value.split(","):
            match = _PERIOD_RE.match(part)
            if match:
                start, end, name = match.groups()
                valid_from = int(start) if start else None
                valid_to = int(end) if end else None
            else:
                valid_from, valid_to, name = None, None, part
            if valid_from and valid_to and valid_from > valid_to:
                # The source has a few inverted periods ("[1983-1982]"): a name that ended
                # in the second year. Keep it as that single year.
                valid_from = valid_to
            if (code, valid_from) in seen:
                continue
            seen.add((code, valid_from))
            level = _level(code)
            table.records.append(
                RegionRecord(
                    code=code,
                    name_zh=name,
                    level=level,
                    valid_from=valid_from,
                    valid_to=valid_to,
                    name_en=romanise(name, level),
                )
            )
    return table


def _stem(name: str) -> str:
    for suffix, _english in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def infer_successors(table: RegionTable, curated: list[tuple[str, int, str]]) -> None:
    """Link each retired record to the record that took its place, where that can be known."""
    by_code: dict[str, list[RegionRecord]] = defaultdict(list)
    starting: dict[int, list[RegionRecord]] = defaultdict(list)
    for record in table.records:
        by_code[record.code].append(record)
        if record.valid_from is not None:
            starting[record.valid_from].append(record)
    curated_map = {(code, until): successor for code, until, successor in curated}
    for record in table.records:
        if record.valid_to is None:
            continue
        successor_code = curated_map.get((record.code, record.valid_to))
        if successor_code:
            target = _period_starting(by_code.get(successor_code, []), record.valid_to)
            if target:
                record.successor = target.key
            continue
        # A renamed code: the same code's next period.
        later = [
            r
            for r in by_code[record.code]
            if r is not record
            and r.valid_from is not None
            and r.valid_from in {record.valid_to, record.valid_to + 1}
        ]
        if later:
            record.successor = later[0].key
            continue
        # A re-coded region: the same name (or stem) starting when this one ended.
        candidates = starting.get(record.valid_to, []) + starting.get(record.valid_to + 1, [])
        candidates = [c for c in candidates if c.code != record.code and c.level == record.level]
        exact = [c for c in candidates if c.name_zh == record.name_zh]
        by_stem = [c for c in candidates if _stem(c.name_zh) == _stem(record.name_zh)]
        for group in (exact, by_stem):
            if len(group) == 1:
                record.successor = group[0].key
                break
            same_province = [c for c in group if c.code[:2] == record.code[:2]]
            if len(same_province) == 1:
                record.successor = same_province[0].key
                break


def _period_starting(records: list[RegionRecord], year: int) -> RegionRecord | None:
    for record in records:
        if record.valid_from in {year, year + 1}:
            return record
    return records[-1] if records else None


def read_curated(path: Path | None = None) -> list[tuple[str, int, str]]:
    """Return the curated successions as (retired code, last year, successor code)."""
    path = path or Path(__file__).parent / "data" / "region_successors.csv"
    lines = [
        line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")
    ]
    return [
        (row["retired_code"], int(row["retired_until"]), row["successor_code"])
        for row in csv.DictReader(lines)
    ]


@lru_cache(maxsize=1)
def load_table() -> RegionTable:
    """Return the full code table with inferred and curated successions (parsed once)."""
    text = resources.files("stdnum.cn").joinpath("loc.dat").read_text(encoding="utf-8")
    table = parse_loc_dat(text)
    infer_successors(table, read_curated())
    return table


def sync_regions(region_model: Any, english_overrides: dict[str, str] | None = None) -> int:
    """Insert or update every region record; return how many rows were written.

    Idempotent: a second run writes nothing. ``region_model`` may be a migration's
    historical model. English names already edited in the table are kept.
    """
    table = load_table()
    overrides = english_overrides or {}
    existing = {(r.code, r.valid_from): r for r in region_model.objects.all()}
    to_create, to_update = [], []
    for record in table.records:
        current = existing.get(record.key)
        name_en = (
            overrides.get(record.code, record.name_en)
            if record.valid_to is None
            else (record.name_en)
        )
        if current is None:
            to_create.append(
                region_model(
                    code=record.code,
                    name_zh=record.name_zh,
                    name_en=name_en,
                    level=record.level,
                    valid_from=record.valid_from,
                    valid_to=record.valid_to,
                )
            )
        elif (current.name_zh, current.valid_to, current.level) != (
            record.name_zh,
            record.valid_to,
            record.level,
        ) or (record.code in overrides and current.name_en != name_en):
            current.name_zh, current.valid_to, current.level = (
                record.name_zh,
                record.valid_to,
                record.level,
            )
            current.name_en = name_en
            to_update.append(current)
    region_model.objects.bulk_create(to_create, batch_size=500)
    region_model.objects.bulk_update(
        to_update, ["name_zh", "name_en", "valid_to", "level"], batch_size=500
    )
    written = len(to_create) + len(to_update)
    ids = {(r.code, r.valid_from): r.pk for r in region_model.objects.all()}
    links = []
    for record in table.records:
        if record.successor is None:
            continue
        row = region_model(pk=ids[record.key])
        successor_id = ids.get(record.successor)
        links.append((row, successor_id))
    current_links = dict(region_model.objects.values_list("pk", "successor_id"))
    changed = []
    for row, successor_id in links:
        if current_links.get(row.pk) != successor_id:
            row.successor_id = successor_id
            changed.append(row)
    region_model.objects.bulk_update(changed, ["successor"], batch_size=500)
    return written + len(changed)
