"""Benchmark of the targets import (performance.md: "Excel import 10 k rows ≤ 10 s, RSS ≤ 150 MB").

    .venv/bin/python bench/import_targets.py [--targets 10000] [--db sqlite|postgres]

Sets up Django against a throwaway database (a temporary SQLite file, or a PostgreSQL database
``kaohe_bench`` it creates and drops), migrates it, creates a running year, 35 departments and
an office user, builds a workbook of N targets with 1–4 nodes each (random.Random(42)), and then
times the import's phases separately with the project's own code (kaohe.plans.importer):

    read      importer.read_workbook(bytes)          python-calamine + header mapping
    check     importer.check(...)                     row forms, natural keys, plan of changes
    apply     importer.apply(plan)                    the one transaction that writes everything
    re-*      the same file again: read, check, apply (0 created / 0 updated expected)
    update-*  the file with every title changed: check, apply (N updates, nodes replaced)

For each phase: wall time, SQL statements and time, and peak RSS (VmHWM, reset before each phase
through /proc/self/clear_refs, and getrusage's ru_maxrss, the process's high-water mark). The
workbook is built in a child process so that building it does not count in the import's memory.

``--profile check,apply`` writes a cProfile of each named phase to /tmp/profile-PHASE.txt (top functions).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import io
import json
import os
import platform
import pstats
import random
import resource
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_BENCH_DB = "kaohe_bench"

DEPARTMENTS = [
    # (name, kind)
    ("党委办公室", "functional"),
    ("校长办公室", "functional"),
    ("组织部", "functional"),
    ("宣传部", "functional"),
    ("纪委办公室", "functional"),
    ("学生工作处", "functional"),
    ("教务处", "functional"),
    ("科研处", "functional"),
    ("人事处", "functional"),
    ("财务处", "functional"),
    ("国有资产管理处", "functional"),
    ("后勤管理处", "functional"),
    ("保卫处", "functional"),
    ("招生就业处", "functional"),
    ("国际交流合作处", "functional"),
    ("发展规划处", "functional"),
    ("质量发展处", "functional"),
    ("审计处", "functional"),
    ("图书馆", "other"),
    ("信息化建设中心", "other"),
    ("继续教育学院", "other"),
    ("马克思主义学院", "teaching"),
    ("文学院", "teaching"),
    ("外国语学院", "teaching"),
    ("数学与统计学院", "teaching"),
    ("物理与电子工程学院", "teaching"),
    ("化学化工学院", "teaching"),
    ("机电工程学院", "teaching"),
    ("计算机科学与技术学院", "teaching"),
    ("经济管理学院", "teaching"),
    ("建筑工程学院", "teaching"),
    ("艺术设计学院", "teaching"),
    ("体育学院", "teaching"),
    ("医学院", "teaching"),
    ("音乐学院", "teaching"),
]
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
    "研究生考取率",
    "教师博士化率",
    "双师型教师队伍",
    "智慧校园平台",
    "纸质及电子图书资源",
    "学生心理健康教育",
    "校园安全稳定工作",
    "党建工作示范点",
    "社会服务项目",
    "国际交流合作项目",
    "人才培养方案",
    "实验室安全检查",
    "教学质量监控体系",
    "师德师风建设",
    "大学生创新创业训练项目",
    "职业技能等级证书",
]
SUFFIXES = ["", "工作", "建设项目", "专项行动", "（2021年度）", "并通过验收", "达到省内先进水平", "不少于{n}项"]
UNITS = ["项", "篇", "个", "人", "万元", "%", "门", "次"]
NAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
TITLES = ["处长", "院长", "主任", "书记", "副处长", "副院长"]
DELIVERABLES = [
    "完成方案制定",
    "完成中期检查",
    "通过专家验收",
    "提交总结报告",
    "完成招标并开工建设",
    "形成制度文件",
    "召开推进会",
    "完成数据填报",
]
QUARTER_ENDS = [dt.date(2021, 3, 31), dt.date(2021, 6, 30), dt.date(2021, 9, 30), dt.date(2021, 12, 15)]


# --- the workbook (built in a child process) ------------------------------------------------------


def build_workbook(n: int, seed: int) -> bytes:
    from openpyxl import Workbook

    from kaohe.plans import exports

    rng = random.Random(seed)
    book = Workbook(write_only=True)
    targets = book.create_sheet(exports.TARGET_SHEET)
    nodes = book.create_sheet(exports.NODE_SHEET)
    targets.append([c[0] for c in exports.TARGET_COLUMNS])
    nodes.append([c[0] for c in exports.NODE_COLUMNS])
    names = [d[0] for d in DEPARTMENTS]
    split_parents: list[str] = []
    for i in range(n):
        department = rng.randrange(len(names))
        code = f"T21-{department + 1:02d}-{i + 1:05d}"
        quantified = rng.random() < 0.6
        count = rng.randint(2, 50)
        title = rng.choice(VERBS) + rng.choice(SUBJECTS) + rng.choice(SUFFIXES).format(n=count)
        is_split = quantified and rng.random() < 0.01
        parent = rng.choice(split_parents) if split_parents and rng.random() < 0.03 else ""
        co = rng.sample(names, rng.randint(1, 2)) if rng.random() < 0.2 else []
        target_value = count if rng.random() < 0.7 else round(rng.uniform(1, 500), 1)
        targets.append(
            [
                code,
                title,
                names[department],
                rng.choice(list(exports.CATEGORY_LABELS.values())),
                "是" if rng.random() < 0.3 else "否",
                "量化" if quantified else "节点",
                target_value if quantified else None,
                rng.choice(UNITS) if quantified else "",
                rng.choice([None, 5, 10, 15, 20, 30]),
                rng.choice(NAMES) + rng.choice(TITLES),
                rng.choice(names) if rng.random() < 0.1 else "",
                "、".join(co),
                "是" if is_split else "否",
                parent,
                "按照学校“十四五”规划要求，" + title + "，确保按期完成。" if rng.random() < 0.5 else "",
            ]
        )
        if is_split:
            split_parents.append(code)
        days = sorted(rng.sample(QUARTER_ENDS, rng.randint(1, 4)))
        for k, day in enumerate(days, start=1):
            value = round(target_value * k / len(days), 1) if quantified else None
            nodes.append([code, day, rng.choice(DELIVERABLES), value])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def changed_titles(data: bytes) -> bytes:
    """The same workbook with every title changed (for the update phase)."""
    from openpyxl import Workbook, load_workbook

    source = load_workbook(io.BytesIO(data), read_only=True)
    book = Workbook(write_only=True)
    for sheet in source.worksheets:
        out = book.create_sheet(sheet.title)
        for index, row in enumerate(sheet.iter_rows(values_only=True)):
            row = list(row)
            if sheet.title == "目标" and index > 0:
                row[1] = f"{row[1]}（修订）"
            out.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- measuring ------------------------------------------------------------------------------------


def vm_hwm_mb() -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def vm_rss_mb() -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux ≥ 4.0)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class QueryCounter:
    def __init__(self):
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.count += 1
            self.seconds += time.perf_counter() - start


class Bench:
    def __init__(self, profile: str | None, profile_dir: str):
        self.results: list[dict] = []
        self.profile_dir = profile_dir
        self.profile = set(profile.split(",")) if profile else set()

    @contextmanager
    def phase(self, name: str):
        from django.db import connection

        gc.collect()
        start_rss = vm_rss_mb()
        reset_peak()
        counter = QueryCounter()
        profiler = cProfile.Profile() if name in self.profile else None
        with connection.execute_wrapper(counter):
            if profiler:
                profiler.enable()
            start = time.perf_counter()
            yield
            seconds = time.perf_counter() - start
            if profiler:
                profiler.disable()
        if profiler:
            path = Path(self.profile_dir) / f"profile-{name}.txt"
            with path.open("w") as out:
                stats = pstats.Stats(profiler, stream=out)
                out.write(f"# cProfile of phase {name!r} ({seconds:.2f} s under the profiler)\n\n## by own time\n")
                stats.sort_stats("tottime").print_stats(30)
                out.write("\n## by cumulative time\n")
                stats.sort_stats("cumulative").print_stats(45)
            print(f"    profile written to {path}", flush=True)
        row = {
            "phase": name,
            "seconds": round(seconds, 3),
            "queries": counter.count,
            "sql_seconds": round(counter.seconds, 3),
            "rss_before_mb": round(start_rss or 0, 1),
            "peak_rss_mb": round(vm_hwm_mb() or 0, 1),
            "ru_maxrss_mb": round(maxrss_mb(), 1),
        }
        self.results.append(row)
        print(
            f"  {name:<14} {row['seconds']:8.2f} s  {row['queries']:6d} queries ({row['sql_seconds']:.2f} s SQL)"
            f"  peak RSS {row['peak_rss_mb']:.0f} MB (ru_maxrss {row['ru_maxrss_mb']:.0f} MB)",
            flush=True,
        )


# --- databases ------------------------------------------------------------------------------------


def create_pg_database() -> str:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{PG_BENCH_DB}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{PG_BENCH_DB}"')
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + PG_BENCH_DB


def drop_pg_database() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{PG_BENCH_DB}" WITH (FORCE)')


CODE = ["kaohe/plans/importer.py", "kaohe/lib/spreadsheets.py", "kaohe/lib/inputs.py", "kaohe/plans/exports.py"]


def code_fingerprint() -> dict:
    """Which version of the import code was measured (sha256 prefix per file)."""
    import hashlib

    return {path: hashlib.sha256((ROOT / path).read_bytes()).hexdigest()[:12] for path in CODE}


def machine() -> dict:
    import django

    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "python": platform.python_version(),
        "django": django.get_version(),
        "platform": platform.platform(),
    }


def db_version(vendor: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute("SHOW server_version")
        else:
            cursor.execute("SELECT sqlite_version()")
        return f"{vendor} {cursor.fetchone()[0]}"


# --- the run --------------------------------------------------------------------------------------


def seed_school():
    from kaohe.org.models import AssessmentYear, Department, Membership, Role, User

    year = AssessmentYear.objects.create(year=2021, state=AssessmentYear.State.RUNNING)
    Department.objects.bulk_create(
        [Department(name=name, kind=kind, order=i) for i, (name, kind) in enumerate(DEPARTMENTS, start=1)]
    )
    office = User(username="bench-office", name="考核办")
    office.set_unusable_password()
    office.save()
    Membership.objects.create(user=office, role=Role.OFFICE, department=Department.objects.get(name="质量发展处"))
    return year, office


def run(args) -> dict:
    import django
    from django.core.management import call_command

    code_before = code_fingerprint()
    django.setup()
    from django.db import connection

    print(f"migrating ({connection.vendor}) …", flush=True)
    call_command("migrate", verbosity=0, interactive=False)
    year, office = seed_school()

    workbook_path = Path(args.workdir) / "targets.xlsx"
    start = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            __file__,
            "--build-only",
            str(workbook_path),
            "--targets",
            str(args.targets),
            "--seed",
            str(args.seed),
        ],
        check=True,
        env={**os.environ},
    )
    build_seconds = time.perf_counter() - start
    data = workbook_path.read_bytes()
    print(
        f"workbook: {args.targets} targets, {len(data) / 1024 / 1024:.2f} MB, built in {build_seconds:.1f} s",
        flush=True,
    )

    from kaohe.plans import importer
    from kaohe.plans.models import Node, Target

    bench = Bench(args.profile, args.profile_dir)
    baseline = {"rss_mb": round(vm_rss_mb() or 0, 1), "ru_maxrss_mb": round(maxrss_mb(), 1)}
    print(f"baseline: RSS {baseline['rss_mb']} MB after Django setup, migrate and seeding", flush=True)

    def check(rows):
        return importer.check(year=year, user=office, target_rows=rows[0], node_rows=rows[1])

    with bench.phase("read"):
        rows = importer.read_workbook(data)
    with bench.phase("check"):
        plan = check(rows)
    assert plan.ok, plan.errors[:5]
    first = plan.summary()
    with bench.phase("apply"):
        importer.apply(plan)
    del plan, rows
    counts = {"targets": Target.objects.count(), "nodes": Node.objects.count()}
    print(f"  imported {counts['targets']} targets, {counts['nodes']} nodes", flush=True)

    with bench.phase("re-read"):
        rows = importer.read_workbook(data)
    with bench.phase("re-check"):
        plan = check(rows)
    again = plan.summary()
    with bench.phase("re-apply"):
        importer.apply(plan)
    del plan, rows
    assert (again["create"], again["update"]) == (0, 0), again
    assert Target.objects.count() == counts["targets"], "re-import created duplicates"

    update = None
    if not args.no_update:
        changed = changed_titles(data)
        rows = importer.read_workbook(changed)
        del changed
        with bench.phase("update-check"):
            plan = check(rows)
        update = plan.summary()
        with bench.phase("update-apply"):
            importer.apply(plan)
        del plan, rows
        assert update["update"] == args.targets, update

    code_after = code_fingerprint()
    if code_after != code_before:
        print("WARNING: the import code changed while the benchmark ran; run it again.", flush=True)
    return {
        "date": dt.datetime.now(dt.UTC).date().isoformat(),  # UTC: Django sets TZ to Asia/Shanghai
        "code": code_after,
        "code_changed_during_run": code_after != code_before,
        "targets": args.targets,
        "nodes": counts["nodes"],
        "file_bytes": len(data),
        "build_seconds": round(build_seconds, 2),
        "database": db_version(connection.vendor),
        "machine": machine(),
        "baseline": baseline,
        "first": {k: first[k] for k in ("create", "update", "unchanged", "error_count")},
        "again": {k: again[k] for k in ("create", "update", "unchanged", "error_count")},
        "update": {k: update[k] for k in ("create", "update", "unchanged", "error_count")} if update else None,
        "phases": bench.results,
    }


def report(result: dict) -> None:
    phases = {r["phase"]: r for r in result["phases"]}
    first = sum(phases[p]["seconds"] for p in ("read", "check", "apply"))
    as_job = first + phases["read"]["seconds"] + phases["check"]["seconds"]
    print()
    print(
        f"{result['database']}, {result['targets']} targets / {result['nodes']} nodes, "
        f"file {result['file_bytes'] / 1024 / 1024:.2f} MB"
    )
    print(f"code measured: {result['code']}")
    print(f"baseline RSS {result['baseline']['rss_mb']:.0f} MB (Django set up, migrated, school seeded)")
    print("| phase | wall s | queries | SQL s | RSS before MB | peak RSS MB (phase) | ru_maxrss MB |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in result["phases"]:
        print(
            f"| {r['phase']} | {r['seconds']:.2f} | {r['queries']} | {r['sql_seconds']:.2f} | "
            f"{r['rss_before_mb']:.0f} | {r['peak_rss_mb']:.0f} | {r['ru_maxrss_mb']:.0f} |"
        )
    print(
        f"first import read+check+apply: {first:.2f} s; as the background job runs it "
        f"(preview check, then check again + apply): {as_job:.2f} s; goal ≤ 10 s"
    )
    re = sum(phases[p]["seconds"] for p in ("re-read", "re-check", "re-apply"))
    print(f"re-import read+check+apply: {re:.2f} s ({result['again']})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--targets", type=int, default=10_000)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--profile", help="phases to profile with cProfile, e.g. check,apply,re-check")
    parser.add_argument("--profile-dir", default=tempfile.gettempdir(), help="where profiles go (default: /tmp)")
    parser.add_argument("--no-update", action="store_true", help="skip the update phases")
    parser.add_argument("--json", help="also write the result as JSON to this file")
    parser.add_argument("--build-only", help=argparse.SUPPRESS)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaohe.settings")
    os.environ.pop("KAOHE_PRODUCTION", None)

    if args.build_only:  # child process: write the workbook and exit
        os.environ.setdefault("DATABASE_URL", "sqlite://:memory:")
        import django

        django.setup()
        Path(args.build_only).write_bytes(build_workbook(args.targets, args.seed))
        return

    with tempfile.TemporaryDirectory(prefix="kaohe-bench-") as workdir:
        args.workdir = workdir
        if args.db == "sqlite":
            os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
        else:
            os.environ["DATABASE_URL"] = create_pg_database()
        os.environ["KAOHE_DB_CONN_MAX_AGE"] = "0"
        try:
            result = run(args)
        finally:
            if args.db == "postgres":
                from django.db import connections

                connections.close_all()
                drop_pg_database()
    report(result)
    if args.json:
        Path(args.json).write_text(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
