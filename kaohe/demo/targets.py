"""The demo school's 2021 target plans (年度目标任务书): 35 plans, their targets and nodes.

Where the facts come from
-------------------------
The seed bulletin (工作通报〔2021〕第2期, ``shared/seed/000_6f0381034bdf852e.txt``) tells what the
departments worked on in 2021, not their plans. So:

- A line marked ``# seed`` takes its title (and, where said, its figure or date) from the
  bulletin; the section is given (三 brands, 四 major projects, 五 highlights, 七 problems).
- Everything else is invented and plausible: the other targets, every weight, every target
  value the seed does not state, every node date and deliverable, the people responsible (names
  made up, except 钱处长 and 李院长, the demo heads of school.PEOPLE) and the department codes.

The one figure the demo must reproduce is the seed's round: "截至9月30日 … 应完成96项". Here
that is ``q3_due_nodes(2021).count() == 96`` (see that function for the rule), with
马克思主义学院's two incomplete items among them: 红色思政智慧教室及VR综合实训室建设项目 (its
construction node due 2021-09-15) and 教研室优秀数 (target 2 个, Q3 node expecting 2).

Loading
-------
``load_targets`` compares before it writes (django-simple-history keeps a version of every save):
a second run changes nothing and returns 0, and whatever differs from this data (a changed node,
a deleted target, a withdrawn share, a plan put back to draft) is put right through the plan
services. Targets of the year whose codes are not the demo's are left alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet

from kaohe.demo import school
from kaohe.org.models import AssessmentYear, Department, User
from kaohe.plans import services
from kaohe.plans.models import Category, IndicatorKind, Node, Target, TargetPlan

KEY, MAJOR, BRAND, ROUTINE, BONUS = Category.KEY, Category.MAJOR, Category.BRAND, Category.ROUTINE, Category.BONUS
MILESTONE, QUANTIFIED = IndicatorKind.MILESTONE, IndicatorKind.QUANTIFIED

# Short ASCII codes for the target codes ("2021-JWC-01"); invented, mostly from the pinyin initials.
CODES: dict[str, str] = {
    "马克思主义学院": "MKS",
    "人文学院": "RW",
    "经济管理学院": "JG",
    "会计学院": "KJ",
    "机电工程学院": "JD",
    "太极武术学院": "TJWS",
    "艺术学院": "YS",
    "土木建筑工程学院": "TMJZ",
    "化学与环境工程学院": "HG",
    "信息工程学院": "XX",
    "外国语学院": "WY",
    "继续教育学院": "JJ",
    "教务处": "JWC",
    "学生处": "XSC",
    "网信办": "WXB",
    "组织部": "ZZB",
    "宣传统战部": "XCB",
    "后勤处": "HQC",
    "招生就业处": "ZJC",
    "对外合作处": "DWC",
    "科研处": "KYC",
    "人事处": "RSC",
    "纪委/监察专员办公室": "JW",
    "校团委": "TW",
    "编辑部": "BJB",
    "财务处": "CWC",
    "国资处": "GZC",
    "质量发展处": "ZLC",
    "保卫处": "BWC",
    "党政办公室": "DZB",
    "审计处": "SJC",
    "发展规划处": "GHC",
    "图书馆": "TSG",
    "工会": "GH",
    "档案馆": "DAG",
}

# Every 2021 plan is approved: the seed counts 96 due items in the third quarter, 工会's and 档案馆's
# among them, so by then every department's plan was in force. A department's entry here (e.g.
# TargetPlan.State.RETURNED) would leave its plan at that state instead.
PLAN_STATES: dict[str, str] = {}
RETURN_REASON = "教职工文体活动只有年中和年底两个节点，请按季度细化工作节点后重新提交。"

# 社会培训指标 (seed §七.1: "社会培训指标，大部分院部完成率低于50%"). The seed does not say who
# leads it. 继续教育学院 (an invented department) leads it: non-degree social training is what a
# continuing-education college exists for, whereas 教务处 runs full-time teaching and 对外合作处
# the partnerships with companies. It is the 1st target of 继续教育学院, split to the other eleven
# teaching departments (a lead department gives no share to itself). The value and the shares
# are invented; the shares add up to the value exactly.
SOCIAL_TRAINING_LEAD = "继续教育学院"
SOCIAL_TRAINING_VALUE = Decimal("3000")
SOCIAL_TRAINING_SHARES: dict[str, Decimal] = {
    "马克思主义学院": Decimal("150"),
    "人文学院": Decimal("300"),
    "经济管理学院": Decimal("350"),
    "会计学院": Decimal("300"),
    "机电工程学院": Decimal("350"),
    "太极武术学院": Decimal("200"),
    "艺术学院": Decimal("200"),
    "土木建筑工程学院": Decimal("350"),
    "化学与环境工程学院": Decimal("300"),
    "信息工程学院": Decimal("300"),
    "外国语学院": Decimal("200"),
}
# Each share has one node, at the year's end, like the parent's own node. Not in Q3 on purpose:
# the seed's Q3 round found only 马克思主义学院 incomplete, yet most colleges were under 50 % of
# their 社会培训 share, so the shares were not due by 09-30; the office looked at them as
# full-year progress (inspection point 4).
SOCIAL_TRAINING_DUE = "12-31"


def q3_due_nodes(year: AssessmentYear | int) -> QuerySet[Node]:
    """The due items of the year's third-quarter round (07-01 to 09-30), the seed's 96.

    The rule: nodes due in the quarter of targets of that year that are not withdrawn, except
    the nodes of split parents (``is_split``): a lead department's school-wide target is
    reported as the sum of its shares and is not itself a due item (domain.md §3); its shares
    are, each in its college. Whatever the plan's state.
    """
    number = year.year if isinstance(year, AssessmentYear) else int(year)
    return (
        Node.objects.due_between(date(number, 7, 1), date(number, 9, 30))
        .filter(target__year__year=number, target__is_split=False)
        .select_related("target__plan__department")
    )


# The data -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """One target as the demo wants it; nodes are (MM-DD, deliverable, expected value)."""

    title: str
    category: str
    weight: Decimal
    responsible: str
    nodes: tuple[tuple[str, str, Decimal | None], ...]
    kind: str = MILESTONE
    target_value: Decimal | None = None
    unit: str = ""
    core: bool = False
    co: tuple[str, ...] = ()
    description: str = ""
    is_split: bool = False


def _d(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def milestone(title, category, weight, responsible, nodes, *, core=False, co=(), description="") -> Spec:
    """A milestone target: done or not done, each node with its deliverable."""
    return Spec(
        title,
        category,
        _d(weight),
        responsible,
        tuple((due, deliverable, None) for due, deliverable in nodes),
        core=core,
        co=tuple(co),
        description=description,
    )


def quantified(title, category, weight, responsible, value, unit, nodes, *, core=False, co=(), description=""):
    """A quantified target; nodes are (MM-DD, cumulative expected value[, deliverable])."""
    return Spec(
        title,
        category,
        _d(weight),
        responsible,
        tuple((n[0], n[2] if len(n) > 2 else "", _d(n[1])) for n in nodes),
        kind=QUANTIFIED,
        target_value=_d(value),
        unit=unit,
        core=core,
        co=tuple(co),
        description=description,
    )


QUARTER_ENDS = ("03-31", "06-30", "09-30", "12-31")


def quarterly(title, category, weight, responsible, value, unit, values, *, deliverable="", core=False) -> Spec:
    """A quarterly indicator: one target with four nodes, the cumulative value at each quarter's end."""
    return quantified(
        title,
        category,
        weight,
        responsible,
        value,
        unit,
        [(due, v, deliverable) for due, v in zip(QUARTER_ENDS, values, strict=True)],
        core=core,
    )


