"""Cross-province handling in a real browser, end to end.

A Jiulongpo clerk receives a case for a Xindu matter and records the waybill; a Xindu reviewer
takes delivery, runs the joint video review and approves; the Jiulongpo clerk delivers the
result and closes; the applicant tracks the case without an account and rates it poorly; the
Jiulongpo supervisor finds the follow-up and closes it with a response.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD, make_user, region
from tests.e2e.conftest import sign_in
from tests.govservice.conftest import make_matter
from xiqia.accounts.models import Role
from xiqia.govservice import services
from xiqia.govservice.models import FollowUp, StaffKind, Window


@pytest.fixture
def site(transactional_db: Any, live_server: Any) -> str:
    jiulongpo = Window.objects.create(
        region=region("500107"), code="JLP-01", name_zh="九龙坡区跨省通办窗口"
    )
    xindu = Window.objects.create(
        region=region("510114"), code="XD-01", name_zh="新都区跨省通办窗口"
    )
    make_matter("XD-0001", "510114")
    clerk = make_user("jlp_clerk", Role.DISTRICT_OFFICER, region=jiulongpo.region)
    for kind in (StaffKind.CLERK, StaffKind.SUPERVISOR):
        services.window_staff_add(user=clerk, window=jiulongpo, kind=kind)
    reviewer = make_user("xd_reviewer", Role.DISTRICT_OFFICER, region=xindu.region)
    services.window_staff_add(user=reviewer, window=xindu, kind=StaffKind.REVIEWER)
    return live_server.url


def act(page: Any, action: str) -> None:
    page.click(f"[data-action-form={action}] button[type=submit]")
    page.wait_for_load_state()


def test_cross_province_case_from_window_to_follow_up(page: Any, site: str) -> None:
    # The Jiulongpo clerk receives a Xindu matter.
    sign_in(page, site, "jlp_clerk", PASSWORD)
    page.goto(f"{site}/govservice/cases/new/")
    page.select_option(
        "#id_matter", label=page.locator("#id_matter option", has_text="食品经营许可").inner_text()
    )
    page.fill("#id_applicant_name", "王五")
    page.fill("#id_applicant_phone", "13800138000")
    page.click("[data-action=receive-submit]")
    number = page.locator("[data-receipt-number]").inner_text()
    code = page.locator("[data-receipt-code]").inner_text()
    page.click("[data-action=open-case]")
    case_url = page.url
    act(page, "precheck")
    act(page, "accept")
    page.fill("#id_dispatch-courier", "EMS")
    page.fill("#id_dispatch-waybill", "1187654321")
    act(page, "dispatch")
    expect(page.locator("[data-waybill]")).to_contain_text("1187654321")
    expect(page.locator("[data-state]")).to_have_attribute("data-state", "in_transit")

    # The Xindu reviewer takes delivery, runs the joint review and approves.
    page.context.clear_cookies()
    sign_in(page, site, "xd_reviewer", PASSWORD)
    page.goto(f"{site}/govservice/")
    page.click(f"[data-case='{number}'] a")
    for box in page.locator("[data-action-form=deliver] input[type=checkbox]").all():
        box.check()
    act(page, "deliver")
    page.fill("#id_schedule_review-at", "2030-01-07T10:00")
    page.fill("#id_schedule_review-participants", "九龙坡：窗口人员；新都：审批人员")
    act(page, "schedule_review")
    page.fill("#id_record_review-minutes", "视频联审：材料齐全，同意。")
    act(page, "record_review")
    page.check("[data-action-form=decide] input[value=approved]")
    page.fill("#id_decide-document", "新都审批〔2030〕1号")
    act(page, "decide")
    act(page, "issue_result")
    expect(page.locator("[data-decision]")).to_have_attribute("data-decision", "approved")

    # Back in Jiulongpo: the result is delivered, the case closed.
    page.context.clear_cookies()
    sign_in(page, site, "jlp_clerk", PASSWORD)
    page.goto(case_url)
    act(page, "recognise")
    act(page, "close")
    expect(page.locator("[data-state]")).to_have_attribute("data-state", "closed")

    # The applicant tracks the case without an account and rates it poorly.
    page.context.clear_cookies()
    page.goto(f"{site}/govservice/track/")
    page.fill("#id_number", number)
    page.fill("#id_code", code)
    page.click("[data-action=track]")
    expect(page.locator("[data-state]")).to_have_attribute("data-state", "closed")
    assert number not in page.url and code not in page.url
    page.check("input[name=grade][value='2']")
    page.fill("#id_comment", "等待时间较长")
    page.click("[data-action=rate]")
    expect(page.locator("[data-rated]")).to_be_visible()

    # The poor rating opened a follow-up; the supervisor closes it with a response.
    page.context.clear_cookies()
    sign_in(page, site, "jlp_clerk", PASSWORD)
    page.goto(f"{site}/govservice/follow-ups/")
    row = page.locator(f"[data-follow-up='{number}']")
    expect(row).to_have_attribute("data-open", "yes")
    row.locator("[data-action=respond]").click()
    page.fill("#id_response", "已电话回访，说明原因并改进流程。")
    page.click("[data-action=close-follow-up]")
    expect(page.locator(f"[data-follow-up='{number}']")).to_have_attribute("data-open", "no")
    assert FollowUp.objects.get().response == "已电话回访，说明原因并改进流程。"


def test_green_channel_request_from_submission_to_rating(page: Any, site: str) -> None:
    from xiqia.govservice.models import EnterpriseRequest, LimitClass, TimeLimit

    TimeLimit.objects.create(limit_class=LimitClass.GENERAL, amount=5, remind_before=1)

    # An enterprise submits a financing request to Xindu, without an account.
    page.goto(f"{site}/govservice/green-channel/submit/")
    page.select_option(
        "#id_region", label=page.locator("#id_region option", has_text="新都").inner_text()
    )
    page.check("input[name=kind][value=financing]")
    page.fill("#id_enterprise_name", "成都宝钢制罐有限公司")
    page.fill("#id_contact_name", "刘经理")
    page.fill("#id_contact_phone", "13800138000")
    page.fill("#id_subject", "技改贷款贴息")
    page.fill("#id_body", "咨询技改项目贷款贴息政策及申报流程。")
    page.click("[data-action=request-submit]")
    number = page.locator("[data-receipt-number]").inner_text()
    code = page.locator("[data-receipt-code]").inner_text()

    # A Xindu officer finds it in the green-channel queue, dispatches, handles and answers it.
    sign_in(page, site, "xd_reviewer", PASSWORD)
    page.goto(f"{site}/govservice/green-channel/")
    page.click(f"[data-request='{number}'] a")
    page.fill("#id_dispatch-text", "新都区金融工作局")
    act(page, "dispatch")
    expect(page.locator("[data-department]")).to_contain_text("新都区金融工作局")
    page.fill("#id_handle-text", "已对接两家银行。")
    act(page, "handle")
    page.fill("#id_answer-text", "符合贴息条件，申报材料清单已发送。")
    act(page, "answer")
    act(page, "close")
    expect(page.locator("[data-state]")).to_have_attribute("data-state", "closed")

    # The enterprise follows the request by number and code, reads the answer and rates it.
    page.context.clear_cookies()
    page.goto(f"{site}/govservice/green-channel/track/")
    page.fill("#id_number", number)
    page.fill("#id_code", code)
    page.click("[data-action=request-track]")
    expect(page.locator("[data-answer]")).to_contain_text("符合贴息条件")
    assert number not in page.url and code not in page.url
    page.check("input[name=grade][value='5']")
    page.click("[data-action=rate]")
    expect(page.locator("[data-rated]")).to_be_visible()
    assert EnterpriseRequest.objects.get(number=number).grade == 5
