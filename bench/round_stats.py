"""Benchmark of a round's statistics (performance.md: the leaders' school-wide figures).

    .venv/bin/python bench/round_stats.py [--depts 150] [--targets 60] [--db sqlite|postgres] [--runs 30]

Sets up Django against a throwaway database (a temporary SQLite file, or a PostgreSQL database
``kaohe_bench_stats`` it creates and drops), migrates it, creates a running year, D departments
(a third functional, the rest colleges, in three assessment groups) with an approved plan each, and
T targets per department (random.Random(42), bulk_create): each target has one or two nodes due in
the third quarter, 5 % also one due in June and still open (carried over), 60 % are quantified, and
each college holds shares of five school-wide split indicators. The round is then created,
announced and taken on site through the services, and 70 % of its due items are verified with
bulk updates (credits by the rule, partial ones included, reasons and archive ratings).

Then, in-process, the median of N runs of:

    round_stats   selectors.round_stats(round)              the one query + the pure statistics
    as_json       selectors.as_json(round, result)           formatting only
    page          GET supervision:round-stats (test client)  the whole page, template and chart data
    export        GET supervision:stats-export               the .xlsx (fewer runs: --export-runs)

with the SQL statements and the time spent in them (``connection.execute_wrapper``).
``--profile`` writes a cProfile of round_stats to /tmp/profile-round_stats.txt.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import hashlib
import json
import os
import platform
import pstats
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_BENCH_DB = "kaohe_bench_stats"  # not import_targets.py's kaohe_bench: both may run at once

FUNCTIONAL = [
    "党委办公室",
    "校长办公室",
    "组织部",
    "宣传部",
    "学生工作处",
    "教务处",
    "科研处",
    "人事处",
    "财务处",
    "国有资产管理处",
    "后勤管理处",
    "保卫处",
    "招生就业处",
    "国际交流合作处",
    "发展规划处",
    "审计处",
]
COLLEGES = [
    "马克思主义学院",
    "文学院",
    "外国语学院",
    "数学与统计学院",
    "物理与电子工程学院",
    "化学化工学院",
    "机电工程学院",
    "计算机科学与技术学院",
    "经济管理学院",
    "建筑工程学院",
    "艺术设计学院",
    "体育学院",
    "医学院",
    "音乐学院",
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
    "教师博士化率",
    "双师型教师队伍",
    "智慧校园平台",
    "社会服务项目",
    "人才培养方案",
    "师德师风建设",
]
SUFFIXES = ["", "工作", "建设项目", "专项行动", "（2021年度）", "并通过验收"]
SPLITS = ["社会培训指标", "横向课题经费", "技能等级证书", "创新创业项目", "社会服务收入"]
REASONS = ["因进度原因未按工作节点完成", "上级主管部门未安排，无法开展", "受疫情影响推迟", "经费未到位"]
STAGES = ["经积极争取已经完成招标进入建设阶段", "已制定整改方案，第四季度完成", "正在与合作单位协商"]
CATEGORIES = ["key"] * 6 + ["major", "brand", "routine", "bonus"]
Q3_DAYS = [dt.date(2021, 7, 1) + dt.timedelta(days=d) for d in range(92)]
JUNE = dt.date(2021, 6, 30)


# --- measuring (as bench/import_targets.py) -------------------------------------------------------


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


def measure(name: str, runs: int, call) -> dict:
    """Median, min and max wall time of ``runs`` calls, with the SQL of each call (the same every time)."""
    from django.db import connection

    call()  # warm: the caches of templates, translations and the connection
    times, sql, counts = [], [], set()
    for _ in range(runs):
        gc.collect()
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            start = time.perf_counter()
            call()
            times.append(time.perf_counter() - start)
        sql.append(counter.seconds)
        counts.add(counter.count)
    row = {
        "name": name,
        "runs": runs,
        "median_ms": round(statistics.median(times) * 1000, 1),
        "min_ms": round(min(times) * 1000, 1),
        "max_ms": round(max(times) * 1000, 1),
        "queries": sorted(counts),
        "sql_median_ms": round(statistics.median(sql) * 1000, 1),
    }
    row["sql_share"] = round(row["sql_median_ms"] / row["median_ms"], 2) if row["median_ms"] else None
    print(
        f"  {name:<12} median {row['median_ms']:8.1f} ms (min {row['min_ms']:.1f}, max {row['max_ms']:.1f}) "
        f"queries {row['queries']}  SQL {row['sql_median_ms']:.1f} ms ({row['sql_share']:.0%})",
        flush=True,
    )
    return row


def profile(call, path: Path) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(5):
        call()
    profiler.disable()
    with path.open("w") as out:
        stats = pstats.Stats(profiler, stream=out)
        out.write("# cProfile of 5 calls of round_stats\n\n## by own time\n")
        stats.sort_stats("tottime").print_stats(30)
        out.write("\n## by cumulative time\n")
        stats.sort_stats("cumulative").print_stats(40)
    print(f"    profile written to {path}", flush=True)


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


CODE = [
    "kaohe/supervision/selectors.py",
    "kaohe/supervision/stats.py",
    "kaohe/supervision/views/statistics.py",
    "kaohe/templates/supervision/round_stats.html",
]


def code_fingerprint() -> dict:
    """Which version of the statistics code was measured (sha256 prefix per file)."""
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
        cursor.execute("SHOW server_version" if vendor == "postgresql" else "SELECT sqlite_version()")
        return f"{vendor} {cursor.fetchone()[0]}"


# --- the data -------------------------------------------------------------------------------------


def department_names(n: int) -> list[tuple[str, str, str]]:
    """(name, kind, group): a third functional, the rest colleges; numbered beyond the real names."""
    rows = []
    for i in range(n):
        if i % 3 == 0:
            base = FUNCTIONAL[(i // 3) % len(FUNCTIONAL)]
            name = base if i // 3 < len(FUNCTIONAL) else f"{base}{i // 3 // len(FUNCTIONAL) + 1}"
            rows.append((name, "functional", "职能部门"))
        else:
            k = i - i // 3 - 1
            base = COLLEGES[k % len(COLLEGES)]
            name = base if k < len(COLLEGES) else f"{base.removesuffix('学院')}{k // len(COLLEGES) + 1}学院"
            rows.append((name, "teaching", "教学院部" if k % 4 else "其他院部"))
    return rows


def seed(depts: int, per_dept: int, rng: random.Random):
    """Departments, approved plans, targets and nodes by bulk_create; returns the year and the office user."""
    from django.db import transaction

    from kaohe.org.models import AssessmentYear, Department, Membership, Role, User
    from kaohe.plans.models import Node, Target, TargetPlan

    with transaction.atomic():
        year = AssessmentYear.objects.create(year=2021, state=AssessmentYear.State.RUNNING)
        departments = Department.objects.bulk_create(
            [Department(name=n, kind=k, group=g, order=i) for i, (n, k, g) in enumerate(department_names(depts), 1)]
        )
        office = User(username="bench-office", name="考核办")
        office.set_unusable_password()
        office.save()
        Membership.objects.create(user=office, role=Role.OFFICE, department=departments[0])
        plans = TargetPlan.objects.bulk_create(
            [TargetPlan(year=year, department=d, state=TargetPlan.State.APPROVED) for d in departments]
        )
        functional = [p for p in plans if p.department.kind == "functional"]
        colleges = [p for p in plans if p.department.kind == "teaching"]
        parents = Target.objects.bulk_create(
            [
                Target(
                    plan=functional[i % len(functional)],
                    year=year,
                    code=f"S21-{i + 1:02d}",
                    title=title,
                    kind="quantified",
                    target_value=Decimal(10 * len(colleges)),
                    unit="人次",
                    is_split=True,
                    weight=Decimal(10),
                    responsible="张处长",
                    order=0,
                )
                for i, title in enumerate(SPLITS)
            ]
        )
        targets, nodes = [], []
        for plan in plans:
            shares = rng.sample(parents, rng.randint(1, 3)) if plan in colleges else []
            for t in range(per_dept - (1 if plan in functional and plan in {p.plan for p in parents} else 0)):
                share = shares[t] if t < len(shares) else None
                quantified = share is not None or rng.random() < 0.6
                value = Decimal(10) if share is not None else Decimal(rng.randint(2, 50))
                title = share.title if share else rng.choice(VERBS) + rng.choice(SUBJECTS) + rng.choice(SUFFIXES)
                targets.append(
                    Target(
                        plan=plan,
                        year=year,
                        code=f"T21-{plan.department.order:03d}-{t + 1:03d}",
                        title=title,
                        category=rng.choice(CATEGORIES),
                        kind="quantified" if quantified else "milestone",
                        target_value=value if quantified else None,
                        unit="项" if quantified else "",
                        weight=Decimal(rng.choice([5, 10, 15, 20])),
                        responsible="李主任",
                        parent=share,
                        order=t + 1,
                    )
                )
        Target.objects.bulk_create(targets, batch_size=2000)
        for target in targets:
            days = sorted(rng.sample(Q3_DAYS, rng.randint(1, 2)))
            if rng.random() < 0.05:
                days.insert(0, JUNE)  # due earlier and still open: carried over into the round
            for k, day in enumerate(days, start=1):
                expected = (
                    (target.target_value * k / len(days)).quantize(Decimal("0.01")) if target.target_value else None
                )
                nodes.append(
                    Node(target=target, due_date=day, deliverable="提交总结报告", expected_value=expected, order=k)
                )
        for parent in parents:
            nodes.append(Node(target=parent, due_date=dt.date(2021, 9, 30), expected_value=parent.target_value))
        Node.objects.bulk_create(nodes, batch_size=2000)
    return year, office, len(targets) + len(parents), len(nodes)


def verify_share(round_, rng: random.Random, share: float) -> int:
    """Verify ``share`` of the round's due items at once (bulk_update): the rule's credit, partial ones included."""
    from django.utils import timezone

    from kaohe.supervision import stats
    from kaohe.supervision.models import ArchiveRating, Result, Verification

    items = list(Verification.objects.filter(round=round_, carried_over=False).select_related("node__target"))
    now = timezone.now()
    chosen = [i for i in items if rng.random() < share]
    ratings = [ArchiveRating.GOOD] * 5 + [ArchiveRating.FAIR] * 3 + [ArchiveRating.POOR, ArchiveRating.MISSING, ""]
    for item in chosen:
        node = item.node
        if node.target.is_quantified:
            expected = node.expected_value or Decimal(0)
            item.actual_value = (expected * Decimal(rng.choice([0, 0.3, 0.5, 0.8, 1, 1, 1, 1, 1.2]))).quantize(
                Decimal("0.01")
            )
            item.credit = stats.node_credit(quantified=True, actual=item.actual_value, expected=expected)
            item.result = Result.DONE if item.credit == 1 else Result.PARTIAL
        else:
            done = rng.random() < 0.9
            item.credit = stats.node_credit(quantified=False, done=done)
            item.result = Result.DONE if done else Result.NOT_DONE
        item.computed_credit = item.credit
        if item.credit < 1:
            item.reason, item.current_stage = rng.choice(REASONS), rng.choice(STAGES)
        else:
            item.archive_rating = rng.choice(ratings)
        item.verified_at = now
    Verification.objects.bulk_update(
        chosen,
        [
            "result",
            "actual_value",
            "credit",
            "computed_credit",
            "reason",
            "current_stage",
            "archive_rating",
            "verified_at",
        ],
        batch_size=250,
    )
    return len(chosen)


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.vendor == "postgresql" else "PRAGMA optimize")
        if connection.vendor == "sqlite":
            cursor.execute("ANALYZE")


# --- the run --------------------------------------------------------------------------------------


def run(args) -> dict:
    import django
    from django.core.management import call_command

    code_before = code_fingerprint()
    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from kaohe.supervision import selectors, services
    from kaohe.supervision.models import Verification

    setup_test_environment()  # the test client's host "testserver" is allowed
    print(f"migrating ({connection.vendor}) …", flush=True)
    call_command("migrate", verbosity=0, interactive=False)
    rng = random.Random(args.seed)
    start = time.perf_counter()
    year, office, target_count, node_count = seed(args.depts, args.targets, rng)
    round_ = services.create_round(
        year=year,
        by=office,
        name="第三季度督查",
        period_start=dt.date(2021, 7, 1),
        period_end=dt.date(2021, 9, 30),
        notice_date=dt.date(2021, 10, 8),
        selfcheck_deadline=dt.date(2021, 10, 12),
        onsite_start=dt.date(2021, 10, 13),
        onsite_end=dt.date(2021, 10, 15),
    )
    round_ = services.advance_round(round_=round_, by=office)
    round_ = services.advance_round(round_=round_, by=office)
    verified = verify_share(round_, rng, 0.7)
    analyze()
    setup_seconds = time.perf_counter() - start
    items = Verification.objects.filter(round=round_)
    data = {
        "departments": args.depts,
        "targets": target_count,
        "nodes": node_count,
        "items": items.count(),
        "due": items.filter(carried_over=False).count(),
        "carried_over": items.filter(carried_over=True).count(),
        "verified": verified,
    }
    print(f"data: {data}, set up in {setup_seconds:.1f} s", flush=True)

    round_ = type(round_).objects.select_related("year").get(pk=round_.pk)
    result = selectors.round_stats(round_)
    figures = selectors.as_json(round_, result)
    print(
        f"  {figures['sentence']}; {len(result.departments)} departments, {len(result.splits)} split indicators",
        flush=True,
    )

    client = Client()
    client.force_login(office)
    page_url = reverse("supervision:round-stats", args=[round_.pk])
    export_url = reverse("supervision:stats-export", args=[round_.pk])

    def page():
        response = client.get(page_url)
        assert response.status_code == 200, response.status_code

    def export():
        response = client.get(export_url)
        assert response.status_code == 200, response.status_code

    rows = [
        measure("round_stats", args.runs, lambda: selectors.round_stats(round_)),
        measure("as_json", args.runs, lambda: selectors.as_json(round_, result)),
        measure("page", args.runs, page),
        measure("export", args.export_runs, export),
    ]
    if args.profile:
        profile(lambda: selectors.round_stats(round_), Path(args.profile_dir) / "profile-round_stats.txt")
    page_bytes = len(client.get(page_url).content)
    export_bytes = len(client.get(export_url).content)

    code_after = code_fingerprint()
    if code_after != code_before:
        print("WARNING: the statistics code changed while the benchmark ran; run it again.", flush=True)
    return {
        "date": dt.datetime.now(dt.UTC).date().isoformat(),
        "code": code_after,
        "code_changed_during_run": code_after != code_before,
        "seed": args.seed,
        "data": data,
        "setup_seconds": round(setup_seconds, 1),
        "sentence": figures["sentence"],
        "page_bytes": page_bytes,
        "export_bytes": export_bytes,
        "database": db_version(connection.vendor),
        "machine": machine(),
        "goal_ms": 300,
        "measurements": rows,
    }


def report(result: dict) -> None:
    print()
    print(f"{result['database']}, {result['data']}")
    print(f"code measured: {result['code']}")
    print("| call | median ms | min ms | max ms | queries | SQL ms | SQL share |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in result["measurements"]:
        print(
            f"| {r['name']} | {r['median_ms']:.1f} | {r['min_ms']:.1f} | {r['max_ms']:.1f} | "
            f"{', '.join(map(str, r['queries']))} | {r['sql_median_ms']:.1f} | {r['sql_share']:.0%} |"
        )
    stats_ms = result["measurements"][0]["median_ms"]
    print(
        f"round_stats median {stats_ms:.1f} ms; goal < {result['goal_ms']} ms: {'met' if stats_ms < 300 else 'MISSED'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--depts", type=int, default=150)
    parser.add_argument("--targets", type=int, default=60, help="targets per department")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--export-runs", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="cProfile round_stats to PROFILE_DIR")
    parser.add_argument("--profile-dir", default=tempfile.gettempdir(), help="where the profile goes (default: /tmp)")
    parser.add_argument("--json", help="also write the result as JSON to this file")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaohe.settings")
    os.environ.pop("KAOHE_PRODUCTION", None)

    with tempfile.TemporaryDirectory(prefix="kaohe-bench-") as workdir:
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
