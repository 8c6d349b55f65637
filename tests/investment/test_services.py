"""The investment services: the catalogue, the counting rules and the landing pipeline.

Amounts are in yuan; ``YI`` is 亿 (100 million). Expected values are worked out by hand in the
comments.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from tests.investment.conftest import PDF, YI, InvestmentWorld, evidence
from xiqia.core.errors import Conflict, DomainError
from xiqia.core.models import Region
from xiqia.investment import selectors, services
from xiqia.investment.models import (
    ClusterIndicator,
    Deal,
    DealDocument,
    DealStatus,
    Milestone,
    Project,
    ProjectWord,
    StepDeadline,
)

MAY_20 = datetime.date(2021, 5, 20)
MAY_22 = datetime.date(2021, 5, 22)


# Projects -------------------------------------------------------------------------------------


def make_project(inv: InvestmentWorld, actor: object = None, **extra: object) -> Project:
    values: dict[str, object] = {
        "actor": actor,
        "region": inv.liangjiang,
        "title_zh": "航空物流园冷链仓储项目",
        "title_en": "Cold-chain warehousing at the aviation logistics park",
        "description_zh": "建设冷链仓储中心",
        "investment_sought": 3 * YI,
    }
    values.update(extra)
    return services.project_create(**values)  # type: ignore[arg-type]


def indexed_words(project: Project) -> set[str]:
    """Return the words the backend's search index holds for a project."""
    if connection.vendor == "postgresql":  # the stored tsvector column (migration 0004)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT unnest(tsvector_to_array(search_vector)) FROM investment_project "
                "WHERE id = %s",
                [project.pk],
            )
            return {row[0] for row in cursor.fetchall()}
    return set(ProjectWord.objects.filter(project=project).values_list("word", flat=True))


def test_project_create_indexes_chinese_words(inv: InvestmentWorld) -> None:
    project = make_project(inv)

    words = indexed_words(project)
    assert {"航空", "物流", "物流园", "仓储", "cold-chain", "warehousing"} <= words
    # PostgreSQL's parser also keeps the parts of a hyphenated word (cold, chain).
    assert set(project.search_text.split()) <= words
    assert project.is_published is False


def test_project_update_reindexes_the_words(inv: InvestmentWorld) -> None:
    project = make_project(inv)

    services.project_update(
        actor=None, project=project, title_zh="智能终端配套项目", title_en="", description_zh=""
    )

    words = indexed_words(project)
    assert "物流" not in words
    assert {"智能", "终端", "配套", "项目"} <= words


def test_project_create_by_an_officer_of_another_district_is_denied(inv: InvestmentWorld) -> None:
    with pytest.raises(PermissionDenied):
        make_project(inv, actor=inv.world.users["jiulongpo_officer"])
    assert Project.objects.count() == 0


def test_project_create_by_the_yubei_officer_in_liangjiang_is_allowed(
    inv: InvestmentWorld,
) -> None:
    # Liangjiang succeeded Yubei: the Yubei officer works on there, and Yubei's park counts.
    project = make_project(inv, actor=inv.world.users["yubei_officer"], park=inv.park)
    assert project.region == inv.liangjiang


def test_project_create_in_a_retired_region_is_refused(inv: InvestmentWorld) -> None:
    with pytest.raises(ValidationError) as exc:
        make_project(inv, region=inv.yubei)
    assert list(exc.value.message_dict) == ["region"]


def test_project_create_with_a_park_of_another_region_is_refused(inv: InvestmentWorld) -> None:
    with pytest.raises(ValidationError) as exc:
        make_project(inv, region=inv.jiulongpo, park=inv.park)
    assert list(exc.value.message_dict) == ["park"]
    assert Project.objects.count() == 0


def test_project_publish_shows_and_hides(inv: InvestmentWorld) -> None:
    project = make_project(inv)
    officer = inv.world.users["yubei_officer"]

    assert services.project_publish(actor=officer, project=project).is_published is True
    project = services.project_publish(actor=officer, project=project, published=False)
    assert project.is_published is False


