"""The targets workbook: the same two sheets for the import template, exports and re-imports.

Column names stay Chinese in every language so that an exported file can be edited and
imported again (docs/decisions.md); the importer also takes the English names.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from decimal import Decimal

from django.utils.translation import gettext as _

from kaohe.lib.spreadsheets import safe_cell
from kaohe.plans.models import Category, IndicatorKind, Target

TARGET_SHEET, NODE_SHEET = "目标", "节点"
# (Chinese header, English header, field)
TARGET_COLUMNS = [
    ("代码", "code", "code"),
    ("标题", "title", "title"),
    ("责任部门", "department", "department"),
    ("类别", "category", "category"),
    ("核心指标", "core", "core"),
    ("指标类型", "kind", "kind"),
    ("目标值", "target value", "target_value"),
    ("单位", "unit", "unit"),
    ("权重", "weight", "weight"),
    ("责任人", "person responsible", "responsible"),
    ("牵头部门", "lead department", "lead_department"),
    ("协同部门", "co-departments", "co_departments"),
    ("下分到院部", "split", "is_split"),
    ("分解自", "split from", "parent"),
    ("说明", "description", "description"),
]
NODE_COLUMNS = [
    ("目标代码", "target code", "code"),
    ("截止日期", "due date", "due_date"),
    ("交付物", "deliverable", "deliverable"),
    ("预期值", "expected value", "expected_value"),
]
CATEGORY_LABELS = {
    "key": "重点工作",
    "major": "重大项目",
    "brand": "品牌建设",
    "routine": "常规工作",
    "bonus": "加分项",
}
KIND_LABELS = {"quantified": "量化", "milestone": "里程碑"}
YES, NO = "是", "否"


def _number(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def target_row(t: Target) -> list:
    return [
        t.code,
        t.title,
        t.plan.department.name,
        CATEGORY_LABELS[t.category],
        YES if t.core else NO,
        KIND_LABELS[t.kind],
        _number(t.target_value),
        t.unit,
        _number(t.weight),
        t.responsible,
        t.lead_department.name if t.lead_department else "",
        "、".join(d.name for d in t.co_departments.all()),
        YES if t.is_split else NO,
        t.parent.code if t.parent_id else "",
        t.description,
    ]


def targets_workbook(targets: Iterable[Target]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    target_sheet = workbook.create_sheet(TARGET_SHEET)
    node_sheet = workbook.create_sheet(NODE_SHEET)
    target_sheet.append([c[0] for c in TARGET_COLUMNS])
    node_sheet.append([c[0] for c in NODE_COLUMNS])
    for target in targets:  # with nodes and co-departments prefetched (selectors.target_list)
        target_sheet.append([safe_cell(v) for v in target_row(target)])
        for node in target.nodes.all():
            node_sheet.append(
                [
                    safe_cell(target.code),
                    node.due_date,
                    safe_cell(node.deliverable),
                    _number(node.expected_value),
                ]
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_workbook(departments: list[str]) -> bytes:
    """An empty workbook with instructions and dropdowns for departments, categories and kinds."""
    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    help_sheet = workbook.active
    help_sheet.title = _("Instructions")[:31]
    for line in [
        _("Two sheets: 目标 (one row per target) and 节点 (one row per work node, joined to its target by the code)."),
        _("The code is the key within a year: a code that exists already updates that target."),
        _(
            "类别: 重点工作, 重大项目, 品牌建设, 常规工作 or 加分项. "
            "指标类型: 量化 (a target value and unit) or 里程碑 (done or not done)."
        ),
        _(
            "A quarterly indicator is one target with four nodes; for a quantified target each node gives the "
            "cumulative value expected by its date."
        ),
        _("Dates as 2021-09-30; numbers in ordinary digits. 核心指标 and 下分到院部 take 是 or 否."),
        _("Nothing is written until you have seen the preview and confirmed it; any error stops the whole import."),
    ]:
        help_sheet.append([str(line)])
    help_sheet.column_dimensions["A"].width = 110
    targets = workbook.create_sheet(TARGET_SHEET)
    targets.append([c[0] for c in TARGET_COLUMNS])
    nodes = workbook.create_sheet(NODE_SHEET)
    nodes.append([c[0] for c in NODE_COLUMNS])
    lists = workbook.create_sheet("lists")
    columns = {
        "C": departments,
        "D": list(CATEGORY_LABELS.values()),
        "E": [YES, NO],
        "F": list(KIND_LABELS.values()),
        "K": departments,
        "M": [YES, NO],
    }
    for index, (letter, options) in enumerate(columns.items(), start=1):
        for row, option in enumerate(options, start=1):
            lists.cell(row=row, column=index, value=option)
        source = lists.cell(row=1, column=index).column_letter
        validation = DataValidation(
            type="list",
            formula1=f"=lists!${source}$1:${source}${max(len(options), 1)}",
            allow_blank=True,
            showErrorMessage=True,
        )
        targets.add_data_validation(validation)
        validation.add(f"{letter}2:{letter}10001")
    lists.sheet_state = "hidden"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def category_code(value: str) -> str:
    value = str(value).strip()
    for code, label in CATEGORY_LABELS.items():
        if value in (code, label, str(Category(code).label)):
            return code
    return value


def kind_code(value: str) -> str:
    value = str(value).strip()
    # 节点 was this column's word for a milestone in early templates; it is still read.
    aliases = {"量化": "quantified", "里程碑": "milestone", "节点": "milestone", "定性": "milestone"}
    if value in aliases:
        return aliases[value]
    for code in IndicatorKind.values:
        if value in (code, str(IndicatorKind(code).label)):
            return code
    return value
