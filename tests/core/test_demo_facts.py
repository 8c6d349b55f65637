"""The demo shows the source document's facts as facts: in Chinese on Chinese pages, with the
source's own names, cited as a reader would cite it; generated figures say they are generated.

The crawl signs in as each demo account (and as nobody), follows every link of every page it
reaches in Chinese, and checks each page against the fact records' English-only texts.
"""

from __future__ import annotations

import html
import re
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.test import Client
from django.urls import Resolver404, resolve

from xiqia.accounts.models import User
from xiqia.core.origin import Origin
from xiqia.directory.models import Organisation
from xiqia.fair.models import Event, Fair
from xiqia.govservice.models import PairingAgreement
from xiqia.investment.models import Cluster, Deal, Park
from xiqia.tourism.models import VoucherCampaign

# One load for the module (the demo_db fixture), on one worker under pytest-xdist.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]

# The Chinese original of the source document, copied verbatim from the newspaper feature.
SOURCE_ZH = (Path(__file__).parent / "data" / "source-document.zh.txt").read_text("utf-8")

ROLES = ["admin", "organiser", "yubei", "jiulongpo", "xindu", "oppo", "participant", "analyst"]
ROLES += ["cashier", ""]  # the tourism demo's cashier, and nobody signed in

# The names the files of the source and of its notes have in our repositories.
INTERNAL_FILES = re.compile(
    r"seed\.en\.md|seed-paragraphs|000_669a67965c9b9956|demo-data\.md|seed\.zh|\w+/demo\.py"
)
# Fields that name a record: a page may show the English name beside the Chinese one. Every
# other text (a description, a note, a scope) must show in the page's language.
NAME_FIELDS = {"name", "short_name", "title", "slogan", "unit", "role"}
# Paths that are not pages: the back office shows both languages of every field by design, the
# API answers JSON, the others are files or switch the language.
SKIP = re.compile(r"^/(admin|api|i18n|static|media)/|\.(xlsx|ics|svg|txt|pdf|csv|png)$")
# What a form holds for editing (both languages of a record, by design) is not what it shows.
FORM_VALUES = re.compile(r"<textarea\b[^>]*>.*?</textarea>|\svalue=\"[^\"]*\"", re.DOTALL)
PER_ROUTE = 4  # distinct addresses visited per route and account (lists, filters, pages)


