"""Benchmark of the bulletin's files (工作通报) for a school of 150 departments: the .docx and the PDF.

    .venv/bin/python bench/bulletin.py [--depts 150] [--runs 3] [--seed 42] [--json FILE] [--out DIR]

Builds, without a database, a ``kaohe.bulletins.document.Document`` the size such a school's bulletin
would have. The seed bulletin (35 departments, 14 pages) is the model: sections 一, 三 and 六–八 keep
the seed's length, and the three sections that grow with the school are scaled with ``--depts``:

    二  incomplete items:      one paragraph for each of 20 % of the departments
    四  major projects:        about 3 projects each for 20 functional departments (scaled: depts / 7.5)
    五  highlights:            one heading and one paragraph for each of 40 % of the departments

Content is deterministic (``random.Random(seed)``) and made of the seed's vocabulary. Then, N runs
each (median, min and max wall seconds):

    build_docx   kaohe.bulletins.docx.build_docx(document)
    libreoffice  kaohe.bulletins.pdf.to_pdf(docx, document) with BULLETIN_PDF_ENGINE = "libreoffice"
    weasyprint   the same with "weasyprint" (render_html + WeasyPrint, in this process)

with the page count of each PDF (pdfinfo) and peak memory: the largest RSS of any finished child
process (``getrusage(RUSAGE_CHILDREN)``, i.e. soffice.bin) and this process's own peak (VmHWM, for
WeasyPrint). Goal: the .docx and the LibreOffice PDF each under 5 s. A phase is a function from the
state dict to a result dict, so a phase that composes the document from a database can be added
in front of these.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import hashlib
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOAL_SECONDS = 5.0
CODE = [
    "kaohe/bulletins/document.py",
    "kaohe/bulletins/docx.py",
    "kaohe/bulletins/pdf.py",
    "kaohe/bulletins/html.py",
    "kaohe/templates/bulletins/_document.html",
    "kaohe/templates/bulletins/print.html",
    "kaohe/static/css/bulletin.css",
    "deploy/fontconfig/fonts.conf",
]

FUNCTIONAL_BASES = [
    "党委办公室",
    "校长办公室",
    "组织部",
    "宣传统战部",
    "纪委",
    "学生工作处",
    "教务处",
    "科研处",
    "人事处",
    "财务处",
    "国有资产管理处",
    "后勤管理处",
    "保卫处",
    "招生就业处",
    "对外合作处",
    "质量发展处",
    "审计处",
    "网信办",
    "图书馆",
    "校团委",
    "工会",
    "离退休工作处",
    "发展规划处",
    "研究生处",
    "国际交流处",
    "档案馆",
    "信息中心",
    "现代教育技术中心",
    "实验室管理处",
    "基建处",
    "采购与招标管理中心",
    "校友工作办公室",
    "继续教育处",
    "学报编辑部",
    "机关党委",
    "武装部",
    "校医院",
    "资产经营公司",
    "督导室",
    "社会服务处",
]
FIELDS = [
    "马克思主义",
    "人文",
    "外国语",
    "数学与统计",
    "物理与电子工程",
    "化学与环境工程",
    "机电工程",
    "信息工程",
    "经济管理",
    "会计",
    "土木建筑工程",
    "艺术",
    "太极武术",
    "医学",
    "音乐",
    "体育",
    "法学",
    "教育科学",
    "新闻传播",
    "材料科学与工程",
    "食品与生物工程",
    "智能制造",
    "汽车工程",
    "软件",
    "旅游管理",
    "护理",
    "药学",
    "建筑设计",
    "电气工程",
    "资源与环境",
]
COLLEGE_SUFFIXES = ["学院", "研究院", "实训中心", "继续教育部", "研究所"]
VERBS = ["完成", "推进", "新增", "申报", "建设", "提升", "开展", "落实", "评选", "组织", "修订", "培育"]
SUBJECTS = [
    "省级一流本科专业",
    "国家级科研项目",
    "横向科研经费",
    "高水平论文",
    "发明专利",
    "校级教学名师",
    "课程思政示范课",
    "红色思政智慧教室及VR综合实训室",
    "校企合作实践教学基地",
    "毕业生初次就业率",
    "双师型教师队伍",
    "智慧校园平台",
    "社会服务项目",
    "人才培养方案",
    "师德师风建设",
]
REASONS = ["因进度原因未按工作节点完成", "上级主管部门未安排，无法开展", "受疫情影响推迟", "经费未到位"]
STAGES = ["经积极争取已经完成招标进入建设阶段", "已制定整改方案，第四季度完成", "正在与合作单位协商"]
PROJECT_STATES = [
    "已完成开发、部署、培训，目前正在运行，个别功能细节正在进一步优化与调整。计划{m}月进行项目验收。",
    "已进行招标意向公示，正在与相关部门进行积极沟通，调研需求，了解相关先进技术，完善建设方案。",
    "已完成可研报告的编制和论证，等待发改委批复。",
    "已签订合同，已开始接受服务。",
    "已完成大部分的开发、部署、培训，目前正在部分运行，个别功能正在加紧开发。计划{m}月完成全部开发。",
]
PROJECTS = ["管理系统", "实训室建设", "改造工程", "信息平台", "服务项目", "亮化工程", "整修项目"]
HIGHLIGHTS = [
    "在{place}举办的{contest}中，{dept}学生在指导教师的指导下，取得了{prize}，为学校争得了荣誉。",
    "{dept}深入推进“五教”改革，积极探索“教学做”一体化教学场地建设，建立仿真实训室{n}个；"
    "加强课程思政建设，首批省级课程思政示范项目立项{n}项；校企合作编写的教材获得省级优秀教材{prize}。",
    "{dept}创新校企协同“双导师”育人模式，与合作企业开展“双元制”战略合作，形成了教学基地，"
    "校内导师着力于专业课程辅导、校内实训教学、职业发展探索等方面，企业导师则侧重于学生的岗位能力训练、"
    "职业素养提升与职业生涯规划等方面，真正实现了校企一体化育人。",
    "{dept}加强日常管理规范化、制度化，将安全管理工作放到首位，安全教育在师生中做到“真落实”，"
    "期初每节实验课要求老师讲述安全点，期中进行安全演练，期末进行转型安全培训，形成安全闭环。",
]
CONTESTS = ["全国大学生金相技能大赛", "河南省教师教学能力大赛", "“互联网+”创新创业大赛", "全国职业院校技能大赛"]
PLACES = ["郑州", "北京", "上海", "武汉", "焦作"]
PRIZES = ["一等奖", "二等奖", "三等奖", "特等奖"]


# --- the document --------------------------------------------------------------------------------


def departments(count: int, rng: random.Random) -> tuple[list[str], list[str]]:
    """``count`` distinct names: about a quarter functional departments, the rest colleges and centres."""
    functional_count = max(1, round(count * 0.27))
    functional = [FUNCTIONAL_BASES[i % len(FUNCTIONAL_BASES)] for i in range(functional_count)]
    functional = [
        name if i < len(FUNCTIONAL_BASES) else f"{name}（{i // len(FUNCTIONAL_BASES) + 1}）"
        for i, name in enumerate(functional)
    ]
    academic = [f"{field}{suffix}" for suffix in COLLEGE_SUFFIXES for field in FIELDS][: count - functional_count]
    rng.shuffle(academic)
    return functional, academic


def incomplete_paragraph(dept: str, rng: random.Random) -> str:
    items = rng.choice([1, 1, 1, 2])
    subject = rng.choice(SUBJECTS)
    return (
        f"{dept}未按时完成项目{items}项：{rng.choice(VERBS)}{subject}项目{rng.choice(REASONS)}，"
        f"{rng.choice(STAGES)}；{rng.choice(SUBJECTS)}目标设置为{rng.randint(2, 6)}个，"
        f"完成{rng.randint(1, 2)}个，完成率{rng.randint(20, 80)}%。"
    )


def section_two(academic: list[str], functional: list[str], rng: random.Random) -> str:
    everyone = functional + academic
    late = rng.sample(everyone, max(1, len(everyone) // 5))
    paragraphs = [incomplete_paragraph(dept, rng) for dept in late]
    missing = len(late)
    due = len(everyone) * 3
    head = (
        f"截至9月30日，各部门重点工作目标项目应完成{due}项，已完成{due - missing}项，未完成{missing}项，"
        f"完成比例{(due - missing) / due:.1%}。经现场检查，各部门整体完成情况良好，已完成项目建档较为规范。"
        "未完成工作项目如下："
    )
    return "\n".join([head, *paragraphs])


def section_four(functional: list[str], total: int, rng: random.Random) -> str:
    from kaohe.bulletins.document import chinese_number

    owners = functional[: max(1, round(total / 7.5))]
    lines = []
    for index, dept in enumerate(owners, start=1):
        lines.append(f"（{chinese_number(index)}）{dept}承担的重大项目建设及推进情况")
        for number in range(1, rng.choice([2, 3, 3, 4]) + 1):
            state = rng.choice(PROJECT_STATES).format(m=rng.randint(10, 12))
            lines.append(f"{number}.{rng.choice(SUBJECTS)}{rng.choice(PROJECTS)}，{state}")
    return "\n".join(lines)


def section_five(academic: list[str], functional: list[str], rng: random.Random) -> str:
    count = round((len(academic) + len(functional)) * 0.4)
    chosen_academic = academic[: round(count * 0.7)]
    chosen_functional = functional[: count - len(chosen_academic)]
    lines = []
    for heading, group in (("（一）教学院部", chosen_academic), ("（二）职能部门", chosen_functional)):
        if not group:
            continue
        lines.append(heading)
        for number, dept in enumerate(group, start=1):
            lines.append(f"{number}.{dept}")
            text = rng.choice(HIGHLIGHTS).format(
                dept=dept,
                place=rng.choice(PLACES),
                contest=rng.choice(CONTESTS),
                prize=rng.choice(PRIZES),
                n=rng.randint(1, 3),
            )
            lines.append(text)
    return "\n".join(lines)


def school_document(depts: int, seed: int = 42):
    """The bulletin of a school with ``depts`` departments, built like the seed's."""
    from kaohe.bulletins.document import Document
    from kaohe.bulletins.tests.sample import INTRO, SECTIONS, sections_blocks

    rng = random.Random(seed)
    functional, academic = departments(depts, rng)
    seed_sections = dict(SECTIONS)
    sections = [
        ("督查工作开展情况", seed_sections["督查工作开展情况"]),
        ("第三季度重点工作目标完成情况", section_two(academic, functional, rng)),
        ("“五个品牌”创建及推进情况", seed_sections["“五个品牌”创建及推进情况"]),
        ("重大项目建设及推进情况", section_four(functional, depts, rng)),
        ("其他亮点工作", section_five(academic, functional, rng)),
        ("存在的主要问题", seed_sections["存在的主要问题"]),
        ("下一步工作要求", seed_sections["下一步工作要求"]),
    ]
    return Document(
        header_org="焦作大学目标管理与绩效考核领导小组",
        header_title="工作通报",
        number="〔2021〕第2期",
        title="重点工作目标完成情况通报",
        subtitle="——2021年第三季度各部门重点工作完成情况督查通报",
        blocks=sections_blocks(sections, INTRO.replace("35个部门", f"{depts}个部门")),
        signature="焦作大学目标管理与绩效考核领导小组办公室",
        date_text="2021年10月19日",
    )


