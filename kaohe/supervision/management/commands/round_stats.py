"""Print a round's statistics: ``manage.py round_stats --year 2021 --round 第三季度督查 [--json]``.

With ``--json`` the figures exactly as ``selectors.as_json`` gives them (UTF-8, indented); without,
a short summary in Chinese: the school's sentence and one line per department.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from kaohe.org.models import AssessmentYear
from kaohe.supervision import selectors, stats
from kaohe.supervision.models import SupervisionRound


def find_round(year: int, name_or_id: str) -> SupervisionRound:
    """The round of ``year`` with this name, or else with this id; CommandError naming the choices."""
    if not AssessmentYear.objects.filter(year=year).exists():
        known = ", ".join(str(y) for y in AssessmentYear.objects.order_by("year").values_list("year", flat=True))
        raise CommandError(f"No assessment year {year}. Known years: {known or 'none'}.")
    rounds = SupervisionRound.objects.select_related("year").filter(year__year=year)
    found = rounds.filter(name=name_or_id).first()
    if found is None and name_or_id.strip().isdigit():
        found = rounds.filter(pk=int(name_or_id)).first()
    if found is None:
        choices = "; ".join(
            f"{pk}: {name}" for pk, name in rounds.order_by("period_start", "pk").values_list("pk", "name")
        )
        raise CommandError(
            f"No round {name_or_id!r} in {year} (give its name or id). Rounds of {year}: {choices or 'none'}."
        )
    return found


class Command(BaseCommand):
    help = "Print the completion figures of a supervision round (domain.md §3), as text or JSON."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--year", type=int, required=True, help="the assessment year, e.g. 2021")
        parser.add_argument("--round", required=True, dest="round_", help="the round's name or id")
        parser.add_argument("--json", action="store_true", help="print selectors.as_json(...) as JSON")

    def handle(self, *args, year: int, round_: str, json: bool = False, **options) -> None:
        found = find_round(year, round_)
        result = selectors.round_stats(found)
        if json:
            self.stdout.write(_dumps(selectors.as_json(found, result)))
            return
        self.stdout.write(
            f"{found.year.year}年 {found.name}（{found.period_start:%Y-%m-%d}至{found.period_end:%Y-%m-%d}）"
        )
        self.stdout.write(f"全校：{stats.sentence(result.school)}")
        self.stdout.write(f"未核查{result.unverified}项；此前到期未完成（结转，不计入）{result.carried_over}项。")
        self.stdout.write("各部门：")
        width = max((len(name) for name, _c in result.departments), default=0)
        for name, c in result.departments:
            self.stdout.write(f"  {name.ljust(width, '\u3000')}  {stats.sentence(c)}")
        for name, split in result.splits:
            share = stats.NO_RATIO if split.share_percent is None else f"{split.share_percent}%"
            self.stdout.write(
                f"下分指标 {name}：{len(split.ratios)}个院部，{split.under_count}个完成率低于"
                f"{(split.threshold * 100).normalize():f}%（占{share}）"
            )


def _dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