def test_project_publish_a_withdrawn_project_is_refused(inv: InvestmentWorld) -> None:
    project = make_project(inv, status="withdrawn")
    with pytest.raises(DomainError):
        services.project_publish(actor=None, project=project)
    project.refresh_from_db()
    assert project.is_published is False


# The counting rules ---------------------------------------------------------------------------


def test_deal_record_first_signing_counts_whole_amount_at_its_event(inv: InvestmentWorld) -> None:
    deal = inv.deal()

    assert (deal.counts_as_deal, deal.counted_amount, deal.credited_event) == (
        True,
        2 * YI,
        inv.opening,
    )
    assert deal.is_current and deal.previous is None and deal.root is None


def test_deal_record_upgrade_counts_only_the_increment(inv: InvestmentWorld) -> None:
    # Intention of 1亿 at the opening, contract of 1.5亿 at the promotion two days later:
    # the contract counts 0.5亿 and no new deal, and stays credited to the opening.
    intention = inv.deal(kind="intention", amount=YI)
    contract = inv.deal(
        kind="contract", amount=Decimal("1.5") * YI, event=inv.promotion, signed_at=MAY_22
    )

    intention.refresh_from_db()
    assert contract.previous == intention
    assert contract.root == intention
    assert (contract.counts_as_deal, contract.counted_amount) == (False, Decimal("0.5") * YI)
    assert contract.credited_event == inv.opening
    assert (intention.is_current, contract.is_current) == (False, True)
    totals = Deal.objects.filter(investor=inv.investor)
    assert sum(d.counted_amount for d in totals) == Decimal("1.5") * YI  # the latest amount
    assert sum(d.counts_as_deal for d in totals) == 1


def test_deal_record_added_capital_chains_on_the_latest(inv: InvestmentWorld) -> None:
    # 2亿 contract, then 3亿 (1亿 added), then 3.5亿 (0.5亿 added): increments 2, 1, 0.5.
    first = inv.deal()
    second = inv.deal(amount=3 * YI, event=None, signed_at=datetime.date(2022, 3, 1))
    third = inv.deal(amount=Decimal("3.5") * YI, event=None, signed_at=datetime.date(2022, 9, 1))

    assert [d.counted_amount for d in (first, second, third)] == [2 * YI, YI, Decimal("0.5") * YI]
    assert (third.previous, third.root) == (second, first)
    assert {d.credited_event for d in (first, second, third)} == {inv.opening}


def test_deal_record_same_signing_twice_is_counted_once(inv: InvestmentWorld) -> None:
    first = inv.deal()
    again = inv.deal()

    assert again.pk == first.pk
    assert Deal.objects.count() == 1


def test_deal_record_replaying_an_upgraded_signing_returns_it(inv: InvestmentWorld) -> None:
    # An import run twice: the intention comes again after its upgrade was recorded.
    intention = inv.deal(kind="intention", amount=YI)
    inv.deal(amount=2 * YI, event=inv.promotion, signed_at=MAY_22)

    again = inv.deal(kind="intention", amount=YI)

    assert again.pk == intention.pk
    assert Deal.objects.count() == 2


def test_deal_record_outside_a_fair_then_at_an_event_credits_the_chain_to_it(
    inv: InvestmentWorld,
) -> None:
    # An intention signed in April outside the fair, the contract at the promotion: the whole
    # chain (1 deal, 2亿 = 1亿 + 1亿 increment) belongs to the promotion.
    intention = inv.deal(
        kind="intention", amount=YI, event=None, signed_at=datetime.date(2021, 4, 1)
    )
    contract = inv.deal(event=inv.promotion, signed_at=MAY_22)

    intention.refresh_from_db()
    assert intention.credited_event == inv.promotion
    assert contract.credited_event == inv.promotion
    assert contract.counted_amount == YI


