"""The demo school's third-quarter bulletin, 〔2021〕第2期, drafted from the demo's live data.

Sections 一 to 六 and the opening are generated exactly as the office's "draft from the round" does;
七 (problems) and 八 (next steps) are the office's own writing, so the demo puts in the seed's text
(its page-break artefacts removed). The bulletin stays a draft, dated as the seed (2021-10-19), so
that the office can edit and issue it in the demo. A second run changes nothing: once the draft
exists it is the office's, and is left alone.
"""

from __future__ import annotations

from datetime import date

from kaohe.bulletins import services
from kaohe.bulletins.models import Bulletin, SectionKey
from kaohe.demo import rounds, school
from kaohe.org.models import AssessmentYear, User
from kaohe.supervision.models import SupervisionRound

NUMBER = 2
DATE = date(school.YEAR, 10, 19)

PROBLEMS = "\n".join(
    (
        "1.一些工作任务推进较慢。一是社会培训指标，大部分院部完成率低于50%；二是对于文科院部，横向课题完"
        "成难度较大；三是职能部门个别工作项目因上级主管部门未安排，无法开展。",
        "2.个别目标设置存在不合理现象。一是重点工作目标任务项数太多，未突出核心指标；二是个别牵头部门目标下"
        "分时未量化，也无具体时间安排，导致教学院部无法执行。",
        "3.“五个品牌”建设成效不明显。一是品牌创建意识不强，缺乏主动性；二是品牌创新意识不足，亮点不突出；"
        "三是品牌管理机制不健全。",
        "4.重大项目建设缺乏过程监督。重大建设项目目标任务分解没有细化到过程，未按阶段、节点明确相关部门责任"
        "，进度缓慢。",
        "5.考核办法仍需继续改进调整。一是个别重要指标未设置权重，如涉及双高建设、升本需要基础数据的工作；二"
        "是虽然不在重点任务中，但对提高学校影响力、服务地方经济有积极作用的工作，未在加分项中体现。这些问题需"
        "要在下年度制订时进行综合考量。",
    )
)

NEXT_STEPS = "\n".join(
    (
        "1.提升抓落实水平，高质量完成全年工作目标。各部门要明确发展定位，理清思路，把校党委会议已决策的事项"
        "、已安排的工作做好，从实际出发，落到实处，尽职尽责完成目标任务。",
        "2.打造“五个品牌”特色，稳步推进重大项目建设。各品牌和项目承担部门主要负责人要认真履行主体责任，理"
        "清工作思路，以品牌建设和重大项目建设为抓手，统筹各项工作开展，要采取有效措施，集中精力，群策群力，克"
        "难攻坚，确保品牌建设出特色，项目建设高质量。",
        "3.着力加强内涵建设，积极推进升本工作。各部门要认真研读升本政策，特别是拟升本专业所在学院和相关职能"
        "部门，要主动承担责任，加强协调、配合和信息沟通工作，对标对表升本要求，不断充实和完善升本条件，积极谋"
        "划推进升本工作。",
        "4.强化制度管理规范，确保年终考核顺利开展。各部门要规范内部制度管理，对于已完成的工作目标要建立完善"
        "的档案，按照工作项目一事一档，分类进行存放，为全年工作目标考核做好基础性工作。",
        "距离年终考核还有两个月时间，希望各部门查漏补缺，围绕学校中心工作，克服困难、全力攻坚，圆满完成202"
        "1年度工作任务，为焦作大学的高质量发展贡献力量。",
    )
)

WRITTEN = {SectionKey.PROBLEMS: PROBLEMS, SectionKey.NEXT_STEPS: NEXT_STEPS}


def load_bulletin(year: AssessmentYear | None = None) -> int:
    year = year or AssessmentYear.objects.get(year=school.YEAR)
    if Bulletin.objects.filter(year=year, number=NUMBER).exists():
        return 0
    round_ = SupervisionRound.objects.select_related("year").get(year=year, name=rounds.NAME)
    office = User.objects.get(username="office")
    bulletin = services.create_bulletin(round_=round_, by=office, number=NUMBER, issue_date=DATE)
    changed = 1 + bulletin.sections.count()
    for section in bulletin.sections.filter(key__in=list(WRITTEN)):
        services.save_section(
            section=section, by=office, version=section.version, heading=section.heading, text=WRITTEN[section.key]
        )
        changed += 1
    return changed
