"""What the audit log needs to know about the current request, wherever a record is written."""

from __future__ import annotations

import uuid
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest


@dataclass(frozen=True)
class RequestContext:
    ip: str | None
    request_id: str
    path: str


_current: ContextVar[RequestContext | None] = ContextVar("kaohe_audit_request", default=None)


def client_ip(request: HttpRequest) -> str | None:
    # Behind nginx the real address comes in X-Forwarded-For; trust it only when told to.
    if getattr(settings, "KAOHE_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def enter(request: HttpRequest) -> object:
    ctx = RequestContext(ip=client_ip(request), request_id=uuid.uuid4().hex, path=request.path[:300])
    request.audit_request_id = ctx.request_id  # type: ignore[attr-defined]
    return _current.set(ctx)


def leave(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]


def current() -> RequestContext | None:
    return _current.get()
