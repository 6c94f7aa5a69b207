"""Traffic lights (红黄绿灯) of open nodes, and the escalation of overdue ones (催办): pure functions."""

from __future__ import annotations

from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _


class Light(models.TextChoices):
    GREEN = "green", _("On track")
    YELLOW = "yellow", _("Due soon")
    RED = "red", _("Overdue")
    DONE = "done", _("Completed")


def light(*, due: date, complete: bool, today: date, warn_days: int = 3) -> Light:
    """Green on track, yellow when due within ``warn_days`` days (today included), red when overdue.

    ``today`` is the school's calendar day (``timezone.localdate()`` in Asia/Shanghai): a node due
    on 30 September is yellow until 23:59:59 that day and red from midnight, whatever the server's
    own time zone.
    """
    if complete:
        return Light.DONE
    if today > due:
        return Light.RED
    if (due - today).days <= warn_days:
        return Light.YELLOW
    return Light.GREEN