def test_deal_record_a_project_signed_again_at_a_second_event_keeps_the_first(
    inv: InvestmentWorld,
) -> None:
    project = make_project(inv)
    first = inv.deal(project=project, title_zh="")
    second = inv.deal(
        project=project,
        title_zh="",
        event=inv.promotion,
        signed_at=MAY_22,
        amount=Decimal("2.5") * YI,
    )

    assert first.title_zh == project.title_zh
    assert second.credited_event == inv.opening
    assert second.counted_amount == Decimal("0.5") * YI
    project.refresh_from_db()
    assert project.status == "signed"


def test_deal_record_another_investor_is_another_deal(inv: InvestmentWorld) -> None:
    inv.deal()
    other = inv.deal(investor=inv.other_investor)
    assert (other.counts_as_deal, other.counted_amount) == (True, 2 * YI)


def test_deal_record_a_weaker_upgrade_is_refused(inv: InvestmentWorld) -> None:
    inv.deal()
    with pytest.raises(ValidationError) as exc:
        inv.deal(kind="intention", amount=3 * YI, signed_at=MAY_22, event=inv.promotion)
    assert list(exc.value.message_dict) == ["kind"]
    assert Deal.objects.count() == 1


def test_deal_record_upgrading_a_superseded_deal_is_refused(inv: InvestmentWorld) -> None:
    first = inv.deal(kind="intention", amount=YI)
    inv.deal(amount=2 * YI, signed_at=MAY_22, event=inv.promotion)
    with pytest.raises(Conflict):
        inv.deal(amount=3 * YI, signed_at=MAY_22, event=None, previous=first)
    assert Deal.objects.count() == 2


def test_deal_record_outside_the_event_dates_is_refused(inv: InvestmentWorld) -> None:
    with pytest.raises(ValidationError) as exc:
        inv.deal(signed_at=datetime.date(2021, 6, 1))
    assert list(exc.value.message_dict) == ["signed_at"]


def test_deal_record_in_a_region_not_in_force_is_refused(inv: InvestmentWorld) -> None:
    # Liangjiang's code came into force in 2025: it hosted no deal in 2021.
    with pytest.raises(ValidationError) as exc:
        inv.deal(host_region=inv.liangjiang, cluster=None)
    assert list(exc.value.message_dict) == ["host_region"]


def test_deal_record_by_an_officer_of_another_district_is_denied(inv: InvestmentWorld) -> None:
    with pytest.raises(PermissionDenied):
        inv.deal(actor=inv.world.users["jiulongpo_officer"])
    assert Deal.objects.count() == 0


def test_deal_record_by_the_liangjiang_officer_in_yubei_is_allowed(inv: InvestmentWorld) -> None:
    deal = inv.deal(actor=inv.world.users["liangjiang_officer"])
    assert deal.host_region == inv.yubei


def test_deal_second_chain_for_one_subject_is_refused_by_the_database(
    inv: InvestmentWorld,
) -> None:
    deal = inv.deal()
    twin = Deal.objects.get(pk=deal.pk)
    twin.pk = None
    twin.is_current = False  # only the one-chain-per-subject constraint can stop it now
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


# Deadlines ------------------------------------------------------------------------------------


def test_add_months_keeps_the_day_or_the_month_end() -> None:
    assert services.add_months(datetime.date(2021, 5, 20), 6) == datetime.date(2021, 11, 20)
    assert services.add_months(datetime.date(2021, 8, 31), 6) == datetime.date(2022, 2, 28)
    assert services.add_months(datetime.date(2021, 11, 30), 3) == datetime.date(2022, 2, 28)


def test_deal_record_contract_sets_the_default_deadlines(inv: InvestmentWorld) -> None:
    deal = inv.deal()  # contract on 20 May 2021; defaults 3, 6, 18, 36 months
    assert (
        deal.registered_due_on,
        deal.construction_due_on,
        deal.in_production_due_on,
        deal.at_capacity_due_on,
    ) == (
        datetime.date(2021, 8, 20),
        datetime.date(2021, 11, 20),
        datetime.date(2022, 11, 20),
        datetime.date(2024, 5, 20),
    )


