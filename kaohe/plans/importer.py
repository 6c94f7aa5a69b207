"""Importing the targets workbook: check every row, then write all of it or none of it.

``check()`` reads both sheets, validates each row with a form (Chinese messages, Excel row
numbers) and works out what would be created, updated or left alone; ``apply()`` writes that in
one transaction with bulk operations (history rows included). The natural key is year + code, so
importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from kaohe.lib.inputs import FlexibleDateField, NormalisedDecimalField
from kaohe.lib.spreadsheets import CONTROL_CHARACTERS, SheetRow
from kaohe.org import access
from kaohe.org.models import AssessmentYear, Department
from kaohe.plans import exports
from kaohe.plans.models import Category, IndicatorKind, Node, Target, TargetPlan
from kaohe.plans.services import TARGET_FIELDS

Progress = Callable[[str, int, int], None]
MAX_ROWS = 50_000
# The target columns an import writes: the form's fields, foreign keys by id, and the split parent.
FIELDS = (*(f"{f}_id" if f == "lead_department" else f for f in TARGET_FIELDS if f != "code"), "parent_id")


def _no_progress(stage: str, done: int, total: int) -> None:
    pass


class YesNoField(forms.Field):
    def to_python(self, value):
        text = str(value or "").strip().lower()
        if text in ("是", "yes", "y", "1", "true", "√", "✓"):
            return True
        if text in ("", "否", "no", "n", "0", "false"):
            return False
        raise ValidationError(_("Write 是 or 否."))


class SharedFields(dict):
    """Form fields shared by every row instead of deep-copied for each one.

    A Django form deep-copies its fields (and their widgets) on creation; for a 10,000-row sheet
    that copying was most of the check's time. The row forms never change their fields, so one
    set serves all rows.
    """

    def __deepcopy__(self, memo):
        return self


class NoControlCharactersMixin:
    """Text from a sheet may carry control characters no page or export can hold: refuse them."""

    def clean(self):
        data = super().clean()
        for name, value in list(data.items()):
            if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
                self.add_error(name, _("This text contains control characters; remove them."))
        return data


class TargetRowForm(NoControlCharactersMixin, forms.Form):
    code = forms.CharField(label=gettext_lazy("code"), max_length=30)
    title = forms.CharField(label=gettext_lazy("title"), max_length=200)
    department = forms.CharField(label=gettext_lazy("department"), max_length=100)
    category = forms.ChoiceField(label=gettext_lazy("category"), choices=Category.choices)
    core = YesNoField(label=gettext_lazy("core indicator"), required=False)
    kind = forms.ChoiceField(label=gettext_lazy("indicator kind"), choices=IndicatorKind.choices)
    target_value = NormalisedDecimalField(
        label=gettext_lazy("target value"), max_digits=12, decimal_places=2, required=False, min_value=0
    )
    unit = forms.CharField(label=gettext_lazy("unit"), max_length=20, required=False)
    weight = NormalisedDecimalField(
        label=gettext_lazy("weight"), max_digits=5, decimal_places=2, required=False, min_value=0
    )
    responsible = forms.CharField(label=gettext_lazy("person responsible"), max_length=50, required=False)
    lead_department = forms.CharField(label=gettext_lazy("lead department"), max_length=100, required=False)
    co_departments = forms.CharField(label=gettext_lazy("co-departments"), max_length=1000, required=False)
    is_split = YesNoField(label=gettext_lazy("split to the colleges"), required=False)
    parent = forms.CharField(label=gettext_lazy("split from"), max_length=30, required=False)
    description = forms.CharField(label=gettext_lazy("description"), max_length=5000, required=False)

    def __init__(self, data, *, departments: dict[str, Department]) -> None:
        data = dict(data)
        data["category"] = exports.category_code(data.get("category", ""))
        data["kind"] = exports.kind_code(data.get("kind", ""))
        super().__init__(data)
        self.departments = departments

    def _department(self, name: str) -> Department | None:
        name = name.strip()
        if not name:
            return None
        department = self.departments.get(name)
        if department is None:
            raise ValidationError(_("No department is called “%(name)s”.") % {"name": name})
        return department

    def clean_department(self):
        return self._department(self.cleaned_data["department"])

    def clean_lead_department(self):
        return self._department(self.cleaned_data["lead_department"])

    def clean_co_departments(self):
        names = [n for n in str(self.cleaned_data["co_departments"]).replace(",", "、").replace("，", "、").split("、")]
        return [self._department(n) for n in names if n.strip()]

    def clean(self):
        data = super().clean()
        if data.get("kind") == IndicatorKind.QUANTIFIED and data.get("target_value") is None:
            self.add_error("target_value", _("A quantified target needs a target value."))
        if data.get("is_split") and data.get("kind") != IndicatorKind.QUANTIFIED:
            self.add_error("is_split", _("Only a quantified target can be split to the colleges."))
        return data


class NodeRowForm(NoControlCharactersMixin, forms.Form):
    code = forms.CharField(label=gettext_lazy("target code"), max_length=30)
    due_date = FlexibleDateField(label=gettext_lazy("due date"))
    deliverable = forms.CharField(label=gettext_lazy("expected deliverable"), max_length=300, required=False)
    expected_value = NormalisedDecimalField(
        label=gettext_lazy("expected value"), max_digits=12, decimal_places=2, required=False, min_value=0
    )


TargetRowForm.base_fields = SharedFields(TargetRowForm.base_fields)
NodeRowForm.base_fields = SharedFields(NodeRowForm.base_fields)


@dataclass
class Plan:
    """What an import would do, worked out by ``check()``."""

    year: AssessmentYear
    errors: list[tuple[str, int, str]] = field(default_factory=list)
    rows: dict[str, dict] = field(default_factory=dict)  # code → cleaned target row
    nodes: dict[str, list[tuple]] = field(default_factory=lambda: defaultdict(list))
    create: list[str] = field(default_factory=list)
    update: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)

    def summary(self) -> dict:
        return {
            "errors": self.errors[:500],
            "error_count": len(self.errors),
            "create": len(self.create),
            "update": len(self.update),
            "unchanged": len(self.unchanged),
            "rows": len(self.rows),
        }


def read_workbook(data: bytes) -> tuple[list[SheetRow], list[SheetRow]]:
    """Rows of the 目标 and 节点 sheets (found by name, else the first two sheets)."""
    from python_calamine import CalamineWorkbook

    from kaohe.lib.spreadsheets import rows_of_table

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = workbook.sheet_names
    except Exception as exc:
        raise ValidationError(_("The file could not be read. Is it a valid spreadsheet?")) from exc
    lowered = {n.strip().lower(): n for n in names}
    target_name = lowered.get(exports.TARGET_SHEET) or lowered.get("targets")
    node_name = lowered.get(exports.NODE_SHEET) or lowered.get("nodes")
    if target_name is None or node_name is None:
        raise ValidationError(_("The workbook needs a sheet named 目标 and a sheet named 节点 (see the template)."))
    tables = {}
    for name in (target_name, node_name):
        try:
            tables[name] = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except Exception as exc:
            raise ValidationError(_("The file could not be read. Is it a valid spreadsheet?")) from exc
    targets = rows_of_table(tables[target_name], _columns(exports.TARGET_COLUMNS), {"code", "title", "department"})
    nodes = rows_of_table(tables[node_name], _columns(exports.NODE_COLUMNS), {"code", "due_date"}, allow_empty=True)
    if len(targets) + len(nodes) > MAX_ROWS:
        raise ValidationError(_("The file has more than %(max)d rows.") % {"max": MAX_ROWS})
    return targets, nodes


def _columns(spec) -> dict[str, str]:
    columns = {}
    for chinese, english, name in spec:
        columns[chinese] = name
        columns[english] = name
    return columns


def _department_names() -> dict[str, Department]:
    names = {}
    for d in Department.objects.filter(active=True):
        names[d.name] = d
        if d.short_name:
            names.setdefault(d.short_name, d)
    return names


def _errors_of(form: forms.Form) -> list[str]:
    messages = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        messages.extend(f"{label}：{e}" if label else str(e) for e in errors)
    return messages


def check(
    *,
    year: AssessmentYear,
    user,
    target_rows: list[SheetRow],
    node_rows: list[SheetRow],
    progress: Progress = _no_progress,
) -> Plan:
    plan = Plan(year=year)
    sheet_t, sheet_n = exports.TARGET_SHEET, exports.NODE_SHEET
    if year.is_read_only:
        plan.errors.append(("", 0, _("The year %(year)s is closed: its plans are read-only.") % {"year": year}))
        return plan
    if not target_rows:
        plan.errors.append((sheet_t, 1, _("The sheet has a header but no rows.")))
        return plan
    departments = _department_names()
    writable = {d.pk for d in departments.values() if access.writes_for(user, d)}
    plans = {p.department_id: p for p in TargetPlan.objects.filter(year=year)}
    existing = {
        t.code: t
        for t in Target.objects.filter(year=year).select_related("plan").prefetch_related("nodes", "co_departments")
    }
    total = len(target_rows) + len(node_rows)
    seen: dict[str, int] = {}
    # Codes on the 目标 sheet, valid or not: a node of a rejected target is not a second problem.
    listed = {str(row.values.get("code", "")).strip() for row in target_rows}
    for index, row in enumerate(target_rows, start=1):
        if index % 500 == 0:
            progress("check", index, total)
        form = TargetRowForm(row.values, departments=departments)
        if not form.is_valid():
            plan.errors.extend((sheet_t, row.number, m) for m in _errors_of(form))
            continue
        data = form.cleaned_data
        code = data["code"].strip()
        department = data["department"]
        if code in seen:
            plan.errors.append(
                (
                    sheet_t,
                    row.number,
                    _("The code %(code)s is also in row %(row)d.") % {"code": code, "row": seen[code]},
                )
            )
            continue
        seen[code] = row.number
        if department.pk not in writable:
            plan.errors.append(
                (
                    sheet_t,
                    row.number,
                    _("You may not import targets of %(department)s.") % {"department": department.name},
                )
            )
            continue
        target = existing.get(code)
        if target is not None and target.plan.department_id != department.pk:
            plan.errors.append(
                (
                    sheet_t,
                    row.number,
                    # Name the other department only to someone who may see its targets.
                    _("The code %(code)s belongs to a target of %(department)s.")
                    % {"code": code, "department": target.plan.department}
                    if target.plan.department_id in writable
                    else _("Another target of this year already has the code %(code)s.") % {"code": code},
                )
            )
            continue
        department_plan = plans.get(department.pk)
        # A locked plan's rows may come back unchanged (an export imported again); a change is refused below.
        data["locked"] = department_plan is not None and not department_plan.is_editable
        data["plan_state"] = department_plan.get_state_display() if data["locked"] else ""
        data["code"] = code
        data["row"] = row.number
        plan.rows[code] = data
    for index, row in enumerate(node_rows, start=len(target_rows) + 1):
        if index % 500 == 0:
            progress("check", index, total)
        form = NodeRowForm(row.values)
        if not form.is_valid():
            plan.errors.extend((sheet_n, row.number, m) for m in _errors_of(form))
            continue
        data = form.cleaned_data
        code = data["code"].strip()
        if code not in listed:
            plan.errors.append(
                (
                    sheet_n,
                    row.number,
                    _("No target with the code %(code)s on the 目标 sheet.") % {"code": code},
                )
            )
            continue
        if code in plan.rows:
            plan.nodes[code].append((data["due_date"], data["deliverable"], data["expected_value"], row.number))
    _check_parents(plan, existing)
    _check_node_values(plan)
    _sort_changes(plan, existing)
    _check_locked(plan)
    progress("check", total, total)
    return plan


def _check_locked(plan: Plan) -> None:
    """Rows of submitted or approved plans may only repeat what the plan says."""
    for code in plan.create + plan.update:
        data = plan.rows[code]
        if data["locked"]:
            plan.errors.append(
                (
                    exports.TARGET_SHEET,
                    data["row"],
                    _("The plan of %(department)s is %(state)s: change approved targets by an adjustment request.")
                    % {"department": data["department"].name, "state": data["plan_state"]},
                )
            )


def _check_parents(plan: Plan, existing: dict[str, Target]) -> None:
    for data in plan.rows.values():
        parent_code = (data.get("parent") or "").strip()
        if not parent_code:
            data["parent_id"] = None
            continue
        if parent_code == data["code"]:
            plan.errors.append((exports.TARGET_SHEET, data["row"], _("A target cannot be split from itself.")))
            data["parent_id"] = None
            continue
        parent_row = plan.rows.get(parent_code)
        parent = existing.get(parent_code)
        is_split = parent_row["is_split"] if parent_row else (parent.is_split if parent else False)
        if (parent_row is None and parent is None) or not is_split:
            plan.errors.append(
                (
                    exports.TARGET_SHEET,
                    data["row"],
                    _("“Split from” names %(code)s, which is not a target marked for splitting.")
                    % {"code": parent_code},
                )
            )
        data["parent_id"] = parent.pk if parent else parent_code  # a code: resolved once the parent exists


def _check_node_values(plan: Plan) -> None:
    for code, nodes in plan.nodes.items():
        if plan.rows[code]["kind"] != IndicatorKind.QUANTIFIED:
            continue
        for _due_date, _deliverable, value, number in nodes:
            if value is None:
                plan.errors.append(
                    (
                        exports.NODE_SHEET,
                        number,
                        _("A node of the quantified target %(code)s needs its expected value.") % {"code": code},
                    )
                )


def _row_values(data: dict) -> dict:
    return {
        "title": data["title"],
        "description": data["description"],
        "category": data["category"],
        "core": data["core"],
        "kind": data["kind"],
        "target_value": data["target_value"],
        "unit": data["unit"],
        "weight": data["weight"],
        "responsible": data["responsible"],
        "lead_department_id": data["lead_department"].pk if data["lead_department"] else None,
        "is_split": data["is_split"],
        "parent_id": data["parent_id"],
    }


def _node_tuples(nodes) -> list[tuple]:
    """Nodes in a comparable order; an empty value sorts before any number."""
    return sorted(((n[0], n[1], n[2]) for n in nodes), key=lambda n: (n[0], n[1], n[2] is not None, n[2] or 0))


def _sort_changes(plan: Plan, existing: dict[str, Target]) -> None:
    for code, data in plan.rows.items():
        target = existing.get(code)
        if target is None:
            plan.create.append(code)
            continue
        values = _row_values(data)
        same = all(getattr(target, k) == v for k, v in values.items() if not isinstance(v, str) or k != "parent_id")
        same = same and _node_tuples(plan.nodes.get(code, [])) == _node_tuples(
            (n.due_date, n.deliverable, n.expected_value) for n in target.nodes.all()
        )
        same = same and {d.pk for d in data["co_departments"]} == {d.pk for d in target.co_departments.all()}
        (plan.unchanged if same else plan.update).append(code)


@transaction.atomic
def apply(plan: Plan, *, progress: Progress = _no_progress) -> dict:
    """Write a checked import: everything or, on any error, nothing."""
    if not plan.ok:
        raise ValidationError(_("The import has errors; nothing was written."))
    year = plan.year
    departments = {data["department"].pk for data in plan.rows.values()}
    plans = {p.department_id: p for p in TargetPlan.objects.filter(year=year, department__in=departments)}
    missing = [TargetPlan(year=year, department_id=pk) for pk in departments if pk not in plans]
    for new_plan in bulk_create_with_history(missing, TargetPlan, batch_size=1000):
        plans[new_plan.department_id] = new_plan
    plans.update({p.department_id: p for p in TargetPlan.objects.filter(year=year, department__in=departments)})
    existing = {t.code: t for t in Target.objects.filter(year=year, code__in=plan.create + plan.update)}
    progress("apply", 0, len(plan.rows))

    new = []
    for order, code in enumerate(plan.create, start=1):
        data = plan.rows[code]
        values = _row_values(data)
        parent_id = values.pop("parent_id")
        target = Target(plan=plans[data["department"].pk], year=year, code=code, order=order * 10, **values)
        target.parent_id = parent_id if isinstance(parent_id, int) else None
        new.append(target)
    bulk_create_with_history(new, Target, batch_size=2000)
    if any(t.pk is None for t in new):  # a database that does not return the new ids
        new = list(Target.objects.filter(year=year, code__in=plan.create))
    created = {t.code: t for t in new}
    progress("apply", len(new), len(plan.rows))

    changed, fields = [], set()  # only the columns that differ somewhere: each is a CASE over all rows
    for code in plan.update:
        target = existing[code]
        values = _row_values(plan.rows[code])
        parent_id = values.pop("parent_id")
        values["parent_id"] = parent_id if isinstance(parent_id, int) else target.parent_id
        for name, value in values.items():
            if getattr(target, name) != value:
                setattr(target, name, value)
                fields.add(name)
        changed.append(target)
    if changed and fields:
        bulk_update_with_history(changed, Target, sorted(fields), batch_size=500)

    # Parents named by a code in the same file, now that they exist.
    every = {**created, **{t.code: t for t in changed}}
    parents_by_code = {c: t for c, t in Target.objects.filter(year=year, is_split=True).values_list("code", "pk")}
    late = []
    for code in plan.create + plan.update:
        parent = plan.rows[code]["parent_id"]
        if isinstance(parent, str):
            target = every[code]
            target.parent_id = parents_by_code[parent]
            late.append(target)
    if late:
        bulk_update_with_history(late, Target, ["parent_id"], batch_size=2000)

    touched = [every[c] for c in plan.create + plan.update]
    _replace_co_departments(plan, touched)
    _replace_nodes(plan, touched, existing_codes=set(plan.update))
    progress("apply", len(plan.rows), len(plan.rows))
    return {"create": len(plan.create), "update": len(plan.update), "unchanged": len(plan.unchanged)}


def _replace_co_departments(plan: Plan, targets: list[Target]) -> None:
    through = Target.co_departments.through
    through.objects.filter(target__in=[t.pk for t in targets if t.code in plan.update]).delete()
    through.objects.bulk_create(
        [
            through(target_id=t.pk, department_id=d.pk)
            for t in targets
            for d in {d.pk: d for d in plan.rows[t.code]["co_departments"]}.values()
        ],
        batch_size=5000,
    )


def _replace_nodes(plan: Plan, targets: list[Target], *, existing_codes: set[str]) -> None:
    """Give each target the file's nodes: nodes keep their identity by position (later progress
    reports hang on them), only the ones that differ are written, all of it in bulk."""
    have: dict[int, list[Node]] = defaultdict(list)
    updated_ids = [t.pk for t in targets if t.code in existing_codes]
    for node in Node.objects.filter(target__in=updated_ids).order_by("target_id", "due_date", "order", "id"):
        have[node.target_id].append(node)
    create, change, remove = [], [], []
    for target in targets:
        current = have.get(target.pk, [])
        wanted = sorted(plan.nodes.get(target.code, []), key=lambda n: (n[0], n[3]))
        for order, (due_date, deliverable, value, _number) in enumerate(wanted):
            values = {"due_date": due_date, "deliverable": deliverable, "expected_value": value, "order": order}
            if order >= len(current):
                create.append(Node(target_id=target.pk, **values))
                continue
            node = current[order]
            if any(getattr(node, k) != v for k, v in values.items()):
                for name, v in values.items():
                    setattr(node, name, v)
                change.append(node)
        remove.extend(current[len(wanted) :])
    bulk_create_with_history(create, Node, batch_size=5000)
    if change:
        bulk_update_with_history(change, Node, ["due_date", "deliverable", "expected_value", "order"], batch_size=500)
    for node in remove:
        node.delete()  # one history row each; only nodes a file no longer lists
