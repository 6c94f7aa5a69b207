"""Benchmark of the bulletin drafted from the database, for a school of 150 departments, end to end.

    .venv/bin/python bench/bulletin_db.py [--depts 150] [--targets 60] [--db sqlite|postgres] [--runs 3]

``bench/bulletin.py`` times the layout alone (a Document made up in memory); this one starts from the
data. It sets up the school of ``bench/round_stats.py`` (the same seed: D departments, T targets each,
the third-quarter round announced and taken on site), verifies every due item (90 % of milestones
done, quantified ones by the rule, reasons and stages for the rest), closes the round, and records
what sections 三 to 六 read: 5 brands with 4 items and a note each, 3 major projects of 4 stages for
every functional department, a verified highlight for 40 % of the colleges, and one quarterly
notification duty per functional department with its first three notices (some late).

Then the median of N runs of:

    draft        services.create_bulletin(round)         every section generated from the data
    editor       GET bulletins:detail                    the editing page (its queries must not grow)
    preview      GET bulletins:preview                   the page close to print
    docx         build_docx(document_of(bulletin))       python-docx
    pdf          to_pdf(docx, document)                  LibreOffice (fresh profile each call)
    issue        start_issue + finish_issue               freeze, both files, SHA-256, stored (once, after
                                                          the sign-off, which the bench does as the office)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import round_stats  # noqa: E402 - the school's seed and the measuring helpers are shared
from bulletin import pdf_pages  # noqa: E402

PG_BENCH_DB = "kaohe_bench_bulletin"


def seed_initiatives(year, office, rng: random.Random) -> dict:
    """Brands, projects with stages, verified highlights and notification duties with notices."""
    from django.utils import timezone

    from kaohe.initiatives.models import (
        Achievement,
        Brand,
        BrandNote,
        MajorProject,
        NotificationDuty,
        NotificationRecord,
        ProjectStage,
        StageKind,
        StageState,
    )
    from kaohe.org.models import Department

    functional = list(Department.objects.filter(kind="functional").order_by("order"))
    colleges = list(Department.objects.filter(kind="teaching").order_by("order"))
    for b in range(5):
        brand = Brand.objects.create(year=year, name=f"品牌{b + 1}", slogan="五改" if b == 0 else "", order=b)
        brand.owners.add(functional[b])
        BrandNote.objects.create(
            brand=brand, date=dt.date(2021, 8, 15), text="各项工作按年度方案有序推进。" * 3, author=office
        )
        for c in range(4):
            Brand.objects.create(
                year=year, name=f"子项{c + 1}", slogan="双师型", parent=brand, description="围绕目标积极推进。" * 4
            )
    kinds = [StageKind.TENDER, StageKind.CONTRACT, StageKind.BUILD, StageKind.ACCEPTANCE]
    stages = []
    for d in functional:
        for p in range(3):
            project = MajorProject.objects.create(year=year, name=f"{d.name}重点建设{p + 1}", owner=d, order=p)
            done = rng.randint(0, 4)
            for k, kind in enumerate(kinds):
                start = dt.date(2021, 3 + 2 * k, 1)
                stages.append(
                    ProjectStage(
                        project=project,
                        kind=kind,
                        planned_start=start,
                        planned_end=start + dt.timedelta(days=50),
                        actual_start=start if k <= done else None,
                        actual_end=start + dt.timedelta(days=45) if k < done else None,
                        state=StageState.DONE if k < done else StageState.RUNNING if k == done else StageState.PLANNED,
                        responsible=d,
                        order=k,
                    )
                )
    ProjectStage.objects.bulk_create(stages)
    now = timezone.now()
    highlights = [
        Achievement(
            year=year,
            department=d,
            title=f"{d.name}获省级教学能力大赛二等奖",
            date=dt.date(2021, 9, 10),
            kind=Achievement.Kind.COMPETITION,
            level=Achievement.Level.PROVINCIAL,
            grade=Achievement.Grade.SECOND,
            description="学院积极组织教师参赛，取得近年来最好成绩。" * 2,
            state=Achievement.State.VERIFIED,
            submitted_by=office,
            verified_by=office,
            verified_at=now,
        )
        for d in colleges
        if rng.random() < 0.4
    ]
    Achievement.objects.bulk_create(highlights)
    records = []
    for d in functional:
        duty = NotificationDuty.objects.create(year=year, department=d, topic="工作情况通报", frequency="quarterly")
        for q, (start, end) in enumerate(
            [(dt.date(2021, 1, 1), dt.date(2021, 3, 31)), (dt.date(2021, 4, 1), dt.date(2021, 6, 30))]
        ):
            late = rng.random() < 0.1
            issued = end + dt.timedelta(days=15 if late else 5)
            records.append(
                NotificationRecord(
                    duty=duty,
                    period_start=start,
                    period_end=end,
                    issued_date=issued,
                    filed_date=issued,
                    title=f"{d.name}第{q + 1}季度工作通报",
                    standardised=True,
                    recorded_by=office,
                )
            )
    NotificationRecord.objects.bulk_create(records)
    return {"projects": 3 * len(functional), "stages": len(stages), "highlights": len(highlights)}


def run(args) -> dict:
    import django
    from django.core.management import call_command

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from kaohe.bulletins import services as bulletins
    from kaohe.bulletins.docx import build_docx
    from kaohe.bulletins.models import Bulletin
    from kaohe.bulletins.pdf import to_pdf
    from kaohe.supervision import services
    from kaohe.supervision.models import SupervisionRound

    setup_test_environment()
    print(f"migrating ({connection.vendor}) …", flush=True)
    call_command("migrate", verbosity=0, interactive=False)
    rng = random.Random(args.seed)
    start = time.perf_counter()
    year, office, target_count, node_count = round_stats.seed(args.depts, args.targets, rng)
    round_ = services.create_round(
        year=year,
        by=office,
        name="第三季度督查",
        period_start=dt.date(2021, 7, 1),
        period_end=dt.date(2021, 9, 30),
        notice_date=dt.date(2021, 9, 28),
        selfcheck_deadline=dt.date(2021, 10, 4),
        onsite_start=dt.date(2021, 10, 5),
        onsite_end=dt.date(2021, 10, 14),
    )
    round_ = services.advance_round(round_=round_, by=office)
    round_ = services.advance_round(round_=round_, by=office)
    round_stats.verify_share(round_, rng, 1.0)
    SupervisionRound.objects.filter(pk=round_.pk).update(state=SupervisionRound.State.CLOSED)
    extra = seed_initiatives(year, office, rng)
    round_stats.analyze()
    round_ = SupervisionRound.objects.select_related("year").get(pk=round_.pk)
    setup_seconds = time.perf_counter() - start
    data = {"departments": args.depts, "targets": target_count, "nodes": node_count, **extra}
    print(f"data: {data}, set up in {setup_seconds:.1f} s", flush=True)

    def draft():
        return bulletins.create_bulletin(round_=round_, by=office, issue_date=dt.date(2021, 10, 19))

    rows = [round_stats.measure("draft", args.runs, draft)]
    bulletin = Bulletin.objects.select_related("year", "round").order_by("number").first()
    document = bulletins.document_of(bulletin)
    sizes = {"blocks": len(document.blocks), "characters": len(document.text())}
    client = Client()
    client.force_login(office)
    for name, url in (
        ("editor", reverse("bulletins:detail", args=[bulletin.pk])),
        ("preview", reverse("bulletins:preview", args=[bulletin.pk])),
    ):

        def page(url=url):
            response = client.get(url)
            assert response.status_code == 200, response.status_code

        rows.append(round_stats.measure(name, args.runs, page))
    docx_data = build_docx(document)
    rows.append(round_stats.measure("docx", args.runs, lambda: build_docx(bulletins.document_of(bulletin))))
    pdf_result = to_pdf(docx_data, document)
    rows.append(round_stats.measure("pdf", args.runs, lambda: to_pdf(docx_data, document)))
    sizes.update(docx_bytes=len(docx_data), pdf_bytes=len(pdf_result.data), pages=pdf_pages(pdf_result.data))

    target = Bulletin.objects.order_by("-number").first()
    target = bulletins.submit_for_sign_off(bulletin=target, by=office, seen=bulletins.revision(target))
    target = bulletins.decide_sign_off(bulletin=target, by=office, version=target.version, approve=True)
    start = time.perf_counter()
    issuing = bulletins.start_issue(bulletin=target, by=office, version=target.version)
    issued = bulletins.finish_issue(issuing.pk)
    issue_seconds = time.perf_counter() - start
    assert issued.state == Bulletin.State.ISSUED
    print(f"  issue        {issue_seconds * 1000:8.1f} ms (once)", flush=True)
    return {
        "date": dt.datetime.now(dt.UTC).date().isoformat(),
        "seed": args.seed,
        "data": data,
        "document": sizes,
        "setup_seconds": round(setup_seconds, 1),
        "database": round_stats.db_version(connection.vendor),
        "machine": round_stats.machine(),
        "goal_seconds": 5,
        "measurements": rows,
        "issue_ms": round(issue_seconds * 1000, 1),
    }


def report(result: dict) -> None:
    print()
    print(f"{result['database']}, {result['data']}, document {result['document']}")
    print("| step | median ms | min ms | max ms | queries | SQL ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in result["measurements"]:
        print(
            f"| {r['name']} | {r['median_ms']:.1f} | {r['min_ms']:.1f} | {r['max_ms']:.1f} | "
            f"{', '.join(map(str, r['queries']))} | {r['sql_median_ms']:.1f} |"
        )
    print(f"| issue (once) | {result['issue_ms']:.1f} | | | | |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--depts", type=int, default=150)
    parser.add_argument("--targets", type=int, default=60, help="targets per department")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", help="also write the result as JSON to this file")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaohe.settings")
    os.environ.pop("KAOHE_PRODUCTION", None)
    round_stats.PG_BENCH_DB = PG_BENCH_DB
    with tempfile.TemporaryDirectory(prefix="kaohe-bench-") as workdir:
        os.environ["KAOHE_FILES_DIR"] = f"{workdir}/files"
        if args.db == "sqlite":
            os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
        else:
            os.environ["DATABASE_URL"] = round_stats.create_pg_database()
        os.environ["KAOHE_DB_CONN_MAX_AGE"] = "0"
        try:
            result = run(args)
        finally:
            if args.db == "postgres":
                from django.db import connections

                connections.close_all()
                round_stats.drop_pg_database()
    report(result)
    if args.json:
        Path(args.json).write_text(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
