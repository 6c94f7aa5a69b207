"""The demo school's brands, major projects, highlights and notification duty in 2021.

What the seed says (工作通报〔2021〕第2期 §三–§六):

- §三 the five brands and their sub-items, with the results the bulletin gives: 教务处's "五改"
  (改教师 "双师型", 改教法 "信息化", 改教评 "过程化", 改教室 "一体化", 改教材 "模块化"), 学生处's
  "四养成" (中华经典诵读 of 人文学院, 政治指导员制度 of 经济管理学院, 智慧劳动创造营 of 会计学院),
  网信办's "十个一" (8 items done, 办事一张表 and 实况一幅画 under way), 组织部's "一支部一品牌"
  (the branches the seed names), and the 思政 brand "四个自信、四个热爱" of 马克思主义学院 and
  宣传统战部 (eight topics drafted, "口袋思政" being planned).
- §四 the major projects of 网信办, 后勤处 (the seed also writes 后勤基建处) and 教务处, each at the
  stage the seed describes: 人事管理系统 developed, deployed, trained, running, acceptance in
  October; 学生事务综合管理系统（一期） with 迎新 (accepted, paid), 招生 (accepted, 90 % paid) and
  学籍学工 (running, acceptance in October); 国资综合管理系统 mostly developed and partly running,
  all development in October, acceptance in November; 智慧后勤安防管理系统 after its 招标意向公示,
  its needs surveyed with 后勤基建处 and 保卫处; 舆情监控服务 contracted and started; 后勤处's six
  and 教务处's projects (two finished or in acceptance, ten under construction, four in tender).
- §五 the highlights, as verified achievements of the department the seed names, with the people
  it names (王金龙 and 李蒙, 任秀梅).
- §六 the office checked the functional departments' notices due before 09-30: mostly followed,
  "仍存在通报不规范、报备不及时的现象".

What is invented: every date (planned and actual) of every stage, the stages the seed does not
name (contracts, tenders, payments other than 迎新's and 招生's), the department responsible for
each stage, the wording of descriptions and of the one progress note per brand (dated in Q3), the
dates of the highlights the seed does not date (it dates 金相 10-14 and the 职教集团 08-17) and of
their verification, the kind and level where the seed leaves them open, which "十个一" item each
later project serves, and the whole notification duty: the topics, frequencies, allowances, every
notice and which ones went wrong. The irregular notices belong to departments whose third-round
checkpoint note (kaohe/demo/rounds.py) already says "工作通报存在不规范、报备不及时的情况": 后勤处 and
招生就业处 issued one late, 财务处 issued and filed one late, 国资处 one not standard, 组织部 one
not filed, and 宣传统战部 missed one month. They lie in earlier periods, so the quarterly
"第三季度工作通报按时印发并报备" nodes the round counts as done are not contradicted.

Delays: 国资综合管理系统's development (planned to end 08-31, still running at 09-30) and the
马院 VR room's construction (planned end 09-15, seed §二) were behind at the round's cut-off. Every
stage not done here has its planned end in 2021; seen from today every one of them is overdue,
which is honest: the demo stops where the seed does.

Everything is written with the ORM (simple-history records each save) and compared before it is
written, so a second run changes nothing and returns 0. Rows are found by natural keys (year and
name, the project and the stage's position, the duty and period start); rows of the year the demo
does not know are left alone.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings

from kaohe.demo import school
from kaohe.initiatives.models import (
    Achievement,
    Brand,
    BrandNote,
    Frequency,
    MajorProject,
    NotificationDuty,
    NotificationRecord,
    ProjectStage,
    StageKind,
    StageState,
)
from kaohe.org.models import AssessmentYear, Department, Membership, Role, User
from kaohe.plans.models import Target

YEAR = school.YEAR
CUTOFF = date(YEAR, 9, 30)  # seed §六: the notices due before 09-30

K = StageKind
Ach = Achievement

# Brands (seed §三) ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BrandSpec:
    name: str
    owners: tuple[str, ...]
    slogan: str = ""
    description: str = ""
    state: str = Brand.State.RUNNING
    checklist: bool = False
    targets: tuple[tuple[str, str], ...] = ()  # (department, target title) of kaohe/demo/targets.py
    children: tuple[BrandSpec, ...] = ()
    note: tuple[str, str] | None = None  # (MM-DD, text): the progress note, top-level brands only


def _item(name: str, done: bool, description: str) -> BrandSpec:
    state = Brand.State.DONE if done else Brand.State.RUNNING
    return BrandSpec(name, ("网信办",), description=description, state=state)


DONE_ITEM = "已完成，持续进行运行服务和优化。"

BRANDS: tuple[BrandSpec, ...] = (
    BrandSpec(
        "教学工作品牌",
        ("教务处",),
        "五改",
        "围绕改教师、改教法、改教评、改教室、改教材“五改”积极推进教学工作品牌建设。",
        targets=(("教务处", "教学工作品牌“五改”建设"),),
        children=(
            BrandSpec(
                "改教师",
                ("教务处",),
                "双师型",
                "围绕本科办学要求中专任教师“双师型”应达到40%的要求，优化教师队伍结构，将一线顶岗经历作为重点考察标准。"
                "2021年评选出5位校级教学名师、47位院级教学名师；12个基层教学组织达到优秀格次；第二届全国高校思想政治理论课"
                "教学展示暨优秀课程观摩活动获一等奖1名、三等奖1名；选送的三门课程全部立项职业教育和继续教育课程思政示范项目。",
                targets=(("教务处", "双师型教师比例"),),
            ),
            BrandSpec(
                "改教法",
                ("教务处",),
                "信息化",
                "将“超星智慧教学平台”运用于“专升本”培训，提升了专升本上线率；通过技术交流群、信息化培训视频和线上培训会议，"
                "完成全校教师网络教学培训及新教务的实操培训。",
            ),
            BrandSpec(
                "改教评",
                ("教务处",),
                "过程化",
                "通过“焦作大学智慧教学运行可视化控制中心”统一规范教学流程的信息化控制；引入“蘑菇钉顶岗实习智慧云平台”、"
                "考务视频运维中心，实现精细化、标准化的过程性教学评价。",
            ),
            BrandSpec(
                "改教室",
                ("教务处",),
                "一体化",
                "对标学校升格本科的建设需要，重新拟制近2000万元的重点（特色）专业实训室、教室建设方案。",
                targets=(("教务处", "重点（特色）专业实训室及教室建设"),),
            ),
            BrandSpec(
                "改教材",
                ("教务处",),
                "模块化",
                "与中国中建、国隆科技、河南中轴、多氟多、河南森格材料等十余家公司合作开发教材。",
                targets=(("教务处", "校企合作开发教材"),),
            ),
        ),
        note=(
            "09-24",
            "“五改”各项工作按年度推进方案有序开展：智慧教学运行可视化控制中心已投入使用，"
            "蘑菇钉顶岗实习智慧云平台覆盖2021届实习学生，近2000万元实训室、教室建设方案已进入实施阶段。",
        ),
    ),
    BrandSpec(
        "学生工作品牌",
        ("学生处",),
        "四养成",
        "以培养学生四个习惯的养成为目标，积极创建学生工作品牌。",
        targets=(("学生处", "学生工作品牌“四养成”建设"),),
        children=(
            BrandSpec(
                "中华经典诵读",
                ("人文学院",),
                "传承国学经典 坚定文化自信",
                "开展“中华经典诵读”活动，3600余名师生直接参与，共演绎经典优秀文化作品240余件，进行了多场次校内展演。",
                targets=(("人文学院", "中华经典诵读品牌活动"),),
            ),
            BrandSpec(
                "政治指导员制度",
                ("经济管理学院",),
                "锻造同学们的贴心人",
                "在每个行政班级设立“政治指导员”岗位，促使思想政治工作“重心”下移，围绕遵规守纪习惯的养成。",
                targets=(("经济管理学院", "政治指导员制度建设"),),
            ),
            BrandSpec(
                "智慧劳动创造营",
                ("会计学院",),
                "助力“四养成”工作",
                "构建“三段式”（菜鸟训练营、飞鸟集结营、雏鹰计划）劳动教育培养模式，结合“职业活动周”和“互联网+”"
                "创新创业大赛开展“劳技结合”的劳动教育。",
                targets=(("会计学院", "智慧劳动创造营劳动教育品牌"),),
            ),
        ),
        note=(
            "09-17",
            "“四养成”品牌活动在新学期持续推进：新生入学教育中开展中华经典诵读展演，政治指导员已配备到2021级各行政班级，"
            "智慧劳动创造营“雏鹰计划”完成报名。",
        ),
    ),
    BrandSpec(
        "数字校园品牌",
        ("网信办",),
        "十个一",
        "以“十个一”为基本建设任务，全面推进信息技术与各项工作的融合。",
        checklist=True,
        targets=(("网信办", "数字校园品牌“十个一”建设"),),
        children=(
            _item("全校一张网", True, DONE_ITEM),
            _item("基础一平台", True, DONE_ITEM),
            _item("网站一个群", True, DONE_ITEM),
            _item("数据一个库", True, DONE_ITEM),
            _item("集成一总线", True, DONE_ITEM),
            _item("上网一个号", True, DONE_ITEM),
            _item("信息一个站", True, DONE_ITEM),
            _item("校园一张卡", True, DONE_ITEM),
            _item("办事一张表", False, "正在进行，后期将建设网上服务大厅。"),
            _item("实况一幅画", False, "正在进行，后期将实施智慧后勤安防管理系统和数据集成管理展示项目。"),
        ),
        note=(
            "09-28",
            "“十个一”中已完成8项，持续进行运行服务和优化；“办事一张表”“实况一幅画”2项正在推进，"
            "网上服务大厅需求调研已启动，智慧后勤安防管理系统已完成招标意向公示。",
        ),
    ),
    BrandSpec(
        "党建品牌",
        ("组织部",),
        "一支部一品牌",
        "以高质量党建引领学校高质量发展，持续打造党支部品牌。",
        targets=(("组织部", "党建品牌“一支部一品牌”建设"),),
        children=(
            BrandSpec(
                "经济管理学院教工党支部",
                ("经济管理学院",),
                description="2021年2月荣获河南省教育厅“首批全省高校省级样板党支部”；2021年6月荣获市级先进基层党组织。",
                targets=(("经济管理学院", "党建样板支部创建"),),
            ),
            BrandSpec(
                "离退休党支部",
                ("组织部",),
                description="2021年6月荣获第二批省级“示范离退休干部党支部”。",
            ),
            BrandSpec(
                "中华经典诵读，传承中国文化",
                ("人文学院",),
                description="人文学院党建品牌，入选“焦作市2020年度组织工作创新项目案例选编”，获市委组织部拨付一万元党建经费支持。",
            ),
        ),
        note=(
            "08-31",
            "各党支部品牌创建中期检查已完成，经济管理学院教工党支部、离退休党支部示范作用进一步发挥，"
            "校级党建品牌评选方案正在制订。",
        ),
    ),
    BrandSpec(
        "思政工作品牌",
        ("马克思主义学院", "宣传统战部"),
        "四个自信、四个热爱",
        "马克思主义学院和宣传统战部对接，围绕“四个自信、四个热爱”主题联合打造思政工作品牌。",
        targets=(
            ("马克思主义学院", "思政工作品牌“四个自信、四个热爱”建设"),
            ("宣传统战部", "思政工作品牌“口袋思政”建设"),
        ),
        children=(
            BrandSpec(
                "八个专题文稿",
                ("马克思主义学院",),
                description="认真思考、潜心研究，多次分析，不断打磨，八个专题的文稿基本完成。",
            ),
            BrandSpec(
                "口袋思政",
                ("宣传统战部",),
                description="与制作公司结合，以手机软件结合教师课件，灵活、生动地阐释品牌主题；方案正在制定中。",
                state=Brand.State.PLANNED,
            ),
        ),
        note=(
            "09-26",
            "八个专题文稿已基本完成，正在逐篇打磨；宣传统战部与制作公司对接，“口袋思政”建设方案正在制定中。",
        ),
    ),
)

# Major projects (seed §四) ----------------------------------------------------------------------


@dataclass(frozen=True)
class Stage:
    kind: str
    title: str
    planned: str  # "MM-DD..MM-DD"
    actual: str = ""  # "", "MM-DD.." (started) or "MM-DD..MM-DD" (done)
    responsible: str = ""  # the owner when empty
    paid: str | None = None
    note: str = ""


@dataclass(frozen=True)
class Project:
    name: str
    owner: str
    description: str
    stages: tuple[Stage, ...] = ()
    related: tuple[str, ...] = ()
    target: tuple[str, str] | None = None
    parts: tuple[Project, ...] = field(default=())


def _lab(name: str, college: str | None, target: str | None, tender_end: str, build_start: str) -> Project:
    """One of 教务处's ten labs under construction: 方案论证, 招标 done; 建设 under way; 验收 in December."""
    return Project(
        name,
        "教务处",
        "教务处在建实训室项目（seed §四(三)2），正在建设。",
        (
            Stage(K.FEASIBILITY, "建设方案论证", "03-01..05-31", "03-08..05-27", college or ""),
            Stage(K.TENDER, "招标采购", "06-01..08-31", f"06-15..{tender_end}", "国资处"),
            Stage(K.BUILD, "建设施工及设备安装", "09-01..12-10", f"{build_start}..", college or ""),
            Stage(K.ACCEPTANCE, "项目验收", "12-13..12-20"),
        ),
        related=(college,) if college else (),
        target=(college, target) if college and target else None,
    )