# --- measuring -----------------------------------------------------------------------------------


def vm_hwm_mb() -> float | None:
    """This process's peak resident memory so far (Linux VmHWM), MB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def children_peak_rss_mb() -> float:
    """The largest RSS of any finished child process (and its waited-for descendants), MB."""
    return round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)


def pdf_pages(data: bytes) -> int:
    """The page count, from pdfinfo (poppler-utils)."""
    out = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=True, timeout=60).stdout.decode()
    return int(next(line.split()[1] for line in out.splitlines() if line.startswith("Pages:")))


def measure(name: str, runs: int, call) -> tuple[dict, object]:
    """Median, min and max wall seconds of ``runs`` calls; returns the row and the last call's result."""
    times, result = [], None
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - start)
    row = {
        "name": name,
        "runs": runs,
        "median_s": round(statistics.median(times), 3),
        "min_s": round(min(times), 3),
        "max_s": round(max(times), 3),
        "times_s": [round(t, 3) for t in times],
    }
    print(f"  {name:<12} median {row['median_s']:6.2f} s (min {row['min_s']:.2f}, max {row['max_s']:.2f})", flush=True)
    return row, result


# --- phases --------------------------------------------------------------------------------------


def phase_docx(state: dict, runs: int) -> dict:
    from kaohe.bulletins.docx import build_docx

    row, data = measure("build_docx", runs, lambda: build_docx(state["document"]))
    state["docx"] = data
    return row | {"bytes": len(data)}


