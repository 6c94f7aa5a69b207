"""The demo school's third-quarter 2021 supervision round (督查), complete and published.

What the seed says (工作通报〔2021〕第2期 §一, §二): on 09-28 the office (领导小组办公室, 质量发展处)
sent《关于对各部门重点工作目标完成情况进行（第三季度）督查的通知》; every department checked
itself and sent the office a self-check report (自查报告); from 10-05 to 10-14 the office inspected
all 35 departments on five points; as of 09-30, 96 items were due, 94.5 completed, 1.5 not, 98.4 %;
the two incomplete ones are 马克思主义学院's (the VR project's node "因进度原因" missed, since then
"完成招标进入建设阶段"; 教研室优秀数 2 set, 1 reached, 50 %); the archives were "较为规范".

What is invented: the self-check deadline (09-30, the cut-off date and the last workday before the
National Day break: reports are written while the round is announced, before the inspectors
come on 10-05), the times of every step, two departments a day late (审计处, 图书馆), a second
inspector (欧阳督查, no usable password) who goes with 吴督查 to the functional and other
departments and records the five points there, every summary, problem, suggestion and finding,
the archive ratings of single items, and the rectification's deadline (12-31).

Everything goes through the supervision services, so history rows are real; the services stamp
now(), so the 2021 moments are written afterwards with ``QuerySet.update``. The third-quarter nodes
are already sealed by the office in kaohe/demo/progress.py; ``verify_item`` leaves a sealed node as
it is, and each verification takes its node's seal moment (the same on-site day).

Reruns change nothing: the round is found by year and name and left alone once published; a round
stopped half-way (by hand) is taken on from its state.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings

from kaohe.demo import school
from kaohe.demo.progress import MARXISM, ONSITE_DAYS, ONSITE_START, TEACHING_ROOMS, VR_PROJECT
from kaohe.org.models import AssessmentYear, Department, Membership, Role, User
from kaohe.progress.models import ProgressReport, Seal, Status
from kaohe.supervision import services, stats
from kaohe.supervision.models import (
    ArchiveRating,
    Assignment,
    Checkpoint,
    Point,
    Rectification,
    Result,
    SelfCheck,
    SupervisionRound,
    Verification,
)

State = SupervisionRound.State

NAME = "2021年第三季度督查"
PERIOD = (date(2021, 7, 1), date(2021, 9, 30))
NOTICE_DATE = date(2021, 9, 28)
NOTICE_TITLE = "关于对各部门重点工作目标完成情况进行（第三季度）督查的通知"  # the seed's title
SELFCHECK_DEADLINE = date(2021, 9, 30)  # invented, see above
ONSITE_END = date(2021, 10, 14)
ANNOUNCED_AT = (NOTICE_DATE, time(10, 30))
CLOSED_AT = (date(2021, 10, 15), time(17, 0))  # invented: the day after the last visit
PUBLISHED_AT = (date(2021, 10, 19), time(9, 0))  # the bulletin's date
LATE_DEPARTMENTS = ("审计处", "图书馆")  # invented: submitted on 10-01
RECTIFICATION_DEADLINE = date(2021, 12, 31)

# The seed's wording of the two incomplete items.
VR_REASON = "因进度原因未按工作节点完成"
VR_STAGE = "经积极争取已经完成招标进入建设阶段"
ROOMS_REASON = "教研室优秀数目标设置为2个，完成1个，完成率50%"

SECOND_INSPECTOR = ("dc_inspector", "欧阳督查")

BRANDS = {
    "教务处": (
        "教学工作品牌“五改”：改教师、改教法、改教评、改教室、改教材均按方案推进，"
        "双师型教师培养和智慧教学运行可视化控制中心建设进展明显。"
    ),
    "学生处": "学生工作品牌“四养成”：中华经典诵读、政治指导员制度、智慧劳动创造营等载体已在各学院落地。",
    "网信办": "数字校园品牌“十个一”：已完成全校一张网、基础一平台等8项，办事一张表、实况一幅画2项正在推进。",
    "组织部": (
        "党建品牌“一支部一品牌”：经济管理学院教工党支部获评首批全省高校省级样板党支部，"
        "离退休党支部获评省级示范离退休干部党支部。"
    ),
    "宣传统战部": "思政工作品牌“四个自信、四个热爱”：与马克思主义学院共同拟定八个专题，“口袋思政”方案正在制订。",
    MARXISM: (
        "思政工作品牌“四个自信、四个热爱”：八个专题已拟定；红色思政智慧教室及VR综合实训室已完成招标，进入建设阶段。"
    ),
    "后勤处": "重大项目：标准化考场整修、学生宿舍楼门禁管理系统已完成，南校区道路改造可研报告已报发改委待批。",
}
HIGHLIGHTS = {
    "人文学院": "中华经典诵读活动参与3600余人次，作品240余件。",
    "经济管理学院": "获河南省优秀教材一等奖，教师获省级教学能力大赛二等奖。",
    "会计学院": "智慧劳动创造营开设菜鸟训练营、飞鸟集结营和雏鹰计划。",
    "机电工程学院": "学生获第十届全国大学生金相技能大赛三等奖。",
    "太极武术学院": "获河南省健美操排舞锦标赛特等奖、“阳光”排舞锦标赛教工组一等奖。",
    "艺术学院": "获教育部人文社科基金项目立项1项。",
    "土木建筑工程学院": "与国隆科技开展“双导师”“双元制”培养，开设国隆福匠班。",
    "化学与环境工程学院": "建立实验室安全管理闭环（手册、承诺书、演练）。",
    "招生就业处": "招生计划完成率99.81%，就业率89.72%。",
    "对外合作处": "焦作建筑科技职业教育集团于8月17日获批。",
    "科研处": "获批省级科研平台1个、市级科研平台2个。",
    "财务处": "完成贷款置换，每年节约利息198.7万元。",
    "国资处": "建立小额工程供应商库。",
    "校团委": "组织3000余人同上一堂音乐党史课。",
    "编辑部": "学报纸质版与电子版同步出版，自2021年第1期起全国发行。",
}
# seed §七: the problems the office found, as the departments would write them.
HUMANITIES = ("人文学院", "艺术学院", MARXISM, "外国语学院")
PROBLEMS_FUNCTIONAL = (
    "部分工作需上级部门统一安排，目前尚未启动，存在一定的不确定性。",
    "牵头任务分解到相关部门后，缺少量化指标和时间进度安排，推进情况掌握不够及时。",
    "部分佐证材料归档不够及时，需进一步规范。",
)
SUGGESTIONS = {
    "发展规划处": "考核办法仍需继续改进调整：建议对“双高”建设、升本数据等关键指标设置权重。",
    "科研处": "建议对重点工作之外为学校争得荣誉的工作设置加分项。",
    "教务处": "建议精简考核项目，突出核心指标，避免面面俱到。",
    "人事处": "建议将督查结果与年度考核、评优评先更紧密地挂钩。",
    "信息工程学院": "建议督查前提前下发自查模板，便于各部门统一建档。",
    "网信办": "建议重大项目按阶段和节点明确责任部门，实行过程监管。",
    "经济管理学院": "建议社会培训指标按学院实际分类下达。",
}
NO_SUGGESTION = "无其他意见建议。"


def _at(day: date, moment: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, moment, zone)


def _people(departments: list[Department]) -> tuple[dict[int, User], dict[int, User]]:
    """Each department's liaison and head, as kaohe/demo/progress.py picked them."""
    liaisons: dict[int, User] = {}
    heads: dict[int, User] = {}
    found = Membership.objects.active().filter(role__in=[Role.LIAISON, Role.HEAD], department__in=departments)
    for m in found.select_related("user").order_by("user__username"):
        (liaisons if m.role == Role.LIAISON else heads).setdefault(m.department_id, m.user)
    return liaisons, heads


