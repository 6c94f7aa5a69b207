"""Login throttling: a lock per typed username and a limit per client address.

Failures are counted from the audit log itself, so the lock needs no state of its own and
every failure, lock and unlock is recorded. The count is per typed name, whether or not such a
person exists, so the answer never tells an attacker which accounts exist.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from kaohe.audit.log import Kind, record
from kaohe.audit.models import AuditEvent


def normalise(username: str) -> str:
    return username.strip()[:150]


def _window_start(username: str):
    """Failures count from the window's start or from the last unlock, whichever is later."""
    start = timezone.now() - timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES)
    last_unlock = AuditEvent.objects.filter(kind=Kind.UNLOCK, username=username, at__gte=start).aggregate(at=Max("at"))[
        "at"
    ]
    return max(start, last_unlock) if last_unlock else start


def failures(username: str) -> int:
    return AuditEvent.objects.filter(kind=Kind.LOGIN_FAILED, username=username, at__gt=_window_start(username)).count()


def is_locked(username: str) -> bool:
    return failures(normalise(username)) >= settings.LOGIN_FAILURE_LIMIT


def address_blocked(ip: str | None) -> bool:
    """Credential stuffing: too many different names failing from one address in an hour."""
    if not ip:
        return False
    since = timezone.now() - timedelta(hours=1)
    names = (
        AuditEvent.objects.filter(kind=Kind.LOGIN_FAILED, ip=ip, at__gte=since).values("username").distinct().count()
    )
    return names >= settings.LOGIN_IP_USERNAME_LIMIT


def record_failure(username: str, user=None) -> None:
    username = normalise(username)
    record(Kind.LOGIN_FAILED, actor=user, username=username, success=False)
    if failures(username) == settings.LOGIN_FAILURE_LIMIT:
        record(Kind.LOCKOUT, actor=user, username=username, success=False)


def unlock(username: str, *, by) -> None:
    record(Kind.UNLOCK, actor=by, username=normalise(username), object_type="org.User", object_id=username)