def notification_duty(responsible: str, weight=10) -> Spec:
    """通报制度执行 (seed §六: the functional departments' notifications, checked up to 09-30)."""
    return milestone(
        "通报制度执行",
        ROUTINE,
        weight,
        responsible,
        [(due, f"第{n}季度工作通报按时印发并报备") for n, due in zip("一二三四", QUARTER_ENDS, strict=True)],
        description="按《关于落实工作通报制度有关要求的通知》按季度印发工作通报，并向考核办报备。",
    )


def college_basics(dean: str, vice: str, *, upgrade, employment, horizontal, masters) -> list[Spec]:
    """What every college is held to (invented values): 40 of its 100 weight points."""
    return [
        quantified("专升本上线率", KEY, 10, vice, upgrade, "%", [("06-30", upgrade, "专升本成绩公布后统计上线率")]),
        quantified(
            "就业率",
            KEY,
            15,
            dean,
            employment,
            "%",
            [("08-31", employment - 3, "初次就业率统计表"), ("12-31", employment, "年终就业率统计表")],
            core=True,
        ),
        # seed §七.1: 横向课题 are hard for the humanities colleges
        quantified("横向课题", KEY, 10, vice, horizontal, "项", [("12-31", horizontal, "横向课题合同及到账凭证")]),
        # seed §三(一)1: 47 院级教学名师 in 2021; their spread over the ten colleges is invented
        quantified(
            "院级教学名师评选", ROUTINE, 5, dean, masters, "人", [("06-30", masters, "院级教学名师评选结果公示")]
        ),
    ]


def lab_project(title, responsible, weight=15, *, q3="完成招标，进入建设阶段") -> Spec:
    """One of 教务处's ten labs under construction (seed §四(三)2), in its college's plan."""
    return milestone(
        title,
        MAJOR,
        weight,
        responsible,
        [("05-31", "完成建设方案论证"), ("09-30", q3), ("12-20", "完成建设并通过验收")],
        co=("教务处",),
    )