def _tendering(name: str, college: str | None, target: str | None, tender_start: str) -> Project:
    """One of 教务处's four projects in tender at the cut-off."""
    return Project(
        name,
        "教务处",
        "教务处正在招标项目（seed §四(三)3）。",
        (
            Stage(K.FEASIBILITY, "建设方案论证", "04-01..06-30", "04-06..06-25", college or ""),
            Stage(K.TENDER, "招标采购", "09-01..10-31", f"{tender_start}..", "国资处"),
            Stage(K.BUILD, "建设施工及设备安装", "11-01..12-31"),
        ),
        related=(college,) if college else (),
        target=(college, target) if college and target else None,
    )


PROJECTS: tuple[Project, ...] = (
    # 网信办 (seed §四(一))
    Project(
        "人事管理系统",
        "网信办",
        "已完成开发、部署、培训，目前正在运行，个别功能细节正在进一步优化与调整，计划10月进行项目验收。",
        (
            Stage(K.CONTRACT, "签订开发合同", "01-04..01-15", "01-05..01-14"),
            Stage(K.BUILD, "系统开发", "01-18..05-14", "01-18..05-21"),
            Stage(K.DEPLOY, "部署上线", "05-17..05-31", "05-24..06-04"),
            Stage(K.TRAINING, "用户培训", "06-01..06-18", "06-07..06-25", "人事处"),
            Stage(
                K.TRIAL,
                "试运行及功能优化",
                "06-21..10-08",
                "06-28..",
                "人事处",
                note="个别功能细节正在进一步优化与调整。",
            ),
            Stage(K.ACCEPTANCE, "项目验收", "10-11..10-29"),
            Stage(K.PAYMENT, "支付合同款", "11-01..11-30", responsible="财务处"),
        ),
        related=("人事处",),
        target=("网信办", "人事管理系统建设"),
    ),
    Project(
        "学生事务综合管理系统（一期）",
        "网信办",
        "分迎新子系统、招生子系统、学籍学工子系统三个子项目。",
        (Stage(K.CONTRACT, "签订开发合同", "02-01..02-26", "02-03..02-24"),),
        related=("学生处", "招生就业处"),
        target=("网信办", "学生事务综合管理系统（一期）建设"),
        parts=(
            Project(
                "迎新子系统",
                "网信办",
                "已完成建设，投入运行并验收付款。",
                (
                    Stage(K.BUILD, "系统开发", "03-01..06-30", "03-01..06-25"),
                    Stage(K.DEPLOY, "部署上线", "07-01..07-20", "07-01..07-16"),
                    Stage(K.TRIAL, "迎新投入运行", "08-01..09-10", "08-02..09-08", "学生处"),
                    Stage(K.ACCEPTANCE, "项目验收", "09-13..09-17", "09-13..09-15"),
                    Stage(K.PAYMENT, "支付合同款", "09-20..09-30", "09-22..09-28", "财务处", paid="100"),
                ),
                related=("学生处",),
            ),
            Project(
                "招生子系统",
                "网信办",
                "已完成建设，投入运行，验收并支付90%的款项。",
                (
                    Stage(K.BUILD, "系统开发", "03-01..05-31", "03-01..05-28"),
                    Stage(K.DEPLOY, "部署上线", "06-01..06-15", "06-01..06-11"),
                    Stage(K.TRIAL, "招生录取期间运行", "07-01..08-31", "07-01..08-31", "招生就业处"),
                    Stage(K.ACCEPTANCE, "项目验收", "09-01..09-15", "09-06..09-10"),
                    Stage(
                        K.PAYMENT,
                        "支付合同款",
                        "09-16..12-31",
                        "09-17..",
                        "财务处",
                        paid="90",
                        note="验收后已支付合同款的90%，余款为质保金。",
                    ),
                ),
                related=("招生就业处",),
            ),
            Project(
                "学籍学工子系统",
                "网信办",
                "已完成开发、部署、培训，目前正在运行，个别功能细节正在进一步优化与调整，将于10月进行项目验收。",
                (
                    Stage(K.BUILD, "系统开发", "03-01..06-30", "03-01..06-30"),
                    Stage(K.DEPLOY, "部署上线", "07-01..07-31", "07-05..07-30"),
                    Stage(K.TRAINING, "用户培训", "08-02..08-20", "08-16..08-20", "学生处"),
                    Stage(K.TRIAL, "运行及功能优化", "08-23..10-08", "08-23..", "学生处"),
                    Stage(K.ACCEPTANCE, "项目验收", "10-11..10-29"),
                    Stage(K.PAYMENT, "支付合同款", "11-01..11-30", responsible="财务处"),
                ),
                related=("学生处",),
            ),
        ),
    ),
    Project(
        "国资综合管理系统",
        "网信办",
        "已完成大部分的开发、部署、培训，目前正在部分运行，个别功能正在加紧开发；计划10月完成全部开发，11月进行项目验收。",
        (
            Stage(K.CONTRACT, "签订开发合同", "03-01..03-19", "03-02..03-18"),
            Stage(
                K.BUILD,
                "系统开发",
                "03-22..08-31",
                "03-22..",
                note="原计划8月底完成全部开发，个别功能仍在加紧开发，现计划10月完成。",
            ),
            Stage(K.DEPLOY, "部署上线", "06-01..09-15", "06-07.."),
            Stage(K.TRAINING, "用户培训", "07-01..09-15", "07-05..", "国资处"),
            Stage(K.TRIAL, "部分运行", "07-01..10-31", "07-12..", "国资处"),
            Stage(K.ACCEPTANCE, "项目验收", "11-01..11-30"),
        ),
        related=("国资处",),
        target=("网信办", "国资综合管理系统建设"),
    ),
    Project(
        "智慧后勤安防管理系统",
        "网信办",
        "已进行招标意向公示，正在与后勤基建处、保卫处积极沟通，调研需求，了解相关先进技术，完善建设方案。",
        (
            Stage(K.TENDER_NOTICE, "招标意向公示", "08-16..08-31", "08-20..08-27"),
            Stage(K.FEASIBILITY, "后勤服务需求调研", "09-01..10-31", "09-06..", "后勤处"),
            Stage(K.FEASIBILITY, "安防需求调研", "09-01..10-31", "09-08..", "保卫处"),
            Stage(K.TENDER, "招标", "11-01..11-30", responsible="国资处"),
            Stage(K.CONTRACT, "签订合同", "12-01..12-20"),
        ),
        related=("后勤处", "保卫处"),
        target=("网信办", "智慧后勤安防管理系统建设"),
    ),
    Project(
        "舆情监控服务",
        "网信办",
        "已签订合同，已开始接受服务。",
        (
            Stage(K.CONTRACT, "签订服务合同", "07-01..07-31", "07-12..07-23"),
            Stage(K.DEPLOY, "服务开通", "07-26..07-31", "07-26..07-30", "宣传统战部"),
            Stage(K.PAYMENT, "支付年度服务费", "12-01..12-31", responsible="财务处"),
        ),
        related=("宣传统战部",),
        target=("网信办", "舆情监控服务"),
    ),
    # 后勤处 (seed §四(二))
    Project(
        "标准化考场整修",
        "后勤处",
        "已完成。",
        (
            Stage(K.TENDER, "招标", "05-06..05-28", "05-10..05-27", "国资处"),
            Stage(K.BUILD, "整修施工", "07-12..08-20", "07-12..08-18"),
            Stage(K.ACCEPTANCE, "竣工验收", "08-23..08-31", "08-24..08-26", "教务处"),
        ),
        related=("教务处",),
        target=("后勤处", "标准化考场整修"),
    ),
    Project(
        "学生宿舍楼门禁管理系统",
        "后勤处",
        "完善学生宿舍楼的门禁管理系统，已完成。",
        (
            Stage(K.TENDER, "招标", "06-01..06-25", "06-02..06-22", "国资处"),
            Stage(K.BUILD, "安装调试", "07-12..08-20", "07-14..08-19"),
            Stage(K.ACCEPTANCE, "验收启用", "08-23..08-25", "08-23..08-24", "学生处"),
        ),
        related=("学生处", "保卫处"),
        target=("后勤处", "学生宿舍楼门禁管理系统"),
    ),
    Project(
        "智慧后勤信息服务管理系统",
        "后勤处",
        "已向网信办提交意向书。",
        (
            Stage(K.FEASIBILITY, "向网信办提交建设意向书", "08-02..09-30", "08-09..09-10"),
            Stage(K.FEASIBILITY, "需求论证", "10-08..12-31", responsible="网信办"),
        ),
        related=("网信办",),
        target=("后勤处", "智慧后勤信息服务管理系统建设"),
    ),
    Project(
        "南校区人行道及和谐广场透水砖更换和南校区道路沥青路面铺设",
        "后勤处",
        "已完成可研报告的编制和论证，等待发改委批复。",
        (
            Stage(K.FEASIBILITY, "可研报告编制和论证", "03-01..06-30", "03-08..06-25"),
            Stage(K.FEASIBILITY, "发改委批复", "07-01..10-31", "07-05..", note="可研报告已报送，等待发改委批复。"),
            Stage(K.TENDER, "招标", "11-01..12-31", responsible="国资处"),
        ),
        target=("后勤处", "南校区人行道及和谐广场透水砖更换和道路沥青路面铺设"),
    ),
    Project(
        "南北校区路灯亮化",
        "后勤处",
        "正在制定安装方案。",
        (
            Stage(K.FEASIBILITY, "制定安装方案", "09-01..10-31", "09-13.."),
            Stage(K.TENDER, "招标", "11-01..11-20", responsible="国资处"),
            Stage(K.BUILD, "安装施工", "11-22..12-31"),
        ),
        target=("后勤处", "南北校区路灯亮化"),
    ),
    Project(
        "建成节约型校园，绿色环保效用",
        "后勤处",
        "已开展“厉行节约、反对浪费”活动周；已与团委组织学生志愿者和伙食委员会成员进入餐厅检查监督；"
        "校园已配备垃圾分类箱；垃圾分类站建设项目书正在讨论、编制中。",
        (
            Stage(K.BUILD, "校园配备垃圾分类箱", "04-01..05-31", "04-06..05-28"),
            Stage(K.FEASIBILITY, "垃圾分类站建设项目书编制", "09-01..11-30", "09-06.."),
        ),
        related=("校团委",),
        target=("后勤处", "节约型校园建设"),
    ),
    # 教务处 (seed §四(三))
    Project(
        "标准考场改造建设",
        "教务处",
        "已完成。",
        (
            Stage(K.TENDER, "招标", "04-12..05-14", "04-12..05-13", "国资处"),
            Stage(K.BUILD, "改造施工及设备安装", "07-12..08-27", "07-12..08-25"),
            Stage(K.ACCEPTANCE, "项目验收", "08-30..09-10", "08-30..09-03"),
        ),
        target=("教务处", "重点（特色）专业实训室及教室建设"),
    ),
    Project(
        "南校区一号楼1楼及二号教学楼1楼智慧黑板",
        "教务处",
        "已进入验收阶段。",
        (
            Stage(K.TENDER, "招标", "04-06..05-14", "04-08..05-12", "国资处"),
            Stage(K.BUILD, "设备安装调试", "07-12..08-27", "07-15..08-26"),
            Stage(K.ACCEPTANCE, "项目验收", "09-13..10-15", "09-22.."),
        ),
    ),
    _lab("土建学院工程实训中心", "土木建筑工程学院", "土建学院工程实训中心建设", "08-20", "09-01"),
    _lab(
        "机电工程学院机器人综合应用实训室（1+X项目）",
        "机电工程学院",
        "机器人综合应用实训室（1+X项目）建设",
        "08-13",
        "09-01",
    ),
    _lab("化工生产技术一体化实训室", "化学与环境工程学院", "化工生产技术一体化实训室建设", "08-27", "09-06"),
    _lab("经管学院旅游虚拟仿真实训室", "经济管理学院", "旅游虚拟仿真实训室建设", "08-20", "09-06"),
    _lab("会计学院1+X证书试点培训和考核站点", "会计学院", "1+X证书试点培训和考核站点建设", "08-06", "09-01"),
    _lab("人文学院多功能编辑实训室", "人文学院", "人文学院多功能编辑实训室建设", "08-27", "09-13"),
    _lab("信息工程学院传感网应用开发实训室", "信息工程学院", "信息工程学院传感网应用开发实训室建设", "08-13", "09-06"),
    _lab("智慧教学运行可视化中心改造", None, None, "08-20", "09-06"),
    _lab("太极武术学院太极拳馆亮点项目", "太极武术学院", "太极拳馆亮点项目建设", "08-27", "09-13"),
    Project(
        "马院思政智慧教室VR综合实训室",
        "教务处",
        "红色思政智慧教室及VR综合实训室建设项目：因进度原因未按工作节点完成，经积极争取已经完成招标进入建设阶段。",
        (
            Stage(K.FEASIBILITY, "建设方案论证", "03-01..05-31", "03-08..05-28", "马克思主义学院"),
            Stage(K.TENDER, "招标采购", "06-01..07-15", "06-21..09-24", "国资处"),
            Stage(
                K.BUILD,
                "施工建设",
                "07-19..09-15",
                "09-27..",
                "马克思主义学院",
                note="因进度原因未按工作节点完成，已完成招标进入建设阶段。",
            ),
            Stage(K.ACCEPTANCE, "项目验收", "12-06..12-20"),
        ),
        related=("马克思主义学院",),
        target=("马克思主义学院", "红色思政智慧教室及VR综合实训室建设项目"),
    ),
    _tendering("信息工程学院软件开发实训室", "信息工程学院", "软件开发及大数据应用开发实训室建设", "09-13"),
    _tendering("信息工程学院大数据应用开发实训室", "信息工程学院", "软件开发及大数据应用开发实训室建设", "09-13"),
    _tendering("南校区新建机房2个", None, None, "09-22"),
    _tendering("南校区三号教学楼二楼机房搬迁", None, None, "09-22"),
)

