"""Writing audit events: one function, used by every app."""

from __future__ import annotations

from typing import Any

from django.db import models

from kaohe.audit import context
from kaohe.audit.models import AuditEvent

Kind = AuditEvent.Kind


def _roles_of(user: Any) -> str:
    if user is None or not getattr(user, "pk", None):
        return ""
    from kaohe.org.access import roles_of

    return ",".join(sorted({m.role for m in roles_of(user)}))


def record(
    kind: str,
    *,
    actor: Any = None,
    username: str = "",
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    changes: dict | None = None,
    success: bool = True,
    ip: str | None = None,
) -> AuditEvent:
    """Append one event. ``actor`` may be anonymous or None (failed logins, denied access)."""
    ctx = context.current()
    if actor is not None and not getattr(actor, "pk", None):
        actor = None
    if obj is not None:
        object_type = obj._meta.label
        object_id = str(obj.pk)
    return AuditEvent.objects.create(
        kind=kind,
        actor=actor,
        username=(username or (actor.get_username() if actor else ""))[:150],
        roles=_roles_of(actor),
        ip=ip if ip is not None else (ctx.ip if ctx else None),
        request_id=ctx.request_id if ctx else "",
        path=ctx.path if ctx else "",
        object_type=object_type,
        object_id=object_id,
        object_repr=str(obj)[:200] if obj is not None else "",
        changes=changes or {},
        success=success,
    )