def test_deal_record_region_deadline_beats_the_province_and_the_default(
    inv: InvestmentWorld,
) -> None:
    chongqing = Region.objects.get(code="500000")
    StepDeadline.objects.create(region=chongqing, step="construction_started", months=9)
    StepDeadline.objects.create(region=chongqing, step="registered", months=2)
    StepDeadline.objects.create(region=inv.yubei, step="construction_started", months=4)

    deal = inv.deal()

    assert deal.registered_due_on == datetime.date(2021, 7, 20)  # Chongqing: 2 months
    assert deal.construction_due_on == datetime.date(2021, 9, 20)  # Yubei's own: 4 months
    assert deal.in_production_due_on == datetime.date(2022, 11, 20)  # default: 18 months


def test_deal_record_intention_has_no_deadline_until_the_contract(inv: InvestmentWorld) -> None:
    intention = inv.deal(kind="intention", amount=YI)
    contract = inv.deal(signed_at=MAY_22, event=inv.promotion)

    assert intention.construction_due_on is None
    assert contract.contract_signed_on == MAY_22
    assert contract.construction_due_on == datetime.date(2021, 11, 22)


# The landing pipeline -------------------------------------------------------------------------


def record(deal: Deal, step: str, day: datetime.date, **extra: object) -> Milestone:
    values: dict[str, object] = {
        "actor": None,
        "deal": deal,
        "step": step,
        "date": day,
        "evidence": evidence(),
        "evidence_kind": "licence",
    }
    values.update(extra)
    return services.milestone_record(**values)  # type: ignore[arg-type]


def test_milestone_record_moves_the_deal_through_the_pipeline(inv: InvestmentWorld) -> None:
    deal = inv.deal()
    officer = inv.world.users["yubei_officer"]
    record(deal, "registered", datetime.date(2021, 6, 1), actor=officer)
    record(deal, "construction_started", datetime.date(2021, 9, 1))
    record(deal, "in_production", datetime.date(2022, 9, 1))
    milestone = record(deal, "at_capacity", datetime.date(2023, 9, 1))

    deal.refresh_from_db()
    assert deal.stage == "at_capacity"
    assert deal.next_step is None
    assert deal.construction_started_on == datetime.date(2021, 9, 1)
    assert Milestone.objects.filter(deal=deal).count() == 4
    assert Milestone.objects.get(deal=deal, step="registered").officer == officer
    assert milestone.evidence.name.startswith(f"investment/milestones/{deal.pk}/at_capacity/")


def test_milestone_record_skipping_a_step_is_refused(inv: InvestmentWorld) -> None:
    deal = inv.deal()
    with pytest.raises(DomainError) as exc:
        record(deal, "construction_started", datetime.date(2021, 9, 1))
    assert exc.value.code == "step_out_of_order"
    assert Milestone.objects.count() == 0


def test_milestone_record_before_the_previous_step_is_refused(inv: InvestmentWorld) -> None:
    deal = inv.deal()
    record(deal, "registered", datetime.date(2021, 6, 1))
    with pytest.raises(ValidationError) as exc:
        record(deal, "construction_started", datetime.date(2021, 5, 31))
    assert exc.value.message_dict == {"date": ["The date cannot be before 2021-06-01."]}
    deal.refresh_from_db()
    assert deal.construction_started_on is None


def test_milestone_record_before_the_signing_is_refused(inv: InvestmentWorld) -> None:
    deal = inv.deal()
    with pytest.raises(ValidationError):
        record(deal, "registered", datetime.date(2021, 5, 19))


def test_milestone_record_without_evidence_is_refused(inv: InvestmentWorld) -> None:
    deal = inv.deal()
    with pytest.raises(ValidationError) as exc:
        record(deal, "registered", datetime.date(2021, 6, 1), evidence=None)
    assert list(exc.value.message_dict) == ["evidence"]


def test_milestone_record_in_the_future_is_refused(inv: InvestmentWorld) -> None:
    deal = inv.deal()
    with pytest.raises(ValidationError):
        record(deal, "registered", datetime.date.today() + datetime.timedelta(days=2))