# Highlights (seed §五) --------------------------------------------------------------------------


@dataclass(frozen=True)
class Highlight:
    department: str
    title: str
    date: str  # MM-DD
    kind: str
    level: str
    grade: str = ""
    people: str = ""
    description: str = ""


HIGHLIGHTS: tuple[Highlight, ...] = (
    # 教学院部
    Highlight(
        "机电工程学院",
        "第十届全国大学生金相技能大赛三等奖",
        "10-14",
        Ach.Kind.COMPETITION,
        Ach.Level.NATIONAL,
        Ach.Grade.THIRD,
        "王金龙（学生），指导教师：李蒙",
        "清华大学、上海交通大学等全国371所高校的1100多名学生参赛。",
    ),
    Highlight(
        "太极武术学院",
        "河南省学生“阳光”排舞锦标赛教工组一等奖",
        "09-18",
        Ach.Kind.COMPETITION,
        Ach.Level.PROVINCIAL,
        Ach.Grade.FIRST,
        "太极武术学院教职工队",
        "首次参加河南省教育厅、河南省学生体育总会主办的学生啦啦操健身操舞系列比赛。",
    ),
    Highlight(
        "太极武术学院",
        "河南省健美操排舞锦标赛特等奖",
        "09-19",
        Ach.Kind.COMPETITION,
        Ach.Level.PROVINCIAL,
        Ach.Grade.SPECIAL,
        "太极武术学院学生队",
        "本届锦标赛唯一的特等奖。",
    ),
    Highlight(
        "艺术学院",
        "教育部人文社科基金项目《“同宗”论域下豫剧的传播与流变研究》立项",
        "09-15",
        Ach.Kind.PROJECT,
        Ach.Level.NATIONAL,
        Ach.Grade.APPROVED,
        "任秀梅",
        "在国家教育部立项成功。",
    ),
    Highlight(
        "经济管理学院",
        "首批河南省职业教育和继续教育课程思政示范项目立项",
        "07-20",
        Ach.Kind.PROJECT,
        Ach.Level.PROVINCIAL,
        Ach.Grade.APPROVED,
    ),
    Highlight(
        "经济管理学院",
        "校企合作编写教材获河南省优秀教材一等奖",
        "08-26",
        Ach.Kind.TEXTBOOK,
        Ach.Level.PROVINCIAL,
        Ach.Grade.FIRST,
    ),
    Highlight(
        "经济管理学院",
        "教师获省级教学能力大赛二等奖",
        "08-10",
        Ach.Kind.COMPETITION,
        Ach.Level.PROVINCIAL,
        Ach.Grade.SECOND,
    ),
    Highlight(
        "经济管理学院",
        "学生获省级专业技能大赛二等奖",
        "06-18",
        Ach.Kind.COMPETITION,
        Ach.Level.PROVINCIAL,
        Ach.Grade.SECOND,
    ),
    Highlight(
        "经济管理学院",
        "“教学做”一体化实训场地建设",
        "09-10",
        Ach.Kind.OTHER,
        Ach.Level.SCHOOL,
        description="建立电子商务仿真实训室1个，旅游仿真教学做一体化实训室（正在建设）1个，校企共建网络直播实训室1间。",
    ),
    Highlight(
        "土木建筑工程学院",
        "与国隆科技开展“双元制”战略合作，组建“国隆福匠班”",
        "09-08",
        Ach.Kind.OTHER,
        Ach.Level.SCHOOL,
        description="创新校企协同“双导师”育人模式，形成“双元制”教学基地，组建“双元制”订单班—国隆福匠班。",
    ),
    Highlight(
        "化学与环境工程学院",
        "实验室安全管理闭环",
        "09-06",
        Ach.Kind.OTHER,
        Ach.Level.SCHOOL,
        description="人手一册《安全手册》，签订安全承诺书装订成册留档；期初讲安全点、期中安全演练、期末安全培训，形成安全闭环。",
    ),
    # 职能部门
    Highlight(
        "教务处",
        "2021年河南省教师教学能力大赛二等奖3项",
        "08-10",
        Ach.Kind.COMPETITION,
        Ach.Level.PROVINCIAL,
        Ach.Grade.SECOND,
        description="我校6个参赛团队获二等奖3项、三等奖3项，为近年来该赛项取得的最好成绩。",
    ),
    Highlight(
        "教务处",
        "2021年河南省教师教学能力大赛三等奖3项",
        "08-10",
        Ach.Kind.COMPETITION,
        Ach.Level.PROVINCIAL,
        Ach.Grade.THIRD,
        description="我校6个参赛团队获二等奖3项、三等奖3项，为近年来该赛项取得的最好成绩。",
    ),
    Highlight(
        "招生就业处",
        "2021年招生质量再创新高，招生计划完成率99.81%",
        "09-20",
        Ach.Kind.OTHER,
        Ach.Level.SCHOOL,
        description="文科录取最高分511分、平均分426分；理科录取最高分440分、平均分372分，远高于省线（200分）；"
        "就业率89.72%，高于去年同期和全省平均就业率。",
    ),
    Highlight(
        "对外合作处",
        "焦作建筑科技职业教育集团（联盟）获批成立",
        "08-17",
        Ach.Kind.OTHER,
        Ach.Level.CITY,
        description="经焦作教育局批准成立；与征云集团合作建成“智能建造学院”。",
    ),
    Highlight(
        "科研处",
        "河南省非物质文化遗产研究基地（艺术学院）获批",
        "07-28",
        Ach.Kind.PLATFORM,
        Ach.Level.PROVINCIAL,
        Ach.Grade.APPROVED,
        "艺术学院",
        "通过河南省文化和旅游厅批准。",
    ),
    Highlight(
        "科研处",
        "焦作市怀药活性成分分析利用工程技术研究中心（化工学院）获批",
        "09-14",
        Ach.Kind.PLATFORM,
        Ach.Level.CITY,
        Ach.Grade.APPROVED,
        "化学与环境工程学院",
        "通过焦作市科技局批准建设。",
    ),
    Highlight(
        "科研处",
        "焦作市智慧教育技术应用工程技术研究中心（信息学院）获批",
        "09-14",
        Ach.Kind.PLATFORM,
        Ach.Level.CITY,
        Ach.Grade.APPROVED,
        "信息工程学院",
        "通过焦作市科技局批准建设。",
    ),
    Highlight(
        "人事处",
        "河南省教育厅师德教育主题征文高校教师组一等奖",
        "09-08",
        Ach.Kind.COMPETITION,
        Ach.Level.PROVINCIAL,
        Ach.Grade.FIRST,
        description="“礼赞建党百年，矢志为党育人”师德教育主题征文活动。",
    ),
    Highlight(
        "人事处",
        "河南省教育厅师德教育主题征文高校教师组二等奖",
        "09-08",
        Ach.Kind.COMPETITION,
        Ach.Level.PROVINCIAL,
        Ach.Grade.SECOND,
        description="“礼赞建党百年，矢志为党育人”师德教育主题征文活动。",
    ),
    Highlight(
        "人事处",
        "河南省教育厅师德教育主题征文高校教师组三等奖",
        "09-08",
        Ach.Kind.COMPETITION,
        Ach.Level.PROVINCIAL,
        Ach.Grade.THIRD,
        description="“礼赞建党百年，矢志为党育人”师德教育主题征文活动。",
    ),
    Highlight(
        "纪委/监察专员办公室",
        "制定“4795”工作措施，加强校风学风教风作风建设",
        "06-15",
        Ach.Kind.OTHER,
        Ach.Level.SCHOOL,
        description="印发《关于加强校风学风教风作风建设的实施方案》，督促各牵头部门制定任务分解表。",
    ),
    Highlight(
        "校团委",
        "全校3000余人同上一台音乐党史课",
        "06-29",
        Ach.Kind.OTHER,
        Ach.Level.SCHOOL,
        description="建党一百周年之际组织，受到领导和师生的一致好评。",
    ),
    Highlight(
        "编辑部",
        "学报印刷版与电子版同步发行，通过全国非邮发报刊联合发行部发行",
        "03-15",
        Ach.Kind.OTHER,
        Ach.Level.SCHOOL,
        description="首次实现刊物印刷版与电子版同步发行；焦大学报从2021年第一期开始全国发行。",
    ),
    Highlight(
        "网信办",
        "两项政协提案被焦作市政协采纳",
        "07-06",
        Ach.Kind.OTHER,
        Ach.Level.CITY,
        description="积极服务地方经济，扩大了焦作大学的影响力。",
    ),
    Highlight(
        "财务处",
        "完成贷款置换，每年节约利息支出198.7万元",
        "08-30",
        Ach.Kind.OTHER,
        Ach.Level.SCHOOL,
        description="提前完成中旅银行贷款置换工作，农行实行优惠利率，三年节约596.1万元。",
    ),
    Highlight(
        "国资处",
        "建立“小额工程供应商库”",
        "07-15",
        Ach.Kind.OTHER,
        Ach.Level.SCHOOL,
        description="简化了程序，提高工作效率，节约了成本。",
    ),
)