def _second_inspector() -> tuple[User, int]:
    username, name = SECOND_INSPECTOR
    changed = 0
    person = User.objects.filter(username=username).first()
    if person is None:
        person = User(username=username, name=name, must_change_password=False)
        person.set_unusable_password()
        person.save()
        changed += 1
    membership = Membership.objects.filter(user=person, role=Role.INSPECTOR, department=None).first()
    if membership is None or not membership.active:
        membership = membership or Membership(user=person, role=Role.INSPECTOR)
        membership.active = True
        membership.save()
        changed += 1
    return person, changed


def _selfcheck_texts(department: Department, count: int) -> tuple[str, str, str]:
    name = department.name
    if name == MARXISM:
        summary = (
            f"对照学校下达的2021年度目标任务书，我院对第三季度应完成的{count}项重点工作逐项自查。"
            "红色思政智慧教室及VR综合实训室建设项目因进度原因未按工作节点完成，经积极争取已完成招标，现进入建设阶段；"
            "教研室优秀数目标设置为2个，完成1个，完成率50%。全年其他工作目标按计划推进。"
        )
        problems = "VR综合实训室建设项目前期论证和招标用时较长，影响了施工进度；另一教研室距优秀标准仍有差距。"
    else:
        who = "我院" if department.kind == school.TEACHING else "我部门"
        summary = (
            f"对照学校下达的2021年度目标任务书，{who}对第三季度应完成的{count}项重点工作逐项自查，"
            f"截至9月30日{count}项均已按工作节点完成，佐证材料已按“一事一档”要求整理建档。全年工作目标总体按计划推进。"
        )
        rng = random.Random(f"2021/selfcheck/{name}")
        if department.kind == school.TEACHING:
            problems = "社会培训指标完成进度较慢，截至9月底完成不足全年任务的50%。"
            if name in HUMANITIES:
                problems += "人文社科类横向课题来源少，立项难度较大。"
        else:
            problems = rng.choice(PROBLEMS_FUNCTIONAL)
    return summary, problems, SUGGESTIONS.get(name, NO_SUGGESTION)


