"""Demo data for government services: the Jiulongpo–Xindu pairing, windows, matters, cases.

Facts (from the source document): the government-service departments of Jiulongpo (500107) and
Xindu (510114) paired for cross-province handling (跨省通办), each receiving the other's
matters at its window, with the mode "window intake, courier delivery, multi-site
interconnection, joint video review, completion within a time limit"; the first case after
signing took under 20 minutes from submitting the materials to issuing the result.

Generated (marked ``origin = generated``): the catalogue of matters (plausible, each marked
*illustrative*: the document lists none), the applicants and their cases in every state, and
the window posts of the demo accounts ``jiulongpo`` and ``xindu``. The first case's date and
applicant are illustrative too; its times keep the reported "under 20 minutes".

Generated applicants have phone numbers in the unissued 199 0000 range and no ID number.
Every generated case can be tracked with the verification code ``DEMO_CODE`` (demo only).
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from xiqia.accounts.models import User
from xiqia.core.models import Region
from xiqia.core.origin import Origin
from xiqia.govservice import green_channel, services
from xiqia.govservice.models import (
    Case,
    CaseState,
    EnterpriseRequest,
    HandlingMode,
    LimitClass,
    LimitUnit,
    Matter,
    MatterType,
    PairingAgreement,
    RequestKind,
    RequestState,
    ResultType,
    StaffKind,
    TimeLimit,
    Window,
    WindowStaff,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
JIULONGPO, XINDU = "500107", "510114"
DEMO_CODE = "202105"  # every generated case's verification code (demo data only)
FIRST_CASE = "51011420210301000001"

WINDOWS = [
    (JIULONGPO, "JLP-KSTB", "九龙坡区政务服务中心跨省通办窗口", "Jiulongpo cross-province window"),
    (XINDU, "XD-KSTB", "新都区政务服务中心跨省通办窗口", "Xindu cross-province window"),
]

# Illustrative matters: code, region, names, type, department, mode, statutory, committed, fee,
# result, materials.
MATTERS: list[tuple[Any, ...]] = [
    (
        "XD-SC-001",
        XINDU,
        "食品经营许可（示例）",
        "Food business licence (illustrative)",
        MatterType.LICENCE,
        "新都区市场监督管理局",
        HandlingMode.HERE_THERE,
        20,
        5,
        ResultType.LICENCE,
        [("食品经营许可申请书", "original"), ("营业执照", "copy"), ("经营场所平面图", "copy")],
    ),
    (
        "XD-SC-002",
        XINDU,
        "个体工商户设立登记（示例）",
        "Registration of an individual business (illustrative)",
        MatterType.CONFIRMATION,
        "新都区市场监督管理局",
        HandlingMode.HERE_THERE,
        15,
        1,
        ResultType.LICENCE,
        [("个体工商户设立登记申请书", "original"), ("经营者身份证明", "copy")],
    ),
    (
        "XD-JT-001",
        XINDU,
        "道路货物运输经营许可（示例）",
        "Road freight transport licence (illustrative)",
        MatterType.LICENCE,
        "新都区交通运输局",
        HandlingMode.JOINT,
        20,
        10,
        ResultType.LICENCE,
        [
            ("道路货物运输经营申请表", "original"),
            ("车辆行驶证", "copy"),
            ("驾驶员从业资格证", "copy"),
        ],
    ),
    (
        "JLP-WJ-001",
        JIULONGPO,
        "公共场所卫生许可（示例）",
        "Public-place hygiene licence (illustrative)",
        MatterType.LICENCE,
        "九龙坡区卫生健康委员会",
        HandlingMode.HERE_THERE,
        20,
        7,
        ResultType.LICENCE,
        [("卫生许可申请书", "original"), ("营业执照", "copy"), ("卫生检测报告", "original")],
    ),
    (
        "JLP-RS-001",
        JIULONGPO,
        "社会保险参保登记（示例）",
        "Social insurance registration (illustrative)",
        MatterType.PUBLIC_SERVICE,
        "九龙坡区人力资源和社会保障局",
        HandlingMode.ONLINE,
        5,
        1,
        ResultType.FILING,
        [("参保登记表", "original")],
    ),
]

# Starting values an administrator edits (the source gives none): class, unit, limit, reminder.
TIME_LIMITS = [
    (LimitClass.URGENT, LimitUnit.WORKING_HOURS, 24, 4),
    (LimitClass.GENERAL, LimitUnit.WORKING_DAYS, 5, 1),
    (LimitClass.COMPLEX, LimitUnit.WORKING_DAYS, 15, 3),
]

# The pairing agreement, as the source document states it (article 2, "Cross-province
# services"): the government-service departments of the two districts signed it; the source
# gives no date, so none is stored.
AGREEMENT = {
    "title_zh": "政务服务“跨省通办”结对共建协议",
    "title_en": "Pairing agreement on cross-province handling (跨省通办) of government services",
    "signatories_zh": "九龙坡区政务服务部门；新都区政务服务部门",
    "signatories_en": (
        "the government-service departments of Jiulongpo District and of Xindu District"
    ),
    "scope_zh": (
        "营商环境共建、智慧网络共享、审批结果互认等政务服务领域；"
        "“窗口收件、快递送件、多地互通、视频联审、限时办结”；"
        "企业服务“绿色通道”：政策咨询、诉求处理、融资、人才引进"
    ),
    "scope_en": (
        "Joint work on the business environment, shared smart networks and mutual recognition "
        'of approval results; "window intake, courier delivery of materials, multi-site '
        'interconnection, joint video review, completion within a time limit"; a green '
        "channel for enterprises: policy consultation, requests and complaints, financing, "
        "talent introduction"
    ),
    # Cited as a reader finds it: the newspaper feature on the 2021 fair, its article and
    # section, and the source line it prints. The feature gives the year (its events are "this
    # year", 2021) but no publication date, so none is claimed.
    "source_reference_zh": (
        "第三届中国西部国际投资贸易洽谈会报纸专版（2021年），《重庆九龙坡区唱好“双城记”，"
        "建设示范区》一文“跨省通办，办理跨省业务不再来回跑”一节；"
        "数据来源：中共重庆市九龙坡区委宣传部"
    ),
    "source_reference_en": (
        "Newspaper feature on the 3rd Western China International Fair for Investment and Trade "
        '(2021), article "Jiulongpo District, Chongqing, and Xindu District, Chengdu: a tale of '
        'two cities", section "Cross-province services: no more running back and forth"; '
        "figures from the publicity department of the CPC Jiulongpo District Committee"
    ),
}


def load_facts() -> dict[str, int]:
    """Load the two districts' cross-province windows and the green channel's time limits."""
    windows = 0
    for code, key, name_zh, name_en in WINDOWS:
        _window, created = Window.objects.get_or_create(
            code=key,
            defaults={
                "region": Region.objects.current().get(code=code),
                "name_zh": name_zh,
                "name_en": name_en,
                "origin": Origin.FACT,
            },
        )
        windows += created
    limits = 0
    for limit_class, unit, amount, remind in TIME_LIMITS:
        _limit, created = TimeLimit.objects.get_or_create(
            limit_class=limit_class,
            defaults={"unit": unit, "amount": amount, "remind_before": remind},
        )
        limits += created
    _agreement, agreement = PairingAgreement.objects.get_or_create(
        first_party=Region.objects.current().get(code=JIULONGPO),
        second_party=Region.objects.current().get(code=XINDU),
        defaults={**AGREEMENT, "origin": Origin.FACT},
    )
    return {"windows": windows, "time limits": limits, "agreements": int(agreement)}


def load_generated(rng: random.Random) -> dict[str, int]:
    """Add the illustrative catalogue, the demo accounts' posts and cases in every state."""
    matters = _matters()
    posts = _posts()
    cases = 0 if Case.objects.filter(origin=Origin.GENERATED).exists() else _cases(rng)
    requests = (
        0 if EnterpriseRequest.objects.filter(origin=Origin.GENERATED).exists() else _requests(rng)
    )
    return {"matters": matters, "posts": posts, "cases": cases, "green-channel requests": requests}


