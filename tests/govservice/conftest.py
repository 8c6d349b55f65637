"""Fixtures for government services: the Jiulongpo–Xindu pairing, its windows, staff, a matter."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import make_user, region
from xiqia.accounts.models import Role
from xiqia.govservice import services
from xiqia.govservice.models import (
    Case,
    CaseState,
    HandlingMode,
    Matter,
    MatterType,
    ResultType,
    StaffKind,
    Window,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
JIULONGPO, XINDU = "500107", "510114"
PHONE = "13800138000"
ID_NUMBER = "11010519491231002X"  # the standard's own worked example, not a real person


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def make_matter(code: str, region_code: str, committed: int = 5, statutory: int = 20) -> Matter:
    matter = Matter.objects.create(code=code, region=region(region_code), is_illustrative=True)
    services.matter_version_publish(
        matter=matter,
        name_zh="食品经营许可（示例）",
        name_en="Food business licence (illustrative)",
        matter_type=MatterType.LICENCE,
        department_zh="市场监督管理局",
        handling_mode=HandlingMode.HERE_THERE,
        statutory_days=statutory,
        committed_days=committed,
        fee=Decimal("0"),
        result_type=ResultType.LICENCE,
        materials=[
            {"name_zh": "申请书", "name_en": "Application form", "form": "original", "copies": 1},
            {"name_zh": "营业执照", "name_en": "Business licence", "form": "copy", "copies": 1},
        ],
    )
    return matter


def make_staff(username: str, window: Window, kind: str) -> Any:
    user = make_user(username, Role.DISTRICT_OFFICER, region=window.region)
    services.window_staff_add(user=user, window=window, kind=kind)
    return user


@dataclass
class GovWorld:
    jiulongpo_window: Window
    xindu_window: Window
    xindu_matter: Matter
    jiulongpo_matter: Matter
    users: dict[str, Any] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)

    def receive(self, matter: Matter | None = None, now: datetime.datetime | None = None) -> Case:
        receipt = services.case_receive(
            window=self.jiulongpo_window,
            matter=matter or self.xindu_matter,
            applicant_name="张三",
            applicant_phone=PHONE,
            applicant_id_number=ID_NUMBER,
            actor=self.users["jlp_clerk"],
            now=now or at(2025, 9, 26, 9),
        )
        self.codes[receipt.case.number] = receipt.verification_code
        return receipt.case

    def advance(self, case: Case, target: str, now: datetime.datetime | None = None) -> Case:
        """Take a case along the main path (or to a side state) until it is in ``target``."""
        now = now or at(2025, 9, 26, 10)
        clerk = self.users["jlp_clerk"]
        handled_here = case.handling_region.code == JIULONGPO
        reviewer = self.users["jlp_reviewer" if handled_here else "xd_reviewer"]
        steps: dict[str, Callable[[Case], Case]] = {
            CaseState.RECEIVED: lambda c: services.case_precheck(case=c, actor=clerk, now=now),
            CaseState.PRECHECK: lambda c: services.case_accept(case=c, actor=clerk, now=now),
            CaseState.ACCEPTED: lambda c: services.case_dispatch(
                case=c, actor=clerk, courier="EMS", waybill="1187654321", now=now
            ),
            CaseState.IN_TRANSIT: lambda c: services.case_deliver(
                case=c,
                actor=reviewer,
                received_material_ids=[m.pk for m in c.matter_version.materials.all()],
                now=now,
            ),
            CaseState.DELIVERED: lambda c: services.case_schedule_review(
                case=c, actor=reviewer, at=now, participants="九龙坡：李；新都：王", now=now
            ),
            CaseState.REVIEW_SCHEDULED: lambda c: services.case_record_review(
                case=c, actor=reviewer, minutes="材料齐全，同意。", now=now
            ),
            CaseState.REVIEWED: lambda c: services.case_decide(
                case=c, actor=reviewer, decision="approved", document="新都审批〔2025〕1号", now=now
            ),
            CaseState.DECIDED: lambda c: services.case_issue_result(
                case=c, actor=reviewer, now=now
            ),
            CaseState.RESULT_ISSUED: lambda c: services.case_recognise(
                case=c, actor=clerk, now=now
            ),
            CaseState.RECOGNISED: lambda c: services.case_close(case=c, actor=clerk, now=now),
            CaseState.CLOSED: lambda c: services.case_rate(case=c, grade=5, now=now),
        }
        side = {
            CaseState.REJECTED: lambda c: services.case_reject(
                case=c, actor=clerk, reason="不属于受理范围", now=now
            ),
            CaseState.SUPPLEMENT: lambda c: services.case_request_supplement(
                case=c, actor=clerk, missing=["营业执照复印件"], now=now
            ),
            CaseState.WITHDRAWN: lambda c: services.case_withdraw(
                case=c, actor=clerk, reason="申请人撤回", now=now
            ),
        }
        if target in side:
            if target != CaseState.WITHDRAWN:
                case = self.advance(case, CaseState.PRECHECK, now)
            return side[target](case)
        while case.state != target:
            case = steps[case.state](case)
        return case


@pytest.fixture
def gov(db: Any) -> GovWorld:
    jiulongpo_window = Window.objects.create(
        region=region(JIULONGPO), code="JLP-01", name_zh="九龙坡区政务服务中心跨省通办窗口"
    )
    xindu_window = Window.objects.create(
        region=region(XINDU), code="XD-01", name_zh="新都区政务服务中心跨省通办窗口"
    )
    world = GovWorld(
        jiulongpo_window=jiulongpo_window,
        xindu_window=xindu_window,
        xindu_matter=make_matter("XD-0001", XINDU),
        jiulongpo_matter=make_matter("JLP-0001", JIULONGPO),
    )
    world.users = {
        "jlp_clerk": make_staff("jlp_clerk", jiulongpo_window, StaffKind.CLERK),
        "jlp_reviewer": make_staff("jlp_reviewer", jiulongpo_window, StaffKind.REVIEWER),
        "jlp_supervisor": make_staff("jlp_supervisor", jiulongpo_window, StaffKind.SUPERVISOR),
        "xd_clerk": make_staff("xd_clerk", xindu_window, StaffKind.CLERK),
        "xd_reviewer": make_staff("xd_reviewer", xindu_window, StaffKind.REVIEWER),
        "xd_supervisor": make_staff("xd_supervisor", xindu_window, StaffKind.SUPERVISOR),
    }
    return world