# Notification duty (seed §六; all invented) -----------------------------------------------------


@dataclass(frozen=True)
class Duty:
    department: str
    topic: str
    frequency: str
    due_days: int
    # period start (MM-DD) -> what went wrong: "late", "filed_late", "unfiled", "nonstandard", "missing"
    faults: tuple[tuple[str, str], ...] = ()


M, Q = Frequency.MONTHLY, Frequency.QUARTERLY

DUTIES: tuple[Duty, ...] = (
    Duty("教务处", "教学运行情况通报", M, 5),
    Duty("学生处", "学生日常管理情况通报", M, 5),
    Duty("网信办", "网络与信息安全情况通报", M, 5),
    Duty("保卫处", "校园安全检查情况通报", M, 5),
    Duty("人事处", "教职工考勤情况通报", Q, 10),
    Duty("后勤处", "后勤安全检查情况通报", M, 5, (("03-01", "late"),)),
    Duty("招生就业处", "毕业生就业进展情况通报", M, 5, (("06-01", "late"),)),
    Duty("财务处", "财务收支情况通报", Q, 15, (("04-01", "filed_late"),)),
    Duty("国资处", "国有资产管理情况通报", Q, 15, (("01-01", "nonstandard"),)),
    Duty("组织部", "党建工作情况通报", Q, 10, (("04-01", "unfiled"),)),
    Duty("宣传统战部", "宣传思想工作情况通报", M, 7, (("07-01", "missing"),)),
)
FAULT_NOTES = {
    "late": "逾期印发，已要求整改。",
    "filed_late": "逾期印发且未及时向领导小组办公室报备，已要求整改。",
    "unfiled": "已印发，未向领导小组办公室报备，已要求近期整改到位。",
    "nonstandard": "通报不规范：未使用统一格式，缺少文号和数据来源，已要求整改。",
}