def _matters() -> int:
    created = 0
    for (
        code,
        region,
        name_zh,
        name_en,
        kind,
        department,
        mode,
        statutory,
        committed,
        result,
        materials,
    ) in MATTERS:
        if Matter.objects.filter(code=code).exists():
            continue
        matter = Matter.objects.create(
            code=code,
            region=Region.objects.current().get(code=region),
            is_illustrative=True,
            origin=Origin.GENERATED,
        )
        services.matter_version_publish(
            matter=matter,
            name_zh=name_zh,
            name_en=name_en,
            matter_type=kind,
            department_zh=department,
            conditions="示例受理条件：申请材料齐全、符合法定形式。",
            handling_mode=mode,
            statutory_days=statutory,
            committed_days=committed,
            fee=Decimal("0"),
            fee_note="不收费",
            result_type=result,
            materials=[{"name_zh": name, "form": form, "copies": 1} for name, form in materials],
        )
        created += 1
    return created


def _posts() -> int:
    created = 0
    for username, key in (("jiulongpo", "JLP-KSTB"), ("xindu", "XD-KSTB")):
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        window = Window.objects.get(code=key)
        for kind in (StaffKind.CLERK, StaffKind.REVIEWER, StaffKind.SUPERVISOR):
            if not WindowStaff.objects.filter(user=user, window=window, kind=kind).exists():
                services.window_staff_add(user=user, window=window, kind=kind)
                created += 1
    return created


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