def phase_pdf(state: dict, runs: int, engine: str) -> dict:
    from django.test import override_settings

    from kaohe.bulletins.pdf import to_pdf

    def call():
        with override_settings(BULLETIN_PDF_ENGINE=engine):
            return to_pdf(state["docx"], state["document"])

    row, result = measure(engine, runs, call)
    if result.engine != engine:
        raise SystemExit(f"asked for {engine}, got {result.engine}: is soffice installed?")
    state[engine] = result.data
    row |= {"bytes": len(result.data), "pages": pdf_pages(result.data)}
    if engine == "libreoffice":
        row["soffice_peak_rss_mb"] = children_peak_rss_mb()  # before any other child: soffice.bin's peak
    else:
        row["process_peak_rss_mb"] = vm_hwm_mb()
    return row


def code_fingerprint() -> dict:
    """Which version of the layout code was measured (sha256 prefix per file)."""
    return {path: hashlib.sha256((ROOT / path).read_bytes()).hexdigest()[:12] for path in CODE}


def tool_versions() -> dict:
    import docx
    import weasyprint
    from django.conf import settings

    try:
        soffice = subprocess.run(
            [settings.BULLETIN_SOFFICE, "--version"], capture_output=True, text=True, timeout=60
        ).stdout.strip()
    except OSError:
        soffice = "not installed"
    return {"python-docx": docx.__version__, "libreoffice": soffice, "weasyprint": weasyprint.__version__}