def department_data() -> dict[str, list[Spec]]:
    """Every department's own targets in plan order (the 社会培训 shares come from the split).

    Weights add up to 100 per plan; a college's own targets add up to 90 because its
    社会培训 share carries the parent's weight, 10.
    """
    return {
        "马克思主义学院": [
            # seed §二: the incomplete major project; its construction node was missed in Q3
            milestone(
                "红色思政智慧教室及VR综合实训室建设项目",
                MAJOR,
                20,
                "李院长",
                [
                    ("05-31", "完成建设方案论证"),
                    ("09-15", "完成招标与施工建设，实训室投入使用"),
                    ("12-20", "完成项目验收"),
                ],
                core=True,
                co=("教务处",),
                description="马院思政智慧教室VR综合实训室，列入教务处在建实训室项目。",
            ),
            # seed §二: "教研室优秀数目标设置为2个，完成1个"
            quantified("教研室优秀数", KEY, 10, "赵红梅", 2, "个", [("09-30", 2, "教研室评估结果")], core=True),
            # seed §三(五): 思政工作品牌, with 宣传统战部
            milestone(
                "思政工作品牌“四个自信、四个热爱”建设",
                BRAND,
                15,
                "李院长",
                [("05-31", "确定品牌主题及八个专题框架"), ("11-30", "完成八个专题文稿及品牌展示作品")],
                co=("宣传统战部",),
            ),
            # seed §三(一)1: 思政课教学展示 一等奖1名、三等奖1名 (the target of 2 is invented)
            quantified("全国高校思政课教学展示活动获奖", KEY, 15, "赵红梅", 2, "项", [("12-15", 2, "获奖证书")]),
            quantified(
                "课程思政示范项目",
                KEY,
                10,
                "孙文博",
                2,
                "项",
                [("06-30", 1, "课程思政示范课程申报书"), ("12-31", 2, "立项文件")],
            ),
            quantified("横向课题", KEY, 10, "孙文博", 1, "项", [("12-31", 1, "横向课题合同及到账凭证")]),
            milestone(
                "教工党支部“一支部一品牌”创建",
                BRAND,
                10,
                "王立新",
                [("06-30", "制定支部品牌创建方案"), ("12-20", "形成支部品牌案例")],
            ),
        ],
        "人文学院": [
            *college_basics("刘建华", "张丽", upgrade=55, employment=86, horizontal=1, masters=5),
            # seed §三(二)1: 中华经典诵读, 3600余名师生, 240余件作品
            milestone(
                "中华经典诵读品牌活动",
                BRAND,
                20,
                "刘建华",
                [("05-31", "完成校内经典诵读展演"), ("09-30", "完成新生经典诵读展演"), ("12-31", "形成品牌建设总结")],
            ),
            lab_project("人文学院多功能编辑实训室建设", "张丽"),  # seed §四(三)2
            quantified("课程思政示范项目", KEY, 10, "张丽", 1, "项", [("12-31", 1, "立项文件")]),
            # seed §三(四): 入选焦作市2020年度组织工作创新项目案例选编
            milestone(
                "党建创新案例入选市级案例选编",
                BONUS,
                5,
                "刘建华",
                [("03-31", "《中华经典诵读，传承中国文化》案例材料")],
            ),
        ],
        "经济管理学院": [
            *college_basics("陈志强", "黄晓燕", upgrade=60, employment=90, horizontal=3, masters=5),
            lab_project("旅游虚拟仿真实训室建设", "黄晓燕"),  # seed §四(三)2, §五(一)4
            # seed §三(二)2: 政治指导员制度
            milestone(
                "政治指导员制度建设",
                BRAND,
                10,
                "陈志强",
                [
                    ("03-31", "印发政治指导员制度实施方案"),
                    ("09-30", "新学期各行政班级政治指导员全部到岗"),
                    ("12-31", "形成制度建设总结"),
                ],
            ),
            # seed §三(四): 首批全省高校省级样板党支部 (2021-02)
            milestone(
                "党建样板支部创建",
                BRAND,
                10,
                "陈志强",
                [("02-28", "教工党支部通过省级样板党支部验收"), ("12-31", "完成样板支部年度建设任务")],
            ),
            # seed §五(一)4: 首批省级课程思政示范项目立项1项
            quantified("课程思政示范项目", KEY, 10, "黄晓燕", 1, "项", [("06-30", 1, "立项文件")]),
            # seed §五(一)4: 学生获得省级专业技能大赛二等奖
            quantified("省级专业技能大赛获奖", BONUS, 5, "黄晓燕", 1, "项", [("11-30", 1, "获奖证书")]),
        ],
        "会计学院": [
            *college_basics("杨永刚", "周敏", upgrade=65, employment=88, horizontal=2, masters=5),
            # seed §三(二)3: 智慧劳动创造营 (菜鸟训练营、飞鸟集结营、雏鹰计划)
            milestone(
                "智慧劳动创造营劳动教育品牌",
                BRAND,
                15,
                "杨永刚",
                [("06-30", "完成“菜鸟训练营”“飞鸟集结营”上半年活动"), ("12-31", "完成“雏鹰计划”并形成品牌总结")],
            ),
            lab_project("1+X证书试点培训和考核站点建设", "周敏"),  # seed §四(三)2
            quantified("1+X证书考核通过率", KEY, 10, "周敏", 80, "%", [("12-31", 80, "考核结果统计表")]),
            quantified("省级会计技能大赛获奖", BONUS, 10, "周敏", 2, "项", [("12-15", 2, "获奖证书")]),
        ],
        "机电工程学院": [
            *college_basics("郭建军", "马骏", upgrade=55, employment=90, horizontal=3, masters=5),
            lab_project("机器人综合应用实训室（1+X项目）建设", "马骏"),  # seed §四(三)2
            # seed §五(一)1: 第十届全国大学生金相技能大赛 三等奖 (10-14)
            quantified("全国大学生金相技能大赛获奖", BONUS, 10, "李蒙", 1, "项", [("10-31", 1, "获奖证书")]),
            milestone(
                "现代学徒制试点班建设",
                KEY,
                15,
                "郭建军",
                [("06-30", "与合作企业签订学徒制协议"), ("12-31", "完成试点班年度教学任务")],
            ),
            quantified("课程思政示范项目", KEY, 10, "马骏", 2, "项", [("12-31", 2, "立项文件")]),
        ],
        "太极武术学院": [
            *college_basics("林振武", "何静", upgrade=50, employment=85, horizontal=1, masters=3),
            lab_project("太极拳馆亮点项目建设", "林振武", 20),  # seed §四(三)2
            milestone(
                "太极文化品牌（太极拳进校园）",
                BRAND,
                15,
                "何静",
                [("06-30", "完成全校太极拳普及教学"), ("12-31", "举办太极文化节")],
            ),
            # seed §五(一)2: 排舞锦标赛 教工组一等奖, 健美操排舞锦标赛 特等奖
            quantified("省级学生体育赛事获奖", BONUS, 15, "何静", 2, "项", [("11-30", 2, "获奖证书")]),
        ],
        "艺术学院": [
            *college_basics("罗晓峰", "任秀梅", upgrade=55, employment=86, horizontal=2, masters=4),
            # seed §五(一)3: 任秀梅, 教育部人文社科基金项目立项
            quantified("教育部人文社科基金项目立项", BONUS, 10, "任秀梅", 1, "项", [("09-30", 1, "立项通知")]),
            # seed §五(二)4: 河南省非物质文化遗产研究基地
            milestone(
                "河南省非物质文化遗产研究基地申报",
                KEY,
                15,
                "罗晓峰",
                [("05-31", "完成申报材料"), ("10-31", "获河南省文化和旅游厅批准")],
                co=("科研处",),
            ),
            milestone("毕业作品展演", ROUTINE, 15, "任秀梅", [("06-15", "举办2021届毕业作品展")]),
            quantified("课程思政示范项目", KEY, 10, "罗晓峰", 1, "项", [("12-31", 1, "立项文件")]),
        ],
        "土木建筑工程学院": [
            *college_basics("高建平", "吴磊", upgrade=60, employment=90, horizontal=4, masters=5),
            lab_project("土建学院工程实训中心建设", "吴磊"),  # seed §四(三)2
            # seed §五(一)5: "双导师"育人模式, 国隆科技"双元制", 国隆福匠班
            milestone(
                "“双导师”“双元制”育人模式建设",
                BRAND,
                15,
                "高建平",
                [("06-30", "与国隆科技签订“双元制”战略合作协议"), ("09-30", "组建“国隆福匠班”订单班")],
            ),
            quantified("1+X建筑信息模型（BIM）证书培训", KEY, 10, "吴磊", 100, "人", [("12-31", 100, "培训名册")]),
            quantified("校企合作开发教材", ROUTINE, 10, "吴磊", 1, "部", [("12-31", 1, "出版合同或样书")]),
        ],
        "化学与环境工程学院": [
            *college_basics("宋志刚", "韩雪", upgrade=60, employment=90, horizontal=4, masters=5),
            lab_project("化工生产技术一体化实训室建设", "韩雪"),  # seed §四(三)2
            # seed §五(一)6: 安全手册, 安全承诺书, 安全演练
            milestone(
                "实验室安全管理闭环",
                KEY,
                15,
                "宋志刚",
                [("03-31", "编印《安全手册》，签订安全承诺书"), ("06-30", "完成期中安全演练")],
            ),
            # seed §五(二)4: 焦作市怀药活性成分分析利用工程技术研究中心
            milestone(
                "焦作市怀药活性成分分析利用工程技术研究中心申报",
                KEY,
                10,
                "韩雪",
                [("10-31", "获焦作市科技局批准建设")],
                co=("科研处",),
            ),
            # seed §三(一)5: 与多氟多等企业合作开发教材
            quantified("与多氟多等企业合作开发教材", ROUTINE, 10, "韩雪", 1, "部", [("12-31", 1, "出版合同或样书")]),
        ],
        "信息工程学院": [
            *college_basics("谢文涛", "冯佳", upgrade=65, employment=92, horizontal=5, masters=5),
            lab_project("信息工程学院传感网应用开发实训室建设", "冯佳"),  # seed §四(三)2
            # seed §四(三)3: 软件开发实训室、大数据应用开发实训室 in tender in October
            milestone(
                "软件开发及大数据应用开发实训室建设",
                MAJOR,
                10,
                "谢文涛",
                [("10-31", "完成招标"), ("12-31", "完成设备安装")],
                co=("教务处",),
            ),
            # seed §五(二)4: 焦作市智慧教育技术应用工程技术研究中心
            milestone(
                "焦作市智慧教育技术应用工程技术研究中心申报",
                KEY,
                10,
                "冯佳",
                [("10-31", "获焦作市科技局批准建设")],
                co=("科研处",),
            ),
            quantified("省级职业技能大赛获奖", KEY, 15, "冯佳", 3, "项", [("06-30", 2), ("12-31", 3, "获奖证书")]),
        ],
        "外国语学院": [
            *college_basics("曹明", "邓雅琴", upgrade=55, employment=85, horizontal=1, masters=5),
            quantified("大学英语四级通过率", KEY, 25, "邓雅琴", 30, "%", [("08-31", 30, "成绩统计表")]),
            milestone(
                "多语种语音实训室升级",
                MAJOR,
                15,
                "曹明",
                [("06-30", "完成升级方案"), ("12-31", "完成设备更新并投入使用")],
            ),
            quantified("课程思政示范项目", KEY, 10, "邓雅琴", 1, "项", [("12-31", 1, "立项文件")]),
        ],
        "继续教育学院": [
            # The split parent (seed §七.1): its own node lies outside Q3 and is not a due item anyway.
            Spec(
                "社会培训",
                KEY,
                Decimal("10"),
                "蔡国庆",
                ((SOCIAL_TRAINING_DUE, "全校社会培训台账", SOCIAL_TRAINING_VALUE),),
                kind=QUANTIFIED,
                target_value=SOCIAL_TRAINING_VALUE,
                unit="人次",
                core=True,
                description="全校社会培训指标，由继续教育学院牵头，下分至各教学院部。",
                is_split=True,
            ),
            quantified("成人高考报名人数", KEY, 20, "蔡国庆", 900, "人", [("09-20", 900, "报名汇总表")], core=True),
            quantified(
                "1+X职业技能等级证书培训",
                KEY,
                15,
                "潘晓东",
                300,
                "人次",
                [("06-30", 120), ("12-31", 300, "培训及考核名册")],
            ),
            quantified("非学历培训项目开发", KEY, 15, "潘晓东", 5, "个", [("06-30", 2), ("12-31", 5, "培训方案")]),
            milestone(
                "继续教育管理平台建设",
                ROUTINE,
                15,
                "潘晓东",
                [("04-30", "完成需求调研"), ("08-31", "平台上线试运行"), ("12-31", "完成验收")],
            ),
            milestone(
                "继续教育专项检查整改", ROUTINE, 10, "蔡国庆", [("05-31", "完成自查"), ("11-30", "完成整改报告")]
            ),
            milestone(
                "校企合作培训基地建设",
                BRAND,
                15,
                "蔡国庆",
                [("06-30", "与合作企业签订培训基地协议"), ("12-31", "基地挂牌并开展培训")],
            ),
        ],
        "教务处": [
            # seed §三(一)1: 专任教师"双师型"应达到40%
            quantified(
                "双师型教师比例",
                KEY,
                15,
                "钱处长",
                40,
                "%",
                [("06-30", 35, "双师型教师认定名单"), ("12-31", 40, "双师型教师认定名单")],
                core=True,
                co=("人事处",),
            ),
            # seed §三(一)1: 5位校级教学名师
            quantified("教学名师评选", KEY, 10, "孙联络", 5, "人", [("09-10", 5, "教师节前公布校级教学名师名单")]),
            # seed §三(一)1: 三门课程全部立项课程思政示范项目
            quantified("课程思政示范项目", KEY, 10, "孙联络", 3, "项", [("07-31", 3, "省级立项文件")]),
            # seed §三(一)1: 12个基层教学组织达到优秀
            quantified("优秀基层教学组织", ROUTINE, 10, "孙联络", 12, "个", [("12-15", 12, "评估结果通知")]),
            # seed §五(二)1: 教师教学能力大赛 二等奖3项、三等奖3项
            quantified("河南省教师教学能力大赛获奖", KEY, 10, "钱处长", 4, "项", [("11-30", 4, "获奖文件")]),
            # seed §三(一): 教学工作品牌 "五改"
            milestone(
                "教学工作品牌“五改”建设",
                BRAND,
                15,
                "钱处长",
                [
                    ("06-30", "印发“五改”年度推进方案"),
                    ("09-30", "智慧教学运行可视化控制中心投入使用"),
                    ("12-31", "形成品牌建设成果汇编"),
                ],
                core=True,
                description="改教师、改教法、改教评、改教室、改教材。",
            ),
            # seed §三(一)4, §四(三): 近2000万的实训室、教室建设方案, 标准考场改造, 10 labs
            milestone(
                "重点（特色）专业实训室及教室建设",
                MAJOR,
                15,
                "钱处长",
                [
                    ("05-31", "拟制重点（特色）专业实训室、教室建设方案"),
                    ("08-31", "完成标准考场改造"),
                    ("12-31", "在建实训室项目完成验收"),
                ],
                core=True,
            ),
            notification_duty("孙联络", 5),
            # seed §三(一)5: 与十余家公司合作开发教材
            quantified("校企合作开发教材", ROUTINE, 10, "孙联络", 10, "部", [("12-31", 10, "教材出版合同或样书")]),
        ],
        "学生处": [
            # seed §三(二): 学生工作品牌 "四养成"
            milestone(
                "学生工作品牌“四养成”建设",
                BRAND,
                20,
                "郑卫东",
                [("03-31", "印发“四养成”实施方案"), ("06-30", "完成上半年品牌活动"), ("12-20", "形成品牌建设总结")],
                core=True,
            ),
            milestone("新生入学教育", ROUTINE, 10, "许婷", [("09-30", "完成2021级新生入学教育")]),
            milestone("国家奖助学金评审发放", KEY, 15, "许婷", [("11-30", "完成评审并按时发放")]),
            quantified("新生心理健康普查覆盖率", KEY, 15, "许婷", 100, "%", [("10-31", 100, "普查报告")]),
            milestone(
                "辅导员队伍建设", KEY, 15, "郑卫东", [("07-15", "完成辅导员暑期培训"), ("12-31", "完成辅导员年度考核")]
            ),
            milestone(
                "学生宿舍标准化管理",
                ROUTINE,
                15,
                "许婷",
                [("06-30", "完成文明宿舍评比"), ("12-31", "完成宿舍安全检查")],
            ),
            notification_duty("郑卫东"),
        ],
        "网信办": [
            # seed §三(三): "十个一", 8 done, 2 under way
            quantified(
                "数字校园品牌“十个一”建设",
                BRAND,
                20,
                "韦志远",
                10,
                "项",
                [("06-30", 8, "已建成项目清单"), ("12-31", 10, "建设总结")],
                core=True,
            ),
            # seed §四(一)1: 人事管理系统, acceptance planned for October
            milestone(
                "人事管理系统建设",
                MAJOR,
                15,
                "韦志远",
                [("06-30", "完成开发、部署与培训"), ("10-31", "完成项目验收")],
                co=("人事处",),
            ),
            # seed §四(一)2: 学生事务综合管理系统（一期）
            milestone(
                "学生事务综合管理系统（一期）建设",
                MAJOR,
                15,
                "韦志远",
                [("08-31", "迎新子系统投入运行"), ("10-31", "学籍学工子系统完成验收")],
                co=("学生处", "招生就业处"),
            ),
            # seed §四(一)3: 国资综合管理系统
            milestone(
                "国资综合管理系统建设",
                MAJOR,
                10,
                "白宇",
                [("09-30", "完成主要功能开发并部分运行"), ("11-30", "完成项目验收")],
                co=("国资处",),
            ),
            # seed §四(一)4: 智慧后勤安防管理系统, with 后勤基建处 and 保卫处
            milestone(
                "智慧后勤安防管理系统建设",
                MAJOR,
                10,
                "白宇",
                [("09-30", "完成招标意向公示"), ("12-31", "完成建设方案")],
                co=("后勤处", "保卫处"),
            ),
            # seed §三(三): 网站一个群
            milestone(
                "网站群建设", KEY, 10, "白宇", [("05-31", "完成网站群平台迁移"), ("11-30", "完成二级网站安全检查")]
            ),
            # seed §四(一)5: 舆情监控服务
            milestone("舆情监控服务", ROUTINE, 5, "白宇", [("07-31", "签订服务合同并开始服务")], co=("宣传统战部",)),
            notification_duty("韦志远"),
            # seed §五(二)9: 两项政协提案被焦作市政协采纳
            quantified("政协提案被采纳", BONUS, 5, "韦志远", 2, "项", [("12-31", 2, "采纳证明")]),
        ],
        "组织部": [
            # seed §三(四): "一支部一品牌"
            milestone(
                "党建品牌“一支部一品牌”建设",
                BRAND,
                20,
                "褚建国",
                [("06-30", "完成党支部品牌创建中期检查"), ("12-20", "评选校级党建品牌")],
                core=True,
            ),
            # seed §三(四): 省级样板党支部 (2021-02), 示范离退休干部党支部 (2021-06)
            quantified(
                "省级样板（示范）党支部创建",
                KEY,
                15,
                "褚建国",
                2,
                "个",
                [("02-28", 1, "省级样板党支部通报"), ("06-30", 2, "示范离退休干部党支部通报")],
            ),
            milestone(
                "党史学习教育",
                KEY,
                20,
                "褚建国",
                [
                    ("04-30", "印发党史学习教育实施方案"),
                    ("07-01", "开展庆祝建党100周年系列活动"),
                    ("12-31", "完成党史学习教育总结"),
                ],
            ),
            quantified("发展党员", ROUTINE, 15, "卫芳", 120, "名", [("06-30", 60), ("12-31", 120, "发展党员名册")]),
            milestone("中层干部暑期培训", ROUTINE, 10, "卫芳", [("08-31", "完成中层干部暑期培训")]),
            milestone("基层党组织按期换届", KEY, 10, "卫芳", [("09-30", "完成到期党支部换届")]),
            notification_duty("卫芳"),
        ],
        "宣传统战部": [
            # seed §三(五): 思政工作品牌 and "口袋思政"
            milestone(
                "思政工作品牌“口袋思政”建设",
                BRAND,
                20,
                "蒋文华",
                [("06-30", "确定品牌建设方向"), ("11-30", "完成“口袋思政”建设方案及首批作品")],
                core=True,
                co=("马克思主义学院",),
            ),
            milestone(
                "意识形态工作责任制落实",
                KEY,
                15,
                "蒋文华",
                [("06-30", "完成上半年意识形态研判"), ("12-31", "完成年度意识形态工作报告")],
            ),
            quarterly(
                "校园网新闻发布", ROUTINE, 15, "沈佳", 300, "篇", (70, 150, 220, 300), deliverable="新闻发布台账"
            ),
            quantified("省级以上媒体宣传报道", KEY, 15, "沈佳", 40, "篇", [("06-30", 20), ("12-31", 40, "报道清单")]),
            milestone("统一战线工作", ROUTINE, 10, "蒋文华", [("09-30", "召开党外代表人士座谈会")]),
            milestone("建党100周年专题宣传", KEY, 15, "沈佳", [("07-01", "完成庆祝建党100周年专题宣传")]),
            notification_duty("沈佳"),
        ],
        "后勤处": [
            # seed §四(二)1-6
            milestone("标准化考场整修", MAJOR, 15, "韩永红", [("08-31", "完成整修并通过验收")], co=("教务处",)),
            milestone("学生宿舍楼门禁管理系统", MAJOR, 10, "韩永红", [("08-25", "新生入住前完成安装调试并启用")]),
            milestone(
                "智慧后勤信息服务管理系统建设",
                MAJOR,
                10,
                "杨帆",
                [("09-30", "向网信办提交建设意向书"), ("12-31", "完成需求论证")],
                co=("网信办",),
            ),
            milestone(
                "南校区人行道及和谐广场透水砖更换和道路沥青路面铺设",
                MAJOR,
                15,
                "韩永红",
                [("06-30", "完成可研报告编制和论证"), ("12-31", "取得发改委批复并完成招标")],
                core=True,
            ),
            milestone(
                "南北校区路灯亮化",
                MAJOR,
                10,
                "杨帆",
                [("10-31", "确定安装方案"), ("12-31", "完成安装")],
            ),
            milestone(
                "节约型校园建设",
                BRAND,
                15,
                "杨帆",
                [("05-31", "开展“厉行节约、反对浪费”活动周"), ("11-30", "完成垃圾分类站建设项目书")],
            ),
            milestone(
                "食堂食品安全检查",
                ROUTINE,
                15,
                "杨帆",
                [("06-30", "完成上半年专项检查"), ("12-31", "完成下半年专项检查")],
            ),
            notification_duty("杨帆"),
        ],
        "招生就业处": [
            # seed §五(二)2: 招生计划完成率99.81%, 就业率89.72%, 录取平均分 (the targets are invented)
            quantified("招生计划完成率", KEY, 25, "秦海燕", 98, "%", [("09-30", 98, "新生报到统计表")], core=True),
            quantified(
                "就业率",
                KEY,
                25,
                "秦海燕",
                88,
                "%",
                [("08-31", 85, "初次就业率统计表"), ("12-31", 88, "年终就业率统计表")],
                core=True,
            ),
            milestone("招生宣传", ROUTINE, 15, "尤志军", [("06-30", "完成招生宣传进高中活动")]),
            quantified("文科录取平均分", KEY, 10, "尤志军", 400, "分", [("08-15", 400, "录取统计表")]),
            milestone(
                "就业创业指导", ROUTINE, 15, "尤志军", [("05-31", "举办春季双选会"), ("11-30", "举办秋季双选会")]
            ),
            notification_duty("尤志军"),
        ],
        "对外合作处": [
            # seed §五(二)3: 焦作建筑科技职业教育集团（联盟） approved 2021-08-17
            milestone(
                "焦作建筑科技职业教育集团组建",
                KEY,
                20,
                "施文斌",
                [("05-31", "完成组建方案及成员单位协议"), ("08-31", "获焦作市教育局批准成立")],
                core=True,
            ),
            # seed §五(二)3: 与征云集团合作建成"智能建造学院"
            milestone(
                "智能建造学院（征云集团）共建",
                BRAND,
                20,
                "施文斌",
                [("06-30", "签订合作协议"), ("12-31", "完成挂牌及首批招生")],
                co=("土木建筑工程学院",),
            ),
            quantified("新签校企合作协议", KEY, 20, "张晓光", 20, "家", [("06-30", 10), ("12-31", 20, "合作协议")]),
            milestone("中外合作办学项目申报", KEY, 15, "张晓光", [("10-31", "完成项目申报材料")]),
            quantified("校企合作订单班", ROUTINE, 15, "张晓光", 5, "个", [("09-30", 5, "订单班协议及名单")]),
            notification_duty("张晓光"),
        ],
        "科研处": [
            # seed §七.1: 横向课题 (school-wide)
            quantified(
                "横向课题", KEY, 20, "孔德明", 40, "项", [("06-30", 15), ("12-31", 40, "横向课题合同汇总")], core=True
            ),
            # seed §五(二)4: 1个省级、2个市级科研平台
            quantified("省市级科研平台获批", KEY, 20, "孔德明", 3, "个", [("09-30", 3, "批准文件")]),
            quantified("纵向课题立项", KEY, 20, "曹丽娟", 30, "项", [("06-30", 15), ("12-31", 30, "立项通知汇总")]),
            quantified("科研成果获奖", ROUTINE, 15, "曹丽娟", 10, "项", [("12-15", 10, "获奖证书")]),
            milestone("学术道德规范建设", ROUTINE, 15, "曹丽娟", [("05-31", "开展学术道德专题教育")]),
            notification_duty("曹丽娟"),
        ],
        "人事处": [
            # seed §五(二)5: 师德师风 实施办法, 师德教育主题征文
            milestone(
                "师德师风建设长效机制",
                BRAND,
                20,
                "严志宏",
                [
                    ("06-30", "印发《焦作大学关于建立健全师德建设长效机制的实施办法（试行）》"),
                    ("09-10", "教师节期间开展师德师风主题教育"),
                    ("12-31", "完成年度师德考核"),
                ],
                core=True,
            ),
            quantified("双师型教师认定", KEY, 15, "华静", 60, "人", [("11-30", 60, "认定名单")], co=("教务处",)),
            quantified("高层次人才引进", KEY, 20, "严志宏", 10, "人", [("06-30", 4), ("12-31", 10, "引进人员名单")]),
            milestone("职称评审", ROUTINE, 15, "华静", [("11-30", "完成2021年度职称评审")]),
            milestone("新入职教师岗前培训", ROUTINE, 10, "华静", [("08-31", "完成新入职教师岗前培训")]),
            quantified("师德教育主题征文获奖", BONUS, 10, "华静", 3, "项", [("06-30", 3, "获奖通知")]),
            notification_duty("华静"),
        ],
        "纪委/监察专员办公室": [
            # seed §五(二)6: "4795"工作措施, 校风学风教风作风
            milestone(
                "校风学风教风作风建设（“4795”工作措施）",
                BRAND,
                20,
                "金正义",
                [
                    ("04-30", "印发《关于加强校风学风教风作风建设的实施方案》"),
                    ("07-31", "督促各牵头部门制定任务分解表"),
                    ("12-31", "完成专项督查总结"),
                ],
                core=True,
            ),
            milestone(
                "党风廉政建设责任制落实",
                KEY,
                20,
                "金正义",
                [("03-31", "签订党风廉政建设责任书"), ("12-31", "完成责任制落实情况考核")],
            ),
            quarterly("廉政警示教育", ROUTINE, 15, "魏清", 4, "次", (1, 2, 3, 4), deliverable="警示教育记录"),
            milestone("招生录取专项监督", KEY, 20, "魏清", [("09-30", "完成招生录取工作专项监督报告")]),
            quantified("信访举报办结率", ROUTINE, 15, "魏清", 100, "%", [("12-31", 100, "信访台账")]),
            notification_duty("魏清"),
        ],
        "校团委": [
            # seed §五(二)7: 3000余人同上一台音乐党史课
            quantified("音乐党史课", KEY, 20, "陶然", 3000, "人次", [("06-30", 3000, "活动总结")], core=True),
            milestone("大学生暑期“三下乡”社会实践", KEY, 20, "陶然", [("08-31", "完成暑期社会实践并总结")]),
            quantified(
                "青年志愿服务", ROUTINE, 15, "戚雨", 2000, "人次", [("06-30", 1000), ("12-31", 2000, "志愿服务台账")]
            ),
            milestone("学生社团年审", ROUTINE, 15, "戚雨", [("10-31", "完成社团年审")]),
            quantified("“互联网+”大学生创新创业大赛获奖", KEY, 20, "陶然", 3, "项", [("08-31", 3, "获奖通知")]),
            notification_duty("戚雨"),
        ],
        "编辑部": [
            # seed §五(二)8: 印刷版与电子版同步发行; 全国非邮发报刊联合发行 from 2021 issue 1
            milestone(
                "学报印刷版与电子版同步发行",
                KEY,
                25,
                "谢文",
                [("03-31", "2021年第1期印刷版与电子版同步发行"), ("12-31", "全年各期同步发行")],
                core=True,
            ),
            quarterly("学报按期出版", ROUTINE, 20, "邹琳", 6, "期", (1, 3, 4, 6), deliverable="样刊"),
            milestone(
                "学报全国非邮发报刊联合发行",
                KEY,
                20,
                "谢文",
                [("01-31", "自2021年第1期起通过全国非邮发报刊联合发行部发行"), ("12-31", "完成年度发行总结")],
            ),
            milestone("特色栏目建设", ROUTINE, 15, "邹琳", [("06-30", "开设地方文化特色栏目")]),
            milestone("稿件三审三校制度落实", ROUTINE, 10, "邹琳", [("12-31", "完成编校质量自查")]),
            notification_duty("邹琳"),
        ],
        "财务处": [
            # seed §五(二)10: 提前完成贷款置换, 每年节约利息198.7万元
            milestone("银行贷款置换", KEY, 25, "喻国平", [("09-30", "完成贷款置换并取得优惠利率")], core=True),
            quantified(
                "预算执行率",
                KEY,
                20,
                "柏雪",
                90,
                "%",
                [("06-30", 45), ("09-30", 70, "预算执行情况表"), ("12-31", 90, "年度决算")],
            ),
            milestone("内部控制制度建设", ROUTINE, 15, "喻国平", [("10-31", "修订财务内部控制制度")]),
            quantified("学费收缴率", ROUTINE, 15, "柏雪", 95, "%", [("10-31", 95, "收费统计表")]),
            milestone("网上报销系统上线", ROUTINE, 15, "柏雪", [("12-31", "网上报销系统上线运行")]),
            notification_duty("柏雪"),
        ],
        "国资处": [
            # seed §五(二)11: 小额工程供应商库
            milestone(
                "小额工程供应商库建设", KEY, 20, "水建华", [("06-30", "建立小额工程供应商库并投入使用")], core=True
            ),
            milestone("固定资产清查", KEY, 20, "水建华", [("11-30", "完成全校固定资产清查")]),
            milestone(
                "国资综合管理系统数据迁移",
                KEY,
                15,
                "窦丽",
                [("11-30", "完成资产数据迁移并上线")],
                co=("网信办",),
            ),
            quantified("政府采购计划执行率", ROUTINE, 15, "窦丽", 100, "%", [("12-31", 100, "采购台账")]),
            milestone("公用房调配", ROUTINE, 20, "窦丽", [("08-31", "完成新学期公用房调配")]),
            notification_duty("窦丽"),
        ],
        "质量发展处": [
            milestone(
                "目标管理与绩效考核",
                KEY,
                25,
                "周考核",
                [("03-31", "印发2021年度各部门目标任务书"), ("12-31", "完成年终考核")],
                core=True,
            ),
            # seed §一: the quarterly inspections (the Q3 one is the seed's own round)
            milestone(
                "重点工作季度督查",
                KEY,
                20,
                "章明",
                [("04-30", "完成第一季度督查"), ("07-31", "完成第二季度督查"), ("10-31", "印发第三季度督查通报")],
            ),
            milestone("教学质量诊断与改进", KEY, 20, "章明", [("06-30", "完成诊改年度报告")]),
            milestone("人才培养质量年度报告", ROUTINE, 15, "章明", [("03-31", "发布2020年度人才培养质量年度报告")]),
            # seed §七.5: 考核办法仍需继续改进调整
            milestone("考核办法修订", ROUTINE, 10, "周考核", [("11-30", "提出2022年度考核办法修订稿")]),
            notification_duty("章明"),
        ],
        "保卫处": [
            milestone(
                "平安校园建设",
                KEY,
                25,
                "云海",
                [("06-30", "完成平安校园中期自查"), ("12-31", "通过平安校园考核")],
                core=True,
            ),
            quarterly("消防安全检查", ROUTINE, 20, "苏勇", 4, "次", (1, 2, 3, 4), deliverable="检查记录及整改单"),
            milestone("新生安全教育", KEY, 15, "苏勇", [("09-30", "完成2021级新生安全教育")]),
            milestone("校园监控系统升级", KEY, 20, "云海", [("08-31", "完成监控系统升级")]),
            milestone("校园交通安全整治", ROUTINE, 10, "苏勇", [("05-31", "完成校园交通安全整治")]),
            notification_duty("苏勇"),
        ],
        "党政办公室": [
            quantified("公文办结率", ROUTINE, 20, "潘文静", 100, "%", [("12-31", 100, "公文办理台账")]),
            milestone(
                "校党委会议决策事项督办",
                KEY,
                20,
                "葛振华",
                [("06-30", "上半年督办事项通报"), ("12-31", "全年督办事项通报")],
                core=True,
            ),
            milestone("信息公开", ROUTINE, 15, "潘文静", [("10-31", "发布2020-2021学年信息公开年度报告")]),
            milestone("保密工作自查自评", ROUTINE, 15, "潘文静", [("09-30", "完成保密工作自查自评")]),
            milestone("OA系统升级", KEY, 20, "葛振华", [("07-31", "新版OA系统上线运行")], co=("网信办",)),
            notification_duty("潘文静"),
        ],
        "审计处": [
            quantified("经济责任审计", KEY, 25, "范立新", 6, "项", [("06-30", 2), ("12-31", 6, "审计报告")], core=True),
            quantified("基建工程结算审计", KEY, 20, "彭晓", 20, "项", [("09-30", 12, "结算审计报告"), ("12-31", 20)]),
            milestone("内部控制评价", ROUTINE, 20, "范立新", [("11-30", "完成内部控制评价报告")]),
            milestone("审计发现问题整改", ROUTINE, 15, "彭晓", [("08-31", "完成上年度审计发现问题整改")]),
            milestone("审计信息化建设", ROUTINE, 10, "彭晓", [("12-31", "审计管理系统上线")]),
            notification_duty("彭晓"),
        ],
        "发展规划处": [
            milestone(
                "“十四五”事业发展规划编制",
                KEY,
                25,
                "鲁振宇",
                [("06-30", "完成《“十四五”事业发展规划》"), ("09-30", "完成各专项规划编制")],
                core=True,
            ),
            # seed §七.5, §八.3: 升本 and its base data
            milestone(
                "升本基础数据与条件建设",
                KEY,
                25,
                "鲁振宇",
                [("10-31", "完成升本基础数据梳理与对标分析"), ("12-31", "形成升本条件建设报告")],
                core=True,
            ),
            milestone("双高建设任务推进", KEY, 20, "韦娜", [("06-30", "完成中期自评"), ("12-31", "完成年度绩效报告")]),
            milestone("高等教育事业统计", ROUTINE, 10, "韦娜", [("11-30", "完成高基报表填报")]),
            milestone("决策咨询报告", ROUTINE, 10, "韦娜", [("12-31", "提交年度决策咨询报告")]),
            notification_duty("韦娜"),
        ],
        "图书馆": [
            quantified(
                "纸质图书采购",
                KEY,
                25,
                "昌文",
                30000,
                "册",
                [("06-30", 10000), ("09-30", 20000, "验收清单"), ("12-31", 30000, "验收清单")],
                core=True,
            ),
            milestone("数字资源建设", KEY, 20, "昌文", [("03-31", "完成年度数据库续订")]),
            milestone("新生入馆教育", ROUTINE, 20, "马晓丽", [("09-30", "完成2021级新生入馆教育")]),
            milestone(
                "书香校园阅读推广",
                BRAND,
                20,
                "马晓丽",
                [("04-23", "世界读书日系列活动"), ("11-30", "评选阅读之星")],
            ),
            milestone("馆藏剔旧", ROUTINE, 15, "马晓丽", [("12-31", "完成馆藏剔旧清单")]),
        ],
        "工会": [
            milestone("教职工代表大会", KEY, 25, "苗春", [("04-30", "召开教职工代表大会")], core=True),
            quantified("教职工文体活动", ROUTINE, 20, "方敏", 6, "次", [("06-30", 3), ("12-31", 6, "活动记录")]),
            milestone(
                "困难教职工帮扶", ROUTINE, 20, "方敏", [("01-31", "完成春节走访慰问"), ("12-31", "完成年度帮扶")]
            ),
            milestone("教职工健康体检", ROUTINE, 15, "方敏", [("08-31", "完成教职工年度体检")]),
            milestone("模范职工之家建设", BRAND, 20, "苗春", [("11-30", "通过模范职工之家验收")]),
        ],
        "档案馆": [
            quantified(
                "档案数字化",
                KEY,
                30,
                "俞红",
                5000,
                "卷",
                [("06-30", 2000), ("09-30", 3500, "数字化加工清单"), ("12-31", 5000, "数字化加工清单")],
                core=True,
            ),
            milestone("年度文书档案归档", ROUTINE, 25, "任杰", [("06-30", "完成2020年度文书档案归档")]),
            # seed §八.4: 一事一档
            milestone("重点工作“一事一档”建档指导", KEY, 25, "俞红", [("12-15", "指导各部门按一事一档整理年度档案")]),
            milestone("校史资料征集", ROUTINE, 20, "任杰", [("10-31", "完成校史资料征集")]),
        ],
    }


