"""Excel imports: a checked preview by row and column, then all or nothing."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook, load_workbook

from tests.investment.conftest import YI, InvestmentWorld
from xiqia.investment import imports
from xiqia.investment.models import ClusterIndicator, Deal, Project

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx(header: list[str], rows: list[list]) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("import.xlsx", out.getvalue(), content_type=XLSX)


PROJECT_HEADER = ["region_code", "title_zh", "investment_sought_yuan", "status", "published"]


def upload(client: Client, kind: str, file: SimpleUploadedFile) -> str:
    """Upload a file and return its preview page's address."""
    response = client.post("/investment/import/", {"kind": kind, "file": file})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"]


def check_all(client: Client, preview: str) -> str:
    """Run the chunked check as the page's htmx would, until it finishes; return the HTML."""
    html = client.get(preview).content.decode()
    while 'data-import-state="checking"' in html:
        html = client.post(f"{preview}check/", HTTP_HX_REQUEST="true").content.decode()
    return html


def errors(html: str) -> list[tuple[int, str]]:
    return [(int(r), c) for r, c in re.findall(r'<tr data-row="(\d+)" data-column="(\w*)">', html)]


@pytest.fixture
def officer(inv: InvestmentWorld) -> Client:
    return inv.world.client_for("liangjiang_officer")


def test_import_with_one_bad_row_saves_nothing_and_names_row_and_column(
    inv: InvestmentWorld, officer: Client
) -> None:
    file = xlsx(
        PROJECT_HEADER,
        [
            ["500157", "航空物流园分拨中心", 500_000_000, "open", "yes"],
            ["500157", "冷链仓储项目", "五亿", "open", "yes"],  # row 3: not a number
            ["500157", "智能终端配套", 100_000_000, "open", "no"],
        ],
    )
    preview = upload(officer, "projects", file)

    html = check_all(officer, preview)

    assert errors(html) == [(3, "investment_sought_yuan")]
    assert 'data-action="import"' not in html
    assert Project.objects.count() == 0

    # Importing anyway (a forged request) is refused as a whole, with the same error.
    response = officer.post(f"{preview}commit/")
    assert response.status_code == 400
    assert errors(response.content.decode()) == [(3, "investment_sought_yuan")]
    assert Project.objects.count() == 0


def test_import_of_good_rows_saves_them_all(inv: InvestmentWorld, officer: Client) -> None:
    file = xlsx(
        PROJECT_HEADER,
        [
            ["500157", "航空物流园分拨中心", 500_000_000, "open", "yes"],
            ["500157", "智能终端配套", None, "negotiating", "no"],
        ],
    )
    preview = upload(officer, "projects", file)

    html = check_all(officer, preview)
    assert 'data-valid="2"' in html
    assert Project.objects.count() == 0  # the check saved nothing
    response = officer.post(f"{preview}commit/")

    assert response.status_code == 302
    projects = {p.title_zh: p for p in Project.objects.all()}
    assert projects["航空物流园分拨中心"].investment_sought == 5 * YI
    assert projects["航空物流园分拨中心"].is_published is True
    assert projects["智能终端配套"].status == "negotiating"
    assert Client().get("/investment/", {"q": "物流"}).content.decode().count("data-title=") == 1


def test_import_row_outside_the_officers_district_is_refused(
    inv: InvestmentWorld, officer: Client
) -> None:
    file = xlsx(PROJECT_HEADER, [["500107", "九龙坡项目", None, "open", "yes"]])
    preview = upload(officer, "projects", file)

    html = check_all(officer, preview)

    assert errors(html) == [(2, "region_code")]
    assert Project.objects.count() == 0


def test_import_service_refusal_names_the_column(inv: InvestmentWorld, officer: Client) -> None:
    header = ["investor", "host_region_code", "title_zh", "amount_yuan", "kind", "signed_on"]
    header += ["fair", "event", "cluster"]
    file = xlsx(
        header,
        [
            [
                "测试投资集团",
                "500112",
                "智能终端产业园",
                200_000_000,
                "contract",
                "2021-05-20",
                "fair-2021",
                "开幕式",
                "智能终端产业集群",
            ],
            # Signed at the opening (20 May) but dated 1 June: outside the fair's days.
            [
                "测试投资集团",
                "500112",
                "另一项目",
                100_000_000,
                "contract",
                "2021-06-01",
                "fair-2021",
                "开幕式",
                "",
            ],
            ["无此企业", "500112", "第三项目", 100_000_000, "合同", "2021-05-21", "", "", ""],
        ],
    )
    preview = upload(officer, "deals", file)

    html = check_all(officer, preview)

    assert errors(html) == [(3, "signed_on"), (4, "investor"), (4, "kind")]
    assert Deal.objects.count() == 0