def test_milestone_record_terminated_ends_the_pipeline(inv: InvestmentWorld) -> None:
    deal = inv.deal()
    record(deal, "registered", datetime.date(2021, 6, 1))
    record(deal, "terminated", datetime.date(2021, 12, 1), evidence_kind="document")

    deal.refresh_from_db()
    assert (deal.status, deal.terminated_on, deal.stage) == (
        DealStatus.TERMINATED,
        datetime.date(2021, 12, 1),
        "terminated",
    )
    with pytest.raises(Conflict):
        record(deal, "construction_started", datetime.date(2022, 1, 1))
    with pytest.raises(Conflict):
        inv.deal(amount=3 * YI, signed_at=datetime.date(2022, 1, 1), event=None)


def test_milestone_record_by_an_officer_of_another_district_is_denied(
    inv: InvestmentWorld,
) -> None:
    deal = inv.deal()
    with pytest.raises(PermissionDenied):
        record(
            deal,
            "registered",
            datetime.date(2021, 6, 1),
            actor=inv.world.users["jiulongpo_officer"],
        )


def test_deal_upgrade_carries_the_pipeline_and_superseded_deal_is_closed(
    inv: InvestmentWorld,
) -> None:
    framework = inv.deal(kind="framework", amount=YI)
    record(framework, "registered", datetime.date(2021, 5, 21))
    contract = inv.deal(amount=2 * YI, signed_at=MAY_22, event=inv.promotion)

    assert contract.registered_on == datetime.date(2021, 5, 21)
    assert contract.next_step == "construction_started"
    with pytest.raises(Conflict):
        record(framework, "construction_started", datetime.date(2021, 6, 1))
    record(contract, "construction_started", datetime.date(2021, 6, 1))


def test_milestone_record_refuses_evidence_that_is_not_a_document(inv: InvestmentWorld) -> None:
    deal = inv.deal()
    with pytest.raises(ValidationError) as raised:
        services.milestone_record(
            actor=None,
            deal=deal,
            step="registered",
            date=datetime.date(2021, 6, 1),
            evidence=ContentFile(b"#!/bin/sh", name="licence.sh"),
            evidence_kind="licence",
        )
    assert "evidence" in raised.value.error_dict
    assert Milestone.objects.count() == 0


def test_deal_funds_record_keeps_the_latest_report(inv: InvestmentWorld) -> None:
    deal = inv.deal()
    services.deal_funds_record(actor=None, deal=deal, amount=YI, as_of=datetime.date(2021, 12, 31))
    with pytest.raises(ValidationError):
        services.deal_funds_record(
            actor=None, deal=deal, amount=2 * YI, as_of=datetime.date(2021, 6, 30)
        )
    deal.refresh_from_db()
    assert (deal.funds_in_place, deal.funds_as_of) == (YI, datetime.date(2021, 12, 31))


def test_deal_document_attach_stores_the_file(inv: InvestmentWorld) -> None:
    deal = inv.deal()
    document = services.deal_document_attach(
        actor=inv.world.users["yubei_officer"], deal=deal, file=evidence("contract.pdf")
    )
    assert document.title == "contract.pdf"
    assert document.original_name == "contract.pdf"
    assert re.fullmatch(rf"investment/deals/{deal.pk}/[0-9a-f]{{32}}\.pdf", document.file.name)
    assert document.uploaded_by == inv.world.users["yubei_officer"]