def _checkpoint_notes(department: Department, items: list[Verification], late: bool) -> dict[int, tuple[bool, str]]:
    completion = stats.completion(i.credit for i in items)
    done, missing = stats.format_count(completion.completed), stats.format_count(completion.not_completed)
    fair = sum(1 for i in items if i.archive_rating == ArchiveRating.FAIR)
    archive = "已完成项目建档规范" if not fair else f"已完成项目建档较为规范，{fair}项材料需补充完善"
    name = department.name
    if department.kind == school.FUNCTIONAL:
        rng = random.Random(f"2021/notifications/{name}")
        notifications = (
            "已按《关于落实工作通报制度有关要求的通知》印发工作通报并报备。"
            if rng.random() < 0.8
            else "工作通报存在不规范、报备不及时的情况，已要求整改。"
        )
    else:
        notifications = "非职能部门，不涉及工作通报制度；已了解部门内部信息通报情况。"
    brand = BRANDS.get(name) or HIGHLIGHTS.get(name) or "了解了部门重点项目推进情况及工作亮点，已记录。"
    if name in BRANDS and name in HIGHLIGHTS:
        brand += HIGHLIGHTS[name]
    year = "全年重点工作目标总体按计划推进。"
    if department.kind == school.TEACHING:
        year += "社会培训指标完成不足50%，需加快进度。"
    if name == MARXISM:
        year += "VR综合实训室须加快施工，确保年底前完成验收。"
    opinions = SUGGESTIONS.get(name, "未提出意见建议。")
    if late:
        opinions += "自查报告晚于截止日期1天提交。"
    return {
        Point.ITEMS: (True, f"应完成{len(items)}项，已完成{done}项，未完成{missing}项；{archive}。"),
        Point.BRANDS: (True, brand),
        Point.NOTIFICATIONS: (True, notifications),
        Point.YEAR: (True, year),
        Point.OPINIONS: (True, opinions),
    }


