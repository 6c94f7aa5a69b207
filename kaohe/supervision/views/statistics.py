"""A round's statistics (domain.md §3): the page with its chart, and the same figures as an .xlsx.

Both read ``selectors.round_stats`` (one query of plain values) plus one query for the carried-over
items, so the number of queries does not grow with the round. Figures are formatted by
``kaohe.supervision.stats`` alone: a percent to one decimal half up, counts to at most two decimals.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from kaohe.audit.log import Kind, record
from kaohe.lib.spreadsheets import safe_cell
from kaohe.supervision import selectors, stats
from kaohe.supervision.models import SupervisionRound, Verification
from kaohe.supervision.views.rounds import get_round_for

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Excel number formats: counts as General (96, 94.5, 94.83 with no trailing zeros); percents are
# stored as the page's rounded percent ÷ 100 (81.3 % → 0.813) and shown with one decimal.
COUNT_FORMAT, PERCENT_FORMAT = "General", "0.0%"
FIGURE_HEADERS = ["应完成", "已完成", "未完成", "完成比例"]


@dataclass(frozen=True)
class Line:
    """One row of a completion table, formatted as the page and the export show it."""

    name: str
    due: int
    completed: str
    not_completed: str
    percent: str  # "81.3%" or "—"
    completion: stats.Completion

    @classmethod
    def of(cls, name: str, c: stats.Completion) -> Line:
        return cls(
            name,
            c.due,
            stats.format_count(c.completed),
            stats.format_count(c.not_completed),
            stats.format_percent(c),
            c,
        )


def ratio_percent(ratio: Decimal) -> Decimal:
    """A college's ratio of a split indicator as a percent to one decimal, half up (as ``as_json``)."""
    return stats.round_half_up(ratio * 100, stats.PERCENT_PLACES)


def carried_items(round_: SupervisionRound) -> list[dict]:
    """The round's carried-over items: listed, never counted (one query)."""
    return list(
        Verification.objects.filter(round=round_, carried_over=True).values(
            "department__name",
            "node__target__code",
            "node__target__title",
            "node__due_date",
            "credit",
            "verified_at",
            "reason",
            "current_stage",
        )
    )


def page_context(round_: SupervisionRound) -> dict:
    result = selectors.round_stats(round_)
    departments = [Line.of(name, c) for name, c in result.departments]
    splits = [
        {
            "name": name,
            "colleges": [
                (college, f"{ratio_percent(r)}%", r < s.threshold, ratio_percent(r)) for college, r in s.ratios.items()
            ],
            "under": s.under,
            "share": stats.NO_RATIO if s.share_percent is None else f"{s.share_percent}%",
            "share_percent": s.share_percent,
            "most": s.most,
            "threshold": f"{ratio_percent(s.threshold).normalize():f}%",
        }
        for name, s in result.splits
    ]
    chart = [
        {
            "name": line.name,
            "value": None if line.completion.percent is None else str(line.completion.percent),
            "label": line.percent,
            "due": line.due,
        }
        for line in departments
    ]
    categories = [Line.of(name, c) for name, c in result.categories]
    groups = [Line.of(name, c) for name, c in result.groups]
    return {
        "round": round_,
        "result": result,
        "sentence": stats.sentence(result.school),
        "school": Line.of("", result.school),
        "departments": departments,
        "categories": categories,
        "groups": groups,
        "tables": [
            {"id": "stats-departments", "title": _("By department"), "first": _("Department"), "lines": departments},
            {"id": "stats-categories", "title": _("By category"), "first": _("Category"), "lines": categories},
            {"id": "stats-groups", "title": _("By assessment group"), "first": _("Assessment group"), "lines": groups},
        ],
        "incomplete": [(i, stats.format_count(i.credit)) for i in result.incomplete],
        "carried": carried_items(round_),
        "archive": list(result.archive.items()),
        "archive_total": sum(result.archive.values()),
        "splits": splits,
        "chart": chart,
    }


