"""What a bulletin says, drafted from a round's live data (domain.md §4, the seed's 一 to 八).

Each section has a generator that reads the round once, in a fixed number of queries, and returns
the section's text: one paragraph per line, headings as the office would type them (see
``document.blocks``). The wording is official-document Chinese whatever the page's language, like
the round's notice (``supervision.services.draft_notice``). The office edits every section after;
"regenerate" runs the generator again.

Sections 一, 二, 四 and 六 are computed (figures, incomplete items, project stages, notification
compliance); 三 and 五 are composed from what was recorded (brands and their notes, verified
highlights); 七 and 八 are the office's, and ``suggestions`` offers items drawn from the data.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch, Q

from kaohe.bulletins.document import chinese_number
from kaohe.bulletins.models import SectionKey
from kaohe.initiatives import brands as brand_rules
from kaohe.initiatives import duties as duty_rules
from kaohe.initiatives import projects as project_rules
from kaohe.initiatives.models import Achievement, Brand, BrandNote, MajorProject, NotificationDuty, NotificationRecord
from kaohe.org.models import Department, Membership, Role
from kaohe.plans.models import Target
from kaohe.supervision import selectors, stats
from kaohe.supervision.models import Rectification, SelfCheck, SupervisionRound, Verification
from kaohe.supervision.services import chinese_date, period_words

# The school's own rules on notification duty, which section 六 cites (the seed's wording).
NOTIFICATION_RULES = "《关于落实工作通报制度有关要求的通知》"

# The five inspection points as the bulletin words them (seed §一; supervision.models.Point).
POINT_WORDS = (
    "核实各部门{period}应完成的重点工作项目，已完成项目数、未完成项目数、已完成项目建档情况",
    "重点了解{brands}、学校重大项目的建设和推进情况以及各部门取得的成绩和工作亮点",
    "督导职能部门通报制度的执行情况",
    "核查各部门全年重点工作目标进展情况和存在问题",
    "征集对考核工作的意见和建议",
)


def _stop(text: str) -> str:
    """A clause without its final full stop or semicolon, to be joined into a sentence."""
    return text.strip().rstrip("。；;，,")


def full_date(day: date) -> str:
    """ "2021年10月19日", as the bulletin's date is written."""
    return f"{day.year}年{chinese_date(day)}"


def _project_name(name: str) -> str:
    return name if name.endswith(("项目", "工程")) else f"{name}项目"


# Titles ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Titles:
    header_org: str
    title: str
    subtitle: str
    signature: str


def titles(round_: SupervisionRound) -> Titles:
    words = period_words(round_.period_start, round_.period_end)
    school = settings.SCHOOL_NAME
    return Titles(
        header_org=f"{school}目标管理与绩效考核领导小组",
        title="重点工作目标完成情况通报",
        subtitle=f"——{round_.year.year}年{words}各部门重点工作完成情况督查通报",
        signature=f"{school}目标管理与绩效考核领导小组办公室",
    )


def heading(key: str, round_: SupervisionRound) -> str:
    """The section's heading without its numeral ("督查工作开展情况"); the opening has none."""
    words = period_words(round_.period_start, round_.period_end)
    if key == SectionKey.BRANDS:
        return f"{brand_term(brand_count(round_)) or '品牌'}创建及推进情况"
    return {
        SectionKey.OPENING: "",
        SectionKey.CONDUCT: "督查工作开展情况",
        SectionKey.COMPLETION: f"{words}重点工作目标完成情况",
        SectionKey.PROJECTS: "重大项目建设及推进情况",
        SectionKey.HIGHLIGHTS: "其他亮点工作",
        SectionKey.NOTIFICATION: "职能部门通报制度执行情况",
        SectionKey.PROBLEMS: "存在的主要问题",
        SectionKey.NEXT_STEPS: "下一步工作要求",
    }[SectionKey(key)]


# The sections ------------------------------------------------------------------------------------


def department_count(round_: SupervisionRound) -> int:
    return Verification.objects.filter(round=round_).values("department_id").distinct().count()