# Loading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Wanted:
    """A spec made concrete for one year: its code, its order in the plan and its dated nodes."""

    code: str
    order: int
    spec: Spec
    nodes: tuple[services.NodeData, ...]


def _nodes(number: int, nodes) -> tuple[services.NodeData, ...]:
    made = [
        services.NodeData(date.fromisoformat(f"{number}-{due}"), deliverable, value)
        for due, deliverable, value in nodes
    ]
    return tuple(sorted(made, key=lambda n: n.due_date))


def wanted_targets(number: int) -> dict[str, list[Wanted]]:
    return {
        name: [
            Wanted(f"{number}-{CODES[name]}-{index:02d}", index * 10, spec, _nodes(number, spec.nodes))
            for index, spec in enumerate(specs, start=1)
        ]
        for name, specs in department_data().items()
    }


def social_training_code(number: int) -> str:
    return f"{number}-{CODES[SOCIAL_TRAINING_LEAD]}-01"


def _node_rows(target: Target) -> list[tuple]:
    return [(n.due_date, n.deliverable, n.expected_value) for n in target.nodes.all()]


def _target_data(spec: Spec, code: str, department: Department) -> dict:
    return {
        "code": code,
        "title": spec.title,
        "description": spec.description,
        "category": spec.category,
        "core": spec.core,
        "kind": spec.kind,
        "target_value": spec.target_value,
        "unit": spec.unit,
        "weight": spec.weight,
        "responsible": spec.responsible,
        "lead_department": department if spec.is_split else None,
        "is_split": spec.is_split,
    }


