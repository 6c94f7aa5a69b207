from __future__ import annotations

from django.utils import timezone


def update_last_login(sender, user, **kwargs) -> None:
    type(user).objects.filter(pk=user.pk).update(last_login=timezone.now())