class Links(HTMLParser):
    """Collect the addresses a page links to (anchors and HTMX GETs)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and (name == "hx-get" or (tag == "a" and name == "href")):
                self.found.append(value)


def chinese_client(username: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    if username:
        client.force_login(User.objects.get(username=username))
    return client


def fact_seeds() -> list[str]:
    """Return the pages of the fact records, so the crawl visits each whatever the caps."""
    seeds = ["/"]
    seeds += [f"/directory/organisations/{pk}/" for pk in _facts(Organisation)]
    seeds += [f"/investment/dashboard/clusters/{pk}/" for pk in _facts(Cluster)]
    for fair in Fair.objects.filter(origin=Origin.FACT):
        seeds += [f"/fairs/{fair.slug}/", f"/fairs/{fair.slug}/agenda/"]
        seeds += [f"/fairs/{fair.slug}/events/{e.pk}/" for e in fair.events.all()]
    seeds += [
        f"/tourism/campaigns/{slug}/"
        for slug in VoucherCampaign.objects.filter(origin=Origin.FACT).values_list(
            "slug", flat=True
        )
    ]
    return [*seeds, "/govservice/pairing/", "/investment/dashboard/", "/tourism/dashboard/"]


def _facts(model: type[models.Model]) -> list[int]:
    return list(model.objects.filter(origin=Origin.FACT).values_list("pk", flat=True))


def crawl(username: str) -> dict[str, str]:
    """Return every page the account reaches, in Chinese: address -> unescaped HTML."""
    client = chinese_client(username)
    pages: dict[str, str] = {}
    seen: set[str] = set()
    per_route: dict[str, int] = {}
    seeds = fact_seeds()
    queue = deque(seeds)
    while queue:
        address = queue.popleft()
        parts = urlsplit(address)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue
        address = parts.path + (f"?{parts.query}" if parts.query else "")
        if address in seen or SKIP.search(parts.path) or parts.path == "/accounts/logout/":
            continue
        seen.add(address)
        try:
            route = resolve(parts.path).view_name
        except Resolver404:
            continue
        if per_route.get(route, 0) >= PER_ROUTE and address not in seeds:
            continue
        per_route[route] = per_route.get(route, 0) + 1
        response = client.get(address)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        text = response.content.decode()
        pages[address] = html.unescape(FORM_VALUES.sub("", text))
        parser = Links()
        parser.feed(text)
        queue.extend(html.unescape(link) for link in parser.found)
    return pages


def english_only_fact_texts() -> dict[str, str]:
    """Return each fact record's texts that exist only in English: text -> where it is from.

    A text field ``x_en`` of a fact record counts when its ``x_zh`` is empty, or when it is a
    description (not a name) that differs from the Chinese.
    """
    texts: dict[str, str] = {}
    for model in apps.get_models():
        names = {f.name for f in model._meta.get_fields()}
        if "origin" not in names or "history_id" in names:  # history rows: not records
            continue
        pairs = [n[:-3] for n in names if n.endswith("_en") and f"{n[:-3]}_zh" in names]
        if not pairs:
            continue
        for record in model.objects.filter(origin=Origin.FACT):
            for stem in pairs:
                english = (getattr(record, f"{stem}_en") or "").strip()
                chinese = (getattr(record, f"{stem}_zh") or "").strip()
                if not english or english == chinese:
                    continue
                if not chinese or stem not in NAME_FIELDS:
                    texts[english] = f"{model._meta.label} {record.pk} {stem}_en"
    return texts


def test_demo_chinese_pages_show_no_english_only_fact_text(demo_db: str) -> None:
    english = english_only_fact_texts()
    assert len(english) >= 10  # the fact records do have English texts to look for
    found: dict[str, set[str]] = {}  # what was found -> the pages (account: address)
    visited = 0
    for username in ROLES:
        pages = crawl(username)
        visited += len(pages)
        for address, page in pages.items():
            hits = [where for text, where in english.items() if text in page]
            hits += [f"file name {name}" for name in INTERNAL_FILES.findall(page)]
            for hit in hits:
                found.setdefault(hit, set()).add(f"{username or 'anonymous'}: {address}")

    assert visited >= 300
    assert not found, "\n".join(f"{hit} on {sorted(on)[:3]}" for hit, on in sorted(found.items()))


# Names the demo composes from the source's words (the source names the place and the kind of
# body, not the record): each part must still be the source's, word for word.
COMPOSED = {
    "机场路消费走廊": ("机场路", "消费走廊"),
    "九龙坡区政务服务部门": ("九龙坡区", "政务服务部门"),
    "新都区政务服务部门": ("新都区", "政务服务部门"),
}
FESTIVAL = "2021（第十三届）黄桷坪新年艺术节暨首届新龙文化艺术节"


def test_demo_fact_names_are_the_sources_word_for_word(demo_db: str) -> None:
    names = [
        *Organisation.objects.filter(origin=Origin.FACT).values_list("name_zh", flat=True),
        *Organisation.objects.filter(origin=Origin.FACT)
        .exclude(short_name_zh="")
        .values_list("short_name_zh", flat=True),
        *Park.objects.filter(origin=Origin.FACT).values_list("name_zh", flat=True),
        *Cluster.objects.filter(origin=Origin.FACT).values_list("name_zh", flat=True),
        *Event.objects.filter(origin=Origin.FACT).values_list("title_zh", flat=True),
        *PairingAgreement.objects.filter(origin=Origin.FACT).values_list("title_zh", flat=True),
    ]
    for fair in Fair.objects.filter(origin=Origin.FACT):
        names += [fair.name_zh, fair.short_name_zh, fair.slogan_zh]

    missing = [
        name for name in names if not all(p in SOURCE_ZH for p in COMPOSED.get(name, (name,)))
    ]

    assert len(names) == 57  # 26 organisations, 3 short names, 9 parks, 5 clusters, 10
    # programme items, 1 agreement, the fair's name, short name and slogan
    assert missing == []


def test_demo_festival_campaign_bears_the_festivals_name(demo_db: str) -> None:
    campaign = VoucherCampaign.objects.get(origin=Origin.FACT)

    assert FESTIVAL in SOURCE_ZH
    assert campaign.name_zh == f"{FESTIVAL}文旅消费券"


def test_demo_fact_texts_all_have_their_chinese(demo_db: str) -> None:
    english_only = []
    for model in apps.get_models():
        names = {f.name for f in model._meta.get_fields()}
        if "origin" not in names or "history_id" in names:  # history rows: not records
            continue
        stems = [n[:-3] for n in names if n.endswith("_en") and f"{n[:-3]}_zh" in names]
        for record in model.objects.filter(origin=Origin.FACT):
            english_only += [
                f"{model._meta.label} {record.pk} {stem}"
                for stem in stems
                if getattr(record, f"{stem}_en") and not getattr(record, f"{stem}_zh")
            ]

    assert english_only == []


def test_demo_pairing_cites_the_newspaper_feature(demo_db: str) -> None:
    agreement = PairingAgreement.objects.get(origin=Origin.FACT)

    page = chinese_client("").get("/govservice/pairing/").content.decode()

    assert "第三届中国西部国际投资贸易洽谈会报纸专版（2021年）" in agreement.source_reference_zh
    assert "《重庆九龙坡区唱好“双城记”，建设示范区》" in agreement.source_reference_zh
    assert html.escape(agreement.source_reference_zh, quote=False) in page
    assert INTERNAL_FILES.findall(page) == []


def sections(page: str, marker: str) -> list[str]:
    """Return the parts of ``page`` that start at each ``marker``, each up to the next one."""
    return page.split(marker)[1:]


def test_demo_generated_aggregates_are_marked_generated(demo_db: str) -> None:
    client = chinese_client("admin")
    cluster = Cluster.objects.get(name_zh="智能终端")

    overview = client.get("/investment/dashboard/").content.decode()
    progress = client.get(f"/investment/dashboard/clusters/{cluster.pk}/").content.decode()
    vouchers = client.get("/tourism/dashboard/").content.decode()
    home = client.get("/").content.decode()
    supervision = client.get("/govservice/supervision/").content.decode()

    kpis = [s.split("data-kpi-display")[0] for s in sections(overview, 'data-kpi="')]
    assert len(kpis) >= 4
    assert all("data-generated" in kpi for kpi in kpis)
    headings = [s.split("</h2>")[0] for s in sections(overview, "<section")]
    assert len(headings) >= 3  # the funnel and the breakdowns (the clusters' list is no sum)
    assert [("data-generated" in h) for h in headings] == [True] * (len(headings) - 1) + [False]
    years = [s.split("</th>")[0] for s in sections(progress, "<tr data-year=")]
    assert len(years) == 5
    assert all("data-generated" in year for year in years)
    totals = [s.split("</dd>")[0] for s in sections(vouchers, "data-total=")]
    assert len(totals) == 4
    assert all("data-generated" in total for total in totals)
    assert "data-generated" in home.split("data-total>")[1].split("</td>")[0]
    # Three figures and two sections over the cases, one section over the green channel.
    assert supervision.count("data-generated") == 6


def test_demo_aggregates_of_entered_deals_are_not_marked_generated(demo_db: str) -> None:
    Deal.objects.filter(origin=Origin.GENERATED).update(origin=Origin.ENTERED)

    overview = chinese_client("admin").get("/investment/dashboard/").content.decode()

    kpis = [s.split("data-kpi-display")[0] for s in sections(overview, 'data-kpi="')]
    assert len(kpis) >= 4
    assert [("data-generated" in kpi) for kpi in kpis] == [False] * len(kpis)


def test_demo_inferred_parameters_of_facts_are_marked_illustrative(demo_db: str) -> None:
    client = chinese_client("")
    campaign = VoucherCampaign.objects.get(origin=Origin.FACT)
    fair = Fair.objects.get(origin=Origin.FACT)

    detail = client.get(f"/tourism/campaigns/{campaign.slug}/").content.decode()
    overview = client.get(f"/fairs/{fair.slug}/").content.decode()

    face_value = detail.split("data-face-value>")[1].split("</p>")[0]
    assert "data-illustrative" in face_value
    assert "示意值" in face_value
    times = [s.split("</span></span>")[0] for s in sections(overview, "data-event-time>")]
    assert len(times) == 10
    assert all("示意时间" in time for time in times)