def test_deal_document_attach_stores_a_long_multibyte_name_under_a_generated_one(
    inv: InvestmentWorld,
) -> None:
    # 300 Chinese characters are 900 bytes of UTF-8: more than a file system allows in a name
    # (255 bytes), so storing the file under it failed with a server error.
    name = "重庆西部投资贸易洽谈会签约项目合同" * 18 + "附件三.pdf"
    assert (len(name), len(name.encode())) == (313, 931)
    deal = inv.deal()
    document = services.deal_document_attach(
        actor=inv.world.users["yubei_officer"], deal=deal, file=evidence(name)
    )
    document.refresh_from_db()
    assert re.fullmatch(rf"investment/deals/{deal.pk}/[0-9a-f]{{32}}\.pdf", document.file.name)
    # Cut by bytes on a character boundary, the extension kept: 83 characters (249 bytes) + ".pdf".
    assert document.original_name == name[:83] + ".pdf"
    assert len(document.original_name.encode()) == 253
    assert document.title == document.original_name
    with document.file.open("rb") as stored:
        assert stored.read() == PDF


def test_milestone_record_keeps_the_evidence_name_and_stores_a_generated_one(
    inv: InvestmentWorld,
) -> None:
    deal = inv.deal()
    milestone = services.milestone_record(
        actor=inv.world.users["yubei_officer"],
        deal=deal,
        step="registered",
        date=datetime.date(2021, 6, 1),
        evidence=evidence("营业执照（张三 13800138000）.pdf"),
        evidence_kind="licence",
    )
    milestone.refresh_from_db()
    assert milestone.evidence_name == "营业执照（张三 13800138000）.pdf"
    assert re.fullmatch(
        rf"investment/milestones/{deal.pk}/registered/[0-9a-f]{{32}}\.pdf", milestone.evidence.name
    )


def test_deal_document_attach_refuses_a_fake_pdf_with_a_clear_error(inv: InvestmentWorld) -> None:
    # The right first bytes, then garbage: a renamed file that only imitates a PDF's header.
    fake = ContentFile(b"%PDF-1.7\n" + bytes(range(256)) * 8, name="contract.pdf")
    deal = inv.deal()
    with pytest.raises(ValidationError) as raised, translation.override("zh-hans"):
        services.deal_document_attach(actor=None, deal=deal, file=fake)
    error = raised.value.error_dict["file"][0]
    with translation.override("zh-hans"):
        assert error.messages == [
            "文件开头像 PDF 文件，却无法按该格式读取：文件可能已损坏、设有密码或是其他类型。"
            "请重新另存为 PDF 后再试。"
        ]
    assert DealDocument.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("contract.exe", b"MZ\x90\x00", "file_type"),
        ("contract.pdf", b"MZ\x90\x00 not a pdf", "file_content"),
        ("photo.png", b"%PDF-1.4 a pdf named png", "file_content"),
    ],
)
def test_deal_document_attach_refuses_other_kinds_of_file(
    inv: InvestmentWorld, name: str, content: bytes, code: str
) -> None:
    deal = inv.deal()
    with pytest.raises(ValidationError) as raised:
        services.deal_document_attach(actor=None, deal=deal, file=ContentFile(content, name=name))
    assert "file" in raised.value.error_dict
    assert DealDocument.objects.count() == 0


def test_deal_document_attach_refuses_a_file_over_the_limit(
    inv: InvestmentWorld, settings: Any
) -> None:
    settings.UPLOAD_MAX_BYTES = 10
    deal = inv.deal()
    with pytest.raises(ValidationError) as raised:
        services.deal_document_attach(actor=None, deal=deal, file=evidence("photo.jpg"))
    assert raised.value.error_dict["file"][0].messages == [
        "The file is 13\xa0bytes; the limit is 10\xa0bytes."
    ]
    assert DealDocument.objects.count() == 0


def test_deal_document_attach_by_the_analyst_is_denied(inv: InvestmentWorld) -> None:
    deal = inv.deal()
    with pytest.raises(PermissionDenied):
        services.deal_document_attach(
            actor=inv.world.users["analyst"], deal=deal, file=evidence("contract.pdf")
        )


# Cluster indicators ---------------------------------------------------------------------------