# The states along the main path, and the side states, each reached by one generated case.
PATH = [
    CaseState.RECEIVED,
    CaseState.PRECHECK,
    CaseState.ACCEPTED,
    CaseState.IN_TRANSIT,
    CaseState.DELIVERED,
    CaseState.REVIEW_SCHEDULED,
    CaseState.REVIEWED,
    CaseState.DECIDED,
    CaseState.RESULT_ISSUED,
    CaseState.RECOGNISED,
    CaseState.CLOSED,
    CaseState.RATED,
]
SIDE = [CaseState.REJECTED, CaseState.SUPPLEMENT, CaseState.WITHDRAWN]


def _cases(rng: random.Random) -> int:
    from faker import Faker

    fake = Faker("zh_CN")
    fake.seed_instance(rng.randrange(10**9))
    windows = {w.region.code: w for w in Window.objects.select_related("region")}
    staff = {
        JIULONGPO: User.objects.filter(username="jiulongpo").first(),
        XINDU: User.objects.filter(username="xindu").first(),
    }
    matters = list(Matter.objects.filter(origin=Origin.GENERATED).select_related("region"))
    count = 0
    _first_case(windows, staff)
    count += 1
    # Cases of the last weeks, anchored on the day of loading so that queues look alive.
    today = timezone.localdate()
    targets = PATH + SIDE + rng.choices(PATH, k=13)
    for sequence, target in enumerate(targets, start=2):
        matter = rng.choice(matters)
        receiving = JIULONGPO if matter.region.code == XINDU else XINDU
        if rng.random() < 0.25:  # some are received in the matter's own district
            receiving = matter.region.code
        received_on = today - datetime.timedelta(days=rng.randrange(7, 35))
        _generated_case(
            sequence=sequence,
            matter=matter,
            window=windows[receiving],
            staff=staff,
            target=target,
            received_on=received_on,
            name=fake.name(),
            rng=rng,
        )
        count += 1
    return count


def _first_case(windows: dict[str, Window], staff: dict[str, Any]) -> None:
    """The first cross-province case: a Xindu matter received in Jiulongpo, in 18 minutes."""
    day = datetime.date(2021, 3, 1)  # illustrative: the document gives no date
    matter = Matter.objects.get(code="XD-SC-002")
    receipt = services.case_receive(
        window=windows[JIULONGPO],
        matter=matter,
        applicant_name="示例申请人",
        applicant_phone="19900000001",
        actor=staff[JIULONGPO],
        now=_at(day, 9, 0),
        origin=Origin.GENERATED,
        number=FIRST_CASE,
        verification_code=DEMO_CODE,
    )
    case = receipt.case
    clerk, reviewer = staff[JIULONGPO], staff[XINDU]
    services.case_precheck(case=case, actor=clerk, now=_at(day, 9, 2))
    services.case_accept(case=case, actor=clerk, now=_at(day, 9, 4))
    services.case_dispatch(
        case=case, actor=clerk, courier="电子材料同步流转", waybill="E-0001", now=_at(day, 9, 5)
    )
    services.case_deliver(
        case=case,
        actor=reviewer,
        received_material_ids=[m.pk for m in case.matter_version.materials.all()],
        now=_at(day, 9, 7),
    )
    services.case_schedule_review(
        case=case,
        actor=reviewer,
        at=_at(day, 9, 8),
        participants="九龙坡区政务服务中心窗口人员；新都区市场监督管理局审批人员",
        now=_at(day, 9, 8),
    )
    services.case_record_review(
        case=case, actor=reviewer, minutes="视频联审：材料齐全，符合法定形式。", now=_at(day, 9, 13)
    )
    services.case_decide(
        case=case,
        actor=reviewer,
        decision="approved",
        document="新都市监个登〔2021〕示例1号",
        now=_at(day, 9, 15),
    )
    services.case_issue_result(case=case, actor=reviewer, now=_at(day, 9, 18))
    services.case_recognise(case=case, actor=clerk, now=_at(day, 9, 25))
    services.case_close(case=case, actor=clerk, now=_at(day, 9, 26))
    services.case_rate(case=case, grade=5, comment="跨省办事不用来回跑。", now=_at(day, 10))


