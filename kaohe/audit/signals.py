"""Audit events for logins, logouts and every change to a history-tracked model."""

from __future__ import annotations

import datetime
import decimal
from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from simple_history.signals import post_create_historical_record

from kaohe.audit.log import Kind, record

_HISTORY_KIND = {"+": Kind.CREATE, "~": Kind.UPDATE, "-": Kind.DELETE}


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (decimal.Decimal, datetime.date, datetime.datetime, datetime.time)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


def history_changes(historical: Any) -> dict[str, list[Any]]:
    """{field: [before, after]} for one history row; a creation lists every field's value."""
    if historical.history_type == "~":
        previous = historical.prev_record
        if previous is not None:
            delta = historical.diff_against(previous)
            return {c.field: [_plain(c.old), _plain(c.new)] for c in delta.changes}
    fields = [f for f in historical.instance_type._meta.fields if hasattr(historical, f.attname)]
    after = historical.history_type != "-"
    return {
        f.attname: [None, _plain(getattr(historical, f.attname))]
        if after
        else [_plain(getattr(historical, f.attname)), None]
        for f in fields
    }


@receiver(post_create_historical_record)
def record_model_change(sender: Any, instance: Any, history_instance: Any, **kwargs: Any) -> None:
    changes = history_changes(history_instance)
    if history_instance.history_type == "~" and not changes:
        return  # a save that changed nothing is not an event
    record(
        _HISTORY_KIND[history_instance.history_type],
        actor=history_instance.history_user,
        obj=instance,
        changes=changes,
    )


@receiver(user_logged_in)
def record_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record(Kind.LOGIN, actor=user)


@receiver(user_logged_out)
def record_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record(Kind.LOGOUT, actor=user)