def _matches(target: Target | None, plan: TargetPlan | None, want: Wanted, data: dict, co_ids: set[int]) -> bool:
    if target is None or plan is None:
        return False
    lead = data["lead_department"]
    return (
        target.plan_id == plan.pk
        and target.parent_id is None
        and not target.withdrawn
        and all(getattr(target, k) == v for k, v in data.items() if k != "lead_department")
        and target.lead_department_id == (lead.pk if lead else None)
        and {d.pk for d in target.co_departments.all()} == co_ids
        and _node_rows(target) == [(n.due_date, n.deliverable, n.expected_value) for n in want.nodes]
    )


def _reopen(plan: TargetPlan) -> TargetPlan:
    """Put a submitted or approved demo plan back to draft, so that the services may change it."""
    plan.state = TargetPlan.State.DRAFT
    plan.submitted_at = plan.submitted_by = plan.decided_at = plan.decided_by = None
    plan.return_reason = plan.warnings_note = ""
    plan.save()
    return plan


def _sync_split(parent: Target, departments: Mapping[str, Department], number: int) -> int:
    """Split 社会培训 to the colleges unless the shares are already exactly the demo's."""
    wanted = {
        departments[name].pk: (
            departments[name],
            value,
            _nodes(number, ((SOCIAL_TRAINING_DUE, "社会培训台账及培训证明材料", value),)),
        )
        for name, value in SOCIAL_TRAINING_SHARES.items()
    }
    shares = list(parent.shares.select_related("plan").prefetch_related("nodes"))
    current = {s.plan.department_id: s for s in shares if not s.withdrawn}
    copied = ("title", "description", "category", "core", "kind", "unit", "weight", "responsible")

    def share_ok(share: Target, value: Decimal, nodes: Sequence[services.NodeData]) -> bool:
        return (
            share.plan.year_id == parent.year_id
            and share.target_value == value
            and share.lead_department_id == parent.plan.department_id
            and all(getattr(share, k) == getattr(parent, k) for k in copied)
            and _node_rows(share) == [(n.due_date, n.deliverable, n.expected_value) for n in nodes]
        )

    if current.keys() == wanted.keys() and all(share_ok(current[pk], v, n) for pk, (_dept, v, n) in wanted.items()):
        return 0
    if not parent.plan.is_editable:  # a split changes only while the lead's plan is a draft; step 3 re-approves
        parent.plan = _reopen(parent.plan)
    services.split_target(
        parent=parent,
        shares=[services.ShareData(department, value, nodes) for department, value, nodes in wanted.values()],
    )
    return len(wanted)


