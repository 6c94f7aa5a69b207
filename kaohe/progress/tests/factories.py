"""Plain helpers for progress tests, with keyword defaults (like kaohe/plans/tests/factories.py)."""

from __future__ import annotations

import uuid
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile

from kaohe.plans.models import Node, Target, TargetPlan
from kaohe.plans.tests import factories as plan_factories
from kaohe.progress import services
from kaohe.progress.models import ProgressReport, Status

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(17)


def make_plan(year, department, **kwargs) -> TargetPlan:
    """A plan that takes reports: approved unless told otherwise."""
    kwargs.setdefault("state", TargetPlan.State.APPROVED)
    return plan_factories.make_plan(year, department, **kwargs)


def make_target(plan: TargetPlan, **kwargs) -> Target:
    return plan_factories.make_target(plan, **kwargs)


def make_node(year, department, *, due_date: date = date(2021, 9, 30), **kwargs) -> Node:
    """One node of a new milestone target of the department's approved plan (the plan is reused)."""
    plan = TargetPlan.objects.filter(year=year, department=department).first() or make_plan(year, department)
    target = make_target(plan, nodes=(due_date,), **kwargs)
    return target.nodes.get()


def pdf(name: str = "总结.pdf", content: bytes = PDF, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def make_report(node: Node, *, by, files=(), **kwargs) -> ProgressReport:
    """A report sent through the service (so evidence is checked and written as in production)."""
    kwargs.setdefault("status", Status.IN_PROGRESS)
    kwargs.setdefault("narrative", "已完成阶段性工作")
    kwargs.setdefault("key", uuid.uuid4())
    uploads = [services.Upload(file=f) for f in files]
    report, _created = services.submit_report(node=node, by=by, uploads=uploads, **kwargs)
    return report