def _periods(frequency: str) -> list[tuple[date, date]]:
    months = 1 if frequency == M else 3
    out = []
    for first in range(1, 13, months):
        start = date(YEAR, first, 1)
        end_month = first + months
        end = (date(YEAR + 1, 1, 1) if end_month > 12 else date(YEAR, end_month, 1)) - timedelta(days=1)
        out.append((start, end))
    return out


# Loading ----------------------------------------------------------------------------------------


def _day(text: str) -> date:
    month, day = text.split("-")
    return date(YEAR, int(month), int(day))


def _span(text: str) -> tuple[date | None, date | None]:
    if not text:
        return None, None
    start, _sep, end = text.partition("..")
    return _day(start), (_day(end) if end else None)


def _sync(obj, **values) -> bool:
    """Set the values that differ and save only then, so reruns write no history."""
    dirty = [k for k, v in values.items() if getattr(obj, k) != v]
    for k in dirty:
        setattr(obj, k, values[k])
    if dirty or obj.pk is None:
        obj.save()
        return True
    return False


def _sync_m2m(manager, wanted: list) -> bool:
    ids = {o.pk for o in wanted}
    if set(manager.values_list("pk", flat=True)) == ids:
        return False
    manager.set(wanted)
    return True


class _Loader:
    def __init__(self, year: AssessmentYear):
        self.year = year
        self.zone = ZoneInfo(settings.TIME_ZONE)
        self.departments = {d.name: d for d in Department.objects.all()}
        self.office = User.objects.get(username="office")
        self.liaisons: dict[int, User] = {}
        found = Membership.objects.active().filter(role=Role.LIAISON, department__isnull=False)
        for m in found.select_related("user").order_by("user__username"):
            self.liaisons.setdefault(m.department_id, m.user)
        self.targets = {
            (t.plan.department.name, t.title): t
            for t in Target.objects.filter(year=year).select_related("plan__department")
        }
        self.changed = 0

    def liaison(self, department: Department) -> User:
        return self.liaisons.get(department.pk, self.office)

    # brands

    def brands(self) -> None:
        existing = {(b.parent_id, b.name): b for b in Brand.objects.filter(year=self.year)}
        notes = {(n.brand_id, n.date): n for n in BrandNote.objects.filter(brand__year=self.year)}
        for order, spec in enumerate(BRANDS, start=1):
            brand = self.brand(spec, None, order * 10, existing)
            if spec.note:
                day, text = spec.note
                when = _day(day)
                note = notes.get((brand.pk, when)) or BrandNote(brand=brand, date=when)
                author = self.liaison(self.departments[spec.owners[0]])
                self.changed += _sync(note, text=text, author_id=author.pk)

    def brand(self, spec: BrandSpec, parent: Brand | None, order: int, existing: dict) -> Brand:
        parent_id = parent.pk if parent else None
        brand = existing.get((parent_id, spec.name)) or Brand(year=self.year, name=spec.name, parent=parent)
        self.changed += _sync(
            brand,
            slogan=spec.slogan,
            is_checklist=spec.checklist,
            state=spec.state,
            description=spec.description,
            order=order,
        )
        self.changed += _sync_m2m(brand.owners, [self.departments[o] for o in spec.owners])
        self.changed += _sync_m2m(brand.targets, [self.targets[t] for t in spec.targets if t in self.targets])
        for n, child in enumerate(spec.children, start=1):
            self.brand(child, brand, n * 10, existing)
        return brand

    # projects

    def projects(self) -> None:
        existing = {
            (p.owner_id, p.parent_id, p.name): p
            for p in MajorProject.objects.filter(year=self.year).prefetch_related("related_departments")
        }
        stages = {(s.project_id, s.order): s for s in ProjectStage.objects.filter(project__year=self.year)}
        orders: dict[str, int] = {}
        for spec in PROJECTS:
            orders[spec.owner] = orders.get(spec.owner, 0) + 10
            self.project(spec, None, orders[spec.owner], existing, stages)

    def project(self, spec: Project, parent: MajorProject | None, order: int, existing: dict, stages: dict) -> None:
        owner = self.departments[spec.owner]
        key = (owner.pk, parent.pk if parent else None, spec.name)
        project = existing.get(key) or MajorProject(year=self.year, owner=owner, parent=parent, name=spec.name)
        target = self.targets.get(spec.target) if spec.target else None
        self.changed += _sync(
            project, description=spec.description, order=order, target_id=target.pk if target else None
        )
        wanted = [self.departments[d] for d in spec.related]
        if {d.pk for d in project.related_departments.all()} != {d.pk for d in wanted}:
            project.related_departments.set(wanted)
            self.changed += 1
        for n, stage in enumerate(spec.stages, start=1):
            planned_start, planned_end = _span(stage.planned)
            actual_start, actual_end = _span(stage.actual)
            state = StageState.DONE if actual_end else StageState.RUNNING if actual_start else StageState.PLANNED
            row = stages.get((project.pk, n * 10)) or ProjectStage(project=project, order=n * 10)
            self.changed += _sync(
                row,
                kind=stage.kind,
                title=stage.title,
                planned_start=planned_start,
                planned_end=planned_end,
                actual_start=actual_start,
                actual_end=actual_end,
                responsible_id=self.departments[stage.responsible or spec.owner].pk,
                payment_percent=Decimal(stage.paid) if stage.paid else None,
                state=state,
                note=stage.note,
            )
        for n, part in enumerate(spec.parts, start=1):
            self.project(part, project, n * 10, existing, stages)

    # highlights

    def highlights(self) -> None:
        existing = {(a.department_id, a.title): a for a in Achievement.objects.filter(year=self.year)}
        for spec in HIGHLIGHTS:
            department = self.departments[spec.department]
            when = _day(spec.date)
            row = existing.get((department.pk, spec.title)) or Achievement(
                year=self.year, department=department, title=spec.title
            )
            rng = random.Random(f"{YEAR}/achievement/{spec.department}/{spec.title}")
            verified = datetime.combine(
                min(when + timedelta(days=rng.randint(1, 4)), date(YEAR, 10, 18)),
                time(rng.randint(9, 16), rng.randint(0, 59)),
                self.zone,
            )
            self.changed += _sync(
                row,
                date=when,
                kind=spec.kind,
                level=spec.level,
                grade=spec.grade,
                people=spec.people,
                description=spec.description,
                state=Achievement.State.VERIFIED,
                submitted_by_id=self.liaison(department).pk,
                verified_by_id=self.office.pk,
                verified_at=verified,
            )

    # notification duty

    def duties(self) -> None:
        existing = {(d.department_id, d.topic): d for d in NotificationDuty.objects.filter(year=self.year)}
        records = {(r.duty_id, r.period_start): r for r in NotificationRecord.objects.filter(duty__year=self.year)}
        for spec in DUTIES:
            department = self.departments[spec.department]
            duty = existing.get((department.pk, spec.topic)) or NotificationDuty(
                year=self.year, department=department, topic=spec.topic
            )
            self.changed += _sync(
                duty, frequency=spec.frequency, due_days=spec.due_days, filing_required=True, active=True
            )
            faults = {_day(start): fault for start, fault in spec.faults}
            recorder = self.liaison(department)
            for start, end in _periods(spec.frequency):
                due = end + timedelta(days=spec.due_days)
                if due > CUTOFF or faults.get(start) == "missing":
                    continue
                fault = faults.get(start, "")
                rng = random.Random(f"{YEAR}/notice/{spec.department}/{spec.topic}/{start}")
                if fault in ("late", "filed_late"):
                    issued = due + timedelta(days=rng.randint(4, 9))
                else:
                    issued = end + timedelta(days=rng.randint(1, spec.due_days))
                if fault == "unfiled":
                    filed = None
                elif fault == "filed_late":
                    filed = issued + timedelta(days=rng.randint(10, 15))
                else:
                    filed = issued + timedelta(days=rng.randint(0, 2))
                label = f"{start.month}月" if spec.frequency == M else f"第{'一二三四'[(start.month - 1) // 3]}季度"
                row = records.get((duty.pk, start)) or NotificationRecord(duty=duty, period_start=start)
                self.changed += _sync(
                    row,
                    period_end=end,
                    issued_date=issued,
                    title=f"{department.name}关于{YEAR}年{label}{spec.topic}",
                    filed_date=filed,
                    standardised=fault != "nonstandard",
                    note=FAULT_NOTES.get(fault, ""),
                    recorded_by_id=recorder.pk,
                )


def load_initiatives(year: AssessmentYear | None = None) -> int:
    """Make the year's brands, projects, highlights and notification duty what this module says; return the changes."""
    year = year or AssessmentYear.objects.get(year=YEAR)
    loader = _Loader(year)
    loader.brands()
    loader.projects()
    loader.highlights()
    loader.duties()
    return loader.changed