@require_safe
def round_stats(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = get_round_for(request, pk)
    return render(request, "supervision/round_stats.html", page_context(round_))


# The export --------------------------------------------------------------------------------------


def number_cell(sheet, value, fmt: str = COUNT_FORMAT):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = fmt
    return cell


def percent_cell(sheet, percent: Decimal | None):
    """A percent to one decimal as Excel's fraction (81.3 → 0.813, shown 81.3%); "—" when there is none."""
    return stats.NO_RATIO if percent is None else number_cell(sheet, percent / 100, PERCENT_FORMAT)


def count_value(value: Decimal) -> int | Decimal:
    """A count as the page shows it: at most two decimals, half up (96, 94.5, 94.83)."""
    rounded = stats.round_half_up(value, stats.COUNT_PLACES)
    return int(rounded) if rounded == rounded.to_integral_value() else rounded.normalize()


def _figure_cells(sheet, line: Line) -> list:
    """Due, completed, not completed (numbers) and the percent (a number, or "—" when nothing was due)."""
    c = line.completion
    return [
        number_cell(sheet, c.due),
        number_cell(sheet, count_value(c.completed)),
        number_cell(sheet, count_value(c.not_completed)),
        percent_cell(sheet, c.percent),
    ]


def stats_workbook(context: dict) -> bytes:
    """Sheets 汇总, 部门, 类别, 考核组, 未完成项目, 结转项目, 下分指标: the page's figures as cells."""
    from openpyxl import Workbook

    round_ = context["round"]
    result = context["result"]
    book = Workbook(write_only=True)

    summary = book.create_sheet("汇总")
    summary.append(["督查", safe_cell(round_.name)])
    summary.append(["覆盖期间", f"{round_.period_start:%Y-%m-%d}至{round_.period_end:%Y-%m-%d}"])
    summary.append(["完成情况", context["sentence"]])
    summary.append(["", *FIGURE_HEADERS])
    summary.append(["全校", *_figure_cells(summary, context["school"])])
    summary.append(["未核查", result.unverified])
    summary.append(["结转（不计入）", result.carried_over])
    for label, count in context["archive"]:
        summary.append([f"已完成项目建档：{label}", count])

    for title, first, lines in (
        ("部门", "部门", context["departments"]),
        ("类别", "类别", context["categories"]),
        ("考核组", "考核组", context["groups"]),
    ):
        sheet = book.create_sheet(title)
        sheet.append([first, *FIGURE_HEADERS])
        for line in lines:
            sheet.append([safe_cell(line.name), *_figure_cells(sheet, line)])

    sheet = book.create_sheet("未完成项目")
    sheet.append(["部门", "代码", "目标", "截止日期", "得分", "未完成原因", "目前进度及措施"])
    for item, _credit in context["incomplete"]:
        sheet.append(
            [safe_cell(v) for v in (item.department, item.code, item.title)]
            + [
                item.due_date,
                number_cell(sheet, count_value(item.credit)),
                safe_cell(item.reason),
                safe_cell(item.current_stage),
            ]
        )

    sheet = book.create_sheet("结转项目")
    sheet.append(["部门", "代码", "目标", "截止日期", "已核查", "未完成原因", "目前进度及措施"])
    for row in context["carried"]:
        sheet.append(
            [
                safe_cell(row["department__name"]),
                safe_cell(row["node__target__code"]),
                safe_cell(row["node__target__title"]),
                row["node__due_date"],
                "是" if row["verified_at"] else "否",
                safe_cell(row["reason"]),
                safe_cell(row["current_stage"]),
            ]
        )

    sheet = book.create_sheet("下分指标")
    sheet.append(["指标", "院部", "完成率", "低于阈值"])
    for split in context["splits"]:
        for college, _text, under, percent in split["colleges"]:
            sheet.append(
                [safe_cell(split["name"]), safe_cell(college), percent_cell(sheet, percent), "是" if under else "否"]
            )
        sheet.append(
            [
                safe_cell(split["name"]),
                f"低于{split['threshold']}的院部占比",
                percent_cell(sheet, split["share_percent"]),
                "",
            ]
        )

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@require_safe
def stats_export(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = get_round_for(request, pk)
    context = page_context(round_)
    data = stats_workbook(context)
    record(
        Kind.EXPORT,
        actor=request.user,
        obj=round_,
        changes={
            "export": "round statistics",
            "departments": len(context["departments"]),
            "incomplete": len(context["incomplete"]),
        },
    )
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        True, f"{round_.year.year}-{round_.name}-完成情况统计.xlsx"
    )
    return response


urlpatterns = [
    path("<int:pk>/stats/", round_stats, name="round-stats"),
    path("<int:pk>/stats/export/", stats_export, name="stats-export"),
]