def _selfchecks(round_: SupervisionRound, departments: list[Department], zone: ZoneInfo) -> int:
    """Each liaison writes and submits the report, each head approves it; then the 2021 moments."""
    changed = 0
    liaisons, heads = _people(departments)
    found = SelfCheck.objects.filter(round=round_).prefetch_related("lines")
    checks = {c.department_id: c for c in found}
    for department in departments:
        check = checks.get(department.pk)
        if check is None or check.state == SelfCheck.State.APPROVED:
            continue
        rng = random.Random(f"2021/selfcheck-times/{department.name}")
        liaison, head = liaisons[department.pk], heads[department.pk]
        if check.is_editable:
            lines = {}
            if department.name == MARXISM:
                for line in check.lines.select_related("verification__node__target"):
                    title = line.verification.node.target.title
                    if title == VR_PROJECT:
                        lines[line.verification_id] = (Status.IN_PROGRESS, f"{VR_REASON}，已完成招标，现进入建设阶段。")
                    elif title == TEACHING_ROOMS:
                        lines[line.verification_id] = (Status.IN_PROGRESS, "目标2个，完成1个，完成率50%。")
            summary, problems, suggestions = _selfcheck_texts(department, len(check.lines.all()))
            check = services.save_selfcheck(
                selfcheck=check,
                by=liaison,
                version=check.version,
                summary=summary,
                problems=problems,
                suggestions=suggestions,
                lines=lines,
            )
            check = services.submit_selfcheck(selfcheck=check, by=liaison)
        services.decide_selfcheck(selfcheck=check, by=head, approve=True)
        if department.name in LATE_DEPARTMENTS:
            day = SELFCHECK_DEADLINE + timedelta(days=1)
            submitted = _at(day, time(rng.randint(8, 10), rng.randint(0, 59)), zone)
        else:
            day = NOTICE_DATE + timedelta(days=rng.randint(1, 2))
            submitted = _at(day, time(rng.randint(8, 16), rng.randint(0, 59)), zone)
        decided = submitted + timedelta(hours=rng.randint(1, 5), minutes=rng.randint(0, 59))
        SelfCheck.objects.filter(pk=check.pk).update(
            submitted_at=submitted, decided_at=decided, late=round_.deadline_passed(submitted)
        )
        changed += 1
    return changed