def _generated_case(
    *,
    sequence: int,
    matter: Matter,
    window: Window,
    staff: dict[str, Any],
    target: str,
    received_on: datetime.date,
    name: str,
    rng: random.Random,
) -> Case:
    clerk = staff[window.region.code]
    reviewer = staff[matter.region.code]
    minute = rng.randrange(0, 50)
    start = _at(received_on, 9, minute)
    receipt = services.case_receive(
        window=window,
        matter=matter,
        applicant_name=name,
        applicant_phone=f"1990000{sequence:04d}",
        actor=clerk,
        now=start,
        origin=Origin.GENERATED,
        number=f"{window.region.code}{received_on:%Y%m%d}{sequence:06d}",
        verification_code=DEMO_CODE,
    )
    case = receipt.case
    step = [start]

    def later(minutes: int) -> datetime.datetime:
        step[0] = step[0] + datetime.timedelta(minutes=minutes)
        return step[0]

    def next_day() -> datetime.datetime:
        step[0] = step[0] + datetime.timedelta(days=1)
        return step[0]

    materials = [m.pk for m in case.matter_version.materials.all()]
    if target == CaseState.RECEIVED:
        return case
    services.case_precheck(case=case, actor=clerk, now=later(rng.randrange(2, 20)))
    if target == CaseState.REJECTED:
        services.case_reject(
            case=case, actor=clerk, reason="不属于本事项受理范围（示例）", now=later(10)
        )
        return case
    if target == CaseState.SUPPLEMENT:
        services.case_request_supplement(
            case=case, actor=clerk, missing=["营业执照复印件", "授权委托书"], now=later(10)
        )
        return case
    if target == CaseState.WITHDRAWN:
        services.case_withdraw(case=case, actor=clerk, reason="申请人申请撤回", now=later(15))
        return case
    if target == CaseState.PRECHECK:
        return case
    services.case_accept(case=case, actor=clerk, now=later(rng.randrange(5, 60)))
    moves: list[tuple[str, Any]] = [
        (
            CaseState.IN_TRANSIT,
            lambda: services.case_dispatch(
                case=case, actor=clerk, courier="EMS", waybill=f"11{sequence:09d}", now=later(60)
            ),
        ),
        (
            CaseState.DELIVERED,
            lambda: services.case_deliver(
                case=case, actor=reviewer, received_material_ids=materials, now=next_day()
            ),
        ),
        (
            CaseState.REVIEW_SCHEDULED,
            lambda: services.case_schedule_review(
                case=case,
                actor=reviewer,
                at=next_day(),
                participants="两地窗口与审批人员（示例）",
                now=later(30),
            ),
        ),
        (
            CaseState.REVIEWED,
            lambda: services.case_record_review(
                case=case, actor=reviewer, minutes="视频联审纪要（示例）", now=later(60)
            ),
        ),
        (
            CaseState.DECIDED,
            lambda: services.case_decide(
                case=case,
                actor=reviewer,
                decision="approved" if rng.random() < 0.9 else "refused",
                document=f"示例决定〔{received_on:%Y}〕{sequence}号",
                reason="不符合法定条件（示例）",
                now=later(30),
            ),
        ),
        (
            CaseState.RESULT_ISSUED,
            lambda: services.case_issue_result(case=case, actor=reviewer, now=later(30)),
        ),
        (
            CaseState.RECOGNISED,
            lambda: services.case_recognise(case=case, actor=clerk, now=next_day()),
        ),
        (CaseState.CLOSED, lambda: services.case_close(case=case, actor=clerk, now=later(10))),
        (
            CaseState.RATED,
            lambda: services.case_rate(
                case=case,
                grade=rng.choices([5, 4, 3, 2, 1], weights=[60, 25, 8, 5, 2])[0],
                now=later(120),
            ),
        ),
    ]
    for _state, move in moves:
        if case.state == target:
            break
        move()
        case.refresh_from_db()
    return case