def _bring_to_state(plan: TargetPlan, desired: str, *, submitter: User, office: User) -> int:
    """Take a plan through the workflow services to the demo's state for it."""
    if plan.state == desired:
        return 0
    changed = 0
    if desired == TargetPlan.State.DRAFT or plan.state == TargetPlan.State.APPROVED:
        plan = _reopen(plan)
        changed += 1
        if desired == TargetPlan.State.DRAFT:
            return changed
    if plan.state in (TargetPlan.State.DRAFT, TargetPlan.State.RETURNED):
        plan = services.submit_plan(plan=plan, by=submitter)
        changed += 1
    approve = desired == TargetPlan.State.APPROVED
    services.decide_plan(plan=plan, by=office, approve=approve, reason="" if approve else RETURN_REASON)
    return changed + 1


def load_targets(year: AssessmentYear, departments: Mapping[str, Department]) -> int:
    """Make the year's demo plans what this module says; return how many changes that took."""
    number = year.year
    wanted = wanted_targets(number)
    changed = 0
    plans = {p.department_id: p for p in TargetPlan.objects.filter(year=year).select_related("year")}
    existing = {t.code: t for t in Target.objects.filter(year=year).prefetch_related("nodes", "co_departments")}

    # 1. Every department's own targets, through save_target (only where something differs).
    for name, *_rest in school.DEPARTMENTS:
        department = departments[name]
        plan = plans.get(department.pk)
        stale = []
        for want in wanted[name]:
            data = _target_data(want.spec, want.code, department)
            co_ids = {departments[n].pk for n in want.spec.co}
            target = existing.get(want.code)
            if not _matches(target, plan, want, data, co_ids):
                stale.append((want, data, target))
        if plan is None:
            plan = services.plan_for(year, department)
            plans[department.pk] = plan
            changed += 1
        if not stale:
            continue
        if not plan.is_editable:
            plan = plans[department.pk] = _reopen(plan)
            changed += 1
        for want, data, target in stale:
            if target is None:
                target = Target(plan=plan, year=year, order=want.order)
            target.plan = plan
            target.withdrawn = False
            services.save_target(
                plan=plan,
                target=target,
                data=data,
                co_departments=[departments[n] for n in want.spec.co],
                nodes=want.nodes,
            )
            changed += 1

    # 2. The 社会培训 split into the colleges' plans.
    parent = Target.objects.select_related("plan").get(year=year, code=social_training_code(number))
    changed += _sync_split(parent, departments, number)

    # 3. The plans' states: submitted by the department's head where the demo has one, else by
    #    the office, and decided by the office.
    people = {u.username: u for u in User.objects.filter(username__in=[p[0] for p in school.PEOPLE])}
    office = people["office"]
    heads = {dept: people[username] for username, _n, role, dept in school.PEOPLE if role == "head"}
    for plan in TargetPlan.objects.select_related("year", "department").filter(
        year=year, department__in=[departments[n] for n, *_ in school.DEPARTMENTS]
    ):
        name = plan.department.name
        desired = PLAN_STATES.get(name, TargetPlan.State.APPROVED)
        changed += _bring_to_state(plan, desired, submitter=heads.get(name, office), office=office)
    return changed