def test_import_of_deals_applies_the_counting_rules(inv: InvestmentWorld, officer: Client) -> None:
    header = ["investor", "host_region_code", "title_zh", "amount_yuan", "kind", "signed_on"]
    header += ["fair", "event"]
    file = xlsx(
        header,
        [
            [
                "测试投资集团",
                "500112",
                "智能终端产业园",
                200_000_000,
                "framework",
                "2021-05-20",
                "fair-2021",
                "开幕式",
            ],
            [
                "测试投资集团",
                "500112",
                "智能终端产业园",
                500_000_000,
                "contract",
                "2021-05-22",
                "fair-2021",
                "推介会",
            ],
        ],
    )
    preview = upload(officer, "deals", file)
    check_all(officer, preview)

    officer.post(f"{preview}commit/")

    deals = list(Deal.objects.order_by("signed_at"))
    assert [(d.counts_as_deal, d.counted_amount) for d in deals] == [
        (True, 2 * YI),
        (False, 3 * YI),
    ]
    assert {d.credited_event for d in deals} == {inv.opening}


def test_import_of_indicators_sets_the_clusters_years(
    inv: InvestmentWorld, officer: Client
) -> None:
    header = ["region_code", "cluster", "year", "output_value_yuan", "enterprises"]
    file = xlsx(header, [["500157", "智能终端产业集群", 2021, 50_000_000_000, 120]])
    preview = upload(officer, "indicators", file)
    check_all(officer, preview)

    officer.post(f"{preview}commit/")

    indicator = ClusterIndicator.objects.get()
    assert (indicator.cluster, indicator.year, indicator.output_value, indicator.enterprises) == (
        inv.cluster,
        2021,
        Decimal(50_000_000_000),
        120,
    )


def test_large_file_is_checked_in_chunks_with_progress(
    inv: InvestmentWorld, officer: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imports, "CHUNK", 2)
    rows = [["500157", f"项目{i}", None, "open", "no"] for i in range(5)]
    preview = upload(officer, "projects", xlsx(PROJECT_HEADER, rows))

    first = officer.get(preview).content.decode()
    step = officer.post(f"{preview}check/", HTTP_HX_REQUEST="true").content.decode()
    steps = [step]
    while 'data-import-state="checking"' in steps[-1]:
        steps.append(officer.post(f"{preview}check/", HTTP_HX_REQUEST="true").content.decode())

    assert '<progress class="w-100 mb-3" max="5" value="0"' in first
    assert '<progress class="w-100 mb-3" max="5" value="2"' in steps[0]
    assert [re.search(r'value="(\d)"', s).group(1) for s in steps] == ["2", "4", "5"]
    assert 'data-valid="5"' in steps[-1]


def test_check_without_javascript_runs_every_row(inv: InvestmentWorld, officer: Client) -> None:
    preview = upload(officer, "projects", xlsx(PROJECT_HEADER, [["500157", "项目", None, "", ""]]))

    html = officer.get(f"{preview}?all=1").content.decode()

    assert 'data-valid="1"' in html


def test_upload_with_a_wrong_header_is_refused(inv: InvestmentWorld, officer: Client) -> None:
    response = officer.post(
        "/investment/import/",
        {"kind": "projects", "file": xlsx(["region", "title"], [["500157", "项目"]])},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert "The header row does not match the template" in response.content.decode()


def test_template_has_the_columns_to_fill(inv: InvestmentWorld, officer: Client) -> None:
    response = officer.get("/investment/import/templates/deals.xlsx")

    book = load_workbook(io.BytesIO(response.content))
    header = next(book.worksheets[0].iter_rows(max_row=1, values_only=True))
    assert list(header) == [column.code for column in imports.KINDS["deals"].columns]
    assert len(book.worksheets) == 2


def test_import_pages_are_for_officers_and_administrators(inv: InvestmentWorld) -> None:
    assert inv.world.client_for("analyst").get("/investment/import/").status_code == 403
    assert Client().get("/investment/import/").status_code == 302
    assert inv.world.client_for("jiulongpo_officer").get("/investment/import/").status_code == 200


def test_preview_of_another_users_upload_is_not_found(
    inv: InvestmentWorld, officer: Client
) -> None:
    preview = upload(officer, "projects", xlsx(PROJECT_HEADER, [["500157", "项目", None, "", ""]]))

    other = inv.world.client_for("yubei_officer")

    assert other.get(preview).status_code == 404
    assert other.post(f"{preview}commit/").status_code == 404