def test_cluster_indicator_set_replaces_the_year(inv: InvestmentWorld) -> None:
    services.cluster_indicator_set(
        actor=None, cluster=inv.cluster, year=2020, output_value=500 * YI
    )
    indicator = services.cluster_indicator_set(
        actor=inv.world.users["yubei_officer"],
        cluster=inv.cluster,
        year=2020,
        output_value=520 * YI,
        enterprises=130,
    )
    assert ClusterIndicator.objects.count() == 1
    assert (indicator.output_value, indicator.enterprises, indicator.investment) == (
        520 * YI,
        130,
        None,
    )


def test_cluster_indicator_set_without_figures_is_refused(inv: InvestmentWorld) -> None:
    with pytest.raises(ValidationError):
        services.cluster_indicator_set(actor=None, cluster=inv.cluster, year=2020)
    assert ClusterIndicator.objects.count() == 0


def test_cluster_indicator_set_by_another_district_is_denied(inv: InvestmentWorld) -> None:
    with pytest.raises(PermissionDenied):
        services.cluster_indicator_set(
            actor=inv.world.users["jiulongpo_officer"],
            cluster=inv.cluster,
            year=2020,
            enterprises=1,
        )


def test_deal_update_changes_the_officer_and_keeps_the_counting(inv: InvestmentWorld) -> None:
    deal = inv.deal()
    officer = inv.world.users["yubei_officer"]

    updated = services.deal_update(actor=officer, deal=deal, officer=officer, note="跟进中")

    assert (updated.officer, updated.note, updated.counted_amount) == (officer, "跟进中", 2 * YI)


def test_deal_update_identifying_fields_are_not_editable(inv: InvestmentWorld) -> None:
    deal = inv.deal()
    with pytest.raises(TypeError):
        services.deal_update(actor=None, deal=deal, signed_at=datetime.date(2021, 5, 21))


def test_deal_update_amount_keeps_the_chain_counting_its_increments(inv: InvestmentWorld) -> None:
    first = inv.deal(amount=2 * YI)
    upgrade = inv.deal(amount=3 * YI, signed_at=datetime.date(2021, 5, 22), event=inv.promotion)
    officer = inv.world.users["yubei_officer"]

    services.deal_update(actor=officer, deal=first, amount=Decimal("1.5") * YI)

    first.refresh_from_db()
    upgrade.refresh_from_db()
    # Hand-computed: 1.5 yi first, then 3 - 1.5 = 1.5 yi; the chain still adds up to 3 yi.
    assert (first.counted_amount, upgrade.counted_amount) == (
        Decimal("1.5") * YI,
        Decimal("1.5") * YI,
    )
    assert selectors.kpi_summary(region=inv.yubei).amount_signed == 3 * YI
    latest = first.history.latest()
    assert (latest.amount, latest.history_user) == (Decimal("1.5") * YI, officer)


def test_deal_update_refuses_a_zero_amount(inv: InvestmentWorld) -> None:
    deal = inv.deal()
    with pytest.raises(ValidationError) as raised:
        services.deal_update(actor=None, deal=deal, amount=0)
    assert "amount" in raised.value.error_dict
    deal.refresh_from_db()
    assert deal.amount == 2 * YI


def test_deal_update_refuses_an_officer_of_another_district(inv: InvestmentWorld) -> None:
    deal = inv.deal()
    with pytest.raises(ValidationError) as raised:
        services.deal_update(actor=None, deal=deal, officer=inv.world.users["jiulongpo_officer"])
    assert "officer" in raised.value.error_dict


def test_deal_update_by_an_officer_of_another_district_is_denied(inv: InvestmentWorld) -> None:
    deal = inv.deal()
    with pytest.raises(PermissionDenied):
        services.deal_update(actor=inv.world.users["jiulongpo_officer"], deal=deal, note="x")


def test_deal_update_park_of_another_region_is_refused(inv: InvestmentWorld) -> None:
    from xiqia.investment.models import Park

    park = Park.objects.create(region=inv.jiulongpo, name_zh="九龙坡园区")
    deal = inv.deal()
    with pytest.raises(ValidationError):
        services.deal_update(actor=None, deal=deal, park=park)
    deal.refresh_from_db()
    assert deal.park is None