def machine() -> dict:
    import django

    model = ""
    try:
        model = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "python": platform.python_version(),
        "django": django.get_version(),
        "platform": platform.platform(),
    }


def run(args) -> dict:
    import logging

    import django

    django.setup()
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)  # a line per page otherwise
    state: dict = {}
    start = time.perf_counter()
    state["document"] = document = school_document(args.depts, args.seed)
    build_seconds = time.perf_counter() - start
    chars = sum(len(block.text) for block in document.blocks)
    print(f"document: {args.depts} departments, {len(document.blocks)} blocks, {chars} characters", flush=True)
    phases = [
        phase_docx(state, args.runs),
        phase_pdf(state, args.runs, "libreoffice"),
        phase_pdf(state, args.runs, "weasyprint"),
    ]
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        (out / "bulletin.docx").write_bytes(state["docx"])
        (out / "bulletin-libreoffice.pdf").write_bytes(state["libreoffice"])
        (out / "bulletin-weasyprint.pdf").write_bytes(state["weasyprint"])
    return {
        "bench": "bulletin",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "versions": tool_versions(),
        "code": code_fingerprint(),
        "command": " ".join(["bench/bulletin.py", *sys.argv[1:]]),
        "data": {
            "departments": args.depts,
            "seed": args.seed,
            "blocks": len(document.blocks),
            "characters": chars,
            "document_build_s": round(build_seconds, 3),
        },
        "goal_s": GOAL_SECONDS,
        "phases": phases,
    }


def report(result: dict) -> None:
    print()
    print("| phase | median s | min–max s | pages | bytes | peak RSS MB |")
    print("|---|---:|---:|---:|---:|---:|")
    for row in result["phases"]:
        rss = row.get("soffice_peak_rss_mb") or row.get("process_peak_rss_mb") or ""
        print(
            f"| {row['name']} | {row['median_s']:.2f} | {row['min_s']:.2f}–{row['max_s']:.2f} | "
            f"{row.get('pages', '–')} | {row['bytes']} | {rss} |"
        )
    for row in result["phases"][:2]:
        verdict = "met" if row["median_s"] < result["goal_s"] else "NOT met"
        print(f"goal < {result['goal_s']:.0f} s for {row['name']}: {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--depts", type=int, default=150)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--json", help="also write the result as JSON to this file")
    parser.add_argument("--out", help="keep the .docx and both PDFs in this directory")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaohe.settings")
    os.environ.pop("KAOHE_PRODUCTION", None)
    result = run(args)
    report(result)
    if args.json:
        Path(args.json).write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")


if __name__ == "__main__":
    main()
