"""A checksum of the business tables, to show that a refused request changed nothing."""

from __future__ import annotations

import hashlib

from django.apps import apps
from django.core import serializers

# Tables whose change is expected on any request (sessions, the audit log itself, the record of
# an upload), and the one column a login updates.
IGNORED = {"sessions.session", "audit.auditevent", "plans.importjob"}
IGNORED_FIELDS = {"last_login"}


def business_checksum() -> str:
    digest = hashlib.md5(usedforsecurity=False)
    for model in sorted(apps.get_models(), key=lambda m: m._meta.label_lower):
        label = model._meta.label_lower
        if label in IGNORED or model._meta.app_label in (
            "contenttypes",
            "auth",
            "django_cas_ng",
            "django_tasks_database",
        ):
            continue
        digest.update(label.encode())
        rows = model._default_manager.order_by("pk")
        fields = [f.name for f in model._meta.concrete_fields if f.name not in IGNORED_FIELDS and not f.primary_key]
        digest.update(serializers.serialize("json", rows, fields=fields).encode())
    return digest.hexdigest()