def date_span(start: date, end: date) -> str:
    """ "10月5日—14日" within a month, as the seed writes it; "9月28日—10月14日" across months."""
    if start == end:
        return chinese_date(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{chinese_date(start)}—{end.day}日"
    return f"{chinese_date(start)}—{chinese_date(end)}"


def brand_count(round_: SupervisionRound) -> int:
    return Brand.objects.filter(year=round_.year, parent__isnull=True).count()


def brand_term(count: int) -> str:
    """The seed's "“五个品牌”" for the year's brands; empty when there are none (or too many to say)."""
    return f"“{chinese_number(count)}个品牌”" if 0 < count < 100 else ""


def opening(round_: SupervisionRound) -> str:
    words = period_words(round_.period_start, round_.period_end)
    return (
        f"为确保学校{round_.year.year}年度重点工作目标任务按时按进度完成，"
        f"{date_span(round_.onsite_start, round_.onsite_end)}期间，"
        "学校目标管理与绩效考核工作领导小组办公室（以下简称“领导小组办公室”）"
        f"对全校{department_count(round_)}个部门的{words}重点工作目标完成情况及全年工作目标推进情况进行了现场督查。"
        "现对督查情况通报如下："
    )


def office_name(round_: SupervisionRound) -> str:
    """The department of the office member who made the round (the seed's "（质量发展处）")."""
    membership = (
        Membership.objects.active()
        .filter(user_id=round_.created_by_id, role=Role.OFFICE, department__isnull=False)
        .select_related("department")
        .first()
    )
    return membership.department.name if membership else ""


def conduct(round_: SupervisionRound) -> str:
    words = period_words(round_.period_start, round_.period_end)
    office = office_name(round_)
    who = f"领导小组办公室（{office}）" if office else "领导小组办公室"
    first = (
        f"{chinese_date(round_.notice_date)}，{who}下发了《{_stop(round_.notice_title).strip('《》')}》，"
        f"明确了{words}工作目标督查的形式、内容、重点及要求，要求各部门对{words}应完成的重点工作项目及"
        "全年工作目标进展情况进行自查，并向领导小组办公室提交自查报告，按要求建档。"
    )
    checks = SelfCheck.objects.filter(round=round_).exclude(submitted_at__isnull=True)
    submitted = checks.count()
    late = checks.filter(late=True).count()
    if submitted:
        first += f"截至{chinese_date(round_.onsite_end)}，{submitted}个部门提交了自查报告"
        first += f"，其中{late}个部门逾期提交。" if late else "，均按时提交。"
    brands = brand_term(brand_count(round_)) or "品牌创建"
    points = "；".join(
        f"{chinese_number(n)}是{text.format(period=words, brands=brands)}" for n, text in enumerate(POINT_WORDS, 1)
    )
    second = f"现场督查主要围绕以下五个方面开展：{points}。"
    return f"{first}\n{second}"


def judgement(school: stats.Completion, archive: dict[str, int]) -> str:
    """The inspectors' overall view, from the ratio and the archive ratings of completed items.

    Thresholds (documented in docs/bulletin.md): 95 % and more "良好", 85 % "较好", below "有待提高";
    archives "规范" when nine in ten rated ones are standard, "较为规范" when nine in ten are standard
    or fairly standard, else "有待规范".
    """
    ratio = school.ratio if school.due else None
    if ratio is None:
        return ""
    overall = "良好" if ratio >= Decimal("0.95") else "较好" if ratio >= Decimal("0.85") else "有待提高"
    labels = dict(Verification._meta.get_field("archive_rating").choices)
    good = archive.get(str(labels["good"]), 0)
    fair = archive.get(str(labels["fair"]), 0)
    rated = good + fair + archive.get(str(labels["poor"]), 0) + archive.get(str(labels["missing"]), 0)
    text = f"经现场检查，各部门整体完成情况{overall}"
    if rated:
        files = "规范" if good * 10 >= rated * 9 else "较为规范" if (good + fair) * 10 >= rated * 9 else "有待规范"
        text += f"，已完成项目建档{files}"
    return text + "。"


def item_words(item: selectors.IncompleteItem) -> str:
    """One incomplete item as the seed writes it: what, why, and where it stands now."""
    reason = _stop(item.reason)
    words = reason if reason.startswith(item.title) else f"{item.title}{reason}" if reason else item.title
    if item.current_stage.strip():
        words += f"，{_stop(item.current_stage)}"
    return words


def completion(round_: SupervisionRound) -> str:
    result = selectors.round_stats(round_)
    first = f"截至{chinese_date(round_.period_end)}，各部门重点工作目标项目{stats.sentence(result.school)}。"
    first += judgement(result.school, result.archive)
    by_department: dict[str, list[selectors.IncompleteItem]] = defaultdict(list)
    for item in result.incomplete:
        by_department[item.department].append(item)
    if not by_department:
        return first + ("各部门均已完成本期应完成的工作项目。" if result.school.due else "")
    lines = []
    for name, items in by_department.items():
        missing = sum((1 - i.credit for i in items), Decimal(0))
        details = "；".join(item_words(i) for i in items)
        lines.append(f"{name}未按时完成项目{stats.format_count(missing)}项：{details}。")
    first += "未完成工作项目如下："
    if len(lines) == 1:
        return first + lines[0]
    return "\n".join([first, *lines])


def brands(round_: SupervisionRound) -> str:
    """Section 三: each top-level brand, its items and the progress noted in the round's period."""
    notes = BrandNote.objects.filter(date__gte=round_.period_start, date__lte=round_.period_end).order_by("date", "id")
    children = Brand.objects.prefetch_related(Prefetch("notes", queryset=notes, to_attr="period_notes"))
    top = (
        Brand.objects.filter(year=round_.year, parent__isnull=True)
        .prefetch_related(
            Prefetch("owners", queryset=Department.objects.order_by("order", "id")),
            Prefetch("children", queryset=children.order_by("order", "id"), to_attr="items"),
            Prefetch("notes", queryset=notes, to_attr="period_notes"),
        )
        .order_by("order", "id")
    )
    top = list(top)
    if not top:
        return ""
    term = brand_term(len(top))
    lines = [
        f"{round_.year.year}年各部门紧紧围绕创建{term}的思路积极开展工作，建设成果如下："
        if term
        else f"{round_.year.year}年各部门围绕品牌创建积极开展工作，建设成果如下："
    ]
    for i, brand in enumerate(top):
        owners = "、".join(d.name for d in brand.owners.all())
        about = f"围绕“{brand.slogan}”积极推进{brand.name}建设" if brand.slogan else f"持续推进{brand.name}建设"
        lines.append(f"（{chinese_number(i + 1)}）{owners}{about}")
        if brand.description.strip():
            lines.append(brand.description.strip())
        if brand.is_checklist and brand.items:
            lines.append(_checklist_words(brand.items))
        elif brand.items:
            for n, item in enumerate(brand.items, 1):
                lines.append(f"{n}. {_item_title(item)}")
                lines.extend(t for t in [item.description.strip(), *(x.text.strip() for x in item.period_notes)] if t)
        lines.extend(note.text.strip() for note in brand.period_notes if note.text.strip())
    return "\n".join(lines)


def _item_title(item: Brand) -> str:
    """ "“改教师”——创建“双师型”品牌" for a short brand word, "中华经典诵读——传承国学经典 坚定文化自信"
    for a motto, the bare name without either (the seed's two styles)."""
    if not item.slogan:
        return item.name
    if len(item.slogan) <= SHORT_SLOGAN:
        return f"“{item.name}”——创建“{item.slogan}”品牌"
    return f"{item.name}——{item.slogan}"


SHORT_SLOGAN = 4


def _checklist_words(items: list[Brand]) -> str:
    counts = brand_rules.checklist_counts(items)
    done = "、".join(i.name for i in items if i.state == Brand.State.DONE)
    running = "、".join(f"“{i.name}”" for i in items if i.state == Brand.State.RUNNING)
    parts = []
    if done:
        parts.append(f"{done}{chinese_number(counts.done)}项工作已完成")
    if running:
        parts.append(f"{running}{chinese_number(counts.running)}项工作正在进行")
    if counts.planned:
        parts.append(f"{chinese_number(counts.planned)}项工作尚未启动")
    return f"目前，{'；'.join(parts)}。"


def projects(round_: SupervisionRound) -> str:
    """Section 四: the major projects by owner department, each with its stage-by-stage sentence."""
    subs = MajorProject.objects.prefetch_related(Prefetch("stages", to_attr="stage_list")).order_by("order", "id")
    top = (
        MajorProject.objects.filter(year=round_.year, parent__isnull=True)
        .select_related("owner")
        .prefetch_related(
            Prefetch("stages", to_attr="stage_list"),
            Prefetch("subprojects", queryset=subs, to_attr="sub_list"),
        )
    )
    owners: dict[str, list[MajorProject]] = defaultdict(list)
    for project in top:
        owners[project.owner.name].append(project)
    lines = []
    for i, (owner, owned) in enumerate(owners.items()):
        lines.append(f"（{chinese_number(i + 1)}）{owner}承担的重大项目建设及推进情况")
        for n, project in enumerate(owned, 1):
            sentence = project_rules.status_sentence(project, round_.year.year)
            late = project_rules.rollup(project, round_.period_end).overdue
            if late:
                sentence += f"截至{chinese_date(round_.period_end)}，有{late}个节点滞后于计划。"
            lines.append(f"{n}.{_project_name(project.name)}，{sentence}")
    return "\n".join(lines)


def highlight_window(round_: SupervisionRound) -> tuple[date, date]:
    """Highlights of the covered period and up to the end of the on-site visits (the seed's 10-14 award)."""
    return round_.period_start, max(round_.period_end, round_.onsite_end)


def highlights(round_: SupervisionRound) -> str:
    """Section 五: verified highlights, teaching departments first, then functional ones."""
    start, end = highlight_window(round_)
    found = (
        Achievement.objects.filter(year=round_.year, state=Achievement.State.VERIFIED, date__gte=start, date__lte=end)
        .select_related("department")
        .order_by("department__order", "department_id", "date", "id")
    )
    groups = {Department.Kind.TEACHING: ("教学院部", {}), Department.Kind.FUNCTIONAL: ("职能部门", {})}
    for a in found:
        _label, departments = groups.get(a.department.kind, groups[Department.Kind.FUNCTIONAL])
        departments.setdefault(a.department.name, []).append(a)
    lines = []
    numbered = [(label, departments) for label, departments in groups.values() if departments]
    for i, (label, departments) in enumerate(numbered):
        lines.append(f"（{chinese_number(i + 1)}）{label}")
        for n, (name, items) in enumerate(departments.items(), 1):
            lines.append(f"{n}.{name}")
            lines.extend(_highlight_words(items))
    return "\n".join(lines)


def _highlight_words(items: list[Achievement]) -> list[str]:
    """One paragraph per highlight: what (and who), then its description unless the previous one said it."""
    paragraphs, said = [], set()
    for a in items:
        people = a.people.strip()
        if not people or people in a.title:
            text = f"{_stop(a.title)}。"
        elif "（" in people or "(" in people:
            text = f"{_stop(a.title)}，{_stop(people)}。"  # no brackets inside brackets
        else:
            text = f"{_stop(a.title)}（{people}）。"
        description = a.description.strip()
        if description and description not in said:
            text += description if description.endswith(("。", "！", "？", "”")) else f"{description}。"
            said.add(description)
        paragraphs.append(text)
    return paragraphs


def notification(round_: SupervisionRound) -> str:
    """Section 六: the functional departments' notices due by the period's end, as checked."""
    day = round_.period_end
    duty_list = list(NotificationDuty.objects.filter(year=round_.year, active=True).select_related("department"))
    if not duty_list:
        return ""
    records = NotificationRecord.objects.filter(duty__in=duty_list)
    rows = duty_rules.duty_rows(duty_list, records, round_.year.year, day + timedelta(days=1))
    result = duty_rules.compliance(rows)
    school = result.school
    names = {d.department_id: d.department.name for d in duty_list}
    text = (
        f"考核领导小组办公室根据{NOTIFICATION_RULES}对{chinese_date(day)}前职能部门通报的完成情况进行了检查，"
        f"{len(names)}个职能部门应通报{school.counted}期，按时通报{school.on_time}期，按时率{school.percent_text}。"
    )
    problems = []
    if school.not_standard:
        problems.append("通报不规范")
    if school.filed_late or school.not_filed:
        problems.append("报备不及时")
    if school.late or school.missing:
        problems.append("未按时通报")
    if not problems:
        return text + "各职能部门均能按要求执行通报制度。"
    faulty = [
        names[dept]
        for dept, rate in result.departments.items()
        if rate.not_standard or rate.filed_late or rate.not_filed or rate.late or rate.missing
    ]
    good = school.ratio is not None and school.ratio >= Decimal("0.8")
    lead = "相关职能部门能够较好的执行通报制度，但是仍存在" if good else "部分职能部门通报制度执行不到位，存在"
    return text + f"{lead}{'、'.join(problems)}的现象（涉及{'、'.join(faulty)}），在检查中已经要求其近期整改到位。"


# Suggestions for 七 and 八 ------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    key: str  # SectionKey.PROBLEMS or NEXT_STEPS
    text: str


def _some(names: list[str], limit: int = 5) -> str:
    shown = "、".join(names[:limit])
    return shown + ("等" if len(names) > limit else "")


def suggestions(round_: SupervisionRound) -> list[Suggestion]:
    """Items the office may take into 七 (problems) and 八 (next steps), drawn from the data:
    targets without weights, split indicators where most colleges are under 50 %, projects without
    stages (no department responsible for each stage), late self-checks, incomplete items, open
    rectifications and archives not standard."""
    found: list[Suggestion] = []
    problems, steps = SectionKey.PROBLEMS, SectionKey.NEXT_STEPS
    result = selectors.round_stats(round_)

    no_weight = Target.objects.filter(year=round_.year, withdrawn=False, parent__isnull=True).filter(
        Q(weight__isnull=True) | Q(weight=0)
    )
    unweighted = list(
        no_weight.order_by("plan__department__order", "order", "code").values_list("title", flat=True)[:6]
    )
    if unweighted:
        count = no_weight.count()
        found.append(
            Suggestion(
                problems, f"个别重要指标未设置权重：{count}项重点工作目标未设置权重，如“{_some(unweighted, 3)}”。"
            )
        )

    for name, split in result.splits:
        if split.most:
            title = name.split(" ", 1)[-1]
            title = title if title.endswith("指标") else f"{title}指标"
            found.append(
                Suggestion(
                    problems,
                    f"一些工作任务推进较慢：{title}，大部分院部完成率低于50%"
                    f"（{len(split.ratios)}个院部中{split.under_count}个低于50%）。",
                )
            )

    bare = list(
        MajorProject.objects.filter(year=round_.year, stages__isnull=True, subprojects__isnull=True)
        .order_by("owner__order", "order", "id")
        .values_list("name", flat=True)
        .distinct()
    )
    if bare:
        found.append(
            Suggestion(
                problems,
                f"重大项目建设缺乏过程监督：{len(bare)}个重大项目未按阶段、节点明确相关部门责任，如{_some(bare, 3)}。",
            )
        )

    late_names = late_selfchecks(round_)
    if late_names:
        found.append(
            Suggestion(problems, f"自查工作不够及时：{_some(late_names)}{len(late_names)}个部门未按时提交自查报告。")
        )
        found.append(Suggestion(steps, "各部门要高度重视督查自查工作，按通知要求按时提交自查报告并按要求建档。"))

    departments = list(dict.fromkeys(i.department for i in result.incomplete))
    if departments:
        found.append(
            Suggestion(
                steps,
                f"加快推进未完成项目：{_some(departments)}要对未完成的工作项目制定措施、明确时限，"
                "确保全年工作目标按时完成。",
            )
        )
    open_fixes = Rectification.objects.filter(round=round_).exclude(state=Rectification.State.CLOSED).count()
    if open_fixes:
        found.append(
            Suggestion(
                steps, f"抓好问题整改：本次督查发现的问题中尚有{open_fixes}项整改未完成，相关部门要按期整改到位。"
            )
        )
    labels = dict(Verification._meta.get_field("archive_rating").choices)
    weak = sum(result.archive.get(str(labels[code]), 0) for code in ("fair", "poor", "missing"))
    if weak:
        found.append(
            Suggestion(
                steps,
                f"规范档案管理：已完成项目中有{weak}项建档不够规范，各部门要按照工作项目一事一档，分类进行存放，"
                "为全年工作目标考核做好基础性工作。",
            )
        )
    return found


def late_selfchecks(round_: SupervisionRound) -> list[str]:
    """Departments whose self-check came late, or had not come when the deadline passed."""
    from django.utils import timezone

    checks = SelfCheck.objects.filter(round=round_).select_related("department")
    passed = round_.deadline_passed(timezone.now())
    return [c.department.name for c in checks if c.late or (passed and c.submitted_at is None)]


def written(round_: SupervisionRound, key: str) -> str:
    """A starting text for 七 or 八: the suggestions, numbered, for the office to rewrite."""
    items = [s.text for s in suggestions(round_) if s.key == key]
    return "\n".join(f"{n}.{text}" for n, text in enumerate(items, 1))


GENERATORS = {
    SectionKey.OPENING: opening,
    SectionKey.CONDUCT: conduct,
    SectionKey.COMPLETION: completion,
    SectionKey.BRANDS: brands,
    SectionKey.PROJECTS: projects,
    SectionKey.HIGHLIGHTS: highlights,
    SectionKey.NOTIFICATION: notification,
    SectionKey.PROBLEMS: lambda round_: written(round_, SectionKey.PROBLEMS),
    SectionKey.NEXT_STEPS: lambda round_: written(round_, SectionKey.NEXT_STEPS),
}


def generate(round_: SupervisionRound, key: str) -> str:
    return GENERATORS[SectionKey(key)](round_)