# Green-channel requests: generated enterprises' requests in every state ---------------------

REQUESTS: list[tuple[str, str, str, str]] = [
    # kind, enterprise (generated, marked 示例), subject, body
    (
        RequestKind.POLICY,
        "示例机械制造有限公司",
        "咨询技术改造补助政策（示例）",
        "请问本年度技术改造项目补助的申报条件和截止时间。",
    ),
    (
        RequestKind.COMPLAINT,
        "示例食品有限公司",
        "厂区道路施工影响货车通行（示例）",
        "厂区门口道路施工已两周，货车无法进出，请协调。",
    ),
    (
        RequestKind.FINANCING,
        "示例新材料科技有限公司",
        "申请科技型企业信用贷款对接（示例）",
        "企业拟扩大产能，希望对接银行的科技型企业信用贷款。",
    ),
    (
        RequestKind.TALENT,
        "示例轨道交通装备有限公司",
        "引进焊接工程师的人才政策（示例）",
        "拟引进三名高级焊接工程师，咨询住房与子女入学支持。",
    ),
]
ANSWERS = {
    "dispatch": "区经济和信息化委员会（示例）",
    "handle": "已电话联系企业，正在会同相关部门办理（示例）。",
    "answer": "已书面答复企业，并告知后续办理渠道（示例）。",
}
REQUEST_PATH = [
    RequestState.RECEIVED,
    RequestState.DISPATCHED,
    RequestState.HANDLED,
    RequestState.ANSWERED,
    RequestState.CLOSED,
    RequestState.RATED,
]


def _requests(rng: random.Random) -> int:
    """Generate requests in both districts, every state at least once, some overdue."""
    staff = {code: User.objects.filter(username=name).first() for code, name in STAFF_USERS}
    regions = {code: Region.objects.current().get(code=code) for code, _name in STAFF_USERS}
    today = timezone.localdate()
    targets = REQUEST_PATH + REQUEST_PATH + rng.choices(REQUEST_PATH[:3], k=4)
    for sequence, target in enumerate(targets, start=1):
        code = (JIULONGPO, XINDU)[sequence % 2]
        kind, enterprise, subject, body = REQUESTS[sequence % len(REQUESTS)]
        back = rng.randrange(0, 10) if target in REQUEST_PATH[:3] else rng.randrange(10, 28)
        received = min(
            _at(today - datetime.timedelta(days=back), 9, rng.randrange(60)), timezone.now()
        )
        receipt = green_channel.request_receive(
            region=regions[code],
            kind=kind,
            enterprise_name=enterprise,
            contact_name="示例联系人",
            contact_phone=f"1990001{sequence:04d}",
            subject=subject,
            body=body,
            limit_class=rng.choice(LimitClass.values),
            actor=None,
            now=received,
            origin=Origin.GENERATED,
            number=f"GC{code}{received:%Y%m%d}{sequence:06d}",
            verification_code=DEMO_CODE,
        )
        request = receipt.request
        moment = received
        for action in ("dispatch", "handle", "answer", "close", "rate"):
            if request.state == target:
                break
            moment = min(moment + datetime.timedelta(hours=rng.randrange(1, 30)), timezone.now())
            request = green_channel.request_act(
                request=request,
                action=action,
                actor=None if action == "rate" else staff[code],
                text=ANSWERS.get(action, ""),
                grade=rng.choices([5, 4, 3, 2, 1], weights=[60, 25, 8, 5, 2])[0],
                now=moment,
            )
    green_channel.requests_remind()
    return len(targets)


STAFF_USERS = [(JIULONGPO, "jiulongpo"), (XINDU, "xindu")]