def _onsite(
    round_: SupervisionRound, departments: list[Department], inspector: User, second: User, office: User, zone: ZoneInfo
) -> int:
    """The visits, 10-05 to 10-14 in the school's order (as progress.py seals): items, five points, finding."""
    changed = 0
    days = {d.pk: ONSITE_START + timedelta(days=n * ONSITE_DAYS // len(departments)) for n, d in enumerate(departments)}
    items = list(
        Verification.objects.filter(round=round_, carried_over=False).select_related("node__target", "department")
    )
    node_ids = [i.node_id for i in items]
    values: dict[int, Decimal | None] = {}
    reports = ProgressReport.objects.approved().filter(node_id__in=node_ids).order_by("node_id", "-decided_at", "-id")
    for node_id, value in reports.values_list("node_id", "actual_value"):
        values.setdefault(node_id, value)
    seals = dict(Seal.objects.filter(node_id__in=node_ids, sealed=True).values_list("node_id", "sealed_at"))
    vr_item = None
    for item in items:
        target = item.node.target
        if target.title == VR_PROJECT and item.department.name == MARXISM:
            vr_item = item
        if item.verified_at is not None:
            continue
        rng = random.Random(f"2021/verify/{target.code}/{item.node.order}")
        rating = ArchiveRating.GOOD if rng.random() < 0.8 else ArchiveRating.FAIR
        fields = {"result": Result.DONE, "archive_rating": rating}
        if target.is_quantified:
            fields["actual_value"] = values.get(item.node_id) or item.node.expected_value
        if item.department.name == MARXISM and target.title == VR_PROJECT:
            fields.update(
                result=Result.NOT_DONE,
                reason=VR_REASON,
                current_stage=VR_STAGE,
                archive_rating=ArchiveRating.FAIR,
                remarks="已查看中标通知书及施工合同。",
            )
        elif item.department.name == MARXISM and target.title == TEACHING_ROOMS:
            fields.update(
                result=Result.PARTIAL,
                actual_value=Decimal("1"),
                reason=ROOMS_REASON,
                current_stage="已对照评估指标督促另一教研室逐项整改。",
            )
        was_sealed = item.node_id in seals
        item = services.verify_item(item=item, by=inspector, version=item.version, **fields)
        moment = seals.get(item.node_id) or _at(
            days[item.department_id], time(rng.randint(9, 16), rng.randint(0, 59)), zone
        )
        Verification.objects.filter(pk=item.pk).update(verified_at=moment)
        if not was_sealed:  # sealed just now by verify_item
            Seal.objects.filter(node_id=item.node_id).update(sealed_at=moment)
        changed += 1

    verified: dict[int, list[Verification]] = {}
    for item in Verification.objects.filter(round=round_, carried_over=False):
        verified.setdefault(item.department_id, []).append(item)
    late = set(SelfCheck.objects.filter(round=round_, late=True).values_list("department_id", flat=True))
    done_points = set(Checkpoint.objects.filter(round=round_, checked=True).values_list("department_id").distinct())
    for department in departments:
        if (department.pk,) in done_points:
            continue
        by = second if department.kind != school.TEACHING else inspector
        notes = _checkpoint_notes(department, verified.get(department.pk, []), department.pk in late)
        services.save_checkpoints(round_=round_, department=department, by=by, points=notes)
        changed += 1

    if vr_item is not None and not Rectification.objects.filter(round=round_, verification=vr_item).exists():
        fix = services.create_rectification(
            round_=round_,
            department=vr_item.department,
            by=office,
            deadline=RECTIFICATION_DEADLINE,
            verification=vr_item,
            finding=(
                f"{VR_PROJECT}{VR_REASON}。须加快施工进度，于12月31日前完成建设并组织验收，"
                "整改情况及佐证材料报领导小组办公室。"
            ),
        )
        Rectification.objects.filter(pk=fix.pk).update(created_at=_at(days[vr_item.department_id], time(17, 30), zone))
        changed += 1
    return changed


def load_round(year: AssessmentYear | None = None) -> int:
    """Create and run the round through to published; return how many changes that took (0 on reruns)."""
    year = year or AssessmentYear.objects.get(year=school.YEAR)
    round_ = SupervisionRound.objects.filter(year=year, name=NAME).first()
    if round_ is not None and round_.state == State.PUBLISHED:
        return 0
    zone = ZoneInfo(settings.TIME_ZONE)
    office = User.objects.get(username="office")
    inspector = User.objects.get(username="inspector")
    second, changed = _second_inspector()
    order = {name: n for n, (name, *_rest) in enumerate(school.DEPARTMENTS)}
    departments = sorted(Department.objects.filter(name__in=order, active=True), key=lambda d: order[d.name])

    if round_ is None:
        round_ = services.create_round(
            year=year,
            by=office,
            name=NAME,
            period_start=PERIOD[0],
            period_end=PERIOD[1],
            notice_date=NOTICE_DATE,
            selfcheck_deadline=SELFCHECK_DEADLINE,
            onsite_start=ONSITE_START,
            onsite_end=ONSITE_END,
        )
        if round_.notice_title != NOTICE_TITLE:
            round_ = services.update_round(round_=round_, notice_title=NOTICE_TITLE)
        changed += 1
    if round_.state == State.DRAFT:
        round_ = services.advance_round(round_=round_, by=office)
        SupervisionRound.objects.filter(pk=round_.pk).update(announced_at=_at(*ANNOUNCED_AT, zone))
        changed += 1
    if round_.state == State.ANNOUNCED:
        existing = set(Assignment.objects.filter(round=round_).values_list("department_id", "inspector_id"))
        for department in departments:
            people = [inspector] if department.kind == school.TEACHING else [inspector, second]
            if {(department.pk, p.pk) for p in people} - existing:
                services.assign_inspectors(round_=round_, department=department, inspectors=people)
                changed += 1
        changed += _selfchecks(round_, departments, zone)
        round_ = services.advance_round(round_=round_, by=office)
        changed += 1
    if round_.state == State.ONSITE:
        changed += _onsite(round_, departments, inspector, second, office, zone)
        round_ = services.advance_round(round_=round_, by=office)
        SupervisionRound.objects.filter(pk=round_.pk).update(closed_at=_at(*CLOSED_AT, zone))
        changed += 1
    if round_.state == State.CLOSED:
        round_ = services.advance_round(round_=round_, by=office)
        SupervisionRound.objects.filter(pk=round_.pk).update(published_at=_at(*PUBLISHED_AT, zone))
        changed += 1
    return changed
